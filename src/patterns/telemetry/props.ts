const HEADER_NAME = /^[-_A-Za-z0-9]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
