/**
 * The validators are generated without ajv's `verbose` (src/analysis/private/structural.ts newAjv), so an
 * error's value, keyword schema and parent schema are looked up from its instancePath and schemaPath
 * (errorDetails). These tests compile the same schemas with `verbose` and require the lookups to be the
 * very values ajv put on each error: on the pinned schemas with the valid fixtures mutated at random, and on
 * a schema whose property names need escaping in both paths.
 */
import type Ajv from 'ajv';
import * as fc from 'fast-check';
import { ALL } from './bad-manifests';
import { ajvSchema, errorDetails, newAjv, pinnedSchema, rootSchemaPaths } from '../../src/analysis/private/structural';

/** newAjv's instance (its options: inlineRefs off, so a shared subschema's errors have paths from it), verbose. */
function verboseAjv(): Ajv {
  return newAjv(false, true);
}

/** Every error of a verbose validation, and what errorDetails finds for it, on the object ajv validated. */
function compare(validate: any, root: any, doc: any): number {
  const obj = structuredClone(doc);
  validate(obj);
  // (an error in a shared subschema has a schema path from it: rootSchemaPaths makes it a path from the root)
  for (const e of rootSchemaPaths(validate.errors ?? [], obj, root) as any[]) {
    const found = errorDetails(e, obj, root);
    // the same values, not copies: ajv's are references into the object and the root schema
    expect({ path: e.instancePath, schemaPath: e.schemaPath, data: found.data, schema: found.schema, parentSchema: found.parentSchema })
      .toEqual({ path: e.instancePath, schemaPath: e.schemaPath, data: e.data, schema: e.schema, parentSchema: e.parentSchema });
    expect(Object.is(found.data, e.data)).toBe(true);
    expect(found.schema === e.schema || (typeof e.schema !== 'object' && Object.is(found.schema, e.schema))).toBe(true);
    expect(found.parentSchema).toBe(e.parentSchema);
  }
  return validate.errors?.length ?? 0;
}

const VALUES = [null, 7, -1, 1.5, 'x', '', true, [], {}, [1, 'a'], { zz: 1 }, 'a'.repeat(300), '5s', '*'];

/** A copy of the document with one value replaced, one field removed or one unknown field added, at a chosen place. */
function mutate(doc: any, choice: number, value: unknown, kind: number): any {
  const d = structuredClone(doc);
  const places: [any, string | number][] = [];
  const walk = (v: any) => {
    if (v && typeof v === 'object') for (const k of Object.keys(v)) { places.push([v, Array.isArray(v) ? Number(k) : k]); walk(v[k]); }
  };
  walk(d.spec);
  if (!places.length) return d;
  const [node, key] = places[choice % places.length];
  if (kind === 0 && !Array.isArray(node)) delete node[key];
  else if (kind === 1 && node[key] && typeof node[key] === 'object' && !Array.isArray(node[key])) node[key].unknownField = 'v';
  else node[key] = structuredClone(value);
  return d;
}

