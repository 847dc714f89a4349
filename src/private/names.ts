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
