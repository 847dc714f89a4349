import { AMBIENT_CANARY } from './canary';
import { AMBIENT_EGRESS } from './egress';
import { AMBIENT_ENROLMENT } from './enrolment';
import { AMBIENT_FAULT } from './fault';
import { AMBIENT_INGRESS } from './ingress';
import { AMBIENT_MULTI_CLUSTER } from './multicluster';
import { AMBIENT_RESILIENCE } from './resilience';
import { AMBIENT_ROUTING } from './routing';
import { AMBIENT_TELEMETRY } from './telemetry';
import { AMBIENT_TRAFFIC } from './traffic';
import { AMBIENT_ZERO_TRUST } from './zero-trust';
import { ISTIO } from '../istio';
import { MeshRenderers } from '../renderer';

/**
 * Istio on the ambient data plane (Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })): Istio's control plane and
 * its renderers' objects, with renderers of its own wherever ztunnel and waypoints differ from sidecars: the
 * routes are the waypoint's Gateway API HTTPRoutes, and zero trust, telemetry, egress and ingress are Istio's
 * objects written with the waypoints (the shared part stays in src/meshes/istio/ as functions taking what
 * differs); what ambient cannot express is refused here. Every member is listed (not spread from ISTIO), so
 * that a member added to MeshRenderers does not compile until ambient says what renders it too.
 */
export const ISTIO_AMBIENT: MeshRenderers = {
  displayName: 'Istio ambient',
  controlPlane: ISTIO,
  traffic: AMBIENT_TRAFFIC,
  fault: AMBIENT_FAULT,
  canary: AMBIENT_CANARY,
  routing: AMBIENT_ROUTING,
  resilience: AMBIENT_RESILIENCE,
  zeroTrust: AMBIENT_ZERO_TRUST,
  multiCluster: AMBIENT_MULTI_CLUSTER,
  ingress: AMBIENT_INGRESS,
  egress: AMBIENT_EGRESS,
  telemetry: AMBIENT_TELEMETRY,
  enrolment: AMBIENT_ENROLMENT,
};
