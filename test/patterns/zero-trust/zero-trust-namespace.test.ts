import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  ConsulDatacenterWideEntries, HttpMethod, Identity, IstioDataPlane, Mesh, MeshAnalyzer, MtlsExceptionMode, MtlsPhase, PathMatch, ReachabilityMatrix,
  ServiceProtocol, ServiceRef, UnsupportedSettings, ZeroTrustNamespace, ZeroTrustNamespaceProps,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

const payment = () => ServiceRef.fromName('payment', { port: 80, targetPort: 8080 });
const order = () => ServiceRef.fromName('order', { port: 80, targetPort: 8080 });
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'] };

/** The seeds' policy: payment accepts POST /process-payment only from order and the API gateway. */
const SEED = (mesh: Mesh, over: Partial<ZeroTrustNamespaceProps> = {}): ZeroTrustNamespaceProps => ({
  mesh,
  allow: [
    { callers: [Identity.serviceAccount('order'), Identity.serviceAccount('api-gateway')], to: payment(), methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] },
    { callers: [Identity.serviceAccount('web')], to: order() },
  ],
  ...over,
});

function synth(p: ZeroTrustNamespaceProps, chart: Chart = shopChart()): any[] {
  new ZeroTrustNamespace(chart, 'zero-trust', p);
  return synthValidated(chart);
}

function fails(p: ZeroTrustNamespaceProps): string {
  return failureOf(chart => new ZeroTrustNamespace(chart, 'zero-trust', p));
}

captureStderr();

/** The objects of `linkerd viz allow-scrapes`, written beside a Linkerd `deny` namespace. */
const SCRAPES = ['proxy-admin', 'proxy-metrics', 'proxy-probes', 'prometheus-scrape', 'kubelet'];
const notScrapes = (o: any) => !SCRAPES.includes(o.metadata.name);

