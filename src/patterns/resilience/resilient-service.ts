import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { HeaderMatch, HttpMethod, PathMatch, RouteMatch } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { CircuitBreakerIntent, ConnectionPoolIntent, MatchIntent, RateLimitIntent, ResilienceIntent, RetryIntent, RuleIntent } from '../../model/route-intent';
import { ServiceProtocol, ServiceRef } from '../../model/service';
import { Unsupported, UnsupportedSettings } from '../../model/unsupported';
import { checkDuration, formatDuration, millis } from '../../private/duration';
import { ProblemList, show } from '../../private/errors';
import { isDns1123Label } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { PatternRenderer, rendererFor } from '../renderers';
import { ServiceTraffic } from '../traffic/service-traffic';

/**
 * Conditions on which a request is retried.
 */
export enum RetryOn {
  /** Any 5xx response, and connection failures, resets and refused streams (Envoy `5xx`). */
  SERVER_ERROR = '5xx',
  /** 502, 503 and 504 responses (Envoy `gateway-error`). */
  GATEWAY_ERROR = 'gateway-error',
  /** The connection was reset, disconnected or timed out before a response (Envoy `reset`). */
  RESET = 'reset',
  /** The connection to the upstream could not be opened (Envoy `connect-failure`). */
  CONNECT_FAILURE = 'connect-failure',
  /** An HTTP/2 upstream refused the stream with REFUSED_STREAM (Envoy `refused-stream`). */
  REFUSED_STREAM = 'refused-stream',
  /** A 409 response (Envoy `retriable-4xx`). */
  RETRIABLE_4XX = 'retriable-4xx',
}

/**
 * How the client proxies pick an endpoint.
 */
export enum LoadBalancingPolicy {
  /** Each endpoint in turn. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** The endpoint with fewer outstanding requests, of two picked at random. */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** An endpoint at random. */
  RANDOM = 'RANDOM',
}

/**
 * Which errors eject an endpoint.
 */
export enum CircuitBreakerErrors {
  /** Any 5xx response (and connection failures). */
  SERVER_ERRORS = 'SERVER_ERRORS',
  /** Only 502, 503 and 504 (and connection failures). */
  GATEWAY_ERRORS = 'GATEWAY_ERRORS',
}

/**
 * A retry policy.
 */
export interface RetryPolicy {
  /**
   * How many times a failed request is retried after the first try (Istio `attempts`, Linkerd
   * `retry.linkerd.io/limit`, Consul `numRetries`).
   */
  readonly attempts: number;
  /**
   * The timeout of each try. The route's `timeout` still bounds the whole request, so it must be at
   * least `attempts x perTryTimeout`.
   * @default - each try may take up to the route's timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * The conditions to retry on.
   * @default [RetryOn.SERVER_ERROR, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM]
   */
  readonly retryOn?: RetryOn[];
  /**
   * Response status codes that are retried as well (Istio `retriable-status-codes`).
   * @default - none
   */
  readonly retryOnStatusCodes?: number[];
}

/**
 * Circuit breaking by outlier detection: endpoints that keep failing are ejected from the pool
 * for a while.
 */
export interface CircuitBreaker {
  /**
   * Consecutive errors before an endpoint is ejected.
   * @default 5
   */
  readonly consecutiveErrors?: number;
  /**
   * Which errors count.
   * @default CircuitBreakerErrors.SERVER_ERRORS
   */
  readonly errors?: CircuitBreakerErrors;
  /**
   * How often endpoints are scanned.
   * @default - the mesh's default (Istio and Consul: 10s)
   */
  readonly interval?: Duration;
  /**
   * How long an endpoint stays ejected the first time (longer on each repeated ejection).
   * @default - the mesh's default (Istio and Consul: 30s; Linkerd: 1s minimum penalty)
   */
  readonly ejectionTime?: Duration;
  /**
   * The most endpoints, in percent, that may be ejected at once. 100 is refused unless
   * `allowFullEjection` is set, since it can leave a service with no endpoint at all.
   * @default - the mesh's default (Istio and Consul: 10)
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection stops when fewer than this percentage of endpoints are healthy (Istio only).
   * @default - the mesh's default (Istio: 0)
   */
  readonly minHealthPercent?: number;
}

