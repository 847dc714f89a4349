import { Construct, IConstruct } from 'constructs';
import { LinkerdServer } from './server';
import * as linkerd from '../../imports/linkerd';
import { IdentityKind } from '../../model/identity';
import { Mesh } from '../../model/mesh';
import type { Unsupported } from '../../model/unsupported';
import { CROSS_CLUSTER_KEEP, ExportIntent, MultiClusterIntent } from '../../patterns/multicluster/intent';
import { objectMetadata } from '../../private/metadata';
import { MultiClusterRenderer, RenderContext } from '../renderer';
import { MeshTlsAuthentication } from '../unconverted';

/**
 * The export label of a Service: `true` through the multicluster gateway, `remote-discovery` on a flat network,
 * which the Links' default selectors match (multicluster/cmd/link.go; the service mirror evaluates the Link's
 * `selector` and `remoteDiscoverySelector` against the remote Service's labels: cluster_watcher.go isExported,
 * isRemoteDiscovery).
 */
const EXPORTED = 'mirror.linkerd.io/exported';

/**
 * Who reaches an exported Service through the multicluster gateway, for descriptions and warnings: the gateway
 * admits any meshed client (linkerd-multicluster chart, gateway-policy.yaml: MeshTLSAuthentication `any-meshed`
 * with identities `*`, NetworkAuthentication 0.0.0.0/0 and ::/0) and forwards it with its own identity; and every
 * cluster linked to the exporter mirrors the Service (the Links' default selectors), not only its consumers.
 */
export function gatewayClients(e: ExportIntent): string {
  return `every meshed client that can reach the multicluster gateway of ${e.from.name} (the Links of ${e.to.map(c => c.name).join(', ')} mirror ${e.service.name})`;
}

const SETUP = 'cdk8s-mesh.io/setup';
const DESCRIPTION = 'cdk8s-mesh.io/description';

/**
 * What a Link needs besides itself (multicluster/cmd/link-gen.go, multicluster/charts/linkerd-multicluster
 * values `controllers`): the credentials Secret that `link-gen` writes in the exporter's context (its Link
 * is this one), and a service-mirror controller for the Link in the consumer's linkerd-multicluster.
 */
function linkSetup(consumer: string, exporter: string): string {
  return `in ${consumer}: the Secret cluster-credentials-${exporter} from \`linkerd --context=${exporter} multicluster link-gen --cluster-name ${exporter}\` (apply its Secret only), `
    + `and the linkerd-multicluster Helm value controllers: [{link: {ref: {name: ${exporter}}}}]`;
}

/**
 * The exported Service's own authorization, in the exporting cluster. Through the multicluster gateway
 * the Server sees the gateway's identity (the linkerd-gateway service account of linkerd-multicluster),
 * never the remote caller's: the policy authorizes that identity and says so. With remote discovery
 * (flat network) the callers keep their identities, in their own cluster's trust domain.
 */
