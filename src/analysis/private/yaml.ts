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
 * here). Keys are written as YAMLToJSON (sigs.k8s.io/yaml yaml.go convertToJSONableObject) writes them (goKeyString):
 * a bool as "true" / "false" (`on:` is the key "true"), an int in decimal, exactly, a float with
 * strconv.FormatFloat(f, 'g', -1, 32) (`1.0:` is "1", `1e7:` "1e+07", `0.1:` "0.1", `3.14159265358979:` "3.1415927"),
 * and a null or uint64 key (`~:`, `0xFFFFFFFFFFFFFFFF:`) refuses the document ("unsupported map key of type").
 * A plain `<<` key (or `!!merge`) merges as go-yaml v2 merges it (decode.go `mapping` and `merge`): the pairs of a
 * mapping are applied in order, a merge key writing each key of its mapping (of a sequence of mappings, the last
 * first, so that the first wins) over what is there, so a key before `<<` is replaced by the merged one and a key
 * after it replaces it (js-yaml's own merge, YAML 1.1's spec, keeps every explicit key): see `GoKeys`. An alias of a
 * number as a key is the key of the number's text (`*n :` of `&n 1e7` is "1e+07"); a sequence or mapping as a key
 * refuses the document, as go-yaml refuses it ("invalid map key"). A key written twice keeps its last value, as go-yaml
 * v2 (not strict) keeps it (two keys that differ in YAML but not in JSON, `1.0:` and `1:`, are the last one here;
 * YAMLToJSON keeps either, in Go's map order). Explicit tags: !!binary is its decoded text, !!timestamp its text, and
 * any tag go-yaml does not resolve is ignored (a scalar is its text). Not reproduced (rare): `!!float 1:` (the int key
 * "1" here, the same).
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
const MERGE_TAG = 'tag:yaml.org,2002:merge';
const STR_TAG = 'tag:yaml.org,2002:str';
/** The key a merge key (`<<`) is stored under until its mapping is complete (then GoKeys merges it as go-yaml v2). */
const MERGE_PLACEHOLDER = '\u0000<<';

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

/** What `resolvePlain` read (a null, a bool, or `<<`), for `constructPlain`; NUMBER_READ when it read a number. */
const NUMBER_READ = Symbol('number');
let plainRead: null | boolean | string | typeof NUMBER_READ = null;
/**
 * Set when `resolvePlain` read a plain `<<`, until the listener (GoKeys) sees that node close, which js-yaml does right
 * after resolving it (loader.js composeNode): only a plain `<<` (or an explicit !!merge) is a merge key.
 */
let plainMergeRead = false;

/**
 * A plain scalar as go-yaml v2 resolves it (resolve.go resolveMap, then the numbers): a null, a bool, the merge key `<<`
 * or a number; false for a string. One implicit type instead of one per tag: js-yaml calls every implicit type's
 * `resolve` on each plain scalar (loader.js composeNode), and most plain scalars are names that none of them takes
 * (issue 26, eighteenth pass).
 */
function resolvePlain(data: string | null): boolean {
  // (null: a node without content tagged `!<?>`, which js-yaml resolves implicitly; go-yaml v2 does not resolve the tag
  // `?` (resolve.go resolvableTag) and reads the empty text, "")
  if (data === null) {
    plainRead = '';
    return true;
  }
  if (data.length <= 5) {
    if (GO_YAML_NULLS.has(data)) {
      plainRead = null;
      return true;
    }
    const b = GO_YAML_BOOLS.get(data);
    if (b !== undefined) {
      plainRead = b;
      return true;
    }
    if (data === '<<') {
      plainRead = '<<';
      plainMergeRead = true;
      return true;
    }
  }
  if (!resolveGoNumber(data)) return false;
  plainRead = NUMBER_READ;
  return true;
}

function constructPlain(data: string): unknown {
  return plainRead === NUMBER_READ ? constructGoNumber(data) : plainRead;
}

/**
 * A resolver of an explicit tag, given a node without content as its text: js-yaml hands it null there (`a: !!int`),
 * where the resolvers threw a TypeError. go-yaml v2 resolves the empty text with the tag (resolve.go resolve), as
 * crdcheck shows: `!!null` is null, `!!binary` "", and `!!int`, `!!bool`, `!!float` and `!!timestamp` refuse the
 * document ("cannot decode !!null `` as a !!int"). Not reproduced, as before for any `!!merge` scalar but `<<`: go-yaml
 * accepts `a: !!merge` (it does not resolve that tag on a value), which is refused here.
 */
function emptyAsText(resolve: (data: string) => boolean): (data: string | null) => boolean {
  return data => resolve(data ?? '');
}

/**
 * The tag js-yaml gives a plain scalar `resolvePlain` took: one for the tags of go-yaml's resolveMap (null, bool, merge)
 * and its numbers, told apart by the value (and a plain `<<` by `plainMergeRead`).
 */
const PLAIN_TAG = 'tag:cdk8s-mesh.io,2026:plain';

/**
 * The schema kubectl reads with (see above): the YAML 1.1 null, bool, int and float of go-yaml v2 for plain scalars
 * (`resolvePlain`) and for the explicit tags !!null, !!bool, !!int, !!float, !!merge; strings, sequences and mappings as
 * in the core schema.
 */
const K8S_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsyaml.Type(PLAIN_TAG, { kind: 'scalar', resolve: resolvePlain, construct: constructPlain }),
  ],
  explicit: [
    new jsyaml.Type('tag:yaml.org,2002:null', {
      kind: 'scalar',
      resolve: emptyAsText((data: string) => data.length <= 4 && GO_YAML_NULLS.has(data)),
      construct: () => null,
      predicate: (o: unknown) => o === null,
    }),
    new jsyaml.Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: emptyAsText((data: string) => data.length <= 5 && GO_YAML_BOOLS.has(data)),
      construct: (data: string) => GO_YAML_BOOLS.get(data),
      predicate: (o: unknown) => typeof o === 'boolean',
    }),
    new jsyaml.Type(MERGE_TAG, {
      kind: 'scalar',
      // a plain `<<` (resolve.go resolveMap); as a key it is replaced by a placeholder (GoKeys), as a value it is "<<"
      resolve: emptyAsText((data: string) => data === '<<'),
      construct: () => '<<',
    }),
    new jsyaml.Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      // every number, ints included: implicitly the tag makes no difference (JSON has numbers), and
      // resolve.go reads an int with !!float as a float
      resolve: emptyAsText(resolveGoNumber),
      construct: constructGoNumber,
      predicate: (o: unknown) => typeof o === 'number',
    }),
    new jsyaml.Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: emptyAsText(resolveGoInt),
      construct: constructGoNumber,
      predicate: (o: unknown) => typeof o === 'number' && Number.isInteger(o),
    }),
    // !!binary: go-yaml v2 decode.go `scalar` decodes the base64 (base64.StdEncoding, which skips line breaks) to a
    // string; invalid base64 refuses the document ("!!binary value contains invalid base64 data")
    new jsyaml.Type('tag:yaml.org,2002:binary', {
      kind: 'scalar',
      resolve: emptyAsText((data: string) => {
        const b64 = data.replace(/[\r\n]/g, '');
        return b64.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(b64);
      }),
      construct: (data: string | null) => Buffer.from((data ?? '').replace(/[\r\n]/g, ''), 'base64').toString('utf8'),
    }),
    // !!timestamp: resolve.go parseTimestamp (allowedTimestampFormats); decode.go `scalar` keeps the text as the value
    // of an interface{} ("for backward compatibility reasons we set it as a string"); anything else refuses the document
    new jsyaml.Type('tag:yaml.org,2002:timestamp', {
      kind: 'scalar',
      resolve: emptyAsText(goTimestamp),
      construct: (data: string) => data,
    }),
    // any other tag (`!Ref x`, `!!set`, `!!omap`): go-yaml v2 resolve.go resolves only its own tags (resolvableTag) and
    // decodes a scalar with another tag as its text, and a sequence or mapping whatever its tag
    ...(['scalar', 'sequence', 'mapping'] as const).map(kind => new jsyaml.Type('', {
      kind,
      multi: true,
      construct: (data: unknown) => data ?? (kind === 'scalar' ? '' : kind === 'sequence' ? [] : {}),
    })),
  ],
});