/**
 * Limits on the connections and requests callers keep open to the service.
 */
export interface ConnectionPool {
  /**
   * Maximum TCP connections to the service (all endpoints).
   * @default - the mesh's default (effectively unlimited)
   */
  readonly maxConnections?: number;
  /**
   * Maximum requests waiting for a connection.
   * @default - the mesh's default
   */
  readonly maxPendingRequests?: number;
  /**
   * Maximum requests on one connection before it is closed (1 disables keep-alive).
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum requests in flight to the service.
   * @default - the mesh's default
   */
  readonly maxConcurrentRequests?: number;
  /**
   * Maximum concurrent HTTP/2 streams on one connection (Istio only).
   * @default - the mesh's default
   */
  readonly maxConcurrentStreams?: number;
  /**
   * TCP connect timeout.
   * @default - the mesh's default (Istio: 10s; Consul: 5s)
   */
  readonly connectTimeout?: Duration;
}

/**
 * A rate limit for some callers, by service account.
 */
export interface RateLimitOverride {
  /**
   * The callers' service accounts, as `name` (this namespace) or `namespace/name`.
   */
  readonly serviceAccounts: string[];
  /**
   * Requests per second that these callers may send together.
   */
  readonly requestsPerSecond: number;
}

/**
 * A local rate limit enforced by the service's own proxies. Requests over the limit get
 * `429 Too Many Requests`.
 */
export interface RateLimit {
  /**
   * Requests per second each instance of the service accepts in total.
   */
  readonly requestsPerSecond: number;
  /**
   * Requests per second each caller identity may send (Linkerd only).
   * @default - no per-caller limit
   */
  readonly perCallerRequestsPerSecond?: number;
  /**
   * Limits for named callers (Linkerd only).
   * @default - none
   */
  readonly overrides?: RateLimitOverride[];
}

/**
 * Resilience settings for a subset of the service's requests.
 */
export interface RouteOverride {
  /**
   * The route's name: a DNS-1123 label, unique in the construct.
   */
  readonly name: string;
  /**
   * Which requests the override applies to.
   */
  readonly match: RouteMatch;
  /**
   * The request timeout of these requests.
   * @default - the service's `timeout`
   */
  readonly timeout?: Duration;
  /**
   * The retry policy of these requests.
   * @default - the service's `retries`
   */
  readonly retries?: RetryPolicy;
  /**
   * Turn retries off for these requests: they are retried only where they never reached the
   * application (Istio with sidecars: connect-failure and refused-stream).
   * @default false
   */
  readonly noRetries?: boolean;
}

/**
 * Props of a ResilientService.
 */
