import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  CanaryRelease, ConsulDatacenterWideEntries, FaultInjection, GrpcMethodMatch, HeaderMatch, Identity, IstioMultiClusterMode, LinkerdInboundPolicy,
  LoadBalancingPolicy, Mesh,
  MultiClusterExport, MultiClusterExportProps, ReachabilityMatrix, ReleaseVersion, ResilientService, ServiceRef,
  HttpMethod, MtlsPhase, PathMatch, ServiceProtocol, UnsupportedSettings, ZeroTrustNamespace,
} from '../../../src';
import { LinkerdServer } from '../../../src/meshes/linkerd/server';
import { captureStderr, one, ofKind, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

function setup(mesh: Mesh, over: Partial<MultiClusterExportProps> = {}, opts: { usRunsPayment?: boolean; callers?: boolean } = {}) {
  const app = new App({ outdir: Testing.app().outdir });
  const workloads = new Chart(app, 'eu-west-workloads', { namespace: 'shop', disableResourceNameHashes: true });
  const paymentEu = ServiceRef.fromService(new kplus.Service(workloads, 'payment', {
    metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(workloads, 'pods', { labels: { app: 'payment' } }),
  }));
  const paymentUs = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  const mc = new MultiClusterExport(app, 'shop', {
    mesh,
    clusters: [
      { name: 'us-west', network: 'net-us', region: 'us-west1', services: opts.usRunsPayment === false ? [] : [paymentUs], gatewayAddress: 'gw.us-west.example.com' },
      { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentEu], gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: paymentEu, cluster: 'eu-west', consumers: ['us-west'], callers: opts.callers === false ? undefined : [Identity.serviceAccount('order')] }],
    ...over,
  });
  return { app, mc, workloads };
}

const out = (mc: MultiClusterExport, cluster: string) => synthValidated(mc.chartOf(cluster));

function fails(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('one output per cluster, validated against the pinned CRDs', () => {
  const LINKERD = { over: { failover: false }, opts: { usRunsPayment: false, callers: false } };
  test.each([
    ['istio', Mesh.istio(), {}, {}],
    ['linkerd', Mesh.linkerd(), LINKERD.over, LINKERD.opts],
    ['consul', Mesh.consul(), {}, {}],
  ] as const)('%s', (_name, mesh, over, opts) => {
    const { mc } = setup(mesh, over, opts);
    const docs = (cluster: string) => out(mc, cluster).map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');
    expect({ 'us-west': docs('us-west'), 'eu-west': docs('eu-west') }).toMatchSnapshot();
  });

  test('each cluster is its own chart, written to its own file', () => {
    const { app, mc } = setup(Mesh.istio());
    expect(mc.chartOf('us-west')).toBeInstanceOf(Chart);
    expect(app.charts.map(c => c.node.id).sort()).toEqual(['eu-west', 'eu-west-workloads', 'us-west']);
    expect(() => mc.chartOf('ap-south')).toThrow('[shop] chartOf: got "ap-south": no such cluster; use one of: us-west, eu-west');
  });
});

describe('Istio', () => {
  test('the east-west Gateway is the mesh\'s, not the app\'s: not written by default, a warning gives the exact step', () => {
    const { mc } = setup(Mesh.istio());
    expect(ofKind([...out(mc, 'eu-west'), ...out(mc, 'us-west')], 'Gateway')).toEqual([]);
    expect(mc.warnings).toContain('expose the exported services on each exporting cluster\'s east-west gateway before applying (the library does not write Gateway istio-system/cross-network-gateway, '
      + 'which serves every app\'s exports, so that pruning or renaming this app cannot cut them): kubectl --context eu-west apply -n istio-system -f samples/multicluster/expose-services.yaml '
      + '(from the Istio release: a Gateway cross-network-gateway selecting istio: eastwestgateway, port 15443 TLS, tls.mode AUTO_PASSTHROUGH, hosts "*.local"), or set istioEastWestGateway: true to write it in this app\'s output');
    // with it, no step to take
    const { mc: optedIn } = setup(Mesh.istio(), { istioEastWestGateway: true });
    expect(optedIn.warnings.join('\n')).not.toContain('expose-services');
    // Istio's only
    expect(fails(() => setup(Mesh.consul(), { istioEastWestGateway: true })))
      .toContain('[shop] istioEastWestGateway: got true: Consul cannot express this (the east-west Gateway is Istio\'s); remove it');
  });

  test('network labels, the east-west gateway on 15443 with AUTO_PASSTHROUGH (opted in), remote callers let in', () => {
    const { mc } = setup(Mesh.istio(), { istioEastWestGateway: true });
    const eu = out(mc, 'eu-west');
    // the control plane's Namespace is the installation's: never written (a GitOps prune would delete
    // istiod); the network label is a step for the operator, given as a warning with the commands
    expect(ofKind([...eu, ...out(mc, 'us-west')], 'Namespace', 'istio-system')).toEqual([]);
    expect(mc.warnings.join('\n')).toContain('kubectl --context eu-west label namespace istio-system topology.istio.io/network=net-eu');
    expect(one(eu, 'Gateway', 'cross-network-gateway').spec).toEqual({
      selector: { istio: 'eastwestgateway' },
      servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }],
    });
    expect(one(eu, 'AuthorizationPolicy', 'payment-remote-callers').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/shop/sa/order']);
    // for the exported port only
    expect(one(eu, 'AuthorizationPolicy', 'payment-remote-callers').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'] } }]);
    expect(ofKind(out(mc, 'us-west'), 'Gateway')).toEqual([]);
  });

  test('a consumer that runs the service prefers it and fails over, with the outlier detection failover needs', () => {
    const { mc } = setup(Mesh.istio());
    expect(one(out(mc, 'us-west'), 'DestinationRule', 'payment').spec).toEqual({
      host: 'payment.shop.svc.cluster.local',
      trafficPolicy: {
        loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'us-west1', to: 'europe-west1' }] } },
        outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
      },
    });
  });

  test('with the cluster\'s own chart, failover joins the ResilientService\'s DestinationRule: one per host', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const paymentUs = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
    new ResilientService(usWest, 'resilience', { mesh: Mesh.istio(), service: paymentUs, timeout: Duration.seconds(3), circuitBreaker: { consecutiveErrors: 3 }, loadBalancing: LoadBalancingPolicy.LEAST_REQUEST });
    const mc = new MultiClusterExport(app, 'shop', {
      mesh: Mesh.istio(),
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [paymentUs], chart: usWest },
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentUs] },
      ],
      exports: [{ service: paymentUs, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    expect(mc.chartOf('us-west')).toBe(usWest);
    const drs = ofKind(synthValidated(usWest), 'DestinationRule');
    expect(drs).toHaveLength(1);
    expect(drs[0].spec.trafficPolicy).toEqual({
      loadBalancer: { simple: 'LEAST_REQUEST', localityLbSetting: { enabled: true, failover: [{ from: 'us-west1', to: 'europe-west1' }] } },
      outlierDetection: { consecutive5xxErrors: 3 },
    });
  });

  describe('failover beside a circuit breaker that cannot eject every local pod: a warning at synthesis, once, naming the ResilientService, the value and the fix', () => {
    type Opts = { exportFirst?: boolean; failover?: boolean; allowFullEjection?: boolean; faults?: boolean };
    const build = (mesh: Mesh, circuitBreaker: object | undefined, opts: Opts = {}) => {
      const app = new App({ outdir: Testing.app().outdir });
      const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
      const paymentUs = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
      const resilience = () => new ResilientService(usWest, 'payment-resilience', {
        mesh, service: paymentUs, timeout: Duration.seconds(3), circuitBreaker: circuitBreaker as any, allowFullEjection: opts.allowFullEjection,
      });
      if (!opts.exportFirst) resilience();
      new MultiClusterExport(app, 'shop', {
        mesh,
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [paymentUs], chart: usWest },
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentUs] },
        ],
        exports: [{ service: paymentUs, cluster: 'eu-west', consumers: ['us-west'] }],
        failover: opts.failover,
      });
      if (opts.exportFirst) resilience();
      // a third pattern joins the service's routing objects (the renderer runs again)
      if (opts.faults) new FaultInjection(usWest, 'chaos', { mesh, service: paymentUs, abort: { httpStatus: 503, percent: 5 }, match: [HeaderMatch.exact('x-chaos', 'true')] });
      return synthValidated(usWest);
    };
    const warnings = () => stderr().mock.calls.map(c => String(c[0])).filter(w => w.includes('the failover is partial'));
    const CB = { consecutiveErrors: 5, interval: Duration.seconds(10), ejectionTime: Duration.seconds(30) };

    test.each([['after', false], ['before', true]])('maxEjectionPercent 50, the export created %s the ResilientService', (_when, exportFirst) => {
      const objs = build(Mesh.istio(), { ...CB, maxEjectionPercent: 50 }, { exportFirst });
      expect(one(objs, 'DestinationRule', 'payment').spec.trafficPolicy.outlierDetection.maxEjectionPercent).toBe(50);
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toContain('service payment fails over from region us-west1 to europe-west1, but [us-west/payment-resilience] sets circuitBreaker.maxEjectionPercent 50: ');
      expect(warnings()[0]).toContain('Envoy ejects at most that share of all the endpoints of the service');
      expect(warnings()[0]).toContain('Set circuitBreaker.maxEjectionPercent: 100 with allowFullEjection: true on it');
    });

    test('once per service, however many patterns join after', () => {
      build(Mesh.istio(), { ...CB, maxEjectionPercent: 50 }, { faults: true });
      expect(warnings()).toHaveLength(1);
    });

    test('unset: Istio\'s default, 10', () => {
      build(Mesh.istio(), CB);
      expect(warnings()).toEqual([expect.stringContaining('sets circuitBreaker.maxEjectionPercent unset (Istio\'s default, 10)')]);
    });

    test('99 warns; 100 (allowFullEjection), no failover, or no circuit breaker (the library\'s own outlier detection ejects 100%) do not', () => {
      build(Mesh.istio(), { ...CB, maxEjectionPercent: 99 });
      expect(warnings()).toHaveLength(1);
      stderr().mockClear();
      build(Mesh.istio(), { ...CB, maxEjectionPercent: 100 }, { allowFullEjection: true });
      build(Mesh.istio(), { ...CB, maxEjectionPercent: 50 }, { failover: false });
      const objs = build(Mesh.istio(), undefined);
      expect(one(objs, 'DestinationRule', 'payment').spec.trafficPolicy.outlierDetection.maxEjectionPercent).toBe(100);
      expect(warnings()).toEqual([]);
    });
  });

  test('FEDERATED: a consumer without the service gets a ServiceEntry through the exporter\'s east-west gateway', () => {
    const { mc } = setup(Mesh.istio(), { istioMode: IstioMultiClusterMode.FEDERATED }, { usRunsPayment: false });
    expect(one(out(mc, 'us-west'), 'ServiceEntry', 'payment-eu-west').spec).toEqual({
      hosts: ['payment.shop.svc.cluster.local'],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
      endpoints: [{ address: '203.0.113.10', network: 'net-eu', locality: 'europe-west1', ports: { http: 15443 }, labels: { 'security.istio.io/tlsMode': 'istio' } }],
    });
  });

  test('FEDERATED without the exporter\'s gateway address is refused', () => {
    expect(fails(() => setup(Mesh.istio(), {
      istioMode: IstioMultiClusterMode.FEDERATED,
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [] },
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' })] },
      ],
      exports: [{ service: ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' }), cluster: 'eu-west', consumers: ['us-west'] }],
    }))).toContain('clusters[1].gatewayAddress: got undefined: Istio cannot express this');
  });
});

