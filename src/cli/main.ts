import * as fs from 'fs';
import * as path from 'path';
import { parseArgs as parseNodeArgs } from 'util';
import { fails, github, junit, sarif, withObject } from './report';
import type { MeshAnalyzer as Analyzer } from '../analysis/analyzer';
import { Finding, Severity } from '../analysis/findings';
import { expandPaths } from '../analysis/private/files';
import { InvalidManifestsError, loadManifests, YamlReadError } from '../analysis/private/yaml';
import type { ReachabilityDecision, ReachabilityMatrix as Reachability } from '../analysis/reachability';
import type { ManifestValidator as Validator, ValidationResult } from '../analysis/validator';
import { formatTableLines } from '../private/format';

// each command loads only the modules it needs: start-up is part of every run of a whole process
/* eslint-disable @typescript-eslint/no-require-imports */
const lazy = {
  get MeshAnalyzer(): typeof Analyzer { return (require('../analysis/analyzer') as typeof import('../analysis/analyzer')).MeshAnalyzer; },
  get ManifestValidator(): typeof Validator { return (require('../analysis/validator') as typeof import('../analysis/validator')).ManifestValidator; },
  get ReachabilityMatrix(): typeof Reachability { return (require('../analysis/reachability') as typeof import('../analysis/reachability')).ReachabilityMatrix; },
};
/* eslint-enable @typescript-eslint/no-require-imports */

const SYNOPSIS = `usage: cdk8s-mesh validate [--format F] [--fail-on error|warning] [--strict] [--ignore GLOB]... PATH...
       cdk8s-mesh lint [--format F] [--fail-on error|warning] [--min-severity error|warning|info] [--root-namespace NS]
                       [--trust-domain TD] [--namespace NS] [--ignore GLOB]... PATH...
       cdk8s-mesh reachability [--format text|json] [--namespace NS] [--from CALLER] [--to SERVICE]
                               [--method M] [--path P] [--jwt] [--summary] [--consul-acl-default allow|deny]
                               [--ignore GLOB]... PATH...
       cdk8s-mesh graph [--format html|mermaid|dot|json] [--out FILE] [--namespace NS] [--ignore GLOB]... PATH...
       cdk8s-mesh diff [--format text|json|markdown] [--namespace NS] [--ignore GLOB]... OLD NEW
       cdk8s-mesh diff --git [--format F] REV1 REV2 [PATH...]
       cdk8s-mesh COMMAND --help | --version`;

const COMMON = `  --format F          text (default), json, sarif (SARIF 2.1.0), junit (JUnit XML) or github (GitHub Actions annotations)
  --fail-on S         the lowest severity that fails (exit 1): error (default, as cdk8s synth and the validation plugin) or warning
  --ignore GLOB       skip files and folders below a folder PATH (repeatable; relative to it, e.g. 'tmp/**' or '*.test.yaml')
  --help, --version`;

