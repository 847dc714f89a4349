import type { ProblemList } from './errors';
import { nodeNet } from './node-net';

/** A Kubernetes name of one DNS label (namespaces, Services, most objects): at most 63 characters. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A Kubernetes name of dotted DNS labels (Secrets, GatewayClasses). */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Whether `value` is a DNS-1123 label of at most `max` characters (the API server's IsDNS1123Label: 63; less
 * where the library appends to it): the one check of a name that becomes a label-sized object name, label
 * value or field.
 */
export function isDns1123Label(value: unknown, max = 63): value is string {
  return typeof value === 'string' && value.length <= max && DNS1123_LABEL.test(value);
}

/**
 * Whether `value` is a DNS-1035 label (the API server's ValidateServiceName, NameIsDNS1035Label): a DNS-1123 label
 * that starts with a letter. A Service named `0abc` cannot be created, so a reference to it is refused.
 */
export function isDns1035Label(value: unknown): value is string {
  return isDns1123Label(value) && value[0] >= 'a' && value[0] <= 'z';
}

/** Whether `value` is a DNS-1123 subdomain (the API server's IsDNS1123Subdomain: at most 253 characters). */
export function isDns1123Subdomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** The problem of a name that is not a DNS-1123 label, worded for `what` (e.g. 'a cluster name'). */
export function dns1123LabelProblem(what: string, max = 63): string {
  return `${what} is a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters)`;
}

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

/**
 * Checks a JWKS URI (`jwt.jwksUri`) and its `allowPlainHttpJwks` acknowledgement: an http or https URL,
 * and plain http only when acknowledged (keys fetched in plaintext can be replaced on the way, and then
 * anyone can sign tokens the mesh accepts).
 */
export function checkJwksUri(problems: ProblemList, jwt: { jwksUri: string; allowPlainHttpJwks?: boolean }): void {
  if (!isHttpUrl(jwt.jwksUri)) {
    problems.add('jwt.jwksUri', jwt.jwksUri, 'the JWKS URI must be an http or https URL', "e.g. 'https://auth.example.com/.well-known/jwks.json'");
  } else if (new URL(jwt.jwksUri).protocol === 'http:' && jwt.allowPlainHttpJwks !== true) {
    problems.add('jwt.jwksUri', jwt.jwksUri, 'the signing keys would be fetched over plain http, so anyone on the network path could replace them and sign tokens the mesh accepts',
      'use an https URL, or set jwt.allowPlainHttpJwks: true for an endpoint reached over a trusted in-cluster network');
  }
  if (jwt.allowPlainHttpJwks !== undefined && typeof jwt.allowPlainHttpJwks !== 'boolean') {
    problems.add('jwt.allowPlainHttpJwks', jwt.allowPlainHttpJwks, 'not a boolean', 'set true, or leave it out');
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

/** A label key: an optional DNS-subdomain prefix (at most 253 characters) and `/`, then a name of at most 63. */
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Why `key` is not a Kubernetes label key (the API server's IsQualifiedName), or undefined. */
export function labelKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string' || !key) return 'a label key is a non-empty string';
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = key.slice(slash + 1);
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) {
    return 'the prefix of a label key (before "/") is a DNS subdomain of at most 253 characters';
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return 'a label key name (after any "/") has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value (the API server's IsValidLabelValue), or undefined. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a label value is a string';
  if (value && (value.length > 63 || !LABEL_NAME.test(value))) {
    return 'a label value has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  }
  return undefined;
}

/** A CIDR or address as parsed by Node's `net` module: its family and prefix length (32 or 128 for an address). */
export function parseCidr(value: unknown): { family: 4 | 6; prefix: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const [ip, bits, extra] = value.split('/');
  const family = nodeNet().isIP(ip);
  if ((family !== 4 && family !== 6) || extra !== undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (bits === undefined) return { family, prefix: max };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  try {
    // BlockList refuses what isIP accepts but a subnet cannot hold (checked once more, by the same parser Node uses)
    new (nodeNet().BlockList)().addSubnet(ip, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return undefined;
  }
  return { family, prefix: Number(bits) };
}

/**
 * Whether `inner` (a CIDR or address) lies inside `outer`, of either family; undefined if either is not a
 * CIDR (one parser, Node's, for the whole library).
 */
export function cidrContains(outer: unknown, inner: unknown): boolean | undefined {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i) return undefined;
  if (o.family !== i.family || i.prefix < o.prefix) return false;
  const type = o.family === 4 ? 'ipv4' : 'ipv6';
  const list = new (nodeNet().BlockList)();
  list.addSubnet(String(outer).split('/')[0], o.prefix, type);
  return list.check(String(inner).split('/')[0], type);
}

/** Whether a CIDR covers every address of its family (`0.0.0.0/0`, `::/0`): anyone, the internet included. */
export function isEveryAddress(value: unknown): boolean {
  return parseCidr(value)?.prefix === 0;
}

/**
 * Why `domain` is not a usable cluster or trust domain (a DNS name of lower-case labels, as Istio's
 * `trustDomain`, Linkerd's `identityTrustDomain` and the kubelet's `clusterDomain` are), or undefined.
 */
export function domainProblem(domain: unknown): string | undefined {
  if (typeof domain !== 'string' || !domain) return 'a domain is a non-empty DNS name';
  if (domain.includes('*')) return 'a wildcard trust or cluster domain would match identities or hosts of every domain';
  if (!isDns1123Subdomain(domain) || domain.split('.').some(l => l.length > 63)) {
    return 'a domain is a DNS name: lower-case labels of letters, digits and "-", separated by dots (at most 253 characters)';
  }
  return undefined;
}
