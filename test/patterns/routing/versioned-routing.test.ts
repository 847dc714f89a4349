import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import { consulVersions, gatewayBackends, istioVersions, TestRequest } from './evaluate';
import {
  CanaryRelease, FaultInjection, HeaderMatch, HttpMethod, IstioDataPlane, LinkerdRouteApi, Mesh, MeshAnalyzer, MultiClusterExport, PathMatch, QueryParamMatch,
  ReleaseVersion,
  ResilientService, ServiceRef, ServiceVersion, UnsupportedSettings, VersionedRouting, VersionedRoutingProps,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

const ISTIO = Mesh.istio();
const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const LINKERD = Mesh.linkerd();
const CONSUL = Mesh.consul();
const MESHES = [['istio', ISTIO], ['ambient', AMBIENT], ['linkerd', LINKERD], ['consul', CONSUL]] as const;

const reviews = () => ServiceRef.fromName('reviews', { port: 9080 });
const ratings = () => ServiceRef.fromName('ratings', { port: 9080 });
const JASON = { headers: [HeaderMatch.exact('end-user', 'jason')] };

/** The classic three-version routing: end-user jason to v2, everyone else 50/50 v1/v3. */
const classic = (mesh: Mesh, over: Partial<VersionedRoutingProps> = {}): VersionedRoutingProps => ({
  mesh,
  service: reviews(),
  versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), ServiceVersion.of('v3')],
  routes: [{ name: 'jason', match: JASON, version: 'v2' }],
  defaultSplit: [{ version: 'v1', weight: 50 }, { version: 'v3', weight: 50 }],
  ...over,
});

/** The versions a request reaches in the output, per mesh (backend Services mapped back to versions). */
function reached(mesh: Mesh, out: any[], req: TestRequest, service = 'reviews'): string[] {
  const found = mesh.kind === 'consul' ? consulVersions(out, service, req)
    : mesh.kind === 'linkerd' || mesh.ambient ? new Set([...gatewayBackends(out, service, req, mesh.kind === 'linkerd' ? 'linkerd' : 'gateway')].map(b => b.replace(`${service}-`, '')))
      : istioVersions(out, service, req);
  return [...found].sort();
}

const req = (over: Partial<TestRequest> = {}): TestRequest => ({ path: '/', method: 'GET', headers: {}, query: {}, ...over });

describe('the classic demo: three versions, a header route and a 50/50 split; faults on a second service', () => {
  for (const [name, mesh] of MESHES) {
    test(`${name}: snapshot, validated, analyzer clean, and requests reach the intended versions`, () => {
      const chart = shopChart();
      new VersionedRouting(chart, 'reviews', classic(mesh));
      if (mesh.kind === 'istio') {
        new FaultInjection(chart, 'ratings-chaos', {
          mesh,
          service: ratings(),
          rules: [
            { match: JASON, delay: { fixedDelay: Duration.seconds(7), percent: 100 } },
            { abort: { httpStatus: 500, percent: 10 } },
          ],
          allowOnAllTraffic: true,
        });
      }
      const out = synthValidated(chart);
      expect(out.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n')).toMatchSnapshot();
      expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity === 'error')).toEqual([]);
      expect(reached(mesh, out, req({ headers: { 'end-user': 'jason' } }))).toEqual(['v2']);
      expect(reached(mesh, out, req({ headers: { 'end-user': 'ann' } }))).toEqual(['v1', 'v3']);
      expect(reached(mesh, out, req())).toEqual(['v1', 'v3']);
    });
  }

  test.each([['linkerd', LINKERD], ['consul', CONSUL]])('%s refuses the faults of the second service, saying why', (_n, mesh) => {
    expect(failureOf(chart => new FaultInjection(chart, 'ratings-chaos', { mesh, service: ratings(), rules: [{ abort: { httpStatus: 500, percent: 10 } }], allowOnAllTraffic: true })))
      .toMatch(/rules\[0\]\.abort: got 500: (Linkerd|Consul) cannot express this \((Linkerd|Consul) has no fault injection/);
  });
});

