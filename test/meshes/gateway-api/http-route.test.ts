import { MatchType, HttpMethod } from '../../../src';
import { gatewayMatches, retryGroup } from '../../../src/meshes/gateway-api/http-route';
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
