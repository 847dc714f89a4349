import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import { HttpMethod, Identity, IngressApi, IngressGateway, IngressGatewayProps, IstioDataPlane, Mesh, MeshAnalyzer, ReachabilityMatrix, ResilientService, ServiceProtocol, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { envoyGatewayServiceAccount } from '../../../src/private/envoy-gateway';
import { captureStderr, failureOf, one, ofKind, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

const web = () => ServiceRef.fromName('web', { port: 80 });
const order = () => ServiceRef.fromName('order', { port: 80 });
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'] };
const props = (mesh: Mesh, over: Partial<IngressGatewayProps> = {}): IngressGatewayProps => ({
  mesh,
  host: 'shop.example.com',
  tlsSecretName: 'shop-example-com-tls',
  gatewayClassName: mesh.kind === 'linkerd' ? 'eg' : undefined,
  routes: [{ pathPrefix: '/', service: web() }, { pathPrefix: '/api', service: order() }],
  ...over,
});
const synth = (p: IngressGatewayProps, chart: Chart = shopChart()) => {
  new IngressGateway(chart, 'shop', p);
  return synthValidated(chart);
};
const dump = (objs: any[]) => objs.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');

describe('snapshots, validated against the pinned CRDs', () => {
  test.each([
    ['istio (Istio API, JWT at the edge)', props(Mesh.istio(), { jwt: JWT })],
    ['istio (Gateway API)', props(Mesh.istio(), { api: IngressApi.GATEWAY_API })],
    ['linkerd', props(Mesh.linkerd())],
    ['consul', props(Mesh.consul())],
  ])('%s', (_name, p) => {
    expect(dump(synth(p))).toMatchSnapshot();
  });
});

describe('Istio API', () => {
  test('HTTPS with the named Secret, HTTP redirects, routes longest prefix first to the services\' FQDNs', () => {
    const out = synth(props(Mesh.istio()));
    const gw = one(out, 'Gateway', 'shop').spec;
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
    expect(gw.servers).toEqual([
      // the shared gateway pods: a bare host (istiod's duplicate-host check compares the host strings)
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-example-com-tls' } },
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } },
    ]);
    const vs = one(out, 'VirtualService', 'shop-ingress').spec;
    expect(vs.gateways).toEqual(['shop/shop']);
    expect(vs.hosts).toEqual(['shop.example.com']);
    // a path prefix is segment-wise, as on Gateway API: /api and /api/..., not /apiary (a VirtualService
    // uri prefix is a plain string prefix)
    expect(vs.http.map((r: any) => [r.match, r.route[0].destination.host])).toEqual([
      [[{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }], 'order.shop.svc.cluster.local'], [[{ uri: { prefix: '/' } }], 'web.shop.svc.cluster.local'],
    ]);
    // the gateway's identity: istioctl's account by default, the Helm release's when given
    expect(new IngressGateway(shopChart(), 'a', props(Mesh.istio())).callerIdentity?.name).toBe('istio-ingressgateway-service-account');
    expect(new IngressGateway(shopChart(), 'b', props(Mesh.istio(), { istioGatewayServiceAccount: 'istio-ingressgateway' })).callerIdentity).toMatchObject({ name: 'istio-ingressgateway', namespace: 'istio-system' });
    expect(failureOf(c => new IngressGateway(c, 'c', props(Mesh.istio(), { istioGatewayServiceAccount: 'Bad_Name' }))))
      .toContain('istioGatewayServiceAccount: got "Bad_Name": a service account name is a DNS-1123 subdomain');
    expect(failureOf(c => new IngressGateway(c, 'c', props(Mesh.istio(), { api: IngressApi.GATEWAY_API, istioGatewayServiceAccount: 'gw' }))))
      .toContain('only the Istio API selects existing gateway pods');
  });

  test('the TLS Secret must be where the gateway reads it: the gateway pods\' namespace (Istio API), the Gateway\'s (Gateway API)', () => {
    const secret = (c: any, ns: string) => new kplus.Secret(c, `secret-${ns}`, { metadata: { name: 'shop-example-com-tls', namespace: ns } });
    expect(failureOf(c => { secret(c, 'shop'); new IngressGateway(c, 'shop', props(Mesh.istio())); }))
      .toContain('tlsSecretName: got "shop-example-com-tls": the app writes Secret shop-example-com-tls in shop, but the Istio ingress gateway reads credentialName from its own namespace, istio-system; create the Secret in istio-system');
    expect(() => { const c = shopChart(); secret(c, 'istio-system'); new IngressGateway(c, 'shop', props(Mesh.istio())); }).not.toThrow();
    expect(failureOf(c => { secret(c, 'istio-system'); new IngressGateway(c, 'shop', props(Mesh.istio(), { api: IngressApi.GATEWAY_API })); }))
      .toContain('a Gateway API Gateway reads certificateRefs from its namespace, shop');
    expect(() => { const c = shopChart(); secret(c, 'shop'); new IngressGateway(c, 'shop', props(Mesh.istio(), { api: IngressApi.GATEWAY_API })); }).not.toThrow();
  });

  test('JWT at the edge: RequestAuthentication and a DENY without a token, on the gateway pods, with no I117 warning', () => {
    const out = synth(props(Mesh.istio(), { jwt: JWT }));
    const ra = one(out, 'RequestAuthentication', 'shop-jwt');
    expect(ra.metadata.namespace).toBe('istio-system');
    expect(ra.spec.jwtRules).toEqual([{ issuer: JWT.issuer, jwksUri: JWT.jwksUri, audiences: ['shop'] }]);
    const ap = one(out, 'AuthorizationPolicy', 'shop-require-jwt');
    expect(ap.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      action: 'DENY',
      // the shared gateway pods serve other hosts: the host, with and without a port in the Host header
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { hosts: ['shop.example.com', 'shop.example.com:*'] } }] }],
    });
    expect(stderr()).not.toHaveBeenCalledWith(expect.stringContaining('I117'));
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
    // the policy before the fix (exact host only) is what I143 reports
    const before = out.map(o => (o.metadata.name === 'shop-require-jwt' ? { ...o, spec: { ...o.spec, rules: [{ ...o.spec.rules[0], to: [{ operation: { hosts: ['shop.example.com'] } }] }] } } : o));
    expect(MeshAnalyzer.analyzeObjects(before).findings.map(f => f.code)).toEqual(['I143']);
  });

  test('JWT on the shared gateway (its default service account) warns that other apps\' routes skip it, naming the fixes; a dedicated gateway does not', () => {
    const shared = new IngressGateway(shopChart(), 'shop', props(Mesh.istio(), { jwt: JWT }));
    expect(shared.warnings).toHaveLength(1);
    expect(shared.warnings[0]).toContain('the JWT at the edge is required for host shop.example.com only, on the shared ingress gateway pods (istio=ingressgateway in istio-system)');
    expect(shared.warnings[0]).toContain('one identity (istio-system/istio-ingressgateway-service-account)');
    expect(shared.warnings[0]).toContain('set istioGatewaySelector, istioGatewayNamespace and istioGatewayServiceAccount');
    expect(shared.warnings[0]).toContain('ZeroTrustNamespace jwt and requireJwt');
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('[test/shop] the JWT at the edge is required for host shop.example.com only'));
    const dedicated = new IngressGateway(shopChart(), 'shop', props(Mesh.istio(), {
      jwt: JWT, istioGatewaySelector: { istio: 'shop-gateway' }, istioGatewayNamespace: 'shop-gateway', istioGatewayServiceAccount: 'shop-gateway',
    }));
    expect(dedicated.warnings).toEqual([]);
    // without JWT at the edge, nothing to skip
    expect(new IngressGateway(shopChart(), 'shop', props(Mesh.istio())).warnings).toEqual([]);
  });

  test('plain HTTP only with allowPlainHttp: one server on 80, no redirect', () => {
    const out = synth(props(Mesh.istio(), { tlsSecretName: undefined, allowPlainHttp: true }));
    expect(one(out, 'Gateway', 'shop').spec.servers).toEqual([{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }]);
  });

  test('on a gateway of the app\'s own, the Gateway\'s host is for the app\'s namespace only: a VirtualService of another namespace for that host is not bound (I108), the app\'s own is', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(Mesh.istio(), { istioGatewaySelector: { app: 'shop-gateway' }, istioGatewayNamespace: 'shop-gateway', routes: [{ pathPrefix: '/', service: web() }, { pathPrefix: '/api', service: ServiceRef.fromName('order', { port: 80, namespace: 'orders' }) }] }));
    const out = synthValidated(chart);
    // one VirtualService, in the Gateway's namespace, whatever the namespaces of the services it routes to
    expect(ofKind(out, 'VirtualService').map(v => `${v.metadata.namespace}/${v.metadata.name}`)).toEqual(['shop/shop-ingress']);
    expect(one(out, 'Gateway', 'shop').spec.servers.map((s: any) => s.hosts)).toEqual([['shop/shop.example.com'], ['shop/shop.example.com']]);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.code === 'I108')).toEqual([]);
    const intruder = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'steal', namespace: 'blog' },
      spec: { hosts: ['shop.example.com'], gateways: ['shop/shop'], http: [{ route: [{ destination: { host: 'blog.blog.svc.cluster.local' } }] }] },
    };
    const found = MeshAnalyzer.analyzeObjects([...out, intruder]).findings.filter(f => f.code === 'I108');
    expect(found.map(f => f.message)).toEqual([expect.stringContaining('serves shop/shop.example.com to the VirtualServices of shop only, not to this one in blog')]);
  });
});

