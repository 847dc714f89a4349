/**
 * CEL rules run as JavaScript closures, for the common shapes of CRD rules (has(), size(), comparisons of
 * ints, strings and durations, `in` a list, startsWith / endsWith / contains, all / exists / exists_one and other
 * comprehensions over lists and maps, the strings extension's split), on the values of `toCel` (strings, bigint ints, booleans, arrays,
 * plain objects).
 *
 * A closure only decides the values it is sure of: anything else (a missing field, a null, a double, a type
 * it does not know, an int overflow, an error that CEL's && / || / all() could absorb) throws BAIL, and the
 * rule is run by @bufbuild/cel as before. So a rule's outcome is the library's whenever it is not a plain
 * true or false computed the way CEL defines it (test/analysis/cel-native.test.ts runs both on every rule
 * of the pinned schemas, on generated values). A rule with any other construct is not compiled at all.
 */

/** Thrown by a compiled rule for a value it does not decide: the CEL library runs the rule instead. */
export const BAIL: unique symbol = Symbol('cel-native: not decided');

type Env = Record<string, unknown>;
type Fn = (env: Env) => unknown;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function bail(): never {
  throw BAIL;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

function bool(v: unknown): boolean {
  return typeof v === 'boolean' ? v : bail();
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : bail();
}

function int(v: unknown): bigint {
  if (typeof v !== 'bigint' || v < INT64_MIN || v > INT64_MAX) bail();
  return v;
}

/** A CEL duration, in nanoseconds. */
class Duration {
  constructor(readonly nanos: bigint) {}
}

const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };

/**
 * CEL duration(string) for durations written as whole numbers of units without a sign (`5s`, `1h30m`, `100ms`), read
 * as @bufbuild/cel's parseDuration reads them (the units tried in its order: `ms` before `m`); anything else (a
 * fraction, a sign, `µs`, a bare 0, an error) is left to the library.
 */
function duration(v: unknown): Duration {
  const text = str(v);
  if (!text || text.length > 64) bail();
  const part = /(\d{1,12})(ns|us|ms|s|m|h)/y;
  let nanos = 0n;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) bail();
    nanos += BigInt(m[1]) * DURATION_UNITS[m[2]];
    at = part.lastIndex;
  }
  return nanos > INT64_MAX ? bail() : new Duration(nanos);
}

