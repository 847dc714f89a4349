import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import { Shop } from '../../../examples/shop/main';
import {
  CanaryRelease, EgressPolicy, EgressProtocol, FaultInjection, HeaderMatch, HttpMethod, Identity, IngressApi, IngressGateway, IstioDataPlane,
  IstioWaypointScope, Mesh, MeshAnalyzer, MtlsExceptionMode, MultiClusterExport, PathMatch, ReachabilityMatrix, ReleaseVersion, ResilientService,
  ResilientServiceProps, ServiceRef, TrafficTelemetry, UnsupportedSettings, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const order = () => ServiceRef.fromName('order', { port: 8080 });
const dump = (objs: any[]) => objs.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');
const WAYPOINT_PRINCIPAL = 'cluster.local/ns/shop/sa/waypoint';

describe('the data plane choice', () => {
  test('sidecar stays the default; ambient is named in messages', () => {
    expect(Mesh.istio().istioDataPlane).toBe(IstioDataPlane.SIDECAR);
    expect(Mesh.istio().ambient).toBe(false);
    expect(AMBIENT.ambient).toBe(true);
    expect(AMBIENT.displayName).toBe('Istio ambient');
    expect(Mesh.linkerd().ambient).toBe(false);
  });
});

describe('namespace enrolment and the waypoint', () => {
  test('L4-only zero trust: the namespace is enrolled, no waypoint, the rules stay on the pods (ztunnel)', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
    const out = synthValidated(chart);
    expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio.io/dataplane-mode': 'ambient' });
    expect(ofKind(out, 'Gateway')).toEqual([]);
    const allow = one(out, 'AuthorizationPolicy', 'payment-allow').spec;
    expect(allow.selector).toEqual({ matchLabels: { app: 'payment' } });
    expect(allow.targetRefs).toBeUndefined();
    expect(ofKind(out, 'AuthorizationPolicy', 'payment-allow-waypoint')).toEqual([]);
  });

  test('an L7 rule creates the namespace waypoint; every rule moves to it and ztunnel admits the waypoint', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: AMBIENT,
      allow: [
        { callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] },
        { callers: [Identity.serviceAccount('web')], to: order() },
      ],
    });
    const out = synthValidated(chart);
    expect(dump(out)).toMatchSnapshot();
    expect(one(out, 'Gateway', 'waypoint').spec).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
    expect(one(out, 'Gateway', 'waypoint').metadata.labels['istio.io/waypoint-for']).toBe('service');
    expect(one(out, 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true' });
    for (const svc of ['payment', 'order']) {
      const l7 = one(out, 'AuthorizationPolicy', `${svc}-allow`).spec;
      expect(l7.targetRefs).toEqual([{ group: '', kind: 'Service', name: svc }]);
      expect(l7.selector).toBeUndefined();
      expect(one(out, 'AuthorizationPolicy', `${svc}-allow-waypoint`).spec).toEqual({
        selector: { matchLabels: { app: svc } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [WAYPOINT_PRINCIPAL] } }] }],
      });
    }
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
  });

  test('a waypoint created later by another pattern moves earlier L4 rules to it too, in either order', () => {
    const build = (ztFirst: boolean) => {
      const chart = shopChart();
      const zt = () => new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
      const rs = () => new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
      if (ztFirst) { zt(); rs(); } else { rs(); zt(); }
      return synthValidated(chart);
    };
    const [a, b] = [build(true), build(false)];
    const sorted = (out: any[]) => out.map(o => yaml.dump(o)).sort();
    expect(sorted(a)).toEqual(sorted(b));
    expect(one(a, 'AuthorizationPolicy', 'payment-allow').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'payment' }]);
    expect(ofKind(a, 'AuthorizationPolicy', 'payment-allow-waypoint')).toHaveLength(1);
  });

  test('a cdk8s-plus Namespace of the app carries the labels (no second Namespace object)', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });

  test('two Namespace objects for one namespace are refused with the fix', () => {
    const msg = failureOf(chart => {
      new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
      new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [], namespaceObject: new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } }) });
    });
    expect(msg).toBe('[test/zt] namespaceObject: got the Namespace [test/ns], but [test/AmbientNamespace-shop/Namespace] already enrolls namespace shop in ambient; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern');
  });
});

