import { ApiObject, Duration, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import { CanaryDelivery, CanaryRelease, HeaderMatch, IngressApi, IngressGateway, Mesh, MeshKind, ReleaseVersion, ServiceRef, UnsupportedSettings } from '../../../src';
import { CanaryRenderer, IngressRenderer, MeshRenderers, TrafficRenderer } from '../../../src/meshes/renderer';
import { captureStderr } from '../../util';

const stderr = captureStderr();
const warnings = () => stderr().mock.calls.map(c => String(c[0]));

describe("a fifth mesh's CanaryRelease hooks take effect through its own implementation", () => {
  const canary: CanaryRenderer = {
    reads: [],
    unsupported: () => [],
    render: () => undefined,
    alertQueries: () => ({ errorRatio: 'stub_err', p99Seconds: 'stub_p99' }),
    prepareVersion: (d, v, context, fromDeployment) => {
      if (d) d.addAnnotation('stub.example.com/version', v.versionValue);
      else context.warn?.(`mark the ${v.versionValue} pods stub.example.com/version (${fromDeployment} does it)`);
    },
    alertWarning: context => `Stub alerts need ${context.mesh.displayName} metrics`,
    flagger: {
      // refused only for a release that mirrors; otherwise Stub's Flagger router, which cannot express canaryRequests
      refusal: intent => intent.mirrorPercent === undefined ? undefined : { prop: 'mirrorPercent', value: intent.mirrorPercent, why: 'Stub\'s Flagger cannot mirror', fix: 'remove mirrorPercent' },
      // a sticky-session header cannot be left out: the canary's sessions would move back and forth
      unsupported: intent => intent.matches.map((m, i) => ({
        setting: `canaryRequests[${i}]`,
        value: m.headers.map(h => h.name),
        why: 'Stub\'s router has no header match',
        alternative: 'use weights only',
        ...(m.headers.some(h => h.name === 'x-sticky') ? { keep: 'Stub would move the canary\'s sessions between versions' } : {}),
      })),
      provider: 'kuma' as any,
      headerMatch: h => ({ exact: h.value }),
      metrics: () => ({ builtin: { successRate: 'request-success-rate', latency: 'request-duration' } }),
    },
  };
  const traffic: TrafficRenderer = { render: () => undefined };
  const renderers: MeshRenderers = { ...STUB, canary, traffic };
  const mesh = () => Mesh._withRenderers(MeshKind.ISTIO, renderers);
  const service = ServiceRef.fromName('payment', { port: 8080, selector: { 'app.kubernetes.io/part-of': 'payment' } });
  const deployment = (chart: any, name: string) => new ApiObject(chart, name, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { 'app': name, 'app.kubernetes.io/part-of': 'payment' } } } },
  });

  beforeEach(() => stderr().mockClear());

  test("prepareVersion marks the given Deployment and warns for the other, naming ReleaseVersion's factory; alertWarning is warned", () => {
    const chart = Testing.chart();
    new CanaryRelease(chart, 'release', {
      mesh: mesh(),
      service,
      stable: ReleaseVersion.of('v1'),
      canary: ReleaseVersion.fromDeployment(deployment(chart, 'payment-v2'), 'v2'),
      canaryWeight: 20,
      healthAlert: { maxErrorRatePercent: 2, maxP99Latency: Duration.millis(500) },
    });
    const d = Testing.synth(chart).find(o => o.kind === 'Deployment')!;
    expect(d.spec.template.metadata.annotations).toEqual({ 'stub.example.com/version': 'v2' });
    expect(warnings()).toEqual([
      '[cdk8s-mesh] warning: [test/release] mark the v1 pods stub.example.com/version (ReleaseVersion.fromDeployment does it)\n',
      '[cdk8s-mesh] warning: [test/release] Stub alerts need Stub metrics\n',
    ]);
  });

  const flagger = (chart: any, extra: any = {}) => new CanaryRelease(chart, 'release', {
    mesh: mesh(), service, delivery: CanaryDelivery.flagger({ target: deployment(chart, 'payment') }), steps: [{ weight: 50 }, { weight: 100 }], ...extra,
  });

  test("the flagger member's refusal refuses, in the mesh's words, only where it says so", () => {
    expect(() => flagger(Testing.chart(), { mirrorPercent: 10 })).toThrow('[test/release] mirrorPercent: got 10: Stub\'s Flagger cannot mirror; remove mirrorPercent');
    expect(() => flagger(Testing.chart())).not.toThrow();
  });

  test("the flagger member's unsupported list is refused or dropped as Flagger on the mesh", () => {
    const canaryRequests = [{ headers: [HeaderMatch.exact('x-test', 'yes')] }];
    expect(() => flagger(Testing.chart(), { canaryRequests })).toThrow(
      "canaryRequests[0]: got [\"x-test\"]: Flagger on Stub cannot express this (Stub's router has no header match); use weights only");
    flagger(Testing.chart(), { canaryRequests, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(warnings()).toContain('[cdk8s-mesh] warning: [test/release] canaryRequests[0] (["x-test"]) is not written: Flagger on Stub cannot express it (Stub\'s router has no header match)\n');
  });

  test("the flagger member's unsupported setting with keep is refused even with DROP_WITH_WARNING, with its reason; without keep it is dropped", () => {
    const canaryRequests = [{ headers: [HeaderMatch.exact('x-sticky', 'yes')] }, { headers: [HeaderMatch.exact('x-test', 'yes')] }];
    const refusal = '[test/release] canaryRequests[0]: got ["x-sticky"]: Flagger on Stub cannot express this (Stub\'s router has no header match); use weights only';
    expect(() => flagger(Testing.chart(), { canaryRequests, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING })).toThrow(
      `${refusal} (UnsupportedSettings.DROP_WITH_WARNING does not leave this setting out: Stub would move the canary's sessions between versions)`);
    // without DROP_WITH_WARNING both are refused, and dropping is not offered for the kept one
    expect(() => flagger(Testing.chart(), { canaryRequests })).toThrow(
      '  - canaryRequests[0]: got ["x-sticky"]: Flagger on Stub cannot express this (Stub\'s router has no header match); use weights only\n  - canaryRequests[1]: got ["x-test"]: ');
    stderr().mockClear();
    flagger(Testing.chart(), { canaryRequests: canaryRequests.slice(1), unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(warnings()).toContain('[cdk8s-mesh] warning: [test/release] canaryRequests[0] (["x-test"]) is not written: Flagger on Stub cannot express it (Stub\'s router has no header match)\n');
  });
});

describe("a fifth mesh's IngressGateway hooks take effect through its own implementation", () => {
  const ingress: IngressRenderer = {
    defaultApi: () => IngressApi.GATEWAY_API,
    noGatewayClass: { why: 'Stub ships no GatewayClass', fix: "name the Stub gateway's class, e.g. 'stub-gw'" },
    jwtProblems: jwt => (jwt.audiences?.length ? [] : [{ prop: 'jwt.audiences', value: jwt.audiences, why: 'Stub gateways check an audience', fix: "add e.g. audiences: ['shop']" }]),
    reads: [],
    unsupported: () => [],
    callerIdentity: () => undefined,
    render: () => undefined,
  };
  const renderers: MeshRenderers = { ...STUB, ingress };
  const make = (extra: any) => () => new IngressGateway(Testing.chart(), 'shop', {
    mesh: Mesh._withRenderers(MeshKind.ISTIO, renderers),
    namespace: 'test',
    host: 'shop.example.com',
    allowPlainHttp: true,
    routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }],
    ...extra,
  });

  test("noGatewayClass: the mesh's words when no class is named; none asked when one is", () => {
    expect(make({})).toThrow("[test/shop] gatewayClassName: got undefined: Stub ships no GatewayClass; name the Stub gateway's class, e.g. 'stub-gw'");
    expect(make({ gatewayClassName: 'stub-gw' })).not.toThrow();
  });

  test("jwtProblems: the mesh's own checks of the jwt values, on both sides", () => {
    const jwt = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' };
    expect(make({ gatewayClassName: 'stub-gw', jwt })).toThrow("[test/shop] jwt.audiences: got undefined: Stub gateways check an audience; add e.g. audiences: ['shop']");
    expect(make({ gatewayClassName: 'stub-gw', jwt: { ...jwt, audiences: ['shop'] } })).not.toThrow();
  });
});
