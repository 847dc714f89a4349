import { CircuitBreakerIntent, ConnectionPoolIntent, MatchIntent, RuleIntent } from '../resilience/intent';
import { ServiceProtocol, ServiceRef } from '../service';

/** One version of a service: its subset name and the labels that select its pods. */
export interface VersionIntent {
  /** Subset name (a DNS-1123 label), e.g. `v2`. */
  readonly name: string;
  /** Pod labels that select this version (including the service's own selector). */
  readonly labels: { [k: string]: string };
  /** The version label's key and value, e.g. `version` / `v2` (Consul subset filters use it). */
  readonly versionKey: string;
  readonly versionValue: string;
  /** The per-version Service that Gateway API and SMI backends point at. */
  readonly backendService: string;
}

/** A canary split of one service, at one step. */
export interface CanaryIntent {
  readonly stable: VersionIntent;
  readonly canary: VersionIntent;
  /** Whole percent of requests for the canary, 0 to 100. */
  readonly canaryWeight: number;
  /** Requests that always go to the canary: any of these header sets (each: all headers). */
  readonly canaryMatches: MatchIntent[];
  /** Percent of live traffic mirrored to the canary. */
  readonly mirrorPercent?: number;
  /** Linkerd only: write an SMI TrafficSplit instead of weighted HTTPRoute backends. */
  readonly smi: boolean;
  /** Annotations describing the step, added to the routing objects. */
  readonly annotations: { [k: string]: string };
}

/** Resilience settings that live in the routing objects. */
export interface RoutingResilience {
  readonly rules: RuleIntent[];
  readonly circuitBreaker?: CircuitBreakerIntent;
  readonly connectionPool?: ConnectionPoolIntent;
  readonly loadBalancing?: string;
}

/** Faults for a share of requests (Istio). */
export interface FaultIntent {
  /** Only requests with these headers; undefined: every request. */
  readonly match?: MatchIntent;
  readonly delay?: { readonly ms: number; readonly percent: number };
  readonly abort?: { readonly status: number; readonly percent: number };
}

/** Multi-cluster failover of a service: prefer the local cluster, fail over to remote ones. */
export interface FailoverIntent {
  /** The local cluster's region. */
  readonly localRegion: string;
  /** The remote clusters: their region (Istio locality) and peer name (Consul). */
  readonly remotes: { readonly region: string; readonly peer: string }[];
}

/** Everything that goes into one service's routing objects, from every pattern that touches it. */
export interface TrafficModel {
  readonly service: ServiceRef;
  readonly serviceName: string;
  readonly namespace?: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  readonly resilience?: RoutingResilience;
  readonly canary?: CanaryIntent;
  readonly fault?: FaultIntent;
  readonly failover?: FailoverIntent;
}

/** The catch-all rule used when no ResilientService manages the service: no timeout, the mesh's own retry default. */
export const UNMANAGED_RULE: RuleIntent = { name: 'default', source: 'default', retrySource: 'retries', unmanaged: true };

/** The rules to render: the resilience rules, or one unmanaged catch-all. */
export function rulesOf(model: TrafficModel): RuleIntent[] {
  return model.resilience?.rules.length ? model.resilience.rules : [UNMANAGED_RULE];
}

/** A rule's match with extra header conditions added (canary header routes). */
export function withHeaders(match: MatchIntent | undefined, extra: MatchIntent): MatchIntent {
  return {
    path: match?.path ?? extra.path,
    methods: match?.methods ?? extra.methods,
    headers: [...(match?.headers ?? []), ...extra.headers],
  };
}
