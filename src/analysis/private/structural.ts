import * as fs from 'fs';
import * as path from 'path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { fieldSchema } from './cel';
import { nativePattern } from './cel-native';
import { ValidationCodes } from '../findings';
import { formatPath, PathLink, pathOf } from './path';
import { nodeNet } from '../../private/node-net';

/** A pinned schema as written by scripts/import-crds.ts. */
export interface PinnedSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: string;
  readonly schema: any;
}

/** A problem found by the structural (OpenAPI) schema. */
export interface StructuralIssue {
  readonly code: string;
  readonly path: (string | number)[];
  readonly message: string;
}

const SCHEMAS_DIR = findSchemasDir();

function findSchemasDir(): string {
  // src/analysis/private (ts) and lib/analysis/private (js) are both three levels below the package root
  const dir = path.resolve(__dirname, '..', '..', '..', 'schemas');
  return dir;
}

let index: Record<string, { file: string; module: string; celRules: number }> | undefined;

function loadIndex() {
  if (!index) {
    index = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'index.json'), 'utf8'));
  }
  return index!;
}

/** `apiVersion/kind` of every kind with a pinned schema, sorted. */
export function pinnedKinds(): string[] {
  return Object.keys(loadIndex()).sort();
}

const schemaCache = new Map<string, PinnedSchema | undefined>();
/** The SHA-256 of each pinned schema file read, to check that its precompiled validator was made from it. */
const schemaHashes = new Map<string, string>();

/** The pinned schema of an apiVersion and kind, if we have one. */
export function pinnedSchema(apiVersion: string, kind: string): PinnedSchema | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!schemaCache.has(key)) {
    const entry = loadIndex()[key];
    const text = entry ? fs.readFileSync(path.join(SCHEMAS_DIR, entry.file), 'utf8') : undefined;
    if (text !== undefined) schemaHashes.set(key, schemaHash(text));
    schemaCache.set(key, text !== undefined ? JSON.parse(text) : undefined);
  }
  return schemaCache.get(key);
}

/** The hash a precompiled validator embeds: SHA-256 (hex) of the text of the pinned schema file it was made from. */
export function schemaHash(text: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('crypto') as typeof import('crypto')).createHash('sha256').update(text).digest('hex');
}

// in a module of its own: the analyzer formats paths without loading the validator (lint's start-up)
export { formatPath };

/** The folder of the precompiled validators (written by the build: scripts/validators.ts), beside schemas/. */
export const VALIDATORS_DIR = path.resolve(__dirname, '..', '..', '..', 'validators');

/** The file of the precompiled validator of a pinned schema file (`istio/...VirtualService.json` -> `.js`). */
export function validatorFile(schemaFile: string): string {
  return schemaFile.replace(/\.json$/, '.js');
}

/** The schema files of the pinned kinds, by `apiVersion/kind`. */
export function pinnedSchemaFiles(): Record<string, string> {
  return Object.fromEntries(Object.entries(loadIndex()).map(([k, e]) => [k, e.file]));
}

/** The versions we have schemas for, for a group and kind (to suggest the right apiVersion). */
export function pinnedVersionsOf(group: string, kind: string): string[] {
  // once per group and kind: asked for every object of a kind without a schema (each Service of a file)
  const key = `${group}/${kind}`;
  let versions = pinnedVersions.get(key);
  if (!versions) {
    versions = pinnedKinds().filter(k => k.startsWith(`${group}/`) && k.endsWith(`/${kind}`)).map(k => k.slice(0, k.length - kind.length - 1));
    pinnedVersions.set(key, versions);
  }
  return [...versions];
}

const pinnedVersions = new Map<string, string[]>();

