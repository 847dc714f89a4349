import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { LinkerdInboundPolicy, Mesh, MeshAnalyzer, MtlsPhase, MultiClusterExport, ResilientService, ServiceProtocol, ServiceRef, UnsupportedSettings, ZeroTrustNamespace } from '../../../src';
import { captureStderr, failureOf, ofKind, shopChart, synthValidated } from '../../util';

captureStderr();

const DEFAULT_POLICY = 'config.linkerd.io/default-inbound-policy';

/** A rate limit of service `limited` (Linkerd writes a Server limited-8080 for it) in `chart`. */
function rateLimited(chart: Chart, mesh: Mesh): ResilientService {
  return new ResilientService(chart, 'limited', {
    mesh,
    service: ServiceRef.fromName('limited', { port: 8080, selector: { app: 'limited' } }),
    timeout: Duration.seconds(2),
    rateLimit: { requestsPerSecond: 100 },
  });
}

const accessPolicy = (chart: Chart, name = 'limited-8080') => ofKind(synthValidated(chart), 'Server', name).map(o => o.spec.accessPolicy);

/** The error of synthesizing `app` ('' if none). */
function synthError(app: App): string {
  try {
    app.synth();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

/**
 * Two charts of namespace shop that a MultiClusterExport makes clusters us-west and eu-west, each with a
 * ZeroTrustNamespace of shop (us-west STRICT: deny; eu-west `euPhase`), and a third chart `shared` that no export
 * assigns (written into every cluster: src/private/clusters.ts) with a rate-limited service. The ZeroTrustNamespaces
 * are created us-west's first or eu-west's first, before or after the export.
 */
function sharedServer(euPhase: MtlsPhase, usFirst: boolean, exportFirst: boolean, withShared = true) {
  const app = new App({ outdir: Testing.app().outdir });
  const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
  const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const shared = withShared ? new Chart(app, 'shared', { namespace: 'shop', disableResourceNameHashes: true }) : undefined;
  const mesh = Mesh.linkerd();
  const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
    metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
  }));
  const exportIt = () => new MultiClusterExport(app, 'mc', {
    mesh,
    failover: false,
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
      { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
  });
  const zeroTrust = [
    () => new ZeroTrustNamespace(us, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] }),
    () => new ZeroTrustNamespace(eu, 'zero-trust', { mesh, namespace: 'shop', mtls: euPhase, allow: [] }),
  ];
  if (exportFirst) exportIt();
  for (const make of usFirst ? zeroTrust : [...zeroTrust].reverse()) make();
  if (!exportFirst) exportIt();
  if (shared) rateLimited(shared, mesh);
  return { app, us, eu, shared: shared! };
}

const ORDERS = [[true, true], [true, false], [false, true], [false, false]] as const;

describe('linkerd: the Server of a chart that no MultiClusterExport assigns (written into every cluster)', () => {
  test('when the clusters\' ZeroTrustNamespaces declare the same default, takes it, in every creation order', () => {
    for (const [usFirst, exportFirst] of ORDERS) {
      const { shared } = sharedServer(MtlsPhase.STRICT, usFirst, exportFirst);
      expect(accessPolicy(shared)).toEqual(['deny']);
    }
  });

  test('when they declare different defaults (deny in us-west, audit in eu-west), is refused at synthesis with the same message in every creation order', () => {
    const messages = ORDERS.map(([usFirst, exportFirst]) => synthError(sharedServer(MtlsPhase.PERMISSIVE, usFirst, exportFirst).app));
    expect(messages[0]).toContain('[shared/LinkerdServer-shop-limited-8080] accessPolicy: Server limited-8080 of namespace shop is in chart [shared], which no MultiClusterExport assigns to a cluster, so it is written into every cluster, '
      + 'but the namespace\'s default inbound policy is audit in cluster eu-west (set by [eu-west/zero-trust]) and deny in cluster us-west (set by [us-west/zero-trust]): ');
    expect(messages[0]).toContain('create the pattern that needs the Server in each cluster\'s chart (each Server takes its cluster\'s default), or give the namespace the same default in every cluster (the same mtls phase)');
    for (const m of messages.slice(1)) expect(m).toBe(messages[0]);
  });

  test('a user\'s annotation on one cluster\'s Namespace object that differs from the other cluster\'s ZeroTrustNamespace is refused too', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const shared = new Chart(app, 'shared', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.linkerd();
    new kplus.Namespace(us, 'shop-namespace', { metadata: { name: 'shop', annotations: { [DEFAULT_POLICY]: 'all-authenticated' } } });
    const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
    }));
    new MultiClusterExport(app, 'mc', {
      mesh,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    new ZeroTrustNamespace(eu, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
    rateLimited(shared, mesh);
    expect(synthError(app)).toContain('but the namespace\'s default inbound policy is deny in cluster eu-west (set by [eu-west/zero-trust]) and all-authenticated in cluster us-west (set on the Namespace [us-west/shop-namespace] by its maker)');
  });

  test('a Server of an assigned chart is not refused: each cluster\'s Server takes its own cluster\'s default', () => {
    for (const [usFirst, exportFirst] of ORDERS) {
      const { app, us, eu } = sharedServer(MtlsPhase.PERMISSIVE, usFirst, exportFirst, false);
      rateLimited(us, Mesh.linkerd());
      rateLimited(eu, Mesh.linkerd());
      expect(synthError(app)).toBe('');
      expect(accessPolicy(us)).toEqual(['deny']);
      expect(accessPolicy(eu)).toEqual(['audit']);
    }
  });
});

