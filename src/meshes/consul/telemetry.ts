import { Construct } from 'constructs';
import { ConsulProxyDefaults, writesDatacenterWide } from './singletons';
import type { TelemetryIntent } from '../../patterns/telemetry/intent';
import { AccessLogFormat } from '../../patterns/telemetry/props';
import { PatternRenderer, RenderContext } from '../renderer';

/** Consul: access logs in ProxyDefaults global (datacenter-wide). */
export const CONSUL_TELEMETRY: PatternRenderer<TelemetryIntent> = {
  unsupported(intent: TelemetryIntent) {
    const { service, tracing, accessLogging: logging, metrics } = intent;
    const name = 'Consul';
    const out: { setting: string; value: unknown; why: string; alternative: string; keep?: string }[] = [];
    if (tracing) {
      out.push({
        setting: 'tracing',
        value: intent.samplingPercentage,
        why: 'Consul has no typed tracing setting, only opaque Envoy JSON in ProxyDefaults config.envoy_tracing_json',
        alternative: 'configure envoy_tracing_json in the Consul Helm values or a hand-written ProxyDefaults',
      });
    }
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
    if (service && logging) {
      out.push({
        setting: 'service',
        value: service.name,
        why: 'Consul access logs are mesh-wide (ProxyDefaults global)',
        alternative: 'remove service to log every proxy',
        keep: 'without it, other workloads than the service would be logged',
      });
    }
    if (logging?.format === AccessLogFormat.TEXT) {
      out.push({ setting: 'accessLogging.format', value: logging.format, why: 'a Consul text format is an Envoy format string, not a named format', alternative: 'use AccessLogFormat.JSON (Consul\'s default)' });
    }
    return out;
  },

  render(scope: Construct, intent: TelemetryIntent, { mesh }: RenderContext) {
    const logging = intent.accessLogging;
    if (logging && writesDatacenterWide(scope, mesh, 'ProxyDefaults global', 'set accessLogs: { enabled: true, type: stdout }')) {
      ConsulProxyDefaults.of(scope, intent.namespace).setAccessLogs({ enabled: true, type: 'stdout' }, scope.node.path);
    }
  },
};
