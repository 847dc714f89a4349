import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Enrolment, EnrolmentContext, EnrolmentRenderer } from './renderer';
import { Mesh } from '../model/mesh';
import { clusterRelationFinal, sameCluster } from '../private/clusters';
import { docsUrl } from '../private/docs-url';
import { meshError, propMessage } from '../private/errors';
import { findNamespaceObject, namespaceObjectOf, namespaceObjectsInCluster, newNamespaceObject, PodTemplate, SERVICE_WORKLOAD_KINDS, userPath } from '../private/k8s-objects';
import { markClusterScoped, removeMetadataEntry, unmarkClusterScoped } from '../private/metadata';
import { appObjectsOfKinds } from '../private/tree-index';

/**
 * An enrolment `on: 'Namespace'` without a hook of its mesh (EnrolmentRenderer.enrolNamespace): the label or
 * annotation is written; the same key with another value on the user's Namespace object is refused.
 */
function enrolNamespaceByDefault(ns: ApiObject, e: Enrolment, { mesh, namespace, by }: EnrolmentContext): void {
  const mine = e.kind === 'label' ? ns.metadata.getLabel(e.key) : ns.metadata.toJson().annotations?.[e.key];
  if (mine !== undefined && mine !== e.value) {
    throw meshError(`[${by}] ${propMessage('namespaceObject', `${e.key}: ${mine}`,
      `the Namespace [${userPath(ns)}] of ${namespace} carries ${e.key}: ${mine}, but ${mesh.displayName} enrols it with ${e.key}: ${e.value}`,
      `remove the ${e.kind} from the Namespace (the library writes the enrolment)`)}`);
  }
  if (e.kind === 'label') ns.metadata.addLabel(e.key, e.value);
  else ns.metadata.addAnnotation(e.key, e.value);
}

/**
 * The workloads that run services (and get a sidecar), of any origin (any cdk8s-plus 2.x package, an
 * imported L1, an ApiObject): Deployments, StatefulSets and DaemonSets, not Jobs, whose pods must end.
 * Read from the objects themselves (one per object, however it was made).
 */
function serviceWorkloads(scope: IConstruct, cluster?: Chart): PodTemplate[] {
  // the whole app's without a walk of it for each chart's first pattern (private/tree-index.ts), not in the tree's
  // order: each is enrolled on its own
  const objects = scope === scope.node.root ? appObjectsOfKinds(scope, SERVICE_WORKLOAD_KINDS) : scope.node.findAll();
  return objects.filter(c => ApiObject.isApiObject(c) && (!cluster || sameCluster(Chart.of(c), cluster)))
    .map(c => PodTemplate.of(c)).filter((p): p is PodTemplate => p !== undefined);
}

/**
 * The app's own Namespace object of a namespace, in any chart of the app that writes into the cluster of
 * the chart of `scope` (so that there is never a second one in a cluster): every chart, until a
 * MultiClusterExport assigns charts to different clusters (src/private/clusters.ts).
 */
function findNamespace(scope: Construct, namespace: string, chartOnly = false): ApiObject | undefined {
  if (chartOnly) return findNamespaceObject(Chart.of(scope), namespace);
  const chart = Chart.of(scope);
  // (without a walk of the app for each chart's first pattern: private/tree-index.ts; the tree's first, as a walk finds it)
  return namespaceObjectsInCluster(scope, namespace, chart)[0];
}

/** Options of `MeshNamespace.of`. */
export interface MeshNamespaceOptions {
  /** The user's Namespace object (of any origin), if the pattern was given one. */
  readonly namespaceObject?: IConstruct;
  /** The construct path of the pattern asking, for messages. */
  readonly by?: string;
  /**
   * The pattern owns the namespace whatever the chart's namespace (a ZeroTrustNamespace writes the
   * namespace's default policy): a Namespace object is written when none is found.
   */
  readonly owned?: boolean;
  /** Where a warning goes (the pattern's `_warn`). */
  readonly warn?: (message: string) => void;
  /**
   * Look for the Namespace object and the workloads in the chart only, not in the whole app: the charts
   * of a MultiClusterExport's app are different clusters.
   */
  readonly chartOnly?: boolean;
}

