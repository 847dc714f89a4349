/**
 * Issue 26, seventh pass: the analyzer makes some things once for several rules (the destinations of a VirtualService
 * for I101, I102 and I132, the DestinationRules by host for I101 and I146, the duplicates for K101 and K102); sixteenth
 * pass: I104, I105 and I156 walk each VirtualService together, I104 and I105 making the key of a simple match once,
 * while the walk is on that VirtualService; twenty-third pass: the keys of all its HTTP matches and the first rule of
 * each, made ahead once for both, where that gives the answers each rule gave alone. The findings must be those of each
 * rule making its own: the same findings and, on shapes a rule does not expect, the same A000 message (the first error in
 * the order the rule read).
 */
import * as fc from 'fast-check';
import { Finding, MeshAnalyzer, Severity } from '../../src';

const vs = (name: string, spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'a', namespace: 'shop' }, spec: { host: 'a', subsets: [{ name: 'v1', labels: { v: '1' } }] } };
const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'shop' }, spec: {} };
const show = (findings: Finding[], codes?: string[]) => findings.filter(f => !codes || codes.includes(f.code) || codes.some(c => f.message.startsWith(`rule ${c} `)))
  .map(f => `${f.code} ${f.resource} ${f.path} ${f.message}`);
const skipped = (code: string, kinds: string, error: string) => `A000   rule ${code} skipped: a ${kinds} has an unexpected shape (${error}); run cdk8s-mesh validate on it`;

// the match keys of the rules before the sixteenth pass, as a reference: the canonical form of { ...m } without its name
const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().filter(k => (v as any)[k] !== undefined).map(k => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
};
const matchKey = (m: any) => { const { name: _n, ...rest } = m && typeof m === 'object' ? m : {}; return canonical(rest); };
/** Random matches: fields that make two matches the same or not, a name (which does not count), and odd shapes. */
const match = fc.oneof(
  fc.record({
    headers: fc.option(fc.record({ 'x-user': fc.record({ exact: fc.constantFrom('a', 'b') }) }), { nil: undefined }),
    uri: fc.option(fc.oneof(fc.record({ prefix: fc.constantFrom('/', '/a', '/ab') }), fc.record({ exact: fc.constantFrom('/a', '/b', '/ab') })), { nil: undefined }),
    withoutHeaders: fc.option(fc.record({ 'x-bot': fc.record({ exact: fc.constantFrom('1') }) }), { nil: undefined }),
    port: fc.option(fc.constantFrom(80, 8080), { nil: undefined }),
    name: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined }),
  }, { requiredKeys: [] }),
  fc.constantFrom<any>(['x'], null, 'str', { uri: null }, { name: 'only-a-name' }, {}),
);
const matchLists = fc.option(fc.array(match, { minLength: 0, maxLength: 2 }), { nil: undefined, freq: 8 });
const routes = fc.array(fc.record({ match: matchLists }), { minLength: 1, maxLength: 8 });

