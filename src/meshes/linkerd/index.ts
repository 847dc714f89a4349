import { LINKERD_CANARY } from './canary';
import { LINKERD_EGRESS } from './egress';
import { LINKERD_ENROLMENT } from './enrolment';
import { LINKERD_FAULT } from './fault';
import { LINKERD_INGRESS } from './ingress';
import { LINKERD_MULTI_CLUSTER } from './multicluster';
import { LINKERD_RESILIENCE } from './resilience';
import { LINKERD_ROUTING } from './routing';
import { LINKERD_TELEMETRY } from './telemetry';
import { LINKERD_TRAFFIC } from './traffic';
import { LINKERD_ZERO_TRUST } from './zero-trust';
import { MeshRenderers } from '../renderer';

/** Linkerd (Mesh.linkerd()). */
export const LINKERD: MeshRenderers = {
  displayName: 'Linkerd',
  resilience: LINKERD_RESILIENCE,
  zeroTrust: LINKERD_ZERO_TRUST,
  multiCluster: LINKERD_MULTI_CLUSTER,
  traffic: LINKERD_TRAFFIC,
  canary: LINKERD_CANARY,
  routing: LINKERD_ROUTING,
  fault: LINKERD_FAULT,
  ingress: LINKERD_INGRESS,
  egress: LINKERD_EGRESS,
  telemetry: LINKERD_TELEMETRY,
  enrolment: LINKERD_ENROLMENT,
};
