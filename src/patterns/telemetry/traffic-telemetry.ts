import { parse as parseCel } from '@bufbuild/cel';
import { Construct, IConstruct } from 'constructs';
import * as istio from '../../imports/istio';
import { ConsulProxyDefaults, writesDatacenterWide } from '../../meshes/consul/singletons';
import { AmbientNamespace } from '../../meshes/istio/ambient';
import { Mesh, MeshKind } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { ProblemList, show } from '../../private/errors';
import { apiObjectOf, describeObject } from '../../private/k8s-objects';
import { markClusterScoped, objectMetadata, sortKeys } from '../../private/metadata';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';
import { UnsupportedSettings } from '../resilience/resilient-service';

const TAG_NAME = /^[A-Za-z_][-A-Za-z0-9_.]*$/;
const HEADER_NAME = /^[-_A-Za-z0-9]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The share of requests traced by default, in percent (1 %, as the seed articles advise). */
const DEFAULT_SAMPLING_PERCENTAGE = 1;
/** The environment variables Istio's injection template gives istio-proxy (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml). */
const ISTIO_PROXY_ENV_NAMES = 'POD_NAME, POD_NAMESPACE, INSTANCE_IP, HOST_IP, SERVICE_ACCOUNT, TRUST_DOMAIN, PROXY_CONFIG, ISTIO_CPU_LIMIT and ISTIO_META_*';
const ISTIO_PROXY_ENV = /^(POD_NAME|POD_NAMESPACE|INSTANCE_IP|HOST_IP|SERVICE_ACCOUNT|TRUST_DOMAIN|PROXY_CONFIG|ISTIO_CPU_LIMIT|CA_ADDR|PILOT_CERT_PROVIDER|GOMAXPROCS|GOMEMLIMIT|ISTIO_META_[A-Z0-9_]+)$/;

/** Above this sampling percentage, a production namespace gets a warning. */
const PRODUCTION_SAMPLING_LIMIT = 10;

/**
 * Where the value of a custom trace tag comes from.
 */
export class TraceTag {
  /** A fixed value, e.g. `production`. */
  public static literal(value: string): TraceTag {
    return new TraceTag('literal', value);
  }

  /**
   * The value of an environment variable of the proxy, e.g. `ISTIO_META_CLUSTER_ID` (the cluster's
   * name: istio-proxy has no `CLUSTER_NAME`). Istio's injection sets POD_NAME, POD_NAMESPACE,
   * INSTANCE_IP, HOST_IP, SERVICE_ACCOUNT and ISTIO_META_* (CLUSTER_ID, MESH_ID, NETWORK, NODE_NAME,
   * WORKLOAD_NAME...); other names must be added to the proxy by the user.
   */
  public static fromEnvironment(name: string, defaultValue?: string): TraceTag {
    return new TraceTag('environment', name, defaultValue);
  }

  /** The value of a request header, e.g. `x-tenant`. */
  public static fromHeader(name: string, defaultValue?: string): TraceTag {
    return new TraceTag('header', name, defaultValue);
  }

  private constructor(
    /** `literal`, `environment` or `header`. */
    public readonly source: string,
    /** The literal value, or the variable's or header's name. */
    public readonly value: string,
    /** The value when the variable or header is missing. */
    public readonly defaultValue?: string,
  ) {}

  /** @internal */
  public _problem(): string | undefined {
    if (typeof this.value !== 'string' || !this.value) return `a ${this.source} tag needs a non-empty ${this.source === 'literal' ? 'value' : 'name'}`;
    if (this.source === 'header' && !HEADER_NAME.test(this.value)) return 'a header name is letters, digits, \'-\' and \'_\'';
    if (this.source === 'environment' && !ENV_NAME.test(this.value)) return 'an environment variable name is letters, digits and \'_\', not starting with a digit';
    return undefined;
  }

  /** @internal */
  public _toIstio(): istio.TelemetrySpecTracingCustomTags {
    switch (this.source) {
      case 'literal': return { literal: { value: this.value } };
      case 'environment': return { environment: { name: this.value, defaultValue: this.defaultValue } };
      default: return { header: { name: this.value, defaultValue: this.defaultValue } };
    }
  }
}

/**
 * Distributed tracing.
 */
export interface TracingOptions {
  /**
   * The tracing provider, as named in Istio's MeshConfig `extensionProviders` (e.g. `jaeger`, `otel`).
   * @default - the mesh's default tracing provider (MeshConfig `defaultProviders.tracing`)
   */
  readonly provider?: string;
  /**
   * The share of requests traced, in percent from 0 to 100: `1` is 1 % (not 100 %).
   * @default 1
   */
  readonly samplingPercentage?: number;
  /**
   * Tags added to every span, e.g. `{ environment: TraceTag.literal('production') }`.
   * @default - none
   */
  readonly customTags?: { [name: string]: TraceTag };
}

