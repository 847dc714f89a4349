import type * as Cel from '@bufbuild/cel';
import { BAIL, compileNative } from './cel-native';
import { ValidationCodes } from '../findings';
import { PathLink, pathOf } from './path';
import { nodeNet } from '../../private/node-net';

/**
 * The Kubernetes CEL library functions the pinned CRDs use, on top of the CEL standard library and
 * the strings extension. URLs are carried as strings: `url(s)` checks the URL and the `get*` methods
 * read its parts, which gives the same results as Kubernetes' URL type for every rule we evaluate.
 */
function parseUrl(s: string): URL {
  const u = new URL(s);
  return u;
}

let cel: typeof Cel | undefined;
let env: ReturnType<typeof Cel.celEnv> | undefined;

/** The CEL library and environment, loaded when a first rule is compiled (not at start-up: `cdk8s-mesh lint` never needs them). */
function celLib(): typeof Cel {
  if (cel) return cel;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cel = require('@bufbuild/cel') as typeof Cel;
  cacheRe2Patterns();
  return cel;
}

/** How many compiled `matches()` patterns are kept. */
const RE2_CACHE_LIMIT = 1000;

/**
 * @bufbuild/cel's `matches()` (std/logic.js) compiles its RE2 pattern on every call
 * (`RE2JS.compile(pattern).test(this)`), and cannot be given another implementation: the patterns of
 * the CRD rules are a handful of constants, run on every route. A compiled RE2JS is immutable (each
 * `test` makes its own matcher), so the compilation of a pattern without flags is kept.
 */
function cacheRe2Patterns(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RE2JS } = require('@bufbuild/re2') as typeof import('@bufbuild/re2');
  const target = RE2JS as unknown as { compile: (regex: string, flags?: number) => unknown; __cdk8sMeshCached?: boolean };
  if (target.__cdk8sMeshCached) return;
  const compile = target.compile;
  const compiled = new Map<string, unknown>();
  target.compile = function (this: unknown, regex: string, flags?: number) {
    if (flags !== undefined && flags !== 0) return compile.call(this, regex, flags);
    let re = compiled.get(regex);
    if (re === undefined) {
      re = compile.call(this, regex); // throws on a bad pattern: nothing kept
      if (compiled.size >= RE2_CACHE_LIMIT) compiled.clear();
      compiled.set(regex, re);
    }
    return re;
  };
  target.__cdk8sMeshCached = true;
}

function celEnvironment(): ReturnType<typeof Cel.celEnv> {
  if (env) return env;
  const { celEnv, celFunc, celMethod, CelScalar } = celLib();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { strings } = require('@bufbuild/cel/ext') as typeof import('@bufbuild/cel/ext');
  const K8S_FUNCS = [
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s: string) => {
      try { parseUrl(s); return true; } catch { return false; }
    }),
    celFunc('url', [CelScalar.STRING], CelScalar.STRING, (s: string) => {
      parseUrl(s); // throws on an invalid URL, as Kubernetes' url() does
      return s;
    }),
    celMethod('getScheme', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return parseUrl(this).protocol.replace(/:$/, '');
    }),
    celMethod('getHost', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return parseUrl(this).host;
    }),
    celMethod('getHostname', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return parseUrl(this).hostname.replace(/^\[|\]$/g, '');
    }),
    celMethod('getPort', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return parseUrl(this).port;
    }),
    celMethod('getEscapedPath', CelScalar.STRING, [], CelScalar.STRING, function (this: string) {
      return parseUrl(this).pathname;
    }),
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s: string) => nodeNet().isIP(s) !== 0),
  ];
  return env = celEnv({ funcs: [...strings, ...K8S_FUNCS] });
}

/** A CEL rule of a schema node, planned once. */
export interface CompiledRule {
  readonly rule: string;
  readonly message: string;
  /** Set when the rule could not be prepared: it is then reported as not checked. */
  readonly notChecked?: string;
  readonly transition: boolean;
  readonly run?: (self: unknown) => unknown;
  /** The rule as JavaScript, for its common shapes: throws BAIL for a value it leaves to `run` (cel-native.ts). */
  readonly native?: (self: unknown) => boolean;
  /**
   * The fields of `self` the rule reads, when it reads `self` only as `self.field` (not `self` whole, a
   * method or macro on it, `self[...]`, `self.?field` or an escaped name): its outcome depends on those
   * fields alone, so they are the key under which it is remembered.
   */
  readonly fields?: string[];
}

