/**
 * Where the synthesis' time goes: CPU ms (user + sys) of the benchmark app (bench/run.ts `buildMesh`) synthesized
 * with the checks on, off, and as the same objects in raw cdk8s `ApiObject`s, interleaved run by run in one process
 * (the minimum of RUNS each), with the parts timed inside: construction, `ApiObject.toJson` (the base class: an L1's
 * own conversion is outside it), `Yaml.stringify` (raw only), `validateObjects`, `analyzeObjects`. Not a test: nothing asserts a time.
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node --expose-gc -r ts-node/register/transpile-only bench/split.ts MESH N [RUNS]
 *
 * MESH: istio, istio-ambient, linkerd or consul. Run it on two trees one after the other to compare them.
 */
import * as os from 'os';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { appOutdir, buildMesh } from './run';
import { IstioDataPlane, ManifestValidator, Mesh, MeshAnalyzer } from '../src';
const mesh = ({ 'istio': () => Mesh.istio(), 'istio-ambient': () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'linkerd': () => Mesh.linkerd(), 'consul': () => Mesh.consul() } as any)[process.argv[2]]();
const N = Number(process.argv[3]); const RUNS = Number(process.argv[4] ?? 3);
process.stderr.write = (() => true) as any;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const acc: Record<string, number> = {};
function wrap(obj: any, name: string, label: string) { const orig = obj[name]; let depth = 0; obj[name] = function (this: any, ...a: any[]) { if (depth++) { try { return orig.apply(this, a); } finally { depth--; } } const t = cpu(); try { return orig.apply(this, a); } finally { depth--; acc[label] = (acc[label] ?? 0) + cpu() - t; } }; }
wrap(ApiObject.prototype, 'toJson', 'toJson'); wrap(ManifestValidator, 'validateObjects', 'validate'); wrap(MeshAnalyzer, 'analyzeObjects', 'analyze');
const gc = () => (global as any).gc?.();
function synth(checks: boolean, n: number) {
  const app = new App({ outdir: appOutdir() });
  if (!checks) { app.node.setContext('cdk8s-mesh:analyze', false); app.node.setContext('cdk8s-mesh:validate', false); }
  const t0 = cpu(); buildMesh(app, mesh, n); const t1 = cpu(); app.synthYaml(); const t2 = cpu();
  return { app, construct: t1 - t0, total: t2 - t0 };
}
synth(true, 50); synth(false, 50);
const per = synth(false, N).app.charts.map((c: any) => c.toJson());
const best: Record<string, Record<string, number>> = {};
for (let r = 0; r < RUNS; r++) {
  for (const mode of ['on', 'off', 'raw']) {
    gc(); for (const k of Object.keys(acc)) delete acc[k];
    let res: any;
    if (mode === 'raw') {
      const t0 = cpu(); const app = new App({ outdir: appOutdir() });
      per.forEach((list: any[], k: number) => { const chart = new Chart(app, `mesh-${k}`, { disableResourceNameHashes: true }); list.forEach((o, i) => new ApiObject(chart, `o${i}`, o)); });
      // Yaml.stringify timed in the raw run only: the patterns' synthesis writes with the library's writer, which stands
      // in for cdk8s' own Yaml.stringify only (src/private/yaml-writer.ts), not for a wrapper such as this one
      const stringify = Yaml.stringify; wrap(Yaml, 'stringify', 'stringify');
      const t1 = cpu(); try { app.synthYaml(); } finally { (Yaml as any).stringify = stringify; } res = { construct: t1 - t0, total: cpu() - t0 };
    } else res = synth(mode === 'on', N);
    const row = { total: res.total, construct: res.construct, ...acc };
    best[mode] = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Math.min(v as number, best[mode]?.[k] ?? Infinity)]));
  }
}
for (const [mode, row] of Object.entries(best)) console.log(process.argv[2], N, mode.padEnd(3), Object.entries(row).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('  '));
console.log(`${process.argv[2]} ${N} min of ${RUNS}: on/raw ${(best.on.total / best.raw.total).toFixed(2)}  off/raw ${(best.off.total / best.raw.total).toFixed(2)}  (load ${os.loadavg()[0].toFixed(1)})`);
