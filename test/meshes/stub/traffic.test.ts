import { ApiObject, Chart, Duration, Lazy, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import {
  CanaryRelease, FaultInjection, HeaderMatch, Identity, Mesh, MeshKind, MultiClusterExport, ReleaseVersion, ResilientService, ServiceRef, ServiceVersion,
  UnsupportedSettings, VersionedRouting,
} from '../../../src';
import { CanaryRenderer, MeshRenderers, MultiClusterRenderer, PatternRenderer, TrafficRenderer } from '../../../src/meshes/renderer';
import { captureStderr } from '../../util';

// The per-service routing objects (ServiceTraffic) through a fifth mesh's TrafficRenderer: its refusal in the
// user's pattern's name, the render contract (called on each join), its hooks and the joining pattern's warnings.
const stderr = captureStderr();
const service = ServiceRef.fromName('payment', { port: 8080 });
const quiet: PatternRenderer<any> = { unsupported: () => [], render: () => undefined };
const mesh = (renderers: Partial<MeshRenderers>) => Mesh._withRenderers(MeshKind.ISTIO, { ...STUB, ...renderers });
const fault = (chart: any, m: Mesh) => new FaultInjection(chart, 'fault', { mesh: m, service, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true });
const resilient = (chart: any, m: Mesh, extra: any = {}) => new ResilientService(chart, 'resilience', { mesh: m, service, timeout: Duration.seconds(3), ...extra });

describe('a mesh that renders a pattern but not the routing objects it contributes to', () => {
  const m = () => mesh({ resilience: quiet, fault: quiet, canary: undefined, routing: undefined });

  test('refuses the user\'s construct and pattern, not the internal ServiceTraffic', () => {
    const refusal = (pattern: string) => `mesh: got "Stub": Stub cannot express ${pattern}; use ${pattern} with a mesh that can express it, or leave it out for Stub`;
    expect(() => resilient(Testing.chart(), m())).toThrow(`[test/resilience] ${refusal('ResilientService')}`);
    expect(() => fault(Testing.chart(), m())).toThrow(`[test/fault] ${refusal('FaultInjection')}`);
  });

  test('with a traffic renderer, the same patterns are accepted', () => {
    const traffic: TrafficRenderer = { render: () => undefined };
    expect(() => resilient(Testing.chart(), mesh({ resilience: quiet, traffic }))).not.toThrow();
  });
});

describe('TrafficRenderer.render is called on each join: a renderer writes what is missing, lazily', () => {
  const joins: string[] = [];
  const traffic: TrafficRenderer = {
    render: (scope, model, context) => {
      const now = model();
      joins.push([now.resilience ? 'resilience' : '', now.faults ? 'fault' : ''].filter(Boolean).join('+'));
      context.warn?.(`Stub routes ${now.serviceName} as ${joins[joins.length - 1]}`);
      if (!scope.node.tryFindChild('Routes')) {
        scope.adopt(new ApiObject(scope, 'Routes', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: now.serviceName },
          data: Lazy.any({ produce: () => ({ timeoutMs: String(model().resilience?.rules[0]?.timeoutMs), faults: String(model().faults?.length ?? 0) }) }),
        }));
      }
      if (now.faults && !scope.node.tryFindChild('Faults')) {
        scope.adopt(new ApiObject(scope, 'Faults', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${now.serviceName}-faults` } }));
      }
    },
  };
  const m = mesh({ resilience: quiet, fault: quiet, traffic });

  test('one object per id across joins, its spec holding every contribution; an object needed later is added then', () => {
    joins.length = 0;
    const chart = Testing.chart();
    resilient(chart, m);
    fault(chart, m);
    expect(joins).toEqual(['resilience', 'resilience+fault']);
    expect(Testing.synth(chart).filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payment' }, data: { timeoutMs: '3000', faults: '1' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payment-faults' } },
    ]);
  });

  test('context.warn is the joining pattern\'s: its warnings, under its path', () => {
    stderr().mockClear();
    const chart = Testing.chart();
    const r = resilient(chart, m);
    const f = fault(chart, m);
    expect(r.warnings).toContain('Stub routes payment as resilience');
    expect(f.warnings).toContain('Stub routes payment as resilience+fault');
    expect(stderr().mock.calls.map(c => String(c[0]))).toContain('[cdk8s-mesh] warning: [test/fault] Stub routes payment as resilience+fault\n');
  });
});

describe('the stub\'s own precedenceProblem and droppedOn', () => {
  const deployment = (chart: any) => new ApiObject(chart, 'payment-v1', {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'payment-v1' }, spec: { selector: { matchLabels: { app: 'payment' } }, template: { metadata: { labels: { app: 'payment' } } } },
  });

  test('precedenceProblem: refused in its words once the matches are combined, naming the pattern that joins', () => {
    const traffic: TrafficRenderer = {
      precedenceProblem: (t, model) => (model.routing && (model.resilience?.rules.length ?? 0) > 1 ? `[${t.routingBy}] and [${t.resilienceBy}]: Stub ranks routes by name` : undefined),
      render: () => undefined,
    };
    const routing = { ...quiet, render: () => undefined };
    const m = mesh({ resilience: quiet, routing, traffic });
    const chart = Testing.chart();
    new VersionedRouting(chart, 'routing', {
      mesh: m, service, versions: [ServiceVersion.fromDeployment(deployment(chart), 'v1'), ServiceVersion.of('v2')], routes: [{ name: 'tester', match: { headers: [HeaderMatch.exact('x-tester', 'yes')] }, version: 'v2' }],
    });
    expect(() => resilient(chart, m, { routes: [{ name: 'slow', match: { headers: [HeaderMatch.exact('x-slow', 'yes')] }, timeout: Duration.seconds(9) }] })).toThrow(
      '[test/resilience] service: got payment: [test/routing] and [test/resilience]: Stub ranks routes by name');
    // one rule: nothing to rank
    expect(() => resilient(Testing.chart(), m)).not.toThrow();
  });

  test('droppedOn: a dropped setting is noted only on the objects the renderer says it belongs to', () => {
    const resilience: PatternRenderer<any> = {
      unsupported: () => [{ setting: 'timeout', value: '3s', why: 'Stub has no timeouts', alternative: 'remove it' }],
      render: () => undefined,
    };
    const traffic: TrafficRenderer = {
      droppedOn: (obj, setting) => setting === 'timeout' && obj.name === 'payment-routes',
      render: scope => {
        for (const name of ['payment-routes', 'payment-policy']) {
          if (!scope.node.tryFindChild(name)) scope.adopt(new ApiObject(scope, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }));
        }
      },
    };
    const chart = Testing.chart();
    resilient(chart, mesh({ resilience, traffic }), { unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    const annotations = Object.fromEntries(Testing.synth(chart).map(o => [o.metadata.name, o.metadata.annotations?.['cdk8s-mesh.io/dropped-settings']]));
    expect(annotations).toEqual({ 'payment-routes': 'timeout=3s', 'payment-policy': undefined });
  });
});

describe('joinProblem is checked on every join, a MultiClusterExport\'s failover too', () => {
  const traffic: TrafficRenderer = {
    joinProblem: (t, model) => (model.failover && t.faultBy ? `[${t.faultBy}] injects faults, and Stub cannot fail a faulty service over` : undefined),
    render: () => undefined,
  };
  const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  let failoverIn: Chart | undefined;
  const multiCluster: MultiClusterRenderer = {
    ...quiet,
    reads: [],
    withoutZeroTrust: undefined,
    // the stub fails `payment` over in the chart the test names (where a FaultInjection already is)
    render: (by, intent) => intent.addFailover(failoverIn ?? intent.clusters[0].chart, payment, { localRegion: 'r1', remotes: [{ region: 'r2', peer: 'b' }] }, by),
  };
  const m = mesh({ fault: quiet, multiCluster, traffic });
  const exportPayment = (app: any) => new MultiClusterExport(app, 'shop', {
    mesh: m,
    clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
    exports: [{ service: payment, cluster: 'a', consumers: ['b'], callers: [Identity.serviceAccount('order')] }],
    failover: true,
  });

  test('failover joining a service with faults is refused, naming the export; without faults it is accepted', () => {
    const app = Testing.app();
    failoverIn = new Chart(app, 'faults');
    new FaultInjection(failoverIn, 'fault', { mesh: m, service: payment, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true });
    expect(() => exportPayment(app)).toThrow('[shop] service: got payment: [faults/fault] injects faults, and Stub cannot fail a faulty service over');
    failoverIn = undefined;
    expect(() => exportPayment(Testing.app())).not.toThrow();
  });
});

test('CanaryRelease, like the others, is refused in its own name without a traffic renderer', () => {
  const canary: CanaryRenderer = { ...quiet, reads: [], alertQueries: () => ({ errorRatio: 'x', p99Seconds: 'y' }) };
  expect(() => new CanaryRelease(Testing.chart(), 'release', { mesh: mesh({ canary }), service, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 20 }))
    .toThrow('[test/release] mesh: got "Stub": Stub cannot express CanaryRelease');
});