/** The fields a rule reads from `self`, if it reads `self` only through plain field selections. */
function selfFields(rule: string): string[] | undefined {
  const fields = new Set<string>();
  const self = /\bself\b/g;
  let m: RegExpExecArray | null;
  while ((m = self.exec(rule))) {
    const rest = /^\.([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_])(?!\s*\()/.exec(rule.slice(m.index + 4));
    if (!rest || rest[1].includes('__')) return undefined;
    fields.add(rest[1]);
  }
  // one array per set of fields: rules that read the same fields of a value share its key
  const list = [...fields].sort();
  const id = list.join('\u0000');
  if (!FIELD_SETS.has(id)) FIELD_SETS.set(id, list);
  return FIELD_SETS.get(id)!;
}

const FIELD_SETS = new Map<string, string[]>();

/** Object.hasOwn (ES2022, which the jsii build's library does not declare). */
function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The parts of a schema that lead to CEL rules, so that data is walked only where a rule lives. */
export interface RuleNode {
  readonly schema: any;
  readonly rules: CompiledRule[];
  readonly properties: Map<string, RuleNode>;
  readonly additional?: RuleNode;
  readonly items?: RuleNode;
}

const planCache = new Map<string, CompiledRule>();

/**
 * Rules parsed by the build (scripts/validators.ts, in each kind's precompiled validator module): parsing the
 * CEL of the Gateway API routes costs more than running it (150 ms for HTTPRoute's 89 rules), in every run of the
 * CLI. By rule text, the parsed expression as written by serializeParsed.
 */
const preparsed = new Map<string, string>();

/** Whether rules run natively where they can (see cel-native.ts); off for the tests that compare both. */
let NATIVE = true;

/** For the tests: run every rule with the CEL library (false) or natively where it can (true, the default). Forgets the outcomes kept. */
export function useNativeRules(on: boolean): void {
  NATIVE = on;
  memo.clear();
  memoStats.clear();
}

/** Adds rules parsed at build time (rule text -> serializeParsed text). */
export function registerParsedRules(rules: Record<string, string> | undefined): void {
  if (rules) for (const [rule, parsed] of Object.entries(rules)) preparsed.set(rule, parsed);
}

/** A parsed CEL expression (protobuf-es messages: plain objects, bigint ids, bytes, undefined fields) as JSON text. */
export function serializeParsed(parsed: unknown): string {
  return JSON.stringify(parsed, (_k, v) => {
    if (typeof v === 'bigint') return { $n: v.toString() };
    if (v instanceof Uint8Array) return { $b: Array.from(v) };
    if (v === undefined) return { $u: 1 };
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $d: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  });
}

/**
 * The parsed expression of serializeParsed's text, the same as the parser's (fields set to undefined included).
 * JSON.parse without a reviver, then one walk that puts the values JSON has no form for back in place, instead of a
 * reviver called back for every value of the text (issue 26: HTTPRoute's 48 distinct rules, 12.9 to 11.0 ms).
 */
export function reviveParsed(text: string): any {
  return revive(JSON.parse(text));
}

function revive(v: any): any {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = revive(v[i]);
    return v;
  }
  if ('$n' in v) return BigInt(v.$n);
  if ('$b' in v) return Uint8Array.from(v.$b);
  if ('$u' in v) return undefined;
  if ('$d' in v) return Number(v.$d);
  for (const k of Object.keys(v)) {
    const r = revive(v[k]);
    // (an own `__proto__` key, as JSON.parse makes it: kept a key, not made the prototype)
    if (k === '__proto__') Object.defineProperty(v, k, { value: r, enumerable: true, writable: true, configurable: true });
    else v[k] = r;
  }
  return v;
}

