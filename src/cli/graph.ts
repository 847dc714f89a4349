import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { expandPaths, globToRegExp } from '../analysis/private/files';
import { loadManifests, YamlReadError } from '../analysis/private/yaml';
import { MeshDiff } from '../graph/diff';
import { MeshGraph, MeshGraphOptions } from '../graph/model';
import { renderDot, renderHtml, renderMermaid } from '../graph/render';

/** What the commands write to and read from (as main's). */
export interface CommandIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdin: () => string;
}

const OPTIONS = {
  'format': { type: 'string' },
  'out': { type: 'string', short: 'o' },
  'namespace': { type: 'string' },
  'consul-acl-default': { type: 'string' },
  'ignore': { type: 'string', multiple: true },
  'git': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
  'version': { type: 'boolean' },
} as const;

type Parsed = { values: { [k: string]: string | boolean | string[] | undefined }; positionals: string[] };

/** Parses a command's options (strict); a number is the exit status when the command is done. */
function parse(command: string, args: string[], allowed: string[], formats: string[], help: string, version: () => string, io: CommandIo): Parsed | number {
  const options: any = Object.fromEntries(Object.entries(OPTIONS).filter(([k]) => allowed.includes(k) || ['help', 'version', 'ignore', 'namespace', 'consul-acl-default', 'format'].includes(k)));
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    io.stderr(`cdk8s-mesh: ${command}: ${m ? `unknown option ${m[1]}\n${help}` : (e as Error).message}\n`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) { io.stdout(`${help}\n`); return 0; }
  if (v.version) { io.stdout(`${version()}\n`); return 0; }
  if (v.format !== undefined && !formats.includes(v.format as string)) {
    io.stderr(`cdk8s-mesh: ${command}: --format takes ${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}, got ${JSON.stringify(v.format)}\n`);
    return 2;
  }
  const acl = v['consul-acl-default'];
  if (acl !== undefined && acl !== 'allow' && acl !== 'deny') {
    io.stderr(`cdk8s-mesh: ${command}: --consul-acl-default: got ${JSON.stringify(acl)}: use allow or deny\n`);
    return 2;
  }
  return parsed;
}

function graphOptions(v: Parsed['values']): MeshGraphOptions {
  const acl = v['consul-acl-default'] as string | undefined;
  return { defaultNamespace: v.namespace as string | undefined, ...(acl ? { consulDefaultAllow: acl === 'allow' } : {}) };
}

/** The manifests of one text; a YAML error names the file. */
function load(text: string, file: string): any[] {
  try {
    return loadManifests(text, file).documents.map(d => d.obj);
  } catch (e) {
    if (e instanceof YamlReadError) throw new YamlReadError(`${file}: ${e.reason}`, e.mark?.line);
    throw e;
  }
}

/** The manifests of files and folders (as validate, lint and reachability read them), - for standard input. */
function readPaths(paths: string[], ignore: string[], io: CommandIo): any[] {
  const objects: any[] = [];
  for (const p of paths.filter((x, i) => x !== '-' || paths.indexOf(x) === i)) {
    const inputs = p === '-' ? [{ text: io.stdin(), file: '<stdin>' }]
      : expandPaths([p], m => io.stderr(`cdk8s-mesh: warning: ${m}\n`), { ignore }).map(f => ({ text: fs.readFileSync(f, 'utf8'), file: f }));
    for (const { text, file } of inputs) objects.push(...load(text, file));
  }
  return objects;
}

/**
 * The manifests of a git revision: the .yaml, .yml and .json files below the paths (as a folder is read:
 * dot-files and dot-folders, node_modules and construct-metadata.json skipped, and the --ignore globs),
 * read with `git ls-tree` and `git cat-file --batch` in the current folder's repository.
 */
