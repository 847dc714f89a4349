import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  HttpMethod, Identity, IngressGateway, istio, IstioDataPlane, ManifestValidator, Mesh, MeshAnalyzer, MtlsPhase, MultiClusterExport,
  ResilientService, ServiceRef, UnsupportedSettings, ZeroTrustNamespace,
} from '../../src';
import { chartObjects } from '../../src/analysis/synth-check';
import { unconvertedCheck } from '../../src/private/l1';
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

/** The error of app.synth() (the path users take), into a temporary folder. */
function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected app.synth() to fail');
}

const newApp = () => new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-synth-')) });
const shop = (app: App, id = 'test') => new Chart(app, id, { namespace: 'shop', disableResourceNameHashes: true });
const payment = ServiceRef.fromName('payment', { port: 8080 });
const resilient = (chart: Chart, id = 'payment', timeout = 3) => new ResilientService(chart, id, { mesh: Mesh.istio(), service: payment, timeout: Duration.seconds(timeout) });

describe('every emitted object is validated against its pinned schema and CEL rules at synthesis', () => {
  const build = (app: App) => {
    const chart = shop(app);
    resilient(chart);
    // hand-written objects the API server refuses: an enum value Istio does not define, a CEL rule broken
    new istio.DestinationRule(chart, 'dr', { metadata: { name: 'order' }, spec: { host: 'order', trafficPolicy: { loadBalancer: { simple: 'FASTEST' as any } } } });
    new istio.VirtualService(chart, 'vs', { metadata: { name: 'user' }, spec: { hosts: ['user'], http: [{ timeout: '0s', route: [{ destination: { host: 'user' } }] }] } });
    return chart;
  };

  test('app.synth() refuses them, naming the construct path, the field and the reason', () => {
    const message = synthError((() => { const app = newApp(); build(app); return app; })());
    expect(message).toContain('[cdk8s-mesh] [test/dr] SCH003 DestinationRule shop/order: spec.trafficPolicy.loadBalancer.simple:');
    expect(message).toContain('(the API server would refuse this object)');
    expect(message).toContain('[cdk8s-mesh] [test/vs] CEL001 VirtualService shop/user: spec.http[0].timeout: must be a valid duration greater than 1ms (got "0s")');
  });

  test('Testing.synth refuses them too', () => {
    expect(() => Testing.synth(build(newApp()))).toThrow(/\[test\/dr\] SCH003 DestinationRule shop\/order/);
  });

  test('the context key cdk8s-mesh:validate = false turns it off (the analysis stays on)', () => {
    const app = newApp();
    app.node.setContext('cdk8s-mesh:validate', false);
    build(app);
    expect(() => app.synth()).not.toThrow();
  });

  test('a chart\'s own context turns the checks off for that chart only (the others of the app are still checked)', () => {
    // the context is read per chart (once per chart and check): a chart with it off next to one without, in both orders
    for (const offFirst of [true, false]) {
      const app = newApp();
      const make = (id: string, off: boolean) => {
        const chart = new Chart(app, id, { namespace: `ns-${id}`, disableResourceNameHashes: true });
        if (off) chart.node.setContext('cdk8s-mesh:validate', 'false');
        resilient(chart);
        new istio.DestinationRule(chart, 'dr', { metadata: { name: 'order' }, spec: { host: 'order', trafficPolicy: { loadBalancer: { simple: 'FASTEST' as any } } } });
      };
      make('a', offFirst);
      make('b', !offFirst);
      const message = synthError(app);
      expect(message).toContain(`[cdk8s-mesh] [${offFirst ? 'b' : 'a'}/dr] SCH003`);
      expect(message).not.toContain(`[${offFirst ? 'a' : 'b'}/dr] SCH003`);
    }
    const app = newApp();
    const chart = new Chart(app, 'a', { namespace: 'shop', disableResourceNameHashes: true });
    chart.node.setContext('cdk8s-mesh:validate', false);
    resilient(chart);
    new istio.DestinationRule(chart, 'dr', { metadata: { name: 'order' }, spec: { host: 'order', trafficPolicy: { loadBalancer: { simple: 'FASTEST' as any } } } });
    expect(() => app.synth()).not.toThrow();
  });

  test('objects of charts without a pattern of ours are validated too', () => {
    const app = newApp();
    resilient(shop(app));
    new istio.DestinationRule(shop(app, 'other'), 'dr', { metadata: { name: 'order' }, spec: { host: 'order', trafficPolicy: { loadBalancer: { simple: 'FASTEST' as any } } } });
    expect(synthError(app)).toContain('[cdk8s-mesh] [other/dr] SCH003');
  });
});

