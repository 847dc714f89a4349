/**
 * Property-based tests: for each pattern and mesh, generated valid props synthesize, every object
 * passes the pinned-CRD validator and the analyzer, and the intent is preserved; generated invalid
 * props give a named error, never a crash.
 */
import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  CanaryRelease, EgressPolicy, FaultInjection, HeaderMatch, IngressGateway, HttpMethod, Identity, IstioDataPlane, IstioWaypointScope, Mesh, MeshAnalyzer,
  PathMatch, ReachabilityMatrix, ReleaseVersion, MultiClusterExport, ResilientService, RetryOn, ServiceRef, TrafficTelemetry, UnsupportedSettings,
  ZeroTrustNamespace,
} from '../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from './util';

captureStderr();
jest.setTimeout(120_000); // hundreds of syntheses per property; CI machines are slow

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
// a fixed seed reproduces a run (npm run conformance uses one to check the same generated inputs each time)
if (process.env.PROPERTY_SEED) fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED) });
const MESHES = [Mesh.istio(), Mesh.linkerd(), Mesh.consul()];
const mesh = fc.constantFrom(...MESHES);
/** The meshes with Istio ambient too, for the patterns every data plane supports as generated here. */
const anyDataPlane = fc.constantFrom(...MESHES, Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }));
const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const headerValue = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);

/** Milliseconds of a duration string as the meshes write it (1h2m3s, 250ms). */
const toMs = (s: string) => [...s.matchAll(/(\d+)(ms|h|m|s)/g)].reduce((n, x) => n + Number(x[1]) * ({ ms: 1, s: 1000, m: 60000, h: 3600000 } as any)[x[2]], 0);

/** The analyzer finds no error in the synthesized objects (warnings are allowed by design here). */
function noAnalyzerErrors(manifests: any[]) {
  const errors = MeshAnalyzer.analyzeObjects(manifests).findings.filter(f => f.severity === 'error');
  expect(errors).toEqual([]);
}

describe('ResilientService', () => {
  test('generated timeouts and retries synthesize valid objects that keep the timeout', () => {
    const retryOnArb = fc.constantFrom(RetryOn.SERVER_ERROR, RetryOn.GATEWAY_ERROR);
    fc.assert(fc.property(anyDataPlane, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 10000 }), retryOnArb,
      (m, attempts, perTryMs, slackMs, retryOn) => {
        // attempts counts retries: the first try and the retries fit in the timeout
        const timeoutMs = (attempts + 1) * perTryMs + slackMs;
        const chart = shopChart();
        new ResilientService(chart, 'payment', {
          mesh: m,
          service: ServiceRef.fromName('payment', { port: 8080 }),
          timeout: Duration.millis(timeoutMs),
          retries: { attempts, perTryTimeout: Duration.millis(perTryMs), retryOn: [retryOn] },
          circuitBreaker: m.kind === 'linkerd' ? undefined : { consecutiveErrors: 5 },
          callers: [ServiceRef.fromName('order', { port: 8080 })],
          unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
        });
        const out = synthValidated(chart);
        noAnalyzerErrors(out);
        const timeouts = m.kind === 'istio' && !m.ambient ? one(out, 'VirtualService', 'payment').spec.http.map((r: any) => r.timeout)
          : m.kind === 'linkerd' || m.ambient ? ofKind(out, 'HTTPRoute').flatMap(r => r.spec.rules.map((x: any) => x.timeouts.request))
            : one(out, 'ServiceRouter', 'payment').spec.routes.map((r: any) => r.destination.requestTimeout);
        expect(timeouts.length).toBeGreaterThan(0);
        for (const t of timeouts) expect(toMs(t)).toBe(timeoutMs);
      }), { numRuns: RUNS });
  });

  test('generated invalid values give a named error, never a crash', () => {
    const bad = fc.oneof(fc.constant(0), fc.constant(-1), fc.constant(11), fc.constant(2.5), fc.constant(Number.NaN), fc.integer({ min: 11, max: 1000 }));
    fc.assert(fc.property(anyDataPlane, bad, (m, attempts) => {
      const message = failureOf(chart => new ResilientService(chart, 'payment', { mesh: m, service: ServiceRef.fromName('payment', { port: 8080 }), retries: { attempts }, circuitBreaker: {}, callers: [ServiceRef.fromName('order', { port: 8080 })] }));
      expect(message).toContain(`[test/payment] retries.attempts: got ${attempts}: retry attempts must be a whole number from 1 to 10`);
    }), { numRuns: RUNS });
  });
});

