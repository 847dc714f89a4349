/**
 * How workloads talk to an external host.
 */
export enum EgressProtocol {
  /** TLS from the application (HTTPS and other TLS): passed through, allowed by SNI. */
  TLS = 'TLS',
  /** Plain HTTP: allowed by Host header (with `originateTls`, the proxy upgrades it to TLS). */
  HTTP = 'HTTP',
  /** Any TCP protocol (databases, brokers): allowed by port. */
  TCP = 'TCP',
}

/**
 * An external host workloads may call.
 */
export interface ExternalHost {
  /** The DNS name, e.g. `api.stripe.com`; `*.example.com` for every subdomain (Istio and Linkerd). */
  readonly host: string;
  /**
   * The protocol.
   * @default EgressProtocol.TLS
   */
  readonly protocol?: EgressProtocol;
  /**
   * The port the workloads call.
   * @default 443 for TLS, 80 for HTTP; required for TCP
   */
  readonly port?: number;
  /**
   * HTTP only: workloads send plain HTTP and the proxy opens TLS to the host on `tlsPort` (Istio
   * `ServiceEntry` `targetPort` plus a `DestinationRule` with `tls.mode: SIMPLE` and the host as SNI).
   * @default false
   */
  readonly originateTls?: boolean;
  /**
   * Istio, TCP hosts: the host's IP addresses or CIDRs, so that the proxy tells this TCP port apart from
   * other destinations on the same port (without them, istioctl warns IST0134 unless DNS auto-allocation is on).
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * With `originateTls`: the port TLS is opened to.
   * @default 443
   */
  readonly tlsPort?: number;
}
