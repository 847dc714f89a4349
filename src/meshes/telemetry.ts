import type { Unsupported } from '../model/unsupported';
import type { TelemetryIntent } from '../patterns/telemetry/intent';

/**
 * What a mesh whose proxies have fixed metric labels and log every request to their own output (Linkerd,
 * Consul) cannot express of a TrafficTelemetry: metric tags, an access-log filter, a log provider.
 */
export function fixedProxyTelemetryUnsupported(intent: TelemetryIntent, name: string): Unsupported[] {
  const { accessLogging: logging, metrics } = intent;
  const out: Unsupported[] = [];
  if (metrics) {
    out.push({
      setting: 'metrics',
      value: metrics.removeTags ?? metrics.setTags,
      why: `${name} proxy metrics have fixed labels`,
      alternative: 'drop or rewrite labels in the Prometheus scrape configuration (metric_relabel_configs)',
    });
  }
  if (logging?.filter !== undefined) {
    out.push({ setting: 'accessLogging.filter', value: logging.filter, why: `${name} logs every request`, alternative: 'filter the lines in the log pipeline' });
  }
  if (logging?.provider !== undefined) {
    out.push({ setting: 'accessLogging.provider', value: logging.provider, why: `${name} writes access logs to the proxy's output`, alternative: 'remove provider and collect the proxy container\'s logs' });
  }
  return out;
}