export interface ResilientServiceProps {
  /**
   * The mesh to write configuration for.
   */
  readonly mesh: Mesh;
  /**
   * The service whose callers the settings apply to.
   */
  readonly service: ServiceRef;
  /**
   * The request timeout.
   * @default - the mesh's default (Istio: none; Linkerd: none; Consul: 15s)
   */
  readonly timeout?: Duration;
  /**
   * Retries. Only idempotent requests (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) are retried, unless a
   * route is listed in `retryNonIdempotentRoutes`. Requests without a retry policy (no `retries`, a
   * non-idempotent request, `noRetries`) are retried only where they never reached the application: on
   * Istio with sidecars, 2 retries on connect-failure and refused-stream (part of Istio's default, which
   * also retries gRPC unavailable and cancelled, never a 503); on Istio ambient, a waypoint keeps
   * Istio's default (or meshConfig.defaultHttpRetryPolicy when set), and without a waypoint ztunnel (L4)
   * retries nothing.
   * @default - no retries of requests that may have reached the application
   */
  readonly retries?: RetryPolicy;
  /**
   * Circuit breaking by outlier detection.
   * @default - none
   */
  readonly circuitBreaker?: CircuitBreaker;
  /**
   * Connection pool limits.
   * @default - none
   */
  readonly connectionPool?: ConnectionPool;
  /**
   * The load-balancing policy.
   * @default - the mesh's default (Istio and Consul: least request; Linkerd: EWMA)
   */
  readonly loadBalancing?: LoadBalancingPolicy;
  /**
   * A local rate limit.
   * @default - none
   */
  readonly rateLimit?: RateLimit;
  /**
   * Settings for some requests, in order: the first matching route applies on Istio and Consul. Istio
   * ambient takes the most specific by Gateway API precedence, and the Linkerd proxy ranks by longest
   * path, then number of headers, query parameters, then method (linkerd2-proxy `RequestMatch` ordering).
   * @default - none
   */
  readonly routes?: RouteOverride[];
  /**
   * Names of routes whose non-idempotent requests (e.g. POST, PATCH) may be retried.
   * @default - none: non-idempotent requests are never retried
   */
  readonly retryNonIdempotentRoutes?: string[];
  /**
   * Allow `circuitBreaker.maxEjectionPercent` of 100, which can eject every endpoint.
   * @default false
   */
  readonly allowFullEjection?: boolean;
  /**
   * The services that call this one (Consul only: Consul configures circuit breaking and connection
   * limits on the caller's side, in each caller's `ServiceDefaults.upstreamConfig`).
   * @default - none
   */
  readonly callers?: ServiceRef[];
  /**
   * What to do with settings the mesh cannot express.
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

const IDEMPOTENT: HttpMethod[] = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.DELETE];
const DEFAULT_RETRY_ON = [RetryOn.SERVER_ERROR, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM];
const SA_REF = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/**
 * The retry policies of `intent` (by a rule's retrySource) that `dropped` leaves out whole: a mesh that cannot
 * retry names the policy itself (Istio ambient's resilience.ts: `retries`, `routes[0].retries`); a partial drop
 * names a part of it (Linkerd's `<source>.retryOn`, Consul's `<source>.perTryTimeout`), and the rest of the
 * policy is written. A setting kept (`keep`) is refused, not left out.
 */
function droppedWhole(intent: ResilienceIntent, dropped: Unsupported[]): Set<string> {
  const sources = new Set(intent.rules.filter(r => r.retry).map(r => r.retrySource));
  return new Set(dropped.filter(u => !u.keep && sources.has(u.setting)).map(u => u.setting));
}

/**
 * How callers should treat a service: timeouts, retries, circuit breaking, connection pool limits,
 * load balancing and a local rate limit, written for Istio, Linkerd or Consul.
 *
 * @example
 * import { Duration } from 'cdk8s';
 * import { Mesh, ResilientService, ServiceRef } from 'cdk8s-mesh';
 *
 * new ResilientService(chart, 'payment', {
 *   mesh: Mesh.istio(),
 *   service: ServiceRef.fromName('payment', { port: 8080 }),
 *   timeout: Duration.seconds(3),
 *   retries: { attempts: 3, perTryTimeout: Duration.seconds(1) },
 *   circuitBreaker: { consecutiveErrors: 5, interval: Duration.seconds(30), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
 * });
 */
export class ResilientService extends MeshConstruct {
  /** The service. */
  public readonly service: ServiceRef;
  /**
   * The settings it writes on the service's routes (timeouts and retries), in words: those a gateway's own
   * route to the service does not get (IngressGateway's warnings).
   * @internal
   */
  public readonly _routeSettings: string[];
  private readonly _dropped: Unsupported[] = [];