describe('zero trust', () => {
  test('the seed policy: payment accepts POST /process-payment only from order and api-gateway (reachability through the waypoint)', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: AMBIENT,
      allow: [
        { callers: [Identity.serviceAccount('order'), Identity.serviceAccount('api-gateway')], to: payment(), methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] },
        { callers: [Identity.serviceAccount('web')], to: order() },
      ],
    });
    const matrix = ReachabilityMatrix.fromManifests(synthValidated(chart), { defaultNamespace: 'shop' });
    const call = (caller: string, method: string, path: string, service = 'shop/payment') => matrix.check({ caller, service, method, path });
    expect(call('shop/order', 'POST', '/process-payment').allowed).toBe(true);
    expect(call('shop/order', 'POST', '/process-payment').reason).toBe('waypoint shop/waypoint: AuthorizationPolicy shop/payment-allow rules[0]');
    expect(call('shop/web', 'POST', '/process-payment').allowed).toBe(false);
    expect(call('shop/order', 'GET', '/process-payment').allowed).toBe(false);
    expect(call('shop/web', 'GET', '/x', 'shop/order').allowed).toBe(true);
    // the waypoint is not a caller of its own
    expect(matrix.callers()).not.toContain('shop/waypoint');
  });

  test('without the waypoint admission, ztunnel would refuse the waypoint: the analyzer says so (I142)', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.POST] }] });
    const out = synthValidated(chart).filter(o => o.metadata.name !== 'payment-allow-waypoint');
    expect(MeshAnalyzer.analyzeObjects(out).findings.map(f => f.code)).toEqual(['I142']);
  });

  test('JWT: the RequestAuthentication targets the Service at the waypoint', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: AMBIENT,
      jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' },
      allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), requireJwt: true }],
    });
    const out = synthValidated(chart);
    expect(one(out, 'RequestAuthentication', 'payment-jwt').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'payment' }]);
    expect(one(out, 'RequestAuthentication', 'payment-jwt').spec.selector).toBeUndefined();
    expect(ofKind(out, 'Gateway', 'waypoint')).toHaveLength(1);
  });

  test('a release\'s per-version Services are covered: the waypoint policies target them, and the waypoint denies by default', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    const svc = new kplus.Service(chart, 'payment-svc', { metadata: { name: 'payment' }, ports: [{ port: 80, targetPort: 8080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }) });
    const paymentSvc = ServiceRef.fromService(svc);
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: AMBIENT,
      allow: [{ callers: [Identity.serviceAccount('order')], to: paymentSvc, methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] }],
    });
    // created after the zero trust: the Services are read at synthesis
    new CanaryRelease(chart, 'release', { mesh: AMBIENT, service: paymentSvc, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, healthAlert: {} });
    const out = synthValidated(chart);
    const allow = one(out, 'AuthorizationPolicy', 'payment-allow').spec;
    expect(allow.targetRefs).toEqual(['payment', 'payment-v1', 'payment-v2'].map(name => ({ group: '', kind: 'Service', name })));
    // at the waypoint the port is the Service port
    expect(allow.rules[0].to).toEqual([{ operation: { ports: ['80'], methods: ['POST'], paths: ['/process-payment'] } }]);
    expect(one(out, 'AuthorizationPolicy', 'waypoint-default-deny').spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] });
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    for (const service of ['shop/payment', 'shop/payment-v1', 'shop/payment-v2']) {
      expect(matrix.check({ caller: 'other/attacker', service, method: 'POST', path: '/process-payment' }).allowed).toBe(false);
      expect(matrix.check({ caller: 'shop/order', service, method: 'POST', path: '/process-payment' }).allowed).toBe(true);
    }
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info').map(f => f.code)).toEqual([]);
    // the output before the fix (policies on payment only, no waypoint default): payment-v1 is open, and the analyzer says so
    const before = out.filter(o => o.metadata.name !== 'waypoint-default-deny')
      .map(o => (o.metadata.name === 'payment-allow' ? { ...o, spec: { ...o.spec, targetRefs: [{ group: '', kind: 'Service', name: 'payment' }] } } : o));
    expect(ReachabilityMatrix.fromManifests(before, { defaultNamespace: 'shop' }).check({ caller: 'other/attacker', service: 'shop/payment-v1', method: 'POST', path: '/process-payment' }).allowed).toBe(true);
    expect(MeshAnalyzer.analyzeObjects(before).findings.map(f => `${f.code} ${f.resource}`).sort()).toEqual(['I144 Service shop/payment-v1', 'I144 Service shop/payment-v2']);
  });

  test('the waypoint\'s default deny: a Service it serves with no policy of its own is refused there (hand-written YAML)', () => {
    const yamlText = (withDefault: boolean) => `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec: {selector: {app: legacy}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: default-deny, namespace: shop}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-waypoint, namespace: shop}
spec:
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]}]
${withDefault ? `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: waypoint-default-deny, namespace: shop}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: waypoint}]}
` : ''}`;
    const check = (withDefault: boolean) => ReachabilityMatrix.fromYaml(yamlText(withDefault)).check({ caller: 'other/attacker', service: 'shop/legacy' });
    expect(check(false).allowed).toBe(true);
    expect(check(true)).toMatchObject({ allowed: false, reason: 'waypoint shop/waypoint: no rule of the ALLOW policies matches (AuthorizationPolicy shop/waypoint-default-deny)' });
    expect(MeshAnalyzer.analyzeYaml(yamlText(false)).findings.map(f => f.code)).toContain('I144');
    expect(MeshAnalyzer.analyzeYaml(yamlText(true)).findings.map(f => f.code)).not.toContain('I144');
  });

  test('a PERMISSIVE port exception stays (ztunnel applies port-level mTLS); DISABLE is refused', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [], mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'Prometheus scrapes it' }] });
    expect(one(synthValidated(chart), 'PeerAuthentication', 'payment-mtls-exception').spec.portLevelMtls).toEqual({ 9090: { mode: 'PERMISSIVE' } });
    expect(failureOf(c => new ZeroTrustNamespace(c, 'zt', { mesh: AMBIENT, allow: [], mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.DISABLE, reason: 'legacy' }] })))
      .toBe('[test/zt] mtlsExceptions[0].mode: got "DISABLE": Istio ambient cannot express this (ztunnel always speaks mTLS between ambient workloads and ignores DISABLE); use MtlsExceptionMode.PERMISSIVE for a port that plaintext clients call');
  });
});