describe('CanaryRelease', () => {
  test('generated weights and test headers: stable and canary shares sum to exactly 100, test users reach the canary', () => {
    fc.assert(fc.property(anyDataPlane, fc.integer({ min: 0, max: 100 }), token, headerValue, (m, weight, header, value) => {
      const chart = shopChart();
      new CanaryRelease(chart, 'release', {
        mesh: m,
        service: ServiceRef.fromName('payment', { port: 8080 }),
        stable: ReleaseVersion.of('v1'),
        canary: ReleaseVersion.of('v2'),
        canaryWeight: weight,
        canaryRequests: [{ headers: [HeaderMatch.exact(header, value)] }],
        healthAlert: {},
      });
      const out = synthValidated(chart);
      noAnalyzerErrors(out);
      let shares: { version: string; weight: number }[];
      if (m.kind === 'istio' && !m.ambient) {
        const http = one(out, 'VirtualService', 'payment').spec.http;
        expect(http[0].route).toEqual([{ destination: expect.objectContaining({ subset: 'v2' }) }]);
        expect(Object.keys(http[0].match[0].headers)).toEqual([header]);
        shares = http[1].route.map((d: any) => ({ version: d.destination.subset, weight: d.weight ?? 100 }));
      } else if (m.kind === 'linkerd' || m.ambient) {
        const rules = one(out, 'HTTPRoute', 'payment').spec.rules;
        expect(rules[0].backendRefs).toEqual([{ name: 'payment-v2', port: 8080 }]);
        shares = rules[1].backendRefs.map((b: any) => ({ version: b.name.replace('payment-', ''), weight: b.weight ?? 100 }));
      } else {
        expect(one(out, 'ServiceRouter', 'payment').spec.routes[0].destination.serviceSubset).toBe('v2');
        shares = one(out, 'ServiceSplitter', 'payment').spec.splits.map((s: any) => ({ version: s.serviceSubset, weight: s.weight }));
      }
      expect(shares.reduce((n, s) => n + s.weight, 0)).toBe(100);
      const canary = shares.find(s => s.version === 'v2')?.weight ?? 0;
      expect(canary).toBe(weight);
    }), { numRuns: RUNS });
  });

  test('generated invalid weights give a named error', () => {
    const badWeight = fc.oneof(
      fc.integer({ min: 101, max: 10000 }), fc.integer({ min: -10000, max: -1 }), fc.double({ min: 0.01, max: 99.99, noInteger: true }),
    );
    fc.assert(fc.property(anyDataPlane, badWeight, (m, weight) => {
      const message = failureOf(chart => new CanaryRelease(chart, 'release', { mesh: m, service: ServiceRef.fromName('payment', { port: 8080 }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: weight }));
      expect(message).toContain(`[test/release] canaryWeight: got ${weight}: a weight is a whole percentage from 0 to 100`);
    }), { numRuns: RUNS });
  });
});

describe('ZeroTrustNamespace', () => {
  const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE];
  const rules = fc.uniqueArray(fc.record({
    caller: name,
    service: name,
    method: fc.option(fc.constantFrom(...METHODS), { nil: undefined }),
    path: fc.option(fc.constantFrom('/api', '/admin', '/orders'), { nil: undefined }),
  }), { minLength: 1, maxLength: 6, selector: r => `${r.caller}|${r.service}` });

  test('the reachability matrix of the generated policies equals the rules that were asked for', () => {
    fc.assert(fc.property(anyDataPlane, rules, (m, asked) => {
      const chart = shopChart();
      new ZeroTrustNamespace(chart, 'zero-trust', {
        mesh: m,
        allow: asked.map(r => ({
          callers: [Identity.serviceAccount(r.caller)],
          to: ServiceRef.fromName(r.service, { port: 8080 }),
          methods: r.method ? [r.method] : undefined,
          paths: r.path ? [PathMatch.prefix(r.path)] : undefined,
        })),
      });
      const out = synthValidated(chart);
      noAnalyzerErrors(out);
      // Consul: under both ACL defaults (a request no permission matches falls to the default)
      for (const consulDefaultAllow of m.kind === 'consul' ? [true, false] : [true]) {
        const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop', consulDefaultAllow });
        const callers = [...new Set(asked.map(r => r.caller)), 'stranger'];
        const services = [...new Set(asked.map(r => r.service))];
        for (const caller of callers) {
          for (const service of services) {
            for (const method of METHODS) {
              // prefixes stop at a segment boundary: /apix is not under /api
              for (const p of ['/api/x', '/api', '/apix', '/admin', '/other']) {
                const expected = asked.some(r => r.caller === caller && r.service === service && (!r.method || r.method === method)
                  && (!r.path || p === r.path || p.startsWith(`${r.path}/`)));
                const decision = matrix.check({ caller: `shop/${caller}`, service: `shop/${service}`, method, path: p });
                expect({ caller, service, method, p, allowed: decision.allowed }).toEqual({ caller, service, method, p, allowed: expected });
              }
            }
          }
        }
      }
    }), { numRuns: RUNS });
  });

  test('Istio ambient with a waypoint per Service: the matrix still equals the rules, across generated L4/L7 mixes', () => {
    const perService = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE });
    fc.assert(fc.property(rules, asked => {
      const chart = shopChart();
      const services = new Map<string, ServiceRef>();
      const ref = (svc: string) => services.get(svc) ?? services.set(svc, ServiceRef.fromService(new kplus.Service(chart, `svc-${svc}`, {
        metadata: { name: svc }, ports: [{ port: 8080, name: 'http' }], selector: kplus.Pods.select(chart, `pods-${svc}`, { labels: { app: svc } }),
      }))).get(svc)!;
      new ZeroTrustNamespace(chart, 'zero-trust', {
        mesh: perService,
        allow: asked.map(r => ({
          callers: [Identity.serviceAccount(r.caller)],
          to: ref(r.service),
          methods: r.method ? [r.method] : undefined,
          paths: r.path ? [PathMatch.prefix(r.path)] : undefined,
        })),
      });
      const out = synthValidated(chart);
      noAnalyzerErrors(out);
      // a Service has a waypoint exactly when one of its rules is L7
      const l7 = new Set(asked.filter(r => r.method || r.path).map(r => r.service));
      expect(ofKind(out, 'Gateway').map(g => g.metadata.name).sort()).toEqual([...l7].map(x => `${x}-waypoint`).sort());
      const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
      for (const caller of [...new Set(asked.map(r => r.caller)), 'stranger']) {
        for (const service of new Set(asked.map(r => r.service))) {
          for (const method of METHODS) {
            for (const p of ['/api/x', '/other']) {
              const expected = asked.some(r => r.caller === caller && r.service === service && (!r.method || r.method === method)
                && (!r.path || p === r.path || p.startsWith(`${r.path}/`)));
              const decision = matrix.check({ caller: `shop/${caller}`, service: `shop/${service}`, method, path: p });
              expect({ caller, service, method, p, allowed: decision.allowed }).toEqual({ caller, service, method, p, allowed: expected });
            }
          }
        }
      }
    }), { numRuns: RUNS });
  });

  test('generated wildcard or malformed identities give a named error', () => {
    fc.assert(fc.property(anyDataPlane, fc.oneof(fc.constant('*'), fc.constant(''), fc.stringMatching(/^[A-Z][A-Za-z_]{1,8}$/), fc.stringMatching(/^[a-z]{1,4}\*$/)), (m, bad) => {
      const message = failureOf(chart => new ZeroTrustNamespace(chart, 'zero-trust', { mesh: m, allow: [{ callers: [Identity.serviceAccount(bad)], to: ServiceRef.fromName('payment', { port: 8080 }) }] }));
      expect(message).toMatch(/^\[test\/zero-trust\] allow\[0\]\.callers\[0\]: got "[^"]*": /);
    }), { numRuns: RUNS });
  });
});

