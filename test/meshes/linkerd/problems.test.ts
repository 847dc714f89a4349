import { Mesh } from '../../../src';
import { LINKERD } from '../../../src/meshes/linkerd';

// the checks Linkerd's renderers make for the constructs (MultiClusterExport and ZeroTrustNamespace used
// to make them on `mesh.kind`), called directly
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };
const context = { mesh: Mesh.linkerd() };

describe('meshes/linkerd: its own checks and traits, through the renderer object', () => {
  test('MultiClusterExport: istioEastWestGateway is refused (not droppable) when true', () => {
    const mc = LINKERD.multiCluster!;
    expect(mc.problems!({ istioEastWestGateway: true } as any, context)).toEqual([
      { prop: 'istioEastWestGateway', value: true, why: 'Linkerd cannot express this (the east-west Gateway is Istio\'s)', fix: 'remove it' },
    ]);
    expect(mc.problems!({ istioEastWestGateway: false } as any, context)).toEqual([]);
  });

  test('MultiClusterExport: only Consul\'s sameness group can be dropped; without a ZeroTrustNamespace there is no default deny (mTLS is on)', () => {
    expect(LINKERD.multiCluster!.droppable).toEqual(['consulSamenessGroup']);
    expect(LINKERD.multiCluster!.withoutZeroTrust).toBe('no default deny');
  });

  test('ZeroTrustNamespace: consulJwksCaFile is refused, whatever its value', () => {
    expect(LINKERD.zeroTrust!.problems!({ jwt: { ...JWT, consulJwksCaFile: 'ca.pem' } } as any, context)).toEqual([
      { prop: 'jwt.consulJwksCaFile', value: 'ca.pem', why: 'Linkerd cannot express this (it sets Consul\'s JWTProvider)', fix: 'remove it' },
    ]);
    expect(LINKERD.zeroTrust!.problems!({ jwt: JWT } as any, context)).toEqual([]);
  });

  test('IngressGateway: no JWT check of its own', () => {
    expect(LINKERD.ingress!.jwtProblems).toBeUndefined();
  });
});
