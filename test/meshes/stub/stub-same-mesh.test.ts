import { App, Chart, Duration, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import {
  Identity, IngressGateway, IstioDataPlane, Mesh, MeshKind, MultiClusterExport, ResilientService, ServiceRef, ZeroTrustNamespace,
} from '../../../src';
import { meshIdOf, sameMesh } from '../../../src/meshes';
import { ENROLLED_BY_RENDERERS, IngressRenderer, MeshRenderers, PatternRenderer, TrafficRenderer } from '../../../src/meshes/renderer';
import { IngressApi } from '../../../src/patterns/ingress/props';
import { ServiceTraffic } from '../../../src/patterns/traffic/service-traffic';
import { captureStderr } from '../../util';

captureStderr();
const nothing: PatternRenderer<any> = { unsupported: () => [], render: () => undefined };
const traffic: TrafficRenderer = { render: () => undefined };
const seen: string[][] = [];
const ingress: IngressRenderer = {
  defaultApi: () => IngressApi.GATEWAY_API,
  defaultGatewayClassName: 'stub',
  reads: [],
  unsupported: () => [],
  callerIdentity: () => undefined,
  render: (_scope, intent) => { seen.push(intent.resilientServices().map(r => r.path)); },
};

/** A fifth mesh that renders these patterns (writing nothing), named `name`: two calls are two meshes. */
function stub(name = 'Stub'): Mesh {
  const renderers: MeshRenderers = {
    ...STUB, displayName: name, resilience: nothing, zeroTrust: { ...nothing, reads: [] }, multiCluster: { ...nothing, reads: [], withoutZeroTrust: 'no default deny' }, traffic, ingress, enrolment: ENROLLED_BY_RENDERERS,
  };
  return Mesh._withRenderers(MeshKind.ISTIO, renderers);
}

const payment = ServiceRef.fromName('payment', { port: 8080 });
const chart = () => new Chart(Testing.app(), 'test', { namespace: 'shop' });
const idOf = (c: ServiceTraffic) => c.node.id;

describe('meshes are compared by their renderers, not by kind (two fifth meshes of the same kind are told apart)', () => {
  test('sameMesh: one MeshRenderers is one mesh; Istio ambient shares Istio\'s control plane', () => {
    const a = stub();
    expect(sameMesh(a, a)).toBe(true);
    expect(sameMesh(a, stub())).toBe(false);
    expect(sameMesh(Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }))).toBe(true);
    expect(sameMesh(Mesh.istio(), Mesh.linkerd())).toBe(false);
    expect(sameMesh(Mesh.istio(), Mesh._withRenderers(MeshKind.ISTIO, STUB))).toBe(false);
  });

  test('ServiceTraffic: the built-in meshes keep their construct ids; two fifth meshes get one each', () => {
    const c = chart();
    expect(idOf(ServiceTraffic.of(c, Mesh.istio(), payment))).toBe('Traffic-istio-shop-payment');
    expect(ServiceTraffic.of(c, Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), payment)).toBe(ServiceTraffic.of(c, Mesh.istio(), payment));
    expect(idOf(ServiceTraffic.of(c, Mesh.linkerd(), payment))).toBe('Traffic-linkerd-shop-payment');
    expect(idOf(ServiceTraffic.of(c, Mesh.consul(), payment))).toBe('Traffic-consul-shop-payment');
    const [a, b] = [stub(), stub()];
    expect(meshIdOf(a)).toBe('Stub');
    const ofA = ServiceTraffic.of(c, a, payment);
    const ofB = ServiceTraffic.of(c, b, payment);
    expect([idOf(ofA), idOf(ofB)]).toEqual(['Traffic-Stub-shop-payment', 'Traffic-Stub-shop-payment-2']);
    expect(ServiceTraffic.of(c, a, payment)).toBe(ofA);
    expect(ServiceTraffic.of(c, b, payment)).toBe(ofB);
    expect(ofB.mesh).toBe(b);
  });

  test('IngressGateway sees the ResilientServices of its own mesh only', () => {
    const c = chart();
    const [a, b] = [stub('Stub A'), stub('Stub B')];
    new ResilientService(c, 'rs-a', { mesh: a, service: payment, timeout: Duration.seconds(3) });
    new ResilientService(c, 'rs-b', { mesh: b, service: ServiceRef.fromName('web', { port: 80 }), timeout: Duration.seconds(3) });
    seen.length = 0;
    new IngressGateway(c, 'gw', { mesh: a, host: 'shop.example.com', allowPlainHttp: true, routes: [{ pathPrefix: '/', service: payment }] });
    new IngressGateway(c, 'gw-b', { mesh: b, host: 'b.example.com', allowPlainHttp: true, routes: [{ pathPrefix: '/', service: payment }] });
    expect(seen).toEqual([['test/rs-a'], ['test/rs-b']]);
  });

  test('MultiClusterExport counts the ZeroTrustNamespaces of its own mesh only', () => {
    const warned = (zeroTrustMesh: (a: Mesh) => Mesh) => {
      const app = new App({ outdir: Testing.app().outdir });
      const a = stub('Stub A');
      const svc = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
      const mc = new MultiClusterExport(app, 'shop', {
        mesh: a,
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [svc], gatewayAddress: 'gw.us-west.example.com' },
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [svc], gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: svc, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] }],
      });
      new ZeroTrustNamespace(mc.chartOf('eu-west'), 'zero-trust', { mesh: zeroTrustMesh(a), namespace: 'shop', allow: [{ callers: [Identity.serviceAccount('order')], to: svc }] });
      app.synth();
      return mc.warnings.filter(w => w.startsWith('exports[0]: cluster eu-west exports payment, but its chart [eu-west] has no ZeroTrustNamespace for namespace shop'));
    };
    expect(warned(a => a)).toEqual([]);
    expect(warned(() => stub('Stub B'))).toHaveLength(1);
  });
});
