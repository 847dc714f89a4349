import { App, Chart, Testing } from 'cdk8s';
import { ConsulDatacenterWideEntries, Identity, IstioMultiClusterMode, Mesh, MultiClusterExport, ServiceRef, UnsupportedSettings, ZeroTrustNamespace } from '../../../src';
import { captureStderr, one, ofKind, synthValidated } from '../../util';

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

test.each([['after', false], ['before', true]])('the exports\' dropped-settings notes follow their callers into the zero trust\'s ServiceIntentions (created %s them), joined', (_when, zeroTrustFirst) => {
  const app = new App({ outdir: Testing.app().outdir });
  const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  const mesh = Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.OMIT });
  const zeroTrust = () => new ZeroTrustNamespace(euWest, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('order')], to: payment }] });
  // two exports of payment, each with a setting of another mesh dropped: the second joins the first's
  // remote callers' own object, which the zero trust then replaces
  type Dropped = { istioMode?: IstioMultiClusterMode; linkerdRemoteDiscovery?: boolean };
  const exportTo = (id: string, consumer: string, over: Dropped) => new MultiClusterExport(app, id, {
    mesh,
    failover: false,
    unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
    ...over,
    clusters: [
      { name: consumer, network: 'n1', region: 'r1', services: [] },
      { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest },
    ],
    exports: [{ service: payment, cluster: 'eu-west', consumers: [consumer], callers: [Identity.serviceAccount('order')] }],
  });
  if (zeroTrustFirst) zeroTrust();
  exportTo('mc-us', 'us-west', { linkerdRemoteDiscovery: true });
  exportTo('mc-ap', 'ap-south', { istioMode: IstioMultiClusterMode.FEDERATED });
  if (!zeroTrustFirst) zeroTrust();
  const out = synthValidated(euWest);
  // one ServiceIntentions (the default deny is datacenter-wide, omitted here): the callers' own object is gone
  expect(ofKind(out, 'ServiceIntentions').map(o => o.metadata.name)).toEqual(['payment']);
  const merged = one(out, 'ServiceIntentions', 'payment');
  expect(merged.spec.sources.filter((s: any) => s.peer).map((s: any) => `${s.name}@${s.peer}`)).toEqual(['order@us-west', '*@us-west', 'order@ap-south', '*@ap-south']);
  expect(merged.metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('istioMode=FEDERATED, linkerdRemoteDiscovery=true');
});
