/**
 * The synthesis-time checks as a `cdk8s synth` process pays them: the first `validateObjects` and
 * `analyzeObjects` of a fresh process (loading the validators, V8 compiling and warming them), then the same calls
 * again (warm), on the objects of the benchmark app (bench/run.ts `buildMesh`, rendered with the checks off).
 * CPU ms (user + sys), the minimum over RUNS fresh processes. bench/split.ts warms up first, so it shows the
 * warm cost only. Not a test: nothing asserts a time.
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node -r ts-node/register/transpile-only bench/cold.ts MESH N [RUNS]
 *
 * MESH: istio, istio-ambient, linkerd or consul. Run it on two trees one after the other to compare them.
 */
import { execFileSync } from 'child_process';
import { App } from 'cdk8s';
import { buildMesh } from './run';
import { IstioDataPlane, ManifestValidator, Mesh, MeshAnalyzer } from '../src';

const [meshName, nArg, runsArg, child] = process.argv.slice(2);
const N = Number(nArg);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

if (child === '--child') {
  const mesh = ({ 'istio': () => Mesh.istio(), 'istio-ambient': () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'linkerd': () => Mesh.linkerd(), 'consul': () => Mesh.consul() } as any)[meshName]();
  process.stderr.write = (() => true) as any;
  const app = new App({ outdir: '/tmp' });
  app.node.setContext('cdk8s-mesh:analyze', false);
  app.node.setContext('cdk8s-mesh:validate', false);
  buildMesh(app, mesh, N);
  const objects = app.charts.flatMap(c => c.toJson());
  const time = (f: () => unknown) => { const t = cpu(); f(); return cpu() - t; };
  const out = {
    validateCold: time(() => ManifestValidator.validateObjects(objects)),
    validateWarm: time(() => ManifestValidator.validateObjects(objects)),
    analyzeCold: time(() => MeshAnalyzer.analyzeObjects(objects)),
    analyzeWarm: time(() => MeshAnalyzer.analyzeObjects(objects)),
  };
  process.stdout.write(JSON.stringify(out));
} else {
  const best: Record<string, number> = {};
  for (let r = 0; r < Number(runsArg ?? 5); r++) {
    const res = JSON.parse(execFileSync(process.execPath, [...process.execArgv, __filename, meshName, nArg, '1', '--child'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    for (const [k, v] of Object.entries(res as Record<string, number>)) best[k] = Math.min(best[k] ?? Infinity, v);
  }
  console.log(`${meshName} ${N}: ${Object.entries(best).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} (CPU ms, min of ${runsArg ?? 5})`);
}
