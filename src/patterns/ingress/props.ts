import { PathMatch } from '../../model/matches';
import { ServiceRef } from '../../model/service';

/**
 * The API an ingress is written with.
 */
export enum IngressApi {
  /** Istio `Gateway` and `VirtualService` (Istio only; the classic ingress gateway). */
  ISTIO = 'istio',
  /** Gateway API `Gateway` and `HTTPRoute` (every mesh; a gateway controller must be installed). */
  GATEWAY_API = 'gateway-api',
}

/**
 * A path (or path prefix) routed to a service.
 */
export interface IngressRoute {
  /**
   * The path prefix, e.g. `/api`; `/` for everything else. Exactly one of `pathPrefix` and `path`.
   * @default - `path`
   */
  readonly pathPrefix?: string;
  /**
   * The path: `PathMatch.exact('/login')` or `PathMatch.prefix('/api')` (segment-wise, as everywhere).
   * Exactly one of `pathPrefix` and `path`.
   * @default - `pathPrefix`
   */
  readonly path?: PathMatch;
  /** The service. */
  readonly service: ServiceRef;
  /**
   * The service port.
   * @default - the service's port
   */
  readonly port?: number;
}
