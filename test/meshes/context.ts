import { RenderContext } from '../../src/meshes/renderer';
import { Mesh } from '../../src/model/mesh';

/** The context a pattern gives a renderer, for tests that call the renderer directly: its warnings go to `warnings`. */
export function renderContext(mesh: Mesh, warnings: string[] = []): RenderContext {
  return { mesh, warn: message => { warnings.push(message); } };
}
