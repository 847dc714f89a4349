import { HttpMethod, IstioDataPlane, MatchType, Mesh } from '../../../src';
import { crossedPrecedenceProblem, GATEWAY_API_PRECEDENCE, gammaPrecedence } from '../../../src/meshes/gateway-api/precedence';
import { LINKERD_PRECEDENCE } from '../../../src/meshes/linkerd/precedence';
import { compareRank } from '../../../src/model/precedence';

// the crossed-precedence refusal ServiceTraffic made for Linkerd and Istio ambient, now the shared helper
// their TrafficRenderer.precedenceProblem hooks call, on a hand-made model
const TEST = { headers: [{ name: 'x-test', type: MatchType.EXACT, value: 'true' }] };
const target = (mesh: Mesh) => ({ mesh, canaryBy: 'test/release', routingBy: undefined, resilienceBy: 'test/resilience', faultBy: undefined }) as any;
const model = (timeouts: [number, number], extra: any = {}) => ({
  resilience: {
    rules: [
      { name: 'testers', source: 'routes[0]', retrySource: 'routes[0]', match: TEST, timeoutMs: timeouts[0] },
      { name: 'reads', source: 'routes[1]', retrySource: 'routes[1]', match: { headers: [], methods: [HttpMethod.GET] }, timeoutMs: timeouts[1] },
    ],
  },
  routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: TEST, to: [] }], split: [] },
  ...extra,
}) as any;
const LINKERD = gammaPrecedence({ rank: LINKERD_PRECEDENCE.rank, ranking: 'the proxy ranks', rankingOfRules: 'the proxy ranks' });
// what the routes of each mesh hold of the retries (linkerd/traffic.ts, istio-ambient/traffic.ts)
const LINKERD_RETRIES = { routePerRetryPolicy: true, written: true };
const AMBIENT_RETRIES = { routePerRetryPolicy: false, written: false };
const GATEWAY = gammaPrecedence({ rank: GATEWAY_API_PRECEDENCE.rank, ranking: 'Gateway API', rankingOfRules: 'Gateway API precedence' });

describe('meshes/gateway-api: crossed precedence of version routes and resilience rules', () => {
  test('Linkerd\'s ranking (headers above a method): the method route would take the test requests, refused', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000]), LINKERD, LINKERD_RETRIES)).toBe(
      '[test/release] canaryRequests[0] ({"headers":[{"name":"x-test","type":"exact","value":"true"}]}) sends requests to a version, '
      + 'and [test/resilience] routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"true"}]}; timeout 1000ms, no retries) '
      + 'and routes[1] ({"headers":[],"methods":["GET"]}; timeout 5000ms, no retries) both match some of them. Linkerd sends a request to the most specific HTTPRoute match (the proxy ranks), '
      + 'and a route holds one condition per header name, so in the routes written for canaryRequests[0] routes[1] ranks higher and those requests would get its settings, not routes[0]\'s; '
      + 'match canaryRequests[0] on a header that no route of [test/resilience] matches on, or add that header condition to routes[1]\'s match too, or give both routes the same timeout and retries');
  });

  test('Gateway API ranking (a method above headers): the same routes keep their winner, accepted', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000]), GATEWAY, LINKERD_RETRIES)).toBeUndefined();
  });

  test('rules with one timeout and retries, fewer than two rules, no version rule, or an SMI split: nothing to swap', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 1000]), LINKERD, LINKERD_RETRIES)).toBeUndefined();
    const one = model([1000, 5000]);
    const oneRule = { ...one, resilience: { rules: one.resilience.rules.slice(0, 1) } };
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), oneRule, LINKERD, LINKERD_RETRIES)).toBeUndefined();
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), { ...one, routing: { ...one.routing, rules: [] } }, LINKERD, LINKERD_RETRIES)).toBeUndefined();
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000], { canary: { smi: true } }), LINKERD, LINKERD_RETRIES)).toBeUndefined();
  });
});

const crossedTie = () => {
  const h = (name: string) => ({ name, type: MatchType.EXACT, value: '1' });
  return {
    resilience: {
      rules: [
        { name: 'both', source: 'routes[0]', retrySource: 'routes[0]', match: { headers: [h('x-a'), h('x-b')] }, timeoutMs: 1000, retry: { attempts: 2, on: [], statusCodes: [] } },
        { name: 'a', source: 'routes[1]', retrySource: 'routes[1]', match: { headers: [h('x-a')] }, timeoutMs: 5000 },
      ],
    },
    routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: { headers: [h('x-b')] }, to: [] }], split: [] },
  } as any;
};