const MESHES = [['istio', Mesh.istio()], ['istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })], ['linkerd', Mesh.linkerd()], ['consul', Mesh.consul()]] as const;

describe('snapshots per mesh, validated against the pinned CRDs', () => {
  test.each(MESHES)('%s: the seed policy', (_name, mesh) => {
    expect(synth(SEED(mesh)).map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n')).toMatchSnapshot();
  });
});

describe('the reachability matrix reads the policies back: the same answers on every mesh', () => {
  test.each(MESHES)('%s: payment accepts POST /process-payment only from order and api-gateway; nothing else may', (_name, mesh) => {
    const matrix = ReachabilityMatrix.fromManifests(synth(SEED(mesh)), { defaultNamespace: 'shop' });
    const call = (caller: string, method: string, p: string, service = 'shop/payment') => matrix.check({ caller, service, method, path: p });
    expect(call('shop/order', 'POST', '/process-payment').allowed).toBe(true);
    expect(call('shop/api-gateway', 'POST', '/process-payment').allowed).toBe(true);
    expect(call('shop/web', 'POST', '/process-payment').allowed).toBe(false);
    expect(call('shop/order', 'GET', '/process-payment').allowed).toBe(false);
    expect(call('shop/order', 'POST', '/refund').allowed).toBe(false);
    expect(call('other/order', 'POST', '/process-payment').allowed).toBe(mesh.kind === 'consul'); // Consul CE identities are service names
    expect(call('shop/web', 'GET', '/orders', 'shop/order').allowed).toBe(true);
    expect(call('shop/payment', 'GET', '/orders', 'shop/order').allowed).toBe(false);
    // every decision names the rule or default that made it
    const table = matrix.table();
    expect(table.length).toBeGreaterThan(0);
    for (const d of table) expect(d.reason).not.toBe('');
    expect(table.filter(d => d.allowed && d.service === 'shop/payment').map(d => `${d.caller} ${d.method} ${d.path}`).sort())
      .toEqual(['shop/api-gateway POST /process-payment', 'shop/order POST /process-payment']);
  });

  test('the table format', () => {
    const matrix = ReachabilityMatrix.fromManifests(synth(SEED(Mesh.istio())), { defaultNamespace: 'shop' });
    const text = ReachabilityMatrix.formatTable([matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' })]);
    expect(text).toBe([
      'CALLER      SERVICE       REQUEST                DECISION  REASON',
      'shop/order  shop/payment  POST /process-payment  ALLOW     AuthorizationPolicy shop/payment-allow rules[0]',
      '',
    ].join('\n'));
  });

  test('hand-written Istio YAML with DENY and notPaths', () => {
    const matrix = ReachabilityMatrix.fromYaml(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: DENY
  rules:
  - to: [{operation: {paths: ["/admin/*"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-shop, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  rules:
  - from: [{source: {namespaces: [shop]}}]
    to: [{operation: {notPaths: ["/internal*"]}}]
`, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/order', service: 'payment', path: '/admin/x' })).toMatchObject({ allowed: false, reason: 'AuthorizationPolicy shop/deny-admin (DENY) rules[0]' });
    expect(matrix.check({ caller: 'shop/order', service: 'payment', path: '/pay' })).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/allow-shop rules[0]' });
    expect(matrix.check({ caller: 'shop/order', service: 'payment', path: '/internal/x' }).allowed).toBe(false);
    expect(matrix.check({ caller: 'other/order', service: 'payment', path: '/pay' }).allowed).toBe(false);
    expect(matrix.check({ caller: 'shop/order', service: 'user', path: '/' })).toMatchObject({ allowed: true, reason: 'no ALLOW AuthorizationPolicy applies to the workload' });
  });

  test('no policies: everything is allowed, and said so', () => {
    expect(ReachabilityMatrix.fromManifests([]).check({ caller: 'a/b', service: 'c/d' })).toMatchObject({ allowed: true, mesh: 'none', reason: 'no authorization policy in the manifests' });
  });
});

describe('Istio', () => {
  test('PeerAuthentication, allow-nothing default deny, and per-service ALLOW with principals', () => {
    const out = synth(SEED(Mesh.istio()));
    expect(one(out, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(one(out, 'AuthorizationPolicy', 'default-deny').spec).toEqual({});
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec).toEqual({
      selector: { matchLabels: { app: 'payment' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/api-gateway', 'cluster.local/ns/shop/sa/order'] } }],
        to: [{ operation: { ports: ['8080'], methods: ['POST'], paths: ['/process-payment'] } }],
      }],
    });
  });

  test('an allow rule is for the port it names only (the pod port a sidecar sees)', () => {
    const admin = ServiceRef.fromName('payment', { port: 9090, targetPort: 9091 });
    const out = synth({
      mesh: Mesh.istio(),
      allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }, { callers: [Identity.serviceAccount('admin')], to: admin }],
    });
    const rules = one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules;
    expect(rules).toHaveLength(2);
    expect(rules).toContainEqual({ from: [{ source: { principals: ['cluster.local/ns/shop/sa/order'] } }], to: [{ operation: { ports: ['8080'] } }] });
    expect(rules).toContainEqual({ from: [{ source: { principals: ['cluster.local/ns/shop/sa/admin'] } }], to: [{ operation: { ports: ['9091'] } }] });
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/admin', service: 'shop/payment', port: 9091 }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/admin', service: 'shop/payment', port: 8080 }).allowed).toBe(false);
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', port: 8080 }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', port: 9091 }).allowed).toBe(false);
  });

  test('service accounts and namespaces are separate sources, so that they OR instead of AND', () => {
    const out = synth({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('order'), Identity.allInNamespace('monitoring')], to: payment() }] });
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/order'] } }, { source: { namespaces: ['monitoring'] } }],
      to: [{ operation: { ports: ['8080'] } }],
    }]);
  });

  test('path prefixes stop at a segment boundary', () => {
    const out = synth({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api')] }] });
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].to).toEqual([{ operation: { ports: ['8080'], paths: ['/api', '/api/*'] } }]);
    // a trailing / means the same segment-wise prefix (Gateway API PathPrefix ignores it): /api too
    const slash = synth({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api/')] }] });
    expect(one(slash, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].to[0].operation.paths).toEqual(['/api', '/api/*']);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', path: '/api/x' }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', path: '/apiary' }).allowed).toBe(false);
  });

  test('a trust domain other than cluster.local is used in principals', () => {
    const out = synth(SEED(Mesh.istio({ trustDomain: 'prod.example.com' })));
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].from[0].source.principals).toContain('prod.example.com/ns/shop/sa/order');
  });

  test('JWT: a RequestAuthentication and request principals ANDed with the caller', () => {
    const out = synth({ mesh: Mesh.istio(), jwt: { ...JWT, forwardOriginalToken: true }, allow: [{ callers: [Identity.serviceAccount('api-gateway')], to: payment(), paths: [PathMatch.prefix('/api')], requireJwt: true }] });
    expect(one(out, 'RequestAuthentication', 'payment-jwt').spec).toEqual({
      selector: { matchLabels: { app: 'payment' } },
      jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'], forwardOriginalToken: true }],
    });
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/shop/sa/api-gateway'], requestPrincipals: ['https://auth.example.com/*'] } }]);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/api-gateway', service: 'shop/payment', path: '/api/x', withJwt: true }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/api-gateway', service: 'shop/payment', path: '/api/x', withJwt: false }).allowed).toBe(false);
  });

  test('deny rules become a DENY policy', () => {
    const out = synth(SEED(Mesh.istio(), { deny: [{ callers: [Identity.serviceAccount('api-gateway')], to: payment(), paths: [PathMatch.prefix('/admin')] }] }));
    expect(one(out, 'AuthorizationPolicy', 'payment-deny').spec).toMatchObject({ action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/api-gateway'] } }], to: [{ operation: { paths: ['/admin', '/admin/*'] } }] }] });
  });

  test('mTLS exceptions are port-level PeerAuthentications with their reason', () => {
    const out = synth(SEED(Mesh.istio(), { mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'Prometheus scrapes from outside the mesh' }] }));
    const pa = one(out, 'PeerAuthentication', 'payment-mtls-exception');
    expect(pa.spec).toEqual({ selector: { matchLabels: { app: 'payment' } }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } });
    expect(pa.metadata.annotations['cdk8s-mesh.io/reason']).toBe('9090: Prometheus scrapes from outside the mesh');
  });

  test('PERMISSIVE first: the phase is a prop, with a warning until STRICT', () => {
    const chart = shopChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.istio(), { mtls: MtlsPhase.PERMISSIVE }));
    expect(one(synthValidated(chart), 'PeerAuthentication', 'default').spec.mtls.mode).toBe('PERMISSIVE');
    expect(zt.warnings).toEqual(['mTLS is PERMISSIVE in shop: plaintext is still accepted; move to MtlsPhase.STRICT once every caller is in the mesh']);
  });
});

describe('Linkerd', () => {
  test('default inbound policy deny on the namespace, a Server per service, and authorizations on routes or Servers', () => {
    const out = synth(SEED(Mesh.linkerd()));
    const ns = one(out, 'Namespace', 'shop');
    expect(ns.metadata.annotations).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny', 'linkerd.io/inject': 'enabled' });
    expect(ns.metadata.namespace).toBeUndefined();
    expect(one(out, 'Server', 'payment-8080').spec).toMatchObject({ accessPolicy: 'deny', port: 8080, podSelector: { matchLabels: { app: 'payment' } } });
    expect(one(out, 'HTTPRoute', 'payment-from-order').spec).toEqual({
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' }],
      rules: [{ matches: [{ path: { type: 'Exact', value: '/process-payment' }, method: 'POST' }] }],
    });
    expect(one(out, 'MeshTLSAuthentication', 'payment-from-order').spec).toEqual({ identityRefs: [{ kind: 'ServiceAccount', name: 'order' }, { kind: 'ServiceAccount', name: 'api-gateway' }] });
    expect(one(out, 'AuthorizationPolicy', 'payment-from-order').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'payment-from-order' });
    expect(one(out, 'AuthorizationPolicy', 'order-from-web').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'order-8080' });
  });

  test('PERMISSIVE is audit mode: allowed and logged', () => {
    const out = synth(SEED(Mesh.linkerd(), { mtls: MtlsPhase.PERMISSIVE }));
    expect(one(out, 'Namespace', 'shop').metadata.annotations['config.linkerd.io/default-inbound-policy']).toBe('audit');
    expect(one(out, 'Server', 'payment-8080').spec.accessPolicy).toBe('audit');
    const decision = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'shop/web', service: 'shop/payment', method: 'GET', path: '/' });
    expect(decision).toMatchObject({ allowed: true });
    expect(decision.reason).toContain('audit: allowed and logged');
  });

  test('a network caller gets its own NetworkAuthentication and policy (authentications of one policy are ANDed)', () => {
    const out = synth({
      mesh: Mesh.linkerd(),
      mtlsExceptions: [{ service: payment(), port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'the legacy batch job is not meshed yet' }],
      allow: [{ callers: [Identity.serviceAccount('order'), Identity.network('10.20.0.0/16')], to: payment() }],
    });
    expect(one(out, 'NetworkAuthentication', 'payment-from-order-network').spec).toEqual({ networks: [{ cidr: '10.20.0.0/16' }] });
    expect(ofKind(out, 'AuthorizationPolicy').filter(notScrapes).map(a => a.spec.requiredAuthenticationRefs.map((r: any) => r.kind))).toEqual([['MeshTLSAuthentication'], ['NetworkAuthentication']]);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'ip:10.20.1.2', service: 'shop/payment' }).allowed).toBe(true);
    // the port is governed by the allow rules: other plaintext clients stay out
    expect(matrix.check({ caller: 'ip:10.21.1.2', service: 'shop/payment' }).allowed).toBe(false);
    expect(one(out, 'Server', 'payment-8080').spec.accessPolicy).toBe('deny');
  });

  test('deny rules and JWT are refused on Linkerd, naming the alternative', () => {
    expect(fails(SEED(Mesh.linkerd(), { deny: [{ callers: [Identity.serviceAccount('web')], to: payment() }] })))
      .toContain('deny: got "1 rule(s)": Linkerd cannot express this (Linkerd authorization policies only allow; everything not allowed is already denied); remove the deny rules and narrow the allow rules instead');
    expect(fails(SEED(Mesh.linkerd(), { jwt: JWT })))
      .toContain('jwt: got "https://auth.example.com": Linkerd cannot express this (Linkerd has no JWT request authentication (linkerd2#3704)); validate tokens at the ingress controller or in the application');
  });

  describe('rules with methods or paths need an HTTP Server: Linkerd applies no HTTPRoute on a gRPC or opaque one (policy-controller/grpc/src/inbound.rs to_server)', () => {
    const svc = (protocol?: ServiceProtocol) => ServiceRef.fromName('payment', { port: 80, targetPort: 8080, ...(protocol ? { protocol } : {}) });
    // (the fix on a gRPC port: grpcMethods, GRPCRoutes; test/patterns/zero-trust/zero-trust-grpc.test.ts)
    test.each([
      ['gRPC', ServiceProtocol.GRPC, 'its GRPCRoutes only',
        "name the gRPC services and methods instead, written as GRPCRoutes: grpcMethods: [GrpcMethodMatch.method('<package.Service>', '<Method>')] (a gRPC request is POST /<service>/<method>), or leave methods and paths out to allow every method",
        "name the gRPC services and methods instead, written as GRPCRoutes: grpcMethods: [GrpcMethodMatch.method('pay.Payment', 'Charge')] (a gRPC request is POST /<service>/<method>), or leave methods and paths out to allow every method"],
      ['opaque', ServiceProtocol.TCP, 'no routes',
        'leave methods and paths out of the rule for payment (Linkerd enforces it on the Server, for every request of the port)',
        'leave methods and paths out of the rule for payment (Linkerd enforces it on the Server, for every request of the port)'],
    ] as const)('proxyProtocol %s: a rule with methods or paths is refused, even with DROP_WITH_WARNING', (proxyProtocol, protocol, sent, fixMethods, fixPaths) => {
      const why = `Linkerd cannot express this (service payment port 8080 is ${protocol}, its Server's proxyProtocol ${proxyProtocol}, and Linkerd applies the HTTPRoute and AuthorizationPolicy such a rule is written as only on HTTP/1 and HTTP/2 Servers: `
        + `the policy controller sends this Server's proxy ${sent} (policy-controller/grpc/src/inbound.rs to_server), so the rule would admit nobody); `;
      const rule = { callers: [Identity.serviceAccount('order')], to: svc(protocol) };
      expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, methods: [HttpMethod.POST] }] })).toContain(`[test/zero-trust] allow[0].methods: got ["POST"]: ${why}${fixMethods}`);
      expect(fails({ mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('web')], to: svc(protocol) }, { ...rule, paths: [PathMatch.exact('/pay.Payment/Charge')] }] }))
        .toContain(`[test/zero-trust] allow[1].paths: got ["exact /pay.Payment/Charge"]: ${why}${fixPaths}`);
      expect(fails({ mesh: Mesh.linkerd(), unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING, allow: [{ ...rule, methods: [HttpMethod.POST] }] })).toContain('allow[0].methods: got ["POST"]');
    });

    test.each([['gRPC', ServiceProtocol.GRPC], ['opaque', ServiceProtocol.TCP]] as const)('proxyProtocol %s: a rule without methods or paths (or for every path) is written on the Server, and the caller is allowed', (proxyProtocol, protocol) => {
      const out = synth({ mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('order')], to: svc(protocol) }, { callers: [Identity.serviceAccount('web')], to: svc(protocol), paths: [PathMatch.prefix('/')] }] });
      expect(one(out, 'Server', 'payment-8080').spec.proxyProtocol).toBe(proxyProtocol);
      expect(ofKind(out, 'HTTPRoute').filter(notScrapes)).toEqual([]);
      expect(ofKind(out, 'AuthorizationPolicy').filter(notScrapes).map(a => `${a.metadata.name} -> ${a.spec.targetRef.kind}`)).toEqual(['payment-from-order -> Server', 'payment-from-web -> Server']);
      const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
      // a gRPC request (POST; the proxy matches a gRPC Server's routes, here its default one, to POST requests only)
      const rpc = { method: 'POST', path: '/pay.Payment/Charge' };
      expect([m.check({ caller: 'shop/order', service: 'shop/payment', ...rpc }).allowed, m.check({ caller: 'shop/other', service: 'shop/payment', ...rpc }).allowed]).toEqual([true, false]);
      // a GET on the gRPC Server matches no route (404), whoever calls; on the opaque one the method is not read
      expect(m.check({ caller: 'shop/order', service: 'shop/payment' }).allowed).toBe(protocol !== ServiceProtocol.GRPC);
    });

    test.each([['HTTP (the default)', undefined], ['HTTP', ServiceProtocol.HTTP], ['HTTP/2', ServiceProtocol.HTTP2]] as const)('an %s port: a rule with methods and paths is written on its HTTPRoute, as before', (_name, protocol) => {
      const out = synth({ mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('order')], to: svc(protocol), methods: [HttpMethod.POST], paths: [PathMatch.exact('/pay')] }] });
      expect(one(out, 'AuthorizationPolicy', 'payment-from-order').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'payment-from-order' });
      expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/pay' }).allowed).toBe(true);
    });
  });

  test('an existing Namespace object is annotated instead of a new one', () => {
    const chart = shopChart();
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    const out = synth(SEED(Mesh.linkerd(), { namespaceObject: ns }), chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(ofKind(out, 'Namespace')[0].metadata.annotations['config.linkerd.io/default-inbound-policy']).toBe('deny');
  });
});

