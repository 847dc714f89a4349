import * as yaml from 'js-yaml';
import {
  GrpcMethodMatch, HttpMethod, Identity, IstioDataPlane, LinkerdRouteApi, ManifestValidator, Mesh, MeshAnalyzer, PathMatch, ReachabilityMatrix, ServiceProtocol,
  ServiceRef, Severity, ZeroTrustNamespace, ZeroTrustNamespaceProps,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

// Linkerd zero trust on a gRPC port: rules with grpcMethods are written as Gateway API GRPCRoutes on the port's Server,
// the one kind of route Linkerd's policy controller sends a gRPC Server's proxy (policy-controller/grpc/src/inbound.rs
// to_server), with AuthorizationPolicies on them

captureStderr();

const SVC = 'shop.payment.v1.Payment';
const payment = (protocol: ServiceProtocol = ServiceProtocol.GRPC) => ServiceRef.fromName('payment', { port: 80, targetPort: 8080, protocol });

/** order may Charge, admin may call every Payment method, web (a server-wide rule) anything on the port. */
const GRPC = (over: Partial<ZeroTrustNamespaceProps> = {}): ZeroTrustNamespaceProps => ({
  mesh: Mesh.linkerd(),
  allow: [
    { name: 'charge', callers: [Identity.serviceAccount('order')], to: payment(), grpcMethods: [GrpcMethodMatch.method(SVC, 'Charge')] },
    { name: 'payment-admin', callers: [Identity.serviceAccount('admin')], to: payment(), grpcMethods: [GrpcMethodMatch.service(SVC)] },
    { name: 'web', callers: [Identity.serviceAccount('web')], to: payment() },
  ],
  ...over,
});

function synth(p: ZeroTrustNamespaceProps): any[] {
  const chart = shopChart();
  new ZeroTrustNamespace(chart, 'zero-trust', p);
  return synthValidated(chart);
}

const fails = (p: ZeroTrustNamespaceProps) => failureOf(chart => new ZeroTrustNamespace(chart, 'zero-trust', p));
const SCRAPES = ['proxy-admin', 'proxy-metrics', 'proxy-probes', 'prometheus-scrape', 'kubelet'];
const policies = (out: any[]) => ofKind(out, 'AuthorizationPolicy').filter(o => !SCRAPES.includes(o.metadata.name))
  .map(a => `${a.metadata.name} -> ${a.spec.targetRef.group} ${a.spec.targetRef.kind} ${a.spec.targetRef.name}`).sort();

describe('Linkerd: rules with grpcMethods on a gRPC port become GRPCRoutes on its Server', () => {
  test('one GRPCRoute per rule shape, the overlap on a route of its own carrying both rules, a catch-all route; policies target the GRPCRoutes', () => {
    const out = synth(GRPC());
    const parentRefs = [{ group: 'policy.linkerd.io', kind: 'Server', name: 'payment-8080' }];
    expect(one(out, 'Server', 'payment-8080').spec).toMatchObject({ proxyProtocol: 'gRPC', accessPolicy: 'deny' });
    expect(ofKind(out, 'HTTPRoute').filter(o => !SCRAPES.includes(o.metadata.name))).toEqual([]);
    const routes = ofKind(out, 'GRPCRoute');
    expect(routes.map(r => [r.apiVersion, r.metadata.name])).toEqual([
      ['gateway.networking.k8s.io/v1', 'payment-default'], ['gateway.networking.k8s.io/v1', 'payment-shared-1'], ['gateway.networking.k8s.io/v1', 'payment-admin'],
    ]);
    // a rule without matches matches every request (GRPCRouteRule.matches): the server-wide rule keeps every method
    expect(one(out, 'GRPCRoute', 'payment-default').spec).toEqual({ parentRefs, rules: [{}] });
    expect(one(out, 'GRPCRoute', 'payment-admin').spec).toEqual({ parentRefs, rules: [{ matches: [{ method: { type: 'Exact', service: SVC } }] }] });
    // Charge is admin's and order's: Linkerd authorizes a request on the one route it selects, so that route carries both
    expect(one(out, 'GRPCRoute', 'payment-shared-1').spec).toEqual({ parentRefs, rules: [{ matches: [{ method: { type: 'Exact', service: SVC, method: 'Charge' } }] }] });
    expect(one(out, 'GRPCRoute', 'payment-shared-1').metadata.annotations).toEqual({ 'cdk8s-mesh.io/rules': 'charge,payment-admin' });
    expect(policies(out)).toEqual([
      'payment-admin -> gateway.networking.k8s.io GRPCRoute payment-admin',
      'payment-shared-1-charge -> gateway.networking.k8s.io GRPCRoute payment-shared-1',
      'payment-shared-1-payment-admin -> gateway.networking.k8s.io GRPCRoute payment-shared-1',
      'web -> policy.linkerd.io Server payment-8080',
    ]);
  });

  test('the reachability matrix reads the GRPCRoutes back: each caller gets the methods its rule names', () => {
    const m = ReachabilityMatrix.fromManifests(synth(GRPC()), { defaultNamespace: 'shop' });
    const call = (caller: string, method: string) => m.check({ caller: `shop/${caller}`, service: 'shop/payment', method: 'POST', path: `/${method}` });
    expect(call('order', `${SVC}/Charge`)).toMatchObject({ allowed: true, reason: expect.stringContaining('payment-shared-1-charge (on GRPCRoute payment-shared-1)') });
    expect(call('order', `${SVC}/Refund`)).toMatchObject({ allowed: false, reason: expect.stringContaining('Server shop/payment-8080 accessPolicy deny') });
    expect(call('order', 'grpc.health.v1.Health/Check').allowed).toBe(false);
    expect(call('admin', `${SVC}/Charge`).allowed).toBe(true);
    expect(call('admin', `${SVC}/Refund`)).toMatchObject({ allowed: true, reason: expect.stringContaining('(on GRPCRoute payment-admin)') });
    expect(call('admin', 'grpc.health.v1.Health/Check').allowed).toBe(false);
    // the server-wide rule: on the Server, which Linkerd adds to every route's authorizations
    expect(call('web', `${SVC}/Charge`)).toMatchObject({ allowed: true, reason: expect.stringContaining('(on Server payment-8080)') });
    expect(call('web', 'grpc.health.v1.Health/Check').allowed).toBe(true);
    expect(call('other', `${SVC}/Charge`).allowed).toBe(false);
  });

  test('without a server-wide rule the catch-all route is still written: a method no rule names is refused by the Server\'s deny, not for want of a route', () => {
    const out = synth(GRPC({ allow: GRPC().allow.slice(0, 1) }));
    expect(ofKind(out, 'GRPCRoute').map(r => r.metadata.name)).toEqual(['payment-default', 'charge']);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(m.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: `/${SVC}/Charge` }).allowed).toBe(true);
    expect(m.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: `/${SVC}/Refund` }))
      .toMatchObject({ allowed: false, reason: expect.stringContaining('no AuthorizationPolicy authorizes the caller; Server shop/payment-8080 accessPolicy deny') });
  });

  test('the analyzer finds nothing to warn of in the output (L124: a GRPCRoute on a gRPC Server is applied)', () => {
    const findings = MeshAnalyzer.analyzeObjects(synth(GRPC()), { defaultNamespace: 'shop' }).findings.filter(f => f.severity !== Severity.INFO);
    expect(findings.map(f => `${f.code} ${f.message}`)).toEqual([]);
  });

  test('routeApi POLICY (a cluster without the Gateway API CRDs): grpcMethods refused, naming the CRD; rules without them are written', () => {
    expect(fails(GRPC({ mesh: Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY }) })))
      .toContain('[test/zero-trust] allow[0].grpcMethods: got "shop.payment.v1.Payment/Charge": Linkerd cannot express this (a gRPC method rule is a Gateway API GRPCRoute');
    const out = synth(GRPC({ mesh: Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY }), allow: [{ name: 'web', callers: [Identity.serviceAccount('web')], to: payment() }] }));
    expect(ofKind(out, 'GRPCRoute')).toEqual([]);
  });

  test('a GRPCRoute rule holds at most 8 matches (Linkerd\'s bundled Gateway API v1.1.1 CRD): more go to further rules of the route, up to 128 in all (16 rules: the CRD\'s CEL rule is <= 128); 129 are refused', () => {
    const methods = (n: number) => Array.from({ length: n }, (_, i) => GrpcMethodMatch.method(SVC, `M${i}`));
    const sizes = (n: number) => one(synth(GRPC({ allow: [{ name: 'many', callers: [Identity.serviceAccount('order')], to: payment(), grpcMethods: methods(n) }] })), 'GRPCRoute', 'many')
      .spec.rules.map((r: any) => r.matches.length);
    expect(sizes(8)).toEqual([8]);
    expect(sizes(9)).toEqual([8, 1]);
    expect(sizes(128)).toEqual(Array(16).fill(8));
    expect(fails(GRPC({ allow: [{ name: 'many', callers: [Identity.serviceAccount('order')], to: payment(), grpcMethods: methods(129) }] })))
      .toContain('[test/zero-trust] allow[0].grpcMethods: got "129 entries": Linkerd cannot express this (the rule\'s GRPCRoute would hold one method match per entry, and a GRPCRoute holds at most 128 '
        + '(the GRPCRoute CRD\'s CEL rule on spec.rules: the rules\' matches summed <= 128)); split the entries over rules of at most 128 each (each rule gets a GRPCRoute of its own), or allow whole services with GrpcMethodMatch.service(\'<package.Service>\')');
  });

  test('the pinned GRPCRoute CRD\'s CEL rule on spec.rules (matches summed <= 128; its message says "less than 128") admits 128 matches and refuses 129: the limit above is the rule\'s', () => {
    const route = (sizes: number[]) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'many', namespace: 'shop' },
      spec: {
        parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'payment' }],
        rules: sizes.map((n, r) => ({ matches: Array.from({ length: n }, (_, i) => ({ method: { type: 'Exact', service: SVC, method: `M${r}x${i}` } })) })),
      },
    });
    const problems = (sizes: number[]) => ManifestValidator.validateObjects([route(sizes)]).findings
      .filter(f => f.severity !== Severity.INFO).map(f => f.message);
    expect(problems(Array(16).fill(8))).toEqual([]);
    expect(problems([...Array(15).fill(8), 9])).toEqual([expect.stringContaining('the total number of matches across all rules in a route must be less than 128')]);
  });

  test('a route the library shares across rules (their overlaps) holds at most 128 matches too: 128 written (16 rules of 8), 129 refused naming the route, the rules and the fix', () => {
    const S1 = 'shop.a.v1.A';
    const S2 = 'shop.b.v1.B';
    const methods = (svc: string, n: number) => Array.from({ length: n }, (_, i) => GrpcMethodMatch.method(svc, `M${i}`));
    // a: n1 methods of A and every method of B; b: n2 methods of B and every method of A: each of those methods is allowed by both, on the shared route
    const rules = (n1: number, n2: number) => ({
      allow: [
        { name: 'a', callers: [Identity.serviceAccount('order')], to: payment(), grpcMethods: [...methods(S1, n1), GrpcMethodMatch.service(S2)] },
        { name: 'b', callers: [Identity.serviceAccount('admin')], to: payment(), grpcMethods: [...methods(S2, n2), GrpcMethodMatch.service(S1)] },
      ],
    });
    const shared = one(synth(GRPC(rules(64, 64))), 'GRPCRoute', 'payment-shared-1');
    expect(shared.spec.rules.map((r: any) => r.matches.length)).toEqual(Array(16).fill(8));
    expect(shared.metadata.annotations).toEqual({ 'cdk8s-mesh.io/rules': 'a,b' });
    const refused = fails(GRPC(rules(65, 64)));
    expect(refused).toContain('[test/zero-trust] allow[0].grpcMethods: got "129 matches on GRPCRoute payment-shared-1, shared by allow[0] (a), allow[1] (b)": Linkerd cannot express this '
      + '(the gRPC requests that allow[0] (a), allow[1] (b) all allow go to one GRPCRoute carrying each of these rules (Linkerd authorizes a request on the one route it selects), with one method match per '
      + 'overlap of their entries (a service entry of one rule and a method of that service in another, or the same method in both), and a GRPCRoute holds at most 128 matches (the GRPCRoute CRD\'s CEL rule on spec.rules: the rules\' matches summed <= 128)); '
      + 'give these rules fewer overlapping entries, at most 128 together: name whole services in all of them (GrpcMethodMatch.service(\'<package.Service>\')) '
      + 'where they overlap, or merge the rules that allow the same methods into one rule with all of their callers');
    // each rule is within the per-rule limit (66 entries): only the shared route is refused
    expect(refused).not.toContain('problems:');
  });

  test('a duplicate grpcMethods entry is written once', () => {
    const out = synth(GRPC({ allow: [{ name: 'charge', callers: [Identity.serviceAccount('order')], to: payment(), grpcMethods: [GrpcMethodMatch.method(SVC, 'Charge'), GrpcMethodMatch.method(SVC, 'Charge')] }] }));
    expect(one(out, 'GRPCRoute', 'charge').spec.rules[0].matches).toEqual([{ method: { type: 'Exact', service: SVC, method: 'Charge' } }]);
  });
});

