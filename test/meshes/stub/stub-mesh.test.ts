import { ApiObject, Duration, Testing } from 'cdk8s';
import { STUB, stubMesh } from './stub-mesh';
import {
  CanaryRelease, EgressPolicy, FaultInjection, Identity, IngressApi, IngressGateway, Mesh, MeshKind, MultiClusterExport, PathMatch, ResilientService,
  ServiceRef,
  TrafficTelemetry, VersionedRouting, ZeroTrustNamespace,
} from '../../../src';
import { IngressRenderer, MeshRenderers } from '../../../src/meshes/renderer';

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
    readsConsulJwksCaFile: false,
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