/** The parsed expression of every rule of a schema that can be parsed here (rule text -> serializeParsed), for the build. */
export function parseRules(schema: any): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (s: any) => {
    if (!s || typeof s !== 'object') return;
    for (const r of (s['x-kubernetes-validations'] ?? []) as any[]) {
      if (typeof r.rule !== 'string' || /\boldSelf\b/.test(r.rule) || r.rule in out) continue;
      try {
        out[r.rule] = serializeParsed(celLib().parse(r.rule));
      } catch {
        // reported when the rule is met: `cannot be parsed here`
      }
    }
    for (const v of Object.values(s.properties ?? {})) walk(v);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    walk(s.items);
  };
  walk(schema);
  return out;
}

function compileRule(rule: string, message: string | undefined): CompiledRule {
  const key = `${rule}\u0000${message ?? ''}`;
  const cached = planCache.get(key);
  if (cached) return cached;
  const transition = /\boldSelf\b/.test(rule);
  const msg = message ?? `failed rule: ${rule}`;
  let compiled: CompiledRule;
  if (transition) {
    compiled = { rule, message: msg, transition };
  } else {
    // parsed and planned when a value first reaches the rule: a schema has many rules on fields that
    // few manifests set, and `cdk8s-mesh validate` starts with none planned
    let planned: { run?: (self: unknown) => unknown; native?: (self: unknown) => boolean; notChecked?: string } | undefined;
    const plan = () => {
      if (planned) return planned;
      try {
        const text = preparsed.get(rule);
        const parsed = text !== undefined ? reviveParsed(text) : celLib().parse(rule);
        // the common shapes run as JavaScript (cel-native.ts), the library deciding every value they leave;
        // for them the library is loaded and the rule planned when a first value is left to it (every rule
        // compiled natively plans: test/analysis/cel-native.test.ts)
        const native = compileNative(parsed);
        let program: ((ctx: any) => unknown) | undefined = native ? undefined : celLib().plan(celEnvironment(), parsed);
        planned = {
          run: (self: unknown) => (program ??= celLib().plan(celEnvironment(), parsed))({ self }),
          native,
        };
      } catch (e) {
        planned = { notChecked: `cannot be parsed here: ${(e as Error).message}` };
      }
      return planned;
    };
    const fields = selfFields(rule);
    compiled = {
      rule,
      message: msg,
      transition,
      get run() { return plan().run; },
      get native() { return NATIVE ? plan().native : undefined; },
      get notChecked() { return plan().notChecked; },
      get fields() { return plan().run ? fields : undefined; },
    };
  }
  planCache.set(key, compiled);
  return compiled;
}

/** Builds the rule tree of a schema; undefined where no rule lives below. */
export function ruleTree(schema: any): RuleNode | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const rules = ((schema['x-kubernetes-validations'] ?? []) as any[])
    .filter(r => typeof r.rule === 'string')
    .map(r => compileRule(r.rule, r.message));
  const properties = new Map<string, RuleNode>();
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const child = ruleTree(v);
    if (child) properties.set(k, child);
  }
  const additional = typeof schema.additionalProperties === 'object' ? ruleTree(schema.additionalProperties) : undefined;
  const items = ruleTree(schema.items);
  if (!rules.length && !properties.size && !additional && !items) return undefined;
  return { schema, rules, properties, additional, items };
}

const memo = new Map<CompiledRule, Map<string, unknown>>();
const MEMO_LIMIT = 5000;

/**
 * Per rule: how often its outcome was looked up and found. A rule whose values differ every time (a
 * route's backends) gains nothing from the memo and pays for the key (the value as JSON): after
 * MEMO_TRIAL lookups with fewer than one in MEMO_MIN_HIT_RATE found, it is run without one.
 */
const memoStats = new Map<CompiledRule, { lookups: number; hits: number }>();
const MEMO_TRIAL = 200;
const MEMO_MIN_HIT_RATE = 4;

/** Whether the rule's outcomes are still worth remembering. */
function memoWorthIt(r: CompiledRule): boolean {
  const s = memoStats.get(r);
  return !s || s.lookups < MEMO_TRIAL || s.hits * MEMO_MIN_HIT_RATE >= s.lookups;
}

function runPlain(r: CompiledRule, self: unknown): unknown {
  try {
    return r.run!(self);
  } catch (e) {
    return e;
  }
}

