import { Construct } from 'constructs';
import * as linkerd from '../../imports/linkerd';
import type { Unsupported } from '../../model/unsupported';
import type { EgressIntent } from '../../patterns/egress/intent';
import { EgressProtocol } from '../../patterns/egress/props';
import { objectMetadata } from '../../private/metadata';
import { EgressRenderer, RenderContext } from '../renderer';
import { HttpRoute } from '../unconverted';

const LINKERD_EGRESS_NETWORK = 'egress';

/** Linkerd: an EgressNetwork (Deny with registryOnly) and a Gateway API HTTPRoute or TLSRoute per host. */
export const LINKERD_EGRESS: EgressRenderer = {
  // Consul's consulTerminatingGateway is refused by the construct (EGRESS_OWNED)
  reads: [],

  unsupported(intent: EgressIntent, { mesh }: RenderContext) {
    const out: Unsupported[] = [];
    intent.hosts.forEach((h, i) => {
      if (h.protocol === EgressProtocol.TCP) {
        out.push({ setting: `hosts[${i}].protocol`, value: h.protocol, why: 'Linkerd tells TCP destinations apart by address, and the library writes no TCPRoute', alternative: 'reach the host over TLS, or allow its network with registryOnly: false' });
      }
      if (h.originateTls) {
        out.push({
          setting: `hosts[${i}].originateTls`,
          value: true,
          why: 'the Linkerd proxy does not originate TLS to external hosts',
          alternative: 'call the host over HTTPS from the application (protocol: EgressProtocol.TLS)',
        });
      }
      if (h.addresses.length) {
        out.push({ setting: `hosts[${i}].addresses`, value: h.addresses, why: 'the library writes addresses only into Istio ServiceEntries', alternative: 'remove addresses' });
      }
    });
    // what only Consul expresses: named callers (its terminating gateway: EGRESS_OWNED)
    if (intent.callers.length) {
      out.push({ setting: 'callers', value: intent.callers.map(c => c.name), why: `${mesh.displayName} egress rules apply to the whole namespace`, alternative: 'put the callers in a namespace of their own, or remove callers', keep: 'the rules would apply to the whole namespace' });
    }
    return out;
  },

  render(scope: Construct, intent: EgressIntent) {
    const hosts = intent.hosts;
    const ns = intent.namespace;
    new linkerd.EgressNetwork(scope, 'EgressNetwork', {
      metadata: objectMetadata(LINKERD_EGRESS_NETWORK, ns),
      spec: { trafficPolicy: intent.registryOnly ? linkerd.EgressNetworkSpecTrafficPolicy.DENY : linkerd.EgressNetworkSpecTrafficPolicy.ALLOW },
    });
    const ref = { group: 'policy.linkerd.io', kind: 'EgressNetwork', name: LINKERD_EGRESS_NETWORK };
    for (const h of hosts) {
      const spec = {
        hostnames: [h.host],
        parentRefs: [{ ...ref, namespace: ns, port: h.port }],
        rules: [{ backendRefs: [{ ...ref, port: h.port }] }],
      };
      if (h.protocol === EgressProtocol.HTTP) {
        new HttpRoute(scope, `HTTPRoute-${h.slug}`, { metadata: objectMetadata(h.slug, ns), spec });
      } else {
        // TLSRoute v1alpha2: Linkerd edge-26.8's policy controller watches that version only and skips
        // the watch when it is not served (policy-controller/k8s/api/src/lib.rs, `gateway::TLSRoute`
        // pinned to v1alpha2). Gateway API 1.6 standard serves v1 only: the cluster needs Linkerd's
        // bundled Gateway API CRDs or the experimental channel (docs/cluster-linkerd.md)
        new linkerd.TlsRoute(scope, `TLSRoute-${h.slug}`, { metadata: objectMetadata(h.slug, ns), spec });
      }
    }
  },
};
