import * as flagger from '../../imports/flagger';
import * as prometheus from '../../imports/prometheus';
import type { CanaryAlertIntent, CanaryControllerIntent } from '../../patterns/canary/intent';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { PromLabel, promSelector } from '../../private/promql';
import { CanaryAlertQueries, CanaryRenderer, RenderContext } from '../renderer';
import { VirtualService } from '../unconverted';

/** The canary's 5xx share and p99 latency in Istio's standard metrics, for the requests the labels select. */
export function istioQueries(base: PromLabel[], window: string): CanaryAlertQueries {
  return {
    errorRatio: `sum(rate(istio_requests_total${promSelector([...base, ['response_code', '5..', '=~']])}[${window}])) / sum(rate(istio_requests_total${promSelector(base)}[${window}]))`,
    p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${promSelector(base)}[${window}]))) / 1000`,
  };
}

/**
 * The Envoy-only Prometheus endpoint of an Istio proxy: the named container port `http-envoy-prom` (15090),
 * path `/stats/prometheus`, which serves the istio_* standard metrics (the stats filter's). It is declared
 * on the injected sidecar (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml,
 * container istio-proxy) and on a waypoint's proxy (files/waypoint.yaml). The merged endpoint the
 * prometheus.io annotations name (15020, Envoy + agent + application) is not a named container port of the
 * sidecar, and a PodMonitor selects only declared ports (`port`, `portNumber`; prometheus-operator
 * PodMonitor CRD, podMetricsEndpoints). Istio excludes 15090 from inbound capture (the template's
 * excludeInboundPorts "15090,15021,..."), so STRICT mTLS and AuthorizationPolicies do not stop the scrape.
 * Prometheus's pod discovery lists the ports of init containers too (`__meta_kubernetes_pod_container_init`),
 * so a native sidecar (an init container with restartPolicy Always) is scraped as well.
 */
export const ISTIO_ENVOY_METRICS = { port: 'http-envoy-prom', path: '/stats/prometheus' } as const;

/** The PodMonitor of the sidecars of a canary release's pods (the metrics-absent rule names it). */
export function sidecarMonitorName(service: string): string {
  return `${service}-canary-sidecars`;
}

/** The labels both versions' pods carry (the service's selector): the pods of the service, either version. */
export function bothVersionsLabels(intent: CanaryAlertIntent): { [key: string]: string } {
  const { stable, canary } = intent;
  return sortKeys(Object.fromEntries(Object.entries(canary.labels).filter(([k, v]) => stable.labels[k] === v)));
}

/**
 * Where Istio's destination_version comes from, for the metrics-absent rule's description: the pods'
 * canonical revision, the first of these labels they carry (istio/istio pkg/kube/labels/labels.go
 * revisionLabels; the injector writes it on the pod: injection-template.yaml, else "latest"). A release's
 * version label of another key, or pods that carry app.kubernetes.io/version too, report another version.
 */
export const ISTIO_CANONICAL_REVISION = 'the canary pods\' Istio canonical revision (their label service.istio.io/canonical-revision, else app.kubernetes.io/version, else version)';

/**
 * Flagger's mirror on Istio: Flagger sets the VirtualService's mirror for the first analysis interval of a
 * canary analysis only, then shifts weight without it (fluxcd/flagger pkg/controller/scheduler.go runCanary).
 */
export function flaggerMirrorWarning(intent: CanaryControllerIntent, { warn }: RenderContext): void {
  if (intent.mirrorPercent !== undefined && !intent.abTesting) {
    warn(`Flagger mirrors ${intent.mirrorPercent}% of requests for the first analysis interval only, before it shifts weight (pkg/controller/scheduler.go runCanary), not at every step`);
  }
}

/**
 * Istio (sidecars): the routes (VirtualService, DestinationRule subsets) are the traffic renderer's; the
 * release adds nothing, mirrors, and lets either controller route.
 */
export const ISTIO_CANARY: CanaryRenderer = {
  // Linkerd's smiTrafficSplit is refused by the construct (CANARY_OWNED)
  reads: [],
  unsupported: () => [],
  render: () => undefined,
  flagger: {
    // Flagger's Istio router writes the VirtualService and DestinationRules
    provider: flagger.CanarySpecProvider.ISTIO,
    headerMatch: h => ({ [h.type]: h.value }),
    // Flagger's built-in queries (pkg/metrics/observers/istio.go) read istio_requests_total and
    // istio_request_duration_milliseconds of destination_workload=<target>, the canary's pods
    metrics: () => ({ builtin: { successRate: 'request-success-rate', latency: 'request-duration' } }),
    warnings: flaggerMirrorWarning,
  },
  argoRollouts: {
    // the route the Rollout names (virtualService.routes); Argo sets the two weights and inserts the
    // managed routes (setHeaderRoute, setMirrorRoute) above it (rollout/trafficrouting/istio/istio.go)
    renderRouting(scope, intent, context) {
      const { service, namespace } = intent;
      // Argo compares the first label of a destination host with stableService/canaryService (getHost)
      const fqdn = (name: string) => `${name}.${namespace ?? 'default'}.svc.${context.mesh.clusterDomain}`;
      new VirtualService(scope, 'ArgoVirtualService', {
        metadata: objectMetadata(service.name, namespace),
        spec: {
          hosts: [service._fqdn(scope, context.mesh.clusterDomain)],
          http: [{
            name: intent.route,
            route: [
              { destination: { host: fqdn(intent.stableService), port: { number: service.port } }, weight: 100 },
              { destination: { host: fqdn(intent.canaryService), port: { number: service.port } }, weight: 0 },
            ],
          }],
        },
      });
      return { istio: { virtualService: { name: service.name, routes: [intent.route] } } };
    },
    // one route match per entry, which ORs them (rollout/trafficrouting/istio/istio.go createHeaderRoute)
    headerRoutes: (name, matches) => [{ name, match: matches }],
    // the callers' sidecars report the canary host (reporter source: the host-level split sends to the
    // -canary Service, which is destination_service_name on the client side)
    analysisQueries: intent => ({
      defaultAddress: 'http://prometheus.istio-system:9090',
      ...istioQueries([['reporter', 'source'], ['destination_service_namespace', intent.namespace ?? 'default'], ['destination_service_name', intent.canaryService]], intent.window),
    }),
  },
  // server-side (destination) telemetry, reported by the canary pods' own sidecars; destination_version
  // is the pods' canonical revision (their version label, unless they carry one Istio reads first)
  alertQueries(intent) {
    const base: PromLabel[] = [
      ['reporter', 'destination'], ['destination_service_namespace', intent.namespace ?? 'default'],
      ['destination_service_name', intent.service], ['destination_version', intent.canary.versionValue],
    ];
    // the sidecar creates the series at the first request it receives, and keeps it
    const present = `istio_requests_total${promSelector(base)}`;
    const v = intent.canary.versionValue;
    return {
      ...istioQueries(base, intent.window),
      // without a scrape of the sidecars by the Prometheus that loads this rule, the alerts above would
      // stay silent, so their absence alerts too
      absent: {
        series: present,
        summary: `no request metrics from the ${v} canary of ${intent.service}: its health is not watched`,
        description: `Prometheus has no istio_requests_total series reported by the ${v} canary pods of ${intent.service}, so the canary alerts cannot fire: either no request reached the canary yet, or this Prometheus does not scrape their sidecars, or ${ISTIO_CANONICAL_REVISION} is not ${v}. Check that the PodMonitor ${sidecarMonitorName(intent.service)} is selected (its labels match the Prometheus's podMonitorSelector, and its namespace the podMonitorNamespaceSelector) and that the pods are injected (container istio-proxy, port http-envoy-prom).`,
      },
    };
  },
  renderAlertMetrics(scope, intent) {
    // the sidecars of the service's pods, both versions (the stable pods' series are there to compare);
    // Istio's own labels (reporter, destination_*, response_code) carry what the rule selects, and
    // prometheus-operator adds namespace, pod and container to every series
    new prometheus.PodMonitor(scope, 'SidecarMetrics', {
      metadata: objectMetadata(sidecarMonitorName(intent.service), intent.namespace, { labels: intent.prometheusLabels }),
      spec: {
        selector: { matchLabels: bothVersionsLabels(intent) },
        podMetricsEndpoints: [{ ...ISTIO_ENVOY_METRICS }],
      },
    });
  },
};
