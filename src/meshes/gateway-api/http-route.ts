import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway-api';
import { MatchType } from '../../model/matches';
import { MatchIntent, RetryIntent, RuleIntent } from '../../model/route-intent';
import { intersect, mirrorsOn, routingOf, rulesOf, TrafficModel, WeightedVersion } from '../../model/traffic';
import type { TrafficTarget } from '../../patterns/traffic/intent';
import { meshError } from '../../private/errors';
import { formatMillis } from '../../private/format';
import { HTTPROUTE_MAX_RULES } from '../../private/limits';
import { objectMetadata } from '../../private/metadata';
import { HttpRoute } from '../unconverted';

// The Service-parented (GAMMA) Gateway API HTTPRoutes of a service: shared by Istio ambient (waypoints)
// and Linkerd, which read the same routes.

const PATH_TYPE: Record<MatchType, gw.HttpRouteSpecRulesMatchesPathType> = {
  [MatchType.EXACT]: gw.HttpRouteSpecRulesMatchesPathType.EXACT,
  [MatchType.PREFIX]: gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
  [MatchType.REGEX]: gw.HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION,
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Gateway API matches for a match intent: one per method (matches are OR-ed), or one without. */
export function gatewayMatches(m: MatchIntent | undefined): gw.HttpRouteSpecRulesMatches[] {
  const path = m?.path ? { type: PATH_TYPE[m.path.type], value: m.path.value } : { type: gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' };
  // Gateway API has no prefix header match: a prefix becomes an anchored regular expression
  const headers = m?.headers.length ? m.headers.map(h => h.type === MatchType.EXACT
    ? { type: gw.HttpRouteSpecRulesMatchesHeadersType.EXACT, name: h.name, value: h.value }
    : { type: gw.HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, name: h.name, value: h.type === MatchType.PREFIX ? `^${escapeRegex(h.value)}.*` : h.value }) : undefined;
  // Linkerd reads RegularExpression header and query matches (policy-controller/k8s/index/src/routes/http.rs
  // header_match, query_param_match: Rust `regex`), so cookies (a regex on the cookie header) and regex
  // query parameters are written as on Istio ambient
  const queryParams = m?.query?.length ? m.query.map(q => q.type === MatchType.EXACT
    ? { type: gw.HttpRouteSpecRulesMatchesQueryParamsType.EXACT, name: q.name, value: q.value }
    : { type: gw.HttpRouteSpecRulesMatchesQueryParamsType.REGULAR_EXPRESSION, name: q.name, value: q.value }) : undefined;
  const base = { path, ...(headers ? { headers } : {}), ...(queryParams ? { queryParams } : {}) };
  if (!m?.methods) return [base];
  return m.methods.map(method => ({ ...base, method: method as string as gw.HttpRouteSpecRulesMatchesMethod }));
}

/**
 * A key that groups rules by retry policy (their attempts, per-try timeout and conditions): Linkerd reads
 * retries from a whole route's annotations, so it writes a route per policy (GammaOptions.routePerRetryPolicy).
 */
export function retryGroup(r: RuleIntent): string {
  const p = r.retry;
  return p ? JSON.stringify([p.attempts, p.perTryTimeoutMs, p.on, p.statusCodes]) : '';
}

// the retry group of each route written with `routePerRetryPolicy` (routeRetryGroup)
const ROUTE_GROUPS = new WeakMap<ApiObject, string>();

/**
 * Whether `obj` is an HTTPRoute that holds the retries of the rules from `source` (a rule's retrySource: a
 * route written with `routePerRetryPolicy` holds the rules of one retry policy, and a rule of that source
 * that retries none, e.g. for methods that are not idempotent, goes to another route; without it, one route
 * set holds every rule, and each of its routes is where the retries would be).
 */
export function holdsRetriesOf(obj: ApiObject, source: string, model: TrafficModel): boolean {
  if (obj.kind !== 'HTTPRoute') return false;
  const group = ROUTE_GROUPS.get(obj);
  return rulesOf(model).some(r => r.retrySource === source && r.retry !== undefined && (group === undefined || retryGroup(r) === group));
}

function backends(model: TrafficModel, to: WeightedVersion[] | undefined): gw.HttpRouteSpecRulesBackendRefs[] {
  if (!to || model.canary?.smi) return [{ name: model.serviceName, port: model.port }];
  const shares = to.filter(t => t.weight > 0);
  if (shares.length === 1) return [{ name: shares[0].version.backendService, port: model.port }];
  return shares.map(t => ({ name: t.version.backendService, port: model.port, weight: t.weight }));
}

/** Gateway API RequestMirror to a version (Istio waypoints; Linkerd's outbound routes have no mirroring). */
function mirrorFilters(model: TrafficModel, to: WeightedVersion[] | undefined): gw.HttpRouteSpecRulesFilters[] | undefined {
  const routing = routingOf(model);
  if (!routing?.mirror || !to || !mirrorsOn(routing, to)) return undefined;
  const percent = routing.mirror.percent;
  // whole percents as `percent`; a fraction of a percent as parts per million
  const share = Number.isInteger(percent)
    ? { percent }
    : { fraction: { numerator: Math.round(percent * 10000), denominator: 1000000 } };
  return [{
    type: gw.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
    requestMirror: { backendRef: { name: routing.mirror.version.backendService, port: model.port }, ...share },
  }];
}

function rule(model: TrafficModel, r: RuleIntent, match: MatchIntent | undefined, to: WeightedVersion[] | undefined, mirror: boolean): gw.HttpRouteSpecRules {
  // no rule `name`: named rules are newer than Gateway API 1.2.1, and Linkerd ignores a route that uses them
  return {
    matches: gatewayMatches(match),
    filters: mirror ? mirrorFilters(model, to) : undefined,
    timeouts: r.timeoutMs !== undefined ? { request: formatMillis(r.timeoutMs) } : undefined,
    backendRefs: backends(model, to),
  };
}

/**
 * The rules of one route (one retry group, or every rule when `group` is undefined): version rules first
 * (each with every resilience rule of the group), then the default split. Gateway API picks the most
 * specific match, not the first: the construct refuses version rules whose order it would not keep
 * (VersionedRouting).
 */
function routeRules(model: TrafficModel, group: string | undefined, mirror: boolean): gw.HttpRouteSpecRules[] {
  const rules = rulesOf(model).filter(r => group === undefined || retryGroup(r) === group);
  const routing = model.canary?.smi ? undefined : routingOf(model);
  const out: gw.HttpRouteSpecRules[] = [];
  for (const v of routing?.rules ?? []) {
    for (const r of rules) {
      const both = intersect(r.match, v.match);
      if ('empty' in both) continue;
      if ('inexpressible' in both) throw meshError(`${v.source}: its match and the route ${r.source} set two different conditions on one ${both.inexpressible}, which one Gateway API match cannot hold; use conditions on different names`);
      out.push(rule(model, r, both.match, v.to, mirror));
    }
  }
  for (const r of rules) out.push(rule(model, r, r.match, routing?.split, mirror));
  return out;
}

/** How the Service-parented (GAMMA) HTTPRoutes of a service are written for one mesh. */
export interface GammaOptions {
  /**
   * Another API's HTTPRoute instead of Gateway API's (Linkerd's own policy.linkerd.io HTTPRoute), with the
   * group of the parent Service it expects.
   */
  readonly policyApi?: {
    readonly parentGroup: string;
    route(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: gw.HttpRouteSpec }): ApiObject;
  };
  /**
   * Whether to write one route per retry policy (`<service>` for the rules without retries, `<service>-retry`,
   * `<service>-retry-2`, ... for the others, in the order of their first rule), for a mesh that reads retries
   * from a route's annotations (Linkerd); false: one route (a mesh that sets retries per rule, or none:
   * Istio ambient). The crossed-precedence check (precedence.ts GammaRetries) must be told the same.
   */
  readonly routePerRetryPolicy: boolean;
  /**
   * Annotations of a route: the retry policy of its rules with `routePerRetryPolicy` (Linkerd's retry
   * annotations), else undefined.
   */
  readonly annotations: (retry: RetryIntent | undefined) => { [k: string]: string };
  /** Whether to mirror to the canary with a RequestMirror filter. */
  readonly mirror: boolean;
}

/**
 * HTTPRoutes with the Service as parent: one, or one per retry group (`<service>`, `<service>-retry`,
 * `<service>-retry-2`, ...) with `routePerRetryPolicy`, each split at 16 rules; canary header rules and
 * weighted backends to the per-version Services. Called on each contribution (TrafficRenderer.render):
 * writes the routes that do not exist yet, their rules read at synthesis.
 */
export function gammaRoutes(traffic: TrafficTarget, model: () => TrafficModel, opts: GammaOptions): void {
  const m = model();
  const groups: (string | undefined)[] = opts.routePerRetryPolicy ? [...new Set(rulesOf(m).map(retryGroup))] : [undefined];
  let retryIndex = 0;
  for (const group of groups) {
    const suffix = group === undefined || group === '' ? '' : ++retryIndex === 1 ? '-retry' : `-retry-${retryIndex}`;
    const retry = group === undefined ? undefined : rulesOf(m).find(r => retryGroup(r) === group)?.retry;
    // an HTTPRoute holds at most 16 rules: further rules of the group go to `<route>-rules-2`, ...
    // (Gateway API picks the most specific match across all routes of a parent, so the split keeps
    // header rules ahead of the weighted ones). The model only grows, and every contribution comes
    // back here, so the parts made now are enough.
    const parts = Math.max(1, Math.ceil(routeRules(m, group, opts.mirror).length / HTTPROUTE_MAX_RULES));
    for (let part = 0; part < parts; part++) {
      const id = `HTTPRoute${suffix}${part === 0 ? '' : `-rules-${part + 1}`}`;
      if (traffic.node.tryFindChild(id)) continue;
      const metadata = objectMetadata(`${m.serviceName}${suffix}${part === 0 ? '' : `-rules-${part + 1}`}`, m.namespace, { annotations: opts.annotations(retry) });
      const spec = Lazy.any({
        produce: (): gw.HttpRouteSpec => ({
          parentRefs: [{ group: opts.policyApi ? opts.policyApi.parentGroup : '', kind: 'Service', name: m.serviceName, port: m.port }],
          rules: routeRules(model(), group, opts.mirror).slice(part * HTTPROUTE_MAX_RULES, (part + 1) * HTTPROUTE_MAX_RULES),
        }),
      });
      const route = opts.policyApi
        ? opts.policyApi.route(traffic as Construct, id, { metadata, spec: spec as gw.HttpRouteSpec })
        : new HttpRoute(traffic, id, { metadata, spec: spec as gw.HttpRouteSpec });
      if (group !== undefined) ROUTE_GROUPS.set(route, group);
      traffic.adopt(route);
    }
  }
}
