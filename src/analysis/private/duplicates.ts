import { formatPath } from './path';

interface Identity { readonly group: string; readonly kind: string; readonly ns: string; readonly name: string }

/** Whether an object has an identity (`identityOf`): a string kind and a string name. */
function identifiable(obj: any): boolean {
  return !!obj && typeof obj === 'object' && typeof obj.kind === 'string' && typeof obj.metadata?.name === 'string';
}

/**
 * The cluster-scoped kinds, `group/kind`: Kubernetes' own (`kubectl api-resources --namespaced=false`) and those of
 * the pinned CRDs with `scope: Cluster` (Gateway API's GatewayClass; test/analysis/analyzer-identity.test.ts checks
 * the pinned ones). The API server clears the namespace a manifest gives such an object (k8s.io/apiserver
 * pkg/registry/rest EnsureObjectNamespaceMatchesRequestNamespace: a cluster-scoped request's namespace is none), so
 * a Namespace object written with `metadata.namespace` (cdk8s gives every object of a chart the chart's namespace)
 * and one without it are one object.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/ComponentStatus', '/Namespace', '/Node', '/PersistentVolume',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy', 'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'certificates.k8s.io/CertificateSigningRequest', 'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/DeviceClass', 'resource.k8s.io/ResourceSlice', 'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/StorageClass', 'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass', 'storagemigration.k8s.io/StorageVersionMigration',
  'resource.k8s.io/DeviceTaintRule', 'internal.apiserver.k8s.io/StorageVersion', 'networking.k8s.io/ClusterCIDR', 'policy/PodSecurityPolicy',
  'gateway.networking.k8s.io/GatewayClass',
]);

/** The API group of a manifest (`''` for the core group, or when its apiVersion is not a string). */
function apiGroup(obj: any): string {
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Whether an object's kind is cluster-scoped (CLUSTER_SCOPED_KINDS). */
export function isClusterScoped(obj: any): boolean {
  return CLUSTER_SCOPED_KINDS.has(`${apiGroup(obj)}/${obj?.kind}`);
}

/**
 * The object as the API server stores it, as far as its identity and content go: a cluster-scoped one without the
 * `metadata.namespace` its manifest gives (a shallow copy; the object itself otherwise).
 */
export function asStored(obj: any): any {
  if (!isClusterScoped(obj) || obj.metadata === null || typeof obj.metadata !== 'object' || !('namespace' in obj.metadata)) return obj;
  const { namespace: _namespace, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * Where two copies of one object (same `objectKey`) differ as the API server stores them (`asStored`: a cluster-scoped
 * object's manifests that differ only in `metadata.namespace` are the same content); undefined when they do not.
 */
export function contentDifference(a: unknown, b: unknown): string | undefined {
  return firstDifference(asStored(a), asStored(b));
}

/**
 * The identity of an object in a cluster: API group (not version: `v1` and `v1beta1` of a kind are
 * one stored object), kind, namespace (none for a cluster-scoped kind, whatever the manifest says: CLUSTER_SCOPED_KINDS)
 * and name. Undefined for objects without a kind or name.
 */
function identityOf(obj: any, defaultNamespace: string): Identity | undefined {
  if (!identifiable(obj)) return undefined;
  const ns = isClusterScoped(obj) ? '' : typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : defaultNamespace;
  return { group: apiGroup(obj), kind: obj.kind, ns, name: obj.metadata.name };
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
 * The objects whose `objectKey` an earlier object has, each with the first of them, in order: what a Map of
 * `objectKey` strings finds, without making a key string per object: the first object of each kind and name is
 * kept by those two strings of the object alone (in a Map per kind), and only the objects of a kind and name that more
 * than one object has are kept by their other parts (no scan of the objects of one name: a `default`
 * PeerAuthentication in every namespace). (Issue 26, twenty-second pass: keyed by the name alone, the objects of one
 * service, which share its name, each made their other parts' key.)
 */
export function duplicatePairs<T extends object>(items: readonly T[], objectOf: (item: T) => any, defaultNamespace = ''): DuplicatePair<T>[] {
  const byKind = new Map<string, Map<string, T>>();
  // the objects of a kind and name that more than one has, by their other parts, keyed by the first of them
  const collided = new Map<T, Map<string, T>>();
  const out: DuplicatePair<T>[] = [];
  const rest = (obj: any) => {
    const id = identityOf(obj, defaultNamespace)!;
    return JSON.stringify([id.group, id.ns]); // (no separator a group or namespace may hold)
  };
  for (const item of items) {
    const obj = objectOf(item);
    if (!identifiable(obj)) continue;
    let byName = byKind.get(obj.kind);
    if (!byName) byKind.set(obj.kind, byName = new Map());
    const first = byName.get(obj.metadata.name);
    if (first === undefined) {
      byName.set(obj.metadata.name, item);
      continue;
    }
    let byRest = collided.get(first);
    if (!byRest) collided.set(first, byRest = new Map([[rest(objectOf(first)), first]]));
    const key = rest(obj);
    const earlier = byRest.get(key);
    if (earlier !== undefined) out.push({ first: earlier, again: item });
    else byRest.set(key, item);
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
