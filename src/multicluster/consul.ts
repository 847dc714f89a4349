import { Construct } from 'constructs';
import { MultiClusterIntent, MultiClusterRenderer } from './intent';
import { MeshAnalysis } from '../analysis/synth-check';
import * as consul from '../imports/consul';
import { Mesh } from '../mesh';
import { ConsulServiceDefaults } from '../private/consul-service-defaults';
import { DATACENTER_WIDE, writesDatacenterWide } from '../private/consul-singletons';
import { objectMetadata } from '../private/metadata';
import { ServiceTraffic } from '../traffic/service-traffic';

/**
 * Consul (cluster peering): each exporter has one `ExportedServices` named `default` listing its
 * exports and their consumer peers (or the sameness group); consumers that run the service too fail
 * over to the exporter with a `ServiceResolver`; with a sameness group, every cluster has its
 * `SamenessGroup`; remote callers are let in with `ServiceIntentions` sources from their peer.
 * Peering itself is set up with consul-k8s PeeringAcceptor and PeeringDialer (token exchange).
 */
export const MC_CONSUL: MultiClusterRenderer = {
  unsupported(intent: MultiClusterIntent, mesh: Mesh) {
    const out: { setting: string; value: unknown; why: string; alternative: string }[] = [];
    if (intent.samenessGroup && !mesh.consulEnterprise) {
      out.push({ setting: 'consulSamenessGroup', value: intent.samenessGroup, why: 'sameness groups are a Consul Enterprise feature', alternative: 'use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or name the peers (remove consulSamenessGroup)' });
    }
    if (intent.linkerdRemoteDiscovery) out.push({ setting: 'linkerdRemoteDiscovery', value: true, why: 'remote discovery is Linkerd\'s', alternative: 'remove it for Consul' });
    return out;
  },

  render(intent: MultiClusterIntent, mesh: Mesh, by: Construct) {
    for (const c of intent.clusters) {
      MeshAnalysis.of(c.chart);
      const exports = intent.exports.filter(e => e.from === c);
      const listed = exports.map(e => `${e.service.name} to ${intent.samenessGroup ? `sameness group ${intent.samenessGroup}` : e.to.map(t => t.name).join(', ')}`).join('; ');
      if (exports.length && writesDatacenterWide(by, mesh, `ExportedServices default (cluster ${c.name})`, `export ${listed}`)) {
        new consul.ExportedServices(c.chart, 'ExportedServices', {
          // Consul CE allows one ExportedServices, named default (one per admin partition on Enterprise)
          metadata: objectMetadata('default', exports[0].namespace, { annotations: DATACENTER_WIDE }),
          spec: {
            services: exports.map(e => ({
              name: e.service.name,
              consumers: intent.samenessGroup ? [{ samenessGroup: intent.samenessGroup }] : e.to.map(t => ({ peer: t.name })),
            })),
          },
        });
      }
      const members = intent.clusters.filter(o => o !== c).map(o => o.name).join(', ');
      if (intent.samenessGroup && writesDatacenterWide(by, mesh, `SamenessGroup ${intent.samenessGroup} (cluster ${c.name})`, `list the peers ${members}${intent.failover ? ' with defaultForFailover: true' : ''}`)) {
        new consul.SamenessGroup(c.chart, 'SamenessGroup', {
          metadata: objectMetadata(intent.samenessGroup, exports[0]?.namespace, { annotations: DATACENTER_WIDE }),
          spec: { defaultForFailover: intent.failover, includeLocal: true, members: intent.clusters.filter(o => o !== c).map(o => ({ peer: o.name })) },
        });
      }
    }
    for (const e of intent.exports) {
      // an HTTP chain fails over only to a target of the same protocol: the exporter declares it too
      // (discoverychain/compile.go recordProtocol; tcp, the default, would not match)
      if (intent.failover) {
        ConsulServiceDefaults.of(e.from.chart, e.service.name, e.namespace).setProtocol(e.service.protocol, e.from.chart.node.path);
      }
      if (e.callers.length) {
        new consul.ServiceIntentions(e.from.chart, `RemoteCallers-${e.service.name}`, {
          metadata: objectMetadata(`${e.service.name}-remote-callers`, e.namespace),
          spec: {
            destination: { name: e.service.name },
            // Enterprise: a peer source without a namespace is the peer's `default` namespace
            // (config_entry_intentions.go normalize), so the caller's namespace is written
            sources: e.to.flatMap(t => e.callers.map(id => ({
              name: id.name, ...(mesh.consulEnterprise ? { namespace: id.namespace ?? e.namespace } : {}), peer: t.name, action: 'allow',
            }))),
          },
        });
      }
      if (!intent.failover || intent.samenessGroup) continue;
      for (const c of e.localIn) {
        // into the service's one ServiceResolver in that cluster's chart (with its canary subsets, if any)
        const local = c.services.find(s => s.name === e.service.name)!;
        ServiceTraffic.of(c.chart, mesh, local).addFailover({ localRegion: c.region, remotes: [{ region: e.from.region, peer: e.from.name }] }, by);
      }
    }
  },
};
