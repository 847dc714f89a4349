import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CircuitBreakerErrors, HeaderMatch, HttpMethod, Identity, IstioDataPlane, LinkerdInboundPolicy, LinkerdRouteApi, LoadBalancingPolicy, Mesh, MeshAnalyzer,
  PathMatch,
  ResilientService, ReachabilityMatrix, ResilientServiceProps, RetryOn, ServiceProtocol, ServiceRef, UnsupportedSettings, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, failureOf, one, shopChart, synthValidated, ofKind } from '../../util';

const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const order = () => ServiceRef.fromName('order', { port: 8080 });

/** The seed values, as in the shop example. */
const FULL = (mesh: Mesh): ResilientServiceProps => ({
  mesh,
  service: payment(),
  timeout: Duration.seconds(3),
  retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.SERVER_ERROR, RetryOn.RESET, RetryOn.CONNECT_FAILURE, RetryOn.REFUSED_STREAM] },
  circuitBreaker: { consecutiveErrors: 5, interval: Duration.seconds(30), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
  connectionPool: { maxConnections: 100, maxPendingRequests: 50, maxConcurrentRequests: 100 },
  routes: [{ name: 'create-payment', match: { path: PathMatch.prefix('/payments'), methods: [HttpMethod.POST] }, timeout: Duration.seconds(10), noRetries: true }],
  callers: [order()],
});

function synth(props: ResilientServiceProps, chart: Chart = shopChart()): any[] {
  new ResilientService(chart, 'payment', props);
  return synthValidated(chart);
}

function fails(props: ResilientServiceProps): string {
  return failureOf(chart => new ResilientService(chart, 'payment', props));
}

const stderr = captureStderr();

describe('snapshots: whole outputs, validated against the pinned CRDs', () => {
  test.each([
    ['istio', Mesh.istio()],
    ['linkerd', Mesh.linkerd()],
    ['consul', Mesh.consul()],
  ])('%s: small (timeout only)', (_name, mesh) => {
    expect(synth({ mesh, service: payment(), timeout: Duration.seconds(3) })).toMatchSnapshot();
  });

  test('istio: full', () => {
    expect(synth({ ...FULL(Mesh.istio()), loadBalancing: LoadBalancingPolicy.LEAST_REQUEST, rateLimit: { requestsPerSecond: 100 } })).toMatchSnapshot();
  });

  test('linkerd: full (status-code retries, failure accrual on the Service, rate limit)', () => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }) });
    expect(synth({
      ...FULL(Mesh.linkerd()),
      service: ServiceRef.fromService(svc),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.SERVER_ERROR], retryOnStatusCodes: [429] },
      circuitBreaker: { consecutiveErrors: 5, ejectionTime: Duration.seconds(30) },
      connectionPool: undefined,
      rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 20, overrides: [{ serviceAccounts: ['order'], requestsPerSecond: 50 }] },
    }, chart)).toMatchSnapshot();
  });

  test('consul: full (Enterprise rate limit)', () => {
    expect(synth({
      ...FULL(Mesh.consul({ enterprise: true })),
      retries: { attempts: 3, retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE], retryOnStatusCodes: [503] },
      loadBalancing: LoadBalancingPolicy.ROUND_ROBIN,
      connectionPool: { maxConnections: 100, maxPendingRequests: 50, maxConcurrentRequests: 100, connectTimeout: Duration.seconds(2) },
      rateLimit: { requestsPerSecond: 100 },
    })).toMatchSnapshot();
  });
});