  constructor(scope: Construct, id: string, props: ResilientServiceProps) {
    super(scope, id, props?.mesh);
    const renderer = rendererFor(this, this.mesh, 'resilience');
    const problems = new ProblemList(this);
    this.service = this._requireService(props.service);
    const drop = props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING;
    const dropped = drop ? this.retriesDroppedWhole(props, renderer) : new Set<string>();
    const intent = this.buildIntent(props, problems, source => !dropped.has(source));
    problems.throwIfAny();
    this._routeSettings = [
      ...(props.timeout ? [`timeout ${formatDuration(props.timeout)}`] : []),
      ...(props.retries ? [`retries (${props.retries.attempts} attempts)`] : []),
      ...(props.routes ?? []).filter(r => r.timeout || r.retries || r.noRetries).map(r => `route ${r.name}`),
    ];

    this._askMesh(problems, renderer, intent);
    const unsupported = renderer.unsupported(intent, this._renderContext());
    this.warnRetryStorm(intent, drop ? unsupported : []);
    const note = this._handleUnsupported(problems, unsupported, drop);
    this._dropped.push(...(note ? unsupported : []));
    ServiceTraffic.of(this, this.mesh, this.service).setResilience({
      rules: intent.rules,
      circuitBreaker: intent.circuitBreaker,
      connectionPool: intent.connectionPool,
      loadBalancing: intent.loadBalancing,
    }, this, note);
    renderer.render(this, intent, this._renderContext(note));
    // settings all dropped may leave nothing to write (Istio ambient: no route, no waypoint): said at synthesis
    this._warnIfNotedNowhere(note);
    // the service's pods and its callers' (whose proxies apply timeouts, retries and circuit breaking)
    this._enrolServices([this.service, ...(props.callers ?? [])]);
  }

  /** The settings left out because the mesh cannot express them (with UnsupportedSettings.DROP_WITH_WARNING). */
  public get droppedSettings(): string[] {
    return this._dropped.map(d => d.setting);
  }

  /**
   * The retry policies (by retrySource) that the mesh leaves out whole with DROP_WITH_WARNING (Istio ambient,
   * which writes no retries), asked of the rules as they would be without retries (not split by method):
   * their rules are then built as without retries. This pass's problems are found again by buildIntent.
   */
  private retriesDroppedWhole(props: ResilientServiceProps, renderer: PatternRenderer<ResilienceIntent>): Set<string> {
    if (!props.retries && !(props.routes ?? []).some(r => r?.retries)) return new Set();
    const unsplit = this.buildIntent(props, new ProblemList(this), () => false);
    return droppedWhole(unsplit, renderer.unsupported(unsplit, this._renderContext()));
  }