// The type of plain scalars is for implicit resolution only. js-yaml also files it under its tag (schema.js compileMap),
// which an explicit tag could then name (`!<tag:cdk8s-mesh.io,2026:plain> yes`); taken out, that tag is one go-yaml
// does not resolve, read as its text (the multi types above), as any other.
for (const kind of ['scalar', 'fallback']) delete (K8S_SCHEMA as any).compiledTypeMap[kind][PLAIN_TAG];

/**
 * resolve.go parseTimestamp: YYYY-M-D, optionally followed by `T`/`t` and H:M:S[.fraction] with a zone (Z or ±hh:mm), or
 * by a space and H:M:S[.fraction] without a zone (time.Parse layouts "2006-1-2T15:4:5.999999999Z07:00", "2006-1-2
 * 15:4:5.999999999", "2006-1-2"; time.Parse checks the ranges, the day against its month).
 */
function goTimestamp(data: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$/.exec(data);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [h, mi, se] = [Number(m[4] ?? m[7] ?? 0), Number(m[5] ?? m[8] ?? 0), Number(m[6] ?? m[9] ?? 0)];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && h < 24 && mi < 60 && se < 60;
}

/** strconv.ParseInt(s, 0, 64), else strconv.ParseUint(s, 0, 64), of a plain scalar with its `_` removed (resolve.go). */
function goYamlInt(text: string): { value: bigint; unsigned: boolean } | undefined {
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (!m) return undefined;
  const [, sign, x, hex, o, oct, b, bin, leadingZero] = m;
  const digits = x ? `0x${hex}` : o ? `0o${oct}` : b ? `0b${bin}` : leadingZero !== undefined ? `0o${leadingZero.slice(1) || '0'}` : plain.replace(/^[-+]/, '');
  const value = BigInt(digits) * (sign === '-' ? BigInt(-1) : BigInt(1));
  if (value >= INT64_MIN && value <= INT64_MAX) return { value, unsigned: false };
  if (sign === '' && value <= UINT64_MAX) return { value, unsigned: true };
  return undefined;
}

