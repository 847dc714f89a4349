import { Chart } from 'cdk8s';
import { ServiceRef } from '../../model/service';

/**
 * One cluster of a multi-cluster mesh.
 */
export interface MeshClusterProps {
  /** The cluster's name (a DNS-1123 label): also its Consul peer name and Linkerd link name. */
  readonly name: string;
  /** The network the cluster's pods are on (Istio `topology.istio.io/network`). */
  readonly network: string;
  /** The cluster's region (`topology.kubernetes.io/region`), for locality failover. */
  readonly region: string;
  /**
   * The cluster's mesh trust domain. Clusters that differ are reported: their identities do not verify
   * each other without aliases or a shared root.
   * @default - the mesh's trust domain
   */
  readonly trustDomain?: string;
  /**
   * The services that run in this cluster.
   */
  readonly services: ServiceRef[];
  /**
   * The address other clusters reach this cluster's gateway at: Istio's east-west gateway (for
   * `IstioMultiClusterMode.FEDERATED`) or Linkerd's multicluster gateway (for the `Link`s to it).
   * @default - none; required where the mesh needs it
   */
  readonly gatewayAddress?: string;
  /**
   * The chart to write this cluster's objects into, e.g. the chart that holds the cluster's
   * ResilientService and CanaryRelease, so that they share one DestinationRule or ServiceResolver per
   * service (a second one would be ignored, or overwrite the first). A chart is the output of one cluster:
   * giving it to two clusters (of this export, or another cluster than another MultiClusterExport gave it to)
   * is refused.
   * @default - a chart of its own, named after the cluster
   */
  readonly chart?: Chart;
}

/**
 * How Istio's clusters learn of each other's endpoints.
 */
export enum IstioMultiClusterMode {
  /** Multi-primary (or primary-remote) with remote secrets: istiod discovers remote endpoints. */
  MULTI_PRIMARY = 'MULTI_PRIMARY',
  /** No remote secrets: consumers get a ServiceEntry that reaches the exporter's east-west gateway. */
  FEDERATED = 'FEDERATED',
}
