import { ApiObject, Duration, Testing } from 'cdk8s';
import { STUB, stubMesh } from './stub-mesh';
import {
  CanaryDelivery, CanaryRelease, EgressPolicy, HeaderMatch, FaultInjection, Identity, IngressApi, IngressGateway, Mesh, MeshKind, MultiClusterExport, PathMatch,
  ResilientService,
  ReleaseVersion, ServiceRef,
  TrafficTelemetry, UnsupportedSettings, VersionedRouting, ZeroTrustNamespace, flagger,
} from '../../../src';
import { CanaryRenderer, IngressRenderer, MeshRenderers, TrafficRenderer } from '../../../src/meshes/renderer';

const service = ServiceRef.fromName('payment', { port: 8080 });

// every public pattern, with props that the built-in meshes accept where it matters
const PATTERNS: [string, (chart: any, mesh: Mesh) => unknown][] = [
  ['ResilientService', (c, mesh) => new ResilientService(c, 'x', { mesh, service, timeout: Duration.seconds(3) })],
  ['CanaryRelease', (c, mesh) => new CanaryRelease(c, 'x', { mesh, service } as any)],
  ['ZeroTrustNamespace', (c, mesh) => new ZeroTrustNamespace(c, 'x', { mesh, namespace: 'shop' } as any)],
  ['MultiClusterExport', (c, mesh) => new MultiClusterExport(c, 'x', { mesh } as any)],
  ['FaultInjection', (c, mesh) => new FaultInjection(c, 'x', { mesh, service } as any)],
  ['VersionedRouting', (c, mesh) => new VersionedRouting(c, 'x', { mesh, service } as any)],
  ['IngressGateway', (c, mesh) => new IngressGateway(c, 'x', { mesh } as any)],
  ['EgressPolicy', (c, mesh) => new EgressPolicy(c, 'x', { mesh } as any)],
  ['TrafficTelemetry', (c, mesh) => new TrafficTelemetry(c, 'x', { mesh } as any)],
];

describe('a fifth mesh with no renderer (test/meshes/stub) refuses every pattern the same way', () => {
  test.each(PATTERNS)('%s', (pattern, make) => {
    const chart = Testing.chart();
    expect(() => make(chart, stubMesh())).toThrow(
      `[test/x] mesh: got "Stub": Stub cannot express ${pattern}; use ${pattern} with a mesh that can express it, or leave it out for Stub`);
  });

  test('the refusal comes before any other check (the props above are incomplete on purpose)', () => {
    // on a built-in mesh the same incomplete props fail on the props instead
    expect(() => new EgressPolicy(Testing.chart(), 'x', { mesh: Mesh.istio() } as any)).toThrow(/^\[test\/x\] (?!mesh: got)/);
  });

  test('the stub mesh has its own name in messages', () => {
    expect(stubMesh().displayName).toBe('Stub');
  });
});

describe('a fifth mesh renders IngressGateway through its own renderer (the seam, no mesh-kind branch)', () => {
  const calls: string[] = [];
  const ingress: IngressRenderer = {
    defaultApi: () => IngressApi.GATEWAY_API,
    defaultGatewayClassName: 'stub',
    reads: [],
    unsupported: intent => { calls.push(`unsupported ${intent.api}`); return []; },
    callerIdentity: intent => Identity.serviceAccount(`${intent.name}-stub`, { namespace: intent.namespace }),
    render: (scope, intent) => {
      calls.push(`render ${intent.gatewayClassName} ${intent.routes.map(r => `${r.exact ? '=' : ''}${r.prefix}`).join(' ')}`);
      new ApiObject(scope, 'Gateway', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: intent.name, namespace: intent.namespace }, data: { host: intent.host } });
      intent.enrolBackends();
    },
  };

  test('the construct checks the props, builds the intent and calls the renderer', () => {
    const chart = Testing.chart();
    const renderers: MeshRenderers = { ...STUB, ingress };
    const gw = new IngressGateway(chart, 'shop', {
      mesh: Mesh._withRenderers(MeshKind.ISTIO, renderers),
      namespace: 'test',
      host: 'shop.example.com',
      allowPlainHttp: true,
      routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }, { path: PathMatch.exact('/login'), service }],
    });
    expect(calls).toEqual(['unsupported gateway-api', 'render stub =/login /']);
    expect(gw.callerIdentity?.name).toBe('shop-stub');
    expect(Testing.synth(chart).filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop', namespace: 'test' }, data: { host: 'shop.example.com' } },
    ]);
  });
});

