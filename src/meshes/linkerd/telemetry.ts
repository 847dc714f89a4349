import { Construct } from 'constructs';
import type { Unsupported } from '../../model/unsupported';
import type { TelemetryIntent } from '../../patterns/telemetry/intent';
import { AccessLogFormat } from '../../patterns/telemetry/props';
import { ProblemList } from '../../private/errors';
import { apiObjectOf, describeObject } from '../../private/k8s-objects';
import { markClusterScoped } from '../../private/metadata';
import { PatternRenderer } from '../renderer';
import { fixedProxyTelemetryUnsupported } from '../telemetry';

/** Linkerd: access logging only, as an annotation on the Namespace. */
export const LINKERD_TELEMETRY: PatternRenderer<TelemetryIntent> = {
  unsupported(intent: TelemetryIntent) {
    const { service, tracing, accessLogging: logging } = intent;
    const out: Unsupported[] = [];
    if (tracing) {
      out.push({
        setting: 'tracing',
        value: intent.samplingPercentage,
        why: 'Linkerd proxies trace only requests the caller or ingress already sampled; the collector is set at install time (Helm proxy.tracing)',
        alternative: 'set the sampling rate at the ingress or in the applications\' OpenTelemetry SDKs, and proxy.tracing.collector.endpoint in the Linkerd Helm values',
      });
    }
    out.push(...fixedProxyTelemetryUnsupported(intent, 'Linkerd'));
    if (service && logging) {
      out.push({
        setting: 'service',
        value: service.name,
        why: 'the library annotates the namespace, not a workload it does not own',
        alternative: 'annotate the workload\'s pod template with config.linkerd.io/access-log yourself',
        keep: 'without it, other workloads than the service would be logged',
      });
    }
    if (logging && !intent.namespaceObject) {
      out.push({
        setting: 'namespaceObject',
        value: undefined,
        why: 'Linkerd access logging is an annotation on the Namespace, and the chart would otherwise hold two Namespace objects',
        alternative: 'create the namespace with new kplus.Namespace(...) (any cdk8s-plus 2.x package) and pass it as namespaceObject (and to ZeroTrustNamespace)',
        keep: 'access logging would then be left out as a whole',
      });
    }
    return out;
  },

  render(scope: Construct, intent: TelemetryIntent) {
    const logging = intent.accessLogging;
    const problems = new ProblemList(scope);
    if (logging) {
      const given = intent.namespaceObject!;
      const ns = apiObjectOf(given);
      if (!ns || ns.kind !== 'Namespace' || ns.apiVersion !== 'v1' || ns.name !== intent.namespace) {
        problems.add('namespaceObject', ns?.kind === 'Namespace' ? ns.name : describeObject(given),
          `not the Namespace of the namespace ${intent.namespace}`, 'pass the Namespace object of the same namespace (a cdk8s-plus Namespace of any 2.x package, a KubeNamespace or an ApiObject)');
        problems.throwIfAny();
      }
      markClusterScoped(ns!);
      ns!.metadata.addAnnotation('config.linkerd.io/access-log', (logging.format ?? AccessLogFormat.JSON) === AccessLogFormat.JSON ? 'json' : 'apache');
    }
  },
};