describe('EgressPolicy', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
  const host = fc.tuple(label, fc.constantFrom('com', 'io', 'example.org')).map(([a, b]) => `${a}.${b}`);
  test('generated hosts: every host is allowed exactly once on every mesh, and the output validates', () => {
    fc.assert(fc.property(mesh, fc.uniqueArray(host, { minLength: 1, maxLength: 5 }), fc.boolean(), (m, hosts, registryOnly) => {
      const chart = shopChart();
      new EgressPolicy(chart, 'egress', { mesh: m, hosts: hosts.map(h => ({ host: h })), registryOnly });
      const out = synthValidated(chart);
      noAnalyzerErrors(out);
      const allowed = m.kind === 'istio' ? ofKind(out, 'ServiceEntry').flatMap(o => o.spec.hosts)
        : m.kind === 'linkerd' ? ofKind(out, 'TLSRoute').flatMap(o => o.spec.hostnames)
          : ofKind(out, 'ServiceDefaults').flatMap(o => o.spec.destination.addresses);
      expect([...allowed].sort()).toEqual([...hosts].sort());
      const closed = m.kind === 'istio' ? ofKind(out, 'Sidecar').length === 1
        : m.kind === 'linkerd' ? one(out, 'EgressNetwork', 'egress').spec.trafficPolicy === 'Deny'
          : one(out, 'Mesh', 'mesh').spec.transparentProxy.meshDestinationsOnly === true;
      expect(closed).toBe(registryOnly);
    }), { numRuns: RUNS });
  });
});