/** Object.hasOwn (ES2022, which the jsii build's library does not declare). */
function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * CRD patterns are Go (RE2) regular expressions, which the API server runs (k8s.io/kube-openapi
 * pkg/validation/validate: `regexp.MustCompile(pattern).MatchString`). A JavaScript RegExp runs a pattern only when
 * it is of the plain subset that both engines decide alike (nativePattern, the one of CEL's `matches()`: ASCII
 * literals, classes without negation, groups, `|`, quantifiers, `^` `$`); the others (`.`, `\s`, `(?i)`...: JavaScript
 * reads `.` and `\s` otherwise on `\r` or U+2028, and `(?i)` not at all) run on RE2, loaded when a first value
 * reaches one of them (a validator is made for every kind present, and @bufbuild/re2 costs ~15 ms to load).
 * Every pinned pattern compiles in RE2 (test/analysis/structural-patterns.test.ts).
 */
export function re2Aware(pattern: string, flags: string): { test: (s: string) => boolean; toString: () => string } {
  let re: { test: (s: string) => boolean } | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const re2 = (s: string) => (re ??= (require('@bufbuild/re2') as typeof import('@bufbuild/re2')).RE2JS.compile(pattern)).test(s);
  // ajv asks for flag `u` (its unicodeRegExp default), the flag nativePattern's RegExp has; ajv keeps one
  // compiled pattern per `toString()` (code/index.ts usePattern), which is a RegExp's text
  const native = flags === 'u' ? nativePattern(pattern) : undefined;
  const toString = () => `/${pattern}/${flags}`;
  if (!native) return { test: re2, toString };
  return {
    toString,
    test: (s: string) => {
      // V8's backtracking overflows its stack on a repeated group over a text of millions of characters
      // (RangeError), where RE2 does not: such a text goes to RE2 (as in cel-native.ts)
      try {
        return native.test(s);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        return re2(s);
      }
    },
  };
}
re2Aware.code = 'RegExp';

/**
 * The formats the Kubernetes API server checks; the numeric ones are informational there. Flagger's CRD marks
 * fields `format: string` and `format: url`, formats the API server does not know and so ignores.
 */
export const FORMATS: Record<string, true | RegExp | ((s: string) => boolean)> = {
  'int32': true,
  'int64': true,
  'double': true,
  'float': true,
  'string': true,
  'url': true,
  'date-time': RFC3339,
  'duration': GO_DURATION,
  'byte': BASE64,
  'ipv4': (s: string) => nodeNet().isIPv4(s),
  'ipv6': (s: string) => nodeNet().isIPv6(s),
};

/**
 * The ajv instance the validators are made with. `standalone`: for the build's precompiled validators
 * (scripts/validators.ts): the code refers to the formats and the RE2-aware pattern engine by the names
 * `formats` and `re2Aware`, given to the module when it is loaded. `verbose`: for the tests, which compare the values
 * and schemas errorDetails finds with the ones ajv's verbose errors hold.
 */
export function newAjv(standalone = false, verbose = false): Ajv {
  // loaded when a first schema is compiled, not at start-up (`cdk8s-mesh lint` never needs it)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ajvModule = require('ajv') as typeof import('ajv');
  const regExp: any = standalone ? Object.assign((p: string, f: string) => re2Aware(p, f), { code: 're2Aware' }) : re2Aware;
  const ajv = new ajvModule.default({
    strict: false,
    allErrors: true,
    useDefaults: true,
    validateSchema: false,
    messages: true,
    // no `verbose`: an error's value and schema are looked up from its two paths when it is described
    // (errorDetails), so the generated code does not hold them at every error site (a third of its size:
    // V8 compiles each validator when it first runs, in every process)
    verbose,
    // each shared subschema (ajvSchema's $defs) compiled once, as a function of its own, not copied at every $ref
    inlineRefs: false,
    // ajv's optimisation pass costs more at run-time compilation (once per kind, in every run of the CLI) than it
    // saves in validation; the precompiled validators (scripts/validators.ts) are optimised once, at build time
    code: standalone ? { regExp, source: true, formats: ajvModule._`formats`, optimize: 3 } : { regExp, optimize: false },
  });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format as any);
  return ajv;
}