describe('a fifth mesh renders CanaryRelease through its own renderer (the seam, no mesh-kind branch)', () => {
  const calls: string[] = [];
  const canary: CanaryRenderer = {
    reads: [],
    versionLabelKeyProblems: (prop, key) => key === 'track' ? [{ prop, value: key, why: 'Stub versions are labelled version', fix: "use labelKey 'version'" }] : [],
    unsupported: intent => {
      calls.push(`unsupported ${intent.canary.stable.name} ${intent.canary.canary.name} ${intent.mirrorPercent}`);
      return intent.mirrorPercent === undefined ? [] : [{ setting: 'mirrorPercent', value: intent.mirrorPercent, why: 'Stub has no mirror', alternative: 'use canaryRequests' }];
    },
    render: (scope, intent) => {
      calls.push(`render ${intent.canary.canaryWeight} ${intent.canary.mirrorPercent}`);
      new ApiObject(scope, 'Split', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: intent.service.name, namespace: intent.namespace }, data: { canary: String(intent.canary.canaryWeight) } });
    },
    flagger: { refusesEveryRelease: true, refusal: intent => ({ prop: 'delivery', value: intent.controller, why: 'Stub has no controller', fix: 'use static steps' }) },
    argoRollouts: { refusesEveryRelease: true, refusal: intent => ({ prop: 'delivery', value: intent.controller, why: 'Stub has no controller', fix: 'use static steps' }) },
    alertQueries: intent => ({
      errorRatio: `stub_failed_ratio{service="${intent.service}",version="${intent.canary.versionValue}"}[${intent.window}]`,
      p99Seconds: `stub_p99_seconds{service="${intent.service}"}[${intent.window}]`,
      failures: 'stub failures',
      absent: { series: `stub_requests{service="${intent.service}"}`, summary: 'no stub metrics', description: 'scrape the stub proxies' },
    }),
    renderAlertMetrics: (scope, intent) => {
      calls.push(`alert metrics ${intent.namespace} ${JSON.stringify(intent.prometheusLabels)}`);
      new ApiObject(scope, 'StubScrape', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${intent.service}-stub-scrape` }, data: { version: intent.canary.versionValue } });
    },
  };
  const traffic: TrafficRenderer = {
    render: (_scope, model) => { calls.push(`traffic ${model().canary?.canaryWeight}`); },
  };
  const renderers: MeshRenderers = { ...STUB, canary, traffic };
  const mesh = () => Mesh._withRenderers(MeshKind.ISTIO, renderers);
  const release = (chart: any, extra: any = {}) => new CanaryRelease(chart, 'release', {
    mesh: mesh(), service, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 20, ...extra,
  });

  beforeEach(() => { calls.length = 0; });

  test('the construct checks the props, builds the intent and calls the renderer: unsupported, then render', () => {
    const chart = Testing.chart();
    release(chart);
    // the routes are the traffic renderer's, from the release's CanaryIntent
    expect(calls).toEqual(['unsupported v1 v2 undefined', 'traffic 20', 'render 20 undefined']);
    expect(Testing.synth(chart).filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payment' }, data: { canary: '20' } },
    ]);
  });

  test("what the renderer lists as unsupported is refused, or dropped with a warning, in the construct's words", () => {
    expect(() => release(Testing.chart(), { mirrorPercent: 10 })).toThrow(
      '[test/release] mirrorPercent: got 10: Stub cannot express this (Stub has no mirror); use canaryRequests, or set unsupportedSettings');
    calls.length = 0;
    release(Testing.chart(), { mirrorPercent: 10, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(calls).toEqual(['unsupported v1 v2 10', 'traffic 20', 'render 20 undefined']);
  });

  test("the health alert is the construct's PrometheusRule around the renderer's own queries, after the renderer's metrics objects", () => {
    const chart = Testing.chart();
    release(chart, { healthAlert: { maxErrorRatePercent: 2, maxP99Latency: Duration.millis(500), prometheusLabels: { release: 'prom' } } });
    expect(calls).toEqual(['unsupported v1 v2 undefined', 'traffic 20', 'render 20 undefined', 'alert metrics undefined {"release":"prom"}']);
    const out = Testing.synth(chart);
    expect(out.map(o => o.kind)).toEqual(['ConfigMap', 'ConfigMap', 'PrometheusRule']);
    expect(out[1]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payment-stub-scrape' }, data: { version: 'v2' } });
    const rules = out[2].spec.groups[0].rules;
    expect(rules.map((r: any) => [r.alert, r.expr])).toEqual([
      ['PaymentCanaryHighErrorRate', '(stub_failed_ratio{service="payment",version="v2"}[5m]) > 0.02'],
      ['PaymentCanaryHighLatency', '(stub_p99_seconds{service="payment"}[5m]) > 0.5'],
      ['PaymentCanaryMetricsAbsent', 'absent(stub_requests{service="payment"})'],
    ]);
    expect(rules[0].annotations.summary).toBe('payment v2 (canary) answers more than 2% stub failures');
    expect(rules[2].annotations).toEqual({ summary: 'no stub metrics', description: 'scrape the stub proxies' });
    expect(out[2].metadata).toEqual({ name: 'payment-canary-health', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'release': 'prom' } });
  });

  const flaggerDeployment = (chart: any) => new ApiObject(chart, 'd', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'payment' },
    spec: { selector: { matchLabels: { app: 'payment' } }, template: { metadata: { labels: { 'app': 'payment', 'app.kubernetes.io/part-of': 'payment' } } } },
  });
  const flaggerService = ServiceRef.fromName('payment', { port: 8080, selector: { 'app.kubernetes.io/part-of': 'payment' } });

  test('a mesh without the controller\'s member gets the same refusal for it', () => {
    const chart = Testing.chart();
    const quiet: MeshRenderers = { ...renderers, canary: { ...canary, flagger: undefined, argoRollouts: undefined } };
    expect(() => new CanaryRelease(chart, 'release', { mesh: Mesh._withRenderers(MeshKind.ISTIO, quiet), service: flaggerService, delivery: CanaryDelivery.flagger({ target: flaggerDeployment(chart) }) })).toThrow(
      '[test/release] delivery: got "flagger": Stub cannot express a release carried out by Flagger; use static steps (remove delivery), or a mesh that can express it');
  });

  test("Flagger on a fifth mesh: the construct's Canary with the mesh's provider, match mapping and MetricTemplates", () => {
    const chart = Testing.chart();
    const withFlagger: MeshRenderers = {
      ...renderers,
      canary: {
        ...canary,
        flagger: {
          provider: flagger.CanarySpecProvider.KUMA,
          gatewayRefs: intent => [{ name: intent.service.name, kind: 'StubRoute' }],
          headerMatch: h => ({ suffix: `-${h.value}` }),
          metrics: () => ({ templates: { defaultAddress: 'http://stub-prometheus:9090', successRate: 'stub_success{target="{{ target }}"}', latency: 'stub_p99{target="{{ target }}"}' } }),
        },
      },
    };
    new CanaryRelease(chart, 'release', {
      mesh: Mesh._withRenderers(MeshKind.ISTIO, withFlagger),
      service: flaggerService,
      delivery: CanaryDelivery.flagger({ target: flaggerDeployment(chart) }),
      steps: [{ weight: 0 }, { weight: 100 }],
      canaryRequests: [{ headers: [HeaderMatch.exact('x-test', 'yes')] }],
      healthAlert: { maxErrorRatePercent: 2, maxP99Latency: Duration.millis(500) },
    });
    const out = Testing.synth(chart);
    expect(out.filter(o => o.kind === 'MetricTemplate').map(o => [o.metadata.name, o.spec])).toEqual([
      ['payment-success-rate', { provider: { type: 'prometheus', address: 'http://stub-prometheus:9090' }, query: 'stub_success{target="{{ target }}"}' }],
      ['payment-latency', { provider: { type: 'prometheus', address: 'http://stub-prometheus:9090' }, query: 'stub_p99{target="{{ target }}"}' }],
    ]);
    const spec = out.find(o => o.kind === 'Canary')!.spec;
    expect(spec.provider).toBe('kuma');
    expect(spec.service.gatewayRefs).toEqual([{ name: 'payment', kind: 'StubRoute' }]);
    expect(spec.analysis.match).toEqual([{ headers: { 'x-test': { suffix: '-yes' } } }]);
    expect(spec.analysis.metrics.map((m: any) => [m.name, m.templateRef.name, m.thresholdRange])).toEqual([
      ['success-rate', 'payment-success-rate', { min: 98 }], ['latency', 'payment-latency', { max: 500 }],
    ]);
  });

  test("Argo Rollouts on a fifth mesh: the construct's Services, AnalysisTemplate and Rollout around the mesh's routing object, header routes and queries", () => {
    const chart = Testing.chart();
    const withArgo: MeshRenderers = {
      ...renderers,
      canary: {
        ...canary,
        argoRollouts: {
          renderRouting: (scope, intent) => {
            new ApiObject(scope, 'StubRoute', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: intent.service.name }, data: { stable: intent.stableService, canary: intent.canaryService } });
            return { plugins: { 'stub/router': { configMap: intent.service.name } } };
          },
          headerRoutes: (name, matches) => matches.map((m, i) => ({ name: `${name}-stub${i}`, match: [m] })),
          analysisQueries: intent => ({ defaultAddress: 'http://stub-prometheus:9090', errorRatio: `stub_errors{backend="${intent.canaryService}"}`, p99Seconds: `stub_p99{backend="${intent.canaryService}"}` }),
        },
      },
    };
    const quiet: MeshRenderers = { ...renderers, canary: { ...canary, flagger: undefined, argoRollouts: undefined } };
    expect(() => new CanaryRelease(Testing.chart(), 'release', { mesh: Mesh._withRenderers(MeshKind.ISTIO, quiet), service: flaggerService, delivery: CanaryDelivery.argoRollouts({ workload: flaggerDeployment(Testing.chart()) }) })).toThrow(
      '[test/release] delivery: got "argo-rollouts": Stub cannot express a release carried out by Argo Rollouts; use static steps (remove delivery), or a mesh that can express it');
    new CanaryRelease(chart, 'release', {
      mesh: Mesh._withRenderers(MeshKind.ISTIO, withArgo),
      service: flaggerService,
      delivery: CanaryDelivery.argoRollouts({ workload: flaggerDeployment(chart) }),
      steps: [{ weight: 10 }, { weight: 100 }],
      canaryRequests: [{ headers: [HeaderMatch.exact('x-a', '1')] }, { headers: [HeaderMatch.exact('x-b', '2')] }],
      healthAlert: { maxErrorRatePercent: 2, maxP99Latency: Duration.millis(500) },
    });
    const out = Testing.synth(chart);
    expect(out.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/payment', 'Service/payment-stable', 'Service/payment-canary', 'ConfigMap/payment', 'AnalysisTemplate/payment-canary-health', 'Rollout/payment',
    ]);
    expect(out[3].data).toEqual({ stable: 'payment-stable', canary: 'payment-canary' });
    expect(out[4].spec.metrics.map((m: any) => [m.name, m.provider.prometheus])).toEqual([
      ['error-rate', { address: 'http://stub-prometheus:9090', query: 'stub_errors{backend="payment-canary"}' }],
      ['p99-latency', { address: 'http://stub-prometheus:9090', query: 'stub_p99{backend="payment-canary"}' }],
    ]);
    const rollout = out[5].spec.strategy.canary;
    expect(rollout.trafficRouting).toEqual({ plugins: { 'stub/router': { configMap: 'payment' } }, managedRoutes: [{ name: 'canary-requests-stub0' }, { name: 'canary-requests-stub1' }] });
    expect(rollout.steps.slice(0, 2)).toEqual([
      { setHeaderRoute: { name: 'canary-requests-stub0', match: [{ headerName: 'x-a', headerValue: { exact: '1' } }] } },
      { setHeaderRoute: { name: 'canary-requests-stub1', match: [{ headerName: 'x-b', headerValue: { exact: '2' } }] } },
    ]);
  });

  test("the renderer's own checks and refusals reach the user through the construct", () => {
    expect(() => release(Testing.chart(), { stable: ReleaseVersion.of('v1', { labelKey: 'track' }) })).toThrow(
      '[test/release] stable.labelKey: got "track": Stub versions are labelled version; use labelKey \'version\'');
    const deployment = new ApiObject(Testing.chart(), 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payment' }, spec: { selector: { matchLabels: { app: 'payment' } }, template: { metadata: { labels: { app: 'payment' } } } } });
    expect(() => new CanaryRelease(Testing.chart(), 'release', { mesh: mesh(), service, delivery: CanaryDelivery.flagger({ target: deployment }) })).toThrow(
      '[test/release] delivery: got "flagger": Stub has no controller; use static steps');
  });
});