describe('Istio mapping', () => {
  const full = () => synth({ ...FULL(Mesh.istio()), loadBalancing: LoadBalancingPolicy.ROUND_ROBIN, rateLimit: { requestsPerSecond: 100 } });

  test('timeouts and retries go to the VirtualService; only idempotent methods are retried', () => {
    const vs = one(full(), 'VirtualService', 'payment');
    expect(vs.spec.hosts).toEqual(['payment.shop.svc.cluster.local']);
    expect(vs.spec.http.map((r: any) => r.name)).toEqual(['create-payment', 'default-retry', 'default']);
    const [create, retry, rest] = vs.spec.http;
    // a non-idempotent request keeps only the retries of requests that never reached the app (Istio's
    // own default has these; attempts: 0 would drop them), and the prefix is segment-wise
    expect(create).toMatchObject({ timeout: '10s', retries: { attempts: 2, retryOn: 'connect-failure,refused-stream' } });
    expect(create.match).toEqual([{ uri: { exact: '/payments' }, method: { exact: 'POST' } }, { uri: { prefix: '/payments/' }, method: { exact: 'POST' } }]);
    expect(retry.match.map((m: any) => m.method.exact)).toEqual(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
    expect(retry.retries).toEqual({ attempts: 2, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure,refused-stream' });
    expect(retry.timeout).toBe('3s');
    // everything else (POST, PATCH, custom methods): same timeout, retried only where the request never reached the app
    expect(rest).toEqual({ name: 'default', timeout: '3s', retries: { attempts: 2, retryOn: 'connect-failure,refused-stream' }, route: [{ destination: { host: 'payment.shop.svc.cluster.local', port: { number: 8080 } } }] });
  });

  test('circuit breaker, connection pool and load balancing go to the DestinationRule', () => {
    const dr = one(full(), 'DestinationRule', 'payment');
    expect(dr.spec.host).toBe('payment.shop.svc.cluster.local');
    expect(dr.spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, http2MaxRequests: 100 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    });
  });

  test('gateway errors only map to consecutiveGatewayErrors', () => {
    const dr = one(synth({
      mesh: Mesh.istio(),
      service: payment(),
      circuitBreaker: { errors: CircuitBreakerErrors.GATEWAY_ERRORS, consecutiveErrors: 3, minHealthPercent: 30 },
    }), 'DestinationRule', 'payment');
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({ consecutiveGatewayErrors: 3, minHealthPercent: 30 });
  });

  test('retriable status codes are added to retryOn', () => {
    const vs = one(synth({
      mesh: Mesh.istio(),
      service: payment(),
      retries: { attempts: 2, retryOn: [RetryOn.GATEWAY_ERROR], retryOnStatusCodes: [503, 429] },
      circuitBreaker: {},
    }), 'VirtualService', 'payment');
    expect(vs.spec.http[0].retries.retryOn).toBe('gateway-error,retriable-status-codes,429,503');
  });

  test('a rate limit is an EnvoyFilter on the inbound sidecar that answers 429 with Retry-After', () => {
    const ef = one(full(), 'EnvoyFilter', 'payment-local-ratelimit');
    expect(ef.spec.workloadSelector).toEqual({ labels: { app: 'payment' } });
    const patch = ef.spec.configPatches[0];
    expect(patch.match.context).toBe('SIDECAR_INBOUND');
    // inserted before the router, so after RBAC: callers the policies refuse take no token
    expect(patch.match.listener).toEqual({ filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } });
    expect(patch.patch.operation).toBe('INSERT_BEFORE');
    // the filter before the fix (at the head of the chain) is what the analyzer's I147 reports
    expect(MeshAnalyzer.analyzeObjects([ef]).findings.map(f => f.code)).toEqual([]);
    const head = { ...ef, spec: { ...ef.spec, configPatches: [{ ...patch, match: { ...patch.match, listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager' } } } } }] } };
    expect(MeshAnalyzer.analyzeObjects([head]).findings.map(f => f.code)).toEqual(['I147']);
    const config = patch.patch.value.typed_config;
    expect(config.token_bucket).toEqual({ max_tokens: 100, tokens_per_fill: 100, fill_interval: '1s' });
    expect(config.response_headers_to_add).toContainEqual({ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'retry-after', value: '1' } });
  });

  test('header and exact-path overrides', () => {
    const vs = one(synth({
      mesh: Mesh.istio(),
      service: payment(),
      timeout: Duration.millis(1500),
      routes: [{ name: 'health', match: { path: PathMatch.exact('/healthz'), headers: [HeaderMatch.exact('X-Probe', 'true')] }, timeout: Duration.millis(200) }],
    }), 'VirtualService', 'payment');
    expect(vs.spec.http[0]).toMatchObject({ name: 'health', timeout: '200ms', match: [{ uri: { exact: '/healthz' }, headers: { 'x-probe': { exact: 'true' } } }] });
    expect(vs.spec.http[1]).toMatchObject({ name: 'default', timeout: '1s500ms' });
  });

  test('objects carry the managed-by label and the chart namespace, named after the service', () => {
    const out = full();
    for (const o of out) {
      expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('cdk8s-mesh');
      // the Namespace (the enrolment of the chart's own namespace) is cluster-scoped
      expect(o.metadata.namespace).toBe(o.kind === 'Namespace' ? undefined : 'shop');
    }
  });

  test('per-caller rate limits are refused on Istio, naming the construct, setting, mesh and alternative', () => {
    const message = fails({ mesh: Mesh.istio(), service: payment(), rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10 } });
    expect(message).toContain('[test/payment] rateLimit.perCallerRequestsPerSecond: got 10: Istio cannot express this');
    expect(message).toContain('or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
  });
});

describe('Linkerd mapping', () => {
  test('timeouts are HTTPRoute rule timeouts; retries are annotations on a separate route for idempotent methods', () => {
    const out = synth({
      mesh: Mesh.linkerd(),
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: [RetryOn.SERVER_ERROR] },
      circuitBreaker: undefined,
    });
    const plain = one(out, 'HTTPRoute', 'payment');
    const retry = one(out, 'HTTPRoute', 'payment-retry');
    expect(plain.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(plain.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'payment', port: 8080 }]);
    expect(plain.spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], timeouts: { request: '3s' }, backendRefs: [{ name: 'payment', port: 8080 }] }]);
    expect(plain.metadata.annotations).toBeUndefined();
    expect(retry.metadata.annotations).toEqual({ 'retry.linkerd.io/http': '5xx', 'retry.linkerd.io/limit': '2', 'retry.linkerd.io/timeout': '1s' });
    expect(retry.spec.rules[0].matches.map((m: any) => m.method)).toEqual(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
  });

  test('the policy.linkerd.io route API', () => {
    const out = synth({ mesh: Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY }), service: payment(), timeout: Duration.seconds(3) });
    const route = one(out, 'HTTPRoute', 'payment');
    expect(route.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(route.spec.parentRefs[0].group).toBe('core');
  });

  test('failure accrual is written as annotations on the cdk8s-plus Service', () => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }) });
    const out = synth({
      mesh: Mesh.linkerd(),
      service: ServiceRef.fromService(svc),
      circuitBreaker: { consecutiveErrors: 7, ejectionTime: Duration.seconds(10) },
    }, chart);
    expect(one(out, 'Service', 'payment').metadata.annotations).toEqual({
      'balancer.linkerd.io/failure-accrual': 'consecutive',
      'balancer.linkerd.io/failure-accrual-consecutive-max-failures': '7',
      'balancer.linkerd.io/failure-accrual-consecutive-min-penalty': '10s',
      'balancer.linkerd.io/failure-accrual-consecutive-max-penalty': '1m',
    });
  });

  test('failure accrual on a service known only by name is refused with the way out', () => {
    expect(fails({ mesh: Mesh.linkerd(), service: payment(), circuitBreaker: { consecutiveErrors: 5 } }))
      .toMatch(/circuitBreaker: got "payment": Linkerd cannot express this \(failure accrual is configured with balancer.linkerd.io annotations on the Service object.*ServiceRef.fromService/);
  });

  test('a rate limit is a Server (keeping the default inbound policy) and an HTTPLocalRateLimitPolicy', () => {
    const out = synth({
      mesh: Mesh.linkerd(),
      service: ServiceRef.fromName('payment', { port: 80, targetPort: 8080 }),
      rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 100, overrides: [{ serviceAccounts: ['order', 'ops/admin'], requestsPerSecond: 100 }] },
    });
    expect(one(out, 'Server', 'payment-8080').spec).toEqual({ podSelector: { matchLabels: { app: 'payment' } }, port: 8080, proxyProtocol: 'HTTP/1', accessPolicy: 'all-unauthenticated' });
    expect(one(out, 'HTTPLocalRateLimitPolicy', 'payment').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' },
      total: { requestsPerSecond: 100 },
      identity: { requestsPerSecond: 100 },
      overrides: [{ requestsPerSecond: 100, clientRefs: [{ kind: 'ServiceAccount', name: 'order' }, { kind: 'ServiceAccount', name: 'admin', namespace: 'ops' }] }],
    });
  });

  test('a rate-limit Server carries the declared Mesh.linkerd({ defaultInboundPolicy }) (issue 25), without a warning', () => {
    const chart = shopChart();
    const rs = new ResilientService(chart, 'payment', { mesh: Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.CLUSTER_AUTHENTICATED }), service: payment(), rateLimit: { requestsPerSecond: 100 } });
    expect(one(synthValidated(chart), 'Server', 'payment-8080').spec.accessPolicy).toBe('cluster-authenticated');
    expect(rs.warnings).toEqual([]);
  });

  test('a rate-limit Server written with the undeclared default warns that all-unauthenticated may open the port (issue 16 item 7)', () => {
    const chart = shopChart();
    const rs = new ResilientService(chart, 'payment', { mesh: Mesh.linkerd(), service: payment(), rateLimit: { requestsPerSecond: 100 } });
    synthValidated(chart);
    expect(rs.warnings).toEqual([expect.stringContaining('Mesh.linkerd was given none, so it is all-unauthenticated, Linkerd\'s install default: if the cluster\'s default is stricter, this opens the port; declare it with Mesh.linkerd({ defaultInboundPolicy')]);
  });

  test('no such warning when a ZeroTrustNamespace decides the Server (its rules, or the namespace default)', () => {
    for (const rules of [true, false]) {
      const chart = shopChart();
      const mesh = Mesh.linkerd();
      const rs = new ResilientService(chart, 'payment', { mesh, service: payment(), rateLimit: { requestsPerSecond: 100 } });
      new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('web')], to: rules ? payment() : ServiceRef.fromName('order', { port: 8080 }) }] });
      expect(one(synthValidated(chart), 'Server', 'payment-8080').spec.accessPolicy).toBe('deny');
      expect(rs.warnings).toEqual([]);
    }
  });

  test('a rate limit alone in a zero-trust namespace keeps the namespace\'s deny (issue 16 item 7)', () => {
    for (const first of ['rate limit', 'zero trust']) {
      const chart = shopChart();
      const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.ALL_UNAUTHENTICATED });
      const rl = () => new ResilientService(chart, 'payment', { mesh, service: payment(), rateLimit: { requestsPerSecond: 100 } });
      const zt = () => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('order', { port: 8080 }) }] });
      if (first === 'rate limit') { rl(); zt(); } else { zt(); rl(); }
      const out = synthValidated(chart);
      expect(one(out, 'Server', 'payment-8080').spec.accessPolicy).toBe('deny');
      expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'ip:10.0.0.1', service: 'shop/payment' }).allowed).toBe(false);
    }
  });

  test('connection pools are refused on Linkerd (all settings listed at once)', () => {
    const message = fails({ mesh: Mesh.linkerd(), service: payment(), connectionPool: { maxConnections: 10, maxPendingRequests: 5 } });
    expect(message).toContain('[test/payment] 2 problems:');
    expect(message).toContain('connectionPool.maxConnections: got 10: Linkerd cannot express this (Linkerd has no connection-pool limits); remove connectionPool for Linkerd');
    expect(message).toContain('connectionPool.maxPendingRequests: got 5');
  });

  test('retrying on connection failures is refused on Linkerd; dropping it is explicit and annotated', () => {
    const props: ResilientServiceProps = {
      mesh: Mesh.linkerd(),
      service: payment(),
      retries: { attempts: 2, retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE] },
    };
    expect(fails(props)).toContain('retries.retryOn: got "connect-failure": Linkerd cannot express this');
    const chart = shopChart();
    const rs = new ResilientService(chart, 'payment', { ...props, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    const out = synthValidated(chart);
    expect(rs.droppedSettings).toEqual(['retries.retryOn']);
    expect(one(out, 'HTTPRoute', 'payment-retry').metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('retries.retryOn=connect-failure');
    expect(one(out, 'HTTPRoute', 'payment-retry').metadata.annotations['retry.linkerd.io/http']).toBe('5xx');
    expect(rs.warnings.join('\n')).toContain('retries.retryOn ("connect-failure") is not written: Linkerd cannot express it');
  });

  test('each dropped setting is noted on the objects it belongs to, not on every route and policy (issue 16 item 10)', () => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }), ports: [{ port: 8080 }] });
    new ResilientService(chart, 'payment', {
      mesh: Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.ALL_UNAUTHENTICATED }),
      service: ServiceRef.fromService(svc),
      timeout: Duration.seconds(3),
      routes: [{ name: 'reads', match: { path: PathMatch.prefix('/read') }, retries: { attempts: 2, retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE] } }],
      circuitBreaker: { consecutiveErrors: 5, interval: Duration.seconds(30) },
      rateLimit: { requestsPerSecond: 100 },
      unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
    });
    const out = synthValidated(chart);
    const dropped = (kind: string, name: string) => one(out, kind, name).metadata.annotations?.['cdk8s-mesh.io/dropped-settings'];
    expect(dropped('HTTPRoute', 'payment-retry')).toBe('routes[0].retries.retryOn=connect-failure');
    expect(dropped('HTTPRoute', 'payment')).toBeUndefined();
    expect(dropped('HTTPLocalRateLimitPolicy', 'payment')).toBeUndefined();
    expect(dropped('Service', 'payment')).toBe('circuitBreaker.interval=30s');
  });
});