const HELP: { [command: string]: string } = {
  validate: `validate: checks mesh manifests against the pinned CRDs (structural schema and CEL rules).
${COMMON}
  --strict            count kinds without a pinned schema and CEL rules that cannot be run as failures
                      (warnings; --strict fails on warnings unless --fail-on is given)
  exit status: 0 clean, 1 findings at or above --fail-on, 2 usage errors, unreadable input or any failure`,
  lint: `lint: cross-resource checks (istioctl analyze, Kiali, Linkerd and Consul webhook rules); see
  https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs/findings.md
${COMMON}
  --min-severity S    report findings of this severity or worse (default: info)
  --root-namespace NS Istio's root namespace (default: istio-system)
  --trust-domain TD   the mesh trust domain (default: cluster.local)
  --namespace NS      namespace of objects without one (default: default)
  a resource skips rules listed in its annotation cdk8s-mesh.io/disable-rules: "I105,I110"
  exit status: 0 clean, 1 findings at or above --fail-on, 2 usage errors, unreadable input or any failure`,
  reachability: `reachability: reads the Istio, Linkerd or Consul authorization policies and prints who may call whom.
  --format text|json  output format (default: text)
  --namespace NS      namespace of objects and names without one (default: default)
  --from CALLER       only this caller: namespace/serviceAccount, or ip:A.B.C.D outside the mesh
  --to SERVICE        only this service: namespace/name
  --method M --path P one request instead of the methods and paths the policies mention
  --jwt               the requests carry a valid JWT
  --summary           one line per service: who may call it (the callers allowed a request, and which; * all)
  --consul-acl-default allow|deny  Consul's default intention policy, for requests no intention decides
                      (default: allow, the Helm chart's default with ACLs off)
  --ignore GLOB       skip files and folders below a folder PATH (repeatable)
  --help, --version
  exit status: 0, or 2 on usage errors, unreadable input or any failure`,
  graph: `graph: the service graph of the manifests: services, versions, routes with weights, header and mirror rules,
  timeouts, retries, circuit breakers, ingress and egress, and who may call whom (the reachability matrix)
  --format F          html (default: a self-contained page, no network access needed), mermaid, dot or json
  --out FILE          write to FILE (the format follows its extension .html, .mmd, .dot or .json unless --format)
  --namespace NS      namespace of objects without one (default: default)
  --consul-acl-default allow|deny  as for reachability
  --ignore GLOB       skip files and folders below a folder PATH (repeatable)
  exit status: 0, or 2 on usage errors, unreadable input or any failure`,
  diff: `diff: what a change of the manifests does: calls newly allowed or denied (caller, service, method, path),
  routes and weights, resilience settings, entry points and external hosts changed, objects added, removed
  or changed per kind (objects or keys that only moved are no change)
  --format F          text (default), json or markdown (for a pull request comment)
  --git               OLD and NEW are git revisions; the files below PATH... (default: the current folder) are
                      read from each with git ls-tree and git cat-file, in the current folder's repository
  --namespace NS, --consul-acl-default allow|deny, --ignore GLOB  as for reachability
  exit status: 0 access does not widen, 1 access widens (a call, entry point or external host newly allowed,
  an egress mode changed, or mTLS or a DENY policy weakened), 2 usage errors, unreadable input or any failure`,
};

const PATHS = `PATH is a YAML file, a folder (every .yaml/.yml/.json file below it; symbolic link loops are skipped with a
warning; dot-folders and dot-files, node_modules and cdk8s-cli's construct-metadata.json are skipped, and
--ignore GLOB skips more) or - for standard input. validate, lint and reachability read the same files. The
items of a kind: List are read as manifests; a document larger than 3 MiB once its YAML aliases are expanded
(the API server's limit) is refused.`;

const USAGE = `${SYNOPSIS}

${Object.values(HELP).join('\n\n')}

${PATHS}`;

/** The package's version (package.json two folders up, from src/cli or lib/cli). */
function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdin: () => string;
}

/**
 * Writes all of `s` to standard output before returning: the reachability table (25 million lines at
 * 5,000 services) is written as it is made. process.stdout.write keeps in memory whatever a pipe does not
 * take at once (2 GB, then ENOBUFS, for the table at 1,000 services piped to `wc -l`); a reader that has
 * gone (`| head`: EPIPE) ends the process quietly, as the table is no longer read.
 */
function writeStdout(s: string): void {
  const buf = Buffer.from(s, 'utf8');
  for (let off = 0; off < buf.length;) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // a non-blocking pipe that is full: wait a millisecond for the reader
      if (code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      else if (code === 'EPIPE') process.exit();
      else throw e;
    }
  }
}

const DEFAULT_IO: Io = {
  stdout: writeStdout,
  stderr: s => process.stderr.write(s),
  stdin: () => fs.readFileSync(0, 'utf8'),
};

/**
 * Runs the command line; returns the exit status.
 * @internal
 */