export function readGitRevision(rev: string, paths: string[], ignore: string[], cwd = process.cwd()): any[] {
  const git = (args: string[], input?: string) => execFileSync('git', args, { cwd, input, maxBuffer: 2 ** 30, stdio: ['pipe', 'pipe', 'pipe'] });
  // paths are relative to the current folder, as git's pathspecs are
  const listed = git(['ls-tree', '-r', '-z', '--full-name', '--name-only', rev, '--', ...(paths.length ? paths : ['.'])]).toString().split('\0').filter(Boolean);
  const prefix = git(['rev-parse', '--show-prefix']).toString().trim();
  const ignores = ignore.map(globToRegExp);
  const files = listed.filter(f => {
    const parts = f.split('/');
    if (parts.some(x => x.startsWith('.') || x === 'node_modules') || parts[parts.length - 1] === 'construct-metadata.json') return false;
    if (!/\.(ya?ml|json)$/.test(f)) return false;
    const rel = prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f;
    const under = paths.map(p => path.posix.normalize(p.split(path.sep).join('/')).replace(/\/$/, '')).find(p => p === '.' || rel === p || rel.startsWith(`${p}/`));
    const inside = under === undefined || under === '.' ? rel : rel === under ? path.posix.basename(rel) : rel.slice(under.length + 1);
    return !ignores.some(re => re.test(inside));
  }).sort();
  if (!files.length) return [];
  const out = git(['cat-file', '--batch'], files.map(f => `${rev}:${f}\n`).join(''));
  const objects: any[] = [];
  let at = 0;
  for (const f of files) {
    const nl = out.indexOf(10, at);
    const header = out.subarray(at, nl).toString();
    const size = Number(header.split(' ')[2]);
    if (!/ blob \d+$/.test(header)) throw new YamlReadError(`${rev}:${f}: git cat-file says ${header}`);
    const text = out.subarray(nl + 1, nl + 1 + size).toString('utf8');
    at = nl + 1 + size + 1;
    objects.push(...load(text, `${rev}:${f}`));
  }
  return objects;
}

/** `cdk8s-mesh graph`: the service graph as a self-contained HTML page, Mermaid, DOT or JSON. */
export function graphCommand(args: string[], io: CommandIo, help: string, version: () => string): number {
  const parsed = parse('graph', args, ['out'], ['html', 'mermaid', 'dot', 'json'], help, version, io);
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals: paths } = parsed;
  if (!paths.length) {
    io.stderr(`cdk8s-mesh: graph needs at least one PATH (a file, a folder or -)\n${help}\n`);
    return 2;
  }
  const missing = paths.find(p => p !== '-' && !fs.existsSync(p));
  if (missing) {
    io.stderr(`cdk8s-mesh: no such file or folder: ${missing}\n`);
    return 2;
  }
  const out = v.out as string | undefined;
  const format = (v.format as string | undefined) ?? (out && /\.mmd$|\.mermaid$/.test(out) ? 'mermaid' : out && /\.(dot|gv)$/.test(out) ? 'dot' : out && /\.json$/.test(out) ? 'json' : 'html');
  const graph = MeshGraph.fromManifests(readPaths(paths, (v.ignore as string[] | undefined) ?? [], io), graphOptions(v));
  const text = format === 'mermaid' ? renderMermaid(graph) : format === 'dot' ? renderDot(graph) : format === 'json' ? JSON.stringify(graph.toJson(), undefined, 2) + '\n'
    : renderHtml(graph, { title: `cdk8s-mesh graph: ${paths.join(' ')}` });
  if (out) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, text);
    io.stderr(`cdk8s-mesh: wrote ${out} (${graph.services.filter(s => !s.versionOf).length} services, ${graph.allowedEdges().length} allowed edges, ${graph.deniedEdges().length} denied, mesh ${graph.mesh})\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}

/** `cdk8s-mesh diff OLD NEW`: what a change does; exit 1 when access widens. */
export function diffCommand(args: string[], io: CommandIo, help: string, version: () => string): number {
  const parsed = parse('diff', args, ['git'], ['text', 'json', 'markdown'], help, version, io);
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  const ignore = (v.ignore as string[] | undefined) ?? [];
  let before: any[];
  let after: any[];
  if (v.git) {
    if (positionals.length < 2) {
      io.stderr(`cdk8s-mesh: diff --git needs two revisions (REV1 REV2 [PATH...])\n${help}\n`);
      return 2;
    }
    const [rev1, rev2, ...paths] = positionals;
    try {
      before = readGitRevision(rev1, paths, ignore);
      after = readGitRevision(rev2, paths, ignore);
    } catch (e) {
      if (e instanceof YamlReadError) throw e;
      const err = e as { stderr?: Buffer; message: string };
      io.stderr(`cdk8s-mesh: diff --git: ${(err.stderr?.toString() || err.message).trim()}\n`);
      return 2;
    }
  } else {
    if (positionals.length !== 2) {
      io.stderr(`cdk8s-mesh: diff takes two paths (OLD NEW: files or folders), got ${positionals.length}\n${help}\n`);
      return 2;
    }
    const missing = positionals.find(p => !fs.existsSync(p));
    if (missing) {
      io.stderr(`cdk8s-mesh: no such file or folder: ${missing}\n`);
      return 2;
    }
    before = readPaths([positionals[0]], ignore, io);
    after = readPaths([positionals[1]], ignore, io);
  }
  const diff = MeshDiff.between(before, after, graphOptions(v));
  const format = (v.format as string | undefined) ?? 'text';
  io.stdout(format === 'json' ? JSON.stringify(diff.toJson(), undefined, 2) + '\n' : format === 'markdown' ? diff.toMarkdown() : diff.toText());
  return diff.widensAccess ? 1 : 0;
}
