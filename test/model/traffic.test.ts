import { HttpMethod, MatchType, ServiceProtocol, ServiceRef } from '../../src';
import { MatchIntent, RuleIntent } from '../../src/model/route-intent';
import { CanaryIntent, covers, intersect, mirrorsOn, routingOf, rulesOf, RoutingIntent, TrafficModel, UNMANAGED_RULE, VersionIntent } from '../../src/model/traffic';

const version = (name: string): VersionIntent => ({ name, labels: { app: 'order', version: name }, versionKey: 'version', versionValue: name, backendService: `order-${name}` });
const STABLE = version('v1');
const CANARY = version('v2');

function model(extra: Partial<TrafficModel> = {}): TrafficModel {
  return { service: {} as ServiceRef, serviceName: 'order', host: 'order', port: 80, protocol: ServiceProtocol.HTTP, ...extra };
}

function canary(extra: Partial<CanaryIntent> = {}): CanaryIntent {
  return { stable: STABLE, canary: CANARY, canaryWeight: 30, canaryMatches: [], smi: false, annotations: {}, ...extra };
}

const exact = (value: string) => ({ type: MatchType.EXACT, value });
const prefix = (value: string) => ({ type: MatchType.PREFIX, value });
const regex = (value: string) => ({ type: MatchType.REGEX, value });
const header = (name: string, c: { type: MatchType; value: string }) => ({ name, ...c });
const m = (extra: Partial<MatchIntent> = {}): MatchIntent => ({ headers: [], ...extra });

describe('model/traffic: rulesOf', () => {
  const rule: RuleIntent = { name: 'api', source: 'routes[0]', retrySource: 'routes[0].retries', timeoutMs: 1000 };

  test('the resilience rules when there are any', () => {
    expect(rulesOf(model({ resilience: { rules: [rule] } }))).toEqual([rule]);
  });

  test('one unmanaged catch-all without resilience, or with no rules', () => {
    expect(rulesOf(model())).toEqual([UNMANAGED_RULE]);
    expect(rulesOf(model({ resilience: { rules: [] } }))).toEqual([UNMANAGED_RULE]);
    expect(UNMANAGED_RULE).toEqual({ name: 'default', source: 'default', retrySource: 'retries', unmanaged: true });
  });
});

describe('model/traffic: routingOf', () => {
  test('a VersionedRouting\'s routing is returned as is; no routing and no canary: undefined', () => {
    const routing: RoutingIntent = { versions: [STABLE], rules: [], split: [{ version: STABLE, weight: 100 }], defaultVersion: STABLE };
    expect(routingOf(model({ routing, canary: canary() }))).toBe(routing);
    expect(routingOf(model())).toBeUndefined();
  });

  test('a canary split: 0 and 100 send everything to one version, between them both versions', () => {
    expect(routingOf(model({ canary: canary({ canaryWeight: 0 }) }))!.split).toEqual([{ version: STABLE, weight: 100 }]);
    expect(routingOf(model({ canary: canary({ canaryWeight: 100 }) }))!.split).toEqual([{ version: CANARY, weight: 100 }]);
    expect(routingOf(model({ canary: canary({ canaryWeight: 1 }) }))!.split).toEqual([{ version: STABLE, weight: 99 }, { version: CANARY, weight: 1 }]);
    expect(routingOf(model({ canary: canary({ canaryWeight: 99 }) }))!.split).toEqual([{ version: STABLE, weight: 1 }, { version: CANARY, weight: 99 }]);
    const r = routingOf(model({ canary: canary() }))!;
    expect([r.versions, r.rules, r.defaultVersion, r.mirror]).toEqual([[STABLE, CANARY], [], STABLE, undefined]);
  });

  test('canary requests go first, all to the canary; numbered only when there are several', () => {
    const a = m({ headers: [header('x-canary', exact('1'))] });
    const b = m({ headers: [header('x-user', exact('qa'))] });
    expect(routingOf(model({ canary: canary({ canaryMatches: [a] }) }))!.rules).toEqual([
      { name: 'canary', source: 'canaryRequests[0]', match: a, to: [{ version: CANARY, weight: 100 }] },
    ]);
    expect(routingOf(model({ canary: canary({ canaryMatches: [a, b] }) }))!.rules).toEqual([
      { name: 'canary-1', source: 'canaryRequests[0]', match: a, to: [{ version: CANARY, weight: 100 }] },
      { name: 'canary-2', source: 'canaryRequests[1]', match: b, to: [{ version: CANARY, weight: 100 }] },
    ]);
  });

  test('the mirror goes to the canary below 100%, and not at 100% (nothing left to mirror)', () => {
    expect(routingOf(model({ canary: canary({ mirrorPercent: 10, canaryWeight: 99 }) }))!.mirror).toEqual({ version: CANARY, percent: 10 });
    expect(routingOf(model({ canary: canary({ mirrorPercent: 10, canaryWeight: 0 }) }))!.mirror).toEqual({ version: CANARY, percent: 10 });
    expect(routingOf(model({ canary: canary({ mirrorPercent: 10, canaryWeight: 100 }) }))!.mirror).toBeUndefined();
    expect(routingOf(model({ canary: canary({ mirrorPercent: undefined }) }))!.mirror).toBeUndefined();
  });
});

