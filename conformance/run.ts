/**
 * Conformance: checks the project's output with the meshes' own code (see docs/conformance.md).
 *
 *   npm run conformance      (synthesizes examples/dist first; needs Go and ../shared/crds or CRDS_DIR)
 *
 * Prints one line per check with counts and exits non-zero on any disagreement or unexplained finding.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsyaml from 'js-yaml';
import { Differential, IstioctlMessage, loadCorpus, ourIstioCodes } from './differential';
import { istioctlOnly, istioException, OURS_ONLY } from './exceptions';
import { loadYamlCases, ourYamlVerdict, YAML_CASES_DIR } from './yaml-cases';
import { crdsDirectory } from '../scripts/import-crds';
import { ManifestValidator, Severity } from '../src';
import { RULE_EXAMPLES } from '../src/analysis/rules/examples';
import { ALL, BAD } from '../test/analysis/bad-manifests';

const ROOT = path.resolve(__dirname, '..');
const HERE = __dirname;
const BIN = path.join(HERE, '.bin');
const DIST = path.join(ROOT, 'examples', 'dist');

let passed = 0;
let failed = 0;

function line(ok: boolean, check: string, counts: string, details: string[] = []): void {
  if (ok) passed++; else failed++;
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${check}: ${counts}\n`);
  for (const d of details.slice(0, 40)) process.stdout.write(`     ${d}\n`);
  if (details.length > 40) process.stdout.write(`     ... and ${details.length - 40} more\n`);
}

function goBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  if (fs.existsSync('/usr/local/go/bin/go')) return '/usr/local/go/bin/go';
  throw new Error('the Go toolchain (go) is not on PATH: conformance needs it (npm test does not)');
}

function run(cmd: string, args: string[], opts: { cwd?: string; allowFail?: boolean } = {}): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  const status = r.status ?? 1;
  if (status !== 0 && !opts.allowFail) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${status}\n${r.stdout}\n${r.stderr}`);
  }
  return { stdout: r.stdout, stderr: r.stderr, status };
}

/** Builds the Go programs (Go's build cache makes a rebuild of unchanged code a few seconds). */
function build(withIstio: boolean): { crdcheck: string; istioctl: string } {
  const go = goBinary();
  const out = { crdcheck: path.join(BIN, 'crdcheck'), istioctl: path.join(BIN, 'istioctl') };
  const t0 = Date.now();
  run(go, ['build', '-buildvcs=false', '-o', out.crdcheck, './cmd/crdcheck'], { cwd: HERE });
  const t1 = Date.now();
  if (withIstio) run(go, ['build', '-buildvcs=false', '-o', out.istioctl, 'istio.io/istio/istioctl/cmd/istioctl'], { cwd: HERE });
  const t2 = Date.now();
  process.stdout.write(`built crdcheck in ${((t1 - t0) / 1000).toFixed(1)} s, istioctl in ${((t2 - t1) / 1000).toFixed(1)} s\n`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Kubernetes: the API server's CRD validation (conformance/cmd/crdcheck) against our validator

interface ApiVerdict {
  file: string;
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  crd: string;
  errors: { path: string; message: string }[];
}

/** The CRD files our pinned schemas come from: they win where several files define a kind (bundled copies). */
function preferredCrdFiles(): string {
  const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'index.json'), 'utf8')) as Record<string, { file: string }>;
  const sources = new Set(Object.values(index).map(e => JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', e.file), 'utf8')).source as string));
  return [...sources].sort().join(',');
}

function apiServer(crdcheck: string, crds: string, paths: string[]): ApiVerdict[] {
  const { stdout } = run(crdcheck, ['-crds', crds, '-prefer', preferredCrdFiles(), ...paths]);
  return stdout.split('\n').filter(l => l.trim()).map(l => JSON.parse(l));
}

function ours(file: string): Map<number, string[]> {
  const byDoc = new Map<number, string[]>();
  const r = ManifestValidator.validateFiles([file]);
  for (const f of r.findings) {
    if (f.severity !== Severity.ERROR && f.severity !== Severity.WARNING) continue;
    const i = f.documentIndex ?? 0;
    byDoc.set(i, [...(byDoc.get(i) ?? []), `${f.path} ${f.code}: ${f.message}`]);
  }
  return byDoc;
}

function describeApi(v: ApiVerdict): string {
  return v.errors.map(e => `${e.path}: ${e.message}`).join('; ');
}

function kubernetesOnOutput(crdcheck: string, crds: string, dir = DIST, what = 'example output'): void {
  const verdicts = apiServer(crdcheck, crds, [dir]);
  const byFile = new Map<string, Map<number, string[]>>();
  let withCrd = 0;
  let rejectedByBoth = 0;
  const disagreements: string[] = [];
  for (const v of verdicts) {
    if (!v.crd) continue;
    withCrd++;
    if (!byFile.has(v.file)) byFile.set(v.file, ours(v.file));
    const mine = byFile.get(v.file)!.get(v.index) ?? [];
    const where = `${path.relative(ROOT, v.file)} [doc ${v.index}] ${v.kind} ${v.namespace ? v.namespace + '/' : ''}${v.name}`;
    if (v.errors.length && mine.length) rejectedByBoth++;
    else if (v.errors.length) disagreements.push(`${where}: the API server rejects (${describeApi(v)}), our validator accepts`);
    else if (mine.length) disagreements.push(`${where}: our validator rejects (${mine.join('; ')}), the API server accepts`);
  }
  const apiRejects = verdicts.filter(v => v.errors.length).length;
  line(disagreements.length === 0 && apiRejects === 0, `kubernetes: ${what} vs the API server`,
    `${verdicts.length} documents, ${withCrd} of a pinned CRD's kind, ${withCrd - disagreements.length} same verdict, ` +
    `${apiRejects} rejected by the API server (${rejectedByBoth} by both), ${disagreements.length} disagreements`, disagreements);
}

function kubernetesOnCorpus(crdcheck: string, crds: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-conformance-'));
  try {
    // the valid fixtures: both must accept every document
    const validFile = path.join(dir, 'valid.yaml');
    fs.writeFileSync(validFile, ALL.map(d => jsyaml.dump(d, { noRefs: true })).join('---\n'));
    // the bad corpus: one file per case, both must reject each
    const badFiles = BAD.map((c, i) => {
      const file = path.join(dir, `bad-${String(i).padStart(3, '0')}.yaml`);
      fs.writeFileSync(file, jsyaml.dump(c.doc(), { noRefs: true }));
      return file;
    });
    const verdicts = apiServer(crdcheck, crds, [validFile, ...badFiles]);
    const disagreements: string[] = [];
    const validVerdicts = verdicts.filter(v => v.file === validFile);
    const mineValid = ours(validFile);
    for (const v of validVerdicts) {
      const mine = mineValid.get(v.index) ?? [];
      if (!v.crd) {
        disagreements.push(`valid fixture ${v.kind} ${v.name}: no pinned CRD serves ${v.apiVersion}`);
      } else if (v.errors.length || mine.length) {
        disagreements.push(`valid fixture ${v.kind} ${v.name}: API server: ${describeApi(v) || 'accepts'}; ours: ${mine.join('; ') || 'accepts'}`);
      }
    }
    let samePath = 0;
    const otherPath: string[] = [];
    BAD.forEach((c, i) => {
      const v = verdicts.find(x => x.file === badFiles[i]);
      const mine = ManifestValidator.validateObjects([c.doc()]);
      if (!v || !v.crd) {
        disagreements.push(`bad case "${c.name}": no pinned CRD serves it`);
        return;
      }
      if (!v.errors.length) disagreements.push(`bad case "${c.name}": the API server accepts it (we report ${c.code} at ${c.path})`);
      if (mine.valid) disagreements.push(`bad case "${c.name}": our validator accepts it`);
      if (v.errors.some(e => e.path === c.path || e.path.startsWith(c.path + '.') || e.path.startsWith(c.path + '['))) samePath++;
      else if (v.errors.length) otherPath.push(`note: "${c.name}": we report ${c.path}, the API server ${describeApi(v)}`);
    });
    line(disagreements.length === 0, 'kubernetes: validator corpus vs the API server',
      `${validVerdicts.length} valid fixtures accepted by both, ${BAD.length} bad cases rejected by both ` +
      `(${samePath} with an API server error at the same field), ${disagreements.length} disagreements`, [...disagreements, ...otherPath]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * How we READ hand-written YAML against how kubectl and the API server read it (conformance/yaml-cases): crdcheck reads
 * each file with sigs.k8s.io/yaml as kubectl does, our validateFiles with loadManifests. Per document both must accept
 * or both reject; a file crdcheck cannot read (one line, index -1) must be refused by our reader too (YAML001), and
 * the other way round. Each case's recorded verdict (`# expect:`, which test/analysis/yaml-cases.test.ts checks ours
 * against without Go) must be the API server's.
 */
function kubernetesOnYamlCases(crdcheck: string, crds: string): void {
  const cases = loadYamlCases();
  const verdicts = apiServer(crdcheck, crds, cases.map(c => c.file));
  const disagreements: string[] = [];
  const counts = { 'accept': 0, 'reject': 0, 'refuse-file': 0 };
  let documents = 0;
  for (const c of cases) {
    const api = verdicts.filter(v => v.file === c.file);
    const mine = ourYamlVerdict(c.file);
    const apiRefused = api.find(v => v.index < 0);
    const where = path.relative(ROOT, c.file);
    if (apiRefused || mine.refused) {
      documents++;
      if (apiRefused && mine.refused) counts['refuse-file']++;
      else if (apiRefused) disagreements.push(`${where}: kubectl cannot read the file (${describeApi(apiRefused)}), our reader reads it (${[...mine.documents.values()].flat().join('; ') || 'accepts'})`);
      else disagreements.push(`${where}: our reader refuses the file (${mine.refused}), kubectl reads it (API server: ${api.map(v => describeApi(v) || 'accepts').join(' / ')})`);
      if (c.expect !== 'refuse-file' && apiRefused) disagreements.push(`${where}: records "# expect: ${c.expect}", kubectl refuses the file`);
      if (c.expect === 'refuse-file' && !apiRefused) disagreements.push(`${where}: records "# expect: refuse-file", kubectl reads it`);
      continue;
    }
    if (c.expect === 'refuse-file') disagreements.push(`${where}: records "# expect: refuse-file", both read it`);
    for (const v of api) {
      documents++;
      const doc = `${where} [doc ${v.index}] ${v.kind} ${v.name}`;
      if (!v.crd) {
        disagreements.push(`${doc}: no pinned CRD serves ${v.apiVersion} ${v.kind} (the cases must be of pinned kinds)`);
        continue;
      }
      const ourErrors = mine.documents.get(v.index) ?? [];
      const apiVerdict = v.errors.length ? 'reject' : 'accept';
      if (v.errors.length && !ourErrors.length) disagreements.push(`${doc}: the API server rejects (${describeApi(v)}), our validator accepts`);
      else if (!v.errors.length && ourErrors.length) disagreements.push(`${doc}: our validator rejects (${ourErrors.join('; ')}), the API server accepts`);
      else counts[apiVerdict]++;
      if (apiVerdict !== c.expect) disagreements.push(`${doc}: records "# expect: ${c.expect}", the API server's verdict is ${apiVerdict}${v.errors.length ? ` (${describeApi(v)})` : ''}`);
    }
  }
  line(disagreements.length === 0, 'kubernetes: hand-written YAML vs the API server',
    `${cases.length} files (${path.relative(ROOT, YAML_CASES_DIR)}), ${documents} documents: ${counts.accept} accepted by both, ` +
    `${counts.reject} rejected by both, ${counts['refuse-file']} files refused by both at the YAML level, ${disagreements.length} disagreements`, disagreements);
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Istio: istioctl validate on every file with Istio objects, istioctl analyze on each deployable output

const ISTIO_GROUP = /^(networking|security|telemetry|extensions)\.istio\.io\//;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? filesUnder(path.join(dir, e.name))
    : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : []).sort();
}

function hasIstioObjects(file: string): boolean {
  return (jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]).some(d => d && typeof d.apiVersion === 'string' && ISTIO_GROUP.test(d.apiVersion));
}

function istioValidate(istioctl: string, files = filesUnder(DIST).filter(hasIstioObjects), what = 'istio: istioctl validate'): void {
  const problems: string[] = [];
  const accepted: string[] = [];
  let objects = 0;
  for (const file of files) {
    objects += (jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]).filter(d => d && ISTIO_GROUP.test(d.apiVersion ?? '')).length;
    const r = run(istioctl, ['validate', '-f', file], { allowFail: true });
    const where = path.relative(ROOT, file);
    if (r.status !== 0) {
      problems.push(`${where}: istioctl validate exited ${r.status}: ${(r.stdout + r.stderr).trim().split('\n').join(' | ')}`);
      continue;
    }
    // "FILE" is valid | "FILE" has warnings: then one "\t* Kind/namespace/name: message" line per warning
    for (const l of `${r.stdout}\n${r.stderr}`.split('\n')) {
      const m = /^\s*\* ([^/]+)\/([^/]*)\/([^:]+): (.*)$/.exec(l);
      if (!m) continue;
      const origin = `${m[1]} ${m[2] ? m[2] + '/' : ''}${m[3]}`;
      const exception = istioException(undefined, origin, m[4]);
      if (exception) accepted.push(`${where}: ${origin}: ${m[4]}`);
      else problems.push(`${where}: ${origin}: ${m[4]}`);
    }
    if (!/ is valid$| has warnings:/m.test(r.stdout + r.stderr)) problems.push(`${where}: unexpected output: ${(r.stdout + r.stderr).trim()}`);
  }
  line(problems.length === 0, what,
    `${files.length} files, ${objects} Istio objects, ${accepted.length} accepted warnings (docs/conformance.md), ${problems.length} other errors or warnings`, problems);
}

