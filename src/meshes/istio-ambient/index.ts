import { AMBIENT_CANARY } from './canary';
import { AMBIENT_ENROLMENT } from './enrolment';
import { AMBIENT_FAULT } from './fault';
import { AMBIENT_TRAFFIC } from './traffic';
import { ISTIO } from '../istio';
import { MeshRenderers } from '../renderer';

/**
 * Istio on the ambient data plane (Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })): Istio's renderers
 * (which read `mesh.ambient` where ztunnel and waypoints differ from sidecars), but the routes are the
 * waypoint's Gateway API HTTPRoutes.
 */
export const ISTIO_AMBIENT: MeshRenderers = {
  ...ISTIO,
  displayName: 'Istio ambient',
  controlPlane: ISTIO,
  traffic: AMBIENT_TRAFFIC,
  fault: AMBIENT_FAULT,
  canary: AMBIENT_CANARY,
  enrolment: AMBIENT_ENROLMENT,
};
