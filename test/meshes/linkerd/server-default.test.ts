import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
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

/** Charts us-west and eu-west of namespace shop in one app, and eu-west's payment (a cdk8s-plus Service of port 8080, pods app: payment). */
function twoClusters() {
  const app = new App({ outdir: Testing.app().outdir });
  const us = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
  const eu = new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true });
  const payment = ServiceRef.fromService(new kplus.Service(eu, 'payment', {
    metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: kplus.Pods.select(eu, 'pods', { labels: { app: 'payment' } }),
  }));
  return { app, us, eu, payment };
}

/** The MultiClusterExport of eu-west's payment to us-west (Linkerd writes its Server payment-8080 in eu-west). */
function exportPayment({ app, us, eu, payment }: ReturnType<typeof twoClusters>): void {
  new MultiClusterExport(app, 'mc', {
    mesh: Mesh.linkerd(),
    failover: false,
    clusters: [
      { name: 'us-west', network: 'n1', region: 'r1', services: [], chart: us },
      { name: 'eu-west', network: 'n2', region: 'r2', services: [payment], chart: eu, gatewayAddress: '203.0.113.10' },
    ],
    exports: [{ service: payment, cluster: 'eu-west', consumers: ['us-west'] }],
  });
}

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
    const clusters = twoClusters();
    const { us, eu } = clusters;
    const namespaces = () => {
      for (const c of [us, eu]) {
        new kplus.Namespace(c, 'shop-namespace', { metadata: { name: 'shop', annotations: c.node.id === annotated ? { [DEFAULT_POLICY]: 'deny' } : undefined } });
      }
    };
    if (namespacesFirst) namespaces();
    exportPayment(clusters);
    if (!namespacesFirst) namespaces();
    return { us, eu };
  }

  test('the MultiClusterExport\'s Server takes the annotation of its own cluster\'s Namespace object', () => {
    const { eu } = exported('eu-west', true);
    const out = synthValidated(eu);
    expect(ofKind(out, 'Server', 'payment-8080').map(o => o.spec.accessPolicy)).toEqual(['deny']);
    expect(MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121')).toEqual([]);
  });

  test('and not another cluster\'s', () => {
    expect(accessPolicy(exported('us-west', true).eu, 'payment-8080')).toEqual(['all-unauthenticated']);
  });

  test('Namespace objects made after the export (whose Server enrols shop in eu-west, writing its Namespace object) are second ones: refused at synthesis', () => {
    // (one cluster-scoped object: applied together, the one applied last drops the other's linkerd.io/inject or its default policy)
    for (const annotated of ['eu-west', 'us-west'] as const) {
      expect(synthError(exported(annotated, false).eu.node.root as App)).toContain('[eu-west/shop-namespace/Resource] writes Namespace shop, which [eu-west/MeshNamespace-shop/Namespace] writes too, with different content');
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

describe('linkerd: a pod template\'s own config.linkerd.io/default-inbound-policy (the Server keeps what its pods run with)', () => {
  // the user's workloads as hand-written YAML (cdk8s ApiObjects of the parsed documents), in namespace shop
  const workload = (kind: string, name: string, podAnnotations?: string) => {
    const meta = `{labels: {app: limited, workload: ${name}}${podAnnotations ? `, annotations: {${podAnnotations}}` : ''}}`;
    const pod = `metadata: ${meta}\n  spec: {containers: [{name: app, image: app:1, ports: [{containerPort: 8080}]}]}`;
    if (kind === 'Pod') return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: limited, workload: ${name}}${podAnnotations ? `, annotations: {${podAnnotations}}` : ''}}\nspec: {containers: [{name: app, image: app:1, ports: [{containerPort: 8080}]}]}`;
    if (kind === 'CronJob') return `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: ${name}}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        ${pod.replace(/\n/g, '\n      ')}`;
    return `apiVersion: ${kind === 'Job' ? 'batch/v1' : 'apps/v1'}\nkind: ${kind}\nmetadata: {name: ${name}}\nspec:\n  selector: {matchLabels: {workload: ${name}}}\n  template:\n    ${pod}`;
  };
  const namespace = (policy?: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop${policy ? `, annotations: {${DEFAULT_POLICY}: ${policy}}` : ''}}`;
  function build(docs: string[], opts: { mesh?: Mesh; before?: boolean } = {}) {
    const chart = shopChart();
    // before: false puts the workloads after the pattern, not the Namespace object (one made after the first pattern
    // of its namespace is a second one, refused at synthesis)
    const include = (namespaces: boolean) => docs.forEach((text, i) => {
      const obj = yaml.load(text) as any;
      if ((obj.kind === 'Namespace') === namespaces) new ApiObject(chart, `yaml-${i}`, obj);
    });
    include(true);
    if (opts.before !== false) include(false);
    const rs = rateLimited(chart, opts.mesh ?? Mesh.linkerd());
    if (opts.before === false) include(false);
    return { chart, rs };
  }
  const written = (docs: string[], opts: { mesh?: Mesh; before?: boolean } = {}) => {
    const { chart, rs } = build(docs, opts);
    const out = synthValidated(chart);
    return { policy: accessPolicy(chart), out, rs, l121: MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121') };
  };

  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'])('a %s whose pods say deny under an all-unauthenticated namespace: the Server is deny, not wider than the pods', (kind) => {
    const { policy, l121 } = written([namespace('all-unauthenticated'), workload(kind, 'limited', `${DEFAULT_POLICY}: deny`)]);
    expect(policy).toEqual(['deny']);
    expect(l121).toEqual([]);
  });

  test('read at synthesis: a workload defined after the rate limit counts too', () => {
    expect(written([namespace('all-unauthenticated'), workload('Deployment', 'limited', `${DEFAULT_POLICY}: deny`)], { before: false }).policy).toEqual(['deny']);
  });

  test('pods that say all-unauthenticated under a deny namespace: their own default wins (all-unauthenticated), without the undeclared-default warning', () => {
    const { policy, rs } = written([namespace('deny'), workload('Deployment', 'limited', `${DEFAULT_POLICY}: all-unauthenticated`)]);
    expect(policy).toEqual(['all-unauthenticated']);
    expect(rs.warnings).toEqual([]);
  });

  test('no pod annotation: unchanged (the namespace\'s, else the mesh\'s with its warning)', () => {
    expect(written([namespace('deny'), workload('Deployment', 'limited')]).policy).toEqual(['deny']);
    const { policy, rs } = written([workload('Deployment', 'limited')]);
    expect(policy).toEqual(['all-unauthenticated']);
    expect(rs.warnings).toEqual([expect.stringContaining('as the app declares no default for namespace shop')]);
  });

  test('pods of another Service\'s selector, or another namespace, are not read', () => {
    const other = workload('Deployment', 'other', `${DEFAULT_POLICY}: deny`).replace(/app: limited/g, 'app: other');
    const elsewhere = workload('Deployment', 'elsewhere', `${DEFAULT_POLICY}: deny`).replace('metadata: {name: elsewhere}', 'metadata: {name: elsewhere, namespace: billing}');
    expect(written([namespace('all-unauthenticated'), other, elsewhere]).policy).toEqual(['all-unauthenticated']);
  });

  test('a pod value Linkerd cannot parse is ignored by Linkerd, which then runs the pod with the cluster\'s default (not the namespace\'s): the mesh\'s declared default', () => {
    const docs = [namespace('all-unauthenticated'), workload('Deployment', 'limited', `${DEFAULT_POLICY}: nobody`)];
    expect(written(docs, { mesh: Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.CLUSTER_AUTHENTICATED }) }).policy).toEqual(['cluster-authenticated']);
  });

  test('pods that agree (one annotated deny, one unannotated under a deny namespace) are not refused', () => {
    expect(written([namespace('deny'), workload('Deployment', 'a', `${DEFAULT_POLICY}: deny`), workload('StatefulSet', 'b')]).policy).toEqual(['deny']);
  });

  test('pods that run with different defaults are refused at synthesis, naming the Server, the workloads, their defaults and the fix; rendered without validation, the narrowest', () => {
    const docs = [namespace('all-unauthenticated'), workload('Deployment', 'a', `${DEFAULT_POLICY}: deny`), workload('StatefulSet', 'b')];
    const { chart } = build(docs);
    expect(synthError(chart.node.root as App)).toContain('[test/LinkerdServer-shop-limited-8080] accessPolicy: Server limited-8080 of namespace shop selects the pods of '
      + `Deployment a [test/yaml-1] (deny: its pod template's ${DEFAULT_POLICY}), StatefulSet b [test/yaml-2] (all-unauthenticated: the namespace's default), which run with different default inbound policies, `
      + 'and one Server has one accessPolicy, which Linkerd applies to port 8080 of every pod it selects instead of the pod\'s own default');
    expect(synthError(chart.node.root as App)).toContain('all-unauthenticated would open some of these pods wider than their own default, and deny (the narrowest) would refuse callers the others admit; '
      + `give these pod templates the same ${DEFAULT_POLICY} annotation (or none), or select them with Services of their own`);
    const server = chart.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Server') as ApiObject;
    expect(server.toJson().spec.accessPolicy).toBe('deny');
    // all-authenticated and cluster-unauthenticated: neither is narrower; the narrowest admitting no caller either refuses is cluster-authenticated
    const mixed = build([namespace('cluster-unauthenticated'), workload('Deployment', 'a', `${DEFAULT_POLICY}: all-authenticated`), workload('StatefulSet', 'b')]);
    expect((mixed.chart.node.findAll().find(c => ApiObject.isApiObject(c) && c.kind === 'Server') as ApiObject).toJson().spec.accessPolicy).toBe('cluster-authenticated');
    expect(synthError(mixed.chart.node.root as App)).toContain('all-authenticated or cluster-unauthenticated would open some of these pods wider than their own default, and cluster-authenticated (the narrowest)');
  });

  test('read again at each synthesis: a pod annotation added after a first synthesis counts', () => {
    const chart = shopChart();
    new ApiObject(chart, 'ns', yaml.load(namespace('all-unauthenticated')) as any);
    const pods = new kplus.Deployment(chart, 'limited-pods', { containers: [{ image: 'app:1', portNumber: 8080 }] });
    pods.podMetadata.addLabel('app', 'limited');
    rateLimited(chart, Mesh.linkerd());
    expect(accessPolicy(chart)).toEqual(['all-unauthenticated']);
    pods.podMetadata.addAnnotation(DEFAULT_POLICY, 'deny');
    expect(accessPolicy(chart)).toEqual(['deny']);
  });

  test('the MultiClusterExport\'s Server reads its pods too, those of its own cluster only', () => {
    const clusters = twoClusters();
    const { us, eu } = clusters;
    new kplus.Namespace(eu, 'shop-namespace', { metadata: { name: 'shop', annotations: { [DEFAULT_POLICY]: 'all-unauthenticated' } } });
    new ApiObject(eu, 'payment-pods', yaml.load(workload('Deployment', 'payment', `${DEFAULT_POLICY}: cluster-authenticated`).replace(/app: limited/g, 'app: payment')) as any);
    // (pods of the same labels in the other cluster never run behind eu-west's Server: not read)
    new ApiObject(us, 'payment-pods', yaml.load(workload('Deployment', 'payment', `${DEFAULT_POLICY}: deny`).replace(/app: limited/g, 'app: payment')) as any);
    exportPayment(clusters);
    expect(accessPolicy(eu, 'payment-8080')).toEqual(['cluster-authenticated']);
  });
});