describe('traffic: Gateway API HTTPRoutes with the Service as parent, served by the waypoint', () => {
  test('resilience and a canary: one HTTPRoute set, per-version Services, a DestinationRule without subsets; snapshot', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', {
      mesh: AMBIENT,
      service: payment(),
      timeout: Duration.seconds(3),
      circuitBreaker: { consecutiveErrors: 5 },
      connectionPool: { maxConnections: 100 },
      routes: [{ name: 'pay', match: { path: PathMatch.prefix('/pay') }, timeout: Duration.seconds(10) }],
    });
    new CanaryRelease(chart, 'release', {
      mesh: AMBIENT,
      service: payment(),
      stable: ReleaseVersion.of('v1'),
      canary: ReleaseVersion.of('v2'),
      canaryWeight: 10,
      canaryRequests: [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }],
      mirrorPercent: 5,
      healthAlert: { maxErrorRatePercent: 1 },
    });
    const out = synthValidated(chart);
    expect(dump(out)).toMatchSnapshot();
    expect(ofKind(out, 'VirtualService')).toEqual([]);
    const route = one(out, 'HTTPRoute', 'payment').spec;
    expect(route.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'payment', port: 8080 }]);
    // header rules first, to the canary; then the weighted rules with the mirror
    expect(route.rules.map((r: any) => [r.matches[0].path.value, r.matches[0].headers?.[0]?.name, r.backendRefs.map((b: any) => `${b.name}:${b.weight ?? ''}`).join(','), r.timeouts?.request]))
      .toEqual([
        ['/pay', 'x-test-user', 'payment-v2:', '10s'],
        ['/', 'x-test-user', 'payment-v2:', '3s'],
        ['/pay', undefined, 'payment-v1:90,payment-v2:10', '10s'],
        ['/', undefined, 'payment-v1:90,payment-v2:10', '3s'],
      ]);
    expect(route.rules[2].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'payment-v2', port: 8080 }, percent: 5 } }]);
    expect(route.rules[0].filters).toBeUndefined(); // test users already reach the canary
    expect(ofKind(out, 'Service').map(s => s.metadata.name).sort()).toEqual(['payment-v1', 'payment-v2']);
    const dr = one(out, 'DestinationRule', 'payment').spec;
    expect(dr.subsets).toBeUndefined();
    expect(dr.trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(5);
    // the waypoint takes each backend's policy from the backend's own host: the same policy for each version Service
    for (const v of ['payment-v1', 'payment-v2']) {
      expect(one(out, 'DestinationRule', v).spec).toEqual({ host: `${v}.shop.svc.cluster.local`, trafficPolicy: dr.trafficPolicy });
    }
    // the output before the fix (the DestinationRule of payment only): the analyzer says the policy does not apply (I146)
    expect(MeshAnalyzer.analyzeObjects(out).findings.map(f => f.code)).not.toContain('I146');
    const before = out.filter(o => !(o.kind === 'DestinationRule' && o.metadata.name !== 'payment'));
    expect([...new Set(MeshAnalyzer.analyzeObjects(before).findings.map(f => f.code))]).toEqual(['I146']);
    expect(ofKind(out, 'Gateway', 'waypoint')).toHaveLength(1);
    // the health alert reads the waypoint's metrics of the canary's backend Service
    const rule = ofKind(out, 'PrometheusRule')[0].spec.groups[0].rules[0].expr;
    expect(rule).toContain('reporter="waypoint"');
    expect(rule).toContain('destination_service_name="payment-v2"');
  });

  test('a fractional mirror share is written as a fraction', () => {
    const chart = shopChart();
    new CanaryRelease(chart, 'release', { mesh: AMBIENT, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, mirrorPercent: 0.5, healthAlert: {} });
    const rules = one(synthValidated(chart), 'HTTPRoute', 'payment').spec.rules;
    expect(rules[0].filters[0].requestMirror.fraction).toEqual({ numerator: 5000, denominator: 1000000 });
  });

  test('retries are refused with the reason and the alternative; dropped visibly on request', () => {
    expect(failureOf(chart => new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), retries: { attempts: 2 } })))
      .toBe('[test/rs] retries: got 2: Istio ambient cannot express this (ambient routes are Gateway API HTTPRoutes, whose retry field is Experimental in Gateway API v1.6 (GEP-1731), not in the standard channel, and a VirtualService for the same service (Alpha on waypoints) would leave both undefined; where a waypoint serves the service, it keeps Istio\'s default of 2 retries on connect-failure, refused-stream and gRPC unavailable/cancelled (not on 503), unless meshConfig.defaultHttpRetryPolicy sets another; without one, ztunnel (L4) retries no request); remove retries for ambient and rely on the waypoint\'s default, or run the service on the sidecar data plane, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const chart = shopChart();
    const rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(2), retries: { attempts: 2 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    const out = synthValidated(chart);
    // one HTTPRoute, as without retries (no `payment-retry` route that does not retry), with the note
    expect(ofKind(out, 'HTTPRoute').map(r => r.metadata.name)).toEqual(['payment']);
    expect(ofKind(out, 'HTTPRoute').every(r => !JSON.stringify(r).includes('retry.linkerd.io'))).toBe(true);
    expect(one(out, 'HTTPRoute', 'payment').metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('retries=2');
    // the drop is told; no retry-storm warning for retries that are not written
    expect(rs.warnings).toEqual([expect.stringMatching(/^retries \(2\) is not written: Istio ambient cannot express it/)]);
    expect(stderr()).toHaveBeenCalled();
  });

  describe('dropped retries: the rules and refusals of the same service without retries', () => {
    const DROPPED = 'cdk8s-mesh.io/dropped-settings';
    const withoutRetries = (p: ResilientServiceProps): ResilientServiceProps =>
      ({ ...p, retries: undefined, routes: p.routes?.map(({ retries: _, ...r }) => r) });
    const build = (p: ResilientServiceProps) => {
      const chart = shopChart();
      const rs = new ResilientService(chart, 'rs', p);
      return { rs, routes: ofKind(synthValidated(chart), 'HTTPRoute') };
    };
    /** The HTTPRoutes of `props` with its retries dropped, checked against those of `props` without retries. */
    const asWithout = (props: ResilientServiceProps, note: string) => {
      const dropped = build({ ...props, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
      const none = build(withoutRetries(props));
      // names and specs (paths, method matches, timeouts, backends) the same; the note on each route
      expect(dropped.routes.map(r => [r.metadata.name, r.spec])).toEqual(none.routes.map(r => [r.metadata.name, r.spec]));
      expect(dropped.routes.map(r => r.metadata.annotations?.[DROPPED])).toEqual(dropped.routes.map(() => note));
      expect(none.routes.map(r => r.metadata.annotations?.[DROPPED])).toEqual(none.routes.map(() => undefined));
      // the drop is told, and nothing else
      expect(dropped.rs.warnings.map(w => w.slice(0, w.indexOf(' ('))).sort()).toEqual(note.split(', ').map(e => e.slice(0, e.indexOf('='))));
      expect(dropped.rs.warnings.every(w => w.includes(') is not written: Istio ambient cannot express it'))).toBe(true);
      return dropped.routes;
    };
    // each rule's [path, method] matches and timeout
    const rulesOf = (routes: any[]) => routes.flatMap(r => r.spec.rules)
      .map((r: any) => [r.matches.map((m: any) => [m.path.value, m.method]), r.timeouts?.request]);

    test('a retried route is one rule, not split by idempotent method: two rules, not four', () => {
      const routes = asWithout({
        mesh: AMBIENT,
        service: payment(),
        timeout: Duration.seconds(2),
        retries: { attempts: 2 },
        routes: [{ name: 'reads', match: { path: PathMatch.prefix('/reads') } }],
      }, 'retries=2');
      expect(routes.map(r => r.metadata.name)).toEqual(['payment']);
      expect(rulesOf(routes)).toEqual([[[['/reads', undefined]], '2s'], [[['/', undefined]], '2s']]);
    });

    test('routes with retries of their own and inherited: a rule each', () => {
      const routes = asWithout({
        mesh: AMBIENT,
        service: payment(),
        timeout: Duration.seconds(2),
        retries: { attempts: 2 },
        routes: [
          { name: 'create', match: { path: PathMatch.prefix('/create') }, retries: { attempts: 3 } },
          { name: 'reads', match: { path: PathMatch.prefix('/reads') }, timeout: Duration.seconds(1) },
        ],
      }, 'retries=2, routes[0].retries=3');
      expect(routes.map(r => r.metadata.name)).toEqual(['payment']);
      expect(rulesOf(routes)).toEqual([[[['/create', undefined]], '2s'], [[['/reads', undefined]], '1s'], [[['/', undefined]], '2s']]);
    });

    test('a route naming a non-idempotent method is accepted: its retries are not written', () => {
      const routes = asWithout({
        mesh: AMBIENT,
        service: payment(),
        timeout: Duration.seconds(2),
        retries: { attempts: 2 },
        routes: [{ name: 'pay', match: { path: PathMatch.prefix('/pay'), methods: [HttpMethod.POST, HttpMethod.GET] } }],
      }, 'retries=2');
      expect(rulesOf(routes)).toEqual([[[['/pay', 'POST'], ['/pay', 'GET']], '2s'], [[['/', undefined]], '2s']]);
    });

    test('a timeout shorter than the tries is accepted: the tries are not written', () => {
      // 3 tries of 1s under 1s (service-wide) and 500ms (a route's own timeout, the service's retries)
      const routes = asWithout({
        mesh: AMBIENT,
        service: payment(),
        timeout: Duration.seconds(1),
        retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
        routes: [{ name: 'fast', match: { path: PathMatch.prefix('/fast') }, timeout: Duration.millis(500) }],
      }, 'retries=2');
      expect(rulesOf(routes)).toEqual([[[['/fast', undefined]], '500ms'], [[['/', undefined]], '1s']]);
    });

    describe('settings all dropped: nothing to write, so no route, no waypoint, no Namespace label', () => {
      const DROP = UnsupportedSettings.DROP_WITH_WARNING;
      const validate = (c: Chart) => c.node.findAll().forEach(x => x.node.validate());
      const NOWHERE = /is on no object: Istio ambient writes nothing that would hold/;
      const onlyDropped: [string, Partial<ResilientServiceProps>, string][] = [
        ['retries alone', { retries: { attempts: 2 } }, 'retries=2'],
        ['a rate limit alone', { rateLimit: { requestsPerSecond: 100 } }, 'rateLimit=100'],
        ['routes whose only setting is retries', { routes: [{ name: 'reads', match: { path: PathMatch.prefix('/reads') }, retries: { attempts: 3 } }] }, 'routes[0].retries=3'],
        ['retries and a rate limit', { retries: { attempts: 2 }, rateLimit: { requestsPerSecond: 100 } }, 'retries=2, rateLimit=100'],
      ];
      test.each(onlyDropped)('%s: no object; the drop warnings, and at synthesis that the note is on no object', (_what, props, note) => {
        const chart = shopChart();
        const rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), ...props, unsupportedSettings: DROP });
        expect(rs.droppedSettings).toEqual(note.split(', ').map(e => e.slice(0, e.indexOf('='))));
        // the drop warnings at once; whether the note has an object is known at synthesis (a later pattern may give it one)
        const drops = note.split(', ').map(e => expect.stringMatching(new RegExp(`^${e.slice(0, e.indexOf('=')).replace(/[[\]]/g, '\\$&')} \\(.*\\) is not written: Istio ambient cannot express it`)));
        expect(rs.warnings).toEqual(drops);
        const out = synthValidated(chart);
        // no waypoint (every Service of the namespace would go through it), no Namespace labelled for it, no route
        expect(out.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([]);
        validate(chart);
        const one_ = note.split(', ').length === 1;
        expect(rs.warnings).toEqual([...drops, `the cdk8s-mesh.io/dropped-settings note of ${note} is on no object: Istio ambient writes nothing that would hold `
          + `${one_ ? 'it once it is' : 'them once they are'} left out, so the warning${one_ ? '' : 's'} above ${one_ ? 'is its' : 'are their'} only record`]);
      });

      test('an L4 zero trust beside it keeps its rules on the pods (no waypoint to move them to)', () => {
        const chart = shopChart();
        new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
        new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), retries: { attempts: 2 }, rateLimit: { requestsPerSecond: 100 }, unsupportedSettings: DROP });
        const out = synthValidated(chart);
        expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio.io/dataplane-mode': 'ambient' });
        expect(ofKind(out, 'Gateway')).toEqual([]);
        expect(ofKind(out, 'HTTPRoute')).toEqual([]);
        expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.selector).toEqual({ matchLabels: { app: 'payment' } });
      });

      test('a dropped setting beside a kept timeout: the route and the waypoint as before, the note on the route, no further warning', () => {
        const chart = shopChart();
        const rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(2), retries: { attempts: 2 }, rateLimit: { requestsPerSecond: 100 }, unsupportedSettings: DROP });
        const out = synthValidated(chart);
        expect(out.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Gateway/waypoint', 'HTTPRoute/payment', 'Namespace/shop']);
        expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({
          'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint', 'istio.io/ingress-use-waypoint': 'true',
        });
        expect(rulesOf(ofKind(out, 'HTTPRoute'))).toEqual([[[['/', undefined]], '2s']]);
        expect(one(out, 'HTTPRoute', 'payment').metadata.annotations[DROPPED]).toBe('rateLimit=100, retries=2');
        validate(chart);
        expect(rs.warnings.filter(w => NOWHERE.test(w))).toEqual([]);
        expect(rs.warnings).toHaveLength(2);
      });

      test('dropped retries beside a circuit breaker: the DestinationRule and its waypoint, no catch-all route; the note on the DestinationRule', () => {
        const chart = shopChart();
        const rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), retries: { attempts: 2 }, circuitBreaker: { consecutiveErrors: 3 }, unsupportedSettings: DROP });
        const out = synthValidated(chart);
        expect(out.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['DestinationRule/payment', 'Gateway/waypoint', 'Namespace/shop']);
        expect(one(out, 'DestinationRule', 'payment').metadata.annotations[DROPPED]).toBe('retries=2');
        validate(chart);
        expect(rs.warnings.filter(w => NOWHERE.test(w))).toEqual([]);
      });

      test.each([['first', true], ['second', false]])('another pattern that writes routes still gets the waypoint, and the note goes on its routes (resilience %s)', (_when, resilienceFirst) => {
        const chart = shopChart();
        let rs: ResilientService | undefined;
        const resilience = () => { rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), retries: { attempts: 2 }, rateLimit: { requestsPerSecond: 100 }, unsupportedSettings: DROP }); };
        if (resilienceFirst) resilience();
        new CanaryRelease(chart, 'release', { mesh: AMBIENT, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
        if (!resilienceFirst) resilience();
        const out = synthValidated(chart);
        expect(ofKind(out, 'Gateway').map(g => g.metadata.name)).toEqual(['waypoint']);
        expect(one(out, 'Namespace', 'shop').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
        expect(one(out, 'HTTPRoute', 'payment').metadata.annotations[DROPPED]).toBe('rateLimit=100, retries=2');
        validate(chart);
        expect(rs!.warnings.filter(w => NOWHERE.test(w))).toEqual([]);
      });

      test('a zero trust with an L7 rule still gets the waypoint (the waypoint is no routing object of the service: the note is on no object)', () => {
        const chart = shopChart();
        const rs = new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), retries: { attempts: 2 }, unsupportedSettings: DROP });
        new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.GET] }] });
        const out = synthValidated(chart);
        expect(ofKind(out, 'Gateway').map(g => g.metadata.name)).toEqual(['waypoint']);
        expect(one(out, 'Namespace', 'shop').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
        expect(ofKind(out, 'HTTPRoute')).toEqual([]);
        validate(chart);
        expect(rs.warnings.filter(w => NOWHERE.test(w))).toHaveLength(1);
      });
    });

    test('without DROP_WITH_WARNING the retries are refused with the checks of the retries themselves', () => {
      const message = failureOf(chart => new ResilientService(chart, 'rs', {
        mesh: AMBIENT,
        service: payment(),
        timeout: Duration.seconds(1),
        retries: { attempts: 2, perTryTimeout: Duration.seconds(1) },
        routes: [{ name: 'pay', match: { methods: [HttpMethod.POST] } }],
      }));
      expect(message).toContain('routes[0]: got "POST": retries would apply to non-idempotent POST requests');
      expect(message).toContain('timeout: got "1000ms": the timeout leaves no room for the retries');
    });
  });

  test('a local rate limit is refused (no sidecar to patch)', () => {
    expect(failureOf(chart => new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), rateLimit: { requestsPerSecond: 100 } })))
      .toContain('[test/rs] rateLimit: got 100: Istio ambient cannot express this (the local rate limit is an EnvoyFilter on the sidecar\'s inbound listener');
  });

  test('the sidecar output is unchanged by the option', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: Mesh.istio({ dataPlane: IstioDataPlane.SIDECAR }), service: payment(), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'VirtualService')).toHaveLength(1);
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
    // the sidecar enrolment: injection, not ambient
    expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio-injection': 'enabled' });
  });
});