describe('istioMode is Istio\'s: the other meshes refuse it rather than ignore it', () => {
  test.each([
    ['Linkerd', Mesh.linkerd(), { failover: false }, { usRunsPayment: false, callers: false }],
    ['Consul', Mesh.consul(), {}, {}],
  ] as const)('%s refuses any istioMode given (the default included); DROP_WITH_WARNING leaves it out, warned and annotated', (name, mesh, over, opts) => {
    for (const mode of [IstioMultiClusterMode.FEDERATED, IstioMultiClusterMode.MULTI_PRIMARY]) {
      expect(fails(() => setup(mesh, { ...over, istioMode: mode }, opts))).toBe(
        `[shop] istioMode: got "${mode}": ${name} cannot express this (the discovery mode is Istio's (remote secrets or ServiceEntries)); remove it for ${name}, `
        + 'or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    }
    const { mc } = setup(mesh, { ...over, istioMode: IstioMultiClusterMode.FEDERATED, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }, opts);
    expect(mc.warnings).toContain(`istioMode ("FEDERATED") is not written: ${name} cannot express it (the discovery mode is Istio's (remote secrets or ServiceEntries))`);
    // the same objects as without it, each carrying the dropped setting
    const without = setup(mesh, over, opts).mc;
    const strip = (objs: any[]) => objs.map(o => ({ ...o, metadata: { ...o.metadata, annotations: undefined } }));
    expect(strip(out(mc, 'eu-west'))).toEqual(strip(out(without, 'eu-west')));
    expect(out(mc, 'eu-west').map(o => o.metadata.annotations?.['cdk8s-mesh.io/dropped-settings'])).toContain('istioMode=FEDERATED');
    // unset: nothing refused
    expect(() => setup(mesh, over, opts)).not.toThrow();
  });

  test('Istio reads it: MULTI_PRIMARY (given or not) writes no ServiceEntry, FEDERATED does', () => {
    const kinds = (mode?: IstioMultiClusterMode) => out(setup(Mesh.istio(), mode ? { istioMode: mode } : {}, { usRunsPayment: false }).mc, 'us-west').map(o => o.kind);
    expect(kinds(IstioMultiClusterMode.MULTI_PRIMARY)).toEqual(kinds());
    expect(kinds()).not.toContain('ServiceEntry');
    expect(kinds(IstioMultiClusterMode.FEDERATED)).toContain('ServiceEntry');
  });
});

describe('Linkerd', () => {
  test('the exported Service is labelled, and the consumer links to the exporter', () => {
    const { mc, workloads } = setup(Mesh.linkerd(), { failover: false }, { usRunsPayment: false, callers: false });
    expect(one(Testing.synth(workloads), 'Service', 'payment').metadata.labels).toEqual({ 'mirror.linkerd.io/exported': 'true' });
    expect(one(out(mc, 'us-west'), 'Link', 'eu-west').spec).toMatchObject({
      targetClusterName: 'eu-west',
      gatewayAddress: '203.0.113.10',
      gatewayPort: '4143',
      gatewayIdentity: 'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
      clusterCredentialsSecret: 'cluster-credentials-eu-west',
    });
  });

  test('remote discovery labels the Service for the flat-network mode', () => {
    const { workloads } = setup(Mesh.linkerd(), { failover: false, linkerdRemoteDiscovery: true }, { usRunsPayment: false, callers: false });
    expect(one(Testing.synth(workloads), 'Service', 'payment').metadata.labels).toEqual({ 'mirror.linkerd.io/exported': 'remote-discovery' });
  });

  test('failover, callers behind the gateway and services known only by name are refused with the alternatives', () => {
    const message = fails(() => setup(Mesh.linkerd()));
    expect(message).toContain('failover: got true: Linkerd cannot express this (payment also runs in us-west, and Linkerd has no locality failover of its own); install the linkerd-failover extension');
    expect(message).toContain("exports[0].callers: got \"1 caller(s)\": Linkerd cannot express this (through the multicluster gateway, requests arrive with the gateway's identity, not the remote caller's: the exported Service's policy authorizes the gateway");
  });

  test('gateway mode: the exporting cluster gets the Service\'s Server and a policy for the gateway identity, saying so (issue 16 item 9)', () => {
    const { mc } = setup(Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY }), { failover: false }, { usRunsPayment: false, callers: false });
    const eu = out(mc, 'eu-west');
    expect(eu.length).toBeGreaterThan(0);
    expect(one(eu, 'Server', 'payment-8080').spec).toMatchObject({ port: 8080, accessPolicy: 'deny', podSelector: { matchLabels: { app: 'payment' } } });
    const authn = one(eu, 'MeshTLSAuthentication', 'payment-from-multicluster-gateway');
    expect(authn.spec).toEqual({ identityRefs: [{ kind: 'ServiceAccount', name: 'linkerd-gateway', namespace: 'linkerd-multicluster' }] });
    expect(authn.metadata.annotations['cdk8s-mesh.io/description']).toBe('every meshed client that can reach the multicluster gateway of eu-west (the Links of us-west mirror payment): through the gateway they all arrive with the gateway\'s identity');
    expect(one(eu, 'AuthorizationPolicy', 'payment-from-multicluster-gateway').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' });
    const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
    expect([m.check({ caller: 'linkerd-multicluster/linkerd-gateway', service: 'shop/payment' }).allowed, m.check({ caller: 'shop/order', service: 'shop/payment' }).allowed]).toEqual([true, false]);
    // the Link says what else it needs: the credentials Secret and the service-mirror controller
    expect(one(out(mc, 'us-west'), 'Link', 'eu-west').metadata.annotations['cdk8s-mesh.io/setup'])
      .toBe('in us-west: the Secret cluster-credentials-eu-west from `linkerd --context=eu-west multicluster link-gen --cluster-name eu-west` (apply its Secret only), and the linkerd-multicluster Helm value controllers: [{link: {ref: {name: eu-west}}}]');
  });

  test('remote discovery: the named callers are authorized with the consumer cluster\'s trust domain', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const workloads = new Chart(app, 'w', { namespace: 'shop', disableResourceNameHashes: true });
    const payment = ServiceRef.fromService(new kplus.Service(workloads, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(workloads, 'pods', { labels: { app: 'payment' } }) }));
    const mc = new MultiClusterExport(app, 'shop', {
      mesh: Mesh.linkerd(),
      linkerdRemoteDiscovery: true,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'net', region: 'us-west1', services: [], trustDomain: 'us.example.com' },
        { name: 'eu-west', network: 'net', region: 'europe-west1', services: [payment], trustDomain: 'us.example.com' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order', { namespace: 'shop' })] }],
    });
    expect(one(out(mc, 'eu-west'), 'MeshTLSAuthentication', 'payment-from-remote-callers').spec).toEqual({ identities: ['order.shop.serviceaccount.identity.linkerd.us.example.com'] });
  });

  test('the mirrored Service <service>-<cluster> must fit a Service name (63 characters): both sides of the limit', () => {
    const build = (name: string) => {
      const app = new App({ outdir: Testing.app().outdir });
      const workloads = new Chart(app, 'w', { namespace: 'shop', disableResourceNameHashes: true });
      const payment = ServiceRef.fromService(new kplus.Service(workloads, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(workloads, 'pods', { labels: { app: 'payment' } }) }));
      return new MultiClusterExport(app, 'shop', {
        mesh: Mesh.linkerd(),
        failover: false,
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [] },
          { name, network: 'net-eu', region: 'europe-west1', services: [payment], gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: payment, cluster: name, consumers: ['us-west'] }],
      });
    };
    // payment- is 8 characters: a cluster name of 55 makes a 63-character Service, 56 one of 64
    const mc = build('e'.repeat(55));
    expect(one(out(mc, 'us-west'), 'Link', 'e'.repeat(55)).spec.targetClusterName).toBe('e'.repeat(55));
    expect(fails(() => build('e'.repeat(56)))).toBe(`[shop] clusters[1].name: got "${'e'.repeat(56)}": Linkerd cannot express this (the service mirror of us-west names the mirrored Service payment-${'e'.repeat(56)} `
      + '(<service>-<cluster>, 64 characters), and a Service name is at most 63 characters: it could not be created, and callers could not reach payment); use a cluster name of at most 55 characters for payment');
  });

  test('no empty file for a cluster: every cluster of the example writes objects', () => {
    const { mc } = setup(Mesh.linkerd(), { failover: false }, { usRunsPayment: false, callers: false });
    expect([out(mc, 'us-west').length > 0, out(mc, 'eu-west').length > 0]).toEqual([true, true]);
  });
});

