import * as prometheus from '../../imports/prometheus';
import type { Unsupported } from '../../model/unsupported';
import type { CanaryReleaseIntent } from '../../patterns/canary/intent';
import { objectMetadata } from '../../private/metadata';
import { PromLabel, promSelector } from '../../private/promql';
import { ARGO_GATEWAY_API, argoGatewayApiHeaderRoutes, flaggerGatewayApi, renderBackendServices } from '../gateway-api/canary';
import { CanaryAlertQueries, CanaryRenderer, RenderContext } from '../renderer';
import { apexSelector, LINKERD_NO_MIRROR } from './versions';

/** The PodMonitor of the proxies that report a canary's requests (the alert's metrics-absent rule names it). */
function proxyMonitorName(service: string): string {
  return `${service}-canary-proxies`;
}

/**
 * The failed share and p99 latency of the requests the callers' proxies send to a canary backend Service
 * of the service's routes, and the series whose absence means they are not scraped.
 */
function linkerdQueries(namespace: string | undefined, service: string, backend: string, window: string): CanaryAlertQueries & { present: string } {
  // the callers' proxies report each route backend; the canary is the per-version backend Service
  const base: PromLabel[] = [['parent_namespace', namespace ?? 'default'], ['parent_name', service], ['backend_name', backend]];
  // a failure is a 5xx status or a non-empty `error` label (timeouts, resets, no response), as
  // `linkerd viz stat-outbound` counts it (viz/cmd/stat-outbound.go: status 5xx || error != ""); the
  // two selectors are disjoint (the second excludes 5xx), so `or` adds their series without overlap
  const metric = 'outbound_http_route_backend_response_statuses_total';
  const failed = `rate(${metric}${promSelector([...base, ['http_status', '5..', '=~']])}[${window}]) or rate(${metric}${promSelector([...base, ['http_status', '5..', '!~'], ['error', '', '!=']])}[${window}])`;
  return {
    errorRatio: `sum(${failed}) / sum(rate(${metric}${promSelector(base)}[${window}]))`,
    p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(outbound_http_route_backend_response_duration_seconds_bucket${promSelector(base)}[${window}])))`,
    // the callers' proxies create the series at the first request to the canary backend, and keep it
    present: `${metric}${promSelector(base)}`,
  };
}

/**
 * Linkerd: the apex Service selects one version, the stable one until the canary takes all traffic
 * (Linkerd's traffic-shifting guide). What Linkerd does not route through the HTTPRoute (unmeshed callers,
 * a gateway that sends to endpoints, the moment before the route is accepted) then reaches that version,
 * instead of splitting by replica count across both.
 */
function releaseApexSelector(intent: CanaryReleaseIntent, context: RenderContext): void {
  const c = intent.canary;
  apexSelector(intent.service, c.canaryWeight === 100 ? c.canary : c.stable, {
    versions: 'both versions',
    unrouted: 'unmeshed callers, an ingress that sends to endpoints, the moment before the route is accepted',
    afterAdd: ' (and move it to the canary\'s version at promotion)',
    by: 'the release',
  }, context);
}

/** The refusal of a mirror, with or without a controller: Linkerd's routes cannot mirror, whoever writes them. */
function mirrorUnsupported(intent: { readonly mirrorPercent?: number }): Unsupported[] {
  return intent.mirrorPercent === undefined ? [] : [{
    setting: 'mirrorPercent',
    value: intent.mirrorPercent,
    why: LINKERD_NO_MIRROR,
    alternative: 'send test traffic to the canary with canaryRequests instead',
  }];
}

/** Linkerd: weighted Gateway API backends (or an SMI TrafficSplit), one Service per version; no mirror. */
export const LINKERD_CANARY: CanaryRenderer = {
  // smiTrafficSplit is Linkerd's own (linkerd-smi): the traffic renderer writes the TrafficSplit
  reads: ['smiTrafficSplit'],
  unsupported: intent => [...mirrorUnsupported(intent), ...(intent.canary.smi && intent.canary.canaryMatches.length ? [{
    setting: 'canaryRequests',
    value: `${intent.canary.canaryMatches.length} match(es)`,
    why: 'SMI TrafficSplit v1alpha2 (linkerd-smi) splits by weight only',
    alternative: 'use Gateway API routes (remove smiTrafficSplit) for header routes',
  }] : [])],
  render(scope, intent, context) {
    renderBackendServices(scope, intent);
    releaseApexSelector(intent, context);
  },
  alertQueries(intent) {
    const { present, ...q } = linkerdQueries(intent.namespace, intent.service, intent.canary.backendService, intent.window);
    const v = intent.canary.versionValue;
    return {
      ...q,
      failures: '5xx or errors (timeouts, resets)',
      // the callers' proxies report the canary backend's requests: without a scrape of their admin port by
      // the Prometheus that loads this rule, the alerts above would stay silent, so their absence alerts too
      absent: {
        series: present,
        summary: `no request metrics for the ${v} canary of ${intent.service}: its health is not watched`,
        description: `Prometheus has no ${present.replace(/\{.*/, '')} series for the ${v} backend of ${intent.service}, so the canary alerts cannot fire: either no request reached the canary yet, or this Prometheus does not scrape the callers' Linkerd proxies. Check that the PodMonitor ${proxyMonitorName(intent.service)} is selected (its labels match the Prometheus's podMonitorSelector), that callers in other namespaces are scraped too, and, under a deny default inbound policy, that this Prometheus is meshed and Mesh.linkerd({ prometheus }) names its service account (AuthorizationPolicy prometheus-scrape-operator).`,
      },
    };
  },
  renderAlertMetrics(scope, intent) {
    // the proxies' metrics (linkerd-admin, 4191, /metrics) of the meshed pods of the namespace: the
    // callers of the service there report the canary backend (outbound metrics)
    new prometheus.PodMonitor(scope, 'ProxyMetrics', {
      metadata: objectMetadata(proxyMonitorName(intent.service), intent.namespace, { labels: intent.prometheusLabels }),
      spec: {
        selector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] },
        podMetricsEndpoints: [{ port: 'linkerd-admin', path: '/metrics' }],
      },
    });
  },
  flagger: {
    // a Gateway API HTTPRoute with the Service as parent (Flagger's Linkerd guide: meshProvider gatewayapi;
    // provider linkerd writes SMI v1alpha1), group core as in that guide (Linkerd takes core or '' for a
    // Service parent: policy-controller/k8s/index/src/outbound/index.rs)
    ...flaggerGatewayApi('core'),
    unsupported: mirrorUnsupported,
    // under provider gatewayapi:v1 the built-in queries are the HTTP observer's
    // (http_request_duration_seconds of the app, pkg/metrics/observers/http.go), not Linkerd's: the
    // proxies' inbound response_total / response_latency_ms of the canary Deployment instead
    metrics: () => ({
      templates: {
        defaultAddress: 'http://prometheus.linkerd-viz:9090',
        successRate: 'sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="inbound"}[{{ interval }}]))'
          + ' / sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) * 100',
        latency: 'histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) by (le))',
      },
    }),
  },
  argoRollouts: {
    // the argoproj-labs/gatewayAPI plugin edits a Service-parented HTTPRoute
    ...ARGO_GATEWAY_API,
    unsupported: intent => [...argoGatewayApiHeaderRoutes(intent), ...mirrorUnsupported(intent)],
    // the callers' proxies report the canary backend of the HTTPRoute (the -canary Service)
    analysisQueries(intent) {
      const { errorRatio, p99Seconds } = linkerdQueries(intent.namespace, intent.service, intent.canaryService, intent.window);
      return { defaultAddress: 'http://prometheus.linkerd-viz:9090', errorRatio, p99Seconds };
    },
  },
  alertWarning: context => context.mesh.linkerdPrometheus
    ? undefined
    // linkerd-viz's Prometheus loads no PrometheusRule, and under deny only it may scrape the proxies
    : 'the health alert is a PrometheusRule, which only a prometheus-operator Prometheus evaluates (linkerd-viz\'s Prometheus loads none), and a deny default inbound policy lets only linkerd-viz/prometheus scrape the proxies: name the Prometheus that loads the rule, e.g. Mesh.linkerd({ prometheus: { namespace: \'monitoring\', serviceAccount: \'kube-prometheus-stack-prometheus\' } }), so that a STRICT ZeroTrustNamespace authorizes its scrapes',
};