/** The JSON Schema ajv applies to a pinned schema (see toJsonSchema). */
export function ajvSchema(pinned: PinnedSchema): any {
  const schema = toJsonSchema(pinned.schema);
  // every object has apiVersion, kind and metadata, whether or not the CRD lists them; metadata is
  // checked by the API server's own rules (see the metadata checks), not by the CRD schema
  schema.properties = { ...schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
  return shareSubschemas(schema);
}

/** The size (characters of JSON) from which a subschema written more than once is shared: below it a call costs more than a copy. */
const SHARED_MIN = 300;

/**
 * The schema with each subschema that it holds more than once (the same JSON) written once, in `$defs`, and
 * `{ $ref: '#/$defs/sN' }` in its places. CRDs repeat whole structures (DestinationRule's trafficPolicy at the
 * top and in every subset, the Gateway API's filters in rules and in backendRefs): with ajv's code for each copy
 * a validator was up to 3.6 times the size, which V8 parses and compiles in every process (issue 26).
 * Only where a value's structure is (properties, additionalProperties, items; not in anyOf/oneOf/allOf/not, whose
 * errors are matched to their branches by schema path), and never a subschema with a `default` (ajv applies a
 * property's default from the property's own schema, which a $ref hides). An error inside a shared subschema has a
 * schema path from it (`#/properties/...`): rootSchemaPaths makes it a path from the root.
 */
export function shareSubschemas(schema: any): any {
  const text = new Map<object, string>();
  const count = new Map<string, number>();
  const shareable = (s: any) => s !== null && typeof s === 'object' && !Array.isArray(s) && !('default' in s);
  // JSON.stringify's text of each node, made from its children's (one stringify per node would cost the schema's size
  // times its depth)
  const json = (v: any): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    let t = text.get(v);
    if (t === undefined) {
      t = Array.isArray(v) ? `[${v.map(json).join(',')}]` : `{${Object.keys(v).map(k => `${JSON.stringify(k)}:${json(v[k])}`).join(',')}}`;
      text.set(v, t);
    }
    return t;
  };
  const walk = (s: any, structural: boolean): void => {
    if (s === null || typeof s !== 'object') return;
    const t = json(s);
    if (structural && shareable(s) && t.length >= SHARED_MIN) count.set(t, (count.get(t) ?? 0) + 1);
    for (const v of Object.values(s.properties ?? {})) walk(v, true);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, true);
    walk(s.items, true);
  };
  walk(schema, false);
  const defs: Record<string, any> = {};
  const names = new Map<string, string>();
  const place = (s: any): any => {
    if (s === null || typeof s !== 'object') return s;
    const t = text.get(s)!;
    if ((count.get(t) ?? 0) < 2) return rewrite(s);
    let name = names.get(t);
    if (name === undefined) {
      names.set(t, name = `s${names.size}`);
      defs[name] = rewrite(s);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const rewrite = (s: any): any => {
    const out = { ...s };
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, place(v)]));
    if (typeof s.additionalProperties === 'object') out.additionalProperties = place(s.additionalProperties);
    if (s.items) out.items = place(s.items);
    return out;
  };
  const root = rewrite(schema);
  if (names.size) root.$defs = defs;
  return root;
}

/**
 * ajv's errors with schema paths from the root schema. An error in a subschema that ajv compiled as a function of its
 * own (a `$ref` to shareSubschemas' `$defs`) has a path from that subschema (one that ajv copied in place has the
 * `$ref`'s own path, from the root: kept). The function's value is the error's, less the fields and items that the
 * error's schema path goes down by (`properties/name`, and `additionalProperties` or `items` not as the failed keyword,
 * in value validations too: `anyOf/0/properties/a/required` is an error at `a` of the function's value); its subschema
 * is the one of the deepest `$ref` on the way to that value from the root (a field's schema found as ajv applies
 * `properties` and `additionalProperties`, an item's from `items`: the places where shareSubschemas writes a $ref).
 */