/**
 * The enrolment of one namespace's workloads in the mesh, once per chart and namespace; every pattern
 * that writes policy or routing for workloads of a namespace asks for it. How the mesh enrols is its
 * EnrolmentRenderer's (src/meshes/<mesh>/enrolment.ts); what is done with it here is the same for every mesh.
 *
 * An enrolment on the Namespace (Istio sidecar, Linkerd): the label or annotation goes on the Namespace object
 * the user created with cdk8s-plus (passed as `namespaceObject`, or found in the app by name), else on
 * one written here, but only for a namespace the app owns: the chart's own namespace (or the namespace
 * of a ZeroTrustNamespace). For any other namespace no Namespace object is written (that would let a
 * GitOps prune delete someone else's namespace): the pattern warns with the exact label to add, and the
 * workloads the patterns are given get the mesh's pod-level enrolment, if it has one.
 *
 * An enrolment on pod templates (Consul): the pod templates of the app's Deployments, StatefulSets and
 * DaemonSets of the namespace (found when the first pattern of the namespace is created) and of workloads
 * the patterns are given (`ServiceRef.fromDeployment`, `ReleaseVersion.fromDeployment`) are enrolled by the
 * mesh's `enrolWorkload`.
 *
 * A mesh without an enrolment (MeshRenderers.enrolment `undefined`) enrols nothing: the first pattern of
 * the namespace warns. Istio ambient's patterns do not ask (ENROLLED_BY_RENDERERS: AmbientNamespace).
 *
 * Two patterns enrol a namespace of a chart differently, and the second is refused, when their meshes'
 * enrolment renderers differ (two meshes) or the same renderer gives another label or value (two Istio
 * revisions).
 */
export class MeshNamespace extends Construct {
  /**
   * The enrolment of `namespace` in the chart of `scope` by `renderer` (the mesh's MeshRenderers.enrolment),
   * created on first use.
   */
  public static of(scope: Construct, namespace: string, mesh: Mesh, renderer: EnrolmentRenderer | undefined,
    options: MeshNamespaceOptions = {}): MeshNamespace {
    const by = options.by ?? scope.node.path;
    const chart = Chart.of(scope);
    const given = namespaceObjectOf(options.namespaceObject, namespace, by);
    const id = `MeshNamespace-${namespace}`;
    const existing = chart.node.tryFindChild(id) as MeshNamespace | undefined;
    if (existing) {
      const theirs = existing.enrolment;
      const ours = renderer?.enrolment(mesh);
      if (existing.renderer !== renderer || theirs?.key !== ours?.key || theirs?.value !== ours?.value) {
        const show = (e: Enrolment | undefined) => (e ? `${e.key}: ${e.value}` : 'no enrolment known to this library');
        throw meshError(`[${by}] ${propMessage('mesh', `${mesh.displayName} (${show(ours)})`,
          `[${existing.firstBy}] enrols namespace ${namespace} with ${show(theirs)} (${existing.mesh.displayName})`,
          'use one Mesh (and one revision) for the patterns of a namespace')}`);
      }
      if (given && existing.namespaceObject && given !== existing.namespaceObject) {
        throw meshError(`[${by}] namespaceObject: got the Namespace [${userPath(given)}], but [${userPath(existing.namespaceObject)}] already enrolls namespace ${namespace} in ${mesh.displayName}; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern`);
      }
      if (given && !existing.namespaceObject) {
        existing.given = true;
        existing.adopt(given, by);
      } else if (options.owned && !existing.namespaceObject) {existing.adopt(findNamespace(scope, namespace, options.chartOnly), by);}
      return existing;
    }
    return new MeshNamespace(chart, id, namespace, mesh, renderer, given, by, options);
  }

