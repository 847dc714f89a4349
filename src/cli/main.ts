import * as fs from 'fs';
import type { MeshAnalyzer as Analyzer } from '../analysis/analyzer';
import { Finding, Severity } from '../analysis/findings';
import { expandPaths } from '../analysis/private/files';
import { loadManifests, YamlReadError } from '../analysis/private/yaml';
import type { ReachabilityMatrix as Reachability } from '../analysis/reachability';
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

const USAGE = `usage: cdk8s-mesh validate [--format text|json] [--strict] PATH...
       cdk8s-mesh lint [--format text|json] [--min-severity error|warning|info] [--root-namespace NS]
                       [--trust-domain TD] [--namespace NS] PATH...
       cdk8s-mesh reachability [--format text|json] [--namespace NS] [--from CALLER] [--to SERVICE]
                               [--method M] [--path P] [--jwt] [--consul-acl-default allow|deny] PATH...

validate: checks mesh manifests against the pinned CRDs (structural schema and CEL rules).
  --format text|json  output format (default: text)
  --strict            count kinds without a pinned schema and CEL rules that cannot be run as failures
  exit status: 0 clean, 1 findings, 2 usage errors, unreadable input or any failure

lint: cross-resource checks (istioctl analyze, Kiali, Linkerd and Consul webhook rules); see docs/findings.md.
  --min-severity S    report findings of this severity or worse (default: info)
  --root-namespace NS Istio's root namespace (default: istio-system)
  --trust-domain TD   the mesh trust domain (default: cluster.local)
  --namespace NS      namespace of objects without one (default: default)
  a resource skips rules listed in its annotation cdk8s-mesh.io/disable-rules: "I105,I110"
  exit status: 0 clean, 1 findings, 2 usage errors, unreadable input or any failure

reachability: reads the Istio, Linkerd or Consul authorization policies and prints who may call whom.
  --namespace NS      namespace of objects and names without one (default: default)
  --from CALLER       only this caller: namespace/serviceAccount, or ip:A.B.C.D outside the mesh
  --to SERVICE        only this service: namespace/name
  --method M --path P one request instead of the methods and paths the policies mention
  --jwt               the requests carry a valid JWT
  --consul-acl-default allow|deny  Consul's default intention policy, for requests no intention decides
                      (default: allow, the Helm chart's default with ACLs off)
  exit status: 0, or 2 on usage errors, unreadable input or any failure

PATH is a YAML file, a folder (every .yaml/.yml/.json file below it; symbolic link loops are skipped with a
warning) or - for standard input. The items of a kind: List are read as manifests; a document larger than
3 MiB once its YAML aliases are expanded (the API server's limit) is refused.`;

interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdin: () => string;
}

