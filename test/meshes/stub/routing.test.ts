import { ApiObject, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import { HeaderMatch, Mesh, MeshKind, PathMatch, ServiceRef, ServiceVersion, UnsupportedSettings, VersionedRouting, VersionedRoutingProps } from '../../../src';
import { MeshRenderers, RoutingRenderer, TrafficRenderer } from '../../../src/meshes/renderer';
import { captureStderr } from '../../util';

const stderr = captureStderr();

const service = ServiceRef.fromName('payment', { port: 8080 });
const deployment = (chart: any, name: string) => new ApiObject(chart, name, {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'payment' } }, template: { metadata: { labels: { app: 'payment' } } } },
});

describe('a fifth mesh renders VersionedRouting through its own renderer (the seam, no mesh-kind branch)', () => {
  const calls: string[] = [];
  const routing: RoutingRenderer = {
    // the Stub mesh takes the longest path prefix, whatever the order
    precedence: {
      routesBy: 'routes by longest path',
      outranks: (later, earlier) => ((later.path?.value.length ?? 0) > (earlier.path?.value.length ?? 0) ? 'longest path first' : undefined),
    },
    serviceVersionUnsupported: (given, v) => [{ ...given, why: 'Stub versions are pods of the one service', alternative: `use ServiceVersion.of('${v}')` }],
    versionLabelKeyProblems: (prop, key) => key === 'track' ? [{ prop, value: key, why: 'Stub versions are labelled version', fix: "use labelKey 'version'" }] : [],
    routeSplitUnsupported: (given, to) => to.length > 1 ? [{ ...given, why: 'a Stub route sends to one version', alternative: 'use version' }] : [],
    warnings: (intent, context) => { calls.push(`warnings ${intent.routing.versions.map(v => v.name).join(' ')}`); context.warn?.('Stub routing is a test'); },
    unsupported: intent => {
      calls.push(`unsupported ${intent.routing.mirror?.percent}`);
      return intent.routing.mirror ? [{ setting: 'mirror', value: intent.routing.mirror.percent, why: 'Stub has no mirror', alternative: 'use a route' }] : [];
    },
    prepareVersion: (d, v) => {
      calls.push(`prepare ${v.name} ${d ? 'deployment' : 'labels'}`);
      d?.addAnnotation('stub.example.com/version', v.versionValue);
    },
    render: (scope, intent) => {
      calls.push(`render ${intent.routing.mirror?.percent}`);
      new ApiObject(scope, 'Versions', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${intent.service.name}-versions`, namespace: intent.namespace },
        data: Object.fromEntries(intent.routing.split.map(w => [w.version.name, String(w.weight)])),
      });
    },
  };
  const traffic: TrafficRenderer = {
    render: (_scope, model) => { calls.push(`traffic ${model().routing?.rules.map(r => r.name).join(' ')}`); },
  };
  const renderers: MeshRenderers = { ...STUB, routing, traffic };
  const mesh = () => Mesh._withRenderers(MeshKind.ISTIO, renderers);
  const make = (chart: any, extra: Partial<VersionedRoutingProps> = {}) => new VersionedRouting(chart, 'routing', {
    mesh: mesh(),
    service,
    versions: [ServiceVersion.fromDeployment(deployment(chart, 'payment-v1'), 'v1'), ServiceVersion.of('v2')],
    routes: [{ name: 'tester', match: { headers: [HeaderMatch.exact('x-tester', 'yes')] }, version: 'v2' }],
    defaultSplit: [{ version: 'v1', weight: 90 }, { version: 'v2', weight: 10 }],
    ...extra,
  });

  beforeEach(() => { calls.length = 0; });

  test('the construct checks the props, builds the intent and calls the renderer: warnings, unsupported, the versions\' marks, render', () => {
    const chart = Testing.chart();
    make(chart);
    expect(stderr().mock.calls.map(c => String(c[0]))).toEqual(['[cdk8s-mesh] warning: [test/routing] Stub routing is a test\n']);
    expect(calls).toEqual(['warnings v1 v2', 'unsupported undefined', 'traffic tester', 'prepare v1 deployment', 'prepare v2 labels', 'render undefined']);
    const out = Testing.synth(chart);
    expect(out.filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payment-versions' }, data: { v1: '90', v2: '10' } },
    ]);
    // the construct labels the version's pods (the intent's labels select them); the mesh adds its own mark
    expect(out.find(o => o.metadata.name === 'payment-v1').spec.template.metadata).toEqual({
      labels: { app: 'payment', version: 'v1' }, annotations: { 'stub.example.com/version': 'v1' },
    });
    // no backend Services: those are Gateway API's (Linkerd, Istio ambient), not every mesh's
    expect(out.filter(o => o.kind === 'Service')).toEqual([]);
  });

  test("what the renderer lists as unsupported is refused, or dropped with a warning, in the construct's words", () => {
    expect(() => make(Testing.chart(), { mirror: { version: 'v2', percent: 5 } })).toThrow(
      '[test/routing] mirror: got 5: Stub cannot express this (Stub has no mirror); use a route, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    calls.length = 0;
    make(Testing.chart(), { mirror: { version: 'v2', percent: 5 }, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(calls).toEqual(['warnings v1 v2', 'unsupported 5', 'traffic tester', 'prepare v1 deployment', 'prepare v2 labels', 'render undefined']);
  });

  test("the renderer's checks reach the user through the construct, in the order of the props", () => {
    expect(() => make(Testing.chart(), {
      versions: [ServiceVersion.of('v1', { labelKey: 'track' }), ServiceVersion.fromService(ServiceRef.fromName('payment-v2', { port: 8080 }), 'v2')],
    })).toThrow('[test/routing] 2 problems:\n'
      + '  - versions[0].labelKey: got "track": Stub versions are labelled version; use labelKey \'version\'\n'
      + '  - versions[1]: got "ServiceVersion.fromService(payment-v2, \'v2\')": Stub cannot express this (Stub versions are pods of the one service); use ServiceVersion.of(\'v2\')');
    expect(() => make(Testing.chart(), { routes: [{ match: { headers: [HeaderMatch.exact('x-tester', 'yes')] }, split: [{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }] }] })).toThrow(
      '[test/routing] routes[0].split: got "v1: 50, v2: 50": Stub cannot express this (a Stub route sends to one version); use version');
  });

  test("the renderer's precedence decides which overlapping routes are refused (Istio sidecars take the first match and refuse neither order)", () => {
    const routes = [
      { name: 'tester', match: { headers: [HeaderMatch.exact('x-tester', 'yes')] }, version: 'v2' },
      { name: 'api', match: { path: PathMatch.prefix('/api') }, version: 'v1' },
    ];
    expect(() => make(Testing.chart(), { routes })).toThrow(
      '[test/routing] routes[1].match: got "path prefix \\"/api\\"": Stub routes by longest path (longest path first): a request that matches both this route and routes[0] (header x-tester exact "yes") would go to this route\'s versions; '
      + 'make routes[0] at least as specific (add this route\'s path, method or conditions to it), or add a route for the requests that match both ahead of both');
    expect(() => make(Testing.chart(), { routes: [routes[1], routes[0]] })).not.toThrow();
    for (const order of [routes, [routes[1], routes[0]]]) {
      expect(() => new VersionedRouting(Testing.chart(), 'routing', { mesh: Mesh.istio(), service, versions: [ServiceVersion.of('v1'), ServiceVersion.of('v2')], routes: order })).not.toThrow();
    }
  });
});
