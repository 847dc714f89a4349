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
