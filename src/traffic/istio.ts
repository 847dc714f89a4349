import { Lazy } from 'cdk8s';
import { gammaRoutes } from './linkerd';
import { rulesOf, TrafficModel, VersionIntent, withHeaders } from './model';
import type { ServiceTraffic, TrafficRenderer } from './service-traffic';
import * as istio from '../imports/istio';
import { MatchType } from '../matches';
import { formatMillis } from '../private/format';
import { AmbientNamespace } from '../private/istio-ambient';
import { objectMetadata, sortKeys } from '../private/metadata';
import { MatchIntent, RetryIntent, RuleIntent } from '../resilience/intent';
import { ServiceProtocol } from '../service';

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
export function istioUris(path: { type: MatchType; value: string }): { exact?: string; prefix?: string; regex?: string }[] {
  if (path.type !== MatchType.PREFIX || path.value === '/') return [stringMatch(path.type, path.value)];
  const base = path.value.replace(/\/+$/, '') || '/';
  return base === '/' ? [{ prefix: '/' }] : [{ exact: base }, { prefix: `${base}/` }];
}

/** Istio match requests for a match intent: one per uri and method (the matches are OR-ed), or one without. */
export function istioMatches(m: MatchIntent | undefined): istio.VirtualServiceSpecHttpMatch[] | undefined {
  if (!m) return undefined;
  const headers = m.headers.length ? sortKeys(Object.fromEntries(m.headers.map(h => [h.name, stringMatch(h.type, h.value)]))) : undefined;
  const uris: ({ exact?: string; prefix?: string; regex?: string } | undefined)[] = m.path ? istioUris(m.path) : [undefined];
  const bases = uris.map(uri => ({ ...(uri ? { uri } : {}), ...(headers ? { headers } : {}) }));
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
export const ISTIO_SAFE_RETRIES: istio.VirtualServiceSpecHttpRetries = { attempts: 2, retryOn: 'connect-failure,refused-stream' };

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

function weighted(model: TrafficModel): istio.VirtualServiceSpecHttpRoute[] {
  const c = model.canary;
  if (!c) return [{ destination: destination(model) }];
  if (c.canaryWeight === 0) return [{ destination: destination(model, c.stable) }];
  if (c.canaryWeight === 100) return [{ destination: destination(model, c.canary) }];
  return [
    { destination: destination(model, c.stable), weight: 100 - c.canaryWeight },
    { destination: destination(model, c.canary), weight: c.canaryWeight },
  ];
}

function faultOf(model: TrafficModel): istio.VirtualServiceSpecHttpFault | undefined {
  const f = model.fault;
  if (!f) return undefined;
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

function httpRoutes(model: TrafficModel): istio.VirtualServiceSpecHttp[] {
  const rules = istioRules(model);
  const c = model.canary;
  const out: istio.VirtualServiceSpecHttp[] = [];
  const fault = faultOf(model);
  // requests that opt in to faults come first, on routes of their own (Istio does not combine fault
  // injection with the timeouts and retries of a route); faults on every request go on every route
  const faultMatch = model.fault?.match;
  if (fault && faultMatch) {
    for (const r of rules) {
      out.push({ name: `fault-${r.name}`, match: istioMatches(withHeaders(r.match, faultMatch)), route: weighted(model), fault });
    }
  }
  const everyRoute = fault && !faultMatch ? { fault } : {};
  // requests that always go to the canary come first, each with the resilience settings of its rule
  (c?.canaryMatches ?? []).forEach((m, i) => {
    for (const r of rules) {
      out.push({
        name: `canary${c!.canaryMatches.length > 1 ? `-${i + 1}` : ''}-${r.name}`,
        match: istioMatches(withHeaders(r.match, m)),
        timeout: fmt(r.timeoutMs),
        retries: retries(r),
        route: [{ destination: destination(model, c!.canary) }],
        ...everyRoute,
      });
    }
  });
  const mirror = c?.mirrorPercent !== undefined && c.canaryWeight < 100
    ? { mirror: destination(model, c.canary), mirrorPercentage: { value: c.mirrorPercent } } : {};
  for (const r of rules) {
    out.push({
      name: r.name,
      match: istioMatches(r.match),
      timeout: fmt(r.timeoutMs),
      retries: retries(r),
      route: weighted(model),
      ...mirror,
      ...everyRoute,
    });
  }
  return out;
}

const LB: Record<string, istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple> = {
  ROUND_ROBIN: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.ROUND_UNDERSCORE_ROBIN,
  LEAST_REQUEST: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST,
  RANDOM: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.RANDOM,
};

function trafficPolicy(model: TrafficModel): istio.DestinationRuleSpecTrafficPolicy | undefined {
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

/**
 * Istio: one VirtualService (canary header routes first, then each resilience rule with the weighted
 * stable/canary destinations) and one DestinationRule (the subsets and the traffic policy).
 */
export const ISTIO_TRAFFIC: TrafficRenderer = {
  materialize(traffic: ServiceTraffic, model: () => TrafficModel) {
    const m = model();
    const name = m.serviceName;
    // a ResilientService always writes the routes (its retries), so that "no retries given" means the
    // same with or without a timeout; an opaque TCP service has no HTTP routes
    const managed = m.resilience && m.protocol !== ServiceProtocol.TCP;
    if ((managed || m.resilience?.rules.length || m.canary || m.fault) && !traffic.node.tryFindChild('VirtualService')) {
      traffic.adopt(new istio.VirtualService(traffic, 'VirtualService', {
        metadata: objectMetadata(name, m.namespace),
        spec: Lazy.any({ produce: () => ({ hosts: [model().host], http: httpRoutes(model()) }) }) as istio.VirtualServiceSpec,
      }));
    }
    if ((trafficPolicy(m) || m.canary) && !traffic.node.tryFindChild('DestinationRule')) {
      traffic.adopt(new istio.DestinationRule(traffic, 'DestinationRule', {
        metadata: objectMetadata(name, m.namespace),
        spec: Lazy.any({
          produce: () => {
            const cur = model();
            const c = cur.canary;
            return {
              host: cur.host,
              trafficPolicy: trafficPolicy(cur),
              subsets: c ? [c.stable, c.canary].map(v => ({ name: v.name, labels: sortKeys(v.labels) })) : undefined,
            };
          },
        }) as istio.DestinationRuleSpec,
      }));
    }
  },
};

/**
 * Istio ambient: L7 traffic is handled by the namespace waypoint (created here). Routing, weights,
 * header routes, timeouts and mirroring are Gateway API HTTPRoutes with the Service as parent (what
 * Istio documents as stable for waypoints; VirtualService on waypoints is Alpha), the traffic policy
 * (outlier detection, connection pool, load balancing) a DestinationRule without subsets, applied by the
 * waypoint. Fault injection has no Gateway API form: a service with faults and nothing else gets the
 * VirtualService (Alpha).
 */
export const AMBIENT_TRAFFIC: TrafficRenderer = {
  materialize(traffic: ServiceTraffic, model: () => TrafficModel) {
    const m = model();
    AmbientNamespace.of(traffic, m.namespace ?? 'default', traffic.mesh, undefined, traffic.contributorPath).useWaypoint(m.service, traffic.contributorPath);
    // faults and a circuit breaker (a DestinationRule) combine: only routes are Gateway API's
    if (m.fault && !m.resilience?.rules.length && !m.canary) {
      ISTIO_TRAFFIC.materialize(traffic, model);
      return;
    }
    if (m.resilience?.rules.length || m.canary) gammaRoutes(traffic, model, { policyApi: false, annotations: () => ({}), mirror: true });
    if (trafficPolicy(m) && !traffic.node.tryFindChild('DestinationRule')) {
      traffic.adopt(new istio.DestinationRule(traffic, 'DestinationRule', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({ produce: () => ({ host: model().host, trafficPolicy: trafficPolicy(model()) }) }) as istio.DestinationRuleSpec,
      }));
    }
    // during a release the HTTPRoute sends to the per-version Services, and the waypoint takes each
    // backend's traffic policy from that backend's own host: the policy is written for each of them
    const c = m.canary;
    if (c && trafficPolicy(m)) {
      for (const v of [c.stable, c.canary]) {
        if (traffic.node.tryFindChild(`DestinationRule-${v.name}`)) continue;
        const host = (cur: TrafficModel) => `${v.backendService}.${cur.host.slice(cur.serviceName.length + 1)}`;
        traffic.adopt(new istio.DestinationRule(traffic, `DestinationRule-${v.name}`, {
          metadata: objectMetadata(v.backendService, m.namespace),
          spec: Lazy.any({ produce: () => ({ host: host(model()), trafficPolicy: trafficPolicy(model()) }) }) as istio.DestinationRuleSpec,
        }));
      }
    }
  },
};
