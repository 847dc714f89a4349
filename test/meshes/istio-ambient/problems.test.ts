import { HttpMethod, IstioDataPlane, MatchType, Mesh } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { renderContext } from '../context';

// ServiceTraffic's ambient checks, now Istio ambient's TrafficRenderer hooks, called directly
const mesh = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const target = (by: { faultBy?: string; resilienceBy?: string; canaryBy?: string; routingBy?: string }) => ({ mesh, ...by }) as any;
const RULES = { rules: [{ name: 'default', source: 'timeout', retrySource: 'retries', timeoutMs: 1000 }] };

describe('meshes/istio-ambient: faults beside Gateway API routes (joinProblem)', () => {
  const join = (by: any, model: any) => ISTIO_AMBIENT.traffic!.joinProblem!(target(by), model, renderContext(mesh));

  test('faults with resilience routes, a canary or a version routing are refused, naming both constructs', () => {
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res' }, { resilience: RULES, faults: [] })).toBe(
      '[test/fault] injects faults (a VirtualService, Alpha on Istio ambient), and [test/res] routes it with Gateway API HTTPRoutes; Istio leaves a service with both undefined; '
      + 'inject faults into a service that has no ResilientService timeouts (on the service or a route: a circuit breaker, or retries left out with DROP_WITH_WARNING, write no route), no CanaryRelease and no VersionedRouting, or use the sidecar data plane for it');
    expect(join({ faultBy: 'test/fault', canaryBy: 'test/release' }, { faults: [] })).toContain('and [test/release] routes it');
    expect(join({ faultBy: 'test/fault', routingBy: 'test/routing' }, { faults: [] })).toContain('and [test/routing] routes it');
    // a ResilientService with routes names it, before a canary
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res', canaryBy: 'test/release' }, { resilience: RULES })).toContain('and [test/res] routes it');
  });

  test('faults alone, faults with a circuit breaker only (no route), or routes without faults are accepted', () => {
    expect(join({ faultBy: 'test/fault' }, { faults: [] })).toBeUndefined();
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res' }, { resilience: { rules: [] } })).toBeUndefined();
    expect(join({ resilienceBy: 'test/res', canaryBy: 'test/release' }, { resilience: RULES })).toBeUndefined();
  });

  test('the crossed-precedence check ranks by Gateway API precedence and says so', () => {
    const precedence = (model: any) => ISTIO_AMBIENT.traffic!.precedenceProblem!(target({ resilienceBy: 'test/res', canaryBy: 'test/release' }), model, renderContext(mesh));
    const h = (name: string) => ({ name, type: MatchType.EXACT, value: '1' });
    const rules = (second: any) => ({
      resilience: {
        rules: [
          { name: 'testers', source: 'routes[0]', retrySource: 'routes[0]', match: { headers: [h('x-test')] }, timeoutMs: 1000 },
          { name: 'second', source: 'routes[1]', retrySource: 'routes[1]', match: second, timeoutMs: 5000 },
        ],
      },
      routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: { headers: [h('x-test')] }, to: [] }], split: [] },
    });
    // a method outranks a header in Gateway API (Linkerd ranks the header higher, and refuses this one)
    expect(precedence(rules({ headers: [], methods: [HttpMethod.GET] }))).toBeUndefined();
    // alone, routes[0] and routes[1] tie (one header each) and route order keeps routes[0]; in the routes written
    // for the test requests, routes[1] has two headers (x-b and the test header) and outranks it: refused
    expect(precedence(rules({ headers: [h('x-b')] }))).toBe(
      '[test/release] canaryRequests[0] ({"headers":[{"name":"x-test","type":"exact","value":"1"}]}) sends requests to a version, and [test/res] routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"1"}]}; timeout 1000ms) '
      + 'and routes[1] ({"headers":[{"name":"x-b","type":"exact","value":"1"}]}; timeout 5000ms) both match some of them. Istio ambient sends a request to the most specific HTTPRoute match '
      + '(Gateway API precedence: exact path, longest path, method, most headers, most query parameters), and a route holds one condition per header name, so in the routes written for canaryRequests[0] routes[1] ranks higher and those requests would get its settings, not routes[0]\'s; '
      + 'match canaryRequests[0] on a header that no route of [test/res] matches on, or add that header condition to routes[1]\'s match too, or give both routes the same timeout');
  });

  test('the crossed-precedence check follows what the waypoint gets: retries (only ever dropped on ambient) neither split the routes nor differ', () => {
    const precedence = (model: any) => ISTIO_AMBIENT.traffic!.precedenceProblem!(target({ resilienceBy: 'test/res', canaryBy: 'test/release' }), model, renderContext(mesh));
    const h = (name: string) => ({ name, type: MatchType.EXACT, value: '1' });
    const retry = { attempts: 2, on: ['5xx'], statusCodes: [] };
    const rules = (first: any, second: any, timeouts: [number, number], canary: string) => ({
      resilience: {
        rules: [
          { name: 'first', source: 'routes[0]', retrySource: 'routes[0].retries', match: first, timeoutMs: timeouts[0], retry },
          { name: 'second', source: 'routes[1]', retrySource: 'routes[1]', match: second, timeoutMs: timeouts[1] },
        ],
      },
      routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: { headers: [h(canary)] }, to: [] }], split: [] },
    });
    // routes[1] outranks routes[0] in the routes for the test requests, but both give them 1s: the dropped
    // retries of routes[0] are not written, so nothing differs (with another timeout: refused)
    expect(precedence(rules({ headers: [h('x-test')] }, { headers: [h('x-b')] }, [1000, 1000], 'x-test'))).toBeUndefined();
    expect(precedence(rules({ headers: [h('x-test')] }, { headers: [h('x-b')] }, [1000, 5000], 'x-test'))).toContain('routes[1] ranks higher');
    // routes[0] (two headers) outranks routes[1] alone; crossed with x-b both have two, and in one route the first
    // rule keeps its requests (two routes, one per retry policy, would leave their order undefined): accepted
    expect(precedence(rules({ headers: [h('x-a'), h('x-b')] }, { headers: [h('x-a')] }, [1000, 5000], 'x-b'))).toBeUndefined();
  });
  test('sidecars have neither check', () => {
    expect(ISTIO.traffic!.joinProblem).toBeUndefined();
    expect(ISTIO.traffic!.precedenceProblem).toBeUndefined();
  });
});
