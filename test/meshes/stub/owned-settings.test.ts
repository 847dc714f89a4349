import { ApiObject, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import {
  CanaryRelease, EgressPolicy, Identity, IngressApi, IngressGateway, Mesh, MeshKind, MultiClusterExport, ReleaseVersion, ServiceRef, UnsupportedSettings,
  ZeroTrustNamespace,
} from '../../../src';
import { CanaryRenderer, EgressRenderer, IngressRenderer, MeshRenderers, MultiClusterRenderer, ZeroTrustRenderer } from '../../../src/meshes/renderer';
import { CanaryOwnedSetting } from '../../../src/patterns/canary/intent';
import { EgressOwnedSetting } from '../../../src/patterns/egress/intent';
import { IngressOwnedSetting } from '../../../src/patterns/ingress/intent';
import { MultiClusterOwnedSetting } from '../../../src/patterns/multicluster/intent';
import { ZeroTrustOwnedSetting } from '../../../src/patterns/zero-trust/intent';
import { captureStderr, shopChart } from '../../util';

// A fifth mesh refuses the other meshes' settings (consulSamenessGroup, linkerdRemoteDiscovery,
// istioEastWestGateway, jwt.consulJwksCaFile, consulTerminatingGateway) without writing any refusal: the
// patterns declare them (MULTI_CLUSTER_OWNED ...), and the construct refuses each one its renderer does not
// list in `reads`, in the mesh's name, dropping it with DROP_WITH_WARNING where the declaration allows it.
captureStderr();
const mesh = (renderers: Partial<MeshRenderers>) => Mesh._withRenderers(MeshKind.ISTIO, { ...STUB, ...renderers });
const DROP = { unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING };
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };
const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
/** What each stub renderer saw of the owned settings it was given. */
const seen: string[] = [];

describe('MultiClusterExport: a stub that reads none of the owned settings', () => {
  const multiCluster = (reads: MultiClusterOwnedSetting[]): MultiClusterRenderer => ({
    reads,
    withoutZeroTrust: undefined,
    unsupported: () => [],
    render: (_scope, intent) => {
      seen.push(`${intent.samenessGroup} ${intent.linkerdRemoteDiscovery} ${intent.istioEastWestGateway}`);
      for (const c of intent.clusters) new ApiObject(c.chart, 'Export', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: c.name } });
    },
  });
  const make = (reads: MultiClusterOwnedSetting[], extra: any) => new MultiClusterExport(Testing.app(), 'shop', {
    mesh: mesh({ multiCluster: multiCluster(reads) }),
    clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
    exports: [{ service: payment, cluster: 'a', consumers: ['b'], callers: [Identity.serviceAccount('order')] }],
    ...extra,
  });
  const ALL = { consulSamenessGroup: 'shop', linkerdRemoteDiscovery: true, istioEastWestGateway: true };

  test('gets every one refused in its name, in the declaration\'s order (the east-west Gateway with the prop checks)', () => {
    expect(() => make([], ALL)).toThrow(/^\[shop\] 3 problems:\n {2}- istioEastWestGateway: got true: Stub cannot express this \(the east-west Gateway is Istio's\); remove it\n {2}- consulSamenessGroup: got "shop": Stub cannot express this \(sameness groups are Consul's\); remove it for Stub, or set unsupportedSettings: UnsupportedSettings\.DROP_WITH_WARNING to leave it out\n {2}- linkerdRemoteDiscovery: got true: Stub cannot express this \(remote discovery is Linkerd's\); remove it for Stub, or set unsupportedSettings[^\n]*$/);
  });

  test('with DROP_WITH_WARNING, the droppable ones are left out (warned, annotated); the east-west Gateway is not', () => {
    expect(() => make([], { ...ALL, ...DROP })).toThrow('[shop] istioEastWestGateway: got true: Stub cannot express this (the east-west Gateway is Istio\'s); remove it');
    seen.length = 0;
    const mc = make([], { consulSamenessGroup: 'shop', linkerdRemoteDiscovery: true, ...DROP });
    expect(mc.warnings).toEqual(expect.arrayContaining([
      'consulSamenessGroup ("shop") is not written: Stub cannot express it (sameness groups are Consul\'s)',
      'linkerdRemoteDiscovery (true) is not written: Stub cannot express it (remote discovery is Linkerd\'s)',
    ]));
    expect(Testing.synth(mc.chartOf('a'))[0].metadata.annotations).toEqual({ 'cdk8s-mesh.io/dropped-settings': 'consulSamenessGroup=shop, linkerdRemoteDiscovery=true' });
  });

  test('false or unset settings are not refused', () => {
    expect(() => make([], { linkerdRemoteDiscovery: false, istioEastWestGateway: false })).not.toThrow();
  });

  test('one that declares it reads them gets them, unrefused', () => {
    seen.length = 0;
    make(['consulSamenessGroup', 'linkerdRemoteDiscovery', 'istioEastWestGateway'], ALL);
    expect(seen).toEqual(['shop true true']);
    // reading one is not reading the others
    expect(() => make(['consulSamenessGroup'], ALL)).toThrow(/2 problems:\n {2}- istioEastWestGateway: [^\n]*\n {2}- linkerdRemoteDiscovery: [^\n]*$/);
  });
});

