import { App } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { isMap, isScalar, isSeq, parseDocument, LineCounter } from 'yaml';
import { ALL, BAD } from './bad-manifests';
import { buildMesh } from '../../bench/run';
import { IstioDataPlane, Mesh } from '../../src';
import { DocumentLines } from '../../src/analysis/private/lines';

// DocumentLines walks the text without splitting it into an array of lines, and slices a document's text only
// when a finding needs a position in it. The reference below is the implementation before that change (the
// lines split and every document's text joined in the constructor): both give the same line for every
// document and path, on generated streams, the fixtures, the bad-input corpus and the apps of every mesh.

class ReferenceLines {
  private readonly docs: { line: number; text: string }[] = [];
  constructor(text: string) {
    const lines = text.split('\n');
    let start = 0;
    let contentLine = -1;
    const push = (end: number) => {
      this.docs.push({ line: (contentLine >= 0 ? contentLine : start) + 1, text: lines.slice(start, end).join('\n') });
    };
    for (let i = 0; i < lines.length; i++) {
      if (/^---(\s|$)/.test(lines[i])) {
        if (i > 0 || this.docs.length) push(i);
        start = i + 1;
        contentLine = /^---\s+\S/.test(lines[i]) ? i : -1;
        continue;
      }
      if (contentLine < 0 && lines[i].trim() !== '' && !lines[i].trimStart().startsWith('#')) contentLine = i;
    }
    push(lines.length);
  }

  public lineOf(index: number, p: (string | number)[]): number | undefined {
    const entry = this.docs[index];
    if (!entry) return undefined;
    if (!p.length) return entry.line;
    const counter = new LineCounter();
    const doc = parseDocument(entry.text, { lineCounter: counter, uniqueKeys: false });
    const offset = entry.line - 1 - (entry.text.split('\n').findIndex(l => l.trim() !== '' && !l.trimStart().startsWith('#')) || 0);
    for (let n = p.length; n >= 0; n--) {
      const node = lastIn(doc.contents, p.slice(0, n));
      if (node && node.range) return counter.linePos(node.range[0]).line + offset;
    }
    return entry.line;
  }
}

/** `doc.getIn(path, true)`, but a key written twice gives its last pair, as loadManifests (and go-yaml v2) read it. */
function lastIn(node: any, p: (string | number)[]): any {
  for (const key of p) {
    if (isSeq(node)) node = node.items[Number(key)];
    else if (isMap(node)) node = [...node.items].reverse().find(pair => isScalar(pair.key) && String(pair.key.value) === String(key))?.value;
    else return undefined;
  }
  return node;
}

const PATHS: (string | number)[][] = [[], ['a'], ['b', 0], ['b', 1, 'c'], ['metadata', 'name'], ['spec', 'http', 0, 'route'], ['x', 'y', 'z']];

function compare(text: string, documents: number): void {
  const fast = new DocumentLines(text);
  const slow = new ReferenceLines(text);
  for (let i = 0; i <= documents + 1; i++) {
    for (const p of PATHS) {
      const want = slow.lineOf(i, p);
      const got = fast.lineOf(i, p);
      if (got !== want) throw new Error(`document ${i} path ${JSON.stringify(p)}: ${got}, reference ${want}, in ${JSON.stringify(text)}`);
    }
  }
}

/** A deterministic generator (Park-Miller). */
function rng(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

// lines that are separators or not (trailing blanks, \r, a tab, text after ---, ---- , indented ---), comments,
// blank lines, content at several depths
const FRAGMENTS = ['---', '--- ', '---\r', '---\t# c', '--- a: 1', '--- |', '----', ' ---', '---x', '...', '#c', '  # c', '', ' ', '\t', '\r',
  'a: 1', 'a:', '  x: 2', 'b:', '- 1', '  - c: 3', '- c: 4', 'metadata:', '  name: n', 'spec: {http: [{route: r}]}', 'a: [1, 2', '\u2028', 'é😀: 1'];

describe('DocumentLines', () => {
  test('the same lines as the reference on generated streams', () => {
    const r = rng(26);
    for (let n = 0; n < 1500; n++) {
      const lines = Array.from({ length: Math.floor(r() * 14) }, () => FRAGMENTS[Math.floor(r() * FRAGMENTS.length)]);
      const text = lines.join('\n') + (r() < 0.3 ? '\n' : '');
      compare(text, lines.length);
    }
  });

  test('edge texts: empty, separators only, first and last lines', () => {
    for (const text of ['', '\n', '---', '---\n', '\n---', '---\n---', 'a: 1\n---', '---\na: 1', '# c\n---\na: 1\n---\n', '--- a: 1\n--- b: 2\n', 'a: 1\r\n---\r\nb: 2\r\n']) {
      compare(text, 4);
    }
    // a document's line: after its separator when the separator has no content, the separator's own when it has
    expect(new DocumentLines('a: 1\n---\n\n# c\nb: 2\n').lineOf(1, [])).toBe(5);
    expect(new DocumentLines('a: 1\n--- b: 2\n').lineOf(1, [])).toBe(2);
    expect(new DocumentLines('a: 1\n---\nb:\n  c: 3\n').lineOf(1, ['b', 'c'])).toBe(4);
    expect(new DocumentLines('a: 1\n---\n').lineOf(2, [])).toBeUndefined();
  });

  test('the same lines as the reference on the fixtures, the bad-input corpus and the apps of every mesh', () => {
    const texts = [jsyaml.dump(ALL.map(d => d)), ...BAD.map(b => jsyaml.dump(b.doc())), ALL.map(d => jsyaml.dump(d)).join('---\n')];
    for (const mesh of [Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), Mesh.linkerd(), Mesh.consul()]) {
      const app = new App();
      app.node.setContext('cdk8s-mesh:analyze', false);
      app.node.setContext('cdk8s-mesh:validate', false);
      app.node.setContext('cdk8s-mesh:warnings', 'none');
      buildMesh(app, mesh, 3);
      texts.push(app.synthYaml());
    }
    for (const text of texts) compare(text, text.split('\n---').length);
  });
});