describe('Istio sidecar', () => {
  test('routes combine with a ResilientService (route x resilience rule) and faults on the same service, in one VirtualService', () => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh: ISTIO,
      service: reviews(),
      timeout: Duration.seconds(3),
      routes: [{ name: 'slow', match: { path: PathMatch.prefix('/slow') }, timeout: Duration.seconds(10) }],
    });
    new VersionedRouting(chart, 'routing', classic(ISTIO));
    new FaultInjection(chart, 'chaos', { mesh: ISTIO, service: reviews(), rules: [{ match: { headers: [HeaderMatch.exact('x-chaos', 'true')] }, abort: { httpStatus: 503, percent: 100 } }] });
    const out = synthValidated(chart);
    expect(ofKind(out, 'VirtualService')).toHaveLength(1);
    const http = one(out, 'VirtualService', 'reviews').spec.http;
    expect(http.map((r: any) => [r.name, r.timeout, r.route.map((d: any) => `${d.destination.subset}:${d.weight ?? 100}`).join(',')])).toEqual([
      // fault routes keep the timeout of the resilience rule they cross (Istio combines them on a route)
      ['fault-jason-slow', '10s', 'v2:100'],
      ['fault-jason-default', '3s', 'v2:100'],
      ['fault-slow', '10s', 'v1:50,v3:50'],
      ['fault-default', '3s', 'v1:50,v3:50'],
      ['jason-slow', '10s', 'v2:100'],
      ['jason-default', '3s', 'v2:100'],
      ['slow', '10s', 'v1:50,v3:50'],
      ['default', '3s', 'v1:50,v3:50'],
    ]);
    expect(http[4].match).toEqual([
      { uri: { exact: '/slow' }, headers: { 'end-user': { exact: 'jason' } } },
      { uri: { prefix: '/slow/' }, headers: { 'end-user': { exact: 'jason' } } },
    ]);
    // not Istio's default retry policy (what a route without retries gets): the managed one
    expect(http.every((r: any) => r.retries?.retryOn === 'connect-failure,refused-stream')).toBe(true);
    expect(reached(ISTIO, out, req({ path: '/slow/x', headers: { 'end-user': 'jason' } }))).toEqual(['v2']);
    expect(reached(ISTIO, out, req({ path: '/slow/x', headers: { 'end-user': 'jason', 'x-chaos': 'true' } }))).toEqual(['v2']);
  });

  test('a fault rule and a version route with two conditions on one header, one a regex, cannot be one route: refused when the second joins, naming both', () => {
    expect(failureOf(chart => {
      new VersionedRouting(chart, 'routing', classic(ISTIO));
      new FaultInjection(chart, 'chaos', { mesh: ISTIO, service: reviews(), rules: [{ match: { headers: [HeaderMatch.regex('end-user', 'j.*')] }, abort: { httpStatus: 500, percent: 1 } }] });
    })).toBe('[test/chaos] service: got reviews: [test/chaos] rules[0] and [test/routing] routes[0] set two different conditions on one header end-user regex "j.*" and exact "jason", '
      + 'and a route holds one condition per name (a request matching both gets a route of its own); use the same condition in both, or conditions on different names');
    // two exact values on one header: no request matches both, and that route is left out
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(ISTIO));
    new FaultInjection(chart, 'chaos', { mesh: ISTIO, service: reviews(), rules: [{ match: { headers: [HeaderMatch.exact('end-user', 'ann')] }, abort: { httpStatus: 500, percent: 1 } }] });
    expect(one(synthValidated(chart), 'VirtualService', 'reviews').spec.http.map((r: any) => r.name)).toEqual(['fault-default', 'jason-default', 'default']);
  });

  test('a route to a weighted set, cookies, query, path and methods; the mirror on every route that does not only send to its version', () => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(ISTIO, {
      routes: [
        { name: 'beta', match: { cookies: [{ name: 'beta', value: 'yes' }], queryParams: [QueryParamMatch.exact('ui', 'new')] }, split: [{ version: 'v2', weight: 80 }, { version: 'v3', weight: 20 }] },
        { name: 'writes', match: { path: PathMatch.exact('/reviews'), methods: [HttpMethod.POST] }, version: 'v1' },
      ],
      mirror: { version: 'v3', percent: 5 },
    }));
    const out = synthValidated(chart);
    const http = one(out, 'VirtualService', 'reviews').spec.http;
    expect(http[0].match).toEqual([{ headers: { cookie: { regex: '^(.*?;\\s*)?beta=yes(;.*)?$' } }, queryParams: { ui: { exact: 'new' } } }]);
    expect(http[1].match).toEqual([{ uri: { exact: '/reviews' }, method: { exact: 'POST' } }]);
    expect(http.map((r: any) => r.mirror?.subset)).toEqual(['v3', 'v3', 'v3']);
    expect(http[2].mirrorPercentage).toEqual({ value: 5 });
    expect(reached(ISTIO, out, req({ headers: { cookie: 'theme=dark; beta=yes' }, query: { ui: 'new' } }))).toEqual(['v2', 'v3']);
    expect(reached(ISTIO, out, req({ headers: { cookie: 'beta=yesno' }, query: { ui: 'new' } }))).toEqual(['v1', 'v3']);
    expect(reached(ISTIO, out, req({ path: '/reviews', method: 'POST' }))).toEqual(['v1']);
  });

  test('a mirror to a version that a route sends everything to is not written on that route', () => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(ISTIO, { mirror: { version: 'v2', percent: 10 } }));
    const http = one(synthValidated(chart), 'VirtualService', 'reviews').spec.http;
    expect(http.map((r: any) => r.mirror?.subset)).toEqual([undefined, 'v2']);
  });

  test('versions by Deployment (labelled) and by a Service of their own (its selector is the subset)', () => {
    const chart = shopChart();
    const v1 = new kplus.Deployment(chart, 'reviews-v1', { select: false, podMetadata: { labels: { app: 'reviews' } }, containers: [{ image: 'reviews:1', portNumber: 9080 }] });
    for (const v of ['v2', 'v3']) new kplus.Deployment(chart, `reviews-${v}`, { select: false, podMetadata: { labels: { app: 'reviews', version: v } }, containers: [{ image: `reviews:${v}`, portNumber: 9080 }] });
    new VersionedRouting(chart, 'routing', classic(ISTIO, {
      versions: [
        ServiceVersion.fromDeployment(v1, 'v1'),
        ServiceVersion.of('v2'),
        ServiceVersion.fromService(ServiceRef.fromName('reviews-v3', { port: 9080, selector: { app: 'reviews', version: 'v3' } }), 'v3'),
      ],
    }));
    const out = synthValidated(chart);
    expect(one(out, 'Deployment', 'test-reviews-v1').spec.template.metadata.labels).toMatchObject({ app: 'reviews', version: 'v1' });
    expect(one(out, 'DestinationRule', 'reviews').spec.subsets).toEqual([
      { name: 'v1', labels: { app: 'reviews', version: 'v1' } },
      { name: 'v2', labels: { app: 'reviews', version: 'v2' } },
      { name: 'v3', labels: { app: 'reviews', version: 'v3' } },
    ]);
  });
});

