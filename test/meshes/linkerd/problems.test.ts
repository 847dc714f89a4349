import { HttpMethod, MatchType, Mesh, MultiClusterExportProps, ZeroTrustNamespaceProps } from '../../../src';
import { LINKERD } from '../../../src/meshes/linkerd';
import { ownedRefusals } from '../../../src/model/owned';
import { MULTI_CLUSTER_OWNED, MultiClusterIntent, MultiClusterOwnedSetting } from '../../../src/patterns/multicluster/intent';
import { ZERO_TRUST_OWNED, ZeroTrustIntent, ZeroTrustOwnedSetting } from '../../../src/patterns/zero-trust/intent';
import { renderContext } from '../context';

// the checks Linkerd's renderers make for the constructs (MultiClusterExport and ZeroTrustNamespace used
// to make them on `mesh.kind`), called directly
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };
const context = renderContext(Mesh.linkerd());

describe('meshes/linkerd: its own checks and traits, through the renderer object', () => {
  test('MultiClusterExport: istioEastWestGateway is refused (not droppable) when true', () => {
    // Linkerd does not read it (MultiClusterRenderer.reads): the construct refuses it from MULTI_CLUSTER_OWNED
    const mc = LINKERD.multiCluster!;
    expect(mc.problems).toBeUndefined();
    const refused = (intent: any) => ownedRefusals<MultiClusterExportProps, MultiClusterIntent, MultiClusterOwnedSetting>(MULTI_CLUSTER_OWNED, mc.reads, intent, 'Linkerd').problems;
    expect(refused({ istioEastWestGateway: true })).toEqual([
      { prop: 'istioEastWestGateway', value: true, why: 'Linkerd cannot express this (the east-west Gateway is Istio\'s)', fix: 'remove it' },
    ]);
    expect(refused({ istioEastWestGateway: false })).toEqual([]);
  });

  test('MultiClusterExport: only Consul\'s sameness group can be dropped; without a ZeroTrustNamespace there is no default deny (mTLS is on)', () => {
    expect(LINKERD.multiCluster!.reads).toEqual(['linkerdRemoteDiscovery']);
    expect(LINKERD.multiCluster!.withoutZeroTrust).toBe('no default deny');
  });

  test('ZeroTrustNamespace: consulJwksCaFile is refused, whatever its value', () => {
    // Linkerd does not read it (reads): the construct refuses it from ZERO_TRUST_OWNED
    expect(LINKERD.zeroTrust!.problems).toBeUndefined();
    const refused = (intent: any) => ownedRefusals<ZeroTrustNamespaceProps, ZeroTrustIntent, ZeroTrustOwnedSetting>(ZERO_TRUST_OWNED, LINKERD.zeroTrust!.reads, intent, 'Linkerd').problems;
    expect(refused({ jwt: { ...JWT, consulJwksCaFile: 'ca.pem' } })).toEqual([
      { prop: 'jwt.consulJwksCaFile', value: 'ca.pem', why: 'Linkerd cannot express this (it sets Consul\'s JWTProvider)', fix: 'remove it' },
    ]);
    expect(refused({ jwt: JWT })).toEqual([]);
  });

  test('IngressGateway: no JWT check of its own', () => {
    expect(LINKERD.ingress!.jwtProblems).toBeUndefined();
  });

  test('ServiceTraffic: the crossed-precedence check ranks as the proxy does (headers above a method)', () => {
    const TEST = { headers: [{ name: 'x-test', type: MatchType.EXACT, value: 'true' }] };
    const target = { mesh: Mesh.linkerd(), canaryBy: 'test/release', resilienceBy: 'test/resilience' } as any;
    const model = (timeouts: [number, number]) => ({
      resilience: {
        rules: [
          { name: 'testers', source: 'routes[0]', retrySource: 'routes[0]', match: TEST, timeoutMs: timeouts[0] },
          { name: 'reads', source: 'routes[1]', retrySource: 'routes[1]', match: { headers: [], methods: [HttpMethod.GET] }, timeoutMs: timeouts[1] },
        ],
      },
      routing: { versions: [], rules: [{ name: 'canary', source: 'canaryRequests[0]', match: TEST, to: [] }], split: [] },
    }) as any;
    expect(LINKERD.traffic!.precedenceProblem!(target, model([1000, 5000]), context))
      .toContain('Linkerd sends a request to the most specific HTTPRoute match (the proxy ranks longest path, most headers, most query parameters, then a method)');
    expect(LINKERD.traffic!.precedenceProblem!(target, model([1000, 1000]), context)).toBeUndefined();
  });

  test('ServiceTraffic: the join check refuses an SMI TrafficSplit beside the routes of a ResilientService, and nothing else', () => {
    const join = (by: { canaryBy?: string; resilienceBy?: string }, smi: boolean) => LINKERD.traffic!.joinProblem!({ mesh: Mesh.linkerd(), ...by } as any, {
      ...(by.canaryBy ? { canary: { smi } } : {}), ...(by.resilienceBy ? { resilience: { rules: [] } } : {}),
    } as any, context);
    expect(join({ canaryBy: 'test/release', resilienceBy: 'test/resilience' }, true)).toBe(
      "[test/release] splits it with linkerd-smi's TrafficSplit (smiTrafficSplit: true) and [test/resilience] configures routes for it, and the TrafficSplit does not combine with HTTPRoutes on the same service; "
      + 'use Gateway API routes (remove smiTrafficSplit from [test/release])');
    expect(join({ canaryBy: 'test/release', resilienceBy: 'test/resilience' }, false)).toBeUndefined();
    expect(join({ canaryBy: 'test/release' }, true)).toBeUndefined();
    expect(join({ resilienceBy: 'test/resilience' }, false)).toBeUndefined();
  });
});
