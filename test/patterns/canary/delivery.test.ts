import { Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import * as yaml from 'js-yaml';
import {
  CanaryDelivery, CanaryRelease, CanaryReleaseProps, CanaryStep, HeaderMatch, Identity, IstioDataPlane, ManifestValidator, MeshAnalyzer, Mesh, MtlsPhase,
  IstioWaypointScope, ReachabilityMatrix, ReleaseVersion, ResilientService, ServiceRef, UnsupportedSettings, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

captureStderr();

const TEN = Duration.minutes(10);
const STEPS = [{ weight: 5, pause: TEN }, { weight: 25, pause: TEN }, { weight: 50, pause: TEN }, { weight: 100 }];
const TEST_USER = [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }];
/** The service's pods are selected by a label Flagger copies unchanged; the Deployment by app (Flagger's selector label). */
const payment = () => ServiceRef.fromName('payment', { port: 8080, selector: { 'app.kubernetes.io/part-of': 'payment' } });

function deployment(chart: Chart, labels: { [k: string]: string } = { 'app': 'payment', 'app.kubernetes.io/part-of': 'payment' }, select: { [k: string]: string } = { app: 'payment' }) {
  const d = new kplus.Deployment(chart, 'payment', {
    metadata: { name: 'payment' },
    select: false,
    replicas: 3,
    podMetadata: { labels },
    containers: [{ image: 'example/payment:2', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
  });
  d.select(kplus.LabelSelector.of({ labels: select }));
  return d;
}

type Mode = 'flagger' | 'argo';
function release(chart: Chart, mesh: Mesh, mode: Mode, over: Partial<CanaryReleaseProps> = {}, d = deployment(chart)): CanaryRelease {
  return new CanaryRelease(chart, 'release', {
    mesh,
    service: payment(),
    delivery: mode === 'flagger' ? CanaryDelivery.flagger({ target: d }) : CanaryDelivery.argoRollouts({ workload: d }),
    steps: STEPS,
    healthAlert: { maxErrorRatePercent: 1, maxP99Latency: Duration.millis(500) },
    ...over,
  });
}
function synth(mesh: Mesh, mode: Mode, over: Partial<CanaryReleaseProps> = {}): any[] {
  const chart = shopChart();
  release(chart, mesh, mode, over);
  return synthValidated(chart);
}
const fails = (mesh: Mesh, mode: Mode, over: Partial<CanaryReleaseProps> = {}) => failureOf(chart => release(chart, mesh, mode, over));

describe('snapshots per controller and mesh, validated against the pinned Flagger v1.44.0 / Argo Rollouts v1.9.1 CRDs', () => {
  for (const [name, mesh] of [['istio', Mesh.istio()], ['istio ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })], ['linkerd', Mesh.linkerd()]] as const) {
    for (const mode of ['flagger', 'argo'] as const) {
      test(`${mode} on ${name}`, () => {
        const over = mode === 'argo' ? { canaryRequests: TEST_USER } : {};
        const out = synth(mesh, mode, over);
        expect(out.filter(o => ['flagger.app/v1beta1', 'argoproj.io/v1alpha1'].includes(o.apiVersion)).length).toBeGreaterThan(0);
        expect(out.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n')).toMatchSnapshot();
      });
    }
  }

  test('the validator checks the controllers\' kinds (no "not checked" finding) and finds their errors', () => {
    const out = synth(Mesh.istio(), 'argo', { canaryRequests: TEST_USER });
    const all = [...out, ...synth(Mesh.linkerd(), 'flagger')];
    for (const o of all.filter(m => /flagger\.app|argoproj\.io/.test(m.apiVersion))) {
      expect(ManifestValidator.validateObjects([o], { strict: true }).findings.filter(f => f.severity !== 'info')).toEqual([]);
    }
    const canary = one(synth(Mesh.istio(), 'flagger'), 'Canary', 'payment');
    const bad = { ...canary, spec: { ...canary.spec, provider: 'consul' } };
    expect(ManifestValidator.validateObjects([bad]).findings.map(f => f.code)).toEqual(['SCH003']);
  });
});

describe('Flagger', () => {
  test('Istio: provider istio, the plan as stepWeights, the alert as the built-in metrics; no routing object or Service written', () => {
    const out = synth(Mesh.istio(), 'flagger');
    const c = one(out, 'Canary', 'payment');
    expect(c.spec.provider).toBe('istio');
    expect(c.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payment' });
    expect(c.spec.service).toEqual({ name: 'payment', port: 8080, targetPort: 8080 });
    expect(c.spec.analysis).toEqual({
      interval: '10m',
      threshold: 1,
      stepWeights: [5, 25, 50, 100],
      metrics: [
        { name: 'request-success-rate', interval: '5m', thresholdRange: { min: 99 } },
        { name: 'request-duration', interval: '5m', thresholdRange: { max: 500 } },
      ],
    });
    for (const kind of ['VirtualService', 'DestinationRule', 'HTTPRoute', 'Service', 'PrometheusRule']) expect(ofKind(out, kind)).toEqual([]);
  });

  test('threshold: the alert\'s for over the interval (at least 1)', () => {
    const c = one(synth(Mesh.istio(), 'flagger', { steps: [{ weight: 10, pause: Duration.minutes(1) }, { weight: 100 }], healthAlert: { holdFor: Duration.minutes(3) } }), 'Canary', 'payment');
    expect(c.spec.analysis).toMatchObject({ interval: '1m', threshold: 3, stepWeights: [10, 100] });
  });

  test('Linkerd: provider gatewayapi:v1 with the Service as parent, and MetricTemplates of the proxies\' inbound metrics', () => {
    const out = synth(Mesh.linkerd(), 'flagger');
    const c = one(out, 'Canary', 'payment');
    expect(c.spec.provider).toBe('gatewayapi:v1');
    expect(c.spec.service.gatewayRefs).toEqual([{ name: 'payment', namespace: 'shop', group: 'core', kind: 'Service', port: 8080 }]);
    expect(c.spec.analysis.metrics.map((m: any) => m.templateRef.name)).toEqual(['payment-success-rate', 'payment-latency']);
    expect(one(out, 'MetricTemplate', 'payment-success-rate').spec.query).toContain('response_total{namespace="{{ namespace }}",deployment=~"{{ target }}"');
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
  });

  test('test requests with a plan of weight 0 then 100: A/B testing (iterations and match)', () => {
    const c = one(synth(Mesh.istio(), 'flagger', {
      steps: [{ weight: 0, pause: Duration.minutes(15) }, { weight: 100 }],
      canaryRequests: [{ headers: [HeaderMatch.prefix('x-user', 'test-')] }, { cookie: { name: 'canary', value: 'always' } }],
    }), 'Canary', 'payment');
    expect(c.spec.analysis).toMatchObject({ interval: '15m', iterations: 1 });
    expect(c.spec.analysis.stepWeights).toBeUndefined();
    expect(c.spec.analysis.match).toEqual([{ headers: { 'x-user': { prefix: 'test-' } } }, { headers: { cookie: { regex: '^(.*?;\\s*)?canary=always(;.*)?$' } } }]);
    // Gateway API has no prefix header match in Flagger's mapping: a regex
    const l = one(synth(Mesh.linkerd(), 'flagger', { steps: [{ weight: 0 }, { weight: 100 }], canaryRequests: [{ headers: [HeaderMatch.prefix('x-user', 'test.')] }] }), 'Canary', 'payment');
    expect(l.spec.analysis.match).toEqual([{ headers: { 'x-user': { regex: '^test\\..*' } } }]);
  });

  test('test requests with weighted steps: refused (Flagger\'s match limits the shift to the matching requests)', () => {
    const e = fails(Mesh.istio(), 'flagger', { canaryRequests: TEST_USER });
    expect(e).toContain('[test/release] canaryRequests: got "1 match(es)": Flagger on Istio cannot express this (Flagger\'s analysis.match');
    expect(e).toContain('or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    expect(e).toContain('analysis.match limits the weighted shift to the matching requests');
    expect(e).toContain('CanaryDelivery.argoRollouts (setHeaderRoute), or static steps');
    // dropped with a warning on request
    const c = one(synth(Mesh.istio(), 'flagger', { canaryRequests: TEST_USER, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }), 'Canary', 'payment');
    expect(c.spec.analysis.match).toBeUndefined();
    expect(c.metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('canaryRequests=1 match(es)');
  });

  test('mirroring: Istio only (mirror + mirrorWeight); refused on Linkerd', () => {
    expect(one(synth(Mesh.istio(), 'flagger', { mirrorPercent: 20 }), 'Canary', 'payment').spec.analysis).toMatchObject({ mirror: true, mirrorWeight: 20 });
    expect(fails(Mesh.linkerd(), 'flagger', { mirrorPercent: 20 })).toContain('mirrorPercent: got 20: Flagger on Linkerd cannot express this (Linkerd\'s outbound routes do not support the RequestMirror filter); send test traffic to the canary with canaryRequests instead');
  });

  test('the renamed selector label: the target must be selected by one of Flagger\'s labels, and the service by another', () => {
    expect(failureOf(chart => release(chart, Mesh.istio(), 'flagger', {}, deployment(chart, { 'team': 'x', 'app.kubernetes.io/part-of': 'payment' }, { team: 'x' }))))
      .toContain('delivery.target: got "payment": Flagger needs the Deployment\'s spec.selector.matchLabels to hold one of app, name, app.kubernetes.io/name');
    const e = failureOf(chart => release(chart, Mesh.istio(), 'flagger', { service: ServiceRef.fromName('payment', { port: 8080 }) }));
    expect(e).toContain('service.selector: got {"app":"payment"}: Flagger relabels the primary pods app: payment-primary');
    expect(e).toContain("selector: { 'app.kubernetes.io/part-of': 'payment' }");
  });

  test('a Service object of the app for the service: refused (Flagger generates and owns it)', () => {
    const e = failureOf(chart => {
      const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, selector: kplus.Pods.select(chart, 'pods', { labels: { 'app.kubernetes.io/part-of': 'payment' } }), ports: [{ port: 8080 }] });
      release(chart, Mesh.istio(), 'flagger', { service: ServiceRef.fromService(svc) });
    });
    expect(e).toContain('service: got "payment": Flagger generates the Service payment');
  });
});

describe('Istio ambient: Gateway API routes through the namespace waypoint', () => {
  const ambient = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

  test('Flagger: provider gatewayapi:v1 with the Service as parent (group \'\': Istio\'s), MetricTemplates of the waypoint\'s metrics, the waypoint', () => {
    const out = synth(ambient(), 'flagger', { steps: [{ weight: 0 }, { weight: 100 }], canaryRequests: [{ headers: [HeaderMatch.prefix('x-user', 'test-')] }] });
    const c = one(out, 'Canary', 'payment');
    expect(c.spec.provider).toBe('gatewayapi:v1');
    expect(c.spec.service.gatewayRefs).toEqual([{ name: 'payment', namespace: 'shop', group: '', kind: 'Service', port: 8080 }]);
    expect(c.spec.analysis.match).toEqual([{ headers: { 'x-user': { regex: '^test-.*' } } }]);
    expect(one(out, 'MetricTemplate', 'payment-success-rate').spec.query).toContain('istio_requests_total{reporter="waypoint",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"');
    expect(one(out, 'Namespace', 'shop').metadata.labels).toMatchObject({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(ofKind(out, 'Gateway').map(g => g.spec.gatewayClassName)).toEqual(['istio-waypoint']);
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
  });

  test('Argo Rollouts: the Gateway API plugin, the HTTPRoute it edits, an analysis of the waypoint\'s metrics', () => {
    const out = synth(ambient(), 'argo', { canaryRequests: TEST_USER });
    expect(one(out, 'Rollout', 'payment').spec.strategy.canary.trafficRouting).toEqual({
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'payment', namespace: 'shop' } }, managedRoutes: [{ name: 'canary-requests' }],
    });
    expect(one(out, 'HTTPRoute', 'payment').spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'payment', port: 8080 }]);
    expect(one(out, 'AnalysisTemplate', 'payment-canary-health').spec.metrics[0].provider.prometheus.query)
      .toContain('istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="payment-canary",response_code=~"5.."}');
    expect(one(out, 'Namespace', 'shop').metadata.labels['istio.io/use-waypoint']).toBe('waypoint');
  });

  test('mirroring refused on both (Flagger mirrors in blue/green only there; the plugin\'s setMirrorRoute does nothing); Flagger with waypoints per Service refused', () => {
    expect(fails(ambient(), 'flagger', { mirrorPercent: 10 })).toContain('Flagger\'s Gateway API router adds the RequestMirror filter in blue/green analyses only');
    expect(fails(ambient(), 'argo', { mirrorPercent: 10 })).toContain('the argoproj-labs/gatewayAPI plugin\'s SetMirrorRoute does nothing');
    expect(fails(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE }), 'flagger'))
      .toContain('mesh: got "IstioWaypointScope.SERVICE": a waypoint per Service is enrolled with istio.io/use-waypoint on the Service object, and Flagger generates the Service');
  });
});

describe('Argo Rollouts', () => {
  test('Istio: setWeight/pause from the plan, setHeaderRoute (managed route), a VirtualService with the named route and -stable/-canary Services', () => {
    const out = synth(Mesh.istio(), 'argo', { canaryRequests: TEST_USER, mirrorPercent: 10, steps: [{ weight: 5, pause: Duration.minutes(10) }, { weight: 50 }, { weight: 100 }] });
    const r = one(out, 'Rollout', 'payment');
    expect(r.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'payment', scaleDown: 'onsuccess' });
    expect(r.spec.selector).toEqual({ matchLabels: { app: 'payment' } });
    const canary = r.spec.strategy.canary;
    expect(canary.steps).toEqual([
      { setHeaderRoute: { name: 'canary-requests', match: [{ headerName: 'x-test-user', headerValue: { exact: 'true' } }] } },
      { setMirrorRoute: { name: 'mirror', percentage: 10, match: [{ path: { prefix: '/' } }] } },
      { setWeight: 5 }, { pause: { duration: '10m' } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 },
    ]);
    expect(canary.trafficRouting).toEqual({
      istio: { virtualService: { name: 'payment', routes: ['primary'] } },
      managedRoutes: [{ name: 'canary-requests' }, { name: 'mirror' }],
    });
    expect(canary.analysis).toEqual({ templates: [{ templateName: 'payment-canary-health' }] });
    expect(one(out, 'VirtualService', 'payment').spec.http).toEqual([{
      name: 'primary',
      route: [
        { destination: { host: 'payment-stable.shop.svc.cluster.local', port: { number: 8080 } }, weight: 100 },
        { destination: { host: 'payment-canary.shop.svc.cluster.local', port: { number: 8080 } }, weight: 0 },
      ],
    }]);
    expect(one(out, 'Service', 'payment-canary').spec.selector).toEqual({ 'app.kubernetes.io/part-of': 'payment' });
    const at = one(out, 'AnalysisTemplate', 'payment-canary-health');
    expect(at.spec.metrics.map((m: any) => m.successCondition)).toEqual([
      'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.01', 'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5',
    ]);
    expect(at.spec.metrics[0].provider.prometheus.query).toContain('destination_service_name="payment-canary"');
  });

  test('Linkerd: the Gateway API plugin and the HTTPRoute it edits', () => {
    const out = synth(Mesh.linkerd(), 'argo');
    expect(one(out, 'Rollout', 'payment').spec.strategy.canary.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'payment', namespace: 'shop' } } });
    expect(one(out, 'HTTPRoute', 'payment').spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'payment', port: 8080 }],
      rules: [{ backendRefs: [{ name: 'payment-stable', port: 8080, weight: 100 }, { name: 'payment-canary', port: 8080, weight: 0 }] }],
    });
    expect(one(out, 'AnalysisTemplate', 'payment-canary-health').spec.metrics[0].provider.prometheus.query).toContain('backend_name="payment-canary"');
  });

  test('a test request of several conditions: refused (setHeaderRoute matches any one header); one condition each is fine', () => {
    const e = fails(Mesh.istio(), 'argo', { canaryRequests: [{ headers: [HeaderMatch.exact('x-a', '1')], cookie: { name: 'c', value: 'v' } }] });
    expect(e).toContain('canaryRequests[0]: got ["x-a","cookie"]');
    expect(e).toContain('setHeaderRoute matches any one of its headers');
    expect(fails(Mesh.linkerd(), 'argo', { mirrorPercent: 10 })).toContain('mirrorPercent: got 10: Argo Rollouts on Linkerd cannot express this (Linkerd\'s outbound routes do not support the RequestMirror filter); send test traffic to the canary with canaryRequests instead');
    expect(fails(Mesh.istio(), 'argo', { mirrorPercent: 2.5 })).toContain('mirrorPercent: got 2.5: Argo Rollouts\' setMirrorRoute takes a whole percentage; use 3');
  });
});

