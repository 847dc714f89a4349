import { IstioWaypointScope } from '../../model/mesh';
import { ARGO_GATEWAY_API, argoGatewayApiHeaderRoutes, flaggerGatewayApi, renderBackendServices } from '../gateway-api/canary';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_CANARY, istioQueries } from '../istio/canary';
import { CanaryRenderer, RenderContext } from '../renderer';

/**
 * Istio ambient: the waypoint's HTTPRoute sends to a Service per version, and a controller's routes are
 * the waypoint's (Gateway API) too.
 */
export const AMBIENT_CANARY: CanaryRenderer = {
  ...ISTIO_CANARY,
  render: (scope, intent) => renderBackendServices(scope, intent),
  // L7 metrics come from the waypoint (reporter "waypoint"), which sends canary traffic to the per-version
  // backend Service: the waypoint's inbound-vip cluster of that Service carries it as its istio.services
  // metadata, which the stats filter reports as destination_service (istio/istio
  // pilot/pkg/networking/core/cluster_waypoint.go buildWaypointInboundVIPCluster, "Ensure VIP cluster has
  // services metadata for stats filter usage")
  alertQueries: intent => istioQueries([
    ['reporter', 'waypoint'], ['destination_service_namespace', intent.namespace ?? 'default'],
    ['destination_service_name', intent.canary.backendService], ['destination_version', intent.canary.versionValue],
  ], intent.window),
  flagger: {
    // a Gateway API HTTPRoute with the Service as parent (GAMMA); Istio finds a Service parent by group ''
    // only (collections.All.FindByGroupKind)
    ...flaggerGatewayApi(''),
    refusal(_intent, context) {
      if ((context.mesh.istioWaypointScope ?? IstioWaypointScope.NAMESPACE) !== IstioWaypointScope.SERVICE) return undefined;
      return {
        prop: 'mesh',
        value: 'IstioWaypointScope.SERVICE',
        why: 'a waypoint per Service is enrolled with istio.io/use-waypoint on the Service object, and Flagger generates the Service (and its -primary and -canary Services)',
        fix: 'use Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }) with namespace waypoints (the default), or static steps',
      };
    },
    unsupported: intent => intent.mirrorPercent === undefined ? [] : [{
      setting: 'mirrorPercent',
      value: intent.mirrorPercent,
      why: 'Flagger\'s Gateway API router adds the RequestMirror filter in blue/green analyses only (pkg/router/gateway_api.go SetRoutes: mirrored && iterations > 0), not in a canary analysis',
      alternative: 'send test traffic with canaryRequests instead',
    }],
    // no mirror warning: Flagger's Gateway API router mirrors nothing in a canary analysis, and the mirror is
    // refused or dropped above (Istio's warning that Flagger mirrors the first interval only does not apply)
    // the waypoint reports the L7 metrics (reporter waypoint); destination_workload is the canary
    // Deployment ({{ target }}), as in Flagger's built-in Istio queries
    metrics: () => {
      const sel = (extra: string) => `{reporter="waypoint",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"${extra}}`;
      return {
        templates: {
          defaultAddress: 'http://prometheus.istio-system:9090',
          successRate: `sum(rate(istio_requests_total${sel(',response_code!~"5.*"')}[{{ interval }}])) / sum(rate(istio_requests_total${sel('')}[{{ interval }}])) * 100`,
          latency: `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket${sel('')}[{{ interval }}])) by (le))`,
        },
      };
    },
  },
  argoRollouts: {
    // the argoproj-labs/gatewayAPI plugin edits the waypoint's HTTPRoute
    ...ARGO_GATEWAY_API,
    unsupported: intent => [...argoGatewayApiHeaderRoutes(intent), ...(intent.mirrorPercent === undefined ? [] : [{
      setting: 'mirrorPercent',
      value: intent.mirrorPercent,
      why: 'the argoproj-labs/gatewayAPI plugin\'s SetMirrorRoute does nothing (pkg/plugin/plugin.go), so setMirrorRoute would mirror no request',
      alternative: 'send test traffic with canaryRequests instead',
    }])],
    // the waypoint reports the requests it sends to the HTTPRoute's canary backend (the -canary Service):
    // reporter="waypoint", destination_service_name=<canary backend Service> is right because the
    // waypoint's inbound-vip cluster of a backend Service carries that Service as its istio.services
    // metadata, which the stats filter reports as destination_service (istio/istio
    // pilot/pkg/networking/core/cluster_waypoint.go buildWaypointInboundVIPCluster: "Ensure VIP cluster
    // has services metadata for stats filter usage")
    analysisQueries: intent => ({
      defaultAddress: 'http://prometheus.istio-system:9090',
      ...istioQueries([['reporter', 'waypoint'], ['destination_service_namespace', intent.namespace ?? 'default'], ['destination_service_name', intent.canaryService]], intent.window),
    }),
  },
  // the routes are the waypoint's (for Flagger's generated Services too, with the namespace waypoint)
  renderController(scope, intent, context: RenderContext) {
    AmbientNamespace.of(scope, intent.namespace ?? 'default', context.mesh, undefined, scope.node.path).useWaypoint(intent.service, scope.node.path);
  },
};
