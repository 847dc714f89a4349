/**
 * The YAML text that cdk8s' `Yaml.stringify` writes (the `yaml` package's `stringify` with
 * `{ keepUndefined: true, lineWidth: 0, version: '1.1' }`, cdk8s lib/yaml.js), written directly for the plain JSON
 * data that `ApiObject.toJson` returns. `yaml` builds a document tree of every value and writes it again with a
 * context object per node; on the library's output that is about half of a synthesis. Byte for byte the same text:
 * - a string is written plain only when `yaml` itself would (its `plainString` tests, the `yaml-1.1` schema's own
 *   tag tests taken from cdk8s' copy of `yaml`); any other string or number is written by `yaml` (once per distinct
 *   value) in a one-key map, and that is used when it is one line;
 * - anything else (undefined, a multi-line scalar, an object met twice, which `yaml` writes as an alias, a long key,
 *   a class instance, an object with `toJSON` or an iterator of its own, a yaml node, an accessor property, which is
 *   not called) returns undefined: the caller writes that document with `yaml`.
 * It stands in only for cdk8s' own `Yaml.stringify` (the function found when this module was loaded, of cdk8s' text),
 * not for a spy or an override put in its place. Before the first use, a set of documents that takes every path
 * below is written both ways: any difference (a later `yaml` or cdk8s that writes otherwise) turns the writer off
 * for the process.
 * test/private/yaml-writer.test.ts compares both on generated documents and on the library's output.
 */
import * as path from 'path';
import { Yaml } from 'cdk8s';

type Writer = (doc: unknown) => string;

interface Tag { readonly default?: boolean | string; readonly tag: string; readonly test?: RegExp }

// yaml lib/stringify/stringifyString.js: plainString's "not allowed" test, the document markers, and the
// characters that force double quotes
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOC_MARKER = /^(%|---|\.\.\.)/m;
const FORCE_DOUBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
// yaml nodes/identity.js: the property isNode, isPair and isDocument read (createNode takes such a value as is)
const NODE_TYPE = Symbol.for('yaml.node.type');
const ARRAY_ITERATOR = Array.prototype[Symbol.iterator];
// (maps and sequences nested in each other, the document included)
const MAX_DEPTH = 100;
const MEMO = 10_000;

/**
 * Whether yaml's createNode (doc/createNode.js) writes `o` as the sequence of its indices or the map of its own
 * enumerable string keys, as the writer does: not a yaml node, no `toJSON` (own, non-enumerable or inherited: it
 * would write what that returns), an array iterated by the array iterator (YAMLSeq.from iterates; an Array
 * subclass too), or a plain or prototype-less object that is not iterable (it would be a sequence).
 */
function plainData(o: object): boolean {
  if (NODE_TYPE in o || 'toJSON' in o) return false;
  if (Array.isArray(o)) return o[Symbol.iterator] === ARRAY_ITERATOR;
  const proto = Object.getPrototypeOf(o);
  return (proto === Object.prototype || proto === null) && !(Symbol.iterator in o);
}

/**
 * The value of the own data property `k` of `o`; undefined (which the writer leaves to yaml) for a hole or an
 * accessor, which is not called here: yaml, which then writes the document, calls it, once, as it does without the
 * writer.
 */
function own(o: object, k: string | number): unknown {
  return Object.getOwnPropertyDescriptor(o, k)?.value;
}


