import { Testing } from 'cdk8s';
import { IstioDataPlane, Mesh, ServiceRef } from '../../../src';
import { ISTIO_EGRESS } from '../../../src/meshes/istio/egress';
import { ISTIO_INGRESS } from '../../../src/meshes/istio/ingress';
import { ISTIO_MULTI_CLUSTER } from '../../../src/meshes/istio/multicluster';
import { ISTIO_RESILIENCE } from '../../../src/meshes/istio/resilience';
import { ISTIO_TELEMETRY } from '../../../src/meshes/istio/telemetry';
import { ISTIO_ZERO_TRUST } from '../../../src/meshes/istio/zero-trust';
import { AMBIENT_EGRESS } from '../../../src/meshes/istio-ambient/egress';
import { AMBIENT_INGRESS } from '../../../src/meshes/istio-ambient/ingress';
import { AMBIENT_MULTI_CLUSTER } from '../../../src/meshes/istio-ambient/multicluster';
import { AMBIENT_RESILIENCE } from '../../../src/meshes/istio-ambient/resilience';
import { AMBIENT_TELEMETRY } from '../../../src/meshes/istio-ambient/telemetry';
import { AMBIENT_ZERO_TRUST } from '../../../src/meshes/istio-ambient/zero-trust';
import { EgressProtocol } from '../../../src/patterns/egress/props';
import { IngressApi } from '../../../src/patterns/ingress/props';
import { IstioMultiClusterMode } from '../../../src/patterns/multicluster/props';
import { MtlsPhase } from '../../../src/patterns/zero-trust/props';
import { shopChart } from '../../util';
import { renderContext } from '../context';

// the renderers of src/meshes/istio-ambient/ called directly, next to Istio's (sidecars) on the same intent
const ambient = renderContext(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }));
const sidecar = renderContext(Mesh.istio());
const payment = ServiceRef.fromName('payment', { port: 8080 });
const settings = (list: { setting: string }[]) => list.map(u => u.setting);
const kinds = (build: (chart: any) => void) => {
  const chart = shopChart();
  build(chart);
  return Testing.synth(chart).map(o => `${o.kind}/${o.metadata.name}`);
};

describe('resilience (istio-ambient/resilience.ts)', () => {
  const intent: any = {
    service: payment,
    serviceName: 'payment',
    namespace: 'shop',
    rules: [
      { name: 'default', source: 'retries', retrySource: 'retries', retry: { attempts: 3 } },
      { name: 'r0', source: 'routes[0]', retrySource: 'routes[0].retries', retry: { attempts: 2 } },
    ],
    rateLimit: { requestsPerSecond: 10, perCallerRequestsPerSecond: 5, overrides: [] },
    callers: [],
  };

  test('ambient refuses retries (per prop) and the whole rate limit; sidecars only the per-caller limit', () => {
    expect(settings(AMBIENT_RESILIENCE.unsupported(intent, ambient))).toEqual(['retries', 'routes[0].retries', 'rateLimit']);
    expect(settings(ISTIO_RESILIENCE.unsupported(intent, sidecar))).toEqual(['rateLimit.perCallerRequestsPerSecond']);
    expect(AMBIENT_RESILIENCE.unsupported({ ...intent, rules: [], rateLimit: undefined }, ambient)).toEqual([]);
  });

  test('ambient writes no rate limit (no sidecar takes the EnvoyFilter); sidecars do', () => {
    expect(kinds(chart => AMBIENT_RESILIENCE.render(chart, intent, ambient))).toEqual([]);
    expect(kinds(chart => ISTIO_RESILIENCE.render(chart, intent, sidecar))).toEqual(['EnvoyFilter/payment-local-ratelimit']);
  });
});

