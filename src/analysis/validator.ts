import * as fs from 'fs';
import { Finding, Severity, ValidationCodes } from './findings';
import { evaluateRules, registerParsedRules, RuleNode, ruleTree } from './private/cel';
import { expandPaths } from './private/files';
import { DocumentLines } from './private/lines';
import { formatPath, pinnedKinds, pinnedSchema, pinnedVersionsOf, precompiledRules, validateStructure } from './private/structural';
import { forEachManifest, YamlReadError } from './private/yaml';
import { isDns1123Label, isDns1123Subdomain, labelKeyProblem, labelValueProblem } from '../private/names';

/**
 * Options of the manifest validator.
 */
export interface ValidateOptions {
  /**
   * The file name to report in findings.
   * @default - none
   */
  readonly fileName?: string;
  /**
   * Report kinds that have no pinned schema, and CEL rules that cannot be run here, as warnings
   * (so that they fail the check) instead of information.
   * @default false
   */
  readonly strict?: boolean;
}

/**
 * The outcome of validating a set of manifests.
 */
export interface ValidationResult {
  /** All findings, in document order, then by path. */
  readonly findings: Finding[];
  /** How many documents were read. */
  readonly documents: number;
  /** How many documents were checked against a pinned schema. */
  readonly checked: number;
  /** True when no finding is an error or a warning. */
  readonly valid: boolean;
}

const ruleTrees = new Map<string, RuleNode | undefined>();

interface RawIssue {
  readonly code: string;
  readonly severity: Severity;
  readonly path: (string | number)[];
  readonly message: string;
  readonly rule?: string;
}

/**
 * Validates Kubernetes manifests of the mesh kinds against the pinned CRDs: the structural schema
 * as the API server applies it (types, required, enums, formats, patterns, ranges, int-or-string,
 * preserve-unknown-fields, nullable, unknown fields as strict field validation reports them,
 * list-type uniqueness), then every `x-kubernetes-validations` CEL rule, on the defaulted object.
 *
 * @example
 * import { ManifestValidator } from 'cdk8s-mesh';
 *
 * const result = ManifestValidator.validateYaml(app.synthYaml());   // or the text of a file in dist/
 * for (const f of result.findings) console.log(ManifestValidator.formatFinding(f));
 */
export class ManifestValidator {
  /**
   * The kinds with a pinned schema, as `group/version/Kind`.
   */
  public static supportedKinds(): string[] {
    return pinnedKinds();
  }

  /**
   * Validates manifests given as objects (e.g. the output of `Testing.synth(chart)` or `chart.toJson()`).
   */
  public static validateObjects(objects: any[], options: ValidateOptions = {}): ValidationResult {
    const findings: Finding[] = [];
    let checked = 0;
    objects.forEach((obj, i) => {
      const r = ManifestValidator.validateObject(obj, options);
      if (r.checked) checked++;
      findings.push(...r.issues.map(issue => toFinding(issue, obj, options.fileName, objects.length > 1 || options.fileName ? i : undefined)));
    });
    return result(findings, objects.length, checked);
  }

  /**
   * Validates a stream of YAML documents. Parse errors are findings with the line of the error.
   */
  public static validateYaml(text: string, options: ValidateOptions = {}): ValidationResult {
    const findings: Finding[] = [];
    let checked = 0;
    let lines: DocumentLines | undefined;
    // the parsed documents are ours: checked in place (defaults written into them) instead of copied,
    // unless a YAML anchor may share a node between two places (a copy gives each place its own), or a
    // value is one the copy changes (a __proto__ key; .nan and .inf, which the copy makes null, are refused by
    // forEachManifest as kubectl refuses them)
    const owned = !text.includes('&') && !text.includes('__proto__');
    let count: number;
    try {
      // each manifest checked as its document is read, and let go (forEachManifest: issue 26)
      count = forEachManifest(text, ({ obj, documentIndex, prefix, nullFree }) => {
        const r = ManifestValidator.validateObject(obj, options, owned, owned && nullFree === true);
        if (r.checked) checked++;
        if (r.issues.length) lines = lines ?? new DocumentLines(text);
        // an item of a kind: List is reported at its path in the list (items[3].spec...)
        findings.push(...r.issues.map(issue => ({
          ...toFinding({ ...issue, path: [...prefix, ...issue.path] }, obj, options.fileName, documentIndex),
          line: lines!.lineOf(documentIndex, [...prefix, ...issue.path]),
        })));
      }, options.fileName, { nullFree: true });
    } catch (e) {
      if (!(e instanceof YamlReadError)) throw e;
      // a stream that cannot be read is one finding, whatever the documents before the error gave
      return result([{
        code: ValidationCodes.YAML_PARSE,
        severity: Severity.ERROR,
        message: e.reason,
        resource: '',
        path: '',
        file: options.fileName,
        line: e.mark ? e.mark.line + 1 : undefined,
      }], 0, 0);
    }
    return result(findings, count, checked);
  }