describe('fault injection', () => {
  const fault = { delay: { fixedDelay: Duration.seconds(2), percent: 10 }, match: [HeaderMatch.exact('x-chaos', 'true')] };

  test('alone on a service: a VirtualService applied by the waypoint (Alpha), with a warning', () => {
    const chart = shopChart();
    new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
    const out = synthValidated(chart);
    expect(one(out, 'VirtualService', 'payment').spec.http[0].fault.delay).toEqual({ fixedDelay: '2s', percentage: { value: 10 } });
    expect(ofKind(out, 'Gateway', 'waypoint')).toHaveLength(1);
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('Alpha'));
  });

  test('with HTTPRoutes on the same service: refused, in either order', () => {
    const expected = '[test/chaos] service: got payment: [test/chaos] injects faults (a VirtualService, Alpha on Istio ambient), and [test/rs] routes it with Gateway API HTTPRoutes; Istio leaves a service with both undefined; inject faults into a service that has no ResilientService timeouts (on the service or a route: a circuit breaker, or retries left out with DROP_WITH_WARNING, write no route), no CanaryRelease and no VersionedRouting, or use the sidecar data plane for it';
    expect(failureOf(chart => {
      new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
      new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
    })).toBe(expected);
    expect(failureOf(chart => {
      new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
      new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
    })).toBe(expected.replace('[test/chaos] service', '[test/rs] service'));
  });

  test('beside a circuit-breaker-only ResilientService (a DestinationRule, no route): accepted, in either order', () => {
    for (const faultFirst of [true, false]) {
      const chart = shopChart();
      const rs = () => new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), circuitBreaker: { consecutiveErrors: 5 } });
      const chaos = () => new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
      if (faultFirst) { chaos(); rs(); } else { rs(); chaos(); }
      const out = synthValidated(chart);
      expect(one(out, 'VirtualService', 'payment').spec.http[0].fault.delay).toEqual({ fixedDelay: '2s', percentage: { value: 10 } });
      expect(one(out, 'DestinationRule', 'payment').spec.trafficPolicy.outlierDetection.consecutive5xxErrors).toBe(5);
      expect(ofKind(out, 'HTTPRoute')).toEqual([]);
    }
  });

  test('beside a ResilientService whose retries are all dropped (it writes no route): accepted, in either order; the VirtualService holds the faults and no retries', () => {
    for (const faultFirst of [true, false]) {
      const chart = shopChart();
      let resilience: ResilientService | undefined;
      const rs = () => resilience = new ResilientService(chart, 'rs', {
        mesh: AMBIENT,
        service: payment(),
        retries: { attempts: 2 },
        routes: [{ name: 'reads', match: { path: PathMatch.prefix('/reads') }, retries: { attempts: 3 } }],
        unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
      });
      const chaos = () => new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
      if (faultFirst) { chaos(); rs(); } else { rs(); chaos(); }
      const out = synthValidated(chart);
      const vs = one(out, 'VirtualService', 'payment');
      // the fault rule, then the catch-all: no /reads route, no retries (the waypoint would apply them)
      expect(vs.spec.http.map((r: any) => [r.match?.map((m: any) => m.uri ?? m.headers), !!r.fault, r.retries])).toEqual([
        [[{ 'x-chaos': { exact: 'true' } }], true, undefined],
        [undefined, false, undefined],
      ]);
      expect(ofKind(out, 'HTTPRoute')).toEqual([]);
      // the note of the dropped retries is on the VirtualService: no "on no object" warning at synthesis
      expect(vs.metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('retries=2, routes[0].retries=3');
      chart.node.findAll().forEach(x => x.node.validate());
      expect(resilience!.warnings.filter(w => /on no object/.test(w))).toEqual([]);
    }
  });

  test('beside a ResilientService with a timeout and dropped retries (an HTTPRoute): still refused', () => {
    expect(failureOf(chart => {
      new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3), retries: { attempts: 2 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
      new FaultInjection(chart, 'chaos', { mesh: AMBIENT, service: payment(), ...fault });
    })).toMatch(/and \[test\/rs\] routes it with Gateway API HTTPRoutes/);
  });
});