describe('Argo Rollouts: test requests and mirror reach canary pods', () => {
  test('several test requests on the Gateway API plugin: one setHeaderRoute each (the plugin ANDs the matches of one); Istio keeps one route (ORed)', () => {
    const two = [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }, { headers: [], cookie: { name: 'canary', value: 'always' } }];
    for (const mesh of [Mesh.linkerd(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })]) {
      const canary = one(synth(mesh, 'argo', { canaryRequests: two }), 'Rollout', 'payment').spec.strategy.canary;
      const routes = canary.steps.filter((s: any) => s.setHeaderRoute).map((s: any) => s.setHeaderRoute);
      expect(routes.map((r: any) => [r.name, r.match.length, r.match[0].headerName])).toEqual([['canary-requests-m1', 1, 'x-test-user'], ['canary-requests-m2', 1, 'cookie']]);
      expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'canary-requests-m1' }, { name: 'canary-requests-m2' }]);
    }
    // one test request: one route, as before
    expect(one(synth(Mesh.linkerd(), 'argo', { canaryRequests: TEST_USER }), 'Rollout', 'payment').spec.strategy.canary.trafficRouting.managedRoutes).toEqual([{ name: 'canary-requests' }]);
    const istio = one(synth(Mesh.istio(), 'argo', { canaryRequests: two }), 'Rollout', 'payment').spec.strategy.canary;
    expect(istio.steps.filter((s: any) => s.setHeaderRoute).map((s: any) => s.setHeaderRoute.match.length)).toEqual([2]);
  });

  test('two test requests on the same header on the Gateway API plugin: refused (the later route replaces the earlier), dropped with a warning if asked', () => {
    const same = [{ headers: [HeaderMatch.exact('x-test-user', 'alice')] }, { headers: [HeaderMatch.exact('X-Test-User', 'bob')] }];
    const e = fails(Mesh.linkerd(), 'argo', { canaryRequests: same });
    expect(e).toContain('canaryRequests[1]: got "x-test-user": Argo Rollouts on Linkerd cannot express this (canaryRequests[0] matches the same header');
    expect(e).toContain("HeaderMatch.regex('x-test-user', '^(a|b)$')");
    const cookies = [{ headers: [], cookie: { name: 'a', value: '1' } }, { headers: [], cookie: { name: 'b', value: '2' } }];
    expect(fails(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'argo', { canaryRequests: cookies })).toContain('keep one cookie match');
    // Istio sidecar: one route with both matches, fine
    expect(() => synth(Mesh.istio(), 'argo', { canaryRequests: same })).not.toThrow();
    const dropped = synth(Mesh.linkerd(), 'argo', { canaryRequests: same, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(one(dropped, 'Rollout', 'payment').spec.strategy.canary.steps.filter((s: any) => s.setHeaderRoute)).toEqual([
      { setHeaderRoute: { name: 'canary-requests', match: [{ headerName: 'x-test-user', headerValue: { exact: 'alice' } }] } },
    ]);
  });

  test('weight-0 steps with test requests or a mirror: one canary pod pinned (setCanaryScale) until the first weight above 0', () => {
    const ab = [{ weight: 0, pause: TEN }, { weight: 100 }];
    const steps = (mesh: Mesh, over: Partial<CanaryReleaseProps>) => one(synth(mesh, 'argo', over), 'Rollout', 'payment').spec.strategy.canary.steps;
    expect(steps(Mesh.linkerd(), { canaryRequests: TEST_USER, steps: ab })).toEqual([
      { setCanaryScale: { replicas: 1 } },
      { setHeaderRoute: { name: 'canary-requests', match: [{ headerName: 'x-test-user', headerValue: { exact: 'true' } }] } },
      { setWeight: 0 }, { pause: { duration: '10m' } },
      { setCanaryScale: { matchTrafficWeight: true } }, { setWeight: 100 },
    ]);
    expect(steps(Mesh.istio(), { mirrorPercent: 10, steps: [{ weight: 0, pause: TEN }, { weight: 50 }, { weight: 100 }] })).toEqual([
      { setCanaryScale: { replicas: 1 } },
      { setMirrorRoute: { name: 'mirror', percentage: 10, match: [{ path: { prefix: '/' } }] } },
      { setWeight: 0 }, { pause: { duration: '10m' } },
      { setCanaryScale: { matchTrafficWeight: true } }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 },
    ]);
    // no weight-0 step, or nothing routed to the canary but the weight: no setCanaryScale
    expect(steps(Mesh.istio(), { canaryRequests: TEST_USER }).filter((s: any) => s.setCanaryScale)).toEqual([]);
    expect(steps(Mesh.istio(), { steps: ab }).filter((s: any) => s.setCanaryScale)).toEqual([]);
  });
});

