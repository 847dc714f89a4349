import { App, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { Shop } from '../examples/shop/main';
import { Mesh } from '../src';
import { synthValidated } from './util';

let stderr: jest.SpyInstance;
beforeEach(() => {
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

describe('the shop example (the main job)', () => {
  test.each([
    ['istio', Mesh.istio()],
    ['linkerd', Mesh.linkerd()],
    ['consul', Mesh.consul()],
  ])('%s: synthesizes, validates against the pinned CRDs, and matches the golden output', (_name, mesh) => {
    const chart = new Shop(Testing.app(), 'shop', { mesh });
    const manifests = synthValidated(chart);
    expect(manifests.map(m => yaml.dump(m, { lineWidth: -1, noRefs: true })).join('---\n')).toMatchSnapshot();
  });

  test('output is byte-identical across runs', () => {
    const render = () => {
      const app = new App({ outdir: Testing.app().outdir });
      new Shop(app, 'shop', { mesh: Mesh.linkerd() });
      return app.synthYaml();
    };
    expect(render()).toEqual(render());
  });

  test('Istio output needs no dropped settings; Linkerd and Consul say what they dropped', () => {
    const kinds = (mesh: Mesh) => Testing.synth(new Shop(Testing.app(), 'shop', { mesh }))
      .filter(m => m.metadata.annotations?.['cdk8s-mesh.io/dropped-settings']).map(m => `${m.kind}/${m.metadata.name}`);
    expect(kinds(Mesh.istio())).toEqual([]);
    expect(kinds(Mesh.linkerd()).length).toBeGreaterThan(0);
    expect(kinds(Mesh.consul()).length).toBeGreaterThan(0);
  });
});
