import { ApiObject, Lazy } from 'cdk8s';
import * as istio from '../../imports/istio';
import { MatchType } from '../../model/matches';
import { MatchIntent, RetryIntent, RuleIntent } from '../../model/route-intent';
import { ServiceProtocol } from '../../model/service';
import { FaultIntent, intersect, mirrorsOn, routingOf, rulesOf, TrafficModel, VersionIntent, WeightedVersion } from '../../model/traffic';
import type { TrafficContributor, TrafficTarget } from '../../patterns/traffic/intent';
import { meshError } from '../../private/errors';
import { formatMillis } from '../../private/format';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { RenderContext, TrafficRenderer } from '../renderer';
import { VirtualService } from '../unconverted';

function fmt(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatMillis(ms);
}

function stringMatch(type: MatchType, value: string): { exact?: string; prefix?: string; regex?: string } {
  return { [type]: value };
}

/**
 * The VirtualService uri matches of a path. A VirtualService `prefix` is a plain string prefix (`/api`
 * matches `/apiary`); `PathMatch.prefix` is segment-wise everywhere (as Gateway API `PathPrefix`, whose
 * trailing `/` is ignored): `/api` and `/api/` are written as exact `/api` or prefix `/api/`.
 */
function istioUris(path: { type: MatchType; value: string }): { exact?: string; prefix?: string; regex?: string }[] {
  if (path.type !== MatchType.PREFIX || path.value === '/') return [stringMatch(path.type, path.value)];
  const base = path.value.replace(/\/+$/, '') || '/';
  return base === '/' ? [{ prefix: '/' }] : [{ exact: base }, { prefix: `${base}/` }];
}

/** Istio match requests for a match intent: one per uri and method (the matches are OR-ed), or one without. */
function istioMatches(m: MatchIntent | undefined): istio.VirtualServiceSpecHttpMatch[] | undefined {
  if (!m) return undefined;
  const headers = m.headers.length ? sortKeys(Object.fromEntries(m.headers.map(h => [h.name, stringMatch(h.type, h.value)]))) : undefined;
  const uris: ({ exact?: string; prefix?: string; regex?: string } | undefined)[] = m.path ? istioUris(m.path) : [undefined];
  const queryParams = m.query?.length ? sortKeys(Object.fromEntries(m.query.map(q => [q.name, stringMatch(q.type, q.value)]))) : undefined;
  const bases = uris.map(uri => ({ ...(uri ? { uri } : {}), ...(headers ? { headers } : {}), ...(queryParams ? { queryParams } : {}) }));
  if (!m.methods) return bases;
  return bases.flatMap(base => m.methods!.map(method => ({ ...base, method: { exact: method } })));
}

/**
 * The retries of a rule that a ResilientService manages without a retry policy (no `retries`, a
 * non-idempotent request, `noRetries`): only requests that never reached the application, as Istio's
 * own default does (pilot/pkg/networking/core/route/retry/retry.go: 2 retries on
 * connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, with no status codes, so
 * not on 503). `attempts: 0` would drop these too.
 */
const ISTIO_SAFE_RETRIES: istio.VirtualServiceSpecHttpRetries = { attempts: 2, retryOn: 'connect-failure,refused-stream' };

function retries(rule: RuleIntent): istio.VirtualServiceSpecHttpRetries | undefined {
  if (rule.unmanaged) return undefined;
  const r: RetryIntent | undefined = rule.retry;
  // no retry policy: no retry of a request the application may have processed
  if (!r) return ISTIO_SAFE_RETRIES;
  return {
    attempts: r.attempts,
    perTryTimeout: fmt(r.perTryTimeoutMs),
    retryOn: [...r.on, ...(r.statusCodes.length ? ['retriable-status-codes', ...r.statusCodes.map(String)] : [])].join(','),
  };
}

function destination(model: TrafficModel, version?: VersionIntent): istio.VirtualServiceSpecHttpRouteDestination {
  return { host: model.host, ...(version ? { subset: version.name } : {}), port: { number: model.port } };
}