describe('an autoscaler of the released Deployment', () => {
  const withHpa = (mode: Mode, canaryPatch = false) => (chart: Chart) => {
    // no fixed replicas (the HPA's)
    const d = new kplus.Deployment(chart, 'payment', {
      metadata: { name: 'payment' },
      select: false,
      podMetadata: { labels: { 'app': 'payment', 'app.kubernetes.io/part-of': 'payment' } },
      containers: [{ image: 'example/payment:2', portNumber: 8080, securityContext: { ensureNonRoot: false } }],
    });
    d.select(kplus.LabelSelector.of({ labels: { app: 'payment' } }));
    const r = release(chart, Mesh.istio(), mode, {}, d);
    new kplus.HorizontalPodAutoscaler(chart, 'hpa', { metadata: { name: 'payment-hpa' }, target: d, maxReplicas: 6 });
    if (canaryPatch) r.apiObjects.find(o => o.kind === 'Canary')!.addJsonPatch(JsonPatch.add('/spec/autoscalerRef', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'payment-hpa' }));
  };
  test('Flagger: refused at synthesis unless the Canary names it in autoscalerRef (Flagger gives the primary an HPA only from it)', () => {
    const e = failureOf(withHpa('flagger'));
    expect(e).toMatch(/^\s*\[test\/release\] delivery.target: got "payment": HorizontalPodAutoscaler payment-hpa scales payment, which Flagger scales to 0 between analyses/m);
    expect(e).not.toContain('fixed number of replicas');
    expect(e).toContain("JsonPatch.add('/spec/autoscalerRef', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'payment-hpa' })");
    const chart = shopChart();
    withHpa('flagger', true)(chart);
    expect(one(synthValidated(chart), 'Canary', 'payment').spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'payment-hpa' });
  });
  test('Argo Rollouts: refused at synthesis (scaleDown turns an HPA of the Deployment off): the HPA must target the Rollout', () => {
    expect(failureOf(withHpa('argo'))).toContain("delivery.workload: got \"payment\": HorizontalPodAutoscaler payment-hpa scales the Deployment payment, which the Rollout scales to 0 once it is healthy (workloadRef scaleDown: onsuccess), so nothing would scale the Rollout's pods; point the HPA at the Rollout: scaleTargetRef { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'payment' }");
    // an HPA of another Deployment: fine
    const chart = shopChart();
    release(chart, Mesh.istio(), 'argo');
    const other = new kplus.Deployment(chart, 'other', { metadata: { name: 'other' }, containers: [{ image: 'example/other:1', portNumber: 8080, securityContext: { ensureNonRoot: false } }] });
    new kplus.HorizontalPodAutoscaler(chart, 'hpa', { target: other, maxReplicas: 6 });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('refusals, with the reason and the alternative', () => {
  test.each(['flagger', 'argo'] as const)('%s on Consul', mode => {
    expect(fails(Mesh.consul(), mode)).toMatch(new RegExp(`delivery: got "${mode === 'flagger' ? 'flagger' : 'argo-rollouts'}": .*no Consul .*; use static steps \\(remove delivery\\)`));
  });

  test('stable/canary and step with a controller; a workload that is not a Deployment', () => {
    expect(fails(Mesh.istio(), 'flagger', { stable: ReleaseVersion.of('v1') })).toContain('stable: got "v1": Flagger copies the target Deployment to <name>-primary');
    expect(fails(Mesh.istio(), 'argo', { step: 2 })).toContain('step: got 2: Argo Rollouts walks the steps itself');
    expect(failureOf(chart => new CanaryRelease(chart, 'release', { mesh: Mesh.istio(), service: payment(), delivery: CanaryDelivery.argoRollouts({ workload: chart }) })))
      .toContain('delivery.workload: got');
    // static steps still need the versions
    expect(failureOf(chart => new CanaryRelease(chart, 'release', { mesh: Mesh.istio(), service: payment() }))).toContain('stable: got undefined: a release version is required');
  });

  test('bad delivery inputs: an error naming the prop, never a TypeError', () => {
    const base = { mesh: Mesh.istio(), service: payment(), steps: STEPS };
    expect(failureOf(chart => new CanaryRelease(chart, 'release', { ...base, delivery: {} as any })))
      .toBe('[test/release] delivery: got {}: not a CanaryDelivery; use CanaryDelivery.staticSteps(), CanaryDelivery.flagger({ target }) or CanaryDelivery.argoRollouts({ workload })');
    for (const delivery of [CanaryDelivery.flagger(undefined as any), CanaryDelivery.argoRollouts({ workload: undefined as any })]) {
      expect(failureOf(chart => new CanaryRelease(chart, 'release', { ...base, delivery }))).toMatch(/delivery\.(target|workload): got undefined: expected an object that synthesizes apps\/v1 Deployment/);
    }
    // a StatefulSet is not what the controllers release
    expect(failureOf(chart => new CanaryRelease(chart, 'release', {
      ...base,
      delivery: CanaryDelivery.flagger({ target: new kplus.StatefulSet(chart, 'ss', { containers: [{ image: 'x' }], service: new kplus.Service(chart, 'headless', { clusterIP: 'None', ports: [{ port: 80 }] }) }) }),
    }))).toContain('delivery.target: got');
  });

  test('healthAlert.prometheusLabels is not used with a controller: a warning', () => {
    const chart = shopChart();
    const spy = jest.spyOn(process.stderr, 'write');
    release(chart, Mesh.istio(), 'argo', { healthAlert: { prometheusLabels: { release: 'kube-prometheus-stack' } } });
    expect(spy.mock.calls.map(c => String(c[0])).join('')).toContain('healthAlert.prometheusLabels is not used: Argo Rollouts checks the thresholds itself');
    expect(ofKind(synthValidated(chart), 'PrometheusRule')).toEqual([]);
  });

  test('a ResilientService routing the same service: refused at synthesis (the controller owns the routes)', () => {
    const e = failureOf(chart => {
      release(chart, Mesh.istio(), 'argo');
      new ResilientService(chart, 'resilience', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(2) });
    });
    expect(e).toContain('delivery: got "argo-rollouts": [test/resilience] also writes routing objects for payment');
  });

  test('static steps: unchanged (same output with and without CanaryDelivery.staticSteps())', () => {
    const build = (delivery?: CanaryDelivery) => {
      const chart = shopChart();
      new CanaryRelease(chart, 'release', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, delivery });
      return Testing.synth(chart);
    };
    expect(build(CanaryDelivery.staticSteps())).toEqual(build());
  });
});

