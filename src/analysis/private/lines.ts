import { LineCounter, parseAllDocuments } from 'yaml';

/** Maps (document, field path) to a line, parsing with `yaml` (which keeps positions) only when needed. */
export class DocumentLines {
  private readonly counter = new LineCounter();
  private readonly docs: ReturnType<typeof parseAllDocuments>;

  constructor(text: string) {
    const parsed = parseAllDocuments(text, { lineCounter: this.counter, uniqueKeys: false });
    this.docs = Array.isArray(parsed) ? parsed : [];
  }

  public lineOf(index: number, p: (string | number)[]): number | undefined {
    const doc = this.docs[index];
    if (!doc) return undefined;
    // the deepest node of the path that exists (a missing field is reported at its parent)
    for (let n = p.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true) as any;
      if (node && node.range) return this.counter.linePos(node.range[0]).line;
    }
    return undefined;
  }
}