describe('IngressGateway', () => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
  const prefix = fc.array(segment, { minLength: 0, maxLength: 3 }).map(s => `/${s.join('/')}`);
  test('generated prefixes: routes come out longest first, each to its service, and validate', () => {
    fc.assert(fc.property(anyDataPlane, fc.uniqueArray(prefix, { minLength: 1, maxLength: 5 }), (m, prefixes) => {
      const chart = shopChart();
      new IngressGateway(chart, 'edge', {
        mesh: m,
        host: 'shop.example.com',
        tlsSecretName: 'shop-tls',
        gatewayClassName: m.kind === 'linkerd' ? 'envoy-gateway' : undefined,
        routes: prefixes.map((p, i) => ({ pathPrefix: p, service: ServiceRef.fromName(`svc${i}`, { port: 80 }) })),
      });
      const out = synthValidated(chart);
      noAnalyzerErrors(out);
      const routed: [string, string][] = m.kind === 'istio' && !m.ambient
        // segment-wise prefixes: /a is written as exact /a and prefix /a/
        ? one(out, 'VirtualService', 'edge-ingress').spec.http.map((r: any) => [r.match[0].uri.exact ?? r.match[0].uri.prefix, r.route[0].destination.host.split('.')[0]])
        : one(out, 'HTTPRoute', 'edge-ingress').spec.rules.map((r: any) => [r.matches[0].path.value, r.backendRefs[0].name]);
      expect(routed.map(r => r[0]).sort()).toEqual([...prefixes].sort());
      for (const [p, svc] of routed) expect(svc).toBe(`svc${prefixes.indexOf(p)}`);
      for (let i = 1; i < routed.length; i++) expect(routed[i - 1][0].length).toBeGreaterThanOrEqual(routed[i][0].length);
    }), { numRuns: RUNS });
  });
});