describe('Consul', () => {
  test('a default-deny intention, and per service intentions with permissions, each ending with a deny of everything else', () => {
    const out = synth(SEED(Mesh.consul()));
    expect(one(out, 'ServiceIntentions', 'default-deny').spec).toEqual({ destination: { name: '*' }, sources: [{ name: '*', action: 'deny' }] });
    expect(one(out, 'ServiceIntentions', 'order').spec).toEqual({ destination: { name: 'order' }, sources: [{ name: 'web', action: 'allow' }, { name: '*', action: 'deny' }] });
    const rest = { action: 'deny', http: { pathPrefix: '/' } };
    expect(one(out, 'ServiceIntentions', 'payment').spec.sources).toEqual([
      { name: 'api-gateway', permissions: [{ action: 'allow', http: { pathExact: '/process-payment', methods: ['POST'] } }, rest] },
      { name: 'order', permissions: [{ action: 'allow', http: { pathExact: '/process-payment', methods: ['POST'] } }, rest] },
      { name: '*', action: 'deny' },
    ]);
    expect(one(out, 'ProxyDefaults', 'global').spec).toEqual({ mutualTLSMode: 'strict' });
  });

  test.each([true, false])('a request no permission of its source matches is denied whatever the ACL default (allow: %s)', consulDefaultAllow => {
    // Consul decides it by the default intention policy, not by the * → * deny (agent/xds/rbac.go)
    const matrix = ReachabilityMatrix.fromManifests(synth(SEED(Mesh.consul())), { defaultNamespace: 'shop', consulDefaultAllow });
    const d = matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'GET', path: '/admin' });
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe('ServiceIntentions shop/payment sources[1] (order).permissions[1] (deny)');
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed).toBe(true);
  });

  test('path prefixes stop at a segment boundary, for allow and deny rules', () => {
    const out = synth({
      mesh: Mesh.consul(),
      allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api')] }],
      deny: [{ callers: [Identity.serviceAccount('web')], to: payment(), paths: [PathMatch.prefix('/admin')] }],
    });
    expect(one(out, 'ServiceIntentions', 'payment').spec.sources).toEqual([
      { name: 'order', permissions: [{ action: 'allow', http: { pathExact: '/api' } }, { action: 'allow', http: { pathPrefix: '/api/' } }, { action: 'deny', http: { pathPrefix: '/' } }] },
      { name: 'web', permissions: [{ action: 'deny', http: { pathExact: '/admin' } }, { action: 'deny', http: { pathPrefix: '/admin/' } }, { action: 'deny', http: { pathPrefix: '/' } }] },
      { name: '*', action: 'deny' },
    ]);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, p: string) => matrix.check({ caller, service: 'shop/payment', path: p }).allowed;
    expect([call('shop/order', '/api'), call('shop/order', '/api/x'), call('shop/order', '/apix'), call('shop/order', '/ap')]).toEqual([true, true, false, false]);
    // a prefix that ends with / is one permission
    const slash = synth({ mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api/')] }] });
    expect(one(slash, 'ServiceIntentions', 'payment').spec.sources[0].permissions[0]).toEqual({ action: 'allow', http: { pathPrefix: '/api/' } });
  });

  test('Enterprise: sources are per namespace, so an allow of a/order and a deny of b/order stay apart', () => {
    const out = synth({
      mesh: Mesh.consul({ enterprise: true }),
      allow: [{ callers: [Identity.serviceAccount('order', { namespace: 'a' })], to: payment() }],
      deny: [{ callers: [Identity.serviceAccount('order', { namespace: 'b' })], to: payment(), paths: [PathMatch.prefix('/admin')] }],
    });
    expect(one(out, 'ServiceIntentions', 'payment').spec.sources).toEqual([
      { name: 'order', namespace: 'a', action: 'allow' },
      { name: 'order', namespace: 'b', permissions: [{ action: 'deny', http: { pathExact: '/admin' } }, { action: 'deny', http: { pathPrefix: '/admin/' } }, { action: 'deny', http: { pathPrefix: '/' } }] },
      { name: '*', namespace: '*', action: 'deny' },
    ]);
    expect(one(out, 'ServiceIntentions', 'default-deny').spec).toEqual({ destination: { name: '*', namespace: 'shop' }, sources: [{ name: '*', namespace: '*', action: 'deny' }] });
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, p: string) => matrix.check({ caller, service: 'shop/payment', path: p }).allowed;
    expect([call('a/order', '/admin'), call('a/order', '/pay'), call('b/order', '/admin'), call('b/order', '/pay'), call('c/order', '/pay')]).toEqual([true, true, false, false, false]);
  });

  test('Enterprise: a service with a source of its own also carries its namespace\'s rules (the exact source outranks <ns>/*)', () => {
    const ent = Mesh.consul({ enterprise: true });
    const out = synth({
      mesh: ent,
      allow: [{ callers: [Identity.allInNamespace('shop')], to: payment() }, { callers: [Identity.serviceAccount('web')], to: payment(), methods: [HttpMethod.GET] }],
      deny: [{ callers: [Identity.allInNamespace('shop')], to: payment(), paths: [PathMatch.exact('/admin')] }],
    });
    expect(one(out, 'ServiceIntentions', 'payment').spec.sources).toEqual([
      { name: '*', namespace: 'shop', permissions: [{ action: 'deny', http: { pathExact: '/admin' } }, { action: 'allow', http: { pathPrefix: '/' } }] },
      { name: 'web', namespace: 'shop', permissions: [{ action: 'deny', http: { pathExact: '/admin' } }, { action: 'allow', http: { pathPrefix: '/' } }] },
      { name: '*', namespace: '*', action: 'deny' },
    ]);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, method: string, p: string) => matrix.check({ caller, service: 'shop/payment', method, path: p }).allowed;
    // web's own GET rule does not narrow what its namespace may do, and the namespace's deny reaches it
    expect([call('shop/web', 'GET', '/admin'), call('shop/web', 'POST', '/pay'), call('shop/order', 'POST', '/pay'), call('shop/order', 'GET', '/admin'), call('other/web', 'GET', '/')])
      .toEqual([false, true, true, false, false]);
  });

  test('permissions need an HTTP protocol: the service\'s ServiceDefaults says it; on a TCP service they are refused (allow) or plain (deny)', () => {
    const out = synth(SEED(Mesh.consul()));
    // Consul rejects intentions with permissions on a tcp service, its default protocol
    expect(one(out, 'ServiceDefaults', 'payment').spec).toEqual({ protocol: 'http' });
    expect(ofKind(out, 'ServiceDefaults', 'order')).toHaveLength(0);
    const db = ServiceRef.fromName('db', { port: 5432, protocol: ServiceProtocol.TCP });
    expect(fails({ mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order')], to: db, methods: [HttpMethod.GET] }] }))
      .toContain('allow[0]: got "db": Consul cannot express this (db speaks TCP, and Consul rejects intentions with methods, paths or JWTs on a tcp service)');
    const tcp = synth({ mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order')], to: db }], deny: [{ callers: [Identity.serviceAccount('web')], to: db, paths: [PathMatch.prefix('/admin')] }] });
    expect(one(tcp, 'ServiceIntentions', 'db').spec.sources).toEqual([{ name: 'order', action: 'allow' }, { name: 'web', action: 'deny' }, { name: '*', action: 'deny' }]);
    expect(ofKind(tcp, 'ServiceDefaults')).toHaveLength(0);
  });

  test('CE: a caller in another namespace is refused (CE has one namespace: it would be every service of that name)', () => {
    expect(fails({ mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order', { namespace: 'other' })], to: payment() }] }))
      .toContain('allow[0].callers[0]: got "other/order": Consul cannot express this (Community Edition has no namespaces: the source would be any service named order, in any Kubernetes namespace, not only other\'s)');
    expect(fails({ mesh: Mesh.consul(), allow: [], deny: [{ callers: [Identity.serviceAccount('order', { namespace: 'other' })], to: payment() }] })).toContain('deny[0].callers[0]: got "other/order"');
    // the policy's own namespace, said explicitly, is accepted
    expect(() => synth({ mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order', { namespace: 'shop' })], to: payment() }] })).not.toThrow();
  });

  test('PERMISSIVE needs Mesh allowEnablingPermissiveMutualTLS', () => {
    const out = synth(SEED(Mesh.consul(), { mtls: MtlsPhase.PERMISSIVE }));
    expect(one(out, 'ProxyDefaults', 'global').spec).toEqual({ mutualTLSMode: 'permissive' });
    expect(one(out, 'Mesh', 'mesh').spec).toEqual({ allowEnablingPermissiveMutualTLS: true });
  });

  test('deny permissions come before allows for the same source; JWT is a provider and a permission', () => {
    const out = synth({
      mesh: Mesh.consul(),
      jwt: JWT,
      allow: [{ callers: [Identity.serviceAccount('api-gateway')], to: payment(), requireJwt: true }],
      deny: [{ callers: [Identity.serviceAccount('api-gateway')], to: payment(), paths: [PathMatch.prefix('/admin')] }],
    });
    expect(one(out, 'JWTProvider', 'auth-example-com').spec).toEqual({
      issuer: 'https://auth.example.com',
      audiences: ['shop'],
      jsonWebKeySet: {
        remote: {
          uri: 'https://auth.example.com/.well-known/jwks.json',
          fetchAsynchronously: true,
          // the keys' server is verified against the image's CA bundle
          jwksCluster: { tlsCertificates: { trustedCA: { filename: '/etc/ssl/certs/ca-certificates.crt' } } },
        },
      },
    });
    // every permission has an http block (Consul: "Permissions[j].HTTP is required"), the JWT-only one too
    expect(one(out, 'ServiceIntentions', 'payment').spec.sources).toEqual([{
      name: 'api-gateway',
      permissions: [
        { action: 'deny', http: { pathExact: '/admin' } },
        { action: 'deny', http: { pathPrefix: '/admin/' } },
        { action: 'allow', http: { pathPrefix: '/' }, jwt: { providers: [{ name: 'auth-example-com' }] } },
        { action: 'deny', http: { pathPrefix: '/' } },
      ],
    }, { name: '*', action: 'deny' }]);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/api-gateway', service: 'shop/payment', path: '/admin/x', withJwt: true }).allowed).toBe(false);
    expect(matrix.check({ caller: 'shop/api-gateway', service: 'shop/payment', path: '/pay', withJwt: true }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/api-gateway', service: 'shop/payment', path: '/pay', withJwt: false }).allowed).toBe(false);
  });

  test('the JWKS CA bundle: a prop, checked, and no TLS settings for a plain-http URI', () => {
    const ca = (jwt: any) => one(synth({ mesh: Mesh.consul(), jwt, allow: [{ callers: [Identity.serviceAccount('web')], to: payment(), requireJwt: true }] }), 'JWTProvider', 'auth-example-com').spec.jsonWebKeySet.remote;
    expect(ca({ ...JWT, consulJwksCaFile: '/etc/pki/corp-ca.pem' }).jwksCluster).toEqual({ tlsCertificates: { trustedCA: { filename: '/etc/pki/corp-ca.pem' } } });
    expect(ca({ ...JWT, jwksUri: 'http://auth.internal/jwks.json', allowPlainHttpJwks: true }).jwksCluster).toBeUndefined();
    expect(fails({ mesh: Mesh.consul(), jwt: { ...JWT, consulJwksCaFile: 'certs/ca.pem' }, allow: [] }))
      .toContain('jwt.consulJwksCaFile: got "certs/ca.pem": the CA bundle is an absolute file path in the proxy container');
    expect(fails({ mesh: Mesh.istio(), jwt: { ...JWT, consulJwksCaFile: '/etc/pki/corp-ca.pem' }, allow: [] })).toContain("jwt.consulJwksCaFile: got \"/etc/pki/corp-ca.pem\": Istio cannot express this (it sets Consul's JWTProvider)");
  });

  test('datacenter-wide entries: written with a warning by default, acknowledged with WRITE, left to the platform with OMIT', () => {
    const build = (mesh: Mesh) => {
      const chart = shopChart();
      const zt = new ZeroTrustNamespace(chart, 'zt', { ...SEED(mesh), jwt: JWT, mtls: MtlsPhase.PERMISSIVE });
      return { zt, out: synthValidated(chart) };
    };
    const dflt = build(Mesh.consul());
    expect(dflt.zt.warnings.filter(w => w.includes('one per Consul datacenter'))).toHaveLength(4);
    expect(dflt.zt.warnings.join('\n')).toContain('writes ProxyDefaults global, one per Consul datacenter: it applies to every namespace');
    expect(one(dflt.out, 'ProxyDefaults', 'global').metadata.annotations).toEqual({ 'cdk8s-mesh.io/consul-scope': 'datacenter' });
    expect(one(dflt.out, 'ServiceIntentions', 'default-deny').metadata.annotations).toEqual({ 'cdk8s-mesh.io/consul-scope': 'datacenter' });
    const acknowledged = build(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.WRITE }));
    expect(acknowledged.zt.warnings.filter(w => w.includes('one per Consul datacenter'))).toEqual([]);
    expect(ofKind(acknowledged.out, 'ProxyDefaults')).toHaveLength(1);
    const omitted = build(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.OMIT }));
    expect(omitted.out.map(o => o.kind).sort()).toEqual(['ServiceDefaults', 'ServiceIntentions', 'ServiceIntentions']);
    expect(omitted.zt.warnings).toContain('ProxyDefaults global is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform\'s entry must set mutualTLSMode: permissive');
    // the services the policy names still deny every other caller
    expect(one(omitted.out, 'ServiceIntentions', 'payment').spec.sources.at(-1)).toEqual({ name: '*', action: 'deny' });
    expect(() => Mesh.consul({ datacenterWideEntries: 'platform' as any })).toThrow('Mesh.consul: datacenterWideEntries: got "platform": not a ConsulDatacenterWideEntries value; use ConsulDatacenterWideEntries.WRITE_WITH_WARNING, WRITE or OMIT');
    // on Enterprise the default deny is the namespace's, not the datacenter's: written in every mode
    expect(ofKind(build(Mesh.consul({ enterprise: true, datacenterWideEntries: ConsulDatacenterWideEntries.OMIT })).out, 'ServiceIntentions', 'default-deny')).toHaveLength(1);
  });

  test('networks, namespaces (CE) and port exceptions are refused on Consul', () => {
    expect(fails({ mesh: Mesh.consul(), mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.network('10.0.0.0/8')], to: payment() }] })).toContain('allow[0].callers[0]: got "10.0.0.0/8": Consul cannot express this (intentions name services, not networks)');
    expect(fails({ mesh: Mesh.consul(), allow: [{ callers: [Identity.allInNamespace('monitoring')], to: payment() }] })).toContain('needs Consul Enterprise namespaces');
    expect(fails({ mesh: Mesh.consul(), mtls: MtlsPhase.PERMISSIVE, allow: [], mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'metrics' }] }))
      .toContain("mtlsExceptions[0]: got \"payment:9090\": Consul cannot express this (Consul's mutual TLS mode is set per service or mesh-wide, not per port)");
  });
});

describe('guardrails, on both sides', () => {
  test('no wildcard principals and no empty from', () => {
    expect(fails({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('*')], to: payment() }] })).toContain('allow[0].callers[0]: got "*": wildcards are not allowed in identities');
    expect(fails({ mesh: Mesh.istio(), allow: [{ callers: [], to: payment() }] })).toContain('allow[0].callers: got []: a rule must name its callers: an empty `callers` would match every caller');
    expect(() => synth({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] })).not.toThrow();
  });

  test('an empty allow list denies everything', () => {
    const out = synth({ mesh: Mesh.istio(), allow: [] });
    expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'shop/order', service: 'shop/payment' }).allowed).toBe(false);
  });

  test('STRICT with a named caller outside the mesh is refused; PERMISSIVE or an exception for its port allows it', () => {
    const legacy = Identity.serviceAccount('legacy-batch', { outsideMesh: true });
    const rule = { callers: [legacy], to: payment() };
    expect(fails({ mesh: Mesh.istio(), allow: [rule] }))
      .toContain('allow[0].callers: got "shop/legacy-batch": shop/legacy-batch is outside the mesh and cannot present an mTLS identity, so STRICT mTLS would refuse it on payment; stay in MtlsPhase.PERMISSIVE until it joins the mesh, or add an mtlsExceptions entry for payment port 8080');
    expect(() => synth({ mesh: Mesh.istio(), mtls: MtlsPhase.PERMISSIVE, allow: [rule] })).not.toThrow();
    expect(() => synth({ mesh: Mesh.istio(), allow: [rule], mtlsExceptions: [{ service: payment(), port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'legacy batch job' }] })).not.toThrow();
  });

  test('deny rules with only HTTP attributes on a TCP service give a warning', () => {
    const chart = shopChart();
    const db = ServiceRef.fromName('db', { port: 5432, protocol: ServiceProtocol.TCP });
    const zt = new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), allow: [], deny: [{ callers: [Identity.serviceAccount('web')], to: db, methods: [HttpMethod.DELETE] }] });
    expect(zt.warnings[0]).toContain('deny[0]: deny rules with methods or paths on db, which speaks TCP, deny all of its TCP traffic from these callers');
    const chart2 = shopChart();
    const ok = new ZeroTrustNamespace(chart2, 'zt', { mesh: Mesh.istio(), allow: [], deny: [{ callers: [Identity.serviceAccount('web')], to: db }] });
    expect(ok.warnings).toEqual([]);
  });

  test('every exception states its reason; ports, names and JWT settings are checked', () => {
    expect(fails(SEED(Mesh.istio(), { mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: '' }] }))).toContain('mtlsExceptions[0].reason: got "": every exception states its reason');
    expect(fails(SEED(Mesh.istio(), { mtlsExceptions: [{ service: payment(), port: 0, mode: MtlsExceptionMode.PERMISSIVE, reason: 'metrics' }] }))).toContain('mtlsExceptions[0].port: got 0');
    expect(fails(SEED(Mesh.istio(), { jwt: { ...JWT, jwksUri: 'ftp://keys' } }))).toContain('jwt.jwksUri: got "ftp://keys": the JWKS URI must be an http or https URL');
    expect(fails({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('a')], to: payment(), requireJwt: true }] })).toContain('allow[0].requireJwt: got true: no JWT issuer is configured; set jwt: { issuer, jwksUri }');
    expect(fails({ mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('a')], to: payment(), paths: [PathMatch.regex('/a.*')] }] })).toContain('authorization paths are exact or prefix matches');
    expect(fails({ mesh: Mesh.istio(), allow: [{ name: 'x', callers: [Identity.serviceAccount('a')], to: payment() }, { name: 'x', callers: [Identity.serviceAccount('b')], to: payment() }] })).toContain('allow[1].name: got "x": rule names must be unique');
    expect(fails({ mesh: Mesh.istio(), allow: [{ callers: [Identity.network('10.0.0.0')], to: payment() }] })).toContain('is not a CIDR');
  });

  test('a chart without a namespace needs one', () => {
    const chart = new Chart(Testing.app(), 'no-ns');
    expect(() => new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.istio()))).toThrow('[no-ns/zt] namespace: got undefined: a zero-trust namespace needs a namespace');
  });
});