describe('one precedence object per mesh: its rank, and its words in both refusals', () => {
  const exact = { path: { type: MatchType.EXACT, value: '/a' }, headers: [] };
  const prefix = { path: { type: MatchType.PREFIX, value: '/a' }, headers: [] };
  const header = { headers: [{ name: 'x', type: MatchType.EXACT, value: '1' }] };

  test('Gateway API ranks an exact path above a prefix of the same length; Linkerd ties them', () => {
    expect(compareRank(GATEWAY_API_PRECEDENCE.rank(exact), GATEWAY_API_PRECEDENCE.rank(prefix))).toBeGreaterThan(0);
    expect(compareRank(GATEWAY_API_PRECEDENCE.rank(prefix), GATEWAY_API_PRECEDENCE.rank(exact))).toBeLessThan(0);
    expect(compareRank(LINKERD_PRECEDENCE.rank(exact), LINKERD_PRECEDENCE.rank(prefix))).toBe(0);
  });

  test('no path is the prefix "/": a longer path outranks headers on both', () => {
    expect(compareRank(GATEWAY_API_PRECEDENCE.rank(prefix), GATEWAY_API_PRECEDENCE.rank(header))).toBeGreaterThan(0);
    expect(compareRank(LINKERD_PRECEDENCE.rank(prefix), LINKERD_PRECEDENCE.rank(header))).toBeGreaterThan(0);
  });

  test('VersionedRouting\'s refusal says `ranking`, from the same rank', () => {
    for (const p of [GATEWAY_API_PRECEDENCE, LINKERD_PRECEDENCE]) {
      expect(p.routesBy).toBe('routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first');
      expect(p.outranks({ path: { type: MatchType.PREFIX, value: '/ab' }, headers: [] }, prefix)).toBe(p.ranking);
      expect(p.outranks(prefix, { path: { type: MatchType.PREFIX, value: '/ab' }, headers: [] })).toBeUndefined();
    }
  });

  test('the crossed-precedence refusal says `rankingOfRules`: Linkerd\'s and Gateway API\'s words', () => {
    const linkerd = crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000]), LINKERD_PRECEDENCE, LINKERD_RETRIES);
    expect(linkerd).toContain('Linkerd sends a request to the most specific HTTPRoute match (the proxy ranks longest path, most headers, most query parameters, then a method), ');
    // Gateway API's ranking: a tie alone (the first rule), the other rule crossed with a second header
    const ambient = target(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }));
    expect(crossedPrecedenceProblem(ambient, crossedHeader([1000, 5000]), GATEWAY_API_PRECEDENCE, AMBIENT_RETRIES)).toContain(
      'Istio ambient sends a request to the most specific HTTPRoute match (Gateway API precedence: exact path, longest path, method, most headers, most query parameters), ');
  });
});

/** Two rules of one header each (a tie alone: the first); the version route matches the first one's header. */
const crossedHeader = (timeouts: [number, number], retry?: any) => {
  const h = (name: string) => ({ name, type: MatchType.EXACT, value: '1' });
  return {
    resilience: {
      rules: [
        { name: 'testers', source: 'routes[0]', retrySource: 'routes[0].retries', match: { headers: [h('x-test')] }, timeoutMs: timeouts[0], retry },
        { name: 'other', source: 'routes[1]', retrySource: 'retries', match: { headers: [h('x-other')] }, timeoutMs: timeouts[1] },
      ],
    },
    routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: { headers: [h('x-test')] }, to: [] }], split: [] },
  } as any;
};

describe('written retries: only the settings the routes hold can swap (Istio ambient writes no retries)', () => {
  const AMBIENT = target(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }));
  const retry = { attempts: 2, on: ['5xx'], statusCodes: [] };

  test('rules that differ in their retries only: refused where retries are written, accepted on ambient', () => {
    const written = { routePerRetryPolicy: false, written: true };
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), crossedHeader([1000, 1000], retry), GATEWAY_API_PRECEDENCE, written))
      .toContain('routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"1"}]}; timeout 1000ms, 2 retries) and routes[1]');
    expect(crossedPrecedenceProblem(AMBIENT, crossedHeader([1000, 1000], retry), GATEWAY_API_PRECEDENCE, AMBIENT_RETRIES)).toBeUndefined();
  });

  test('rules with other timeouts: refused on ambient too, naming the timeouts only', () => {
    expect(crossedPrecedenceProblem(AMBIENT, crossedHeader([1000, 5000], retry), GATEWAY_API_PRECEDENCE, AMBIENT_RETRIES)).toBe(
      '[test/release] canaryRequests[0] ({"headers":[{"name":"x-test","type":"exact","value":"1"}]}) sends requests to a version, '
      + 'and [test/resilience] routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"1"}]}; timeout 1000ms) '
      + 'and routes[1] ({"headers":[{"name":"x-other","type":"exact","value":"1"}]}; timeout 5000ms) both match some of them. Istio ambient sends a request to the most specific HTTPRoute match '
      + '(Gateway API precedence: exact path, longest path, method, most headers, most query parameters), '
      + 'and a route holds one condition per header name, so in the routes written for canaryRequests[0] routes[1] ranks higher and those requests would get its settings, not routes[0]\'s; '
      + 'match canaryRequests[0] on a header that no route of [test/resilience] matches on, or add that header condition to routes[1]\'s match too, or give both routes the same timeout');
  });
});

describe('routePerRetryPolicy: rules of two retry policies in two routes have no order between them', () => {
  // ri outranks rj alone (two headers, one); crossed with the version route's x-b, both have two headers:
  // in one route the first rule (ri) keeps the requests, in two routes their order is undefined
  const m = crossedTie();

  test('one route per retry policy (Linkerd): refused; one route (ambient, whose dropped retries split nothing): accepted', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), m, LINKERD_PRECEDENCE, LINKERD_RETRIES)).toContain('in the routes written for canaryRequests[0] routes[1] ranks higher');
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), m, LINKERD_PRECEDENCE, { routePerRetryPolicy: false, written: true })).toBeUndefined();
    // Gateway API's ranking with a route per policy (ambient before: its dropped retries split the rules): refused
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), m, GATEWAY_API_PRECEDENCE, { routePerRetryPolicy: true, written: true })).toContain('in the routes written for canaryRequests[0] routes[1] ranks higher');
    expect(crossedPrecedenceProblem(target(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })), m, GATEWAY_API_PRECEDENCE, AMBIENT_RETRIES)).toBeUndefined();
  });
});
