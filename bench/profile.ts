/**
 * The synthesis of the benchmark app alone (after a warm-up at N = 50), for profiles and peak memory:
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node --cpu-prof -r ts-node/register/transpile-only bench/profile.ts MESH N on|off [CHARTS]
 *
 * MESH: istio, istio-ambient, linkerd or consul; on / off: the synthesis-time checks; CHARTS: the many-chart app
 * (bench/run.ts buildCharts) in that many charts, else the one-chart app. Prints the construction
 * and synthesis ms, the heap after, the heap when the output is rendered and written to YAML (live heap with
 * --expose-gc), and the peak RSS of the process.
 */
import { App, Yaml } from 'cdk8s';
import { appOutdir, buildCharts, buildMesh } from './run';
import { IstioDataPlane, Mesh } from '../src';
const [meshName, nArg, mode, chartsArg] = process.argv.slice(2);
const charts = Number(chartsArg ?? 1);
const mesh = { 'istio': Mesh.istio(), 'istio-ambient': Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'linkerd': Mesh.linkerd(), 'consul': Mesh.consul() }[meshName]!;
process.stderr.write = (() => true) as any;
function run(n: number, checks: boolean) {
  const app = new App({ outdir: appOutdir() });
  if (!checks) { app.node.setContext('cdk8s-mesh:analyze', false); app.node.setContext('cdk8s-mesh:validate', false); }
  const t0 = Date.now();
  if (charts > 1) buildCharts(app, mesh, n, charts); else buildMesh(app, mesh, n);
  const t1 = Date.now();
  app.synthYaml();
  return [t1 - t0, Date.now() - t1];
}
run(50, mode !== 'off'); // the warm-up in the same mode: an "off" profile shows no check
// the heap when the whole output is there: the objects rendered (and checked) and their YAML, the app alive
let peakHeap = 0;
// (with --expose-gc: the live heap, after a collection; it slows the run down)
const sample = () => {
  (global as any).gc?.();
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
// sampled around the writer that synthYaml calls: the library's (src/private/yaml-writer.ts withYamlWriter puts it in
// Yaml.stringify's place during the synthesis, and steps aside when Yaml.stringify is not cdk8s' own at its start,
// so Yaml.stringify is wrapped here only inside cdk8s' synthYaml, after that check)
const synthYaml = App.prototype.synthYaml;
App.prototype.synthYaml = function (this: App) {
  const writer = Yaml.stringify;
  Yaml.stringify = (...docs: any[]) => {
    sample();
    const out = writer(...docs);
    sample();
    return out;
  };
  try {
    return synthYaml.call(this);
  } finally {
    Yaml.stringify = writer;
  }
};
const r = run(Number(nArg), mode !== 'off');
// peak RSS of the whole process (ts-node and the warm-up included): run one mode per process to compare them
console.log(meshName, nArg, mode, charts > 1 ? `${charts} charts` : '', 'construct', r[0], 'synth', r[1], 'heap', Math.round(process.memoryUsage().heapUsed / 1e6),
  'heap at the YAML MB', Math.round(peakHeap / 1e6),
  'peak RSS MB', Math.round(process.resourceUsage().maxRSS / 1024));