describe('Linkerd exceptions', () => {
  test('a port exception with no allow rule on it opens the port to unauthenticated clients', () => {
    const out = synth({ mesh: Mesh.linkerd(), allow: [], mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'Prometheus scrapes from outside the mesh' }] });
    expect(one(out, 'Server', 'payment-9090').spec).toMatchObject({ port: 9090, accessPolicy: 'all-unauthenticated' });
  });
});

describe('Linkerd exceptions and L121', () => {
  test('an exception Server states its reason, so the analyzer does not report it as opened by mistake; a bare open Server is reported', () => {
    const out = synth({ mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('web')], to: order() }], mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'Prometheus scrapes from outside the mesh' }] });
    const server = one(out, 'Server', 'payment-9090');
    expect(server.metadata.annotations).toEqual({ 'cdk8s-mesh.io/access-policy-reason': 'mtlsExceptions: Prometheus scrapes from outside the mesh' });
    expect(MeshAnalyzer.analyzeObjects(out, { defaultNamespace: 'shop' }).findings.filter(f => f.code === 'L121')).toEqual([]);
    const bare = out.map(o => o === server ? { ...o, metadata: { ...o.metadata, annotations: undefined } } : o);
    expect(MeshAnalyzer.analyzeObjects(bare, { defaultNamespace: 'shop' }).findings.map(f => f.code)).toContain('L121');
  });
});

