import { IConstruct } from 'constructs';
import { renderersOf } from '../meshes';
import { MeshRenderers, PATTERN_NAMES, TrafficRenderer } from '../meshes/renderer';
import { Mesh } from '../model/mesh';
import { cannotExpress } from '../model/unsupported';
import { ProblemList } from '../private/errors';

// The one file of src/patterns/ that imports src/meshes/, and only its mesh-neutral files (renderer.ts, index.ts,
// enrolment.ts): every other pattern file takes what it needs of the meshes from here (lint and
// test/import-graph.test.ts refuse a pattern importing src/meshes/ directly, and this file importing a mesh folder).

/**
 * What a renderer gets besides the intent, the one interface of a mesh's renderer for one pattern
 * (MeshConstruct._askMesh asks its optional hooks), and the hooks of the renderers that extend it.
 */
export type {
  ArgoRolloutsMeshRenderer, CanaryRenderer, FlaggerMeshRenderer, PatternRenderer, RenderContext, RoutingRenderer, TrafficRenderer,
} from '../meshes/renderer';
/** The enrolment of a namespace (the base construct and MultiClusterExport write it). */
export { isEnrolledByRenderers } from '../meshes/renderer';
export { MeshNamespace } from '../meshes/enrolment';
/** A mesh's renderers, whether two meshes are one, and a mesh's part of shared construct ids. */
export { meshIdOf, renderersOf, sameMesh } from '../meshes';

/**
 * The renderer of `mesh` for a pattern, or the uniform refusal ("<mesh> cannot express <Pattern>", on the
 * `mesh` prop, with the construct path) when the mesh has none: a pattern calls it before it reads anything
 * mesh-specific.
 */
export function rendererFor<K extends keyof typeof PATTERN_NAMES>(scope: IConstruct, mesh: Mesh, pattern: K): NonNullable<MeshRenderers[K]> {
  const renderers = renderersOf(mesh);
  const renderer = renderers[pattern];
  if (renderer === undefined) refuse(scope, renderers, pattern);
  return renderer as NonNullable<MeshRenderers[K]>;
}

/**
 * The traffic renderer of `mesh` (the routing objects of a service, ServiceTraffic), for a pattern that
 * contributes to them, or that pattern's uniform refusal when the mesh has none: the user's construct and
 * pattern are named (`[chart/id] mesh: got "Stub": Stub cannot express ResilientService; ...`), not
 * ServiceTraffic, which is no construct of theirs.
 */
export function trafficRendererFor(scope: IConstruct, mesh: Mesh, pattern: keyof typeof PATTERN_NAMES): TrafficRenderer {
  const renderers = renderersOf(mesh);
  if (renderers.traffic === undefined) refuse(scope, renderers, pattern);
  return renderers.traffic!;
}

function refuse(scope: IConstruct, renderers: MeshRenderers, pattern: keyof typeof PATTERN_NAMES): void {
  const refusal = cannotExpress(renderers.displayName, PATTERN_NAMES[pattern]);
  const problems = new ProblemList(scope as any);
  problems.add(refusal.setting, refusal.value, refusal.why, refusal.alternative);
  problems.throwIfAny();
}
