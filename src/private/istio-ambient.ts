import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { markClusterScoped, objectMetadata } from './metadata';
import * as gatewayApi from '../imports/gateway-api';
import { Mesh } from '../mesh';

/** Istio's namespace label that enrolls a namespace's pods in ambient (ztunnel). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Istio's label that sends a namespace's (or Service's) traffic through a waypoint. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** The name of the namespace waypoint the patterns create. */
export const WAYPOINT_NAME = 'waypoint';

/** The identity of a namespace's waypoint: istiod deploys it with a service account named after the Gateway. */
export function waypointPrincipal(mesh: Mesh, namespace: string): string {
  return `${mesh.trustDomain}/ns/${namespace}/sa/${WAYPOINT_NAME}`;
}

/**
 * The ambient enrolment of one namespace in a chart: its Namespace object labelled
 * `istio.io/dataplane-mode: ambient`, and, once a pattern needs L7 processing there, the namespace
 * waypoint (a Gateway API `Gateway` of class `istio-waypoint`) with `istio.io/use-waypoint` on the
 * namespace. Kept once per chart and namespace; the patterns share it.
 *
 * The Namespace object is the one the user created with cdk8s-plus (passed as `namespaceObject`, or
 * found in the chart by name), else one of our own.
 */
export class AmbientNamespace extends Construct {
  /** The enrolment of `namespace` in the chart of `scope`, created on first use. */
  public static of(scope: Construct, namespace: string, namespaceObject?: kplus.Namespace): AmbientNamespace {
    const chart = Chart.of(scope);
    const id = `AmbientNamespace-${namespace}`;
    const existing = chart.node.tryFindChild(id) as AmbientNamespace | undefined;
    if (existing) {
      if (namespaceObject && namespaceObject !== existing.namespaceObject) {
        throw new Error(`[${scope.node.path}] namespaceObject: got the Namespace [${namespaceObject.node.path}], but [${existing.namespaceObject.node.path}] already enrolls namespace ${namespace} in ambient; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern`);
      }
      return existing;
    }
    const found = namespaceObject ?? chart.node.findAll().find((c): c is kplus.Namespace => c instanceof kplus.Namespace && c.name === namespace);
    return new AmbientNamespace(chart, id, namespace, found);
  }

  /** The Namespace object that carries the labels. */
  public readonly namespaceObject: kplus.Namespace;
  private waypoint?: gatewayApi.Gateway;
  private readonly waiting: ((waypoint: string) => void)[] = [];

  private constructor(scope: Construct, id: string, public readonly namespace: string, namespaceObject: kplus.Namespace | undefined) {
    super(scope, id);
    this.namespaceObject = namespaceObject ?? new kplus.Namespace(this, 'Namespace', { metadata: objectMetadata(namespace, undefined) });
    markClusterScoped(ApiObject.of(this.namespaceObject));
    this.namespaceObject.metadata.addLabel(DATAPLANE_MODE_LABEL, 'ambient');
  }

  /** Whether the namespace has a waypoint. */
  public get hasWaypoint(): boolean {
    return this.waypoint !== undefined;
  }

  /**
   * The namespace waypoint, created on first use: every Service of the namespace then sends its
   * traffic through it (`istio.io/use-waypoint` on the namespace). Returns the waypoint's name.
   */
  public useWaypoint(): string {
    if (!this.waypoint) {
      this.waypoint = new gatewayApi.Gateway(this, 'Waypoint', {
        metadata: objectMetadata(WAYPOINT_NAME, this.namespace, { labels: { 'istio.io/waypoint-for': 'service' } }),
        spec: {
          gatewayClassName: 'istio-waypoint',
          listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
        },
      });
      this.namespaceObject.metadata.addLabel(USE_WAYPOINT_LABEL, WAYPOINT_NAME);
      // ingress gateways skip waypoints unless asked: without this, traffic from the edge would reach
      // the pods without the waypoint's policies, and ztunnel (which admits only the waypoint) refuses it
      this.namespaceObject.metadata.addLabel('istio.io/ingress-use-waypoint', 'true');
      for (const f of this.waiting.splice(0)) f(WAYPOINT_NAME);
    }
    return WAYPOINT_NAME;
  }

  /** Calls `f` once the namespace has its waypoint: now, or when a pattern creates it later. */
  public whenWaypoint(f: (waypoint: string) => void): void {
    if (this.waypoint) f(WAYPOINT_NAME);
    else this.waiting.push(f);
  }
}
