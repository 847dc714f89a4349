import * as fc from 'fast-check';
import { ValidationCodes } from '../../src';
import { checkListTypes } from '../../src/analysis/private/structural';

// checkListTypes keeps its path as a chain of links (made into a list only for a duplicate) instead of copying it
// at every level: the same issues, in the same order, as the version before (kept here), on generated values
// with sets and maps of lists nested in lists and maps, nulls, holes and missing keys. A path that drops or
// repeats a level, or issues in another order, fail this.
function before(value: any, schema: any, p: (string | number)[]): any[] {
  if (value === null || typeof value !== 'object' || !schema || !below(schema)) return [];
  const out: any[] = [];
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys: string[] | undefined = schema['x-kubernetes-list-map-keys'];
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const id = listType === 'map' && keys && item && typeof item === 'object'
          ? JSON.stringify(keys.map(k => item[k] ?? schema.items?.properties?.[k]?.default ?? null))
          : JSON.stringify(item);
        if (seen.has(id)) {
          const s = (v: unknown) => {
            const t = JSON.stringify(v);
            return t === undefined ? String(v) : t.length > 80 ? t.slice(0, 77) + '...' : t;
          };
          const what = listType === 'map' && keys ? `key ${keys.map(k => `${k}=${s(item?.[k])}`).join(', ')}` : `value ${s(item)}`;
          out.push({ code: ValidationCodes.DUPLICATE, path: [...p, i], message: `duplicate entry with ${what} (also at index ${seen.get(id)}): entries must be unique` });
        } else {
          seen.set(id, i);
        }
      });
    }
    if (schema.items) value.forEach((item, i) => out.push(...before(item, schema.items, [...p, i])));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    const child = schema.properties?.[k] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (child) out.push(...before(v, child, [...p, k]));
  }
  return out;
}
function below(schema: any): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const t = schema['x-kubernetes-list-type'];
  return t === 'set' || t === 'map' || below(schema.items) || (typeof schema.additionalProperties === 'object' && below(schema.additionalProperties))
    || Object.values(schema.properties ?? {}).some(below);
}

describe('list-type uniqueness: the same issues as before', () => {
  const set = { 'type': 'array', 'x-kubernetes-list-type': 'set', 'items': { type: 'string' } };
  const map = {
    'type': 'array',
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name', 'port'],
    'items': { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 }, tags: set } },
  };
  const schema = {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { servers: map, hosts: set, groups: { type: 'array', items: { type: 'object', properties: { servers: map } } } } },
      data: { type: 'object', additionalProperties: set },
      plain: { type: 'array', items: { type: 'string' } },
    },
  };
  const str = fc.constantFrom('a', 'b', 'c');
  const server = fc.oneof(
    fc.record({ name: str, port: fc.constantFrom(80, 443), tags: fc.array(str, { maxLength: 3 }) }, { requiredKeys: [] }),
    fc.constant(null), fc.constant('x'),
  );
  const servers = fc.array(server, { maxLength: 4 }).chain(a => fc.nat(4).map(h => {
    if (h < a.length) delete a[h];
    return a;
  }));
  const value = fc.record({
    spec: fc.record({
      servers,
      hosts: fc.array(fc.oneof(str, fc.constant(null)), { maxLength: 4 }),
      groups: fc.array(fc.record({ servers }, { requiredKeys: [] }), { maxLength: 3 }),
    }, { requiredKeys: [] }),
    data: fc.dictionary(str, fc.array(str, { maxLength: 3 }), { maxKeys: 3 }),
    plain: fc.array(str),
  }, { requiredKeys: [] });

  test('on generated values, with and without a starting path', () => {
    fc.assert(fc.property(value, fc.constantFrom<(string | number)[]>([], ['items', 2]), (v, p) => {
      expect(checkListTypes(v, schema, p)).toEqual(before(v, schema, p));
    }), { numRuns: 1000 });
    const dup = { spec: { groups: [{}, { servers: [{ name: 'a' }, { name: 'a', port: 80 }] }] } };
    expect(checkListTypes(dup, schema, []).map(i => i.path)).toEqual([['spec', 'groups', 1, 'servers', 1]]);
  });
});
