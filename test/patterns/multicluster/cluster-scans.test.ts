import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  EgressPolicy, EgressProtocol, HttpMethod, Identity, IngressGateway, IstioDataPlane, Mesh, MultiClusterExport, PathMatch, ReachabilityMatrix,
  ResilientService, ServiceProtocol, ServiceRef, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, ofKind, one, synthValidated } from '../../util';

captureStderr();

/** What building (and synthesizing each chart of) an app throws, or '' if nothing. */
function failure(make: () => Chart[]): string {
  try {
    for (const c of make()) synthValidated(c);
  } catch (e) {
    expect(e).not.toBeInstanceOf(TypeError);
    return (e as Error).message;
  }
  return '';
}

/**
 * Two charts of namespace shop (us-west, eu-west), each with a Service payment (and, with `workloads`, its
 * Deployment), that a MultiClusterExport makes two clusters; `patterns` are created before the export
 * (`patternsFirst`) or after it. What a pattern of one cluster reads of the app must be of its own cluster:
 * the other cluster's objects are never applied where the pattern's output is.
 */
function twoClusters(mesh: Mesh, patternsFirst: boolean, patterns: (c: { us: Chart; eu: Chart; pu: ServiceRef; pe: ServiceRef }) => void) {
  const app = new App({ outdir: Testing.app().outdir });
  const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
  const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const service = (c: Chart) => ServiceRef.fromService(new kplus.Service(c, 'payment', {
    metadata: { name: 'payment' }, ports: [{ port: 80, targetPort: 8080 }], selector: kplus.Pods.select(c, 'pods', { labels: { app: 'payment' } }),
  }));
  const pe = service(eu);
  const pu = service(us);
  if (patternsFirst) patterns({ us, eu, pu, pe });
  new MultiClusterExport(app, 'mc', {
    mesh,
    failover: false,
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: [pu], chart: us, gatewayAddress: 'gw.us-west.example.com' },
      { name: 'eu-west', network: 'n2', region: 'r2', services: [pe], chart: eu, gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: pe, cluster: 'eu-west', consumers: ['us-west'] }],
  });
  if (!patternsFirst) patterns({ us, eu, pu, pe });
  return { app, us, eu };
}

const ORDERS = [['patterns before the export', true], ['patterns after the export', false]] as const;

describe('istio ambient zero trust: the Services that cover a protected workload, and the egress ServiceEntries, are its cluster\'s', () => {
  // a MultiClusterExport is sidecar only (ambient multi-network is refused): the exported services run on
  // sidecars in shop, the zero trust on ambient in namespace bank (Istio runs both data planes in one mesh)
  const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
  const ledger = (c: Chart, name = 'ledger', labels: { [k: string]: string } = { app: 'ledger' }, port = 80) => ServiceRef.fromService(new kplus.Service(c, name, {
    metadata: { name, namespace: 'bank' }, ports: [{ port, targetPort: 8080 }], selector: kplus.Pods.select(c, `${name}-pods`, { labels }),
  }));
  /** A per-zone Service of ledger's pods (its selector includes ledger's) in `c`, and an egress host through the waypoint. */
  const zoneObjects = (c: Chart, zone: string) => {
    ledger(c, `ledger-${zone}`, { app: 'ledger', zone }, 9090);
    new EgressPolicy(c, `egress-${zone}`, {
      mesh: AMBIENT, namespace: 'bank', registryOnly: false, hosts: [{ host: `auth.${zone}.example.com`, protocol: EgressProtocol.HTTP, originateTls: true }],
    });
  };

  test.each(ORDERS)('%s: us-west\'s policies target and allow us-west\'s Services only', (_order, patternsFirst) => {
    const { us, eu } = twoClusters(Mesh.istio(), patternsFirst, ({ us: u, eu: e }) => {
      const ref = ledger(u);
      ledger(e);
      new ZeroTrustNamespace(u, 'zt', {
        mesh: AMBIENT,
        namespace: 'bank',
        allow: [{ callers: [Identity.serviceAccount('order')], to: ref, methods: [HttpMethod.POST], paths: [PathMatch.exact('/pay')] }],
      });
      zoneObjects(u, 'us');
      zoneObjects(e, 'eu');
    });
    const out = synthValidated(us);
    const allow = one(out, 'AuthorizationPolicy', 'ledger-allow').spec;
    // us-west's own per-zone Service is covered (same cluster); eu-west's is not in this cluster
    expect(allow.targetRefs).toEqual(['ledger', 'ledger-us'].map(name => ({ group: '', kind: 'Service', name })));
    expect(allow.rules[0].to).toEqual([{ operation: { ports: ['80', '9090'], methods: ['POST'], paths: ['/pay'] } }]);
    expect(one(out, 'AuthorizationPolicy', 'waypoint-allow-egress').spec.targetRefs)
      .toEqual([{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'egress-auth-us-example-com' }]);
    // eu-west has no zero trust: nothing of us-west's is written there
    expect(ofKind(synthValidated(eu), 'AuthorizationPolicy')).toEqual([]);
  });
});

