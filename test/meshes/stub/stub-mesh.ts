import { Mesh, MeshKind } from '../../../src';
import { MeshRenderers } from '../../../src/meshes/renderer';

/**
 * A fifth mesh, defined only here: a MeshRenderers that renders nothing. Every member is required, so the
 * compiler lists what a new mesh must say for each pattern; `undefined` refuses the pattern.
 */
export const STUB: MeshRenderers = {
  displayName: 'Stub',
  resilience: undefined,
  zeroTrust: undefined,
  multiCluster: undefined,
  traffic: undefined,
  canary: undefined,
  routing: undefined,
  fault: undefined,
  ingress: undefined,
  egress: undefined,
  telemetry: undefined,
  enrolment: undefined,
};

// @ts-expect-error a mesh that leaves a pattern out does not compile (here: telemetry is missing)
export const INCOMPLETE: MeshRenderers = {
  displayName: 'Incomplete',
  resilience: undefined,
  zeroTrust: undefined,
  multiCluster: undefined,
  traffic: undefined,
  canary: undefined,
  routing: undefined,
  fault: undefined,
  ingress: undefined,
  egress: undefined,
};

/** The stub mesh (`undefined` enrolment: the library does not know how it enrols; no pattern gets that far). */
export function stubMesh(): Mesh {
  return Mesh._withRenderers(MeshKind.ISTIO, STUB);
}
