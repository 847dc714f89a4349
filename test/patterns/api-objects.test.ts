import { ApiObject, App, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  EgressPolicy, FaultInjection, HeaderMatch, Identity, Mesh, MultiClusterExport, ResilientService, ServiceRef, ZeroTrustNamespace,
} from '../../src';
import { captureStderr, shopChart, synthValidated } from '../util';

// #19 item 10: the patterns' routing objects live in a shared per-service construct, so ApiObject.of(pattern)
// cannot reach them; apiObjects lists what a pattern wrote, to patch it
captureStderr();
const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const kinds = (objs: ApiObject[]) => objs.map(o => o.kind).sort();

test('ApiObject.of(pattern) throws: the objects are not its children (why apiObjects exists)', () => {
  const chart = shopChart();
  const rs = new ResilientService(chart, 'payment', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
  expect(() => ApiObject.of(rs)).toThrow();
  expect(rs.node.findAll().some(c => c instanceof ApiObject)).toBe(false);
});

test('Istio: a ResilientService and a FaultInjection on one service both list the shared VirtualService; a patch lands in the output', () => {
  const chart = shopChart();
  const rs = new ResilientService(chart, 'payment', {
    mesh: Mesh.istio(),
    service: payment(),
    timeout: Duration.seconds(3),
    circuitBreaker: { consecutiveErrors: 5, interval: Duration.seconds(30), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
  });
  const fault = new FaultInjection(chart, 'chaos', {
    mesh: Mesh.istio(), service: payment(), abort: { httpStatus: 503, percent: 5 }, match: [HeaderMatch.exact('x-chaos', 'true')],
  });
  expect(kinds(rs.apiObjects)).toEqual(['DestinationRule', 'VirtualService']);
  const vs = fault.apiObjects.find(o => o.kind === 'VirtualService')!;
  expect(vs).toBe(rs.apiObjects.find(o => o.kind === 'VirtualService'));
  vs.addJsonPatch(JsonPatch.add('/metadata/labels', { team: 'payments' }));
  const out = synthValidated(chart).find(o => o.kind === 'VirtualService');
  expect(out.metadata.labels).toEqual({ team: 'payments' });
});

test('Consul: the ServiceResolver and ServiceDefaults of a ResilientService are listed', () => {
  const chart = shopChart();
  const rs = new ResilientService(chart, 'payment', { mesh: Mesh.consul(), service: payment(), timeout: Duration.seconds(3) });
  const written = synthValidated(chart).filter(o => o.metadata.name === 'payment').map(o => o.kind).sort();
  expect(kinds(rs.apiObjects)).toEqual(written);
  expect(rs.apiObjects.length).toBeGreaterThan(0);
});

test('patterns whose objects are their own children list them (and not the namespace\'s Namespace object)', () => {
  const chart = shopChart();
  const zt = new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('web')], to: payment() }] });
  const egress = new EgressPolicy(chart, 'egress', { mesh: Mesh.istio(), hosts: [{ host: 'api.stripe.com' }] });
  const out = synthValidated(chart);
  expect(kinds(zt.apiObjects)).toEqual(expect.arrayContaining(['AuthorizationPolicy', 'PeerAuthentication']));
  expect(kinds(egress.apiObjects)).toEqual(['ServiceEntry', 'Sidecar']);
  expect(kinds([...zt.apiObjects, ...egress.apiObjects])).not.toContain('Namespace');
  expect(out.some(o => o.kind === 'Namespace')).toBe(true);
});

test('MultiClusterExport lists the objects it wrote into the clusters\' charts', () => {
  const app = new App({ outdir: Testing.app().outdir });
  const paymentEu = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  const mc = new MultiClusterExport(app, 'shop', {
    mesh: Mesh.istio(),
    istioEastWestGateway: true,
    clusters: [
      { name: 'us-west', network: 'net-us', region: 'us-west1', services: [], gatewayAddress: 'gw.us-west.example.com' },
      { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentEu], gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: paymentEu, cluster: 'eu-west', consumers: ['us-west'] }],
  });
  expect(kinds(mc.apiObjects)).toContain('Gateway');
  expect(mc.apiObjects.every(o => ['us-west', 'eu-west'].some(c => mc.chartOf(c).node.findAll().includes(o)))).toBe(true);
});
