import type { LineCounter, parseDocument } from 'yaml';

/** `yaml` (positions), loaded when a first finding needs a line: not at start-up of the CLI. */
let yamlLib: typeof import('yaml') | undefined;

/**
 * Maps (document, field path) to a line. js-yaml (fast) keeps no positions, so the documents are
 * located by their `---` separators, and only a document that has a finding on a field is parsed
 * again with `yaml` (which keeps positions), by itself.
 */
export class DocumentLines {
  /** For each document: its first line (1-based) and its text. */
  private readonly docs: { line: number; text: string }[] = [];
  private readonly parsed = new Map<number, { doc: ReturnType<typeof parseDocument>; counter: LineCounter }>();

  constructor(text: string) {
    const lines = text.split('\n');
    let start = 0;
    let contentLine = -1;
    const push = (end: number) => {
      this.docs.push({ line: (contentLine >= 0 ? contentLine : start) + 1, text: lines.slice(start, end).join('\n') });
    };
    for (let i = 0; i < lines.length; i++) {
      if (/^---(\s|$)/.test(lines[i])) {
        // text before the first separator is a document only when it has content
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
    let cached = this.parsed.get(index);
    if (!cached) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      yamlLib ??= require('yaml') as typeof import('yaml');
      const counter = new yamlLib.LineCounter();
      cached = { doc: yamlLib.parseDocument(entry.text, { lineCounter: counter, uniqueKeys: false }), counter };
      this.parsed.set(index, cached);
    }
    const offset = entry.line - 1 - (entry.text.split('\n').findIndex(l => l.trim() !== '' && !l.trimStart().startsWith('#')) || 0);
    // the deepest node of the path that exists (a missing field is reported at its parent)
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? cached.doc.contents : cached.doc.getIn(p.slice(0, n), true) as any;
      if (node && node.range) return cached.counter.linePos(node.range[0]).line + offset;
    }
    return entry.line;
  }
}
