import { Construct } from 'constructs';
import { ConsulProxyDefaults, writesDatacenterWide } from './singletons';
import type { Unsupported } from '../../model/unsupported';
import type { TelemetryIntent } from '../../patterns/telemetry/intent';
import { AccessLogFormat } from '../../patterns/telemetry/props';
import { PatternRenderer, RenderContext } from '../renderer';
import { fixedProxyTelemetryUnsupported } from '../telemetry';

/** Consul: access logs in ProxyDefaults global (datacenter-wide). */
export const CONSUL_TELEMETRY: PatternRenderer<TelemetryIntent> = {
  unsupported(intent: TelemetryIntent) {
    const { service, tracing, accessLogging: logging } = intent;
    const out: Unsupported[] = [];
    if (tracing) {
      out.push({
        setting: 'tracing',
        value: intent.samplingPercentage,
        why: 'Consul has no typed tracing setting, only opaque Envoy JSON in ProxyDefaults config.envoy_tracing_json',
        alternative: 'configure envoy_tracing_json in the Consul Helm values or a hand-written ProxyDefaults',
      });
    }
    out.push(...fixedProxyTelemetryUnsupported(intent, 'Consul'));
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
