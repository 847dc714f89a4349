import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as gatewayApi from '../../imports/gateway-api';
import { IstioWaypointScope, Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { meshError } from '../../private/errors';
import { findNamespaceObject, namespaceObjectOf, newNamespaceObject, userPath } from '../../private/k8s-objects';
import { markClusterScoped, objectMetadata } from '../../private/metadata';

/** Istio's namespace label that enrolls a namespace's pods in ambient (ztunnel). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Istio's label that sends a namespace's (or Service's) traffic through a waypoint. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** Istio's label that sends an ingress gateway's traffic to a Service through the Service's waypoint too. */
export const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';
/** The name of the namespace waypoint the patterns create. */
export const WAYPOINT_NAME = 'waypoint';

/**
 * The name of the waypoint that serves `service` (once a pattern asks for it): the namespace's, or the
 * Service's own with `IstioWaypointScope.SERVICE` (AmbientNamespace.useWaypoint).
 */
export function waypointNameFor(scope: IstioWaypointScope | undefined, service: string): string {
  return (scope ?? IstioWaypointScope.NAMESPACE) === IstioWaypointScope.SERVICE ? `${service}-${WAYPOINT_NAME}` : WAYPOINT_NAME;
}

/** The identity of a waypoint: istiod deploys it with a service account named after the Gateway. */
export function waypointPrincipal(mesh: Mesh, namespace: string, waypoint: string): string {
  return `${mesh.trustDomain}/ns/${namespace}/sa/${waypoint}`;
}

/**
 * The ambient enrolment of one namespace in a chart: its Namespace object labelled
 * `istio.io/dataplane-mode: ambient`, and the waypoints (Gateway API `Gateway`s of class
 * `istio-waypoint`) that patterns ask for where they need L7 processing: one for the namespace
 * (`istio.io/use-waypoint` on the Namespace) or one per Service (the label on the Service object),
 * as the mesh's `waypointScope` says. Kept once per chart and namespace; the patterns share it.
 *
 * The Namespace object is the one the user created with cdk8s-plus (passed as `namespaceObject`, or
 * found in the chart by name), else one of our own.
 */
export class AmbientNamespace extends Construct {
  /**
   * The enrolment of `namespace` in the chart of `scope`, created on first use; `by` is the construct
   * path of the pattern asking, for messages.
   */
  public static of(scope: Construct, namespace: string, mesh: Mesh, given?: IConstruct, by: string = scope.node.path): AmbientNamespace {
    const chart = Chart.of(scope);
    const namespaceObject = namespaceObjectOf(given, namespace, by);
    const id = `AmbientNamespace-${namespace}`;
    const existing = chart.node.tryFindChild(id) as AmbientNamespace | undefined;
    const scopeOf = mesh.istioWaypointScope ?? IstioWaypointScope.NAMESPACE;
    if (existing) {
      if (namespaceObject && namespaceObject !== existing.namespaceObject) {
        throw meshError(`[${by}] namespaceObject: got the Namespace [${userPath(namespaceObject)}], but [${userPath(existing.namespaceObject)}] already enrolls namespace ${namespace} in ambient; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern`);
      }
      if (existing.waypointScope !== scopeOf) {
        throw meshError(`[${by}] mesh: got waypoint scope ${scopeOf}, but [${existing.firstBy}] uses ${existing.waypointScope} waypoints in namespace ${namespace}; use one Mesh for the namespace's patterns`);
      }
      return existing;
    }
    const found = namespaceObject ?? findNamespaceObject(chart, namespace);
    return new AmbientNamespace(chart, id, namespace, scopeOf, found, by);
  }

  /** The Namespace object that carries the labels. */
  public readonly namespaceObject: ApiObject;
  private namespaceWaypoint = false;
  private readonly serviceWaypoints = new Map<string, string>();
  private readonly waiting: { service?: string; f: (waypoint: string) => void }[] = [];
  private readonly egressWaypoints = new Set<string>();
  private egressWaiting: { waypoint: string; f: () => void }[] = [];

  private constructor(
    scope: Construct, id: string, public readonly namespace: string, public readonly waypointScope: IstioWaypointScope,
    namespaceObject: ApiObject | undefined, private readonly firstBy: string,
  ) {
    super(scope, id);
    this.namespaceObject = namespaceObject ?? newNamespaceObject(this, namespace);
    markClusterScoped(this.namespaceObject);
    this.namespaceObject.metadata.addLabel(DATAPLANE_MODE_LABEL, 'ambient');
  }

  /** The waypoint that serves a Service of the namespace, if any yet. */
  public waypointOf(service: string): string | undefined {
    return this.namespaceWaypoint ? WAYPOINT_NAME : this.serviceWaypoints.get(service);
  }

  /**
   * The waypoint of `service` (created on first use): the namespace's, or the Service's own with
   * `IstioWaypointScope.SERVICE`. Ingress traffic is sent through it too (`istio.io/ingress-use-waypoint`):
   * otherwise it would reach the pods directly, without the waypoint's policies, and ztunnel (which
   * admits only the waypoint) would refuse it. Returns the waypoint's name.
   */
  public useWaypoint(service: ServiceRef, by: string): string {
    if (this.waypointScope === IstioWaypointScope.SERVICE) {
      const existing = this.serviceWaypoints.get(service.name);
      if (existing) return existing;
      const name = waypointNameFor(this.waypointScope, service.name);
      if (!service.ownsServiceObject) {
        throw meshError(`[${by}] service: got ${service.name}: a waypoint per Service is enrolled with istio.io/use-waypoint on the Service object, which is not part of this app; pass the cdk8s-plus Service with ServiceRef.fromService(service), or use IstioWaypointScope.NAMESPACE`);
      }
      if (name.length > 63) {
        throw meshError(`[${by}] service: got ${service.name}: its waypoint ${name} would be longer than 63 characters (istiod names a Deployment and a Service after it); shorten the Service name, or use IstioWaypointScope.NAMESPACE`);
      }
      this.createWaypoint(`Waypoint-${service.name}`, name);
      service._labelService(USE_WAYPOINT_LABEL, name);
      service._labelService(INGRESS_USE_WAYPOINT_LABEL, 'true');
      this.serviceWaypoints.set(service.name, name);
      this.notify(service.name, name);
      return name;
    }
    this.useNamespaceWaypoint();
    return WAYPOINT_NAME;
  }

  /**
   * The namespace waypoint for a pattern that covers the whole namespace (telemetry): created with
   * namespace-scoped waypoints; with waypoints per Service, the pattern applies to those there are.
   */
  public useNamespaceWaypoint(): void {
    if (this.waypointScope === IstioWaypointScope.NAMESPACE && !this.namespaceWaypoint) {
      this.createWaypoint('Waypoint', WAYPOINT_NAME);
      this.namespaceObject.metadata.addLabel(USE_WAYPOINT_LABEL, WAYPOINT_NAME);
      this.namespaceObject.metadata.addLabel(INGRESS_USE_WAYPOINT_LABEL, 'true');
      this.namespaceWaypoint = true;
      this.notify(undefined, WAYPOINT_NAME);
    }
  }

  /**
   * A waypoint for ServiceEntries of the namespace (egress): the namespace waypoint with namespace-scoped
   * waypoints, else one of its own (`egress-waypoint`). The ServiceEntry is enrolled with
   * `istio.io/use-waypoint` on itself. Returns the waypoint's name.
   */
  public useEgressWaypoint(): string {
    const name = this.waypointScope === IstioWaypointScope.NAMESPACE ? WAYPOINT_NAME : `egress-${WAYPOINT_NAME}`;
    if (this.waypointScope === IstioWaypointScope.NAMESPACE) this.useNamespaceWaypoint();
    else if (!this.node.tryFindChild('Waypoint-egress')) this.createWaypoint('Waypoint-egress', name);
    if (!this.egressWaypoints.has(name)) {
      this.egressWaypoints.add(name);
      for (const w of this.egressWaiting.filter(x => x.waypoint === name)) w.f();
      this.egressWaiting = this.egressWaiting.filter(x => x.waypoint !== name);
    }
    return name;
  }

  /** Calls `f` once ServiceEntries use `waypoint` (egress): now, or when a pattern enrolls one later. */
  public whenEgressWaypoint(waypoint: string, f: () => void): void {
    if (this.egressWaypoints.has(waypoint)) f();
    else this.egressWaiting.push({ waypoint, f });
  }

  /** Calls `f` once `service` has a waypoint: now, or when a pattern creates it later. */
  public whenWaypoint(service: string, f: (waypoint: string) => void): void {
    const now = this.waypointOf(service);
    if (now) f(now);
    else this.waiting.push({ service, f });
  }

  private notify(service: string | undefined, waypoint: string): void {
    const ready = this.waiting.filter(w => service === undefined || w.service === service);
    for (const w of ready) this.waiting.splice(this.waiting.indexOf(w), 1);
    for (const w of ready) w.f(waypoint);
  }

  private createWaypoint(id: string, name: string): void {
    new gatewayApi.Gateway(this, id, {
      metadata: objectMetadata(name, this.namespace, { labels: { 'istio.io/waypoint-for': 'service' } }),
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      },
    });
  }
}
