import { IstioDataPlane, Mesh } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';

// the checks Istio's renderers make for the constructs (MultiClusterExport and ZeroTrustNamespace used
// to make them on `mesh.kind`), called directly
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };

describe('meshes/istio: its own checks and traits, through the renderer object', () => {
  test('MultiClusterExport: the east-west Gateway is Istio\'s (no check); the other meshes\' settings can be dropped', () => {
    expect(ISTIO.multiCluster!.problems).toBeUndefined();
    expect(ISTIO.multiCluster!.droppable).toEqual(['consulSamenessGroup', 'linkerdRemoteDiscovery']);
    // ambient refuses the pattern as a whole, with a `mesh` entry of its unsupported list
    const ambient = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
    expect(ISTIO_AMBIENT.multiCluster!.unsupported({} as any, { mesh: ambient }).map(u => [u.setting, u.value])).toEqual([['mesh', 'ambient']]);
    expect(ISTIO.multiCluster!.unsupported({} as any, { mesh: Mesh.istio() }).map(u => u.setting)).not.toContain('mesh');
  });

  test('MultiClusterExport: an exporter\'s namespace without a ZeroTrustNamespace has neither default deny nor STRICT mTLS', () => {
    expect(ISTIO.multiCluster!.withoutZeroTrust).toBe('no default deny and no STRICT mTLS');
  });

  test('ZeroTrustNamespace: consulJwksCaFile is refused, in the mesh\'s own name', () => {
    const intent = (ca: unknown) => ({ jwt: { ...JWT, consulJwksCaFile: ca } }) as any;
    expect(ISTIO.zeroTrust!.problems!(intent('/etc/pki/ca.pem'), { mesh: Mesh.istio() })).toEqual([
      { prop: 'jwt.consulJwksCaFile', value: '/etc/pki/ca.pem', why: 'Istio cannot express this (it sets Consul\'s JWTProvider)', fix: 'remove it' },
    ]);
    // any value, checked or not: the path's check is Consul's
    expect(ISTIO_AMBIENT.zeroTrust!.problems!(intent('ca.pem'), { mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }) }).map(p => p.why))
      .toEqual(['Istio ambient cannot express this (it sets Consul\'s JWTProvider)']);
    expect(ISTIO.zeroTrust!.problems!(intent(undefined), { mesh: Mesh.istio() })).toEqual([]);
    expect(ISTIO.zeroTrust!.problems!({ jwt: undefined } as any, { mesh: Mesh.istio() })).toEqual([]);
  });

  test('IngressGateway: consulJwksCaFile is not checked (unsupported lists it, droppable)', () => {
    expect(ISTIO.ingress!.jwtProblems).toBeUndefined();
    expect(ISTIO.ingress!.unsupported({ api: 'istio', jwt: { ...JWT, consulJwksCaFile: 'ca.pem' } } as any, { mesh: Mesh.istio() }).map(u => [u.setting, u.keep]))
      .toEqual([['jwt.consulJwksCaFile', undefined]]);
  });
});
