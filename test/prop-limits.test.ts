/**
 * Issue 25: both sides of each limit checked at the prop (the refusals themselves, with their exact
 * messages, are rows of test/bad-inputs.test.ts).
 */
import { Duration } from 'cdk8s';
import {
  CanaryRelease, EgressPolicy, EgressProtocol, HeaderMatch, Identity, IstioDataPlane, LinkerdInboundPolicy, LinkerdRouteApi, Mesh, MtlsPhase,
  MultiClusterExport, PathMatch, ReleaseVersion, ResilientService, ServiceRef, ZeroTrustNamespace,
} from '../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from './util';
import { show } from '../src/private/errors';

captureStderr();

const payment = (over: object = {}) => ServiceRef.fromName('payment', { port: 8080, ...over });
const order = () => Identity.serviceAccount('order');
const MESHES = [Mesh.istio(), Mesh.linkerd(), Mesh.consul(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })];

function zeroTrust(mesh: Mesh, props: object) {
  const chart = shopChart();
  new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [order()], to: payment() }], ...props });
  return synthValidated(chart);
}

describe('paths', () => {
  test('an exact or prefix path without "*" is accepted on every mesh; the same with "*" is refused on every mesh', () => {
    for (const mesh of MESHES) {
      for (const path of [PathMatch.exact('/admin'), PathMatch.prefix('/api'), PathMatch.exact("/a-b_c.d~e!$&'()+,;=:@%41")]) {
        expect(() => zeroTrust(mesh, { allow: [{ callers: [order()], to: payment(), paths: [path] }] })).not.toThrow();
      }
      for (const path of [PathMatch.exact('/admin*'), PathMatch.prefix('/api*'), PathMatch.exact('*'), PathMatch.prefix('/a*b')]) {
        expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [order()], to: payment(), paths: [path] }] })))
          .toContain(`allow[0].paths[0]: got ${show(path.value)}: `);
      }
    }
  });

  test('a path of 1024 characters is accepted, 1025 refused (Gateway API\'s limit)', () => {
    const route = (p: string) => (chart: any) => new ResilientService(chart, 'svc', { mesh: Mesh.linkerd(), service: payment(), routes: [{ name: 'a', match: { path: PathMatch.prefix(p) } }] });
    const ok = `/${'a'.repeat(1023)}`;
    const chart = shopChart();
    route(ok)(chart);
    expect(one(synthValidated(chart), 'HTTPRoute', 'payment').spec.rules[0].matches[0].path.value).toBe(ok);
    expect(failureOf(route(`${ok}a`))).toContain('a path match is at most 1024 characters');
  });

  test('regexes are checked as RE2: RE2-only syntax such as (?i) is accepted (JavaScript would refuse it), look-around refused', () => {
    for (const mesh of [Mesh.istio(), Mesh.linkerd(), Mesh.consul()]) {
      const chart = shopChart();
      new ResilientService(chart, 'svc', { mesh, service: payment(), routes: [{ name: 'a', match: { path: PathMatch.regex('(?i)^/api/v[0-9]+$'), headers: [HeaderMatch.regex('x-user', '(?i)tester')] } }] });
      expect(JSON.stringify(synthValidated(chart))).toContain('(?i)^/api/v[0-9]+$');
      expect(failureOf(c => new ResilientService(c, 'svc', { mesh, service: payment(), routes: [{ name: 'a', match: { path: PathMatch.regex('^/api(?!/internal)') } }] })))
        .toContain('not an RE2 regular expression');
    }
  });

  test('a header value with a tab is accepted; with NUL or a line break refused', () => {
    const route = (v: string) => (chart: any) => new ResilientService(chart, 'svc', { mesh: Mesh.istio(), service: payment(), circuitBreaker: {}, routes: [{ name: 'a', match: { headers: [HeaderMatch.exact('x-user', v)] } }] });
    const chart = shopChart();
    route('a\tb')(chart);
    expect(() => synthValidated(chart)).not.toThrow();
    for (const v of ['a\u0000b', 'a\r\nb']) expect(failureOf(route(v))).toContain('a header value cannot hold control characters');
  });
});

describe('durations', () => {
  test('99999h is written on every mesh; 1ms more is refused', () => {
    const max = Duration.hours(99999);
    for (const mesh of MESHES) {
      const chart = shopChart();
      new ResilientService(chart, 'svc', { mesh, service: payment(), timeout: max });
      expect(JSON.stringify(synthValidated(chart))).toContain('99999h');
      expect(failureOf(c => new ResilientService(c, 'svc', { mesh, service: payment(), timeout: Duration.millis(max.toMilliseconds() + 1) })))
        .toContain('[test/svc] timeout: got 99999h1ms: durations must be at most 99999h');
    }
  });
});