/** The destinations of a route: the service, one version, or weighted versions (zero weights left out). */
function weighted(model: TrafficModel, to: WeightedVersion[] | undefined): istio.VirtualServiceSpecHttpRoute[] {
  if (!to) return [{ destination: destination(model) }];
  const shares = to.filter(t => t.weight > 0);
  if (shares.length === 1) return [{ destination: destination(model, shares[0].version) }];
  return shares.map(t => ({ destination: destination(model, t.version), weight: t.weight }));
}

function faultOf(f: FaultIntent): istio.VirtualServiceSpecHttpFault {
  return {
    delay: f.delay ? { fixedDelay: formatMillis(f.delay.ms), percentage: { value: f.delay.percent } } : undefined,
    abort: f.abort ? { httpStatus: f.abort.status, percentage: { value: f.abort.percent } } : undefined,
  };
}

/** A ResilientService without routes, timeout or retries still manages the service's retries. */
const MANAGED_DEFAULT_RULE: RuleIntent = { name: 'default', source: 'default', retrySource: 'retries' };

function istioRules(model: TrafficModel): RuleIntent[] {
  return model.resilience && !model.resilience.rules.length ? [MANAGED_DEFAULT_RULE] : rulesOf(model);
}

/** The match of a route that must hold all of `parts`: undefined when no request can (the route is left out). */
function allOf(traffic: string, ...parts: (MatchIntent | undefined)[]): { match: MatchIntent | undefined } | undefined {
  let acc: MatchIntent | undefined = undefined;
  for (const p of parts) {
    const both = intersect(acc, p);
    if ('empty' in both) return undefined;
    if ('inexpressible' in both) {
      throw meshError(`[${traffic}] the routes of this service combine two different conditions on one ${both.inexpressible}, which one route cannot hold; use the same condition in both, or conditions on different names`);
    }
    acc = both.match;
  }
  return { match: acc };
}

/**
 * The http routes, first match wins: fault rules (in order) x version rules (in order, then the
 * default split) x resilience rules (in order), so that a request gets the first fault rule, the first
 * version rule and the first resilience rule that it matches; a fault rule on every request (the last)
 * goes on every route. Routes with faults keep their rule's timeout and retries: Istio writes both on
 * the Envoy route whether or not it has a fault (pilot/pkg/networking/core/route/route.go translateRoute
 * puts the fault in TypedPerFilterConfig, applyHTTPRouteDestination sets the timeout and, without
 * `retries`, the mesh's default retry policy); the fault filter runs before the router, so an injected
 * abort is never retried and an injected delay is not counted in the timeout.
 */
function httpRoutes(model: TrafficModel, path: string): istio.VirtualServiceSpecHttp[] {
  const rules = istioRules(model);
  const routing = routingOf(model);
  const out: istio.VirtualServiceSpecHttp[] = [];
  const faults = model.faults ?? [];
  const matched = faults.filter(f => f.match);
  const catchAll = faults.find(f => !f.match);
  const versionRules: { name?: string; match?: MatchIntent; to?: WeightedVersion[] }[] = [...(routing?.rules ?? []), { to: routing?.split }];
  const mirror = (to: WeightedVersion[] | undefined) => routing?.mirror && to && mirrorsOn(routing, to)
    ? { mirror: destination(model, routing.mirror.version), mirrorPercentage: { value: routing.mirror.percent } } : {};
  // requests that opt in to faults come first, on routes of their own, with the timeout and retries
  // of the resilience rule they match (without, Istio would give them its default retries and no timeout)
  matched.forEach((f, fi) => {
    for (const v of versionRules) {
      for (const r of rules) {
        const m = allOf(path, f.match, v.match, r.match);
        if (!m) continue;
        const name = ['fault', ...(faults.length > 1 ? [String(fi + 1)] : []), ...(v.name ? [v.name] : []), r.name].join('-');
        out.push({
          name, match: istioMatches(m.match), timeout: fmt(r.timeoutMs), retries: retries(r), route: weighted(model, v.to), ...mirror(v.to), fault: faultOf(f),
        });
      }
    }
  });
  const everyRoute = catchAll ? { fault: faultOf(catchAll) } : {};
  for (const v of versionRules) {
    for (const r of rules) {
      const m = allOf(path, v.match, r.match);
      if (!m) continue;
      out.push({
        name: v.name ? `${v.name}-${r.name}` : r.name,
        match: istioMatches(m.match),
        timeout: fmt(r.timeoutMs),
        retries: retries(r),
        route: weighted(model, v.to),
        ...mirror(v.to),
        ...everyRoute,
      });
    }
  }
  return out;
}