describe('TrafficTelemetry', () => {
  test('generated sampling percentages: kept exactly on Istio from 0 to 100, refused outside', () => {
    fc.assert(fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), pct => {
      if (pct >= 0 && pct <= 100) {
        const chart = shopChart();
        new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.istio(), tracing: { samplingPercentage: pct }, production: false });
        expect(one(synthValidated(chart), 'Telemetry', 'default').spec.tracing[0].randomSamplingPercentage).toBe(pct);
      } else {
        expect(failureOf(chart => new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.istio(), tracing: { samplingPercentage: pct } })))
          .toContain('[test/telemetry] tracing.samplingPercentage');
      }
    }), { numRuns: RUNS });
  });
});

describe('FaultInjection', () => {
  const share = fc.double({ min: 0.001, max: 100, noNaN: true });
  test('generated delays and aborts are written exactly, behind the header, before the normal route', () => {
    const delayArb = fc.option(fc.tuple(fc.integer({ min: 1, max: 60_000 }), share), { nil: undefined });
    const abortArb = fc.option(fc.tuple(fc.integer({ min: 200, max: 599 }), share), { nil: undefined });
    fc.assert(fc.property(delayArb, abortArb, headerValue,
      (delay, abort, value) => {
        fc.pre(delay !== undefined || abort !== undefined);
        const chart = shopChart();
        new FaultInjection(chart, 'chaos', {
          mesh: Mesh.istio(),
          service: ServiceRef.fromName('payment', { port: 8080 }),
          delay: delay && { fixedDelay: Duration.millis(delay[0]), percent: delay[1] },
          abort: abort && { httpStatus: abort[0], percent: abort[1] },
          match: [HeaderMatch.exact('x-chaos', value)],
        });
        const out = synthValidated(chart);
        noAnalyzerErrors(out);
        const http = one(out, 'VirtualService', 'payment').spec.http;
        const faulty = http.filter((r: any) => r.fault);
        expect(faulty).toHaveLength(1);
        expect(faulty[0].match).toEqual([{ headers: { 'x-chaos': { exact: value } } }]);
        expect(http.indexOf(faulty[0])).toBeLessThan(http.length - 1); // the normal route stays, after it
        expect(http[http.length - 1].fault).toBeUndefined();
        if (delay) {
          expect(toMs(faulty[0].fault.delay.fixedDelay)).toBe(delay[0]);
          expect(faulty[0].fault.delay.percentage).toEqual({ value: delay[1] });
        } else {expect(faulty[0].fault.delay).toBeUndefined();}
        if (abort) expect(faulty[0].fault.abort).toEqual({ httpStatus: abort[0], percentage: { value: abort[1] } });
        else expect(faulty[0].fault.abort).toBeUndefined();
      }), { numRuns: RUNS });
  });

  test('generated out-of-range shares and statuses give a named error, never a crash', () => {
    const badShare = fc.oneof(fc.double({ max: 0, noNaN: true }), fc.double({ min: 100.000001, noNaN: true }), fc.constant(Number.NaN));
    const badStatus = fc.oneof(fc.integer({ max: 199 }), fc.integer({ min: 600 }), fc.constant(503.5));
    fc.assert(fc.property(fc.oneof(badShare.map(x => ['percent', x] as const), badStatus.map(x => ['httpStatus', x] as const)), ([field, value]) => {
      const abort = field === 'percent' ? { httpStatus: 503, percent: value } : { httpStatus: value, percent: 10 };
      const message = failureOf(chart => new FaultInjection(chart, 'chaos', {
        mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), abort, match: [HeaderMatch.exact('x-chaos', 'true')],
      }));
      expect(message.startsWith(`[test/chaos] abort.${field}: got `)).toBe(true);
    }), { numRuns: RUNS });
  });
});

