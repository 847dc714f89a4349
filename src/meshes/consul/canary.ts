import * as prometheus from '../../imports/prometheus';
import { objectMetadata } from '../../private/metadata';
import { PromLabel, promSelector } from '../../private/promql';
import { CanaryRenderer } from '../renderer';
import { CONSUL_NO_MIRROR, CONSUL_VERSIONS } from './versions';

/**
 * Consul: the named port consul-k8s gives the dataplane's Prometheus listener when metrics are on
 * (connect-inject/webhook/consul_dataplane_sidecar.go getMetricsPorts; Helm `global.metrics.enabled`,
 * port `connectInject.metrics.defaultPrometheusScrapePort`, 20200, path `/metrics`).
 */
const CONSUL_METRICS_PORT = 'prometheus';

/** What Consul's refusals of a controller propose. */
const STATIC_STEPS = 'use static steps (remove delivery), which this library writes for every mesh';

/**
 * Consul: the versions are ServiceResolver subsets filtering on Service.Meta.<labelKey>, which the pods
 * carry as the consul.hashicorp.com/service-meta-<labelKey> annotation; no mirror, and neither controller
 * has a Consul router.
 */
export const CONSUL_CANARY: CanaryRenderer = {
  // Linkerd's smiTrafficSplit is refused by the construct (CANARY_OWNED)
  reads: [],
  ...CONSUL_VERSIONS,
  unsupported: intent => intent.mirrorPercent === undefined ? [] : [{
    setting: 'mirrorPercent',
    value: intent.mirrorPercent,
    why: CONSUL_NO_MIRROR,
    alternative: 'send test traffic to the canary with canaryRequests instead',
  }],
  render: () => undefined,
  flagger: {
    refusesEveryRelease: true,
    refusal: intent => ({
      prop: 'delivery',
      value: intent.controller,
      why: 'Flagger has no Consul provider (its mesh providers are istio, linkerd, gatewayapi, appmesh, kuma, osm, ...: pkg/router/factory.go), and Consul\'s ServiceRouter/ServiceSplitter are no Gateway API routes',
      fix: STATIC_STEPS,
    }),
  },
  argoRollouts: {
    refusesEveryRelease: true,
    refusal: intent => ({
      prop: 'delivery',
      value: intent.controller,
      why: 'Argo Rollouts has no Consul traffic router (istio, smi, alb, nginx, apisix, appmesh, traefik, ambassador and plugins: pkg/apis/rollouts/v1alpha1 RolloutTrafficRouting)',
      fix: STATIC_STEPS,
    }),
  },
  alertQueries(intent) {
    // the canary pods' own proxies, on their inbound (public_listener) connection manager: one count
    // per request received. The callers' upstream cluster counters (envoy_cluster_upstream_rq_xx)
    // count every retried attempt. `local_cluster` is the service (a stats tag of the dataplane's
    // bootstrap); the version label comes from the pods, through the PodMonitor's podTargetLabels
    const { service, window } = intent;
    const v = intent.canary;
    const base: PromLabel[] = [['namespace', intent.namespace ?? 'default'], ['local_cluster', service], ['envoy_http_conn_manager_prefix', 'public_listener'], [v.versionKey, v.versionValue]];
    // Envoy reports the counter from the listener's start, at zero without traffic
    const present = `envoy_http_downstream_rq_total${promSelector(base)}`;
    return {
      errorRatio: `sum(rate(envoy_http_downstream_rq_xx${promSelector([...base, ['envoy_response_code_class', '5']])}[${window}])) / sum(rate(envoy_http_downstream_rq_xx${promSelector(base)}[${window}]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(envoy_http_downstream_rq_time_bucket${promSelector(base)}[${window}]))) / 1000`,
      // the metrics exist only with metrics enabled in the Consul Helm values and a scrape of the canary
      // pods: without them the alerts above would stay silent, so their absence alerts too
      absent: {
        series: present,
        summary: `no request metrics from the ${v.versionValue} canary of ${service}: its health is not watched`,
        description: `Prometheus has no ${present.replace(/\{.*/, '')} series of the ${v.versionValue} canary pods of ${service}, so the canary alerts cannot fire. Check that the Consul Helm values enable metrics (global.metrics.enabled: true) and that the PodMonitor ${service}-canary-dataplane scrapes the pods.`,
      },
    };
  },
  renderAlertMetrics(scope, intent) {
    // the canary pods' dataplane metrics port, with their version label on every series
    new prometheus.PodMonitor(scope, 'DataplaneMetrics', {
      metadata: objectMetadata(`${intent.service}-canary-dataplane`, intent.namespace, { labels: intent.prometheusLabels }),
      spec: {
        selector: { matchLabels: intent.canary.labels },
        podTargetLabels: [intent.canary.versionKey],
        podMetricsEndpoints: [{ port: CONSUL_METRICS_PORT, path: '/metrics' }],
      },
    });
  },
};