  /**
   * After a MultiClusterExport assigned charts to clusters: each enrolment of the app that adopted (found)
   * a Namespace object, or enrolled workloads, of a chart that is now another cluster's takes those of its
   * own cluster instead (a Namespace object found there, else one written for a namespace the app owns;
   * the workloads of the cluster), and its label or annotation leaves the other cluster's Namespace object
   * unless another enrolment there holds it: the outcome is the one of creating the export first.
   * @internal
   */
  public static _rehome(root: IConstruct): void {
    const all = root.node.findAll().filter((c): c is MeshNamespace => c instanceof MeshNamespace);
    for (const m of all) m.rehome(all);
  }

  /** Who sets `key` on a Namespace object, first first: its maker, then the enrolments that hold it, in creation order. */
  private static annotationParties(ns: ApiObject, key: string): { value: string; entry?: NamespaceAnnotation; holder?: MeshNamespace }[] {
    const preset = ANNOTATIONS_BEFORE.get(ns)?.get(key);
    const held = [...HOLDERS.get(ns) ?? []].flatMap(m => {
      const entry = m.annotations.get(key);
      return entry ? [{ value: entry.value, entry, holder: m }] : [];
    }).sort((a, b) => a.entry.seq - b.entry.seq);
    return [...(preset !== undefined ? [{ value: preset }] : []), ...held];
  }

  /** The Namespace object that carries the enrolment (none for a namespace the app does not own, and on pod templates). */
  public namespaceObject?: ApiObject;
  /** How the mesh enrols workloads (undefined: the library does not know). */
  public readonly enrolment?: Enrolment;
  /** The enrolled workloads, by their object (one however many times it is given). */
  private readonly enrolled = new Map<ApiObject, PodTemplate>();
  private readonly checked = new Set<string>();
  /** The value of the enrolment's key on the Namespace object before it was adopted (the user's). */
  private preset?: string;
  /** Annotations patterns wrote on the Namespace object through `annotateNamespace` (Linkerd's default policy). */
  private readonly annotations = new Map<string, NamespaceAnnotation>();
  /**
   * What enrolling a workload of another chart wrote on its pod template (the keys added, the
   * automountServiceAccountToken before), undone if a MultiClusterExport puts that chart in another cluster.
   */
  private readonly wrote = new Map<ApiObject, { labels: string[]; annotations: string[]; automount: { before: boolean | undefined } | undefined }>();
  /** The services `checkService` checked but has not yet warned for: at synthesis, when the clusters are final. */
  private readonly pending = new Set<string>();
  /** The services `checkService` checked, checked again when the workloads of another cluster leave. */
  private readonly checks = new Map<string, { selector: { [k: string]: string }; warn: (message: string) => void }>();
  /** Whether the Namespace object was the one a pattern was given (never moved to another). */
  private given = false;