function exportPolicy(by: IConstruct, e: ExportIntent, remoteDiscovery: boolean, mesh: Mesh, droppedNote: string | undefined): void {
  if (remoteDiscovery && !e.callers.length) return;
  const scope = e.from.chart;
  const ns = e.namespace;
  // the Server the policy targets: shared with the other patterns of the service's port, which the export's
  // note joins whichever pattern created it
  const server = LinkerdServer.of(scope, mesh, e.service);
  server.addDroppedNote(droppedNote);
  const name = `${e.service.name}-from-${remoteDiscovery ? 'remote-callers' : 'multicluster-gateway'}`;
  const annotations = {
    [DESCRIPTION]: remoteDiscovery
      ? `remote callers of ${e.service.name}, with the identities of their clusters (${e.to.map(c => c.name).join(', ')})`
      : `${gatewayClients(e)}: through the gateway they all arrive with the gateway's identity`,
  };
  const spec: linkerd.MeshTlsAuthenticationSpec = remoteDiscovery
    ? { identities: [...new Set(e.to.flatMap(c => e.callers.map(id => `${id.name}.${id.namespace ?? ns}.serviceaccount.identity.linkerd.${c.trustDomain}`)))].sort() }
    : { identityRefs: [{ kind: 'ServiceAccount', name: 'linkerd-gateway', namespace: 'linkerd-multicluster' }] };
  new MeshTlsAuthentication(scope, `MeshTLS-${name}`, { metadata: objectMetadata(name, ns, { annotations }), spec });
  if (!remoteDiscovery) {
    // on the Server, or on the routes of the Server's zero trust (LinkerdServer.authorizeGateway)
    server.authorizeGateway({ by: by as Construct, consumers: e.to.map(c => c.name).join(', '), clients: gatewayClients(e), scope, name, namespace: ns, description: annotations[DESCRIPTION], ...(droppedNote !== undefined ? { droppedNote } : {}) });
    return;
  }
  // the named callers' policy stays on the Server (what the export declares: any method and path), warned when
  // the zero trust gives the port only rules with methods or paths
  server.noteRemoteCallers({ by: by as Construct, name, callers: spec.identities!.join(', '), consumers: e.to.map(c => c.name).join(', ') });
  new linkerd.AuthorizationPolicy(scope, `Authz-${name}`, {
    metadata: objectMetadata(name, ns, { annotations }),
    spec: {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: server.serverName },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name }],
    },
  });
}

/**
 * Linkerd: exported Services carry `mirror.linkerd.io/exported` (`true` through the multicluster
 * gateway, `remote-discovery` on a flat network); each consumer has a `Link` to each exporter (whose
 * credentials Secret comes from `linkerd multicluster link-gen`), with Linkerd's default selectors, so every
 * cluster linked to an exporter mirrors what it exports (one Link serves every app of the two clusters); the
 * exporting cluster gets
 * the exported Service's Server and a policy for the gateway identity (or, with remote discovery, for
 * the named callers). Linkerd has no failover of its own (the linkerd-failover extension does it), so it
 * is refused with the alternative, and so are callers behind the gateway, whose identity it hides.
 */
