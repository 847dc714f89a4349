import * as jsyaml from 'js-yaml';
import { ValidationCodes } from '../../src/analysis/findings';
import { forEachManifest, LoadedDocument, loadManifests, YamlReadError } from '../../src/analysis/private/yaml';
import { ManifestValidator } from '../../src/analysis/validator';

// The validator reads a stream one document at a time (forEachManifest, issue 26): each manifest is checked as its
// document is read and then let go. What it reports must be what reading the whole stream first gave: a stream that
// cannot be read is one finding, whichever document refuses it, and the same refusal wins as before.

const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'kind: ConfigMap', '',
].join('\n');
const cm = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop}\n${extra}`;
const badDr = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: dr, namespace: shop}\nspec: {host: 7}\n';
const unparsable = 'a: [b\n';
const stream = (...docs: string[]) => docs.join('---\n');

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof YamlReadError) return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('forEachManifest hands each manifest over as its document is read', () => {
  test('a manifest reaches the caller before a later document is parsed', () => {
    // the caller's error on document 0 comes out, not the parse error of document 2: document 2 was not read yet
    const seen: number[] = [];
    const stop = new Error('stop');
    expect(() => forEachManifest(stream(cm('a'), cm('b'), unparsable), d => {
      seen.push(d.documentIndex);
      throw stop;
    })).toThrow(stop);
    expect(seen).toEqual([0]);
  });

  test('the same manifests, indexes and prefixes as the whole stream read at once', () => {
    const text = stream(cm('a'), '', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n- {apiVersion: v1, kind: Service, metadata: {name: t}}\n', cm('c'));
    const handed: LoadedDocument[] = [];
    const count = forEachManifest(text, d => handed.push(d));
    expect(count).toBe(4);
    expect(handed.map(d => [d.documentIndex, d.prefix.join('.'), d.obj.metadata.name])).toEqual([
      [0, '', 'a'], [2, 'items.0', 's'], [2, 'items.1', 't'], [3, '', 'c'],
    ]);
    // js-yaml's own reading of the same stream (document 1 is empty)
    const plain = jsyaml.loadAll(text) as any[];
    expect(handed.map(d => d.prefix.length ? plain[d.documentIndex].items[d.prefix[1]] : plain[d.documentIndex])).toEqual(handed.map(d => d.obj));
    expect(loadManifests(text)).toEqual({ documents: handed, count: 4 });
  });
});

describe('a refused stream: the same refusal as reading it whole', () => {
  test.each([
    ['a parse error after a .nan', [cm('a', 'data: {x: .nan}\n'), unparsable], /^the YAML cannot be parsed/],
    ['a parse error after a document too large', [bomb, cm('a'), unparsable], /^the YAML cannot be parsed/],
    ['a .nan after a document too large', [bomb, cm('a', 'data: {x: .inf}\n')], /^the YAML is refused: document 1 has \.nan or \.inf at data\.x/],
    ['the first of two .nan', [cm('a'), cm('b', 'data: {x: .nan}\n'), cm('c', 'data: {z: -.inf}\n')], /^the YAML is refused: document 1 has \.nan or \.inf at data\.x/],
    ['a .nan read as a key only, then one as a value', [cm('a', 'data: {.inf: x}\n'), cm('b', 'data: {z: .nan}\n')], /^the YAML is refused: document 1 has \.nan or \.inf at data\.z/],
    ['the first of two documents too large', [cm('a'), bomb, 'a: &a [*a]\n'], /^the YAML is refused: document 1 expands to more than 3 MiB/],
    ['a recursive alias before a document too large', ['a: &a [*a]\n', bomb], /^the YAML is refused: document 0 refers to itself/],
  ])('%s', (_, docs, expected) => {
    const text = stream(...docs);
    expect(refusal(() => loadManifests(text))).toMatch(expected);
    expect(refusal(() => forEachManifest(text, () => undefined, undefined, { nullFree: true }))).toMatch(expected);
    // the validator: one finding, the refusal, whatever the documents before it would have given
    const r = ManifestValidator.validateYaml(stream(badDr, text));
    expect(r.findings.map(f => [f.code, f.message.replace(/document (\d+)/, (_m, n) => `document ${Number(n) - 1}`)]))
      .toEqual([[ValidationCodes.YAML_PARSE, expect.stringMatching(expected)]]);
    expect([r.documents, r.checked]).toEqual([0, 0]);
  });

  test('the documents before a refusal are checked when nothing refuses the stream', () => {
    // the control of the case above: the same first document gives its finding
    const r = ManifestValidator.validateYaml(stream(badDr, cm('a')));
    expect(r.findings.map(f => f.code)).toContain(ValidationCodes.TYPE);
    expect([r.documents, r.checked]).toEqual([2, 1]); // (a ConfigMap has no pinned schema)
  });
});
