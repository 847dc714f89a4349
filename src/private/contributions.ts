import { IConstruct } from 'constructs';

// Constructs a pattern writes into outside its own subtree (the shared per-service routing objects, a
// cluster's chart): read by MeshConstruct.apiObjects.
const SHARED = new WeakMap<IConstruct, Set<IConstruct>>();

/** Records that `by` wrote (or contributes to) the objects under `scopes`. */
export function addShared(by: IConstruct, ...scopes: IConstruct[]): void {
  const set = SHARED.get(by) ?? new Set<IConstruct>();
  for (const s of scopes) set.add(s);
  SHARED.set(by, set);
}

/** The scopes recorded for `by`. */
export function sharedOf(by: IConstruct): IConstruct[] {
  return [...(SHARED.get(by) ?? [])];
}