describe('zero trust (istio-ambient/zero-trust.ts)', () => {
  const intent: any = { namespace: 'shop', phase: MtlsPhase.STRICT, exceptions: [{ service: payment, port: 9090, mode: 'DISABLE', reason: 'probes' }], allow: [], deny: [] };

  test('ambient refuses DISABLE exceptions (ztunnel always speaks mTLS); sidecars take them', () => {
    expect(settings(AMBIENT_ZERO_TRUST.unsupported(intent, ambient))).toEqual(['mtlsExceptions[0].mode']);
    expect(ISTIO_ZERO_TRUST.unsupported(intent, sidecar)).toEqual([]);
  });

  test('ambient enrols the namespace in ambient (its Namespace object) besides Istio\'s policies', () => {
    const policies = ['PeerAuthentication/default', 'PeerAuthentication/payment-mtls-exception', 'AuthorizationPolicy/default-deny'];
    expect(kinds(chart => ISTIO_ZERO_TRUST.render(chart, intent, sidecar))).toEqual(policies);
    const chart = shopChart();
    AMBIENT_ZERO_TRUST.render(chart, intent, ambient);
    const out = Testing.synth(chart);
    expect(out.map(o => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...policies, 'Namespace/shop'].sort());
    expect(out.find(o => o.kind === 'Namespace').metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
  });
});

describe('multi-cluster (istio-ambient/multicluster.ts)', () => {
  test('ambient refuses the pattern as a whole; sidecars nothing for a plain intent', () => {
    const intent: any = {
      clusters: [], exports: [], failover: true, istioMode: IstioMultiClusterMode.MULTI_PRIMARY, linkerdRemoteDiscovery: false, istioEastWestGateway: false,
    };
    expect(AMBIENT_MULTI_CLUSTER.unsupported(intent, ambient)).toEqual([expect.objectContaining({ setting: 'mesh', value: 'ambient' })]);
    expect(ISTIO_MULTI_CLUSTER.unsupported(intent, sidecar)).toEqual([]);
  });
});

describe('ingress (istio-ambient/ingress.ts)', () => {
  const intent = (gatewayClassName: string): any => ({
    name: 'shop',
    namespace: 'shop',
    host: 'shop.example.com',
    api: IngressApi.GATEWAY_API,
    routes: [{ prefix: '/', service: payment, port: 8080 }],
    gatewayClassName,
    istioGatewayNamespace: 'istio-system',
    istioGatewayServiceAccount: 'istio-ingressgateway',
    namespaceOf: () => 'shop',
    resilientServices: () => [],
    enrolBackends: () => undefined,
  });
  const labels = (renderer: typeof ISTIO_INGRESS, context: any, cls: string) => {
    const chart = shopChart();
    renderer.render(chart, intent(cls), context);
    return Testing.synth(chart).find(o => o.kind === 'Gateway').spec.infrastructure?.labels;
  };

  test('ambient defaults to the Gateway API; sidecars to the Istio API', () => {
    expect(AMBIENT_INGRESS.defaultApi(ambient.mesh)).toBe(IngressApi.GATEWAY_API);
    expect(ISTIO_INGRESS.defaultApi(sidecar.mesh)).toBe(IngressApi.ISTIO);
  });

  test('ambient keeps the pods of an istio-class Gateway out of ztunnel; not another class\'s, and not on sidecars', () => {
    expect(labels(AMBIENT_INGRESS, ambient, 'istio')).toEqual({ 'istio.io/dataplane-mode': 'none' });
    expect(labels(AMBIENT_INGRESS, ambient, 'eg')).toBeUndefined();
    expect(labels(ISTIO_INGRESS, sidecar, 'istio')).toBeUndefined();
  });
});

describe('egress (istio-ambient/egress.ts)', () => {
  const intent = (registryOnly: boolean): any => ({
    namespace: 'shop',
    registryOnly,
    callers: [],
    hosts: [{ host: 'api.stripe.com', protocol: EgressProtocol.HTTP, port: 80, originateTls: true, tlsPort: 443, addresses: [], slug: 'api-stripe-com' }],
  });

  test('ambient refuses registryOnly, even when dropping (no sidecar applies it); sidecars write it', () => {
    expect(AMBIENT_EGRESS.unsupported(intent(true), ambient)).toEqual([expect.objectContaining({ setting: 'registryOnly', keep: 'the pods would reach every destination' })]);
    expect(ISTIO_EGRESS.unsupported(intent(true), sidecar)).toEqual([]);
    // Consul's terminating gateway is not read (reads), so the construct refuses it (EGRESS_OWNED), not the renderer
    expect(AMBIENT_EGRESS.unsupported({ ...intent(false), consulTerminatingGateway: 'gw' }, ambient).map(u => u.setting)).toEqual([]);
    expect(AMBIENT_EGRESS.reads).toEqual([]);
  });

  test('ambient originates TLS in the egress waypoint, which the ServiceEntry is enrolled with; sidecars in the sidecar', () => {
    const entry = (renderer: typeof ISTIO_EGRESS, context: any) => {
      const chart = shopChart();
      renderer.render(chart, intent(false), context);
      const out = Testing.synth(chart);
      return [out.find(o => o.kind === 'ServiceEntry').metadata.labels?.['istio.io/use-waypoint'], out.filter(o => o.kind === 'Gateway').map(o => o.metadata.name)];
    };
    expect(entry(AMBIENT_EGRESS, ambient)).toEqual(['waypoint', ['waypoint']]);
    expect(entry(ISTIO_EGRESS, sidecar)).toEqual([undefined, []]);
  });
});

describe('telemetry (istio-ambient/telemetry.ts)', () => {
  const telemetry = (renderer: typeof ISTIO_TELEMETRY, context: any, service?: ServiceRef) => {
    const chart = shopChart();
    renderer.render(chart, { namespace: 'shop', service, metrics: {} } as any, context);
    const out = Testing.synth(chart);
    const spec = out.find(o => o.kind === 'Telemetry').spec;
    return [spec.selector, spec.targetRefs, out.filter(o => o.kind === 'Gateway').map(o => o.metadata.name)];
  };

  test('ambient: a service\'s telemetry targets the Service, served by its waypoint; sidecars select its pods', () => {
    expect(telemetry(AMBIENT_TELEMETRY, ambient, payment)).toEqual([undefined, [{ group: '', kind: 'Service', name: 'payment' }], ['waypoint']]);
    expect(telemetry(ISTIO_TELEMETRY, sidecar, payment)).toEqual([{ matchLabels: { app: 'payment' } }, undefined, []]);
  });

  test('ambient: a namespace\'s telemetry gets the namespace waypoint; sidecars apply it to every pod', () => {
    expect(telemetry(AMBIENT_TELEMETRY, ambient)).toEqual([undefined, undefined, ['waypoint']]);
    expect(telemetry(ISTIO_TELEMETRY, sidecar)).toEqual([undefined, undefined, []]);
  });
});
