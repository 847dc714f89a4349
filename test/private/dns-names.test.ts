import { App, Testing } from 'cdk8s';
import {
  EgressPolicy, EgressProtocol, Identity, IngressApi, IngressGateway, IstioDataPlane, Mesh, MultiClusterExport, MultiClusterExportProps,
  ServiceRef, ZeroTrustNamespace,
} from '../../src';
import { dns1123LabelProblem, isDns1123Label, isDns1123Subdomain } from '../../src/private/names';
import { captureStderr, failureOf, shopChart } from '../util';

captureStderr();

/** The sides of every DNS-1123 limit: what the API server's IsDNS1123Label accepts, and what it refuses. */
const LABEL_OK = ['a', 'a'.repeat(63), 'eu-west-1', '0abc'];
const LABEL_BAD = ['a'.repeat(64), 'Eu-West', '-eu', 'eu-', 'eu_west', 'eu.west', '', 7, undefined, null];
const SUBDOMAIN_OK = ['a', 'a.b-c', `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`]; // 253 characters
const SUBDOMAIN_BAD = [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'A.b', '-a.b', 'a.b-', 'a..b', '.a', '', 7];

describe('one DNS-1123 check for every name (private/names)', () => {
  test.each(LABEL_OK)('isDns1123Label accepts %j', v => expect(isDns1123Label(v)).toBe(true));
  test.each(LABEL_BAD)('isDns1123Label refuses %j', v => expect(isDns1123Label(v)).toBe(false));
  test('a shorter limit where the library appends to the name', () => {
    expect([isDns1123Label('a'.repeat(40), 40), isDns1123Label('a'.repeat(41), 40)]).toEqual([true, false]);
  });
  test('the subdomain sizes are the limit', () => {
    expect(SUBDOMAIN_OK[2].length).toBe(253);
    expect((SUBDOMAIN_BAD[0] as string).length).toBe(254);
  });
  test.each(SUBDOMAIN_OK)('isDns1123Subdomain accepts %j', v => expect(isDns1123Subdomain(v)).toBe(true));
  test.each(SUBDOMAIN_BAD)('isDns1123Subdomain refuses %j', v => expect(isDns1123Subdomain(v)).toBe(false));
});

const problem = (what: string) => dns1123LabelProblem(what);

describe('MultiClusterExport: cluster names and the sameness group', () => {
  function build(over: Partial<MultiClusterExportProps>, clusterName = 'eu-west') {
    const app = new App({ outdir: Testing.app().outdir });
    const payment = ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' });
    return new MultiClusterExport(app, 'shop', {
      mesh: Mesh.consul({ enterprise: true }),
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [] },
        { name: clusterName, network: 'net-eu', region: 'europe-west1', services: [payment] },
      ],
      exports: [{ service: payment, cluster: clusterName, consumers: ['us-west'] }],
      ...over,
    });
  }
  function fails(f: () => unknown): string {
    try {
      f();
    } catch (e) {
      expect(e).not.toBeInstanceOf(TypeError);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  }

  test.each(LABEL_OK.filter(v => v !== 'a'))('cluster name %j is accepted', name => {
    expect(build({}, name as string).chartOf(name as string).node.id).toBe(name);
  });
  test.each(LABEL_BAD.filter(v => typeof v === 'string' && v))('cluster name %j is refused with the prop, value and fix', name => {
    expect(fails(() => build({}, name as string))).toContain(`clusters[1].name: got ${JSON.stringify(name)}: ${problem('a cluster name')}; use e.g. 'eu-west'`);
  });

  test.each(LABEL_OK)('consulSamenessGroup %j is accepted', group => {
    expect(() => build({ consulSamenessGroup: group as string })).not.toThrow();
  });
  test.each(LABEL_BAD.filter(v => v !== undefined))('consulSamenessGroup %j is refused with the prop, value and fix', group => {
    expect(fails(() => build({ consulSamenessGroup: group as any })))
      .toContain(`[shop] consulSamenessGroup: got ${group === null ? 'null' : JSON.stringify(group)}: ${problem('a sameness group name')}; e.g. 'shop'`);
  });
});

