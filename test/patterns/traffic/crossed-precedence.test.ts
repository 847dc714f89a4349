import { Chart, Duration } from 'cdk8s';
import {
  CanaryRelease, HeaderMatch, HttpMethod, IstioDataPlane, Mesh, PathMatch,
  ReleaseVersion, ResilientService, ResilientServiceProps, RetryOn, RouteOverride, ServiceRef, ServiceVersion, UnsupportedSettings, VersionedRouting,
} from '../../../src';
import { captureStderr, failureOf, shopChart, synthValidated } from '../../util';
import { gatewayRule, TestRequest } from '../routing/evaluate';

/*
 * A CanaryRelease's test requests crossed with a ResilientService's routes on Linkerd and Istio ambient
 * (Gateway API HTTPRoutes, the most specific match wins): a test request must reach the canary with the
 * timeout the ResilientService alone gives it. Evaluated on the emitted HTTPRoutes, with the Linkerd
 * proxy's ranking on Linkerd and Gateway API precedence on ambient.
 */

captureStderr();

const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const MESHES = [['Linkerd', Mesh.linkerd(), 'linkerd'], ['Istio ambient', AMBIENT, 'gateway']] as const;
const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const TEST = { headers: [HeaderMatch.exact('x-test', 'true')] };

function resilience(mesh: Mesh, routes: RouteOverride[]): ResilientServiceProps {
  return { mesh, service: payment(), timeout: Duration.seconds(3), routes };
}

function withCanary(chart: Chart, mesh: Mesh) {
  new CanaryRelease(chart, 'release', { mesh, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, canaryRequests: [TEST] });
}

function req(path: string, method: string, headers: { [k: string]: string } = {}): TestRequest {
  return { path, method, headers, query: {} };
}

const REQUESTS = [
  req('/api', 'GET', { 'x-test': 'true' }), req('/api/x', 'POST', { 'x-test': 'true' }), req('/other', 'GET', { 'x-test': 'true' }),
  req('/api', 'GET'), req('/other', 'POST'), req('/api', 'GET', { 'x-test': 'true', 'x-other': '1' }), req('/other', 'GET', { 'x-other': '1' }),
];

/** For each request: [backend names, timeout] in the combined routes, and the timeout of the ResilientService alone. */
function evaluate(mesh: Mesh, order: 'linkerd' | 'gateway', routes: RouteOverride[]) {
  const alone = shopChart();
  new ResilientService(alone, 'resilience', resilience(mesh, routes));
  const aloneOut = synthValidated(alone);
  const both = shopChart();
  new ResilientService(both, 'resilience', resilience(mesh, routes));
  withCanary(both, mesh);
  const out = synthValidated(both);
  return REQUESTS.map(r => {
    const rule = gatewayRule(out, 'payment', r, order);
    return {
      request: r,
      backends: rule.backendRefs.filter((b: any) => b.weight === undefined || b.weight > 0).map((b: any) => b.name).sort(),
      timeout: rule.timeouts?.request,
      intendedTimeout: gatewayRule(aloneOut, 'payment', r, order).timeouts?.request,
      intendedBackends: r.headers['x-test'] === 'true' ? ['payment-v2'] : ['payment-v1', 'payment-v2'],
    };
  });
}

function expectIntended(r: ReturnType<typeof evaluate>[number]) {
  const got = { request: r.request, backends: r.backends, timeout: r.timeout };
  expect(got).toEqual({ request: r.request, backends: r.intendedBackends, timeout: r.intendedTimeout });
}