/**
 * Whether a Link's selector (`selector` or `remoteDiscoverySelector`) selects a remote Service with these labels, as
 * Linkerd's service mirror decides (multicluster/service-mirror/cluster_watcher.go isExported, isRemoteDiscovery): an
 * absent or empty selector selects nothing; else metav1.LabelSelectorAsSelector, every matchLabels entry and every
 * matchExpressions requirement (apimachinery labels.Requirement.Matches).
 */
function linkSelects(selector: any, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) return false;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v)
    && (selector.matchExpressions ?? []).every((e: any) => {
      switch (e.operator) {
        case 'In': return has(e.key) && e.values.includes(labels[e.key]);
        case 'NotIn': return !has(e.key) || !e.values.includes(labels[e.key]);
        case 'Exists': return has(e.key);
        case 'DoesNotExist': return !has(e.key);
        default: throw new Error(`operator ${e.operator}`);
      }
    });
}

describe('Linkerd: each consumer\'s Link has Linkerd\'s default selectors (one Link per pair of clusters serves every app), so it mirrors every Service exported through its exporter', () => {
  function build(remoteDiscovery: boolean, consumers = { payment: ['us-west'], catalog: ['ap-south'] }, names = { us: 'us-west', ap: 'ap-south' }) {
    const app = new App({ outdir: Testing.app().outdir });
    const workloads = new Chart(app, 'eu-west-workloads', { namespace: 'shop', disableResourceNameHashes: true });
    const svc = (name: string) => ServiceRef.fromService(new kplus.Service(workloads, name, {
      metadata: { name }, ports: [{ port: 8080 }], selector: kplus.Pods.select(workloads, `${name}-pods`, { labels: { app: name } }),
    }));
    const payment = svc('payment');
    const catalog = svc('catalog');
    const rename = (c: string) => c === 'us-west' ? names.us : c === 'ap-south' ? names.ap : c;
    const mc = new MultiClusterExport(app, 'shop', {
      mesh: Mesh.linkerd(),
      failover: false,
      linkerdRemoteDiscovery: remoteDiscovery,
      clusters: [
        { name: names.us, network: 'net', region: 'us-west1', services: [] },
        { name: names.ap, network: 'net', region: 'asia-south1', services: [] },
        { name: 'eu-west', network: 'net', region: 'europe-west1', services: [payment, catalog], gatewayAddress: '203.0.113.10' },
      ],
      exports: [
        { service: payment, cluster: 'eu-west', consumers: consumers.payment.map(rename) },
        { service: catalog, cluster: 'eu-west', consumers: consumers.catalog.map(rename) },
      ],
    });
    const services = Testing.synth(workloads).filter(o => o.kind === 'Service');
    const labels = (name: string): Record<string, string> => services.find(o => o.metadata.name === name).metadata.labels;
    const link = (consumer: string) => one(out(mc, consumer), 'Link', 'eu-west').spec;
    // what the consumer's service mirror mirrors of the exporter's Services: createOrUpdateService mirrors a Service
    // that isExported (the Link's selector) or isRemoteDiscovery (its remoteDiscoverySelector) selects
    const mirrored = (consumer: string) => services.map(o => o.metadata.name)
      .filter(n => linkSelects(link(consumer).selector, labels(n)) || linkSelects(link(consumer).remoteDiscoverySelector, labels(n))).sort();
    return { mc, labels, link, mirrored };
  }

  test.each([['gateway', false], ['remote discovery', true]] as const)('%s mode: us-west and ap-south both mirror payment and catalog, and another app\'s Service exported the documented way', (_mode, remoteDiscovery) => {
    const { labels, link, mirrored } = build(remoteDiscovery);
    // a selector of the app's own would make the service mirror unexport every other Service of the exporter
    // (cluster_watcher.go createOrUpdateService: a Service the restarted watcher no longer selects is deleted)
    expect(mirrored('us-west')).toEqual(['catalog', 'payment']);
    expect(mirrored('ap-south')).toEqual(['catalog', 'payment']);
    for (const c of ['us-west', 'ap-south']) {
      expect(link(c).selector).toEqual({ matchLabels: { 'mirror.linkerd.io/exported': 'true' } });
      expect(link(c).remoteDiscoverySelector).toEqual({ matchLabels: { 'mirror.linkerd.io/exported': 'remote-discovery' } });
      expect(linkSelects(remoteDiscovery ? link(c).remoteDiscoverySelector : link(c).selector, { 'mirror.linkerd.io/exported': remoteDiscovery ? 'remote-discovery' : 'true', 'app': 'other-team' })).toBe(true);
    }
    const mode = remoteDiscovery ? 'remote-discovery' : 'true';
    expect(labels('payment')).toEqual({ 'mirror.linkerd.io/exported': mode });
    expect(labels('catalog')).toEqual({ 'mirror.linkerd.io/exported': mode });
  });
});

