import type { Document, LineCounter, Node, parseDocument } from 'yaml';
import { goPlainKey } from './yaml';

/** `yaml` (positions), loaded when a first finding needs a line: not at start-up of the CLI. */
let yamlLib: typeof import('yaml') | undefined;

/**
 * Maps (document, field path) to a line. js-yaml (fast) keeps no positions, so the documents are
 * located by their `---` separators, and only a document that has a finding on a field is parsed
 * again with `yaml` (which keeps positions), by itself.
 */
export class DocumentLines {
  /**
   * For each document: its first line (1-based) and where its text is in the source (`from` to `to`, sliced when a
   * finding needs a position in it: most documents of a large stream have none, and most findings need only `line`).
   */
  private readonly docs: { line: number; from: number; to: number }[] = [];
  private readonly parsed = new Map<number, { doc: ReturnType<typeof parseDocument>; counter: LineCounter }>();

  constructor(private readonly source: string) {
    // the lines of the text split at '\n', walked without an array of them: a document starts after each
    // line that is a `---` separator; its line is the separator's when content follows it, else its first
    // line with content (not blank, not a comment)
    const text = source;
    let start = 0; // the document's first line
    let startPos = 0; // and where it starts in the text
    let contentLine = -1;
    // a document of the lines start..end-1, whose last '\n' (or the end of the text) is at `to`
    const push = (end: number, to: number) => {
      this.docs.push({ line: (contentLine >= 0 ? contentLine : start) + 1, from: startPos, to: end > start ? to : startPos });
    };
    let pos = 0;
    for (let i = 0; ; i++) {
      const nl = text.indexOf('\n', pos);
      const lineEnd = nl < 0 ? text.length : nl;
      if (text.startsWith('---', pos) && /^---(\s|$)/.test(text.slice(pos, lineEnd))) {
        // text before the first separator is a document only when it has content
        if (i > 0 || this.docs.length) push(i, pos - 1);
        start = i + 1;
        startPos = lineEnd + 1;
        contentLine = /^---\s+\S/.test(text.slice(pos, lineEnd)) ? i : -1;
      } else if (contentLine < 0) {
        const line = text.slice(pos, lineEnd);
        if (line.trim() !== '' && !line.trimStart().startsWith('#')) contentLine = i;
      }
      if (nl < 0) {
        push(i + 1, text.length);
        break;
      }
      pos = nl + 1;
    }
  }

  /** The text of a document (its lines joined by '\n'). */
  private text(entry: { from: number; to: number }): string {
    return entry.to > entry.from ? this.source.slice(entry.from, entry.to) : '';
  }

  public lineOf(index: number, p: (string | number)[]): number | undefined {
    const entry = this.docs[index];
    if (!entry) return undefined;
    if (!p.length) return entry.line;
    let cached = this.parsed.get(index);
    if (!cached) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      yamlLib ??= require('yaml') as typeof import('yaml');
      const counter = new yamlLib.LineCounter();
      cached = { doc: yamlLib.parseDocument(this.text(entry), { lineCounter: counter, uniqueKeys: false }), counter };
      this.parsed.set(index, cached);
    }
    const offset = entry.line - 1 - (this.text(entry).split('\n').findIndex(l => l.trim() !== '' && !l.trimStart().startsWith('#')) || 0);
    // the deepest node of the path that exists (a missing field is reported at its parent)
    let node: unknown = cached.doc.contents;
    let found = cached.doc.contents as Node | null;
    for (const key of p) {
      node = childOf(cached.doc, node, key);
      if (!node) break;
      if ((node as Node).range) found = node as Node;
    }
    if (found && found.range) return cached.counter.linePos(found.range[0]).line + offset;
    return entry.line;
  }
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/**
 * The node under `key` of a mapping or sequence node, with the mapping's keys read as loadManifests reads them: `yaml`
 * parses with YAML 1.2, where `on:` is the key "on" and `<<` a plain key, and loadManifests with YAML 1.1 as kubectl
 * (yaml.ts: `on:` is the key "true", `1.0:` "1", `<<: *x` merges x). Merges as go-yaml v2 (yaml.ts GoKeys): the last
 * pair that gives the key wins (a merge key's mappings taken last to first). An alias in the path is not followed.
 */
function childOf(doc: Document, node: unknown, key: string | number, merging: Set<unknown> = new Set()): Node | undefined {
  const y = yamlLib!;
  if (y.isSeq(node)) {
    const i = typeof key === 'number' ? key : /^[0-9]+$/.test(key) ? Number(key) : -1;
    return i >= 0 ? (node.items[i] as Node | undefined) ?? undefined : undefined;
  }
  if (!y.isMap(node)) return undefined;
  const want = String(key);
  let found: Node | undefined;
  // a key written twice: its last pair, as loadManifests and go-yaml v2 read it (decode.go setMapIndex stores each in turn)
  for (const pair of node.items) {
    const k = pair.key;
    if (!y.isScalar(k)) continue; // a collection as a key: no key of ours
    const plain = k.type === 'PLAIN' && !k.tag;
    if ((plain && k.source === '<<') || k.tag === MERGE_TAG) {
      const value = resolveAlias(doc, pair.value);
      const sources = y.isSeq(value) ? [...value.items].reverse().map(s => resolveAlias(doc, s)) : [value];
      for (const source of sources) {
        if (merging.has(source)) continue; // a mapping that merges itself (loadManifests refuses it)
        merging.add(source);
        const inSource = childOf(doc, source, key, merging);
        merging.delete(source);
        if (inSource) found = inSource;
      }
      continue;
    }
    const name = plain && typeof k.source === 'string' ? goPlainKey(k.source) : String(k.value);
    if (name === want) found = y.isNode(pair.value) && pair.value.range ? pair.value : k;
  }
  return found;
}

function resolveAlias(doc: Document, node: unknown): unknown {
  return yamlLib!.isAlias(node) ? node.resolve(doc) : node;
}