describe('versions by Deployment: their pods must be the service\'s', () => {
  const deployment = (chart: Chart, v: string, labels: { [k: string]: string } = { app: 'reviews' }) =>
    new kplus.Deployment(chart, `reviews-${v}`, { select: false, podMetadata: { labels }, containers: [{ image: `reviews:${v}`, portNumber: 9080 }] });
  const two = (mesh: Mesh, chart: Chart, v1: kplus.Deployment, v2: kplus.Deployment, service = reviews()) => new VersionedRouting(chart, 'routing', {
    mesh, service, versions: [ServiceVersion.fromDeployment(v1, 'v1'), ServiceVersion.fromDeployment(v2, 'v2')], defaultSplit: [{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }],
  });

  test.each(MESHES)('%s: a Deployment whose pods lack the service\'s selector labels is refused at synthesis (its version would have no endpoints); with them, accepted', (_n, mesh) => {
    expect(failureOf(chart => two(mesh, chart, deployment(chart, 'v1'), deployment(chart, 'v2', { tier: 'backend' }))))
      .toContain('versions[1]: got "ServiceVersion.fromDeployment(test-reviews-v2, \'v2\')": the Deployment\'s pods lack the label app: reviews that the service reviews selects by, so the v2 version has no endpoints and its share of requests fails; add app: reviews to the pod template\'s labels');
    // labels added after the routing count (checked at synthesis)
    const chart = shopChart();
    const late = deployment(chart, 'v2', {});
    two(mesh, chart, deployment(chart, 'v1'), late);
    late.podMetadata.addLabel('app', 'reviews');
    expect(() => synthValidated(chart)).not.toThrow();
  });

  test.each(MESHES)('%s: a service selected by cdk8s-plus\'s per-Deployment label is refused, with the fix', (_n, mesh) => {
    expect(failureOf(chart => {
      const v1 = new kplus.Deployment(chart, 'reviews-v1', { containers: [{ image: 'reviews:1', portNumber: 9080 }] });
      const v2 = deployment(chart, 'v2');
      two(mesh, chart, v1, v2, ServiceRef.fromDeployment(v1, { port: 9080 }));
    })).toMatch(/service\.selector: got \{"cdk8s\.io\/metadata\.addr":"test-reviews-v1-[0-9a-f]+"\}: the service selects its pods by cdk8s-plus's default label cdk8s\.io\/metadata\.addr, which is unique to one Deployment/);
  });

  test('a Deployment whose pods (or selector) already carry another value of the version label is refused, not relabelled', () => {
    expect(failureOf(chart => two(ISTIO, chart, deployment(chart, 'v1', { app: 'reviews', version: 'v1' }), deployment(chart, 'v2', { app: 'reviews', version: 'v1' }))))
      .toBe('[test/routing] versions[1]: got "ServiceVersion.fromDeployment(test-reviews-v2, \'v2\')": the Deployment\'s pods are labelled version: v1, and relabelling them version: v2 would move them out of version v1 (and out of a Deployment selector that holds version: v1); '
        + 'pass the Deployment of version v2, or name the version v1');
    // the same value is fine
    const chart = shopChart();
    two(ISTIO, chart, deployment(chart, 'v1', { app: 'reviews', version: 'v1' }), deployment(chart, 'v2', { app: 'reviews', version: 'v2' }));
    expect(() => synthValidated(chart)).not.toThrow();
  });
});

describe('Gateway API meshes (Linkerd, Istio ambient)', () => {
  test.each([['linkerd', LINKERD], ['ambient', AMBIENT]])('%s: per-version backend Services, a Service of its own used as is', (_n, mesh) => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(mesh, {
      versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), ServiceVersion.fromService(ServiceRef.fromName('reviews-canary', { port: 9080, selector: { app: 'reviews', version: 'v3' } }), 'v3')],
    }));
    const out = synthValidated(chart);
    expect(ofKind(out, 'Service').map(s => s.metadata.name).sort()).toEqual(['reviews-v1', 'reviews-v2']);
    expect(one(out, 'HTTPRoute', 'reviews').spec.rules[1].backendRefs).toEqual([{ name: 'reviews-v1', port: 9080, weight: 50 }, { name: 'reviews-canary', port: 9080, weight: 50 }]);
  });

  test.each([['linkerd', LINKERD], ['ambient', AMBIENT]])('%s: a version\'s own Service must have the service\'s port (the backendRefs carry it); Istio sidecars route by subset and take any', (_n, mesh) => {
    const own = (port: number) => ServiceVersion.fromService(ServiceRef.fromName('reviews-canary', { port, selector: { app: 'reviews', version: 'v3' } }), 'v3');
    expect(failureOf(chart => new VersionedRouting(chart, 'routing', classic(mesh, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), own(8080)] }))))
      .toBe("[test/routing] versions[2].service.port: got 8080: the route sends to port 9080 of each version's Service; give reviews-canary port 9080");
    expect(() => synthValidated(((c: Chart) => { new VersionedRouting(c, 'routing', classic(mesh, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), own(9080)] })); return c; })(shopChart()))).not.toThrow();
    expect(() => synthValidated(((c: Chart) => { new VersionedRouting(c, 'routing', classic(ISTIO, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), own(8080)] })); return c; })(shopChart()))).not.toThrow();
  });

  test('Linkerd: the apex Service (given as an object) is narrowed to the heaviest default version; a name only gets a warning', () => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'reviews', { metadata: { name: 'reviews' }, ports: [{ port: 9080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'reviews' } }) });
    new VersionedRouting(chart, 'routing', classic(LINKERD, { service: ServiceRef.fromService(svc), defaultSplit: [{ version: 'v1', weight: 20 }, { version: 'v3', weight: 80 }] }));
    expect(one(synthValidated(chart), 'Service', 'reviews').spec.selector).toEqual({ app: 'reviews', version: 'v3' });
    stderr().mockClear();
    new VersionedRouting(shopChart(), 'routing', classic(LINKERD));
    expect(stderr().mock.calls.map(c => String(c[0])).filter(m => m.includes('apex'))).toEqual([
      '[cdk8s-mesh] warning: [test/routing] the apex Service reviews selects every version, so what Linkerd does not route (unmeshed callers, an ingress that sends to endpoints) splits by replica count: add version: v1 to its selector, or pass it with ServiceRef.fromService so the routing does it\n',
    ]);
  });

  test('Linkerd policy.linkerd.io routes: cookies and query parameters as RegularExpression / Exact matches (the policy controller reads both)', () => {
    const chart = shopChart();
    const mesh = Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY });
    new VersionedRouting(chart, 'routing', classic(mesh, { routes: [{ match: { cookies: [{ name: 'user', value: 'jason' }], queryParams: [QueryParamMatch.regex('v', '2|two')] }, version: 'v2' }] }));
    const out = synthValidated(chart);
    expect(one(out, 'HTTPRoute', 'reviews').spec.rules[0].matches).toEqual([{
      path: { type: 'PathPrefix', value: '/' },
      headers: [{ type: 'RegularExpression', name: 'cookie', value: '^(.*?;\\s*)?user=jason(;.*)?$' }],
      queryParams: [{ type: 'RegularExpression', name: 'v', value: '2|two' }],
    }]);
    expect(reached(mesh, out, req({ headers: { cookie: 'user=jason' }, query: { v: 'two' } }))).toEqual(['v2']);
  });

  test.each([['linkerd', LINKERD], ['ambient', AMBIENT]])('%s: fails when a later route would outrank an earlier one it overlaps (Gateway API picks the most specific); the other order is fine', (_n, mesh) => {
    const routes = [
      { name: 'jason', match: JASON, version: 'v2' },
      { name: 'api', match: { path: PathMatch.prefix('/api') }, version: 'v3' },
    ];
    expect(failureOf(chart => new VersionedRouting(chart, 'routing', classic(mesh, { routes }))))
      .toBe(`[test/routing] routes[1].match: got "path prefix \\"/api\\"": ${mesh.displayName} routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first (${mesh.kind === 'linkerd'
        ? 'longest path (exact or prefix alike), most headers, most query parameters, then a method, as the Linkerd proxy ranks them'
        : 'exact path, longest path prefix, method, most headers, most query parameters'}): `
        + 'a request that matches both this route and routes[0] (header end-user exact "jason") would go to this route\'s versions; make routes[0] at least as specific (add this route\'s path, method or conditions to it), or add a route for the requests that match both ahead of both');
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(mesh, { routes: [routes[1], routes[0]] }));
    const out = synthValidated(chart);
    expect(reached(mesh, out, req({ path: '/api/x', headers: { 'end-user': 'jason' } }))).toEqual(['v3']);
    expect(reached(mesh, out, req({ path: '/web', headers: { 'end-user': 'jason' } }))).toEqual(['v2']);
  });

  test.each([
    ['a method, then a header', [{ name: 'get', match: { methods: [HttpMethod.GET] }, version: 'v3' }, { name: 'jason', match: JASON, version: 'v2' }], { method: 'GET', headers: { 'end-user': 'jason' } }],
    ['an exact path, then the same path as a prefix with a header', [{ name: 'exact', match: { path: PathMatch.exact('/api') }, version: 'v3' }, { name: 'jason', match: { ...JASON, path: PathMatch.prefix('/api') }, version: 'v2' }], { path: '/api', headers: { 'end-user': 'jason' } }],
  ])('%s: Istio ambient (Gateway API order) keeps it; the Linkerd proxy ranks headers above a method and an exact path like a prefix of its length, so it is refused there', (_n, routes, request) => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(AMBIENT, { routes }));
    expect(reached(AMBIENT, synthValidated(chart), req(request))).toEqual(['v3']);
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(LINKERD, { routes }))))
      .toMatch(/^\[test\/routing\] routes\[1\]\.match: got .*: Linkerd routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first \(longest path \(exact or prefix alike\), most headers, most query parameters, then a method, as the Linkerd proxy ranks them\): a request that matches both this route and routes\[0\]/);
    // the other order: first the more specific route for Linkerd, kept there (and refused on ambient)
    const linkerd = shopChart();
    new VersionedRouting(linkerd, 'routing', classic(LINKERD, { routes: [routes[1], routes[0]] }));
    expect(reached(LINKERD, synthValidated(linkerd), req(request))).toEqual(['v2']);
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(AMBIENT, { routes: [routes[1], routes[0]] })))).toMatch(/routes\[1\]\.match: got .*Istio ambient routes by Gateway API HTTPRoutes/);
  });

  test('Istio sidecars and Consul keep the given order of overlapping routes (first match)', () => {
    for (const mesh of [ISTIO, CONSUL]) {
      const chart = shopChart();
      new VersionedRouting(chart, 'routing', classic(mesh, { routes: [{ match: JASON, version: 'v2' }, { match: { path: PathMatch.prefix('/api') }, version: 'v3' }] }));
      const out = synthValidated(chart);
      expect(reached(mesh, out, req({ path: '/api/x', headers: { 'end-user': 'jason' } }))).toEqual(['v2']);
      expect(reached(mesh, out, req({ path: '/api/x' }))).toEqual(['v3']);
    }
  });

  test('ambient writes the mirror as a RequestMirror filter; Linkerd refuses it (or drops it with a warning)', () => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(AMBIENT, { mirror: { version: 'v3', percent: 10 } }));
    const rules = one(synthValidated(chart), 'HTTPRoute', 'reviews').spec.rules;
    expect(rules.map((r: any) => r.filters)).toEqual([
      [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 }, percent: 10 } }],
      [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v3', port: 9080 }, percent: 10 } }],
    ]);
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(LINKERD, { mirror: { version: 'v3', percent: 10 } }))))
      .toBe('[test/routing] mirror: got "v3 10%": Linkerd cannot express this (Linkerd\'s outbound routes do not support the RequestMirror filter); send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }]), or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const dropped = shopChart();
    new VersionedRouting(dropped, 'routing', classic(LINKERD, { mirror: { version: 'v3', percent: 10 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }));
    const route = one(synthValidated(dropped), 'HTTPRoute', 'reviews');
    expect(route.metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('mirror=v3 10%');
    expect(route.spec.rules.every((r: any) => !r.filters)).toBe(true);
  });

  test('ambient: faults on a service routed by version are refused (a VirtualService and HTTPRoutes together are undefined)', () => {
    expect(failureOf(chart => {
      new VersionedRouting(chart, 'routing', classic(AMBIENT));
      new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: reviews(), rules: [{ match: JASON, abort: { httpStatus: 500, percent: 10 } }] });
    })).toMatch(/\[test\/chaos\] injects faults \(a VirtualService, Alpha on Istio ambient\), and \[test\/routing\] routes it with Gateway API HTTPRoutes/);
  });
});