describe('error messages', () => {
  test('a value of up to 120 characters is shown whole, a longer one by its start and length', () => {
    expect(show('a'.repeat(120))).toBe(`"${'a'.repeat(120)}"`);
    expect(show('a'.repeat(121))).toBe(`"${'a'.repeat(100)}..." (121 characters)`);
    const message = failureOf(chart => new ResilientService(chart, 'svc', { mesh: Mesh.istio(), service: payment({ portName: 'x'.repeat(10_000) }) }));
    expect(message.length).toBeLessThan(400);
  });

  test('a cluster list of one still reads its count; no list reads undefined', () => {
    const c = { name: 'us-west', network: 'n', region: 'r', services: [] };
    expect(failureOf(chart => new MultiClusterExport(chart, 'mc', { mesh: Mesh.istio(), clusters: [c], exports: [] })))
      .toBe('[test/mc] clusters: got 1: a multi-cluster mesh has at least two clusters; declare every cluster that exports or consumes');
    expect(failureOf(chart => new MultiClusterExport(chart, 'mc', { mesh: Mesh.istio(), clusters: undefined as any, exports: [] }))).toContain('clusters: got undefined: ');
  });
});

describe('mesh options and trust domains', () => {
  test('a DNS trust domain is accepted and written into principals; wildcards and bad names are refused on every construct', () => {
    const out = zeroTrust(Mesh.istio({ trustDomain: 'prod.example.com' }), {});
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].from[0].source.principals).toEqual(['prod.example.com/ns/shop/sa/order']);
    expect(() => zeroTrust(Mesh.linkerd({ trustDomain: 'prod.example.com', clusterDomain: 'cluster.example' }), {})).not.toThrow();
    for (const trustDomain of ['*', '*.example.com', 'Prod', 'a..b', '']) {
      expect(failureOf(chart => new ResilientService(chart, 'svc', { mesh: Mesh.istio({ trustDomain }), service: payment() }))).toContain(`[test/svc] mesh.trustDomain: got ${show(trustDomain)}: `);
    }
  });

  test('mesh enum options: the enum values are accepted, others refused', () => {
    expect(() => zeroTrust(Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY, defaultInboundPolicy: LinkerdInboundPolicy.DENY }), {})).not.toThrow();
    expect(failureOf(chart => new ResilientService(chart, 'svc', { mesh: Mesh.linkerd({ defaultInboundPolicy: 'none' as any }), service: payment() })))
      .toBe('[test/svc] mesh.defaultInboundPolicy: got "none": not a defaultInboundPolicy value; use a LinkerdInboundPolicy, e.g. LinkerdInboundPolicy.ALL_UNAUTHENTICATED');
    expect(failureOf(chart => new ResilientService(chart, 'svc', { mesh: Mesh.consul({ enterprise: 'yes' as any }), service: payment() }))).toContain('mesh.enterprise: got "yes": not a boolean');
  });

  test('a consumer cluster trust domain: a DNS name is written into the exporter\'s principals, "*" refused', () => {
    const clusters = (trustDomain: string) => [
      { name: 'us-west', network: 'net-us', region: 'us-west1', services: [payment()], trustDomain },
      { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [payment()] },
    ];
    const exports = [{ service: payment(), cluster: 'eu-west', consumers: ['us-west'], callers: [order()] }];
    const chart = shopChart();
    const mc = new MultiClusterExport(chart, 'mc', { mesh: Mesh.istio(), clusters: clusters('us.example.com'), exports });
    expect(one(synthValidated(mc.chartOf('eu-west')), 'AuthorizationPolicy', 'payment-remote-callers').spec.rules[0].from[0].source.principals).toEqual([expect.stringMatching(/^us\.example\.com\/ns\/[a-z]+\/sa\/order$/)]);
    expect(failureOf(c => new MultiClusterExport(c, 'mc', { mesh: Mesh.istio(), clusters: clusters('*'), exports }))).toContain('clusters[0].trustDomain: got "*": ');
  });
});