describe('jwt.providerName (the name of Consul\'s JWTProvider object)', () => {
  const JWT = { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' };
  const zt = (mesh: Mesh, jwt: object) => (chart: any) => new ZeroTrustNamespace(chart, 'zt', {
    mesh, jwt: { ...JWT, ...jwt }, allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }), requireJwt: true }],
  });
  const ingress = (jwt: object) => (chart: any) => new IngressGateway(chart, 'gw', {
    mesh: Mesh.consul({ enterprise: true }),
    api: IngressApi.GATEWAY_API,
    host: 'shop.example.com',
    tlsSecretName: 'shop-tls',
    jwt: { ...JWT, ...jwt },
    routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }],
  });

  test.each(LABEL_OK)('ZeroTrustNamespace and IngressGateway accept %j', providerName => {
    for (const build of [zt(Mesh.consul(), { providerName }), zt(Mesh.istio(), { providerName }), ingress({ providerName })]) {
      const chart = shopChart();
      build(chart);
      expect(() => Testing.synth(chart)).not.toThrow();
    }
  });
  test.each(LABEL_BAD.filter(v => typeof v === 'string' && v))('ZeroTrustNamespace and IngressGateway refuse %j with the prop, value and fix', providerName => {
    const message = `jwt.providerName: got ${JSON.stringify(providerName)}: ${problem('a provider name')}; set providerName: 'auth'`;
    expect(failureOf(zt(Mesh.consul(), { providerName }))).toBe(`[test/zt] ${message}`);
    expect(failureOf(zt(Mesh.istio(), { providerName }))).toBe(`[test/zt] ${message}`);
    expect(failureOf(ingress({ providerName }))).toBe(`[test/gw] ${message}`);
  });
  test('a name derived from a long issuer host is held to the same limit on Consul, which writes it', () => {
    const host = (n: number) => `https://${'a'.repeat(n - 12)}.example.com`; // a host of n characters
    const chart = shopChart();
    zt(Mesh.consul(), { issuer: host(63) })(chart);
    expect(Testing.synth(chart).find(o => o.kind === 'JWTProvider')?.metadata.name).toBe(`${'a'.repeat(51)}-example-com`);
    expect(failureOf(zt(Mesh.consul(), { issuer: host(64) })))
      .toContain(`jwt.providerName: got "${'a'.repeat(52)}-example-com": ${problem("a provider name (by default the issuer's host)")}; set providerName: 'auth'`);
  });
  test('the other meshes write no provider name: one derived from a long issuer host is not refused there', () => {
    const host = `https://${'a'.repeat(52)}.example.com`; // 64 characters
    for (const mesh of [Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })]) {
      const chart = shopChart();
      zt(mesh, { issuer: host })(chart);
      const out = Testing.synth(chart);
      expect(out.find(o => o.kind === 'RequestAuthentication')?.spec.jwtRules[0].issuer).toBe(host);
    }
  });
});

describe('other names the library writes: the length limits are checked too', () => {
  test('EgressPolicy consulTerminatingGateway: 63 characters, not 64', () => {
    const egress = (consulTerminatingGateway: string) => (chart: any) => new EgressPolicy(chart, 'egress', {
      mesh: Mesh.consul(), consulTerminatingGateway, hosts: [{ host: 'api.example.com', protocol: EgressProtocol.TLS, port: 443 }],
    });
    const chart = shopChart();
    expect(() => egress('a'.repeat(63))(chart)).not.toThrow();
    expect(failureOf(egress('a'.repeat(64)))).toContain(`consulTerminatingGateway: got "${'a'.repeat(64)}": a gateway name is a DNS-1123 label`);
  });

  test('IngressGateway istioGatewayNamespace (63) and gatewayClassName (253)', () => {
    const gw = (over: object) => (chart: any) => new IngressGateway(chart, 'gw', {
      mesh: Mesh.istio(), host: 'shop.example.com', tlsSecretName: 'shop-tls', routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) }], ...over,
    });
    for (const over of [{ istioGatewayNamespace: 'a'.repeat(63) }, { api: IngressApi.GATEWAY_API, gatewayClassName: SUBDOMAIN_OK[2] }]) {
      const chart = shopChart();
      gw(over)(chart);
      expect(() => Testing.synth(chart)).not.toThrow();
    }
    expect(failureOf(gw({ istioGatewayNamespace: 'a'.repeat(64) }))).toContain('istioGatewayNamespace: got "aaaa');
    expect(failureOf(gw({ api: IngressApi.GATEWAY_API, gatewayClassName: SUBDOMAIN_BAD[0] }))).toContain('gatewayClassName: got "aaaa');
  });
});
