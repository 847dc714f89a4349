import * as fs from 'fs';
import * as path from 'path';
import { CanaryRelease, EgressPolicy, IstioDataPlane, Mesh, ReleaseVersion, ServiceRef, UnsupportedSettings } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { ACCESS_RULES_KEEP } from '../../../src/patterns/zero-trust/intent';
import { captureStderr, failureOf, shopChart } from '../../util';
import { renderContext } from '../context';

// the mesh-owned settings Istio ambient's renderers read (MeshRenderers.*.reads): the constructs refuse the others
// (MULTI_CLUSTER_OWNED, ZERO_TRUST_OWNED, INGRESS_OWNED, EGRESS_OWNED, CANARY_OWNED), in Istio ambient's name
captureStderr();
const mesh = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('meshes/istio-ambient: the owned settings it reads', () => {
  test('MultiClusterExport, ZeroTrustNamespace, IngressGateway, EgressPolicy, CanaryRelease', () => {
    expect(ISTIO_AMBIENT.canary!.reads).toEqual([]);
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
  test('CanaryRelease: Linkerd\'s smiTrafficSplit is refused by the construct in ambient\'s name, even with DROP_WITH_WARNING; false is not', () => {
    const release = (extra: any) => (chart: any) => new CanaryRelease(chart, 'release', {
      mesh: mesh(), service: ServiceRef.fromName('payment', { port: 8080 }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, ...extra,
    });
    const refusal = '[test/release] smiTrafficSplit: got true: SMI TrafficSplit is a Linkerd (linkerd-smi) option, not Istio ambient\'s; remove smiTrafficSplit';
    expect(failureOf(release({ smiTrafficSplit: true }))).toBe(refusal);
    expect(failureOf(release({ smiTrafficSplit: true, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }))).toBe(refusal);
    expect(() => release({ smiTrafficSplit: false })(shopChart())).not.toThrow();
  });

  test('ZeroTrustNamespace: its DISABLE refusal is kept (ACCESS_RULES_KEEP)', () => {
    const intent = { deny: [], allow: [], exceptions: [{ mode: 'DISABLE' }] } as any;
    expect(ISTIO_AMBIENT.zeroTrust!.unsupported(intent, renderContext(mesh())).map(u => [u.setting, u.keep])).toEqual([['mtlsExceptions[0].mode', ACCESS_RULES_KEEP]]);
  });
});

describe('meshes/istio-ambient: its MeshRenderers object', () => {
  test('lists every member itself (not spread from ISTIO), so that a member added to MeshRenderers must be given for ambient too', () => {
    const source = fs.readFileSync(path.join(__dirname, '../../../src/meshes/istio-ambient/index.ts'), 'utf8');
    expect(source).not.toMatch(/\.\.\.ISTIO\b/);
    // the same members as Istio's, and Istio's control plane
    expect(Object.keys(ISTIO_AMBIENT).sort()).toEqual([...Object.keys(ISTIO), 'controlPlane'].sort());
    expect(ISTIO_AMBIENT.controlPlane).toBe(ISTIO);
  });
});