describe.each(MESHES)('%s: CanaryRelease test requests with ResilientService routes', (_name, mesh, order) => {
  test('a path route with a timeout: a test request reaches the canary with the route\'s timeout (accepted, as intended)', () => {
    const results = evaluate(mesh, order, [{ name: 'api', match: { path: PathMatch.prefix('/api') }, timeout: Duration.seconds(1) }]);
    for (const r of results) {
      expectIntended(r);
    }
    expect(results[0]).toMatchObject({ backends: ['payment-v2'], timeout: '1s' });
    expect(results[2]).toMatchObject({ backends: ['payment-v2'], timeout: '3s' });
  });

  test('routes on headers other than the test requests\' stay accepted and keep their timeouts', () => {
    const results = evaluate(mesh, order, [
      { name: 'other', match: { headers: [HeaderMatch.exact('x-other', '1')] }, timeout: Duration.seconds(1) },
      { name: 'api', match: { path: PathMatch.prefix('/api') }, timeout: Duration.seconds(5) },
    ]);
    for (const r of results) {
      expectIntended(r);
    }
  });

  test('a route on the test requests\' own header ahead of an overlapping route with another timeout is refused, naming both constructs and routes', () => {
    const routes = [
      { name: 'testers', match: { headers: [HeaderMatch.exact('x-test', 'true')] }, timeout: Duration.seconds(1) },
      { name: 'other', match: { headers: [HeaderMatch.exact('x-other', '1')] }, timeout: Duration.seconds(5) },
    ];
    // alone, the ResilientService gives a request with both headers routes[0]'s 1s (a tie, the first rule)
    const alone = shopChart();
    new ResilientService(alone, 'resilience', resilience(mesh, routes));
    expect(gatewayRule(synthValidated(alone), 'payment', REQUESTS[5], order).timeouts.request).toBe('1s');
    const message = failureOf(chart => {
      new ResilientService(chart, 'resilience', resilience(mesh, routes));
      withCanary(chart, mesh);
    });
    expect(message).toContain('[test/release] service: got payment: [test/release] canaryRequests[0] ({"headers":[{"name":"x-test"');
    // the settings the routes hold: Istio ambient writes no retries
    const settings = mesh === AMBIENT ? 'timeout 1000ms' : 'timeout 1000ms, no retries';
    expect(message).toContain(`[test/resilience] routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"true"}]}; ${settings}) and routes[1]`);
    expect(message).toContain('match canaryRequests[0] on a header that no route of [test/resilience] matches on, or add that header condition to routes[1]');
    // in either order of construction
    expect(failureOf(chart => {
      withCanary(chart, mesh);
      new ResilientService(chart, 'resilience', resilience(mesh, routes));
    })).toContain('[test/resilience] service: got payment: [test/release] canaryRequests[0]');
  });

  test('the same routes with one timeout are accepted (the swap changes nothing)', () => {
    const results = evaluate(mesh, order, [
      { name: 'testers', match: { headers: [HeaderMatch.exact('x-test', 'true')] }, timeout: Duration.seconds(1) },
      { name: 'other', match: { headers: [HeaderMatch.exact('x-other', '1')] }, timeout: Duration.seconds(1) },
    ]);
    for (const r of results) expect(r.backends).toEqual(r.intendedBackends);
  });
});

describe('Linkerd only: the proxy ranks headers above a method', () => {
  const routes: RouteOverride[] = [
    { name: 'testers', match: { headers: [HeaderMatch.exact('x-test', 'true')] }, timeout: Duration.seconds(1) },
    { name: 'reads', match: { methods: [HttpMethod.GET] }, timeout: Duration.seconds(5) },
  ];

  test('Linkerd: a header route on the test header ahead of a method route is refused (crossed, the method route would rank higher)', () => {
    expect(failureOf(chart => {
      new ResilientService(chart, 'resilience', resilience(Mesh.linkerd(), routes));
      withCanary(chart, Mesh.linkerd());
    })).toContain('Linkerd sends a request to the most specific HTTPRoute match (the proxy ranks longest path, most headers, most query parameters, then a method)');
  });

  test('Istio ambient: accepted, as Gateway API ranks the method route higher either way', () => {
    for (const r of evaluate(AMBIENT, 'gateway', routes)) {
      expectIntended(r);
    }
  });
});

describe('VersionedRouting crossed with ResilientService routes: the same check', () => {
  const routes: RouteOverride[] = [
    { name: 'testers', match: { headers: [HeaderMatch.exact('x-test', 'true')] }, timeout: Duration.seconds(1) },
    { name: 'other', match: { headers: [HeaderMatch.exact('x-other', '1')] }, timeout: Duration.seconds(5) },
  ];
  const routing = (chart: Chart, mesh: Mesh, header: string) => new VersionedRouting(chart, 'routing', {
    mesh,
    service: payment(),
    versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2')],
    routes: [{ name: 'testers', match: { headers: [HeaderMatch.exact(header, 'true')] }, version: 'v2' }],
    defaultSplit: [{ version: 'v1', weight: 100 }],
  });
  for (const [name, mesh] of MESHES) {
    test(`${name}: a version route on a header routes[0] matches on is refused; on another header accepted`, () => {
      expect(failureOf(chart => {
        new ResilientService(chart, 'resilience', resilience(mesh, routes));
        routing(chart, mesh, 'x-test');
      })).toContain('[test/routing] service: got payment: [test/routing] routes[0] ({"headers":[{"name":"x-test"');
      const chart = shopChart();
      new ResilientService(chart, 'resilience', resilience(mesh, routes));
      routing(chart, mesh, 'x-beta');
      expect(synthValidated(chart).length).toBeGreaterThan(0);
    });
  }
});