describe('model/traffic: mirrorsOn', () => {
  const routing: RoutingIntent = { versions: [STABLE, CANARY], rules: [], split: [], mirror: { version: CANARY, percent: 5 }, defaultVersion: STABLE };

  test('a route that sends to another version carries the mirror', () => {
    expect(mirrorsOn(routing, [{ version: STABLE, weight: 100 }])).toBe(true);
    expect(mirrorsOn(routing, [{ version: STABLE, weight: 90 }, { version: CANARY, weight: 10 }])).toBe(true);
  });

  test('not a route only to the mirrored version, nor without a mirror or routing', () => {
    expect(mirrorsOn(routing, [{ version: CANARY, weight: 100 }])).toBe(false);
    expect(mirrorsOn({ ...routing, mirror: undefined }, [{ version: STABLE, weight: 100 }])).toBe(false);
    expect(mirrorsOn(undefined, [{ version: STABLE, weight: 100 }])).toBe(false);
  });
});

describe('model/traffic: intersect', () => {
  test('undefined is every request: the other match', () => {
    const a = m({ path: exact('/a') });
    expect(intersect(undefined, a)).toEqual({ match: a });
    expect(intersect(a, undefined)).toEqual({ match: a });
    expect(intersect(undefined, undefined)).toEqual({ match: undefined });
  });

  test('paths: the same, the narrower one (segment-wise), or no request', () => {
    expect(intersect(m({ path: exact('/a') }), m({ path: exact('/a') }))).toEqual({ match: m({ path: exact('/a') }) });
    expect(intersect(m({ path: exact('/a') }), m({ path: exact('/b') }))).toEqual({ empty: true });
    expect(intersect(m({ path: prefix('/api') }), m({ path: exact('/api/x') }))).toEqual({ match: m({ path: exact('/api/x') }) });
    expect(intersect(m({ path: exact('/api') }), m({ path: prefix('/api/') }))).toEqual({ match: m({ path: exact('/api') }) });
    expect(intersect(m({ path: prefix('/api') }), m({ path: exact('/apix') }))).toEqual({ empty: true });
    expect(intersect(m({ path: prefix('/api') }), m({ path: prefix('/api/v1') }))).toEqual({ match: m({ path: prefix('/api/v1') }) });
    expect(intersect(m({ path: prefix('/api/v1') }), m({ path: prefix('/api') }))).toEqual({ match: m({ path: prefix('/api/v1') }) });
    expect(intersect(m({ path: prefix('/api') }), m({ path: prefix('/apix') }))).toEqual({ empty: true });
    expect(intersect(m({ path: prefix('/') }), m({ path: exact('/x') }))).toEqual({ match: m({ path: exact('/x') }) });
    expect(intersect(m({ path: prefix('/a') }), m())).toEqual({ match: m({ path: prefix('/a') }) });
  });

  test('paths: a regular expression with another path is not expressible; the same one is', () => {
    expect(intersect(m({ path: regex('^/a') }), m({ path: prefix('/b') }))).toEqual({ inexpressible: 'path regex "^/a" and prefix "/b"' });
    expect(intersect(m({ path: exact('/a') }), m({ path: regex('^/a$') }))).toEqual({ inexpressible: 'path exact "/a" and regex "^/a$"' });
    expect(intersect(m({ path: regex('^/a') }), m({ path: regex('^/a') }))).toEqual({ match: m({ path: regex('^/a') }) });
  });

  test('methods: the common ones, no request when none; one side\'s when the other has none', () => {
    expect(intersect(m({ methods: [HttpMethod.GET, HttpMethod.POST] }), m({ methods: [HttpMethod.POST, HttpMethod.PUT] })))
      .toEqual({ match: m({ methods: [HttpMethod.POST] }) });
    expect(intersect(m({ methods: [HttpMethod.GET] }), m({ methods: [HttpMethod.POST] }))).toEqual({ empty: true });
    expect(intersect(m(), m({ methods: [HttpMethod.GET] }))).toEqual({ match: m({ methods: [HttpMethod.GET] }) });
    expect(intersect(m({ methods: [HttpMethod.GET] }), m())).toEqual({ match: m({ methods: [HttpMethod.GET] }) });
  });

  test('headers: different names add up; one name combines into one condition or no request', () => {
    const h = (...hs: ReturnType<typeof header>[]) => m({ headers: hs });
    expect(intersect(h(header('a', exact('1'))), h(header('b', exact('2'))))).toEqual({ match: h(header('a', exact('1')), header('b', exact('2'))) });
    expect(intersect(h(header('a', exact('1'))), h(header('a', exact('1'))))).toEqual({ match: h(header('a', exact('1'))) });
    expect(intersect(h(header('a', exact('1'))), h(header('a', exact('2'))))).toEqual({ empty: true });
    expect(intersect(h(header('a', exact('abc'))), h(header('a', prefix('ab'))))).toEqual({ match: h(header('a', exact('abc'))) });
    expect(intersect(h(header('a', prefix('ab'))), h(header('a', exact('abc'))))).toEqual({ match: h(header('a', exact('abc'))) });
    expect(intersect(h(header('a', exact('xbc'))), h(header('a', prefix('ab'))))).toEqual({ empty: true });
    expect(intersect(h(header('a', prefix('ab'))), h(header('a', prefix('abc'))))).toEqual({ match: h(header('a', prefix('abc'))) });
    expect(intersect(h(header('a', prefix('abc'))), h(header('a', prefix('ab'))))).toEqual({ match: h(header('a', prefix('abc'))) });
    expect(intersect(h(header('a', prefix('ab'))), h(header('a', prefix('x'))))).toEqual({ empty: true });
    expect(intersect(h(header('a', regex('a.*'))), h(header('a', exact('ab'))))).toEqual({ inexpressible: 'header a regex "a.*" and exact "ab"' });
    expect(intersect(h(header('a', regex('a.*'))), h(header('a', regex('a.*'))))).toEqual({ match: h(header('a', regex('a.*'))) });
  });

  test('query parameters: the same rules, reported as query parameters; no query key when there are none', () => {
    const q = (...qs: ReturnType<typeof header>[]) => m({ query: qs });
    expect(intersect(q(header('q', exact('1'))), m())).toEqual({ match: q(header('q', exact('1'))) });
    expect(intersect(m(), q(header('q', exact('1'))))).toEqual({ match: q(header('q', exact('1'))) });
    expect(intersect(q(header('q', exact('1'))), q(header('q', exact('2'))))).toEqual({ empty: true });
    expect(intersect(q(header('q', exact('1'))), q(header('q', regex('.*'))))).toEqual({ inexpressible: 'query parameter q exact "1" and regex ".*"' });
    expect(intersect(m(), m())).toEqual({ match: { headers: [] } });
    expect(intersect(m({ query: [] }), m())).toEqual({ match: { headers: [] } });
  });
});

