import { MatchType } from './matches';
import { CircuitBreakerIntent, ConnectionPoolIntent, MatchIntent, RuleIntent } from './route-intent';
import { ServiceProtocol, ServiceRef } from './service';

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

/** One version and its whole-percent share of a split. */
export interface WeightedVersion {
  readonly version: VersionIntent;
  readonly weight: number;
}

/** Requests that go to one version or a weighted set of versions. */
export interface VersionRuleIntent {
  /** The rule's name (route names are built from it). */
  readonly name: string;
  /** The prop path the rule came from, for messages. */
  readonly source: string;
  readonly match: MatchIntent;
  /** Weights sum to 100; a single version has weight 100. */
  readonly to: WeightedVersion[];
}

/** Routing of a service between any number of versions (VersionedRouting, or a CanaryRelease's two). */
export interface RoutingIntent {
  readonly versions: VersionIntent[];
  /** Ordered rules: the first that matches a request decides its versions. */
  readonly rules: VersionRuleIntent[];
  /** Where every other request goes (weights sum to 100). */
  readonly split: WeightedVersion[];
  /** A share of requests copied to a version (not on routes that only send to that version). */
  readonly mirror?: { readonly version: VersionIntent; readonly percent: number };
  /** The version Consul's resolver selects when no split picks a subset. */
  readonly defaultVersion: VersionIntent;
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
  /** Versioned routing (exclusive with `canary`). */
  readonly routing?: RoutingIntent;
  /** Fault rules in order: the first whose match holds applies (a rule without match only last). */
  readonly faults?: FaultIntent[];
  readonly failover?: FailoverIntent;
}

/** The catch-all rule used when no ResilientService manages the service: no timeout, the mesh's own retry default. */
export const UNMANAGED_RULE: RuleIntent = { name: 'default', source: 'default', retrySource: 'retries', unmanaged: true };

/** The rules to render: the resilience rules, or one unmanaged catch-all. */
export function rulesOf(model: TrafficModel): RuleIntent[] {
  return model.resilience?.rules.length ? model.resilience.rules : [UNMANAGED_RULE];
}

/**
 * The version routing of a model: a VersionedRouting's, or a CanaryRelease's in the same form (test
 * requests to the canary first, then the stable/canary split, the mirror to the canary).
 */
export function routingOf(model: TrafficModel): RoutingIntent | undefined {
  if (model.routing) return model.routing;
  const c = model.canary;
  if (!c) return undefined;
  const split = c.canaryWeight === 0 ? [{ version: c.stable, weight: 100 }]
    : c.canaryWeight === 100 ? [{ version: c.canary, weight: 100 }]
      : [{ version: c.stable, weight: 100 - c.canaryWeight }, { version: c.canary, weight: c.canaryWeight }];
  return {
    versions: [c.stable, c.canary],
    rules: c.canaryMatches.map((match, i) => ({
      name: `canary${c.canaryMatches.length > 1 ? `-${i + 1}` : ''}`, source: `canaryRequests[${i}]`, match, to: [{ version: c.canary, weight: 100 }],
    })),
    split,
    mirror: c.mirrorPercent !== undefined && c.canaryWeight < 100 ? { version: c.canary, percent: c.mirrorPercent } : undefined,
    defaultVersion: c.stable,
  };
}

/** Whether a route to `to` carries the mirror: not when it only sends to the mirrored version. */
export function mirrorsOn(routing: RoutingIntent | undefined, to: WeightedVersion[]): boolean {
  return !!routing?.mirror && !to.every(t => t.version.name === routing.mirror!.version.name);
}

type Cond = { readonly name: string; readonly type: MatchType; readonly value: string };

/** The result of intersecting two matches: the match, no request at all, or not expressible as one match. */
export type Intersection = { readonly match: MatchIntent | undefined } | { readonly empty: true } | { readonly inexpressible: string };

/** Two string conditions on one value, as one: undefined when no value satisfies both, a string when not expressible. */
function bothStrings(a: Cond, b: Cond): Cond | undefined | string {
  if (a.type === b.type && a.value === b.value) return a;
  if (a.type === MatchType.REGEX || b.type === MatchType.REGEX) return `${a.name} ${a.type} ${JSON.stringify(a.value)} and ${b.type} ${JSON.stringify(b.value)}`;
  if (a.type === MatchType.EXACT && b.type === MatchType.EXACT) return undefined;
  if (a.type === MatchType.EXACT) return a.value.startsWith(b.value) ? a : undefined;
  if (b.type === MatchType.EXACT) return b.value.startsWith(a.value) ? b : undefined;
  return a.value.startsWith(b.value) ? a : b.value.startsWith(a.value) ? b : undefined;
}

