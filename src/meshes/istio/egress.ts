import { Construct } from 'constructs';
import { USE_WAYPOINT_LABEL } from './ambient';
import * as istio from '../../imports/istio';
import { Mesh } from '../../model/mesh';
import type { Unsupported } from '../../model/unsupported';
import type { EgressIntent } from '../../patterns/egress/intent';
import { EgressProtocol } from '../../patterns/egress/props';
import { objectMetadata } from '../../private/metadata';
import { EgressRenderer, RenderContext } from '../renderer';
import { ServiceEntry } from '../unconverted';

/**
 * Istio with sidecars: a ServiceEntry per host (exported to the namespace only), a DestinationRule for TLS
 * origination, and a REGISTRY_ONLY Sidecar (ambient: istio-ambient/egress.ts, with istioEgressRender).
 */
export const ISTIO_EGRESS: EgressRenderer = {
  // Consul's consulTerminatingGateway is refused by the construct (EGRESS_OWNED)
  reads: [],

  unsupported(intent: EgressIntent, { mesh }: RenderContext) {
    return notConsul(intent, mesh.displayName);
  },

  render: istioEgressRender(() => undefined),
};

/**
 * Istio's egress objects, on either data plane: `tlsWaypoint` is the waypoint a ServiceEntry whose TLS is
 * originated by the mesh is enrolled with (ambient, where the waypoint originates it), or undefined (sidecars).
 */
export function istioEgressRender(tlsWaypoint: (scope: Construct, namespace: string, mesh: Mesh) => string | undefined) {
  return function render(scope: Construct, intent: EgressIntent, { mesh }: RenderContext): void {
    const hosts = intent.hosts;
    const ns = intent.namespace;
    const SIMPLE = istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.SIMPLE;
    for (const h of hosts) {
      const protocol = h.protocol === EgressProtocol.TCP ? 'TCP' : h.protocol;
      const waypoint = h.originateTls ? tlsWaypoint(scope, ns, mesh) : undefined;
      new ServiceEntry(scope, `ServiceEntry-${h.slug}`, {
        metadata: objectMetadata(h.slug, ns, waypoint ? { labels: { [USE_WAYPOINT_LABEL]: waypoint } } : {}),
        spec: {
          hosts: [h.host],
          addresses: h.addresses.length ? h.addresses : undefined,
          exportTo: ['.'],
          location: istio.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          // a wildcard host cannot be resolved, and CIDR addresses allow only NONE: the proxy forwards to the
          // address the application asked for
          resolution: h.host.startsWith('*.') || h.addresses.some(a => a.includes('/'))
            ? istio.ServiceEntrySpecResolution.NONE
            : istio.ServiceEntrySpecResolution.DNS,
          ports: [{ number: h.port, name: `${protocol.toLowerCase()}-${h.port}`, protocol, targetPort: h.originateTls ? h.tlsPort : undefined }],
        },
      });
      if (h.originateTls) {
        new istio.DestinationRule(scope, `DestinationRule-${h.slug}`, {
          metadata: objectMetadata(h.slug, ns),
          spec: {
            host: h.host,
            exportTo: ['.'],
            trafficPolicy: {
              portLevelSettings: [{ port: { number: h.port }, tls: { mode: SIMPLE, sni: h.host } }],
            },
          },
        });
      }
    }
    if (intent.registryOnly) {
      new istio.Sidecar(scope, 'Sidecar', {
        metadata: objectMetadata('default', ns),
        spec: { outboundTrafficPolicy: { mode: istio.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY } },
      });
    }
  };
}

/** What only Consul expresses: named callers (its terminating gateway is refused by the construct, EGRESS_OWNED). */
function notConsul(intent: EgressIntent, displayName: string) {
  const out: Unsupported[] = [];
  if (intent.callers.length) {
    out.push({ setting: 'callers', value: intent.callers.map(c => c.name), why: `this construct writes the ${displayName} egress objects for the whole namespace: ServiceEntries exported to the namespace and, for registryOnly, a Sidecar without a workloadSelector`, alternative: 'put the callers in a namespace of their own, or remove callers (a Sidecar with a workloadSelector per caller, written by hand, can narrow it)', keep: 'every workload of the namespace could reach the hosts' });
  }
  return out;
}
