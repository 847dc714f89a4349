import { parse as parseCel } from '@bufbuild/cel';
import { Construct, IConstruct } from 'constructs';
import { TelemetryIntent } from './intent';
import { AccessLogFormat, AccessLoggingOptions, MetricsOptions, TraceTag, TracingOptions } from './props';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { UnsupportedSettings } from '../../model/unsupported';
import { ProblemList, show } from '../../private/errors';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';

export * from './props';

const TAG_NAME = /^[A-Za-z_][-A-Za-z0-9_.]*$/;

/** The share of requests traced by default, in percent (1 %, as the seed articles advise). */
const DEFAULT_SAMPLING_PERCENTAGE = 1;

/** Above this sampling percentage, a production namespace gets a warning. */
const PRODUCTION_SAMPLING_LIMIT = 10;

/**
 * Props of a TrafficTelemetry.
 */
export interface TrafficTelemetryProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /**
   * The namespace whose workloads report.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Only this service's workloads (Istio: a workload selector).
   * @default - every workload of the namespace
   */
  readonly service?: ServiceRef;
  /**
   * Distributed tracing (Istio only: Linkerd and Consul configure it at install time).
   * @default - no tracing settings
   */
  readonly tracing?: TracingOptions;
  /**
   * Access logging.
   * @default - no access logging settings
   */
  readonly accessLogging?: AccessLoggingOptions;
  /**
   * Metric tag overrides (Istio only).
   * @default - no metrics settings
   */
  readonly metrics?: MetricsOptions;
  /**
   * Whether the namespace serves production traffic: then sampling above 10 % gets a warning.
   * @default - true when the namespace is named `prod`, `production` or has a `prod-`/`-prod` part
   */
  readonly production?: boolean;
  /**
   * Linkerd: the Namespace object to annotate for access logging (the same one given to a
   * ZeroTrustNamespace, so that the chart holds one Namespace): a `Namespace` of any cdk8s-plus 2.x
   * package, an imported `KubeNamespace` or an `ApiObject` of kind `Namespace` (typed `IConstruct` so
   * that any cdk8s-plus version's class is accepted).
   * @default - Linkerd access logging is refused without it
   */
  readonly namespaceObject?: IConstruct;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. A `service` scope or a missing `namespaceObject` is always refused (leaving it out would log other workloads, or nothing).
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * Tracing, access logging and metrics for a namespace or one service. Istio writes a `Telemetry`
 * (tracing with a sampling percentage and custom tags, access logging with an optional CEL filter,
 * metric tag overrides); Linkerd writes the `config.linkerd.io/access-log` annotation on the namespace;
 * Consul writes `accessLogs` into the mesh-wide `ProxyDefaults`. What a mesh cannot express (tracing
 * on Linkerd and Consul, which is set at install time; metrics overrides) is refused, naming it.
 *
 * @example
 * import { Mesh, TraceTag, TrafficTelemetry } from 'cdk8s-mesh';
 *
 * new TrafficTelemetry(chart, 'tracing', {
 *   mesh: Mesh.istio(),
 *   namespace: 'shop',
 *   tracing: {
 *     provider: 'jaeger',
 *     samplingPercentage: 1,
 *     customTags: { environment: TraceTag.literal('production'), cluster: TraceTag.fromEnvironment('CLUSTER_NAME') },
 *   },
 * });
 */
export class TrafficTelemetry extends MeshConstruct {
  /** The namespace. */
  public readonly namespace: string;
  /** The tracing sampling percentage written, if tracing is configured. */
  public readonly samplingPercentage?: number;