describe('linkerd: config.linkerd.io/proxy-require-identity-inbound-ports (the Server keeps the authenticated-only default of a listed port)', () => {
  // Linkerd makes the default policy of a listed pod port authenticated-only (policy-controller inbound index.rs
  // default_inbound_server, require_id_ports): a Server replaces that default, so it must not admit unauthenticated callers there
  const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';
  const pods = (annotations: { [k: string]: string }) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'limited' },
    spec: { selector: { matchLabels: { app: 'limited' } }, template: { metadata: { labels: { app: 'limited' }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] } } },
  });
  function written(nsAnnotations: { [k: string]: string }, podAnnotations?: { [k: string]: string }) {
    const chart = shopChart();
    new kplus.Namespace(chart, 'shop-namespace', { metadata: { name: 'shop', annotations: nsAnnotations } });
    if (podAnnotations) new ApiObject(chart, 'pods', pods(podAnnotations));
    const rs = rateLimited(chart, Mesh.linkerd());
    const out = synthValidated(chart);
    return { policy: accessPolicy(chart), rs, l121: MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121') };
  }

  test('the pod template lists the port: all-unauthenticated is written all-authenticated, cluster-unauthenticated cluster-authenticated; no L121', () => {
    for (const ports of ['8080', '80,8080', '8000-9000']) {
      const { policy, l121 } = written({ [DEFAULT_POLICY]: 'all-unauthenticated' }, { [REQ]: ports });
      expect(policy).toEqual(['all-authenticated']);
      expect(l121).toEqual([]);
    }
    expect(written({ [DEFAULT_POLICY]: 'cluster-unauthenticated' }, { [REQ]: '8080' }).policy).toEqual(['cluster-authenticated']);
    expect(written({ [DEFAULT_POLICY]: 'all-unauthenticated' }, { [REQ]: '8080', [DEFAULT_POLICY]: 'cluster-unauthenticated' }).policy).toEqual(['cluster-authenticated']);
  });

  test('deny and audit unchanged; another port, or a list Linkerd cannot parse, unchanged', () => {
    expect(written({ [DEFAULT_POLICY]: 'deny' }, { [REQ]: '8080' }).policy).toEqual(['deny']);
    expect(written({ [DEFAULT_POLICY]: 'audit' }, { [REQ]: '8080' }).policy).toEqual(['audit']);
    for (const ports of ['9090', '8081-9000', '9000-8000', '8080,x']) expect(written({ [DEFAULT_POLICY]: 'all-unauthenticated' }, { [REQ]: ports }).policy).toEqual(['all-unauthenticated']);
  });

  test('the namespace\'s annotation (copied by the proxy injector onto pods without their own), with or without the workload in the app; a pod\'s own list replaces it', () => {
    const ns = { [DEFAULT_POLICY]: 'all-unauthenticated', [REQ]: '8080' };
    expect(written(ns, {}).policy).toEqual(['all-authenticated']);
    expect(written(ns).policy).toEqual(['all-authenticated']);
    expect(written(ns, { [REQ]: '9090' }).policy).toEqual(['all-unauthenticated']);
  });

  // which Namespace object of the app the Server reads (LinkerdServer.namespaceAnnotations, read at synthesis through
  // k8s-objects namespaceObjectsInCluster): one of a chart of the same cluster, never another cluster's
  const both = { [DEFAULT_POLICY]: 'all-unauthenticated', [REQ]: '8080' };
  test('the Namespace object of another chart of the same cluster is read', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const first = new Chart(app, 'namespaces', { namespace: 'shop', disableResourceNameHashes: true });
    const chart = new Chart(app, 'services', { namespace: 'shop', disableResourceNameHashes: true });
    new kplus.Namespace(first, 'shop-namespace', { metadata: { name: 'shop', annotations: both } });
    rateLimited(chart, Mesh.linkerd());
    expect(accessPolicy(chart)).toEqual(['all-authenticated']);
  });

  test('the Namespace object of another cluster is not read', () => {
    const clusters = twoClusters();
    const { us, eu, payment } = clusters;
    new kplus.Namespace(us, 'shop-namespace', { metadata: { name: 'shop', annotations: both } });
    new kplus.Namespace(eu, 'shop-namespace', { metadata: { name: 'shop', annotations: { [DEFAULT_POLICY]: 'all-unauthenticated' } } });
    new ResilientService(eu, 'payment-rs', { mesh: Mesh.linkerd(), service: payment, timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } });
    exportPayment(clusters);
    expect(accessPolicy(eu, 'payment-8080')).toEqual(['all-unauthenticated']);
  });
});

