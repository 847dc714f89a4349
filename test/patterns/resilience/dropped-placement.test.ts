import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRelease, IstioDataPlane, Mesh, PathMatch, ReleaseVersion, ResilientService, RetryOn, ServiceProtocol, ServiceRef, UnsupportedSettings,
} from '../../../src';
import { captureStderr, shopChart, synthValidated } from '../../util';

// The cdk8s-mesh.io/dropped-settings annotation is read by operators only: each object carries the dropped
// settings that would have been written on it (docs/architecture.md), whichever pattern was created first.

const DROPPED = 'cdk8s-mesh.io/dropped-settings';
const DROP = UnsupportedSettings.DROP_WITH_WARNING;
const http = (name: string) => ServiceRef.fromName(name, { port: 8080, protocol: ServiceProtocol.HTTP });
/** `kind/name` -> note, for the objects that carry one. */
const notes = (chart: Chart) => Object.fromEntries(synthValidated(chart)
  .filter(o => o.metadata.annotations?.[DROPPED] !== undefined)
  .map(o => [`${o.kind}/${o.metadata.name}`, o.metadata.annotations[DROPPED]]));
const ORDERS: [string, boolean][] = [['first', true], ['second', false]];

captureStderr();

describe('Consul ResilientService: each dropped setting on the entry it would have been written to', () => {
  test.each(ORDERS)('outlier detection and limits on the callers\' ServiceDefaults, the rate limit on the service\'s, retries on the ServiceRouter; the release\'s mirror on the ServiceSplitter (resilience %s)', (_when, resilienceFirst) => {
    const chart = shopChart();
    const mesh = Mesh.consul();
    const resilience = () => new ResilientService(chart, 'resilience', {
      mesh,
      service: http('payment'),
      callers: [http('order'), http('web')],
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
      circuitBreaker: { consecutiveErrors: 3, minHealthPercent: 50 },
      connectionPool: { maxConnections: 10, maxRequestsPerConnection: 5 },
      rateLimit: { requestsPerSecond: 100 },
      unsupportedSettings: DROP,
    });
    // a second pattern on the caller's ServiceDefaults: the caller's own rate limit
    const callerOwn = () => new ResilientService(chart, 'order-resilience', { mesh, service: http('order'), rateLimit: { requestsPerSecond: 10 }, unsupportedSettings: DROP });
    const release = () => new CanaryRelease(chart, 'release', { mesh, service: http('payment'), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, mirrorPercent: 5, unsupportedSettings: DROP });
    if (resilienceFirst) resilience();
    callerOwn();
    release();
    if (!resilienceFirst) resilience();
    expect(notes(chart)).toEqual({
      'ServiceDefaults/order': 'circuitBreaker.minHealthPercent=50, connectionPool.maxRequestsPerConnection=5, rateLimit=10/s',
      'ServiceDefaults/web': 'circuitBreaker.minHealthPercent=50, connectionPool.maxRequestsPerConnection=5',
      'ServiceDefaults/payment': 'rateLimit=100/s',
      'ServiceRouter/payment': 'retries.perTryTimeout=1s',
      'ServiceSplitter/payment': 'mirrorPercent=5',
    });
  });

  test('no caller declared: outlier detection and limits, written nowhere, on the service\'s own ServiceDefaults', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', { mesh: Mesh.consul(), service: http('payment'), timeout: Duration.seconds(3), circuitBreaker: { consecutiveErrors: 3, minHealthPercent: 50 }, unsupportedSettings: DROP });
    expect(notes(chart)).toEqual({ 'ServiceDefaults/payment': 'circuitBreaker=payment, circuitBreaker.minHealthPercent=50' });
  });
});