/** The deployable units: each mesh folder, each release step, each cluster of the multi-cluster output. */
function istioDeployables(): { name: string; files: string[] }[] {
  const units: { name: string; files: string[] }[] = [];
  for (const folder of ['istio', 'istio-ambient']) {
    units.push({ name: folder, files: filesUnder(path.join(DIST, folder)) });
    const steps = path.join(DIST, 'releases', 'payment-v2', folder);
    if (fs.existsSync(steps)) {
      for (const step of fs.readdirSync(steps).sort()) units.push({ name: `releases/payment-v2/${folder}/${step}`, files: filesUnder(path.join(steps, step)) });
    }
  }
  const mc = path.join(DIST, 'multicluster', 'istio');
  // each cluster's file is its whole output (us-west: the shop with payment's failover merged in)
  for (const cluster of ['us-west', 'eu-west']) units.push({ name: `multicluster/istio ${cluster}`, files: [path.join(mc, `${cluster}.yaml`)] });
  return units;
}

interface AnalyzeMessage { code: string; level: string; origin: string; message: string }

function istioAnalyze(istioctl: string, units = istioDeployables(), what = 'istio: istioctl analyze --use-kube=false -A', group?: string): void {
  const problems: string[] = [];
  const accepted: string[] = [];
  let messages = 0;
  for (const unit of units) {
    const missing = unit.files.filter(f => !fs.existsSync(f));
    if (missing.length || !unit.files.length) {
      problems.push(`${unit.name}: no output (${missing.map(f => path.relative(ROOT, f)).join(', ') || 'empty folder'})`);
      continue;
    }
    const r = run(istioctl, ['analyze', '--use-kube=false', '--all-namespaces', '--output', 'json', '--failure-threshold', 'Error', ...unit.files], { allowFail: true });
    let parsed: any[];
    try {
      parsed = JSON.parse(r.stdout.trim() || '[]');
    } catch {
      problems.push(`${unit.name}: istioctl analyze exited ${r.status} without JSON: ${(r.stdout + r.stderr).trim().split('\n').join(' | ')}`);
      continue;
    }
    // the analyzer against istioctl on the same unit (item 5)
    if (group) differentialAdd(group, unit.name, parsed.map(toMessage), unit.files.map(f => fs.readFileSync(f, 'utf8')));
    for (const m of parsed.map(toMessage)) {
      messages++;
      const text = `${unit.name}: ${m.level} ${m.code} ${m.origin}: ${m.message}`;
      if (m.level === 'Info' || istioException(m.code, m.origin, m.message)) accepted.push(text);
      else problems.push(text);
    }
    if (r.status !== 0 && !parsed.some(m => toMessage(m).level === 'Error')) problems.push(`${unit.name}: istioctl analyze exited ${r.status}: ${r.stderr.trim()}`);
  }
  line(problems.length === 0, what,
    `${units.length} deployable outputs, ${messages} messages, ${accepted.length} info or accepted warnings (docs/conformance.md), ${problems.length} other errors or warnings`, problems);
}

