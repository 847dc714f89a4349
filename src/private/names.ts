/** A Kubernetes name of one DNS label (namespaces, Services, most objects): at most 63 characters. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes name of dotted DNS labels (Secrets, GatewayClasses). */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS name outside the cluster: two labels or more, optionally starting with a `*.` wildcard label. */
export const EXTERNAL_HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `uri` is an http or https URL (a JWKS endpoint). */
export function isHttpUrl(uri: unknown): boolean {
  try {
    const u = new URL(String(uri));
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The name of a JWT issuer's Consul JWTProvider: the one given, else derived from the issuer's host. */
export function jwtProviderName(issuer: unknown, given: string | undefined): string {
  if (given !== undefined) return given;
  let host: string;
  try {
    host = new URL(String(issuer)).hostname;
  } catch {
    host = String(issuer ?? '');
  }
  return host.replace(/[^a-z0-9-]+/gi, '-').toLowerCase().replace(/^-+|-+$/g, '');
}
