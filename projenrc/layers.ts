import * as fs from 'fs';
import * as path from 'path';

/**
 * The mesh folders of `<root>/src/meshes/`: every folder but gateway-api/ (the Gateway API writer the meshes
 * share), sorted. Read from the tree, so a new mesh folder is fenced by the zones below as soon as `npx projen`
 * regenerates .eslintrc.json (test/layers.test.ts fails until it does).
 */
export function meshFolders(root: string): string[] {
  return fs.readdirSync(path.join(root, 'src', 'meshes'), { withFileTypes: true })
    .filter(d => d.isDirectory() && d.name !== 'gateway-api')
    .map(d => d.name)
    .sort();
}

/** The mesh folders that extend another (and so may import it): Istio ambient is Istio's renderers with overrides. */
const EXTENDS: { readonly [mesh: string]: string } = { 'istio-ambient': 'istio' };

/**
 * The `import/no-restricted-paths` zones of the layers of src/ (docs/architecture.md), bottom to top: private (the
 * kit) < model < meshes < patterns < analysis, graph < cli, plugin, index. No file imports a layer above its own, no
 * mesh folder of `root` imports another (but gateway-api, which the meshes share), and a pattern reaches the meshes
 * only through src/patterns/renderers.ts, which imports only the mesh-neutral files of src/meshes/. Paths are
 * relative to the rule's basePath (the project root; test/layers.test.ts roots them at its fixture instead).
 */
export function layerZones(root: string): any[] {
  const top = ['./src/cli', './src/plugin.ts', './src/index.ts'];
  const zones: any[] = [];
  const forbid = (target: string | string[], from: string[], message: string) => from.forEach(f => zones.push({ target, from: f, message }));
  forbid('./src/private', ['./src/model', './src/meshes', './src/patterns', './src/analysis', './src/graph', ...top],
    'src/private/ (the kit) imports only src/private/ and src/imports/');
  forbid('./src/model', ['./src/meshes', './src/patterns', './src/analysis', './src/graph', ...top],
    'src/model/ imports only src/model/, src/private/ and src/imports/');
  forbid('./src/meshes', ['./src/analysis', './src/graph', ...top],
    'a renderer in src/meshes/ imports only src/model/, src/private/, src/imports/ and the pattern intents');
  // a renderer reads a pattern's mesh-neutral intent and public props (src/patterns/<pattern>/{intent,props}.ts), never its construct
  zones.push({
    target: './src/meshes',
    from: ['./src/patterns/**'],
    except: ['**/src/patterns/*/intent.ts', '**/src/patterns/*/props.ts'],
    message: 'a renderer in src/meshes/ reads a pattern\'s intent and props (src/patterns/<pattern>/intent.ts, props.ts), not its construct',
  });
  forbid('./src/patterns', ['./src/graph', ...top], 'a pattern imports no graph, CLI or index');
  zones.push({
    target: './src/patterns',
    from: './src/analysis',
    except: ['./synth-check.ts'],
    message: 'a pattern imports no analysis but the synthesis-time check (src/analysis/synth-check.ts)',
  });
  // the patterns' one way to the meshes: src/patterns/renderers.ts (rendererFor, and the renderer interfaces,
  // renderersOf, sameMesh, MeshNamespace ... re-exported), which itself imports no mesh folder and no gateway-api/
  forbid(['./src/patterns/*/**/*.ts', './src/patterns/!(renderers).ts'], ['./src/meshes'],
    'a pattern imports src/meshes/ only through src/patterns/renderers.ts (import rendererFor, the renderer interfaces, renderersOf, sameMesh ... from there)');
  const meshes = meshFolders(root);
  forbid('./src/patterns/renderers.ts', [...meshes, 'gateway-api'].map(o => `./src/meshes/${o}`),
    'src/patterns/renderers.ts imports only the mesh-neutral files of src/meshes/ (renderer.ts, index.ts, enrolment.ts), no mesh folder');
  forbid('./src/analysis', ['./src/patterns', './src/meshes', './src/graph', ...top],
    'src/analysis/ reads manifests: it imports no construct, renderer, graph or CLI');
  forbid('./src/graph', ['./src/patterns', './src/meshes', ...top], 'src/graph/ imports only the analysis layer and below');
  for (const m of meshes) {
    forbid(`./src/meshes/${m}`, meshes.filter(o => o !== m && EXTENDS[m] !== o).map(o => `./src/meshes/${o}`),
      'a mesh folder imports no other mesh folder (istio-ambient may extend istio; what two meshes share goes in src/meshes/gateway-api/)');
  }
  forbid('./src/meshes/gateway-api', meshes.map(o => `./src/meshes/${o}`), 'src/meshes/gateway-api/ is shared by the meshes: it imports none of them');
  return zones;
}