describe('telemetry, egress, ingress, multi-cluster', () => {
  test('telemetry: the namespace Telemetry applies at the waypoint; a per-service scope targets the Service', () => {
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', { mesh: AMBIENT, tracing: { samplingPercentage: 1 }, service: payment() });
    const out = synthValidated(chart);
    expect(one(out, 'Telemetry', 'payment-telemetry').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'payment' }]);
    expect(one(out, 'Telemetry', 'payment-telemetry').spec.selector).toBeUndefined();
    expect(ofKind(out, 'Gateway', 'waypoint')).toHaveLength(1);
  });

  test('egress: registry-only is refused (ztunnel passes unknown hosts); without it the ServiceEntries are written, no Sidecar', () => {
    expect(failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: AMBIENT, hosts: [{ host: 'api.stripe.com' }] })))
      .toBe('[test/egress] registryOnly: got true: Istio ambient cannot express this (ambient pods have no sidecar to apply a REGISTRY_ONLY Sidecar, and ztunnel passes unknown destinations through); set registryOnly: false and block other destinations with a Kubernetes NetworkPolicy (egress), or route egress through an egress gateway');
    const chart = shopChart();
    new EgressPolicy(chart, 'egress', { mesh: AMBIENT, hosts: [{ host: 'api.stripe.com' }], registryOnly: false });
    const out = synthValidated(chart);
    expect(ofKind(out, 'ServiceEntry')).toHaveLength(1);
    expect(ofKind(out, 'Sidecar')).toEqual([]);
    expect(ofKind(out, 'Gateway')).toEqual([]); // no waypoint for a TLS host
  });

  test('egress TLS origination: the ServiceEntry is enrolled with a waypoint, which originates TLS', () => {
    for (const [mesh, waypoint] of [[AMBIENT, 'waypoint'], [Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE }), 'egress-waypoint']] as const) {
      const chart = shopChart();
      new EgressPolicy(chart, 'egress', { mesh, registryOnly: false, hosts: [{ host: 'auth.example.com', protocol: EgressProtocol.HTTP, originateTls: true }] });
      const out = synthValidated(chart);
      const se = one(out, 'ServiceEntry', 'egress-auth-example-com');
      expect(se.metadata.labels['istio.io/use-waypoint']).toBe(waypoint);
      expect(se.spec.ports).toEqual([{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }]);
      expect(one(out, 'DestinationRule', 'egress-auth-example-com').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', sni: 'auth.example.com' });
      expect(one(out, 'Gateway', waypoint).spec.gatewayClassName).toBe('istio-waypoint');
      expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
    }
  });

  test('egress through the namespace waypoint stays open to the namespace when zero trust makes the waypoint deny by default', () => {
    for (const egressFirst of [true, false]) {
      const chart = shopChart();
      const egress = () => new EgressPolicy(chart, 'egress', { mesh: AMBIENT, registryOnly: false, hosts: [{ host: 'auth.example.com', protocol: EgressProtocol.HTTP, originateTls: true }] });
      const zt = () => new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.POST] }] });
      if (egressFirst) { egress(); zt(); } else { zt(); egress(); }
      const out = synthValidated(chart);
      expect(one(out, 'AuthorizationPolicy', 'waypoint-default-deny').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }]);
      expect(one(out, 'AuthorizationPolicy', 'waypoint-allow-egress').spec).toEqual({
        targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'egress-auth-example-com' }],
        action: 'ALLOW',
        rules: [{ from: [{ source: { namespaces: ['shop'] } }] }],
      });
    }
    // without egress through the waypoint, no such policy
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), methods: [HttpMethod.POST] }] });
    expect(ofKind(synthValidated(chart), 'AuthorizationPolicy', 'waypoint-allow-egress')).toEqual([]);
  });

  test('ingress: the Gateway API by default, JWT at the edge by targetRefs to the Gateway', () => {
    const chart = shopChart();
    const edge = new IngressGateway(chart, 'shop', {
      mesh: AMBIENT,
      host: 'shop.example.com',
      tlsSecretName: 'shop-tls',
      routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 8080 }) }],
      jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' },
    });
    expect(edge.api).toBe(IngressApi.GATEWAY_API);
    const out = synthValidated(chart);
    expect(one(out, 'Gateway', 'shop').spec.gatewayClassName).toBe('istio');
    const target = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop' }];
    expect(one(out, 'RequestAuthentication', 'shop-jwt').spec.targetRefs).toEqual(target);
    expect(one(out, 'AuthorizationPolicy', 'shop-require-jwt').spec).toMatchObject({ targetRefs: target, action: 'DENY' });
    expect(edge.callerIdentity?.name).toBe('shop-istio');
    // the DENY rule's HTTP attributes are safe on an HTTP-only Gateway (no I117)
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
    // the gateway pods are the Gateway's own: the DENY has no host condition to escape with host:443; it is
    // for 443 only, so that a plain-HTTP request without a token gets the redirect of port 80, not 403
    expect(one(out, 'AuthorizationPolicy', 'shop-require-jwt').spec.rules).toEqual([{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['443'] } }] }]);
  });

  test('ingress JWT without TLS (no redirect): the DENY covers every port', () => {
    const chart = shopChart();
    new IngressGateway(chart, 'shop', {
      mesh: AMBIENT,
      host: 'shop.example.com',
      allowPlainHttp: true,
      routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 8080 }) }],
      jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' },
    });
    expect(one(synthValidated(chart), 'AuthorizationPolicy', 'shop-require-jwt').spec.rules).toEqual([{ from: [{ source: { notRequestPrincipals: ['*'] } }] }]);
  });

  test('ingress: the gateway pods are opted out of ztunnel explicitly (infrastructure label); a Gateway that enrols them is refused by STRICT mTLS and the default deny', () => {
    const chart = shopChart();
    const web = ServiceRef.fromName('web', { port: 8080 });
    const edge = new IngressGateway(chart, 'shop', { mesh: AMBIENT, host: 'shop.example.com', tlsSecretName: 'shop-tls', routes: [{ pathPrefix: '/', service: web }] });
    new ZeroTrustNamespace(chart, 'zt', { mesh: AMBIENT, allow: [{ callers: [edge.callerIdentity!], to: web }] });
    const out = synthValidated(chart);
    expect(one(out, 'Gateway', 'shop').spec.infrastructure).toEqual({ labels: { 'istio.io/dataplane-mode': 'none' } });
    const client = { caller: 'ip:203.0.113.9', service: 'shop/shop-istio', port: 443 };
    expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check(client).allowed).toBe(true);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
    // the Gateway enrolling its pods (istiod then adds no opt-out): ztunnel takes them, and both tools say so
    const enrolled = out.map(o => (o.kind === 'Gateway' && o.metadata.name === 'shop' ? { ...o, spec: { ...o.spec, infrastructure: { labels: { 'istio.io/dataplane-mode': 'ambient' } } } } : o));
    expect(ReachabilityMatrix.fromManifests(enrolled, { defaultNamespace: 'shop' }).check(client))
      .toMatchObject({ allowed: false, reason: expect.stringMatching(/^ztunnel at the gateway pods of shop\/shop .*mTLS STRICT \(PeerAuthentication shop\/default\)/) });
    expect(MeshAnalyzer.analyzeObjects(enrolled).findings.map(f => `${f.code} ${f.resource}`)).toEqual(['I148 Gateway shop/shop']);
    // the sidecar data plane: no ztunnel, no label
    const sidecar = shopChart();
    new IngressGateway(sidecar, 'shop', { mesh: Mesh.istio(), api: IngressApi.GATEWAY_API, host: 'shop.example.com', tlsSecretName: 'shop-tls', routes: [{ pathPrefix: '/', service: web }] });
    expect(one(synthValidated(sidecar), 'Gateway', 'shop').spec.infrastructure).toBeUndefined();
  });

  test('ingress in an ambient namespace, hand-written: the ztunnel layer of gateway pods the Gateway enrols (STRICT, then the default deny)', () => {
    const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}';
    const GW = (infra: string, labels = '') => `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: shop, namespace: shop${labels}}\nspec:\n  gatewayClassName: istio\n${infra}  listeners:\n  - {name: http, port: 80, protocol: HTTP}`;
    const STRICT = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: shop}\nspec: {mtls: {mode: STRICT}}';
    const DENY = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec: {}';
    const ALLOW = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: shop-allow-ingress, namespace: shop}\nspec:\n  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: shop}]\n  rules: [{to: [{operation: {ports: ["80"]}}]}]';
    const ENROLLED = '  infrastructure: {labels: {istio.io/dataplane-mode: ambient}}\n';
    const OPTED_OUT = '  infrastructure: {labels: {istio.io/dataplane-mode: none}}\n';
    const check = (...docs: string[]) => ReachabilityMatrix.fromYaml(docs.join('\n---\n'), { defaultNamespace: 'shop' }).check({ caller: 'ip:203.0.113.9', service: 'shop/shop-istio', port: 80 });
    const codes = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n')).findings.filter(f => f.severity !== 'info').map(f => f.code);
    expect(check(NS, GW(ENROLLED), STRICT, DENY, ALLOW)).toMatchObject({ allowed: false, reason: expect.stringContaining('mTLS STRICT') });
    expect(codes(NS, GW(ENROLLED), STRICT, DENY, ALLOW)).toEqual(['I148']);
    expect(check(NS, GW(ENROLLED), DENY, ALLOW)).toMatchObject({ allowed: false, reason: expect.stringMatching(/^ztunnel at the gateway pods .*default-deny/) });
    expect(codes(NS, GW(ENROLLED), DENY, ALLOW)).toEqual(['I148']);
    // the label on the Gateway's metadata, copied to the pods when there are no infrastructure labels
    const labelled = GW('', ', labels: {istio.io/dataplane-mode: ambient}');
    expect(check(NS, labelled, STRICT, DENY, ALLOW).allowed).toBe(false);
    expect(codes(NS, labelled, STRICT, DENY, ALLOW)).toEqual(['I148']);
    // no label (istiod adds none: gatewaycommon/deploymentcontroller.go setLabelOverrides), or none explicitly
    expect(check(NS, GW(''), STRICT, DENY, ALLOW).allowed).toBe(true);
    expect(codes(NS, GW(''), STRICT, DENY, ALLOW)).toEqual([]);
    expect(check(NS, GW(OPTED_OUT), STRICT, DENY, ALLOW).allowed).toBe(true);
    expect(codes(NS, GW(OPTED_OUT), STRICT, DENY, ALLOW)).toEqual([]);
    // not ambient (no Namespace label): the gateway pods are not ztunnel's
    const sidecarNs = NS.replace('istio.io/dataplane-mode: ambient', 'istio-injection: enabled');
    expect(check(sidecarNs, GW(ENROLLED), STRICT, DENY, ALLOW).allowed).toBe(true);
    expect(codes(sidecarNs, GW(ENROLLED), STRICT, DENY, ALLOW)).toEqual([]);
    // ambient with neither STRICT nor a namespace-wide policy: nothing refuses the plaintext, nothing reported
    expect(check(NS, GW(ENROLLED)).allowed).toBe(true);
    expect(codes(NS, GW(ENROLLED))).toEqual([]);
  });

  test('multi-cluster export is refused with the reason', () => {
    const msg = failureOf(chart => new MultiClusterExport(chart, 'mc', {
      mesh: AMBIENT,
      clusters: [{ name: 'a', network: 'na', region: 'ra', services: [payment()] }, { name: 'b', network: 'nb', region: 'rb', services: [] }],
      exports: [{ service: payment(), cluster: 'a', consumers: ['b'] }],
    }));
    expect(msg).toContain('[test/mc] mesh: got "ambient": Istio ambient cannot express this (ambient multi-network uses an east-west gateway of its own');
  });
});