/**
 * A value as a key: JSON, with CEL ints (bigint) as `5n` (strings are quoted, so neither can be taken
 * for the other) and NaN or infinities by name. Written out rather than `JSON.stringify` with a replacer,
 * which calls back into JavaScript for every value.
 */
function celKey(value: unknown): string {
  switch (typeof value) {
    case 'string': return JSON.stringify(value);
    case 'bigint': return `${value}n`;
    case 'number': return Number.isFinite(value) ? String(value) : `(${value})`;
    case 'boolean': return value ? 'true' : 'false';
    case 'undefined': return 'undefined';
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + celKey(value[i]);
        return out + ']';
      }
      if (value instanceof Map) {
        // (toCel's map of an object with a `constructor` key: `<` marks it, the outcome is the same as the object's)
        let out = '<';
        let first = true;
        for (const [k, v] of value) {
          out += (first ? '' : ',') + JSON.stringify(k) + ':' + celKey(v);
          first = false;
        }
        return out + '>';
      }
      if (typeof value === 'object') {
        let out = '{';
        let first = true;
        for (const k of Object.keys(value)) {
          out += (first ? '' : ',') + JSON.stringify(k) + ':' + celKey((value as any)[k]);
          first = false;
        }
        return out + '}';
      }
      return String(value);
  }
}

/**
 * Runs a rule, remembering the outcome for identical values: generated manifests repeat the same
 * sub-objects (matches, filters, timeouts) many times, and evaluating CEL is far dearer than a key.
 */
