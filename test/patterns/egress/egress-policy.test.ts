import * as yaml from 'js-yaml';
import {
  ConsulDatacenterWideEntries, EgressPolicy, EgressPolicyProps, EgressProtocol, ExternalHost, Identity, Mesh, MtlsPhase, ReachabilityMatrix, ServiceRef,
  ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, failureOf, one, ofKind, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

const STRIPE: ExternalHost = { host: 'api.stripe.com' };
const HTTPBIN: ExternalHost = { host: 'httpbin.org', protocol: EgressProtocol.HTTP };
const props = (mesh: Mesh, over: Partial<EgressPolicyProps> = {}): EgressPolicyProps => ({ mesh, hosts: [STRIPE, HTTPBIN], ...over });
const synth = (p: EgressPolicyProps) => {
  const chart = shopChart();
  new EgressPolicy(chart, 'egress', p);
  return synthValidated(chart);
};
const dump = (objs: any[]) => objs.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');

describe('snapshots per mesh, validated against the pinned CRDs', () => {
  test.each([['istio', Mesh.istio()], ['linkerd', Mesh.linkerd()], ['consul', Mesh.consul()]] as const)('%s', (_name, mesh) => {
    expect(dump(synth(props(mesh)))).toMatchSnapshot();
  });
});

describe('Istio', () => {
  test('a ServiceEntry per host, exported to the namespace only; REGISTRY_ONLY by a namespace-wide Sidecar', () => {
    const out = synth(props(Mesh.istio()));
    expect(one(out, 'ServiceEntry', 'egress-api-stripe-com').spec).toEqual({
      hosts: ['api.stripe.com'],
      exportTo: ['.'],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
      ports: [{ number: 443, name: 'tls-443', protocol: 'TLS' }],
    });
    expect(one(out, 'ServiceEntry', 'egress-httpbin-org').spec.ports).toEqual([{ number: 80, name: 'http-80', protocol: 'HTTP' }]);
    expect(one(out, 'Sidecar', 'default').spec).toEqual({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(ofKind(out, 'DestinationRule')).toEqual([]);
  });

  test('TLS origination: the HTTP port targets 443, and a DestinationRule opens TLS with the host as SNI', () => {
    const out = synth(props(Mesh.istio(), { hosts: [{ ...HTTPBIN, originateTls: true }] }));
    expect(one(out, 'ServiceEntry', 'egress-httpbin-org').spec.ports).toEqual([{ number: 80, name: 'http-80', protocol: 'HTTP', targetPort: 443 }]);
    expect(one(out, 'DestinationRule', 'egress-httpbin-org').spec).toEqual({
      host: 'httpbin.org',
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'httpbin.org' } }] },
    });
  });

  test('a wildcard host is not resolved (NONE); a TCP host with addresses keeps them; registryOnly: false writes no Sidecar', () => {
    const out = synth(props(Mesh.istio(), {
      registryOnly: false,
      hosts: [{ host: '*.googleapis.com' }, { host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432, addresses: ['10.20.0.0/16'] }],
    }));
    expect(one(out, 'ServiceEntry', 'egress-wildcard-googleapis-com').spec.resolution).toBe('NONE');
    const db = one(out, 'ServiceEntry', 'egress-db-example-com-5432').spec;
    expect(db.addresses).toEqual(['10.20.0.0/16']);
    expect(db.ports).toEqual([{ number: 5432, name: 'tcp-5432', protocol: 'TCP' }]);
    expect(ofKind(out, 'Sidecar')).toEqual([]);
  });

  test('a TCP host without addresses: the analyzer warns (IST0134 class), naming the object', () => {
    synth(props(Mesh.istio(), { hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432 }] }));
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('I124 ServiceEntry shop/egress-db-example-com-5432'));
  });

  test('an empty list with registryOnly refuses every external host', () => {
    const out = synth(props(Mesh.istio(), { hosts: [] }));
    expect(ofKind(out, 'ServiceEntry')).toEqual([]);
    expect(one(out, 'Sidecar', 'default').spec.outboundTrafficPolicy.mode).toBe('REGISTRY_ONLY');
  });
});

