import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  AccessLogFormat, ConsulDatacenterWideEntries, EgressPolicy, FaultInjection, HeaderMatch, Identity, IngressGateway, Mesh, MultiClusterExport,
  MultiClusterExportProps, ServiceRef,
  TrafficTelemetry, UnsupportedSettings, ZeroTrustNamespace,
} from '../src';
import { captureStderr, failureOf, shopChart, synthValidated } from './util';

// #19 item 13: every pattern takes unsupportedSettings; DROP_WITH_WARNING leaves out what can be left out
// (warning + cdk8s-mesh.io/dropped-settings on the pattern's objects) and refuses, saying why, what cannot
const stderr = captureStderr();
const DROP = UnsupportedSettings.DROP_WITH_WARNING;
const DROPPED = 'cdk8s-mesh.io/dropped-settings';
const OFFER = 'or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out';
const KEPT = 'UnsupportedSettings.DROP_WITH_WARNING does not leave this setting out';
const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json', audiences: ['shop'] };
const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const warned = () => stderr().mock.calls.map(c => String(c[0])).join('');
const annotated = (objs: any[]) => objs.filter(o => o.metadata?.annotations?.[DROPPED] !== undefined);

describe('TrafficTelemetry', () => {
  test('a format Istio sets elsewhere: refused with the offer; dropped: left out, warned, annotated', () => {
    const p = { mesh: Mesh.istio(), accessLogging: { format: AccessLogFormat.TEXT } };
    expect(failureOf(chart => new TrafficTelemetry(chart, 'telemetry', p))).toContain('accessLogging.format: got "text": Istio cannot express this');
    expect(failureOf(chart => new TrafficTelemetry(chart, 'telemetry', p))).toContain(OFFER);
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', { ...p, unsupportedSettings: DROP });
    const out = synthValidated(chart);
    const tel = out.find(o => o.kind === 'Telemetry');
    expect(tel.metadata.annotations[DROPPED]).toBe('accessLogging.format=text');
    expect(tel.spec.accessLogging).toEqual([{ providers: [{ name: 'envoy' }] }]);
    expect(warned()).toContain('accessLogging.format ("text") is not written');
  });

  test('tracing on Consul is dropped; a per-service scope on Linkerd is refused even with DROP_WITH_WARNING', () => {
    const chart = shopChart();
    expect(() => new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.consul(), tracing: {}, unsupportedSettings: DROP })).not.toThrow();
    expect(warned()).toContain('tracing (1) is not written');
    const msg = failureOf(c => new TrafficTelemetry(c, 'telemetry', {
      mesh: Mesh.linkerd(), service: payment(), accessLogging: {}, unsupportedSettings: DROP,
    }));
    expect(msg).toContain('service: got "payment": Linkerd cannot express this');
    expect(msg).toContain(`${KEPT}: without it, other workloads than the service would be logged`);
    expect(msg).not.toContain(OFFER);
  });
});

describe('EgressPolicy', () => {
  const hosts = [{ host: 'api.stripe.com' }];
  test('a Consul gateway name on Istio: refused with the offer; dropped: left out, annotated', () => {
    expect(failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: Mesh.istio(), hosts, consulTerminatingGateway: 'tgw' }))).toContain(OFFER);
    const chart = shopChart();
    new EgressPolicy(chart, 'egress', { mesh: Mesh.istio(), hosts, consulTerminatingGateway: 'tgw', unsupportedSettings: DROP });
    const out = synthValidated(chart);
    expect(out.length).toBeGreaterThan(0);
    // the pattern's objects (the Namespace is the namespace's, not this pattern's)
    expect(annotated(out).map(o => o.kind).sort()).toEqual(['ServiceEntry', 'Sidecar']);
    expect(annotated(out)[0].metadata.annotations[DROPPED]).toBe('consulTerminatingGateway=tgw');
  });

  test('callers on Istio (every workload of the namespace could reach the hosts) stay refused', () => {
    const msg = failureOf(chart => new EgressPolicy(chart, 'egress', { mesh: Mesh.istio(), hosts, callers: [payment()], unsupportedSettings: DROP }));
    expect(msg).toContain('callers: got ["payment"]: Istio cannot express this');
    expect(msg).toContain(`${KEPT}: every workload of the namespace could reach the hosts`);
  });
});

describe('FaultInjection', () => {
  test('takes the prop; fault injection on Linkerd stays refused, with and without it, and is never offered to be dropped', () => {
    const p = { mesh: Mesh.linkerd(), service: payment(), abort: { httpStatus: 503, percent: 5 }, match: [HeaderMatch.exact('x-chaos', 'true')] };
    const plain = failureOf(chart => new FaultInjection(chart, 'chaos', p));
    expect(plain).toBe('[test/chaos] abort: got 503: Linkerd cannot express this (Linkerd has no fault injection); inject faults in a test client or the application, or route a share of test traffic to a Service that returns errors');
    const dropped = failureOf(chart => new FaultInjection(chart, 'chaos', { ...p, delay: { fixedDelay: Duration.seconds(1), percent: 1 }, unsupportedSettings: DROP }));
    expect(dropped).toContain(`${KEPT}: nothing would be written, and a fault test would test nothing`);
  });
});

