import { EgressPolicy, IstioDataPlane, Mesh, UnsupportedSettings } from '../../../src';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { ACCESS_RULES_KEEP } from '../../../src/patterns/zero-trust/intent';
import { captureStderr, failureOf, shopChart } from '../../util';
import { renderContext } from '../context';

// the mesh-owned settings Istio ambient's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED), in Istio ambient's name
captureStderr();
const mesh = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('meshes/istio-ambient: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy', () => {
    expect(ISTIO_AMBIENT.multiCluster!.reads).toEqual(['istioEastWestGateway', 'istioMode']);
    expect(ISTIO_AMBIENT.zeroTrust!.reads).toEqual([]);
    expect(ISTIO_AMBIENT.ingress!.reads).toEqual([]);
    expect(ISTIO_AMBIENT.egress!.reads).toEqual([]);
  });

  test('EgressPolicy: Consul\'s terminating gateway is refused by the construct, droppable', () => {
    expect(failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], registryOnly: false, consulTerminatingGateway: 'gw' })))
      .toBe('[test/egress] consulTerminatingGateway: got "gw": Istio ambient cannot express this (it names a Consul gateway); remove it, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const chart = shopChart();
    const policy = new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], registryOnly: false, consulTerminatingGateway: 'gw', unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(policy.warnings).toContain('consulTerminatingGateway ("gw") is not written: Istio ambient cannot express it (it names a Consul gateway)');
  });
  test('ZeroTrustNamespace: its DISABLE refusal is kept (ACCESS_RULES_KEEP)', () => {
    const intent = { deny: [], allow: [], exceptions: [{ mode: 'DISABLE' }] } as any;
    expect(ISTIO_AMBIENT.zeroTrust!.unsupported(intent, renderContext(mesh())).map(u => [u.setting, u.keep])).toEqual([['mtlsExceptions[0].mode', ACCESS_RULES_KEEP]]);
  });
});
