import { Construct } from 'constructs';
import * as istio from '../../imports/istio';
import { Mesh } from '../../model/mesh';
import type { TelemetryIntent } from '../../patterns/telemetry/intent';
import type { TraceTag } from '../../patterns/telemetry/props';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { PatternRenderer, RenderContext } from '../renderer';

/** The environment variables Istio's injection template gives istio-proxy (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). */
const ISTIO_PROXY_ENV_NAMES = 'POD_NAME, POD_NAMESPACE, INSTANCE_IP, HOST_IP, SERVICE_ACCOUNT, TRUST_DOMAIN, PROXY_CONFIG, ISTIO_CPU_LIMIT and ISTIO_META_*';
const ISTIO_PROXY_ENV = /^(POD_NAME|POD_NAMESPACE|INSTANCE_IP|HOST_IP|SERVICE_ACCOUNT|TRUST_DOMAIN|PROXY_CONFIG|ISTIO_CPU_LIMIT|CA_ADDR|PILOT_CERT_PROVIDER|GOMAXPROCS|GOMEMLIMIT|ISTIO_META_[A-Z0-9_]+)$/;

/** Istio with sidecars: a Telemetry object (ambient: istio-ambient/telemetry.ts, with istioTelemetryRender). */
export const ISTIO_TELEMETRY: PatternRenderer<TelemetryIntent> = {
  warnings(intent: TelemetryIntent, { warn }: RenderContext) {
    for (const [name, tag] of Object.entries(intent.tracing?.customTags ?? {})) {
      if (tag.source === 'environment' && !ISTIO_PROXY_ENV.test(tag.value)) {
        warn(`tracing.customTags.${name}: istio-proxy has no environment variable ${tag.value} unless you add it to the proxy (the injected ones are ${ISTIO_PROXY_ENV_NAMES}); ${tag.value === 'CLUSTER_NAME' ? 'the cluster\'s name is ISTIO_META_CLUSTER_ID' : 'the tag is empty otherwise'}`);
      }
    }
  },

  unsupported(intent: TelemetryIntent) {
    const logging = intent.accessLogging;
    return logging?.format !== undefined
      ? [{ setting: 'accessLogging.format', value: logging.format, why: 'Istio sets the format in the MeshConfig extension provider', alternative: 'name a provider with the format you want' }]
      : [];
  },

  render: istioTelemetryRender(intent => ({ selector: intent.service ? { matchLabels: sortKeys(intent.service.selector) } : undefined })),
};

/** A custom trace tag as Istio's Telemetry `tracing.customTags` entry (literal, environment or request header). */
export function istioCustomTag(tag: TraceTag): istio.TelemetrySpecTracingCustomTags {
  switch (tag.source) {
    case 'literal': return { literal: { value: tag.value } };
    case 'environment': return { environment: { name: tag.value, defaultValue: tag.defaultValue } };
    default: return { header: { name: tag.value, defaultValue: tag.defaultValue } };
  }
}

/** What a Telemetry object applies to (`selector` or `targetRefs`), for the scope of the intent. */
export interface TelemetryTarget {
  readonly selector?: { matchLabels: { [k: string]: string } };
  readonly targetRefs?: { group: string; kind: string; name: string }[];
}

/**
 * Istio's Telemetry object, on either data plane: `target` gives what it applies to (sidecars: a selector of
 * the service's pods) and prepares it (ambient: the waypoint).
 */
export function istioTelemetryRender(target: (intent: TelemetryIntent, scope: Construct, mesh: Mesh) => TelemetryTarget) {
  return function render(scope: Construct, intent: TelemetryIntent, { mesh }: RenderContext): void {
    const { service, tracing, accessLogging: logging, metrics } = intent;
    const name = service ? `${service.name}-telemetry` : 'default';
    const { ALL_UNDERSCORE_METRICS: ALL_METRICS, CLIENT_UNDERSCORE_AND_UNDERSCORE_SERVER: CLIENT_AND_SERVER } = {
      ...istio.TelemetrySpecMetricsOverridesMatchMetric, ...istio.TelemetrySpecMetricsOverridesMatchMode,
    };
    const { REMOVE, UPSERT } = istio.TelemetrySpecMetricsOverridesTagOverridesOperation;
    const at = target(intent, scope, mesh);
    new istio.Telemetry(scope, 'Telemetry', {
      metadata: objectMetadata(name, intent.namespace),
      spec: {
        selector: at.selector,
        targetRefs: at.targetRefs,
        tracing: tracing ? [{
          providers: tracing.provider ? [{ name: tracing.provider }] : undefined,
          randomSamplingPercentage: intent.samplingPercentage,
          customTags: tracing.customTags && Object.keys(tracing.customTags).length
            ? Object.fromEntries(Object.keys(tracing.customTags).sort().map(k => [k, istioCustomTag(tracing.customTags![k])]))
            : undefined,
        }] : undefined,
        accessLogging: logging ? [{
          providers: [{ name: logging.provider ?? 'envoy' }],
          filter: logging.filter ? { expression: logging.filter } : undefined,
        }] : undefined,
        metrics: metrics ? [{
          providers: [{ name: metrics.provider ?? 'prometheus' }],
          overrides: [{
            match: { metric: ALL_METRICS, mode: CLIENT_AND_SERVER },
            tagOverrides: sortKeys({
              ...Object.fromEntries((metrics.removeTags ?? []).map(t => [t, { operation: REMOVE }])),
              ...Object.fromEntries(Object.entries(metrics.setTags ?? {}).map(([t, v]) => [t, { operation: UPSERT, value: v }])),
            }),
          }],
        }] : undefined,
      },
    });
  };
}
