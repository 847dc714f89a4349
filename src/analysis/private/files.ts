import * as fs from 'fs';
import * as path from 'path';

/** Where the readers say which files they skipped (a warning on stderr, as the constructs print theirs). */
export function warnSkipped(message: string): void {
  process.stderr.write(`cdk8s-mesh: warning: ${message}\n`);
}

/**
 * Files (every .yaml, .yml or .json below a folder), in sorted order. Symbolic links are followed, but
 * a folder or file is read once (a link back to a folder already read, e.g. a loop, is skipped with a
 * warning), and a broken link or a link loop below a folder is skipped with a warning. A path given
 * by the caller that cannot be read is an error.
 */
export function expandPaths(paths: string[], warn: (message: string) => void = warnSkipped): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
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
      let isDir: boolean;
      try {
        isDir = fs.statSync(full).isDirectory();
      } catch {
        isDir = true; // broken or looping: visit() says why it skips it
      }
      if (isDir || /\.(ya?ml|json)$/.test(entry)) visit(full, false);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}