export function main(argv: string[], io: Io = DEFAULT_IO): number {
  try {
    return run(argv, io);
  } catch (e) {
    // 1 means findings: anything that stops a command is 2, with what went wrong
    const err = e as NodeJS.ErrnoException;
    if (e instanceof YamlReadError) io.stderr(`cdk8s-mesh: cannot read the manifests: ${err.message}\n`);
    else if (e instanceof InvalidManifestsError) io.stderr(`cdk8s-mesh: ${err.message}\n`);
    else if (err && typeof err.code === 'string' && typeof err.syscall === 'string') io.stderr(`cdk8s-mesh: cannot read ${err.path ?? 'the input'}: ${err.message}\n`);
    else io.stderr(`cdk8s-mesh: internal error, please report it with the input: ${err?.stack ?? String(e)}\n`);
    return 2;
  }
}

function run(argv: string[], io: Io): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (command === '--version') {
    io.stdout(version() + '\n');
    return 0;
  }
  if (command === 'reachability') return reachability(rest, io);
  if (command === 'lint') return lint(rest, io);
  if (command === 'graph' || command === 'diff') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cli = require('./graph') as typeof import('./graph');
    return (command === 'graph' ? cli.graphCommand : cli.diffCommand)(rest, io, `${SYNOPSIS}\n\n${HELP[command]}\n\n${PATHS}`, version);
  }
  if (command !== 'validate') {
    io.stderr(`cdk8s-mesh: ${command === undefined ? 'no command given' : `unknown command "${command}"`}\n${USAGE}\n`);
    return 2;
  }
  const parsed = parseArgs('validate', rest, ['--format', '--fail-on'], ['--strict'], io);
  if (typeof parsed === 'number') return parsed;
  const { opts, paths, ignore } = parsed;
  const format = (opts.format as string | undefined) ?? 'text';
  const strict = opts.strict === true;
  // --strict counts what could not be checked (warnings then) as failures, unless --fail-on says otherwise
  const failOn = strict && opts['fail-on'] === undefined ? Severity.WARNING : parsed.failOn;
  const results: ValidationResult[] = [];
  for (const p of paths) {
    if (p === '-') {
      results.push(lazy.ManifestValidator.validateYaml(io.stdin(), { fileName: '<stdin>', strict }));
      continue;
    }
    results.push(lazy.ManifestValidator.validateFiles(expandPaths([p], warner(io), { ignore }), { strict }));
  }
  const findings: Finding[] = results.flatMap(r => r.findings);
  const documents = results.reduce((n, r) => n + r.documents, 0);
  const checked = results.reduce((n, r) => n + r.checked, 0);
  const parseError = findings.some(f => f.code === 'YAML001');
  const failing = findings.filter(f => fails(f, failOn));
  if (!report('validate', format, documents, findings, failOn, io, { checked })) {
    // kinds without a pinned schema (Deployments, Services, ...) are summed up in one line
    const notChecked = new Map<string, number>();
    for (const f of findings) {
      if (f.code === 'SCH000' && f.severity === Severity.INFO) {
        const kind = f.message.replace(/^not checked: no pinned schema for /, '').replace(/ \(.*$/, '');
        notChecked.set(kind, (notChecked.get(kind) ?? 0) + 1);
      } else {
        io.stdout(lazy.ManifestValidator.formatFinding(f) + '\n');
      }
    }
    if (notChecked.size) {
      io.stdout(`not checked (no pinned schema): ${[...notChecked].map(([k, n]) => `${k} x${n}`).join(', ')}\n`);
    }
    const errors = findings.filter(f => f.severity === Severity.ERROR).length;
    const warnings = findings.filter(f => f.severity === Severity.WARNING).length;
    io.stdout(`${documents} documents, ${checked} checked against the pinned CRDs: ${errors} errors, ${warnings} warnings, ${findings.length - errors - warnings} notes\n`);
  }
  if (parseError) return 2;
  return failing.length ? 1 : 0;
}

/**
 * Writes the findings of validate or lint in a machine format; false for text (the caller writes it).
 * The JSON shape is one for both commands: command, documents, clean, findings (with kind, namespace, name).
 */
