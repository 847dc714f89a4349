import { Construct } from 'constructs';
import { LinkerdServer, linkerdProxyProtocol } from './server';
import { LINKERD_RETRY_ON, SERVICE_LEVEL } from './traffic';
import * as linkerd from '../../imports/linkerd';
import { ResilienceIntent } from '../../model/route-intent';
import { ServiceProtocol } from '../../model/service';
import { Unsupported } from '../../model/unsupported';
import { droppedEntries } from '../../private/dropped';
import { formatMillis, formatMillisSingleUnit } from '../../private/format';
import { objectMetadata } from '../../private/metadata';
import { PatternRenderer, RenderContext } from '../renderer';

/**
 * Linkerd: the routing part goes to the service's HTTPRoutes (see traffic.ts); failure
 * accrual is written as `balancer.linkerd.io/*` annotations on the Service; a rate limit as a
 * `Server` plus an `HTTPLocalRateLimitPolicy`.
 */
export const LINKERD_RESILIENCE: PatternRenderer<ResilienceIntent> = {
  unsupported(intent: ResilienceIntent): Unsupported[] {
    const out: Unsupported[] = [];
    const bySource = new Map<string, Set<string>>();
    for (const r of intent.rules) {
      for (const c of r.retry?.on ?? []) {
        if (LINKERD_RETRY_ON[c]) continue;
        if (!bySource.has(r.retrySource)) bySource.set(r.retrySource, new Set());
        bySource.get(r.retrySource)!.add(c);
      }
    }
    for (const [source, conditions] of bySource) {
      out.push({ setting: `${source}.retryOn`, value: [...conditions].join(','), why: 'retry.linkerd.io/http retries on response status codes only; connection failures are handled by the proxy\'s load balancer, not by a retry policy', alternative: 'retry on RetryOn.SERVER_ERROR, GATEWAY_ERROR or status codes' });
    }
    const cb = intent.circuitBreaker;
    if (cb) {
      if (!intent.service.ownsServiceObject) {
        out.push({ setting: 'circuitBreaker', value: intent.serviceName, why: 'failure accrual is configured with balancer.linkerd.io annotations on the Service object, which is not part of this app', alternative: 'pass the cdk8s-plus Service with ServiceRef.fromService(service) so the annotations can be added' });
      }
      if (cb.gatewayErrorsOnly) out.push({ setting: 'circuitBreaker.errors', value: 'GATEWAY_ERRORS', why: 'failure accrual counts every failed response', alternative: 'use CircuitBreakerErrors.SERVER_ERRORS' });
      if (cb.intervalMs !== undefined) out.push({ setting: 'circuitBreaker.interval', value: formatMillis(cb.intervalMs), why: 'consecutive failure accrual has no scan interval', alternative: 'remove interval for Linkerd' });
      if (cb.maxEjectionPercent !== undefined) out.push({ setting: 'circuitBreaker.maxEjectionPercent', value: cb.maxEjectionPercent, why: 'failure accrual has no cap on the share of ejected endpoints', alternative: 'remove maxEjectionPercent for Linkerd' });
      if (cb.minHealthPercent !== undefined) out.push({ setting: 'circuitBreaker.minHealthPercent', value: cb.minHealthPercent, why: 'failure accrual has no healthy-share threshold', alternative: 'remove minHealthPercent for Linkerd' });
    }
    const cp = intent.connectionPool;
    if (cp) {
      for (const [k, v] of Object.entries(cp)) {
        if (v !== undefined) out.push({ setting: `connectionPool.${k}`, value: v, why: 'Linkerd has no connection-pool limits', alternative: 'remove connectionPool for Linkerd (use a rate limit to protect the service)' });
      }
    }
    if (intent.loadBalancing && intent.loadBalancing !== 'LEAST_REQUEST') {
      out.push({ setting: 'loadBalancing', value: intent.loadBalancing, why: 'Linkerd always balances by latency (EWMA, power of two choices)', alternative: 'remove loadBalancing, or use LoadBalancingPolicy.LEAST_REQUEST which Linkerd\'s balancer subsumes' });
    }
    // the policy controller gives a gRPC Server's proxy no local rate limit: only HTTP/1, HTTP/2 and detected
    // protocols carry one (policy-controller/grpc/src/inbound.rs to_server: proxy_protocol::Grpc has routes only),
    // so an HTTPLocalRateLimitPolicy on it would limit nothing (left out of the output: render)
    const rl = intent.rateLimit;
    if (rl && intent.service.protocol === ServiceProtocol.GRPC) {
      out.push({
        setting: 'rateLimit',
        value: `${rl.requestsPerSecond}/s`,
        why: `service ${intent.serviceName} port ${intent.service.targetPort} is grpc, its Server's proxyProtocol ${linkerdProxyProtocol(ServiceProtocol.GRPC)}, and Linkerd applies an HTTPLocalRateLimitPolicy only on HTTP/1, HTTP/2 and detected Servers `
          + '(policy-controller/grpc/src/inbound.rs to_server sends a gRPC Server\'s proxy no local rate limit), so it would limit nothing',
        alternative: 'remove rateLimit for Linkerd, or declare the port as ServiceProtocol.HTTP2 (gRPC is HTTP/2; its Server is then HTTP/2, where the rate limit applies)',
      });
    }
    return out;
  },

  render(scope: Construct, intent: ResilienceIntent, { mesh, droppedNote }: RenderContext) {
    // the dropped settings that belong on the Service (failure accrual, connection pool, load balancing)
    // are noted there; retry conditions on the routes (traffic.ts); none belongs to the rate limit
    // (without a Service object of the app's, on the routes: traffic.ts droppedOn)
    const serviceLevel = (droppedNote ? droppedEntries(droppedNote) : []).filter(e => SERVICE_LEVEL.test(e));
    if (serviceLevel.length && intent.service.ownsServiceObject) intent.service._addDroppedNote(serviceLevel.join(', '));

    const cb = intent.circuitBreaker;
    if (cb && intent.service.ownsServiceObject) {
      intent.service._annotateService('balancer.linkerd.io/failure-accrual', 'consecutive');
      intent.service._annotateService('balancer.linkerd.io/failure-accrual-consecutive-max-failures', String(cb.consecutiveErrors));
      if (cb.ejectionTimeMs !== undefined) {
        intent.service._annotateService('balancer.linkerd.io/failure-accrual-consecutive-min-penalty', formatMillisSingleUnit(cb.ejectionTimeMs));
        // the penalty grows on repeated failures up to the maximum, which must not be below the minimum
        intent.service._annotateService('balancer.linkerd.io/failure-accrual-consecutive-max-penalty', formatMillisSingleUnit(Math.max(cb.ejectionTimeMs, 60_000)));
      }
    }

    const rl = intent.rateLimit;
    // not on a gRPC Server, where Linkerd applies no rate limit (refused, or left out with DROP_WITH_WARNING: unsupported)
    if (rl && intent.service.protocol !== ServiceProtocol.GRPC) {
      const server = LinkerdServer.of(scope, mesh, intent.service);
      const serverName = server.serverName;
      // a Server decides who may connect to its port: written with Linkerd's install default, it opens the
      // port wherever the cluster's or the namespace's default is stricter (warned when the Server is
      // written, once every construct of the app has had its say)
      server.warnIfUndeclaredDefault(scope, `the rate limit needs a Server for ${intent.serviceName} port ${intent.service.targetPort}, whose accessPolicy is the mesh's default inbound policy, as the app declares no default for namespace ${intent.namespace ?? '(none)'} (neither a ZeroTrustNamespace nor config.linkerd.io/default-inbound-policy on its Namespace object), and Mesh.linkerd was given none, so it is all-unauthenticated, Linkerd's install default: if the cluster's default is stricter, this opens the port; declare it with Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.<the cluster's proxy.defaultInboundPolicy> })`);
      new linkerd.HttpLocalRateLimitPolicy(scope, 'RateLimit', {
        metadata: objectMetadata(intent.serviceName, intent.namespace),
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: serverName },
          total: { requestsPerSecond: rl.requestsPerSecond },
          identity: rl.perCallerRequestsPerSecond !== undefined ? { requestsPerSecond: rl.perCallerRequestsPerSecond } : undefined,
          overrides: rl.overrides.length ? rl.overrides.map(o => ({
            requestsPerSecond: o.requestsPerSecond,
            clientRefs: o.serviceAccounts.map(sa => ({ kind: 'ServiceAccount', name: sa.name, ...(sa.namespace ? { namespace: sa.namespace } : {}) })),
          })) : undefined,
        },
      });
      // through a MultiClusterExport's gateway, every meshed client that reaches the gateway is one identity (warned when the Server is written).
      // No override is written for the gateway: it would need a figure (what all remote callers may send together,
      // overrides[].requestsPerSecond) that only the operator knows; the total or the per-caller limit would be a guess
      if (rl.perCallerRequestsPerSecond !== undefined) {
        server.setPerCallerRateLimit({
          by: scope,
          name: intent.serviceName,
          total: rl.requestsPerSecond,
          perCaller: rl.perCallerRequestsPerSecond,
          overridesGateway: rl.overrides.some(o => o.serviceAccounts.some(sa => sa.name === 'linkerd-gateway' && sa.namespace === 'linkerd-multicluster')),
        });
      }
    }
  },
};
