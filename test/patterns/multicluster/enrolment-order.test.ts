import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import { LinkerdInboundPolicy, Mesh, MtlsPhase, MultiClusterExport, ResilientService, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { captureStderr, ofKind, synthValidated } from '../../util';

const stderr = captureStderr();

/**
 * The reviewer's app: two charts of namespace shop (us-west, eu-west), each with a Deployment and a Service
 * payment and a ResilientService, and a MultiClusterExport that makes the two charts two clusters; the
 * ResilientServices created before the export (`patternsFirst`) or after it.
 */
function build(mesh: () => Mesh, patternsFirst: boolean, extra: { zeroTrustFirst?: boolean } = {}) {
  const app = new App({ outdir: Testing.app().outdir });
  const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
  const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const m = mesh();
  const service = (c: Chart) => {
    new kplus.Deployment(c, 'payment-workload', {
      metadata: { name: 'payment' },
      podMetadata: { labels: { app: 'payment' } },
      containers: [{ image: 'payment:1', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    });
    return ServiceRef.fromService(new kplus.Service(c, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(c, 'pods', { labels: { app: 'payment' } }),
    }));
  };
  const zeroTrustOnly = extra.zeroTrustFirst !== undefined;
  // with a ZeroTrustNamespace: eu-west's own Namespace object, created first (the one the app search finds)
  if (zeroTrustOnly) new kplus.Namespace(eu, 'shop-namespace', { metadata: { name: 'shop' } });
  const pe = service(eu);
  const pu = service(us);
  const patterns = () => {
    new ResilientService(eu, 'r', { mesh: m, service: pe, timeout: Duration.seconds(2) });
    new ResilientService(us, 'r', { mesh: m, service: pu, timeout: Duration.seconds(2) });
  };
  // a ZeroTrustNamespace in one chart (us-west)
  const zeroTrust = () => new ZeroTrustNamespace(us, 'zero-trust', { mesh: m, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
  const first = zeroTrustOnly ? (extra.zeroTrustFirst ? zeroTrust : undefined) : (patternsFirst ? patterns : undefined);
  const then = zeroTrustOnly ? (extra.zeroTrustFirst ? undefined : zeroTrust) : (patternsFirst ? undefined : patterns);
  first?.();
  new MultiClusterExport(app, 'mc', {
    mesh: m,
    failover: false,
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: [pu], chart: us, gatewayAddress: 'gw.us-west.example.com' },
      { name: 'eu-west', network: 'n2', region: 'r2', services: [pe], chart: eu, gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: pe, cluster: 'eu-west', consumers: ['us-west'] }],
  });
  then?.();
  return { us, eu };
}

/**
 * Each cluster's YAML, its objects in a stable order (the patterns and the export write their routing objects in
 * the order they are created), after where each Namespace object is in the chart's own order (first, where the
 * library enrolls it).
 */
function docs(chart: Chart): string {
  const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const objects = synthValidated(chart);
  const namespaces = objects.map((o, i) => (o.kind === 'Namespace' ? `# ${i}: Namespace ${o.metadata.name}\n` : '')).join('');
  return namespaces + [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)).map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');
}

const NAMESPACE_MESHES = [
  ['istio (sidecar)', () => Mesh.istio(), (ns: any) => ns.metadata.labels?.['istio-injection'] === 'enabled'],
  ['istio (revision)', () => Mesh.istio({ revision: 'canary' }), (ns: any) => ns.metadata.labels?.['istio.io/rev'] === 'canary'],
  ['linkerd', () => Mesh.linkerd(), (ns: any) => ns.metadata.annotations?.['linkerd.io/inject'] === 'enabled'],
] as const;

describe('a MultiClusterExport of two charts of one namespace: each cluster enrols its workloads, whatever the creation order', () => {
  test.each(NAMESPACE_MESHES)('%s: each cluster has its own enrolled Namespace, and both orders write the same YAML', (_name, mesh, enrolled) => {
    const outputs = [true, false].map(patternsFirst => {
      const { us, eu } = build(mesh, patternsFirst);
      for (const chart of [us, eu]) {
        const ns = ofKind(synthValidated(chart), 'Namespace', 'shop');
        expect(ns).toHaveLength(1);
        expect(enrolled(ns[0])).toBe(true);
      }
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });

  test('consul: each cluster enrols its own Deployment (pod template annotation), and both orders write the same YAML', () => {
    const outputs = [true, false].map(patternsFirst => {
      const { us, eu } = build(() => Mesh.consul(), patternsFirst);
      for (const chart of [us, eu]) {
        const deployment = ofKind(synthValidated(chart), 'Deployment', 'payment');
        expect(deployment).toHaveLength(1);
        expect(deployment[0].spec.template.metadata.annotations?.['consul.hashicorp.com/connect-inject']).toBe('true');
      }
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });

  test.each([
    ['istio (sidecar)', () => Mesh.istio(), (ns: any) => ns.metadata.labels?.['istio-injection'] === 'enabled'],
    ['linkerd', () => Mesh.linkerd(), (ns: any) => ns.metadata.annotations?.['linkerd.io/inject'] === 'enabled'],
  ] as const)('%s: a ZeroTrustNamespace of one chart created before the export writes to its own cluster\'s Namespace', (name, mesh, enrolled) => {
    const before = build(mesh, false, { zeroTrustFirst: true });
    const after = build(mesh, false, { zeroTrustFirst: false });
    for (const { us, eu } of [before, after]) {
      for (const chart of [us, eu]) {
        const ns = ofKind(synthValidated(chart), 'Namespace', 'shop');
        expect(ns).toHaveLength(1);
        expect(enrolled(ns[0])).toBe(true);
      }
      if (name === 'linkerd') {
        const policy = (c: Chart) => ofKind(synthValidated(c), 'Namespace', 'shop')[0].metadata.annotations?.['config.linkerd.io/default-inbound-policy'];
        // the default deny is us-west's: eu-west has no ZeroTrustNamespace
        expect(policy(us)).toBe('deny');
        expect(policy(eu)).toBeUndefined();
      }
    }
    expect(docs(before.us)).toBe(docs(after.us));
    expect(docs(before.eu)).toBe(docs(after.eu));
  });
});

describe('a Namespace object of a chart that becomes another cluster\'s', () => {
  test('loses the enrolment a pattern of this cluster wrote on it; this cluster warns instead, whatever the creation order', () => {
    const outputs = [true, false].map(patternsFirst => {
      stderr().mockClear();
      const app = new App({ outdir: Testing.app().outdir });
      const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
      const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
      // eu-west's Namespace tools (no pattern of tools there; after another object, where its maker put it);
      // us-west's pattern of a service of tools
      new kplus.ConfigMap(eu, 'settings', { metadata: { name: 'settings' } });
      new kplus.Namespace(eu, 'tools', { metadata: { name: 'tools' } });
      const mesh = Mesh.istio();
      const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
      const pattern = () => new ResilientService(us, 'audit', { mesh, service: ServiceRef.fromName('audit', { port: 8080, namespace: 'tools' }), timeout: Duration.seconds(2) });
      if (patternsFirst) pattern();
      new MultiClusterExport(app, 'mc', {
        mesh,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [payment], chart: us },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu },
        ],
        exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      if (!patternsFirst) pattern();
      const tools = ofKind(synthValidated(eu), 'Namespace', 'tools');
      expect(tools).toHaveLength(1);
      expect(tools[0].metadata.labels?.['istio-injection']).toBeUndefined();
      expect(ofKind(synthValidated(us), 'Namespace', 'tools')).toEqual([]);
      expect(stderr().mock.calls.join('')).toMatch(/namespace tools is not this chart's namespace \(shop\) and no Namespace object of it is in/);
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });
});

describe('linkerd: a ZeroTrustNamespace moved to a cluster whose Namespace object sets another default policy', () => {
  const refusal = (zeroTrustFirst: boolean) => {
    const app = new App({ outdir: Testing.app().outdir });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    new kplus.Namespace(eu, 'shop-namespace', { metadata: { name: 'shop' } });
    new kplus.Namespace(us, 'shop-namespace', { metadata: { name: 'shop', annotations: { 'config.linkerd.io/default-inbound-policy': 'all-authenticated' } } });
    const mesh = Mesh.linkerd();
    const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
    }));
    const zeroTrust = () => new ZeroTrustNamespace(us, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
    const make = () => {
      if (zeroTrustFirst) zeroTrust();
      new MultiClusterExport(app, 'mc', {
        mesh,
        failover: false,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      if (!zeroTrustFirst) zeroTrust();
    };
    let message = '';
    try {
      make();
    } catch (e) {
      expect(e).not.toBeInstanceOf(TypeError);
      message = (e as Error).message;
    }
    return message;
  };

  test('is refused in both orders, with the same message naming the pattern and the Namespace object', () => {
    const [before, after] = [true, false].map(refusal);
    expect(before).toBe('[us-west/zero-trust] mtls: got a default inbound policy deny for namespace shop, but its Namespace object [us-west/shop-namespace] already has all-authenticated (set on the object by its maker); use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
    expect(after).toBe(before);
  });
});

describe('consul: the workloads of a chart that becomes another cluster\'s', () => {
  /**
   * us-west runs a ResilientService for payment (its Service, no Deployment) and one for audit of namespace
   * tools; eu-west runs payment's Deployment and a Deployment of namespace tools with no pattern of its own.
   */
  function consulApp(patternsFirst: boolean) {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.consul();
    const svc = (c: Chart) => ServiceRef.fromService(new kplus.Service(c, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(c, 'pods', { labels: { app: 'payment' } }),
    }));
    for (const [id, namespace] of [['payment-workload', 'shop'], ['audit-workload', 'tools']]) {
      new kplus.Deployment(eu, id, {
        metadata: { name: id.split('-')[0], namespace },
        podMetadata: { labels: { app: id.split('-')[0] } },
        containers: [{ image: 'app:1', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
      });
    }
    const pe = svc(eu);
    const pu = svc(us);
    const patterns = () => {
      new ResilientService(us, 'r', { mesh, service: pu, timeout: Duration.seconds(2) });
      new ResilientService(us, 'audit', { mesh, service: ServiceRef.fromName('audit', { port: 8080, namespace: 'tools', selector: { app: 'audit' } }), timeout: Duration.seconds(2) });
    };
    if (patternsFirst) patterns();
    new MultiClusterExport(app, 'mc', {
      mesh,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [pu], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [pe], chart: eu },
      ],
      exports: [{ service: pe, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (!patternsFirst) patterns();
    return { us, eu };
  }

  test('are not enrolled for this cluster (nor counted), whatever the creation order', () => {
    const outputs = [true, false].map(patternsFirst => {
      stderr().mockClear();
      const { us, eu } = consulApp(patternsFirst);
      const euOut = synthValidated(eu);
      // payment runs in eu-west: enrolled by eu-west's enrolment (the export's)
      const payment = ofKind(euOut, 'Deployment', 'payment')[0].spec.template;
      expect(payment.metadata.annotations?.['consul.hashicorp.com/connect-inject']).toBe('true');
      expect(payment.spec.automountServiceAccountToken).toBe(true);
      // audit of namespace tools runs in eu-west, whose output has no pattern of tools: not enrolled by us-west's
      const audit = ofKind(euOut, 'Deployment', 'audit')[0].spec.template;
      expect(audit.metadata.annotations?.['consul.hashicorp.com/connect-inject']).toBeUndefined();
      expect(audit.spec.automountServiceAccountToken).toBe(false);
      // us-west has no workload of shop nor tools: said, not hidden by eu-west's
      const warnings = stderr().mock.calls.join('');
      expect(warnings).toMatch(/no Deployment, StatefulSet or DaemonSet of namespace shop is in (this app|the charts of this cluster)/);
      expect(warnings).toMatch(/no Deployment, StatefulSet or DaemonSet of namespace tools is in (this app|the charts of this cluster)/);
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });
});

describe('an app of two charts of one namespace without a MultiClusterExport is one cluster', () => {
  test('one Namespace object, in the first chart, enrolls both charts\' workloads', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const a = new Chart(app, 'a', { namespace: 'shop', disableResourceNameHashes: true });
    const b = new Chart(app, 'b', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.istio();
    new ResilientService(a, 'r', { mesh, service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(2) });
    new ResilientService(b, 'r', { mesh, service: ServiceRef.fromName('order', { port: 8080 }), timeout: Duration.seconds(2) });
    expect(ofKind(Testing.synth(a), 'Namespace').map(n => n.metadata.labels['istio-injection'])).toEqual(['enabled']);
    expect(ofKind(Testing.synth(b), 'Namespace')).toEqual([]);
    expect(stderr().mock.calls.join('')).not.toMatch(/not enrolled/);
  });
});

describe('a user\'s Namespace object in a third cluster that nothing enrols', () => {
  // cluster a has the user's Namespace object (no label) and no pattern; b and c each have a ResilientService; both
  // b's and c's enrolments first adopt a's object (one cluster before the export), then move to their own clusters
  const namespaces = (exportFirst: boolean) => {
    const app = new App({ outdir: Testing.app().outdir });
    const [a, b, c] = ['a', 'b', 'c'].map(id => new Chart(app, id, { namespace: 'shop', disableResourceNameHashes: true }));
    new kplus.Namespace(a, 'ns', { metadata: { name: 'shop' } });
    const ref = (ch: Chart) => ServiceRef.fromService(new kplus.Service(ch, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(ch, 'pods', { labels: { app: 'payment' } }),
    }));
    const [pb, pc] = [ref(b), ref(c)];
    const mesh = Mesh.istio();
    const patterns = () => [[b, pb], [c, pc]].forEach(([ch, p]) => new ResilientService(ch as Chart, 'r', { mesh, service: p as ServiceRef, timeout: Duration.seconds(2) }));
    if (!exportFirst) patterns();
    new MultiClusterExport(app, 'mc', {
      mesh,
      clusters: [
        { name: 'ca', network: 'n1', region: 'r1', services: [], chart: a },
        { name: 'cb', network: 'n2', region: 'r2', services: [pb], chart: b },
        { name: 'cc', network: 'n3', region: 'r3', services: [pc], chart: c },
      ],
      exports: [{ service: pb, cluster: 'cb', consumers: ['cc'] }],
    });
    if (exportFirst) patterns();
    return [a, b, c].map(ch => ofKind(Testing.synth(ch), 'Namespace').map(o => o.metadata.labels ?? {}));
  };

  test('keeps no enrolment label in either order (the second adopter does not take the first one\'s label for the user\'s)', () => {
    for (const exportFirst of [true, false]) {
      const [a, b, c] = namespaces(exportFirst);
      expect(a).toEqual([{}]);
      expect(b).toEqual([expect.objectContaining({ 'istio-injection': 'enabled' })]);
      expect(c).toEqual([expect.objectContaining({ 'istio-injection': 'enabled' })]);
    }
  });
});

describe('linkerd: two ZeroTrustNamespaces of one namespace with different mtls phases', () => {
  /**
   * us-west's ZeroTrustNamespace of shop is STRICT (default deny), eu-west's PERMISSIVE (audit); with `third`, a
   * third chart that no cluster is assigned (so it writes into every cluster: src/private/clusters.ts) has the
   * PERMISSIVE one instead of eu-west. Created before the export (`zeroTrustFirst`) or after it.
   */
  function phases(zeroTrustFirst: boolean, third = false) {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const shared = third ? new Chart(app, 'shared', { namespace: 'shop', disableResourceNameHashes: true }) : undefined;
    const mesh = Mesh.linkerd();
    const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
      metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
    }));
    const zeroTrust = () => {
      new ZeroTrustNamespace(us, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
      new ZeroTrustNamespace(shared ?? eu, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.PERMISSIVE, allow: [] });
    };
    if (zeroTrustFirst) zeroTrust();
    new MultiClusterExport(app, 'mc', {
      mesh,
      failover: false,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
    });
    if (!zeroTrustFirst) zeroTrust();
    return { app, us, eu };
  }
  const policy = (c: Chart) => ofKind(synthValidated(c), 'Namespace', 'shop').map(n => n.metadata.annotations?.['config.linkerd.io/default-inbound-policy']);

  test('in charts of two clusters: each cluster\'s Namespace object has its own default, and both orders write the same YAML', () => {
    const outputs = [true, false].map(zeroTrustFirst => {
      const { us, eu } = phases(zeroTrustFirst);
      expect(policy(us)).toEqual(['deny']);
      expect(policy(eu)).toEqual(['audit']);
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });

  test('in charts of two clusters: the Servers other patterns write in each cluster take that cluster\'s default, in both orders', () => {
    for (const zeroTrustFirst of [true, false]) {
      const { us, eu } = phases(zeroTrustFirst);
      // a rate limit of a service of each cluster, created last (after both ZeroTrustNamespaces): its Server's accessPolicy
      // is the namespace's default where the Server is, not the last one the app declared
      for (const c of [us, eu]) {
        new ResilientService(c, 'limited', { mesh: Mesh.linkerd(), service: ServiceRef.fromName('limited', { port: 8080, selector: { app: 'limited' } }), timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } });
      }
      const accessPolicy = (c: Chart) => ofKind(synthValidated(c), 'Server', 'limited-8080').map(o => o.spec.accessPolicy);
      expect(accessPolicy(us)).toEqual(['deny']);
      expect(accessPolicy(eu)).toEqual(['audit']);
    }
  });

  test('a Server in a cluster without a ZeroTrustNamespace of the namespace does not take another cluster\'s default', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED });
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
    new ZeroTrustNamespace(us, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
    // eu-west's Server of payment (the export's): the mesh's declared default, as eu-west's shop declares none
    expect(ofKind(synthValidated(eu), 'Server', 'payment-8080').map(o => o.spec.accessPolicy)).toEqual(['all-authenticated']);
  });

  test('in charts of one cluster (a chart that no cluster is assigned): refused at synthesis in both orders, with the same message naming both', () => {
    const messages = [true, false].map(zeroTrustFirst => {
      const { app } = phases(zeroTrustFirst, true);
      let message = '';
      try {
        app.synth();
      } catch (e) {
        message = (e as Error).message;
      }
      return message;
    });
    expect(messages[0]).toContain('[shared/zero-trust] mtls: got a default inbound policy audit for namespace shop, but its Namespace object [us-west/MeshNamespace-shop/Namespace] already has deny (set by [us-west/zero-trust]); use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
    expect(messages[1]).toBe(messages[0]);
  });

  test('in one chart of a cluster: refused at construction in both orders, with the same message naming both', () => {
    const messages = [true, false].map(zeroTrustFirst => {
      const { us } = phases(zeroTrustFirst);
      let message = '';
      try {
        new ZeroTrustNamespace(us, 'zero-trust-2', { mesh: Mesh.linkerd(), namespace: 'shop', mtls: MtlsPhase.PERMISSIVE, allow: [] });
      } catch (e) {
        message = (e as Error).message;
      }
      return message;
    });
    expect(messages[0]).toBe('[us-west/zero-trust-2] mtls: got a default inbound policy audit for namespace shop, but its Namespace object [us-west/MeshNamespace-shop/Namespace] already has deny (set by [us-west/zero-trust]); use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
    expect(messages[1]).toBe(messages[0]);
  });
});

describe('linkerd: a ZeroTrustNamespace that leaves the Namespace object of a chart that becomes another cluster\'s', () => {
  test('leaves the default its maker wrote there, in both orders', () => {
    const outputs = [true, false].map(zeroTrustFirst => {
      const app = new App({ outdir: Testing.app().outdir });
      const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
      const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
      // eu-west's own Namespace object, with the default its maker chose (the one us-west's pattern finds first)
      new kplus.Namespace(eu, 'shop-namespace', { metadata: { name: 'shop', annotations: { 'config.linkerd.io/default-inbound-policy': 'deny' } } });
      const mesh = Mesh.linkerd();
      const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
        metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
      }));
      const zeroTrust = () => new ZeroTrustNamespace(us, 'zero-trust', { mesh, namespace: 'shop', mtls: MtlsPhase.STRICT, allow: [] });
      if (zeroTrustFirst) zeroTrust();
      new MultiClusterExport(app, 'mc', {
        mesh,
        failover: false,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      if (!zeroTrustFirst) zeroTrust();
      const annotations = (c: Chart) => ofKind(synthValidated(c), 'Namespace', 'shop').map(n => n.metadata.annotations?.['config.linkerd.io/default-inbound-policy']);
      expect(annotations(eu)).toEqual(['deny']);
      expect(annotations(us)).toEqual(['deny']);
      return { us: docs(us), eu: docs(eu) };
    });
    expect(outputs[0].us).toBe(outputs[1].us);
    expect(outputs[0].eu).toBe(outputs[1].eu);
  });
});

describe('consul: a service of a pattern whose pods only a workload of another cluster\'s chart could run', () => {
  /**
   * us-west has a ResilientService of payment (selector app: payment) and no workload; eu-west a Deployment of
   * shop that runs other pods (app: other). With `oneCluster`, no MultiClusterExport: the two charts are one cluster.
   */
  function warnings(patternsFirst: boolean, oneCluster = false): string[] {
    stderr().mockClear();
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    new kplus.Deployment(eu, 'other', {
      metadata: { name: 'other' },
      podMetadata: { labels: { app: 'other' } },
      containers: [{ image: 'other:1', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    });
    const mesh = Mesh.consul();
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop', selector: { app: 'payment' } });
    const pattern = () => new ResilientService(us, 'r', { mesh, service: payment, timeout: Duration.seconds(2) });
    if (patternsFirst) pattern();
    if (!oneCluster) {
      new MultiClusterExport(app, 'mc', {
        mesh,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [payment], chart: us },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [], chart: eu },
        ],
        exports: [{ service: payment, cluster: 'us-west', consumers: ['eu-west'] }],
      });
    }
    if (!patternsFirst) pattern();
    app.synth();
    // the warnings, without the construct that printed them: the enrolment's warnings are printed by the first
    // construct that asked for it (the pattern, or the export when it is created first)
    return stderr().mock.calls.join('').split('\n').filter(l => l).map(l => l.replace(/^\[cdk8s-mesh\] warning: \[[^\]]*\] /, '')).sort();
  }

  test('in two clusters: only the namespace\'s warning (no workload of shop in us-west), the same in both orders', () => {
    const [before, after] = [true, false].map(patternsFirst => warnings(patternsFirst));
    expect(before.join('\n')).toMatch(/no Deployment, StatefulSet or DaemonSet of namespace shop is in the charts of this cluster/);
    expect(before.join('\n')).not.toMatch(/runs the pods of service payment/);
    expect(after).toEqual(before);
  });

  test('in one cluster (no export): the service\'s warning (the Deployment of shop runs other pods), not the namespace\'s', () => {
    const lines = warnings(true, true).join('\n');
    expect(lines).toMatch(/no Deployment, StatefulSet or DaemonSet of this cluster runs the pods of service payment/);
    expect(lines).not.toMatch(/of namespace shop is in/);
  });
});

describe('a chart that two MultiClusterExports assign', () => {
  function twoExports(second: { name: string; sameExport?: boolean }) {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
    const ap = new Chart(app, 'ap-south', { namespace: 'shop', disableResourceNameHashes: true });
    const mesh = Mesh.istio();
    const payment = ServiceRef.fromName('payment', { port: 8080 });
    new MultiClusterExport(app, 'mc1', {
      mesh,
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [payment], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [], chart: eu },
      ],
      exports: [{ service: payment, cluster: 'us-west', consumers: ['eu-west'] }],
    });
    return () => new MultiClusterExport(app, 'mc2', {
      mesh,
      clusters: [
        { name: second.name, network: 'n1', region: 'r1', services: [payment], chart: us },
        { name: 'ap-south', network: 'n3', region: 'r3', services: [], chart: ap },
      ],
      exports: [{ service: payment, cluster: second.name, consumers: ['ap-south'] }],
    });
  }

  test('to another cluster: refused, naming both exports, the chart and both clusters', () => {
    expect(twoExports({ name: 'us-east' })).toThrow('[mc2] clusters[0].chart: got "[us-west]": the MultiClusterExport [mc1] already assigns this chart to cluster us-west, and a chart is the output of one cluster, '
      + 'so us-east\'s objects would be written into us-west\'s output; name the cluster us-west here too if it is the same cluster, else give us-east its own chart');
  });

  test('to the same cluster: accepted', () => {
    expect(twoExports({ name: 'us-west' })).not.toThrow();
  });

  test('one export that gives one chart to two clusters: refused, naming both', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
    const payment = ServiceRef.fromName('payment', { port: 8080 });
    expect(() => new MultiClusterExport(app, 'mc', {
      mesh: Mesh.istio(),
      clusters: [
        { name: 'us-west', network: 'n1', region: 'r1', services: [payment], chart: us },
        { name: 'eu-west', network: 'n2', region: 'r2', services: [], chart: us },
      ],
      exports: [{ service: payment, cluster: 'us-west', consumers: ['eu-west'] }],
    })).toThrow('[mc] clusters[1].chart: got "[us-west]": clusters[0] (us-west) already writes into this chart, and a chart is the output of one cluster; give each cluster its own chart, or leave chart out for one of them (a chart named after the cluster is created)');
  });
});