describe('retries: Linkerd writes a route per retry policy, Istio ambient (retries dropped) one route set', () => {
  const h = (name: string) => HeaderMatch.exact(name, '1');
  // alone, routes[0] (two headers) outranks routes[1]; crossed with the test requests' x-b both have two
  // headers, and only rule order within one HTTPRoute keeps routes[0] ahead
  const routes: RouteOverride[] = [
    { name: 'both', match: { methods: [HttpMethod.GET], headers: [h('x-a'), h('x-b')] }, timeout: Duration.seconds(1), retries: { attempts: 2, retryOn: [RetryOn.SERVER_ERROR] } },
    { name: 'a', match: { methods: [HttpMethod.GET], headers: [h('x-a')] }, timeout: Duration.seconds(5) },
  ];
  const build = (chart: Chart, mesh: Mesh) => {
    new ResilientService(chart, 'resilience', { mesh, service: payment(), routes, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    new CanaryRelease(chart, 'release', { mesh, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, canaryRequests: [{ headers: [h('x-b')] }] });
  };

  test('Linkerd (the retries written, routes[0] in payment-retry): refused, the order of two routes being undefined', () => {
    expect(failureOf(chart => build(chart, Mesh.linkerd()))).toContain('in the routes written for canaryRequests[0] routes[1] ranks higher');
  });

  test('Istio ambient: one HTTPRoute, accepted, and each request gets the settings the ResilientService alone gives it', () => {
    const alone = shopChart();
    new ResilientService(alone, 'resilience', { mesh: AMBIENT, service: payment(), routes, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    const chart = shopChart();
    build(chart, AMBIENT);
    const out = synthValidated(chart);
    expect(out.filter(o => o.kind === 'HTTPRoute').map(o => o.metadata.name)).toEqual(['payment']);
    const requests = [req('/x', 'GET', { 'x-a': '1', 'x-b': '1' }), req('/x', 'GET', { 'x-a': '1' }), req('/x', 'GET', { 'x-b': '1' }), req('/x', 'POST', { 'x-a': '1', 'x-b': '1' })];
    const got = requests.map(r => {
      const rule = gatewayRule(out, 'payment', r, 'gateway');
      return [rule.backendRefs.filter((b: any) => b.weight === undefined || b.weight > 0).map((b: any) => b.name).sort(), rule.timeouts?.request];
    });
    const intended = requests.map(r => [r.headers['x-b'] === '1' ? ['payment-v2'] : ['payment-v1', 'payment-v2'], gatewayRule(synthValidated(alone), 'payment', r, 'gateway').timeouts?.request]);
    expect(got).toEqual(intended);
    expect(got[0]).toEqual([['payment-v2'], '1s']);
  });

  test('rules that differ in their retries only: Linkerd, which writes them, refuses the swap; Istio ambient, which drops them, accepts it', () => {
    // alone, routes[0] and routes[1] tie (a method and a header each); in the routes written for the test
    // requests routes[1] has two headers and outranks routes[0] on both meshes: the same timeout, other retries
    const same: RouteOverride[] = [
      { name: 'testers', match: { methods: [HttpMethod.GET], headers: [h('x-test')] }, timeout: Duration.seconds(1), retries: { attempts: 2, retryOn: [RetryOn.SERVER_ERROR] } },
      { name: 'other', match: { methods: [HttpMethod.GET], headers: [h('x-other')] }, timeout: Duration.seconds(1) },
    ];
    const withTests = (chart: Chart, mesh: Mesh) => {
      new ResilientService(chart, 'resilience', { mesh, service: payment(), routes: same, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
      new CanaryRelease(chart, 'release', { mesh, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, canaryRequests: [{ headers: [h('x-test')] }] });
    };
    expect(failureOf(chart => withTests(chart, Mesh.linkerd()))).toContain('timeout 1000ms, 2 retries) and routes[1]');
    const chart = shopChart();
    withTests(chart, AMBIENT);
    const out = synthValidated(chart);
    const rule = gatewayRule(out, 'payment', req('/x', 'GET', { 'x-test': '1', 'x-other': '1' }), 'gateway');
    expect([rule.backendRefs.map((b: any) => b.name), rule.timeouts.request]).toEqual([['payment-v2'], '1s']);
  });
});
