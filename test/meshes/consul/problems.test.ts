import { Testing } from 'cdk8s';
import { Identity, Mesh, MultiClusterExport, MultiClusterExportProps, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { CONSUL } from '../../../src/meshes/consul';
import { ownedRefusals } from '../../../src/model/owned';
import { MULTI_CLUSTER_OWNED, MultiClusterIntent, MultiClusterOwnedSetting } from '../../../src/patterns/multicluster/intent';
import { renderContext } from '../context';

// the checks Consul's renderers make for the constructs (MultiClusterExport and ZeroTrustNamespace used
// to make them on `mesh.kind`): called directly, then through the construct for the order of the messages
const context = renderContext(Mesh.consul());
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };

describe('meshes/consul: its own checks and traits, through the renderer object', () => {
  test('MultiClusterExport: istioEastWestGateway is refused (not droppable); a non-boolean or false is left to the construct', () => {
    // Consul does not read it (MultiClusterRenderer.reads): the construct refuses it from MULTI_CLUSTER_OWNED
    const mc = CONSUL.multiCluster!;
    expect(mc.problems).toBeUndefined();
    const refused = (intent: any) => ownedRefusals<MultiClusterExportProps, MultiClusterIntent, MultiClusterOwnedSetting>(MULTI_CLUSTER_OWNED, mc.reads, intent, 'Consul').problems;
    expect(refused({ istioEastWestGateway: true })).toEqual([
      { prop: 'istioEastWestGateway', value: true, why: 'Consul cannot express this (the east-west Gateway is Istio\'s)', fix: 'remove it' },
    ]);
    expect(refused({ istioEastWestGateway: false })).toEqual([]);
    expect(refused({ istioEastWestGateway: 'yes' })).toEqual([]);
  });

  test('MultiClusterExport: only Linkerd\'s remote discovery can be dropped (Consul reads its sameness group); no namespace warning', () => {
    expect(CONSUL.multiCluster!.reads).toEqual(['consulSamenessGroup']);
    expect(CONSUL.multiCluster!.withoutZeroTrust).toBeUndefined();
  });

  test('ZeroTrustNamespace: consulJwksCaFile is checked as a path in the proxy image', () => {
    const zt = CONSUL.zeroTrust!;
    const intent = (ca: unknown) => ({ jwt: { ...JWT, consulJwksCaFile: ca } }) as any;
    expect(zt.problems!(intent('/etc/pki/ca.pem'), context)).toEqual([]);
    expect(zt.problems!(intent(undefined), context)).toEqual([]);
    expect(zt.problems!({ jwt: undefined } as any, context)).toEqual([]);
    for (const bad of ['certs/ca.pem', '/etc/pki/', '/a b', 42]) {
      expect(zt.problems!(intent(bad), context)).toEqual([{
        prop: 'jwt.consulJwksCaFile', value: bad, why: 'the CA bundle is an absolute file path in the proxy container', fix: "use an absolute path in the proxy's image, e.g. '/etc/ssl/certs/ca-certificates.crt'",
      }]);
    }
  });

  test('IngressGateway: the same check of consulJwksCaFile, with the JWT checks', () => {
    const ingress = CONSUL.ingress!;
    expect(ingress.jwtProblems!({ ...JWT, consulJwksCaFile: '/etc/pki/ca.pem' }, context)).toEqual([]);
    expect(ingress.jwtProblems!({ ...JWT, consulJwksCaFile: 'ca.pem' }, context).map(p => `${p.prop} ${p.why}`))
      .toEqual(['jwt.consulJwksCaFile the CA bundle is an absolute file path in the proxy container']);
  });

  test('through ZeroTrustNamespace: the CA problem comes after the construct\'s JWT checks, with the rules\' problems', () => {
    expect(() => new ZeroTrustNamespace(Testing.chart(), 'zt', {
      mesh: Mesh.consul(),
      namespace: 'shop',
      jwt: { ...JWT, issuer: '', consulJwksCaFile: 'ca.pem' },
      allow: [{ callers: [], to: ServiceRef.fromName('payment', { port: 8080 }) }],
    })).toThrow(/4 problems:\n {2}- allow\[0\]\.callers: [^\n]*\n {2}- jwt\.issuer: [^\n]*\n {2}- jwt\.providerName: [^\n]*\n {2}- jwt\.consulJwksCaFile: got "ca\.pem": the CA bundle[^\n]*$/);
  });

  test('through MultiClusterExport: the east-west refusal keeps its place before the sameness group check', () => {
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
    expect(() => new MultiClusterExport(Testing.app(), 'shop', {
      mesh: Mesh.consul(),
      clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
      exports: [{ service: payment, cluster: 'a', consumers: ['b'], callers: [Identity.serviceAccount('order')] }],
      istioEastWestGateway: true,
      consulSamenessGroup: 'Not_A_Label',
    })).toThrow(/3 problems:\n {2}- istioEastWestGateway: got true: Consul cannot express this[^\n]*\n {2}- consulSamenessGroup: got "Not_A_Label": a sameness group name is a DNS-1123 label[^\n]*\n {2}- consulSamenessGroup: got "Not_A_Label": Consul cannot express this \(sameness groups are a Consul Enterprise feature\)/);
  });

  test('ServiceTraffic: Consul has no join or precedence check (its router matches in order)', () => {
    expect(CONSUL.traffic!.joinProblem).toBeUndefined();
    expect(CONSUL.traffic!.precedenceProblem).toBeUndefined();
  });
});