describe('linkerd: the user\'s config.linkerd.io/default-inbound-policy on the app\'s Namespace object', () => {
  function single(annotation: string | undefined, mesh = Mesh.linkerd()) {
    const chart = shopChart();
    new kplus.Namespace(chart, 'shop-namespace', { metadata: { name: 'shop', annotations: annotation ? { [DEFAULT_POLICY]: annotation } : undefined } });
    const rs = rateLimited(chart, mesh);
    const out = synthValidated(chart);
    return { out, rs, policy: ofKind(out, 'Server', 'limited-8080').map(o => o.spec.accessPolicy) };
  }

  test('deny: the rate limit\'s Server is deny, without the undeclared-default warning, and the analyzer finds no L121 in the output', () => {
    const { out, rs, policy } = single('deny');
    expect(policy).toEqual(['deny']);
    expect(rs.warnings).toEqual([]);
    expect(MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121')).toEqual([]);
  });

  test('the namespace\'s value is taken over the mesh\'s declared (cluster) default, as Linkerd does', () => {
    expect(single('all-authenticated', Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.DENY })).policy).toEqual(['all-authenticated']);
  });

  test('no annotation: unchanged (the mesh\'s default, with the warning)', () => {
    const { rs, policy } = single(undefined);
    expect(policy).toEqual(['all-unauthenticated']);
    expect(rs.warnings).toEqual([expect.stringContaining('as the app declares no default for namespace shop (neither a ZeroTrustNamespace nor config.linkerd.io/default-inbound-policy on its Namespace object), and Mesh.linkerd was given none')]);
    expect(single(undefined, Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.CLUSTER_AUTHENTICATED })).policy).toEqual(['cluster-authenticated']);
  });

  /**
   * Two charts of shop that a MultiClusterExport makes us-west and eu-west (eu-west exports payment, so Linkerd
   * writes its Server payment-8080 there), each with its own Namespace object of shop, one of them annotated `deny`;
   * the Namespace objects created before or after the export.
   */
  function exported(annotated: 'us-west' | 'eu-west', namespacesFirst: boolean) {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.linkerd();
    const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
    }));
    const namespaces = () => {
      for (const c of [us, eu]) {
        new kplus.Namespace(c, 'shop-namespace', { metadata: { name: 'shop', annotations: c.node.id === annotated ? { [DEFAULT_POLICY]: 'deny' } : undefined } });
      }
    };
    if (namespacesFirst) namespaces();
    new MultiClusterExport(app, 'mc', {
      mesh,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (!namespacesFirst) namespaces();
    return { us, eu };
  }

  test('the MultiClusterExport\'s Server takes the annotation of its own cluster\'s Namespace object, in both orders', () => {
    for (const namespacesFirst of [true, false]) {
      const { eu } = exported('eu-west', namespacesFirst);
      const out = synthValidated(eu);
      expect(ofKind(out, 'Server', 'payment-8080').map(o => o.spec.accessPolicy)).toEqual(['deny']);
      expect(MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121')).toEqual([]);
    }
  });

  test('and not another cluster\'s, in both orders', () => {
    for (const namespacesFirst of [true, false]) {
      expect(accessPolicy(exported('us-west', namespacesFirst).eu, 'payment-8080')).toEqual(['all-unauthenticated']);
    }
  });
});

describe('a rate limit on a gRPC port: Linkerd applies none there (policy-controller/grpc/src/inbound.rs to_server sends a gRPC Server\'s proxy no local rate limit)', () => {
  const limited = (chart: Chart, protocol: ServiceProtocol, unsupportedSettings?: UnsupportedSettings) => new ResilientService(chart, 'limited', {
    mesh: Mesh.linkerd(),
    service: ServiceRef.fromName('limited', { port: 8080, selector: { app: 'limited' }, protocol }),
    timeout: Duration.seconds(2),
    rateLimit: { requestsPerSecond: 100 },
    ...(unsupportedSettings ? { unsupportedSettings } : {}),
  });

  test('refused by default; left out (no Server, no HTTPLocalRateLimitPolicy) with DROP_WITH_WARNING', () => {
    expect(failureOf(chart => limited(chart, ServiceProtocol.GRPC))).toContain('[test/limited] rateLimit: got "100/s": Linkerd cannot express this (service limited port 8080 is grpc, its Server\'s proxyProtocol gRPC, '
      + 'and Linkerd applies an HTTPLocalRateLimitPolicy only on HTTP/1, HTTP/2 and detected Servers (policy-controller/grpc/src/inbound.rs to_server sends a gRPC Server\'s proxy no local rate limit), so it would limit nothing); '
      + 'remove rateLimit for Linkerd, or declare the port as ServiceProtocol.HTTP2 (gRPC is HTTP/2; its Server is then HTTP/2, where the rate limit applies)');
    const chart = shopChart();
    const rs = limited(chart, ServiceProtocol.GRPC, UnsupportedSettings.DROP_WITH_WARNING);
    const out = synthValidated(chart);
    expect([ofKind(out, 'HTTPLocalRateLimitPolicy').length, ofKind(out, 'Server').length]).toEqual([0, 0]);
    expect(rs.warnings).toContainEqual(expect.stringContaining('rateLimit ("100/s") is not written: Linkerd cannot express it'));
  });

  test.each([['HTTP/2', ServiceProtocol.HTTP2], ['HTTP/1', ServiceProtocol.HTTP]] as const)('an %s port: written as before, on its Server', (proxyProtocol, protocol) => {
    const chart = shopChart();
    limited(chart, protocol);
    const out = synthValidated(chart);
    expect(ofKind(out, 'Server', 'limited-8080').map(o => o.spec.proxyProtocol)).toEqual([proxyProtocol]);
    expect(ofKind(out, 'HTTPLocalRateLimitPolicy', 'limited').map(o => o.spec.targetRef.name)).toEqual(['limited-8080']);
  });
});