describe('Gateway API', () => {
  test('an HTTPS listener terminating with the Secret, an HTTP listener that redirects, and the routes on the HTTPS one', () => {
    const out = synth(props(Mesh.istio(), { api: IngressApi.GATEWAY_API }));
    const gw = one(out, 'Gateway', 'shop').spec;
    expect(gw.gatewayClassName).toBe('istio');
    expect(gw.listeners.map((l: any) => [l.name, l.port, l.protocol, l.hostname])).toEqual([['https', 443, 'HTTPS', 'shop.example.com'], ['http', 80, 'HTTP', 'shop.example.com']]);
    expect(gw.listeners[0].tls).toEqual({ mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'shop-example-com-tls' }] });
    const route = one(out, 'HTTPRoute', 'shop-ingress').spec;
    expect(route.parentRefs).toEqual([{ name: 'shop', sectionName: 'https' }]);
    expect(route.rules.map((r: any) => [r.matches[0].path.value, r.backendRefs[0].name])).toEqual([['/api', 'order'], ['/', 'web']]);
    expect(one(out, 'HTTPRoute', 'shop-https-redirect').spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
  });

  test('Consul: no HTTP listener and no redirect route (the API gateway has no redirect filter), with a warning', () => {
    const chart = shopChart();
    const gw = new IngressGateway(chart, 'shop', props(Mesh.consul()));
    const out = synthValidated(chart);
    expect(one(out, 'Gateway', 'shop').spec.listeners.map((l: any) => l.name)).toEqual(['https']);
    expect(ofKind(out, 'HTTPRoute').map(r => r.metadata.name)).toEqual(['shop-ingress']);
    expect(gw.warnings.filter(w => !w.includes('connect-inject'))).toEqual(['no HTTP listener is written: Consul\'s API gateway has no HTTP → HTTPS redirect (it translates no RequestRedirect filter), so plain-HTTP clients of shop.example.com cannot connect; redirect at the load balancer in front of the gateway if they must']);
    // plain HTTP behind a TLS-terminating load balancer keeps its listener
    const plain = synth(props(Mesh.consul(), { tlsSecretName: undefined, allowPlainHttp: true }));
    expect(one(plain, 'Gateway', 'shop').spec.listeners.map((l: any) => l.name)).toEqual(['http']);
    // the Consul service the gateway calls with is the Gateway's name (consul-k8s api-gateway/binding/registration.go)
    expect(gw.callerIdentity?._label('shop')).toBe('shop/shop');
  });

  test('Consul: a prefix is segment-bounded (Exact + PathPrefix with /): Consul\'s PathPrefix is a string prefix, so /api would take /apiary', () => {
    const out = synth(props(Mesh.consul(), { routes: [{ pathPrefix: '/', service: web() }, { pathPrefix: '/api', service: order() }, { pathPrefix: '/api/v2', service: web() }] }));
    expect(one(out, 'HTTPRoute', 'shop-ingress').spec.rules.map((r: any) => [r.matches.map((m: any) => `${m.path.type} ${m.path.value}`), r.backendRefs[0].name])).toEqual([
      [['Exact /api/v2', 'PathPrefix /api/v2/'], 'web'],
      [['Exact /api', 'PathPrefix /api/'], 'order'],
      [['PathPrefix /'], 'web'],
    ]);
    // the other meshes' PathPrefix is segment-wise already: one match
    expect(one(synth(props(Mesh.istio(), { api: IngressApi.GATEWAY_API })), 'HTTPRoute', 'shop-ingress').spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/api' } }]);
    // 16 prefixes: still 16 rules in one route, each with its two matches
    const many = Array.from({ length: 16 }, (_, i) => ({ pathPrefix: `/p${i}`, service: web() }));
    const routes = ofKind(synth(props(Mesh.consul(), { routes: many })), 'HTTPRoute');
    expect(routes.map(r => [r.metadata.name, r.spec.rules.length, new Set(r.spec.rules.map((x: any) => x.matches.length))])).toEqual([['shop-ingress', 16, new Set([2])]]);
  });

  test('Consul: a route to a service with a ResilientService warns at synthesis that its timeouts and retries do not apply at the edge', () => {
    const chart = shopChart();
    const gw = new IngressGateway(chart, 'shop', props(Mesh.consul()));
    // created after the gateway: still seen
    new ResilientService(chart, 'order-resilience', { mesh: Mesh.consul(), service: ServiceRef.fromName('order', { port: 80, protocol: ServiceProtocol.HTTP }), timeout: Duration.seconds(3) });
    const validate = (c: Chart) => c.node.findAll().forEach(x => x.node.validate());
    validate(chart);
    const warned = () => gw.warnings.filter(w => w.includes('do not apply to requests through this gateway'));
    expect(warned()).toEqual(['the route /api → order: the timeouts and retries of [test/order-resilience] do not apply to requests through this gateway: '
      + 'Consul\'s API gateway routes straight to order\'s instances, past its ServiceRouter (discoverychain compile.go), so the edge keeps Envoy\'s 15 s timeout and no retries; '
      + 'set them on the gateway route with consul-k8s RouteTimeoutFilter / RouteRetryFilter if it needs them (docs/cluster-consul.md)']);
    validate(chart);
    expect(warned()).toHaveLength(1);
    // no ResilientService for the routed services: no warning
    const other = shopChart();
    const quiet = new IngressGateway(other, 'shop', props(Mesh.consul()));
    new ResilientService(other, 'user-resilience', { mesh: Mesh.consul(), service: ServiceRef.fromName('user', { port: 80, protocol: ServiceProtocol.HTTP }), timeout: Duration.seconds(3) });
    validate(other);
    expect(quiet.warnings.filter(w => w.includes('do not apply'))).toEqual([]);
  });

  test.each([
    ['Istio API', IngressApi.ISTIO, 'route api of VirtualService shop/shop-ingress'],
    ['Gateway API', IngressApi.GATEWAY_API, 'rule for /api of HTTPRoute shop/shop-ingress'],
  ])('Istio sidecars (%s): a route to a service whose ResilientService sets timeouts or retries warns at synthesis that they do not apply at the edge; a circuit breaker alone does not', (_name, api, where) => {
    const validate = (c: Chart) => c.node.findAll().forEach(x => x.node.validate());
    const chart = shopChart();
    const gw = new IngressGateway(chart, 'shop', props(Mesh.istio(), { api }));
    // created after the gateway: still seen
    new ResilientService(chart, 'order-resilience', {
      mesh: Mesh.istio(),
      service: ServiceRef.fromName('order', { port: 80, protocol: ServiceProtocol.HTTP }),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
      routes: [{ name: 'create-order', match: { methods: [HttpMethod.POST] }, timeout: Duration.seconds(5), noRetries: true }],
    });
    // web has a circuit breaker only: its DestinationRule applies at the gateway too
    new ResilientService(chart, 'web-resilience', {
      mesh: Mesh.istio(),
      service: ServiceRef.fromName('web', { port: 80, protocol: ServiceProtocol.HTTP }),
      circuitBreaker: { consecutiveErrors: 5, interval: Duration.seconds(10), ejectionTime: Duration.seconds(30), maxEjectionPercent: 50 },
    });
    validate(chart);
    const warned = () => gw.warnings.filter(w => w.includes('do not apply to requests through this gateway'));
    expect(warned()).toEqual(['the route /api → order: timeout 3s, retries (2 attempts), route create-order of [test/order-resilience] do not apply to requests through this gateway: '
      + 'they are on order\'s own route, which Istio applies in the callers\' sidecars only, not at the gateway (a VirtualService without gateways is for the mesh: pilot/pkg/model/push_context.go getGatewayNames), '
      + 'so the edge has Istio\'s default route: no timeout, and 2 retries on connect-failure, refused-stream, unavailable and cancelled. '
      + `If the edge needs them, set them on the ${where} (e.g. with a cdk8s JSON patch), or use the ambient data plane, where the gateway sends through the service's waypoint, which applies them`]);
    validate(chart);
    expect(warned()).toHaveLength(1);
    // a timeout alone is named alone
    const one2 = shopChart();
    const gw2 = new IngressGateway(one2, 'shop', props(Mesh.istio(), { api }));
    new ResilientService(one2, 'web-resilience', { mesh: Mesh.istio(), service: ServiceRef.fromName('web', { port: 80, protocol: ServiceProtocol.HTTP }), timeout: Duration.millis(1500) });
    validate(one2);
    expect(gw2.warnings.filter(w => w.includes('do not apply')).map(w => w.split(' of [')[0])).toEqual(['the route / → web: timeout 1s500ms']);
  });

  test('Istio ambient: no such warning, the gateway sends through the service\'s waypoint (ingress-use-waypoint), which applies its routes', () => {
    const ambient = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
    for (const api of [IngressApi.GATEWAY_API, IngressApi.ISTIO]) {
      const chart = shopChart();
      const gw = new IngressGateway(chart, 'shop', props(ambient, { api }));
      new ResilientService(chart, 'order-resilience', { mesh: ambient, service: ServiceRef.fromName('order', { port: 80, protocol: ServiceProtocol.HTTP }), timeout: Duration.seconds(3) });
      const out = synthValidated(chart);
      expect(gw.warnings.filter(w => w.includes('do not apply'))).toEqual([]);
      // the waypoint the route is on, and the opt-in that sends the gateway's requests through it
      expect(one(out, 'HTTPRoute', 'order').spec.parentRefs).toEqual([expect.objectContaining({ kind: 'Service', name: 'order' })]);
      expect(ofKind(out, 'Namespace').find(n => n.metadata.name === 'shop')?.metadata.labels).toMatchObject({ 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' });
    }
  });

  test('a service of another namespace gets a ReferenceGrant there', () => {
    const out = synth(props(Mesh.linkerd(), { routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80, namespace: 'frontend' }) }] }));
    expect(one(out, 'HTTPRoute', 'shop-ingress').spec.rules[0].backendRefs).toEqual([{ name: 'web', namespace: 'frontend', port: 80 }]);
    const grant = one(out, 'ReferenceGrant', 'shop-ingress-from-shop');
    expect(grant.metadata.namespace).toBe('frontend');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service' }] });
  });

  test('Istio defaults the class to istio; Linkerd needs one named', () => {
    expect(one(synth(props(Mesh.istio(), { api: IngressApi.GATEWAY_API })), 'Gateway', 'shop').spec.gatewayClassName).toBe('istio');
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.linkerd(), { gatewayClassName: undefined })))).toContain('Linkerd has no ingress of its own');
  });

  test('JWT at the edge is refused on Linkerd and Consul CE, naming the alternative', () => {
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.linkerd(), { jwt: JWT }))))
      .toBe("[test/shop] jwt: got \"https://auth.example.com\": Linkerd cannot express this (the gateway controller, not Linkerd, validates tokens at the edge); validate the token in the gateway controller's own policy, or require it per service with ZeroTrustNamespace requireJwt");
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.consul(), { jwt: JWT }))))
      .toBe('[test/shop] jwt: got "https://auth.example.com": Consul cannot express this (JWT verification at the API gateway is a Consul Enterprise feature); use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or require the token per service with ZeroTrustNamespace requireJwt');
  });
});

