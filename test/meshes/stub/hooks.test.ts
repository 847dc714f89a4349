import { Duration, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import {
  CanaryRelease, EgressPolicy, FaultInjection, IngressApi, IngressGateway, Mesh, MeshConstruct, MeshKind, MultiClusterExport, ReleaseVersion, ResilientService,
  ServiceRef, ServiceVersion, TrafficTelemetry, VersionedRouting, ZeroTrustNamespace,
} from '../../../src';
import { MeshRenderers } from '../../../src/meshes/renderer';
import type { PropProblem } from '../../../src/model/unsupported';
import { captureStderr, shopChart } from '../../util';

// A fifth mesh's `warnings` and `problems` reach the user through every pattern (MeshConstruct._askMesh),
// in the order PatternRenderer documents: no pattern asks a mesh-named question for them.
captureStderr();
const service = ServiceRef.fromName('payment', { port: 8080 });
const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });

/** The hooks every stub renderer shares: they record the order they are asked in. */
function hooks(calls: string[], refuse: boolean) {
  return {
    warnings: (_intent: unknown, context: { warn?: (m: string) => void }) => { calls.push('warnings'); context.warn?.('Stub warns about this'); },
    problems: (): PropProblem[] => { calls.push('problems'); return refuse ? [{ prop: 'mesh', value: 'Stub', why: 'Stub refuses this in its own words', fix: 'ask Stub' }] : []; },
    unsupported: () => { calls.push('unsupported'); return []; },
    render: () => { calls.push('render'); },
  };
}

/** A stub mesh that renders every pattern (the traffic renders nothing), each with the recording hooks. */
function stub(calls: string[], refuse: boolean): Mesh {
  const h = hooks(calls, refuse);
  const renderers: MeshRenderers = {
    ...STUB,
    resilience: h,
    zeroTrust: { ...h, reads: [] },
    multiCluster: { ...h, reads: [], withoutZeroTrust: undefined },
    traffic: { render: () => undefined },
    canary: { ...h, reads: [], alertQueries: () => ({ errorRatio: 'e', p99Seconds: 'p' }) },
    routing: h,
    fault: h,
    ingress: { ...h, defaultApi: () => IngressApi.GATEWAY_API, defaultGatewayClassName: 'stub', callerIdentity: () => undefined, reads: [] },
    egress: { ...h, reads: [] },
    telemetry: h,
  };
  return Mesh._withRenderers(MeshKind.ISTIO, renderers);
}

// every public pattern with props it accepts, and the order it asks the hooks in
const PATTERNS: [string, (mesh: Mesh) => MeshConstruct, string[]][] = [
  ['ResilientService', mesh => new ResilientService(shopChart(), 'x', { mesh, service, timeout: Duration.seconds(3) }), ['warnings', 'problems', 'unsupported', 'render']],
  ['CanaryRelease', mesh => new CanaryRelease(shopChart(), 'x', { mesh, service, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 20 }),
    ['warnings', 'unsupported', 'problems', 'render']],
  ['ZeroTrustNamespace', mesh => new ZeroTrustNamespace(shopChart(), 'x', { mesh, namespace: 'shop', allow: [] }), ['warnings', 'problems', 'unsupported', 'render']],
  ['MultiClusterExport', mesh => new MultiClusterExport(Testing.app(), 'x', {
    mesh,
    clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
    exports: [{ service: payment, cluster: 'a', consumers: ['b'] }],
    failover: false,
  }), ['warnings', 'problems', 'unsupported', 'render']],
  ['FaultInjection', mesh => new FaultInjection(shopChart(), 'x', { mesh, service, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true }), ['warnings', 'problems', 'unsupported', 'render']],
  ['VersionedRouting', mesh => new VersionedRouting(shopChart(), 'x', { mesh, service, versions: [ServiceVersion.of('v1')] }), ['warnings', 'problems', 'unsupported', 'render']],
  ['IngressGateway', mesh => new IngressGateway(shopChart(), 'x', { mesh, host: 'shop.example.com', allowPlainHttp: true, routes: [{ pathPrefix: '/', service }] }),
    ['warnings', 'unsupported', 'problems', 'render']],
  ['EgressPolicy', mesh => new EgressPolicy(shopChart(), 'x', { mesh, hosts: [{ host: 'api.stripe.com' }] }), ['warnings', 'problems', 'unsupported', 'render']],
  ['TrafficTelemetry', mesh => new TrafficTelemetry(shopChart(), 'x', { mesh, accessLogging: {} }), ['warnings', 'problems', 'unsupported', 'render']],
];

describe("a fifth mesh's warnings and problems take effect on every pattern", () => {
  test.each(PATTERNS)('%s: its warning is the construct\'s, and its hooks are asked in the documented order', (_pattern, make, order) => {
    const calls: string[] = [];
    const construct = make(stub(calls, false));
    expect(construct.warnings).toContain('Stub warns about this');
    expect(calls).toEqual(order);
  });

  test.each(PATTERNS)('%s: its problem refuses the props in its own words, with the construct path', (_pattern, make) => {
    const calls: string[] = [];
    expect(() => make(stub(calls, true))).toThrow('x] mesh: got "Stub": Stub refuses this in its own words; ask Stub');
    // nothing is rendered once the mesh refuses
    expect(calls).toContain('problems');
    expect(calls).not.toContain('render');
  });

  test('every public pattern is listed', () => {
    expect(PATTERNS.map(p => p[0]).sort()).toEqual(['CanaryRelease', 'EgressPolicy', 'FaultInjection', 'IngressGateway', 'MultiClusterExport', 'ResilientService', 'TrafficTelemetry', 'VersionedRouting', 'ZeroTrustNamespace']);
  });
});