/** Compares two ints or two durations. */
function compare(a: unknown, b: unknown): number {
  if (a instanceof Duration && b instanceof Duration) return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
  const x = int(a);
  const y = int(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** CEL `==` on the values decided here: two strings, two ints, two booleans or two durations. */
function equal(a: unknown, b: unknown): boolean {
  if (a instanceof Duration && b instanceof Duration) return a.nanos === b.nanos;
  const t = typeof a;
  if ((t === 'string' || t === 'bigint' || t === 'boolean') && typeof b === t) return a === b;
  return bail();
}

/** CEL size(): code points of a string, elements of a list, entries of a map. */
function size(v: unknown): bigint {
  if (typeof v === 'string') {
    // eslint-disable-next-line no-control-regex
    return BigInt(/^[\u0000-\u007f]*$/.test(v) ? v.length : [...v].length);
  }
  if (Array.isArray(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  return bail();
}

function field(v: unknown, name: string): unknown {
  if (!isMap(v) || !Object.prototype.hasOwnProperty.call(v, name)) bail();
  const x = (v as any)[name];
  return x === null || x === undefined ? bail() : x;
}

/** Compiles a parsed expression (`ParsedExpr` of @bufbuild/cel) to a closure, or undefined when it has a construct not handled here. */
export function compileNative(parsed: any): ((self: unknown) => boolean) | undefined {
  let fn: Fn | undefined;
  try {
    fn = expr(parsed?.expr);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
  const body = fn;
  return (self: unknown) => bool(body({ self }));
}

const UNSUPPORTED = new Error('cel-native: unsupported');

function unsupported(): never {
  throw UNSUPPORTED;
}

function expr(e: any): Fn {
  const kind = e?.exprKind?.case;
  const v = e?.exprKind?.value;
  switch (kind) {
    case 'constExpr': {
      const c = v.constantKind;
      if (c?.case === 'stringValue' || c?.case === 'boolValue') return () => c.value;
      if (c?.case === 'int64Value') {
        const n = BigInt(c.value);
        return () => n;
      }
      return unsupported();
    }
    case 'identExpr': {
      const name: string = v.name;
      return env => (Object.prototype.hasOwnProperty.call(env, name) ? env[name] : bail());
    }
    case 'selectExpr': {
      const operand = expr(v.operand);
      const name: string = v.field;
      if (v.testOnly) {
        return env => {
          const o = operand(env);
          if (!isMap(o)) bail();
          if (!Object.prototype.hasOwnProperty.call(o, name)) return false;
          const x = o[name];
          return x === null || x === undefined ? bail() : true;
        };
      }
      return env => field(operand(env), name);
    }
    case 'listExpr': {
      if (v.optionalIndices?.length) return unsupported();
      const items: Fn[] = (v.elements ?? []).map(expr);
      return env => items.map(f => f(env));
    }
    case 'structExpr': {
      // the empty map literal `{}` (a default for a map read with has())
      if (v.messageName || v.entries?.length) return unsupported();
      return () => ({});
    }
    case 'comprehensionExpr': return comprehension(v);
    case 'callExpr': return call(v);
    default: return unsupported();
  }
}

function comprehension(v: any): Fn {
  if (v.iterVar2) return unsupported();
  const range = expr(v.iterRange);
  const init = expr(v.accuInit);
  const cond = expr(v.loopCondition);
  const step = expr(v.loopStep);
  const result = expr(v.result);
  const iterVar: string = v.iterVar;
  const accuVar: string = v.accuVar;
  return env => {
    const r = range(env);
    const elements = Array.isArray(r) ? r : isMap(r) ? Object.keys(r) : bail();
    const inner: Env = { ...env };
    inner[accuVar] = init(inner);
    for (const x of elements) {
      inner[iterVar] = x;
      if (!bool(cond(inner))) break;
      inner[accuVar] = step(inner);
    }
    delete inner[iterVar];
    return result(inner);
  };
}

function call(v: any): Fn {
  const name: string = v.function;
  const args: Fn[] = (v.args ?? []).map(expr);
  const target: Fn | undefined = v.target ? expr(v.target) : undefined;
  const [a, b, c] = args;
  if (target) {
    if (args.length === 0 && name === 'size') return env => size(target(env));
    if (args.length !== 1) return unsupported();
    switch (name) {
      case 'startsWith': return env => str(target(env)).startsWith(str(a(env)));
      case 'endsWith': return env => str(target(env)).endsWith(str(a(env)));
      case 'contains': return env => str(target(env)).includes(str(a(env)));
      // the strings extension's split(separator) (@bufbuild/cel/ext strings.js: `celList(this.split(sep))`, the
      // same JavaScript split; the Gateway API's label-key rule `key.split("/")[0].size() < 253`)
      case 'split': return env => str(target(env)).split(str(a(env)));
      case 'matches': {
        // @bufbuild/cel's matches() (std/logic.js): RE2JS.compile(pattern).test(this); a constant pattern is
        // compiled once, and one that does not compile is the library's error
        const pattern = v.args[0]?.exprKind?.case === 'constExpr' && v.args[0].exprKind.value.constantKind?.case === 'stringValue'
          ? v.args[0].exprKind.value.constantKind.value as string : undefined;
        if (pattern === undefined) return unsupported();
        // a pattern of the plain subset (the Gateway API's paths and hostnames) runs as a JavaScript RegExp,
        // which decides it as RE2 does (nativePattern); others load @bufbuild/re2 as the library does
        const native = nativePattern(pattern);
        let re: { test: (s: string) => boolean } | null | undefined;
        return env => {
          const text = str(target(env));
          if (native) {
            // V8's backtracking overflows its stack on a repeated group over a text of millions of characters
            // (RangeError), where RE2 does not: such a text goes to RE2
            try {
              return native.test(text);
            } catch (e) {
              if (!(e instanceof RangeError)) throw e;
            }
          }
          if (re === undefined) {
            try {
              // eslint-disable-next-line @typescript-eslint/no-require-imports
              re = (require('@bufbuild/re2') as typeof import('@bufbuild/re2')).RE2JS.compile(pattern);
            } catch {
              re = null;
            }
          }
          return re ? re.test(text) : bail();
        };
      }
      default: return unsupported();
    }
  }
  switch (`${name}/${args.length}`) {
    case '_&&_/2': return env => bool(a(env)) && bool(b(env));
    case '_||_/2': return env => bool(a(env)) || bool(b(env));
    case '!_/1': return env => !bool(a(env));
    case '@not_strictly_false/1': return env => bool(a(env));
    case '_?_:_/3': return env => (bool(a(env)) ? b(env) : c(env));
    case '_==_/2': return env => equal(a(env), b(env));
    case '_!=_/2': return env => !equal(a(env), b(env));
    case '_<_/2': return env => compare(a(env), b(env)) < 0;
    case '_<=_/2': return env => compare(a(env), b(env)) <= 0;
    case '_>_/2': return env => compare(a(env), b(env)) > 0;
    case '_>=_/2': return env => compare(a(env), b(env)) >= 0;
    case 'duration/1': return env => duration(a(env));
    case '_+_/2': return env => {
      const x = a(env);
      const y = b(env);
      // two lists (the filter() macro's accumulator), else two ints
      if (Array.isArray(x) && Array.isArray(y)) return [...x, ...y];
      return int(int(x) + int(y));
    };
    case '_-_/2': return env => int(int(a(env)) - int(b(env)));
    case 'size/1': return env => size(a(env));
    case '@in/2': return env => {
      const x = a(env);
      const list = b(env);
      if (typeof x !== 'string' || !Array.isArray(list)) bail();
      let found = false;
      for (const y of list) {
        if (typeof y !== 'string') bail();
        if (y === x) found = true;
      }
      return found;
    };
    case '_[_]/2': return env => {
      const o = a(env);
      const k = b(env);
      if (Array.isArray(o)) {
        const i = int(k);
        if (i < 0n || i >= BigInt(o.length)) bail();
        const x = o[Number(i)];
        return x === null || x === undefined ? bail() : x;
      }
      return field(o, str(k));
    };
    default: return unsupported();
  }
}

/** Characters that stand for themselves in RE2 and in a JavaScript `u` RegExp, outside a class. */
const PLAIN_CHAR = /[A-Za-z0-9\-_/:@!,;=&%~'"<># ]/;
/** What may follow a backslash: the syntax characters, an identity escape in both RE2 and a `u` RegExp. */
const SYNTAX_CHAR = /[\^$\\.*+?()[\]{}|/]/;
/** The largest count of a counted repetition compiled here (RE2 refuses counts over 1000). */
const MAX_COUNT = 100;
/**
 * The largest product of nested counts (`(a{10}){100}`): Go's regexp/syntax refuses a pattern over it
 * (parse.go, repeatIsValid: ErrInvalidRepeatSize), so the API server would not have accepted the CRD.
 */
const MAX_REPEAT = 1000;
/** A hexadecimal escape of an ASCII character, `\x60`: the same character in RE2 and in a `u` RegExp. */
const HEX_ESCAPE = /x[0-7][0-9A-Fa-f]/y;

/** Whether `\x` at `i` (the index of the backslash) is a hexadecimal escape of an ASCII character. */
function hexEscapeAt(pattern: string, i: number): boolean {
  HEX_ESCAPE.lastIndex = i + 1;
  return HEX_ESCAPE.test(pattern);
}

/**
 * A JavaScript RegExp (flag `u`) that decides `test` exactly as RE2 (@bufbuild/re2's RE2JS.compile(pattern).test,
 * which @bufbuild/cel's matches() runs, and Go's regexp, which the API server runs for a schema's `pattern`) does,
 * for the patterns of a plain subset: ASCII literals, escaped syntax characters and `\xHH` escapes of ASCII
 * characters, `^` and `$` (without flags both mean the ends of the text in both engines), groups `(...)` and
 * `(?:...)`, `|`, `*` `+` `?` (greedy or lazy: the same yes or no) after an atom or a group, `{n}` `{n,}` `{n,m}` up
 * to MAX_COUNT after a literal, a class or a group (nested counts multiplying to MAX_REPEAT at most), and classes of
 * ASCII literals and ranges without negation. Such a pattern matches ASCII characters only, so code points and
 * UTF-16 units do not differ; without backreferences, lookarounds or possessive quantifiers, a backtracking
 * engine's yes or no is the automaton's. Undefined for anything else (`.`, `\s`, `\d`, `[^...]`, `(?i)`...): RE2
 * runs it. test/analysis/cel-native.test.ts compares both engines on generated patterns and texts.
 */
export function nativePattern(pattern: string): RegExp | undefined {
  let i = 0;
  let depth = 0;
  // what the previous token was: an atom a quantifier may follow ('group' for a closing parenthesis), a
  // quantifier (a lazy `?` may follow once), or nothing (start, `(`, `|`, `^`, `$`)
  let prev: 'atom' | 'group' | 'quantifier' | 'lazy' | 'none' = 'none';
  // the product of the counts around and inside each open group: `weights[d]` the largest product of counts
  // inside the group at depth d so far; `last` the largest inside the group just closed
  const weights: number[] = [1];
  let last = 1;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === 'x' && hexEscapeAt(pattern, i)) {
        i += 4;
      } else if (next === undefined || !SYNTAX_CHAR.test(next)) {
        return undefined;
      } else {
        i += 2;
      }
      prev = 'atom';
    } else if (ch === '[') {
      const end = classEnd(pattern, i + 1);
      if (end === undefined) return undefined;
      i = end + 1;
      prev = 'atom';
    } else if (ch === '(') {
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] !== ':') return undefined;
        i += 3;
      } else {
        i++;
      }
      depth++;
      weights[depth] = 1;
      prev = 'none';
    } else if (ch === ')') {
      if (depth === 0) return undefined;
      last = weights[depth];
      depth--;
      weights[depth] = Math.max(weights[depth], last);
      i++;
      prev = 'group';
    } else if (ch === '|' || ch === '^' || ch === '$') {
      i++;
      prev = 'none';
    } else if (ch === '*' || ch === '+' || ch === '?') {
      if (ch === '?' && prev === 'quantifier') {
        prev = 'lazy';
      } else if (prev === 'atom' || prev === 'group') {
        prev = 'quantifier';
      } else {
        return undefined;
      }
      i++;
    } else if (ch === '{') {
      if (prev !== 'atom' && prev !== 'group') return undefined;
      const m = /\{(\d{1,3})(,(\d{1,3})?)?\}/y;
      m.lastIndex = i;
      const r = m.exec(pattern);
      if (!r) return undefined;
      const min = Number(r[1]);
      const max = r[3] === undefined ? (r[2] ? MAX_COUNT : min) : Number(r[3]);
      if (min > MAX_COUNT || max > MAX_COUNT || min > max) return undefined;
      // Go weighs `{n,}` as n and `{n,m}` as m; counted here as MAX_COUNT and m (no fewer)
      const weight = max * (prev === 'group' ? last : 1);
      if (weight > MAX_REPEAT) return undefined;
      weights[depth] = Math.max(weights[depth], weight);
      i = m.lastIndex;
      prev = 'quantifier';
    } else if (PLAIN_CHAR.test(ch)) {
      i++;
      prev = 'atom';
    } else {
      return undefined;
    }
  }
  if (depth !== 0) return undefined;
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/** The index of the `]` closing a class that starts at `start` (after its `[`), if the class is of the plain subset. */
function classEnd(pattern: string, start: number): number | undefined {
  // ASCII literals, escaped syntax characters and ranges of letters or digits; `-` first or last; no negation
  const items: string[] = [];
  let i = start;
  if (pattern[i] === '^' || pattern[i] === ']') return undefined;
  while (i < pattern.length && pattern[i] !== ']') {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === 'x' && hexEscapeAt(pattern, i)) {
        // (an escape is no range's end: the range check below takes letters and digits only)
        items.push(pattern.slice(i, i + 4));
        i += 4;
        continue;
      }
      if (next === undefined || !(SYNTAX_CHAR.test(next) || next === '-')) return undefined;
      items.push('\\' + next);
      i += 2;
    } else if (ch === '[') {
      return undefined;
    } else if (ch === '-') {
      items.push('-');
      i++;
    } else if (PLAIN_CHAR.test(ch) || ch === '.' || ch === '*' || ch === '+' || ch === '?' || ch === '(' || ch === ')' || ch === '$' || ch === '|' || ch === '{' || ch === '}' || ch === '^') {
      items.push(ch);
      i++;
    } else {
      return undefined;
    }
  }
  if (i >= pattern.length || items.length === 0) return undefined;
  // a '-' is a range between two letters or digits of one kind (its ends in no other range), or a literal first or last
  for (let k = 0; k < items.length;) {
    if (items[k + 1] === '-' && k + 2 < items.length) {
      const lo = items[k];
      const hi = items[k + 2];
      const sameKind = (/^[a-z]$/.test(lo) && /^[a-z]$/.test(hi)) || (/^[A-Z]$/.test(lo) && /^[A-Z]$/.test(hi)) || (/^[0-9]$/.test(lo) && /^[0-9]$/.test(hi));
      if (!sameKind || lo > hi) return undefined;
      k += 3;
    } else if (items[k] === '-' && k !== 0 && k !== items.length - 1) {
      return undefined;
    } else {
      k++;
    }
  }
  return i;
}
