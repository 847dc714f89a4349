import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { docsUrl } from '../private/docs-url';
import { meshError, propMessage } from '../private/errors';
import { AmbientNamespace } from './istio/ambient';
import { Mesh, MeshKind } from '../model/mesh';
import { findNamespaceObject, namespaceObjectOf, newNamespaceObject, PodTemplate, userPath } from '../private/k8s-objects';
import { markClusterScoped } from '../private/metadata';

/** Istio's namespace label that injects the default revision's sidecar. */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** Istio's namespace (or pod) label that injects the sidecar of a revision or revision tag. */
export const ISTIO_REV_LABEL = 'istio.io/rev';
/** Istio's pod label that injects (or, with "false", excludes) one workload. */
export const ISTIO_POD_INJECT_LABEL = 'sidecar.istio.io/inject';
/** Linkerd's namespace (or pod template) annotation read by the proxy injector. */
export const LINKERD_INJECT_ANNOTATION = 'linkerd.io/inject';
/** consul-k8s's pod annotation read by the connect-inject webhook. */
export const CONSUL_INJECT_ANNOTATION = 'consul.hashicorp.com/connect-inject';

/** How a mesh enrols workloads: a label or annotation, on the Namespace or on each pod template. */
export interface Enrolment {
  readonly on: 'Namespace' | 'pod template';
  readonly kind: 'label' | 'annotation';
  readonly key: string;
  readonly value: string;
  /** The command (or YAML) an operator runs to do it by hand, for messages. */
  readonly howTo: (namespace: string) => string;
}

/**
 * The enrolment of a mesh's workloads:
 * - Istio sidecar: `istio-injection: enabled` on the Namespace, or `istio.io/rev: <revision>` with a
 *   revision (or revision tag). The two exclude each other: the revision webhooks' namespaceSelector
 *   requires `istio-injection` to be absent (istio manifests/charts/istio-control/istio-discovery/
 *   templates/mutatingwebhook.yaml, "rev.namespace." and "namespace." webhooks).
 * - Istio ambient: `istio.io/dataplane-mode: ambient` on the Namespace (AmbientNamespace).
 * - Linkerd: the annotation `linkerd.io/inject: enabled` on the Namespace; the proxy injector reads it
 *   from the namespace or the pod (linkerd2 pkg/inject/report.go, disabledByAnnotation).
 * - Consul: `consul.hashicorp.com/connect-inject: "true"` on each pod; the webhook injects pods without it
 *   only with the Helm value connectInject.default: true (consul-k8s control-plane/connect-inject/webhook/
 *   mesh_webhook.go, shouldInject), which is false by default.
 */
export function enrolmentOf(mesh: Mesh): Enrolment {
  if (mesh.kind === MeshKind.ISTIO && mesh.ambient) {
    return { on: 'Namespace', kind: 'label', key: 'istio.io/dataplane-mode', value: 'ambient', howTo: ns => `kubectl label namespace ${ns} istio.io/dataplane-mode=ambient` };
  }
  if (mesh.kind === MeshKind.ISTIO) {
    const [key, value] = mesh.istioRevision ? [ISTIO_REV_LABEL, mesh.istioRevision] : [ISTIO_INJECTION_LABEL, 'enabled'];
    return { on: 'Namespace', kind: 'label', key, value, howTo: ns => `kubectl label namespace ${ns} ${key}=${value}` };
  }
  if (mesh.kind === MeshKind.LINKERD) {
    return { on: 'Namespace', kind: 'annotation', key: LINKERD_INJECT_ANNOTATION, value: 'enabled', howTo: ns => `kubectl annotate namespace ${ns} ${LINKERD_INJECT_ANNOTATION}=enabled` };
  }
  return {
    on: 'pod template',
    kind: 'annotation',
    key: CONSUL_INJECT_ANNOTATION,
    value: 'true',
    howTo: ns => `annotate the pod templates of the workloads of ${ns} with ${CONSUL_INJECT_ANNOTATION}: "true" (or install Consul with the Helm value connectInject.default: true)`,
  };
}

