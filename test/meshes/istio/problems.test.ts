import { IngressGatewayProps, IstioDataPlane, Mesh, ZeroTrustNamespaceProps } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { ZeroTrustRenderer } from '../../../src/meshes/renderer';
import { ownedRefusals } from '../../../src/model/owned';
import { INGRESS_OWNED, IngressIntent, IngressOwnedSetting } from '../../../src/patterns/ingress/intent';
import { ZERO_TRUST_OWNED, ZeroTrustIntent, ZeroTrustOwnedSetting } from '../../../src/patterns/zero-trust/intent';
import { renderContext } from '../context';

// the checks Istio's renderers make for the constructs (MultiClusterExport and ZeroTrustNamespace used
// to make them on `mesh.kind`), called directly
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };

describe('meshes/istio: its own checks and traits, through the renderer object', () => {
  test('MultiClusterExport: the east-west Gateway is Istio\'s (no check); the other meshes\' settings can be dropped', () => {
    expect(ISTIO.multiCluster!.problems).toBeUndefined();
    // it reads the east-west Gateway; the other meshes' settings, unread, the construct refuses (droppable)
    expect(ISTIO.multiCluster!.reads).toEqual(['istioEastWestGateway', 'istioMode']);
    // ambient refuses the pattern as a whole with a `mesh` entry, which is not droppable
    const ambient = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
    expect(ISTIO_AMBIENT.multiCluster!.unsupported({} as any, renderContext(ambient)).map(u => [u.setting, u.value, u.keep]))
      .toEqual([['mesh', 'ambient', 'leaving it out would break calls between the clusters']]);
    expect(ISTIO.multiCluster!.unsupported({} as any, renderContext(Mesh.istio())).map(u => u.setting)).not.toContain('mesh');
  });

  test('MultiClusterExport: an exporter\'s namespace without a ZeroTrustNamespace has neither default deny nor STRICT mTLS', () => {
    expect(ISTIO.multiCluster!.withoutZeroTrust).toBe('no default deny and no STRICT mTLS');
  });

  test('ZeroTrustNamespace: consulJwksCaFile is refused, in the mesh\'s own name', () => {
    // Istio does not read it (reads): the construct refuses it from ZERO_TRUST_OWNED, in the mesh's name
    const intent = (ca: unknown) => ({ jwt: { ...JWT, consulJwksCaFile: ca } }) as any;
    expect(ISTIO.zeroTrust!.problems).toBeUndefined();
    const refused = (renderer: ZeroTrustRenderer, i: ZeroTrustIntent, meshName: string) =>
      ownedRefusals<ZeroTrustNamespaceProps, ZeroTrustIntent, ZeroTrustOwnedSetting>(ZERO_TRUST_OWNED, renderer.reads, i, meshName).problems;
    expect(refused(ISTIO.zeroTrust!, intent('/etc/pki/ca.pem'), 'Istio')).toEqual([
      { prop: 'jwt.consulJwksCaFile', value: '/etc/pki/ca.pem', why: 'Istio cannot express this (it sets Consul\'s JWTProvider)', fix: 'remove it' },
    ]);
    // any value, checked or not: the path's check is Consul's
    expect(refused(ISTIO_AMBIENT.zeroTrust!, intent('ca.pem'), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }).displayName).map(p => p.why))
      .toEqual(['Istio ambient cannot express this (it sets Consul\'s JWTProvider)']);
    expect(refused(ISTIO.zeroTrust!, intent(undefined), 'Istio')).toEqual([]);
    expect(refused(ISTIO.zeroTrust!, { jwt: undefined } as any, 'Istio')).toEqual([]);
  });

  test('IngressGateway: consulJwksCaFile is not checked (the construct refuses it from INGRESS_OWNED, droppable)', () => {
    expect(ISTIO.ingress!.jwtProblems).toBeUndefined();
    const intent = { api: 'istio', jwt: { ...JWT, consulJwksCaFile: 'ca.pem' } } as any;
    expect(ISTIO.ingress!.unsupported(intent, renderContext(Mesh.istio()))).toEqual([]);
    expect(ownedRefusals<IngressGatewayProps, IngressIntent, IngressOwnedSetting>(INGRESS_OWNED, ISTIO.ingress!.reads, intent, 'Istio').unsupported.map(u => [u.setting, u.keep]))
      .toEqual([['jwt.consulJwksCaFile', undefined]]);
  });
});