const LB: Record<string, istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple> = {
  ROUND_ROBIN: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.ROUND_UNDERSCORE_ROBIN,
  LEAST_REQUEST: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST,
  RANDOM: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.RANDOM,
};

export function trafficPolicy(model: TrafficModel): istio.DestinationRuleSpecTrafficPolicy | undefined {
  const res = model.resilience;
  const cb = res?.circuitBreaker;
  const cp = res?.connectionPool;
  const fo = model.failover;
  if (!cb && !cp && !res?.loadBalancing && !fo) return undefined;
  const tcp = cp && (cp.maxConnections !== undefined || cp.connectTimeoutMs !== undefined)
    ? { maxConnections: cp.maxConnections, connectTimeout: fmt(cp.connectTimeoutMs) } : undefined;
  const http = cp && [cp.maxPendingRequests, cp.maxConcurrentRequests, cp.maxRequestsPerConnection, cp.maxConcurrentStreams].some(v => v !== undefined)
    ? {
      http1MaxPendingRequests: cp.maxPendingRequests,
      http2MaxRequests: cp.maxConcurrentRequests,
      maxRequestsPerConnection: cp.maxRequestsPerConnection,
      maxConcurrentStreams: cp.maxConcurrentStreams,
    } : undefined;
  const loadBalancer = res?.loadBalancing || fo ? {
    ...(res?.loadBalancing ? { simple: LB[res.loadBalancing] } : {}),
    ...(fo ? { localityLbSetting: { enabled: true, failover: fo.remotes.map(r => ({ from: fo.localRegion, to: r.region })) } } : {}),
  } : undefined;
  return {
    loadBalancer,
    connectionPool: tcp || http ? { tcp, http } : undefined,
    outlierDetection: cb ? {
      ...(cb.gatewayErrorsOnly ? { consecutiveGatewayErrors: cb.consecutiveErrors } : { consecutive5XxErrors: cb.consecutiveErrors }),
      interval: fmt(cb.intervalMs),
      baseEjectionTime: fmt(cb.ejectionTimeMs),
      maxEjectionPercent: cb.maxEjectionPercent,
      minHealthPercent: cb.minHealthPercent,
    // failover needs outlier detection to notice unhealthy local endpoints, able to eject all of them
    } : fo ? { consecutive5XxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 } : undefined,
  };
}

/** The services already warned of a partial failover (the traffic renderer runs at each pattern's join). */
const partialFailoverWarned = new WeakSet<TrafficTarget>();

/**
 * Locality failover beside a circuit breaker that may eject less than every endpoint: Envoy caps the ejected
 * hosts at max_ejection_percent of all the hosts of the cluster (envoy/config/cluster/v3/outlier_detection.proto
 * max_ejection_percent: "the maximum % of an upstream cluster that can be ejected", 10 by default, which Istio
 * keeps when maxEjectionPercent is 0 or unset: pilot/pkg/networking/core/cluster_traffic_policy.go
 * applyOutlierDetection), so failing local pods past the cap stay healthy, keep the local priority's share
 * (its healthy fraction × 1.4, Envoy's overprovisioning factor) and the failover is partial. Warned once per
 * service, under the joining pattern, when both are in the model.
 */