describe('Consul', () => {
  test('route to one subset; ServiceSplitter for the default split; resolver subsets for every version, default the heaviest', () => {
    const chart = shopChart();
    new VersionedRouting(chart, 'routing', classic(CONSUL, { defaultSplit: [{ version: 'v1', weight: 30 }, { version: 'v3', weight: 70 }] }));
    const out = synthValidated(chart);
    expect(one(out, 'ServiceSplitter', 'reviews').spec.splits).toEqual([{ weight: 30, serviceSubset: 'v1' }, { weight: 70, serviceSubset: 'v3' }]);
    expect(one(out, 'ServiceResolver', 'reviews').spec.defaultSubset).toBe('v3');
    expect(Object.keys(one(out, 'ServiceResolver', 'reviews').spec.subsets)).toEqual(['v1', 'v2', 'v3']);
  });

  test('routing a service between subsets and failing it over to a peer is refused, naming both (the peer target keeps the subset filter)', () => {
    const build = (withRouting: boolean) => {
      const app = new App({ outdir: Testing.app().outdir });
      const usWest = new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true });
      const ref = ServiceRef.fromName('reviews', { port: 9080, namespace: 'shop' });
      if (withRouting) new VersionedRouting(usWest, 'routing', classic(CONSUL, { service: ref }));
      new MultiClusterExport(app, 'shop', {
        mesh: CONSUL,
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', services: [ref], chart: usWest },
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [ref] },
        ],
        exports: [{ service: ref, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      app.synth();
    };
    expect(() => build(true)).toThrow('failover: got peers eu-west for reviews, but [us-west/routing] routes it between versions in subsets (Service.Meta.version == v1, Service.Meta.version == v2, Service.Meta.version == v3): '
      + 'Consul fails a subset over to the same subset on the peer');
    expect(() => build(false)).not.toThrow();
  });

  test('refuses a route to a weighted set, a mirror and versions by a Service of their own, naming why', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(CONSUL, { routes: [{ match: JASON, split: [{ version: 'v2', weight: 50 }, { version: 'v3', weight: 50 }] }] }))))
      .toContain('routes[0].split: got "v2: 50, v3: 50": Consul cannot express this (a ServiceRouter route sends to one service subset');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(CONSUL, { mirror: { version: 'v3', percent: 1 } }))))
      .toContain('mirror: got "v3 1%": Consul cannot express this (Consul\'s discovery chain has no traffic mirroring)');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(CONSUL, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), ServiceVersion.fromService(ServiceRef.fromName('reviews-v3', { port: 9080 }), 'v3')] }))))
      .toContain("versions[2]: got \"ServiceVersion.fromService(reviews-v3, 'v3')\": Consul cannot express this");
    // a weighted set with a single non-zero weight is one subset: fine
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(CONSUL, { routes: [{ match: JASON, split: [{ version: 'v2', weight: 100 }, { version: 'v3', weight: 0 }] }] }))).not.toThrow();
  });
});