describe('the namespace name', () => {
  test('63 characters is accepted, 64 refused (a DNS-1123 label)', () => {
    const ns = 'a'.repeat(63);
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.istio(), { namespace: ns }));
    expect(one(synthValidated(chart), 'PeerAuthentication', 'default').metadata.namespace).toBe(ns);
    expect(fails(SEED(Mesh.istio(), { namespace: `${ns}a` }))).toContain('namespace: got "');
  });
});

describe('Linkerd: overlapping method and path rules', () => {
  // Linkerd authorizes a request on the one inbound route it selects (the most specific path, then a
  // method): GET /api/x selects the /api route, which must then also carry the rule allowing GET anywhere
  test('every request is authorized by every rule that allows it (found by the reachability property)', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.linkerd(),
      allow: [
        { name: 'reads', callers: [Identity.serviceAccount('a')], to: payment(), methods: [HttpMethod.GET] },
        { name: 'api', callers: [Identity.serviceAccount('b')], to: payment(), paths: [PathMatch.prefix('/api')] },
      ],
    });
    const out = synthValidated(chart);
    const routes = Object.fromEntries(ofKind(out, 'HTTPRoute').filter(notScrapes).map(r => [r.metadata.name, r.spec.rules[0].matches]));
    expect(routes).toEqual({
      'payment-default': [{ path: { type: 'PathPrefix', value: '/' } }],
      'reads': [{ path: { type: 'PathPrefix', value: '/' }, method: 'GET' }],
      'api': [{ path: { type: 'PathPrefix', value: '/api' } }],
      'payment-shared-1': [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }],
    });
    const onShared = ofKind(out, 'AuthorizationPolicy').filter(p => p.spec.targetRef.name === 'payment-shared-1').map(p => p.spec.requiredAuthenticationRefs[0].name).sort();
    expect(onShared).toEqual(['api', 'reads']);
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, method: string, path: string) => matrix.check({ caller: `shop/${caller}`, service: 'shop/payment', method, path }).allowed;
    expect([call('a', 'GET', '/api/x'), call('a', 'GET', '/x'), call('a', 'POST', '/api/x')]).toEqual([true, true, false]);
    expect([call('b', 'GET', '/api/x'), call('b', 'POST', '/api/x'), call('b', 'GET', '/x')]).toEqual([true, true, false]);
  });
});

