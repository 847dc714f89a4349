import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { Shop, synthMultiCluster } from '../../examples/shop/main';
import { IstioDataPlane, Mesh } from '../../src';
import { withYamlWriter } from '../../src/private/yaml-writer';
import { captureStderr } from '../util';

captureStderr();

// cdk8s' own copy of yaml: the one its Yaml.stringify calls
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
const original = (...docs: unknown[]) => Yaml.stringify(...docs);
const direct = (...docs: unknown[]) => withYamlWriter(() => Yaml.stringify(...docs));

/** How many documents `fn` had yaml write (the writer's fallbacks and probes go through it). */
function yamlCalls(fn: () => void): number {
  const spy = jest.spyOn(YAML, 'stringify');
  try {
    fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

// characters that change how yaml writes a scalar: indicators, spaces and breaks, quotes, control and
// non-ASCII characters, lone surrogates, and the letters of the yaml-1.1 schema's words and numbers
const CHARS = [...'ab xyz019_./-:#,?[]{}&*!|>\'"%@`~<=+eE.oOxXbB\n\t\r', '\u0001', '\u0085', '\u00a0', '\u2028', 'é', '\ud800', '😀'];
const WORDS = ['true', 'True', 'FALSE', 'yes', 'No', 'y', 'N', 'on', 'Off', 'null', 'NULL', '~', '', '.inf', '-.Inf', '.NaN', '0x1f', '0o17', '017', '0b101',
  '1_000', '12:30:45', '-1:20', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '1e3', '+12', '-0', '.5', '3.', '---', '...', '--- x', '%YAML', '<<', '=',
  '- x', '? x', 'a: b', 'a #b', 'a#b', 'a:', 'x\ny', 'x\n', '\nx', ' x', 'x ', 'reviews.shop.svc.cluster.local', '/api/v1', '5s', '*'];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 }),
  fc.constantFrom(...WORDS),
  fc.integer().map(String),
  fc.double().map(String),
  fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1020, maxLength: 1040 }),
);
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 1e21, 2 ** 53, -(2 ** 53) - 2, NaN, Infinity, -Infinity, 0.1));
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;
// a document of a kind the writer falls back on: undefined values, an object met twice, a class instance, holes
const odd = fc.oneof(
  json.map(v => ({ a: v, b: undefined })),
  json.map(v => [v, undefined]),
  fc.dictionary(text, json, { maxKeys: 2 }).map(o => ({ x: o, y: o })),
  json.map(v => ({ when: new Date(0), v })),
  json.map(v => { const a: unknown[] = [v]; a.length = 3; return { a }; }),
  json.map(v => Object.assign(Object.create(null), { v })),
);

