import { ISTIO_CANARY } from './canary';
import { ISTIO_EGRESS } from './egress';
import { ISTIO_ENROLMENT } from './enrolment';
import { ISTIO_FAULT } from './fault';
import { ISTIO_INGRESS } from './ingress';
import { ISTIO_MULTI_CLUSTER } from './multicluster';
import { ISTIO_RESILIENCE } from './resilience';
import { ISTIO_ROUTING } from './routing';
import { ISTIO_TELEMETRY } from './telemetry';
import { ISTIO_TRAFFIC } from './traffic';
import { ISTIO_ZERO_TRUST } from './zero-trust';
import { MeshRenderers } from '../renderer';

/** Istio with sidecars (Mesh.istio()). */
export const ISTIO: MeshRenderers = {
  displayName: 'Istio',
  resilience: ISTIO_RESILIENCE,
  zeroTrust: ISTIO_ZERO_TRUST,
  multiCluster: ISTIO_MULTI_CLUSTER,
  traffic: ISTIO_TRAFFIC,
  canary: ISTIO_CANARY,
  routing: ISTIO_ROUTING,
  fault: ISTIO_FAULT,
  ingress: ISTIO_INGRESS,
  egress: ISTIO_EGRESS,
  telemetry: ISTIO_TELEMETRY,
  enrolment: ISTIO_ENROLMENT,
};
