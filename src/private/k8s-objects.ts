import { ApiObject, ApiObjectMetadataDefinition, Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { sameCluster } from './clusters';
import { meshError, show } from './errors';
import { objectMetadata, removeMetadataEntry } from './metadata';
import { POD_TEMPLATE_PATHS, servicePortCandidates } from './pod-spec';
import { appObjectsOfKinds, inTreeOrder } from './tree-index';

export { POD_TEMPLATE_PATHS, servicePortCandidates };

/**
 * Kubernetes objects the user made with any cdk8s-plus 2.x package (cdk8s-plus-28, -33, ...), a plain
 * `ApiObject` or an imported L1 (`KubeService`), read through the object they synthesize rather than
 * their class: `instanceof kplus.Service` cannot match an object of another cdk8s-plus package, and each
 * package has its own classes.
 */

/** The workload kinds with a pod template that runs a service. */
export const SERVICE_WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** The ApiObject a construct synthesizes: itself, or its default child (as `ApiObject.of`, without `instanceof`). */
export function apiObjectOf(c: unknown): ApiObject | undefined {
  let cur: any = c;
  for (let depth = 0; depth < 8 && cur && typeof cur === 'object'; depth++) {
    if (ApiObject.isApiObject(cur)) return cur;
    try {
      cur = cur.node?.defaultChild;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The object's manifest as it would be written now (with its JSON patches); undefined if it cannot be rendered yet. */
export function manifestOf(api: ApiObject): any | undefined {
  try {
    return api.toJson();
  } catch {
    return undefined; // e.g. a cdk8s-plus Deployment whose containers are added later
  }
}

/** The last rendering of a Service object, with the key of what its `spec` was rendered from. */
const SERVICE_SPECS = new WeakMap<ApiObject, { readonly key: unknown[]; readonly spec: ServiceSpecView }>();

/** The parts of a Service's written `spec` that service references read. */
export interface ServiceSpecView {
  readonly selector: { readonly [key: string]: string };
  readonly ports: readonly any[];
}

/**
 * `spec.selector` and `spec.ports` of a Service object as it would be written now (its JSON patches
 * included), as `manifestOf` reads them, without rendering the object again while nothing they come from
 * has changed: rendering a cdk8s-plus Service (its metadata, the whole spec, the patches) on every read of
 * a reference's selector was the largest cost of building patterns for many services. The rendering is
 * kept under a key of everything the spec is made from: the object's JSON patches (only ever added), and
 * either the cdk8s-plus 2.x Service's own selector, ports, type and external name (cdk8s-plus-28 and -33
 * `Service._toKube()` renders the spec from these alone, through a `Lazy` that is the object's whole
 * `spec`) or the object's `spec` itself when it is plain JSON (an `ApiObject` or `KubeService` given a
 * spec). Any other object (a spec with tokens, a Service of an unknown shape) is rendered on every read.
 */
export function serviceSpecOf(api: ApiObject): ServiceSpecView {
  const key = serviceSpecKey(api);
  const memo = key === undefined ? undefined : SERVICE_SPECS.get(api);
  if (memo && memo.key.length === key!.length && memo.key.every((x, i) => x === key![i])) return memo.spec;
  const spec = manifestOf(api)?.spec;
  const view: ServiceSpecView = { selector: spec?.selector ?? {}, ports: spec?.ports ?? [] };
  if (key !== undefined) SERVICE_SPECS.set(api, { key, spec: view });
  return view;
}

/**
 * The key of what a Service object's spec is rendered from (see `serviceSpecOf`), as a list of strings,
 * numbers and booleans compared one by one (cheaper than a JSON text: it is read on every read of a
 * reference's selector); undefined if not known.
 */
function serviceSpecKey(api: ApiObject): unknown[] | undefined {
  const raw: any = api;
  const patches = raw.patches;
  const spec = raw.props?.spec;
  if (!Array.isArray(patches)) return undefined;
  if (spec instanceof Lazy) {
    const owner: any = api.node.scope;
    if (!owner || typeof owner._toKube !== 'function' || apiObjectOf(owner) !== api) return undefined;
    const selector = owner._selector;
    const ports = owner._ports;
    if (!selector || typeof selector !== 'object' || Object.getPrototypeOf(selector) !== Object.prototype || !Array.isArray(ports)) return undefined;
    const key: unknown[] = [patches.length, owner.type, owner.externalName];
    // each value is a string (or a port's number); anything else (an object, a token) is not keyed
    for (const k in selector) if (!flat(key, k, selector[k])) return undefined;
    for (const p of ports) {
      if (!p || typeof p !== 'object') return undefined;
      key.push('|');
      for (const k in p) if (!flat(key, k, p[k])) return undefined;
    }
    return key;
  }
  return isPlainJson(spec) ? [patches.length, JSON.stringify(spec)] : undefined;
}

/** Adds `k` and `v` to a key if `v` is a string, number, boolean or undefined; false otherwise. */
function flat(key: unknown[], k: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return false;
  key.push(k, v);
  return true;
}

/** Whether a value is JSON (objects of no class, arrays, strings, finite numbers, booleans, null; no tokens). */
function isPlainJson(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object' || depth > 32) return false;
  if (Array.isArray(v)) return v.every(x => isPlainJson(x, depth + 1));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as object).every(x => x === undefined || isPlainJson(x, depth + 1));
}


/** A workload of the app with its manifest as written now and its pod template (a bare Pod: the manifest itself). */
export interface RenderedPodTemplate {
  readonly api: ApiObject;
  readonly manifest: any;
  readonly pod: any;
  /** The chart whose output the workload is (a MultiClusterExport may make it another cluster's). */
  readonly chart: Chart;
}

/**
 * The app's workloads of these kinds (POD_TEMPLATE_PATHS' by default), each rendered now with its pod template, in
 * the app's order; a workload that cannot be rendered yet (a cdk8s-plus Deployment whose containers are added
 * later) is left out.
 */
export function renderedPodTemplates(root: IConstruct, kinds: readonly string[] = Object.keys(POD_TEMPLATE_PATHS)): RenderedPodTemplate[] {
  return renderPodTemplates(root.node.findAll(), kinds);
}

/** The workloads of these kinds among `constructs`, each rendered now with its pod template, in their order (renderedPodTemplates). */
export function renderPodTemplates(constructs: readonly IConstruct[], kinds: readonly string[] = Object.keys(POD_TEMPLATE_PATHS)): RenderedPodTemplate[] {
  const out: RenderedPodTemplate[] = [];
  for (const c of constructs) {
    if (!ApiObject.isApiObject(c) || !kinds.includes(c.kind) || POD_TEMPLATE_PATHS[c.kind] === undefined) continue;
    const manifest = manifestOf(c);
    if (manifest === undefined) continue;
    out.push({ api: c, manifest, pod: POD_TEMPLATE_PATHS[c.kind].reduce((cur: any, k) => cur?.[k], manifest), chart: Chart.of(c) });
  }
  return out;
}

/** Whether the construct synthesizes an object of this kind (core group `v1`, or `apps/v1`, ...). */
export function isKind(c: unknown, kinds: string[], apiVersion?: string): boolean {
  const api = apiObjectOf(c);
  return api !== undefined && kinds.includes(api.kind) && (apiVersion === undefined || api.apiVersion === apiVersion);
}

/** The namespace an object is written to: its own, or its chart's. */
export function namespaceOfObject(api: ApiObject): string | undefined {
  if (api.metadata.namespace) return api.metadata.namespace;
  try {
    return Chart.of(api).namespace;
  } catch {
    return undefined;
  }
}

/**
 * The construct path users know an object by: the cdk8s-plus construct (or other wrapper) whose default
 * child it is, else the object's own.
 */
export function userPath(api: ApiObject): string {
  const parent: any = api.node.scope;
  try {
    if (parent && !(Chart.isChart(parent)) && parent.node?.defaultChild === api) return parent.node.path;
  } catch {
    // (a scope without a default child)
  }
  return api.node.path;
}

/** How a construct given where a Kubernetes object of some kind is expected was read, for messages. */
export function describeObject(c: unknown): string {
  const api = apiObjectOf(c);
  if (api) return `${api.apiVersion} ${api.kind} ${api.name} [${userPath(api)}]`;
  const path = (c as any)?.node?.path;
  return path !== undefined ? `[${path}] (not a Kubernetes object)` : show(c);
}

/**
 * The ApiObject of a construct that must synthesize a `kind`; throws a message naming what was given and
 * what to pass otherwise.
 */
export function requireObject(c: IConstruct, kinds: string[], apiVersion: string, prop: string, fix: string): ApiObject {
  const api = apiObjectOf(c);
  if (!api || !kinds.includes(api.kind) || api.apiVersion !== apiVersion) {
    throw meshError(`${prop}: got ${describeObject(c)}: expected an object that synthesizes ${apiVersion} ${kinds.join(' or ')} `
      + `(a cdk8s-plus ${kinds[0]} of any cdk8s-plus 2.x package, an imported Kube${kinds[0]} or an ApiObject); ${fix}`);
  }
  return api;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Sets `key: value` in the object at a JSON pointer of a manifest (e.g. `/spec/template/metadata/labels`),
 * adding the missing parents, with a JSON patch (objects without a metadata API of their own).
 */
export function patchMapEntry(api: ApiObject, pointer: string[], key: string, value: unknown): void {
  const json = manifestOf(api) ?? {};
  let cur: any = json;
  const path: string[] = [];
  for (const part of pointer) {
    if (cur === undefined || cur === null || typeof cur !== 'object' || !(part in cur)) {
      // the first missing parent gets the whole rest of the path as its value
      const rest = pointer.slice(path.length + 1);
      let v: any = { [key]: value };
      for (const p of [...rest].reverse()) v = { [p]: v };
      api.addJsonPatch(JsonPatch.add(`/${[...path, part].map(escapePointer).join('/')}`, v));
      return;
    }
    cur = cur[part];
    path.push(part);
  }
  api.addJsonPatch(JsonPatch.add(`/${[...path, key].map(escapePointer).join('/')}`, value));
}

/**
 * The pod template of a workload object (Deployment, StatefulSet, DaemonSet) of any origin: read from the
 * synthesized object; written through the cdk8s-plus workload's `podMetadata` when it has one (so its own
 * label handling applies), else with JSON patches.
 */
export class PodTemplate {
  /** The pod template of a construct, if it synthesizes a Deployment, StatefulSet or DaemonSet. */
  public static of(c: unknown): PodTemplate | undefined {
    const api = apiObjectOf(c);
    if (!api || !SERVICE_WORKLOAD_KINDS.includes(api.kind) || !api.apiVersion.startsWith('apps/')) return undefined;
    // the cdk8s-plus workload whose object this is: the given construct, or the object's parent
    const owner: any = c !== api ? c : api.node.scope;
    const meta = owner?.podMetadata;
    const usable = meta && typeof meta.addLabel === 'function' && typeof meta.addAnnotation === 'function' && typeof meta.toJson === 'function'
      && apiObjectOf(owner) === api;
    return new PodTemplate(api, usable ? meta : undefined);
  }

  private constructor(public readonly api: ApiObject, private readonly meta: ApiObjectMetadataDefinition | undefined) {}

  private template(): any {
    return manifestOf(this.api)?.spec?.template ?? {};
  }

  /** The pod labels. */
  public labels(): { [k: string]: string } {
    return { ...(this.template().metadata?.labels ?? {}) };
  }

  /** The pod annotations. */
  public annotations(): { [k: string]: string } {
    return { ...(this.template().metadata?.annotations ?? {}) };
  }

  /** `spec.replicas` of the workload, if written. */
  public replicas(): number | undefined {
    return manifestOf(this.api)?.spec?.replicas;
  }

  /** The workload's name. */
  public get name(): string {
    return this.api.metadata.name!;
  }

  /** The labels the workload selects its pods by (`spec.selector.matchLabels`). */
  public matchLabels(): { [k: string]: string } {
    return { ...(manifestOf(this.api)?.spec?.selector?.matchLabels ?? {}) };
  }

  /** The container ports, in order. */
  public containerPorts(): number[] {
    return (this.template().spec?.containers ?? []).flatMap((c: any) => c.ports ?? []).map((p: any) => p.containerPort);
  }

  /**
   * The numbers of the container ports named `name` (a Service's named `targetPort`), in container order: the
   * endpoints controller gives each pod the `containerPort` of the first of them
   * (kubernetes pkg/api/v1/pod/util.go, FindPort).
   */
  public containerPortsNamed(name: string): number[] {
    return servicePortCandidates(this.template().spec).filter((p: any) => p.name === name).map((p: any) => p.containerPort);
  }

  /** `automountServiceAccountToken` of the pod spec, if written. */
  public automountServiceAccountToken(): boolean | undefined {
    return this.template().spec?.automountServiceAccountToken;
  }

  /** The namespace the workload is written to. */
  public get namespace(): string | undefined {
    return namespaceOfObject(this.api);
  }

  public addLabel(key: string, value: string): void {
    if (this.meta) this.meta.addLabel(key, value);
    else patchMapEntry(this.api, ['spec', 'template', 'metadata', 'labels'], key, value);
  }

  public addAnnotation(key: string, value: string): void {
    if (this.meta) this.meta.addAnnotation(key, value);
    else patchMapEntry(this.api, ['spec', 'template', 'metadata', 'annotations'], key, value);
  }

  /** Removes a label or annotation of the pod template (one the library wrote: src/meshes/enrolment.ts). */
  public remove(kind: 'label' | 'annotation', key: string): void {
    if (this.meta) removeMetadataEntry(this.meta, kind, key);
    else this.api.addJsonPatch(JsonPatch.remove(`/spec/template/metadata/${kind}s/${escapePointer(key)}`));
  }

  /** Sets `automountServiceAccountToken` of the pod spec back to `value` (undefined: not written). */
  public restoreAutomountServiceAccountToken(value: boolean | undefined): void {
    if (value === undefined) this.api.addJsonPatch(JsonPatch.remove('/spec/template/spec/automountServiceAccountToken'));
    else this.setAutomountServiceAccountToken(value);
  }

  /** Sets `automountServiceAccountToken` of the pod spec, adding the template and pod spec if they are not written. */
  public setAutomountServiceAccountToken(value: boolean): void {
    patchMapEntry(this.api, ['spec', 'template', 'spec'], 'automountServiceAccountToken', value);
  }
}

/** The app's own Namespace object of a namespace under `scope` (of any origin), if any. */
export function findNamespaceObject(scope: IConstruct, namespace: string): ApiObject | undefined {
  return scope.node.findAll().find((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Namespace' && c.apiVersion === 'v1' && c.name === namespace);
}

/**
 * The app's v1 Namespace objects named `namespace` in the cluster of `chart`, in the tree's order (without a walk of the
 * app where there are fewer than two).
 */
export function namespaceObjectsInCluster(scope: IConstruct, namespace: string, chart: Chart): ApiObject[] {
  return inTreeOrder(scope, appObjectsOfKinds(scope, ['Namespace'])
    .filter(c => c.apiVersion === 'v1' && c.name === namespace && sameCluster(Chart.of(c), chart)));
}

/**
 * The Namespace object a pattern was given as `namespaceObject` (a cdk8s-plus Namespace of any 2.x
 * package, an imported `KubeNamespace` or an `ApiObject`); throws unless it is the Namespace of `namespace`.
 */
export function namespaceObjectOf(given: IConstruct | undefined, namespace: string, by: string): ApiObject | undefined {
  if (given === undefined) return undefined;
  const api = apiObjectOf(given);
  if (!api || api.kind !== 'Namespace' || api.apiVersion !== 'v1' || api.name !== namespace) {
    const got = api?.kind === 'Namespace' ? JSON.stringify(api.name) : describeObject(given);
    throw meshError(`[${by}] namespaceObject: got ${got}: not the Namespace of ${namespace}, whose workloads the pattern configures; `
      + `pass the Namespace named ${namespace} (a cdk8s-plus Namespace of any 2.x package, a KubeNamespace or an ApiObject), or leave namespaceObject out`);
  }
  return api;
}

/** A Namespace object written by the library (as cdk8s-plus-28's Namespace wrote it, so existing output is unchanged). */
export function newNamespaceObject(scope: Construct, namespace: string): ApiObject {
  return new ApiObject(scope, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: objectMetadata(namespace, undefined), spec: {} });
}

/** The v1 Service objects under `scope` in a namespace (each object once, of any origin). */
export function servicesOf(scope: IConstruct, namespace: string | undefined): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Service' && c.apiVersion === 'v1')
    .filter(s => namespaceOfObject(s) === namespace);
}

/** The app's Services of a namespace written into the cluster of `api`'s chart (see `sameCluster`). */
export function servicesInClusterOf(api: ApiObject, namespace: string | undefined): ApiObject[] {
  const chart = Chart.of(api);
  return servicesOf(api.node.root, namespace).filter(s => sameCluster(Chart.of(s), chart));
}

/**
 * The app's Services of the workload's namespace and cluster (`sameCluster`: a chart a MultiClusterExport
 * assigned to another cluster is another cluster's output) whose non-empty selector selects the workload's pods.
 */
export function servicesSelecting(pods: PodTemplate): ApiObject[] {
  const labels = pods.labels();
  return servicesInClusterOf(pods.api, pods.namespace).filter(s => {
    const selector = serviceSpecOf(s).selector;
    return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
  });
}

/**
 * The app's workloads (Deployments, StatefulSets, DaemonSets, of any origin) of a Service's namespace and cluster
 * (`sameCluster`) whose pod labels the Service's non-empty `selector` selects: the pods its endpoints are.
 */
export function workloadsSelectedBy(service: ApiObject, selector: { [k: string]: string }): PodTemplate[] {
  if (!Object.keys(selector).length) return [];
  const chart = Chart.of(service);
  const namespace = namespaceOfObject(service);
  return service.node.root.node.findAll()
    .filter(c => ApiObject.isApiObject(c) && sameCluster(Chart.of(c), chart))
    .map(c => PodTemplate.of(c)).filter((p): p is PodTemplate => p !== undefined && p.namespace === namespace)
    .filter(p => {
      const labels = p.labels();
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
}
