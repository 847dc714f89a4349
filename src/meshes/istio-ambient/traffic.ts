import { ApiObject, Lazy } from 'cdk8s';
import * as istio from '../../imports/istio';
import { routingOf, TrafficModel, UNMANAGED_RULE } from '../../model/traffic';
import type { TrafficContributor, TrafficTarget } from '../../patterns/traffic/intent';
import { objectMetadata } from '../../private/metadata';
import { gammaRoutes, holdsRetriesOf } from '../gateway-api/http-route';
import { crossedPrecedenceProblem, GammaRetries, GATEWAY_API_PRECEDENCE } from '../gateway-api/precedence';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_TRAFFIC, trafficPolicy } from '../istio/traffic';
import { RenderContext, TrafficRenderer } from '../renderer';

/**
 * What ambient's HTTPRoutes hold of a rule's retries: none. Retries are refused (resilience.ts: the HTTPRoute
 * `retry` field is Experimental in Gateway API v1.6, GEP-1731), or left out with UnsupportedSettings.DROP_WITH_WARNING; so the
 * routes are one set, as if no retries had been given (a route per retry policy, as on Linkerd, would split
 * the rules into `<service>-retry` routes that do not retry, and change the order of rules that tie), and the
 * crossed-precedence check compares only what the waypoint gets: the rules' timeouts.
 */
const RETRIES: GammaRetries = { routePerRetryPolicy: false, written: false };

/**
 * Whether the resilience rules give the waypoint routes. A rule's retries are never written on ambient (a rule
 * with `retry` here is one whose retries were dropped with DROP_WITH_WARNING: refused otherwise), so rules that
 * hold dropped retries and no timeout would route every request where it goes without them: such a route set
 * (retries alone: one catch-all rule; routes whose only setting is retries) is not written, nor the waypoint
 * and the Namespace labels it would need, which would move every Service of the namespace, and the zero
 * trust's L4 policies, to a new waypoint only to carry the dropped-settings note. Rules without dropped retries
 * are written as given.
 */
function resilienceRoutes(m: TrafficModel): boolean {
  const rules = m.resilience?.rules ?? [];
  return rules.length > 0 && (rules.some(r => r.timeoutMs !== undefined) || !rules.some(r => r.retry));
}

/**
 * The model whose resilience rules hold only dropped retries (resilienceRoutes is false) with the unmanaged
 * catch-all in their place: the VirtualService is then written as if no ResilientService routed the service
 * (no retries of its own, so the waypoint keeps Istio's default retries, as the drop warning says), its
 * traffic policy (a circuit breaker) kept.
 */
function withoutDroppedRetries(m: TrafficModel): TrafficModel {
  return m.resilience?.rules.length && !resilienceRoutes(m) ? { ...m, resilience: { ...m.resilience, rules: [UNMANAGED_RULE] } } : m;
}

/**
 * Istio ambient: L7 traffic is handled by the namespace waypoint (created here). Routing, weights,
 * header routes, timeouts and mirroring are Gateway API HTTPRoutes with the Service as parent (what
 * Istio documents as stable for waypoints; VirtualService on waypoints is Alpha), the traffic policy
 * (outlier detection, connection pool, load balancing) a DestinationRule without subsets, applied by the
 * waypoint. Fault injection has no Gateway API form: a service with faults and nothing else gets the
 * VirtualService (Alpha).
 */
export const AMBIENT_TRAFFIC: TrafficRenderer = {
  // a dropped setting is noted on the object it would have been written to: a route's retries on the
  // HTTPRoutes that hold that route's rules (the service's one route set: no route per retry policy, as
  // nothing is written for the dropped retries), or, when no route is written (resilienceRoutes), on the
  // service's routing objects (a DestinationRule), as the pattern's primary objects (docs/architecture.md);
  // a mirror on the HTTPRoutes; the rest (a rate limit, for which ambient writes no object) on every routing
  // object of the service, where its ResilientService's settings are
  droppedOn(obj: ApiObject, setting: string, from: TrafficContributor, model: TrafficModel) {
    if (from === 'resilience' && /(^|\.)retries$/.test(setting)) {
      return resilienceRoutes(model) || routingOf(model) ? holdsRetriesOf(obj, setting, model) : true;
    }
    if (/^mirror(Percent)?$/.test(setting)) return obj.kind === 'HTTPRoute';
    return true;
  },

  // routes are Gateway API HTTPRoutes, and faults exist only in a VirtualService; Istio leaves a service
  // with both undefined, so a service gets one or the other (a ResilientService with only a circuit
  // breaker, pool or load balancing writes a DestinationRule and no route). On sidecars a route holds a
  // fault with its timeout and retries (istio/traffic.ts httpRoutes).
  joinProblem(traffic: TrafficTarget, m: TrafficModel) {
    // a ResilientService whose rules hold only dropped retries writes no route (resilienceRoutes): its faults
    // then go on the VirtualService alone, as without it
    const routedBy = (resilienceRoutes(m) ? traffic.resilienceBy : undefined) ?? traffic.canaryBy ?? traffic.routingBy;
    if (traffic.faultBy === undefined || routedBy === undefined) return undefined;
    return `[${traffic.faultBy}] injects faults (a VirtualService, Alpha on Istio ambient), and [${routedBy}] routes it with Gateway API HTTPRoutes; Istio leaves a service with both undefined; `
      + 'inject faults into a service that has no ResilientService timeouts (on the service or a route: a circuit breaker, or retries left out with DROP_WITH_WARNING, write no route), no CanaryRelease and no VersionedRouting, or use the sidecar data plane for it';
  },

  precedenceProblem(traffic: TrafficTarget, m: TrafficModel) {
    return crossedPrecedenceProblem(traffic, m, GATEWAY_API_PRECEDENCE, RETRIES);
  },

  render(traffic: TrafficTarget, model: () => TrafficModel, context: RenderContext) {
    const m = model();
    // faults and a circuit breaker (a DestinationRule) combine: only routes are Gateway API's
    const faultsAlone = !!m.faults?.length && !resilienceRoutes(m) && !routingOf(m);
    const routes = resilienceRoutes(m) || routingOf(m) !== undefined;
    // nothing for the waypoint (settings all dropped: retries alone, a rate limit alone): no waypoint, no
    // Namespace label; a later contribution that writes something renders again and asks for it
    if (!faultsAlone && !routes && !trafficPolicy(m)) return;
    AmbientNamespace.of(traffic, m.namespace ?? 'default', traffic.mesh, undefined, traffic.contributorPath).useWaypoint(m.service, traffic.contributorPath);
    if (faultsAlone) {
      // the VirtualService without the rules of dropped retries (the waypoint would apply a VirtualService's
      // retries: writing them would undo the drop the user asked for)
      ISTIO_TRAFFIC.render(traffic, () => withoutDroppedRetries(model()), context);
      return;
    }
    if (routes) {
      gammaRoutes(traffic, model, { routePerRetryPolicy: RETRIES.routePerRetryPolicy, annotations: () => ({}), mirror: true });
    }
    if (trafficPolicy(m) && !traffic.node.tryFindChild('DestinationRule')) {
      traffic.adopt(new istio.DestinationRule(traffic, 'DestinationRule', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({ produce: () => ({ host: model().host, trafficPolicy: trafficPolicy(model()) }) }) as istio.DestinationRuleSpec,
      }));
    }
    // during a release the HTTPRoute sends to the per-version Services, and the waypoint takes each
    // backend's traffic policy from that backend's own host: the policy is written for each of them
    const routing = routingOf(m);
    if (routing && trafficPolicy(m)) {
      for (const v of routing.versions) {
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
