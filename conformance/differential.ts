/**
 * The analyzer against `istioctl analyze` (issue 18 item 5): the hand-written corpus of Istio mistakes
 * (conformance/istio-corpus/), and how our findings map to istioctl's IST codes. Used by conformance/run.ts (with
 * istioctl) and by test/analysis/istio-corpus.test.ts (without Go: each case's recorded istioctl codes).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { ManifestValidator, MeshAnalyzer, Severity } from '../src';

export const CORPUS_DIR = path.join(__dirname, 'istio-corpus');

/** One hand-written case: a small manifest with a known mistake (or none), and what istioctl reports on it. */
export interface CorpusCase {
  /** The file name without .yaml. */
  readonly name: string;
  readonly file: string;
  readonly text: string;
  /** What the case shows (its `# case:` line). */
  readonly description: string;
  /** The IST codes `istioctl analyze --use-kube=false -A` reports (its `# istioctl:` line; empty for none). */
  readonly istioctl: string[];
  /**
   * What istioctl reports instead on some runs (its `# istioctl-or:` line), where its result depends on the order in
   * which it visits the objects, which it does not fix (pkg/config/analysis/local/context.go ForEach ranges over Go maps;
   * e.g. envoyfilter.go Analyze, whose result depends on which EnvoyFilter comes first).
   */
  readonly istioctlOr?: string[];
  /**
   * The IST codes our checks report (its `# analyzer:` line, where they differ from istioctl's for a reason
   * documented in conformance/exceptions.ts; else the same as `istioctl`).
   */
  readonly analyzer: string[];
}

/** The corpus, sorted by name. Each file starts with `# case: ...` and `# istioctl: IST0101 IST0132` lines. */
export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort().map(f => {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, 'utf8');
    const description = /^# case: (.*)$/m.exec(text)?.[1];
    const codes = /^# istioctl:(.*)$/m.exec(text)?.[1];
    if (description === undefined || codes === undefined) throw new Error(`${file}: needs a "# case:" and a "# istioctl:" line`);
    const split = (line: string) => line.trim().split(/\s+/).filter(c => c);
    const analyzer = /^# analyzer:(.*)$/m.exec(text)?.[1];
    const or = /^# istioctl-or:(.*)$/m.exec(text)?.[1];
    return { name: f.replace(/\.yaml$/, ''), file, text, description, istioctl: split(codes), ...(or !== undefined ? { istioctlOr: split(or) } : {}), analyzer: split(analyzer ?? codes) };
  });
}

const ISTIO_GROUP = /^(networking|security|telemetry|extensions)\.istio\.io\//;

/** An IST code we report, with the rule (or validator code) that reports it and its severity. */
export interface OurCode {
  readonly code: string;
  readonly rule: string;
  readonly severity: Severity;
}

/**
 * The IST codes our checks report on a set of YAML texts (analyzed together, as istioctl analyzes its files together):
 * - each analyzer finding's `upstream` IST code (every severity: istioctl's Info codes count too);
 * - IST0106 SchemaValidationError for an error of our validator (`cdk8s-mesh validate`: the CRD schema and CEL
 *   rules) on an Istio object: istioctl's IST0106 is Istio's admission validation (pkg/config/validation), which
 *   our validator and the analyzer's webhook rules re-implement between them.
 */
export function ourIstioCodes(texts: string[]): OurCode[] {
  const out: OurCode[] = [];
  const analysis = MeshAnalyzer.analyzeObjects(texts.flatMap(t => jsyaml.loadAll(t) as any[]).filter(d => d && typeof d === 'object'));
  for (const f of analysis.findings) {
    if (f.code === 'A000') continue;
    for (const code of new Set((f.upstream ?? '').match(/IST\d{4}/g) ?? [])) out.push({ code, rule: f.code, severity: f.severity });
  }
  for (const text of texts) {
    const docs = (jsyaml.loadAll(text) as any[]);
    for (const f of ManifestValidator.validateYaml(text).findings) {
      if (f.severity !== Severity.ERROR) continue;
      const doc = docs[f.documentIndex ?? 0];
      if (doc && typeof doc.apiVersion === 'string' && ISTIO_GROUP.test(doc.apiVersion)) out.push({ code: 'IST0106', rule: f.code, severity: f.severity });
    }
  }
  return out;
}

/** Per IST code: how many inputs both, only istioctl, only we report it on; and only istioctl for a documented reason. */
export interface Tally { both: number; istioctl: number; ours: number; documented: number }

/** One message of istioctl analyze (its JSON output). */
export interface IstioctlMessage { code: string; origin: string; message: string; level?: string }

/** Decides whether istioctl's message is one our analyzer deliberately does not repeat (conformance/exceptions.ts). */
export type Documented = (m: IstioctlMessage) => boolean;

export class Differential {
  public readonly tally = new Map<string, Tally>();
  public readonly details: string[] = [];
  public readonly documentedDetails: string[] = [];
  /** Per rule of ours: the inputs where it reported a code istioctl did not report. */
  public readonly onlyOursByRule = new Map<string, string[]>();

  /**
   * Adds one input: the messages istioctl reported (or its codes) and our codes. Each code counts once per input:
   * both, only istioctl, only ours, or documented (only istioctl, every message of it for a documented reason).
   */
  public add(input: string, istioctl: (IstioctlMessage | string)[], ours: OurCode[], documented: Documented = () => false): void {
    const messages = istioctl.map(m => (typeof m === 'string' ? { code: m, origin: '', message: '' } : m));
    const upstream = new Set(messages.filter(m => !documented(m)).map(m => m.code));
    const excused = new Set(messages.filter(m => documented(m)).map(m => m.code));
    const mine = new Set(ours.map(o => o.code));
    for (const code of [...new Set([...upstream, ...excused, ...mine])].sort()) {
      const k: keyof Tally = (upstream.has(code) || excused.has(code)) && mine.has(code) ? 'both'
        : upstream.has(code) ? 'istioctl' : excused.has(code) ? 'documented' : 'ours';
      const row = this.tally.get(code) ?? { both: 0, istioctl: 0, ours: 0, documented: 0 };
      row[k]++;
      this.tally.set(code, row);
      if (k === 'istioctl') this.details.push(`${input}: ${code} only by istioctl`);
      if (k === 'documented') this.documentedDetails.push(`${input}: ${code} only by istioctl (documented)`);
      if (k === 'ours') {
        const rules = [...new Set(ours.filter(o => o.code === code).map(o => o.rule))];
        this.details.push(`${input}: ${code} only by us (${rules.join(', ')})`);
        for (const r of rules) this.onlyOursByRule.set(r, [...this.onlyOursByRule.get(r) ?? [], input]);
      }
    }
  }

  /** Both / (both + only istioctl), over the given codes (all when none given). */
  public recall(codes?: (code: string) => boolean): { both: number; found: number; recall: number } {
    let both = 0;
    let found = 0;
    for (const [code, r] of this.tally) {
      if (codes && !codes(code)) continue;
      both += r.both;
      found += r.both + r.istioctl;
    }
    return { both, found, recall: found ? both / found : 1 };
  }

  public rows(): string[] {
    return [...this.tally].sort(([a], [b]) => a.localeCompare(b))
      .map(([code, r]) => `${code}: both ${r.both}, only istioctl ${r.istioctl}, only ours ${r.ours}, documented ${r.documented}${r.both + r.istioctl ? `, recall ${(r.both / (r.both + r.istioctl)).toFixed(2)}` : ''}`);
  }
}