const DEFAULT_IO: Io = {
  stdout: s => process.stdout.write(s),
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
  if (command === 'reachability') return reachability(rest, io);
  if (command === 'lint') return lint(rest, io);
  if (command !== 'validate') {
    io.stderr(`cdk8s-mesh: ${command === undefined ? 'no command given' : `unknown command "${command}"`}\n${USAGE}\n`);
    return 2;
  }
  const parsed = parseArgs(rest, ['--format'], ['--strict'], io);
  if (!parsed) return 2;
  const { opts, paths } = parsed;
  const format = (opts.format as string | undefined) ?? 'text';
  const strict = opts.strict === true;
  if (!paths.length) {
    io.stderr(`cdk8s-mesh: validate needs at least one PATH (a file, a folder or -)\n${USAGE}\n`);
    return 2;
  }
  const results: ValidationResult[] = [];
  for (const p of paths) {
    if (p === '-') {
      results.push(lazy.ManifestValidator.validateYaml(io.stdin(), { fileName: '<stdin>', strict }));
      continue;
    }
    results.push(lazy.ManifestValidator.validateFiles(expandPaths([p], warner(io)), { strict }));
  }
  const findings: Finding[] = results.flatMap(r => r.findings);
  const documents = results.reduce((n, r) => n + r.documents, 0);
  const checked = results.reduce((n, r) => n + r.checked, 0);
  const parseError = findings.some(f => f.code === 'YAML001');
  const failing = findings.filter(f => f.severity !== Severity.INFO);
  if (format === 'json') {
    io.stdout(JSON.stringify({ documents, checked, valid: failing.length === 0, findings }, undefined, 2) + '\n');
  } else {
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

/** Parses `--flag value` options and paths; undefined on a usage error (already reported). */
function parseArgs(args: string[], valued: string[], flags: string[], io: Io): { opts: { [k: string]: string | boolean }; paths: string[] } | undefined {
  const opts: { [k: string]: string | boolean } = {};
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (valued.includes(name)) {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (v === undefined) {
        io.stderr(`cdk8s-mesh: ${name} needs a value\n`);
        return undefined;
      }
      opts[name.slice(2)] = v;
    } else if (flags.includes(arg)) {
      opts[arg.slice(2)] = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      io.stderr(`cdk8s-mesh: unknown option ${arg}\n${USAGE}\n`);
      return undefined;
    } else {
      paths.push(arg);
    }
  }
  if (opts.format !== undefined && opts.format !== 'text' && opts.format !== 'json') {
    io.stderr(`cdk8s-mesh: --format takes text or json, got ${JSON.stringify(opts.format)}\n`);
    return undefined;
  }
  const missing = paths.find(p => p !== '-' && !fs.existsSync(p));
  if (missing) {
    io.stderr(`cdk8s-mesh: no such file or folder: ${missing}\n`);
    return undefined;
  }
  return { opts, paths };
}

function lint(args: string[], io: Io): number {
  const parsed = parseArgs(args, ['--format', '--min-severity', '--root-namespace', '--trust-domain', '--namespace'], [], io);
  if (!parsed) return 2;
  const { opts, paths } = parsed;
  if (!paths.length) {
    io.stderr(`cdk8s-mesh: lint needs at least one PATH (a file, a folder or -)\n${USAGE}\n`);
    return 2;
  }
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
  const files = expandPaths(paths.filter(p => p !== '-'), warner(io));
  const results = [
    ...(files.length ? [lazy.MeshAnalyzer.analyzeFiles(files, options)] : []),
    ...(paths.includes('-') ? [lazy.MeshAnalyzer.analyzeYaml(io.stdin(), { ...options, fileName: '<stdin>' })] : []),
  ];
  const findings = results.flatMap(r => r.findings);
  const documents = results.reduce((n, r) => n + r.documents, 0);
  const failing = findings.filter(f => f.severity !== Severity.INFO);
  if (opts.format === 'json') {
    io.stdout(JSON.stringify({ documents, clean: failing.length === 0, findings }, undefined, 2) + '\n');
  } else {
    for (const f of findings) io.stdout(`${lazy.ManifestValidator.formatFinding(f)}${f.upstream ? ` [${f.upstream}]` : ''}\n`);
    const errors = findings.filter(f => f.severity === Severity.ERROR).length;
    const warnings = findings.filter(f => f.severity === Severity.WARNING).length;
    io.stdout(`${documents} documents analyzed with ${lazy.MeshAnalyzer.rules().length} rules: ${errors} errors, ${warnings} warnings, ${findings.length - errors - warnings} notes\n`);
  }
  if (findings.some(f => f.code === 'YAML001')) return 2;
  return failing.length ? 1 : 0;
}

function reachability(args: string[], io: Io): number {
  const parsed = parseArgs(args, ['--format', '--namespace', '--from', '--to', '--method', '--path', '--consul-acl-default'], ['--jwt'], io);
  if (!parsed) return 2;
  const { opts, paths } = parsed;
  if (!paths.length) {
    io.stderr(`cdk8s-mesh: reachability needs at least one PATH (a file, a folder or -)\n${USAGE}\n`);
    return 2;
  }
  const aclDefault = opts['consul-acl-default'] as string | undefined;
  if (aclDefault !== undefined && aclDefault !== 'allow' && aclDefault !== 'deny') {
    io.stderr(`cdk8s-mesh: --consul-acl-default: got ${JSON.stringify(aclDefault)}: use allow or deny\n`);
    return 2;
  }
  const options = { defaultNamespace: opts.namespace as string | undefined, ...(aclDefault ? { consulDefaultAllow: aclDefault === 'allow' } : {}) };
  // every path is read, standard input (-) among them, in the order given
  const objects: any[] = [];
  for (const p of paths.filter((x, i) => x !== '-' || paths.indexOf(x) === i)) {
    const inputs = p === '-' ? [{ text: io.stdin(), file: '<stdin>' }] : expandPaths([p], warner(io)).map(f => ({ text: fs.readFileSync(f, 'utf8'), file: f }));
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
  const decisions = opts.method || opts.path
    ? (services ?? matrix.services()).flatMap(service => (callers ?? [...matrix.callers(), `${options.defaultNamespace ?? 'default'}/unnamed`])
      .map(caller => matrix.check({
        caller, service, method: opts.method as string | undefined, path: opts.path as string | undefined, withJwt: opts.jwt === true,
      })))
    : matrix.table(callers, services);
  // written in pieces: a table of 1,000 policies holds millions of decisions
  if (opts.format === 'json') {
    io.stdout(`{\n  "mesh": ${JSON.stringify(matrix.mesh)},\n  "decisions": [${decisions.length ? '\n' : ''}`);
    for (let i = 0; i < decisions.length; i += 10_000) {
      io.stdout(decisions.slice(i, i + 10_000).map(d => JSON.stringify(d, undefined, 2).replace(/^/gm, '    ')).join(',\n') + (i + 10_000 < decisions.length ? ',\n' : '\n'));
    }
    io.stdout(`${decisions.length ? '  ' : ''}]\n}\n`);
  } else {
    io.stdout(`mesh: ${matrix.mesh}\n`);
    for (const piece of formatTableLines(decisions)) io.stdout(piece);
  }
  return 0;
}

/** Says on stderr which files below a folder were skipped (symbolic link loops, broken links). */
function warner(io: Io): (message: string) => void {
  return message => io.stderr(`cdk8s-mesh: warning: ${message}\n`);
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