describe('refusals name the construct path, the prop, the value and the fix', () => {
  const rule = { name: 'charge', callers: [Identity.serviceAccount('order')] };

  test('HTTP methods or paths on a gRPC port (Linkerd): refused, naming the grpcMethods that say the same', () => {
    const why = 'Linkerd cannot express this (service payment port 8080 is grpc, its Server\'s proxyProtocol gRPC, and Linkerd applies the HTTPRoute and AuthorizationPolicy such a rule is written as only on HTTP/1 and HTTP/2 Servers: '
      + 'the policy controller sends this Server\'s proxy its GRPCRoutes only (policy-controller/grpc/src/inbound.rs to_server), so the rule would admit nobody); name the gRPC services and methods instead, written as GRPCRoutes: ';
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), paths: [PathMatch.exact(`/${SVC}/Charge`), PathMatch.prefix('/grpc.health.v1.Health')] }] }))
      .toContain(`[test/zero-trust] allow[0].paths: got ["exact /${SVC}/Charge","prefix /grpc.health.v1.Health"]: ${why}grpcMethods: [GrpcMethodMatch.method('${SVC}', 'Charge'), GrpcMethodMatch.service('grpc.health.v1.Health')]`);
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), paths: [PathMatch.prefix(`/${SVC}/Refund`), PathMatch.exact('/grpc.health.v1.Health')] }] }))
      .toContain(`${why}grpcMethods: [GrpcMethodMatch.method('${SVC}', 'Refund'), GrpcMethodMatch.method('<package.Service>', '<Method>')]`);
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), methods: [HttpMethod.POST] }] }))
      .toContain(`[test/zero-trust] allow[0].methods: got ["POST"]: ${why}grpcMethods: [GrpcMethodMatch.method('<package.Service>', '<Method>')]`);
  });

  test.each([ServiceProtocol.HTTP, ServiceProtocol.HTTP2, ServiceProtocol.TCP])('grpcMethods on a %s port: refused (a gRPC port only)', protocol => {
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(protocol), grpcMethods: [GrpcMethodMatch.method(SVC, 'Charge')] }] }))
      .toContain(`[test/zero-trust] allow[0].grpcMethods: got ["${SVC}/Charge"]: payment port 8080 is declared ${protocol}, not gRPC; declare the port gRPC (ServiceRef.fromName('payment', { ..., protocol: ServiceProtocol.GRPC })), or use methods and paths for an HTTP port`);
  });

  test('grpcMethods with methods or paths: refused', () => {
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), methods: [HttpMethod.POST], grpcMethods: [GrpcMethodMatch.service(SVC)] }] }))
      .toContain(`[test/zero-trust] allow[0].grpcMethods: got ["${SVC}/*"]: a rule names gRPC methods or HTTP methods and paths, not both; leave methods and paths out of a rule with grpcMethods`);
  });

  test('an empty list, or an entry that is not a GrpcMethodMatch: refused', () => {
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), grpcMethods: [] }] }))
      .toContain('[test/zero-trust] allow[0].grpcMethods: got []: an empty gRPC method list matches nothing; leave grpcMethods out to allow every gRPC method');
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), grpcMethods: [`/${SVC}/Charge` as any] }] }))
      .toContain(`[test/zero-trust] allow[0].grpcMethods[0]: got "/${SVC}/Charge": not a GrpcMethodMatch; use GrpcMethodMatch.method('shop.payment.v1.Payment', 'Charge') or GrpcMethodMatch.service('shop.payment.v1.Payment')`);
  });

  test.each([
    ['a service name with a slash', GrpcMethodMatch.method('shop/Payment', 'Charge'), 'a gRPC service name is dot-separated identifiers'],
    ['a service name starting with a digit', GrpcMethodMatch.service('1shop.Payment'), 'a gRPC service name is dot-separated identifiers'],
    ['a service name of 1025 characters', GrpcMethodMatch.service('a'.repeat(1025)), 'a gRPC service name is at most 1024 characters'],
    ['an empty service name', GrpcMethodMatch.service(''), 'a gRPC service name is required'],
    ['a method name with a dot', GrpcMethodMatch.method(SVC, 'Charge.v2'), 'a gRPC method name is one identifier'],
    ['a method name of 1025 characters', GrpcMethodMatch.method(SVC, 'a'.repeat(1025)), 'a gRPC method name is at most 1024 characters'],
    ['an empty method name', GrpcMethodMatch.method(SVC, ''), 'a gRPC method name is required: use GrpcMethodMatch.service(service) for every method'],
  ])('%s: refused', (_name, match, problem) => {
    // (a long value is shown shortened, with its length)
    const shown = `${match.serviceName}/${match.methodName ?? '*'}`;
    const value = shown.length > 100 ? `"${shown.slice(0, 100)}..." (${shown.length} characters)` : `"${shown}"`;
    expect(fails({ mesh: Mesh.linkerd(), allow: [{ ...rule, to: payment(), grpcMethods: [match] }] }))
      .toContain(`[test/zero-trust] allow[0].grpcMethods[0]: got ${value}: ${problem}`);
  });

  test('the other side of each limit: 1024-character names, underscores and digits, a leading underscore are accepted and validate against the GRPCRoute CRD (its CEL rules)', () => {
    const out = synth(GRPC({
      allow: [{ ...rule, to: payment(), grpcMethods: [GrpcMethodMatch.method('a'.repeat(1024), 'b'.repeat(1024)), GrpcMethodMatch.method('_shop.v1_2.Pay_ment', '_Charge2')] }],
    }));
    expect(one(out, 'GRPCRoute', 'charge').spec.rules[0].matches.map((m: any) => `${m.method.service.length}/${m.method.method.length}`)).toEqual(['1024/1024', '19/8']);
  });
});