  /**
   * Validates files and folders (every `.yaml`/`.yml`/`.json` file below a folder, in sorted order).
   */
  public static validateFiles(paths: string[], options: ValidateOptions = {}): ValidationResult {
    const findings: Finding[] = [];
    let documents = 0;
    let checked = 0;
    for (const file of expandPaths(paths)) {
      const r = ManifestValidator.validateYaml(fs.readFileSync(file, 'utf8'), { ...options, fileName: file });
      findings.push(...r.findings);
      documents += r.documents;
      checked += r.checked;
    }
    return result(findings, documents, checked);
  }

  /**
   * One line per finding: `file:line [doc N] Kind ns/name: path: message (CODE)`.
   */
  public static formatFinding(f: Finding): string {
    const where = [f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '', f.documentIndex !== undefined ? `[doc ${f.documentIndex}]` : '']
      .filter(x => x).join(' ');
    const what = [f.resource, f.path].filter(x => x).join(': ');
    return `${f.severity.toUpperCase()} ${f.code} ${where ? where + ' ' : ''}${what ? what + ': ' : ''}${f.message}`;
  }

  private static validateObject(obj: any, options: ValidateOptions, owned = false, ownedWithoutNulls = false): { checked: boolean; issues: RawIssue[] } {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return { checked: false, issues: [{ code: ValidationCodes.NOT_AN_OBJECT, severity: Severity.ERROR, path: [], message: `a manifest must be a mapping with apiVersion and kind, got ${Array.isArray(obj) ? 'a list' : JSON.stringify(obj)}` }] };
    }
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !obj.apiVersion || !obj.kind) {
      return { checked: false, issues: [{ code: ValidationCodes.NOT_AN_OBJECT, severity: Severity.ERROR, path: [typeof obj.apiVersion !== 'string' || !obj.apiVersion ? 'apiVersion' : 'kind'], message: 'a manifest needs a string apiVersion and kind' }] };
    }
    const pinned = pinnedSchema(obj.apiVersion, obj.kind);
    const notCheckedSeverity = options.strict ? Severity.WARNING : Severity.INFO;
    const issues: RawIssue[] = checkMetadata(obj);
    if (!pinned) {
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
      const others = pinnedVersionsOf(group, obj.kind);
      const hint = others.length ? ` (the pinned CRDs serve ${obj.kind} as ${others.join(', ')})` : '';
      issues.push({ code: ValidationCodes.KIND_NOT_CHECKED, severity: notCheckedSeverity, path: [], message: `not checked: no pinned schema for ${obj.apiVersion} ${obj.kind}${hint}` });
      return { checked: false, issues };
    }
    // a copy only when the check may change the object: defaults to write (a schema with a default) or nulls
    // to prune, or data that is not plain JSON (the copy turns it into JSON)
    // (plain data without a null: nothing for validateStructure's pruneNulls to remove, so no second walk)
    const withoutNulls = !owned && !schemaHasDefaults(pinned.schema) && plainWithoutNulls(obj);
    const copy = owned || withoutNulls ? obj : copyJson(obj);
    // (`ownedWithoutNulls`: the parsed document, checked in place, holds no null: the size walk saw every node)
    for (const s of validateStructure(copy, pinned, withoutNulls || ownedWithoutNulls)) {
      issues.push({ code: s.code, severity: Severity.ERROR, path: s.path, message: s.message });
    }
    const key = `${pinned.apiVersion}/${pinned.kind}`;
    if (!ruleTrees.has(key)) {
      // the rules the build parsed (with the kind's precompiled validator, loaded by validateStructure)
      registerParsedRules(precompiledRules(key));
      ruleTrees.set(key, ruleTree(pinned.schema));
    }
    const cel: { code: string; path: (string | number)[]; message: string; rule: string }[] = [];
    // converted to CEL values where rules live (evaluateRules converts the value of each node with rules)
    evaluateRules(copy, ruleTrees.get(key), [], cel);
    for (const c of cel) {
      const severity = c.code === ValidationCodes.CEL_FAILED || c.code === ValidationCodes.CEL_ERROR ? Severity.ERROR
        : c.code === ValidationCodes.CEL_NOT_CHECKED ? notCheckedSeverity : Severity.INFO;
      issues.push({ ...c, severity });
    }
    return { checked: true, issues };
  }
}

