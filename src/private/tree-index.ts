import { ApiObject } from 'cdk8s';
import { IConstruct, Node } from 'constructs';

/**
 * The app's objects of some kinds without walking the construct tree each time.
 *
 * A pattern that looks for objects of the whole app when it is created (the Namespace object of its namespace,
 * the workloads whose probes its routes admit) walks every construct of the app: with one such pattern per chart,
 * an app of C charts is walked C times, and its synthesis grows with the square of the number of charts (100
 * charts of 10 services: 1.6 million constructs visited, about 1 s). A walk costs about 0.4 to 0.7 µs per construct
 * (constructs' `node.children` is an `Object.values` of each construct's children), so it is not made cheaper, but
 * done once: the first lookup of an app walks it, and every construct added to the app afterwards is recorded as
 * it is added (constructs' `Node.addChild`, which every construct's constructor calls on its parent's node), so
 * that a later lookup reads only what was added since.
 *
 * Loading the library wraps `addChild` and `tryRemoveChild` of the `constructs` package it loads, for the whole
 * process; until a first lookup the wrappers only call constructs' own (after it, each construct added anywhere
 * costs a walk up to its root). A second copy of this library (or of this module, e.g. jest's isolateModules) wraps
 * them again, for its own records.
 *
 * It gives what a walk gives, or walks:
 * - a construct removed from the app (`node.tryRemoveChild`) leaves the record with its subtree (a walk of that
 *   subtree), and what is added under it later (it keeps its scope, and so its root) is not recorded;
 * - a construct of another copy of the `constructs` package (whose `addChild` is not this one) makes the app's
 *   lookups walk every time, since what is added under it is not seen.
 * Not covered: a construct moved into another app through constructs' private `addChild`, and a lookup run inside an
 * ApiObject's own constructor (before cdk8s marks it an ApiObject: a Chart's `generateObjectName` that looks up
 * objects); neither is done by this library or cdk8s-plus.
 * The objects come grouped by kind, those of the first walk in the tree's order and the others in the order they
 * were added: a caller that needs the tree's order (the first of two objects) asks `inTreeOrder`.
 */
interface AppRecord {
  /** Every construct of the app: the first walk, then those added since, in that order. */
  constructs: IConstruct[];
  /** How many of `constructs` were sorted into `byKind`. */
  sorted: number;
  /** The ApiObjects of `constructs[0 .. sorted)`, by kind. */
  readonly byKind: Map<string, ApiObject[]>;
}

/** The apps recorded, by their root's node; `false`: an app whose lookups walk every time (a construct of another constructs copy). */
const RECORDS = new WeakMap<Node, AppRecord | false>();
/** The constructs' Node prototype that records additions: nodes of another copy of the package have another. */
const NODE_PROTOTYPE: any = Node.prototype;
/**
 * This module's mark on the prototype it patched: its own symbol, not a global one, so that a second copy of this
 * library in the process (which has its own records) patches it too, on top of this one's.
 */
const PATCHED = Symbol('cdk8s-mesh.tree-index');

/** Whether any app was recorded in this process: until then, adding a construct costs nothing more. */
let recording = false;

/** The node of the root of a node's tree (constructs' `node.root.node` without the array of scopes). */
function rootOf(node: Node): Node {
  let n = node;
  while (n.scope) n = n.scope.node;
  return n;
}

/** The constructs removed from each app, by its root's node (their subtrees are out of it, though they keep their scope and root). */
const REMOVED = new WeakMap<Node, WeakSet<IConstruct>>();

if (!NODE_PROTOTYPE[PATCHED]) {
  // constructs 10 construct.js: Node's constructor calls scope.node.addChild(host, id); tryRemoveChild(name) deletes one
  const addChild = NODE_PROTOTYPE.addChild;
  const tryRemoveChild = NODE_PROTOTYPE.tryRemoveChild;
  if (typeof addChild === 'function' && typeof tryRemoveChild === 'function') {
    NODE_PROTOTYPE.addChild = function (this: Node, child: IConstruct, childName: string) {
      const out = addChild.call(this, child, childName);
      // (the child's own node is not assigned yet: Node's constructor is still running; its copy is checked at the lookup)
      if (!recording) return out;
      const root = rootOf(this);
      const record = RECORDS.get(root);
      if (record) {
        // a construct added under a removed one is not the app's (a walk does not reach it)
        const removed = REMOVED.get(root);
        if (!removed || !this.scopes.some(s => removed.has(s))) record.constructs.push(child);
      }
      return out;
    };
    NODE_PROTOTYPE.tryRemoveChild = function (this: Node, childName: string) {
      const child = this.tryFindChild(childName);
      const removed = tryRemoveChild.call(this, childName);
      if (removed && child) {
        const root = rootOf(this);
        const set = REMOVED.get(root) ?? new WeakSet<IConstruct>();
        set.add(child);
        REMOVED.set(root, set);
        const record = RECORDS.get(root);
        if (record) {
          // the removed subtree leaves the record (sorted again at the next lookup)
          const gone = new Set(child.node.findAll());
          record.constructs = record.constructs.filter(c => !gone.has(c));
          record.byKind.clear();
          record.sorted = 0;
        }
      }
      return removed;
    };
    Object.defineProperty(NODE_PROTOTYPE, PATCHED, { value: true });
  }
}

/** The record of the app of `root`, made by a walk when there is none; undefined where lookups must walk. */
function appRecord(root: IConstruct): AppRecord | undefined {
  if (!NODE_PROTOTYPE[PATCHED]) return undefined;
  const known = RECORDS.get(root.node);
  if (known !== undefined) return known || undefined;
  // (a construct of another constructs copy in this walk is found by the lookup, which checks every construct it sorts)
  const record: AppRecord = { constructs: root.node.findAll(), sorted: 0, byKind: new Map() };
  RECORDS.set(root.node, record);
  recording = true;
  return record;
}

/**
 * The ApiObjects of these kinds in the app of `scope`, each once, grouped by kind (the order above; a walk's where the
 * app cannot be recorded). Sorted by kind when first asked for: an ApiObject's kind, and the mark `isApiObject`
 * reads, are set by its constructor, which has returned by then (a lookup runs in a pattern's constructor).
 */
export function appObjectsOfKinds(scope: IConstruct, wanted: readonly string[]): ApiObject[] {
  const kinds = [...new Set(wanted)];
  const root = scope.node.root;
  const walk = () => root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && kinds.includes(c.kind));
  const record = appRecord(root);
  if (!record) return walk();
  for (; record.sorted < record.constructs.length; record.sorted++) {
    const c = record.constructs[record.sorted];
    if (Object.getPrototypeOf(c.node) !== NODE_PROTOTYPE) {
      // a construct of another constructs copy: what was added under it was not recorded
      RECORDS.set(root.node, false);
      return walk();
    }
    if (!ApiObject.isApiObject(c)) continue;
    const list = record.byKind.get(c.kind);
    if (list) list.push(c);
    else record.byKind.set(c.kind, [c]);
  }
  return kinds.flatMap(k => record.byKind.get(k) ?? []);
}

/** These constructs of the app of `scope` in the tree's order (a walk: for the rare case of two or more). */
export function inTreeOrder<T extends IConstruct>(scope: IConstruct, constructs: T[]): T[] {
  if (constructs.length < 2) return constructs;
  const wanted = new Set<IConstruct>(constructs);
  return scope.node.root.node.findAll().filter((c): c is T => wanted.has(c));
}
