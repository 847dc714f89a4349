import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { MatchType, HttpMethod } from '../../../src';
import { gammaRoutes, gatewayMatches, retryGroup } from '../../../src/meshes/gateway-api/http-route';
import { RuleIntent } from '../../../src/model/route-intent';

describe('meshes/gateway-api: the HTTPRoute writer shared by Istio ambient and Linkerd', () => {
  test('no match is a prefix "/"; methods make one match each', () => {
    expect(gatewayMatches(undefined)).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(gatewayMatches({ headers: [], methods: [HttpMethod.GET, HttpMethod.PUT] }).map(m => m.method)).toEqual(['GET', 'PUT']);
  });

  test('a prefix header becomes an anchored, escaped regular expression', () => {
    const [m] = gatewayMatches({ headers: [{ name: 'x-v', type: MatchType.PREFIX, value: 'a.b' }] });
    expect(m.headers).toEqual([{ type: 'RegularExpression', name: 'x-v', value: '^a\\.b.*' }]);
  });

  test('rules group by their retry policy', () => {
    const base = { source: 's', match: undefined } as unknown as RuleIntent;
    const retry = { attempts: 2, on: ['5xx'], statusCodes: [] };
    expect(retryGroup(base)).toBe('');
    expect(retryGroup({ ...base, retry } as RuleIntent)).toBe(retryGroup({ ...base, retry: { ...retry } } as RuleIntent));
    expect(retryGroup({ ...base, retry } as RuleIntent)).not.toBe(retryGroup({ ...base, retry: { ...retry, attempts: 3 } } as RuleIntent));
  });
});

describe('gammaRoutes: a route per retry policy only where the mesh asks for it (GammaOptions.routePerRetryPolicy)', () => {
  const retry = { attempts: 2, on: ['5xx'], statusCodes: [] };
  const model: any = {
    serviceName: 'payment',
    namespace: 'shop',
    port: 8080,
    resilience: {
      rules: [
        { name: 'api', source: 'routes[0]', retrySource: 'routes[0].retries', match: { path: { type: MatchType.PREFIX, value: '/api' }, headers: [] }, timeoutMs: 1000, retry },
        { name: 'default', source: 'timeout', retrySource: 'retries', timeoutMs: 5000 },
      ],
    },
  };
  const routes = (routePerRetryPolicy: boolean) => {
    const chart = Testing.chart();
    const traffic: any = Object.assign(new Construct(chart, 'traffic'), { adopt: () => undefined });
    const annotations = (r: any): { [k: string]: string } => (r ? { retries: String(r.attempts) } : {});
    // called twice, as on two contributions: no second object of one id
    for (let i = 0; i < 2; i++) gammaRoutes(traffic, () => model, { routePerRetryPolicy, annotations, mirror: false });
    return Testing.synth(chart).map(o => [o.metadata.name, o.metadata.annotations?.retries, o.spec.rules.map((r: any) => r.matches[0].path.value).join(' ')]);
  };

  test('with it (Linkerd: retries are a route\'s annotations): one route per policy, each with its rules', () => {
    expect(routes(true)).toEqual([['payment-retry', '2', '/api'], ['payment', undefined, '/']]);
  });

  test('without it: one route with every rule, in order, no policy annotations', () => {
    expect(routes(false)).toEqual([['payment', undefined, '/api /']]);
  });
});
