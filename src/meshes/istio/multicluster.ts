import { isIP } from 'net';
import { Lazy } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as istio from '../../imports/istio';
import { Mesh } from '../../model/mesh';
import type { Unsupported } from '../../model/unsupported';
import { CROSS_CLUSTER_KEEP, MultiClusterIntent } from '../../patterns/multicluster/intent';
import { IstioMultiClusterMode } from '../../patterns/multicluster/props';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { MultiClusterRenderer, RenderContext } from '../renderer';
import { AuthorizationPolicy, ServiceEntry } from '../unconverted';

/**
 * The step the output needs from each cluster's operator: the network label on the control plane's
 * namespace. The library does not write that Namespace: it belongs to the Istio installation, and a
 * GitOps prune of an app that wrote it would delete the control plane.
 */
function istioNetworkStep(intent: MultiClusterIntent, mesh: Mesh): string {
  const ns = mesh.rootNamespace ?? 'istio-system';
  return `label each cluster's ${ns} namespace with its network before applying (the library does not write that Namespace, which the Istio installation owns): `
    + intent.clusters.map(c => `kubectl --context ${c.name} label namespace ${ns} topology.istio.io/network=${c.network}`).join('; ')
    + ' (or install Istio with --set values.global.network=<network>)';
}

/**
 * The step each exporting cluster's operator takes when the app does not write the east-west gateway's
 * `Gateway` (the default): it exposes every app's services on the east-west gateway, so it belongs to the
 * mesh's installation, as Istio's samples/multicluster/expose-services.yaml. Undefined when none is needed.
 */
function istioEastWestStep(intent: MultiClusterIntent, mesh: Mesh): string | undefined {
  const exporters = intent.clusters.filter(c => intent.exports.some(e => e.from === c));
  if (intent.istioEastWestGateway || !exporters.length) return undefined;
  const ns = mesh.rootNamespace ?? 'istio-system';
  return `expose the exported services on each exporting cluster's east-west gateway before applying (the library does not write Gateway ${ns}/cross-network-gateway, which serves every app's exports, `
    + 'so that pruning or renaming this app cannot cut them): '
    + exporters.map(c => `kubectl --context ${c.name} apply -n ${ns} -f samples/multicluster/expose-services.yaml`).join('; ')
    + ' (from the Istio release: a Gateway cross-network-gateway selecting istio: eastwestgateway, port 15443 TLS, tls.mode AUTO_PASSTHROUGH, hosts "*.local"), or set istioEastWestGateway: true to write it in this app\'s output';
}

/**
 * Istio (multi-network): each cluster's istio-system must carry its network label (a step for the
 * operator, see istioNetworkStep); an exporting cluster
 * has the east-west gateway (port 15443, AUTO_PASSTHROUGH: its Gateway object written with istioEastWestGateway,
 * otherwise a step for the operator, see istioEastWestStep); consumers that run the service too get a
 * DestinationRule with locality failover and the outlier detection failover needs; in FEDERATED mode,
 * consumers without the service get a ServiceEntry that reaches the exporter's east-west gateway; an
 * exporter lets the named remote callers in with an AuthorizationPolicy.
 */
export const ISTIO_MULTI_CLUSTER: MultiClusterRenderer = {
  unsupported(intent: MultiClusterIntent) {
    const out: Unsupported[] = [];
    if (intent.istioMode === IstioMultiClusterMode.FEDERATED) {
      for (const e of intent.exports) {
        if (e.to.some(c => !e.localIn.includes(c)) && !e.from.gatewayAddress) {
          out.push({ setting: `clusters[${intent.clusters.indexOf(e.from)}].gatewayAddress`, value: undefined, why: 'without remote secrets, consumers reach an export through the exporter\'s east-west gateway, whose address is not known', alternative: `set gatewayAddress of ${e.from.name}, or use IstioMultiClusterMode.MULTI_PRIMARY`, keep: CROSS_CLUSTER_KEEP });
        }
      }
    }
    return out;
  },

  render(_by: IConstruct, intent: MultiClusterIntent, { mesh, warn }: RenderContext) {
    for (const c of intent.clusters) {
      if (intent.istioEastWestGateway && intent.exports.some(e => e.from === c)) {
        new istio.Gateway(c.chart, 'EastWestGateway', {
          metadata: objectMetadata('cross-network-gateway', mesh.rootNamespace ?? 'istio-system'),
          spec: {
            selector: { istio: 'eastwestgateway' },
            servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: istio.GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH }, hosts: ['*.local'] }],
          },
        });
      }
    }
    for (const e of intent.exports) {
      const host = `${e.service.name}.${e.namespace}.svc.${mesh.clusterDomain}`;
      if (e.callers.length) {
        const service = e.service;
        service._podPortUsedBy(`${e.from.chart.node.path}/RemoteCallers-${e.service.name}`);
        new AuthorizationPolicy(e.from.chart, `RemoteCallers-${e.service.name}`, {
          metadata: objectMetadata(`${e.service.name}-remote-callers`, e.namespace),
          // read at synthesis: a named targetPort resolves through the pods' container ports (ServiceRef.targetPort)
          spec: Lazy.any({
            produce: () => ({
              selector: { matchLabels: sortKeys(e.service.selector) },
              action: istio.AuthorizationPolicySpecAction.ALLOW,
              rules: [{
                from: [{ source: { principals: [...new Set(e.to.flatMap(c => e.callers.map(id => `${c.trustDomain}/ns/${id.namespace ?? e.namespace}/sa/${id.name}`)))].sort() } }],
                // for the exported port only (the pods' port, which the sidecar sees)
                to: [{ operation: { ports: [String(service.targetPort)] } }],
              }],
            }),
          }) as istio.AuthorizationPolicySpec,
        });
      }
      for (const c of e.to) {
        if (e.localIn.includes(c)) {
          if (!intent.failover) continue;
          // into the service's one DestinationRule in that cluster's chart (with its resilience settings, if any)
          const local = c.services.find(s => s.name === e.service.name)!;
          intent.addFailover(c.chart, local, { localRegion: c.region, remotes: [{ region: e.from.region, peer: e.from.name }] }, c.chart);
        } else if (intent.istioMode === IstioMultiClusterMode.FEDERATED) {
          const address = e.from.gatewayAddress!;
          new ServiceEntry(c.chart, `Remote-${e.service.name}-${e.from.name}`, {
            metadata: objectMetadata(`${e.service.name}-${e.from.name}`, e.namespace),
            spec: {
              hosts: [host],
              location: istio.ServiceEntrySpecLocation.MESH_UNDERSCORE_INTERNAL,
              resolution: isIP(address) ? istio.ServiceEntrySpecResolution.STATIC : istio.ServiceEntrySpecResolution.DNS,
              ports: [{ number: e.service.port, name: 'http', protocol: 'HTTP' }],
              endpoints: [{ address, network: e.from.network, locality: e.from.region, ports: { http: 15443 }, labels: { 'security.istio.io/tlsMode': 'istio' } }],
            },
          });
        }
      }
    }
    // the steps this output needs on the clusters, which the library does not write
    warn(istioNetworkStep(intent, mesh));
    const eastWest = istioEastWestStep(intent, mesh);
    if (eastWest) warn(eastWest);
  },

  // the other meshes' settings (consulSamenessGroup, linkerdRemoteDiscovery) are refused by the construct
  reads: ['istioEastWestGateway', 'istioMode'],
  withoutZeroTrust: 'no default deny and no STRICT mTLS',
};