describe('ZeroTrustNamespace: a stub that does not read jwt.consulJwksCaFile', () => {
  const zeroTrust = (reads: ZeroTrustOwnedSetting[]): ZeroTrustRenderer => ({
    reads,
    unsupported: () => [],
    render: (_scope, intent) => { seen.push(String(intent.jwt?.consulJwksCaFile)); },
  });
  const make = (reads: ZeroTrustOwnedSetting[]) => new ZeroTrustNamespace(Testing.chart(), 'zt', {
    mesh: mesh({ zeroTrust: zeroTrust(reads) }), namespace: 'shop', allow: [], jwt: { ...JWT, consulJwksCaFile: '/ca.pem' },
  });

  test('gets it refused in its name (ZeroTrustNamespace drops nothing)', () => {
    expect(() => make([])).toThrow('[test/zt] jwt.consulJwksCaFile: got "/ca.pem": Stub cannot express this (it sets Consul\'s JWTProvider); remove it');
  });

  test('one that reads it gets it', () => {
    seen.length = 0;
    make(['jwt.consulJwksCaFile']);
    expect(seen).toEqual(['/ca.pem']);
  });
});

describe('IngressGateway: a stub that does not read jwt.consulJwksCaFile', () => {
  const ingress = (reads: IngressOwnedSetting[]): IngressRenderer => ({
    reads,
    defaultApi: () => IngressApi.GATEWAY_API,
    defaultGatewayClassName: 'stub',
    unsupported: () => [],
    callerIdentity: () => undefined,
    render: (scope, intent) => {
      seen.push(String(intent.jwt?.consulJwksCaFile));
      new ApiObject(scope, 'Gateway', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: intent.name, namespace: intent.namespace } });
    },
  });
  const make = (reads: IngressOwnedSetting[], extra: any = {}) => new IngressGateway(Testing.chart(), 'gw', {
    mesh: mesh({ ingress: ingress(reads) }),
    namespace: 'shop',
    host: 'shop.example.com',
    allowPlainHttp: true,
    routes: [{ pathPrefix: '/', service: payment }],
    jwt: { ...JWT, consulJwksCaFile: '/ca.pem' },
    ...extra,
  });

  test('gets it refused in its name, or dropped with DROP_WITH_WARNING', () => {
    expect(() => make([])).toThrow('[test/gw] jwt.consulJwksCaFile: got "/ca.pem": Stub cannot express this (it sets Consul\'s JWTProvider); remove it, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const gw = make([], DROP);
    expect(gw.warnings).toContain('jwt.consulJwksCaFile ("/ca.pem") is not written: Stub cannot express it (it sets Consul\'s JWTProvider)');
    expect(Testing.synth(gw.node.scope as any).find(o => o.kind === 'ConfigMap').metadata.annotations).toEqual({ 'cdk8s-mesh.io/dropped-settings': 'jwt.consulJwksCaFile=/ca.pem' });
  });

  test('one that reads it gets it', () => {
    seen.length = 0;
    make(['jwt.consulJwksCaFile']);
    expect(seen).toEqual(['/ca.pem']);
  });
});

