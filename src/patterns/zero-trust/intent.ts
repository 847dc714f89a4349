import { IConstruct } from 'constructs';
import type { MtlsException, MtlsPhase } from './props';
import { Identity } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import { HttpMethod, MatchType } from '../../model/matches';
import type { OwnedSettings } from '../../model/owned';
import { ServiceRef } from '../../model/service';

/** A normalized access rule. */
export interface RuleIntent {
  readonly name: string;
  readonly source: string;
  readonly from: Identity[];
  readonly to: ServiceRef;
  readonly methods?: HttpMethod[];
  readonly paths?: { type: MatchType; value: string }[];
  /** gRPC services and methods (a rule on a gRPC port; never with methods or paths). */
  readonly grpcMethods?: GrpcMethodIntent[];
  readonly requireJwt: boolean;
}

/** A gRPC method match of a rule: every method of `service`, or `method` of it. */
export interface GrpcMethodIntent {
  readonly service: string;
  readonly method?: string;
}

/**
 * The request paths a rule allows, for the meshes whose rules match paths (Istio, Consul): its paths, or its gRPC
 * methods as paths (a gRPC request is POST /<service>/<method>: a method is that exact path, a service the prefix
 * /<service>, which every mesh bounds at a segment); undefined for every path.
 */
export function requestPaths(r: RuleIntent): { type: MatchType; value: string }[] | undefined {
  if (r.paths || !r.grpcMethods) return r.paths;
  return r.grpcMethods.map(g => (g.method ? { type: MatchType.EXACT, value: `/${g.service}/${g.method}` } : { type: MatchType.PREFIX, value: `/${g.service}` }));
}

/** Everything a renderer needs. */
export interface ZeroTrustIntent {
  readonly namespace: string;
  readonly phase: MtlsPhase;
  readonly exceptions: MtlsException[];
  readonly allow: RuleIntent[];
  readonly deny: RuleIntent[];
  readonly jwt?: JwtAuthentication & { providerName: string };
  readonly namespaceObject?: IConstruct;
}

/**
 * Why a zero-trust refusal is kept with UnsupportedSettings.DROP_WITH_WARNING: a renderer's refusals of access
 * rules, exceptions and the JWT (a renderer leaves `keep` out of those that can be dropped, e.g. Consul's
 * `jwt.forwardOriginalToken`).
 */
export const ACCESS_RULES_KEEP = 'leaving it out would admit or refuse other callers than written';

/** The settings of ZeroTrustNamespace that one mesh owns; a renderer lists those it reads (ZeroTrustRenderer.reads). */
export type ZeroTrustOwnedSetting = 'jwt.consulJwksCaFile';

/** ZeroTrustNamespace's owned settings: refused with the JWT checks where unread (ZeroTrustNamespace drops nothing). */
export const ZERO_TRUST_OWNED: OwnedSettings<ZeroTrustIntent, ZeroTrustOwnedSetting> = {
  'jwt.consulJwksCaFile': { why: 'it sets Consul\'s JWTProvider', value: i => i.jwt?.consulJwksCaFile, droppable: false },
};