/**
 * The format of access log lines.
 */
export enum AccessLogFormat {
  /** One JSON object per request (Linkerd `json`; Consul's default). */
  JSON = 'json',
  /** One text line per request (Linkerd `apache`, the Apache Common Log Format). */
  TEXT = 'text',
}

/**
 * Access logging.
 */
export interface AccessLoggingOptions {
  /**
   * Istio: the access log provider of MeshConfig `extensionProviders`; the format is set there.
   * @default 'envoy' (Istio's built-in provider, to the proxy's standard output)
   */
  readonly provider?: string;
  /**
   * Istio: log only requests for which this CEL expression holds, e.g. `response.code >= 400`.
   * @default - every request
   */
  readonly filter?: string;
  /**
   * Linkerd and Consul: the format of the lines (Istio sets it in the provider).
   * @default AccessLogFormat.JSON
   */
  readonly format?: AccessLogFormat;
}

/**
 * Overrides of the standard Istio metrics' tags (labels).
 */
export interface MetricsOptions {
  /**
   * The metrics provider of MeshConfig `extensionProviders`.
   * @default 'prometheus'
   */
  readonly provider?: string;
  /**
   * Tags removed from every metric (to bound cardinality), e.g. `['request_protocol']`.
   * @default - none
   */
  readonly removeTags?: string[];
  /**
   * Tags added or replaced on every metric: name → CEL expression, e.g. `{ method: 'request.method' }`.
   * @default - none
   */
  readonly setTags?: { [name: string]: string };
}

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
    // the built-in meshes' objects for this pattern are still written below (docs/architecture.md): a mesh
    // without them is refused here, before anything mesh-specific is read
    rendererFor(this, this.mesh, 'telemetry');
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
        if (!problem && tag.source === 'environment' && this.mesh.kind === MeshKind.ISTIO && !ISTIO_PROXY_ENV.test(tag.value)) {
          this._warn(`tracing.customTags.${name}: istio-proxy has no environment variable ${tag.value} unless you add it to the proxy (the injected ones are ${ISTIO_PROXY_ENV_NAMES}); ${tag.value === 'CLUSTER_NAME' ? 'the cluster\'s name is ISTIO_META_CLUSTER_ID' : 'the tag is empty otherwise'}`);
        }
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
    const unsupported: { setting: string; value: unknown; why: string; alternative: string; keep?: string }[] = [];
    if (this.mesh.kind !== MeshKind.ISTIO) {
      const name = this.mesh.displayName;
      if (tracing) {
        unsupported.push({
          setting: 'tracing',
          value: tracing.samplingPercentage ?? DEFAULT_SAMPLING_PERCENTAGE,
          why: this.mesh.kind === MeshKind.LINKERD
            ? 'Linkerd proxies trace only requests the caller or ingress already sampled; the collector is set at install time (Helm proxy.tracing)'
            : 'Consul has no typed tracing setting, only opaque Envoy JSON in ProxyDefaults config.envoy_tracing_json',
          alternative: this.mesh.kind === MeshKind.LINKERD
            ? 'set the sampling rate at the ingress or in the applications\' OpenTelemetry SDKs, and proxy.tracing.collector.endpoint in the Linkerd Helm values'
            : 'configure envoy_tracing_json in the Consul Helm values or a hand-written ProxyDefaults',
        });
      }
      if (metrics) {
        unsupported.push({
          setting: 'metrics',
          value: metrics.removeTags ?? metrics.setTags,
          why: `${name} proxy metrics have fixed labels`,
          alternative: 'drop or rewrite labels in the Prometheus scrape configuration (metric_relabel_configs)',
        });
      }
      if (logging?.filter !== undefined) {
        unsupported.push({ setting: 'accessLogging.filter', value: logging.filter, why: `${name} logs every request`, alternative: 'filter the lines in the log pipeline' });
      }
      if (logging?.provider !== undefined) {
        unsupported.push({ setting: 'accessLogging.provider', value: logging.provider, why: `${name} writes access logs to the proxy's output`, alternative: 'remove provider and collect the proxy container\'s logs' });
      }
      if (service && logging) {
        unsupported.push({
          setting: 'service',
          value: service.name,
          why: this.mesh.kind === MeshKind.LINKERD ? 'the library annotates the namespace, not a workload it does not own' : 'Consul access logs are mesh-wide (ProxyDefaults global)',
          alternative: this.mesh.kind === MeshKind.LINKERD ? 'annotate the workload\'s pod template with config.linkerd.io/access-log yourself' : 'remove service to log every proxy',
          keep: 'without it, other workloads than the service would be logged',
        });
      }
      if (this.mesh.kind === MeshKind.CONSUL && logging?.format === AccessLogFormat.TEXT) {
        unsupported.push({ setting: 'accessLogging.format', value: logging.format, why: 'a Consul text format is an Envoy format string, not a named format', alternative: 'use AccessLogFormat.JSON (Consul\'s default)' });
      }
      if (this.mesh.kind === MeshKind.LINKERD && logging && !props.namespaceObject) {
        unsupported.push({
          setting: 'namespaceObject',
          value: undefined,
          why: 'Linkerd access logging is an annotation on the Namespace, and the chart would otherwise hold two Namespace objects',
          alternative: 'create the namespace with new kplus.Namespace(...) (any cdk8s-plus 2.x package) and pass it as namespaceObject (and to ZeroTrustNamespace)',
          keep: 'access logging would then be left out as a whole',
        });
      }
    } else if (logging?.format !== undefined) {
      unsupported.push({ setting: 'accessLogging.format', value: logging.format, why: 'Istio sets the format in the MeshConfig extension provider', alternative: 'name a provider with the format you want' });
    }
    // the renderers below read none of the settings that can be dropped (tracing, metrics, filter, provider, format off Istio)
    const dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);

    const production = props.production ?? /(^|-)prod(uction)?(-|$)/.test(this.namespace);
    if (tracing && production && this.samplingPercentage! > PRODUCTION_SAMPLING_LIMIT) {
      this._warn(`tracing.samplingPercentage: got ${show(this.samplingPercentage)}: tracing more than ${PRODUCTION_SAMPLING_LIMIT} % of requests in the production namespace ${this.namespace} loads the proxies and the tracing backend; start at 1 %, or set production: false if this is not production`);
    }

    switch (this.mesh.kind) {
      case MeshKind.ISTIO: {
        const name = service ? `${service.name}-telemetry` : 'default';
        const { ALL_UNDERSCORE_METRICS: ALL_METRICS, CLIENT_UNDERSCORE_AND_UNDERSCORE_SERVER: CLIENT_AND_SERVER } = {
          ...istio.TelemetrySpecMetricsOverridesMatchMetric, ...istio.TelemetrySpecMetricsOverridesMatchMode,
        };
        const { REMOVE, UPSERT } = istio.TelemetrySpecMetricsOverridesTagOverridesOperation;
        // ambient: traces, L7 access logs and metrics come from the waypoint (created here); a per-service
        // scope targets the Service, which the waypoint serves, since ztunnel has no L7 telemetry
        if (this.mesh.ambient) {
          const ambient = AmbientNamespace.of(this, this.namespace, this.mesh, props.namespaceObject);
          if (service) ambient.useWaypoint(service, this.node.path);
          else ambient.useNamespaceWaypoint();
        }
        new istio.Telemetry(this, 'Telemetry', {
          metadata: objectMetadata(name, this.namespace),
          spec: {
            selector: service && !this.mesh.ambient ? { matchLabels: sortKeys(service.selector) } : undefined,
            targetRefs: service && this.mesh.ambient ? [{ group: '', kind: 'Service', name: service.name }] : undefined,
            tracing: tracing ? [{
              providers: tracing.provider ? [{ name: tracing.provider }] : undefined,
              randomSamplingPercentage: this.samplingPercentage,
              customTags: tracing.customTags && Object.keys(tracing.customTags).length
                ? Object.fromEntries(Object.keys(tracing.customTags).sort().map(k => [k, tracing.customTags![k]._toIstio()]))
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
        break;
      }
      case MeshKind.LINKERD: {
        if (logging) {
          const given = props.namespaceObject!;
          const ns = apiObjectOf(given);
          if (!ns || ns.kind !== 'Namespace' || ns.apiVersion !== 'v1' || ns.name !== this.namespace) {
            problems.add('namespaceObject', ns?.kind === 'Namespace' ? ns.name : describeObject(given),
              `not the Namespace of the namespace ${this.namespace}`, 'pass the Namespace object of the same namespace (a cdk8s-plus Namespace of any 2.x package, a KubeNamespace or an ApiObject)');
            problems.throwIfAny();
          }
          markClusterScoped(ns!);
          ns!.metadata.addAnnotation('config.linkerd.io/access-log', (logging.format ?? AccessLogFormat.JSON) === AccessLogFormat.JSON ? 'json' : 'apache');
        }
        break;
      }
      default:
        if (logging && writesDatacenterWide(this, this.mesh, 'ProxyDefaults global', 'set accessLogs: { enabled: true, type: stdout }')) {
          ConsulProxyDefaults.of(this, this.namespace).setAccessLogs({ enabled: true, type: 'stdout' }, this.node.path);
        }
    }
    this._markDropped(dropped);
    this._enrol(this.namespace, { namespaceObject: props.namespaceObject, workloads: [service?._workload()] });
  }
}
