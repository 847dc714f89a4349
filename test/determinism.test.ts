import { App, Chart, Testing } from 'cdk8s';
import { Shop } from '../examples/shop/main';
import { HttpMethod, Identity, Mesh, PathMatch, ServiceRef, ZeroTrustNamespace } from '../src';
import { captureStderr } from './util';

captureStderr();

const MESHES = [Mesh.istio(), Mesh.linkerd(), Mesh.consul()];

function yamlOf(build: (chart: Chart) => void): string {
  const app = new App({ outdir: Testing.app().outdir });
  build(new Chart(app, 'test', { namespace: 'shop', disableResourceNameHashes: true }));
  return app.synthYaml();
}

describe('determinism', () => {
  test.each(MESHES.map(m => [m.kind, m] as const))('%s: the shop twice gives byte-identical YAML, with no timestamps', (_name, mesh) => {
    const render = () => {
      const app = new App({ outdir: Testing.app().outdir });
      new Shop(app, 'shop', { mesh });
      return app.synthYaml();
    };
    const a = render();
    expect(render()).toBe(a);
    expect(a).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  test.each(MESHES.map(m => [m.kind, m] as const))('%s: the order of zero-trust rules does not change the output', (_name, mesh) => {
    const rules = [
      { callers: [Identity.serviceAccount('order'), Identity.serviceAccount('api-gateway')], to: ServiceRef.fromName('payment', { port: 8080 }), methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] },
      { callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('order', { port: 8080 }) },
      { callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('payment', { port: 8080 }), methods: [HttpMethod.GET] },
    ];
    const forward = yamlOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: rules }));
    const backward = yamlOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [...rules].reverse() }));
    expect(backward).toBe(forward);
  });
});