describe('Istio and Consul write grpcMethods as the requests\' paths (a gRPC request is POST /<service>/<method>)', () => {
  const MESHES = [['istio', Mesh.istio()], ['istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })], ['linkerd', Mesh.linkerd()], ['consul', Mesh.consul()]] as const;

  test('Istio: a method is its exact path, a service the path and every path under it', () => {
    const out = synth(GRPC({ mesh: Mesh.istio() }));
    const rules = one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules;
    expect(rules.map((r: any) => r.to?.[0]?.operation)).toEqual([
      { ports: ['8080'], paths: [`/${SVC}/Charge`] },
      { ports: ['8080'], paths: [`/${SVC}`, `/${SVC}/*`] },
      { ports: ['8080'] },
    ]);
  });

  test('Consul: a method is pathExact, a service pathExact and pathPrefix /<service>/', () => {
    const out = synth(GRPC({ mesh: Mesh.consul() }));
    const sources = one(out, 'ServiceIntentions', 'payment').spec.sources;
    const rest = { action: 'deny', http: { pathPrefix: '/' } };
    expect(sources.find((x: any) => x.name === 'order').permissions).toEqual([{ action: 'allow', http: { pathExact: `/${SVC}/Charge` } }, rest]);
    expect(sources.find((x: any) => x.name === 'admin').permissions).toEqual([{ action: 'allow', http: { pathExact: `/${SVC}` } }, { action: 'allow', http: { pathPrefix: `/${SVC}/` } }, rest]);
    expect(sources.find((x: any) => x.name === 'web')).toEqual({ name: 'web', action: 'allow' });
  });

  test.each(MESHES)('%s: the matrix gives the same answers as on Linkerd', (_name, mesh) => {
    const m = ReachabilityMatrix.fromManifests(synth(GRPC({ mesh })), { defaultNamespace: 'shop' });
    const call = (caller: string, path: string) => m.check({ caller: `shop/${caller}`, service: 'shop/payment', method: 'POST', path }).allowed;
    expect([call('order', `/${SVC}/Charge`), call('order', `/${SVC}/Refund`), call('order', '/grpc.health.v1.Health/Check')]).toEqual([true, false, false]);
    expect([call('admin', `/${SVC}/Charge`), call('admin', `/${SVC}/Refund`), call('admin', '/grpc.health.v1.Health/Check')]).toEqual([true, true, false]);
    // a service prefix is bounded at the segment: not another service whose name starts with it
    expect(call('admin', `/${SVC}Admin/Charge`)).toBe(false);
    expect([call('web', `/${SVC}/Refund`), call('web', '/grpc.health.v1.Health/Check'), call('other', `/${SVC}/Charge`)]).toEqual([true, true, false]);
  });
});

describe('hand-written YAML: the matrix evaluates a gRPC Server\'s GRPCRoutes as Linkerd does', () => {
  const SERVER = (proxyProtocol: string) => `
apiVersion: v1
kind: Service
metadata: { name: payment, namespace: shop }
spec: { selector: { app: payment }, ports: [{ port: 80, targetPort: 8080 }] }
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: { name: payment-8080, namespace: shop }
spec: { podSelector: { matchLabels: { app: payment } }, port: 8080, proxyProtocol: ${proxyProtocol}, accessPolicy: deny }
`;
  const ROUTE = (name: string, matches: string) => `
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: { name: ${name}, namespace: shop }
spec:
  parentRefs: [{ group: policy.linkerd.io, kind: Server, name: payment-8080 }]
  rules: [{ ${matches} }]
`;
  const POLICY = (name: string, kind: string, target: string, sa: string) => `
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  targetRef: { group: ${kind === 'Server' ? 'policy.linkerd.io' : 'gateway.networking.k8s.io'}, kind: ${kind}, name: ${target} }
  requiredAuthenticationRefs: [{ kind: ServiceAccount, name: ${sa} }]
`;
  const matrix = (text: string) => {
    const docs = yaml.loadAll(text) as any[];
    // the hand-written objects are valid: what is read back is what a cluster would accept
    expect(ManifestValidator.validateObjects(docs).findings.filter(f => f.severity !== Severity.INFO).map(f => f.message)).toEqual([]);
    return ReachabilityMatrix.fromManifests(docs, { defaultNamespace: 'shop' });
  };
  const call = (m: ReachabilityMatrix, caller: string, path: string) => m.check({ caller: `shop/${caller}`, service: 'shop/payment', method: 'POST', path });

  test('a request no GRPCRoute matches is refused, whoever the Server admits (index.rs grpc_routes: the default route only on a Server without routes)', () => {
    const m = matrix(SERVER('gRPC') + ROUTE('charge', `matches: [{ method: { service: ${SVC}, method: Charge } }]`)
      + POLICY('charge-order', 'GRPCRoute', 'charge', 'order') + POLICY('all-web', 'Server', 'payment-8080', 'web'));
    expect(call(m, 'order', `/${SVC}/Charge`)).toMatchObject({ allowed: true, reason: expect.stringContaining('charge-order (on GRPCRoute charge)') });
    expect(call(m, 'web', `/${SVC}/Charge`)).toMatchObject({ allowed: true, reason: expect.stringContaining('all-web (on Server payment-8080)') });
    expect(call(m, 'web', `/${SVC}/Refund`)).toMatchObject({ allowed: false, reason: 'no GRPCRoute of Server shop/payment-8080 matches the request' });
    expect(call(m, 'order', `/${SVC}/Refund`).allowed).toBe(false);
  });

  test('without GRPCRoutes the Server\'s policies decide every method (the default route)', () => {
    const m = matrix(SERVER('gRPC') + POLICY('all-web', 'Server', 'payment-8080', 'web'));
    expect(call(m, 'web', `/${SVC}/Refund`).allowed).toBe(true);
    expect(call(m, 'order', `/${SVC}/Refund`).allowed).toBe(false);
  });

  test('precedence: the route with the longest matching service, then method, decides alone (a method route shadows its service\'s route)', () => {
    // (named so that the order by name, the last tiebreak, would pick the other route: precedence decides, not names)
    const m = matrix(SERVER('gRPC') + ROUTE('z-any', '') + ROUTE('svc', `matches: [{ method: { service: ${SVC} } }]`) + ROUTE('z-charge', `matches: [{ method: { service: ${SVC}, method: Charge } }]`)
      + POLICY('svc-admin', 'GRPCRoute', 'svc', 'admin') + POLICY('charge-order', 'GRPCRoute', 'z-charge', 'order') + POLICY('any-web', 'GRPCRoute', 'z-any', 'web'));
    expect(call(m, 'admin', `/${SVC}/Refund`).allowed).toBe(true);
    expect(call(m, 'admin', `/${SVC}/Charge`).allowed).toBe(false);
    expect(call(m, 'order', `/${SVC}/Charge`).allowed).toBe(true);
    expect(call(m, 'order', `/${SVC}/Refund`).allowed).toBe(false);
    expect(call(m, 'web', '/grpc.health.v1.Health/Check')).toMatchObject({ allowed: true, reason: expect.stringContaining('(on GRPCRoute z-any)') });
    expect(call(m, 'web', `/${SVC}/Refund`).allowed).toBe(false);
  });

  test('a method match without a service matches that method of any service', () => {
    const m = matrix(SERVER('gRPC') + ROUTE('checks', 'matches: [{ method: { method: Check } }]') + POLICY('checks-web', 'GRPCRoute', 'checks', 'web'));
    expect(call(m, 'web', '/grpc.health.v1.Health/Check').allowed).toBe(true);
    expect(call(m, 'web', `/${SVC}/Check`).allowed).toBe(true);
    expect(call(m, 'web', '/grpc.health.v1.Health/Watch').allowed).toBe(false);
  });

  test('a GRPCRoute with a RegularExpression method match is ignored whole (k8s/index/src/routes/grpc.rs try_match)', () => {
    const regex = ROUTE('charge', `matches: [{ method: { type: RegularExpression, service: '${SVC.replace(/\./g, '\\\\.')}', method: 'Ch.*' } }]`);
    const m = matrix(SERVER('gRPC') + regex + POLICY('charge-order', 'GRPCRoute', 'charge', 'order') + POLICY('all-web', 'Server', 'payment-8080', 'web'));
    // no route is applied: the default route, where only the Server's policy decides
    expect(call(m, 'order', `/${SVC}/Charge`).allowed).toBe(false);
    expect(call(m, 'web', `/${SVC}/Charge`).allowed).toBe(true);
    const exact = matrix(SERVER('gRPC') + ROUTE('charge', `matches: [{ method: { type: Exact, service: ${SVC}, method: Charge } }]`) + POLICY('charge-order', 'GRPCRoute', 'charge', 'order'));
    expect(call(exact, 'order', `/${SVC}/Charge`).allowed).toBe(true);
  });

  test.each(['HTTP/1', 'HTTP/2', 'unknown', 'opaque'])('on a %s Server a GRPCRoute is not applied: its policy admits nobody, and it refuses no request', proxyProtocol => {
    const m = matrix(SERVER(proxyProtocol) + ROUTE('charge', `matches: [{ method: { service: ${SVC}, method: Charge } }]`)
      + POLICY('charge-order', 'GRPCRoute', 'charge', 'order') + POLICY('all-web', 'Server', 'payment-8080', 'web'));
    expect(call(m, 'order', `/${SVC}/Charge`)).toMatchObject({ allowed: false, reason: expect.stringContaining('Server shop/payment-8080 accessPolicy deny') });
    expect(call(m, 'web', `/${SVC}/Refund`).allowed).toBe(true);
  });

  describe('analyzer L124', () => {
    const l124 = (text: string) => MeshAnalyzer.analyzeYaml(text).findings.filter(f => f.code === 'L124').map(f => f.message);
    const route = ROUTE('charge', `matches: [{ method: { service: ${SVC}, method: Charge } }]`);

    test('a GRPCRoute on a gRPC Server: no finding', () => {
      expect(l124(SERVER('gRPC') + route)).toEqual([]);
    });

    test.each([
      ['HTTP/1', 'HTTPRoutes only', ', or write an HTTPRoute for per-path rules'],
      ['HTTP/2', 'HTTPRoutes only', ', or write an HTTPRoute for per-path rules'],
      ['unknown', 'HTTPRoutes only', ', or write an HTTPRoute for per-path rules'],
      ['opaque', 'no routes', ''],
      ['TLS', 'no routes', ''],
    ])('a GRPCRoute on a %s Server: warned, as Linkerd never applies it', (proxyProtocol, sent, fix) => {
      expect(l124(SERVER(proxyProtocol) + route)).toEqual([
        `GRPCRoute charge is attached to Server payment-8080, whose proxyProtocol is ${proxyProtocol}: Linkerd sends its proxy ${sent}, so this route and the AuthorizationPolicies on it never apply (under a deny accessPolicy their callers are refused); `
        + `authorize the callers on the Server (targetRef kind Server), or set proxyProtocol gRPC if the port speaks gRPC${fix}`,
      ]);
    });

    test('a Server without proxyProtocol is detected (unknown): a GRPCRoute on it is warned', () => {
      const text = SERVER('gRPC').replace(', proxyProtocol: gRPC', '') + route;
      expect(l124(text)).toEqual([expect.stringContaining('GRPCRoute charge is attached to Server payment-8080, whose proxyProtocol is unknown: Linkerd sends its proxy HTTPRoutes only')]);
    });
  });
});