function report(command: string, format: string, documents: number, findings: Finding[], failOn: Severity, io: Io,
  extra: { [k: string]: unknown } = {}): boolean {
  const clean = !findings.some(f => fails(f, failOn));
  if (format === 'json') io.stdout(JSON.stringify({ command, documents, ...extra, failOn, clean, findings: findings.map(withObject) }, undefined, 2) + '\n');
  else if (format === 'sarif') io.stdout(sarif(command, version(), findings));
  else if (format === 'junit') io.stdout(junit(command, documents, findings, failOn));
  else if (format === 'github') io.stdout(github(findings));
  else return false;
  return true;
}

interface ParsedArgs {
  readonly opts: { [k: string]: string | boolean };
  readonly paths: string[];
  readonly ignore: string[];
  readonly failOn: Severity;
}

/** The formats of each command. */
const FORMATS: { [command: string]: string[] } = {
  validate: ['text', 'json', 'sarif', 'junit', 'github'],
  lint: ['text', 'json', 'sarif', 'junit', 'github'],
  reachability: ['text', 'json'],
};

/**
 * Parses a command's options (Node's util.parseArgs, strict) and paths; the exit status when the command is
 * done (--help, --version: 0; a usage error, already reported: 2).
 */
function parseArgs(command: string, args: string[], valued: string[], flags: string[], io: Io): ParsedArgs | number {
  const options: { [name: string]: { type: 'string' | 'boolean'; multiple?: boolean; short?: string } } = {
    ignore: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const v of valued) options[v.slice(2)] = { type: 'string' };
  for (const f of flags) options[f.slice(2)] = { type: 'boolean' };
  let values: { [k: string]: string | boolean | string[] | undefined };
  let paths: string[];
  try {
    ({ values, positionals: paths } = parseNodeArgs({ args, options, allowPositionals: true, strict: true }) as any);
  } catch (e) {
    const err = e as Error & { code?: string };
    const unknown = /Unknown option '([^']+)'/.exec(err.message);
    const missing = /Option '(-\S+)(?: <value>)?' argument missing/.exec(err.message) ?? /Option '(-\S+)[^']*' argument missing/.exec(err.message);
    const message = unknown ? `unknown option ${unknown[1]}\n${USAGE}` : missing ? `${missing[1].split(',').pop()!.trim()} needs a value` : err.message;
    io.stderr(`cdk8s-mesh: ${command}: ${message}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout(`${SYNOPSIS}\n\n${HELP[command]}\n\n${PATHS}\n`);
    return 0;
  }
  if (values.version) {
    io.stdout(version() + '\n');
    return 0;
  }
  const opts: { [k: string]: string | boolean } = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string' || typeof v === 'boolean') opts[k] = v;
  const formats = FORMATS[command];
  if (opts.format !== undefined && !formats.includes(opts.format as string)) {
    io.stderr(`cdk8s-mesh: --format takes ${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}, got ${JSON.stringify(opts.format)}\n`);
    return 2;
  }
  if (opts['fail-on'] !== undefined && opts['fail-on'] !== 'error' && opts['fail-on'] !== 'warning') {
    io.stderr(`cdk8s-mesh: --fail-on takes error or warning, got ${JSON.stringify(opts['fail-on'])}\n`);
    return 2;
  }
  if (!paths.length) {
    io.stderr(`cdk8s-mesh: ${command} needs at least one PATH (a file, a folder or -)\n${USAGE}\n`);
    return 2;
  }
  const missingPath = paths.find(p => p !== '-' && !fs.existsSync(p));
  if (missingPath) {
    io.stderr(`cdk8s-mesh: no such file or folder: ${missingPath}\n`);
    return 2;
  }
  return { opts, paths, ignore: (values.ignore as string[] | undefined) ?? [], failOn: opts['fail-on'] === 'warning' ? Severity.WARNING : Severity.ERROR };
}

function lint(args: string[], io: Io): number {
  const parsed = parseArgs('lint', args, ['--format', '--fail-on', '--min-severity', '--root-namespace', '--trust-domain', '--namespace'], [], io);
  if (typeof parsed === 'number') return parsed;
  const { opts, paths, ignore, failOn } = parsed;
  const severities = Object.values(Severity) as string[];
  if (opts['min-severity'] !== undefined && !severities.includes(opts['min-severity'] as string)) {
    io.stderr(`cdk8s-mesh: --min-severity takes ${severities.join(', ')}, got ${JSON.stringify(opts['min-severity'])}\n`);
    return 2;
  }
  const options = {
    minSeverity: opts['min-severity'] as Severity | undefined,
    rootNamespace: opts['root-namespace'] as string | undefined,
    trustDomain: opts['trust-domain'] as string | undefined,
    defaultNamespace: opts.namespace as string | undefined,
  };
  const files = expandPaths(paths.filter(p => p !== '-'), warner(io), { ignore });
  const results = [
    ...(files.length ? [lazy.MeshAnalyzer.analyzeFiles(files, options)] : []),
    ...(paths.includes('-') ? [lazy.MeshAnalyzer.analyzeYaml(io.stdin(), { ...options, fileName: '<stdin>' })] : []),
  ];
  const findings = results.flatMap(r => r.findings);
  const documents = results.reduce((n, r) => n + r.documents, 0);
  const failing = findings.filter(f => fails(f, failOn));
  if (!report('lint', (opts.format as string | undefined) ?? 'text', documents, findings, failOn, io)) {
    for (const f of findings) io.stdout(`${lazy.ManifestValidator.formatFinding(f)}${f.upstream ? ` [${f.upstream}]` : ''}\n`);
    const errors = findings.filter(f => f.severity === Severity.ERROR).length;
    const warnings = findings.filter(f => f.severity === Severity.WARNING).length;
    // the rules that read the manifests (those of the meshes present, in the files or on stdin): the others are not
    // loaded (MeshAnalyzer.rules() lists them all)
    const rules = new Set(results.flatMap(r => r.rules)).size;
    io.stdout(`${documents} documents analyzed with ${rules} rules: ${errors} errors, ${warnings} warnings, ${findings.length - errors - warnings} notes\n`);
  }
  if (findings.some(f => f.code === 'YAML001')) return 2;
  return failing.length ? 1 : 0;
}

function reachability(args: string[], io: Io): number {
  const parsed = parseArgs('reachability', args, ['--format', '--namespace', '--from', '--to', '--method', '--path', '--consul-acl-default'], ['--jwt', '--summary'], io);
  if (typeof parsed === 'number') return parsed;
  const { opts, paths, ignore } = parsed;
  const aclDefault = opts['consul-acl-default'] as string | undefined;
  if (aclDefault !== undefined && aclDefault !== 'allow' && aclDefault !== 'deny') {
    io.stderr(`cdk8s-mesh: --consul-acl-default: got ${JSON.stringify(aclDefault)}: use allow or deny\n`);
    return 2;
  }
  const options = { defaultNamespace: opts.namespace as string | undefined, ...(aclDefault ? { consulDefaultAllow: aclDefault === 'allow' } : {}) };
  // every path is read, standard input (-) among them, in the order given
  const objects: any[] = [];
  for (const p of paths.filter((x, i) => x !== '-' || paths.indexOf(x) === i)) {
    const inputs = p === '-' ? [{ text: io.stdin(), file: '<stdin>' }] : expandPaths([p], warner(io), { ignore }).map(f => ({ text: fs.readFileSync(f, 'utf8'), file: f }));
    for (const { text, file } of inputs) {
      try {
        objects.push(...loadManifests(text, file).documents.map(d => d.obj));
      } catch (e) {
        if (!(e instanceof YamlReadError)) throw e;
        io.stderr(`cdk8s-mesh: cannot read the manifests: ${file}: ${e.message}\n`);
        return 2;
      }
    }
  }
  const matrix = lazy.ReachabilityMatrix.fromManifests(objects, options);
  const callers = opts.from ? [opts.from as string] : undefined;
  const services = opts.to ? [opts.to as string] : undefined;
  const json = opts.format === 'json';
  if (opts.summary === true) {
    if (opts.method || opts.path || opts.jwt) {
      io.stderr('cdk8s-mesh: reachability --summary tries the requests the policies mention: leave out --method, --path and --jwt\n');
      return 2;
    }
    reachabilitySummary(matrix, objects.length, callers, services, json, io);
    return 0;
  }
  // the decisions, one at a time: a table of 5,000 services holds 25 million of them
  const decisions: Iterable<ReachabilityDecision> = opts.method || opts.path
    ? (services ?? matrix.services()).flatMap(service => (callers ?? [...matrix.callers(), `${options.defaultNamespace ?? 'default'}/unnamed`])
      .map(caller => matrix.check({
        caller, service, method: opts.method as string | undefined, path: opts.path as string | undefined, withJwt: opts.jwt === true,
      })))
    : matrix._decisions(callers, services);
  if (json) {
    // the JSON shape of validate and lint: command, documents, then the entries, each with the kind,
    // namespace and name of its object (here the service) as fields; written in pieces
    io.stdout(`{\n  "command": "reachability",\n  "documents": ${objects.length},\n  "mesh": ${JSON.stringify(matrix.mesh)},\n  "decisions": [`);
    let n = 0;
    let out = '';
    for (const d of decisions) {
      out += `${n ? ',' : ''}\n${JSON.stringify({ ...serviceObject(d.service), ...d }, undefined, 2).replace(/^/gm, '    ')}`;
      if (++n % 10_000 === 0) {
        io.stdout(out);
        out = '';
      }
    }
    io.stdout(`${out}${n ? '\n  ' : ''}]\n}\n`);
  } else {
    io.stdout(`mesh: ${matrix.mesh}\n`);
    const lines = opts.method || opts.path ? formatTableLines([...decisions]) : matrix._tableLines(callers, services);
    for (const piece of lines) io.stdout(piece);
  }
  return 0;
}

/** A service `namespace/name` as the kind, namespace and name fields of the JSON output. */
function serviceObject(service: string): { kind: string; namespace?: string; name: string } {
  const slash = service.indexOf('/');
  return slash > 0 ? { kind: 'Service', namespace: service.slice(0, slash), name: service.slice(slash + 1) } : { kind: 'Service', name: service };
}

/** `reachability --summary`: per service, who may call it; written service by service. */
function reachabilitySummary(matrix: Reachability, documents: number, callers: string[] | undefined, services: string[] | undefined, json: boolean,
  io: Io): void {
  if (json) {
    io.stdout(`{\n  "command": "reachability",\n  "documents": ${documents},\n  "mesh": ${JSON.stringify(matrix.mesh)},\n  "services": [`);
    let n = 0;
    for (const s of matrix._summary(callers, services)) {
      io.stdout(`${n++ ? ',' : ''}\n${JSON.stringify({ ...serviceObject(s.service), ...s }, undefined, 2).replace(/^/gm, '    ')}`);
    }
    io.stdout(`${n ? '\n  ' : ''}]\n}\n`);
    return;
  }
  io.stdout(`mesh: ${matrix.mesh}\nSERVICE: CALLERS ALLOWED (the requests allowed, * for all those tried)\n`);
  for (const s of matrix._summary(callers, services)) {
    const who = s.callers.map(c => `${c.caller} (${c.requests.join(', ')})`).join(', ');
    io.stdout(`${s.service}: ${s.enforced ? '' : 'NOT ENFORCED (any caller): '}${who || 'none'}\n`);
  }
}

/** Says on stderr which files below a folder were skipped (symbolic link loops, broken links). */
function warner(io: Io): (message: string) => void {
  return message => io.stderr(`cdk8s-mesh: warning: ${message}\n`);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
