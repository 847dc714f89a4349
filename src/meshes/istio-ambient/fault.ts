import type { FaultInjectionIntent } from '../../patterns/fault/intent';
import { PatternRenderer, RenderContext } from '../renderer';

/** Istio ambient: the faults are a VirtualService the namespace waypoint applies (traffic.ts). */
export const AMBIENT_FAULT: PatternRenderer<FaultInjectionIntent> = {
  unsupported() {
    return [];
  },
  render(_scope, intent: FaultInjectionIntent, { warn }: RenderContext) {
    // the waypoint builds its routes from a VirtualService with the sidecar's code (listener_waypoint.go
    // translateWaypointRoute -> route.go TranslateRoute -> TranslateFault) and its HTTP connection manager
    // has the fault filter (listener_builder.go buildHTTPConnectionManager appends xdsfilters.Fault for
    // waypoints too); it drops only matches on sourceLabels, which are never written here. So every fault
    // rule is written as on sidecars; what it cannot combine with (HTTPRoutes) is refused in ServiceTraffic
    warn(`on Istio ambient, faults are a VirtualService applied by the namespace waypoint, which Istio documents as Alpha; ${intent.service.name} must have no timeouts of a ResilientService (on the service or a route), no CanaryRelease and no VersionedRouting (their Gateway API routes and a VirtualService together are undefined); a circuit breaker, pool or load balancing (a DestinationRule) is fine`);
  },
};