export function warnPartialFailover(traffic: TrafficTarget, m: TrafficModel, context: RenderContext): void {
  const cb = m.resilience?.circuitBreaker;
  if (!m.failover || !cb || (cb.maxEjectionPercent ?? 0) >= 100 || partialFailoverWarned.has(traffic)) return;
  partialFailoverWarned.add(traffic);
  const value = cb.maxEjectionPercent ? `circuitBreaker.maxEjectionPercent ${cb.maxEjectionPercent}` : 'circuitBreaker.maxEjectionPercent unset (Istio\'s default, 10)';
  context.warn(`service ${m.serviceName} fails over from region ${m.failover.localRegion} to ${m.failover.remotes.map(r => r.region).join(', ')}, but [${traffic.resilienceBy}] sets ${value}: `
    + 'Envoy ejects at most that share of all the endpoints of the service (its local pods and the remote pods, or the remote network\'s gateway, together), so when every local pod fails, those past the cap stay in the pool and keep a share of the requests '
    + '(e.g. 3 local pods and 1 gateway at 50: 2 ejected, the third still gets about half the traffic): the failover is partial. '
    + 'Set circuitBreaker.maxEjectionPercent: 100 with allowFullEjection: true on it, so that every failing local pod can be ejected and the remote region takes the traffic');
}

/**
 * Istio: one VirtualService (canary header routes first, then each resilience rule with the weighted
 * stable/canary destinations) and one DestinationRule (the subsets and the traffic policy).
 */
export const ISTIO_TRAFFIC: TrafficRenderer = {
  // a dropped setting is noted on the object it would have been written to: the export's (failover,
  // locality, the other meshes' settings) on the DestinationRule its failover goes to; a ResilientService's
  // routes, retries and timeouts on the VirtualService, its circuit breaker, connection pool and load
  // balancing on the DestinationRule, its rate limit on no routing object (the EnvoyFilter of the rate
  // limit, resilience.ts, carries it); a release's or version routing's on both (routes and subsets)
  droppedOn(obj: ApiObject, setting: string, from: TrafficContributor) {
    if (from === 'multiCluster') return obj.kind === 'DestinationRule';
    if (from !== 'resilience') return true;
    if (/^rateLimit\b/.test(setting)) return false;
    if (/^(circuitBreaker|connectionPool|loadBalancing)\b/.test(setting)) return obj.kind === 'DestinationRule';
    return obj.kind === 'VirtualService';
  },

  render(traffic: TrafficTarget, model: () => TrafficModel, context: RenderContext) {
    const m = model();
    const name = m.serviceName;
    warnPartialFailover(traffic, m, context);
    // a ResilientService always writes the routes (its retries), so that "no retries given" means the
    // same with or without a timeout; an opaque TCP service has no HTTP routes
    const managed = m.resilience && m.protocol !== ServiceProtocol.TCP;
    if ((managed || m.resilience?.rules.length || m.canary || m.routing || m.faults?.length) && !traffic.node.tryFindChild('VirtualService')) {
      traffic.adopt(new VirtualService(traffic, 'VirtualService', {
        metadata: objectMetadata(name, m.namespace),
        spec: Lazy.any({ produce: () => ({ hosts: [model().host], http: httpRoutes(model(), traffic.contributorPath) }) }) as istio.VirtualServiceSpec,
      }));
    }
    if ((trafficPolicy(m) || routingOf(m)) && !traffic.node.tryFindChild('DestinationRule')) {
      traffic.adopt(new istio.DestinationRule(traffic, 'DestinationRule', {
        metadata: objectMetadata(name, m.namespace),
        spec: Lazy.any({
          produce: () => {
            const cur = model();
            const routing = routingOf(cur);
            return {
              host: cur.host,
              trafficPolicy: trafficPolicy(cur),
              subsets: routing ? routing.versions.map(v => ({ name: v.name, labels: sortKeys(v.labels) })) : undefined,
            };
          },
        }) as istio.DestinationRuleSpec,
      }));
    }
  },
};