describe('the mesh checks keep their words and their place among the prop checks (they moved into src/meshes/<mesh>/routing.ts)', () => {
  test('Consul: a version Service and a label key that is no Service.Meta key, in the order of versions, with the other problems', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(CONSUL, {
      versions: [ServiceVersion.of('v1', { labelKey: 'app.kubernetes.io/version' }), ServiceVersion.fromService(ServiceRef.fromName('reviews-v2', { port: 9080 }), 'v2'), ServiceVersion.of('V3')],
    })))).toBe('[test/routing] 3 problems:\n'
      + '  - versions[0].labelKey: got "app.kubernetes.io/version": Consul subsets filter on Service.Meta.<key>, which needs a plain identifier; use a key such as \'version\'\n'
      + '  - versions[1]: got "ServiceVersion.fromService(reviews-v2, \'v2\')": Consul cannot express this (its subsets are Service.Meta filters of the one Consul service that callers use; a Service of its own registers a different Consul service); '
      + 'use ServiceVersion.of(\'v2\') or ServiceVersion.fromDeployment(deployment, \'v2\')\n'
      + '  - versions[2].name: got "V3": a version is used as a subset and Service name suffix: a DNS-1123 label of at most 40 characters; use e.g. \'v2\'');
    // the same versions on Istio: only the mesh-neutral problem
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, {
      versions: [ServiceVersion.of('v1', { labelKey: 'app.kubernetes.io/version' }), ServiceVersion.fromService(ServiceRef.fromName('reviews-v2', { port: 9080 }), 'v2'), ServiceVersion.of('V3')],
    })))).toBe('[test/routing] versions[2].name: got "V3": a version is used as a subset and Service name suffix: a DNS-1123 label of at most 40 characters; use e.g. \'v2\'');
  });

  test('Consul: a weighted route among the route checks, in the order of routes', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(CONSUL, {
      routes: [{ match: JASON, split: [{ version: 'v2', weight: 50 }, { version: 'v3', weight: 50 }] }, { match: { path: PathMatch.prefix('/x') }, version: 'v9' }],
    })))).toBe('[test/routing] 2 problems:\n'
      + '  - routes[0].split: got "v2: 50, v3: 50": Consul cannot express this (a ServiceRouter route sends to one service subset; only the service\'s ServiceSplitter splits by weight, and it applies to the requests no route takes); '
      + 'send this route to one version, and split the remaining requests with defaultSplit\n'
      + '  - routes[1].version: got "v9": no such version (the versions are v1, v2, v3); name one of versions, or add it to versions');
  });

  test('Gateway API meshes: a regular expression path is refused after an overlapping route to other versions, on ambient and Linkerd; Istio sidecars keep the order', () => {
    const routes = [{ match: JASON, version: 'v2' }, { match: { path: PathMatch.regex('/v[0-9]+/.*') }, version: 'v3' }];
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(AMBIENT, { routes })))).toBe('[test/routing] routes[1].match: got "path regex \\"/v[0-9]+/.*\\"": '
      + 'Istio ambient routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first (exact path, longest path prefix, method, most headers, most query parameters; regular expression paths rank as the implementation decides): '
      + 'a request that matches both this route and routes[0] (header end-user exact "jason") would go to this route\'s versions; '
      + 'make routes[0] at least as specific (add this route\'s path, method or conditions to it), or add a route for the requests that match both ahead of both');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(LINKERD, { routes }))))
      .toContain('(longest path (exact or prefix alike), most headers, most query parameters, then a method, as the Linkerd proxy ranks them; regular expression paths rank as the implementation decides)');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { routes }))).not.toThrow();
  });

  test('Consul: a version by label without a Deployment gets the annotation warning; with one, the annotation', () => {
    new VersionedRouting(shopChart(), 'routing', classic(CONSUL));
    expect(stderr().mock.calls.map(c => String(c[0])).filter(m => m.includes('Service.Meta'))).toEqual(['v1', 'v2', 'v3'].map(v =>
      `[cdk8s-mesh] warning: [test/routing] Consul subsets filter on Service.Meta.version: annotate the ${v} pods with consul.hashicorp.com/service-meta-version: "${v}" (ServiceVersion.fromDeployment does it for you)\n`));
    const chart = shopChart();
    const d = new kplus.Deployment(chart, 'reviews-v2', { select: false, podMetadata: { labels: { app: 'reviews' } }, containers: [{ image: 'reviews:2', portNumber: 9080 }] });
    new VersionedRouting(chart, 'routing', classic(CONSUL, { service: ServiceRef.fromName('reviews', { port: 9080, selector: { app: 'reviews' } }), versions: [ServiceVersion.of('v1'), ServiceVersion.fromDeployment(d, 'v2'), ServiceVersion.of('v3')] }));
    const template = ofKind(Testing.synth(chart), 'Deployment')[0].spec.template.metadata;
    expect(template.labels.version).toBe('v2');
    expect(template.annotations['consul.hashicorp.com/service-meta-version']).toBe('v2');
  });
});