/** cdk8s' own copy of `yaml` (the one its `Yaml.stringify` calls), or undefined. */
function cdk8sYaml(): any {
  try {
    const from = path.dirname(require.resolve('cdk8s'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('yaml', { paths: [from] }));
  } catch {
    return undefined;
  }
}

function makeWriter(original: Writer): Writer | undefined {
  const YAML = cdk8sYaml();
  if (!YAML?.Document) return undefined;
  const schema = new YAML.Document(null, { version: '1.1' }).schema;
  const tags: Tag[] = [...(schema.tags ?? []), ...(schema.compat ?? [])]
    .filter((t: Tag) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp);
  // a plain scalar that `yaml` would read back as another type is quoted (plainString's `actualString` test)
  const otherType = (s: string) => tags.some(t => {
    t.test!.lastIndex = 0;
    return t.test!.test(s);
  });
  // written plain as `yaml` writes a non-empty string of one line: none of its characters needs quotes or an escape,
  // and no tag would read it back as another type (keys and values alike)
  const plain = (s: string) => s !== '' && !FORCE_DOUBLE.test(s) && !s.includes('\n') && !NOT_PLAIN.test(s) && !otherType(s);
  const probe = (doc: object, suffix: string, prefix: string) => {
    const text = original(doc);
    if (!text.startsWith(prefix) || !text.endsWith(suffix)) return undefined;
    const mid = text.slice(prefix.length, text.length - suffix.length);
    return mid.includes('\n') ? undefined : mid;
  };
  // what each value and key is written as, for the process; at most MEMO entries each (a long-running process that
  // synthesizes again and again writes ever new values: digests, hashes, times), then it starts again
  const values = new Map<unknown, string | undefined>();
  const keys = new Map<string, string | undefined>();
  const scalar = (v: string | number): string | undefined => {
    let out = values.get(v);
    if (out !== undefined || values.has(v)) return out;
    // (a document marker in a value is written plain: plainString quotes it only at the top level or in a key)
    if (typeof v === 'string' && plain(v)) {
      out = v;
    } else {
      // a map value: written the same at any depth when it is one line (lineWidth 0: nothing is folded)
      out = probe({ a: v }, '\n', 'a: ');
    }
    if (values.size >= MEMO) values.clear();
    values.set(v, out);
    return out;
  };
  const key = (k: string): string | undefined => {
    let out = keys.get(k);
    if (out !== undefined || keys.has(k)) return out;
    // keys are implicit keys: a document marker is quoted only in a top-level key (so the writer leaves those
    // to yaml); a key written longer than 1024 characters is written as an explicit `? key` (stringifyPair), which
    // the probe does not take
    if (DOC_MARKER.test(k)) {
      out = undefined;
    } else if (k.length <= 1024 && plain(k)) {
      out = k;
    } else {
      out = probe({ [k]: 1 }, ': 1\n', '');
    }
    if (keys.size >= MEMO) keys.clear();
    keys.set(k, out);
    return out;
  };

  const UNSUPPORTED = Symbol('unsupported');

  return (doc: unknown) => {
    const seen = new Set<object>();
    const parts: string[] = [];
    // writes `v` after its key's `:` (inSeq false) or its item's `-` (inSeq true); `indent` is its own lines' indent
    const value = (v: unknown, indent: string, inSeq: boolean): void => {
      switch (typeof v) {
        case 'string': {
          const s = scalar(v);
          if (s === undefined) throw UNSUPPORTED;
          parts.push(' ', s);
          return;
        }
        case 'number': {
          const s = Number.isSafeInteger(v) ? String(v) : scalar(v);
          if (s === undefined) throw UNSUPPORTED;
          parts.push(' ', s);
          return;
        }
        case 'boolean':
          parts.push(v ? ' true' : ' false');
          return;
        case 'object':
          break;
        default:
          throw UNSUPPORTED;
      }
      if (v === null) {
        parts.push(' null');
        return;
      }
      enter(v); // an empty one too: yaml aliases any object it meets twice
      // a document nested deeper than MAX_DEPTH goes to yaml, whose recursion runs out of stack long before the
      // writer's (at about 1000 nested maps): what yaml cannot write, the writer does not write either
      if (!plainData(v) || indent.length >= 2 * MAX_DEPTH) throw UNSUPPORTED;
      if (Array.isArray(v)) {
        if (!v.length) {
          parts.push(' []');
          return;
        }
        // a sequence after a key is indented under it (indentSeq); after `- `, it goes on the same line
        if (inSeq) {
          parts.push(' ');
          seq(v, indent);
        } else {
          parts.push('\n', indent);
          seq(v, indent);
        }
        return;
      }
      // (own keys: an enumerable key inherited from Object.prototype is not written)
      const ownKeys = Object.keys(v);
      if (!ownKeys.length) {
        parts.push(' {}');
        return;
      }
      if (inSeq) parts.push(' ');
      else parts.push('\n', indent);
      map(v, ownKeys, indent);
    };
    const enter = (o: object) => {
      if (seen.has(o)) throw UNSUPPORTED; // yaml writes an anchor and an alias
      seen.add(o);
    };
    const map = (o: object, ks: string[], indent: string): void => {
      const inner = indent + '  ';
      let first = true;
      for (const k of ks) {
        const kk = key(k);
        if (kk === undefined) throw UNSUPPORTED;
        if (!first) parts.push('\n', indent);
        first = false;
        parts.push(kk, ':');
        value(own(o, k), inner, false);
      }
    };
    const seq = (a: unknown[], indent: string): void => {
      const inner = indent + '  ';
      for (let i = 0; i < a.length; i++) {
        if (i) parts.push('\n', indent);
        parts.push('-');
        value(own(a, i), inner, true);
      }
    };
    try {
      if (doc === null || typeof doc !== 'object' || !plainData(doc)) return original(doc);
      enter(doc);
      if (Array.isArray(doc)) {
        if (!doc.length) return '[]\n';
        seq(doc, '');
      } else {
        const ks = Object.keys(doc);
        if (!ks.length) return '{}\n';
        map(doc, ks, '');
      }
      parts.push('\n');
      return parts.join('');
    } catch (e) {
      if (e === UNSUPPORTED) return original(doc);
      throw e;
    }
  };
}

/** Documents that take every path of the writer, for the check before its first use. */
const CANARY: unknown[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a-b.c', labels: { 'app.kubernetes.io/name': 'x', 'n': '80', 'yes': 'no', '*': 'y' } } },
  { a: [], b: {}, c: [[1, 'x'], [], [{}], [{ d: null, e: true, f: false }]], g: [{ h: [{ i: -0, j: 1.5, k: 1e21 }] }] },
  {
    s: ['', ' ', 'a: b', 'a #b', '#', '*', '&a', '!x', '-', '- a', '?', 'true', 'Yes', 'off', '~', 'null', '0o17', '0x1F', '017', '1_000',
      '1:20', '.inf', '2001-12-14', "it's", 'say "hi"', 'both \' "', 'tab\there', 'ctl\u0001', '\ud800', 'é', '---', '...x', '%x', '<<', '=', 'a:', 'a,b', '[x]', '{x}', '@x', '`x', '|', '>'],
  },
  { 'a: b': 1, 'x#': 2, '-': 3, '': 4, '1': 5, '<<': 6, ' lead': 7, 'q"': 8, "q'": 9 },
  [{ a: 1 }, [1, [2, { b: [3] }]], 'x'],
  [],
  {},
];

type Stringify = (...docs: unknown[]) => string;
const YAML_CLASS = Yaml as unknown as { stringify: Stringify };
/** cdk8s' `Yaml.stringify` as this module found it: the one function the writer stands in for. */
const CDK8S_STRINGIFY = YAML_CLASS.stringify;
// cdk8s lib/yaml.js Yaml.stringify, the function the writer writes as (its text, whitespace aside): a Yaml.stringify
// of other text (another cdk8s, or a function put in its place before this module was loaded) is not the writer's
const CDK8S_SOURCE = "stringify(...docs) { return docs.map(r => r === undefined ? '\\n' : YAML.stringify(r, { keepUndefined: true, lineWidth: 0, version: yamlSchemaVersion })).join('---\\n'); }";
const sourceOf = (f: Function) => Function.prototype.toString.call(f).replace(/\s+/g, ' ');

let writer: Writer | null | undefined;

/** The writer, after the check of its first use (null when it is off for the process). */
function fastWriter(): Writer | null {
  if (writer !== undefined) return writer;
  writer = null;
  if (sourceOf(CDK8S_STRINGIFY) !== CDK8S_SOURCE) return writer;
  const original: Writer = d => CDK8S_STRINGIFY.call(Yaml, d);
  try {
    const w = makeWriter(original);
    if (w && CANARY.every(d => w(d) === original(d))) writer = w;
  } catch {
    // a check that fails is not the app's failure: cdk8s' Yaml.stringify writes, as without the writer
  }
  return writer;
}

/**
 * Runs `fn` with cdk8s' `Yaml.stringify` writing through the direct writer (each document the writer cannot
 * write goes to `yaml`, as before); restored when `fn` returns or throws. When `Yaml.stringify` is not cdk8s' own
 * (a test's spy, a user's override, the writer of an enclosing synthesis), `fn` runs with it as it is.
 * @internal
 */
export function withYamlWriter<T>(fn: () => T): T {
  // CDK8S_MESH_YAML_WRITER=off: cdk8s' Yaml.stringify writes every document, as without the library
  if (YAML_CLASS.stringify !== CDK8S_STRINGIFY || process.env.CDK8S_MESH_YAML_WRITER === 'off') return fn();
  const w = fastWriter();
  if (!w) return fn();
  // cdk8s lib/yaml.js: each document, or '\n' for an undefined one, joined by '---\n'
  YAML_CLASS.stringify = (...docs: unknown[]) => docs.map(d => (d === undefined ? '\n' : w(d))).join('---\n');
  try {
    return fn();
  } finally {
    YAML_CLASS.stringify = CDK8S_STRINGIFY;
  }
}