/**
 * strconv.FormatFloat(f, 'g', -1, 32) (internal/strconv/ftoa.go formatDigits, fmtE, fmtF), as YAMLToJSON writes a float
 * key: the fewest digits that read back as the same float32 (the exact value rounded half to even, as strconv's
 * shortest formatting picks between two equally near candidates: 1085464.25 is 1.0854642e+06), in %e form when the
 * exponent is below -4 or at least 6.
 */
export function goFloatKey(f: number): string {
  const v = Math.fround(f);
  if (Number.isNaN(v)) return '.nan';
  if (v === Infinity) return '.inf';
  if (v === -Infinity) return '-.inf';
  const neg = v < 0 || Object.is(v, -0) ? '-' : '';
  const a = Math.abs(v);
  if (a === 0) return `${neg}0`;
  // the exact decimal value of the float32: m * 2^k
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, a);
  const bits = view.getUint32(0); // positive: the sign bit is 0
  const biased = Math.floor(bits / 2 ** 23);
  const m = BigInt(biased === 0 ? bits % 2 ** 23 : bits % 2 ** 23 + 2 ** 23);
  const k = biased === 0 ? -149 : biased - 150;
  const exact = k >= 0 ? (m * BigInt(2) ** BigInt(k)).toString() : (m * BigInt(5) ** BigInt(-k)).toString();
  const exactDp = k >= 0 ? exact.length : exact.length + k; // digits before the point
  let digits = exact;
  let dp = exactDp;
  for (let p = 1; p < exact.length; p++) {
    let head = exact.slice(0, p);
    const rest = exact.slice(p);
    const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[p - 1]) % 2 === 1));
    let headDp = exactDp;
    if (up) {
      const inc = (BigInt(head) + BigInt(1)).toString();
      if (inc.length > head.length) headDp++;
      head = inc.slice(0, p);
    }
    if (Math.fround(Number(`0.${head}e${headDp}`)) === a) {
      digits = head;
      dp = headDp;
      break;
    }
  }
  digits = digits.replace(/0+$/, '') || '0';
  const exp = dp - 1;
  if (exp < -4 || exp >= 6) {
    const ex = Math.abs(exp);
    return `${neg}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${ex < 10 ? '0' : ''}${ex}`;
  }
  if (dp <= 0) return `${neg}0.${'0'.repeat(-dp)}${digits}`;
  const int = digits.slice(0, dp).padEnd(dp, '0');
  const frac = digits.slice(dp);
  return `${neg}${int}${frac ? `.${frac}` : ''}`;
}

