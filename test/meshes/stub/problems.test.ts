import { ApiObject, App, Duration, Testing } from 'cdk8s';
import { STUB } from './stub-mesh';
import {
  FaultInjection, Identity, Mesh, MeshKind, MtlsPhase, MultiClusterExport, ResilientService, ServiceRef, UnsupportedSettings, ZeroTrustNamespace,
} from '../../../src';
import { MeshRenderers, MultiClusterRenderer, TrafficRenderer, ZeroTrustRenderer } from '../../../src/meshes/renderer';
import { CROSS_CLUSTER_KEEP } from '../../../src/patterns/multicluster/intent';
import { captureStderr } from '../../util';

// A fifth mesh's own checks reach the user through the constructs (PatternRenderer.problems, the
// MultiClusterRenderer traits, TrafficRenderer.joinProblem): no pattern names a mesh for them.
captureStderr();
const service = ServiceRef.fromName('payment', { port: 8080 });
const mesh = (renderers: Partial<MeshRenderers>) => Mesh._withRenderers(MeshKind.ISTIO, { ...STUB, ...renderers });
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' };

describe('ZeroTrustNamespace: the stub refuses a prop in its own words, with the JWT checks', () => {
  const zeroTrust: ZeroTrustRenderer = {
    // it reads Consul's CA bundle setting, and checks it its own way (unread, the construct would refuse it)
    reads: ['jwt.consulJwksCaFile'],
    unsupported: () => [],
    problems: (intent, { mesh: m }) => [
      ...(intent.phase === MtlsPhase.PERMISSIVE ? [{ prop: 'mtls', value: intent.phase, why: `${m.displayName} has no plaintext port`, fix: 'use MtlsPhase.STRICT' }] : []),
      // Consul's trait is not the stub's: it checks the CA bundle its own way
      ...(intent.jwt?.consulJwksCaFile?.startsWith('/stub/') === false ? [{ prop: 'jwt.consulJwksCaFile', value: intent.jwt.consulJwksCaFile, why: 'Stub reads its CA bundles under /stub/', fix: "use e.g. '/stub/ca.pem'" }] : []),
    ],
    render: (scope, intent) => { new ApiObject(scope, 'Policy', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zt', namespace: intent.namespace }, data: { phase: intent.phase } }); },
  };
  const make = (extra: any) => new ZeroTrustNamespace(Testing.chart(), 'zt', { mesh: mesh({ zeroTrust }), namespace: 'shop', allow: [], ...extra });

  test('its refusals, in its words, after the construct\'s own checks of the same batch', () => {
    expect(() => make({ mtls: MtlsPhase.PERMISSIVE })).toThrow('[test/zt] mtls: got "PERMISSIVE": Stub has no plaintext port; use MtlsPhase.STRICT');
    // (a provider name given is checked on every mesh; one derived from the issuer only on Consul)
    expect(() => make({ jwt: { ...JWT, issuer: '', providerName: 'Auth_0', consulJwksCaFile: '/etc/ca.pem' } })).toThrow(
      /3 problems:\n {2}- jwt\.issuer: [^\n]*\n {2}- jwt\.providerName: [^\n]*\n {2}- jwt\.consulJwksCaFile: got "\/etc\/ca\.pem": Stub reads its CA bundles under \/stub\/; use e\.g\. '\/stub\/ca\.pem'$/);
  });

  test('what it accepts is rendered by it (the built-in meshes\' consulJwksCaFile checks are theirs, not the construct\'s)', () => {
    const zt = make({ jwt: { ...JWT, consulJwksCaFile: '/stub/ca.pem' } });
    expect(Testing.synth(zt.node.scope as any).filter(o => o.kind === 'ConfigMap')).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'zt', namespace: 'shop' }, data: { phase: 'STRICT' } },
    ]);
  });
});