describe('an object written twice with different content is refused, within a chart and across the charts of one app', () => {
  test('construct ids that differ only in case (edge, Edge) give one Gateway twice', () => {
    const app = newApp();
    const chart = shop(app);
    const web = ServiceRef.fromName('web', { port: 8080 });
    new IngressGateway(chart, 'edge', { mesh: Mesh.istio(), host: 'a.example.com', tlsSecretName: 'tls', routes: [{ pathPrefix: '/', service: web }] });
    new IngressGateway(chart, 'Edge', { mesh: Mesh.istio(), host: 'b.example.com', tlsSecretName: 'tls', routes: [{ pathPrefix: '/', service: web }] });
    expect(synthError(app)).toContain('[cdk8s-mesh] [test/Edge/Gateway] writes Gateway shop/edge, which [test/edge/Gateway] writes too, with different content (they differ at spec.servers[0].hosts[0]): '
      + 'applied together, the one applied last replaces the other; write the object once: merge the two constructs, or give one of them another id or name (construct ids that differ only in case, such as edge and Edge, give the same name)');
  });

  test('two zero-trust namespaces of one Linkerd namespace: Namespace shop as deny and as audit', () => {
    const app = newApp();
    const chart = shop(app);
    new ZeroTrustNamespace(chart, 'zt1', { mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment }] });
    // they share the namespace's enrolment, so the second is refused at construction, naming the Namespace object
    expect(() => new ZeroTrustNamespace(chart, 'zt2', { mesh: Mesh.linkerd(), mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('user', { port: 8080 }) }] }))
      .toThrow('[test/zt2] mtls: got a default inbound policy audit for namespace shop, but its Namespace object [test/MeshNamespace-shop/Namespace] already has deny (set by [test/zt1]); use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
  });

  test('two zero-trust namespaces of one Linkerd namespace in two charts: Namespace shop as deny and as audit', () => {
    const app = newApp();
    new ZeroTrustNamespace(shop(app, 'a'), 'zt1', { mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment }] });
    // the enrolment finds the Namespace object of the other chart: refused at synthesis (a MultiClusterExport
    // created later could still put the two charts in two clusters, each with its own Namespace object)
    new ZeroTrustNamespace(shop(app, 'b'), 'zt2', { mesh: Mesh.linkerd(), mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('user', { port: 8080 }) }] });
    expect(synthError(app)).toContain('[b/zt2] mtls: got a default inbound policy audit for namespace shop, but its Namespace object [a/MeshNamespace-shop/Namespace] already has deny (set by [a/zt1]); use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
  });

  test('two charts of one app: both construct paths and both charts', () => {
    const app = newApp();
    resilient(shop(app, 'a'), 'payment', 3);
    resilient(shop(app, 'b'), 'payment', 5);
    expect(synthError(app)).toContain('[cdk8s-mesh] [b/Traffic-istio-shop-payment/VirtualService] writes VirtualService shop/payment, which [a/Traffic-istio-shop-payment/VirtualService] writes too, with different content (charts a and b, one cluster) (they differ at spec.http[0].timeout)');
  });

  test('the same content twice is a warning, and synthesis goes on', () => {
    const app = newApp();
    resilient(shop(app, 'a'));
    resilient(shop(app, 'b'));
    expect(() => app.synth()).not.toThrow();
    expect(stderr()).toHaveBeenCalledWith('[cdk8s-mesh] warning: [b/Traffic-istio-shop-payment/VirtualService] writes VirtualService shop/payment again, with the same content as [a/Traffic-istio-shop-payment/VirtualService] (charts a and b, one cluster): the output holds it twice (kustomize refuses duplicate objects, Argo CD warns); write it once\n');
  });

  test('MultiClusterExport beside the cluster\'s own chart: two DestinationRules shop/payment, and how to merge them', () => {
    const setup = (merged: boolean) => {
      const app = newApp();
      const usWest = shop(app, 'shop');
      const paymentUs = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
      new ResilientService(usWest, 'resilience', { mesh: Mesh.istio(), service: paymentUs, timeout: Duration.seconds(3), circuitBreaker: { consecutiveErrors: 3 } });
      new MultiClusterExport(app, 'mc', {
        mesh: Mesh.istio(),
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [paymentUs], chart: merged ? usWest : undefined },
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentUs] },
        ],
        exports: [{ service: paymentUs, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      return app;
    };
    expect(synthError(setup(false))).toContain('[cdk8s-mesh] [us-west/Traffic-istio-shop-payment/DestinationRule] writes DestinationRule shop/payment, which [shop/Traffic-istio-shop-payment/DestinationRule] writes too, with different content (charts shop and us-west, one cluster)');
    expect(synthError(setup(false))).toContain("for a MultiClusterExport, pass the chart that already holds the cluster's objects as the cluster's chart: so that they merge");
    expect(() => setup(true).synth()).not.toThrow();
  });

  test('the charts of different clusters may hold the same object; a chart of no cluster is compared with every cluster', () => {
    const app = newApp();
    const mc = new MultiClusterExport(app, 'mc', {
      mesh: Mesh.istio(),
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [] },
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [payment] },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    const config = (chart: Chart, value: string) => new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-config', namespace: 'shop' }, data: { region: value } } as any);
    config(mc.chartOf('us-west'), 'us');
    config(mc.chartOf('eu-west'), 'eu');
    expect(() => app.synth()).not.toThrow();
    config(shop(app, 'shared'), 'any');
    expect(synthError(app)).toContain('[cdk8s-mesh] [shared/config] writes ConfigMap shop/shop-config, which [us-west/config] writes too');
  });
});