describe('IngressGateway', () => {
  const p = { host: 'shop.example.com', tlsSecretName: 'shop-tls', routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }] };
  test('a Consul CA file on Istio: refused with the offer; dropped: the RequestAuthentication is written without it, annotated', () => {
    const jwt = { ...JWT, consulJwksCaFile: '/etc/ssl/certs/ca-certificates.crt' };
    expect(failureOf(chart => new IngressGateway(chart, 'shop', { ...p, mesh: Mesh.istio(), jwt }))).toContain(`jwt.consulJwksCaFile: got "/etc/ssl/certs/ca-certificates.crt": Istio cannot express this (it sets Consul's JWTProvider); remove it, ${OFFER}`);
    const chart = shopChart();
    new IngressGateway(chart, 'shop', { ...p, mesh: Mesh.istio(), jwt, unsupportedSettings: DROP });
    const ra = synthValidated(chart).find(o => o.kind === 'RequestAuthentication');
    expect(ra.metadata.annotations[DROPPED]).toBe('jwt.consulJwksCaFile=/etc/ssl/certs/ca-certificates.crt');
    expect(JSON.stringify(ra.spec)).not.toContain('ca-certificates');
  });

  test('a JWT at a Linkerd edge stays refused (the edge would admit requests without a token)', () => {
    const msg = failureOf(chart => new IngressGateway(chart, 'shop', { ...p, mesh: Mesh.linkerd(), gatewayClassName: 'eg', jwt: JWT, unsupportedSettings: DROP }));
    expect(msg).toContain(`${KEPT}: the edge would admit requests without a token`);
  });
});

describe('ZeroTrustNamespace', () => {
  const allow = [{ callers: [Identity.serviceAccount('web')], to: payment(), requireJwt: true }];
  test('forwardOriginalToken on Consul: refused with the offer; dropped: the policies are written, the JWTProvider annotated', () => {
    const jwt = { ...JWT, forwardOriginalToken: true };
    expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.consul(), jwt, allow }))).toContain(OFFER);
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.consul(), jwt, allow, unsupportedSettings: DROP });
    const out = synthValidated(chart);
    // the provider's setting, on the provider; no intention (the default deny has no JWT) carries it
    expect(out.filter(o => o.metadata.annotations?.[DROPPED] !== undefined).map(o => `${o.kind}/${o.metadata.name}=${o.metadata.annotations[DROPPED]}`))
      .toEqual([`JWTProvider/${out.find(o => o.kind === 'JWTProvider').metadata.name}=jwt.forwardOriginalToken=true`]);
    expect(out.filter(o => o.kind === 'ServiceIntentions').length).toBeGreaterThan(0);
  });

  test('forwardOriginalToken on Consul without the JWTProvider (datacenterWideEntries: OMIT): on the pattern\'s objects, not lost', () => {
    const chart = shopChart();
    const mesh = Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.OMIT });
    new ZeroTrustNamespace(chart, 'zt', { mesh, jwt: { ...JWT, forwardOriginalToken: true }, allow, unsupportedSettings: DROP });
    const out = synthValidated(chart);
    expect(out.find(o => o.kind === 'JWTProvider')).toBeUndefined();
    const intentions = out.filter(o => o.kind === 'ServiceIntentions');
    expect(intentions.length).toBeGreaterThan(0);
    for (const o of intentions) expect(o.metadata.annotations[DROPPED]).toBe('jwt.forwardOriginalToken=true');
  });

  test('an access rule (deny on Linkerd) is never dropped', () => {
    const msg = failureOf(chart => new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.linkerd(), allow: [], deny: [{ callers: [Identity.serviceAccount('web')], to: payment() }], unsupportedSettings: DROP,
    }));
    expect(msg).toContain('deny: got "1 rule(s)": Linkerd cannot express this');
    expect(msg).toContain(`${KEPT}: leaving it out would admit or refuse other callers than written`);
  });
});

describe('MultiClusterExport', () => {
  const setup = (mesh: Mesh, over: Partial<MultiClusterExportProps>) => {
    const app = new App({ outdir: Testing.app().outdir });
    const paymentEu = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
    return new MultiClusterExport(app, 'shop', {
      mesh,
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [], gatewayAddress: 'gw.us-west.example.com' },
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentEu], gatewayAddress: '203.0.113.10' },
      ],
      exports: [{ service: paymentEu, cluster: 'eu-west', consumers: ['us-west'] }],
      ...over,
    });
  };
  const fails = (build: () => unknown) => {
    try {
      build();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  test('a Consul sameness group on Istio: refused with the offer; dropped: left out, annotated', () => {
    expect(fails(() => setup(Mesh.istio(), { consulSamenessGroup: 'shop' }))).toContain(`consulSamenessGroup: got "shop": Istio cannot express this (sameness groups are Consul's); remove it for Istio, ${OFFER}`);
    const mc = setup(Mesh.istio(), { consulSamenessGroup: 'shop', istioEastWestGateway: true, unsupportedSettings: DROP });
    const out = ['us-west', 'eu-west'].flatMap(c => synthValidated(mc.chartOf(c) as Chart));
    expect(out.length).toBeGreaterThan(0);
    expect(annotated(out).length).toBeGreaterThan(0);
    expect(annotated(out)[0].metadata.annotations[DROPPED]).toBe('consulSamenessGroup=shop');
  });

  test('a sameness group on Consul CE (Consul\'s own setting) stays refused', () => {
    const msg = fails(() => setup(Mesh.consul(), { consulSamenessGroup: 'shop', unsupportedSettings: DROP }));
    expect(msg).toContain(`${KEPT}: leaving it out would break calls between the clusters`);
  });
});