export function rootSchemaPaths(errors: ErrorObject[], obj: any, root: any): ErrorObject[] {
  if (!root.$defs) return errors;
  return errors.map(e => {
    if (e.schemaPath.startsWith('#/$defs/')) return e;
    const segs = e.schemaPath.split('/').slice(1);
    let down = 0;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (seg === 'properties') {
        down++;
        i++; // the field's name
      } else if ((seg === 'additionalProperties' || seg === 'items') && i < segs.length - 1) {
        down++;
      } else if (seg === 'anyOf' || seg === 'oneOf' || seg === 'allOf') {
        i++; // the branch's index
      }
    }
    const instance = e.instancePath ? e.instancePath.slice(1).split('/') : [];
    let base: string | undefined;
    let schema = root;
    let data = obj;
    const follow = () => {
      const ref = schema?.$ref;
      if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
        base = ref;
        schema = root.$defs[ref.slice('#/$defs/'.length)];
      }
    };
    follow();
    for (let i = 0; i < instance.length - down; i++) {
      const seg = unescapeSegment(instance[i]);
      if (schema === null || typeof schema !== 'object' || data === null || typeof data !== 'object') break;
      schema = Array.isArray(data) ? schema.items : fieldSchema(schema, seg);
      data = ownAt(data, seg);
      follow();
    }
    return base === undefined ? e : { ...e, schemaPath: base + e.schemaPath.slice(1) };
  });
}

const SIMPLE_KEYS = ['enum', 'pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'minProperties', 'maxProperties', 'uniqueItems', 'required', 'format', 'multipleOf', 'default'];

/**
 * Turns a Kubernetes structural schema into a JSON Schema that ajv applies as the API server would:
 * nullable, int-or-string, OpenAPI 3.0 exclusive bounds, and unknown fields reported unless
 * x-kubernetes-preserve-unknown-fields is set.
 */
export function toJsonSchema(s: any, structural: boolean = true): any {
  if (s === null || typeof s !== 'object') return s;
  const out: any = {};
  for (const key of SIMPLE_KEYS) if (key in s) out[key] = s[key];
  if (s['x-kubernetes-int-or-string']) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    out['x-int-or-string'] = true;
  } else if (s.type) {
    out.type = s.nullable ? [s.type, 'null'] : s.type;
    if (s.nullable && out.enum) out.enum = [...out.enum, null];
  }
  if (s.exclusiveMinimum === true && 'minimum' in s) { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum === true && 'maximum' in s) { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  if (s.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(s.properties)) out.properties[k] = toJsonSchema(v, structural);
  }
  if (s.additionalProperties !== undefined) {
    out.additionalProperties = typeof s.additionalProperties === 'object' ? toJsonSchema(s.additionalProperties, structural) : s.additionalProperties;
  } else if (structural && s.type === 'object' && !s['x-kubernetes-preserve-unknown-fields'] && s.properties) {
    out.additionalProperties = false;
  }
  if (s.items) out.items = toJsonSchema(s.items, structural);
  // value validations: no structure of their own, so no unknown-field checks inside them
  for (const comb of ['allOf', 'anyOf', 'oneOf']) {
    if (s[comb]) {
      const branches = (s[comb] as any[]).map(b => toJsonSchema(b, false));
      if (comb === 'anyOf' && out.anyOf) out.allOf = [...(out.allOf ?? []), { anyOf: branches }];
      else if (comb === 'allOf' && out.allOf) out.allOf.push(...branches);
      else out[comb] = branches;
    }
  }
  if (s.not) out.not = toJsonSchema(s.not, false);
  return out;
}

const compiled = new Map<string, ValidateFunction>();
let sharedAjv: Ajv | undefined;
/** How each kind's validator was made: `precompiled` (the build's) or `compiled` (by ajv, at run time). */
const validatorSources = new Map<string, 'precompiled' | 'compiled'>();