  /**
   * The intent. `retriesWritten(retrySource)`: whether the mesh writes the retries of the rules from that
   * source; a policy it leaves out whole (retriesDroppedWhole) gives the rules and the refusals of the same
   * service without retries: one rule per route, not split by idempotency (two rules of one timeout where
   * one does), no refusal of a non-idempotent method or of a timeout shorter than the tries, for retries
   * that no request gets. Its rules keep `retry`: the dropped-settings note goes on the objects that hold
   * such rules (gateway-api/http-route.ts holdsRetriesOf), and the mesh is asked of it (unsupported).
   */
  private buildIntent(props: ResilientServiceProps, problems: ProblemList, retriesWritten: (retrySource: string) => boolean): ResilienceIntent {
    const service = props.service;
    for (const p of service._problems('service')) problems.addRaw(p);
    const routes = props.routes ?? [];
    const optIn = new Set(props.retryNonIdempotentRoutes ?? []);

    if (service.protocol === ServiceProtocol.TCP) {
      const l7 = ['timeout', 'retries', 'routes', 'rateLimit'].filter(k => (props as any)[k] !== undefined);
      for (const k of l7) {
        problems.add(k, (props as any)[k], `service ${service.name} speaks opaque TCP, where HTTP timeouts, retries, routes and rate limits do not apply`,
          'declare the port as ServiceProtocol.HTTP, HTTP2 or GRPC, or remove the setting');
      }
    }

    checkDuration(problems, 'timeout', props.timeout);
    const defaultRetry = props.retries ? this.retryIntent(problems, 'retries', props.retries) : undefined;

    // routes
    const names = new Set<string>();
    routes.forEach((r, i) => {
      const prop = `routes[${i}]`;
      if (!isDns1123Label(r.name, 50)) {
        problems.add(`${prop}.name`, r.name, 'a route name must be a DNS-1123 label of at most 50 characters', "use a name such as 'create-payment'");
      } else if (names.has(r.name) || r.name === 'default') {
        problems.add(`${prop}.name`, r.name, r.name === 'default' ? '"default" is the name of the service-wide rule' : 'route names must be unique', 'rename the route');
      }
      names.add(r.name);
      checkDuration(problems, `${prop}.timeout`, r.timeout);
      if (r.noRetries && r.retries) {
        problems.add(`${prop}.noRetries`, true, 'noRetries and retries exclude each other', 'remove one of them');
      }
      if (!r.match || (!r.match.path && !r.match.methods?.length && !r.match.headers?.length)) {
        problems.add(`${prop}.match`, r.match, 'a route override needs a condition (path, methods or headers)', 'set match: { path: PathMatch.prefix(\'/api\') } or use the service-wide settings');
      }
    });
    for (const name of optIn) {
      if (!names.has(name) && name !== 'default') {
        problems.add('retryNonIdempotentRoutes', name, `there is no route named ${show(name)}`, `use one of: ${[...names, 'default'].join(', ')}`);
      }
    }

    const rules: RuleIntent[] = [];
    routes.forEach((r, i) => {
      const prop = `routes[${i}]`;
      const match = this.matchIntent(problems, `${prop}.match`, r.match ?? {});
      const retry = r.noRetries ? undefined : r.retries ? this.retryIntent(problems, `${prop}.retries`, r.retries) : defaultRetry;
      const timeoutMs = r.timeout ? millis(r.timeout) : props.timeout ? millis(props.timeout) : undefined;
      const retrySource = r.retries ? `${prop}.retries` : 'retries';
      const rule: RuleIntent = { name: r.name, source: prop, retrySource, match, timeoutMs, retry };
      if (!retriesWritten(retrySource)) {
        rules.push(rule);
        return;
      }
      this.checkTimeBudget(problems, r.timeout ? `${prop}.timeout` : 'timeout', timeoutMs, retry, retrySource);
      rules.push(...this.splitByIdempotency(problems, rule, optIn.has(r.name)));
    });
    const defaultTimeout = props.timeout ? millis(props.timeout) : undefined;
    const defaultWritten = retriesWritten('retries');
    if (defaultWritten) this.checkTimeBudget(problems, 'timeout', defaultTimeout, defaultRetry, 'retries');
    // (a default rule of dropped retries alone is kept: the routes that carry their note)
    if (defaultTimeout !== undefined || defaultRetry || routes.length) {
      const rule: RuleIntent = { name: 'default', source: 'default', retrySource: 'retries', timeoutMs: defaultTimeout, retry: defaultRetry };
      rules.push(...defaultWritten ? this.splitByIdempotency(problems, rule, optIn.has('default')) : [rule]);
    }

    const circuitBreaker = props.circuitBreaker ? this.circuitBreakerIntent(problems, props.circuitBreaker, props.allowFullEjection ?? false) : undefined;
    const connectionPool = props.connectionPool ? this.connectionPoolIntent(problems, props.connectionPool) : undefined;
    const rateLimit = props.rateLimit ? this.rateLimitIntent(problems, props.rateLimit) : undefined;
    if (props.loadBalancing !== undefined && !Object.values(LoadBalancingPolicy).includes(props.loadBalancing)) {
      problems.add('loadBalancing', props.loadBalancing, 'not a load-balancing policy', `use one of LoadBalancingPolicy.${Object.keys(LoadBalancingPolicy).join(', LoadBalancingPolicy.')}`);
    }
    (props.callers ?? []).forEach((c, i) => {
      if (!(c instanceof ServiceRef)) problems.add(`callers[${i}]`, c, 'not a service reference', "use ServiceRef.fromName('order', { port: 8080 })");
      else for (const p of c._problems(`callers[${i}]`)) problems.addRaw(p);
    });

    return {
      service,
      serviceName: service.name,
      namespace: service._namespaceFrom(this),
      host: service._fqdn(this, this.mesh.clusterDomain),
      port: service.port,
      // read when a renderer needs it (a named targetPort resolves through workloads defined later: ServiceRef.targetPort)
      get targetPort() {
        return service.targetPort;
      },
      protocol: service.protocol,
      rules,
      circuitBreaker,
      connectionPool,
      loadBalancing: props.loadBalancing,
      rateLimit,
      callers: props.callers ?? [],
    };
  }