describe('JWT at the edge on Consul Enterprise', () => {
  const ENTERPRISE = Mesh.consul({ enterprise: true });

  test('a JWTProvider and a GatewayPolicy override on the HTTPS listener; validated; lint clean', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(ENTERPRISE, { jwt: { ...JWT, audiences: ['shop'] } }));
    const out = synthValidated(chart);
    expect(one(out, 'JWTProvider', 'auth-example-com').spec).toEqual({
      issuer: 'https://auth.example.com',
      audiences: ['shop'],
      jsonWebKeySet: { remote: { uri: JWT.jwksUri, fetchAsynchronously: true, jwksCluster: { tlsCertificates: { trustedCA: { filename: '/etc/ssl/certs/ca-certificates.crt' } } } } },
    });
    expect(one(out, 'GatewayPolicy', 'shop-jwt').spec).toEqual({
      targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop', sectionName: 'https' },
      override: { jwt: { providers: [{ name: 'auth-example-com' }] } },
    });
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
  });

  test('zero trust and the gateway share one provider; two descriptions of it are refused, naming both', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(ENTERPRISE, { jwt: JWT }));
    new ZeroTrustNamespace(chart, 'zt', { mesh: ENTERPRISE, jwt: JWT, allow: [{ callers: [Identity.serviceAccount('web')], to: order(), requireJwt: true }] });
    expect(ofKind(synthValidated(chart), 'JWTProvider')).toHaveLength(1);
    expect(failureOf(c => {
      new IngressGateway(c, 'shop', props(ENTERPRISE, { jwt: JWT }));
      new ZeroTrustNamespace(c, 'zt', { mesh: ENTERPRISE, jwt: { ...JWT, jwksUri: 'https://auth.example.com/other-keys' }, allow: [] });
    })).toBe('[test/zt] JWTProvider auth-example-com: jwksUri: got "https://auth.example.com/other-keys", but [test/shop] already set "https://auth.example.com/.well-known/jwks.json"; Consul has one provider of a name for the whole mesh: make the two constructs agree');
  });

  test('forwarding the original token is refused on Consul, kept on Istio', () => {
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(ENTERPRISE, { jwt: { ...JWT, forwardOriginalToken: true } }))))
      .toBe('[test/shop] jwt.forwardOriginalToken: got true: Consul cannot express this (JWTProvider forwards the token payload to a header, not the original token); remove forwardOriginalToken for Consul, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(Mesh.istio(), { jwt: { ...JWT, forwardOriginalToken: true } }));
    expect(one(synthValidated(chart), 'RequestAuthentication', 'shop-jwt').spec.jwtRules[0].forwardOriginalToken).toBe(true);
  });
});

