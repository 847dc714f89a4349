import { App, Chart, Duration, Testing } from 'cdk8s';
import { istio, Mesh, ResilientService, ServiceRef } from '../../src';
import { captureStderr, shopChart } from '../util';

const stderr = captureStderr();

describe('the analyzer runs when a chart with our constructs is synthesized', () => {
  test('an error fails synthesis, naming the construct path of the offending object', () => {
    const chart = shopChart();
    new ResilientService(chart, 'payment', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
    // a hand-written VirtualService for the same host, next to the one the pattern writes
    new istio.VirtualService(chart, 'legacy-vs', { metadata: { name: 'payment-legacy' }, spec: { hosts: ['payment'], http: [{ route: [{ destination: { host: 'payment' } }] }] } });
    expect(() => Testing.synth(chart)).toThrow(/\[cdk8s-mesh\] \[test\/legacy-vs\] I103 VirtualService shop\/payment-legacy: spec.hosts: host payment.shop.svc.cluster.local is also claimed by VirtualService shop\/payment/);
  });

  test('a warning is printed and synthesis goes on', () => {
    const chart = shopChart();
    new ResilientService(chart, 'payment', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
    new istio.DestinationRule(chart, 'dr', { metadata: { name: 'payment-v' }, spec: { host: 'payment', subsets: [{ name: 'v1' }] } });
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('[cdk8s-mesh] warning: [test/dr] I110 DestinationRule shop/payment-v: spec.subsets[0]: subset "v1" has no labels'));
  });

  test('a clean chart synthesizes without findings', () => {
    const chart = shopChart();
    new ResilientService(chart, 'payment', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(stderr()).not.toHaveBeenCalledWith(expect.stringContaining('[cdk8s-mesh] warning'));
  });
});

test('the app context key cdk8s-mesh:analyze = false turns the synthesis-time analysis off', () => {
  const app = new App();
  app.node.setContext('cdk8s-mesh:analyze', false);
  const chart = new Chart(app, 'test', { namespace: 'shop', disableResourceNameHashes: true });
  new ResilientService(chart, 'payment', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
  new istio.VirtualService(chart, 'legacy-vs', { metadata: { name: 'payment-legacy' }, spec: { hosts: ['payment'], http: [{ route: [{ destination: { host: 'payment' } }] }] } });
  expect(() => app.synthYaml()).not.toThrow();
});