describe('Istio: each dropped setting on the routing object it would have been written to', () => {
  test.each(ORDERS)('a rate limit on its EnvoyFilter only, not on the VirtualService or DestinationRule (resilience %s)', (_when, resilienceFirst) => {
    const chart = shopChart();
    const mesh = Mesh.istio();
    const resilience = () => new ResilientService(chart, 'resilience', {
      mesh,
      service: http('payment'),
      timeout: Duration.seconds(3),
      circuitBreaker: { consecutiveErrors: 3 },
      rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 5 },
      unsupportedSettings: DROP,
    });
    const release = () => new CanaryRelease(chart, 'release', { mesh, service: http('payment'), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
    if (resilienceFirst) resilience();
    release();
    if (!resilienceFirst) resilience();
    expect(notes(chart)).toEqual({ 'EnvoyFilter/payment-local-ratelimit': 'rateLimit.perCallerRequestsPerSecond=5' });
  });
});

describe('Istio ambient: retries on the HTTPRoutes that hold the route\'s rules', () => {
  test('the retries of one route on the service\'s one route (no route per dropped retry policy), a rate limit (no object) on every routing object of the service', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }),
      service: http('payment'),
      timeout: Duration.seconds(2),
      routes: [{ name: 'create', match: { path: PathMatch.prefix('/create') }, retries: { attempts: 3 } }],
      rateLimit: { requestsPerSecond: 10 },
      unsupportedSettings: DROP,
    });
    expect(notes(chart)).toEqual({ 'HTTPRoute/payment': 'rateLimit=10, routes[0].retries=3' });
  });

  test('past 16 rules the route set is split: every part holds rules of the dropped retries and carries the note', () => {
    // a rule per route (dropped retries do not split a route by idempotency) and the default's
    const withRoutes = (n: number) => {
      const chart = shopChart();
      new ResilientService(chart, 'resilience', {
        mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }),
        service: http('payment'),
        retries: { attempts: 2 },
        routes: Array.from({ length: n }, (_, i) => ({ name: `r${i}`, match: { path: PathMatch.prefix(`/r${i}`) }, timeout: Duration.seconds(i + 1) })),
        unsupportedSettings: DROP,
      });
      return notes(chart);
    };
    expect(withRoutes(15)).toEqual({ 'HTTPRoute/payment': 'retries=2' });
    expect(withRoutes(16)).toEqual({ 'HTTPRoute/payment': 'retries=2', 'HTTPRoute/payment-rules-2': 'retries=2' });
  });
});

describe('Linkerd: retries per route, Service-level settings without a Service object', () => {
  test('a route\'s dropped retry condition on the HTTPRoute with that route\'s retry policy only', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.linkerd(),
      service: http('payment'),
      retries: { attempts: 2, retryOn: [RetryOn.GATEWAY_ERROR] },
      routes: [{ name: 'create', match: { path: PathMatch.prefix('/create') }, retries: { attempts: 3, retryOn: [RetryOn.CONNECT_FAILURE, RetryOn.SERVER_ERROR] } }],
      unsupportedSettings: DROP,
    });
    // payment-retry: the create route's policy (5xx, 3 attempts); payment-retry-2: the default retries
    // (gateway-error); payment: the methods that are not retried
    expect(notes(chart)).toEqual({ 'HTTPRoute/payment-retry': 'routes[0].retries.retryOn=connect-failure' });
  });

  test('ServiceRef.fromName: failure accrual and load balancing (Service annotations) on the routes, not lost', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.linkerd(),
      service: http('payment'),
      timeout: Duration.seconds(2),
      circuitBreaker: { consecutiveErrors: 3 },
      loadBalancing: 'ROUND_ROBIN' as any,
      unsupportedSettings: DROP,
    });
    expect(notes(chart)).toEqual({ 'HTTPRoute/payment': 'circuitBreaker=payment, loadBalancing=ROUND_ROBIN' });
  });

  test('ServiceRef.fromService: on the Service, sorted, not on the routes', () => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }) });
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.linkerd(),
      service: ServiceRef.fromService(svc),
      timeout: Duration.seconds(2),
      connectionPool: { maxConnections: 10, maxConcurrentRequests: 5 },
      unsupportedSettings: DROP,
    });
    expect(notes(chart)).toEqual({ 'Service/payment': 'connectionPool.maxConcurrentRequests=5, connectionPool.maxConnections=10' });
  });
});