/** Not plain JSON data (undefined, a Date, NaN...): copied through JSON instead. */
const NOT_PLAIN = new Error('not plain JSON');

function plainCopy(v: any): any {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw NOT_PLAIN;
    return v;
  }
  if (typeof v !== 'object') throw NOT_PLAIN;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = plainCopy(v[i]);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const out: any = {};
  for (const k of Object.keys(v)) {
    if (k === '__proto__') throw NOT_PLAIN;
    if (v[k] !== undefined) out[k] = plainCopy(v[k]);
  }
  return out;
}

/** Whether each pinned schema (by identity) holds a `default` anywhere (conservatively: any key named so). */
const schemaDefaults = new WeakMap<object, boolean>();

function schemaHasDefaults(schema: any): boolean {
  let known = schemaDefaults.get(schema);
  if (known === undefined) schemaDefaults.set(schema, known = JSON.stringify(schema).includes('"default"'));
  return known;
}

/**
 * Whether a value is plain JSON data without a null: what copyJson would copy as it is and pruneNulls
 * would leave alone, so that the check reads it in place (without copying the object).
 */
export function plainWithoutNulls(v: any): boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plainWithoutNulls(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (k === '__proto__' || !plainWithoutNulls(v[k])) return false;
  }
  return true;
}

/**
 * A private copy of a manifest, the same as `JSON.parse(JSON.stringify(obj))` (defaults are written into
 * it), several times faster on the plain data of parsed or synthesized manifests.
 */
function copyJson(obj: any): any {
  try {
    return plainCopy(obj);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return JSON.parse(JSON.stringify(obj));
  }
}

