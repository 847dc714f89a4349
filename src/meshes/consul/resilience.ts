import { Construct } from 'constructs';
import { ConsulServiceDefaults } from './service-defaults';
import * as consul from '../../imports/consul';
import { ResilienceIntent } from '../../model/route-intent';
import { Unsupported } from '../../model/unsupported';
import { droppedEntries } from '../../private/dropped';
import { formatMillis } from '../../private/format';
import { PatternRenderer, RenderContext } from '../renderer';

/**
 * Consul: the routing part goes to the service's discovery chain (see traffic.ts); circuit
 * breaking and connection limits go to each caller's ServiceDefaults `upstreamConfig.overrides`,
 * since Consul configures them on the calling side; a rate limit (Enterprise) to the service's own
 * ServiceDefaults.
 */
export const CONSUL_RESILIENCE: PatternRenderer<ResilienceIntent> = {
  unsupported(intent: ResilienceIntent, { mesh }: RenderContext): Unsupported[] {
    const out: Unsupported[] = [];
    const perTry = intent.rules.find(r => r.retry?.perTryTimeoutMs !== undefined);
    if (perTry) {
      out.push({
        setting: `${perTry.retrySource}.perTryTimeout`,
        value: formatMillis(perTry.retry!.perTryTimeoutMs!),
        why: 'ServiceRouter destinations have a request timeout and a retry count, but no per-try timeout',
        alternative: 'remove perTryTimeout for Consul (requestTimeout bounds the whole request)',
      });
    }
    const cb = intent.circuitBreaker;
    const cp = intent.connectionPool;
    const callerSide = cb !== undefined
      || (cp !== undefined && [cp.maxConnections, cp.maxPendingRequests, cp.maxConcurrentRequests].some(v => v !== undefined));
    if (callerSide && !intent.callers.length) {
      out.push({
        setting: cb ? 'circuitBreaker' : 'connectionPool',
        value: intent.serviceName,
        why: 'Consul sets outlier detection and connection limits in each caller\'s ServiceDefaults (upstreamConfig.overrides), and no caller is declared',
        alternative: 'list the calling services in `callers`',
      });
    }
    if (cb?.gatewayErrorsOnly) {
      out.push({
        setting: 'circuitBreaker.errors',
        value: 'GATEWAY_ERRORS',
        why: 'passive health checks count consecutive 5xx responses',
        alternative: 'use CircuitBreakerErrors.SERVER_ERRORS',
      });
    }
    if (cb?.minHealthPercent !== undefined) {
      out.push({
        setting: 'circuitBreaker.minHealthPercent',
        value: cb.minHealthPercent,
        why: 'passive health checks have no healthy-share threshold',
        alternative: 'remove minHealthPercent for Consul',
      });
    }
    if (cp?.maxRequestsPerConnection !== undefined) {
      out.push({
        setting: 'connectionPool.maxRequestsPerConnection',
        value: cp.maxRequestsPerConnection,
        why: 'upstream limits cover connections, pending and concurrent requests only',
        alternative: 'remove it for Consul',
      });
    }
    if (cp?.maxConcurrentStreams !== undefined) {
      out.push({
        setting: 'connectionPool.maxConcurrentStreams',
        value: cp.maxConcurrentStreams,
        why: 'upstream limits cover connections, pending and concurrent requests only',
        alternative: 'remove it for Consul',
      });
    }
    const rl = intent.rateLimit;
    if (rl && !mesh.consulEnterprise) {
      out.push({
        setting: 'rateLimit',
        value: `${rl.requestsPerSecond}/s`,
        why: 'ServiceDefaults rateLimits is a Consul Enterprise feature',
        alternative: 'use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or remove rateLimit',
      });
    }
    if (rl?.perCallerRequestsPerSecond !== undefined) {
      out.push({
        setting: 'rateLimit.perCallerRequestsPerSecond',
        value: rl.perCallerRequestsPerSecond,
        why: 'instance-level rate limits are not per caller',
        alternative: 'remove it for Consul',
      });
    }
    if (rl && rl.overrides.length) {
      out.push({
        setting: 'rateLimit.overrides',
        value: rl.overrides.length + ' override(s)',
        why: 'instance-level rate limits cannot select callers',
        alternative: 'remove the overrides for Consul',
      });
    }
    return out;
  },

  render(scope: Construct, intent: ResilienceIntent, { mesh, droppedNote }: RenderContext) {
    const defaults = ConsulServiceDefaults.of(scope, intent.serviceName, intent.namespace);
    const cp = intent.connectionPool;
    const cb = intent.circuitBreaker;
    const limits = cp && [cp.maxConnections, cp.maxPendingRequests, cp.maxConcurrentRequests].some(v => v !== undefined)
      ? { maxConnections: cp.maxConnections, maxPendingRequests: cp.maxPendingRequests, maxConcurrentRequests: cp.maxConcurrentRequests } : undefined;
    const callerSide = (cb || limits) && intent.callers.length > 0;
    // the dropped settings are noted on the entry they would have been written to: outlier detection and
    // connection limits on each caller's ServiceDefaults (its upstreamConfig.overrides), or, with no
    // override written (no caller, or only settings Consul has no field for), on the service's own, as the
    // rate limit (its rateLimits); the routes' (per-try timeouts) on the ServiceRouter (traffic.ts)
    const entries = droppedNote ? droppedEntries(droppedNote) : [];
    const upstream = entries.filter(e => /^(circuitBreaker|connectionPool)\b/.test(e));
    const own = entries.filter(e => /^rateLimit\b/.test(e) || (!callerSide && upstream.includes(e)));
    if (own.length) defaults.addDroppedNote(own.join(', '));
    if (callerSide) {
      for (const caller of intent.callers) {
        const callerDefaults = ConsulServiceDefaults.of(scope, caller.name, caller._namespaceFrom(scope));
        callerDefaults.setProtocol(caller.protocol, scope.node.path);
        if (upstream.length) callerDefaults.addDroppedNote(upstream.join(', '));
        const override: consul.ServiceDefaultsSpecUpstreamConfigOverrides = {
          name: intent.serviceName,
          ...(mesh.consulEnterprise && intent.namespace ? { namespace: intent.namespace } : {}),
          passiveHealthCheck: cb ? {
            maxFailures: cb.consecutiveErrors,
            enforcingConsecutive5Xx: 100,
            interval: cb.intervalMs !== undefined ? formatMillis(cb.intervalMs) : undefined,
            baseEjectionTime: cb.ejectionTimeMs !== undefined ? formatMillis(cb.ejectionTimeMs) : undefined,
            maxEjectionPercent: cb.maxEjectionPercent,
          } : undefined,
          limits,
        };
        callerDefaults.addUpstreamOverride(intent.serviceName, override, scope.node.path);
      }
    }
    const rl = intent.rateLimit;
    if (rl && mesh.consulEnterprise) {
      defaults.setRateLimit({ requestsPerSecond: rl.requestsPerSecond, requestsMaxBurst: rl.requestsPerSecond }, scope.node.path);
    }
  },
};
