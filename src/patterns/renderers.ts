import { IConstruct } from 'constructs';
import { renderersOf } from '../meshes';
import { MeshRenderers, PATTERN_NAMES } from '../meshes/renderer';
import { Mesh } from '../model/mesh';
import { cannotExpress } from '../model/unsupported';
import { ProblemList } from '../private/errors';

// The one file of src/patterns/ that imports src/meshes/, and only its mesh-neutral files (renderer.ts, index.ts,
// enrolment.ts): every other pattern file takes what it needs of the meshes from here (lint and
// test/import-graph.test.ts refuse a pattern importing src/meshes/ directly, and this file importing a mesh folder).

/** What a renderer gets besides the intent, and the pattern renderers' own hooks. */
export type {
  ArgoRolloutsMeshRenderer, CanaryRenderer, FlaggerMeshRenderer, RenderContext, RoutingRenderer,
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
  if (renderer === undefined) {
    const refusal = cannotExpress(renderers.displayName, PATTERN_NAMES[pattern]);
    const problems = new ProblemList(scope as any);
    problems.add(refusal.setting, refusal.value, refusal.why, refusal.alternative);
    problems.throwIfAny();
  }
  return renderer as NonNullable<MeshRenderers[K]>;
}
