import * as jsyaml from 'js-yaml';

/**
 * The most a document may expand to, as JSON: the API server's limit on a request body
 * (k8s.io/apiserver/pkg/server/config.go, MaxRequestBodyBytes = 3 MiB). A larger document is refused
 * by any cluster, so the readers stop there instead of expanding it, which also bounds YAML aliases
 * (a 477-byte "billion laughs" document expands to gigabytes).
 */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;

/** A YAML text the readers refuse: it cannot be parsed, or a document is too large once expanded. */
/**
 * Manifests that are parsed but not of the shape their schemas give, where a reader needs them to be
 * (e.g. an AuthorizationPolicy whose rules are a string): each problem as `Kind ns/name path: message`.
 */
export class InvalidManifestsError extends Error {
  constructor(public readonly problems: string[]) {
    super(`the manifests are not valid where they are read (fix them; \`cdk8s-mesh validate\` lists every error):\n${problems.map(p => `  ${p}`).join('\n')}`);
    this.name = 'InvalidManifestsError';
  }
}

export class YamlReadError extends Error {
  /** What is wrong, without the position. */
  public readonly reason: string;
  /** The zero-based line of the problem, if known. */
  public readonly mark?: { line: number };

  constructor(reason: string, line?: number) {
    super(line !== undefined ? `${reason} (line ${line + 1})` : reason);
    this.reason = reason;
    this.mark = line !== undefined ? { line } : undefined;
  }
}

/*
 * How kubectl, Argo CD and the API server read a plain (untagged, unquoted) scalar: they convert YAML to JSON with
 * sigs.k8s.io/yaml (yaml.go YAMLToJSON), which decodes with go-yaml v2, i.e. YAML 1.1 (go.yaml.in/yaml/v2
 * resolve.go `resolve`, decode.go `scalar`), not with the YAML 1.2 core schema:
 * - resolveMap: y Y yes Yes YES on On ON true True TRUE -> true, n N no No NO off Off OFF false False FALSE -> false,
 *   ~ null Null NULL and the empty scalar -> null, .nan .inf -.inf +.inf (three spellings each) -> NaN / Infinity,
 *   which json.Marshal refuses (`json: unsupported value`): kubectl rejects the whole file (loadManifests too);
 * - first character a digit, + or -: an int by strconv.ParseInt(s, 0, 64) once every `_` is removed (0x, 0o, 0b and
 *   a leading 0 = octal, any case), else ParseUint (no sign: up to 2^64-1), else a float when the `_`-less text
 *   matches yamlStyleFloat and ParseFloat does not overflow (so `1e3` is 1000, `08` is 8, `1e400` stays a string, and
 *   a hex, 0o or 0b number out of range is a string); a timestamp (`2024-01-02`, tried first) stays the text itself
 *   (decode.go keeps timestamps as strings in an interface{}), as it is read here;
 * - first character '.': a float by strconv.ParseFloat (`.5`, `.5_5`, `.5e3`);
 * - anything else: a string. Explicit tags (!!str 1) and quoted scalars keep their type, as there.
 * Numbers land in JSON as numbers, which is all the validator sees (whole floats such as 1e3 are integers there and
 * here). Keys become strings with String() here; YAMLToJSON writes bool and int keys alike (`on:` is the key
 * "true"), but float keys with strconv.FormatFloat(f, 'g', -1, 32) (`1e7:` is "1e+07" there, "10000000" here),
 * ints beyond 2^53 exactly, and it refuses null and uint64 keys: those rare keys are not reproduced. `<<` stays a
 * plain key (go-yaml merges it), as before.
 * The resolvers switch on the first character first, as resolve.go's resolveTable does: most scalars are names.
 */
