import { IngressApi } from './props';
import { Identity } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import type { OwnedSettings } from '../../model/owned';
import { ServiceRef } from '../../model/service';

/** The service account of istioctl's (IstioOperator's) shared ingress gateway. */
export const DEFAULT_ISTIO_GATEWAY_ACCOUNT = 'istio-ingressgateway-service-account';

/** One route of an ingress, checked. */
export interface IngressRouteIntent {
  /** The path prefix, or with `exact`, the path. */
  readonly prefix: string;
  readonly exact?: boolean;
  readonly service: ServiceRef;
  readonly port: number;
}

/** A ResilientService of the app on the same mesh (Consul: its routes do not apply to the gateway's requests). */
export interface ResilientServiceRef {
  /** The construct path. */
  readonly path: string;
  readonly name: string;
  /** The service's namespace (given, or the ResilientService's chart's). */
  readonly namespace: string | undefined;
  /** The settings it writes on the service's routes (timeouts and retries), in words; empty if none. */
  readonly routeSettings: string[];
}

/** What a mesh's IngressGateway renderer reads. */
export interface IngressIntent {
  /** The gateway's name. */
  readonly name: string;
  /** The namespace of the gateway objects and routes. */
  readonly namespace: string;
  readonly host: string;
  readonly api: IngressApi;
  /** The certificate's Secret; undefined: plain HTTP. */
  readonly tlsSecretName?: string;
  /** Exact paths first, then the longest prefix first. */
  readonly routes: IngressRouteIntent[];
  readonly jwt?: JwtAuthentication;
  /** The JWT provider's name (jwtProviderName), with `jwt`. */
  readonly providerName?: string;
  /** Gateway API: the GatewayClass (given, or the mesh's default). */
  readonly gatewayClassName?: string;
  readonly gatewayIdentity?: Identity;
  readonly envoyProxyName?: string;
  /** Istio API: the labels of the ingress gateway pods, as given. */
  readonly istioGatewaySelector?: { [key: string]: string };
  /** Istio API: the namespace of the ingress gateway pods. */
  readonly istioGatewayNamespace: string;
  /** Istio API: the service account of the ingress gateway pods. */
  readonly istioGatewayServiceAccount: string;
  /** The namespace of a service, as the construct resolves it (given, or the construct's chart's). */
  namespaceOf(service: ServiceRef): string | undefined;
  /** The ResilientServices of the app on this construct's mesh, at synthesis. */
  resilientServices(): ResilientServiceRef[];
  /**
   * Enrols the backends' namespaces (the construct's enrolment): the renderer calls it once the gateway and
   * its routes are written, before the policies that attach to them.
   */
  enrolBackends(): void;
}

/** The settings of IngressGateway that one mesh owns; a renderer lists those it reads (IngressRenderer.reads). */
export type IngressOwnedSetting = 'jwt.consulJwksCaFile';

/** IngressGateway's owned settings: refused before the renderer's unsupported settings where unread, droppable. */
export const INGRESS_OWNED: OwnedSettings<IngressIntent, IngressOwnedSetting> = {
  'jwt.consulJwksCaFile': { why: 'it sets Consul\'s JWTProvider', value: i => i.jwt?.consulJwksCaFile, droppable: true },
};