describe('Consul mapping', () => {
  test('timeouts and retries go to the ServiceRouter, after the protocol in ServiceDefaults', () => {
    const out = synth({
      mesh: Mesh.consul(),
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 3, retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE], retryOnStatusCodes: [503] },
    });
    expect(one(out, 'ServiceDefaults', 'payment').spec).toEqual({ protocol: 'http' });
    const routes = one(out, 'ServiceRouter', 'payment').spec.routes;
    expect(routes).toEqual([
      {
        match: { http: { pathPrefix: '/', methods: ['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'] } },
        destination: { requestTimeout: '3s', numRetries: 3, retryOn: ['5xx', 'connect-failure'], retryOnStatusCodes: [503] },
      },
      { match: { http: { pathPrefix: '/' } }, destination: { requestTimeout: '3s' } },
    ]);
  });

  test('circuit breaking and limits go to each caller\'s ServiceDefaults upstreamConfig', () => {
    const out = synth({ ...FULL(Mesh.consul()), retries: undefined });
    expect(one(out, 'ServiceDefaults', 'order').spec).toEqual({
      protocol: 'http',
      upstreamConfig: {
        overrides: [{
          name: 'payment',
          passiveHealthCheck: { maxFailures: 5, enforcingConsecutive5xx: 100, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
          limits: { maxConnections: 100, maxPendingRequests: 50, maxConcurrentRequests: 100 },
        }],
      },
    });
  });

  test('circuit breaking without callers is refused', () => {
    expect(fails({ mesh: Mesh.consul(), service: payment(), circuitBreaker: {} })).toMatch(/circuitBreaker: got "payment": Consul cannot express this .*list the calling services in `callers`/);
  });

  test('per-try timeouts are refused on Consul', () => {
    expect(fails({
      mesh: Mesh.consul(),
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
      circuitBreaker: undefined,
    }))
      .toContain('retries.perTryTimeout: got "1s": Consul cannot express this (ServiceRouter destinations have a request timeout and a retry count, but no per-try timeout)');
  });

  test('rate limits need Consul Enterprise', () => {
    expect(fails({ mesh: Mesh.consul(), service: payment(), rateLimit: { requestsPerSecond: 10 } })).toContain('rateLimits is a Consul Enterprise feature');
    const out = synth({ mesh: Mesh.consul({ enterprise: true }), service: payment(), rateLimit: { requestsPerSecond: 10 } });
    expect(one(out, 'ServiceDefaults', 'payment').spec.rateLimits).toEqual({ instanceLevel: { requestsPerSecond: 10, requestsMaxBurst: 10 } });
  });

  test('two constructs that disagree on one service\'s ServiceDefaults are refused, naming both', () => {
    const chart = shopChart();
    new ResilientService(chart, 'a', { mesh: Mesh.consul(), service: order(), timeout: Duration.seconds(1) });
    expect(() => new ResilientService(chart, 'b', {
      mesh: Mesh.consul(),
      service: payment(),
      circuitBreaker: {},
      callers: [ServiceRef.fromName('order', { port: 8080, protocol: ServiceProtocol.GRPC })],
    })).toThrow(/\[test\/b\] ServiceDefaults order: protocol: got "grpc", but \[test\/a\] already set "http"; Consul allows one ServiceDefaults per service/);
  });

  test('two ResilientServices for one service are refused: one set of routing objects per service', () => {
    const chart = shopChart();
    new ResilientService(chart, 'a', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(1) });
    expect(() => new ResilientService(chart, 'b', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(2) }))
      .toThrow('[test/b] service: got payment, but [test/a] already configures its resilience; use one ResilientService per service');
  });
});

