/**
 * The hand-written YAML cases (conformance/yaml-cases, docs/conformance.md): one case per file, each a custom resource of
 * a pinned kind written as a person writes YAML, to check that we READ it as kubectl and the API server read it
 * (sigs.k8s.io/yaml YAMLToJSON on go-yaml v2: YAML 1.1 scalars, keys as Go writes them, `<<` merges, refused keys).
 * Each file starts with `# case: <what it tests>` and `# expect: accept | reject | refuse-file` (refuse-file: kubectl
 * cannot read the file at all). `npm run conformance` checks the verdicts against the API server's code (crdcheck);
 * test/analysis/yaml-cases.test.ts checks ours against the recorded ones without Go.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ManifestValidator, Severity, ValidationCodes } from '../src';

export const YAML_CASES_DIR = path.join(__dirname, 'yaml-cases');

export type YamlVerdict = 'accept' | 'reject' | 'refuse-file';

export interface YamlCase {
  readonly name: string;
  readonly file: string;
  /** The `# case:` line. */
  readonly what: string;
  readonly expect: YamlVerdict;
}

export function loadYamlCases(dir = YAML_CASES_DIR): YamlCase[] {
  return fs.readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort().map(f => {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, 'utf8');
    const what = /^# case: (.+)$/m.exec(text)?.[1];
    const expect = /^# expect: (\S+)\s*$/m.exec(text)?.[1];
    if (!what || !text.startsWith('# case: ')) throw new Error(`${file}: the first line must be "# case: <what it tests>"`);
    if (expect !== 'accept' && expect !== 'reject' && expect !== 'refuse-file') throw new Error(`${file}: needs "# expect: accept", "reject" or "refuse-file", got ${expect}`);
    return { name: f.replace(/\.ya?ml$/, ''), file, what, expect };
  });
}

/** Our validator on one file: refused (a YAML-level error, the reason), or each document's errors and warnings. */
export function ourYamlVerdict(file: string): { refused?: string; documents: Map<number, string[]> } {
  const r = ManifestValidator.validateFiles([file]);
  const parse = r.findings.find(f => f.code === ValidationCodes.YAML_PARSE);
  const documents = new Map<number, string[]>();
  if (parse) return { refused: parse.message, documents };
  for (const f of r.findings) {
    if (f.severity !== Severity.ERROR && f.severity !== Severity.WARNING) continue;
    const i = f.documentIndex ?? 0;
    documents.set(i, [...(documents.get(i) ?? []), `${f.path} ${f.code}: ${f.message}`]);
  }
  return { documents };
}

/** The verdict of a one-document case file: refuse-file, reject (any error or warning) or accept. */
export function ourCaseVerdict(file: string): { verdict: YamlVerdict; why: string } {
  const r = ourYamlVerdict(file);
  if (r.refused) return { verdict: 'refuse-file', why: r.refused };
  const problems = [...r.documents.values()].flat();
  return { verdict: problems.length ? 'reject' : 'accept', why: problems.join('; ') };
}
