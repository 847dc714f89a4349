import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioMultiClusterMode, MeshClusterProps } from './props';
import { Identity } from '../../model/identity';
import { ServiceRef } from '../../model/service';
import { FailoverIntent } from '../../model/traffic';

/** A normalized cluster. */
export interface ClusterIntent extends MeshClusterProps {
  readonly trustDomain: string;
  readonly chart: Chart;
}

/** A normalized export. */
export interface ExportIntent {
  readonly service: ServiceRef;
  readonly namespace: string;
  readonly from: ClusterIntent;
  readonly to: ClusterIntent[];
  readonly callers: Identity[];
  /** Consumers that run the service too (they prefer local and fail over). */
  readonly localIn: ClusterIntent[];
}

/** Everything a renderer needs. */
export interface MultiClusterIntent {
  readonly clusters: ClusterIntent[];
  readonly exports: ExportIntent[];
  readonly failover: boolean;
  readonly istioMode: IstioMultiClusterMode;
  readonly linkerdRemoteDiscovery: boolean;
  readonly samenessGroup?: string;
  /** Istio: whether the east-west Gateway object is written (the app then owns it). */
  readonly istioEastWestGateway: boolean;
  /**
   * Adds locality failover to the routing objects of `service` in the chart of `scope` (its one
   * DestinationRule or ServiceResolver, shared with the patterns that shape its traffic there).
   */
  readonly addFailover: (scope: Construct, service: ServiceRef, failover: FailoverIntent, by: Construct) => void;
}