const GO_YAML_BOOLS = new Map<string, boolean>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map(s => [s, true] as [string, boolean]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map(s => [s, false] as [string, boolean]),
]);
const GO_YAML_NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const GO_YAML_SPECIAL_FLOATS = new Map<string, number>([
  ...['.nan', '.NaN', '.NAN'].map(s => [s, NaN] as [string, number]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map(s => [s, Infinity] as [string, number]),
  ...['-.inf', '-.Inf', '-.INF'].map(s => [s, -Infinity] as [string, number]),
]);
/** strconv.ParseInt(s, 0, 64)'s syntax (after the `_` are removed): sign, base prefix, digits. */
const GO_INT = /^([-+]?)(?:0([xX])([0-9a-fA-F]+)|0([oO])([0-7]+)|0([bB])([01]+)|(0[0-7]*)|[1-9][0-9]*)$/;
/** resolve.go yamlStyleFloat. */
const GO_YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat's syntax for a text starting with '.' (`_` only between digits: strconv underscoreOK). */
const GO_DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const INT64_MIN = -(BigInt(2) ** BigInt(63));
const INT64_MAX = BigInt(2) ** BigInt(63) - BigInt(1);
const UINT64_MAX = BigInt(2) ** BigInt(64) - BigInt(1);

/** A plain scalar starting with a digit, + or - as go-yaml v2 reads it: a number, or undefined for a string. */
function goYamlNumber(text: string): number | undefined {
  const plain = text.includes('_') ? text.replace(/_/g, '') : text;
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, x, hex, o, oct, b, bin, leadingZero] = m;
    if (!x && !o && !b && !leadingZero) return Number(plain) + 0; // decimal: past uint64, a float of the same value
    const digits = hex ?? oct ?? bin ?? leadingZero.slice(1);
    const base = x ? 16 : b ? 2 : 8;
    // a leading 0 is octal (`012` is 10); `08` is no octal, and yamlStyleFloat reads it as 8 below
    if (digits.length * Math.log2(base) < 53) {
      const v = digits ? parseInt(digits, base) : 0;
      return sign === '-' ? -v || 0 : v;
    }
    const big = BigInt(`${x ? '0x' : b ? '0b' : '0o'}${digits}`) * (sign === '-' ? BigInt(-1) : BigInt(1));
    // ParseInt: int64; ParseUint (no sign allowed): uint64
    if ((big >= INT64_MIN && big <= INT64_MAX) || (sign === '' && big <= UINT64_MAX)) return Number(big);
    if (!leadingZero) return undefined; // a hex, 0o or 0b number out of range: yamlStyleFloat does not match
  }
  if (GO_YAML_STYLE_FLOAT.test(plain)) {
    const v = Number(plain);
    if (Number.isFinite(v)) return v; // ParseFloat fails on an overflow: a string then
  }
  return undefined;
}

/** Set when a NaN or an infinity was read (json.Marshal refuses them): loadManifests then finds where. */
let sawNonFinite = false;
let lastNumberText: string | undefined;
let lastNumber = 0;

/** go-yaml v2's number of a plain scalar (int or float), undefined for anything else; the last one is remembered for construct. */
function resolveGoNumber(data: string): boolean {
  if (data === lastNumberText) return true;
  let v: number | undefined;
  const c = data.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 43 || c === 45) { // 0-9 + -
    v = GO_YAML_SPECIAL_FLOATS.get(data) ?? goYamlNumber(data);
  } else if (c === 46) { // .
    v = GO_YAML_SPECIAL_FLOATS.get(data);
    if (v === undefined && GO_DOT_FLOAT.test(data)) {
      v = Number(data.includes('_') ? data.replace(/_/g, '') : data);
      if (!Number.isFinite(v)) v = undefined;
    }
  }
  if (v === undefined) return false;
  lastNumberText = data;
  lastNumber = v;
  return true;
}

function constructGoNumber(data: string): number {
  if (data !== lastNumberText) resolveGoNumber(data);
  if (!Number.isFinite(lastNumber)) sawNonFinite = true;
  return lastNumber;
}

/** `!!int`: a number go-yaml reads as an int (not `1.0`, `1e3`, `.5`, `08`: resolve.go refuses a float as !!int). */
function resolveGoInt(data: string): boolean {
  return resolveGoNumber(data) && data.charCodeAt(0) !== 46 && GO_INT.test(data.includes('_') ? data.replace(/_/g, '') : data);
}

