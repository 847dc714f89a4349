import * as fs from 'fs';
import * as path from 'path';
import * as cel from '@bufbuild/cel';
import { strings as stringsExt } from '@bufbuild/cel/ext';
import { App } from 'cdk8s';
import { ALL, BAD } from './bad-manifests';
import { buildMesh } from '../../bench/run';
import { IstioDataPlane, ManifestValidator, Mesh } from '../../src';
import { useNativeRules } from '../../src/analysis/private/cel';
import { BAIL, compileNative } from '../../src/analysis/private/cel-native';
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
