import { MultiClusterIntent, MultiClusterRenderer } from './intent';
import { MeshAnalysis } from '../analysis/synth-check';
import * as linkerd from '../imports/linkerd';
import { Mesh } from '../mesh';
import { objectMetadata } from '../private/metadata';

const EXPORTED = 'mirror.linkerd.io/exported';

/**
 * Linkerd: exported Services carry `mirror.linkerd.io/exported` (`true` through the multicluster
 * gateway, `remote-discovery` on a flat network); each consumer has a `Link` to each exporter
 * (whose credentials Secret comes from `linkerd multicluster link-gen`). Linkerd has no failover of
 * its own (the linkerd-failover extension does it), and remote callers are authorized by the
 * exporting cluster's Server policy (a ZeroTrustNamespace there), so both are refused with the
 * alternatives.
 */
export const MC_LINKERD: MultiClusterRenderer = {
  unsupported(intent: MultiClusterIntent) {
    const out: { setting: string; value: unknown; why: string; alternative: string }[] = [];
    intent.exports.forEach((e, i) => {
      if (!e.service.ownsServiceObject) {
        out.push({ setting: `exports[${i}].service`, value: e.service.name, why: 'an export is a label on the Service object, which is not part of this app', alternative: 'pass the cdk8s-plus Service with ServiceRef.fromService(service)' });
      }
      if (intent.failover && e.localIn.length) {
        out.push({ setting: 'failover', value: true, why: `${e.service.name} also runs in ${e.localIn.map(c => c.name).join(', ')}, and Linkerd has no locality failover of its own`, alternative: 'install the linkerd-failover extension (TrafficSplit-based), or set failover: false and call the mirrored <service>-<cluster> Service' });
      }
      if (e.callers.length) {
        out.push({
          setting: `exports[${i}].callers`,
          value: e.callers.length + ' caller(s)',
          why: intent.linkerdRemoteDiscovery
            ? 'Linkerd authorizes at the exporting cluster\'s Server, which this construct does not own'
            : 'through the multicluster gateway, requests arrive with the gateway\'s identity, not the remote caller\'s',
          alternative: 'authorize the callers (or, through the gateway, the gateway identity) with a ZeroTrustNamespace rule in the exporting cluster',
        });
      }
    });
    if (!intent.linkerdRemoteDiscovery) {
      intent.exports.forEach(e => {
        if (!e.from.gatewayAddress) out.push({ setting: `clusters[${intent.clusters.indexOf(e.from)}].gatewayAddress`, value: undefined, why: 'a Link to a cluster names its multicluster gateway\'s address', alternative: `set gatewayAddress of ${e.from.name} (the linkerd-gateway Service's external address), or use linkerdRemoteDiscovery` });
      });
    }
    if (intent.samenessGroup) out.push({ setting: 'consulSamenessGroup', value: intent.samenessGroup, why: 'sameness groups are Consul\'s', alternative: 'remove it for Linkerd' });
    return out;
  },

  render(intent: MultiClusterIntent, mesh: Mesh) {
    const mode = intent.linkerdRemoteDiscovery ? 'remote-discovery' : 'true';
    for (const c of intent.clusters) MeshAnalysis.of(c.chart);
    for (const e of intent.exports) e.service._labelService(EXPORTED, mode);
    const links = new Set<string>();
    for (const e of intent.exports) {
      for (const c of e.to) {
        const key = `${c.name}<-${e.from.name}`;
        if (links.has(key)) continue;
        links.add(key);
        new linkerd.Link(c.chart, `Link-${e.from.name}`, {
          metadata: objectMetadata(e.from.name, 'linkerd-multicluster'),
          spec: {
            targetClusterName: e.from.name,
            targetClusterDomain: mesh.clusterDomain,
            targetClusterLinkerdNamespace: 'linkerd',
            clusterCredentialsSecret: `cluster-credentials-${e.from.name}`,
            gatewayAddress: e.from.gatewayAddress ?? '',
            gatewayPort: '4143',
            gatewayIdentity: `linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.${e.from.trustDomain}`,
            probeSpec: { path: '/ready', port: '4191', period: '3s' },
            selector: { matchLabels: { [EXPORTED]: 'true' } },
            remoteDiscoverySelector: { matchLabels: { [EXPORTED]: 'remote-discovery' } },
          },
        });
      }
    }
  },
};
