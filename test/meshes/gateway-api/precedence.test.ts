import { HttpMethod, MatchType, Mesh } from '../../../src';
import { crossedPrecedenceProblem } from '../../../src/meshes/gateway-api/precedence';
import { linkerdRank, rank } from '../../../src/model/precedence';

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
const LINKERD = { rank: linkerdRank, described: 'the proxy ranks' };
const GATEWAY = { rank, described: 'Gateway API precedence' };

describe('meshes/gateway-api: crossed precedence of version routes and resilience rules', () => {
  test('Linkerd\'s ranking (headers above a method): the method route would take the test requests, refused', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000]), LINKERD)).toBe(
      '[test/release] canaryRequests[0] ({"headers":[{"name":"x-test","type":"exact","value":"true"}]}) sends requests to a version, '
      + 'and [test/resilience] routes[0] ({"headers":[{"name":"x-test","type":"exact","value":"true"}]}; timeout 1000ms, no retries) '
      + 'and routes[1] ({"headers":[],"methods":["GET"]}; timeout 5000ms, no retries) both match some of them. Linkerd sends a request to the most specific HTTPRoute match (the proxy ranks), '
      + 'and a route holds one condition per header name, so in the routes written for canaryRequests[0] routes[1] ranks higher and those requests would get its settings, not routes[0]\'s; '
      + 'match canaryRequests[0] on a header that no route of [test/resilience] matches on, or add that header condition to routes[1]\'s match too, or give both routes the same timeout and retries');
  });

  test('Gateway API ranking (a method above headers): the same routes keep their winner, accepted', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000]), GATEWAY)).toBeUndefined();
  });

  test('rules with one timeout and retries, fewer than two rules, no version rule, or an SMI split: nothing to swap', () => {
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 1000]), LINKERD)).toBeUndefined();
    const one = model([1000, 5000]);
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), { ...one, resilience: { rules: one.resilience.rules.slice(0, 1) } }, LINKERD)).toBeUndefined();
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), { ...one, routing: { ...one.routing, rules: [] } }, LINKERD)).toBeUndefined();
    expect(crossedPrecedenceProblem(target(Mesh.linkerd()), model([1000, 5000], { canary: { smi: true } }), LINKERD)).toBeUndefined();
  });
});
