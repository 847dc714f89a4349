import { GATEWAY_API_PRECEDENCE } from '../gateway-api/precedence';
import { renderVersionServices, versionServicePortProblems } from '../gateway-api/routing';
import { ISTIO_ROUTING } from '../istio/routing';
import { RoutingRenderer } from '../renderer';

/**
 * Istio ambient: the waypoint's HTTPRoutes (Gateway API precedence: the most specific match) send to a
 * Service per version, on the routed service's port; the mirror is their RequestMirror filter.
 */
export const AMBIENT_ROUTING: RoutingRenderer = {
  ...ISTIO_ROUTING,
  serviceVersionProblems: versionServicePortProblems,
  precedence: GATEWAY_API_PRECEDENCE,
  render: (scope, intent) => renderVersionServices(scope, intent),
};
