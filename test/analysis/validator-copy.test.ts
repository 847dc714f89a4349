/**
 * The validator checks an object in place when the check cannot change it (its schema has no default, and it holds
 * no null and only plain JSON data), and a copy otherwise: either way the caller's object is left as it was, and the
 * findings are those on a private copy.
 */
import * as fc from 'fast-check';
import { ALL, BAD, ROUTE } from './bad-manifests';
import { ManifestValidator } from '../../src';
import { plainWithoutNulls } from '../../src/analysis/validator';

const copy = (x: any) => JSON.parse(JSON.stringify(x));

describe('validation in place or on a copy', () => {
  const docs: any[] = [
    ...ALL, ...BAD.map(b => b.doc()),
    // nulls to prune (a VirtualService: no defaults), defaults to write (an HTTPRoute), data that is not JSON
    { ...copy(ALL[0]), spec: { ...copy(ALL[0]).spec, exportTo: null } },
    ROUTE(),
    { ...copy(ALL[0]), spec: { ...copy(ALL[0]).spec, exportTo: undefined } },
    { ...copy(ALL[0]), spec: { ...copy(ALL[0]).spec, tcp: [{ route: [{ destination: { host: 'x', port: { number: NaN } } }] }] } },
  ];

  test.each(docs.map((d, i) => [i, d]))('document %i: unchanged, and the findings of a copy', (_i, doc) => {
    const before = JSON.stringify(doc);
    const found = ManifestValidator.validateObjects([doc]).findings;
    expect(JSON.stringify(doc)).toBe(before);
    expect(found).toEqual(ManifestValidator.validateObjects([copy(doc)]).findings);
  });

  test('plain JSON without nulls, and not', () => {
    expect(plainWithoutNulls({ a: [1, 'x', true, { b: {} }] })).toBe(true);
    expect(plainWithoutNulls({ a: [1, null] })).toBe(false);
    expect(plainWithoutNulls({ a: undefined })).toBe(false);
    expect(plainWithoutNulls({ a: NaN })).toBe(false);
    expect(plainWithoutNulls({ a: new Date(0) })).toBe(false);
    expect(plainWithoutNulls(JSON.parse('{"__proto__": {"x": 1}}'))).toBe(false);
  });

  // An object checked in place skips the null pruning (it has no null, so pruning changes nothing): the findings
  // must be those of the same object read from YAML, which is always pruned. Nulls are put at generated places
  // (non-nullable fields, list items, maps): calling the check without pruning on such an object fails this.
  test('with and without nulls, the findings of the object read from YAML', () => {
    const shape = (f: any) => [f.code, f.severity, f.resource, f.path, f.message];
    const paths = (v: any, p: (string | number)[] = []): (string | number)[][] => {
      if (v === null || typeof v !== 'object') return [p];
      const keys: (string | number)[] = Array.isArray(v) ? v.map((_x, i) => i) : Object.keys(v);
      return [p, ...keys.flatMap(k => paths(v[k], [...p, k]))];
    };
    const base: any[] = [...ALL, ...BAD.map(b => b.doc()), ROUTE()];
    fc.assert(fc.property(fc.nat(base.length - 1), fc.array(fc.nat(), { maxLength: 3 }), fc.boolean(), (i, picks, addKey) => {
      const doc = copy(base[i]);
      const all = paths(doc).filter(p => p.length > 1);
      for (const n of picks) {
        if (!all.length) break;
        const p = all[n % all.length];
        let parent = doc;
        for (const k of p.slice(0, -1)) parent = parent?.[k];
        if (parent && typeof parent === 'object') {
          if (addKey && !Array.isArray(parent)) parent.extraNull = null;
          else parent[p[p.length - 1]] = null;
        }
      }
      const direct = ManifestValidator.validateObjects([doc]).findings.map(shape);
      expect(direct).toEqual(ManifestValidator.validateYaml(JSON.stringify(doc)).findings.map(shape));
    }), { numRuns: 300 });
  });
});