  /**
   * Warns of retries without a circuit breaker, for the retries that are written: a rule's retry policy left
   * out whole (`dropped`, droppedWhole) retries nothing.
   */
  private warnRetryStorm(intent: ResilienceIntent, dropped: Unsupported[]): void {
    const droppedPolicies = droppedWhole(intent, dropped);
    if (!intent.circuitBreaker && intent.rules.some(r => r.retry && !droppedPolicies.has(r.retrySource))) {
      this._warn('retries without a circuit breaker can turn a slow or failing service into a retry storm: add circuitBreaker (outlier detection)');
    }
  }

  private retryIntent(problems: ProblemList, prop: string, r: RetryPolicy): RetryIntent | undefined {
    if (!Number.isInteger(r.attempts) || r.attempts < 1 || r.attempts > 10) {
      problems.add(`${prop}.attempts`, r.attempts, 'retry attempts must be a whole number from 1 to 10 (more is a retry storm)', 'use attempts: 3, or noRetries: true on a route to turn retries off');
    }
    checkDuration(problems, `${prop}.perTryTimeout`, r.perTryTimeout);
    const on = r.retryOn ?? DEFAULT_RETRY_ON;
    on.forEach((c, i) => {
      if (!Object.values(RetryOn).includes(c)) problems.add(`${prop}.retryOn[${i}]`, c, 'not a retry condition', 'use a RetryOn value, e.g. RetryOn.SERVER_ERROR');
    });
    if (on.length === 0 && !(r.retryOnStatusCodes ?? []).length) {
      problems.add(`${prop}.retryOn`, on, 'a retry policy needs at least one condition', 'leave retryOn out for the default conditions, or list some');
    }
    (r.retryOnStatusCodes ?? []).forEach((c, i) => {
      if (!Number.isInteger(c) || c < 100 || c > 599) problems.add(`${prop}.retryOnStatusCodes[${i}]`, c, 'an HTTP status code is a whole number from 100 to 599', 'use e.g. 503');
    });
    return {
      attempts: r.attempts,
      perTryTimeoutMs: r.perTryTimeout ? millis(r.perTryTimeout) : undefined,
      on: [...new Set(on)],
      statusCodes: [...new Set(r.retryOnStatusCodes ?? [])].sort((a, b) => a - b),
    };
  }