function checkMetadata(obj: any): RawIssue[] {
  const out: RawIssue[] = [];
  const md = obj.metadata;
  const issue = (p: (string | number)[], message: string) => out.push({ code: ValidationCodes.METADATA, severity: Severity.ERROR, path: p, message });
  if (md === undefined || md === null || typeof md !== 'object' || Array.isArray(md)) {
    issue(['metadata'], 'metadata with a name is required');
    return out;
  }
  // A null (`~`, `null`, an empty value) in metadata is decoded as Go's zero value, not refused: the API server reads
  // metadata into a metav1.ObjectMeta by JSON (apiextensions-apiserver pkg/apiserver/schema/objectmeta/coerce.go
  // GetObjectMetaWithOptions, called by customresource_handler.go unstructuredSchemaCoercer.apply, then SetObjectMeta
  // writes it back; built-in kinds decode into their ObjectMeta directly), and sigs.k8s.io/json (the fork of
  // encoding/json it uses) ignores a null for a string (decode.go literalStore, `case 'n'`) and sets a null map to nil:
  // a null label or annotation value is stored as "" (decode.go object() stores the zero mapElem under the key; "" is a
  // valid label value), null labels or annotations are no map, a null namespace is none (kubectl and the API server
  // then use the request's), and a null name is none ("name or generateName is required"). kubectl reads them alike:
  // apimachinery unstructured.go GetLabels / GetAnnotations use NestedNullCoercingStringMap ("Null values in the map are
  // coerced to "" to match json decoding behavior").
  const name = md.name ?? undefined;
  const namespace = md.namespace ?? undefined;
  if (name === undefined && (md.generateName ?? undefined) === undefined) {
    issue(['metadata', 'name'], 'metadata.name is required');
  } else if (name !== undefined && typeof name !== 'string') {
    issue(['metadata', 'name'], `the name must be a string, got ${JSON.stringify(name)}: quote the value (kubectl reads a plain yes, no, on, off, y, n as a boolean)`);
  } else if (name !== undefined && !isDns1123Subdomain(name)) {
    issue(['metadata', 'name'], `${JSON.stringify(name)} is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters`);
  }
  if (namespace !== undefined && typeof namespace !== 'string') {
    issue(['metadata', 'namespace'], `the namespace must be a string, got ${JSON.stringify(namespace)}: quote the value (kubectl reads a plain yes, no, on, off, y, n as a boolean)`);
  } else if (namespace !== undefined && !isDns1123Label(namespace)) {
    issue(['metadata', 'namespace'], `${JSON.stringify(namespace)} is not a valid namespace: use a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`);
  }
  for (const field of ['labels', 'annotations']) {
    const map = md[field];
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) {
      issue(['metadata', field], `${field} must be a map of strings`);
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      // annotation keys are checked lower-cased ("The rule is QualifiedName except that case doesn't matter": apimachinery
      // pkg/api/validation/objectmeta.go ValidateAnnotations, IsQualifiedName(strings.ToLower(k))); label keys as written
      // (ValidateLabels, ValidateLabelName)
      if (!validQualifiedKey(field === 'annotations' ? goLower(k) : k)) issue(['metadata', field, k], `${JSON.stringify(k)} is not a valid ${field === 'labels' ? 'label' : 'annotation'} key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters`);
      if (v === null) continue; // "" (see above)
      if (typeof v !== 'string') issue(['metadata', field, k], `${field === 'labels' ? 'label' : 'annotation'} values must be strings, got ${JSON.stringify(v)}: quote the value`);
      else if (field === 'labels' && labelValueProblem(v) !== undefined) issue(['metadata', field, k], `${JSON.stringify(v)} is not a valid label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
    }
  }
  return out;
}

/**
 * The keys found valid so far (label keys, and annotation keys lower-cased), each a string that validQualifiedKey
 * accepted: a stream repeats a few keys on every object (app.kubernetes.io/name, istio.io/rev...), so that a valid key is
 * checked once until the set is emptied. Bounded, as a long-running process keeps meeting new keys: emptied when full.
 */
const validKeys = new Set<string>();
const VALID_KEYS_LIMIT = 4096;

/**
 * Go's strings.ToLower: JavaScript's toLowerCase, but for U+0130 (İ), which Go's simple case mapping (unicode.ToLower)
 * makes 'i' and JavaScript's full mapping 'i̇' (two code points). The other characters whose lower case is ASCII (the
 * Kelvin sign: 'k') map alike; a final sigma, which JavaScript writes 'ς' and Go 'σ', is no ASCII either way.
 */
function goLower(s: string): string {
  return (s.includes('\u0130') ? s.replace(/\u0130/g, 'i') : s).toLowerCase();
}

function validQualifiedKey(key: string): boolean {
  if (validKeys.has(key)) return true;
  if (labelKeyProblem(key) !== undefined) return false; // the API server's IsQualifiedName, as the constructs check it
  if (validKeys.size >= VALID_KEYS_LIMIT) validKeys.clear();
  validKeys.add(key);
  return true;
}

function resourceName(obj: any): string {
  if (!obj || typeof obj !== 'object') return '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '<no kind>';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '<no name>';
  const ns = typeof obj.metadata?.namespace === 'string' ? `${obj.metadata.namespace}/` : '';
  return `${kind} ${ns}${name}`;
}

function toFinding(issue: RawIssue, obj: any, file: string | undefined, documentIndex: number | undefined): Finding {
  return {
    code: issue.code,
    severity: issue.severity,
    message: issue.message,
    resource: resourceName(obj),
    path: formatPath(issue.path),
    file,
    documentIndex,
    rule: issue.rule,
  };
}

function result(findings: Finding[], documents: number, checked: number): ValidationResult {
  return {
    findings,
    documents,
    checked,
    valid: !findings.some(f => f.severity === Severity.ERROR || f.severity === Severity.WARNING),
  };
}

