import { EgressPolicy, Mesh, UnsupportedSettings } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { captureStderr, failureOf, shopChart } from '../../util';

// the mesh-owned settings Istio's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED, CANARY_OWNED), in Istio's name
captureStderr();
const mesh = () => Mesh.istio();

describe('meshes/istio: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy, CanaryRelease', () => {
    expect(ISTIO.canary!.reads).toEqual([]);
    expect(ISTIO.multiCluster!.reads).toEqual(['istioEastWestGateway', 'istioMode']);
    expect(ISTIO.zeroTrust!.reads).toEqual([]);
    expect(ISTIO.ingress!.reads).toEqual([]);
    expect(ISTIO.egress!.reads).toEqual([]);
  });

  test('EgressPolicy: Consul\'s terminating gateway is refused by the construct, droppable', () => {
    expect(failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'gw' })))
      .toBe('[test/egress] consulTerminatingGateway: got "gw": Istio cannot express this (it names a Consul gateway); remove it, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const chart = shopChart();
    const policy = new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'gw', unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(policy.warnings).toContain('consulTerminatingGateway ("gw") is not written: Istio cannot express it (it names a Consul gateway)');
  });
});
