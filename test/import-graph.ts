/**
 * The import graph of a source tree, for test/import-graph.test.ts: every import between its .ts files, as
 * TypeScript finds and resolves it, including what eslint-plugin-import's no-cycle skips (`import type`,
 * `export type ... from`) and what its rules do not read at all (`import('...')` type queries). The file
 * names are relative to the root, '/'-separated, sorted, so every chain the checks report is deterministic.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** Each file and the files it imports (sorted). */
export type ImportGraph = Map<string, string[]>;

/**
 * The graph of every .ts file under `root/dir`. Only relative specifiers are followed: the tsconfig has no
 * `paths`, so a package name never resolves into the tree.
 */
export function importGraph(root: string, dir: string): ImportGraph {
  const files = (fs.readdirSync(path.join(root, dir), { recursive: true }) as string[])
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map(f => path.posix.join(dir, f.split(path.sep).join('/')))
    .sort();
  const known = new Set(files);
  const options: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Node10 };
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const absolute = path.join(root, file);
    // (text, readImportFiles, detectJavaScriptImports): imports, exports from, import types, require()
    const specifiers = ts.preProcessFile(fs.readFileSync(absolute, 'utf8'), true, true).importedFiles.map(i => i.fileName);
    const targets = new Set<string>();
    for (const specifier of specifiers.filter(s => s.startsWith('.'))) {
      const resolved = ts.resolveModuleName(specifier, absolute, options, ts.sys).resolvedModule?.resolvedFileName;
      const target = resolved && path.relative(root, resolved).split(path.sep).join('/');
      if (target && known.has(target)) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The shortest chain of imports from one of `sources` (tried in order, so ties go to the first) to a file
 * that `isTarget` accepts (a source too, for a cycle), going on only through the files `through` accepts.
 */
export function shortestChain(graph: ImportGraph, sources: string[], isTarget: (file: string) => boolean,
  through: (file: string) => boolean = () => true): string[] | undefined {
  const previous = new Map<string, string | undefined>(sources.map(s => [s, undefined]));
  const chain = (file: string) => {
    const result = [file];
    for (let f = previous.get(file); f !== undefined; f = previous.get(f)) result.unshift(f);
    return result;
  };
  for (let queue = [...sources]; queue.length > 0;) {
    const next: string[] = [];
    for (const file of queue) {
      for (const target of graph.get(file) ?? []) {
        if (isTarget(target)) return [...chain(file), target];
        if (previous.has(target) || !through(target)) continue;
        previous.set(target, file);
        next.push(target);
      }
    }
    queue = next;
  }
  return undefined;
}

/**
 * The import cycles: for each file on one, the shortest cycle through it, written from its first file in
 * sort order back to that file (`a -> b -> a`); a cycle through several files is listed once.
 */
export function importCycles(graph: ImportGraph): string[][] {
  const cycles = new Map<string, string[]>();
  for (const file of graph.keys()) {
    const back = shortestChain(graph, [file], f => f === file);
    if (!back) continue;
    const ring = back.slice(1);
    const start = ring.indexOf([...ring].sort()[0]);
    const cycle = [...ring.slice(start), ...ring.slice(0, start)];
    cycles.set(cycle.join(' -> '), [...cycle, cycle[0]]);
  }
  return [...cycles.keys()].sort().map(k => cycles.get(k)!);
}