describe('rules that share what they read', () => {
  test('each rule reading the shared destinations skips with its own first error, in the order it reads the VirtualServices', () => {
    const bad = vs('y', { hosts: ['a'], tcp: [{ route: [null] }] });
    const badHost = vs('x', { hosts: ['a'], http: [{ route: [{ destination: { host: 7, subset: 'v1' } }] }] });
    // x first: I101 and I132 fail on x's host (a number) before they read y's destinations; I102 reads only y's null
    expect(show(MeshAnalyzer.analyzeObjects([dr, svc, badHost, bad]).findings, ['I101', 'I102', 'I132'])).toEqual([
      skipped('I101', 'VirtualService/DestinationRule', 'host.includes is not a function'),
      skipped('I102', 'VirtualService', 'Cannot read properties of null (reading \'destination\')'),
      skipped('I132', 'VirtualService/Service', 'host.includes is not a function'),
    ]);
    // y first: every rule meets y's null destination first (a list made for all VirtualServices at once would give this for both orders)
    expect(show(MeshAnalyzer.analyzeObjects([dr, svc, bad, badHost]).findings, ['I101', 'I102', 'I132'])).toEqual([
      skipped('I101', 'VirtualService/DestinationRule', 'Cannot read properties of null (reading \'destination\')'),
      skipped('I102', 'VirtualService', 'Cannot read properties of null (reading \'destination\')'),
      skipped('I132', 'VirtualService/Service', 'Cannot read properties of null (reading \'destination\')'),
    ]);
    expect(show(MeshAnalyzer.analyzeObjects([vs('x', { hosts: ['a'], http: [null] })]).findings, ['I101', 'I102'])).toEqual([
      skipped('I101', 'VirtualService/DestinationRule', 'Cannot read properties of null (reading \'route\')'),
      skipped('I102', 'VirtualService', 'Cannot read properties of null (reading \'route\')'),
    ]);
  });

  test('destinations of routes, mirror and mirrors, holes skipped, with their paths', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = vs('s', { hosts: ['a'], http: [, { route: [, { destination: { host: 'a', subset: 'v3' } }] }] });
    const many = vs('x', {
      hosts: ['a'],
      http: [{ mirror: 'a', route: [{ destination: { host: '*', subset: 'v9' } }, { destination: { host: 'zz' } }], mirrors: [{ destination: { host: 'nope', subset: 'q' } }] }],
      tls: [{ route: [{ destination: { host: 'a', subset: 'v1' } }] }],
      tcp: [{ mirror: { host: 'mm', subset: 'v7' } }],
    });
    expect(show(MeshAnalyzer.analyzeObjects([dr, svc, many, sparse]).findings, ['I101', 'I102', 'I132'])).toEqual([
      'I101 VirtualService shop/x spec.http[0].mirrors[0].destination.subset subset "q" of host nope.shop.svc.cluster.local is not defined by any DestinationRule: add it to the DestinationRule\'s subsets, or fix the name',
      'I101 VirtualService shop/x spec.http[0].route[0].destination.subset subset "v9" of host * is not defined by any DestinationRule: add it to the DestinationRule\'s subsets, or fix the name',
      'I101 VirtualService shop/x spec.tcp[0].mirror.subset subset "v7" of host mm.shop.svc.cluster.local is not defined by any DestinationRule: add it to the DestinationRule\'s subsets, or fix the name',
      'I102 VirtualService shop/x spec.http[0].route[0].destination.host a destination host cannot be "*": name the service',
      'I132 VirtualService shop/x spec.http[0].mirrors[0].destination.host no Service shop/nope is among the manifests: check the host, or add the Service',
      'I132 VirtualService shop/x spec.http[0].route[1].destination.host no Service shop/zz is among the manifests: check the host, or add the Service',
      'I132 VirtualService shop/x spec.tcp[0].mirror.host no Service shop/mm is among the manifests: check the host, or add the Service',
      'I101 VirtualService shop/s spec.http[1].route[1].destination.subset subset "v3" of host a.shop.svc.cluster.local is not defined by any DestinationRule: add it to the DestinationRule\'s subsets, or fix the name',
    ]);
  });

  test('I156 reads regexes of matches of any shape', () => {
    const v = vs('x', { hosts: ['a'], http: [{ match: [null, 'str', ['x'], { uri: { regex: '(?=a)' }, headers: { h: { regex: '(' }, g: 'str' }, queryParams: ['x', { regex: '\\1' }], withoutHeaders: null, authority: { regex: 'ok' } }] }] });
    expect(show(MeshAnalyzer.analyzeObjects([v]).findings, ['I156']).map(l => l.replace(/ is not an RE2.*/, ''))).toEqual([
      'I156 VirtualService shop/x spec.http[0].match[3].headers.h.regex "("',
      'I156 VirtualService shop/x spec.http[0].match[3].queryParams["1"].regex "\\\\1"',
      'I156 VirtualService shop/x spec.http[0].match[3].uri.regex "(?=a)"',
    ]);
  });

  test('I104 and I105 walk the VirtualServices together: each stops at its own first error, the other goes on', () => {
    // x: I104 skips a null rule, I105 reads its matches and fails there; y: a rule whose match repeats an earlier one
    const x = vs('x', { hosts: ['*'], http: [null, { match: [{ method: { exact: 'GET' } }], route: [{ destination: { host: 'a' } }] }] });
    const dup = { match: [{ headers: { 'x-b': { exact: '1' } }, method: { exact: 'GET' } }], route: [{ destination: { host: 'a' } }] };
    // the same match with its keys in another order: the same key (its canonical form), made once for both rules
    const again = { match: [{ method: { exact: 'GET' }, headers: { 'x-b': { exact: '1' } } }], route: [{ destination: { host: 'a' } }] };
    const y = vs('y', { hosts: ['a'], http: [dup, again] });
    // I156 goes on too: x's host *
    expect(show(MeshAnalyzer.analyzeObjects([x, y]).findings, ['I104', 'I105', 'I156'])).toEqual([
      'I156 VirtualService shop/x spec.hosts[0] host * is not allowed on a VirtualService bound to the mesh: name the hosts',
      'I104 VirtualService shop/y spec.http[1] every match of this rule repeats one of http[0], which is tried first: this rule is never reached',
      skipped('I105', 'VirtualService', 'Cannot read properties of null (reading \'match\')'),
    ]);
    // without x, I105 reports y's match too
    expect(show(MeshAnalyzer.analyzeObjects([y]).findings, ['I104', 'I105']).map(l => l.slice(0, 46))).toEqual([
      'I104 VirtualService shop/y spec.http[1] every ',
      'I105 VirtualService shop/y spec.http[1].match[',
    ]);
  });

  test('I156 reads the regexes of simple matches (no URI, no name), whose keys I104 and I105 made, and of the others', () => {
    const route = { destination: { host: 'a' } };
    const v = vs('x', {
      hosts: ['a'],
      http: [
        { match: [{ headers: { 'x-a': { regex: '(?<=a)b' } } }, { method: { exact: 'GET' } }], route: [route] },
        { match: [{ queryParams: { q: { regex: '\\1' } }, method: { regex: 'GET|POST' } }], route: [route] },
        // after a catch-all (I104 stops there; I105 reads on)
        { route: [route] },
        { match: [{ authority: { regex: '(?=x)' } }], route: [route] },
      ],
    });
    const expected = [
      'I156 VirtualService shop/x spec.http[0].match[0].headers.x-a.regex "(?<=a)b"',
      'I156 VirtualService shop/x spec.http[1].match[0].queryParams.q.regex "\\\\1"',
      'I156 VirtualService shop/x spec.http[3].match[0].authority.regex "(?=x)"',
    ];
    const regexes = (options = {}) => show(MeshAnalyzer.analyzeObjects([v], options).findings, ['I156']).map(l => l.replace(/ is not an RE2.*/, ''));
    expect(regexes()).toEqual(expected);
    // with only the errors asked for, I104 and I105 do not run and make no key: the fields are read
    expect(regexes({ minSeverity: Severity.ERROR })).toEqual(expected);
  });

  test('I156 does not stop where the match keys cannot be made (a value JSON cannot write, from the API)', () => {
    const route = [{ destination: { host: 'a' } }];
    const bad = vs('b', { hosts: ['b'], http: [{ match: [{ headers: { 'x-a': { exact: BigInt(1) } } }], route }] });
    const star = vs('s', { hosts: ['*'], http: [{ match: [{ headers: { h: { regex: '(' } } }], route }] });
    for (const options of [{}, { minSeverity: Severity.ERROR }]) {
      expect(show(MeshAnalyzer.analyzeObjects([bad, star], options).findings, ['I156']).map(l => l.replace(/ is not an RE2.*/, ''))).toEqual([
        'I156 VirtualService shop/s spec.hosts[0] host * is not allowed on a VirtualService bound to the mesh: name the hosts',
        'I156 VirtualService shop/s spec.http[0].match[0].headers.h.regex "("',
      ]);
    }
  });

  test('where keys made ahead would not answer as each rule did alone (values from the API), each rule keys its matches as it reads', () => {
    const route = [{ destination: { host: 'a' } }];
    const run = (spec: any, options = {}) => show(MeshAnalyzer.analyzeObjects([vs('x', spec)], options).findings, ['I104', 'I105']).map(l => l.slice(0, 110));
    const catchAll = 'I104 VirtualService shop/x spec.http[1] http[0] matches every request, so this rule is never reached: move the';
    // a key JSON cannot write, in a rule after a catch-all: I104 stops at the catch-all and never keys it; I105 fails there
    const bigint = { hosts: ['a'], http: [{ route }, { match: [{ headers: { h: { exact: BigInt(1) } } }], route }] };
    expect(run(bigint)).toEqual([catchAll, skipped('I105', 'VirtualService', 'Do not know how to serialize a BigInt').slice(0, 110)]);
    expect(run(bigint, { minSeverity: Severity.WARNING })).toEqual([catchAll]);
    // nesting deeper than the stack, after a catch-all: the same
    const deep = { hosts: ['a'], http: [{ route }, { match: [{ headers: { h: JSON.parse('['.repeat(20000) + ']'.repeat(20000)) } }], route }] };
    expect(run(deep)).toEqual([catchAll, skipped('I105', 'VirtualService', 'Maximum call stack size exceeded').slice(0, 110)]);
    // I105 stops at its own first error (a null rule), before the key it cannot make
    const nullFirst = { hosts: ['a'], http: [null, { match: [{ headers: { h: { exact: BigInt(1) } } }], route }] };
    expect(run(nullFirst).filter(l => l.includes('I105'))).toEqual([skipped('I105', 'VirtualService', 'Cannot read properties of null (reading \'match\')').slice(0, 110)]);
    // a match with a URI and a field that is a function: I104 keys it as JSON.stringify writes it (without that field)
    const fn = { hosts: ['a'], http: [{ match: [{ uri: { prefix: '/a' }, z: () => 0 }], route }, { match: [{ uri: { prefix: '/a' } }], route }] };
    expect(run(fn)).toEqual(['I104 VirtualService shop/x spec.http[1] every match of this rule repeats one of http[0], which is tried first: this rule is never reached'.slice(0, 110)]);
    // a rule that is a function: I104 skips it, I105 reads its matches
    const fnRule = { hosts: ['a'], http: [Object.assign(() => 0, { match: [{ uri: { prefix: '/a' } }] }), { match: [{ uri: { prefix: '/a' } }], route }] };
    expect(run(fnRule)).toEqual(['I105 VirtualService shop/x spec.http[1].match[0] this match is the same as one in http[0], which is tried first: remove it'.slice(0, 110)]);
  });

  test('where I104 and I105 key a match differently, or I156 would learn a key no rule made, each rule answers as it did alone', () => {
    const route = [{ destination: { host: 'a' } }];
    const codes = ['I104', 'I105', 'I156'];
    const run = (spec: any, options = {}) => show(MeshAnalyzer.analyzeObjects([vs('x', spec)], options).findings, codes).map(l => l.slice(0, 90));
    const uriA = { match: [{ uri: { prefix: '/a' } }], route };
    const repeats104 = 'I104 VirtualService shop/x spec.http[1] every match of this rule repeats one of http[0], which is tried first: this rule is never reached'.slice(0, 90);
    const same105 = 'I105 VirtualService shop/x spec.http[1].match[0] this match is the same as one in http[0], which is tried first: remove it'.slice(0, 90);
    // a boxed number with a URI: I104 keys it as JSON.stringify writes it (0), I105 field by field
    expect(run({ hosts: ['a'], http: [uriA, { match: [Object.assign(new Number(0), { uri: { prefix: '/a' } })], route }] })).toEqual([same105]);
    // a boxed BigInt: I104 cannot key it, I105 can
    expect(run({ hosts: ['a'], http: [uriA, { match: [Object.assign(Object(BigInt(1)), { uri: { prefix: '/a' } })], route }] })).toEqual([
      same105, skipped('I104', 'VirtualService', 'Do not know how to serialize a BigInt').slice(0, 90),
    ]);
    // a field whose toJSON gives nothing: JSON.stringify leaves it out of I104's key
    expect(run({ hosts: ['a'], http: [uriA, { match: [{ headers: { toJSON: () => undefined }, uri: { prefix: '/a' } }], route }] })).toEqual([repeats104]);
    // a regex that only a field read finds (inherited), in a match that neither I104 (after its catch-all) nor I105
    // (stopped at a null rule) keyed: I156 reads its fields
    const inherited = { hosts: ['a'], http: [{ route }, null, { match: [{ headers: { x: Object.create({ regex: '(?=a)' }) } }], route }] };
    expect(run(inherited).filter(l => l.startsWith('I156'))).toEqual(['I156 VirtualService shop/x spec.http[2].match[0].headers.x.regex "(?=a)" is not an RE2 regular expression'.slice(0, 90)]);
    // a name that throws when read: I104 and I105 stop there (they read it), I156 does not read it
    const boom = { hosts: ['a'], http: [{ match: [Object.defineProperty({ headers: { h: { regex: '(' } } }, 'name', { get() { throw new Error('boom'); } })], route }] };
    expect(run(boom)).toEqual([
      'I156 VirtualService shop/x spec.http[0].match[0].headers.h.regex "(" is not an RE2 regular expression'.slice(0, 90),
      skipped('I104', 'VirtualService', 'boom').slice(0, 90),
      skipped('I105', 'VirtualService', 'boom').slice(0, 90),
    ]);
  });

  test('holes, list and function rules, and the matches I156 is told the key of: as each rule alone, at each severity', () => {
    const route = [{ destination: { host: 'a' } }];
    // a regex only a field read finds (inherited): I156 skips the match when a rule has made its key, else reads it
    const hid = () => ({ headers: { x: Object.create({ regex: '(?=a)' }) } });
    const cases: Record<string, any[]> = {
      holes: [{ match: [, { port: 1 }], route }, { match: [{}], route }], // eslint-disable-line no-sparse-arrays
      arrayRule: [Object.assign([], { match: [{ port: 1 }] }), { match: [{ port: 1 }], route }],
      fnMiddle: [{ match: [{ port: 2 }], route }, Object.assign(() => 0, { match: [{ port: 1 }] }), { match: [{ port: 1 }], route }],
      catchAllThenHid: [{ route }, { match: [hid()], route }],
      nullThenHid: [null, { match: [hid()], route }],
      uriHid: [{ match: [{ uri: { prefix: '/a' }, ...hid() }], route }],
      arrayHid: [{ match: [Object.assign([], hid())], route }],
      onlyHid: [{ match: [hid()], route }],
      fnCatchAllHid: [() => 0, { route }, { match: [hid()], route }],
    };
    // (what a33421c, before the table, gave)
    const expected: Record<string, { info: string[]; warning: string[]; error: string[] }> = {
      holes: { info: [], warning: [], error: [] },
      arrayRule: { info: ['I104 spec.http[1]', 'I105 spec.http[1].match[0]'], warning: ['I104 spec.http[1]'], error: [] },
      fnMiddle: { info: ['I105 spec.http[2].match[0]'], warning: [], error: [] },
      catchAllThenHid: { info: ['I104 spec.http[1]'], warning: ['I104 spec.http[1]', 'I156 spec.http[1].match[0].headers.x.regex'], error: ['I156 spec.http[1].match[0].headers.x.regex'] },
      nullThenHid: { info: ['A000 I105'], warning: [], error: ['I156 spec.http[1].match[0].headers.x.regex'] },
      uriHid: { info: ['I156 spec.http[0].match[0].headers.x.regex'], warning: ['I156 spec.http[0].match[0].headers.x.regex'], error: ['I156 spec.http[0].match[0].headers.x.regex'] },
      arrayHid: { info: ['I156 spec.http[0].match[0].headers.x.regex'], warning: ['I156 spec.http[0].match[0].headers.x.regex'], error: ['I156 spec.http[0].match[0].headers.x.regex'] },
      onlyHid: { info: [], warning: [], error: ['I156 spec.http[0].match[0].headers.x.regex'] },
      fnCatchAllHid: { info: ['I104 spec.http[2]'], warning: ['I104 spec.http[2]', 'I156 spec.http[2].match[0].headers.x.regex'], error: ['I156 spec.http[2].match[0].headers.x.regex'] },
    };
    for (const [name, http] of Object.entries(cases)) {
      for (const severity of ['info', 'warning', 'error'] as const) {
        const findings = MeshAnalyzer.analyzeObjects([vs('x', { hosts: ['a'], http })], { minSeverity: severity as Severity }).findings
          .filter(f => ['I104', 'I105', 'I156'].includes(f.code) || (f.code === 'A000' && /rule I1(04|05|56) /.test(f.message)))
          .map(f => (f.code === 'A000' ? `A000 ${/rule (I\d+)/.exec(f.message)![1]}` : `${f.code} ${f.path}`));
        expect({ name, severity, findings }).toEqual({ name, severity, findings: expected[name][severity] });
      }
    }
  });

  test('K101 and K102 from one search for duplicates', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { x: '1' } };
    const b = { ...a, data: { x: '2' } };
    expect(show(MeshAnalyzer.analyzeObjects([a, a, b]).findings).map(l => l.slice(0, 60))).toEqual([
      'K102 ConfigMap shop/c  also defined (doc 0) with the same co',
      'K101 ConfigMap shop/c  also defined (doc 0) with different c',
    ]);
  });

  test('I104: the same findings as with the match keys of copies without their names, on random VirtualServices', () => {
    // the rule before this pass, as a reference (matchKey above)
    const reference = (spec: any): string[] => ['http', 'tcp', 'tls'].flatMap(kind => {
      const out: string[] = [];
      const seen = new Map<string, number>();
      let catchAll = -1;
      (spec[kind] ?? []).forEach((r: any, i: number) => {
        const matches = Array.isArray(r.match) ? r.match : [];
        if (catchAll >= 0) {out.push(`spec.${kind}[${i}] ${kind}[${catchAll}] matches every request, so this rule is never reached: move the catch-all rule to the end`);} else if (!matches.length) {catchAll = i;} else {
          const earlier = matches.map((m: any) => seen.get(matchKey(m)));
          if (earlier.every((e: number | undefined) => e !== undefined)) out.push(`spec.${kind}[${i}] every match of this rule repeats one of ${[...new Set(earlier)].map(e => `${kind}[${e}]`).join(', ')}, which is tried first: this rule is never reached`);
          for (const m of matches) if (!seen.has(matchKey(m))) seen.set(matchKey(m), i);
        }
      });
      return out;
    });
    fc.assert(fc.property(routes, routes, (http, tcp) => {
      const spec = { hosts: ['a'], http: http.map(r => ({ ...r, route: [{ destination: { host: 'a' } }] })), tcp: tcp.map(r => ({ ...r, route: [{ destination: { host: 'a' } }] })) };
      // with I105 too (the keys made ahead for both), and alone (below --min-severity warning I105 does not run: I104
      // keys each match as it reads)
      for (const options of [{}, { minSeverity: Severity.WARNING }]) {
        expect(show(MeshAnalyzer.analyzeObjects([vs('x', spec)], options).findings, ['I104']).map(l => l.replace('I104 VirtualService shop/x ', ''))).toEqual(reference(spec));
      }
    }), { numRuns: 400, seed: 2607 });
  });

  test('I105: the same findings as a reference that keys each match itself and scans the earlier ones, on random VirtualServices', () => {
    // issue 26, twenty-third pass: I104 and I105 read one table of keys and first rules per VirtualService; the reference
    // keeps its own map of the keys read so far and scans every earlier URI prefix
    const reference = (http: any[]): string[] => {
      const out: string[] = [];
      const seen = new Map<string, number>();
      const prefixes: { i: number; prefix: string; rest: string }[] = [];
      http.forEach((r, i) => (Array.isArray(r.match) ? r.match : []).forEach((m: any, j: number) => {
        const key = matchKey(m);
        const rest = m && typeof m === 'object' ? matchKey({ ...m, uri: undefined }) : '';
        const uri = m?.uri?.prefix ?? m?.uri?.exact;
        const at = `spec.http[${i}].match[${j}]`;
        if (seen.has(key) && seen.get(key) !== i) {
          out.push(`${at} this match is the same as one in http[${seen.get(key)}], which is tried first: remove it or make it more specific`);
        } else if (typeof uri === 'string') {
          const p = prefixes.find(e => e.i !== i && e.rest === rest && uri.startsWith(e.prefix) && key !== matchKey({ ...m, uri: { prefix: e.prefix } }));
          if (p) out.push(`${at} the URI prefix ${JSON.stringify(p.prefix)} of http[${p.i}] already matches every request this match takes: move this rule above http[${p.i}]`);
        }
        if (!seen.has(key)) seen.set(key, i);
        if (typeof m?.uri?.prefix === 'string') prefixes.push({ i, prefix: m.uri.prefix, rest });
      }));
      return out;
    };
    // (more URIs and fewer other fields than `match`, so that earlier prefixes with the same other conditions are met)
    const uriMatch = fc.oneof({
      weight: 4,
      arbitrary: fc.record({
        uri: fc.oneof(fc.record({ prefix: fc.constantFrom('/', '/a', '/ab') }), fc.record({ exact: fc.constantFrom('/a', '/b', '/ab') })),
        headers: fc.option(fc.record({ 'x-user': fc.record({ exact: fc.constantFrom('a') }) }), { nil: undefined, freq: 2 }),
        name: fc.option(fc.constantFrom('m1', 'm2'), { nil: undefined, freq: 2 }),
      }, { requiredKeys: ['uri'] }),
    }, { weight: 1, arbitrary: match });
    const uriMatchLists = fc.option(fc.array(uriMatch, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 8 });
    const uriRoutes = fc.array(fc.record({ match: uriMatchLists }), { minLength: 1, maxLength: 8 });
    const found = { same: 0, prefix: 0 };
    fc.assert(fc.property(fc.oneof(routes, uriRoutes), http => {
      const spec = { hosts: ['a'], http: http.map(r => ({ ...r, route: [{ destination: { host: 'a' } }] })) };
      const expected = reference(spec.http);
      found.same += expected.filter(l => l.includes(' is the same as ')).length;
      found.prefix += expected.filter(l => l.includes(' the URI prefix ')).length;
      expect(show(MeshAnalyzer.analyzeObjects([vs('x', spec)]).findings, ['I105']).map(l => l.replace('I105 VirtualService shop/x ', ''))).toEqual(expected);
      // a last rule that is a function, without matches: no finding of its own, and each rule keys its matches as it
      // reads (I105 reads a function's matches, I104 does not, so no keys are made ahead)
      const withFunction = { ...spec, http: [...spec.http, () => 0] };
      expect(show(MeshAnalyzer.analyzeObjects([vs('x', withFunction)]).findings, ['I105']).map(l => l.replace('I105 VirtualService shop/x ', ''))).toEqual(expected);
    }), { numRuns: 600, seed: 2623 });
    // (the cases reach both findings: a repeated match and a shadowing prefix)
    expect(found.same).toBeGreaterThan(50);
    expect(found.prefix).toBeGreaterThan(50);
  });
});
