import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { Shop, SHOP_DELIVERIES, SHOP_LINKERD, synthMultiCluster } from '../examples/shop/main';
import { IstioDataPlane, ManifestValidator, Mesh, MeshAnalyzer, MeshKind, ReachabilityMatrix } from '../src';
import { captureStderr, synthValidated } from './util';

captureStderr();

describe('the shop example (the main job)', () => {
  test.each([
    ['istio', Mesh.istio()],
    ['istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })],
    ['linkerd', SHOP_LINKERD],
    ['consul', Mesh.consul()],
  ])('%s: synthesizes, validates against the pinned CRDs, and matches the golden output', (_name, mesh) => {
    const chart = new Shop(Testing.app(), 'shop', { mesh });
    const manifests = synthValidated(chart);
    expect(manifests.map(m => yaml.dump(m, { lineWidth: -1, noRefs: true })).join('---\n')).toMatchSnapshot();
  });

  test.each([
    ['istio', Mesh.istio()],
    ['istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })],
    ['linkerd', SHOP_LINKERD],
    ['consul', Mesh.consul()],
  ])('%s: payment accepts POST /process-payment only from the order service and the API gateway', (_name, mesh) => {
    const matrix = ReachabilityMatrix.fromManifests(Testing.synth(new Shop(Testing.app(), 'shop', { mesh })), { defaultNamespace: 'shop' });
    const EG = 'envoy-gateway-system/envoy-shop-shop-0b6553f4';
    const allowedToPayment = matrix.table(['shop/web', 'shop/order', 'shop/user', 'shop/api-gateway', 'shop/shop', 'shop/unnamed', EG, 'envoy-gateway-system/envoy-blog-blog-3f2a1b7c'], ['shop/payment'])
      .filter(d => d.allowed).map(d => `${d.caller} ${d.method} ${d.path}`);
    // Consul's API gateway is the service named after the Gateway (shop); no service named api-gateway is let in.
    // Linkerd: the Envoy Gateway proxies of this Gateway only (not another Gateway's, and no api-gateway account)
    const gateway = mesh.kind === MeshKind.CONSUL ? 'shop/shop' : mesh.kind === MeshKind.LINKERD ? EG : 'shop/api-gateway';
    expect(allowedToPayment).toEqual(['shop/order POST /process-payment', `${gateway} POST /process-payment`]);
    // a request no permission matches is denied whatever Consul's ACL default
    for (const consulDefaultAllow of [true, false]) {
      const m = ReachabilityMatrix.fromManifests(Testing.synth(new Shop(Testing.app(), 'shop', { mesh })), { defaultNamespace: 'shop', consulDefaultAllow });
      expect(m.check({ caller: 'shop/order', service: 'shop/payment', method: 'GET', path: '/admin' }).allowed).toBe(false);
    }
    expect(matrix.check({ caller: 'shop/order', service: 'shop/user', method: 'DELETE', path: '/users/1' }).allowed).toBe(false);
    expect(matrix.check({ caller: 'shop/order', service: 'shop/user', method: 'GET', path: '/users/1' }).allowed).toBe(true);
  });

  test('the two-cluster shop: one file per cluster, each the whole output of its cluster, validates and lints clean', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-mc-'));
    synthMultiCluster(outdir);
    for (const mesh of ['istio', 'linkerd', 'consul']) {
      const dir = path.join(outdir, 'multicluster', mesh);
      expect(fs.readdirSync(dir).sort()).toEqual(['eu-west.yaml', 'us-west.yaml']);
      expect(ManifestValidator.validateFiles([dir]).valid).toBe(true);
      // lint reads a cluster's whole output: the shop and the export merged (one DestinationRule or ServiceResolver of payment)
      for (const cluster of ['us-west.yaml', 'eu-west.yaml']) expect(MeshAnalyzer.analyzeFiles([path.join(dir, cluster)]).findings).toEqual([]);
      // the Namespace first, so that a plain kubectl apply -f of a fresh cluster creates it before its objects
      for (const cluster of ['us-west.yaml', 'eu-west.yaml']) {
        const docs = yaml.loadAll(fs.readFileSync(path.join(dir, cluster), 'utf8')) as any[];
        if (docs.some(d => d.kind === 'Namespace')) expect(`${mesh} ${cluster} ${docs[0].kind}`).toBe(`${mesh} ${cluster} Namespace`);
      }
      const usWest = yaml.loadAll(fs.readFileSync(path.join(dir, 'us-west.yaml'), 'utf8')) as any[];
      const names = usWest.map(o => `${o.apiVersion.split('/')[0]} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
      expect(usWest.some(o => o.kind === 'Deployment' && o.metadata.name === 'payment-v1')).toBe(true);
    }
    const dr = (yaml.loadAll(fs.readFileSync(path.join(outdir, 'multicluster', 'istio', 'us-west.yaml'), 'utf8')) as any[])
      .filter(o => o.kind === 'DestinationRule' && o.metadata.name === 'payment');
    expect(dr).toHaveLength(1);
    // the shop's subsets and pool, and the export's locality failover, in one rule
    expect(dr[0].spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
    expect(dr[0].spec.trafficPolicy.loadBalancer.localityLbSetting.failover).toEqual([{ from: 'us-west1', to: 'europe-west1' }]);
    const resolvers = (yaml.loadAll(fs.readFileSync(path.join(outdir, 'multicluster', 'consul', 'us-west.yaml'), 'utf8')) as any[])
      .filter(o => ['ServiceResolver', 'ServiceDefaults'].includes(o.kind) && o.metadata.name === 'payment');
    expect(resolvers.map(o => o.kind).sort()).toEqual(['ServiceDefaults', 'ServiceResolver']);
    // on Consul us-west runs payment v1 only: a service released in subsets cannot fail over to a peer (refused)
    expect(resolvers.find(o => o.kind === 'ServiceResolver').spec.subsets).toBeUndefined();
    expect(resolvers.find(o => o.kind === 'ServiceResolver').spec.failover).toBeDefined();
  });

  test('the two-cluster shop on Consul: eu-west admits order of peer us-west as us-west does (POST /process-payment), and no one else', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-mc-consul-'));
    synthMultiCluster(outdir);
    const file = path.join(outdir, 'multicluster', 'consul', 'eu-west.yaml');
    for (const consulDefaultAllow of [true, false]) {
      const m = ReachabilityMatrix.fromFiles([file], { defaultNamespace: 'shop', consulDefaultAllow });
      const allowed = (caller: string, method: string, p: string) => m.check({ caller, service: 'shop/payment', method, path: p }).allowed;
      expect(allowed('peer:us-west/shop/order', 'POST', '/process-payment')).toBe(true);
      expect(allowed('peer:us-west/shop/order', 'GET', '/admin')).toBe(false);
      expect(allowed('peer:us-west/shop/web', 'POST', '/process-payment')).toBe(false);
      expect(allowed('shop/web', 'POST', '/process-payment')).toBe(false);
    }
  });

  test('the two-cluster shop on Linkerd: through the multicluster gateway, eu-west admits what its zero trust allows a caller (POST /process-payment), not every path of payment', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'shop-mc-linkerd-'));
    synthMultiCluster(outdir);
    const m = ReachabilityMatrix.fromFiles([path.join(outdir, 'multicluster', 'linkerd', 'eu-west.yaml')], { defaultNamespace: 'shop' });
    const allowed = (caller: string, method: string, p: string) => m.check({ caller, service: 'shop/payment', method, path: p }).allowed;
    // every client of eu-west's gateway arrives as the gateway (warned): it gets order's rule, and nothing else
    expect(allowed('linkerd-multicluster/linkerd-gateway', 'POST', '/process-payment')).toBe(true);
    expect(allowed('linkerd-multicluster/linkerd-gateway', 'GET', '/admin')).toBe(false);
    expect(allowed('linkerd-multicluster/linkerd-gateway', 'GET', '/process-payment')).toBe(false);
    expect(allowed('shop/web', 'POST', '/process-payment')).toBe(false);
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
    expect(kinds(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }))).toEqual([]);
    expect(kinds(Mesh.linkerd()).length).toBeGreaterThan(0);
    expect(kinds(Mesh.consul()).length).toBeGreaterThan(0);
  });
});

describe('the shop released by a controller (examples/dist/<mesh>-flagger/, <mesh>-argo/)', () => {
  test.each(SHOP_DELIVERIES)('%s: validates, analyzes clean, keeps payment\'s access, and matches the golden controller objects', (_folder, mesh, delivery) => {
    const manifests = synthValidated(new Shop(Testing.app(), 'shop', { mesh, delivery }));
    expect(MeshAnalyzer.analyzeObjects(manifests).findings.filter(f => f.severity !== 'info')).toEqual([]);
    const matrix = ReachabilityMatrix.fromManifests(manifests, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/web', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed).toBe(false);
    // one Deployment for payment (the controller makes the versions), and no per-version objects
    expect(manifests.filter(m => m.kind === 'Deployment' && /^payment/.test(m.metadata.name)).map(m => m.metadata.name)).toEqual(['payment']);
    const released = manifests.filter(m => /flagger\.app|argoproj\.io/.test(m.apiVersion) || (/^payment/.test(m.metadata.name) && ['Service', 'VirtualService', 'HTTPRoute', 'DestinationRule'].includes(m.kind)));
    expect(released.map(m => yaml.dump(m, { lineWidth: -1, noRefs: true })).join('---\n')).toMatchSnapshot();
  });
});