describe('MultiClusterExport: the stub refuses a prop, says which refusals can be dropped and what an exporter lacks', () => {
  const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
  const multiCluster: MultiClusterRenderer = {
    unsupported: intent => [
      ...(intent.samenessGroup ? [{ setting: 'consulSamenessGroup', value: intent.samenessGroup, why: 'Stub has no sameness groups', alternative: 'remove it' }] : []),
      ...(intent.failover ? [{ setting: 'failover', value: true, why: 'Stub has no failover', alternative: 'set failover: false', keep: CROSS_CLUSTER_KEEP }] : []),
    ],
    problems: intent => intent.linkerdRemoteDiscovery ? [{ prop: 'linkerdRemoteDiscovery', value: true, why: 'Stub discovers through its gateway only', fix: 'remove it' }] : [],
    // it reads these two (its own refusals above); istioEastWestGateway, unread, the construct refuses
    reads: ['consulSamenessGroup', 'linkerdRemoteDiscovery'],
    withoutZeroTrust: 'no stub policy',
    render: (_scope, intent) => { for (const c of intent.clusters) new ApiObject(c.chart, 'Export', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: c.name } }); },
  };
  const make = (app: App, extra: any) => new MultiClusterExport(app, 'shop', {
    mesh: mesh({ multiCluster }),
    clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
    exports: [{ service: payment, cluster: 'a', consumers: ['b'], callers: [Identity.serviceAccount('order')] }],
    failover: false,
    ...extra,
  });

  test('its problems hook refuses a prop in its words, where the mesh checks were (before the sameness group\'s)', () => {
    expect(() => make(Testing.app(), { linkerdRemoteDiscovery: true, consulSamenessGroup: 'Bad_' })).toThrow(
      /3 problems:\n {2}- linkerdRemoteDiscovery: got true: Stub discovers through its gateway only; remove it\n {2}- consulSamenessGroup: got "Bad_": a sameness group name is a DNS-1123 label[^\n]*\n {2}- consulSamenessGroup: got "Bad_": Stub cannot express this \(Stub has no sameness groups\)/);
  });

  test('only its refusals without `keep` are dropped; the others are kept', () => {
    const app = Testing.app();
    const mc = make(app, { consulSamenessGroup: 'shop', unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING });
    expect(mc.warnings).toContain('consulSamenessGroup ("shop") is not written: Stub cannot express it (Stub has no sameness groups)');
    expect(() => make(Testing.app(), { failover: true, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING })).toThrow(
      '[shop] failover: got true: Stub cannot express this (Stub has no failover); set failover: false (UnsupportedSettings.DROP_WITH_WARNING does not leave this setting out: leaving it out would break calls between the clusters)');
  });

  test('the exporter without a ZeroTrustNamespace is warned in its words; undefined: no warning', () => {
    const app = Testing.app();
    const mc = make(app, {});
    app.synth();
    expect(mc.warnings.find(w => w.startsWith('exports[0]'))).toContain('has no ZeroTrustNamespace for namespace shop: no stub policy there, so after a failover');
    const quiet = Testing.app();
    const other = new MultiClusterExport(quiet, 'shop', {
      mesh: mesh({ multiCluster: { ...multiCluster, withoutZeroTrust: undefined } }),
      clusters: [{ name: 'a', network: 'n1', region: 'r1', services: [payment] }, { name: 'b', network: 'n2', region: 'r2', services: [] }],
      exports: [{ service: payment, cluster: 'a', consumers: ['b'] }],
      failover: false,
    });
    quiet.synth();
    expect(other.warnings.filter(w => w.startsWith('exports['))).toEqual([]);
  });
});

describe('ServiceTraffic: the stub refuses two contributions together (joinProblem) in its words', () => {
  const traffic: TrafficRenderer = {
    joinProblem: (t, m) => (t.faultBy && m.resilience ? `[${t.faultBy}] and [${t.resilienceBy}]: Stub cannot fault a resilient service` : undefined),
    render: () => undefined,
  };
  const quiet = { unsupported: () => [], render: () => undefined };
  const renderers = { traffic, resilience: quiet, fault: quiet };

  test('in either order, naming the pattern that joins last', () => {
    // one mesh: meshes are told apart by their renderers object (sameMesh), and each call of `mesh` makes one
    const m = mesh(renderers);
    const chart = Testing.chart();
    new ResilientService(chart, 'resilience', { mesh: m, service, timeout: Duration.seconds(3) });
    expect(() => new FaultInjection(chart, 'fault', { mesh: m, service, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true })).toThrow(
      '[test/fault] service: got payment: [test/fault] and [test/resilience]: Stub cannot fault a resilient service');
    const chart2 = Testing.chart();
    new FaultInjection(chart2, 'fault', { mesh: m, service, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true });
    expect(() => new ResilientService(chart2, 'resilience', { mesh: m, service, timeout: Duration.seconds(3) })).toThrow(
      '[test/resilience] service: got payment: [test/fault] and [test/resilience]: Stub cannot fault a resilient service');
  });

  test('each alone is accepted', () => {
    expect(() => new FaultInjection(Testing.chart(), 'fault', { mesh: mesh(renderers), service, abort: { httpStatus: 503, percent: 10 }, allowOnAllTraffic: true })).not.toThrow();
  });
});