describe('policies and the analyzer see the controllers\' pods', () => {
  test('analyzer (hand-written YAML): a DestinationRule subset for Flagger\'s primary pods selects the Canary target\'s <name>-primary pods', () => {
    const dep = `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment, team: pay}}
    spec: {containers: [{name: payment, image: "example/payment:1"}]}
`;
    const dr = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec:
  host: payment
  subsets: [{name: primary, labels: {app: payment-primary, team: pay}}]
`;
    const canary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: payment, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: payment}
  service: {port: 8080}
  analysis: {interval: 1m, threshold: 2, stepWeights: [10, 100]}
`;
    const codes = (text: string) => MeshAnalyzer.analyzeYaml(text).findings.map(f => f.code);
    expect(codes([dep, dr].join('---\n'))).toContain('I133');
    expect(codes([dep, dr, canary].join('---\n'))).not.toContain('I133');
  });

  test('analyzer (hand-written YAML, ambient): the pods behind the Service a Flagger Canary generates are its primary pods (no false I142)', () => {
    const text = (podAllowLabels: string) => [`apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
`, `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: service}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`, `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment, team: pay}}
    spec: {containers: [{name: payment, image: "example/payment:2"}]}
`, `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: payment, namespace: shop}
spec:
  provider: gatewayapi:v1
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: payment}
  service: {port: 8080, gatewayRefs: [{name: payment, namespace: shop, group: "", kind: Service, port: 8080}]}
  analysis: {interval: 1m, threshold: 2, stepWeights: [10, 100]}
`, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: payment}]
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]}]
`, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow-waypoint, namespace: shop}
spec:
  selector: {matchLabels: {${podAllowLabels}}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/waypoint]}}]}]
`, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: default-deny, namespace: shop}
spec: {}
`].join('---\n');
    const codes = (t: string) => MeshAnalyzer.analyzeYaml(t).findings.map(f => f.code);
    expect(codes(text('team: pay'))).not.toContain('I142');
    // a policy on other pods does not admit the waypoint to the primary pods
    expect(codes(text('team: other'))).toContain('I142');
  });

  test('reachability (hand-written YAML): an Argo Rollout\'s pod template is a workload (its opt-out of injection is seen)', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment, sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: payment, image: "example/payment:1"}]}
  strategy: {canary: {steps: [{setWeight: 10}]}}
`;
    const d = ReachabilityMatrix.fromYaml(text).check({ caller: 'other/attacker', service: 'shop/payment' });
    expect(d.enforced).toBe(false);
    expect(d.reason).toContain('Rollout payment');
  });

  test('a ZeroTrustNamespace that selects the released pods by Flagger\'s renamed label fails synthesis (K105); by a kept label it passes', () => {
    const build = (selector?: { [k: string]: string }) => (chart: Chart) => {
      release(chart, Mesh.istio(), 'flagger');
      new ZeroTrustNamespace(chart, 'zero-trust', {
        mesh: Mesh.istio(),
        mtls: MtlsPhase.STRICT,
        allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080, selector }) }],
      });
    };
    const e = failureOf(build());
    expect(e).toContain('K105');
    expect(e).toContain('selects app: payment, which Flagger renames to payment-primary on the primary pods of Canary shop/payment');
    const chart = shopChart();
    build({ 'app.kubernetes.io/part-of': 'payment' })(chart);
    const matrix = ReachabilityMatrix.fromManifests(synthValidated(chart), { defaultNamespace: 'shop' });
    // the payment Service is Flagger's (not in the output): the matrix knows it from the Canary
    expect(matrix.services()).toEqual(['shop/payment']);
    expect(matrix.check({ caller: 'shop/order', service: 'shop/payment' }).allowed).toBe(true);
    expect(matrix.check({ caller: 'shop/web', service: 'shop/payment' }).allowed).toBe(false);
  });

  test('analyzer (hand-written YAML): the Services a Flagger Canary generates are not "missing" (K103)', () => {
    const text = [`apiVersion: v1
kind: Service
metadata: {name: order, namespace: shop}
spec: {selector: {app: order}, ports: [{port: 8080}]}
`, `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: payment, namespace: shop}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: payment}
  service: {port: 8080}
  analysis: {interval: 1m, threshold: 2, stepWeights: [10, 100]}
`, `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-canary, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: "", name: payment-canary}]
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]}]
`].join('---\n');
    const codes = (t: string) => MeshAnalyzer.analyzeYaml(t).findings.map(f => f.code);
    expect(codes(text)).not.toContain('K103');
    expect(codes(text.replace('name: payment-canary}]', 'name: payment-kanary}]'))).toContain('K103');
  });

  test('the construct output: no analyzer error, and the service\'s selector matches the Rollout\'s and Flagger\'s primary pods', () => {
    for (const mode of ['flagger', 'argo'] as const) {
      const out = synth(Mesh.istio(), mode);
      const errors = MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.severity === 'error');
      expect(errors).toEqual([]);
    }
  });
});