describe('guardrails, on both sides of each limit', () => {
  const base = (over: Partial<ResilientServiceProps>): ResilientServiceProps => ({ mesh: Mesh.istio(), service: payment(), circuitBreaker: {}, ...over });

  test('non-idempotent methods are never retried unless the route is named in retryNonIdempotentRoutes', () => {
    const route = { name: 'capture', match: { path: PathMatch.prefix('/capture'), methods: [HttpMethod.POST] }, retries: { attempts: 2 } };
    expect(fails(base({ routes: [route] })))
      .toContain('routes[0]: got "POST": retries would apply to non-idempotent POST requests, which may then be processed twice; set noRetries: true on route "capture", or list "capture" in retryNonIdempotentRoutes');
    const vs = one(synth(base({ routes: [route], retryNonIdempotentRoutes: ['capture'] })), 'VirtualService', 'payment');
    expect(vs.spec.http[0]).toMatchObject({ name: 'capture', retries: { attempts: 2 }, match: [{ method: { exact: 'POST' } }, { method: { exact: 'POST' } }] });
  });

  test('opting in a route that does not exist is refused', () => {
    expect(fails(base({ retryNonIdempotentRoutes: ['nope'] }))).toContain('retryNonIdempotentRoutes: got "nope": there is no route named "nope"; use one of: default');
  });

  test('the timeout must leave room for every try: timeout >= (attempts + 1) x perTryTimeout', () => {
    // attempts counts retries: 3 retries are 4 tries, so 3 x 1 s under a 3 s timeout is over budget
    const retries = { attempts: 3, perTryTimeout: Duration.seconds(1) };
    expect(() => synth(base({ timeout: Duration.seconds(4), retries }))).not.toThrow();
    expect(fails(base({ timeout: Duration.seconds(3), retries })))
      .toContain('timeout: got "3000ms": the timeout leaves no room for the retries: (retries.attempts + 1 first try) x retries.perTryTimeout = 4 x 1000ms = 4000ms > 3000ms; raise the timeout to at least 4000ms');
    expect(fails(base({ timeout: Duration.millis(3999), retries }))).toContain('4 x 1000ms = 4000ms > 3999ms');
  });

  test('"no retries given" means one thing on Istio: with only a circuit breaker, or only a timeout, the routes keep only the safe retries', () => {
    const cbOnly = one(synth(base({})), 'VirtualService', 'payment');
    const timeoutOnly = one(synth({ mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(2) }), 'VirtualService', 'payment');
    expect(cbOnly.spec.http).toEqual([{ name: 'default', retries: { attempts: 2, retryOn: 'connect-failure,refused-stream' }, route: [{ destination: { host: 'payment.shop.svc.cluster.local', port: { number: 8080 } } }] }]);
    expect(timeoutOnly.spec.http[0].retries).toEqual(cbOnly.spec.http[0].retries);
    // noRetries on a route: the same safe retries
    const noRetries = one(synth(base({ retries: { attempts: 2 }, routes: [{ name: 'pay', match: { path: PathMatch.exact('/pay') }, noRetries: true }] })), 'VirtualService', 'payment');
    expect(noRetries.spec.http[0]).toMatchObject({ name: 'pay', retries: { attempts: 2, retryOn: 'connect-failure,refused-stream' } });
    // an opaque TCP service has no HTTP routes: a circuit breaker alone writes only the DestinationRule
    const tcp = synth({ mesh: Mesh.istio(), service: ServiceRef.fromName('db', { port: 5432, protocol: ServiceProtocol.TCP }), circuitBreaker: {} });
    expect(ofKind(tcp, 'VirtualService')).toEqual([]);
    expect(ofKind(tcp, 'DestinationRule')).toHaveLength(1);
  });

  test('the time budget applies to route overrides with inherited retries too', () => {
    expect(fails(base({ retries: { attempts: 2, perTryTimeout: Duration.seconds(2) }, timeout: Duration.seconds(5), routes: [{ name: 'fast', match: { path: PathMatch.prefix('/fast') }, timeout: Duration.seconds(1) }] })))
      .toContain('routes[0].timeout: got "1000ms": the timeout leaves no room for the retries: (retries.attempts + 1 first try) x retries.perTryTimeout = 3 x 2000ms = 6000ms > 1000ms');
  });

  test('retries without a circuit breaker give a warning; with one, none', () => {
    const chart = shopChart();
    const without = new ResilientService(chart, 'a', { mesh: Mesh.istio(), service: payment(), retries: { attempts: 2 } });
    const withCb = new ResilientService(chart, 'b', { mesh: Mesh.istio(), service: order(), retries: { attempts: 2 }, circuitBreaker: {} });
    expect(without.warnings).toEqual(['retries without a circuit breaker can turn a slow or failing service into a retry storm: add circuitBreaker (outlier detection)']);
    expect(withCb.warnings).toEqual([]);
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('[cdk8s-mesh] warning: [test/a] retries without a circuit breaker'));
  });

  test('the retry-storm warning follows the retries that are written', () => {
    const STORM = 'retries without a circuit breaker can turn a slow or failing service into a retry storm: add circuitBreaker (outlier detection)';
    const ambient = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
    const drop = UnsupportedSettings.DROP_WITH_WARNING;
    const routes = [{ name: 'create', match: { path: PathMatch.prefix('/create') }, retries: { attempts: 3 } }];
    // Istio ambient writes no retries: dropped whole, they warn of the drop, not of a storm
    const dropped = new ResilientService(shopChart(), 'ambient', { mesh: ambient, service: payment(), retries: { attempts: 2 }, routes, unsupportedSettings: drop });
    expect(dropped.droppedSettings).toEqual(['routes[0].retries', 'retries']);
    expect(dropped.warnings.filter(w => w.includes('retry storm'))).toEqual([]);
    expect(dropped.warnings).toHaveLength(2);
    // Linkerd drops a retry condition but writes the retries: the warning stays
    const linkerd = new ResilientService(shopChart(), 'linkerd', { mesh: Mesh.linkerd(), service: payment(), retries: { attempts: 2, retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE] }, unsupportedSettings: drop });
    expect(linkerd.droppedSettings).toEqual(['retries.retryOn']);
    expect(linkerd.warnings[0]).toBe(STORM);
    // Istio sidecars write the retries: the warning stays
    const sidecar = new ResilientService(shopChart(), 'sidecar', { mesh: Mesh.istio(), service: payment(), retries: { attempts: 2 }, routes });
    expect(sidecar.warnings).toEqual([STORM]);
    expect(stderr()).not.toHaveBeenCalledWith(expect.stringContaining('[test/ambient] retries without a circuit breaker'));
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('[test/linkerd] retries without a circuit breaker'));
  });

  describe('the checks of the retries follow what the mesh writes of them (with DROP_WITH_WARNING)', () => {
    // with DROP_WITH_WARNING each mesh but Istio sidecars drops some of these retries: Linkerd the
    // connect-failure condition and Consul the per-try timeout (the rest is written), Istio ambient all of it
    const retries = { attempts: 2, perTryTimeout: Duration.millis(300), retryOn: [RetryOn.SERVER_ERROR, RetryOn.CONNECT_FAILURE] };
    const gammaRules = (out: any[]) => ofKind(out, 'HTTPRoute').flatMap(r => r.spec.rules);
    const MESHES: [string, Mesh, (out: any[]) => any[], string[], boolean][] = [
      ['Istio sidecar', Mesh.istio(), out => one(out, 'VirtualService', 'payment').spec.http, [], true],
      ['Linkerd', Mesh.linkerd(), gammaRules, ['retries.retryOn'], true],
      ['Consul', Mesh.consul(), out => one(out, 'ServiceRouter', 'payment').spec.routes, ['retries.perTryTimeout'], true],
      ['Istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), gammaRules, ['retries'], false],
    ];

    test.each(MESHES)('%s', (_name, mesh, rulesOf, dropped, written) => {
      const props: ResilientServiceProps = {
        mesh,
        service: payment(),
        timeout: Duration.seconds(2),
        unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
        routes: [{ name: 'reads', match: { path: PathMatch.prefix('/reads') }, timeout: Duration.seconds(1) }],
      };
      const chart = shopChart();
      expect(new ResilientService(chart, 'payment', { ...props, retries }).droppedSettings).toEqual(dropped);
      // retries written, even in part: each rule split by method (the idempotent ones retried, the rest not);
      // dropped whole: the two rules of the same service without retries
      const none = rulesOf(synth(props)).length;
      expect(none).toBeGreaterThanOrEqual(2);
      expect(rulesOf(synthValidated(chart))).toHaveLength(written ? 2 * none : none);
      // a route naming a non-idempotent method; a timeout under the 3 tries of 300ms
      const post: ResilientServiceProps = { ...props, retries, routes: [{ name: 'pay', match: { path: PathMatch.prefix('/pay'), methods: [HttpMethod.POST] } }] };
      const short: ResilientServiceProps = { ...props, retries, timeout: Duration.millis(800), routes: undefined };
      if (written) {
        expect(fails(post)).toContain('routes[0]: got "POST": retries would apply to non-idempotent POST requests, which may then be processed twice');
        expect(fails(short)).toContain('timeout: got "800ms": the timeout leaves no room for the retries: (retries.attempts + 1 first try) x retries.perTryTimeout = 3 x 300ms = 900ms > 800ms');
      } else {
        expect(rulesOf(synth(post))).toEqual(rulesOf(synth({ ...post, retries: undefined })));
        expect(rulesOf(synth(short))).toEqual(rulesOf(synth({ ...short, retries: undefined })));
      }
    });
  });

  test('max ejection of 100% is refused unless allowed; 99 is fine', () => {
    expect(fails(base({ circuitBreaker: { maxEjectionPercent: 100 } }))).toContain('circuitBreaker.maxEjectionPercent: got 100: ejecting 100% of the endpoints can leave the service with none at all');
    expect(() => synth(base({ circuitBreaker: { maxEjectionPercent: 100 }, allowFullEjection: true }))).not.toThrow();
    expect(() => synth(base({ circuitBreaker: { maxEjectionPercent: 99 } }))).not.toThrow();
    expect(fails(base({ circuitBreaker: { maxEjectionPercent: 101 }, allowFullEjection: true }))).toContain('a percentage must be a whole number from 0 to 100');
  });

  test('durations below 1ms or not whole milliseconds are refused; 1ms is fine', () => {
    expect(() => synth(base({ timeout: Duration.millis(1) }))).not.toThrow();
    expect(fails(base({ timeout: Duration.millis(0.5) }))).toContain('timeout: got 0.5ms: durations must be at least 1ms; use Duration.millis(1) or more');
    expect(fails(base({ timeout: Duration.millis(1.5) }))).toContain('durations must be a whole number of milliseconds (1.5ms); use Duration.millis(2)');
    expect(fails(base({ circuitBreaker: { interval: Duration.millis(0) } }))).toContain('circuitBreaker.interval: got 0ms: durations must be at least 1ms');
  });

  test('retry attempts from 1 to 10', () => {
    for (const ok of [1, 10]) expect(() => synth(base({ retries: { attempts: ok } }))).not.toThrow();
    for (const bad of [0, 11, 2.5]) expect(fails(base({ retries: { attempts: bad } }))).toContain(`retries.attempts: got ${bad}: retry attempts must be a whole number from 1 to 10`);
  });

  test('retriable status codes from 100 to 599', () => {
    expect(() => synth(base({ retries: { attempts: 1, retryOnStatusCodes: [100, 599] } }))).not.toThrow();
    expect(fails(base({ retries: { attempts: 1, retryOnStatusCodes: [99] } }))).toContain('retries.retryOnStatusCodes[0]: got 99');
    expect(fails(base({ retries: { attempts: 1, retryOnStatusCodes: [600] } }))).toContain('retries.retryOnStatusCodes[0]: got 600');
  });

  test('a per-caller rate limit may equal the total but not exceed it (Linkerd)', () => {
    const svc = () => ServiceRef.fromName('payment', { port: 8080 });
    expect(() => synth({ mesh: Mesh.linkerd(), service: svc(), rateLimit: { requestsPerSecond: 10, perCallerRequestsPerSecond: 10 } })).not.toThrow();
    expect(fails({ mesh: Mesh.linkerd(), service: svc(), rateLimit: { requestsPerSecond: 10, perCallerRequestsPerSecond: 11 } }))
      .toContain('rateLimit.perCallerRequestsPerSecond: got 11: must be a whole number from 1 to the total (10)');
  });

  test('wildcard service accounts are refused in rate-limit overrides', () => {
    expect(fails({ mesh: Mesh.linkerd(), service: payment(), rateLimit: { requestsPerSecond: 10, overrides: [{ serviceAccounts: ['*'], requestsPerSecond: 5 }] } }))
      .toContain('rateLimit.overrides[0].serviceAccounts[0]: got "*": a service account is `name` or `namespace/name`');
  });

  test('route names are DNS labels and unique', () => {
    const m = { path: PathMatch.prefix('/a') };
    expect(fails(base({ routes: [{ name: 'Bad_Name', match: m }] }))).toContain('routes[0].name: got "Bad_Name": a route name must be a DNS-1123 label');
    expect(fails(base({ routes: [{ name: 'a', match: m }, { name: 'a', match: m }] }))).toContain('routes[1].name: got "a": route names must be unique');
    expect(fails(base({ routes: [{ name: 'a', match: {} }] }))).toContain('routes[0].match: got {}: a route override needs a condition');
  });

  test('L7 settings on an opaque TCP service are refused', () => {
    expect(fails({ mesh: Mesh.istio(), service: ServiceRef.fromName('db', { port: 5432, protocol: ServiceProtocol.TCP }), timeout: Duration.seconds(1) }))
      .toContain('timeout: got 1s: service db speaks opaque TCP');
  });

  test('bad service references and missing props give named errors, never a TypeError', () => {
    expect(fails({ mesh: Mesh.istio(), service: ServiceRef.fromName('Payment', { port: 0 }) }))
      .toMatch(/service.name: got "Payment": a Service name must be a DNS-1035 label[\s\S]*service.port: got 0: a port must be a whole number from 1 to 65535/);
    expect(fails({ mesh: undefined as any, service: payment() })).toContain('[test/payment] mesh: got undefined: a mesh is required; pass mesh: Mesh.istio()');
    expect(fails({ mesh: Mesh.istio(), service: 'payment' as any })).toContain('service: got "payment": a service reference is required');
  });
});
