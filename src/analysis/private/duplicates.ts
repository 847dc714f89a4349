import { formatPath } from './path';

/**
 * The identity of an object in a cluster: API group (not version: `v1` and `v1beta1` of a kind are
 * one stored object), kind, namespace and name. Undefined for objects without a kind or name.
 */
export function objectKey(obj: any, defaultNamespace = ''): string | undefined {
  if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') return undefined;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const ns = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : defaultNamespace;
  return `${group}\u0000${obj.kind}\u0000${ns}\u0000${obj.metadata.name}`;
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
 * `objectKey` strings in a Set finds, without making a key string per object (the objects are bucketed by their
 * name, a string of the manifests, and compared on API group, kind and namespace within a bucket).
 */
export function duplicatePairs<T>(items: readonly T[], objectOf: (item: T) => any, defaultNamespace = ''): DuplicatePair<T>[] {
  // name -> kind -> namespace -> API group -> the first object: no key string per object, and no scan of the
  // objects of one name (a `default` PeerAuthentication in every namespace)
  const firsts = new Map<string, Map<string, Map<string, Map<string, T>>>>();
  const out: DuplicatePair<T>[] = [];
  for (const item of items) {
    const obj = objectOf(item);
    if (!obj || typeof obj !== 'object' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') continue;
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const ns: string = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : defaultNamespace;
    const byGroup = child(child(child(firsts, obj.metadata.name), obj.kind), ns) as Map<string, T>;
    if (byGroup.has(group)) out.push({ first: byGroup.get(group)!, again: item });
    else byGroup.set(group, item);
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
