/**
 * ajvSchema writes a subschema that a CRD repeats once, in `$defs` (shareSubschemas), so that the precompiled
 * validators hold ajv's code for it once (issue 26). The sharing loses nothing (the schema with its $refs expanded is
 * the CRD's), keeps what ajv cannot see through a $ref (a property's default) and what errors are matched by (the
 * branches of anyOf/oneOf/allOf/not) in place, and shrinks the validators it applies to.
 */
import standaloneCode from 'ajv/dist/standalone';
import { ajvSchema, newAjv, PinnedSchema, pinnedKinds, pinnedSchema, shareSubschemas, toJsonSchema, validateStructure } from '../../src/analysis/private/structural';

/** The schema with every $ref replaced by (a copy of) its subschema, and no $defs. */
function expand(schema: any, root: any = schema): any {
  if (Array.isArray(schema)) return schema.map(s => expand(s, root));
  if (schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string') return expand(root.$defs[schema.$ref.slice('#/$defs/'.length)], root);
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) if (k !== '$defs') out[k] = expand(v, root);
  return out;
}

/** Every $ref of a schema, with the path where it is. */
function refs(schema: any, at: string[] = []): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (typeof schema.$ref === 'string') return [at.join('.')];
  return Object.entries(schema).flatMap(([k, v]) => (k === '$defs' ? [] : refs(v, [...at, k])));
}

// (a kind of its own per test: the validator of a kind is made once)
const pinned = (schema: any, kind = 'Example'): PinnedSchema => ({ apiVersion: 'example.com/v1', kind, scope: 'Namespaced', schema });

/** An object schema whose JSON is exactly `length` characters long. */
function sized(length: number, extra: any = {}): any {
  const base = { type: 'object', properties: { a: { type: 'string' } }, ...extra, description: '' };
  return { ...base, description: 'x'.repeat(length - JSON.stringify(base).length) };
}

describe('shared subschemas', () => {
  test('every pinned kind: the schema with its $refs expanded is the unshared one', () => {
    let sharing = 0;
    for (const key of pinnedKinds()) {
      const [group, version, kind] = key.split('/');
      const p = pinnedSchema(`${group}/${version}`, kind)!;
      const shared = ajvSchema(p);
      const plain = toJsonSchema(p.schema);
      plain.properties = { ...plain.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };
      expect([key, expand(shared)]).toEqual([key, plain]);
      if (shared.$defs) sharing++;
    }
    expect(sharing).toBeGreaterThan(10);
  });

  test('DestinationRule: trafficPolicy is written once, and the validator\'s code is under a third of the unshared one', () => {
    const p = pinnedSchema('networking.istio.io/v1', 'DestinationRule')!;
    const shared = ajvSchema(p);
    expect(refs(shared)).toEqual(expect.arrayContaining(['properties.spec.properties.trafficPolicy', 'properties.spec.properties.subsets.items.properties.trafficPolicy']));
    expect(shared.properties.spec.properties.trafficPolicy).toEqual(shared.properties.spec.properties.subsets.items.properties.trafficPolicy);
    const code = (schema: any) => { const ajv = newAjv(true); return standaloneCode(ajv, ajv.compile(schema)).length; };
    const unshared = code(expand(shared));
    expect(code(shared) * 3).toBeLessThan(unshared);
  });

  test('a subschema is shared from 300 characters of JSON, written at least twice', () => {
    const at = (n: number, times: number) => {
      const properties: any = {};
      for (let i = 0; i < times; i++) properties[`p${i}`] = sized(n);
      return refs(shareSubschemas({ type: 'object', properties })).length;
    };
    expect(at(299, 2)).toBe(0);
    expect(at(300, 2)).toBe(2);
    expect(at(300, 1)).toBe(0);
    expect(at(300, 3)).toBe(3);
  });

  test('not shared: a subschema with a default (ajv reads a property\'s default from its own schema), one in a combinator', () => {
    const withDefault = sized(400, { default: {} });
    const s = shareSubschemas({ type: 'object', properties: { a: withDefault, b: withDefault } });
    expect(refs(s)).toEqual([]);
    const branch = sized(400);
    const c = shareSubschemas({ type: 'object', properties: { a: { anyOf: [branch, { type: 'string' }] }, b: { anyOf: [branch, { type: 'integer' }] } } });
    expect(refs(c)).toEqual([]);
    // (the same properties outside a combinator are shared)
    expect(refs(shareSubschemas({ type: 'object', properties: { a: branch, b: { anyOf: [branch] }, c: branch } }))).toEqual(['properties.a', 'properties.c']);
  });

  test('the defaults inside a shared subschema are written at each place, and its errors found at each', () => {
    const more = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 10 }]));
    const inner = { type: 'object', properties: { mode: { type: 'string', default: 'on', enum: ['on', 'off'] }, n: { type: 'integer' }, ...more } };
    const schema = { type: 'object', properties: { spec: { type: 'object', properties: { first: inner, list: { type: 'array', items: { type: 'object', properties: { second: inner } } } } } } };
    expect(refs(ajvSchema(pinned(schema))).length).toBe(2);
    const obj: any = { apiVersion: 'example.com/v1', kind: 'Defaults', metadata: { name: 'x' }, spec: { first: {}, list: [{ second: { n: 1.5, extra: 1 } }] } };
    const issues = validateStructure(obj, pinned(schema, 'Defaults'), true);
    expect(obj.spec.first.mode).toBe('on');
    expect(obj.spec.list[0].second.mode).toBe('on');
    expect(issues.map(i => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'spec.list.0.second.extra: unknown field "extra" (not in the schema: check the spelling and the apiVersion)',
      'spec.list.0.second.n: must be of type integer, got number 1.5',
    ]);
  });

  test('the findings that the schema path of an error decides, in a shared subschema: int-or-string, oneOf, a value validation going into it', () => {
    // the same findings as before the sharing (the commit before it gives these seven lines for this schema and object)
    const fields = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, { type: 'string', maxLength: 3 }]));
    const shared = () => ({
      type: 'object',
      properties: { port: { 'x-kubernetes-int-or-string': true }, p: { type: 'string' }, q: { type: 'string' }, ...fields },
      oneOf: [{ required: ['p'] }, { required: ['q'] }],
    });
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { first: shared(), list: { type: 'array', items: shared() } },
          anyOf: [{ properties: { first: { required: ['field0'] } } }, { required: ['other'] }],
        },
      },
    };
    expect(refs(ajvSchema(pinned(schema)))).toEqual(['properties.spec.properties.first', 'properties.spec.properties.list.items']);
    const obj = { apiVersion: 'example.com/v1', kind: 'Paths', metadata: { name: 'x' }, spec: { first: { port: true, p: 'a', q: 'b', field1: 'long' }, list: [{ port: 1.5, field2: 7 }] } };
    expect(validateStructure(obj, pinned(schema, 'Paths'), true).map(i => `${i.code} ${i.path.join('.')}: ${i.message}`)).toEqual([
      'SCH009 spec: must set one of: other',
      'SCH009 spec.first: at most one of p, q may be set, got p and q',
      'SCH001 spec.first.port: must be an integer or a string, got true',
      'SCH008 spec.first.field1: "long" must be at most 3 characters long',
      'SCH009 spec.list.0: at most one of p, q may be set',
      'SCH001 spec.list.0.port: must be an integer or a string, got 1.5',
      'SCH001 spec.list.0.field2: must be of type string, got number 7: quote the value if a string is meant',
    ]);
  });
});