describe('Consul', () => {
  test('ExportedServices named default with the consumer peer, failover to the peer, intentions for remote callers', () => {
    const { mc } = setup(Mesh.consul());
    const eu = out(mc, 'eu-west');
    expect(one(eu, 'ExportedServices', 'default').spec).toEqual({ services: [{ name: 'payment', consumers: [{ peer: 'us-west' }] }] });
    // only the declared callers of the peer, and no local caller: a * deny of the peer and a local one
    expect(one(eu, 'ServiceIntentions', 'payment-remote-callers').spec).toEqual({
      destination: { name: 'payment' },
      sources: [{ name: 'order', peer: 'us-west', action: 'allow' }, { name: '*', peer: 'us-west', action: 'deny' }, { name: '*', action: 'deny' }],
    });
    expect(one(out(mc, 'us-west'), 'ServiceResolver', 'payment').spec).toEqual({ failover: { '*': { targets: [{ peer: 'eu-west' }] } } });
  });

  test('Enterprise: remote callers keep their namespace (a peer source without one is the peer\'s default namespace)', () => {
    const { mc } = setup(Mesh.consul({ enterprise: true }));
    expect(one(out(mc, 'eu-west'), 'ServiceIntentions', 'payment-remote-callers').spec.sources).toEqual([
      { name: 'order', namespace: 'shop', peer: 'us-west', action: 'allow' },
      { name: '*', namespace: '*', peer: 'us-west', action: 'deny' },
      { name: '*', namespace: '*', action: 'deny' },
    ]);
  });

  test('with ACLs off, only the declared remote callers get in (review: eu-west admitted every caller)', () => {
    const m = ReachabilityMatrix.fromManifests(out(setup(Mesh.consul()).mc, 'eu-west'), { defaultNamespace: 'shop', consulDefaultAllow: true });
    expect(m.check({ caller: 'peer:us-west/shop/order', service: 'shop/payment' }).allowed).toBe(true);
    expect(m.check({ caller: 'peer:us-west/shop/web', service: 'shop/payment' }).allowed).toBe(false);
    expect(m.check({ caller: 'shop/web', service: 'shop/payment' }).allowed).toBe(false);
  });

  test.each([['before', true], ['after', false]])('remote callers join the exporting cluster\'s zero trust ServiceIntentions (created %s the export), with the permissions it gives the same service account', (_when, ztFirst) => {
    const app = new App({ outdir: Testing.app().outdir });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', protocol: ServiceProtocol.HTTP });
    const zeroTrust = () => new ZeroTrustNamespace(euWest, 'zt', {
      mesh: Mesh.consul(),
      mtls: MtlsPhase.STRICT,
      allow: [{ callers: [Identity.serviceAccount('order'), Identity.serviceAccount('shop')], to: payment, methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] }],
    });
    if (ztFirst) zeroTrust();
    new MultiClusterExport(app, 'mc', {
      mesh: Mesh.consul(),
      clusters: [
        { name: 'us-west', network: 'n1', region: 'us-west1', services: [payment] },
        { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order'), Identity.serviceAccount('audit')] }],
    });
    if (!ztFirst) zeroTrust();
    const eu = synthValidated(euWest);
    // one ServiceIntentions for payment (Consul takes one per destination)
    expect(ofKind(eu, 'ServiceIntentions').filter(o => o.spec.destination.name === 'payment').map(o => o.metadata.name)).toEqual(['payment']);
    const perms = [{ action: 'allow', http: { pathExact: '/process-payment', methods: ['POST'] } }, { action: 'deny', http: { pathPrefix: '/' } }];
    expect(one(eu, 'ServiceIntentions', 'payment').spec.sources).toEqual([
      { name: 'order', permissions: perms },
      { name: 'shop', permissions: perms },
      { name: 'order', peer: 'us-west', permissions: perms },
      // a caller the zero trust does not name: what the export declares (any request)
      { name: 'audit', peer: 'us-west', action: 'allow' },
      { name: '*', peer: 'us-west', action: 'deny' },
      { name: '*', action: 'deny' },
    ]);
    for (const acl of [true, false]) {
      const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop', consulDefaultAllow: acl });
      expect(m.check({ caller: 'peer:us-west/shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed).toBe(true);
      expect(m.check({ caller: 'peer:us-west/shop/order', service: 'shop/payment', method: 'GET', path: '/admin' }).allowed).toBe(false);
      expect(m.check({ caller: 'peer:us-west/shop/user', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed).toBe(false);
    }
  });

  test('the exporter declares the protocol, so that an HTTP chain can fail over to it', () => {
    expect(one(out(setup(Mesh.consul()).mc, 'eu-west'), 'ServiceDefaults', 'payment').spec).toEqual({ protocol: 'http' });
    expect(ofKind(out(setup(Mesh.consul(), { failover: false }).mc, 'eu-west'), 'ServiceDefaults')).toHaveLength(0);
  });

  test('failing a canary-released service over to a peer is refused: the peer target keeps the subset filter', () => {
    const build = (withCanary: boolean) => () => {
      const app = new App({ outdir: Testing.app().outdir });
      const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
      const paymentUs = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
      if (withCanary) new CanaryRelease(usWest, 'release', { mesh: Mesh.consul(), service: paymentUs, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
      return new MultiClusterExport(app, 'shop', {
        mesh: Mesh.consul(),
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [paymentUs], chart: usWest },
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentUs] },
        ],
        exports: [{ service: paymentUs, cluster: 'eu-west', consumers: ['us-west'] }],
      });
    };
    expect(fails(build(true))).toBe('[shop] failover: got peers eu-west for payment, but [us-west/release] releases it in subsets (Service.Meta.version == v1, Service.Meta.version == v2): '
      + 'Consul fails a subset over to the same subset on the peer, and the exporting cluster\'s instances carry no such meta, so the failover would find no instance; '
      + 'finish the release (remove the CanaryRelease) before failing payment over to peers, or release it without failover');
    expect(build(false)).not.toThrow();
  });

  test('ExportedServices is datacenter-wide: a warning by default, none when acknowledged, not written with OMIT', () => {
    const warned = (mesh: Mesh) => setup(mesh).mc.warnings.filter(w => w.includes('ExportedServices default'));
    expect(warned(Mesh.consul())).toHaveLength(1);
    expect(warned(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.WRITE }))).toEqual([]);
    const { mc } = setup(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.OMIT }));
    expect(ofKind(out(mc, 'eu-west'), 'ExportedServices')).toHaveLength(0);
    expect(mc.warnings).toContain('ExportedServices default (cluster eu-west) is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform\'s entry must export payment to us-west');
  });

  test('a sameness group needs Consul Enterprise; with it, every cluster has one', () => {
    expect(fails(() => setup(Mesh.consul(), { consulSamenessGroup: 'shop' }))).toContain('consulSamenessGroup: got "shop": Consul cannot express this (sameness groups are a Consul Enterprise feature)');
    const { mc } = setup(Mesh.consul({ enterprise: true }), { consulSamenessGroup: 'shop' });
    expect(one(out(mc, 'us-west'), 'SamenessGroup', 'shop').spec).toEqual({ defaultForFailover: true, includeLocal: true, members: [{ peer: 'eu-west' }] });
    expect(one(out(mc, 'eu-west'), 'ExportedServices', 'default').spec.services[0].consumers).toEqual([{ samenessGroup: 'shop' }]);
    // a partition-wide entry: annotated, and left to the platform with OMIT
    expect(one(out(mc, 'us-west'), 'SamenessGroup', 'shop').metadata.annotations).toEqual({ 'cdk8s-mesh.io/consul-scope': 'datacenter' });
    const omitted = setup(Mesh.consul({ enterprise: true, datacenterWideEntries: ConsulDatacenterWideEntries.OMIT }), { consulSamenessGroup: 'shop' }).mc;
    expect(ofKind(out(omitted, 'us-west'), 'SamenessGroup')).toHaveLength(0);
    expect(omitted.warnings).toContain('SamenessGroup shop (cluster us-west) is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform\'s entry must list the peers eu-west with defaultForFailover: true');
  });
});

describe('an exporter without zero trust (the failover target admits more than the primary)', () => {
  const WARNING = 'exports[0]: cluster eu-west exports payment, but its chart [eu-west] has no ZeroTrustNamespace for namespace shop';
  test.each([['istio', Mesh.istio()], ['linkerd', Mesh.linkerd()]] as const)('%s: warned at synthesis, with the fix; not with a ZeroTrustNamespace, even one created after the export', (_name, mesh) => {
    const over = mesh.kind === 'linkerd' ? { failover: false } : {};
    const opts = mesh.kind === 'linkerd' ? { usRunsPayment: false, callers: false } : {};
    const { app, mc } = setup(mesh, over, opts);
    app.synth();
    const warning = mc.warnings.find(w => w.startsWith(WARNING));
    expect(warning).toContain('Add new ZeroTrustNamespace(<the eu-west chart>, \'zero-trust\', { mesh, namespace: \'shop\', allow: [...] }) with the same rules for payment as in the consumers');
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining(`[shop] ${WARNING}`));

    const covered = setup(mesh, over, opts);
    new ZeroTrustNamespace(covered.mc.chartOf('eu-west'), 'zero-trust', {
      mesh, namespace: 'shop', allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }],
    });
    covered.app.synth();
    expect(covered.mc.warnings.filter(w => w.startsWith('exports['))).toEqual([]);
  });

  test('a ZeroTrustNamespace of another namespace does not count; Consul (datacenter-wide deny) is not warned', () => {
    const { app, mc } = setup(Mesh.istio());
    new ZeroTrustNamespace(mc.chartOf('eu-west'), 'zero-trust', {
      mesh: Mesh.istio(), namespace: 'other', allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080, namespace: 'other' }) }],
    });
    app.synth();
    expect(mc.warnings.filter(w => w.startsWith(WARNING))).toHaveLength(1);
    const consul = setup(Mesh.consul());
    consul.app.synth();
    expect(consul.mc.warnings.filter(w => w.startsWith('exports['))).toEqual([]);
  });
});

