import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as jsyaml from 'js-yaml';
import { ManifestValidator, Severity } from '../src';

/** A chart in namespace `shop` with stable names. */
export function shopChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'shop', disableResourceNameHashes: true });
}

/**
 * Synthesizes a chart and checks every emitted object against the pinned CRDs (schema and CEL):
 * a golden output is validated, not only snapshotted.
 */
export function synthValidated(chart: Chart): any[] {
  const manifests = Testing.synth(chart);
  const errors = ManifestValidator.validateObjects(manifests).findings.filter(f => f.severity !== Severity.INFO);
  if (errors.length) {
    throw new Error(`the synthesized objects do not validate against the pinned CRDs:\n${errors.map(f => ManifestValidator.formatFinding(f)).join('\n')}`);
  }
  // every mesh object was really checked (not merely skipped as an unknown kind)
  const meshObjects = manifests.filter(m => /istio\.io|linkerd\.io|consul\.hashicorp\.com|gateway\.networking\.k8s\.io|smi-spec\.io|monitoring\.coreos\.com|flagger\.app|argoproj\.io/.test(m.apiVersion));
  const checked = ManifestValidator.validateObjects(meshObjects).checked;
  if (checked !== meshObjects.length) throw new Error(`only ${checked} of ${meshObjects.length} mesh objects have a pinned schema`);
  dumpForConformance(manifests);
  return manifests;
}

let dumped = 0;
/** With CONFORMANCE_DUMP=DIR, every validated synthesis is also written to DIR for the meshes' own checks (docs/conformance.md). */
function dumpForConformance(manifests: any[]): void {
  const dir = process.env.CONFORMANCE_DUMP;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.pid}-${String(dumped++).padStart(5, '0')}.yaml`);
  fs.writeFileSync(file, manifests.map(m => jsyaml.dump(m, { noRefs: true, lineWidth: -1 })).join('---\n'));
}

/** The objects of a kind (and optionally name). */
export function ofKind(manifests: any[], kind: string, name?: string): any[] {
  return manifests.filter(m => m.kind === kind && (name === undefined || m.metadata.name === name));
}

/** The one object of a kind and name. */
export function one(manifests: any[], kind: string, name: string): any {
  const found = ofKind(manifests, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}: ${manifests.map(m => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found[0];
}

export { App };

/** Builds constructs in a fresh chart and returns the error of construction or synthesis (never a TypeError). */
export function failureOf(build: (chart: Chart) => void): string {
  const chart = shopChart();
  try {
    build(chart);
    Testing.synth(chart);
  } catch (e) {
    if (e instanceof TypeError) throw new Error(`a TypeError escaped: ${e.stack}`);
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

/** Captures what the constructs print to stderr, per test. */
export function captureStderr(): () => jest.SpyInstance {
  let spy: jest.SpyInstance;
  beforeEach(() => {
    spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => spy.mockRestore());
  return () => spy;
}