/**
 * The key YAMLToJSON writes for a plain scalar key `text` that K8S_SCHEMA reads as `value` (a string: the text itself,
 * already resolved), or a reason it refuses the document.
 */
export function goKeyString(value: unknown, text: string | undefined): { key: string } | { refused: string } {
  if (typeof value === 'string') return { key: value };
  if (typeof value === 'boolean') return { key: String(value) };
  if (value === null) return { refused: 'a null key (~, null or an empty key)' };
  if (typeof value === 'number') {
    if (text === undefined) return { key: String(value) }; // an alias of a number used as a key (not reproduced)
    const int = text.charCodeAt(0) === 46 ? undefined : goYamlInt(text);
    if (int?.unsigned) return { refused: `the key ${text} (an unsigned 64-bit integer)` };
    return { key: int ? int.value.toString() : goFloatKey(value) };
  }
  return { key: String(value) };
}

/**
 * The key loadManifests makes of a plain (untagged, unquoted) scalar key written as `text` (`on` is "true", `0x10` "16",
 * `1e7` "1e+07"); undefined for a key it refuses. For readers of positions (lines.ts), which parse with YAML 1.2.
 */
export function goPlainKey(text: string): string | undefined {
  const value = GO_YAML_NULLS.has(text) ? null
    : GO_YAML_BOOLS.has(text) ? GO_YAML_BOOLS.get(text)
      : resolveGoNumber(text) ? lastNumber : text;
  const r = goKeyString(value, text);
  return 'key' in r ? r.key : undefined;
}

/** The name of the alias (`*name`) at `pos`, after blanks, line breaks and comments; undefined when there is none. */
function aliasNameAt(input: string, pos: number): string | undefined {
  const m = /^(?:\s|#[^\n]*)*\*([^\s,[\]{}]+)/.exec(input.slice(pos, pos + 1024));
  return m?.[1];
}

/** Whether the YAML text at `pos` (after blanks, line breaks and comments) is a mapping's ':' indicator: the node before it is a key. */
function colonFollows(input: string, pos: number): boolean {
  for (let i = pos; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c === 35) { // # a comment, to the end of the line
      const nl = input.indexOf('\n', i);
      if (nl < 0) return false;
      i = nl;
      continue;
    }
    if (c !== 58) return false; // :
    const next = input.charCodeAt(i + 1);
    return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13 || next === 44 || next === 93 || next === 125; // , ] }
  }
  return false;
}

/**
 * A js-yaml listener that makes mapping keys what YAMLToJSON makes them (goKeyString) and merges `<<` keys as go-yaml v2
 * (see above): each node closed just before a ':' is a key; a mapping that has a merge key is rewritten when it closes
 * (its keys in document order are recorded for that, only when the text has a `<<`). Throws YamlReadError.
 */
class GoKeys {
  /** Per open node: the keys met directly in it, in order (when merges are possible; else empty). */
  private readonly frames: (string[] | undefined)[] = [];
  /** Per open node: where its text starts (before blanks), to find the name of an alias (when the text has anchors; else empty). */
  private readonly opens: number[] = [];
  /**
   * Whether `frames` and `opens` are kept: only a text with a `<<` (merges) or a `&` (anchors, and so aliases) needs them
   * (issue 26, eighteenth pass: two pushes and two pops for every node of every document, where most texts have neither).
   */
  private readonly tracked: boolean;
  /** How many nodes are open (0: between documents). */
  private depth = 0;
  /** Where the text of the current document's root node starts. */
  private rootAt = 0;
  /** The text of each number that has an anchor (`&n 1e7`), for an alias of it used as a key (`*n :` is "1e+07"). */
  private readonly numberAnchors = new Map<string, string>();
  private readonly mergeLines = new Map<string, number>();
  private merges = 0;
  /** The mappings read to their end (a merge of any other is of a mapping that contains it). */
  private readonly complete = new WeakSet<object>();
  /** Keys copied by merges in the current document: bounded as the document's size is (MAX_DOCUMENT_BYTES). */
  private merged = 0;
  /** The listener to pass to js-yaml's load. */
  public readonly listener: (event: 'open' | 'close', state: any) => void;
  /**
   * Per document (each has one root node, read or empty, in order): the length of its root node's text; recorded only
   * when asked (a reader that walks every document anyway, the validator, does not).
   */
  public readonly spans: number[] | undefined;
  /** Called as each document's root node opens (the js-yaml state), before anything of it is read. */
  public onDocumentStart: ((state: any) => void) | undefined;

