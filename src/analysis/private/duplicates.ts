import { formatPath } from './path';

/**
 * The identity of an object in a cluster: API group (not version: `v1` and `v1beta1` of a kind are
 * one stored object), kind, namespace and name. Undefined for objects without a kind or name.
 */
function identityOf(obj: any, defaultNamespace: string): { group: string; kind: string; ns: string; name: string } | undefined {
  if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') return undefined;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const ns = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : defaultNamespace;
  return { group, kind: obj.kind, ns, name: obj.metadata.name };
}

/** The identity of an object (`identityOf`) as one string. Undefined for objects without a kind or name. */
export function objectKey(obj: any, defaultNamespace = ''): string | undefined {
  const id = identityOf(obj, defaultNamespace);
  return id && `${id.group}\u0000${id.kind}\u0000${id.ns}\u0000${id.name}`;
}

/** The `AnalysisContext.memo` key of the analysis' duplicate pairs (of its documents, by `objectKey` with its default namespace). */
export const DUPLICATE_PAIRS = 'duplicates.pairs';

/** A later copy of an object (same `objectKey`) and the first copy, in document order. */
export interface DuplicatePair<T> {
  readonly first: T;
  readonly again: T;
}

/**
 * The objects whose `objectKey` an earlier object has, each with the first of them, in order: what comparing
 * `objectKey` strings in a Set finds, without making a key string per object (the first object of each identity is
 * kept in nested maps by name, kind, namespace and API group).
 */
export function duplicatePairs<T>(items: readonly T[], objectOf: (item: T) => any, defaultNamespace = ''): DuplicatePair<T>[] {
  // (no scan of the objects of one name: a `default` PeerAuthentication in every namespace)
  const firsts = new Map<string, Map<string, Map<string, Map<string, T>>>>();
  const out: DuplicatePair<T>[] = [];
  for (const item of items) {
    const id = identityOf(objectOf(item), defaultNamespace);
    if (!id) continue;
    const byGroup = child(child(child(firsts, id.name), id.kind), id.ns) as Map<string, T>;
    if (byGroup.has(id.group)) out.push({ first: byGroup.get(id.group)!, again: item });
    else byGroup.set(id.group, item);
  }
  return out;
}

/**
 * The path of the first difference between two JSON values (`apiVersion`, `spec.subsets`, ...),
 * `(the whole object)` when they differ at the top, or undefined when they are equal (key order aside).
 */
export function firstDifference(a: unknown, b: unknown): string | undefined {
  const p = diff(a, b, []);
  return p === undefined ? undefined : (p.length ? formatPath(p) : '(the whole object)');
}

function diff(a: any, b: any, p: (string | number)[]): (string | number)[] | undefined {
  if (a === b) return undefined;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return p;
  if (Array.isArray(a)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return [...p, i];
      const d = diff(a[i], b[i], [...p, i]);
      if (d) return d;
    }
    return undefined;
  }
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    if (a[k] === undefined && b[k] === undefined) continue;
    if (!(k in a) || !(k in b)) return [...p, k];
    const d = diff(a[k], b[k], [...p, k]);
    if (d) return d;
  }
  return undefined;
}

/** The map under `key` in `map`, made when missing. */
function child(map: Map<string, any>, key: string): Map<string, any> {
  let m = map.get(key);
  if (!m) map.set(key, m = new Map());
  return m;
}