test('the caller identity to allow in zero trust, per mesh and API', () => {
  const identity = (p: IngressGatewayProps) => new IngressGateway(shopChart(), 'shop', p).callerIdentity?._label('shop');
  expect(identity(props(Mesh.istio()))).toBe('istio-system/istio-ingressgateway-service-account');
  expect(identity(props(Mesh.istio(), { api: IngressApi.GATEWAY_API }))).toBe('shop/shop-istio');
  expect(identity(props(Mesh.consul()))).toBe('shop/shop');
  // Linkerd: Envoy Gateway (class eg) runs the proxies in envoy-gateway-system under the account it
  // generates for the Gateway (sha256("shop/shop") begins 0b6553f4), not any workload of that namespace
  expect(identity(props(Mesh.linkerd()))).toBe('envoy-gateway-system/envoy-shop-shop-0b6553f4');
  expect(identity(props(Mesh.linkerd(), { gatewayClassName: 'traefik' }))).toBeUndefined();
  expect(identity(props(Mesh.linkerd(), { gatewayClassName: 'traefik', gatewayIdentity: Identity.serviceAccount('traefik', { namespace: 'traefik' }) }))).toBe('traefik/traefik');
});

describe('Linkerd: the ingress caller identity (issue 16 item 2)', () => {
  test('an unknown gateway identity warns that zero trust cannot allow the ingress; a known one does not', () => {
    expect(new IngressGateway(shopChart(), 'shop', props(Mesh.linkerd(), { gatewayClassName: 'traefik' })).warnings)
      .toEqual([expect.stringContaining('the identity the traefik gateway\'s proxies call the services with is unknown, so a ZeroTrustNamespace cannot allow this ingress (Linkerd would answer its requests with 403): mesh the gateway\'s proxies and set gatewayIdentity')]);
    expect(new IngressGateway(shopChart(), 'shop', props(Mesh.linkerd(), { envoyProxyName: 'shop-linkerd' })).warnings).toEqual([]);
  });

  test('Envoy Gateway\'s service account name: envoy-, <ns>-<name> cut to 48 characters without a trailing dash, the first 8 hex digits of sha256("<ns>/<name>")', () => {
    expect(envoyGatewayServiceAccount('shop', 'shop')).toBe('envoy-shop-shop-0b6553f4');
    // 47 + 1 + 1 = 49 characters: cut to 48, which ends in '-', dropped
    expect(envoyGatewayServiceAccount('a'.repeat(47), 'x')).toBe(`envoy-${'a'.repeat(47)}-e7251f2c`);
    // 48 characters exactly: kept whole
    expect(envoyGatewayServiceAccount('a'.repeat(46), 'x')).toMatch(new RegExp(`^envoy-${'a'.repeat(46)}-x-[0-9a-f]{8}$`));
  });

  test('without an EnvoyProxy for class eg, a warning gives the EnvoyProxy to apply and the parametersRef; with envoyProxyName the Gateway references it', () => {
    const warned = new IngressGateway(shopChart(), 'shop', props(Mesh.linkerd())).warnings;
    expect(warned).toEqual([expect.stringContaining('Apply this EnvoyProxy: {apiVersion: gateway.envoyproxy.io/v1alpha1, kind: EnvoyProxy, metadata: {name: shop-linkerd, namespace: shop}, spec: {routingType: Service, provider: {type: Kubernetes, kubernetes: {envoyDeployment: {pod: {annotations: {linkerd.io/inject: enabled}}}}}}} and set envoyProxyName: \'shop-linkerd\'')]);
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(Mesh.linkerd(), { envoyProxyName: 'shop-linkerd' }));
    expect(one(synthValidated(chart), 'Gateway', 'shop').spec.infrastructure).toEqual({ parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'shop-linkerd' } });
    // another gateway controller on Linkerd: no Envoy Gateway advice
    expect(new IngressGateway(shopChart(), 'shop', props(Mesh.linkerd(), { gatewayClassName: 'traefik', gatewayIdentity: Identity.serviceAccount('traefik', { namespace: 'traefik' }) })).warnings).toEqual([]);
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.linkerd(), { envoyProxyName: 'Shop_Linkerd' })))).toContain('[test/shop] envoyProxyName: got "Shop_Linkerd": an EnvoyProxy name is a DNS-1123 subdomain');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { envoyProxyName: 'shop-linkerd' })))).toContain('envoyProxyName: got "shop-linkerd": an EnvoyProxy configures an Envoy Gateway Gateway, not the Istio ingress gateway');
  });

  test('the envoy-gateway-system namespace as gatewayIdentity is an explicit opt-in, with a warning naming the precise account', () => {
    const warned = (id: Identity) => new IngressGateway(shopChart(), 'shop', props(Mesh.linkerd(), { envoyProxyName: 'shop-linkerd', gatewayIdentity: id })).warnings;
    expect(warned(Identity.allInNamespace('envoy-gateway-system'))).toEqual([expect.stringContaining("leave gatewayIdentity out for this Gateway's own service account (envoy-shop-shop-0b6553f4), or use the GatewayNamespace deploy mode with Identity.serviceAccount('shop', { namespace: 'shop' })")]);
    expect(warned(Identity.serviceAccount('shop', { namespace: 'shop' }))).toEqual([]);
    expect(warned(Identity.allInNamespace('edge'))).toEqual([]);
  });

  test('a network is refused as the gateway identity', () => {
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.linkerd(), { gatewayIdentity: Identity.network('10.0.0.0/8') }))))
      .toContain('[test/shop] gatewayIdentity: got "10.0.0.0/8": a gateway calls the services as a meshed workload, not from a network');
  });

  test('zero trust allowing the ingress identity admits this Gateway\'s Envoy Gateway proxies, not the other Gateways of their namespace', () => {
    const chart = shopChart();
    const ingress = new IngressGateway(chart, 'shop', props(Mesh.linkerd()));
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), allow: [{ callers: [ingress.callerIdentity!], to: web() }] });
    const out = synthValidated(chart);
    expect(one(out, 'Gateway', 'shop').spec.gatewayClassName).toBe('eg');
    expect(one(out, 'MeshTLSAuthentication', 'web-from-envoy-shop-shop-0b6553f4').spec.identityRefs).toEqual([{ kind: 'ServiceAccount', name: 'envoy-shop-shop-0b6553f4', namespace: 'envoy-gateway-system' }]);
    const m = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(m.callers()).not.toContain('envoy-gateway-system/*');
    expect(m.check({ caller: 'envoy-gateway-system/envoy-shop-shop-0b6553f4', service: 'shop/web' }).allowed).toBe(true);
    // another team's Gateway proxies in the same namespace
    expect(m.check({ caller: 'envoy-gateway-system/envoy-blog-blog-3f2a1b7c', service: 'shop/web' }).allowed).toBe(false);
    expect(m.check({ caller: 'shop/api-gateway', service: 'shop/web' }).allowed).toBe(false);
  });
});