  /** `withAnchors`: the text may have anchors (it has a `&`). */
  constructor(private readonly input: string, private readonly withMerges: boolean, withSpans: boolean, withAnchors: boolean) {
    this.spans = withSpans ? [] : undefined;
    this.tracked = withMerges || withAnchors;
    this.listener = (event, state) => this.event(event, state);
  }

  private event(event: 'open' | 'close', state: any): void {
    if (event === 'open') {
      if (this.depth++ === 0) {
        // a document's root: the documents before it are read to their end
        if (this.onDocumentStart) this.onDocumentStart(state);
        this.rootAt = state.position;
      }
      if (this.tracked) {
        this.frames.push(undefined);
        this.opens.push(state.position);
      }
      return;
    }
    const root = --this.depth === 0;
    // (untracked: no merge to make, and no alias whose anchor's name is looked up at openedAt)
    const keys = this.tracked ? this.frames.pop() : undefined;
    const openedAt = this.tracked ? this.opens.pop()! : this.rootAt;
    if (this.spans && root) this.spans.push(state.position - this.rootAt);
    if (keys && state.kind === 'mapping' && keys.some(k => k.startsWith(MERGE_PLACEHOLDER))) this.merge(state.result, keys);
    if (this.withMerges && state.kind === 'mapping') this.complete.add(state.result);
    if (root) this.merged = 0; // a document's root
    const value = state.result;
    // a plain `<<` is a merge key (js-yaml's own merge, in storeMappingPair, runs by that tag where no ':' follows: in a
    // flow collection, `{<<}`, which it refuses as go-yaml does), a `<<` otherwise written is not
    const plainMerge = plainMergeRead;
    plainMergeRead = false;
    const mergeKey = state.tag === MERGE_TAG || (plainMerge && state.tag === PLAIN_TAG && value === '<<');
    if (mergeKey) state.tag = MERGE_TAG;
    if (typeof value === 'number' && state.anchor !== null && state.tag !== null) this.numberAnchors.set(state.anchor, lastNumberText!);
    // most keys are strings read as strings: nothing to change, and when no merge is possible nothing to record
    if (typeof value === 'string' && !mergeKey && !this.withMerges) return;
    if (!colonFollows(this.input, state.position)) return;
    if (typeof value === 'object' && value !== null) {
      // go-yaml v2 decodes into map[interface{}]interface{}, where a sequence or mapping is no key (decode.go mapping)
      throw new YamlReadError(`the YAML cannot be parsed: a ${Array.isArray(value) ? 'sequence' : 'mapping'} as a key is not a key kubectl can read `
        + '(go-yaml: "invalid map key"); write the key as a string', state.line);
    }
    let key: string;
    if (mergeKey) {
      key = `${MERGE_PLACEHOLDER}${++this.merges}`;
      this.mergeLines.set(key, state.line);
      state.tag = STR_TAG; // stored as a plain pair, merged by `merge` when the mapping closes
    } else {
      // the text of a number: the scalar just resolved, or for an alias (no tag) the text of its anchor's number
      const text = typeof value !== 'number' ? undefined : state.tag !== null ? lastNumberText : this.numberAnchors.get(aliasNameAt(this.input, openedAt) ?? '');
      const r = goKeyString(value, text);
      if ('refused' in r) {
        throw new YamlReadError(`the YAML is refused: ${r.refused} is not a key kubectl can read: it reads YAML as JSON `
          + '(sigs.k8s.io/yaml YAMLToJSON: "unsupported map key of type"); quote the key', state.line);
      }
      key = r.key;
    }
    state.result = key;
    if (this.withMerges && !root) (this.frames[this.frames.length - 1] ??= []).push(key);
  }

