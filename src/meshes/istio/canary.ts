import * as flagger from '../../imports/flagger';
import type { CanaryControllerIntent } from '../../patterns/canary/intent';
import { objectMetadata } from '../../private/metadata';
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
  // server-side (destination) telemetry; destination_version comes from the pods' version label
  alertQueries: intent => istioQueries([
    ['reporter', 'destination'], ['destination_service_namespace', intent.namespace ?? 'default'],
    ['destination_service_name', intent.service], ['destination_version', intent.canary.versionValue],
  ], intent.window),
};