describe('guardrails, on both sides', () => {
  test('split weights sum to 100, naming the values', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { defaultSplit: [{ version: 'v1', weight: 50 }, { version: 'v3', weight: 49 }] }))))
      .toBe('[test/routing] defaultSplit: got "v1: 50, v3: 49": the weights sum to 99, not 100; make the weights of the split sum to exactly 100');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { defaultSplit: [{ version: 'v1', weight: 51 }, { version: 'v3', weight: 50 }] }))))
      .toContain('the weights sum to 101, not 100');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: JASON, split: [{ version: 'v2', weight: 101 }] }] }))))
      .toContain('routes[0].split[0].weight: got 101: a weight is a whole percentage from 0 to 100');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { defaultSplit: [{ version: 'v1', weight: 50.5 }, { version: 'v3', weight: 49.5 }] }))))
      .toContain('defaultSplit[0].weight: got 50.5: a weight is a whole percentage from 0 to 100');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { defaultSplit: [{ version: 'v1', weight: 0 }, { version: 'v3', weight: 100 }] }))).not.toThrow();
  });

  test('every version named exists', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: JASON, version: 'v4' }] }))))
      .toBe('[test/routing] routes[0].version: got "v4": no such version (the versions are v1, v2, v3); name one of versions, or add it to versions');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { defaultSplit: [{ version: 'v0', weight: 100 }] })))).toContain('defaultSplit[0].version: got "v0": no such version');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { mirror: { version: 'v9', percent: 1 } })))).toContain('mirror.version: got "v9": no such version');
  });

  test('a route covered by an earlier one is an error naming both; a narrower route first is fine', () => {
    const broad = { name: 'beta', match: { headers: [HeaderMatch.prefix('end-user', 'j')] }, version: 'v3' };
    const narrow = { name: 'jason', match: { headers: [HeaderMatch.exact('end-user', 'jason')], methods: [HttpMethod.GET] }, version: 'v2' };
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [broad, narrow] }))))
      .toBe('[test/routing] routes[1].match: got "methods GET, header end-user exact \\"jason\\"": routes[0] (header end-user prefix "j") matches every request this route matches, and the first matching route takes it, so this route never does; put routes[1] before routes[0], narrow routes[0], or remove routes[1]');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { routes: [narrow, broad] }))).not.toThrow();
    // a path prefix covers the paths under it, not the ones that only share its start
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: { path: PathMatch.prefix('/api') }, version: 'v2' }, { match: { path: PathMatch.exact('/api/x') }, version: 'v3' }] }))))
      .toContain('routes[0] (path prefix "/api") matches every request this route matches');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { routes: [{ match: { path: PathMatch.prefix('/api') }, version: 'v2' }, { match: { path: PathMatch.exact('/apiary') }, version: 'v3' }] }))).not.toThrow();
  });

  test('a version with no requests is a warning; a version with some is not', () => {
    new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { routes: [] }));
    expect(stderr().mock.calls.map(c => String(c[0])).filter(m => m.includes('gets no requests'))).toEqual([
      '[cdk8s-mesh] warning: [test/routing] version v2 gets no requests: no route and no weight of defaultSplit sends to it (its pods stay idle); route some requests to it, or remove it from versions\n',
    ]);
    stderr().mockClear();
    new VersionedRouting(shopChart(), 'routing', classic(ISTIO));
    expect(stderr().mock.calls.map(c => String(c[0])).filter(m => m.includes('gets no requests'))).toEqual([]);
  });

  test('versions must select disjoint pods', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2'), ServiceVersion.of('v3', { labelKey: 'track' })] }))))
      .toBe('[test/routing] versions[2]: got {"app":"reviews","track":"v3"}: versions[0] (v1) selects {"app":"reviews","version":"v1"}, and a pod with both sets of labels would be in both versions and serve the requests of each; select the versions by one label key with a different value each (e.g. version: v1, version: v2)');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, {
      versions: [ServiceVersion.of('v1', { labelKey: 'track' }), ServiceVersion.of('v2', { labelKey: 'track' }), ServiceVersion.of('v3', { labelKey: 'track' })],
    }))).not.toThrow();
  });

  test('names, matches and targets', () => {
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { versions: [] })))).toContain('versions: got []: routing needs at least one version');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { versions: [ServiceVersion.of('v1'), ServiceVersion.of('v1')] })))).toContain('versions[1].name: got "v1": versions[0] has the same name');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: JASON, version: 'v2', split: [] }] })))).toContain('exactly one of version and split');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: {}, version: 'v2' }] })))).toContain('routes[0].match: got {}: a route matches some requests');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: { cookies: [{ name: 'a b', value: 'x' }] }, version: 'v2' }] })))).toContain('routes[0].match.cookies[0]');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: { queryParams: [QueryParamMatch.regex('v', '(?<=a)b')] }, version: 'v2' }] })))).toContain('routes[0].match.queryParams[0]: got "v": not an RE2 regular expression');
    expect(failureOf(c => new VersionedRouting(c, 'routing', classic(ISTIO, { mirror: { version: 'v3', percent: 0 } })))).toContain('mirror.percent: got 0');
    expect(() => new VersionedRouting(shopChart(), 'routing', classic(ISTIO, { mirror: { version: 'v3', percent: 100 } }))).not.toThrow();
  });

  test('a CanaryRelease and a VersionedRouting of one service are refused, in either order, naming both', () => {
    const canary = (c: Chart) => new CanaryRelease(c, 'release', { mesh: ISTIO, service: reviews(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, healthAlert: {} });
    const expected = /a CanaryRelease \(\[test\/release\]\) and a VersionedRouting \(\[test\/routing\]\) cannot both route one service/;
    expect(failureOf(c => {
      canary(c); new VersionedRouting(c, 'routing', classic(ISTIO));
    })).toMatch(expected);
    expect(failureOf(c => {
      new VersionedRouting(c, 'routing', classic(ISTIO)); canary(c);
    })).toMatch(expected);
  });

  test('one VersionedRouting per service', () => {
    expect(failureOf(c => {
      new VersionedRouting(c, 'a', classic(ISTIO)); new VersionedRouting(c, 'b', classic(ISTIO));
    })).toBe('[test/b] service: got reviews, but [test/a] already routes it between versions; one VersionedRouting per service (put every version and rule in it)');
  });

  test('apiObjects include the shared routing objects', () => {
    const chart = shopChart();
    const r = new VersionedRouting(chart, 'routing', classic(ISTIO));
    expect(r.apiObjects.map(o => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
  });
});

describe('bad inputs give a named error, never a TypeError', () => {
  test('generated values in every prop of VersionedRouting and of fault rules', () => {
    const anything = fc.anything({ withNullPrototype: false, maxDepth: 2 });
    const keys = ['versions', 'routes', 'defaultSplit', 'mirror'] as const;
    fc.assert(fc.property(fc.constantFrom(...MESHES.map(m => m[1])), fc.constantFrom(...keys), anything, (mesh, key, value) => {
      try {
        failureOf(c => new VersionedRouting(c, 'routing', { ...classic(mesh), [key]: value } as any));
      } catch (e) {
        // 'expected synthesis to fail' is fine (a value that happens to be valid); a TypeError is not
        expect(String(e)).not.toMatch(/TypeError/);
      }
    }), { numRuns: 200 });
    const matchKeys = ['path', 'methods', 'headers', 'cookies', 'queryParams'] as const;
    fc.assert(fc.property(fc.constantFrom(...matchKeys), anything, (key, value) => {
      for (const build of [
        (c: Chart) => new VersionedRouting(c, 'routing', classic(ISTIO, { routes: [{ match: { [key]: value } as any, version: 'v2' }] })),
        (c: Chart) => new FaultInjection(c, 'chaos', { mesh: ISTIO, service: ratings(), rules: [{ match: { [key]: value } as any, abort: { httpStatus: 500, percent: 1 } }] }),
      ]) {
        try {
          failureOf(build);
        } catch (e) {
          expect(String(e)).not.toMatch(/TypeError/);
        }
      }
    }), { numRuns: 200 });
  });
});

describe('the dropped-settings notes on the routing objects a VersionedRouting shares with a ResilientService', () => {
  test.each([['before', true], ['after', false]])('Consul, the routing created %s the ResilientService: each note on the object it would have been written to', (_when, routingFirst) => {
    const chart = shopChart();
    const routing = () => new VersionedRouting(chart, 'routing', classic(CONSUL, { mirror: { version: 'v3', percent: 10 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }));
    if (routingFirst) routing();
    new ResilientService(chart, 'resilience', { mesh: CONSUL, service: reviews(), timeout: Duration.seconds(3), rateLimit: { requestsPerSecond: 100 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    if (!routingFirst) routing();
    const out = synthValidated(chart);
    const dropped = (kind: string) => one(out, kind, 'reviews').metadata.annotations?.['cdk8s-mesh.io/dropped-settings'];
    // the mirror would split requests between versions (the ServiceSplitter); the rate limit is a field of
    // the ServiceDefaults (Enterprise only): no routing object carries it
    expect(['ServiceRouter', 'ServiceSplitter', 'ServiceResolver'].map(dropped)).toEqual([undefined, 'mirror=v3 10%', undefined]);
    expect(dropped('ServiceDefaults')).toBe('rateLimit=100/s');
  });
});
