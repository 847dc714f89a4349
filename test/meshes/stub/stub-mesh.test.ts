import { Duration, Testing } from 'cdk8s';
import { stubMesh } from './stub-mesh';
import {
  CanaryRelease, EgressPolicy, FaultInjection, IngressGateway, Mesh, MultiClusterExport, ResilientService, ServiceRef,
  TrafficTelemetry, VersionedRouting, ZeroTrustNamespace,
} from '../../../src';

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
