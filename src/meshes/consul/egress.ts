import { Construct } from 'constructs';
import { ConsulServiceDefaults } from './service-defaults';
import { ConsulMeshEntry, ConsulTerminatingGateway, writesDatacenterWide } from './singletons';
import type { Unsupported } from '../../model/unsupported';
import type { EgressIntent } from '../../patterns/egress/intent';
import { EgressProtocol } from '../../patterns/egress/props';
import { objectMetadata } from '../../private/metadata';
import { EgressRenderer, RenderContext } from '../renderer';
import { ServiceIntentions } from '../unconverted';

/**
 * Consul: per host a ServiceDefaults destination, a place on the terminating gateway and an intention,
 * and Mesh `meshDestinationsOnly`.
 */
export const CONSUL_EGRESS: EgressRenderer = {
  // its terminating gateway's name
  reads: ['consulTerminatingGateway'],

  unsupported(intent: EgressIntent) {
    const out: Unsupported[] = [];
    intent.hosts.forEach((h, i) => {
      if (h.originateTls) {
        out.push({
          setting: `hosts[${i}].originateTls`,
          value: true,
          why: 'Consul originates TLS at the terminating gateway only with a CA file mounted in the gateway',
          alternative: 'call the host over HTTPS from the application (protocol: EgressProtocol.TLS)',
        });
      }
      if (h.addresses.length) {
        out.push({ setting: `hosts[${i}].addresses`, value: h.addresses, why: 'the library writes addresses only into Istio ServiceEntries', alternative: 'remove addresses' });
      }
      if (h.host.startsWith('*.')) {
        out.push({ setting: `hosts[${i}].host`, value: h.host, why: 'a Consul destination names its addresses exactly', alternative: 'list each subdomain', keep: 'the host is the allow-list itself' });
      }
    });
    return out;
  },

  render(scope: Construct, intent: EgressIntent, { mesh }: RenderContext) {
    const hosts = intent.hosts;
    const callers = intent.callers;
    const gateway = intent.consulTerminatingGateway ?? 'terminating-gateway';
    const ns = intent.namespace;
    for (const h of hosts) {
      const entry = ConsulServiceDefaults.of(scope, h.slug, ns);
      entry.setProtocol(h.protocol === EgressProtocol.HTTP ? 'http' : 'tcp', scope.node.path);
      entry.setDestination({ addresses: [h.host], port: h.port }, scope.node.path);
      new ServiceIntentions(scope, `Intentions-${h.slug}`, {
        metadata: objectMetadata(h.slug, ns),
        spec: {
          destination: { name: h.slug },
          // the named callers, and no other service, whatever the datacenter's default
          sources: callers.length
            ? [...[...new Set(callers.map(c => c.name))].sort().map(name => ({ name, action: 'allow' })), { name: '*', action: 'deny' }]
            : [{ name: '*', action: 'allow' }],
        },
      });
    }
    // the terminating gateway's entry and Mesh `mesh` are one per datacenter (Mesh.consul datacenterWideEntries)
    const slugs = hosts.map(h => h.slug).join(', ');
    if (writesDatacenterWide(scope, mesh, `TerminatingGateway ${gateway}`, `list the services ${slugs}`)) {
      const terminatingGateway = ConsulTerminatingGateway.of(scope, gateway, ns);
      for (const h of hosts) terminatingGateway.addService(h.slug);
    }
    // mesh-wide in Consul: every egress policy of the chart must agree
    if (writesDatacenterWide(scope, mesh, 'Mesh mesh', `set transparentProxy.meshDestinationsOnly: ${intent.registryOnly}`)) {
      ConsulMeshEntry.of(scope, ns).setMeshDestinationsOnly(intent.registryOnly, scope.node.path);
    }
  },
};
