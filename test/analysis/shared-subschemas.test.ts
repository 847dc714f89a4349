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

const pinned = (schema: any): PinnedSchema => ({ apiVersion: 'example.com/v1', kind: 'Example', scope: 'Namespaced', schema });

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
    const obj: any = { apiVersion: 'example.com/v1', kind: 'Example', metadata: { name: 'x' }, spec: { first: {}, list: [{ second: { n: 1.5, extra: 1 } }] } };
    const issues = validateStructure(obj, pinned(schema), true);
    expect(obj.spec.first.mode).toBe('on');
    expect(obj.spec.list[0].second.mode).toBe('on');
    expect(issues.map(i => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'spec.list.0.second.extra: unknown field "extra" (not in the schema: check the spelling and the apiVersion)',
      'spec.list.0.second.n: must be of type integer, got number 1.5',
    ]);
  });
});