/**
 * The schema kubectl reads with (see above): the YAML 1.1 null, bool, int and float of go-yaml v2 for plain scalars
 * and for the explicit tags !!null, !!bool, !!int, !!float; strings, sequences and mappings as in the core schema.
 */
const K8S_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: (data: string) => data.length <= 4 && GO_YAML_NULLS.has(data),
      construct: () => null,
      predicate: (o: unknown) => o === null,
    }),
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (data: string) => data.length <= 5 && GO_YAML_BOOLS.has(data),
      construct: (data: string) => GO_YAML_BOOLS.get(data),
      predicate: (o: unknown) => typeof o === 'boolean',
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      // every number, ints included: implicitly the tag makes no difference (JSON has numbers), and
      // resolve.go reads an int with !!float as a float
      resolve: resolveGoNumber,
      construct: constructGoNumber,
      predicate: (o: unknown) => typeof o === 'number',
    }),
  ],
  explicit: [
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: resolveGoInt,
      construct: constructGoNumber,
      predicate: (o: unknown) => typeof o === 'number' && Number.isInteger(o),
    }),
  ],
});

/** The first non-finite number of a value, as a path; undefined when there is none. */
function nonFinitePath(v: unknown, at: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : at;
  if (v === null || typeof v !== 'object') return undefined;
  for (const [k, c] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
    const p = nonFinitePath(c, [...at, k]);
    if (p) return p;
  }
  return undefined;
}

/** One manifest of a YAML stream. */
export interface LoadedDocument {
  readonly obj: any;
  /** The zero-based index of its YAML document. */
  readonly documentIndex: number;
  /** Its path inside that document: `['items', 3]` for an item of a `kind: List`, else empty. */
  readonly prefix: (string | number)[];
  /** True when its YAML document is known to hold no null (no alias, sized by the plain walk): nothing to prune. */
  readonly nullFree?: boolean;
}

/**
 * Parses a YAML stream as kubectl and the API server would read it: YAML 1.1 scalars as go-yaml v2 reads them
 * (K8S_SCHEMA: `on`, `yes`, `n` are booleans, `012` is 10, `0x1F` 31, .nan / .inf refused), every document at most
 * MAX_DOCUMENT_BYTES once its aliases are expanded, and the items of a `kind: List` (or `...List`)
 * as manifests of their own, as `kubectl apply` reads them. Throws YamlReadError.
 */
export function loadManifests(text: string, fileName?: string): { documents: LoadedDocument[]; count: number } {
  let docs: unknown[];
  try {
    sawNonFinite = false;
    docs = jsyaml.loadAll(text, undefined, { schema: K8S_SCHEMA, filename: fileName });
  } catch (e) {
    const err = e as jsyaml.YAMLException;
    if (!(err instanceof jsyaml.YAMLException)) throw e;
    throw new YamlReadError(`the YAML cannot be parsed: ${err.reason ?? err.message}`, err.mark ? err.mark.line : undefined);
  }
  if (sawNonFinite) {
    sawNonFinite = false;
    const at = docs.map((d, i) => ({ i, p: nonFinitePath(d) })).find(x => x.p);
    if (at) { // (a key such as `.inf:` is a string by then)
      throw new YamlReadError(`the YAML is refused: document ${at.i} has .nan or .inf at ${at.p!.join('.') || 'its root'}: `
        + 'kubectl and the API server read YAML as JSON (sigs.k8s.io/yaml), which has no NaN or infinity; quote it if a string is meant');
    }
  }
  const documents: LoadedDocument[] = [];
  let count = 0;
  // without an anchor (&name) there is no alias: every document is a tree, sized by a plain walk
  const trees = !text.includes('&');
  docs.forEach((obj, documentIndex) => {
    if (obj === null || obj === undefined) return; // an empty document, e.g. after a trailing ---
    const walked = trees ? treeSize(obj, MAX_DOCUMENT_BYTES) : undefined;
    const size = walked?.size ?? expandedSize(obj, MAX_DOCUMENT_BYTES);
    // the plain walk saw every node of a document it did not refuse (it stops early only above the limit)
    const nullFree = walked !== undefined && !walked.sawNull;
    if (size === 'cycle') {
      throw new YamlReadError(`the YAML is refused: document ${documentIndex} refers to itself through an alias: a manifest is a tree; write it without the recursive anchor`);
    }
    if (size > MAX_DOCUMENT_BYTES) {
      throw new YamlReadError(`the YAML is refused: document ${documentIndex} expands to more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`
        + `${size > text.length * 4 ? ' through its aliases (an alias bomb?)' : ''}: the API server refuses a request body over 3 MiB; `
        + 'split it into smaller documents, or write it without YAML anchors and aliases');
    }
    const o = obj as any;
    if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, i: number) => {
        documents.push({ obj: item, documentIndex, prefix: ['items', i], nullFree });
        count++;
      });
      return;
    }
    documents.push({ obj, documentIndex, prefix: [], nullFree });
    count++;
  });
  return { documents, count };
}

