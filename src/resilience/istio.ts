import { Construct } from 'constructs';
import { MatchIntent, Renderer, ResilienceIntent, RetryIntent, RuleIntent, UnsupportedSetting } from './intent';
import * as istio from '../imports/istio';
import { MatchType } from '../matches';
import { formatMillis } from '../private/duration';
import { DROPPED_ANNOTATION, objectMetadata, sortKeys } from '../private/metadata';

function fmt(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatMillis(ms);
}

function stringMatch(type: MatchType, value: string): { exact?: string; prefix?: string; regex?: string } {
  return { [type]: value };
}

function matches(m: MatchIntent | undefined): istio.VirtualServiceSpecHttpMatch[] | undefined {
  if (!m) return undefined;
  const headers = m.headers.length ? sortKeys(Object.fromEntries(m.headers.map(h => [h.name, stringMatch(h.type, h.value)]))) : undefined;
  const uri = m.path ? stringMatch(m.path.type, m.path.value) : undefined;
  const base = { ...(uri ? { uri } : {}), ...(headers ? { headers } : {}) };
  if (!m.methods) return [base];
  return m.methods.map(method => ({ ...base, method: { exact: method } }));
}

function retries(r: RetryIntent | undefined): istio.VirtualServiceSpecHttpRetries {
  // no retry policy means "do not retry": Istio would otherwise retry twice by default
  if (!r) return { attempts: 0 };
  return {
    attempts: r.attempts,
    perTryTimeout: fmt(r.perTryTimeoutMs),
    retryOn: [...r.on, ...(r.statusCodes.length ? ['retriable-status-codes', ...r.statusCodes.map(String)] : [])].join(','),
  };
}

function httpRoute(intent: ResilienceIntent, rule: RuleIntent): istio.VirtualServiceSpecHttp {
  return {
    name: rule.name,
    match: matches(rule.match),
    timeout: fmt(rule.timeoutMs),
    retries: retries(rule.retry),
    route: [{ destination: { host: intent.host, port: { number: intent.port } } }],
  };
}

const LB: Record<string, istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple> = {
  ROUND_ROBIN: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.ROUND_UNDERSCORE_ROBIN,
  LEAST_REQUEST: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST,
  RANDOM: istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple.RANDOM,
};

function trafficPolicy(intent: ResilienceIntent): istio.DestinationRuleSpecTrafficPolicy | undefined {
  const cb = intent.circuitBreaker;
  const cp = intent.connectionPool;
  if (!cb && !cp && !intent.loadBalancing) return undefined;
  const tcp = cp && (cp.maxConnections !== undefined || cp.connectTimeoutMs !== undefined)
    ? { maxConnections: cp.maxConnections, connectTimeout: fmt(cp.connectTimeoutMs) } : undefined;
  const http = cp && [cp.maxPendingRequests, cp.maxConcurrentRequests, cp.maxRequestsPerConnection, cp.maxConcurrentStreams].some(v => v !== undefined)
    ? {
      http1MaxPendingRequests: cp.maxPendingRequests,
      http2MaxRequests: cp.maxConcurrentRequests,
      maxRequestsPerConnection: cp.maxRequestsPerConnection,
      maxConcurrentStreams: cp.maxConcurrentStreams,
    } : undefined;
  return {
    loadBalancer: intent.loadBalancing ? { simple: LB[intent.loadBalancing] } : undefined,
    connectionPool: tcp || http ? { tcp, http } : undefined,
    outlierDetection: cb ? {
      ...(cb.gatewayErrorsOnly ? { consecutiveGatewayErrors: cb.consecutiveErrors } : { consecutive5XxErrors: cb.consecutiveErrors }),
      interval: fmt(cb.intervalMs),
      baseEjectionTime: fmt(cb.ejectionTimeMs),
      maxEjectionPercent: cb.maxEjectionPercent,
      minHealthPercent: cb.minHealthPercent,
    } : undefined,
  };
}

/**
 * Istio: a VirtualService (timeouts, retries, per-route rules), a DestinationRule (circuit breaking,
 * connection pool, load balancing) and, for a rate limit, an EnvoyFilter with Envoy's local rate
 * limit filter on the service's inbound sidecar (Istio has no first-class rate-limit API).
 */
export const ISTIO_RENDERER: Renderer = {
  unsupported(intent: ResilienceIntent): UnsupportedSetting[] {
    const out: UnsupportedSetting[] = [];
    const rl = intent.rateLimit;
    if (rl?.perCallerRequestsPerSecond !== undefined) {
      out.push({ setting: 'rateLimit.perCallerRequestsPerSecond', value: rl.perCallerRequestsPerSecond, why: 'Envoy\'s local rate limit filter has one token bucket per workload, not per caller identity', alternative: 'remove it for Istio (a global rate limit service can key on identity)' });
    }
    if (rl && rl.overrides.length) {
      out.push({ setting: 'rateLimit.overrides', value: rl.overrides.length + ' override(s)', why: 'Envoy\'s local rate limit filter cannot select callers by identity', alternative: 'remove the overrides for Istio' });
    }
    return out;
  },

  render(scope: Construct, intent: ResilienceIntent, _mesh, droppedNote) {
    const annotations = droppedNote ? { [DROPPED_ANNOTATION]: droppedNote } : undefined;
    if (intent.rules.length) {
      new istio.VirtualService(scope, 'VirtualService', {
        metadata: objectMetadata(intent.serviceName, intent.namespace, { annotations }),
        spec: {
          hosts: [intent.host],
          http: intent.rules.map(r => httpRoute(intent, r)),
        },
      });
    }
    const policy = trafficPolicy(intent);
    if (policy) {
      new istio.DestinationRule(scope, 'DestinationRule', {
        metadata: objectMetadata(intent.serviceName, intent.namespace, { annotations }),
        spec: { host: intent.host, trafficPolicy: policy },
      });
    }
    if (intent.rateLimit) {
      const rps = intent.rateLimit.requestsPerSecond;
      new istio.EnvoyFilter(scope, 'RateLimit', {
        metadata: objectMetadata(`${intent.serviceName}-local-ratelimit`, intent.namespace, { annotations }),
        spec: {
          workloadSelector: { labels: sortKeys(intent.service.selector) },
          priority: 10,
          configPatches: [{
            applyTo: istio.EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
            match: {
              context: istio.EnvoyFilterSpecConfigPatchesMatchContext.SIDECAR_UNDERSCORE_INBOUND,
              listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } } },
            },
            patch: {
              operation: istio.EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE,
              value: {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                  'stat_prefix': 'http_local_rate_limiter',
                  'token_bucket': { max_tokens: rps, tokens_per_fill: rps, fill_interval: '1s' },
                  'filter_enabled': { runtime_key: 'local_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  'filter_enforced': { runtime_key: 'local_rate_limit_enforced', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  'response_headers_to_add': [
                    { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'retry-after', value: '1' } },
                    { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-local-rate-limit', value: 'true' } },
                  ],
                },
              },
            },
          }],
        },
      });
    }
  },
};