describe('Linkerd: a rule is for the port it names (issue 25)', () => {
  test('admin -> payment:9090 and order -> payment:8080 land on their own port\'s Server; order does not gain 9090', () => {
    const chart = shopChart();
    const admin = ServiceRef.fromName('payment', { port: 9090 });
    const api = ServiceRef.fromName('payment', { port: 8080 });
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.linkerd(),
      allow: [
        { name: 'admin', callers: [Identity.serviceAccount('admin')], to: admin },
        { name: 'orders', callers: [Identity.serviceAccount('order')], to: api },
      ],
    });
    new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, selector: kplus.Pods.select(chart, 'p', { labels: { app: 'payment' } }), ports: [{ port: 8080, name: 'http' }, { port: 9090, name: 'admin' }] });
    const out = synthValidated(chart);
    expect(one(out, 'AuthorizationPolicy', 'admin').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-9090' });
    expect(one(out, 'AuthorizationPolicy', 'orders').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' });
    expect(one(out, 'Server', 'payment-9090').spec).toMatchObject({ port: 9090, accessPolicy: 'deny' });
    expect(one(out, 'Server', 'payment-8080').spec).toMatchObject({ port: 8080, accessPolicy: 'deny' });
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, port: number) => m.check({ caller: `shop/${caller}`, service: 'shop/payment', port }).allowed;
    expect([call('order', 8080), call('order', 9090), call('admin', 9090), call('admin', 8080)]).toEqual([true, false, true, false]);
  });

  test('hand-written YAML: the reachability matrix decides a request on the Server of the called port', () => {
    const docs = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payment', namespace: 'shop' }, spec: { selector: { app: 'payment' }, ports: [{ port: 80, targetPort: 8080 }, { port: 9090 }] } },
      { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 8080, accessPolicy: 'deny' } },
      { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'admin', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 9090, accessPolicy: 'deny' } },
      { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'shop' }, spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api' }, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'order' }] } },
    ];
    const m = ReachabilityMatrix.fromManifests(docs, { defaultNamespace: 'shop' });
    expect(m.check({ caller: 'shop/order', service: 'shop/payment', port: 80 }).allowed).toBe(true);
    expect(m.check({ caller: 'shop/order', service: 'shop/payment', port: 9090 })).toMatchObject({ allowed: false, reason: expect.stringContaining('Server shop/admin') });
  });

  describe('hand-written YAML: on a gRPC or opaque Server the proxy applies no policy.linkerd.io HTTPRoute, so neither does the matrix (policy-controller/grpc/src/inbound.rs to_server)', () => {
    const docs = (proxyProtocol: string) => yaml.loadAll(`
apiVersion: v1
kind: Service
metadata: { name: payment, namespace: shop }
spec: { selector: { app: payment }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: payment-8080, namespace: shop }
spec: { podSelector: { matchLabels: { app: payment } }, port: 8080, proxyProtocol: ${proxyProtocol}, accessPolicy: deny }
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: { name: charge, namespace: shop }
spec:
  parentRefs: [{ group: policy.linkerd.io, kind: Server, name: payment-8080 }]
  rules: [{ matches: [{ path: { type: PathPrefix, value: / } }] }]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: charge-from-order, namespace: shop }
spec:
  targetRef: { group: policy.linkerd.io, kind: HTTPRoute, name: charge }
  requiredAuthenticationRefs: [{ kind: ServiceAccount, name: order }]
`);
    test.each(['gRPC', 'opaque'])('%s: the route\'s policy admits nobody, the caller is denied by the Server\'s deny', (proxyProtocol) => {
      const decision = ReachabilityMatrix.fromManifests(docs(proxyProtocol), { defaultNamespace: 'shop' }).check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/pay.Payment/Charge' });
      expect(decision).toEqual(expect.objectContaining({ allowed: false, reason: expect.stringContaining('Server shop/payment-8080 accessPolicy deny') }));
    });
    test.each(['HTTP/1', 'HTTP/2', 'unknown'])('%s: the route\'s policy admits the caller, as before', (proxyProtocol) => {
      const decision = ReachabilityMatrix.fromManifests(docs(proxyProtocol), { defaultNamespace: 'shop' }).check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/pay.Payment/Charge' });
      expect(decision).toEqual(expect.objectContaining({ allowed: true, reason: expect.stringContaining('charge-from-order (on HTTPRoute charge)') }));
    });
  });
});