describe('errorDetails finds what a verbose ajv error holds', () => {
  test('on the pinned schemas, the valid fixtures mutated at random', () => {
    const kinds = new Map<string, { validate: any; root: any; docs: any[] }>();
    for (const doc of ALL) {
      const key = `${doc.apiVersion}/${doc.kind}`;
      const pinned = pinnedSchema(doc.apiVersion, doc.kind);
      if (!pinned) continue;
      if (!kinds.has(key)) {
        const root = ajvSchema(pinned);
        kinds.set(key, { validate: verboseAjv().compile(root), root, docs: [] });
      }
      kinds.get(key)!.docs.push(doc);
    }
    expect(kinds.size).toBeGreaterThan(20);
    // kinds whose schema shares subschemas (DestinationRule's trafficPolicy, HTTPRoute's filters...)
    expect([...kinds.values()].filter(k => k.root.$defs).length).toBeGreaterThan(10);
    let errors = 0;
    let shared = 0;
    const all = [...kinds.values()].flatMap(k => k.docs.map(doc => ({ ...k, doc })));
    fc.assert(fc.property(
      fc.constantFrom(...all), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...VALUES), fc.nat(3)), { minLength: 1, maxLength: 3 }),
      ({ validate, root, doc }, changes) => {
        let d = doc;
        for (const [choice, value, kind] of changes) d = mutate(d, choice, value, kind);
        errors += compare(validate, root, d);
        shared += (validate.errors ?? []).filter((e: any) => rootSchemaPaths([e], d, root)[0] !== e).length;
      }), { numRuns: 1500, seed: 26 });
    // the mutations do make errors of many keywords (a run that made none would prove nothing), many of them in
    // shared subschemas
    expect(errors).toBeGreaterThan(1000);
    expect(shared).toBeGreaterThan(50);
  });

  test('property names that the paths escape (/, ~, %, space, non-ASCII), at every depth', () => {
    const names = ['a/b', 'c~d', 'e%25f', 'g h', 'ü', '~1', '%', 'x~0/y'];
    const leaf = { type: 'integer', minimum: 3 };
    const root: any = { type: 'object', additionalProperties: false, properties: {} };
    for (const n of names) {
      root.properties[n] = {
        type: 'object',
        additionalProperties: false,
        required: ['r/q'],
        properties: { [n]: leaf, 'r/q': { type: 'string' }, 'list~': { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string', enum: ['on'] }] } } },
      };
    }
    const validate = verboseAjv().compile(root);
    const doc: any = {};
    for (const n of names) doc[n] = { [n]: 1, 'list~': [true, 'off', 4], 'extra/field': 1 };
    doc['top/extra'] = 'x';
    // under each escaped name: minimum, required, additionalProperties, and two anyOf errors with their branches
    // (true: both types and the enum; "off": the integer type and the enum)
    expect(compare(validate, root, doc)).toBe(names.length * 10 + 1);
  });

  test('errors in shared subschemas ($defs): under escaped names, in int-or-string, and from value validations that go down into one', () => {
    const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f/~${i}`, { type: 'string', maxLength: 3 }]));
    const shared = () => ({ type: 'object', properties: { 'p/q': { 'x-kubernetes-int-or-string': true }, 'inner~x': { type: 'object', properties: { ...fields } }, ...fields } });
    const spec = {
      type: 'object',
      properties: { 'a/b': shared(), 'c~d': shared(), 'list': { type: 'array', items: shared() }, 'map': { type: 'object', additionalProperties: shared() } },
      // value validations (no structure of their own) that go down into the shared fields
      anyOf: [{ properties: { 'a/b': { required: ['f/~0'] } } }, { required: ['zz'] }],
      allOf: [{ properties: { 'c~d': { anyOf: [{ required: ['f/~1'] }, { required: ['f/~2'] }] } } }],
    };
    const root = ajvSchema({ apiVersion: 'example.com/v1', kind: 'Example', scope: 'Namespaced', schema: { type: 'object', properties: { spec } } });
    // the shared fields are $refs, one subschema holding another (inner~x's)
    expect(Object.keys(root.$defs ?? {}).length).toBeGreaterThanOrEqual(2);
    const bad = { 'p/q': true, 'inner~x': { 'f/~3': 'long', 'extra/x': 1 }, 'f/~4': 5, 'zz~': 1 };
    const doc = { spec: { 'a/b': bad, 'c~d': bad, 'list': [bad, {}], 'map': { 'k/~': bad } } };
    // every kind of error, in each place: the int-or-string anyOf, maxLength, type, additionalProperties, and the
    // value validations' required (their branches, reported by ajv too)
    expect(compare(verboseAjv().compile(root), root, doc)).toBeGreaterThan(25);
  });

  test('a value at a key that Object.prototype has is found only as an own field', () => {
    const root: any = { type: 'object', properties: { constructor: { type: 'string' }, toString: { type: 'object', properties: { a: { type: 'string' } } } } };
    const validate = verboseAjv().compile(root);
    expect(compare(validate, root, JSON.parse('{"constructor": 1, "toString": {"a": 2}}'))).toBe(2);
    const missing = errorDetails({ instancePath: '/constructor', schemaPath: '#/properties/constructor/type' } as any, {}, root);
    expect(missing.data).toBeUndefined();
    expect(missing.parentSchema).toBe(root.properties.constructor);
  });
});
