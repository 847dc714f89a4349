import { Chart } from 'cdk8s';
import { IngressApi, IngressGateway, IngressGatewayProps, Mesh, MeshAnalyzer, PathMatch, ServiceRef } from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

captureStderr();

const web = () => ServiceRef.fromName('web', { port: 80 });
const auth = () => ServiceRef.fromName('auth', { port: 80 });
const order = () => ServiceRef.fromName('order', { port: 80 });
const props = (mesh: Mesh, over: Partial<IngressGatewayProps> = {}): IngressGatewayProps => ({
  mesh,
  host: 'shop.example.com',
  tlsSecretName: 'shop-example-com-tls',
  gatewayClassName: mesh.kind === 'linkerd' ? 'eg' : undefined,
  routes: [
    { path: PathMatch.prefix('/'), service: web() },
    { path: PathMatch.exact('/api/login'), service: auth() },
    { path: PathMatch.prefix('/api/'), service: order() },
  ],
  ...over,
});
const synth = (p: IngressGatewayProps, chart: Chart = shopChart()) => {
  new IngressGateway(chart, 'shop', p);
  return synthValidated(chart);
};

describe('ingress routes take PathMatch (exact and prefix)', () => {
  test('Istio API: the exact path first, on its own uri exact match; prefixes segment-wise, longest first (a trailing / ignored)', () => {
    const http = one(synth(props(Mesh.istio())), 'VirtualService', 'shop-ingress').spec.http;
    expect(http.map((r: any) => [r.name, r.match, r.route[0].destination.host])).toEqual([
      ['api-login-exact', [{ uri: { exact: '/api/login' } }], 'auth.shop.svc.cluster.local'],
      ['api', [{ uri: { exact: '/api' } }, { uri: { prefix: '/api/' } }], 'order.shop.svc.cluster.local'],
      ['root', [{ uri: { prefix: '/' } }], 'web.shop.svc.cluster.local'],
    ]);
  });

  test.each([
    ['istio (Gateway API)', Mesh.istio(), IngressApi.GATEWAY_API],
    ['linkerd', Mesh.linkerd(), undefined],
    ['consul', Mesh.consul(), undefined],
  ])('%s: an Exact path match, and the prefixes as before; validated, analyzer clean', (name, mesh, api) => {
    const out = synth(props(mesh, { api }));
    const rules = one(out, 'HTTPRoute', 'shop-ingress').spec.rules;
    expect(rules[0]).toEqual({ matches: [{ path: { type: 'Exact', value: '/api/login' } }], backendRefs: [{ name: 'auth', port: 80 }] });
    expect(rules[1].matches).toEqual(name === 'consul'
      ? [{ path: { type: 'Exact', value: '/api' } }, { path: { type: 'PathPrefix', value: '/api/' } }]
      : [{ path: { type: 'PathPrefix', value: '/api' } }]);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity === 'error')).toEqual([]);
    expect(ofKind(out, 'HTTPRoute')).toHaveLength(name === 'consul' ? 1 : 2); // (+ the HTTPS redirect where there is one)
  });

  test('pathPrefix keeps working and writes what PathMatch.prefix writes', () => {
    const a = synth(props(Mesh.istio(), { routes: [{ pathPrefix: '/api', service: order() }] }));
    const b = synth(props(Mesh.istio(), { routes: [{ path: PathMatch.prefix('/api'), service: order() }] }));
    expect(one(b, 'VirtualService', 'shop-ingress').spec).toEqual(one(a, 'VirtualService', 'shop-ingress').spec);
  });

  test('fails on a regex, on both path and pathPrefix, on a bad path, on the same path twice; an exact and a prefix of one path are two routes', () => {
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ path: PathMatch.regex('/a.*'), service: web() }] }))))
      .toBe('[test/shop] routes[0].path: got "/a.*": an ingress route matches an exact path or a path prefix; use PathMatch.prefix(\'/api\') or PathMatch.exact(\'/login\')');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ path: PathMatch.prefix('/a'), pathPrefix: '/a', service: web() }] }))))
      .toContain('routes[0].path: got "/a": path and pathPrefix exclude each other; keep one of them');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ path: PathMatch.exact('/a/../b'), service: web() }] }))))
      .toContain('routes[0].path: got "/a/../b": a path must not contain "/../"');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ path: PathMatch.exact('/a'), service: web() }, { path: PathMatch.exact('/a'), service: auth() }] }))))
      .toContain('routes[1].path: got "/a": routes[0] already routes this path; route each path once');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ path: PathMatch.prefix('/a/'), service: web() }, { pathPrefix: '/a', service: auth() }] }))))
      .toContain('routes[1].pathPrefix: got "/a": routes[0] already routes this prefix');
    expect(failureOf(c => new IngressGateway(c, 'shop', props(Mesh.istio(), { routes: [{ service: web() }] as any }))))
      .toContain('routes[0].pathPrefix: got undefined: a path prefix starts with /');
    expect(() => synth(props(Mesh.istio(), { routes: [{ path: PathMatch.exact('/a'), service: web() }, { path: PathMatch.prefix('/a'), service: auth() }] }))).not.toThrow();
  });
});
