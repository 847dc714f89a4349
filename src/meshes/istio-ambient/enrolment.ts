import { ENROLLED_BY_RENDERERS, EnrolledByRenderers } from '../renderer';

/**
 * Istio ambient: a namespace is enrolled with `istio.io/dataplane-mode: ambient` on its Namespace object, which
 * AmbientNamespace (src/meshes/istio/ambient.ts) writes when a renderer needs ztunnel or a waypoint there
 * (zero trust, telemetry, TLS origination, the waypoint's routes): the patterns do not enrol namespaces
 * themselves, and workloads are never marked one by one.
 */
export const AMBIENT_ENROLMENT: EnrolledByRenderers = ENROLLED_BY_RENDERERS;