/** A module of validators/ (scripts/validators.ts). */
interface PrecompiledModule {
  readonly sha256: string;
  readonly format?: number;
  readonly root?: string;
  readonly cel?: Record<string, string>;
  readonly create: (formats: typeof FORMATS, regExp: typeof re2Aware) => ValidateFunction;
}

/**
 * The build's precompiled validator of a kind, if it is there and was made from the pinned schema read (the
 * SHA-256 of the schema file it embeds is the file's); otherwise undefined and ajv compiles the schema.
 */
function precompiled(key: string): ValidateFunction | undefined {
  const entry = loadIndex()[key];
  const hash = schemaHashes.get(key);
  if (!entry || !hash) return undefined;
  const file = path.join(validatorsDir, validatorFile(entry.file));
  if (!fs.existsSync(file)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as PrecompiledModule;
  if (mod.sha256 !== hash || mod.format !== VALIDATOR_FORMAT) return undefined;
  precompiledCel.set(key, mod.cel ?? {});
  precompiledRoots.set(key, mod.root);
  return mod.create(FORMATS, re2Aware);
}

/** The hash of the JSON Schema (ajvSchema's) each precompiled validator was made from, as its module embeds it. */
const precompiledRoots = new Map<string, string | undefined>();

/**
 * Whether the errors of a kind's validator have schema paths into `root`, the JSON Schema that ajvSchema makes of its
 * pinned schema here: always for a validator ajv compiled from it; for a precompiled one, when it was made from the
 * same JSON Schema (a build of other code makes another one of the same pinned schema: its $defs numbered otherwise).
 * Checked once per kind, when a first object has errors.
 */
function pathsInto(key: string, root: any): boolean {
  if (validatorSources.get(key) !== 'precompiled') return true;
  let same = rootChecked.get(key);
  if (same === undefined) rootChecked.set(key, same = precompiledRoots.get(key) === schemaHash(JSON.stringify(root)));
  return same;
}

const rootChecked = new Map<string, boolean>();

/**
 * The form of the code of the precompiled validators: a module of another form (written by an earlier build, whose
 * errors have schema paths of another schema: 2 shares subschemas, see shareSubschemas) is not used.
 */
export const VALIDATOR_FORMAT = 2;

/** The CEL rules of each kind parsed by the build, from its precompiled module (rule text -> parsed, serialized). */
const precompiledCel = new Map<string, Record<string, string>>();

/** The CEL rules of a kind parsed by the build, once its validator is the precompiled one. */
export function precompiledRules(key: string): Record<string, string> | undefined {
  return precompiledCel.get(key);
}

let usePrecompiled = true;
let validatorsDir = VALIDATORS_DIR;

/** For the tests: forget the validators made so far; use the precompiled ones (the default: of validators/) or not. */
export function resetValidators(precompiledValidators: boolean, dir: string = VALIDATORS_DIR): void {
  compiled.clear();
  validatorSources.clear();
  precompiledCel.clear();
  precompiledRoots.clear();
  rootChecked.clear();
  usePrecompiled = precompiledValidators;
  validatorsDir = dir;
}

/** How the validator of a kind (`apiVersion/kind`) was made, once it was used: for the tests. */
export function validatorSource(key: string): 'precompiled' | 'compiled' | undefined {
  return validatorSources.get(key);
}

function validatorFor(key: string, pinned: PinnedSchema): ValidateFunction {
  let fn = compiled.get(key);
  if (!fn) {
    fn = usePrecompiled ? precompiled(key) : undefined;
    if (fn) validatorSources.set(key, 'precompiled');
    compiled.set(key, fn ??= compileAtRunTime(key, pinned));
  }
  return fn;
}

/** ajv's validator of a kind, compiled here from the JSON Schema that its errors are described with (rootSchemaOf). */
function compileAtRunTime(key: string, pinned: PinnedSchema): ValidateFunction {
  sharedAjv = sharedAjv ?? newAjv();
  validatorSources.set(key, 'compiled');
  return sharedAjv.compile(rootSchemaOf(key, pinned));
}

/** Removes nulls from fields that are not nullable, as the API server's pruning does. */
export function pruneNulls(value: any, schema: any): any {
  if (value === null || typeof value !== 'object' || !schema) return value;
  // in place (the object is the validator's own), without the entries and item arrays of a copy
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items) for (let i = 0; i < value.length; i++) pruneNulls(value[i], items);
    return value;
  }
  const other = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const properties = schema.properties;
  for (const k of Object.keys(value)) {
    const v = value[k];
    // the key's own entry (`constructor`, `toString`, `__proto__` are not fields because Object.prototype has them)
    const child = (properties && hasOwn(properties, k) ? properties[k] : undefined) ?? other;
    if (v === null) {
      if (child && !child.nullable && !child['x-kubernetes-preserve-unknown-fields']) delete value[k];
    } else if (typeof v === 'object') {
      pruneNulls(v, child);
    }
  }
  return value;
}

