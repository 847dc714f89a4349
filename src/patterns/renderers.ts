import { IConstruct } from 'constructs';
import { renderersOf } from '../meshes';
import { MeshRenderers, PATTERN_NAMES } from '../meshes/renderer';
import { Mesh } from '../model/mesh';
import { cannotExpress } from '../model/unsupported';
import { ProblemList } from '../private/errors';

/** What a renderer gets besides the intent (the patterns import the meshes' interfaces from here only). */
export type { RenderContext } from '../meshes/renderer';
/** The one interface of a mesh's renderer for one pattern (MeshConstruct._askMesh asks its optional hooks). */
export type { PatternRenderer } from '../meshes/renderer';

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