describe('guardrails', () => {
  const base = (over: Partial<MultiClusterExportProps>) => () => setup(Mesh.istio(), over);
  const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  const clusters = [
    { name: 'us-west', network: 'net-us', region: 'us-west1', services: [payment] },
    { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [payment] },
  ];

  test('every consumer is a declared cluster', () => {
    expect(fails(base({ clusters, exports: [{ service: payment, cluster: 'eu-west', consumers: ['ap-south'] }] })))
      .toContain('[shop] exports[0].consumers[0]: got "ap-south": no such cluster: every consumer must be a declared cluster; use one of: us-west, eu-west');
  });

  test('the exporting cluster runs the service', () => {
    expect(fails(base({ clusters: [clusters[0], { ...clusters[1], services: [] }], exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }] })))
      .toContain('exports[0].service: got "payment": cluster eu-west does not run payment, so it cannot export it');
  });

  test('a service is exported once per exporting cluster (two entries would write its export objects twice), on every mesh', () => {
    for (const mesh of [Mesh.istio(), Mesh.linkerd(), Mesh.consul()]) {
      const twice = () => setup(mesh, {
        clusters: [{ ...clusters[0], services: [] }, { ...clusters[1], gatewayAddress: '203.0.113.10' }, { name: 'ap-south', network: 'net-ap', region: 'asia-south1', services: [] }],
        exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }, { service: payment, cluster: 'eu-west', consumers: ['ap-south', 'us-west'] }],
      });
      expect(fails(twice)).toContain('[shop] exports[1].service: got "payment": exports[0] already exports payment from cluster eu-west; '
        + "give one entry with every consumer: consumers: ['us-west', 'ap-south']");
    }
    // the other side: one service exported by each of two clusters that run it
    expect(() => setup(Mesh.istio(), { clusters, exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }, { service: payment, cluster: 'us-west', consumers: ['eu-west'] }] }))
      .not.toThrow();
  });

  test('cluster names are unique; a service is listed once per cluster', () => {
    expect(fails(base({ clusters: [clusters[0], { ...clusters[1], name: 'us-west' }], exports: [] }))).toContain('clusters[1].name: got "us-west": cluster names must be unique');
    expect(fails(base({ clusters: [clusters[0], { ...clusters[1], services: [payment, payment] }], exports: [] }))).toContain('clusters[1].services[1]: got "payment": payment is listed twice in cluster eu-west');
  });

  test('remote callers\' principals carry the consumer\'s trust domain (where the callers run), not the exporter\'s', () => {
    const policy = (over: any) => one(out(setup(Mesh.istio(), over).mc, 'eu-west'), 'AuthorizationPolicy', 'payment-remote-callers').spec.rules[0].from[0].source.principals;
    const exports = [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order', { namespace: 'shop' })] }];
    expect(policy({ clusters: [clusters[0], { ...clusters[1], trustDomain: 'eu.example.com' }], exports })).toEqual(['cluster.local/ns/shop/sa/order']);
    expect(policy({ clusters: [{ ...clusters[0], trustDomain: 'us.example.com' }, clusters[1]], exports })).toEqual(['us.example.com/ns/shop/sa/order']);
  });

  test('trust domains that differ are reported', () => {
    const { mc } = setup(Mesh.istio(), { clusters: [clusters[0], { ...clusters[1], trustDomain: 'eu.example.com' }], exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }] });
    expect(mc.warnings[0]).toContain('the clusters have different trust domains (us-west: cluster.local, eu-west: eu.example.com)');
    expect(stderr()).toHaveBeenCalled();
  });

  test('a cluster does not export to itself; two clusters at least', () => {
    expect(fails(base({ clusters, exports: [{ service: payment, cluster: 'eu-west', consumers: ['eu-west'] }] }))).toContain('exports[0].consumers[0]: got "eu-west": a cluster does not export to itself');
    expect(fails(base({ clusters: [clusters[0]], exports: [] }))).toContain('clusters: got 1: a multi-cluster mesh has at least two clusters');
  });
});