/**
 * The workloads that run services (and get a sidecar), of any origin (any cdk8s-plus 2.x package, an
 * imported L1, an ApiObject): Deployments, StatefulSets and DaemonSets, not Jobs, whose pods must end.
 * Read from the objects themselves (one per object, however it was made).
 */
function serviceWorkloads(scope: IConstruct): PodTemplate[] {
  return scope.node.findAll().filter(c => ApiObject.isApiObject(c)).map(c => PodTemplate.of(c)).filter((p): p is PodTemplate => p !== undefined);
}

/** The app's own Namespace object of a namespace, in any chart of the app (so that there is never a second one). */
function findNamespace(scope: Construct, namespace: string, chartOnly = false): ApiObject | undefined {
  return findNamespaceObject(chartOnly ? Chart.of(scope) : scope.node.root, namespace);
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
 * that writes policy or routing for workloads of a namespace asks for it.
 *
 * Istio (sidecar) and Linkerd enrol the namespace: the label or annotation goes on the Namespace object
 * the user created with cdk8s-plus (passed as `namespaceObject`, or found in the app by name), else on
 * one written here, but only for a namespace the app owns: the chart's own namespace (or the namespace
 * of a ZeroTrustNamespace). For any other namespace no Namespace object is written (that would let a
 * GitOps prune delete someone else's namespace): the pattern warns with the exact label to add.
 * Istio ambient is AmbientNamespace's (unchanged: it writes the Namespace it labels).
 *
 * Consul enrols pods: the pod templates of the app's Deployments, StatefulSets and DaemonSets of the
 * namespace (found when the first pattern of the namespace is created) and of workloads the patterns
 * are given (`ServiceRef.fromDeployment`, `ReleaseVersion.fromDeployment`) get the annotation, unless
 * they already carry one (`"false"` opts a workload out). Their `automountServiceAccountToken: false`
 * (cdk8s-plus's default) is turned on: with ACLs, consul-k8s logs the dataplane in with the pod's
 * service account token and refuses to inject a pod without its volume mount (mesh_webhook.go,
 * findServiceAccountVolumeMount).
 */
export class MeshNamespace extends Construct {
  /** The enrolment of `namespace` in the chart of `scope`, created on first use. */
  public static of(scope: Construct, namespace: string, mesh: Mesh, options: MeshNamespaceOptions = {}): MeshNamespace {
    const by = options.by ?? scope.node.path;
    if (mesh.ambient) {
      // ambient's enrolment is AmbientNamespace's, which writes the Namespace object it labels
      const ambient = AmbientNamespace.of(scope, namespace, mesh, options.namespaceObject, by);
      return MeshNamespace.create(scope, namespace, mesh, ambient.namespaceObject, by, options);
    }
    return MeshNamespace.create(scope, namespace, mesh, options.namespaceObject, by, options);
  }

  private static create(scope: Construct, namespace: string, mesh: Mesh, givenObject: IConstruct | undefined, by: string,
    options: MeshNamespaceOptions): MeshNamespace {
    const chart = Chart.of(scope);
    const given = namespaceObjectOf(givenObject, namespace, by);
    const id = `MeshNamespace-${namespace}`;
    const existing = chart.node.tryFindChild(id) as MeshNamespace | undefined;
    if (existing) {
      const theirs = enrolmentOf(existing.mesh);
      const ours = enrolmentOf(mesh);
      if (existing.mesh.kind !== mesh.kind || theirs.key !== ours.key || theirs.value !== ours.value) {
        throw meshError(`[${by}] ${propMessage('mesh', `${mesh.displayName} (${ours.key}: ${ours.value})`,
          `[${existing.firstBy}] enrols namespace ${namespace} with ${theirs.key}: ${theirs.value} (${existing.mesh.displayName})`,
          'use one Mesh (and one revision) for the patterns of a namespace')}`);
      }
      if (given && existing.namespaceObject && given !== existing.namespaceObject) {
        throw meshError(`[${by}] namespaceObject: got the Namespace [${userPath(given)}], but [${userPath(existing.namespaceObject)}] already enrolls namespace ${namespace} in ${mesh.displayName}; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern`);
      }
      if (given && !existing.namespaceObject) existing.adopt(given, by);
      else if (options.owned && !existing.namespaceObject) existing.adopt(findNamespace(scope, namespace, options.chartOnly), by);
      return existing;
    }
    return new MeshNamespace(chart, id, namespace, mesh, given, by, options);
  }

  /** The Namespace object that carries the enrolment (none for a namespace the app does not own, and on Consul). */
  public namespaceObject?: ApiObject;
  /** How the mesh enrols workloads. */
  public readonly enrolment: Enrolment;
  /** The enrolled workloads, by their object (one however many times it is given). */
  private readonly enrolled = new Map<ApiObject, PodTemplate>();
  private readonly checked = new Set<string>();

  private constructor(scope: Chart, id: string, public readonly namespace: string, public readonly mesh: Mesh,
    given: ApiObject | undefined, private readonly firstBy: string, options: MeshNamespaceOptions) {
    super(scope, id);
    this.enrolment = enrolmentOf(mesh);
    if (this.enrolment.on === 'pod template') {
      // the app's workloads of the namespace, in this chart or another chart of the app
      const workloads = serviceWorkloads(options.chartOnly ? scope : scope.node.root).filter(w => w.namespace === namespace);
      for (const w of workloads) this.enrolWorkload(w);
      if (!workloads.length) {
        options.warn?.(`no Deployment, StatefulSet or DaemonSet of namespace ${namespace} is in this app, so none is enrolled in ${mesh.displayName}: ${this.enrolment.howTo(namespace)}, or create the workloads before the first pattern of the namespace (see ${docsUrl('enrolment.md')})`);
      }
      return;
    }
    const found = given ?? findNamespace(scope, namespace, options.chartOnly);
    if (found || options.owned || namespace === scope.namespace) {
      this.adopt(found, firstBy);
    } else {
      options.warn?.(`namespace ${namespace} is not this chart's namespace (${scope.namespace ?? 'none'}) and no Namespace object of it is in the app, so its workloads are not enrolled in ${mesh.displayName} by this library and its policies do nothing until they are: ${this.enrolment.howTo(namespace)} (or create the Namespace with cdk8s-plus in this chart before the first pattern of the namespace; see ${docsUrl('enrolment.md')})`);
    }
  }

  /**
   * Enrols the pods of a workload the pattern was given. Consul: the annotation on its pod template. Istio
   * sidecar and Linkerd, where the namespace is enrolled here, nothing more; else the pod-level
   * equivalent (`sidecar.istio.io/inject: "true"` or `istio.io/rev`, `linkerd.io/inject: enabled`).
   */
  public enrolWorkload(workload: PodTemplate | undefined): void {
    if (!workload || this.enrolled.has(workload.api) || this.mesh.ambient) return;
    this.enrolled.set(workload.api, workload);
    const pod = workload;
    if (this.mesh.kind === MeshKind.CONSUL) {
      if (pod.annotations()[CONSUL_INJECT_ANNOTATION] === undefined) pod.addAnnotation(CONSUL_INJECT_ANNOTATION, 'true');
      // (not for a workload that opts out: it gets no dataplane to log in)
      if (workload.automountServiceAccountToken() === false && pod.annotations()[CONSUL_INJECT_ANNOTATION] === 'true') {
        workload.setAutomountServiceAccountToken(true);
      }
      return;
    }
    if (this.namespaceObject) return;
    if (this.mesh.kind === MeshKind.LINKERD) {
      if (pod.annotations()[LINKERD_INJECT_ANNOTATION] === undefined) pod.addAnnotation(LINKERD_INJECT_ANNOTATION, 'enabled');
    } else if (pod.labels()[ISTIO_POD_INJECT_LABEL] === undefined && pod.labels()[ISTIO_REV_LABEL] === undefined) {
      // without a namespace label, the object-selector webhooks inject: "object." for the default
      // revision (sidecar.istio.io/inject: "true"), "rev.object." for a revision (istio.io/rev on the pod)
      if (this.mesh.istioRevision) pod.addLabel(ISTIO_REV_LABEL, this.mesh.istioRevision);
      else pod.addLabel(ISTIO_POD_INJECT_LABEL, 'true');
    }
  }

  /**
   * Consul: warns (once per service) when no enrolled workload's pods are selected by a service a
   * pattern configures, unless the namespace has no workload at all (already said).
   */
  public checkService(name: string, selector: { [k: string]: string }, warn: (message: string) => void): void {
    if (this.enrolment.on !== 'pod template' || !this.enrolled.size || this.checked.has(name)) return;
    this.checked.add(name);
    const covered = [...this.enrolled.values()].some(w => {
      const labels = w.labels();
      return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (!covered) {
      warn(`no Deployment, StatefulSet or DaemonSet of this app runs the pods of service ${name} (selector ${JSON.stringify(selector)}), so they are not enrolled in ${this.mesh.displayName}: annotate their pod template with ${CONSUL_INJECT_ANNOTATION}: "true" (or install Consul with the Helm value connectInject.default: true; see ${docsUrl('enrolment.md')})`);
    }
  }

  /** Labels (or annotates) the Namespace object: the user's, or one written here. */
  private adopt(found: ApiObject | undefined, by: string): void {
    if (this.enrolment.on === 'pod template') return;
    if (this.mesh.ambient) {
      this.namespaceObject = found;
      return;
    }
    const ns = found ?? newNamespaceObject(this, this.namespace);
    markClusterScoped(ns);
    const e = this.enrolment;
    if (e.kind === 'label') {
      // istio-injection takes precedence over istio.io/rev: a namespace with both gets the default revision
      const other = e.key === ISTIO_REV_LABEL ? ISTIO_INJECTION_LABEL : ISTIO_REV_LABEL;
      const theirs = ns.metadata.getLabel(other);
      const mine = ns.metadata.getLabel(e.key);
      if (theirs !== undefined || (mine !== undefined && mine !== e.value)) {
        const got = theirs !== undefined ? `${other}: ${theirs}` : `${e.key}: ${mine}`;
        throw meshError(`[${by}] ${propMessage('namespaceObject', got,
          `the Namespace [${userPath(ns)}] of ${this.namespace} carries ${got}, but the mesh enrols it with ${e.key}: ${e.value}, and Istio's injection webhooks read istio-injection before istio.io/rev (a namespace with both gets the default revision)`,
          theirs !== undefined && other === ISTIO_REV_LABEL
            ? `remove the label, or use Mesh.istio({ revision: '${theirs}' })`
            : 'remove the label from the Namespace (the library writes the enrolment), or choose the revision with Mesh.istio({ revision })')}`);
      }
      ns.metadata.addLabel(e.key, e.value);
    } else {
      const mine = ns.metadata.toJson().annotations?.[e.key];
      if (mine !== undefined && mine !== e.value && mine !== 'ingress') {
        throw meshError(`[${by}] ${propMessage('namespaceObject', `${e.key}: ${mine}`,
          `the Namespace [${userPath(ns)}] of ${this.namespace} turns injection off, so no ${this.mesh.displayName} policy or route applies to its pods`,
          `remove the annotation (the library writes ${e.key}: ${e.value})`)}`);
      }
      if (mine === undefined) ns.metadata.addAnnotation(e.key, e.value);
    }
    this.namespaceObject = ns;
    namespaceFirst(ns);
  }
}

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
