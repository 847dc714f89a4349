import * as fs from 'fs';
import * as path from 'path';

/** Files (every .yaml, .yml or .json below a folder), in sorted order. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(p).sort();
      out.push(...expandPaths(entries.map(e => path.join(p, e)).filter(e => fs.statSync(e).isDirectory() || /\.(ya?ml|json)$/.test(e))));
    } else {
      out.push(p);
    }
  }
  return out;
}