describe('Linkerd', () => {
  test('an EgressNetwork (Deny) and a TLSRoute or HTTPRoute per host, attached to it with the port', () => {
    const out = synth(props(Mesh.linkerd()));
    expect(one(out, 'EgressNetwork', 'egress').spec).toEqual({ trafficPolicy: 'Deny' });
    const ref = { group: 'policy.linkerd.io', kind: 'EgressNetwork', name: 'egress' };
    const tls = one(out, 'TLSRoute', 'egress-api-stripe-com');
    // Linkerd edge-26.8's policy controller watches TLSRoute v1alpha2 only: a v1 route would be ignored
    expect(tls.apiVersion).toBe('gateway.networking.k8s.io/v1alpha2');
    expect(tls.spec).toEqual({ hostnames: ['api.stripe.com'], parentRefs: [{ ...ref, namespace: 'shop', port: 443 }], rules: [{ backendRefs: [{ ...ref, port: 443 }] }] });
    expect(one(out, 'HTTPRoute', 'egress-httpbin-org').spec.parentRefs).toEqual([{ ...ref, namespace: 'shop', port: 80 }]);
  });

  test('registryOnly: false allows other hosts (Allow)', () => {
    expect(one(synth(props(Mesh.linkerd(), { registryOnly: false })), 'EgressNetwork', 'egress').spec.trafficPolicy).toBe('Allow');
  });

  test('TCP hosts, TLS origination and callers are refused, naming why', () => {
    const msg = failureOf(chart => new EgressPolicy(chart, 'egress', props(Mesh.linkerd(), {
      hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432 }, { ...HTTPBIN, originateTls: true }],
      callers: [ServiceRef.fromName('payment', { port: 8080 })],
    })));
    expect(msg).toContain('hosts[0].protocol');
    expect(msg).toContain('hosts[1].originateTls');
    expect(msg).toContain('callers');
  });
});

describe('Consul', () => {
  test('per host a ServiceDefaults destination, a terminating gateway service and an intention; Mesh meshDestinationsOnly', () => {
    const out = synth(props(Mesh.consul(), { callers: [ServiceRef.fromName('payment', { port: 8080 }), ServiceRef.fromName('order', { port: 8080 })] }));
    expect(one(out, 'ServiceDefaults', 'egress-api-stripe-com').spec).toEqual({ protocol: 'tcp', destination: { addresses: ['api.stripe.com'], port: 443 } });
    expect(one(out, 'ServiceDefaults', 'egress-httpbin-org').spec).toEqual({ protocol: 'http', destination: { addresses: ['httpbin.org'], port: 80 } });
    expect(one(out, 'TerminatingGateway', 'terminating-gateway').spec).toEqual({ services: [{ name: 'egress-api-stripe-com' }, { name: 'egress-httpbin-org' }] });
    // the named callers only: every other service is denied here, whatever the datacenter's default
    expect(one(out, 'ServiceIntentions', 'egress-api-stripe-com').spec.sources).toEqual([{ name: 'order', action: 'allow' }, { name: 'payment', action: 'allow' }, { name: '*', action: 'deny' }]);
    expect(ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop', consulDefaultAllow: true }).check({ caller: 'shop/web', service: 'shop/egress-api-stripe-com' }).allowed).toBe(false);
    expect(one(out, 'Mesh', 'mesh').spec).toEqual({ transparentProxy: { meshDestinationsOnly: true } });
  });

  test('the terminating gateway and Mesh mesh are datacenter-wide: left to the platform with OMIT, saying what they must contain', () => {
    const chart = shopChart();
    const egress = new EgressPolicy(chart, 'egress', props(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.OMIT })));
    const out = synthValidated(chart);
    expect(ofKind(out, 'TerminatingGateway')).toHaveLength(0);
    expect(ofKind(out, 'Mesh')).toHaveLength(0);
    expect(egress.warnings.filter(w => !w.includes('connect-inject'))).toEqual([
      'TerminatingGateway terminating-gateway is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform\'s entry must list the services egress-api-stripe-com, egress-httpbin-org',
      'Mesh mesh is one per Consul datacenter and is not written (datacenterWideEntries: OMIT): the platform\'s entry must set transparentProxy.meshDestinationsOnly: true',
    ]);
    // written, with the annotation that marks them, when acknowledged
    const acknowledged = shopChart();
    new EgressPolicy(acknowledged, 'egress', props(Mesh.consul({ datacenterWideEntries: ConsulDatacenterWideEntries.WRITE })));
    expect(one(synthValidated(acknowledged), 'Mesh', 'mesh').metadata.annotations).toEqual({ 'cdk8s-mesh.io/consul-scope': 'datacenter' });
  });

  test('with a permissive zero-trust namespace: one Mesh entry carries both settings', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', {
      mesh: Mesh.consul(), mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }],
    });
    new EgressPolicy(chart, 'egress', props(Mesh.consul()));
    expect(one(synthValidated(chart), 'Mesh', 'mesh').spec).toEqual({ allowEnablingPermissiveMutualTLS: true, transparentProxy: { meshDestinationsOnly: true } });
  });

  test('two namespaces\' policies share the terminating gateway entry', () => {
    const chart = shopChart();
    new EgressPolicy(chart, 'a', props(Mesh.consul(), { hosts: [STRIPE] }));
    new EgressPolicy(chart, 'b', { mesh: Mesh.consul(), namespace: 'other', hosts: [HTTPBIN] });
    const out = synthValidated(chart);
    expect(ofKind(out, 'TerminatingGateway')).toHaveLength(1);
    expect(one(out, 'TerminatingGateway', 'terminating-gateway').spec.services).toEqual([{ name: 'egress-api-stripe-com' }, { name: 'egress-httpbin-org' }]);
  });

  test('the same host from two namespaces: Consul CE has one entry per name, and the analysis says so (C109)', () => {
    const msg = failureOf(chart => {
      new EgressPolicy(chart, 'a', props(Mesh.consul(), { hosts: [STRIPE] }));
      new EgressPolicy(chart, 'b', { mesh: Mesh.consul(), namespace: 'other', hosts: [STRIPE] });
    });
    expect(msg).toContain('[test/b/Intentions-egress-api-stripe-com] C109 ServiceIntentions other/egress-api-stripe-com');
  });

  test('policies that disagree on registryOnly are refused, naming both (meshDestinationsOnly is mesh-wide)', () => {
    const msg = failureOf(chart => {
      new EgressPolicy(chart, 'a', props(Mesh.consul(), { hosts: [STRIPE] }));
      new EgressPolicy(chart, 'b', { mesh: Mesh.consul(), namespace: 'other', hosts: [HTTPBIN], registryOnly: false });
    });
    expect(msg).toContain('[test/b] Mesh mesh: transparentProxy');
    expect(msg).toContain('[test/a] already set');
  });

  test('wildcards and TLS origination are refused', () => {
    const msg = failureOf(chart => new EgressPolicy(chart, 'egress', props(Mesh.consul(), { hosts: [{ host: '*.example.com' }, { ...HTTPBIN, originateTls: true }] })));
    expect(msg).toContain('hosts[0].host');
    expect(msg).toContain('hosts[1].originateTls');
  });
});