describe('EgressPolicy: a stub that does not read consulTerminatingGateway', () => {
  const egress = (reads: EgressOwnedSetting[]): EgressRenderer => ({
    reads,
    unsupported: () => [],
    render: (scope, intent) => {
      seen.push(String(intent.consulTerminatingGateway));
      new ApiObject(scope, 'Egress', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'egress', namespace: intent.namespace } });
    },
  });
  const make = (reads: EgressOwnedSetting[], extra: any = {}) => {
    const chart = shopChart();
    return new EgressPolicy(chart, 'egress', { mesh: mesh({ egress: egress(reads) }), hosts: [{ host: 'api.stripe.com' }], consulTerminatingGateway: 'gw', ...extra });
  };

  test('gets it refused in its name, or dropped with DROP_WITH_WARNING', () => {
    expect(() => make([])).toThrow('[test/egress] consulTerminatingGateway: got "gw": Stub cannot express this (it names a Consul gateway); remove it, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out');
    const policy = make([], DROP);
    expect(policy.warnings).toContain('consulTerminatingGateway ("gw") is not written: Stub cannot express it (it names a Consul gateway)');
    expect(Testing.synth(policy.node.scope as any).find(o => o.kind === 'ConfigMap').metadata.annotations).toEqual({ 'cdk8s-mesh.io/dropped-settings': 'consulTerminatingGateway=gw' });
  });

  test('one that reads it gets it', () => {
    seen.length = 0;
    make(['consulTerminatingGateway']);
    expect(seen).toEqual(['gw']);
  });
});

describe('CanaryRelease: a stub that does not read smiTrafficSplit', () => {
  const canary = (reads: CanaryOwnedSetting[]): CanaryRenderer => ({
    reads,
    unsupported: () => [],
    render: (_scope, intent) => { seen.push(`smi ${intent.canary.smi}`); },
    alertQueries: () => ({ errorRatio: 'e', p99Seconds: 'p' }),
  });
  const make = (reads: CanaryOwnedSetting[], extra: any = {}) => new CanaryRelease(Testing.chart(), 'release', {
    mesh: mesh({ canary: canary(reads), traffic: { render: () => undefined } }),
    service: payment,
    stable: ReleaseVersion.of('v1'),
    canary: ReleaseVersion.of('v2'),
    canaryWeight: 20,
    smiTrafficSplit: true,
    ...extra,
  });

  test('gets it refused in its name, in the declaration\'s words, even with DROP_WITH_WARNING (it is not dropped)', () => {
    const refusal = '[test/release] smiTrafficSplit: got true: SMI TrafficSplit is a Linkerd (linkerd-smi) option, not Stub\'s; remove smiTrafficSplit';
    expect(() => make([])).toThrow(refusal);
    expect(() => make([], DROP)).toThrow(refusal);
  });

  test('false or unset is not refused; one that reads it gets it', () => {
    expect(() => make([], { smiTrafficSplit: false })).not.toThrow();
    seen.length = 0;
    make(['smiTrafficSplit']);
    expect(seen).toEqual(['smi true']);
  });
});

describe('ZeroTrustNamespace: a stub\'s refusals say themselves whether they can be dropped (keep), not the construct by name', () => {
  const zeroTrust: ZeroTrustRenderer = {
    reads: [],
    unsupported: intent => [
      ...(intent.deny.length ? [{ setting: 'deny', value: intent.deny.length, why: 'Stub only allows', alternative: 'remove deny', keep: 'it would admit the denied callers' }] : []),
      ...(intent.phase === 'PERMISSIVE' ? [{ setting: 'mtls', value: intent.phase, why: 'Stub is always strict', alternative: 'use MtlsPhase.STRICT' }] : []),
    ],
    render: (scope, intent) => { new ApiObject(scope, 'Policy', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zt', namespace: intent.namespace } }); },
  };
  const make = (extra: any) => new ZeroTrustNamespace(Testing.chart(), 'zt', { mesh: mesh({ zeroTrust }), namespace: 'shop', allow: [], ...DROP, ...extra });

  test('one without keep is dropped with DROP_WITH_WARNING, whatever its setting', () => {
    const zt = make({ mtls: 'PERMISSIVE' });
    expect(zt.warnings).toContain('mtls ("PERMISSIVE") is not written: Stub cannot express it (Stub is always strict)');
  });

  test('one with keep is refused, with its reason', () => {
    const to = ServiceRef.fromName('payment', { port: 8080 });
    expect(() => make({ deny: [{ callers: [Identity.serviceAccount('order')], to }] })).toThrow(
      '[test/zt] deny: got 1: Stub cannot express this (Stub only allows); remove deny (UnsupportedSettings.DROP_WITH_WARNING does not leave this setting out: it would admit the denied callers)');
  });
});
