import * as fs from 'fs';
import * as path from 'path';
import * as cel from '@bufbuild/cel';
import { strings as stringsExt } from '@bufbuild/cel/ext';
import { App } from 'cdk8s';
import * as fc from 'fast-check';
import { ALL, BAD } from './bad-manifests';
import { buildMesh } from '../../bench/run';
import { IstioDataPlane, ManifestValidator, Mesh } from '../../src';
import { useNativeRules } from '../../src/analysis/private/cel';
import { BAIL, compileNative, nativePattern } from '../../src/analysis/private/cel-native';
import { pinnedSchemaFiles } from '../../src/analysis/private/structural';

// The rules run as JavaScript (cel-native.ts) decide exactly what @bufbuild/cel decides: both sides run
// every rule of the pinned schemas on generated values; and the validator's findings are the same with
// and without them, on the fixtures, the bad-input corpus and benchmark apps of every mesh.

const SCHEMAS = path.join(__dirname, '..', '..', 'schemas');

function allRules(): string[] {
  const rules = new Set<string>();
  const walk = (s: any) => {
    if (!s || typeof s !== 'object') return;
    for (const r of (s['x-kubernetes-validations'] ?? []) as any[]) if (typeof r.rule === 'string' && !/\boldSelf\b/.test(r.rule)) rules.add(r.rule);
    for (const v of Object.values(s.properties ?? {})) walk(v);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    walk(s.items);
  };
  for (const file of Object.values(pinnedSchemaFiles())) walk(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8')).schema);
  return [...rules].sort();
}

/** A deterministic generator (Park-Miller). */
function rng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** The field names and constants of a parsed rule. */
function vocabulary(parsed: any): { fields: string[]; strings: string[]; ints: bigint[] } {
  const fields = new Set<string>();
  const strings = new Set<string>(['', 'a', '/', '/a/b', 'é😀', 'PathPrefix', 'Exact', '*', '//x', '%2F',
    '0', '0s', '1ms', '999us', '1000us', '0.5ms', '1h2m', '62m', '5m', '300s', '-1s', '1.5s', '1µs', '1ms2', 's', '9999999999h', '3ms1ms']);
  const ints = new Set<bigint>([0n, 1n, 2n, -1n, 9223372036854775807n]);
  const walk = (v: any) => {
    if (!v || typeof v !== 'object') return;
    if (v.$typeName === 'cel.expr.Expr.Select') fields.add(v.field);
    if (v.$typeName === 'cel.expr.Constant') {
      if (v.constantKind?.case === 'stringValue') strings.add(v.constantKind.value);
      if (v.constantKind?.case === 'int64Value') {
        ints.add(BigInt(v.constantKind.value));
        ints.add(BigInt(v.constantKind.value) + 1n);
        ints.add(BigInt(v.constantKind.value) - 1n);
      }
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(parsed.expr);
  return { fields: [...fields], strings: [...strings], ints: [...ints] };
}

function generate(r: () => number, voc: ReturnType<typeof vocabulary>, depth: number): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const k = r();
  if (depth <= 0 || k < 0.3) {
    const leaf = r();
    if (leaf < 0.45) return pick(voc.strings);
    if (leaf < 0.75) return pick(voc.ints);
    if (leaf < 0.85) return r() < 0.5;
    if (leaf < 0.92) return null;
    return 1.5;
  }
  if (k < 0.5) return Array.from({ length: Math.floor(r() * 4) }, () => generate(r, voc, depth - 1));
  const out: Record<string, unknown> = {};
  for (const f of voc.fields) if (r() < 0.6) out[f] = generate(r, voc, depth - 1);
  if (r() < 0.2) out[pick(voc.strings)] = generate(r, voc, depth - 1);
  return out;
}

describe('native CEL rules', () => {
  test('every rule compiled natively decides as @bufbuild/cel does, on generated values', () => {
    const rules = allRules();
    let compiled = 0;
    let decided = 0;
    // the standard environment and the strings extension (split): the rules compiled natively use none of the
    // Kubernetes library functions
    const celEnv = cel.celEnv({ funcs: [...stringsExt] });
    for (const rule of rules) {
      let parsed: any;
      try {
        parsed = cel.parse(rule);
      } catch {
        continue;
      }
      const native = compileNative(parsed);
      if (!native) continue;
      compiled++;
      const program = cel.plan(celEnv, parsed);
      const voc = vocabulary(parsed);
      const r = rng(compiled * 7919);
      for (let i = 0; i < 300; i++) {
        const self = generate(r, voc, 4);
        let got: unknown;
        try {
          got = native(self);
        } catch (e) {
          if (e !== BAIL) throw e;
          continue;
        }
        decided++;
        const want = program({ self } as any);
        if (want !== got) throw new Error(`rule ${rule}\non ${JSON.stringify(self, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}\nnative ${String(got)}, library ${String(want)}`);
      }
    }
    // the shapes of the rules on routes and policies are compiled (most rules), and decide most values
    expect(compiled).toBeGreaterThan(rules.length / 2);
    expect(decided).toBeGreaterThan(compiled * 50);
  });

  test('hand-written values: decided, or left to the library', () => {
    const run = (rule: string, self: unknown) => {
      const native = compileNative(cel.parse(rule))!;
      try {
        return native(self);
      } catch (e) {
        return e === BAIL ? 'library' : e;
      }
    };
    expect(run('has(self.a)', { a: 'x' })).toBe(true);
    expect(run('has(self.a)', {})).toBe(false);
    expect(run('has(self.a)', { a: null })).toBe('library');
    expect(run('self.a == "x"', {})).toBe('library'); // no such key: an error the library reports
    expect(run('self.size() <= 2', 'é😀')).toBe(true);
    expect(run('self.size() <= 1', 'é😀')).toBe(false);
    expect(run('self.all(x, x > 0)', [1n, 2n])).toBe(true);
    expect(run('self.all(x, x > 0)', [1n, 0n])).toBe(false);
    expect(run('self.all(x, x > 0)', [1n, 'a'])).toBe('library');
    expect(run('self.exists_one(x, x == "a")', ['a', 'b', 'a'])).toBe(false);
    expect(run('self + 1 > 0', 9223372036854775807n)).toBe('library'); // overflow: the library's error
    expect(run('self.type in ["Exact", "PathPrefix"] ? self.value.startsWith("/") : true', { type: 'Exact', value: 'x' })).toBe(false);
    expect(run('self == 1', 1.0)).toBe('library'); // a double: heterogeneous equality is the library's
    expect(run('self.matches("^a$")', 'a')).toBe(true);
    expect(run('self.matches("^a$")', 'ab')).toBe(false);
    expect(run('self.matches("(")', 'a')).toBe('library'); // a pattern that does not compile: the library's error
    expect(compileNative(cel.parse('self.matches(self)'))).toBeUndefined();
    expect(run('self.filter(f, f.type == "A").size() <= 1', [{ type: 'A' }, { type: 'B' }])).toBe(true);
    expect(run('self.filter(f, f.type == "A").size() <= 1', [{ type: 'A' }, { type: 'A' }])).toBe(false);
    expect(run('(has(self.m) ? self.m : {}).size() > 0', {})).toBe(false);
    expect(run("duration(self) >= duration('1ms')", '1000us')).toBe(true);
    expect(run("duration(self) >= duration('1ms')", '999us')).toBe(false);
    expect(run("duration(self) >= duration('1ms')", '1h5m')).toBe(true);
    expect(run("duration(self) >= duration('1ms')", '0.5ms')).toBe('library'); // a fraction
    expect(run("duration(self) >= duration('1ms')", '1.5')).toBe('library'); // an error: the library's message
    expect(run("duration(self) != duration('0s')", '0ms')).toBe(false);
    // the strings extension's split (the Gateway API's label keys): both sides of the limit, and what the library says
    const labelKeys = 'self.all(key, key.split("/")[0].size() < 253)';
    const env = cel.celEnv({ funcs: [...stringsExt] });
    for (const self of [{ ['a'.repeat(252) + '/x']: 'v' }, { ['a'.repeat(253) + '/x']: 'v' }, { ['a'.repeat(253)]: 'v' }, { '/': 'v', 'b//c': 'v', '': 'v' }, {}]) {
      expect(run(labelKeys, self)).toBe(cel.plan(env, cel.parse(labelKeys))({ self } as any));
    }
    expect(run(labelKeys, { ['a'.repeat(252) + '/' + 'b'.repeat(300)]: 'v' })).toBe(true);
    expect(run(labelKeys, { ['a'.repeat(253) + '/b']: 'v' })).toBe(false);
    expect(run('self.split("") == ["a", "b"]', 'ab')).toBe('library'); // a list ==: not decided here
    expect(run('self.split("")[1] == "b"', 'ab')).toBe(true);
    expect(run('self.split("/")[1] == "b"', 'a')).toBe('library'); // out of range: the library's error
    expect(run('self.split(1)[0] == "b"', 'a')).toBe('library');
    expect(compileNative(cel.parse('self.split("/", 2)[0] == "a"'))).toBeUndefined(); // the limit: not compiled
  });

  test('the validator finds the same with and without them', () => {
    const docs: any[] = [...ALL, ...BAD.map(b => b.doc())];
    const texts: string[] = [];
    for (const mesh of [Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), Mesh.linkerd(), Mesh.consul()]) {
      const app = new App();
      app.node.setContext('cdk8s-mesh:analyze', false);
      app.node.setContext('cdk8s-mesh:validate', false);
      app.node.setContext('cdk8s-mesh:warnings', 'none');
      buildMesh(app, mesh, 20);
      texts.push(app.synthYaml());
    }
    const both = () => JSON.stringify([ManifestValidator.validateObjects(docs), ...texts.map(t => ManifestValidator.validateYaml(t))]);
    try {
      useNativeRules(false);
      const library = both();
      useNativeRules(true);
      const native = both();
      expect(native).toEqual(library);
      expect(library).toMatch(/CEL/); // the corpus has CEL findings
    } finally {
      useNativeRules(true);
    }
  });
});

// matches() with a pattern of the plain subset runs as a JavaScript RegExp (nativePattern) instead of RE2: it must
// decide every text as RE2JS does (what @bufbuild/cel's matches() runs), and take no pattern RE2 reads otherwise.
// Plausible mistakes these fail on: letting `.` through (it differs on \r and \u2028), `\s`, a negated class (code
// points), `(?i)`, a `-` between a range and a literal, a count RE2 refuses, a quantifier with nothing to repeat.
describe('matches() patterns run as JavaScript RegExps', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RE2JS } = require('@bufbuild/re2') as typeof import('@bufbuild/re2');
  const re2 = (p: string) => {
    try {
      return RE2JS.compile(p);
    } catch {
      return undefined;
    }
  };
  const TEXT_CHARS = ['a', 'b', 'z', 'A', '0', '9', '-', '_', '.', '/', '%', '*', ':', '\n', '\r', '\u2028', ' ', 'é', '😀', '\ud800', '$', '^', '(', ']', '`', '\u0000'];
  const text = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 12 }).map(a => a.join(''));

  function pinnedPatterns(): string[] {
    const out = new Set<string>();
    for (const rule of allRules()) {
      const walk = (e: any): void => {
        if (!e || typeof e !== 'object') return;
        if (e.exprKind?.case === 'callExpr' && e.exprKind.value.function === 'matches') {
          const a = e.exprKind.value.args?.[0]?.exprKind;
          if (a?.case === 'constExpr' && a.value.constantKind?.case === 'stringValue') out.add(a.value.constantKind.value);
        }
        for (const v of Object.values(e)) if (v && typeof v === 'object') walk(v);
      };
      walk(cel.parse(rule).expr);
    }
    return [...out].sort();
  }

  test('the pinned patterns that run natively (a new one: check it cannot backtrack badly before adding it here)', () => {
    const patterns = pinnedPatterns();
    expect(patterns.length).toBeGreaterThan(5);
    expect(patterns.filter(p => nativePattern(p)).sort()).toEqual([
      '^(?:[-A-Za-z0-9/._~!$&\'()*+,;=:@]|[%][0-9a-fA-F]{2})+$',
      '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$',
      '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$',
      '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
      '^[A-Za-z_][A-Za-z_0-9]*$',
      '^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$',
    ]);
    // each decides as RE2 on generated texts and on both sides of each pattern's shape
    const samples = ['/', '/a/b', '/a%2F', '/a%2', '/a%zz', 'a.b', 'a..b', '-a', 'a-', '*.a.b', 'a/b', 'example.com/key', 'k'.repeat(63), 'k'.repeat(64), '', 'é', 'a\n'];
    for (const p of patterns.filter(x => nativePattern(x))) {
      const r = re2(p)!;
      for (const s of samples) expect([p, s, nativePattern(p)!.test(s)]).toEqual([p, s, r.test(s)]);
      fc.assert(fc.property(text, s => nativePattern(p)!.test(s) === r.test(s)), { numRuns: 300 });
    }
  });

  test('generated patterns of the subset decide as RE2; any pattern taken compiles in RE2', () => {
    const atom = fc.constantFrom('a', 'b', '-', '%', '/', ':', '\\.', '\\*', '\\$', '[a-c]', '[-ab]', '[ab-]', '[0-9]', '[.%]', '[a-zA-Z_]', '[\\-a]',
      '\\x60', '\\x2d', '\\x00', '[\\x60a]', '[a\\x2db]', '[\\x2e-]');
    const quant = fc.constantFrom('', '', '*', '+', '?', '*?', '+?', '??', '{2}', '{1,3}', '{0,}', '{2}?');
    // counts on groups too (the HTTPRoute timeouts' `^([0-9]{1,5}(h|m|s|ms)){1,4}$`), with an empty group's
    // iterations (JavaScript stops a loop on an empty one past the minimum; the yes or no is the same)
    const groupQuant = fc.constantFrom('', '*', '+', '?', '{2}', '{1,3}', '{0,2}', '{0}', '{3,}', '{1,4}?');
    const pattern: fc.Arbitrary<string> = fc.letrec(tie => ({
      piece: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(atom, quant).map(([a, q]) => a + q),
        fc.tuple(fc.constantFrom('(', '(?:'), tie('seq') as fc.Arbitrary<string>, groupQuant).map(([o, s, q]) => `${o}${s})${q}`),
      ),
      seq: fc.array(tie('piece') as fc.Arbitrary<string>, { maxLength: 4 }).map(a => a.join('')),
      alt: fc.array(tie('seq') as fc.Arbitrary<string>, { minLength: 1, maxLength: 3 }).map(a => a.join('|')),
      top: fc.tuple(fc.constantFrom('', '^'), tie('alt') as fc.Arbitrary<string>, fc.constantFrom('', '$')).map(([a, b, c]) => a + b + c),
    })).top as fc.Arbitrary<string>;
    fc.assert(fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 8 }), (p, texts) => {
      const n = nativePattern(p);
      const r = re2(p);
      if (!n) return true; // left to RE2 (e.g. a count on a group)
      expect(r).toBeDefined();
      for (const s of texts) expect([p, s, n.test(s)]).toEqual([p, s, r!.test(s)]);
      return true;
    }), { numRuns: 1500 });
    // random strings of pattern characters: whatever is taken, RE2 reads the same way
    const chars = fc.array(fc.constantFrom('a', 'b', '-', '.', '^', '$', '(', ')', '[', ']', '{', '}', '|', '*', '+', '?', '\\', ':', '0', '2', ',', 's', 'd', 'i', 'x', '6'), { maxLength: 10 }).map(a => a.join(''));
    fc.assert(fc.property(chars, fc.array(text, { minLength: 1, maxLength: 8 }), (p, texts) => {
      const n = nativePattern(p);
      if (!n) return true;
      const r = re2(p);
      expect([p, r !== undefined]).toEqual([p, true]);
      for (const s of texts) expect([p, s, n.test(s)]).toEqual([p, s, r!.test(s)]);
      return true;
    }), { numRuns: 3000 });
  });

  test('a text that overflows the JavaScript engine\'s stack goes to RE2 (both sides of the rule)', () => {
    // V8 throws a RangeError on a repeated group over millions of characters; RE2 does not
    const gateway = (value: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'g', namespace: 'n' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], addresses: [{ type: 'Hostname', value }] },
    });
    const codes = (value: string) => ManifestValidator.validateObjects([gateway(value)]).findings.map(f => f.code);
    const long = 'a.'.repeat(2_200_000);
    expect(() => nativePattern('^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')!.test(`${long}a!`)).toThrow(RangeError);
    expect(codes(`${long}a!`)).toEqual(['SCH008', 'CEL001']); // too long, and a character the pattern refuses
    expect(codes(`${long}a`)).toEqual(['SCH008']); // too long only: the pattern matches
  });

  test('patterns outside the subset are left to RE2', () => {
    for (const p of ['a.b', '\\s', '\\d', '\\w', '[^a]', '(?i)a', '(?s).', 'a{101}', 'a{1,101}', '(ab){101}', 'a**', 'a++', '*a', '^*', '[a-z-0]', '[z-a]', '[a-Z]', '[[:alpha:]]', '(', ')', 'a{,2}', '\\-', '\\p{L}', '[]a]', 'a]', 'a}',
      // Go refuses nested counts multiplying to over 1000 (regexp/syntax repeatIsValid): both sides of the limit below
      '(a{20}){51}', '((a{10}){10}){11}', '(a{10}b{2}){101}', '(?:(a){11}){100}', '(a{11}|b){100}', '(a{11}){0,}',
      // hexadecimal escapes: of ASCII characters only, two digits, and no range's end
      '\\x80', '\\xff', '\\x{41}', '\\x4', '\\x4g', '[\\x41-Z]', '[A-\\x5a]', '\\X41', '\\u0041', '\\z', '\\Q.\\E', 'a(?=b)', '(a)\\1', 'a*+']) {
      expect([p, nativePattern(p)]).toEqual([p, undefined]);
    }
    for (const p of ['(ab){2}', '(a{20}){50}', '((a{10}){10}){10}', '(a{10}b{2}){100}', '(a{10}){0}', '\\x60', '\\x00', '[\\x41-]', '[a\\x2dz]', '^([0-9]{1,5}(h|m|s|ms)){1,4}$']) {
      expect([p, nativePattern(p) instanceof RegExp]).toEqual([p, true]);
      expect(RE2JS.compile(p)).toBeDefined();
    }
    // `[a\x2dz]` is a, '-' and z in both (an escape is not a range's '-'); `\x60` is the backquote
    expect(['-', 'b', '`'].map(s => [nativePattern('^[a\\x2dz]$')!.test(s), RE2JS.compile('^[a\\x2dz]$').test(s)])).toEqual([[true, true], [false, false], [false, false]]);
    expect(nativePattern('^\\x60$')!.test('`')).toBe(true);
    // and still decided (by RE2) through matches()
    const run = (rule: string, self: unknown) => compileNative(cel.parse(rule))!(self);
    expect(run('self.matches("^a.b$")', 'a\rb')).toBe(true);
    expect(run('self.matches("^[^a]$")', '😀')).toBe(true);
    expect(run('self.matches("^[a-z]+$")', 'abc')).toBe(true);
    expect(run('self.matches("^[a-z]+$")', 'abC')).toBe(false);
  });
});