describe('the checks run once per synthesis, whatever the number of charts', () => {
  test('10 charts: the analyzer runs once (one cluster), each object is validated once', () => {
    const app = newApp();
    for (let i = 0; i < 10; i++) resilient(shop(app, `c${i}`), 'payment', 3 + i);
    const analyze = jest.spyOn(MeshAnalyzer, 'analyzeObjects');
    const validate = jest.spyOn(ManifestValidator, 'validateObjects');
    try {
      expect(synthError(app)).toContain('writes VirtualService shop/payment'); // (the charts collide, on purpose: still one run)
      expect(analyze).toHaveBeenCalledTimes(1);
      expect(validate).toHaveBeenCalledTimes(app.node.findAll().filter(c => ApiObject.isApiObject(c)).length);
    } finally {
      analyze.mockRestore();
      validate.mockRestore();
    }
  });
});

describe('a successful synthesis of many charts renders and checks each object once', () => {
  // the jest run's check of the unconverted L1s (test/setup/unconverted.ts) renders those objects a second
  // time through their conversion: off here, where the renderings of a synthesis are counted
  const seam = unconvertedCheck.compare;
  beforeAll(() => { unconvertedCheck.compare = undefined; });
  afterAll(() => { unconvertedCheck.compare = seam; });
  const build = (app: App) => {
    for (let i = 0; i < 10; i++) {
      const chart = new Chart(app, `c${i}`, { namespace: `shop-${i}`, disableResourceNameHashes: true });
      resilient(chart, 'payment', 3 + i);
      new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('shop')], to: payment }] });
    }
  };

  test('app.synthYaml(): each object rendered once, the analyzer run once, each object validated once; the same YAML as with the checks off', () => {
    const app = newApp();
    build(app);
    const objects = app.node.findAll().filter(c => ApiObject.isApiObject(c)).length;
    const render = jest.spyOn(ApiObject.prototype, 'toJson');
    const analyze = jest.spyOn(MeshAnalyzer, 'analyzeObjects');
    const validate = jest.spyOn(ManifestValidator, 'validateObjects');
    let yaml: string;
    try {
      yaml = app.synthYaml();
      expect(render).toHaveBeenCalledTimes(objects);
      expect(analyze).toHaveBeenCalledTimes(1);
      expect(validate).toHaveBeenCalledTimes(objects);
    } finally {
      render.mockRestore();
      analyze.mockRestore();
      validate.mockRestore();
    }
    const off = newApp();
    off.node.setContext('cdk8s-mesh:analyze', false);
    off.node.setContext('cdk8s-mesh:validate', false);
    build(off);
    expect(yaml).toEqual(off.synthYaml());
    expect(yaml).toContain('namespace: shop-9');
  });

  test('app.synth() too: each object rendered once, the analyzer run once', () => {
    const app = newApp();
    build(app);
    const objects = app.node.findAll().filter(c => ApiObject.isApiObject(c)).length;
    const render = jest.spyOn(ApiObject.prototype, 'toJson');
    const analyze = jest.spyOn(MeshAnalyzer, 'analyzeObjects');
    try {
      app.synth();
      expect(render).toHaveBeenCalledTimes(objects);
      expect(analyze).toHaveBeenCalledTimes(1);
    } finally {
      render.mockRestore();
      analyze.mockRestore();
    }
    expect(fs.readdirSync(app.outdir).filter(f => f.endsWith('.k8s.yaml'))).toHaveLength(10);
  });

  test('a change after a synthesis is seen by the next one, in the same synchronous code: its output and its checks', () => {
    const app = newApp();
    build(app);
    const vs = app.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'VirtualService') as ApiObject;
    expect(app.synthYaml()).not.toContain('team: payments');
    vs.metadata.addLabel('team', 'payments');
    expect(app.synthYaml()).toContain('team: payments');
    expect(Testing.synth(vs.chart).find(o => o.kind === 'VirtualService').metadata.labels.team).toEqual('payments');
    // a label value the API server refuses
    vs.metadata.addLabel('owner', 'not valid!');
    expect(() => app.synthYaml()).toThrow(/"not valid!" is not a valid label value/);
    expect(() => Testing.synth(vs.chart)).toThrow(/"not valid!" is not a valid label value/);
  });
});