describe('MultiClusterExport', () => {
  const clusterNames = fc.uniqueArray(name, { minLength: 2, maxLength: 4 });
  test('generated topologies: every cluster gets its chart and each export reaches exactly its consumers', () => {
    fc.assert(fc.property(mesh, clusterNames, fc.infiniteStream(fc.nat()), (m, names, picks) => {
      const next = () => picks.next().value as number;
      const app = new App({ outdir: Testing.app().outdir });
      const workloads = new Chart(app, 'workloads', { namespace: 'shop', disableResourceNameHashes: true });
      const service = new kplus.Service(workloads, 'payment', {
        metadata: { name: 'payment' }, ports: [{ port: 8080, name: 'http' }], selector: kplus.Pods.select(workloads, 'pods', { labels: { app: 'payment' } }),
      });
      const payment = ServiceRef.fromService(service);
      const exporter = names[next() % names.length];
      const others = names.filter(n => n !== exporter);
      const consumers = others.filter((_, i) => i === 0 || next() % 2 === 0);
      // Istio: the east-west Gateway is the mesh's; written only when the app opts in
      const eastWest = m.kind === 'istio' && next() % 2 === 0;
      const mc = new MultiClusterExport(app, 'mesh', {
        mesh: m,
        istioEastWestGateway: eastWest || undefined,
        failover: m.kind !== 'linkerd',
        clusters: names.map((n, i) => ({
          name: n,
          network: `net-${n}`,
          region: `region-${i}`,
          gatewayAddress: `gw.${n}.example.com`,
          services: n === exporter || (m.kind !== 'linkerd' && next() % 2 === 0) ? [payment] : [],
        })),
        exports: [{ service: payment, cluster: exporter, consumers, callers: m.kind === 'linkerd' ? undefined : [Identity.serviceAccount('order')] }],
      });
      const outs = Object.fromEntries(names.map(n => [n, synthValidated(mc.chartOf(n))]));
      for (const n of names) noAnalyzerErrors(outs[n]);
      if (m.kind === 'consul') {
        expect(one(outs[exporter], 'ExportedServices', 'default').spec.services).toEqual([{ name: 'payment', consumers: consumers.map(peer => ({ peer })) }]); // CE: no namespaces
        for (const n of others) expect(ofKind(outs[n], 'ExportedServices')).toEqual([]);
      } else if (m.kind === 'linkerd') {
        for (const n of names) expect(ofKind(outs[n], 'Link').map(l => l.metadata.name)).toEqual(consumers.includes(n) ? [exporter] : []);
        expect(service.metadata.getLabel('mirror.linkerd.io/exported')).toBe('true');
      } else {
        expect(ofKind(outs[exporter], 'Gateway').map(g => g.metadata.name)).toEqual(eastWest ? ['cross-network-gateway'] : []);
        for (const n of others) expect(ofKind(outs[n], 'Gateway')).toEqual([]);
        expect(mc.warnings.some(w => w.includes(`kubectl --context ${exporter} apply -n istio-system -f samples/multicluster/expose-services.yaml`))).toBe(!eastWest);
        expect(one(outs[exporter], 'AuthorizationPolicy', 'payment-remote-callers').spec.rules[0].from[0].source.principals).toEqual(['cluster.local/ns/shop/sa/order']);
        // the control plane's Namespace is never written (a GitOps prune would delete istiod)
        for (const n of names) expect(ofKind(outs[n], 'Namespace', 'istio-system')).toEqual([]);
      }
    }), { numRuns: RUNS });
  });
});

