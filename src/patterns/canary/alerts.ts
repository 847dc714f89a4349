import { Construct } from 'constructs';
import type { HealthAlert } from './props';
import * as prometheus from '../../imports/prometheus';
import { Mesh, MeshKind } from '../../model/mesh';
import { CanaryIntent } from '../../model/traffic';
import { formatDuration, millis } from '../../private/duration';
import { objectMetadata } from '../../private/metadata';

type Label = [name: string, value: string, op?: '=' | '=~' | '!~' | '!='];

function selector(labels: Label[]): string {
  return `{${labels.map(([k, v, op]) => `${k}${op ?? '='}${JSON.stringify(v)}`).join(',')}}`;
}

/**
 * Consul: the named port consul-k8s gives the dataplane's Prometheus listener when metrics are on
 * (connect-inject/webhook/consul_dataplane_sidecar.go getMetricsPorts; Helm `global.metrics.enabled`,
 * port `connectInject.metrics.defaultPrometheusScrapePort`, 20200, path `/metrics`).
 */
export const CONSUL_METRICS_PORT = 'prometheus';

/** The PromQL of the canary's 5xx share and p99 latency, in each mesh's own metric names (and, where the metrics may be missing, a query that is empty without them). */
export function canaryQueries(
  mesh: Mesh, canary: CanaryIntent, namespace: string | undefined, service: string, window: string,
): { errorRatio: string; p99Seconds: string; present?: string } {
  const ns = namespace ?? 'default';
  switch (mesh.kind) {
    case MeshKind.ISTIO: {
      // server-side (destination) telemetry; destination_version comes from the pods' version label.
      // Ambient: L7 metrics come from the waypoint (reporter "waypoint"), which sends canary traffic to
      // the per-version backend Service
      const base: Label[] = mesh.ambient
        ? [['reporter', 'waypoint'], ['destination_service_namespace', ns], ['destination_service_name', canary.canary.backendService], ['destination_version', canary.canary.versionValue]]
        : [['reporter', 'destination'], ['destination_service_namespace', ns], ['destination_service_name', service], ['destination_version', canary.canary.versionValue]];
      return {
        errorRatio: `sum(rate(istio_requests_total${selector([...base, ['response_code', '5..', '=~']])}[${window}])) / sum(rate(istio_requests_total${selector(base)}[${window}]))`,
        p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket${selector(base)}[${window}]))) / 1000`,
      };
    }
    case MeshKind.LINKERD: {
      // the callers' proxies report each route backend; the canary is the per-version backend Service
      const base: Label[] = [['parent_namespace', ns], ['parent_name', service], ['backend_name', canary.canary.backendService]];
      // a failure is a 5xx status or a non-empty `error` label (timeouts, resets, no response), as
      // `linkerd viz stat-outbound` counts it (viz/cmd/stat-outbound.go: status 5xx || error != ""); the
      // two selectors are disjoint (the second excludes 5xx), so `or` adds their series without overlap
      const metric = 'outbound_http_route_backend_response_statuses_total';
      const failed = `rate(${metric}${selector([...base, ['http_status', '5..', '=~']])}[${window}]) or rate(${metric}${selector([...base, ['http_status', '5..', '!~'], ['error', '', '!=']])}[${window}])`;
      return {
        errorRatio: `sum(${failed}) / sum(rate(${metric}${selector(base)}[${window}]))`,
        p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(outbound_http_route_backend_response_duration_seconds_bucket${selector(base)}[${window}])))`,
        // the callers' proxies create the series at the first request to the canary backend, and keep it
        present: `${metric}${selector(base)}`,
      };
    }
    case MeshKind.CONSUL: {
      // the canary pods' own proxies, on their inbound (public_listener) connection manager: one count
      // per request received. The callers' upstream cluster counters (envoy_cluster_upstream_rq_xx)
      // count every retried attempt. `local_cluster` is the service (a stats tag of the dataplane's
      // bootstrap); the version label comes from the pods, through the PodMonitor's podTargetLabels
      const base: Label[] = [['namespace', ns], ['local_cluster', service], ['envoy_http_conn_manager_prefix', 'public_listener'], [canary.canary.versionKey, canary.canary.versionValue]];
      return {
        errorRatio: `sum(rate(envoy_http_downstream_rq_xx${selector([...base, ['envoy_response_code_class', '5']])}[${window}])) / sum(rate(envoy_http_downstream_rq_xx${selector(base)}[${window}]))`,
        p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(envoy_http_downstream_rq_time_bucket${selector(base)}[${window}]))) / 1000`,
        // Envoy reports the counter from the listener's start, at zero without traffic
        present: `envoy_http_downstream_rq_total${selector(base)}`,
      };
    }
  }
}

/** A PrometheusRule `<service>-canary-health` that fires when the canary's errors or latency pass the thresholds. */
export function renderHealthAlert(
  scope: Construct, mesh: Mesh, canary: CanaryIntent, namespace: string | undefined, service: string, alert: HealthAlert,
): void {
  const window = alert.window ? formatDuration(alert.window) : '5m';
  const forDuration = alert.holdFor ? formatDuration(alert.holdFor) : '2m';
  const q = canaryQueries(mesh, canary, namespace, service, window);
  const labels = { severity: alert.severity ?? 'critical', service, version: canary.canary.versionValue };
  const maxErrors = alert.maxErrorRatePercent ?? 1;
  const failures = mesh.kind === MeshKind.LINKERD ? '5xx or errors (timeouts, resets)' : '5xx';
  const title = service.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
  const rules: prometheus.PrometheusRuleSpecGroupsRules[] = [{
    alert: `${title}CanaryHighErrorRate`,
    expr: prometheus.PrometheusRuleSpecGroupsRulesExpr.fromString(`(${q.errorRatio}) > ${maxErrors / 100}`),
    for: forDuration,
    labels,
    annotations: {
      summary: `${service} ${canary.canary.versionValue} (canary) answers more than ${maxErrors}% ${failures}`,
      // no step has weight 0 (the first still sends its share and the canary requests): rolling back is
      // applying the output without the release
      description: `Over ${window}, more than ${maxErrors}% of the requests to the ${canary.canary.versionValue} canary of ${service} failed with ${failures}. Roll back: remove the CanaryRelease and apply the output without it (every step, the first included, sends requests to the canary).`,
    },
  }];
  if (alert.maxP99Latency) {
    const seconds = millis(alert.maxP99Latency) / 1000;
    rules.push({
      alert: `${title}CanaryHighLatency`,
      expr: prometheus.PrometheusRuleSpecGroupsRulesExpr.fromString(`(${q.p99Seconds}) > ${seconds}`),
      for: forDuration,
      labels,
      annotations: {
        summary: `${service} ${canary.canary.versionValue} (canary) p99 latency above ${formatDuration(alert.maxP99Latency)}`,
        description: `Over ${window}, the 99th-percentile latency of the ${canary.canary.versionValue} canary of ${service} was above ${formatDuration(alert.maxP99Latency)}.`,
      },
    });
  }
  const extraLabels = alert.prometheusLabels ?? {};
  if (q.present && mesh.kind === MeshKind.LINKERD) {
    // the callers' proxies report the canary backend's requests: without a scrape of their admin port by
    // the Prometheus that loads this rule, the alerts above would stay silent, so their absence alerts too
    const monitor = `${service}-canary-proxies`;
    rules.push({
      alert: `${title}CanaryMetricsAbsent`,
      expr: prometheus.PrometheusRuleSpecGroupsRulesExpr.fromString(`absent(${q.present})`),
      for: forDuration,
      labels,
      annotations: {
        summary: `no request metrics for the ${canary.canary.versionValue} canary of ${service}: its health is not watched`,
        description: `Prometheus has no ${q.present.replace(/\{.*/, '')} series for the ${canary.canary.versionValue} backend of ${service}, so the canary alerts cannot fire: either no request reached the canary yet, or this Prometheus does not scrape the callers' Linkerd proxies. Check that the PodMonitor ${monitor} is selected (its labels match the Prometheus's podMonitorSelector), that callers in other namespaces are scraped too, and, under a deny default inbound policy, that this Prometheus is meshed and Mesh.linkerd({ prometheus }) names its service account (AuthorizationPolicy prometheus-scrape-operator).`,
      },
    });
    // the proxies' metrics (linkerd-admin, 4191, /metrics) of the meshed pods of the namespace: the
    // callers of the service there report the canary backend (outbound metrics)
    new prometheus.PodMonitor(scope, 'ProxyMetrics', {
      metadata: objectMetadata(monitor, namespace, { labels: extraLabels }),
      spec: {
        selector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] },
        podMetricsEndpoints: [{ port: 'linkerd-admin', path: '/metrics' }],
      },
    });
  } else if (q.present) {
    // the metrics exist only with metrics enabled in the Consul Helm values and a scrape of the canary
    // pods: without them the alerts above would stay silent, so their absence alerts too
    rules.push({
      alert: `${title}CanaryMetricsAbsent`,
      expr: prometheus.PrometheusRuleSpecGroupsRulesExpr.fromString(`absent(${q.present})`),
      for: forDuration,
      labels,
      annotations: {
        summary: `no request metrics from the ${canary.canary.versionValue} canary of ${service}: its health is not watched`,
        description: `Prometheus has no ${q.present.replace(/\{.*/, '')} series of the ${canary.canary.versionValue} canary pods of ${service}, so the canary alerts cannot fire. Check that the Consul Helm values enable metrics (global.metrics.enabled: true) and that the PodMonitor ${service}-canary-dataplane scrapes the pods.`,
      },
    });
    // the canary pods' dataplane metrics port, with their version label on every series
    new prometheus.PodMonitor(scope, 'DataplaneMetrics', {
      metadata: objectMetadata(`${service}-canary-dataplane`, namespace, { labels: extraLabels }),
      spec: {
        selector: { matchLabels: canary.canary.labels },
        podTargetLabels: [canary.canary.versionKey],
        podMetricsEndpoints: [{ port: CONSUL_METRICS_PORT, path: '/metrics' }],
      },
    });
  }
  new prometheus.PrometheusRule(scope, 'HealthAlert', {
    metadata: objectMetadata(`${service}-canary-health`, namespace, { labels: extraLabels }),
    spec: { groups: [{ name: `${service}-canary`, rules }] },
  });
}
