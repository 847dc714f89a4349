import * as fs from 'fs';
import * as path from 'path';

/** Where the readers say which files they skipped (a warning on stderr, as the constructs print theirs). */
export function warnSkipped(message: string): void {
  process.stderr.write(`cdk8s-mesh: warning: ${message}\n`);
}

/** Files cdk8s-cli writes next to the manifests that are not manifests. */
const NOT_MANIFESTS = new Set(['construct-metadata.json']);

/**
 * A glob as a regular expression over a `/`-separated relative path: `**` any folders, `*` any characters
 * but `/`, `?` one character; a glob without `/` matches a file or folder name at any depth.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const trimmed = re.replace(/\/$/, '');
  return new RegExp(glob.includes('/') ? `^${trimmed}(?:/.*)?$` : `(?:^|/)${trimmed}(?:/.*)?$`);
}

/** Options of `expandPaths`. */
export interface ExpandOptions {
  /** Globs of files and folders (relative to the folder given) to skip below a folder, e.g. `tmp/**` or `*.test.yaml`. */
  readonly ignore?: string[];
}

/**
 * Files (every .yaml, .yml or .json below a folder), in sorted order. Below a folder, dot-folders and
 * dot-files, `node_modules` and cdk8s-cli's `construct-metadata.json` are skipped, and so is what an
 * `ignore` glob matches; a path given by the caller is always read. The validator, the analyzer and the
 * CLI's three commands all read through here, so they agree on the files. Symbolic links are followed, but
 * a folder or file is read once (a link back to a folder already read, e.g. a loop, is skipped with a
 * warning), and a broken link or a link loop below a folder is skipped with a warning. A path given
 * by the caller that cannot be read is an error.
 */
export function expandPaths(paths: string[], warn: (message: string) => void = warnSkipped, options: ExpandOptions = {}): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const ignore = (options.ignore ?? []).map(globToRegExp);
  let root = '';
  const skipped = (full: string, entry: string): boolean => {
    if (entry.startsWith('.') || entry === 'node_modules' || NOT_MANIFESTS.has(entry)) return true;
    const rel = path.relative(root, full).split(path.sep).join('/');
    return ignore.some(re => re.test(rel));
  };
  const visit = (p: string, given: boolean) => {
    let stat: fs.Stats;
    let real: string;
    try {
      stat = fs.statSync(p);
      real = fs.realpathSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (given || (code !== 'ELOOP' && code !== 'ENOENT')) throw e;
      warn(`skipped ${p}: ${code === 'ELOOP' ? 'a loop of symbolic links' : 'a symbolic link to nothing'}`);
      return;
    }
    if (seen.has(real)) {
      if (stat.isDirectory()) warn(`skipped ${p}: it is ${real}, already read (a symbolic link back to a folder above it?)`);
      return;
    }
    seen.add(real);
    if (!stat.isDirectory()) {
      out.push(p);
      return;
    }
    for (const entry of fs.readdirSync(p).sort()) {
      const full = path.join(p, entry);
      if (skipped(full, entry)) continue;
      let isDir: boolean;
      try {
        isDir = fs.statSync(full).isDirectory();
      } catch {
        isDir = true; // broken or looping: visit() says why it skips it
      }
      if (isDir || /\.(ya?ml|json)$/.test(entry)) visit(full, false);
    }
  };
  for (const p of paths) {
    root = p;
    visit(p, true);
  }
  return out;
}