  constructor(scope: Construct, id: string, props: TrafficTelemetryProps) {
    super(scope, id, props?.mesh);
    const renderer = rendererFor(this, this.mesh, 'telemetry');
    const problems = new ProblemList(this);
    const namespace = this._resolveNamespace(problems, props.namespace, 'telemetry');
    problems.throwIfAny();
    this.namespace = namespace!;
    const service = props.service === undefined ? undefined : this._requireService(props.service);
    for (const p of service?._problems('service') ?? []) problems.addRaw(p);
    if (!props.tracing && !props.accessLogging && !props.metrics) {
      problems.add('tracing', undefined, 'telemetry needs tracing, accessLogging or metrics', "set e.g. tracing: { provider: 'jaeger', samplingPercentage: 1 }");
    }
    const providerName = (prop: string, v: unknown) => {
      if (v !== undefined && (typeof v !== 'string' || !v.trim())) problems.add(prop, v, 'a provider is named by a non-empty string', "use the name of a MeshConfig extensionProviders entry, e.g. 'jaeger'");
    };

    const tracing = props.tracing;
    if (tracing) {
      providerName('tracing.provider', tracing.provider);
      const pct = tracing.samplingPercentage ?? DEFAULT_SAMPLING_PERCENTAGE;
      if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
        problems.add('tracing.samplingPercentage', pct, 'a sampling percentage is a number from 0 to 100 (1 means 1 %)', 'use e.g. samplingPercentage: 1');
      }
      this.samplingPercentage = pct;
      for (const [name, tag] of Object.entries(tracing.customTags ?? {})) {
        if (!TAG_NAME.test(name)) problems.add(`tracing.customTags.${name}`, name, 'a tag name is letters, digits, \'-\', \'_\' and \'.\', starting with a letter or \'_\'', "rename it, e.g. 'environment'");
        const problem = tag instanceof TraceTag ? tag._problem() : 'not a TraceTag';
        if (problem) problems.add(`tracing.customTags.${name}`, tag instanceof TraceTag ? tag.value : tag, problem, "use TraceTag.literal('production'), TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID') or TraceTag.fromHeader('x-tenant')");
      }
    }
    const logging = props.accessLogging;
    if (logging) {
      providerName('accessLogging.provider', logging.provider);
      if (logging.format !== undefined && !Object.values(AccessLogFormat).includes(logging.format)) {
        problems.add('accessLogging.format', logging.format, 'not an access log format', 'use AccessLogFormat.JSON or AccessLogFormat.TEXT');
      }
      if (logging.filter !== undefined) {
        if (typeof logging.filter !== 'string' || !logging.filter.trim()) {
          problems.add('accessLogging.filter', logging.filter, 'a filter is a non-empty CEL expression', "use e.g. filter: 'response.code >= 400'");
        } else {
          try {
            parseCel(logging.filter);
          } catch (e) {
            problems.add('accessLogging.filter', logging.filter, `not a CEL expression (${(e as Error).message.split('\n')[0]})`, "write a CEL expression over Envoy attributes, e.g. 'response.code >= 400'");
          }
        }
      }
    }
    const metrics = props.metrics;
    if (metrics) {
      providerName('metrics.provider', metrics.provider);
      if (!(metrics.removeTags?.length) && !Object.keys(metrics.setTags ?? {}).length) {
        problems.add('metrics', metrics, 'a metrics override removes or sets tags', "set removeTags: ['request_protocol'] or setTags: { method: 'request.method' }");
      }
      (metrics.removeTags ?? []).forEach((t, i) => {
        if (typeof t !== 'string' || !TAG_NAME.test(t)) problems.add(`metrics.removeTags[${i}]`, t, 'a tag name is letters, digits, \'-\', \'_\' and \'.\'', "use e.g. 'request_protocol'");
        if (metrics.setTags && Object.prototype.hasOwnProperty.call(metrics.setTags, t)) problems.add(`metrics.removeTags[${i}]`, t, 'the tag is also in setTags: one override per tag', 'keep it in one of the two');
      });
      for (const [name, expr] of Object.entries(metrics.setTags ?? {})) {
        if (!TAG_NAME.test(name)) problems.add(`metrics.setTags.${name}`, name, 'a tag name is letters, digits, \'-\', \'_\' and \'.\'', "rename it, e.g. 'method'");
        let bad = typeof expr !== 'string' || !expr.trim();
        if (!bad) {
          try {
            parseCel(expr);
          } catch {
            bad = true;
          }
        }
        if (bad) problems.add(`metrics.setTags.${name}`, expr, 'a tag value is a CEL expression', "use e.g. 'request.method', or quote a constant: \"'shop'\"");
      }
    }
    problems.throwIfAny();

    // what the chosen mesh cannot express
    const intent: TelemetryIntent = {
      namespace: this.namespace,
      service,
      tracing,
      accessLogging: logging,
      metrics,
      samplingPercentage: this.samplingPercentage,
      namespaceObject: props.namespaceObject,
    };
    // the mesh's warnings on the intent (Istio: an environment tag istio-proxy has no variable for) come first
    this._askMesh(problems, renderer, intent);
    const unsupported = renderer.unsupported(intent, this._renderContext());
    // the renderers below read none of the settings that can be dropped (tracing, metrics, filter, provider, format off Istio)
    const dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);

    const production = props.production ?? /(^|-)prod(uction)?(-|$)/.test(this.namespace);
    if (tracing && production && this.samplingPercentage! > PRODUCTION_SAMPLING_LIMIT) {
      this._warn(`tracing.samplingPercentage: got ${show(this.samplingPercentage)}: tracing more than ${PRODUCTION_SAMPLING_LIMIT} % of requests in the production namespace ${this.namespace} loads the proxies and the tracing backend; start at 1 %, or set production: false if this is not production`);
    }

    renderer.render(this, intent, this._renderContext());
    this._markDropped(dropped);
    this._enrol(this.namespace, { namespaceObject: props.namespaceObject, workloads: [service?._workload()] });
  }
}
