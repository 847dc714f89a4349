import * as yaml from 'js-yaml';
import { ManifestValidator } from '../../src';
import { CelIssue, evaluateRules, ruleTree, useNativeRules } from '../../src/analysis/private/cel';
import { validateStructure } from '../../src/analysis/private/structural';

// A key of a user's object is a key whatever its name, as in Go: `constructor`, `toString`, `hasOwnProperty` and
// `__proto__` (names Object.prototype has) are checked as any other key of a map, reported as unknown fields of a
// struct as any other name, and a `__proto__` key does not become the prototype of the values the CEL rules read.
// Each case is compared with the same document with an ordinary key in its place. (The API server's code,
// conformance/cmd/crdcheck, accepts and rejects these documents as the validator now does; before, 12 of 80 differed.)

const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];

/** An ordinary key in place of `key`, of the same validity for the rules met here (`__proto__` is not a valid port name). */
const ordinary = (key: string) => (key === '__proto__' ? '__plain__' : 'plainkey');

/** Findings of a YAML text, the key written as `key`, with `key` replaced by `as` in what they say. */
function findings(text: (key: string) => string, key: string, as: string, native: boolean): string[] {
  useNativeRules(native);
  try {
    return ManifestValidator.validateYaml(text(key)).findings
      .map(f => ManifestValidator.formatFinding(f).split(key).join(as));
  } finally {
    useNativeRules(true);
  }
}

function expectSameAsOrdinary(text: (key: string) => string, minFindings: number): void {
  for (const native of [true, false]) {
    for (const key of KEYS) {
      const want = findings(text, ordinary(key), ordinary(key), native);
      expect(want.length).toBeGreaterThanOrEqual(minFindings);
      expect([key, native, findings(text, key, ordinary(key), native)]).toEqual([key, native, want]);
    }
  }
}

describe('keys named as Object.prototype\'s properties', () => {
  test('a map with CEL rules on its keys and integer values (ServiceEntry endpoint ports)', () => {
    // 0 and 70000 fail the value rule (1-65535), -1 the schema's minimum, "x" the type; the key rule is the port name's
    for (const value of ['0', '70000', '-1', '"x"', '80']) {
      expectSameAsOrdinary(key => [
        'apiVersion: networking.istio.io/v1',
        'kind: ServiceEntry',
        'metadata: {name: se, namespace: ns}',
        'spec:',
        '  hosts: [a.example.com]',
        '  resolution: STATIC',
        '  endpoints:',
        '  - address: 10.0.0.1',
        `    ports: {${key}: ${value}, http: 8080}`,
        '',
      ].join('\n'), value === '80' ? 0 : 1);
    }
  });

  test('a map of strings with CEL rules on keys and values (AuthorizationPolicy matchLabels)', () => {
    for (const value of ['"*"', 'v', 'null']) {
      expectSameAsOrdinary(key => [
        'apiVersion: security.istio.io/v1',
        'kind: AuthorizationPolicy',
        'metadata: {name: p, namespace: ns}',
        'spec:',
        '  selector:',
        `    matchLabels: {${key}: ${value}}`,
        '',
      ].join('\n'), value === '"*"' ? 1 : 0);
    }
  });

  test('a map of objects read by a rule the CEL library runs (PeerAuthentication portLevelMtls: int(key))', () => {
    // `__proto__: {...}` made the prototype of the rule's map: the key was not seen (no error for it)
    expectSameAsOrdinary(key => [
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: p, namespace: ns}',
      'spec:',
      '  selector: {matchLabels: {app: a}}',
      `  portLevelMtls: {${key}: {mode: STRICT}, "8080": {mode: DISABLE}}`,
      '',
    ].join('\n'), 1);
  });

  test('an unknown field of a struct, null or not, is reported under any name', () => {
    // a null under `constructor` was pruned as if Object.prototype.constructor were its (non-nullable) schema
    for (const value of ['null', '{a: 1}', '1']) {
      expectSameAsOrdinary(key => [
        'apiVersion: networking.istio.io/v1',
        'kind: VirtualService',
        'metadata: {name: v, namespace: ns}',
        'spec:',
        '  hosts: [a]',
        `  ${key}: ${value}`,
        '',
      ].join('\n'), 1);
    }
  });

  test('a `__proto__` key changes neither the object read by later rules nor the documents after it', () => {
    const doc = (ports: string) => [
      'apiVersion: security.istio.io/v1',
      'kind: PeerAuthentication',
      'metadata: {name: p, namespace: ns}',
      'spec:',
      '  selector: {matchLabels: {app: a}}',
      `  portLevelMtls: ${ports}`,
    ].join('\n');
    const alone = ManifestValidator.validateYaml(doc('{"8080": {mode: STRICT}}')).findings;
    expect(alone).toEqual([]);
    for (const native of [true, false]) {
      useNativeRules(native);
      try {
        const both = ManifestValidator.validateYaml([doc('{__proto__: {mode: STRICT}}'), doc('{"8080": {mode: STRICT}}')].join('\n---\n')).findings;
        // the first document's key is not a port (the rule cannot convert it); the second is as alone
        expect(both.map(f => [f.documentIndex, f.code, f.path])).toEqual([[0, 'CEL002', 'spec.portLevelMtls']]);
      } finally {
        useNativeRules(true);
      }
    }
    expect(({} as any)['8080']).toBeUndefined();
  });
});

describe('keys named as Object.prototype\'s properties, on a schema with both properties and additionalProperties', () => {
  // not in the pinned CRDs (a structural schema has one or the other): the walks must not take a key of
  // Object.prototype for a declared property either
  const schema: any = yaml.load(`
type: object
properties:
  spec:
    type: object
    properties:
      known: {type: string}
    additionalProperties:
      type: object
      properties:
        n: {type: integer, x-kubernetes-validations: [{rule: "self > 0", message: "must be positive"}]}
        tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
      additionalProperties: false
      x-kubernetes-validations: [{rule: "self.n < 100", message: "must be below 100"}]
`);
  const pinned = { apiVersion: 'test.example.com/v1', kind: 'KeysTest', scope: 'Namespaced', schema };

  function check(key: string, as: string): string[] {
    const obj: any = yaml.load(`spec: {${key}: {n: 0, tags: [a, a]}, other: {n: 200}, known: x}`);
    const out = validateStructure(obj, pinned).map(i => `${i.code} ${i.path.join('.')} ${i.message}`);
    const cel: CelIssue[] = [];
    evaluateRules(obj, ruleTree(schema), [], cel);
    return [...out, ...cel.map(i => `${i.code} ${i.path.join('.')} ${i.message}`)].map(s => s.split(key).join(as)).sort();
  }

  test('the value under each key is checked by the additionalProperties schema: rules, list types', () => {
    const want = check('plainkey', 'plainkey');
    expect(want).toEqual([
      'CEL001 spec.other must be below 100',
      'CEL001 spec.plainkey.n must be positive (got 0)',
      'SCH010 spec.plainkey.tags.1 duplicate entry with value "a" (also at index 0): entries must be unique',
    ]);
    for (const key of KEYS) expect([key, check(key, 'plainkey')]).toEqual([key, want]);
  });
});