/**
 * `expandedSize` of a value that shares no node (a document without aliases), by recursion: the same
 * count, each node's own count stopping above `limit` as there; undefined when it nests too deep.
 * `sawNull`: whether a null was met on the way (the whole value is walked when the size is at most `limit`).
 */
function treeSize(root: unknown, limit: number): { size: number; sawNull: boolean } | undefined {
  const TOO_DEEP = -1;
  let sawNull = false;
  const size = (v: unknown, depth: number): number => {
    if (v === null) { sawNull = true; return 8; }
    if (typeof v !== 'object') return typeof v === 'string' ? v.length + 2 : 8;
    if (depth > 500) return TOO_DEEP;
    let s = 2;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && s <= limit; i++) {
        const c = size(v[i], depth + 1);
        if (c === TOO_DEEP) return TOO_DEEP;
        s += 1 + c;
      }
    } else {
      for (const k of Object.keys(v)) {
        if (s > limit) break;
        const c = size((v as any)[k], depth + 1);
        if (c === TOO_DEEP) return TOO_DEEP;
        s += k.length + 4 + c;
      }
    }
    return s;
  };
  const s = size(root, 0);
  return s === TOO_DEEP ? undefined : { size: s, sawNull };
}

/**
 * The size of a value as JSON once aliases are expanded (approximately: strings, keys and
 * punctuation), counted without expanding them (shared nodes are sized once), and stopping above
 * `limit`. 'cycle' for a value that contains itself.
 */
function expandedSize(root: unknown, limit: number): number | 'cycle' {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  // an explicit stack: documents may nest deeper than the call stack
  const stack: { node: object; children: [number, unknown][]; i: number; size: number }[] = [];
  const leaf = (v: unknown) => (typeof v === 'string' ? v.length + 2 : 8);
  const enter = (node: object): 'cycle' | undefined => {
    if (open.has(node)) return 'cycle';
    open.add(node);
    const children: [number, unknown][] = Array.isArray(node)
      ? node.map(v => [1, v] as [number, unknown])
      : Object.entries(node).map(([k, v]) => [k.length + 4, v] as [number, unknown]);
    stack.push({ node, children, i: 0, size: 2 });
    return undefined;
  };
  if (root === null || typeof root !== 'object') return leaf(root);
  if (enter(root)) return 'cycle';
  let result = 0;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.children.length && top.size <= limit) {
      const [overhead, child] = top.children[top.i++];
      top.size += overhead;
      if (child === null || typeof child !== 'object') {
        top.size += leaf(child);
      } else if (sizes.has(child)) {
        top.size += sizes.get(child)!;
      } else if (enter(child)) {
        return 'cycle';
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    sizes.set(top.node, top.size);
    if (stack.length) stack[stack.length - 1].size += top.size;
    else result = top.size;
  }
  return result;
}