describe('the YAML writer of a synthesis', () => {
  test('passes its check against the installed cdk8s: Yaml.stringify is the writer inside withYamlWriter, and restored after', () => {
    const before = Yaml.stringify;
    let inside: unknown;
    withYamlWriter(() => {
      inside = Yaml.stringify;
    });
    expect(inside).not.toBe(before);
    expect(Yaml.stringify).toBe(before);
    // restored when the synthesis throws too
    expect(() => withYamlWriter(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(Yaml.stringify).toBe(before);
  });

  test('writes the same text as yaml on generated documents (any value, key, number, nesting), several per call', () => {
    fc.assert(fc.property(fc.array(fc.oneof(json, fc.constant(undefined)), { minLength: 1, maxLength: 3 }), docs => {
      expect(direct(...docs)).toBe(original(...docs));
    }), { numRuns: 1500 });
  });

  test('writes the same text as yaml on documents it hands to yaml (undefined, aliases, class instances, holes)', () => {
    fc.assert(fc.property(odd, doc => {
      expect(direct(doc)).toBe(original(doc));
    }), { numRuns: 300 });
    // each of them is written by yaml, not by the writer: yaml writes an alias for an object met twice
    const shared = { k: 'v' };
    expect(direct({ a: shared, b: shared })).toBe('a: &a1\n  k: v\nb: *a1\n');
    expect(yamlCalls(() => direct({ a: shared, b: shared }))).toBe(1);
    expect(yamlCalls(() => direct({ a: { k: 'v' }, b: { k: 'v' } }))).toBe(0);
  });

  test('objects yaml does not write as their own keys and items are written by yaml: toJSON, iterators, yaml nodes, accessors, inherited keys', () => {
    // yaml's createNode (doc/createNode.js) writes what toJSON returns, iterates what is iterable, takes a yaml node as
    // it is; it reads each property once, where the writer would read an accessor again when it hands the document on
    class Ports extends Array<number> {
      toJSON() {
        return this.join(',');
      }
    }
    const cases: Array<[string, () => object]> = [
      ['a non-enumerable toJSON', () => Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'x' })],
      ['an array with toJSON', () => Object.assign([1, 2], { toJSON: () => 'x' })],
      ['an Array subclass with toJSON', () => Ports.from([80, 443])],
      ['an iterable object', () => Object.defineProperty({ a: 1 }, Symbol.iterator, { value: [5][Symbol.iterator].bind([5]) })],
      ['an array with its own iterator', () => Object.assign([1, 2], { [Symbol.iterator]: [9][Symbol.iterator].bind([9]) })],
      ['a boxed number', () => new Number(1)],
      ['a boxed boolean', () => new Boolean(false)],
      ['an object marked as a yaml Scalar', () => ({ [Symbol.for('yaml.node.type')]: Symbol.for('yaml.scalar'), value: 'v' })],
      ['a getter with a side effect, then undefined', () => {
        let reads = 0;
        return {
          get a() {
            return ++reads;
          },
          b: undefined,
        };
      }],
      ['an array item getter, then undefined', () => {
        let reads = 0;
        return Object.defineProperty([0, 0, undefined], 1, { get: () => ++reads, enumerable: true });
      }],
    ];
    for (const [what, make] of cases) {
      for (const doc of [() => ({ x: make() }), () => [make()], make]) expect([what, direct(doc())]).toEqual([what, original(doc())]);
    }
    // an enumerable key inherited from Object.prototype is not a key of an empty object
    let written: string[];
    (Object.prototype as any).polluted = 1;
    try {
      written = [direct({ a: {} }), original({ a: {} })];
    } finally {
      delete (Object.prototype as any).polluted;
    }
    expect(written[0]).toBe(written[1]);
  });

  test('a Yaml.stringify that is not cdk8s\' own writes as it is: a spy at the first synthesis, restored after; an override', () => {
    jest.isolateModules(() => {
      // a fresh copy of cdk8s and of the writer: the writer has not been used yet
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Y = require('cdk8s').Yaml;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../src/private/yaml-writer').withYamlWriter as typeof withYamlWriter;
      const cdk8s = Y.stringify;
      const spy = jest.spyOn(Y, 'stringify');
      expect(fresh(() => Y.stringify({ a: 'x' }))).toBe('a: x\n');
      expect(spy).toHaveBeenCalledWith({ a: 'x' });
      spy.mockRestore();
      expect(Y.stringify).toBe(cdk8s);
      expect(fresh(() => Y.stringify({ a: 'on', b: 'x' }))).toBe('a: "on"\nb: x\n');
      // an override of the user's writes inside a synthesis too
      Y.stringify = (...docs: unknown[]) => `# generated\n${cdk8s.apply(Y, docs)}`;
      try {
        expect(fresh(() => Y.stringify({ a: 1 }))).toBe('# generated\na: 1\n');
      } finally {
        Y.stringify = cdk8s;
      }
    });
  });

  test('a Yaml.stringify put in place of cdk8s\' before the library was loaded writes as it is, even when it writes the check\'s documents as cdk8s does', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Y = require('cdk8s').Yaml;
      const cdk8s = Y.stringify;
      // e.g. a test setup's wrapper that marks one kind of document
      Y.stringify = (...docs: any[]) => docs.map(d => cdk8s.call(Y, d) + (d?.kind === 'Secret' ? '# redacted\n' : '')).join('---\n');
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('../../src/private/yaml-writer').withYamlWriter as typeof withYamlWriter;
        expect(fresh(() => Y.stringify({ kind: 'Secret' }, { kind: 'ConfigMap' }))).toBe('kind: Secret\n# redacted\n---\nkind: ConfigMap\n');
      } finally {
        Y.stringify = cdk8s;
      }
    });
  });

  test('a check before the first use that throws turns the writer off: the synthesis goes on with cdk8s\' Yaml.stringify', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Y = require('cdk8s').Yaml;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const yaml = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
      const stringify = yaml.stringify;
      // a yaml that fails on a document of the check (the writer's, not the app's)
      const spy = jest.spyOn(yaml, 'stringify').mockImplementation((...args: any[]) => {
        if ((args[0] as any)?.metadata?.name === 'a-b.c') throw new Error('yaml failed');
        return stringify(...args);
      });
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fresh = require('../../src/private/yaml-writer').withYamlWriter as typeof withYamlWriter;
        expect(fresh(() => Y.stringify({ a: 1 }, { b: 'on' }))).toBe('a: 1\n---\nb: "on"\n');
        // off for the process: cdk8s' Yaml.stringify, yaml asked once per document
        spy.mockClear();
        expect(fresh(() => Y.stringify({ a: 1 }, { b: 'x' }))).toBe('a: 1\n---\nb: x\n');
        expect(spy).toHaveBeenCalledTimes(2);
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('a document nested deeper than yaml can write fails as it does with yaml; up to 100 levels the writer writes it', () => {
    const nested = (depth: number, seq: boolean) => {
      let v: unknown = 'x';
      for (let i = 0; i < depth; i++) v = seq ? [v] : { k: v };
      return v;
    };
    const outcome = (write: () => string) => {
      try {
        return write();
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    for (const seq of [false, true]) {
      // a depth yaml cannot write here (its stack, under jest), a little beyond what it can
      let depth = 500;
      while (!outcome(() => original(nested(depth, seq))).startsWith('RangeError')) depth += 250;
      const deep = nested(depth, seq);
      expect(outcome(() => direct(deep))).toBe(outcome(() => original(deep)));
      expect(direct(nested(150, seq))).toBe(original(nested(150, seq)));
      // (the writer's up to its limit; deeper, yaml's)
      expect(yamlCalls(() => direct(nested(100, seq)))).toBe(0);
      expect(yamlCalls(() => direct(nested(101, seq)))).toBe(1);
    }
  });

  test('keys: up to 1024 characters on their line, longer ones as yaml writes them; document markers in nested and top-level keys', () => {
    for (const k of ['a'.repeat(1024), 'a'.repeat(1025), `"${'a'.repeat(1020)}`, '---', '--- x', '...', 'a\n---']) {
      for (const doc of [{ [k]: 1 }, { x: { [k]: [k] } }, [{ [k]: { y: k } }]]) expect(direct(doc)).toBe(original(doc));
    }
    expect(yamlCalls(() => direct({ ['b'.repeat(1024)]: 1 }))).toBe(0);
  });

  test('writes plain what yaml writes plain without asking yaml, and asks it once per other value', () => {
    const doc = { metadata: { name: 'reviews-v2', labels: { 'app.kubernetes.io/name': 'reviews' } }, spec: { hosts: ['reviews.shop.svc.cluster.local'], port: 8080 } };
    expect(yamlCalls(() => direct(doc))).toBe(0);
    // a string yaml would read as a number or a word of YAML 1.1 is quoted: yaml is asked, once per distinct value
    expect(direct({ a: '8080', b: 'on', c: '8080' })).toBe('a: "8080"\nb: "on"\nc: "8080"\n');
    // (values no generator above makes)
    expect(yamlCalls(() => direct({ a: '2001-12-31', b: 'YES', c: '2001-12-31' }))).toBe(2);
    expect(yamlCalls(() => direct({ a: '2001-12-31', b: 'YES' }))).toBe(0);
  });

  test('remembers at most 10 000 values and 10 000 keys: after as many others, it asks yaml again', () => {
    // (a fresh writer, whose memory the other tests do not share)
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Y = require('cdk8s').Yaml;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const yaml = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../src/private/yaml-writer').withYamlWriter as typeof withYamlWriter;
      const write = (doc: unknown) => fresh(() => Y.stringify(doc));
      const calls = (doc: unknown) => {
        const spy = jest.spyOn(yaml, 'stringify');
        try {
          write(doc);
          return spy.mock.calls.length;
        } finally {
          spy.mockRestore();
        }
      };
      const many = (prefix: string) => Array.from({ length: 10_000 }, (_, i) => `${prefix}${i}`);
      write({ on: '8080' });
      expect(calls({ on: '8080' })).toBe(0);
      write({ values: many('v') });
      expect(calls({ on: '8080' })).toBe(1);
      write(Object.fromEntries(many('k').map(k => [k, 1])));
      expect(calls({ on: '8080' })).toBe(1);
      expect(calls({ on: '8080' })).toBe(0);
    });
  });

  test('the shop example on every mesh, and the two-cluster shop: the same files as cdk8s writes, written by the writer', () => {
    for (const mesh of [Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), Mesh.linkerd(), Mesh.consul()]) {
      const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'yw-')) });
      new Shop(app, 'shop', { mesh });
      const docs = app.charts.flatMap(c => c.toJson());
      let written = '';
      // the synthesis (app.synthYaml) writes through the writer: yaml is asked only for the values it must decide
      const calls = yamlCalls(() => {
        written = app.synthYaml();
      });
      expect(written).toBe(original(...docs));
      expect(calls).toBeLessThan(docs.length / 4);
    }
    const outdir = (on: boolean) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-mc-'));
      if (!on) process.env.CDK8S_MESH_YAML_WRITER = 'off';
      try {
        synthMultiCluster(dir);
      } finally {
        delete process.env.CDK8S_MESH_YAML_WRITER;
      }
      return dir;
    };
    const a = outdir(true);
    const b = outdir(false);
    const files = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).filter(f => f.endsWith('.yaml')).sort();
    expect(files(a).length).toBeGreaterThan(4);
    expect(files(a)).toEqual(files(b));
    for (const f of files(a)) expect(fs.readFileSync(path.join(a, f), 'utf8')).toBe(fs.readFileSync(path.join(b, f), 'utf8'));
  });

  test('a chart that is not a mesh chart is written by the same writer, the same text', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'yw-')) });
    new Shop(app, 'shop', { mesh: Mesh.istio() });
    const other = new Chart(app, 'other');
    new ApiObject(other, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'port': '80', 'a: b': 'x #y', 'script': 'line 1\nline 2\n' } } as any);
    // an Array subclass keeps its class through cdk8s' rendering (sanitizeValue maps it), and yaml writes its toJSON
    class Ports extends Array<number> {
      toJSON() {
        return this.join(',');
      }
    }
    new ApiObject(other, 'ports', { apiVersion: 'example.com/v1', kind: 'Ports', metadata: { name: 'p' }, spec: { ports: Ports.from([80, 443]) } });
    const docs = app.charts.flatMap(c => c.toJson());
    const expected = original(...docs);
    expect(expected).toContain('spec:\n  ports: 80,443\n');
    const calls = yamlCalls(() => expect(app.synthYaml()).toBe(expected));
    expect(calls).toBeGreaterThan(0);
  });

  test('CDK8S_MESH_YAML_WRITER=off: cdk8s writes every document itself', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'yw-')) });
    new Shop(app, 'shop', { mesh: Mesh.consul() });
    const docs = app.charts.flatMap(c => c.toJson());
    process.env.CDK8S_MESH_YAML_WRITER = 'off';
    try {
      const expected = original(...docs);
      expect(yamlCalls(() => expect(app.synthYaml()).toBe(expected))).toBe(docs.length);
    } finally {
      delete process.env.CDK8S_MESH_YAML_WRITER;
    }
  });
});