/**
 * Validates (and defaults, in place) one object against its structural schema.
 * `obj` must be a private copy: defaults are written into it, as the API server does before CEL runs.
 */
export function validateStructure(obj: any, pinned: PinnedSchema, withoutNulls = false): StructuralIssue[] {
  // `withoutNulls`: the caller knows the object holds no null (pruneNulls would change nothing)
  if (!withoutNulls) pruneNulls(obj, pinned.schema);
  const key = `${pinned.apiVersion}/${pinned.kind}`;
  let fn = validatorFor(key, pinned);
  fn(obj);
  let issues: StructuralIssue[] = [];
  if (fn.errors?.length) {
    const root = rootSchemaOf(key, pinned);
    if (!pathsInto(key, root)) {
      // a precompiled validator of another JSON Schema of this pinned schema: ajv compiles this one, which checks the
      // object again (the defaults the first wrote are the ones it writes)
      compiled.set(key, fn = compileAtRunTime(key, pinned));
      fn(obj);
    }
    if (fn.errors?.length) issues = describeErrors(rootSchemaPaths(fn.errors, obj, root), obj, root);
  }
  issues.push(...checkListTypes(obj, pinned.schema, []));
  return issues;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer.slice(1).split('/').map(unescapeSegment).map(p => (/^\d+$/.test(p) ? Number(p) : p));
}

/** A segment of a JSON Pointer as the name it stands for (`~1` is `/`, `~0` is `~`). */
function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function requiredNames(branch: any): string[] {
  if (!branch) return [];
  if (branch.required) return branch.required;
  if (branch.anyOf) return branch.anyOf.flatMap(requiredNames);
  if (branch.not) return requiredNames(branch.not);
  return [];
}

const rootSchemas = new Map<string, any>();

/** The JSON Schema a kind's validator was made from (the paths of its errors point into it), made when first needed. */
function rootSchemaOf(key: string, pinned: PinnedSchema): any {
  let root = rootSchemas.get(key);
  if (!root) rootSchemas.set(key, root = ajvSchema(pinned));
  return root;
}

/** An own field of a value, or undefined (not `constructor` or `__proto__` of Object.prototype). */
function ownAt(value: any, key: string): any {
  return value !== null && typeof value === 'object' && hasOwn(value, key) ? value[key] : undefined;
}

/**
 * What ajv's `verbose` errors held, found from their paths: the value failed (at `instancePath` in the object
 * validated, which is the value ajv saw: validation only adds defaults, before it checks a field), the
 * keyword's schema and the schema that holds it (at `schemaPath` in the root schema; ajv escapes each
 * segment as a URI fragment of a JSON Pointer, compile/util.ts escapeFragment).
 */
export function errorDetails(e: ErrorObject, obj: any, root: any): { data: unknown; schema: any; parentSchema: any } {
  let data = obj;
  if (e.instancePath) for (const seg of e.instancePath.slice(1).split('/')) data = ownAt(data, unescapeSegment(seg));
  const segs = e.schemaPath.split('/').slice(1).map(seg => unescapeSegment(decodeURIComponent(seg)));
  let parentSchema = root;
  for (const seg of segs.slice(0, -1)) parentSchema = ownAt(parentSchema, seg);
  return { data, schema: ownAt(parentSchema, segs[segs.length - 1]), parentSchema };
}