describe('ingress: the host:port a gateway claims is claimed in its cluster', () => {
  const MESH = Mesh.istio();
  const gateway = (c: Chart, id = 'shop') => new IngressGateway(c, id, {
    mesh: MESH, host: 'shop.example.com', tlsSecretName: 'shop-example-com-tls', routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }],
  });

  test.each(ORDERS)('%s: each cluster serves shop.example.com through its own gateway', (_order, patternsFirst) => {
    const { us, eu } = twoClusters(MESH, patternsFirst, ({ us: u, eu: e }) => {
      gateway(u);
      gateway(e);
    });
    for (const c of [us, eu]) expect(ofKind(synthValidated(c), 'Gateway', 'shop').map(g => g.spec.servers.map((s: any) => s.hosts))).toEqual([[['shop.example.com'], ['shop.example.com']]]);
  });

  const SAME_CHART = '[us-west/edge] host: got "shop.example.com": [us-west/shop] already serves shop.example.com:443 in this cluster: two gateways claiming one host and port make the winner undefined; route every path of the host through one IngressGateway per cluster';

  test.each(ORDERS)('%s: two gateways of one chart are still refused, at once', (_order, patternsFirst) => {
    let thrown = '';
    try {
      twoClusters(MESH, patternsFirst, ({ us: u }) => {
        gateway(u);
        gateway(u, 'edge');
      });
    } catch (e) {
      thrown = (e as Error).message;
    }
    expect(thrown).toBe(SAME_CHART);
  });

  test.each(ORDERS)('%s: two charts that a second MultiClusterExport puts in one cluster are refused, with the same message', (_order, patternsFirst) => {
    const message = failure(() => {
      let edge: Chart | undefined;
      const { app, us, eu } = twoClusters(MESH, patternsFirst, ({ us: u, eu: e }) => {
        edge = new Chart(u.node.root, 'us-west-edge', { namespace: 'shop', disableResourceNameHashes: true });
        gateway(u);
        gateway(e);
        gateway(edge);
      });
      const audit = ServiceRef.fromName('audit', { port: 8080 });
      new MultiClusterExport(app, 'mc-edge', {
        mesh: MESH,
        failover: false,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [audit], chart: edge!, gatewayAddress: 'gw.us-west.example.com' },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [audit], chart: eu, gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: audit, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      return [us, eu, edge!];
    });
    expect(message).toContain('[us-west-edge/shop] host: got "shop.example.com": [us-west/shop] already serves shop.example.com:443 in this cluster: two gateways claiming one host and port make the winner undefined; route every path of the host through one IngressGateway per cluster');
    // eu-west's gateway is another cluster's
    expect(message).not.toContain('eu-west/shop');
  });
});

describe('ingress: the TLS Secret the gateway reads is looked for in its cluster', () => {
  const MESH = Mesh.istio();
  const secret = (c: Chart, ns: string) => new kplus.Secret(c, `tls-${ns}`, { metadata: { name: 'shop-example-com-tls', namespace: ns } });
  const gateway = (c: Chart) => new IngressGateway(c, 'shop', {
    mesh: MESH, host: 'shop.example.com', tlsSecretName: 'shop-example-com-tls', routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }],
  });
  const WRONG = '[us-west/shop] tlsSecretName: got "shop-example-com-tls": the app writes Secret shop-example-com-tls in shop, but the Istio ingress gateway reads credentialName from its own namespace, istio-system; create the Secret in istio-system (or set istioGatewayNamespace to where the gateway pods run)';

  test.each(ORDERS)('%s: another cluster\'s Secret in another namespace does not refuse this cluster\'s gateway', (_order, patternsFirst) => {
    expect(failure(() => {
      const { us, eu } = twoClusters(MESH, patternsFirst, ({ us: u, eu: e }) => {
        secret(e, 'shop');
        gateway(u);
      });
      return [us, eu];
    })).toBe('');
  });

  test.each(ORDERS)('%s: this cluster\'s Secret in the wrong namespace is refused, although another cluster writes one where the gateway reads', (_order, patternsFirst) => {
    expect(failure(() => {
      const { us, eu } = twoClusters(MESH, patternsFirst, ({ us: u, eu: e }) => {
        secret(e, 'istio-system');
        secret(u, 'shop');
        gateway(u);
      });
      return [us, eu];
    })).toContain(WRONG);
  });
});