/** The paths (segment-wise prefixes, as every renderer writes them) both match, as one path. */
function bothPaths(a: { type: MatchType; value: string }, b: { type: MatchType; value: string }): { type: MatchType; value: string } | undefined | string {
  if (a.type === b.type && a.value === b.value) return a;
  if (a.type === MatchType.REGEX || b.type === MatchType.REGEX) return `path ${a.type} ${JSON.stringify(a.value)} and ${b.type} ${JSON.stringify(b.value)}`;
  const under = (path: string, prefix: string) => {
    const base = prefix.replace(/\/+$/, '');
    return base === '' || path === base || path.startsWith(`${base}/`);
  };
  if (a.type === MatchType.EXACT && b.type === MatchType.EXACT) return undefined;
  if (a.type === MatchType.EXACT) return under(a.value, b.value) ? a : undefined;
  if (b.type === MatchType.EXACT) return under(b.value, a.value) ? b : undefined;
  return under(a.value, b.value) ? a : under(b.value, a.value) ? b : undefined;
}

function bothConds(a: Cond[] | undefined, b: Cond[] | undefined): Cond[] | undefined | string {
  const out: Cond[] = [...(a ?? [])];
  for (const c of b ?? []) {
    const i = out.findIndex(x => x.name === c.name);
    if (i < 0) {
      out.push(c);
      continue;
    }
    const both = bothStrings(out[i], c);
    if (both === undefined || typeof both === 'string') return both;
    out[i] = both;
  }
  return out;
}

/**
 * The requests that match both `a` and `b` (undefined: every request), as one match; the meshes hold one
 * condition per header or query parameter name, so two different conditions on one name are combined.
 */
export function intersect(a: MatchIntent | undefined, b: MatchIntent | undefined): Intersection {
  if (!a) return { match: b };
  if (!b) return { match: a };
  let path = a.path ?? b.path;
  if (a.path && b.path) {
    const p = bothPaths(a.path, b.path);
    if (p === undefined) return { empty: true };
    if (typeof p === 'string') return { inexpressible: p };
    path = p;
  }
  const methods = a.methods && b.methods ? a.methods.filter(m => b.methods!.includes(m)) : a.methods ?? b.methods;
  if (methods && !methods.length) return { empty: true };
  const headers = bothConds(a.headers, b.headers);
  if (headers === undefined) return { empty: true };
  if (typeof headers === 'string') return { inexpressible: `header ${headers}` };
  const query = bothConds(a.query, b.query);
  if (query === undefined) return { empty: true };
  if (typeof query === 'string') return { inexpressible: `query parameter ${query}` };
  return { match: { ...(path ? { path } : {}), ...(methods ? { methods } : {}), headers, ...(query.length ? { query } : {}) } };
}

function condCovers(outer: Cond, inner: Cond): boolean {
  if (outer.type === MatchType.REGEX || inner.type === MatchType.REGEX) return outer.type === inner.type && outer.value === inner.value;
  if (outer.type === MatchType.EXACT) return inner.type === MatchType.EXACT && inner.value === outer.value;
  return inner.value.startsWith(outer.value);
}

/**
 * Whether every request that `inner` matches also matches `outer` (undefined: every request). Only
 * certain cases count: regular expressions cover only the same expression.
 */
export function covers(outer: MatchIntent | undefined, inner: MatchIntent | undefined): boolean {
  if (!outer) return true;
  if (!inner) return !outer.path && !outer.methods && !outer.headers.length && !outer.query?.length;
  if (outer.path && !(outer.path.type === MatchType.PREFIX && outer.path.value.replace(/\/+$/, '') === '')) {
    if (!inner.path) return false;
    const both = bothPaths(outer.path, inner.path);
    if (typeof both !== 'object' || both.type !== inner.path.type || both.value !== inner.path.value) {
      if (!(outer.path.type === inner.path.type && outer.path.value === inner.path.value)) return false;
    }
  }
  if (outer.methods && !(inner.methods && inner.methods.every(m => outer.methods!.includes(m)))) return false;
  const condsCover = (o: Cond[] | undefined, i: Cond[] | undefined) => (o ?? []).every(c => (i ?? []).some(x => x.name === c.name && condCovers(c, x)));
  return condsCover(outer.headers, inner.headers) && condsCover(outer.query, inner.query);
}
