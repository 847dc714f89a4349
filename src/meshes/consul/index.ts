import { CONSUL_CANARY } from './canary';
import { CONSUL_EGRESS } from './egress';
import { CONSUL_ENROLMENT } from './enrolment';
import { CONSUL_FAULT } from './fault';
import { CONSUL_INGRESS } from './ingress';
import { CONSUL_MULTI_CLUSTER } from './multicluster';
import { CONSUL_RESILIENCE } from './resilience';
import { CONSUL_ROUTING } from './routing';
import { CONSUL_TELEMETRY } from './telemetry';
import { CONSUL_TRAFFIC } from './traffic';
import { CONSUL_ZERO_TRUST } from './zero-trust';
import { MeshRenderers } from '../renderer';

/** Consul (Mesh.consul()). */
export const CONSUL: MeshRenderers = {
  displayName: 'Consul',
  resilience: CONSUL_RESILIENCE,
  zeroTrust: CONSUL_ZERO_TRUST,
  multiCluster: CONSUL_MULTI_CLUSTER,
  traffic: CONSUL_TRAFFIC,
  canary: CONSUL_CANARY,
  routing: CONSUL_ROUTING,
  fault: CONSUL_FAULT,
  ingress: CONSUL_INGRESS,
  egress: CONSUL_EGRESS,
  telemetry: CONSUL_TELEMETRY,
  enrolment: CONSUL_ENROLMENT,
};