describe('bad input names the construct, the prop, the value and the fix', () => {
  test.each<[string, Partial<EgressPolicyProps>, string]>([
    ['hosts missing', { hosts: undefined as any }, 'hosts'],
    ['no hosts and not registry-only', { hosts: [], registryOnly: false }, 'lists the external hosts'],
    ['a star', { hosts: [{ host: '*' }] }, 'hosts[0].host'],
    ['a short name', { hosts: [{ host: 'stripe' }] }, 'a domain'],
    ['an IP', { hosts: [{ host: '10.0.0.1' }] }, 'hosts[0].host'],
    ['upper case', { hosts: [{ host: 'API.stripe.com' }] }, 'lower-case'],
    ['TCP without a port', { hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP }] }, 'a TCP host needs its port'],
    ['port 0', { hosts: [{ host: 'db.example.com', port: 0 }] }, 'hosts[0].port'],
    ['port 65536', { hosts: [{ host: 'db.example.com', port: 65536 }] }, 'from 1 to 65535'],
    ['originating TLS on TLS', { hosts: [{ ...STRIPE, originateTls: true }] }, 'already encrypted'],
    ['tlsPort without origination', { hosts: [{ ...HTTPBIN, tlsPort: 8443 }] }, 'tlsPort'],
    ['tlsPort equal to the port', { hosts: [{ ...HTTPBIN, originateTls: true, port: 443, tlsPort: 443 }] }, 'cannot also be the TLS port'],
    ['a duplicate', { hosts: [STRIPE, { host: 'api.stripe.com', port: 443 }] }, 'hosts[0] already allows api.stripe.com:443'],
    ['a bad address', { hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432, addresses: ['10.0.0.0/33'] }] }, 'not an IP address or CIDR'],
    ['addresses on TLS', { hosts: [{ ...STRIPE, addresses: ['10.0.0.1'] }] }, 'addresses are for TCP hosts'],
    ['callers on Istio', { callers: [ServiceRef.fromName('payment', { port: 8080 })] }, 'egress objects for the whole namespace'],
    ['bad namespace', { namespace: 'Shop' }, 'DNS-1123'],
  ])('%s', (_name, over, expected) => {
    const msg = failureOf(chart => new EgressPolicy(chart, 'egress', props(Mesh.istio(), over)));
    expect(msg).toContain('test/egress');
    expect(msg).toContain(expected);
  });

  test('both sides of the port limits: 1 and 65535 are accepted', () => {
    for (const port of [1, 65535]) {
      const out = synth(props(Mesh.istio(), { hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port, addresses: ['10.0.0.1'] }] }));
      expect(ofKind(out, 'ServiceEntry')[0].spec.ports[0].number).toBe(port);
    }
  });
});
