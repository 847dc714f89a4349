import { ApiObject, Lazy } from 'cdk8s';
import { rulesOf, TrafficModel, withHeaders } from './model';
import type { ServiceTraffic, TrafficRenderer } from './service-traffic';
import * as gw from '../imports/gateway-api';
import * as linkerd from '../imports/linkerd';
import * as smi from '../imports/smi';
import { MatchType } from '../matches';
import { LinkerdRouteApi } from '../mesh';
import { formatMillis, formatMillisSingleUnit } from '../private/format';
import { HTTPROUTE_MAX_RULES } from '../private/limits';
import { objectMetadata } from '../private/metadata';
import { MatchIntent, RetryIntent, RuleIntent } from '../resilience/intent';

/** Retry conditions Linkerd's `retry.linkerd.io/http` can express, as its values. */
export const LINKERD_RETRY_ON: Record<string, string> = {
  '5xx': '5xx',
  'gateway-error': 'gateway-error',
  'retriable-4xx': '409',
};

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
  const base = { path, ...(headers ? { headers } : {}) };
  if (!m?.methods) return [base];
  return m.methods.map(method => ({ ...base, method: method as string as gw.HttpRouteSpecRulesMatchesMethod }));
}

/** A key that groups rules by retry policy: Linkerd reads retries from a whole route's annotations. */
export function retryGroup(r: RuleIntent): string {
  const p = r.retry;
  return p ? JSON.stringify([p.attempts, p.perTryTimeoutMs, p.on, p.statusCodes]) : '';
}

function retryAnnotations(r: RetryIntent | undefined): { [k: string]: string } {
  if (!r) return {};
  const http = [...r.on.filter(c => LINKERD_RETRY_ON[c]).map(c => LINKERD_RETRY_ON[c]), ...r.statusCodes.map(String)];
  return {
    'retry.linkerd.io/http': [...new Set(http)].join(','),
    'retry.linkerd.io/limit': String(r.attempts),
    ...(r.perTryTimeoutMs !== undefined ? { 'retry.linkerd.io/timeout': formatMillisSingleUnit(r.perTryTimeoutMs) } : {}),
  };
}

function backends(model: TrafficModel, toCanary: boolean): gw.HttpRouteSpecRulesBackendRefs[] {
  const c = model.canary;
  if (!c || c.smi) return [{ name: model.serviceName, port: model.port }];
  if (toCanary || c.canaryWeight === 100) return [{ name: c.canary.backendService, port: model.port }];
  if (c.canaryWeight === 0) return [{ name: c.stable.backendService, port: model.port }];
  return [
    { name: c.stable.backendService, port: model.port, weight: 100 - c.canaryWeight },
    { name: c.canary.backendService, port: model.port, weight: c.canaryWeight },
  ];
}

/** Gateway API RequestMirror to the canary (Istio waypoints; Linkerd's outbound routes have no mirroring). */
function mirrorFilters(model: TrafficModel, toCanary: boolean): gw.HttpRouteSpecRulesFilters[] | undefined {
  const c = model.canary;
  if (!c || c.mirrorPercent === undefined || toCanary || c.canaryWeight === 100) return undefined;
  // whole percents as `percent`; a fraction of a percent as parts per million
  const share = Number.isInteger(c.mirrorPercent)
    ? { percent: c.mirrorPercent }
    : { fraction: { numerator: Math.round(c.mirrorPercent * 10000), denominator: 1000000 } };
  return [{
    type: gw.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
    requestMirror: { backendRef: { name: c.canary.backendService, port: model.port }, ...share },
  }];
}

function rule(model: TrafficModel, r: RuleIntent, match: MatchIntent | undefined, toCanary: boolean, mirror: boolean): gw.HttpRouteSpecRules {
  // no rule `name`: named rules are newer than Gateway API 1.2.1, and Linkerd ignores a route that uses them
  return {
    matches: gatewayMatches(match),
    filters: mirror ? mirrorFilters(model, toCanary) : undefined,
    timeouts: r.timeoutMs !== undefined ? { request: formatMillis(r.timeoutMs) } : undefined,
    backendRefs: backends(model, toCanary),
  };
}

