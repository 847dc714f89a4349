/**
 * istioctl warnings accepted on the example output, each with the reason (mirrored in docs/conformance.md).
 * Any other warning or error of `istioctl validate` or `istioctl analyze` fails `npm run conformance`.
 */
export interface IstioException {
  /** The IST code (istioctl analyze); `istioctl validate` warnings have none and match on origin and message. */
  readonly code?: string;
  /** The resource, as `Kind namespace/name`. */
  readonly origin: RegExp;
  /** The message. */
  readonly message: RegExp;
  /** Why it is acceptable. */
  readonly reason: string;
}

export const ISTIO_EXCEPTIONS: IstioException[] = [
  {
    code: 'IST0133',
    origin: /^EnvoyFilter shop\/[a-z0-9-]+-local-ratelimit$/,
    message: /EnvoyFilter exposes internal implementation details/,
    reason: 'Istio warns on every EnvoyFilter. A local rate limit on sidecars (ResilientService rateLimit) has no Istio API in 1.30 '
      + 'other than an EnvoyFilter (Istio\'s own local rate limit task uses one); the ambient output has none',
  },
  {
    code: 'IST0133',
    origin: /^AuthorizationPolicy (istio-system|shop)\/shop-require-jwt$/,
    message: /deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule/,
    reason: 'IngressGateway requireJwt: the DENY policy applies to the ingress gateway only (selector or targetRefs) and fails closed: '
      + 'a TCP or TLS-passthrough server added to the same gateway by other means would be denied, never opened. Naming ports would '
      + 'need the gateway pods\' container ports, which the construct does not know',
  },
  {
    code: 'IST0133',
    origin: /^AuthorizationPolicy [a-z0-9-]+\/[a-z0-9-]+-deny$/,
    message: /deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule/,
    reason: 'ZeroTrustNamespace deny rules with methods or paths only (generated inputs): the DENY policy also denies every '
      + 'plain-TCP connection to the target workload. It fails closed (nothing undeclared is let through), but a caller '
      + 'allowed at L4 loses its TCP ports: a known gap, reported for a follow-up (docs/conformance.md)',
  },
];

/** The exception that covers this message, if any. */
export function istioException(code: string | undefined, origin: string, message: string): IstioException | undefined {
  return ISTIO_EXCEPTIONS.find(e => (!code || !e.code || e.code === code) && e.origin.test(origin) && e.message.test(message));
}