describe('the dropped-settings note on the objects the export shares with other patterns, whichever pattern came first', () => {
  const DROPPED = 'cdk8s-mesh.io/dropped-settings';
  const DROP = UnsupportedSettings.DROP_WITH_WARNING;
  const notes = (objs: any[]) => Object.fromEntries(objs.filter(o => o.metadata.annotations?.[DROPPED] !== undefined).map(o => [`${o.kind}/${o.metadata.name}`, o.metadata.annotations[DROPPED]]));
  const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'] };

  function charts() {
    const app = new App({ outdir: Testing.app().outdir });
    const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    return { app, usWest, euWest };
  }

  test.each([['before', true], ['after', false]])('Consul, the export created %s the ZeroTrustNamespace and the ResilientServices', (_when, exportFirst) => {
    const { app, usWest, euWest } = charts();
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', protocol: ServiceProtocol.HTTP });
    const others = () => {
      new ZeroTrustNamespace(euWest, 'zt', {
        mesh: Mesh.consul(),
        mtls: MtlsPhase.STRICT,
        jwt: { ...JWT, forwardOriginalToken: true },
        unsupportedSettings: DROP,
        allow: [{ callers: [Identity.serviceAccount('order')], to: payment, methods: [HttpMethod.POST] }],
      });
      new ResilientService(euWest, 'resilience', { mesh: Mesh.consul(), service: payment, rateLimit: { requestsPerSecond: 100 }, unsupportedSettings: DROP });
      new ResilientService(usWest, 'resilience', { mesh: Mesh.consul(), service: payment, timeout: Duration.seconds(3), rateLimit: { requestsPerSecond: 50 }, unsupportedSettings: DROP });
    };
    if (!exportFirst) others();
    new MultiClusterExport(app, 'mc', {
      mesh: Mesh.consul(),
      istioMode: IstioMultiClusterMode.FEDERATED,
      unsupportedSettings: DROP,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'us-west1', services: [payment], chart: usWest },
        { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] }],
    });
    if (exportFirst) others();
    // the exporter: the export's note joins the ResilientService's on the one ServiceDefaults (the protocol
    // the failover needs; the rate limit is its rateLimits field), and is on the ServiceIntentions, which
    // took in the export's remote callers (created before it, the export's own payment-remote-callers
    // object is merged and gone); the zero trust's forwardOriginalToken is the JWTProvider's setting
    expect(notes(synthValidated(euWest))).toEqual({
      'ExportedServices/default': 'istioMode=FEDERATED',
      'JWTProvider/auth-example-com': 'jwt.forwardOriginalToken=true',
      'ServiceDefaults/payment': 'istioMode=FEDERATED, rateLimit=100/s',
      'ServiceIntentions/payment': 'istioMode=FEDERATED',
    });
    // the consumer: the export's note on the ServiceResolver its failover is written to (the one object it
    // writes there), none on the ServiceRouter; the rate limit on the ServiceDefaults (its rateLimits)
    expect(notes(synthValidated(usWest))).toEqual({
      'ServiceDefaults/payment': 'rateLimit=50/s',
      'ServiceResolver/payment': 'istioMode=FEDERATED',
    });
  });

  test.each([['before', true], ['after', false]])('Linkerd, the export created %s the ZeroTrustNamespace and the ResilientService: the Server they share carries its note, the user\'s Service does not', (_when, exportFirst) => {
    const { app, usWest, euWest } = charts();
    const svc = new kplus.Service(euWest, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(euWest, 'pods', { labels: { app: 'payment' } }) });
    const payment = ServiceRef.fromService(svc);
    const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY });
    const others = () => {
      new ZeroTrustNamespace(euWest, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('order')], to: payment }] });
      new ResilientService(euWest, 'resilience', { mesh, service: payment, rateLimit: { requestsPerSecond: 100 } });
    };
    if (!exportFirst) others();
    new MultiClusterExport(app, 'mc', {
      mesh,
      istioMode: IstioMultiClusterMode.FEDERATED,
      unsupportedSettings: DROP,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'us-west1', services: [], chart: usWest },
        { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest, gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (exportFirst) others();
    const eu = synthValidated(euWest);
    expect(notes(eu)).toEqual({
      'AuthorizationPolicy/payment-from-multicluster-gateway': 'istioMode=FEDERATED',
      'MeshTLSAuthentication/payment-from-multicluster-gateway': 'istioMode=FEDERATED',
      'Server/payment-8080': 'istioMode=FEDERATED',
    });
    expect(one(eu, 'Service', 'payment').metadata.labels['mirror.linkerd.io/exported']).toBe('true');
  });

  test.each([['before', true], ['after', false]])('Istio, the failover created %s the ResilientService and the CanaryRelease: each note on the object it would have been written to', (_when, exportFirst) => {
    const { app, usWest, euWest } = charts();
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
    const others = () => {
      new ResilientService(usWest, 'resilience', {
        mesh: Mesh.istio(),
        service: payment,
        timeout: Duration.seconds(3),
        circuitBreaker: { consecutiveErrors: 3 },
        rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 5 },
        unsupportedSettings: DROP,
      });
      new CanaryRelease(usWest, 'release', { mesh: Mesh.istio(), service: payment, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
    };
    if (!exportFirst) others();
    new MultiClusterExport(app, 'mc', {
      mesh: Mesh.istio(),
      linkerdRemoteDiscovery: true,
      unsupportedSettings: DROP,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'us-west1', services: [payment], chart: usWest },
        { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (exportFirst) others();
    // the export's on the DestinationRule its failover (locality) is written to; the rate limit's on its
    // EnvoyFilter only: no routing object would hold it
    expect(notes(synthValidated(usWest))).toEqual({
      'DestinationRule/payment': 'linkerdRemoteDiscovery=true',
      'EnvoyFilter/payment-local-ratelimit': 'rateLimit.perCallerRequestsPerSecond=5',
    });
  });
});

describe('Linkerd gateway mode with the exporter\'s zero trust: the gateway gets what the zero trust allows its callers, not the whole Server', () => {
  const GATEWAY = 'linkerd-multicluster/linkerd-gateway';
  function build(exportFirst: boolean, allow: (payment: ServiceRef) => ConstructorParameters<typeof ZeroTrustNamespace>[2]['allow'], probes = false, protocol = ServiceProtocol.HTTP) {
    const app = new App({ outdir: Testing.app().outdir });
    const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const deployment = new kplus.Deployment(euWest, 'payment-deploy', {
      metadata: { name: 'payment' },
      containers: [{ image: 'payment:1', portNumber: 8080, securityContext: { ensureNonRoot: false }, ...(probes ? { readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }), liveness: kplus.Probe.fromHttpGet('/pay/live', { port: 8080 }) } : {}) }],
    });
    const svc = new kplus.Service(euWest, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: deployment });
    const payment = ServiceRef.fromService(svc, { protocol });
    const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY });
    const zeroTrust = () => new ZeroTrustNamespace(euWest, 'zt', { mesh, mtls: MtlsPhase.STRICT, allow: allow(payment) });
    if (!exportFirst) zeroTrust();
    const mc = new MultiClusterExport(app, 'mc', {
      mesh,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'us-west1', services: [], chart: usWest },
        { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest, gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (exportFirst) zeroTrust();
    return { mc, eu: synthValidated(euWest) };
  }
  const scopedOnly = (payment: ServiceRef) => [
    { callers: [Identity.serviceAccount('order')], to: payment, methods: [HttpMethod.GET, HttpMethod.POST], paths: [PathMatch.prefix('/pay')] },
    { callers: [Identity.serviceAccount('audit')], to: payment, methods: [HttpMethod.GET], paths: [PathMatch.exact('/status')] },
  ];
  const gatewayPolicies = (eu: any[]) => ofKind(eu, 'AuthorizationPolicy').filter(o => o.spec.requiredAuthenticationRefs[0].name === 'payment-from-multicluster-gateway')
    .map(o => `${o.metadata.name} -> ${o.spec.targetRef.kind}/${o.spec.targetRef.name}`);

  test.each([['before', true], ['after', false]])('rules with methods or paths only (export created %s the ZeroTrustNamespace): the gateway is authorized on their routes, not on the Server nor the catch-all route', (_when, exportFirst) => {
    const { mc, eu } = build(exportFirst, scopedOnly);
    expect(gatewayPolicies(eu)).toEqual([
      'payment-from-audit-from-multicluster-gateway -> HTTPRoute/payment-from-audit',
      'payment-from-order-from-multicluster-gateway -> HTTPRoute/payment-from-order',
    ]);
    expect(one(eu, 'AuthorizationPolicy', 'payment-from-order-from-multicluster-gateway').metadata.annotations['cdk8s-mesh.io/description'])
      .toBe('every meshed client that can reach the multicluster gateway of eu-west (the Links of us-west mirror payment): through the gateway they all arrive with the gateway\'s identity, on route payment-from-order only: the requests the ZeroTrustNamespace allows its callers there (payment-from-order)');
    const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
    const allowed = (method: string, path: string, caller = GATEWAY) => m.check({ caller, service: 'shop/payment', method, path }).allowed;
    // what some caller is allowed here, the gateway (every meshed client that reaches it) is allowed
    expect([allowed('GET', '/pay'), allowed('POST', '/pay/1'), allowed('GET', '/status')]).toEqual([true, true, true]);
    // and nothing else: not what no rule allows (the catch-all route, another method)
    expect([allowed('GET', '/admin'), allowed('DELETE', '/pay'), allowed('POST', '/status')]).toEqual([false, false, false]);
    // the local callers keep their own rules
    expect([allowed('GET', '/pay', 'shop/order'), allowed('GET', '/status', 'shop/order'), allowed('GET', '/admin', 'shop/order')]).toEqual([true, false, false]);
    // every client of the gateway may send what any rule allows (the gateway's identity replaces theirs): said, with what and the step
    expect(mc.warnings.filter(w => w.includes('multicluster gateway'))).toEqual(['Server shop/payment-8080: every meshed client that can reach the multicluster gateway of eu-west (the Links of us-west mirror payment) arrives with the gateway\'s identity '
      + '(linkerd-gateway.linkerd-multicluster), so the ZeroTrustNamespace\'s rules cannot be kept per caller for them: AuthorizationPolicies payment-from-audit-from-multicluster-gateway, '
      + 'payment-from-order-from-multicluster-gateway (on the routes of these rules) let each of them send what any rule allows: '
      + 'payment-from-audit (shop/audit): GET exact /status; payment-from-order (shop/order): GET,POST prefix /pay. To keep remote callers to fewer requests, narrow these rules '
      + '(each one opens its requests to every client of the gateway), or use linkerdRemoteDiscovery on a flat network, where callers keep their identities']);
    // the export's objects are those in the output (not the Server-wide policy the routes replaced)
    const names = mc.apiObjects.map(o => `${o.kind}/${o.name}`);
    expect(names).not.toContain('AuthorizationPolicy/payment-from-multicluster-gateway');
  });

  test.each([['before', true], ['after', false]])('a rule for every request (export created %s): the gateway stays on the Server, as every request is allowed to a caller', (_when, exportFirst) => {
    const { mc, eu } = build(exportFirst, payment => [...scopedOnly(payment), { callers: [Identity.serviceAccount('web')], to: payment }]);
    expect(gatewayPolicies(eu)).toEqual(['payment-from-multicluster-gateway -> Server/payment-8080']);
    expect(mc.warnings.filter(w => w.includes('multicluster gateway'))).toEqual([expect.stringContaining('AuthorizationPolicy payment-from-multicluster-gateway (on Server payment-8080: every path and method, as a rule allows every request) '
      + 'let each of them send what any rule allows: payment-from-audit (shop/audit): GET exact /status; payment-from-order (shop/order): GET,POST prefix /pay; payment-from-web (shop/web): any method any path.')]);
    const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
    expect(m.check({ caller: GATEWAY, service: 'shop/payment', method: 'DELETE', path: '/admin' }).allowed).toBe(true);
  });

  test('without an export (one cluster), the zero trust writes no gateway policy and no such warning; without a zero trust, the export\'s policy is on the Server, not warned of', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const chart = new Chart(app, 'one', { namespace: 'shop', disableResourceNameHashes: true });
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', protocol: ServiceProtocol.HTTP });
    const zt = new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), mtls: MtlsPhase.STRICT, allow: scopedOnly(payment) });
    const objs = synthValidated(chart);
    expect(ofKind(objs, 'AuthorizationPolicy').filter(o => o.metadata.name.includes('multicluster')).length).toBe(0);
    expect(ofKind(objs, 'AuthorizationPolicy').map(o => o.metadata.name)).toEqual(expect.arrayContaining(['payment-from-audit', 'payment-from-order']));
    expect(zt.warnings.filter(w => w.includes('multicluster'))).toEqual([]);
    const { mc } = setup(Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY }), { failover: false }, { usRunsPayment: false, callers: false });
    expect(gatewayPolicies(out(mc, 'eu-west'))).toEqual(['payment-from-multicluster-gateway -> Server/payment-8080']);
    expect(mc.warnings.filter(w => w.includes('arrives with the gateway\'s identity (linkerd-gateway.linkerd-multicluster), so the ZeroTrustNamespace'))).toEqual([]);
    // a deny default without a zero trust: the export warns of the missing ZeroTrustNamespace, not of its rules
    expect(mc.warnings.filter(w => w.includes('no ZeroTrustNamespace rule allows'))).toEqual([]);
  });

  test.each([['before', true], ['after', false]])('a zero trust with no rule for the exported port (export created %s): the gateway gets the whole Server, and the export says so', (_when, exportFirst) => {
    const ledger = ServiceRef.fromName('ledger', { port: 9090, namespace: 'shop', protocol: ServiceProtocol.HTTP });
    const { mc, eu } = build(exportFirst, () => [{ callers: [Identity.serviceAccount('order')], to: ledger }]);
    expect(gatewayPolicies(eu)).toEqual(['payment-from-multicluster-gateway -> Server/payment-8080']);
    expect(one(eu, 'Server', 'payment-8080').spec.accessPolicy).toBe('deny');
    const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
    expect([m.check({ caller: 'shop/order', service: 'shop/payment', method: 'GET', path: '/' }).allowed,
      m.check({ caller: GATEWAY, service: 'shop/payment', method: 'DELETE', path: '/admin' }).allowed]).toEqual([false, true]);
    expect(mc.warnings.filter(w => w.includes('no ZeroTrustNamespace rule allows'))).toEqual(['Server shop/payment-8080: its access policy is deny and no ZeroTrustNamespace rule allows a caller of this port, '
      + 'so no caller in its cluster may call it, but AuthorizationPolicy payment-from-multicluster-gateway (on the Server: every path and method) lets every meshed client that can reach the multicluster gateway of eu-west (the Links of us-west mirror payment) send any request '
      + '(they all arrive with the gateway\'s identity, linkerd-gateway.linkerd-multicluster). If that is meant, nothing is to do; to keep remote callers to '
      + 'some requests, give the ZeroTrustNamespace rules for payment with those methods and paths (the gateway is then authorized on their routes only)']);
    // the other side: a rule for the port (scoped or for every request) is warned of as the union, not as this
    for (const allow of [scopedOnly, (p: ServiceRef) => [{ callers: [Identity.serviceAccount('web')], to: p }]]) {
      expect(build(exportFirst, allow).mc.warnings.filter(w => w.includes('no ZeroTrustNamespace rule allows'))).toEqual([]);
    }
  });

  describe('a gRPC or opaque Server applies no HTTPRoute (policy-controller/grpc/src/inbound.rs to_server): the gateway\'s authorization stays on the Server', () => {
    test.each([['gRPC', ServiceProtocol.GRPC], ['opaque', ServiceProtocol.TCP]] as const)('proxyProtocol %s: rules with methods or paths are refused; a rule without them puts the gateway on the Server, and the gateway and the local caller are allowed', (proxyProtocol, protocol) => {
      const refused = (() => { try { build(false, scopedOnly, false, protocol); } catch (e) { return (e as Error).message; } return 'not refused'; })();
      expect(refused).toContain('[eu-west/zt] 2 problems');
      expect(refused).toContain(`allow[0].methods: got ["GET","POST"]: Linkerd cannot express this (service payment port 8080 is ${protocol}, its Server's proxyProtocol ${proxyProtocol}`);
      const { eu } = build(true, payment => [{ callers: [Identity.serviceAccount('order')], to: payment }], false, protocol);
      expect(one(eu, 'Server', 'payment-8080').spec.proxyProtocol).toBe(proxyProtocol);
      expect(gatewayPolicies(eu)).toEqual(['payment-from-multicluster-gateway -> Server/payment-8080']);
      expect(ofKind(eu, 'HTTPRoute').filter(r => r.spec.parentRefs[0].name === 'payment-8080')).toEqual([]);
      const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
      // a gRPC request (POST; the proxy matches a gRPC Server's routes, here its default one, to POST requests only)
      const rpc = { method: 'POST', path: '/shop.payment.v1.Payment/Charge' };
      expect([GATEWAY, 'shop/order', 'shop/web'].map(caller => m.check({ caller, service: 'shop/payment', ...rpc }).allowed)).toEqual([true, true, false]);
    });

    test.each([['gRPC', ServiceProtocol.GRPC, true], ['opaque', ServiceProtocol.TCP, true], ['HTTP/2', ServiceProtocol.HTTP2, false], ['HTTP/1', ServiceProtocol.HTTP, false]] as const)(
      'defence in depth: a %s Server (ServiceProtocol %s): the gateway stays on the Server where the proxy applies no HTTPRoute, even when routes are recorded', (_name, protocol, onServer) => {
        const chart = shopChart();
        const server = LinkerdServer.of(chart, Mesh.linkerd(), ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', protocol }));
        server.authorizeGateway({ by: chart, consumers: 'us-west', clients: 'the clients of the gateway', scope: chart, name: 'payment-from-multicluster-gateway', namespace: 'shop', description: 'the gateway' });
        server.setZeroTrustRoutes([{ where: chart, routeName: 'payment-from-order', rules: ['payment-from-order'] }]);
        const targets = ofKind(Testing.synth(chart), 'AuthorizationPolicy').map(o => `${o.metadata.name} -> ${o.spec.targetRef.kind}/${o.spec.targetRef.name}`);
        expect(targets).toEqual([onServer ? 'payment-from-multicluster-gateway -> Server/payment-8080' : 'payment-from-order-from-multicluster-gateway -> HTTPRoute/payment-from-order']);
      });
  });

  describe('a gRPC Server with rules naming gRPC methods: its proxy applies GRPCRoutes, and the gateway\'s authorization follows them', () => {
    const SVC = 'shop.payment.v1.Payment';
    const grpcOnly = (payment: ServiceRef) => [
      { callers: [Identity.serviceAccount('order')], to: payment, grpcMethods: [GrpcMethodMatch.method(SVC, 'Charge')] },
      { callers: [Identity.serviceAccount('audit')], to: payment, grpcMethods: [GrpcMethodMatch.method(SVC, 'Status')] },
    ];
    test.each([['before', true], ['after', false]])('export created %s the ZeroTrustNamespace: the gateway is authorized on the GRPCRoutes of the rules, not on the Server', (_when, exportFirst) => {
      const { eu } = build(exportFirst, grpcOnly, false, ServiceProtocol.GRPC);
      expect(ofKind(eu, 'AuthorizationPolicy').filter(o => o.spec.requiredAuthenticationRefs[0].name === 'payment-from-multicluster-gateway').map(o => o.spec.targetRef)).toEqual([
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'payment-from-audit' },
        { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'payment-from-order' },
      ]);
      const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
      const allowed = (method: string, caller = GATEWAY) => m.check({ caller, service: 'shop/payment', method: 'POST', path: `/${SVC}/${method}` }).allowed;
      expect([allowed('Charge'), allowed('Status'), allowed('Refund')]).toEqual([true, true, false]);
      expect([allowed('Charge', 'shop/order'), allowed('Status', 'shop/order')]).toEqual([true, false]);
    });

    test.each([['gRPC', ServiceProtocol.GRPC, true], ['HTTP/2', ServiceProtocol.HTTP2, false], ['opaque', ServiceProtocol.TCP, false]] as const)(
      'defence in depth: GRPCRoutes recorded on a %s Server: the gateway follows them only where the proxy applies GRPCRoutes', (_name, protocol, follows) => {
        const chart = shopChart();
        const server = LinkerdServer.of(chart, Mesh.linkerd(), ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', protocol }));
        server.authorizeGateway({ by: chart, consumers: 'us-west', clients: 'the clients of the gateway', scope: chart, name: 'payment-from-multicluster-gateway', namespace: 'shop', description: 'the gateway' });
        server.setZeroTrustRoutes([{ where: chart, routeName: 'payment-from-order', rules: ['payment-from-order'], kind: 'GRPCRoute' }]);
        const targets = ofKind(Testing.synth(chart), 'AuthorizationPolicy').map(o => `${o.metadata.name} -> ${o.spec.targetRef.group} ${o.spec.targetRef.kind}/${o.spec.targetRef.name}`);
        expect(targets).toEqual([follows ? 'payment-from-order-from-multicluster-gateway -> gateway.networking.k8s.io GRPCRoute/payment-from-order' : 'payment-from-multicluster-gateway -> policy.linkerd.io Server/payment-8080']);
      });
  });

  test('the probe route (the kubelet\'s) is not the gateway\'s; a route a probe shares with a rule is', () => {
    const { eu } = build(false, scopedOnly, true);
    expect(one(eu, 'HTTPRoute', 'payment-probes').spec.rules[0].matches).toEqual([{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }]);
    // GET /pay/live is the probe's and order's: a route of its own, with both rules
    expect(one(eu, 'HTTPRoute', 'payment-shared-1').metadata.annotations['cdk8s-mesh.io/rules']).toBe('payment-from-order,payment-probes');
    expect(gatewayPolicies(eu)).toEqual([
      'payment-from-audit-from-multicluster-gateway -> HTTPRoute/payment-from-audit',
      'payment-from-order-from-multicluster-gateway -> HTTPRoute/payment-from-order',
      'payment-shared-1-from-multicluster-gateway -> HTTPRoute/payment-shared-1',
    ]);
    const m = ReachabilityMatrix.fromManifests(eu, { defaultNamespace: 'shop' });
    const allowed = (path: string) => m.check({ caller: GATEWAY, service: 'shop/payment', method: 'GET', path }).allowed;
    expect([allowed('/healthz'), allowed('/pay/live'), allowed('/pay')]).toEqual([false, true, true]);
  });
});

