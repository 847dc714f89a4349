import { EgressPolicy, Mesh } from '../../../src';
import { CONSUL } from '../../../src/meshes/consul';
import { ACCESS_RULES_KEEP } from '../../../src/patterns/zero-trust/intent';
import { captureStderr, shopChart } from '../../util';
import { renderContext } from '../context';

// the mesh-owned settings Consul's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED, CANARY_OWNED), in Consul's name
captureStderr();
const mesh = () => Mesh.consul();

describe('meshes/consul: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy, CanaryRelease', () => {
    expect(CONSUL.canary!.reads).toEqual([]);
    expect(CONSUL.multiCluster!.reads).toEqual(['consulSamenessGroup']);
    expect(CONSUL.zeroTrust!.reads).toEqual(['jwt.consulJwksCaFile']);
    expect(CONSUL.ingress!.reads).toEqual(['jwt.consulJwksCaFile']);
    expect(CONSUL.egress!.reads).toEqual(['consulTerminatingGateway']);
  });

  test('EgressPolicy: its terminating gateway is read (written), not refused', () => {
    const chart = shopChart();
    new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'edge-gateway' });
    expect(chart.toJson().filter((o: any) => o.kind === 'TerminatingGateway').map((o: any) => o.metadata.name)).toEqual(['edge-gateway']);
  });
  test('ZeroTrustNamespace: its access refusals are kept, jwt.forwardOriginalToken (only Istio reads it) can be dropped', () => {
    const intent = { deny: [], allow: [], exceptions: [{ service: { name: 'payment' }, port: 8080 }], jwt: { issuer: 'i', forwardOriginalToken: true } } as any;
    expect(CONSUL.zeroTrust!.unsupported(intent, renderContext(mesh())).map(u => [u.setting, u.keep])).toEqual([
      ['mtlsExceptions[0]', ACCESS_RULES_KEEP], ['jwt.forwardOriginalToken', undefined],
    ]);
  });
});