describe('guardrails', () => {
  test('two gateways claiming the same host and port are refused, naming the first', () => {
    const msg = failureOf(chart => {
      new IngressGateway(chart, 'a', props(Mesh.istio()));
      new IngressGateway(new Chart(chart, 'other', { namespace: 'other' }), 'b', props(Mesh.istio()));
    });
    expect(msg).toContain('[test/other/b] host');
    expect(msg).toContain('[test/a] already serves shop.example.com:443 in this cluster');
  });

  test('two hosts on two gateways are fine', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'a', props(Mesh.istio()));
    new IngressGateway(chart, 'b', props(Mesh.istio(), { host: 'admin.example.com' }));
    expect(ofKind(synthValidated(chart), 'Gateway')).toHaveLength(2);
  });

  test.each<[string, Partial<IngressGatewayProps>, string]>([
    ['no TLS', { tlsSecretName: undefined }, 'clear text'],
    ['TLS and plain HTTP', { allowPlainHttp: true }, 'redirects to HTTPS'],
    ['bad secret', { tlsSecretName: 'Shop_TLS' }, 'tlsSecretName'],
    ['bad host', { host: 'shop' }, 'host'],
    ['an IP host', { host: '203.0.113.10' }, 'not an IP'],
    ['no routes', { routes: [] }, 'at least one path prefix'],
    ['prefix without /', { routes: [{ pathPrefix: 'api', service: order() }] }, 'routes[0].pathPrefix'],
    ['trailing /', { routes: [{ pathPrefix: '/api/', service: order() }] }, 'no trailing /'],
    ['duplicate prefix', { routes: [{ pathPrefix: '/api', service: order() }, { pathPrefix: '/api', service: web() }] }, 'routes[0] already routes this prefix'],
    ['not a service', { routes: [{ pathPrefix: '/', service: 'web' as any }] }, 'routes[0].service'],
    ['port 0', { routes: [{ pathPrefix: '/', service: web(), port: 0 }] }, 'routes[0].port'],
    ['bad JWKS URI', { jwt: { issuer: 'https://auth.example.com', jwksUri: 'ftp://x' } }, 'jwt.jwksUri'],
    ['empty gateway selector', { istioGatewaySelector: {} }, 'istioGatewaySelector'],
    ['bad name', { name: 'Shop' }, 'a gateway name'],
  ])('%s', (_name, over, expected) => {
    const msg = failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.istio(), over)));
    expect(msg).toContain('test/shop');
    expect(msg).toContain(expected);
  });

  test('the Istio API on another mesh is refused', () => {
    expect(failureOf(chart => new IngressGateway(chart, 'shop', props(Mesh.consul(), { api: IngressApi.ISTIO })))).toContain('use IngressApi.GATEWAY_API');
  });

  test('a chart without a namespace and no namespace prop is refused', () => {
    const chart = new Chart(Testing.app(), 'bare');
    expect(() => new IngressGateway(chart, 'shop', props(Mesh.istio()))).toThrow(/namespace/);
  });
});