test('Linkerd gateway mode: when the export moves a workload\'s probes to another cluster, the zero trust\'s routes are written again and the gateway\'s policies follow them', () => {
  const app = new App({ outdir: Testing.app().outdir });
  const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
  const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  // a workload of us-west whose pods payment's selector also selects: its probe is read until the export says it is us-west's
  new kplus.Deployment(usWest, 'payment-us', {
    metadata: { name: 'payment' },
    podMetadata: { labels: { app: 'payment' } },
    containers: [{ image: 'payment:1', portNumber: 8080, securityContext: { ensureNonRoot: false }, liveness: kplus.Probe.fromHttpGet('/pay/live', { port: 8080 }) }],
  });
  const svc = new kplus.Service(euWest, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(euWest, 'pods', { labels: { app: 'payment' } }) });
  const payment = ServiceRef.fromService(svc, { protocol: ServiceProtocol.HTTP });
  const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY });
  new ZeroTrustNamespace(euWest, 'zt', { mesh, mtls: MtlsPhase.STRICT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment, methods: [HttpMethod.GET], paths: [PathMatch.prefix('/pay')] }] });
  // the export renders before it assigns the charts: the gateway's policies are first written on these routes
  expect(ofKind(Testing.synth(euWest), 'HTTPRoute').map(o => o.metadata.name)).toContain('payment-shared-1');
  new MultiClusterExport(app, 'mc', {
    mesh,
    failover: false,
    clusters: [
      { name: 'us-west', network: 'n1', region: 'us-west1', services: [], chart: usWest },
      { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest, gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
  });
  const eu = synthValidated(euWest);
  expect(ofKind(eu, 'HTTPRoute').map(o => o.metadata.name).sort()).toEqual(['payment-default', 'payment-from-order', 'proxy-metrics', 'proxy-probes']);
  expect(ofKind(eu, 'AuthorizationPolicy').filter(o => o.metadata.name.endsWith('multicluster-gateway')).map(o => `${o.metadata.name} -> ${o.spec.targetRef.kind}/${o.spec.targetRef.name}`))
    .toEqual(['payment-from-order-from-multicluster-gateway -> HTTPRoute/payment-from-order']);
});