describe('a waypoint per Service (IstioWaypointScope.SERVICE)', () => {
  const PER_SERVICE = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE });
  const kplusService = (chart: Chart, name: string) => ServiceRef.fromService(new kplus.Service(chart, name, {
    metadata: { name }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, `${name}-pods`, { labels: { app: name } }),
  }));

  test('only the Service with an L7 rule gets a waypoint; the other keeps its rule on ztunnel', () => {
    const chart = shopChart();
    const paymentSvc = kplusService(chart, 'payment');
    const orderSvc = kplusService(chart, 'order');
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: PER_SERVICE,
      allow: [
        { callers: [Identity.serviceAccount('order')], to: paymentSvc, methods: [HttpMethod.POST], paths: [PathMatch.exact('/process-payment')] },
        { callers: [Identity.serviceAccount('web')], to: orderSvc },
      ],
    });
    const out = synthValidated(chart);
    expect(dump(out)).toMatchSnapshot();
    expect(ofKind(out, 'Gateway').map(g => g.metadata.name)).toEqual(['payment-waypoint']);
    expect(one(out, 'Service', 'payment').metadata.labels).toMatchObject({ 'istio.io/use-waypoint': 'payment-waypoint', 'istio.io/ingress-use-waypoint': 'true' });
    expect(one(out, 'Service', 'order').metadata.labels?.['istio.io/use-waypoint']).toBeUndefined();
    expect(one(out, 'Namespace', 'shop').metadata.labels['istio.io/use-waypoint']).toBeUndefined();
    expect(one(out, 'AuthorizationPolicy', 'payment-allow').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'payment' }]);
    expect(one(out, 'AuthorizationPolicy', 'order-allow').spec.selector).toBeDefined();
    expect(one(out, 'AuthorizationPolicy', 'payment-allow-waypoint').spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/payment-waypoint'] } }] }]);
    expect(ofKind(out, 'AuthorizationPolicy', 'order-allow-waypoint')).toEqual([]);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
    // both hops for payment, one for order
    const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }))
      .toMatchObject({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment', allowed: true, reason: 'waypoint shop/payment-waypoint: AuthorizationPolicy shop/payment-allow rules[0]' });
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'GET', path: '/process-payment' }).allowed).toBe(false);
    expect(matrix.check({ caller: 'shop/web', service: 'shop/order', method: 'GET', path: '/' }).reason).toBe('AuthorizationPolicy shop/order-allow rules[0]');
    expect(matrix.callers()).not.toContain('shop/payment-waypoint');
  });

  test('a resilient service gets its own waypoint and routes', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: PER_SERVICE, service: kplusService(chart, 'payment'), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(one(out, 'Gateway', 'payment-waypoint').spec.gatewayClassName).toBe('istio-waypoint');
    expect(one(out, 'HTTPRoute', 'payment').spec.parentRefs[0].name).toBe('payment');
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity !== 'info')).toEqual([]);
  });

  test('namespace-wide telemetry creates no waypoint (it applies to the waypoints there are)', () => {
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', { mesh: PER_SERVICE, accessLogging: {} });
    expect(ofKind(synthValidated(chart), 'Gateway')).toEqual([]);
  });

  test('a reference without its Service object, and two scopes in one namespace, are refused with the fix', () => {
    expect(failureOf(chart => new ResilientService(chart, 'rs', { mesh: PER_SERVICE, service: payment(), timeout: Duration.seconds(3) })))
      .toBe('[test/rs] service: got payment: a waypoint per Service is enrolled with istio.io/use-waypoint on the Service object, which is not part of this app; pass the cdk8s-plus Service with ServiceRef.fromService(service), or use IstioWaypointScope.NAMESPACE');
    expect(failureOf(chart => {
      new ResilientService(chart, 'rs', { mesh: AMBIENT, service: payment(), timeout: Duration.seconds(3) });
      new ZeroTrustNamespace(chart, 'zt', { mesh: PER_SERVICE, allow: [] });
    })).toBe('[test/zt] mesh: got waypoint scope service, but [test/rs] uses namespace waypoints in namespace shop; use one Mesh for the namespace\'s patterns');
  });

  test('the scope is ambient-only and defaults to the namespace', () => {
    expect(AMBIENT.istioWaypointScope).toBe(IstioWaypointScope.NAMESPACE);
    expect(Mesh.istio({ waypointScope: IstioWaypointScope.SERVICE }).istioWaypointScope).toBeUndefined();
  });
});

describe('determinism', () => {
  test('the ambient shop synthesizes byte-identical YAML twice', () => {
    const render = () => {
      const app = new App({ outdir: Testing.app().outdir });
      new Shop(app, 'shop', { mesh: AMBIENT });
      return app.synthYaml();
    };
    const first = render();
    expect(render()).toEqual(first);
    expect(first).toContain('istio.io/dataplane-mode: ambient');
  });
});