describe('property: the controller sends the same weights in the same order as the static steps', () => {
  const plans = fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 })
    .map(ws => ws.sort((a, b) => a - b).map(weight => ({ weight })));
  const staticWeights = (steps: CanaryStep[]) => steps.map((_s, i) => {
    const chart = shopChart();
    new CanaryRelease(chart, 'release', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), steps, step: i + 1 });
    return Number(one(Testing.synth(chart), 'VirtualService', 'payment').metadata.annotations['cdk8s-mesh.io/canary-weight']);
  });
  test('Flagger stepWeights and Argo setWeight steps', () => {
    fc.assert(fc.property(plans, fc.boolean(), (steps, zeroFirst) => {
      const plan = zeroFirst && steps[0].weight !== 0 ? [{ weight: 0 }, ...steps] : steps;
      const expected = staticWeights(plan);
      const flagger = one(synth(Mesh.istio(), 'flagger', { steps: plan }), 'Canary', 'payment').spec.analysis.stepWeights;
      const argo = one(synth(Mesh.linkerd(), 'argo', { steps: plan }), 'Rollout', 'payment').spec.strategy.canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight);
      expect(argo).toEqual(expected);
      // Flagger starts every analysis at 0% (its initial state), so a leading weight-0 step is not a stepWeight
      expect([0, ...flagger]).toEqual(expected[0] === 0 ? expected : [0, ...expected]);
    }), { numRuns: 25 });
  });
});

