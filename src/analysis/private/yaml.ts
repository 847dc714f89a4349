import * as jsyaml from 'js-yaml';

/**
 * The most a document may expand to, as JSON: the API server's limit on a request body
 * (k8s.io/apiserver/pkg/server/config.go, MaxRequestBodyBytes = 3 MiB). A larger document is refused
 * by any cluster, so the readers stop there instead of expanding it, which also bounds YAML aliases
 * (a 477-byte "billion laughs" document expands to gigabytes).
 */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;

/** A YAML text the readers refuse: it cannot be parsed, or a document is too large once expanded. */
/**
 * Manifests that are parsed but not of the shape their schemas give, where a reader needs them to be
 * (e.g. an AuthorizationPolicy whose rules are a string): each problem as `Kind ns/name path: message`.
 */
export class InvalidManifestsError extends Error {
  constructor(public readonly problems: string[]) {
    super(`the manifests are not valid where they are read (fix them; \`cdk8s-mesh validate\` lists every error):\n${problems.map(p => `  ${p}`).join('\n')}`);
    this.name = 'InvalidManifestsError';
  }
}

export class YamlReadError extends Error {
  /** What is wrong, without the position. */
  public readonly reason: string;
  /** The zero-based line of the problem, if known. */
  public readonly mark?: { line: number };

  constructor(reason: string, line?: number) {
    super(line !== undefined ? `${reason} (line ${line + 1})` : reason);
    this.reason = reason;
    this.mark = line !== undefined ? { line } : undefined;
  }
}

/** One manifest of a YAML stream. */
export interface LoadedDocument {
  readonly obj: any;
  /** The zero-based index of its YAML document. */
  readonly documentIndex: number;
  /** Its path inside that document: `['items', 3]` for an item of a `kind: List`, else empty. */
  readonly prefix: (string | number)[];
  /** True when its YAML document is known to hold no null (no alias, sized by the plain walk): nothing to prune. */
  readonly nullFree?: boolean;
}

/**
 * Parses a YAML stream as the API server would read it: the core schema, every document at most
 * MAX_DOCUMENT_BYTES once its aliases are expanded, and the items of a `kind: List` (or `...List`)
 * as manifests of their own, as `kubectl apply` reads them. Throws YamlReadError.
 */
export function loadManifests(text: string, fileName?: string): { documents: LoadedDocument[]; count: number } {
  let docs: unknown[];
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, filename: fileName });
  } catch (e) {
    const err = e as jsyaml.YAMLException;
    if (!(err instanceof jsyaml.YAMLException)) throw e;
    throw new YamlReadError(`the YAML cannot be parsed: ${err.reason ?? err.message}`, err.mark ? err.mark.line : undefined);
  }
  const documents: LoadedDocument[] = [];
  let count = 0;
  // without an anchor (&name) there is no alias: every document is a tree, sized by a plain walk
  const trees = !text.includes('&');
  docs.forEach((obj, documentIndex) => {
    if (obj === null || obj === undefined) return; // an empty document, e.g. after a trailing ---
    const walked = trees ? treeSize(obj, MAX_DOCUMENT_BYTES) : undefined;
    const size = walked?.size ?? expandedSize(obj, MAX_DOCUMENT_BYTES);
    // the plain walk saw every node of a document it did not refuse (it stops early only above the limit)
    const nullFree = walked !== undefined && !walked.sawNull;
    if (size === 'cycle') {
      throw new YamlReadError(`the YAML is refused: document ${documentIndex} refers to itself through an alias: a manifest is a tree; write it without the recursive anchor`);
    }
    if (size > MAX_DOCUMENT_BYTES) {
      throw new YamlReadError(`the YAML is refused: document ${documentIndex} expands to more than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`
        + `${size > text.length * 4 ? ' through its aliases (an alias bomb?)' : ''}: the API server refuses a request body over 3 MiB; `
        + 'split it into smaller documents, or write it without YAML anchors and aliases');
    }
    const o = obj as any;
    if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, i: number) => {
        documents.push({ obj: item, documentIndex, prefix: ['items', i], nullFree });
        count++;
      });
      return;
    }
    documents.push({ obj, documentIndex, prefix: [], nullFree });
    count++;
  });
  return { documents, count };
}

/**
 * `expandedSize` of a value that shares no node (a document without aliases), by recursion: the same
 * count, each node's own count stopping above `limit` as there; undefined when it nests too deep.
 * `sawNull`: whether a null was met on the way (the whole value is walked when the size is at most `limit`).
 */
function treeSize(root: unknown, limit: number): { size: number; sawNull: boolean } | undefined {
  const TOO_DEEP = -1;
  let sawNull = false;
  const size = (v: unknown, depth: number): number => {
    if (v === null) { sawNull = true; return 8; }
    if (typeof v !== 'object') return typeof v === 'string' ? v.length + 2 : 8;
    if (depth > 500) return TOO_DEEP;
    let s = 2;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && s <= limit; i++) {
        const c = size(v[i], depth + 1);
        if (c === TOO_DEEP) return TOO_DEEP;
        s += 1 + c;
      }
    } else {
      for (const k of Object.keys(v)) {
        if (s > limit) break;
        const c = size((v as any)[k], depth + 1);
        if (c === TOO_DEEP) return TOO_DEEP;
        s += k.length + 4 + c;
      }
    }
    return s;
  };
  const s = size(root, 0);
  return s === TOO_DEEP ? undefined : { size: s, sawNull };
}

/**
 * The size of a value as JSON once aliases are expanded (approximately: strings, keys and
 * punctuation), counted without expanding them (shared nodes are sized once), and stopping above
 * `limit`. 'cycle' for a value that contains itself.
 */
function expandedSize(root: unknown, limit: number): number | 'cycle' {
  const sizes = new Map<object, number>();
  const open = new Set<object>();
  // an explicit stack: documents may nest deeper than the call stack
  const stack: { node: object; children: [number, unknown][]; i: number; size: number }[] = [];
  const leaf = (v: unknown) => (typeof v === 'string' ? v.length + 2 : 8);
  const enter = (node: object): 'cycle' | undefined => {
    if (open.has(node)) return 'cycle';
    open.add(node);
    const children: [number, unknown][] = Array.isArray(node)
      ? node.map(v => [1, v] as [number, unknown])
      : Object.entries(node).map(([k, v]) => [k.length + 4, v] as [number, unknown]);
    stack.push({ node, children, i: 0, size: 2 });
    return undefined;
  };
  if (root === null || typeof root !== 'object') return leaf(root);
  if (enter(root)) return 'cycle';
  let result = 0;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i < top.children.length && top.size <= limit) {
      const [overhead, child] = top.children[top.i++];
      top.size += overhead;
      if (child === null || typeof child !== 'object') {
        top.size += leaf(child);
      } else if (sizes.has(child)) {
        top.size += sizes.get(child)!;
      } else if (enter(child)) {
        return 'cycle';
      }
      continue;
    }
    stack.pop();
    open.delete(top.node);
    sizes.set(top.node, top.size);
    if (stack.length) stack[stack.length - 1].size += top.size;
    else result = top.size;
  }
  return result;
}