  /** go-yaml v2 decode.go `mapping`: the pairs in order, each merge key writing its mapping(s) over what is there. */
  private merge(obj: any, keys: string[]): void {
    const out = new Map<string, unknown>();
    const explicit = new Set<string>();
    const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      if (!k.startsWith(MERGE_PLACEHOLDER)) {
        out.set(k, obj[k]);
        explicit.add(k);
        continue;
      }
      const source = obj[k];
      // decode.go `merge`: a mapping, or a sequence of mappings stepped backwards (earlier ones take precedence)
      const sources = Array.isArray(source) ? [...source].reverse() : [source];
      if (!sources.every(isMap)) {
        throw new YamlReadError('the YAML cannot be parsed: map merge requires map or sequence of maps as the value (of `<<`)', this.mergeLines.get(k));
      }
      for (const m of sources) {
        if (!this.complete.has(m)) {
          // an alias of a mapping not complete yet, i.e. one holding it: decode.go `alias` fails ("anchor 'x' value contains itself")
          throw new YamlReadError('the YAML cannot be parsed: the value of an anchor merged with `<<` contains itself', this.mergeLines.get(k));
        }
        const ks = Object.keys(m);
        this.merged += ks.length;
        if (this.merged > MAX_DOCUMENT_BYTES / 4) {
          throw new YamlReadError(`the YAML is refused: a document expands to more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB through its merge keys (<<): `
            + 'the API server refuses a request body over 3 MiB; write it without YAML anchors and merges', this.mergeLines.get(k));
        }
        for (const mk of ks) out.set(mk, m[mk]);
      }
    }
    // a key not seen before its ':' (not expected): kept, over what merges gave
    for (const k of Object.keys(obj)) if (!k.startsWith(MERGE_PLACEHOLDER) && !explicit.has(k)) out.set(k, obj[k]);
    for (const k of Object.keys(obj)) delete obj[k];
    for (const [k, v] of out) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
}

/** The first non-finite number of a value, as a path; undefined when there is none. */
function nonFinitePath(root: unknown): (string | number)[] | undefined {
  // nodes shared through aliases are looked through once (`done`: searched to their end, nothing found), an alias of a
  // node on the way down is not followed (a cycle, refused below), and nothing below MAX_NESTING levels is searched (the
  // document is refused for its depth then; a node with a part left unsearched is not `done`)
  const done = new Set<object>();
  const onPath = new Set<object>();
  let cut = false;
  const walk = (v: unknown, at: (string | number)[]): (string | number)[] | undefined => {
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : at;
    if (v === null || typeof v !== 'object' || done.has(v) || onPath.has(v)) return undefined;
    if (at.length > MAX_NESTING) {
      cut = true;
      return undefined;
    }
    const cutAbove = cut;
    cut = false;
    onPath.add(v);
    for (const [k, c] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      const p = walk(c, [...at, k]);
      if (p) return p;
    }
    onPath.delete(v);
    if (!cut) done.add(v);
    cut = cut || cutAbove;
    return undefined;
  };
  return walk(root, []);
}

/**
 * How deep a document's collections may nest: js-yaml's own limit on the text (loader.js `maxDepth`, 100 by default:
 * "nesting exceeded maxDepth"), which aliases get past (`x: &a1 [[*a0]]`, again and again). Deeper documents are refused,
 * not walked by the checks, which recurse.
 */
const MAX_NESTING = 100;

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
export function loadManifests(text: string, fileName?: string, options: { readonly nullFree?: boolean } = {}): { documents: LoadedDocument[]; count: number } {
  const documents: LoadedDocument[] = [];
  const count = forEachManifest(text, d => documents.push(d), fileName, options);
  return { documents, count };
}

/**
 * `loadManifests`, handing each manifest to `each` as soon as its document is read, and letting the document go
 * (issue 26: a reader that needs one document at a time keeps the parser's live heap to one document, so that its
 * scavenges copy little; the whole stream held until its end cost 10–25 % of the parse in collections).
 * The result is the same: when the stream is refused (a parse error, a .nan or .inf, a document too large), this
 * throws the same YamlReadError as loadManifests, after `each` has seen the manifests before the error, which the
 * caller then drops; that refusal comes out before anything `each` throws (then thrown once the stream is read,
 * and `each` called no more). Returns the number of manifests.
 */