function runMemo(r: CompiledRule, self: unknown, key: string): unknown {
  let cache = memo.get(r);
  if (!cache) memo.set(r, cache = new Map());
  let stats = memoStats.get(r);
  if (!stats) memoStats.set(r, stats = { lookups: 0, hits: 0 });
  stats.lookups++;
  if (cache.has(key)) {
    stats.hits++;
    return cache.get(key);
  }
  const result = runPlain(r, self);
  if (cache.size >= MEMO_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

/** A CEL outcome at a path. */
export interface CelIssue {
  readonly code: string;
  readonly path: (string | number)[];
  readonly message: string;
  readonly rule: string;
}

/**
 * The schema of a field of an object: its own entry in `properties` (not one Object.prototype lends a key
 * such as `constructor` or `__proto__`), else `additionalProperties`.
 */
export function fieldSchema(schema: any, key: string): any {
  const properties = schema?.properties;
  if (properties && hasOwn(properties, key)) return properties[key];
  return typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/**
 * Converts a value to CEL's types using the schema: integers become CEL ints. A key is a key whatever its name,
 * as in Go: a `__proto__` key is an own property of the copy (not its prototype), and an object with a
 * `constructor` key becomes a JavaScript Map (@bufbuild/cel takes a plain object for a map by its
 * `constructor.name`, which such a key hides: value.js toCel).
 */
export function toCel(value: any, schema: any): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') {
    const integral = schema?.type === 'integer' || (schema?.['x-kubernetes-int-or-string'] && Number.isInteger(value));
    return integral && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map(v => toCel(v, schema?.items));
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (hasOwn(value, 'constructor')) return new Map(keys.map(k => [k, toCel(value[k], fieldSchema(schema, k))]));
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = toCel(value[k], fieldSchema(schema, k));
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
  return value;
}

function typeMatches(value: unknown, schema: any): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string';
  switch (schema.type) {
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
    case 'number': return typeof value === 'number' || typeof value === 'bigint';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

const UNSUPPORTED = /no such overload|unknown function|no matching overload|unsupported|not implemented|undeclared reference/i;

/**
 * Evaluates every CEL rule that applies to `value`, walking only where rules live. `value` is the plain
 * document, converted with `toCel` at the first node with rules (its subtree, once), or already converted
 * (`converted`): the parts of a document where no rule lives are not converted at all.
 */
export function evaluateRules(value: unknown, node: RuleNode | undefined, p: (string | number)[], out: CelIssue[], converted = false): void {
  evaluateAt(value, node, p.length ? { parent: undefined, key: p } : undefined, out, converted);
}

function evaluateAt(value: unknown, node: RuleNode | undefined, link: PathLink | undefined, out: CelIssue[], converted: boolean): void {
  if (!node || value === undefined || value === null) return;
  // a value of the wrong type was reported by the structural check; the API server does not run rules on it
  if (!typeMatches(value, node.schema)) return;
  if (node.rules.length) {
    if (!converted) {
      value = toCel(value, node.schema);
      converted = true;
    }
    const self = value;
    let whole: string | undefined; // once per value, for all the rules that read it whole
    const byFields = node.rules.length > 1 ? new Map<string[], string>() : undefined; // and per set of fields read
    // (a Map, toCel's object with a `constructor` key, is keyed whole)
    const isMap = typeof self === 'object' && !Array.isArray(self) && !(self instanceof Map);
    for (const r of node.rules) {
      if (r.transition) {
        out.push({ code: ValidationCodes.CEL_TRANSITION, path: pathOf(link), message: `transition rule not checked (it compares with the stored object, so it applies only to updates): ${r.message}`, rule: r.rule });
        continue;
      }
      if (!r.run) {
        out.push({ code: ValidationCodes.CEL_NOT_CHECKED, path: pathOf(link), message: `rule not checked (${r.notChecked}): ${r.message}`, rule: r.rule });
        continue;
      }
      let result: unknown = BAIL;
      // run natively first: cheaper than the key of the memo; the memo and the library for the values left
      const native = r.native;
      if (native) {
        try {
          result = native(self);
        } catch (e) {
          if (e !== BAIL) throw e;
        }
      }
      if (result === BAIL && memoWorthIt(r)) {
        const fields = r.fields;
        let key: string;
        if (fields && isMap) {
          const known = byFields?.get(fields);
          if (known !== undefined) {
            key = known;
          } else {
            key = '.';
            for (let i = 0; i < fields.length; i++) {
              key += (i ? '\u0000' : '') + (Object.prototype.hasOwnProperty.call(self, fields[i]) ? celKey((self as any)[fields[i]]) : '-');
            }
            byFields?.set(fields, key);
          }
        } else {
          key = whole ??= celKey(self);
        }
        result = runMemo(r, self, key);
      } else if (result === BAIL) {
        result = runPlain(r, self);
      }
      if (result === true) continue;
      if (result === false) {
        const got = typeof value === 'object' ? '' : ` (got ${typeof value === 'bigint' ? String(value) : JSON.stringify(value)})`;
        out.push({ code: ValidationCodes.CEL_FAILED, path: pathOf(link), message: `${r.message}${got}`, rule: r.rule });
      } else {
        const text = celLib().isCelError(result) ? result.message : result instanceof Error ? result.message : `rule returned ${String(result)}`;
        if (UNSUPPORTED.test(text)) {
          out.push({ code: ValidationCodes.CEL_NOT_CHECKED, path: pathOf(link), message: `rule not checked (this validator cannot run it: ${text}): ${r.message}`, rule: r.rule });
        } else {
          out.push({ code: ValidationCodes.CEL_ERROR, path: pathOf(link), message: `${r.message} (the rule could not accept this value: ${text})`, rule: r.rule });
        }
      }
    }
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (items) {
      for (let i = 0; i < value.length; i++) {
        if (i in value) evaluateAt(value[i], items, { parent: link, key: i }, out, converted); // (forEach skipped holes)
      }
    }
    return;
  }
  if (typeof value === 'object') {
    // the keys in the value's order, as Object.entries gives them, without its pairs; none to visit when no
    // rule lives below (a node with rules only)
    const properties = node.properties;
    const additional = node.additional;
    if (!properties.size && !additional) return;
    const declared = additional ? node.schema.properties : undefined;
    if (value instanceof Map) {
      // toCel's map of an object with a `constructor` key
      for (const [k, v] of value) {
        const child = properties.get(k) ?? (additional && !(declared && hasOwn(declared, k)) ? additional : undefined);
        if (child) evaluateAt(v, child, { parent: link, key: k }, out, converted);
      }
      return;
    }
    const keys = Object.keys(value as object);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      // a key of `properties` by its own entries: `constructor` is not declared because Object.prototype has it
      const child = properties.get(k) ?? (additional && !(declared && hasOwn(declared, k)) ? additional : undefined);
      if (child) evaluateAt((value as any)[k], child, { parent: link, key: k }, out, converted);
    }
  }
}