describe('many prefixes', () => {
  // Gateway API allows 16 rules per HTTPRoute: 16 prefixes fit one route, 17 need a second
  test.each([[16, 1], [17, 2], [40, 3]])('%i prefixes on the Gateway API give %i HTTPRoute(s), all valid, each prefix once', (n, routeCount) => {
    const routes = Array.from({ length: n }, (_, i) => ({ pathPrefix: i === 0 ? '/' : `/p${i}`, service: ServiceRef.fromName(`svc${i}`, { port: 8080 }) }));
    const out = synth(props(Mesh.linkerd(), { routes }));
    const ingress = ofKind(out, 'HTTPRoute').filter(r => r.metadata.name.startsWith('shop-ingress'));
    expect(ingress.map(r => r.metadata.name)).toEqual(['shop-ingress', 'shop-ingress-2', 'shop-ingress-3'].slice(0, routeCount));
    for (const r of ingress) expect(r.spec.rules.length).toBeLessThanOrEqual(16);
    const prefixes = ingress.flatMap(r => r.spec.rules.map((x: any) => x.matches[0].path.value));
    expect([...prefixes].sort()).toEqual(routes.map(r => r.pathPrefix).sort());
  });
});

describe('JWT at the edge on Istio with the Gateway API', () => {
  test('the policies target the Gateway (its pods are deployed for it), and lint clean', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'shop', props(Mesh.istio(), { api: IngressApi.GATEWAY_API, jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' } }));
    const out = synthValidated(chart);
    const target = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop' }];
    expect(one(out, 'RequestAuthentication', 'shop-jwt').spec).toEqual({ targetRefs: target, jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' }] });
    expect(one(out, 'AuthorizationPolicy', 'shop-require-jwt').spec.targetRefs).toEqual(target);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
  });
});
