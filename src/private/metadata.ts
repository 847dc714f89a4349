import { ApiObject, ApiObjectMetadata, ApiObjectMetadataDefinition, JsonPatch } from 'cdk8s';

/** The label every object this library writes carries. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' };

/** The annotation that lists settings dropped on purpose (UnsupportedSettings.DROP_WITH_WARNING). */
export const DROPPED_ANNOTATION = 'cdk8s-mesh.io/dropped-settings';

/** Metadata of an emitted object: a derived name, the service's namespace, our label. */
export function objectMetadata(name: string, namespace: string | undefined, extra: {
  labels?: { [k: string]: string };
  annotations?: { [k: string]: string };
} = {}): ApiObjectMetadata {
  const annotations = extra.annotations && Object.keys(extra.annotations).length ? sortKeys(extra.annotations) : undefined;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: sortKeys({ ...extra.labels, ...MANAGED_BY }),
    ...(annotations ? { annotations } : {}),
  };
}

/** A copy with keys in sorted order (stable output). */
export function sortKeys<T>(map: { [k: string]: T }): { [k: string]: T } {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const clusterScopedObjects = new WeakSet<ApiObject>();

/**
 * Leaves `metadata.namespace` out of a cluster-scoped object (a Namespace) that lives in a chart
 * with a namespace; once per object, and only where it has one (the chart's, by default).
 */
export function markClusterScoped(obj: ApiObject): void {
  if (clusterScopedObjects.has(obj) || !obj.metadata.namespace) return;
  clusterScopedObjects.add(obj);
  obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}

/**
 * Undoes `markClusterScoped` (the object written as its maker wrote it): for a Namespace object that a
 * pattern of what became another cluster adopted (src/meshes/enrolment.ts, MeshNamespace rehome).
 */
export function unmarkClusterScoped(obj: ApiObject): void {
  if (!clusterScopedObjects.delete(obj)) return;
  obj.addJsonPatch(JsonPatch.add('/metadata/namespace', obj.metadata.namespace));
}

/**
 * Removes a label or annotation this library wrote on an object's (or a pod template's) metadata: a Namespace
 * object or a workload that a pattern enrolled in what became another cluster (src/meshes/enrolment.ts). cdk8s's ApiObjectMetadataDefinition has no removal:
 * its `labels` and `annotations` maps (cdk8s 2.x, read by its `toJson`) are edited; an empty map is left out
 * of the output.
 */
export function removeMetadataEntry(meta: ApiObjectMetadataDefinition, kind: 'label' | 'annotation', key: string): void {
  const map = (meta as unknown as { [k: string]: unknown })[kind === 'label' ? 'labels' : 'annotations'];
  // (not a user error: the cdk8s this library is built against always has the map)
  if (map === null || typeof map !== 'object') return;
  delete (map as { [k: string]: unknown })[key];
}
