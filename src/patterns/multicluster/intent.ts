import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioMultiClusterMode, MeshClusterProps } from './props';
import { Identity } from '../../model/identity';
import type { OwnedSettings } from '../../model/owned';
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
  /** As given (Istio's renderer defaults it to MULTI_PRIMARY); an owned setting, refused by the other meshes. */
  readonly istioMode?: IstioMultiClusterMode;
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

/** The settings of MultiClusterExport that one mesh owns; a renderer lists those it reads (MultiClusterRenderer.reads). */
export type MultiClusterOwnedSetting = 'consulSamenessGroup' | 'linkerdRemoteDiscovery' | 'istioEastWestGateway' | 'istioMode';

/**
 * MultiClusterExport's owned settings, in the order of their refusals: the other meshes' settings that a
 * renderer leaves unread can be dropped; the east-west Gateway is refused with the prop checks (not dropped).
 */
export const MULTI_CLUSTER_OWNED: OwnedSettings<MultiClusterIntent, MultiClusterOwnedSetting> = {
  consulSamenessGroup: { why: 'sameness groups are Consul\'s', value: i => i.samenessGroup || undefined, alternative: mesh => `remove it for ${mesh}`, droppable: true },
  linkerdRemoteDiscovery: { why: 'remote discovery is Linkerd\'s', value: i => i.linkerdRemoteDiscovery ? true : undefined, alternative: mesh => `remove it for ${mesh}`, droppable: true },
  istioEastWestGateway: { why: 'the east-west Gateway is Istio\'s', value: i => i.istioEastWestGateway === true ? true : undefined, droppable: false },
  // any value given, MULTI_PRIMARY included: the prop says how Istio clusters discover each other
  istioMode: { why: 'the discovery mode is Istio\'s (remote secrets or ServiceEntries)', value: i => i.istioMode, alternative: mesh => `remove it for ${mesh}`, droppable: true },
};

/**
 * Why a multi-cluster refusal is kept with UnsupportedSettings.DROP_WITH_WARNING: a renderer's refusals of
 * exports, callers, failover and gateway addresses (the other meshes' settings are dropped instead).
 */
export const CROSS_CLUSTER_KEEP = 'leaving it out would break calls between the clusters';
