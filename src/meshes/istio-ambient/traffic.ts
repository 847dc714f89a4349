import { Lazy } from 'cdk8s';
import * as istio from '../../imports/istio';
import { routingOf, TrafficModel } from '../../model/traffic';
import type { TrafficTarget } from '../../patterns/traffic/intent';
import { objectMetadata } from '../../private/metadata';
import { gammaRoutes } from '../gateway-api/http-route';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_TRAFFIC, trafficPolicy } from '../istio/traffic';
import { RenderContext, TrafficRenderer } from '../renderer';

/**
 * Istio ambient: L7 traffic is handled by the namespace waypoint (created here). Routing, weights,
 * header routes, timeouts and mirroring are Gateway API HTTPRoutes with the Service as parent (what
 * Istio documents as stable for waypoints; VirtualService on waypoints is Alpha), the traffic policy
 * (outlier detection, connection pool, load balancing) a DestinationRule without subsets, applied by the
 * waypoint. Fault injection has no Gateway API form: a service with faults and nothing else gets the
 * VirtualService (Alpha).
 */
export const AMBIENT_TRAFFIC: TrafficRenderer = {
  unsupported() {
    return [];
  },

  render(traffic: TrafficTarget, model: () => TrafficModel, context: RenderContext) {
    const m = model();
    AmbientNamespace.of(traffic, m.namespace ?? 'default', traffic.mesh, undefined, traffic.contributorPath).useWaypoint(m.service, traffic.contributorPath);
    // faults and a circuit breaker (a DestinationRule) combine: only routes are Gateway API's
    if (m.faults?.length && !m.resilience?.rules.length && !routingOf(m)) {
      ISTIO_TRAFFIC.render(traffic, model, context);
      return;
    }
    if (m.resilience?.rules.length || routingOf(m)) gammaRoutes(traffic, model, { annotations: () => ({}), mirror: true });
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