test('Istio ambient zero trust reads the app\'s Services once per synthesis, not once per policy', () => {
  const app = newApp();
  const chart = shop(app);
  const mesh = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
  const namespaceObject = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
  const refs = Array.from({ length: 8 }, (_, i) => ServiceRef.fromService(new kplus.Service(chart, `svc-${i}`, {
    metadata: { name: `svc-${i}` }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, `pods-${i}`, { labels: { app: `svc-${i}` } }),
  })));
  new ZeroTrustNamespace(chart, 'zt', {
    mesh,
    namespaceObject,
    allow: refs.map((to, i) => ({ callers: [Identity.serviceAccount(`svc-${(i + 7) % 8}`)], to, methods: [HttpMethod.GET] })),
  });
  const render = jest.spyOn(ApiObject.prototype, 'toJson');
  try {
    const yaml = app.synthYaml();
    expect(yaml).toContain('kind: AuthorizationPolicy');
    // each Service: a constant number of renderings per synthesis (its own, the policies' read, and the
    // reads of the objects the patterns were given: ServiceRef and enrolment read the synthesized object),
    // not one per policy (17 times each here before)
    const services = render.mock.contexts.filter((c: any) => c.kind === 'Service').length;
    expect(services).toBeLessThanOrEqual(4 * 8);
  } finally {
    render.mockRestore();
  }
});

