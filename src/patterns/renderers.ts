import { IConstruct } from 'constructs';
import { renderersOf } from '../meshes';
import { MeshRenderers, PATTERN_NAMES, TrafficRenderer } from '../meshes/renderer';
import { Mesh } from '../model/mesh';
import { cannotExpress } from '../model/unsupported';
import { ProblemList } from '../private/errors';

/** What a renderer gets besides the intent (the patterns import the meshes' interfaces from here only). */
export type { RenderContext, TrafficRenderer } from '../meshes/renderer';
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
