import * as jsyaml from 'js-yaml';
import { MeshAnalyzer } from '../../src/analysis/analyzer';
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
    // documents 0 and 1 are handed over, then document 2 cannot be parsed (read whole first, none would have been)
    const seen: number[] = [];
    expect(refusal(() => forEachManifest(stream(cm('a'), cm('b'), unparsable), d => seen.push(d.documentIndex))))
      .toMatch(/^the YAML cannot be parsed/);
    expect(seen).toEqual([0, 1]);
  });

  test.each([
    ['a parse error', unparsable, /^the YAML cannot be parsed/],
    ['a key kubectl cannot read', '~: 1\n', /^the YAML is refused: .* is not a key kubectl can read/],
    ['a .nan', cm('c', 'data: {x: .nan}\n'), /^the YAML is refused: document 2 has \.nan or \.inf/],
    ['a document too large', bomb, /^the YAML is refused: document 2 expands to more than 3 MiB/],
  ])('%s in a later document comes out before what the caller threw', (_, later, expected) => {
    // as when the whole stream was read before any manifest was handed over; the caller is not called again
    const seen: number[] = [];
    expect(refusal(() => forEachManifest(stream(cm('a'), cm('b'), later), d => {
      seen.push(d.documentIndex);
      throw new Error('the caller failed');
    }))).toMatch(expected);
    expect(seen).toEqual([0]);
  });

  test('what the caller threw comes out once the stream is read, when nothing refuses it', () => {
    const seen: number[] = [];
    const stop = new Error('stop');
    expect(() => forEachManifest(stream(cm('a'), cm('b'), cm('c')), d => {
      seen.push(d.documentIndex);
      throw stop;
    })).toThrow(stop);
    expect(seen).toEqual([0]);
  });

  test('the size walk that short documents skip: a large document after short ones is still refused', () => {
    // no anchor, no nullFree: each document's text span decides whether it is walked (TREE_GROWTH); the spans must
    // stay those of their own documents as the documents are taken one by one
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const keys = Array.from({ length: 210_000 }, (_, i) => chars[i % 62] + chars[Math.floor(i / 62) % 62] + chars[Math.floor(i / 3844) % 62]);
    const large = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {${keys.join(',')}}\n`;
    expect(refusal(() => loadManifests(stream(cm('a'), '', cm('b'), large, cm('c'))))).toMatch(/^the YAML is refused: document 3 expands to more than 3 MiB/);
    expect(loadManifests(stream(cm('a'), '', cm('b'), cm('c'))).count).toBe(3);
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
    ['a key kubectl cannot read after a .nan', [cm('a', 'data: {x: .nan}\n'), '~: 1\n'], /^the YAML is refused: .* is not a key kubectl can read/],
  ])('%s', (_, docs, expected) => {
    const text = stream(...docs);
    expect(refusal(() => loadManifests(text))).toMatch(expected);
    expect(refusal(() => forEachManifest(text, () => undefined, undefined, { nullFree: true }))).toMatch(expected);
    // the validator: one finding, the refusal, whatever the documents before it would have given
    const r = ManifestValidator.validateYaml(stream(badDr, text));
    expect(r.findings.map(f => [f.code, f.message.replace(/document (\d+)/, (_m, n) => `document ${Number(n) - 1}`)]))
      .toEqual([[ValidationCodes.YAML_PARSE, expect.stringMatching(expected)]]);
  });

  test('the documents before a refusal are checked when nothing refuses the stream', () => {
    // the control of the case above: the same first document gives its finding
    const r = ManifestValidator.validateYaml(stream(badDr, cm('a')));
    expect(r.findings.map(f => f.code)).toContain(ValidationCodes.TYPE);
    expect([r.documents, r.checked]).toEqual([2, 1]); // (a ConfigMap has no pinned schema)
  });
});

describe('a document nested deeper than the parser reads, through aliases', () => {
  // js-yaml refuses text nested deeper than 100 levels (its maxDepth); aliases get past that (each `*aN` below nests
  // one level more without its text doing so), and the checks that recurse would overflow the stack on such a document
  const chain = (k: number) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: x, namespace: shop}', 'a0: &a0 [1]',
    ...Array.from({ length: k }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}]`), ''].join('\n');
  // nests k + 2 levels: the root mapping, then a{k}'s k + 1 sequences

  test('100 levels are read; 101 are refused, by name', () => {
    expect(loadManifests(chain(98)).count).toBe(1);
    expect(ManifestValidator.validateYaml(chain(98)).findings.map(f => f.code)).not.toContain(ValidationCodes.YAML_PARSE);
    const refused = /^the YAML is refused: document 0 nests deeper than 100 levels once its aliases are expanded/;
    expect(refusal(() => loadManifests(chain(99)))).toMatch(refused);
    const r = ManifestValidator.validateYaml(chain(99));
    expect(r.findings.map(f => [f.code, f.message])).toEqual([[ValidationCodes.YAML_PARSE, expect.stringMatching(refused)]]);
  });

  test('12,000 levels: refused, not a stack overflow (the validator and the analyzer)', () => {
    // one key written again and again (the last value is kept): one chain, 36 KB as JSON
    const deep = ['apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: {name: x, namespace: shop}',
      'spec:', '  host: x', '  x: &a0 [1]', ...Array.from({ length: 12_000 }, (_, i) => `  x: &a${i + 1} [*a${i}]`), ''].join('\n');
    const refused = /^the YAML is refused: document 0 nests deeper than 100 levels/;
    expect(ManifestValidator.validateYaml(deep).findings.map(f => f.message)).toEqual([expect.stringMatching(refused)]);
    expect(MeshAnalyzer.analyzeYaml(deep).findings.map(f => f.message)).toEqual([expect.stringMatching(refused)]);
    expect(refusal(() => loadManifests(deep))).toMatch(refused);
  });

  test('a .nan after nodes shared by many aliases is found without walking each path', () => {
    // a{n} holds a{n-1} twice: 2^60 paths to the last level (and far more than 3 MiB expanded: the .nan is named first)
    const doubling = ['a0: &a0 [1]', ...Array.from({ length: 60 }, (_, i) => `a${i + 1}: &a${i + 1} [*a${i}, *a${i}]`), 'z: .nan', ''].join('\n');
    expect(refusal(() => loadManifests(doubling))).toMatch(/^the YAML is refused: document 0 has \.nan or \.inf at z:/);
  });

  test('a .nan beside an alias of its own sequence, and one 12,000 levels down', () => {
    // the cycle is not followed (the .nan is named at its own path); the deep one is below what is searched, and the
    // document is refused for its depth (before: RangeError)
    expect(refusal(() => loadManifests('a: &a [*a, .nan]\n'))).toMatch(/^the YAML is refused: document 0 has \.nan or \.inf at a\.1:/);
    const deep = ['x: &a0 [.nan]', ...Array.from({ length: 12_000 }, (_, i) => `x: &a${i + 1} [*a${i}]`), ''].join('\n');
    expect(refusal(() => loadManifests(deep))).toMatch(/^the YAML is refused: document 0 nests deeper than 100 levels/);
  });

});