  private checkTimeBudget(problems: ProblemList, timeoutProp: string, timeoutMs: number | undefined, retry: RetryIntent | undefined, retryProp: string) {
    if (timeoutMs === undefined || !retry?.perTryTimeoutMs || !Number.isInteger(retry.attempts)) return;
    // attempts counts retries: a request makes the first try and then up to `attempts` more
    const tries = retry.attempts + 1;
    const needed = tries * retry.perTryTimeoutMs;
    if (timeoutMs < needed) {
      problems.add(timeoutProp, `${timeoutMs}ms`,
        `the timeout leaves no room for the retries: (${retryProp}.attempts + 1 first try) x ${retryProp}.perTryTimeout = ${tries} x ${retry.perTryTimeoutMs}ms = ${needed}ms > ${timeoutMs}ms`,
        `raise the timeout to at least ${needed}ms, or lower attempts or perTryTimeout`);
    }
  }

  private splitByIdempotency(problems: ProblemList, rule: RuleIntent, optedIn: boolean): RuleIntent[] {
    if (!rule.retry || optedIn) return [rule];
    const methods = rule.match?.methods;
    if (methods) {
      const unsafe = methods.filter(m => !IDEMPOTENT.includes(m));
      if (unsafe.length) {
        problems.add(`${rule.source}`, unsafe.join(', '), `retries would apply to non-idempotent ${unsafe.join(', ')} requests, which may then be processed twice`,
          `set noRetries: true on route ${show(rule.name)}, or list ${show(rule.name)} in retryNonIdempotentRoutes if the handler is idempotent`);
      }
      return [rule];
    }
    // retries only for idempotent methods, then the same match without retries for everything else
    const base = rule.match ?? { headers: [] };
    return [
      { ...rule, name: `${rule.name}-retry`, match: { ...base, methods: [...IDEMPOTENT] } },
      { ...rule, retry: undefined },
    ];
  }

  private matchIntent(problems: ProblemList, prop: string, m: RouteMatch): MatchIntent {
    const path = m.path instanceof PathMatch ? m.path : undefined;
    if (m.path && !path) problems.add(`${prop}.path`, m.path, 'not a PathMatch', "use PathMatch.prefix('/api')");
    const pathProblem = path?._problem();
    if (pathProblem) problems.add(`${prop}.path`, path!.value, pathProblem, "use e.g. PathMatch.prefix('/api')");
    (m.methods ?? []).forEach((meth, i) => {
      if (!Object.values(HttpMethod).includes(meth)) problems.add(`${prop}.methods[${i}]`, meth, 'not an HTTP method', 'use HttpMethod.GET, HttpMethod.POST, ...');
    });
    if (m.methods && m.methods.length === 0) problems.add(`${prop}.methods`, [], 'an empty method list matches nothing', 'leave methods out to match every method');
    const headers = (m.headers ?? []).filter((h, i) => {
      const problem = h instanceof HeaderMatch ? h._problem() : 'not a HeaderMatch';
      if (problem) problems.add(`${prop}.headers[${i}]`, h?.name ?? h, problem, "use HeaderMatch.exact('x-canary', 'true')");
      return !problem;
    });
    return {
      path: path ? { type: path.type, value: path.value } : undefined,
      methods: m.methods?.length ? [...new Set(m.methods)] : undefined,
      headers: headers.map(h => ({ name: h.name.toLowerCase(), type: h.type, value: h.value })),
    };
  }

  private circuitBreakerIntent(problems: ProblemList, cb: CircuitBreaker, allowFullEjection: boolean): CircuitBreakerIntent {
    const errors = cb.consecutiveErrors ?? 5;
    if (!Number.isInteger(errors) || errors < 1) {
      problems.add('circuitBreaker.consecutiveErrors', errors, 'must be a whole number of at least 1', 'use e.g. consecutiveErrors: 5');
    }
    checkDuration(problems, 'circuitBreaker.interval', cb.interval);
    checkDuration(problems, 'circuitBreaker.ejectionTime', cb.ejectionTime);
    for (const [k, v] of [['maxEjectionPercent', cb.maxEjectionPercent], ['minHealthPercent', cb.minHealthPercent]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 100)) {
        problems.add(`circuitBreaker.${k}`, v, 'a percentage must be a whole number from 0 to 100', `use e.g. ${k}: 50`);
      }
    }
    if (cb.maxEjectionPercent === 100 && !allowFullEjection) {
      problems.add('circuitBreaker.maxEjectionPercent', 100, 'ejecting 100% of the endpoints can leave the service with none at all',
        'use at most 50 (a common choice), or set allowFullEjection: true if an empty pool is acceptable');
    }
    return {
      consecutiveErrors: errors,
      gatewayErrorsOnly: cb.errors === CircuitBreakerErrors.GATEWAY_ERRORS,
      intervalMs: cb.interval ? millis(cb.interval) : undefined,
      ejectionTimeMs: cb.ejectionTime ? millis(cb.ejectionTime) : undefined,
      maxEjectionPercent: cb.maxEjectionPercent,
      minHealthPercent: cb.minHealthPercent,
    };
  }