describe('where warnings go: context cdk8s-mesh:warnings or CDK8S_MESH_WARNINGS (stderr, none, file:PATH)', () => {
  // a construction-time warning (Consul has no per-try timeout) and a synthesis-time one (I110)
  const build = (setting?: string) => {
    const app = newApp();
    if (setting !== undefined) app.node.setContext('cdk8s-mesh:warnings', setting);
    const chart = shop(app);
    const order = new ResilientService(chart, 'order', {
      mesh: Mesh.consul(),
      service: ServiceRef.fromName('order', { port: 8080 }),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
      unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
    });
    new istio.DestinationRule(chart, 'dr', { metadata: { name: 'payment-v' }, spec: { host: 'payment', subsets: [{ name: 'v1' }] } });
    return { app, order };
  };
  const printed = () => stderr().mock.calls.map(c => String(c[0])).filter(s => s.startsWith('[cdk8s-mesh] warning'));
  const env = process.env.CDK8S_MESH_WARNINGS;
  afterEach(() => {
    if (env === undefined) delete process.env.CDK8S_MESH_WARNINGS; else process.env.CDK8S_MESH_WARNINGS = env;
  });

  test('stderr by default: each warning once per synthesis, whatever the number of charts', () => {
    const { app } = build();
    for (let i = 0; i < 5; i++) new istio.DestinationRule(shop(app, `other-${i}`), 'dr', { metadata: { name: `other-${i}` }, spec: { host: `other-${i}`, subsets: [{ name: 'v1' }] } });
    app.synth();
    const lines = printed();
    expect(lines.filter(l => l.includes('perTryTimeout'))).toHaveLength(1);
    expect(lines.filter(l => l.includes('I110'))).toHaveLength(6);
    expect(new Set(lines).size).toBe(lines.length);
  });

  test('none: nothing printed; the pattern still lists its warnings', () => {
    const { app, order } = build('none');
    app.synth();
    expect(printed()).toEqual([]);
    expect(order.warnings.join('\n')).toContain('perTryTimeout');
  });

  test('file:PATH: appended to the file, one per line, not printed', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-warnings-')), 'warnings.txt');
    const { app } = build(`file:${file}`);
    app.synth();
    expect(printed()).toEqual([]);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4); // the construction-time ones first, then the synthesis-time one
    expect(lines.every(l => l.startsWith('[cdk8s-mesh] warning: '))).toBe(true);
    expect(lines.filter(l => /^\[cdk8s-mesh\] warning: \[test\/order\] retries.perTryTimeout \("1s"\) is not written/.test(l))).toHaveLength(1);
    expect(lines[3]).toMatch(/^\[cdk8s-mesh\] warning: \[test\/dr\] I110 DestinationRule shop\/payment-v/);
  });

  test('the environment variable CDK8S_MESH_WARNINGS when the context does not say; the context first', () => {
    process.env.CDK8S_MESH_WARNINGS = 'none';
    build().app.synth();
    expect(printed()).toEqual([]);
    build('stderr').app.synth();
    expect(printed().filter(l => l.includes('I110'))).toHaveLength(1);
  });

  test('another value is refused, with the value and the fix', () => {
    expect(() => build('/tmp/warnings.txt')).toThrow('[test/order] context cdk8s-mesh:warnings: got "/tmp/warnings.txt": warnings go to stderr (the default), none, or file:PATH (appended); '
      + "set it to one of those, e.g. app.node.setContext('cdk8s-mesh:warnings', 'file:dist/mesh-warnings.txt')");
    process.env.CDK8S_MESH_WARNINGS = 'loud';
    expect(() => build()).toThrow(/CDK8S_MESH_WARNINGS: got "loud"/);
  });
});

