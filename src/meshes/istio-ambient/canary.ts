import { Construct } from 'constructs';
import * as prometheus from '../../imports/prometheus';
import { IstioWaypointScope } from '../../model/mesh';
import { meshError, show } from '../../private/errors';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { PromLabel, promSelector } from '../../private/promql';
import { ARGO_GATEWAY_API, argoGatewayApiHeaderRoutes, flaggerGatewayApi, renderBackendServices } from '../gateway-api/canary';
import { AmbientNamespace, waypointNameFor } from '../istio/ambient';
import { ISTIO_CANARY, ISTIO_CANONICAL_REVISION, ISTIO_ENVOY_METRICS, istioQueries } from '../istio/canary';
import { CanaryRenderer, RenderContext } from '../renderer';

/** The label istiod gives a waypoint's pods: the name of their Gateway (files/waypoint.yaml, pod template). */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/** The PodMonitor of a waypoint's proxies (the metrics-absent rule names it). */
function waypointMonitorName(waypoint: string): string {
  return `${waypoint}-envoy-stats`;
}

/**
 * The PodMonitor of one waypoint's pods, written once per chart, namespace and waypoint: every release of
 * the namespace that the waypoint serves shares it (two PodMonitors of the same pods would scrape each
 * twice, as two jobs).
 */
class WaypointMetrics extends Construct {
  public static of(ambient: AmbientNamespace, waypoint: string, labels: { readonly [key: string]: string }, by: string): void {
    const id = `WaypointMetrics-${waypoint}`;
    const existing = ambient.node.tryFindChild(id) as WaypointMetrics | undefined;
    if (!existing) {
      new WaypointMetrics(ambient, id, ambient.namespace, waypoint, labels, by);
      return;
    }
    if (show(sortKeys({ ...existing.labels })) !== show(sortKeys({ ...labels }))) {
      throw meshError(`[${by}] healthAlert.prometheusLabels: got ${show(labels)}, but [${existing.firstBy}] labels the PodMonitor ${waypointMonitorName(waypoint)} of the waypoint ${waypoint} (namespace ${ambient.namespace}) ${show(existing.labels)}, and both releases' alerts read that waypoint's metrics through it; give the health alerts of the releases the waypoint serves the same prometheusLabels`);
    }
  }

  private constructor(
    scope: Construct, id: string, namespace: string, waypoint: string,
    private readonly labels: { readonly [key: string]: string }, private readonly firstBy: string,
  ) {
    super(scope, id);
    // the waypoint's proxy: its Envoy stats port, as on a sidecar; its pods are not in ambient
    // (istio.io/dataplane-mode: none in files/waypoint.yaml), so ztunnel does not stand in the scrape
    new prometheus.PodMonitor(this, 'Resource', {
      metadata: objectMetadata(waypointMonitorName(waypoint), namespace, { labels }),
      spec: {
        selector: { matchLabels: { [GATEWAY_NAME_LABEL]: waypoint } },
        podMetricsEndpoints: [{ ...ISTIO_ENVOY_METRICS }],
      },
    });
  }
}

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
  alertQueries(intent, context) {
    const base: PromLabel[] = [
      ['reporter', 'waypoint'], ['destination_service_namespace', intent.namespace ?? 'default'],
      ['destination_service_name', intent.canary.backendService], ['destination_version', intent.canary.versionValue],
    ];
    // the waypoint creates the series at the first request it sends to the backend, and keeps it
    const present = `istio_requests_total${promSelector(base)}`;
    const v = intent.canary.versionValue;
    const waypoint = waypointNameFor(context.mesh.istioWaypointScope, intent.service);
    return {
      ...istioQueries(base, intent.window),
      // without a scrape of the waypoint by the Prometheus that loads this rule, the alerts above would stay
      // silent, so their absence alerts too
      absent: {
        series: present,
        summary: `no request metrics for the ${v} canary of ${intent.service}: its health is not watched`,
        description: `Prometheus has no istio_requests_total series reported by the waypoint (Gateway ${waypoint}) for the ${v} backend Service ${intent.canary.backendService} of ${intent.service}, so the canary alerts cannot fire: either no request reached the canary yet, or this Prometheus does not scrape the waypoint's pods, or ${ISTIO_CANONICAL_REVISION} is not ${v}. Check that the PodMonitor ${waypointMonitorName(waypoint)} is selected (its labels match the Prometheus's podMonitorSelector, and its namespace the podMonitorNamespaceSelector) and that the Gateway ${waypoint} has running pods (labelled ${GATEWAY_NAME_LABEL}: ${waypoint}).`,
      },
    };
  },
  // the waypoint reports the L7 metrics the rule reads (ztunnel's are L4: istio_tcp_*, which it does not
  // read); the PodMonitor is written once the release's routes have asked for the waypoint
  renderAlertMetrics(scope, intent, context) {
    const ambient = AmbientNamespace.of(scope as Construct, intent.namespace ?? 'default', context.mesh, undefined, scope.node.path);
    ambient.whenWaypoint(intent.service, waypoint => WaypointMetrics.of(ambient, waypoint, intent.prometheusLabels, scope.node.path));
  },
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