  private constructor(scope: Chart, id: string, public readonly namespace: string, public readonly mesh: Mesh,
    private readonly renderer: EnrolmentRenderer | undefined, given: ApiObject | undefined, private readonly firstBy: string,
    private readonly options: MeshNamespaceOptions) {
    super(scope, id);
    this.given = given !== undefined;
    this.enrolment = renderer?.enrolment(mesh);
    if (!this.enrolment) {
      options.warn?.(`${mesh.displayName} has no enrolment in this library (its MeshRenderers.enrolment is undefined), so the workloads of namespace ${namespace} are not enrolled in it by this library and its policies and routes do nothing until they are: enrol them as ${mesh.displayName}'s installation documents (its namespace label or annotation, or its pod injection), or give the mesh an EnrolmentRenderer (src/meshes/renderer.ts; see ${docsUrl('enrolment.md')})`);
      return;
    }
    if (this.enrolment.on === 'pod template') {
      // the app's workloads of the namespace, in this chart or another chart of the app
      const workloads = serviceWorkloads(options.chartOnly ? scope : scope.node.root, scope).filter(w => w.namespace === namespace);
      for (const w of workloads) this.enrolWorkload(w);
      if (!workloads.length) {
        options.warn?.(`no Deployment, StatefulSet or DaemonSet of namespace ${namespace} is in the charts of this cluster, so none is enrolled in ${mesh.displayName}: ${this.enrolment.howTo(namespace)}, or create the workloads before the first pattern of the namespace (see ${docsUrl('enrolment.md')})`);
      }
      return;
    }
    const found = given ?? findNamespace(scope, namespace, options.chartOnly);
    if (found || options.owned || namespace === scope.namespace) {
      this.adopt(found, firstBy);
    } else {
      options.warn?.(`namespace ${namespace} is not this chart's namespace (${scope.namespace ?? 'none'}) and no Namespace object of it is in the charts of this cluster, so its workloads are not enrolled in ${mesh.displayName} by this library and its policies do nothing until they are: ${this.enrolment.howTo(namespace)} (or create the Namespace with cdk8s-plus in this chart before the first pattern of the namespace; see ${docsUrl('enrolment.md')})`);
    }
  }

  /**
   * Enrols the pods of a workload the pattern was given: the mesh's `enrolWorkload` (its mark on the pod
   * template, or, where the namespace is not enrolled here, the pod-level equivalent of its namespace mark).
   */
  public enrolWorkload(workload: PodTemplate | undefined): void {
    if (!workload || !this.renderer || this.enrolled.has(workload.api)) return;
    this.enrolled.set(workload.api, workload);
    // a workload of another chart may become another cluster's (rehome): what is written on it is kept
    const foreign = Chart.of(workload.api) !== Chart.of(this);
    const before = foreign ? { labels: workload.labels(), annotations: workload.annotations(), automount: workload.automountServiceAccountToken() } : undefined;
    this.renderer.enrolWorkload(workload, this.enrolment?.on === 'Namespace' && this.namespaceObject !== undefined, this.mesh);
    if (before) {
      const automount = workload.automountServiceAccountToken();
      this.wrote.set(workload.api, {
        labels: Object.keys(workload.labels()).filter(k => !(k in before.labels)),
        annotations: Object.keys(workload.annotations()).filter(k => !(k in before.annotations)),
        automount: automount !== before.automount ? { before: before.automount } : undefined,
      });
    }
  }

  /**
   * An enrolment on pod templates: warns (once per service) when no enrolled workload's pods are selected by a
   * service a pattern configures, unless the namespace has no workload at all (already said).
   */
  public checkService(name: string, selector: { [k: string]: string }, warn: (message: string) => void): void {
    const e = this.enrolment;
    if (e?.on !== 'pod template' || !this.enrolled.size || this.checked.has(name)) return;
    this.checked.add(name);
    this.checks.set(name, { selector, warn });
    if (this.covers(selector)) return;
    // the workloads of a chart that a MultiClusterExport (created later) may put in another cluster leave this
    // enrolment then (rehome), and if none is left the namespace's own warning is given instead: said at
    // synthesis, when the clusters are final, as when the export is created first
    const chart = Chart.of(this);
    if ([...this.enrolled.keys()].every(api => clusterRelationFinal(Chart.of(api), chart))) {
      this.warnUncovered(name);
      return;
    }
    if (!this.pending.size) {
      this.node.addValidation({
        validate: () => {
          for (const pending of [...this.pending]) {
            this.pending.delete(pending);
            if (this.enrolled.size && !this.covers(this.checks.get(pending)!.selector)) this.warnUncovered(pending);
          }
          return [];
        },
      });
    }
    this.pending.add(name);
  }

