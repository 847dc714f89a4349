import type { TelemetryIntent } from '../../patterns/telemetry/intent';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_TELEMETRY, istioTelemetryRender } from '../istio/telemetry';
import { PatternRenderer } from '../renderer';

/**
 * Istio ambient: Istio's Telemetry object, applied by the waypoint. Traces, L7 access logs and metrics come
 * from the waypoint (created here: the Service's, or the namespace's for a namespace-wide scope); a per-service
 * scope targets the Service, which the waypoint serves, since ztunnel has no L7 telemetry.
 */
export const AMBIENT_TELEMETRY: PatternRenderer<TelemetryIntent> = {
  ...ISTIO_TELEMETRY,
  render: istioTelemetryRender((intent, scope, mesh) => {
    const ambient = AmbientNamespace.of(scope, intent.namespace, mesh, intent.namespaceObject);
    if (intent.service) ambient.useWaypoint(intent.service, scope.node.path);
    else ambient.useNamespaceWaypoint();
    return { targetRefs: intent.service ? [{ group: '', kind: 'Service', name: intent.service.name }] : undefined };
  }),
};