describe("Flagger's first-interval mirror warning is the mesh's (CanaryRenderer.flagger.warnings), between the release's interval and last-weight warnings", () => {
  const steps = [{ weight: 5, pause: TEN }, { weight: 50, pause: Duration.minutes(20) }];
  const flaggerWarnings = (mesh: Mesh, over: Partial<CanaryReleaseProps>) => release(shopChart(), mesh, 'flagger', { steps, ...over }).warnings
    .filter(w => w.startsWith('Flagger') || w.startsWith('mirrorPercent'));

  test('Istio: a canary analysis with a mirror is warned, in its place; without a mirror, or in A/B testing, it is not', () => {
    expect(flaggerWarnings(Mesh.istio(), { mirrorPercent: 10 })).toEqual([
      "Flagger runs every step for one analysis.interval: the steps' pauses differ, so every step is watched for the longest, 20m",
      'Flagger mirrors 10% of requests for the first analysis interval only, before it shifts weight (pkg/controller/scheduler.go runCanary), not at every step',
      'Flagger promotes the canary once it reaches the last weight (50%): the release completes there',
    ]);
    expect(flaggerWarnings(Mesh.istio(), {})).toHaveLength(2);
    const ab = {
      mirrorPercent: 10,
      steps: [{ weight: 0 }, { weight: 100 }],
      canaryRequests: TEST_USER,
      unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING,
    };
    expect(flaggerWarnings(Mesh.istio(), ab))
      .toEqual(['mirrorPercent (10) is not written: Flagger on Istio cannot express it (Flagger\'s A/B testing has no mirror stage (mirroring is a pre-stage of canary and blue/green analyses))']);
  });

  test('Linkerd and ambient: no such warning (their Flagger Gateway API router mirrors nothing in a canary analysis: the mirror is dropped instead)', () => {
    expect(flaggerWarnings(Mesh.linkerd(), { mirrorPercent: 10, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING })[1]).toMatch(/^Flagger promotes/);
    const drop = { mirrorPercent: 10, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING };
    expect(flaggerWarnings(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), drop).map(w => w.slice(0, 20))).toEqual([
      'Flagger runs every s', 'Flagger promotes the', 'mirrorPercent (10) i',
    ]);
  });
});
