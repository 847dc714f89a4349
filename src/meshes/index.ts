import { CONSUL } from './consul';
import { ISTIO } from './istio';
import { ISTIO_AMBIENT } from './istio-ambient';
import { LINKERD } from './linkerd';
import { MeshRenderers } from './renderer';
import { Mesh, MeshKind } from '../model/mesh';

const BUILT_IN: { readonly [K in MeshKind]: MeshRenderers } = {
  [MeshKind.ISTIO]: ISTIO,
  [MeshKind.LINKERD]: LINKERD,
  [MeshKind.CONSUL]: CONSUL,
};

/**
 * The renderers of a mesh: its own, for a mesh defined outside src/meshes/ (Mesh._withRenderers), else the
 * built-in mesh folder of its kind (Istio ambient is a mesh of its own: src/meshes/istio-ambient/).
 */
export function renderersOf(mesh: Mesh): MeshRenderers {
  if (mesh._renderers !== undefined) return mesh._renderers as MeshRenderers;
  return mesh.ambient ? ISTIO_AMBIENT : BUILT_IN[mesh.kind];
}

/** The names of the built-in meshes in construct ids (those of the objects they write: keep them). */
const BUILT_IN_IDS = new Map<MeshRenderers, string>(Object.entries(BUILT_IN).map(([kind, renderers]) => [renderers, kind]));

/** The renderers that stand for a mesh where patterns meet: its own, or those of the mesh whose control plane it shares. */
function meshOfRenderers(renderers: MeshRenderers): MeshRenderers {
  return renderers.controlPlane ?? renderers;
}

/**
 * Whether the patterns of two meshes are of one mesh, by their renderers (not `mesh.kind`): the same
 * MeshRenderers, or one sharing the other's control plane (Istio ambient and Istio with sidecars).
 */
export function sameMesh(a: Mesh, b: Mesh): boolean {
  return meshOfRenderers(renderersOf(a)) === meshOfRenderers(renderersOf(b));
}

/**
 * The mesh's part of the construct ids that patterns share (ServiceTraffic): a built-in mesh's name
 * (`istio`, also for ambient, `linkerd`, `consul`), else the mesh's display name. Two meshes may have the
 * same one: the construct tells them apart with `sameMesh`.
 */
export function meshIdOf(mesh: Mesh): string {
  const renderers = meshOfRenderers(renderersOf(mesh));
  return BUILT_IN_IDS.get(renderers) ?? renderers.displayName;
}