describe('chartObjects: the objects a chart renders, in cdk8s\' order', () => {
  // a tree of constructs under a chart: plain constructs, ApiObjects and nested charts, with ids that are
  // integer-like (an object's keys of that form come first in JavaScript: DependencyGraph keys its vertices by
  // path), and dependencies between some of them
  type Tree = { kind: 'c' | 'o' | 'chart'; id: string; children: Tree[] };
  const tree: fc.Memo<Tree> = fc.memo(n => fc.record({
    kind: fc.constantFrom('c', 'o', 'chart') as fc.Arbitrary<'c' | 'o' | 'chart'>,
    id: fc.constantFrom('0', '1', '10', 'a', 'b', 'x-1', 'Z'),
    children: n <= 1 ? fc.constant([]) : fc.array(tree(n - 1), { maxLength: 3 }),
  }));
  const build = (scope: Construct, t: Tree, all: Construct[]) => {
    if (scope.node.tryFindChild(t.id)) return;
    const c = t.kind === 'o' ? new ApiObject(scope, t.id, { apiVersion: 'v1', kind: 'ConfigMap' })
      : t.kind === 'chart' ? new Chart(scope, t.id) : new Construct(scope, t.id);
    all.push(c);
    for (const child of t.children) build(c, child, all);
  };
  const old = (chart: Chart) => new DependencyGraph(chart.node).topology().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);

  test('the same objects in the same order as DependencyGraph\'s topology, with and without dependencies', () => {
    // the dependencies: none; every object on one (the Namespace object's shape, namespaceFirst); a few between
    // any two constructs (a later one on an earlier one: no cycle); chains; some on a construct of another chart
    const depShape = fc.constantFrom('none', 'sink', 'sinks', 'any', 'chain', 'outside');
    fc.assert(fc.property(fc.constantFrom('0', '7', 'mesh'), fc.array(tree(4), { maxLength: 5 }), depShape, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), (id, trees, shape, pairs) => {
      const app = new App({ outdir: Testing.app().outdir });
      const chart = new Chart(app, id);
      const other = new ApiObject(new Chart(app, 'other'), 'x', { apiVersion: 'v1', kind: 'ConfigMap' });
      const all: Construct[] = [];
      for (const t of trees) build(chart, t, all);
      const objects = all.filter(c => ApiObject.isApiObject(c));
      if (all.length >= 2) {
        const pick = (n: number) => all[n % all.length];
        if (shape === 'sink' || shape === 'sinks') {
          const sinks = shape === 'sink' ? [pick(pairs[0]?.[0] ?? 0)] : pairs.map(([a]) => pick(a));
          for (const o of objects) for (const sink of sinks) if (o !== sink && !sinks.includes(o)) o.node.addDependency(sink);
        } else if (shape === 'any') {
          for (const [a, b] of pairs) if (a % all.length > b % all.length) pick(a).node.addDependency(pick(b));
        } else if (shape === 'chain') {
          // a dependency on a construct that has dependencies of its own (the graph's general case)
          for (const [a] of pairs) if (a % all.length > 0) pick(a).node.addDependency(pick(a % all.length - 1));
        } else if (shape === 'outside') {
          for (const [a] of pairs) pick(a).node.addDependency(other);
        }
      }
      expect(chartObjects(chart).map(o => o.node.path)).toEqual(old(chart).map(o => o.node.path));
    }), { numRuns: 600 });
  });

  test('a cycle is reported as cdk8s reports it', () => {
    const chart = new Chart(new App({ outdir: Testing.app().outdir }), 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    a.node.addDependency(b);
    b.node.addDependency(a);
    expect(() => old(chart)).toThrow(/Dependency cycle detected/);
    expect(() => chartObjects(chart)).toThrow(/Dependency cycle detected/);
  });

  test('a dependency changes the order (the check that the generated trees reach the DependencyGraph path)', () => {
    const chart = new Chart(new App({ outdir: Testing.app().outdir }), 'c');
    const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap' });
    const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(chartObjects(chart)).toEqual([a, b]);
    a.node.addDependency(b);
    expect(chartObjects(chart)).toEqual([b, a]);
    expect(old(chart)).toEqual([b, a]);
    // every other object on one, as on a chart with a Namespace object: that one first, the others in order
    const ns = new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace' });
    const c = new ApiObject(chart, 'c', { apiVersion: 'v1', kind: 'ConfigMap' });
    c.node.addDependency(ns);
    expect(chartObjects(chart)).toEqual(old(chart));
    expect(chartObjects(chart).map(o => o.node.id)).toEqual(['b', 'a', 'ns', 'c']);
  });
});