function toMessage(m: any): AnalyzeMessage {
  return { code: m.code ?? '', level: m.level ?? '', origin: m.origin ?? '', message: m.message ?? '' };
}

/**
 * The tools must still find known mistakes, so that a green run means something: istioctl validate must reject a
 * mesh-bound VirtualService for "*", and istioctl analyze must report IST0101 for a missing gateway and subset.
 */
function istioSelfCheck(istioctl: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-conformance-'));
  try {
    const vs = (name: string, spec: object) => jsyaml.dump({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec });
    const invalid = path.join(dir, 'invalid.yaml');
    fs.writeFileSync(invalid, vs('selfcheck-validate', { hosts: ['*'], http: [{ route: [{ destination: { host: 'selfcheck' } }] }] }));
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, vs('selfcheck-analyze', { hosts: ['selfcheck'], gateways: ['missing-gateway'], http: [{ route: [{ destination: { host: 'selfcheck', subset: 'v2' } }] }] }));
    const v = run(istioctl, ['validate', '-f', invalid], { allowFail: true });
    const a = run(istioctl, ['analyze', '--use-kube=false', '--all-namespaces', '--output', 'json', broken], { allowFail: true });
    const codes = (JSON.parse(a.stdout.trim() || '[]') as any[]).map(m => `${m.level} ${m.code}`);
    const problems: string[] = [];
    if (v.status === 0 || !/wildcard host \* is not allowed/.test(v.stdout + v.stderr)) problems.push(`istioctl validate accepted a mesh-bound VirtualService for "*": ${(v.stdout + v.stderr).trim()}`);
    if (codes.filter(c => c === 'Error IST0101').length !== 2) problems.push(`istioctl analyze did not report IST0101 twice: ${codes.join(', ') || 'nothing'}`);
    line(problems.length === 0, 'istio: self-check on known mistakes', `validate rejects 1 of 1, analyze reports ${codes.length} messages (${codes.join(', ')})`, problems);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Generated inputs: the property tests' configurations (test/properties.test.ts, fixed seed), each synthesis dumped
//    to a file by test/util.ts synthValidated, then the checks above on every one (each file is one deployable unit)

const PROPERTY_RUNS = 200;
const PROPERTY_SEED = 18;

function generatedInputs(bins: { crdcheck: string; istioctl: string }, crds: string, withKubernetes: boolean, withIstio: boolean): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-generated-'));
  try {
    const jest = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), 'test/properties.test.ts', '--maxWorkers=1', '--coverage=false'], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, CONFORMANCE_DUMP: dir, PROPERTY_RUNS: String(PROPERTY_RUNS), PROPERTY_SEED: String(PROPERTY_SEED) },
    });
    const files = filesUnder(dir);
    const meshOf = (file: string): string => {
      const docs = (jsyaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]).filter(d => d);
      const groups = docs.map(d => String(d.apiVersion)).join(' ');
      if (/consul\.hashicorp\.com/.test(groups)) return 'consul';
      if (/linkerd\.io/.test(groups)) return 'linkerd';
      if (docs.some(d => d.kind === 'Namespace' && d.metadata?.labels?.['istio.io/dataplane-mode'] === 'ambient')) return 'istio ambient';
      if (/istio\.io/.test(groups)) return 'istio';
      return 'Gateway API and core kinds only (Linkerd or Istio ambient)';
    };
    const counts = new Map<string, number>();
    for (const f of files) counts.set(meshOf(f), (counts.get(meshOf(f)) ?? 0) + 1);
    const summary = [...counts].sort().map(([m, n]) => `${n} ${m}`).join(', ');
    line(jest.status === 0 && files.length > 0, `generated: property tests (PROPERTY_RUNS=${PROPERTY_RUNS}, seed ${PROPERTY_SEED})`,
      `${files.length} syntheses: ${summary}`, jest.status === 0 ? [] : [`jest exited ${jest.status}: ${jest.stderr.split('\n').slice(-15).join(' | ')}`]);
    if (withKubernetes) kubernetesOnOutput(bins.crdcheck, crds, dir, 'generated syntheses');
    if (withIstio) {
      const istioFiles = files.filter(hasIstioObjects);
      istioValidate(bins.istioctl, istioFiles, 'generated: istioctl validate');
      istioAnalyze(bins.istioctl, istioFiles.map(f => ({ name: path.basename(f), files: [f] })), 'generated: istioctl analyze --use-kube=false -A', 'generated');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Our analyzer against istioctl analyze, per IST code (docs/conformance.md): on the hand-written corpus
//    (conformance/istio-corpus), the rule examples (src/analysis/rules/examples.ts), each deployable example output
//    and each generated input. Our codes: each finding's upstream IST code, and IST0106 for our validator's errors on
//    Istio objects (conformance/differential.ts). Fails below a recall of 0.9 over the codes istioctl reports, and on
//    an error of ours that istioctl does not report unless conformance/exceptions.ts OURS_ONLY gives the reason.

const RECALL_GATE = 0.9;
const GROUPS = ['corpus', 'rule examples', 'example outputs', 'generated'];
const differentials = new Map<string, Differential>(GROUPS.map(g => [g, new Differential()]));
const oursOnlyErrors: string[] = [];

function differentialAdd(group: string, input: string, messages: IstioctlMessage[], texts: string[]): void {
  const objects = texts.flatMap(t => jsyaml.loadAll(t) as any[]).filter(d => d && typeof d === 'object');
  const mine = ourIstioCodes(texts);
  const upstream = new Set(messages.map(m => m.code));
  for (const o of mine) {
    if (o.severity === Severity.ERROR && !upstream.has(o.code) && !OURS_ONLY[o.rule]) oursOnlyErrors.push(`${group} ${input}: ${o.rule} (${o.code}) is an error istioctl does not report, and OURS_ONLY gives no reason`);
  }
  differentials.get(group)!.add(input, messages, mine, m => istioctlOnly(m.code, m.origin, m.message, objects) !== undefined);
}

function analyzeJson(istioctl: string, files: string[]): IstioctlMessage[] | string {
  const r = run(istioctl, ['analyze', '--use-kube=false', '--all-namespaces', '--output', 'json', ...files], { allowFail: true });
  try {
    return (JSON.parse(r.stdout.trim() || '[]') as any[]).map(toMessage);
  } catch {
    return `istioctl analyze gave no JSON: ${(r.stdout + r.stderr).trim().split('\n').join(' | ')}`;
  }
}

/** The corpus (istioctl must still report what each case records) and the Istio rule examples. */
function analyzerOnHandWritten(istioctl: string): void {
  const drift: string[] = [];
  const corpus = loadCorpus();
  for (const c of corpus) {
    const messages = analyzeJson(istioctl, [c.file]);
    if (typeof messages === 'string') {
      drift.push(`${c.name}: ${messages}`);
      continue;
    }
    const codes = [...new Set(messages.map(m => m.code))].sort();
    const recorded = [c.istioctl, ...(c.istioctlOr ? [c.istioctlOr] : [])].map(r => [...new Set(r)].sort().join(' '));
    if (!recorded.includes(codes.join(' '))) drift.push(`${c.name}: the case records ${c.istioctl.join(' ') || 'nothing'}, istioctl reports ${codes.join(' ') || 'nothing'}`);
    differentialAdd('corpus', c.name, messages, [c.text]);
  }
  line(drift.length === 0, 'analyzer-vs-istioctl: the corpus records what istioctl reports',
    `${corpus.length} hand-written cases (${corpus.filter(c => !c.istioctl.length).length} clean for istioctl), ${drift.length} differ from what they record`, drift);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-differential-'));
  try {
    RULE_EXAMPLES.filter(e => /^I\d/.test(e.code)).forEach((e, i) => {
      for (const [kind, text] of [['bad', e.bad], ['fixed', e.fixed]]) {
        const file = path.join(dir, `example-${String(i).padStart(3, '0')}-${kind}.yaml`);
        fs.writeFileSync(file, text);
        const messages = analyzeJson(istioctl, [file]);
        if (typeof messages === 'string') drift.push(`${e.code} ${kind}: ${messages}`);
        else differentialAdd('rule examples', `${e.code} ${kind} (example ${i})`, messages, [text]);
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function analyzerVsIstioctl(): void {
  const all = new Differential();
  const summary: string[] = [];
  for (const [group, d] of differentials) {
    const r = d.recall();
    summary.push(`${group} ${r.both}/${r.found}`);
    for (const [code, t] of d.tally) {
      const row = all.tally.get(code) ?? { both: 0, istioctl: 0, ours: 0, documented: 0 };
      all.tally.set(code, { both: row.both + t.both, istioctl: row.istioctl + t.istioctl, ours: row.ours + t.ours, documented: row.documented + t.documented });
    }
    all.details.push(...d.details.map(x => `${group} ${x}`));
  }
  const r = all.recall();
  const documented = [...all.tally.values()].reduce((n, t) => n + t.documented, 0);
  const oursOnly = [...all.tally.values()].reduce((n, t) => n + t.ours, 0);
  const ok = r.recall >= RECALL_GATE && oursOnlyErrors.length === 0;
  line(ok, 'analyzer-vs-istioctl',
    `recall ${r.recall.toFixed(3)} (${r.both} of ${r.found} (input, IST code) pairs istioctl reports, gate ${RECALL_GATE}; ${summary.join(', ')}), ` +
    `${documented} only by istioctl for a documented reason, ${oursOnly} only by us, ${oursOnlyErrors.length} errors of ours without a reason`,
    [...oursOnlyErrors, ...all.rows(), ...all.details]);
}

// ---------------------------------------------------------------------------------------------------------------

function main(): void {
  const crds = crdsDirectory();
  if (!fs.existsSync(crds)) throw new Error(`the pinned CRDs are not at ${crds}: set CRDS_DIR`);
  if (!fs.existsSync(DIST)) throw new Error(`no example output at ${DIST}: run npx projen examples (npm run conformance does)`);
  const t0 = Date.now();
  // CONFORMANCE_CHECKS=kubernetes,istio,generated (the default) or a part of it, for working on one group
  const only = (process.env.CONFORMANCE_CHECKS ?? 'kubernetes,istio,generated').split(',');
  const bins = build(only.includes('istio'));
  if (only.includes('kubernetes')) {
    kubernetesOnOutput(bins.crdcheck, crds);
    kubernetesOnCorpus(bins.crdcheck, crds);
    kubernetesOnYamlCases(bins.crdcheck, crds);
  }
  if (only.includes('istio')) {
    istioSelfCheck(bins.istioctl);
    istioValidate(bins.istioctl);
    istioAnalyze(bins.istioctl, undefined, undefined, 'example outputs');
    analyzerOnHandWritten(bins.istioctl);
  }
  if (only.includes('generated')) generatedInputs(bins, crds, only.includes('kubernetes'), only.includes('istio'));
  if (only.includes('istio')) analyzerVsIstioctl();
  process.stdout.write(`checks took ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`conformance: ${passed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

main();
