/**
 * I105 looks the earlier URI prefixes of a match up (by its other conditions and the prefixes of its URI) instead of
 * scanning every earlier prefix: the same findings as the scan, on hand-written VirtualServices whose matches share
 * prefixes, repeat, differ in other conditions or in name, and mix exact and prefix URIs.
 */
import * as fc from 'fast-check';
import * as jsyaml from 'js-yaml';
import { MeshAnalyzer } from '../../src';

/** The scan (the rule before the index), as a reference: [http index, match index, message]. */
function scan(http: any[]): string[] {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter(k => (v as any)[k] !== undefined).map(k => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
    return JSON.stringify(v) ?? 'null';
  };
  const matchKey = (m: any) => { const { name: _n, ...rest } = m; return canonical(rest); };
  const seen = new Map<string, number>();
  const prefixes: { i: number; prefix: string; rest: string }[] = [];
  const out: string[] = [];
  http.forEach((r, i) => (r.match ?? []).forEach((m: any, j: number) => {
    const key = matchKey(m);
    const rest = matchKey({ ...m, uri: undefined });
    const uri: string | undefined = m?.uri?.prefix ?? m?.uri?.exact;
    const shadow = uri === undefined ? undefined
      : prefixes.find(p => p.i !== i && p.rest === rest && uri.startsWith(p.prefix) && key !== matchKey({ ...m, uri: { prefix: p.prefix } }));
    if (seen.has(key) && seen.get(key) !== i) {
      out.push(`spec.http[${i}].match[${j}] this match is the same as one in http[${seen.get(key)}], which is tried first: remove it or make it more specific`);
    } else if (shadow) {
      out.push(`spec.http[${i}].match[${j}] the URI prefix ${JSON.stringify(shadow.prefix)} of http[${shadow.i}] already matches every request this match takes: move this rule above http[${shadow.i}]`);
    }
    if (!seen.has(key)) seen.set(key, i);
    if (typeof m?.uri?.prefix === 'string') prefixes.push({ i, prefix: m.uri.prefix, rest });
  }));
  return out;
}

const i105 = (http: any[]) => MeshAnalyzer.analyzeYaml(jsyaml.dump({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'ingress', namespace: 'shop' },
  spec: { hosts: ['shop.example.com'], gateways: ['shop/public'], http },
}, { noRefs: true })).findings.filter(f => f.code === 'I105').map(f => `${f.path} ${f.message}`);

const match = fc.record({
  uri: fc.option(fc.oneof(
    fc.record({ prefix: fc.constantFrom('/', '/a', '/a/', '/a/b', '/ab', '/b', '/a/b/c') }),
    fc.record({ exact: fc.constantFrom('/a', '/a/b', '/b', '/ab/c') }),
  ), { nil: undefined }),
  method: fc.option(fc.record({ exact: fc.constantFrom('GET', 'POST') }), { nil: undefined }),
  name: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
}, { requiredKeys: [] });
const route = fc.record({ match: fc.array(match, { minLength: 1, maxLength: 3 }) });

describe('I105 with an index of the earlier prefixes', () => {
  test('the same findings as scanning every earlier prefix, on random VirtualServices', () => {
    fc.assert(fc.property(fc.array(route, { minLength: 1, maxLength: 8 }), http => {
      const withRoutes = http.map(r => ({ ...r, route: [{ destination: { host: 'payment' } }] }));
      expect(i105(withRoutes)).toEqual(scan(withRoutes));
    }), { numRuns: 300, seed: 26 });
  });

  test('the same findings as the scan with conditions sorting before and after uri, and matches that are not objects', () => {
    // I105 makes the key of a match with another URI from the parts of its key before and after `uri` (no copy)
    const wide = fc.oneof(
      fc.record({
        headers: fc.option(fc.record({ 'x-user': fc.record({ exact: fc.constantFrom('a', 'b') }) }), { nil: undefined }),
        uri: fc.option(fc.oneof(
          fc.record({ prefix: fc.constantFrom('/', '/a', '/a/b', '/b') }),
          fc.record({ exact: fc.constantFrom('/a', '/a/b', '/b/c') }),
          fc.record({ prefix: fc.constantFrom('/a'), ignoreUriCase: fc.boolean() }),
        ), { nil: undefined }),
        withoutHeaders: fc.option(fc.record({ 'x-bot': fc.record({ exact: fc.constantFrom('1', '2') }) }), { nil: undefined }),
        port: fc.option(fc.constantFrom(80, 8080), { nil: undefined }),
        name: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
      }, { requiredKeys: [] }),
      fc.constantFrom<any>(['x'], { uri: null }, { uri: '/a' }, { uri: { prefix: '/a' }, name: 'n' }),
    );
    fc.assert(fc.property(fc.array(fc.record({ match: fc.array(wide, { minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 8 }), http => {
      const withRoutes = http.map(r => ({ ...r, route: [{ destination: { host: 'payment' } }] }));
      expect(i105(withRoutes)).toEqual(scan(withRoutes));
    }), { numRuns: 400, seed: 2604 });
  });

  test('the first earlier prefix in match order is named, not the longest or the shortest', () => {
    const http = [
      { match: [{ uri: { prefix: '/a/b' } }], route: [{ destination: { host: 'x' } }] },
      { match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'x' } }] },
      { match: [{ uri: { prefix: '/a/b/c' } }, { uri: { exact: '/a/b/c/d' }, method: { exact: 'GET' } }], route: [{ destination: { host: 'x' } }] },
    ];
    expect(i105(http)).toEqual(scan(http));
    // /a (http[1]) is not below /a/b; /a/b/c is below both: http[0] is named, the first in order; the exact GET match
    // has another method, so no prefix without one shadows it
    expect(i105(http)).toEqual([
      'spec.http[2].match[0] the URI prefix "/a/b" of http[0] already matches every request this match takes: move this rule above http[0]',
    ]);
  });

  test('a shared ingress VirtualService with 3,000 service prefixes: only the shadowed ones', () => {
    const http = Array.from({ length: 3000 }, (_, i) => ({ match: [{ uri: { prefix: `/svc-${i}` } }], route: [{ destination: { host: `svc-${i}` } }] }));
    const found = i105(http);
    // /svc-1 comes before /svc-10 ... /svc-19, /svc-100 ...: each longer one is shadowed by the first of its prefixes
    expect([...found].sort()).toEqual(scan(http).sort());
    expect(found.length).toBe(3000 - 10);
  });
});