describe('Linkerd: namespaceObject and catch-all paths (issue 25)', () => {
  test('a namespaceObject with another name is refused (the default would land on the wrong Namespace)', () => {
    const msg = failureOf(chart => new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd(), { namespaceObject: new kplus.Namespace(chart, 'ns', { metadata: { name: 'billing' } }) })));
    expect(msg).toContain('[test/zt] namespaceObject: got "billing": not the Namespace of shop, whose workloads the pattern configures');
    expect(msg).toContain('pass the Namespace named shop');
  });

  test('paths: [prefix(\'/\')] without methods allows every request (it is server-wide, not a route tying with the catch-all)', () => {
    const out = synth({
      mesh: Mesh.linkerd(),
      allow: [
        { name: 'all', callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/')] },
        { name: 'api', callers: [Identity.serviceAccount('web')], to: payment(), paths: [PathMatch.prefix('/api')] },
      ],
    });
    expect(one(out, 'AuthorizationPolicy', 'all').spec.targetRef).toEqual({ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' });
    expect(ofKind(out, 'HTTPRoute').filter(notScrapes).map(r => r.metadata.name).sort()).toEqual(['api', 'payment-default']);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, path: string) => m.check({ caller: `shop/${caller}`, service: 'shop/payment', method: 'POST', path }).allowed;
    expect([call('order', '/x'), call('order', '/api/x'), call('web', '/api/x'), call('web', '/x')]).toEqual([true, true, true, false]);
  });
});

