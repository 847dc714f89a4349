import { Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { recordRemoteCallers, ownRemoteCallers } from './remote-callers';
import { ConsulServiceDefaults } from './service-defaults';
import { DATACENTER_WIDE, writesDatacenterWide } from './singletons';
import * as consul from '../../imports/consul';
import { Mesh } from '../../model/mesh';
import type { Unsupported } from '../../model/unsupported';
import { CROSS_CLUSTER_KEEP, ExportIntent, MultiClusterIntent } from '../../patterns/multicluster/intent';
import { addDroppedNote, markJoined } from '../../private/dropped';
import { objectMetadata } from '../../private/metadata';
import { MultiClusterRenderer, RenderContext } from '../renderer';
import { ServiceIntentions } from '../unconverted';

/**
 * Consul (cluster peering): each exporter has one `ExportedServices` named `default` listing its
 * exports and their consumer peers (or the sameness group); consumers that run the service too fail
 * over to the exporter with a `ServiceResolver`; with a sameness group, every cluster has its
 * `SamenessGroup`; remote callers are let in with `ServiceIntentions` sources from their peer.
 * Peering itself is set up with consul-k8s PeeringAcceptor and PeeringDialer (token exchange).
 */
export const CONSUL_MULTI_CLUSTER: MultiClusterRenderer = {
  unsupported(intent: MultiClusterIntent, { mesh }: RenderContext) {
    const out: Unsupported[] = [];
    if (intent.samenessGroup && !mesh.consulEnterprise) {
      out.push({ setting: 'consulSamenessGroup', value: intent.samenessGroup, why: 'sameness groups are a Consul Enterprise feature', alternative: 'use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or name the peers (remove consulSamenessGroup)', keep: CROSS_CLUSTER_KEEP });
    }
    return out;
  },

  render(by: Construct, intent: MultiClusterIntent, { mesh, droppedNote }: RenderContext) {
    for (const c of intent.clusters) {
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
        const defaults = ConsulServiceDefaults.of(e.from.chart, e.service.name, e.namespace);
        defaults.setProtocol(e.service.protocol, e.from.chart.node.path);
        defaults.addDroppedNote(droppedNote);
      }
      if (e.callers.length) remoteCallers(e, mesh, droppedNote);
      if (!intent.failover || intent.samenessGroup) continue;
      for (const c of e.localIn) {
        // into the service's one ServiceResolver in that cluster's chart (with its canary subsets, if any)
        const local = c.services.find(s => s.name === e.service.name)!;
        intent.addFailover(c.chart, local, { localRegion: c.region, remotes: [{ region: e.from.region, peer: e.from.name }] }, by);
      }
    }
  },

  // the other meshes' settings (linkerdRemoteDiscovery, istioEastWestGateway) are refused by the construct
  reads: ['consulSamenessGroup'],
  // deny by default is datacenter-wide (the * → * intention or the ACL default policy), not a namespace's,
  // and the export's ServiceIntentions is the service's one (consul-k8s: one per destination)
  withoutZeroTrust: undefined,
};

type Source = consul.ServiceIntentionsSpecSources;

/**
 * The ServiceIntentions of `name` that a ZeroTrustNamespace already wrote into the chart, if any: Consul
 * takes one per destination (consul-k8s serviceintentions_webhook.go), so remote callers join it.
 */
function chartIntentions(chart: Chart, name: string, ns: string): consul.ServiceIntentions | undefined {
  // a ZeroTrustNamespace created after the export takes the callers in then (rejoinRemoteCallers)
  return chart.node.findAll().find((c): c is consul.ServiceIntentions => c instanceof consul.ServiceIntentions
    && c.toJson().spec?.destination?.name === name && (c.metadata.namespace ?? ns) === ns);
}

/**
 * The remote callers of an export, as sources from their peers. A peer source is matched by the
 * peer's trust domain, and no local `*` source matches a peer's callers (agent/xds/rbac.go
 * makeSpiffePattern: a local wildcard is bound to the local trust domain), so with ACLs off (the Helm
 * default) every caller the intentions do not decide is allowed: each peer gets a `*` deny, and the
 * destination a local one. A caller that the exporting cluster's ZeroTrustNamespace names (the same
 * service account, as on Istio where one trust domain makes them one identity) gets that source's
 * permissions, which end with a deny of the rest; any other caller is allowed every request.
 */
function remoteCallers(e: ExportIntent, mesh: Mesh, droppedNote: string | undefined): void {
  const ee = mesh.consulEnterprise;
  const own = ownRemoteCallers(e.from.chart, e.service.name);
  const existing = own ?? chartIntentions(e.from.chart, e.service.name, e.namespace);
  const local: Source[] = existing ? existing.toJson().spec?.sources ?? [] : [];
  const peerSources: Source[] = e.to.flatMap(t => [
    ...[...new Map(e.callers.map(id => [`${id.namespace ?? e.namespace}/${id.name}`, id] as const)).values()].map(id => {
      const namespace = id.namespace ?? e.namespace;
      const same = local.find(s => s.name === id.name && !s.peer && (!ee || (s.namespace ?? e.namespace) === namespace));
      const decision = same?.permissions?.length ? { permissions: same.permissions } : { action: same?.action === 'deny' ? 'deny' : 'allow' };
      return { name: id.name, ...(ee ? { namespace } : {}), peer: t.name, ...decision };
    }),
    { name: '*', ...(ee ? { namespace: '*' } : {}), peer: t.name, action: 'deny' },
  ]);
  if (existing) {
    // after the local sources, before the local `*` deny the zero trust ends with
    const wildcard = local.findIndex(s => s.name === '*' && !s.peer);
    const at = wildcard < 0 ? local.length : wildcard;
    existing.addJsonPatch(JsonPatch.replace('/spec/sources', [...local.slice(0, at), ...peerSources, ...local.slice(at)]));
    // the sources are the export's: so is its note, on the zero trust's object too (and after a rejoin)
    addDroppedNote(existing, droppedNote);
    // a second export into the callers' own object: written again too if a zero trust replaces it
    if (own) recordRemoteCallers(own, () => remoteCallers(e, mesh, droppedNote));
    return;
  }
  const obj = new ServiceIntentions(e.from.chart, `RemoteCallers-${e.service.name}`, {
    metadata: objectMetadata(`${e.service.name}-remote-callers`, e.namespace),
    spec: {
      destination: { name: e.service.name },
      // Enterprise: a peer source without a namespace is the peer's `default` namespace
      // (config_entry_intentions.go normalize), so the caller's namespace is written
      sources: [...peerSources, { name: '*', ...(ee ? { namespace: '*' } : {}), action: 'deny' }],
    },
  });
  markJoined(obj);
  addDroppedNote(obj, droppedNote);
  recordRemoteCallers(obj, () => remoteCallers(e, mesh, droppedNote));
}
