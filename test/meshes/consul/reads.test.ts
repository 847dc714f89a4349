import { EgressPolicy, Mesh } from '../../../src';
import { CONSUL } from '../../../src/meshes/consul';
import { captureStderr, shopChart } from '../../util';

// the mesh-owned settings Consul's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED), in Consul's name
captureStderr();
const mesh = () => Mesh.consul();

describe('meshes/consul: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy', () => {
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
});