export function forEachManifest(text: string, each: (d: LoadedDocument) => void, fileName?: string,
  options: { readonly nullFree?: boolean } = {}): number {
  let keys: GoKeys;
  let count = 0;
  let next = 0;
  // refusals found after a document is read, thrown once the whole stream parsed (a parse error anywhere comes
  // first), the first .nan or .inf before the first document too large
  let nonFinite: YamlReadError | undefined;
  let tooLarge: YamlReadError | undefined;
  let failed: { error: unknown } | undefined;
  // without an anchor (&name) there is no alias: every document is a tree, sized by a plain walk
  const trees = !text.includes('&');
  let spansRead = 0;
  // the documents read since the last call (one, as each root opens; the rest at the end), each looked through for
  // a .nan or .inf when one was read among them
  const takeAll = (docs: unknown[]) => {
    const nonFiniteRead = sawNonFinite;
    sawNonFinite = false;
    for (const d of docs) take(d, nonFiniteRead);
  };
  const take = (obj: unknown, nonFiniteRead: boolean) => {
    const documentIndex = next++;
    if (nonFiniteRead) {
      const p = nonFinitePath(obj); // (a key such as `.inf:` is a string by then)
      if (p && !nonFinite) {
        nonFinite = new YamlReadError(`the YAML is refused: document ${documentIndex} has .nan or .inf at ${p.join('.') || 'its root'}: `
          + 'kubectl and the API server read YAML as JSON (sigs.k8s.io/yaml), which has no NaN or infinity; quote it if a string is meant');
      }
    }
    if (nonFinite || tooLarge) return; // refused: the rest is only parsed
    if (obj === null || obj === undefined) return; // an empty document, e.g. after a trailing ---
    // A document without aliases is no larger as JSON than TREE_GROWTH times its text (see TREE_GROWTH): one whose
    // text is short enough is not walked, unless the caller asks whether it holds a null (the validator)
    const span = keys.spans?.length === spansRead ? keys.spans[documentIndex] : undefined;
    const small = trees && !options.nullFree && span !== undefined && span * TREE_GROWTH <= MAX_DOCUMENT_BYTES;
    const walked = small ? { size: 0, sawNull: true } : trees ? treeSize(obj, MAX_DOCUMENT_BYTES) : undefined;
    const expanded = walked ? undefined : expandedSize(obj, MAX_DOCUMENT_BYTES);
    const size = walked?.size ?? (expanded === 'cycle' ? 'cycle' : expanded!.size);
    // the plain walk saw every node of a document it did not refuse (it stops early only above the limit)
    const nullFree = walked !== undefined && !walked.sawNull;
    if (size === 'cycle') {
      tooLarge = new YamlReadError(`the YAML is refused: document ${documentIndex} refers to itself through an alias: a manifest is a tree; write it without the recursive anchor`);
      return;
    }
    if (size > MAX_DOCUMENT_BYTES) {
      tooLarge = new YamlReadError(`the YAML is refused: document ${documentIndex} expands to more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`
        + `${size > text.length * 4 ? ' through its aliases (an alias bomb?)' : ''}: the API server refuses a request body over 3 MiB; `
        + 'split it into smaller documents, or write it without YAML anchors and aliases');
      return;
    }
    if (expanded !== undefined && expanded !== 'cycle' && expanded.height > MAX_NESTING) {
      tooLarge = new YamlReadError(`the YAML is refused: document ${documentIndex} nests deeper than ${MAX_NESTING} levels once its aliases `
        + 'are expanded (an anchored value holding an alias of another such value, again and again); js-yaml reads at most '
        + `${MAX_NESTING} levels of text and no Kubernetes manifest nests that deep: remove the aliases that nest`);
      return;
    }
    const o = obj as any;
    if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, i: number) => {
        count++;
        hand({ obj: item, documentIndex, prefix: ['items', i], nullFree });
      });
      return;
    }
    count++;
    hand({ obj, documentIndex, prefix: [], nullFree });
  };
  // what the caller throws comes out after the stream is read, unless the stream is refused: a refusal (found
  // anywhere in it) comes first, as when the whole stream was read before any manifest was handed over
  const hand = (d: LoadedDocument) => {
    if (failed) return;
    try {
      each(d);
    } catch (error) {
      failed = { error };
    }
  };
  let rest: unknown[];
  try {
    sawNonFinite = false;
    plainMergeRead = false;
    keys = new GoKeys(text, text.includes('<<'), !options.nullFree, !trees);
    // js-yaml keeps every document read in its state's `documents` until the end (loader.js readDocument), and calls
    // the listener as each document's root opens: the ones read by then are taken from it
    keys.onDocumentStart = state => {
      if (state.documents.length) {
        spansRead = next + state.documents.length; // one span per document read (checked, not assumed)
        takeAll(state.documents.splice(0));
      }
    };
    // json: a key written twice keeps its last value, as kubectl reads it (YAMLToJSON is not strict: go-yaml v2 decode.go
    // setMapIndex reports a repeated key only with UnmarshalStrict, and stores the last; sigs.k8s.io/yaml yaml.go
    // Unmarshal: "Duplicate fields ... are ignored"), instead of js-yaml's "duplicated mapping key"
    rest = jsyaml.loadAll(text, undefined, { schema: K8S_SCHEMA, filename: fileName, listener: keys.listener, json: true });
  } catch (e) {
    sawNonFinite = false;
    const err = e as jsyaml.YAMLException;
    if (!(err instanceof jsyaml.YAMLException)) throw e;
    throw new YamlReadError(`the YAML cannot be parsed: ${err.reason ?? err.message}`, err.mark ? err.mark.line : undefined);
  }
  spansRead = next + rest.length;
  takeAll(rest);
  if (nonFinite) throw nonFinite;
  if (tooLarge) throw tooLarge;
  if (failed) throw failed.error;
  return count;
}

