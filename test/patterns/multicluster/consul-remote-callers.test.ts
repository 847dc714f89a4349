import { App, Chart, Testing } from 'cdk8s';
import { Identity, Mesh, MultiClusterExport, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { captureStderr, ofKind, synthValidated } from '../../util';

/**
 * Issue 26: the remote callers' own ServiceIntentions (a Consul MultiClusterExport written before the
 * exporting cluster's ZeroTrustNamespace) are found by destination through an index, not by listing every
 * child of the chart once per ServiceIntentions the zero trust writes (quadratic in the services).
 */
captureStderr();

function setup(services: string[], zeroTrustFirst: boolean) {
  const app = new App({ outdir: Testing.app().outdir });
  const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const refs = services.map(name => ServiceRef.fromName(name, { port: 8080, namespace: 'shop' }));
  const zeroTrust = () => new ZeroTrustNamespace(euWest, 'zt', {
    mesh: Mesh.consul(),
    allow: refs.map(to => ({ callers: [Identity.serviceAccount('order')], to })),
  });
  if (zeroTrustFirst) zeroTrust();
  new MultiClusterExport(app, 'mc', {
    mesh: Mesh.consul(),
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: refs },
      { name: 'ap-south', network: 'n3', region: 'r3', services: refs },
      { name: 'eu-west', network: 'n2', region: 'europe-west1', services: refs, chart: euWest },
    ],
    exports: refs.map(service => ({ service, cluster: 'eu-west', consumers: ['us-west', 'ap-south'], callers: [Identity.serviceAccount('order')] })),
  });
  if (!zeroTrustFirst) zeroTrust();
  return { euWest };
}

test.each([['after', false], ['before', true]])('an export to two clusters, and a zero trust created %s it: one ServiceIntentions per destination with every peer\'s callers', (_when, first) => {
  const { euWest } = setup(['payment', 'cart', 'order'], first);
  const out = synthValidated(euWest);
  const intentions = ofKind(out, 'ServiceIntentions').filter(o => o.spec.destination.name !== '*'); // (the default deny)
  expect(intentions.map(o => o.spec.destination.name).sort()).toEqual(['cart', 'order', 'payment']);
  for (const o of intentions) {
    expect(o.metadata.name).toBe(o.spec.destination.name); // the zero trust's object; the callers' own ones are gone
    const peers = o.spec.sources.filter((s: any) => s.peer).map((s: any) => `${s.name}@${s.peer}`);
    expect(peers).toEqual(['order@us-west', '*@us-west', 'order@ap-south', '*@ap-south']);
  }
});

test('the zero trust finds the callers\' own objects without listing the chart\'s children once per service', () => {
  const app = new App({ outdir: Testing.app().outdir });
  const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const refs = Array.from({ length: 30 }, (_, i) => ServiceRef.fromName(`svc-${i}`, { port: 8080, namespace: 'shop' }));
  new MultiClusterExport(app, 'mc', {
    mesh: Mesh.consul(),
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: refs },
      { name: 'eu-west', network: 'n2', region: 'europe-west1', services: refs, chart: euWest },
    ],
    exports: refs.map(service => ({ service, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] })),
  });
  // count the listings of the chart's children while the zero trust is built
  const node: any = euWest.node;
  const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(node), 'children')!.get!;
  let listings = 0;
  Object.defineProperty(node, 'children', { configurable: true, get() { listings++; return getter.call(node); } });
  new ZeroTrustNamespace(euWest, 'zt', { mesh: Mesh.consul(), allow: refs.map(to => ({ callers: [Identity.serviceAccount('order')], to })) });
  delete node.children;
  // was 3 per service (the own object looked up by listing them, twice, and the export's lookup of the zero
  // trust's object when it writes its callers again); that last one still lists the chart (a findAll: any
  // ServiceIntentions of the chart counts, not only ours)
  expect(listings).toBeLessThanOrEqual(refs.length + 1);
  expect(ofKind(synthValidated(euWest), 'ServiceIntentions').map(o => o.spec.destination.name).filter(n => n !== '*').sort()).toEqual(refs.map(r => r.name).sort());
});
