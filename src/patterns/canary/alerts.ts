import { Construct } from 'constructs';
import { CanaryAlertIntent } from './intent';
import type { HealthAlert } from './props';
import * as prometheus from '../../imports/prometheus';
import { CanaryIntent } from '../../model/traffic';
import { formatDuration, millis } from '../../private/duration';
import { objectMetadata } from '../../private/metadata';
import { CanaryRenderer, RenderContext } from '../renderers';

/**
 * A PrometheusRule `<service>-canary-health` that fires when the canary's errors or latency pass the
 * thresholds, in the mesh's metric names (CanaryRenderer.alertQueries), with the objects its metrics need
 * (CanaryRenderer.renderAlertMetrics).
 */
export function renderHealthAlert(
  scope: Construct, renderer: CanaryRenderer, context: RenderContext, canary: CanaryIntent, namespace: string | undefined, service: string, alert: HealthAlert,
): void {
  const window = alert.window ? formatDuration(alert.window) : '5m';
  const forDuration = alert.holdFor ? formatDuration(alert.holdFor) : '2m';
  const extraLabels = alert.prometheusLabels ?? {};
  const intent: CanaryAlertIntent = { service, namespace, canary: canary.canary, stable: canary.stable, window, prometheusLabels: extraLabels };
  const q = renderer.alertQueries(intent, context);
  const labels = { severity: alert.severity ?? 'critical', service, version: canary.canary.versionValue };
  const maxErrors = alert.maxErrorRatePercent ?? 1;
  const failures = q.failures ?? '5xx';
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
  if (q.absent) {
    rules.push({
      alert: `${title}CanaryMetricsAbsent`,
      expr: prometheus.PrometheusRuleSpecGroupsRulesExpr.fromString(`absent(${q.absent.series})`),
      for: forDuration,
      labels,
      annotations: { summary: q.absent.summary, description: q.absent.description },
    });
  }
  renderer.renderAlertMetrics?.(scope, intent, context);
  new prometheus.PrometheusRule(scope, 'HealthAlert', {
    metadata: objectMetadata(`${service}-canary-health`, namespace, { labels: extraLabels }),
    spec: { groups: [{ name: `${service}-canary`, rules }] },
  });
}