describe('model/traffic: covers', () => {
  test('undefined covers everything; is covered only by a match without conditions', () => {
    expect(covers(undefined, m({ path: exact('/a') }))).toBe(true);
    expect(covers(undefined, undefined)).toBe(true);
    expect(covers(m(), undefined)).toBe(true);
    expect(covers(m({ query: [] }), undefined)).toBe(true);
    expect(covers(m({ path: exact('/a') }), undefined)).toBe(false);
    expect(covers(m({ methods: [HttpMethod.GET] }), undefined)).toBe(false);
    expect(covers(m({ headers: [header('a', exact('1'))] }), undefined)).toBe(false);
    expect(covers(m({ query: [header('q', exact('1'))] }), undefined)).toBe(false);
  });

  test('paths: a prefix covers the paths under it (segment-wise); the prefix / covers every path', () => {
    expect(covers(m({ path: prefix('/') }), m())).toBe(true);
    expect(covers(m({ path: prefix('/api') }), m())).toBe(false);
    expect(covers(m({ path: prefix('/api') }), m({ path: exact('/api/x') }))).toBe(true);
    expect(covers(m({ path: prefix('/api') }), m({ path: prefix('/api/v1') }))).toBe(true);
    expect(covers(m({ path: prefix('/api') }), m({ path: prefix('/api') }))).toBe(true);
    expect(covers(m({ path: prefix('/api') }), m({ path: prefix('/apix') }))).toBe(false);
    expect(covers(m({ path: prefix('/api') }), m({ path: prefix('/') }))).toBe(false);
    expect(covers(m({ path: prefix('/api/v1') }), m({ path: prefix('/api') }))).toBe(false);
    expect(covers(m({ path: exact('/a') }), m({ path: exact('/a') }))).toBe(true);
    expect(covers(m({ path: exact('/a') }), m({ path: exact('/b') }))).toBe(false);
    expect(covers(m({ path: exact('/api') }), m({ path: prefix('/api') }))).toBe(false);
  });

  test('paths: a regular expression covers only the same expression', () => {
    expect(covers(m({ path: regex('^/a') }), m({ path: regex('^/a') }))).toBe(true);
    expect(covers(m({ path: regex('^/a') }), m({ path: regex('^/a/b') }))).toBe(false);
    expect(covers(m({ path: regex('^/a') }), m({ path: exact('/a') }))).toBe(false);
    expect(covers(m({ path: prefix('/a') }), m({ path: regex('^/a') }))).toBe(false);
  });

  test('methods: the inner methods must all be outer ones', () => {
    expect(covers(m({ methods: [HttpMethod.GET, HttpMethod.POST] }), m({ methods: [HttpMethod.GET] }))).toBe(true);
    expect(covers(m({ methods: [HttpMethod.GET] }), m({ methods: [HttpMethod.GET, HttpMethod.POST] }))).toBe(false);
    expect(covers(m({ methods: [HttpMethod.GET] }), m())).toBe(false);
    expect(covers(m(), m({ methods: [HttpMethod.GET] }))).toBe(true);
  });

  test('headers and query parameters: each outer condition needs a narrower-or-equal inner one on the same name', () => {
    const h = (...hs: ReturnType<typeof header>[]) => m({ headers: hs });
    expect(covers(h(header('a', exact('1'))), h(header('a', exact('1')), header('b', exact('2'))))).toBe(true);
    expect(covers(h(header('a', exact('1'))), h(header('a', exact('2'))))).toBe(false);
    expect(covers(h(header('a', exact('1'))), h(header('a', prefix('1'))))).toBe(false);
    expect(covers(h(header('a', exact('1'))), h(header('b', exact('1'))))).toBe(false);
    expect(covers(h(header('a', prefix('ab'))), h(header('a', exact('abc'))))).toBe(true);
    expect(covers(h(header('a', prefix('ab'))), h(header('a', prefix('abc'))))).toBe(true);
    expect(covers(h(header('a', prefix('abc'))), h(header('a', prefix('ab'))))).toBe(false);
    expect(covers(h(header('a', prefix('ab'))), h(header('a', regex('ab.*'))))).toBe(false);
    expect(covers(h(header('a', regex('ab.*'))), h(header('a', regex('ab.*'))))).toBe(true);
    expect(covers(h(header('a', regex('ab.*'))), h(header('a', exact('abc'))))).toBe(false);
    expect(covers(m({ query: [header('q', exact('1'))] }), m({ query: [header('q', exact('1'))] }))).toBe(true);
    expect(covers(m({ query: [header('q', exact('1'))] }), m({ query: [header('q', exact('2'))] }))).toBe(false);
    expect(covers(m({ query: [header('q', exact('1'))] }), m())).toBe(false);
    expect(covers(m(), m({ query: [header('q', exact('1'))] }))).toBe(true);
  });
});
