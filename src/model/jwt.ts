/**
 * Request authentication with JSON Web Tokens.
 */
export interface JwtAuthentication {
  /** The token issuer (`iss`). */
  readonly issuer: string;
  /** Where the issuer's signing keys are published (https; http needs `allowPlainHttpJwks`). */
  readonly jwksUri: string;
  /**
   * Accept a plain-http `jwksUri`. Keys fetched over http can be replaced by anyone on the network path,
   * who could then sign tokens the mesh accepts: set it only for an endpoint on a trusted in-cluster network.
   * @default false
   */
  readonly allowPlainHttpJwks?: boolean;
  /**
   * Accepted audiences (`aud`).
   * @default - any audience
   */
  readonly audiences?: string[];
  /**
   * Keep the token on the request forwarded to the service (Istio only).
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
  /**
   * The name of Consul's JWTProvider.
   * @default - derived from the issuer's host
   */
  readonly providerName?: string;
  /**
   * Consul, https JWKS URI: the CA bundle (a file in the consul-dataplane image, or one mounted into it)
   * Envoy verifies the JWKS server's certificate against (`jwksCluster.tlsCertificates.trustedCA`).
   * Without it, Envoy would fetch the keys without verifying the server.
   * @default '/etc/ssl/certs/ca-certificates.crt' (the image's system bundle)
   */
  readonly consulJwksCaFile?: string;
}
