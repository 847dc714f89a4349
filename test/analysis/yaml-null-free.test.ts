import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { loadManifests } from '../../src/analysis/private/yaml';
import { ManifestValidator } from '../../src/analysis/validator';

// loadManifests (asked by the validator: `{ nullFree: true }`) marks a document `nullFree` when the size walk
// (documents without anchors) met no null; the
// validator then skips pruneNulls on it (which only deletes nulls). The mark must be exactly "no null anywhere
// in the document" where it is set: a walk that misses nulls in lists, in nested maps, or after the first key,
// or a mark given to documents sized by expandedSize (with anchors: not walked as trees), fails these.
function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (typeof v !== 'object') return false;
  return Object.values(v as object).some(hasNull);
}

describe('loadManifests: nullFree', () => {
  const key = fc.constantFrom('a', 'b', 'spec', 'x-y', '0');
  const leaf = fc.oneof(fc.constant(null), fc.string({ maxLength: 4 }), fc.integer(), fc.boolean());
  const tree = fc.letrec(tie => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  })).node;

  test('is "no null in the document" for documents without anchors, never set with anchors', () => {
    fc.assert(fc.property(fc.array(fc.dictionary(key, tree, { maxKeys: 4 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (docs, list) => {
      const objs = list ? [{ kind: 'List', apiVersion: 'v1', items: docs }] : docs;
      const text = objs.map(d => yaml.dump(d, { noRefs: true })).join('---\n');
      const loaded = loadManifests(text, undefined, { nullFree: true });
      // a reader that does not ask (lint, the matrix) gets no mark: its short documents are not walked
      expect(loadManifests(text).documents.every(x => x.nullFree === false)).toBe(true);
      for (const d of loaded.documents) {
        const whole = list ? loaded.documents.map(x => x.obj) : [d.obj];
        // (a '&' anywhere in the text, even in a string, sends every document to expandedSize: not marked)
        expect(d.nullFree).toBe(!text.includes('&') && !whole.some(hasNull));
      }
      // the same documents with an anchor somewhere: sized by expandedSize, never marked
      const anchored = loadManifests(`${text}\n---\nanchor: &a {k: v}\nalias: *a\n`, undefined, { nullFree: true });
      expect(anchored.documents.every(x => x.nullFree === false)).toBe(true);
    }), { numRuns: 400 });
  });

  test('validateYaml: nulls still pruned where the document has one, findings as of the objects', () => {
    // a null in a non-nullable field is pruned (no finding); a document without nulls skips the prune
    const route = (extra: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r, namespace: ns}
spec:
  host: h${extra}
`;
    for (const text of [route(''), route('\n  exportTo: null'), route('\n  trafficPolicy: {tls: null}'), route('\n  subsets: [{name: a, labels: null}]'),
      // the other ways YAML writes a null: ~, Null, NULL, an empty value, in flow collections
      route('\n  exportTo: ~'), route('\n  exportTo: Null'), route('\n  exportTo: NULL'), route('\n  exportTo:'), route('\n  exportTo: [~, ""]'),
      route('\n  trafficPolicy: {tls: }'), route('\n  subsets: [{name: a, labels: ~}]')]) {
      const mark = loadManifests(text, undefined, { nullFree: true }).documents[0].nullFree;
      expect([text, mark]).toEqual([text, !hasNull(yaml.load(text))]);
      const fromYaml = ManifestValidator.validateYaml(text).findings.map(f => [f.code, f.path, f.message]);
      const fromObjects = ManifestValidator.validateObjects([yaml.load(text)]).findings.map(f => [f.code, f.path, f.message]);
      expect(fromYaml).toEqual(fromObjects);
    }
  });
});