describe('widening values', () => {
  test('a caller network: a CIDR is accepted, every address (0.0.0.0/0, ::/0) refused', () => {
    const allow = (cidr: string) => ({ mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.network(cidr)], to: payment() }] });
    const out = zeroTrust(Mesh.istio(), allow('192.0.2.0/24'));
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.rules[0].from[0].source.ipBlocks).toEqual(['192.0.2.0/24']);
    for (const cidr of ['0.0.0.0/0', '::/0', '10.0.0.0/33', '10.0.0/8']) {
      expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), ...allow(cidr) }))).toContain(`allow[0].callers[0]: got ${show(cidr)}: `);
    }
  });

  test('egress addresses: a CIDR is written, every address refused', () => {
    const hosts = (a: string) => [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432, addresses: [a] }];
    const chart = shopChart();
    new EgressPolicy(chart, 'egress', { mesh: Mesh.istio(), hosts: hosts('10.20.0.0/16') });
    expect(ofKind(synthValidated(chart), 'ServiceEntry')[0].spec.addresses).toEqual(['10.20.0.0/16']);
    for (const a of ['0.0.0.0/0', '::/0']) expect(failureOf(c => new EgressPolicy(c, 'egress', { mesh: Mesh.istio(), hosts: hosts(a) }))).toContain(`hosts[0].addresses[0]: got ${show(a)}: every address`);
  });

  test('a plain-http JWKS URI is written only with allowPlainHttpJwks; https needs nothing', () => {
    const jwt = (jwksUri: string, allowPlainHttpJwks?: boolean) => ({ jwt: { issuer: 'https://auth.example.com', jwksUri, allowPlainHttpJwks }, allow: [{ callers: [order()], to: payment(), requireJwt: true }] });
    const uri = (out: any[]) => one(out, 'RequestAuthentication', 'payment-jwt').spec.jwtRules[0].jwksUri;
    expect(uri(zeroTrust(Mesh.istio(), jwt('https://auth.example.com/jwks.json')))).toBe('https://auth.example.com/jwks.json');
    expect(uri(zeroTrust(Mesh.istio(), jwt('http://keycloak.auth.svc.cluster.local/jwks.json', true)))).toBe('http://keycloak.auth.svc.cluster.local/jwks.json');
    expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), ...jwt('http://keycloak.auth.svc.cluster.local/jwks.json') }))).toContain('jwt.jwksUri: got "http://keycloak.auth.svc.cluster.local/jwks.json": the signing keys would be fetched over plain http');
  });
});

describe('other-namespace targets', () => {
  test('a rule naming the policy\'s own namespace is accepted; another namespace is refused on every mesh, saying why', () => {
    for (const mesh of MESHES) {
      expect(() => zeroTrust(mesh, { allow: [{ callers: [order()], to: payment({ namespace: 'shop' }) }] })).not.toThrow();
      expect(() => zeroTrust(mesh, { namespace: 'other', allow: [{ callers: [order()], to: payment({ namespace: 'other' }) }] })).not.toThrow();
      expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [order()], to: payment({ namespace: 'other' }) }] })))
        .toContain('allow[0].to: got "other/payment": a ZeroTrustNamespace protects its own namespace (shop)');
    }
  });
});

describe('service references', () => {
  test('a target port from 1 to 65535 names the Linkerd Server; NaN, 0 and 65536 are refused', () => {
    const out = zeroTrust(Mesh.linkerd(), { allow: [{ callers: [order()], to: payment({ targetPort: 9090 }) }] });
    expect(ofKind(out, 'Server').map(s => s.metadata.name).filter(n => n !== 'proxy-admin')).toEqual(['payment-9090']);
    for (const targetPort of [NaN, 0, 65536, 80.5]) {
      expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), allow: [{ callers: [order()], to: payment({ targetPort }) }] })))
        .toContain(`allow[0].to.targetPort: got ${targetPort}: `);
    }
  });

  test('selectors: prefixed keys and empty values are accepted, invalid keys and values refused', () => {
    const chart = shopChart();
    new CanaryRelease(chart, 'release', {
      mesh: Mesh.istio(), service: payment({ selector: { 'app.kubernetes.io/name': 'payment', 'tier': '' } }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, healthAlert: {},
    });
    expect(one(synthValidated(chart), 'DestinationRule', 'payment').spec.subsets[0].labels).toEqual({ 'app.kubernetes.io/name': 'payment', 'tier': '', 'version': 'v1' });
    for (const selector of [{ 'Bad Key': 'x' }, { app: '-x' }, { app: 'x'.repeat(64) }, { 'a/b/c': 'x' }]) {
      expect(failureOf(c => new ResilientService(c, 'svc', { mesh: Mesh.istio(), service: payment({ selector }) }))).toContain('[test/svc] service.selector: got ');
    }
  });
});