function describeErrors(raw: ErrorObject[], obj: any, root: any): StructuralIssue[] {
  const errors = raw.map(e => ({ ...e, ...errorDetails(e, obj, root) }));
  // errors under a failed anyOf/oneOf/not are the branches' own; report the combinator once instead
  const combinators = errors.filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'not');
  const isBranchError = (e: ErrorObject) => combinators.some(c => c !== e && e.schemaPath.startsWith(c.schemaPath + '/') && e.instancePath.startsWith(c.instancePath));
  const out: StructuralIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (isBranchError(e)) continue;
    const p = pointerToPath(e.instancePath);
    const issue = describe(e, p);
    const key = `${issue.code}|${formatPath(issue.path)}|${issue.message}`;
    if (!seen.has(key)) { seen.add(key); out.push(issue); }
  }
  return out;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function describe(e: ErrorObject, p: (string | number)[]): StructuralIssue {
  const got = show(e.data);
  switch (e.keyword) {
    case 'type': {
      const want = Array.isArray(e.params.type) ? e.params.type.filter((t: string) => t !== 'null').join(' or ') : e.params.type;
      const actual = e.data === null ? 'null' : Array.isArray(e.data) ? 'array' : typeof e.data;
      // a plain on / yes / n / 012 / 1e3 is a boolean or a number for kubectl (YAML 1.1, private/yaml.ts)
      const quote = (actual === 'boolean' || actual === 'number') && String(want).includes('string') ? ': quote the value if a string is meant' : '';
      return { code: ValidationCodes.TYPE, path: p, message: `must be of type ${want}, got ${actual} ${got}${quote}` };
    }
    case 'required':
      return { code: ValidationCodes.REQUIRED, path: [...p, e.params.missingProperty], message: `required field "${e.params.missingProperty}" is missing` };
    case 'enum':
      return { code: ValidationCodes.ENUM, path: p, message: `unsupported value ${got}: must be one of ${e.params.allowedValues.filter((v: unknown) => v !== null).map((v: unknown) => JSON.stringify(v)).join(', ')}` };
    case 'additionalProperties':
      return { code: ValidationCodes.UNKNOWN_FIELD, path: [...p, e.params.additionalProperty], message: `unknown field "${e.params.additionalProperty}" (not in the schema: check the spelling and the apiVersion)` };
    case 'pattern':
      return { code: ValidationCodes.PATTERN, path: p, message: `${got} must match the pattern ${e.params.pattern}` };
    case 'format':
      return { code: ValidationCodes.FORMAT, path: p, message: `${got} is not a valid ${e.params.format}` };
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { code: ValidationCodes.RANGE, path: p, message: `${got} must be ${e.params.comparison} ${e.params.limit}` };
    case 'multipleOf':
      return { code: ValidationCodes.RANGE, path: p, message: `${got} must be a multiple of ${e.params.multipleOf}` };
    case 'minLength': case 'maxLength':
      return { code: ValidationCodes.LENGTH, path: p, message: `${got} must be ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${e.params.limit} characters long` };
    case 'minItems': case 'maxItems':
      return { code: ValidationCodes.LENGTH, path: p, message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${e.params.limit} items, got ${Array.isArray(e.data) ? e.data.length : '?'}` };
    case 'minProperties': case 'maxProperties':
      return { code: ValidationCodes.LENGTH, path: p, message: `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${e.params.limit} entries` };
    case 'uniqueItems':
      return { code: ValidationCodes.DUPLICATE, path: p, message: `items ${e.params.j} and ${e.params.i} are equal: entries must be unique` };
    case 'anyOf': {
      const schema = e.parentSchema as any;
      if (schema?.['x-int-or-string']) return { code: ValidationCodes.TYPE, path: p, message: `must be an integer or a string, got ${got}` };
      const names = [...new Set((e.schema as any[]).flatMap(requiredNames))];
      return { code: ValidationCodes.ONE_OF, path: p, message: names.length ? `must set one of: ${names.join(', ')}` : 'matches none of the allowed forms' };
    }
    case 'oneOf': {
      const names = [...new Set((e.schema as any[]).flatMap(requiredNames))];
      const set = e.data && typeof e.data === 'object' ? names.filter(n => hasOwn(e.data as object, n)) : [];
      return {
        code: ValidationCodes.ONE_OF,
        path: p,
        message: names.length ? `at most one of ${names.join(', ')} may be set${set.length ? `, got ${set.join(' and ')}` : ''}` : 'must match exactly one of the allowed forms',
      };
    }
    case 'not': {
      const names = [...new Set(requiredNames(e.schema))];
      return { code: ValidationCodes.ONE_OF, path: p, message: names.length ? `must not set ${names.join(' together with ')}` : 'matches a form that is not allowed' };
    }
    default:
      return { code: ValidationCodes.TYPE, path: p, message: `${e.message ?? 'invalid'}` };
  }
}

const hasListTypes = new WeakMap<object, boolean>();

/** Whether a schema or one below it (items, properties, additionalProperties) is a list of type set or map. */
function listTypesBelow(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  let below = hasListTypes.get(schema);
  if (below === undefined) {
    hasListTypes.set(schema, false);
    const listType = schema['x-kubernetes-list-type'];
    below = listType === 'set' || listType === 'map' || listTypesBelow(schema.items)
      || (typeof schema.additionalProperties === 'object' && listTypesBelow(schema.additionalProperties))
      || (!!schema.properties && typeof schema.properties === 'object' && Object.values(schema.properties).some(listTypesBelow));
    hasListTypes.set(schema, below);
  }
  return below;
}

/** x-kubernetes-list-type set/map: the API server rejects duplicate items or duplicate keys. Skips the subtrees without such lists. */
export function checkListTypes(value: any, schema: any, p: (string | number)[]): StructuralIssue[] {
  const out: StructuralIssue[] = [];
  listTypesAt(value, schema, p.length ? { parent: undefined, key: p } : undefined, out);
  return out;
}

function listTypesAt(value: any, schema: any, link: PathLink | undefined, out: StructuralIssue[]): void {
  if (value === null || typeof value !== 'object' || !schema || !listTypesBelow(schema)) return;
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys: string[] | undefined = schema['x-kubernetes-list-map-keys'];
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const id = listType === 'map' && keys && item && typeof item === 'object'
          ? JSON.stringify(keys.map(k => ownField(item, k) ?? ownField(ownField(schema.items?.properties, k), 'default') ?? null))
          : JSON.stringify(item);
        if (seen.has(id)) {
          const what = listType === 'map' && keys ? `key ${keys.map(k => `${k}=${show(ownField(item, k))}`).join(', ')}` : `value ${show(item)}`;
          out.push({ code: ValidationCodes.DUPLICATE, path: pathOf(link, i), message: `duplicate entry with ${what} (also at index ${seen.get(id)}): entries must be unique` });
        } else {
          seen.set(id, i);
        }
      });
    }
    const items = schema.items;
    if (items) value.forEach((item, i) => listTypesAt(item, items, { parent: link, key: i }, out));
    return;
  }
  const other = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const properties = schema.properties;
  for (const k of Object.keys(value)) {
    const child = (properties && hasOwn(properties, k) ? properties[k] : undefined) ?? other;
    if (child) listTypesAt(value[k], child, { parent: link, key: k }, out);
  }
}

/** A field of an object by its own entry (undefined for a name only Object.prototype has, such as `constructor`). */
function ownField(o: any, k: string): any {
  return o !== null && typeof o === 'object' && hasOwn(o, k) ? o[k] : undefined;
}