  private connectionPoolIntent(problems: ProblemList, cp: ConnectionPool): ConnectionPoolIntent {
    for (const k of ['maxConnections', 'maxPendingRequests', 'maxRequestsPerConnection', 'maxConcurrentRequests', 'maxConcurrentStreams'] as const) {
      const v = cp[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 2147483647)) {
        problems.add(`connectionPool.${k}`, v, 'must be a whole number from 1 to 2147483647', `use e.g. ${k}: 100`);
      }
    }
    checkDuration(problems, 'connectionPool.connectTimeout', cp.connectTimeout);
    return {
      maxConnections: cp.maxConnections,
      maxPendingRequests: cp.maxPendingRequests,
      maxRequestsPerConnection: cp.maxRequestsPerConnection,
      maxConcurrentRequests: cp.maxConcurrentRequests,
      maxConcurrentStreams: cp.maxConcurrentStreams,
      connectTimeoutMs: cp.connectTimeout ? millis(cp.connectTimeout) : undefined,
    };
  }

  private rateLimitIntent(problems: ProblemList, rl: RateLimit): RateLimitIntent {
    const total = rl.requestsPerSecond;
    if (!Number.isInteger(total) || total < 1) {
      problems.add('rateLimit.requestsPerSecond', total, 'must be a whole number of at least 1', 'use e.g. requestsPerSecond: 100');
    }
    const perCaller = rl.perCallerRequestsPerSecond;
    if (perCaller !== undefined && (!Number.isInteger(perCaller) || perCaller < 1 || perCaller > total)) {
      problems.add('rateLimit.perCallerRequestsPerSecond', perCaller, `must be a whole number from 1 to the total (${total})`, 'lower it, or raise requestsPerSecond');
    }
    const overrides = (rl.overrides ?? []).map((o, i) => {
      if (!Number.isInteger(o.requestsPerSecond) || o.requestsPerSecond < 1 || o.requestsPerSecond > total) {
        problems.add(`rateLimit.overrides[${i}].requestsPerSecond`, o.requestsPerSecond, `must be a whole number from 1 to the total (${total})`, 'lower it, or raise requestsPerSecond');
      }
      if (!o.serviceAccounts?.length) problems.add(`rateLimit.overrides[${i}].serviceAccounts`, o.serviceAccounts, 'an override needs at least one caller', "list service accounts such as 'order' or 'shop/order'");
      const serviceAccounts = (o.serviceAccounts ?? []).map((sa, j) => {
        const m = typeof sa === 'string' ? SA_REF.exec(sa) : null;
        if (!m) {
          problems.add(`rateLimit.overrides[${i}].serviceAccounts[${j}]`, sa, 'a service account is `name` or `namespace/name` (DNS-1123 names); wildcards are not allowed', "use e.g. 'shop/order'");
          return { name: String(sa) };
        }
        return { name: m[3], namespace: m[1] };
      });
      return { serviceAccounts, requestsPerSecond: o.requestsPerSecond };
    });
    return { requestsPerSecond: total, perCallerRequestsPerSecond: perCaller, overrides };
  }
}