describe('Linkerd gateway mode and a per-caller rate limit: every client of the gateway is the gateway\'s identity, one bucket', () => {
  const WARNING = 'HTTPLocalRateLimitPolicy shop/payment: the service is exported to us-west through the Linkerd multicluster gateway, where every meshed client that can reach the multicluster gateway of eu-west (the Links of us-west mirror payment) arrives with the gateway\'s identity '
    + '(linkerd-gateway.linkerd-multicluster): rateLimit.perCallerRequestsPerSecond (10) is then one limit for all of them together, not 10 per caller; '
    + 'give the gateway its own limit, what its clients may send together: rateLimit.overrides: [{ serviceAccounts: [\'linkerd-multicluster/linkerd-gateway\'], requestsPerSecond: <at most 100> }] '
    + '(or use linkerdRemoteDiscovery on a flat network, where callers keep their identities)';
  function build(opts: { rateLimit: ConstructorParameters<typeof ResilientService>[2]['rateLimit']; exportFirst?: boolean; exported?: boolean; remoteDiscovery?: boolean }) {
    const app = new App({ outdir: Testing.app().outdir });
    const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const svc = new kplus.Service(euWest, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(euWest, 'pods', { labels: { app: 'payment' } }) });
    const payment = ServiceRef.fromService(svc, { protocol: ServiceProtocol.HTTP });
    const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY });
    let rs: ResilientService | undefined;
    const resilience = () => { rs = new ResilientService(euWest, 'resilience', { mesh, service: payment, rateLimit: opts.rateLimit }); };
    if (!opts.exportFirst) resilience();
    if (opts.exported !== false) {
      new MultiClusterExport(app, 'mc', {
        mesh,
        failover: false,
        linkerdRemoteDiscovery: opts.remoteDiscovery ?? false,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'us-west1', services: [], chart: usWest },
          { name: 'eu-west', network: 'n2', region: 'europe-west1', services: [payment], chart: euWest, gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
      });
    }
    if (opts.exportFirst) resilience();
    const eu = synthValidated(euWest);
    return { eu, warnings: rs!.warnings.filter(w => w.startsWith('HTTPLocalRateLimitPolicy')) };
  }

  test.each([['before', true], ['after', false]])('a per-caller limit without an override for the gateway (export created %s): warned, with the override to add', (_when, exportFirst) => {
    const { eu, warnings } = build({ rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10 }, exportFirst });
    expect(warnings).toEqual([WARNING]);
    expect(one(eu, 'HTTPLocalRateLimitPolicy', 'payment').spec.identity).toEqual({ requestsPerSecond: 10 });
  });

  test('not warned: with the override for the gateway (written as given), without a per-caller limit, with remote discovery, or not exported', () => {
    const withOverride = build({ rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10, overrides: [{ serviceAccounts: ['linkerd-multicluster/linkerd-gateway'], requestsPerSecond: 60 }] } });
    expect(withOverride.warnings).toEqual([]);
    expect(one(withOverride.eu, 'HTTPLocalRateLimitPolicy', 'payment').spec.overrides).toEqual([
      { requestsPerSecond: 60, clientRefs: [{ kind: 'ServiceAccount', name: 'linkerd-gateway', namespace: 'linkerd-multicluster' }] },
    ]);
    // an override for another service account, or the gateway's name in another namespace, is not the gateway's
    expect(build({ rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10, overrides: [{ serviceAccounts: ['shop/linkerd-gateway'], requestsPerSecond: 60 }] } }).warnings).toEqual([WARNING]);
    expect(build({ rateLimit: { requestsPerSecond: 100 } }).warnings).toEqual([]);
    expect(build({ rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10 }, remoteDiscovery: true }).warnings).toEqual([]);
    expect(build({ rateLimit: { requestsPerSecond: 100, perCallerRequestsPerSecond: 10 }, exported: false }).warnings).toEqual([]);
  });
});

test('Linkerd remote discovery: the named remote callers\' policy on the Server is warned of when the zero trust gives the port only rules with methods or paths', () => {
  const build = (allow?: (payment: ServiceRef) => ConstructorParameters<typeof ZeroTrustNamespace>[2]['allow']) => {
    const app = new App({ outdir: Testing.app().outdir });
    const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const euWest = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const svc = new kplus.Service(euWest, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(euWest, 'pods', { labels: { app: 'payment' } }) });
    const payment = ServiceRef.fromService(svc, { protocol: ServiceProtocol.HTTP });
    const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY });
    if (allow) new ZeroTrustNamespace(euWest, 'zt', { mesh, mtls: MtlsPhase.STRICT, allow: allow(payment) });
    const mc = new MultiClusterExport(app, 'mc', {
      mesh,
      failover: false,
      linkerdRemoteDiscovery: true,
      clusters: [
        { name: 'us-west', network: 'n', region: 'us-west1', services: [], chart: usWest },
        { name: 'eu-west', network: 'n', region: 'europe-west1', services: [payment], chart: euWest },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order', { namespace: 'shop' })] }],
    });
    const eu = synthValidated(euWest);
    expect(one(eu, 'AuthorizationPolicy', 'payment-from-remote-callers').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' });
    return mc.warnings.filter(w => w.startsWith('Server '));
  };
  const scoped = (payment: ServiceRef) => [{ callers: [Identity.serviceAccount('order')], to: payment, methods: [HttpMethod.POST], paths: [PathMatch.exact('/pay')] }];
  expect(build(scoped)).toEqual(['Server shop/payment-8080: AuthorizationPolicy payment-from-remote-callers lets the remote callers order.shop.serviceaccount.identity.linkerd.cluster.local (of us-west) '
    + 'send every path and method (a policy on a Server applies to each of its routes), while the ZeroTrustNamespace\'s rules of the port allow only: payment-from-order (shop/order): POST exact /pay. '
    + 'To keep them to those rules, leave exports[].callers out and name them in these rules (with one trust domain their identities are the same)']);
  // a rule for every request, or no zero trust: the Server-wide policy is no wider than what the app allows a caller there
  expect(build(payment => [...scoped(payment), { callers: [Identity.serviceAccount('web')], to: payment }])).toEqual([]);
  expect(build()).toEqual([]);
});