/** The rules of one route (one retry group): canary header rules first, then the weighted rules. */
function routeRules(model: TrafficModel, group: string, mirror: boolean): gw.HttpRouteSpecRules[] {
  const rules = rulesOf(model).filter(r => retryGroup(r) === group);
  const out: gw.HttpRouteSpecRules[] = [];
  for (const m of model.canary?.smi ? [] : model.canary?.canaryMatches ?? []) {
    for (const r of rules) out.push(rule(model, r, withHeaders(r.match, m), true, mirror));
  }
  for (const r of rules) out.push(rule(model, r, r.match, false, mirror));
  return out;
}

/** How the Service-parented (GAMMA) HTTPRoutes of a service are written for one mesh. */
export interface GammaOptions {
  /** Linkerd's own policy.linkerd.io HTTPRoute instead of Gateway API's. */
  readonly policyApi: boolean;
  /** Annotations of the route of a retry group (Linkerd's retry annotations). */
  readonly annotations: (retry: RetryIntent | undefined) => { [k: string]: string };
  /** Whether to mirror to the canary with a RequestMirror filter. */
  readonly mirror: boolean;
}

/**
 * HTTPRoutes with the Service as parent, one per retry group (`<service>`, `<service>-retry`,
 * `<service>-retry-2`, ...), each split at 16 rules; canary header rules and weighted backends to the
 * per-version Services.
 */
export function gammaRoutes(traffic: ServiceTraffic, model: () => TrafficModel, opts: GammaOptions): void {
  const m = model();
  const groups = [...new Set(rulesOf(m).map(retryGroup))];
  let retryIndex = 0;
  for (const group of groups) {
    const suffix = group === '' ? '' : ++retryIndex === 1 ? '-retry' : `-retry-${retryIndex}`;
    const retry = rulesOf(m).find(r => retryGroup(r) === group)?.retry;
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
          parentRefs: [{ group: opts.policyApi ? 'core' : '', kind: 'Service', name: m.serviceName, port: m.port }],
          rules: routeRules(model(), group, opts.mirror).slice(part * HTTPROUTE_MAX_RULES, (part + 1) * HTTPROUTE_MAX_RULES),
        }),
      });
      traffic.adopt(opts.policyApi
        ? new linkerd.HttpRoute(traffic, id, { metadata, spec: spec as linkerd.HttpRouteSpec })
        : new gw.HttpRoute(traffic, id, { metadata, spec: spec as gw.HttpRouteSpec }));
    }
  }
}

/**
 * Linkerd: HTTPRoutes with the Service as parent, one per retry policy (`<service>` without
 * retries, `<service>-retry`, `<service>-retry-2`, ...), with canary header rules and weighted
 * backends to the per-version Services; or, with `smi`, an SMI TrafficSplit.
 */
export const LINKERD_TRAFFIC: TrafficRenderer = {
  // a dropped setting is noted on the objects it would have been written to: retry conditions on the
  // routes that retry, canary settings on the canary's routes or split; the Service-level ones
  // (failure accrual, connection pool, load balancing) on the Service (resilience/linkerd.ts)
  droppedOn(obj: ApiObject, setting: string) {
    if (/retryOn$/.test(setting)) return obj.kind === 'HTTPRoute' && obj.metadata.toJson().annotations?.['retry.linkerd.io/http'] !== undefined;
    if (setting === 'mirrorPercent' || setting === 'canaryRequests') return ['HTTPRoute', 'TrafficSplit'].includes(obj.kind);
    return false;
  },

  materialize(traffic: ServiceTraffic, model: () => TrafficModel) {
    const m = model();
    const policyApi = traffic.mesh.linkerdRouteApi === LinkerdRouteApi.POLICY;
    // a route is needed for resilience rules, or for a canary that is not an SMI split
    const needRoutes = m.resilience?.rules.length || (m.canary && !m.canary.smi);
    if (needRoutes) gammaRoutes(traffic, model, { policyApi, annotations: retryAnnotations, mirror: false });
    if (m.canary?.smi && !traffic.node.tryFindChild('TrafficSplit')) {
      traffic.adopt(new smi.TrafficSplit(traffic, 'TrafficSplit', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({
          produce: (): smi.TrafficSplitSpec => {
            const c = model().canary!;
            return {
              service: m.serviceName,
              backends: [
                { service: c.stable.backendService, weight: 100 - c.canaryWeight },
                { service: c.canary.backendService, weight: c.canaryWeight },
              ],
            };
          },
        }) as smi.TrafficSplitSpec,
      }));
    }
  },
};
