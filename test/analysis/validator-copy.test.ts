/**
 * The validator checks an object in place when the check cannot change it (its schema has no default, and it holds
 * no null and only plain JSON data), and a copy otherwise: either way the caller's object is left as it was, and the
 * findings are those on a private copy.
 */
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
});