describe('ZeroTrustNamespace: never more than declared (issue 25)', () => {
  // Ports: every rule names port 8080 here; rules for other ports are in the property below.
  const METHODS = [HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE];
  const PATHS = ['/api', '/admin', '/orders', '/api/v1', '/admin*', '/api*', '/*', '/a*b', '*'];
  const PROBE_PATHS = ['/', '/api', '/api/x', '/apix', '/api*', '/admin', '/admin-secret', '/admin/x', '/admin*', '/a*b', '/axb', '/orders', '/orders/1', '/x'];
  const pathArb = fc.record({ type: fc.constantFrom('exact', 'prefix'), value: fc.constantFrom(...PATHS) });
  const ruleArb = fc.record({
    caller: fc.record({ name: fc.constantFrom('order', 'cart', 'admin'), namespace: fc.constantFrom(undefined, 'shop', 'other') }),
    service: fc.constantFrom('payment', 'ledger'),
    namespace: fc.constantFrom(undefined, undefined, undefined, 'shop', 'other'),
    methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    paths: fc.option(fc.array(pathArb, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  });
  type Rule = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never;
  const meshArb = fc.constantFrom(...MESHES, Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }));

  const wildcard = (r: Rule) => (r.paths ?? []).some(p => p.value.includes('*'));
  const elsewhere = (r: Rule) => r.namespace !== undefined && r.namespace !== 'shop';
  /** What the rules mean: exact is equality, prefix is the path or a path below it (segment-bounded). */
  const matches = (r: Rule, caller: string, service: string, method: string, path: string, byName: boolean) =>
    (byName ? r.caller.name === caller.split('/')[1] : `${r.caller.namespace ?? 'shop'}/${r.caller.name}` === caller) && `${r.namespace ?? 'shop'}/${r.service}` === service && (!r.methods || r.methods.includes(method as HttpMethod))
    && (!r.paths || r.paths.some(p => (p.type === 'exact' ? path === p.value : path === p.value || path.startsWith(`${p.value.replace(/\/$/, '')}/`))));
  const toRule = (r: Rule) => ({
    callers: [Identity.serviceAccount(r.caller.name, { namespace: r.caller.namespace })],
    to: ServiceRef.fromName(r.service, { port: 8080, namespace: r.namespace }),
    methods: r.methods,
    paths: r.paths?.map(p => (p.type === 'exact' ? PathMatch.exact(p.value) : PathMatch.prefix(p.value))),
  });

  test('random rule sets with "*" in paths and targets in other namespaces: refused by name, or the matrix allows nothing the rules do not', () => {
    let refusals = 0;
    let checked = 0;
    fc.assert(fc.property(meshArb, fc.array(ruleArb, { minLength: 1, maxLength: 5 }), fc.array(ruleArb, { maxLength: 2 }), (m, allow, denyAsked) => {
      const deny = m.kind === 'linkerd' ? [] : denyAsked; // Linkerd has no deny rules (refused with the reason elsewhere)
      const build = (chart: Chart) => new ZeroTrustNamespace(chart, 'zero-trust', { mesh: m, allow: allow.map(toRule), deny: deny.length ? deny.map(toRule) : undefined });
      // Consul CE has no namespaces: a caller named in another namespace is refused (it would admit that name everywhere)
      const foreignCaller = (r: Rule) => m.kind === 'consul' && !m.consulEnterprise && r.caller.namespace !== undefined && r.caller.namespace !== 'shop';
      const bad = [...allow.map((r, i) => [`allow[${i}]`, r] as const), ...deny.map((r, i) => [`deny[${i}]`, r] as const)].filter(([, r]) => wildcard(r) || elsewhere(r) || foreignCaller(r));
      fc.pre(bad.length === 0 || refusals++ < RUNS / 2); // at least half the runs read the matrix
      if (bad.length) {
        const message = failureOf(build);
        expect(message.startsWith('[test/zero-trust] ')).toBe(true);
        for (const [prop, r] of bad) {
          if (elsewhere(r)) expect(message).toContain(`${prop}.to: got "${r.namespace}/${r.service}": a ZeroTrustNamespace protects its own namespace (shop)`);
          else if (foreignCaller(r) && !bad.some(([, x]) => wildcard(x) || elsewhere(x))) expect(message).toContain(`${prop}.callers[0]: got "${r.caller.namespace}/${r.caller.name}": Consul cannot express this (Community Edition has no namespaces`);
          r.paths?.forEach((p, j) => {
            if (p.value.includes('*')) {
              expect(message).toContain(`${prop}.paths[${j}]: got ${JSON.stringify(p.value)}: ${p.value.startsWith('/') ? '"*" would mean different requests on each mesh' : 'a path must start with "/"'}`);
            }
          });
        }
        return;
      }
      const chart = shopChart();
      build(chart);
      const out = synthValidated(chart);
      const matrix = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' });
      checked++;
      const callers = ['shop', 'other'].flatMap(ns => ['order', 'cart', 'admin', 'stranger'].map(n => `${ns}/${n}`));
      for (const caller of callers) {
        for (const service of ['shop/payment', 'shop/ledger']) {
          for (const method of METHODS) {
            for (const path of PROBE_PATHS) {
              // Consul CE has no namespaces: a caller is a Consul service name, the same in every Kubernetes namespace
              // (docs/zero-trust-namespace.md, "callers"), so there a rule for shop/order is one for order anywhere
              const byName = m.kind === 'consul' && !m.consulEnterprise;
              const declared = allow.some(r => matches(r, caller, service, method, path, byName))
                && !deny.some(r => matches(r, caller, service, method, path, byName));
              const { allowed, reason } = matrix.check({ caller, service, method, path });
              if (allowed) expect({ caller, service, method, path, declared, reason }).toEqual({ caller, service, method, path, declared: true, reason });
            }
          }
        }
      }
    }), { numRuns: RUNS, maxSkipsPerRun: 1000 });
    expect(checked).toBeGreaterThanOrEqual(RUNS / 2);
  });
});