export const LINKERD_MULTI_CLUSTER: MultiClusterRenderer = {
  unsupported(intent: MultiClusterIntent) {
    const out: Unsupported[] = [];
    intent.exports.forEach((e, i) => {
      if (!e.service.ownsServiceObject) {
        out.push({ setting: `exports[${i}].service`, value: e.service.name, why: 'an export is a label on the Service object, which is not part of this app', alternative: 'pass the cdk8s-plus Service with ServiceRef.fromService(service)' });
      }
      if (intent.failover && e.localIn.length) {
        out.push({ setting: 'failover', value: true, why: `${e.service.name} also runs in ${e.localIn.map(c => c.name).join(', ')}, and Linkerd has no locality failover of its own`, alternative: 'install the linkerd-failover extension (TrafficSplit-based), or set failover: false and call the mirrored <service>-<cluster> Service' });
      }
      if (e.callers.length && !intent.linkerdRemoteDiscovery) {
        out.push({
          setting: `exports[${i}].callers`,
          value: e.callers.length + ' caller(s)',
          why: 'through the multicluster gateway, requests arrive with the gateway\'s identity, not the remote caller\'s: the exported Service\'s policy authorizes the gateway (every meshed client that can reach it, of any cluster that links to it), and cannot narrow it to these',
          alternative: 'remove callers (the exporting cluster then authorizes the gateway identity, linkerd-gateway.linkerd-multicluster), or use linkerdRemoteDiscovery on a flat network, where callers keep their own identity',
        });
      }
      // the service mirror of each consumer creates the Service <service>-<exporter> (service-mirror
      // cluster_watcher.go mirrorServiceName: remote name + "-" + the Link's targetClusterName, in both modes),
      // and the API server refuses a Service name over 63 characters: nothing would be mirrored
      const mirror = `${e.service.name}-${e.from.name}`;
      if (e.to.length && mirror.length > 63) {
        const room = 62 - e.service.name.length;
        out.push({
          setting: `clusters[${intent.clusters.indexOf(e.from)}].name`,
          value: e.from.name,
          why: `the service mirror of ${e.to.map(c => c.name).join(', ')} names the mirrored Service ${mirror} (<service>-<cluster>, ${mirror.length} characters), and a Service name is at most 63 characters: it could not be created, and callers could not reach ${e.service.name}`,
          alternative: room > 0 ? `use a cluster name of at most ${room} characters for ${e.service.name}` : `use a service name shorter than ${e.service.name.length} characters`,
        });
      }
      const caller = e.callers.find(c => c.kind !== IdentityKind.SERVICE_ACCOUNT);
      if (caller && intent.linkerdRemoteDiscovery) {
        out.push({ setting: `exports[${i}].callers`, value: caller._label(e.namespace), why: 'a remote caller is named by its service account (its identity carries the consumer cluster\'s trust domain)', alternative: 'name each remote caller with Identity.serviceAccount(name, { namespace })' });
      }
    });
    if (!intent.linkerdRemoteDiscovery) {
      intent.exports.forEach(e => {
        if (!e.from.gatewayAddress) out.push({ setting: `clusters[${intent.clusters.indexOf(e.from)}].gatewayAddress`, value: undefined, why: 'a Link to a cluster names its multicluster gateway\'s address', alternative: `set gatewayAddress of ${e.from.name} (the linkerd-gateway Service's external address), or use linkerdRemoteDiscovery` });
      });
    }
    // each refusal of Linkerd's own is kept: leaving it out would break calls between the clusters
    return out.map(u => ({ ...u, keep: CROSS_CLUSTER_KEEP }));
  },

  render(by: IConstruct, intent: MultiClusterIntent, { mesh, droppedNote }: RenderContext) {
    const mode = intent.linkerdRemoteDiscovery ? 'remote-discovery' : 'true';
    for (const e of intent.exports) e.service._labelService(EXPORTED, mode);
    for (const e of intent.exports) exportPolicy(by, e, intent.linkerdRemoteDiscovery, mesh, droppedNote);
    const links = new Set<string>();
    for (const e of intent.exports) {
      for (const c of e.to) {
        const key = `${c.name}<-${e.from.name}`;
        if (links.has(key)) continue;
        links.add(key);
        new linkerd.Link(c.chart, `Link-${e.from.name}`, {
          metadata: objectMetadata(e.from.name, 'linkerd-multicluster', { annotations: { [SETUP]: linkSetup(c.name, e.from.name) } }),
          spec: {
            targetClusterName: e.from.name,
            targetClusterDomain: mesh.clusterDomain,
            targetClusterLinkerdNamespace: 'linkerd',
            clusterCredentialsSecret: `cluster-credentials-${e.from.name}`,
            gatewayAddress: e.from.gatewayAddress ?? '',
            gatewayPort: '4143',
            gatewayIdentity: `linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.${e.from.trustDomain}`,
            probeSpec: { path: '/ready', port: '4191', period: '3s' },
            // Linkerd's own selectors (multicluster/cmd/link.go): one Link per consumer and exporter serves every app
            // of the two clusters, so it selects what any of them exports the documented way; a selector of this
            // app's own would make the service mirror delete the mirrors of every other exported Service
            // (cluster_watcher.go: a Service no longer selected is unexported). So an exported Service is mirrored
            // into every cluster linked to its exporter, not only its consumers; the gateway admits any meshed
            // client that reaches it anyway (gatewayClients)
            selector: { matchLabels: { [EXPORTED]: 'true' } },
            remoteDiscoverySelector: { matchLabels: { [EXPORTED]: 'remote-discovery' } },
          },
        });
      }
    }
  },

  // the other meshes' settings (consulSamenessGroup, istioEastWestGateway) are refused by the construct
  reads: ['linkerdRemoteDiscovery'],
  // Linkerd's mTLS is always on between meshed pods: a ZeroTrustNamespace adds the default deny
  withoutZeroTrust: 'no default deny',
};