/**
 * At most how many times its text a document without aliases is, in `treeSize`'s count (strings and keys 2 and 4
 * more than their length, any other scalar 8, 2 per collection and 1 per item): the largest is a flow mapping of
 * one-character keys without values, `{a,b,...}`, 13 per 2 characters (6.5); 16 leaves room for any other form.
 */
const TREE_GROWTH = 16;

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
function expandedSize(root: unknown, limit: number): { size: number; height: number } | 'cycle' {
  const sizes = new Map<object, number>();
  // how deep each node's collections nest (1 for a collection of scalars)
  const heights = new Map<object, number>();
  const open = new Set<object>();
  // an explicit stack: documents may nest deeper than the call stack
  const stack: { node: object; children: [number, unknown][]; i: number; size: number; height: number }[] = [];
  const leaf = (v: unknown) => (typeof v === 'string' ? v.length + 2 : 8);
  const enter = (node: object): 'cycle' | undefined => {
    if (open.has(node)) return 'cycle';
    open.add(node);
    const children: [number, unknown][] = Array.isArray(node)
      ? node.map(v => [1, v] as [number, unknown])
      : Object.entries(node).map(([k, v]) => [k.length + 4, v] as [number, unknown]);
    stack.push({ node, children, i: 0, size: 2, height: 0 });
    return undefined;
  };
  if (root === null || typeof root !== 'object') return { size: leaf(root), height: 0 };
  if (enter(root)) return 'cycle';
  let result = { size: 0, height: 0 };
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.children.length && top.size <= limit) {
      const [overhead, child] = top.children[top.i++];
      top.size += overhead;
      if (child === null || typeof child !== 'object') {
        top.size += leaf(child);
      } else if (sizes.has(child)) {
        top.size += sizes.get(child)!;
        top.height = Math.max(top.height, heights.get(child)!);
      } else if (enter(child)) {
        return 'cycle';
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    sizes.set(top.node, top.size);
    heights.set(top.node, top.height + 1);
    if (stack.length) {
      const parent = stack[stack.length - 1];
      parent.size += top.size;
      parent.height = Math.max(parent.height, top.height + 1);
    } else {
      result = { size: top.size, height: top.height + 1 };
    }
  }
  return result;
}
