import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';

/** The patterns that contribute to a service's routing objects (their MeshRenderers member). */
export type TrafficContributor = 'resilience' | 'fault' | 'multiCluster' | 'canary' | 'routing';

/**
 * What a traffic renderer reads of the routing objects of one service in one chart (ServiceTraffic): the
 * scope its objects go in, who contributed which part (for messages), and `adopt` for the objects it makes.
 */
export interface TrafficTarget extends IConstruct {
  /** The mesh. */
  readonly mesh: Mesh;
  /** The service. */
  readonly service: ServiceRef;
  /** The service's namespace. */
  readonly namespace?: string;
  /** The construct that set the version routing part, if any. */
  readonly routingBy: string | undefined;
  /** The construct path of the pattern whose contribution is being rendered (for messages). */
  readonly contributorPath: string;
  /** The construct that set the resilience part, if any. */
  readonly resilienceBy: string | undefined;
  /** The construct that set the canary part, if any. */
  readonly canaryBy: string | undefined;
  /** The construct that set the fault part, if any. */
  readonly faultBy: string | undefined;
  /** Adds an object made by a renderer: it gets the dropped-settings and step annotations. */
  adopt(obj: ApiObject): void;
}