describe('Linkerd: identities, scrapes, probes, PERMISSIVE (issues 16 and 25)', () => {
  test('identityRefs keep the caller\'s namespace', () => {
    const out = synth({ mesh: Mesh.linkerd(), allow: [{ name: 'x', callers: [Identity.serviceAccount('order', { namespace: 'billing' }), Identity.serviceAccount('web')], to: payment() }] });
    expect(one(out, 'MeshTLSAuthentication', 'x').spec.identityRefs).toEqual([{ kind: 'ServiceAccount', name: 'order', namespace: 'billing' }, { kind: 'ServiceAccount', name: 'web' }]);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect([m.check({ caller: 'billing/order', service: 'shop/payment' }).allowed, m.check({ caller: 'shop/order', service: 'shop/payment' }).allowed]).toEqual([true, false]);
  });

  test('STRICT (deny) writes what linkerd viz allow-scrapes writes; PERMISSIVE (audit) does not need it', () => {
    const out = synth(SEED(Mesh.linkerd()));
    expect(one(out, 'Server', 'proxy-admin').spec).toEqual({ podSelector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] }, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' });
    expect(one(out, 'HTTPRoute', 'proxy-metrics').spec.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/metrics' } }] }]);
    expect(one(out, 'AuthorizationPolicy', 'prometheus-scrape').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-metrics' },
      requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'linkerd-viz' }],
    });
    expect(one(out, 'AuthorizationPolicy', 'proxy-probes').spec.requiredAuthenticationRefs).toEqual([{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'kubelet' }]);
    // the app's ports are still decided by their own Servers
    expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'shop/web', service: 'shop/order' }).allowed).toBe(true);
    expect(ofKind(synth(SEED(Mesh.linkerd(), { mtls: MtlsPhase.PERMISSIVE })), 'Server').map(s => s.metadata.name)).not.toContain('proxy-admin');
  });

  test('Mesh.linkerd prometheus: its service account may scrape the proxies too (a policy of its own), viz\'s Prometheus still may', () => {
    const out = synth(SEED(Mesh.linkerd({ prometheus: { namespace: 'monitoring', serviceAccount: 'kube-prometheus-stack-prometheus' } })));
    expect(one(out, 'AuthorizationPolicy', 'prometheus-scrape-operator').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-metrics' },
      requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'kube-prometheus-stack-prometheus', namespace: 'monitoring' }],
    });
    expect(one(out, 'AuthorizationPolicy', 'prometheus-scrape').spec.requiredAuthenticationRefs).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'linkerd-viz' }]);
    // without the option (or naming viz's own Prometheus), only viz's Prometheus
    expect(ofKind(synth(SEED(Mesh.linkerd())), 'AuthorizationPolicy').map(p => p.metadata.name)).not.toContain('prometheus-scrape-operator');
    expect(ofKind(synth(SEED(Mesh.linkerd({ prometheus: { namespace: 'linkerd-viz', serviceAccount: 'prometheus' } }))), 'AuthorizationPolicy').map(p => p.metadata.name)).not.toContain('prometheus-scrape-operator');
  });

  test('PERMISSIVE warns that audit enforces no allow rule; STRICT does not', () => {
    const chart = shopChart();
    const permissive = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd(), { mtls: MtlsPhase.PERMISSIVE }));
    expect(permissive.warnings).toContainEqual(expect.stringContaining('PERMISSIVE is written as Linkerd\'s audit policy in shop: during this phase every request is allowed'));
    const strict = new ZeroTrustNamespace(shopChart(), 'zt', SEED(Mesh.linkerd()));
    expect(strict.warnings.filter(w => w.includes('audit'))).toEqual([]);
  });

  test('routes on a Server of a known workload: the probe route Linkerd would write, merged with the rules that cover the probe path', () => {
    const chart = shopChart();
    const pods = { labels: { app: 'payment' } };
    new kplus.Deployment(chart, 'payment-deploy', {
      podMetadata: pods,
      containers: [{ image: 'payment:1', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }), liveness: kplus.Probe.fromHttpGet('/metrics', { port: 9090 }), securityContext: { user: 1000 } }],
    });
    const zt = new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.linkerd(),
      allow: [
        { name: 'reads', callers: [Identity.serviceAccount('web')], to: payment(), methods: [HttpMethod.GET] },
        { name: 'pay', callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.POST], paths: [PathMatch.exact('/pay')] },
      ],
    });
    const out = synthValidated(chart);
    expect(zt.warnings.filter(w => w.includes('probes'))).toEqual([]);
    // GET /healthz is selected by its own (Exact) route, which carries the kubelet's authorization and the GET rule
    const probeRoute = ofKind(out, 'HTTPRoute').find(r => r.spec.rules[0].matches.length === 1 && r.spec.rules[0].matches[0].path.value === '/healthz');
    expect(probeRoute.spec.rules[0].matches).toEqual([{ path: { type: 'Exact', value: '/healthz' }, method: 'GET' }]);
    const onProbe = ofKind(out, 'AuthorizationPolicy').filter(p => p.spec.targetRef.name === probeRoute.metadata.name);
    expect(onProbe.map(p => p.spec.requiredAuthenticationRefs[0].name).sort()).toEqual(['kubelet', 'reads']);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    const call = (caller: string, method: string, path: string) => m.check({ caller, service: 'shop/payment', method, path }).allowed;
    expect([call('ip:10.0.0.7', 'GET', '/healthz'), call('ip:10.0.0.7', 'POST', '/healthz'), call('ip:10.0.0.7', 'GET', '/x'), call('ip:10.0.0.7', 'GET', '/metrics')]).toEqual([true, false, false, false]);
    expect([call('shop/web', 'GET', '/healthz'), call('shop/order', 'POST', '/pay'), call('shop/order', 'GET', '/healthz')]).toEqual([true, true, false]);
  });

  test('a workload not complete yet (no container) is skipped, with the warning (at synthesis, its pods have a proxy)', () => {
    const chart = shopChart();
    const d = new kplus.Deployment(chart, 'payment-deploy', { podMetadata: { labels: { app: 'payment' } } });
    const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
    d.addContainer({ image: 'payment:1', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080 }), securityContext: { user: 1000 } });
    synthValidated(chart);
    expect(zt.warnings).toContainEqual(expect.stringContaining('no workload of this cluster defined before this construct selects payment\'s pods'));
  });

  test('a known workload without httpGet probes on the port: no probe route and no warning', () => {
    const chart = shopChart();
    new kplus.Deployment(chart, 'payment-deploy', { podMetadata: { labels: { app: 'payment' } }, containers: [{ image: 'payment:1', portNumber: 8080, securityContext: { user: 1000 } }] });
    const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
    expect(zt.warnings.filter(w => w.includes('probes'))).toEqual([]);
    expect(ofKind(synthValidated(chart), 'HTTPRoute').map(r => r.metadata.name)).not.toContain('payment-probes');
  });

  test('routes on a Server warn that the kubelet\'s probes are no longer authorized; server-wide rules do not', () => {
    const chart = shopChart();
    const routed = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
    // decided at synthesis (on the app's workloads then)
    expect(routed.warnings.filter(w => w.includes('no longer authorizes'))).toEqual([]);
    synthValidated(chart);
    expect(routed.warnings).toContainEqual('Server shop/payment-8080 gets HTTPRoutes (rules with methods or paths), so Linkerd no longer authorizes the kubelet\'s httpGet probes on port 8080 by itself, '
      + 'and no workload of this cluster defined before this construct selects payment\'s pods to read their probe paths from: if they probe this port over HTTP, the probes get 403 and the pods never become Ready. '
      + 'Fix, opening nothing: define the workloads first, or probe another port. '
      + 'Or admit the kubelet: { name: \'payment-http-probes\', to: payment, callers: [Identity.network(\'<CIDR>\')], methods: [HttpMethod.GET], paths: [PathMatch.exact(\'/healthz\')] } with its mtlsExceptions entry. '
      + 'The CIDR: node IPs (bridge CNIs: each node\'s pod-CIDR gateway; VPC CNIs: a range shared with pods), seen as client.ip in the proxy\'s "Request denied" log; any unauthenticated client in it can then GET those paths');
    expect(routed.warnings.filter(w => w.includes('order-8080'))).toEqual([]);
    // once, however often the app is synthesized
    synthValidated(chart);
    expect(routed.warnings.filter(w => w.includes('no longer authorizes'))).toHaveLength(1);
  });

  test('the probe route holds the probe paths of the pods with a proxy on the port only (not of pods without a proxy, nor of pods whose skip-inbound-ports lists it: their probes never reach the proxy)', () => {
    const probePaths = (...pods: [string, { [k: string]: string }, { [k: string]: unknown }?][]) => {
      const chart = shopChart();
      for (const [path, annotations, spec] of pods) {
        new ApiObject(chart, `pods-${path.slice(1)}`, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `payment-${path.slice(1)}` },
          spec: {
            selector: { matchLabels: { app: 'payment', path: path.slice(1) } },
            template: {
              metadata: { labels: { app: 'payment', path: path.slice(1) }, annotations },
              spec: { ...spec, containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path, port: 8080 } } }] },
            },
          },
        });
      }
      const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
      const out = synthValidated(chart);
      expect(zt.warnings.filter(w => w.includes('no longer authorizes'))).toEqual([]);
      return ofKind(out, 'HTTPRoute').filter(r => r.metadata.name === 'payment-probes').flatMap(r => r.spec.rules[0].matches.map((m: any) => m.path.value));
    };
    expect(probePaths(['/healthz', {}], ['/debug', { 'linkerd.io/inject': 'disabled' }], ['/ready', { 'config.linkerd.io/skip-inbound-ports': '8080' }], ['/host', {}, { hostNetwork: true }])).toEqual(['/healthz']);
    // the other side: each of them with a proxy on the port
    expect(probePaths(['/healthz', {}], ['/debug', { 'linkerd.io/inject': 'enabled' }], ['/ready', { 'config.linkerd.io/skip-inbound-ports': '9090' }])).toEqual(['/debug', '/healthz', '/ready']);
    // only pods without a proxy on the port: known, no probe route and no warning
    expect(probePaths(['/debug', { 'linkerd.io/inject': 'disabled' }])).toEqual([]);
  });

  // the warning is decided at synthesis, on the app's workloads then (those defined after the construct too): pods
  // without a proxy, or whose probe port proxy-init does not redirect, need no probe route (nothing refuses their
  // probes), as warnProbes and warnUncoveredGrpcProbes skip them
  describe('the probe warning skips the pods without a proxy on the port, defined after the construct', () => {
    /** payment's Deployment, as hand-written YAML, with an httpGet probe on 8080 and `annotations` on its pods. */
    const paymentAfter = (chart: Chart, annotations: { [k: string]: string }, id = 'payment-pods', spec: { [k: string]: unknown } = {}) => new ApiObject(chart, id, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: id },
      spec: {
        selector: { matchLabels: { app: 'payment' } },
        template: {
          metadata: { labels: { app: 'payment' }, annotations },
          spec: { ...spec, containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } }] },
        },
      },
    });
    const NO_PROBES = 'no workload of this cluster defined before this construct selects payment\'s pods';
    const warned = (...pods: [{ [k: string]: string }, { [k: string]: unknown }?][]) => {
      const chart = shopChart();
      const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
      pods.forEach(([annotations, spec], i) => paymentAfter(chart, annotations, `payment-${i}`, spec));
      synthValidated(chart);
      return zt.warnings.filter(w => w.includes(NO_PROBES)).length;
    };

    test('not warned: linkerd.io/inject disabled (or a value the injector does not know), hostNetwork, or the port in skip-inbound-ports', () => {
      expect(warned([{ 'linkerd.io/inject': 'disabled' }])).toBe(0);
      expect(warned([{ 'linkerd.io/inject': 'nope' }])).toBe(0);
      expect(warned([{}, { hostNetwork: true }])).toBe(0);
      expect(warned([{ 'config.linkerd.io/skip-inbound-ports': '8000-8100' }])).toBe(0);
      expect(warned([{ 'linkerd.io/inject': 'disabled' }], [{ 'config.linkerd.io/skip-inbound-ports': '8080' }])).toBe(0);
    });

    test('warned: an injected pod (defined after: its probe paths are not in the routes), another port skipped, or one injected workload among uninjected ones; and when no workload selects the pods', () => {
      expect(warned([{}])).toBe(1);
      expect(warned([{ 'linkerd.io/inject': 'enabled' }])).toBe(1);
      expect(warned([{ 'config.linkerd.io/skip-inbound-ports': '9090,8081-8090' }])).toBe(1);
      expect(warned([{ 'linkerd.io/inject': 'disabled' }], [{}])).toBe(1);
      expect(warned()).toBe(1);
    });

    test('only the pods payment\'s selector selects count: an injected workload of other pods does not make proxy-less payment pods warned', () => {
      const withOther = (labels: { [k: string]: string }) => {
        const chart = shopChart();
        const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
        paymentAfter(chart, { 'linkerd.io/inject': 'disabled' });
        new ApiObject(chart, 'other-pods', {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'other' },
          spec: {
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } }] } },
          },
        });
        synthValidated(chart);
        return zt.warnings.filter(w => w.includes(NO_PROBES)).length;
      };
      expect(withOther({ app: 'other' })).toBe(0);
      // the other side: the same injected workload with payment's labels is selected, and warned of
      expect(withOther({ app: 'payment' })).toBe(1);
    });

    test('a workload without a proxy defined before the construct does not count as read: an injected one defined after is still warned of', () => {
      const chart = shopChart();
      paymentAfter(chart, { 'linkerd.io/inject': 'disabled' }, 'payment-before');
      const zt = new ZeroTrustNamespace(chart, 'zt', SEED(Mesh.linkerd()));
      paymentAfter(chart, {}, 'payment-after');
      synthValidated(chart);
      expect(zt.warnings.filter(w => w.includes(NO_PROBES))).toHaveLength(1);
    });
  });
});