  /** Warns that no enrolled workload runs the pods of a service `checkService` checked. */
  private warnUncovered(name: string): void {
    const e = this.enrolment!;
    const { selector, warn } = this.checks.get(name)!;
    const step = e.howToService ?? `${e.kind === 'label' ? 'label' : 'annotate'} their pod template with ${e.key}: "${e.value}" (see ${docsUrl('enrolment.md')})`;
    warn(`no Deployment, StatefulSet or DaemonSet of this cluster runs the pods of service ${name} (selector ${JSON.stringify(selector)}), so they are not enrolled in ${this.mesh.displayName}: ${step}`);
  }

  /** Whether an enrolled workload's pods are selected by `selector`. */
  private covers(selector: { [k: string]: string }): boolean {
    return [...this.enrolled.values()].some(w => {
      const labels = w.labels();
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
  }

  /**
   * Annotates the Namespace object that carries the enrolment (a setting of the namespace, e.g. Linkerd's
   * default inbound policy) for the pattern `scope`, so that it moves with the enrolment if a MultiClusterExport
   * puts the Namespace object in another cluster (`rehome`). Another value of `key` on the same Namespace object
   * (its maker's, or another pattern's, first) is refused with `refuse(theirs, from, namespaceObject)`: at once
   * when the other value is of this chart, else at synthesis, when the charts' clusters are final (before a
   * MultiClusterExport, two charts of one namespace share one Namespace object; after it, they may not).
   */
  public annotateNamespace(key: string, value: string, scope: Construct, refuse: NamespaceAnnotation['refuse']): void {
    const mine = this.annotations.get(key);
    if (mine) {
      // two patterns of this chart (one enrolment): final whatever the clusters
      if (mine.value !== value) throw meshError(`[${scope.node.path}] ${refuse(mine.value, `set by [${mine.scope.node.path}]`, this.namespaceObject)}`);
      return;
    }
    const entry: NamespaceAnnotation = { value, scope, seq: ANNOTATION_SEQ.next++, refuse };
    this.annotations.set(key, entry);
    scope.node.addValidation({ validate: () => this.annotationProblems(key, entry, false) });
    if (this.namespaceObject) this.writeAnnotation(this.namespaceObject, key);
  }

  /**
   * The refusal of `entry` (this enrolment's value of `key`) on its Namespace object: when an earlier value is
   * there (its maker's, or another enrolment's). With `finalOnly`, only when that earlier value is of this
   * chart, which no MultiClusterExport can move apart (thrown at once); the others are reported at synthesis.
   */
  private annotationProblems(key: string, entry: NamespaceAnnotation, finalOnly: boolean): string[] {
    const ns = this.namespaceObject;
    if (!ns || this.annotations.get(key) !== entry) return [];
    const first = MeshNamespace.annotationParties(ns, key)[0];
    if (!first || first.entry === entry || first.value === entry.value) return [];
    if (finalOnly && (first.holder ? Chart.of(first.holder) : Chart.of(ns)) !== Chart.of(this)) return [];
    const from = first.entry ? `set by [${first.entry.scope.node.path}]` : 'set on the object by its maker';
    return [entry.refuse(first.value, from, ns)];
  }

  /**
   * Writes `key` on a Namespace object as the first who set it says (its maker, else the first enrolment that
   * holds the object and annotates it), or removes it when none does; throws the refusals that are final.
   */
  private writeAnnotation(ns: ApiObject, key: string): void {
    let before = ANNOTATIONS_BEFORE.get(ns);
    if (!before) ANNOTATIONS_BEFORE.set(ns, before = new Map());
    if (!before.has(key)) before.set(key, ns.metadata.toJson().annotations?.[key]);
    const first = MeshNamespace.annotationParties(ns, key)[0];
    if (first) ns.metadata.addAnnotation(key, first.value);
    else removeMetadataEntry(ns.metadata, 'annotation', key);
    for (const m of HOLDERS.get(ns) ?? []) {
      const entry = m.annotations.get(key);
      const refusal = entry && m.annotationProblems(key, entry, true)[0];
      if (refusal) throw meshError(`[${entry.scope.node.path}] ${refusal}`);
    }
  }

  private rehome(all: MeshNamespace[]): void {
    const e = this.enrolment;
    const chart = Chart.of(this);
    if (e?.on === 'pod template') {
      const foreign = [...this.enrolled.keys()].filter(api => !sameCluster(Chart.of(api), chart));
      if (!foreign.length) return;
      const covered = new Set([...this.checks].filter(([, c]) => this.covers(c.selector)).map(([name]) => name));
      // the other cluster's workloads are not counted here (their enrolment is their cluster's), and what
      // enrolling them wrote is undone unless an enrolment of their own cluster holds them
      for (const api of foreign) {
        const workload = this.enrolled.get(api)!;
        this.enrolled.delete(api);
        const wrote = this.wrote.get(api);
        if (!wrote || all.some(m => m !== this && m.enrolled.has(api) && sameCluster(Chart.of(m), Chart.of(api)))) continue;
        for (const key of wrote.labels) workload.remove('label', key);
        for (const key of wrote.annotations) workload.remove('annotation', key);
        if (wrote.automount) workload.restoreAutomountServiceAccountToken(wrote.automount.before);
      }
      if (!this.enrolled.size) {
        this.options.warn?.(`no Deployment, StatefulSet or DaemonSet of namespace ${this.namespace} is in the charts of this cluster, so none is enrolled in ${this.mesh.displayName}: ${e.howTo(this.namespace)}, or create the workloads before the first pattern of the namespace (see ${docsUrl('enrolment.md')})`);
        return;
      }
      for (const [name, c] of this.checks) {
        if (covered.has(name) && !this.covers(c.selector)) this.warnUncovered(name);
      }
      return;
    }
    const old = this.namespaceObject;
    if (e?.on !== 'Namespace' || !old || this.given || sameCluster(Chart.of(old), chart)) return;
    const others = all.filter(m => m !== this && m.namespaceObject === old);
    this.namespaceObject = undefined;
    HOLDERS.get(old)?.delete(this);
    if (!others.length && this.preset === undefined) removeMetadataEntry(old.metadata, e.kind, e.key);
    // no enrolment of its own cluster holds it: the Namespace object is written as its maker wrote it, where it was
    if (!others.length) {
      unmarkClusterScoped(old);
      ordered.delete(old);
    }
    // the annotations this enrolment wrote there: the value of whoever else sets them (the object's maker, or
    // an enrolment that stays), else none
    for (const key of this.annotations.keys()) this.writeAnnotation(old, key);
    const found = findNamespace(this, this.namespace, this.options.chartOnly);
    if (found || this.options.owned || this.namespace === chart.namespace) {
      // (with this enrolment's annotations: adopt)
      this.adopt(found, this.firstBy);
    } else {
      this.options.warn?.(`namespace ${this.namespace} is not this chart's namespace (${chart.namespace ?? 'none'}) and no Namespace object of it is in the charts of this cluster, so its workloads are not enrolled in ${this.mesh.displayName} by this library and its policies do nothing until they are: ${e.howTo(this.namespace)} (or create the Namespace with cdk8s-plus in this chart before the first pattern of the namespace; see ${docsUrl('enrolment.md')})`);
    }
    // the workloads the patterns were given: the pod-level enrolment where the namespace is not enrolled here
    for (const w of this.enrolled.values()) this.renderer?.enrolWorkload(w, this.namespaceObject !== undefined, this.mesh);
  }

  /** Labels (or annotates) the Namespace object: the user's, or one written here. */
  private adopt(found: ApiObject | undefined, by: string): void {
    const e = this.enrolment;
    if (e?.on !== 'Namespace') return;
    const ns = found ?? newNamespaceObject(this, this.namespace);
    markClusterScoped(ns);
    // the value before any enrolment adopted the object (the user's): a later adopter must not take another
    // enrolment's label for the user's, or the label would stay on a cluster that nothing enrols
    let before = BEFORE_ADOPTION.get(ns);
    if (!before) BEFORE_ADOPTION.set(ns, before = new Map());
    if (!before.has(e.key)) before.set(e.key, e.kind === 'label' ? ns.metadata.getLabel(e.key) : ns.metadata.toJson().annotations?.[e.key]);
    this.preset = before.get(e.key);
    const context: EnrolmentContext = { mesh: this.mesh, namespace: this.namespace, by };
    if (this.renderer?.enrolNamespace) this.renderer.enrolNamespace(ns, e, context);
    else enrolNamespaceByDefault(ns, e, context);
    this.namespaceObject = ns;
    let holders = HOLDERS.get(ns);
    if (!holders) HOLDERS.set(ns, holders = new Set());
    holders.add(this);
    for (const key of this.annotations.keys()) this.writeAnnotation(ns, key);
    namespaceFirst(ns);
  }
}

/**
 * The value of `key` its maker (the user) wrote on a Namespace object, whatever the enrolments wrote there since
 * through `annotateNamespace` (e.g. the user's `config.linkerd.io/default-inbound-policy: deny`).
 */
export function makerAnnotation(ns: ApiObject, key: string): string | undefined {
  const before = ANNOTATIONS_BEFORE.get(ns);
  return before?.has(key) ? before.get(key) : ns.metadata.toJson().annotations?.[key];
}

/** A setting a pattern writes on its namespace's Namespace object through the enrolment (`annotateNamespace`). */
interface NamespaceAnnotation {
  readonly value: string;
  /** The pattern that set it (a refusal is reported under its path). */
  readonly scope: Construct;
  /** When it was set, in the app (the first of two values is the one kept, the second is refused). */
  readonly seq: number;
  /** The refusal, when `from` (who, in words) set `theirs` on the Namespace object first. */
  readonly refuse: (theirs: string, from: string, namespaceObject: ApiObject | undefined) => string;
}

/** The order of `annotateNamespace` calls. */
const ANNOTATION_SEQ = { next: 0 };

/** The enrolments whose Namespace object is this one. */
const HOLDERS = new WeakMap<ApiObject, Set<MeshNamespace>>();

/** The annotations' values on a Namespace object before the first enrolment annotated it (its maker's). */
const ANNOTATIONS_BEFORE = new WeakMap<ApiObject, Map<string, string | undefined>>();

/** The enrolment keys' values on a Namespace object before the first enrolment adopted it. */
const BEFORE_ADOPTION = new WeakMap<ApiObject, Map<string, string | undefined>>();

const ordered = new WeakSet<ApiObject>();

/**
 * Writes the Namespace object before the other objects of its chart: a plain `kubectl apply -f` creates
 * objects in file order, and those of a namespace not created yet fail. cdk8s orders a chart's objects
 * by their dependencies (its DependencyGraph topology), so at synthesis (a chart validation runs before
 * the objects are written) every other object of the chart depends on the Namespace object, except
 * those the Namespace object itself depends on (no cycle).
 */
function namespaceFirst(ns: ApiObject): void {
  if (ordered.has(ns)) return;
  ordered.add(ns);
  const nsObject = ApiObject.of(ns);
  const chart = Chart.of(nsObject);
  chart.node.addValidation({
    validate: () => {
      // (no longer the enrolment's: a MultiClusterExport put it in another cluster than the pattern's, see rehome)
      if (!ordered.has(ns)) return [];
      // what the Namespace object depends on, transitively (those stay before it)
      const before = new Set<unknown>();
      const visit = (c: Construct) => {
        for (const d of c.node.dependencies) {
          if (before.has(d)) continue;
          before.add(d);
          visit(d);
          for (const inner of d.node.findAll()) before.add(inner);
        }
      };
      visit(nsObject);
      for (const c of chart.node.findAll()) {
        if (c === nsObject || !ApiObject.isApiObject(c) || Chart.of(c) !== chart || before.has(c)) continue;
        c.node.addDependency(nsObject);
      }
      return [];
    },
  });
}
