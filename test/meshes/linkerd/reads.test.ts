import { EgressPolicy, Mesh, UnsupportedSettings } from '../../../src';
import { LINKERD } from '../../../src/meshes/linkerd';
import { ACCESS_RULES_KEEP } from '../../../src/patterns/zero-trust/intent';
import { captureStderr, failureOf, shopChart } from '../../util';
import { renderContext } from '../context';

// the mesh-owned settings Linkerd's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED, CANARY_OWNED), in Linkerd's name
captureStderr();
const mesh = () => Mesh.linkerd();

describe('meshes/linkerd: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy, CanaryRelease', () => {
    expect(LINKERD.canary!.reads).toEqual(['smiTrafficSplit']);
    expect(LINKERD.multiCluster!.reads).toEqual(['linkerdRemoteDiscovery']);
    expect(LINKERD.zeroTrust!.reads).toEqual([]);
    expect(LINKERD.ingress!.reads).toEqual([]);
    expect(LINKERD.egress!.reads).toEqual([]);
  });

  test('EgressPolicy: Consul\'s terminating gateway is refused by the construct, droppable', () => {
    expect(failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'gw' })))
      .toBe('[test/egress] consulTerminatingGateway: got "gw": Linkerd cannot express this (it names a Consul gateway); remove it, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const chart = shopChart();
    const policy = new EgressPolicy(chart, 'egress', { mesh: mesh(), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'gw', unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(policy.warnings).toContain('consulTerminatingGateway ("gw") is not written: Linkerd cannot express it (it names a Consul gateway)');
  });
  test('ZeroTrustNamespace: every refusal of its own is kept (ACCESS_RULES_KEEP)', () => {
    const intent = { deny: [{}], jwt: { issuer: 'i' }, allow: [], exceptions: [{ mode: 'DISABLE' }] } as any;
    expect(LINKERD.zeroTrust!.unsupported(intent, renderContext(mesh())).map(u => [u.setting, u.keep])).toEqual([
      ['deny', ACCESS_RULES_KEEP], ['jwt', ACCESS_RULES_KEEP], ['mtlsExceptions[0].mode', ACCESS_RULES_KEEP],
    ]);
  });
});