describe('consul ingress: the ResilientServices whose timeouts the API gateway skips are of its cluster', () => {
  test.each(ORDERS)('%s: us-west\'s gateway warns for us-west\'s ResilientService, not for eu-west\'s', (_order, patternsFirst) => {
    const mesh = Mesh.consul();
    let gw: IngressGateway | undefined;
    const { us, eu } = twoClusters(mesh, patternsFirst, ({ us: u, eu: e }) => {
      gw = new IngressGateway(u, 'shop', {
        mesh,
        host: 'shop.example.com',
        tlsSecretName: 'shop-example-com-tls',
        routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }, { pathPrefix: '/api', service: ServiceRef.fromName('order', { port: 80 }) }],
      });
      const resilient = (c: Chart, name: string) => new ResilientService(c, `${name}-resilience`, {
        mesh, service: ServiceRef.fromName(name, { port: 80, protocol: ServiceProtocol.HTTP }), timeout: Duration.seconds(3),
      });
      resilient(u, 'order');
      resilient(e, 'web');
    });
    synthValidated(us);
    synthValidated(eu);
    expect(gw!.warnings.filter(w => w.includes('do not apply to requests through this gateway')).map(w => w.split(':')[0]))
      .toEqual(['the route /api → order']);
  });
});

describe('linkerd zero trust: the probe paths allowed from every network are those of the Server\'s cluster', () => {
  const mesh = Mesh.linkerd();
  /** payment's Deployment in `c`, whose readiness probe GETs `path` on 8080. */
  const workload = (c: Chart, path: string) => new kplus.Deployment(c, 'payment-workload', {
    metadata: { name: 'payment' },
    podMetadata: { labels: { app: 'payment' } },
    containers: [{ image: 'payment:1', portNumber: 8080, readiness: kplus.Probe.fromHttpGet(path, { port: 8080 }), securityContext: { user: 1000 } }],
  });
  const build = (patternsFirst: boolean, workloads: { us?: string; eu?: string }) => {
    let zt: ZeroTrustNamespace | undefined;
    const { us, eu } = twoClusters(mesh, patternsFirst, ({ us: u, eu: e, pu }) => {
      if (workloads.us) workload(u, workloads.us);
      if (workloads.eu) workload(e, workloads.eu);
      zt = new ZeroTrustNamespace(u, 'zt', {
        mesh,
        namespace: 'shop',
        allow: [{ name: 'pay', callers: [Identity.serviceAccount('order')], to: pu, methods: [HttpMethod.POST], paths: [PathMatch.exact('/pay')] }],
      });
    });
    return { us, eu, zt: zt! };
  };
  const sorted = (objects: any[]) => objects.map(o => yaml.dump(o, { lineWidth: -1 })).sort().join('---\n');

  test.each(ORDERS)('%s: us-west\'s probe route has us-west\'s probe path, not eu-west\'s', (_order, patternsFirst) => {
    const { us } = build(patternsFirst, { us: '/healthz', eu: '/eu-debug' });
    const out = synthValidated(us);
    expect(one(out, 'HTTPRoute', 'payment-probes').spec.rules[0].matches).toEqual([{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }]);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (path: string) => m.check({ caller: 'ip:10.0.0.7', service: 'shop/payment', method: 'GET', path }).allowed;
    expect([call('/healthz'), call('/eu-debug')]).toEqual([true, false]);
  });

  test('both orders write the same YAML in each cluster', () => {
    const [before, after] = ORDERS.map(([, patternsFirst]) => build(patternsFirst, { us: '/healthz', eu: '/eu-debug' }));
    expect(sorted(synthValidated(before.us))).toBe(sorted(synthValidated(after.us)));
    expect(sorted(synthValidated(before.eu))).toBe(sorted(synthValidated(after.eu)));
    // and in the same order (the routes are written again where they were)
    const names = (c: Chart) => synthValidated(c).filter(o => o.apiVersion.startsWith('policy.linkerd.io')).map(o => `${o.kind}/${o.metadata.name}`);
    expect(names(before.us)).toEqual(names(after.us));
  });

  test.each(ORDERS)('%s: with payment\'s workload in eu-west only, us-west opens no probe path and warns', (_order, patternsFirst) => {
    const { us, zt } = build(patternsFirst, { eu: '/eu-debug' });
    const out = synthValidated(us);
    expect(ofKind(out, 'HTTPRoute').map(r => r.metadata.name)).not.toContain('payment-probes');
    expect(ofKind(out, 'HTTPRoute').flatMap(r => r.spec.rules[0].matches.map((x: any) => x.path.value))).not.toContain('/eu-debug');
    expect(zt.warnings.filter(w => w.includes('no workload of this cluster defined before this construct selects payment\'s pods'))).toHaveLength(1);
  });
});