describe('ZeroTrustNamespace: a rule is for the port it names (issue 25, item 2)', () => {
  const ruleArb = fc.record({ caller: fc.constantFrom('order', 'admin', 'cart'), port: fc.constantFrom(8080, 9090), methods: fc.option(fc.constant<HttpMethod[]>([HttpMethod.GET]), { nil: undefined }) });
  const meshArb = fc.constantFrom(Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), Mesh.linkerd(), Mesh.consul());

  test('random rules on two ports of one Service: the matrix allows a port only to the callers a rule names for it (Consul: one port per service, else refused)', () => {
    let checked = 0;
    fc.assert(fc.property(meshArb, fc.array(ruleArb, { minLength: 1, maxLength: 4 }), (m, rules) => {
      const chart = shopChart();
      const service = new kplus.Service(chart, 'payment-svc', {
        metadata: { name: 'payment' },
        selector: undefined,
        ports: [{ name: 'http', port: 8080, targetPort: 8080 }, { name: 'http-admin', port: 9090, targetPort: 9090 }],
      });
      service.selectLabel('app', 'payment');
      const build = () => new ZeroTrustNamespace(chart, 'zero-trust', {
        mesh: m,
        allow: rules.map(r => ({ callers: [Identity.serviceAccount(r.caller)], to: ServiceRef.fromService(service, { port: r.port }), methods: r.methods })),
      });
      const ports = new Set(rules.map(r => r.port));
      if (m.kind === 'consul' && ports.size > 1) {
        expect(() => build()).toThrow(/\.to: got "payment:\d+": Consul cannot express this \(an intention is for the whole service payment/);
        return;
      }
      build();
      const matrix = ReachabilityMatrix.fromManifests(synthValidated(chart), { defaultNamespace: 'shop' });
      checked++;
      for (const caller of ['order', 'admin', 'cart', 'stranger']) {
        for (const port of [8080, 9090]) {
          for (const method of ['GET', 'POST']) {
            const declared = rules.some(r => r.caller === caller && r.port === port && (!r.methods || r.methods.includes(method as HttpMethod)));
            const { allowed, reason } = matrix.check({ caller: `shop/${caller}`, service: 'shop/payment', method, port });
            // Consul intentions have no port: with one port named, the other is the same service
            const expected = m.kind === 'consul' ? rules.some(r => r.caller === caller && (!r.methods || r.methods.includes(method as HttpMethod))) : declared;
            if (allowed) expect({ caller, port, method, allowed, reason }).toEqual({ caller, port, method, allowed: expected, reason });
          }
        }
      }
    }), { numRuns: RUNS });
    expect(checked).toBeGreaterThan(RUNS / 4);
  });
});
