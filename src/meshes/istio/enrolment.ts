import { ApiObject } from 'cdk8s';
import { meshError, propMessage } from '../../private/errors';
import { PodTemplate, userPath } from '../../private/k8s-objects';
import { Enrolment, EnrolmentContext, EnrolmentRenderer } from '../renderer';

/** Istio's namespace label that injects the default revision's sidecar. */
export const ISTIO_INJECTION_LABEL = 'istio-injection';
/** Istio's namespace (or pod) label that injects the sidecar of a revision or revision tag. */
export const ISTIO_REV_LABEL = 'istio.io/rev';
/** Istio's pod label that injects (or, with "false", excludes) one workload. */
export const ISTIO_POD_INJECT_LABEL = 'sidecar.istio.io/inject';

/**
 * Istio with sidecars: `istio-injection: enabled` on the Namespace, or `istio.io/rev: <revision>` with a
 * revision (or revision tag). The two exclude each other: the revision webhooks' namespaceSelector requires
 * `istio-injection` to be absent (istio manifests/charts/istio-control/istio-discovery/templates/
 * mutatingwebhook.yaml, "rev.namespace." and "namespace." webhooks).
 */
export const ISTIO_ENROLMENT: EnrolmentRenderer = {
  enrolment(mesh): Enrolment {
    const [key, value] = mesh.istioRevision ? [ISTIO_REV_LABEL, mesh.istioRevision] : [ISTIO_INJECTION_LABEL, 'enabled'];
    return { on: 'Namespace', kind: 'label', key, value, howTo: ns => `kubectl label namespace ${ns} ${key}=${value}` };
  },

  enrolNamespace(ns: ApiObject, e: Enrolment, { namespace, by }: EnrolmentContext) {
    // istio-injection takes precedence over istio.io/rev: a namespace with both gets the default revision
    const other = e.key === ISTIO_REV_LABEL ? ISTIO_INJECTION_LABEL : ISTIO_REV_LABEL;
    const theirs = ns.metadata.getLabel(other);
    const mine = ns.metadata.getLabel(e.key);
    if (theirs !== undefined || (mine !== undefined && mine !== e.value)) {
      const got = theirs !== undefined ? `${other}: ${theirs}` : `${e.key}: ${mine}`;
      throw meshError(`[${by}] ${propMessage('namespaceObject', got,
        `the Namespace [${userPath(ns)}] of ${namespace} carries ${got}, but the mesh enrols it with ${e.key}: ${e.value}, and Istio's injection webhooks read istio-injection before istio.io/rev (a namespace with both gets the default revision)`,
        theirs !== undefined && other === ISTIO_REV_LABEL
          ? `remove the label, or use Mesh.istio({ revision: '${theirs}' })`
          : 'remove the label from the Namespace (the library writes the enrolment), or choose the revision with Mesh.istio({ revision })')}`);
    }
    ns.metadata.addLabel(e.key, e.value);
  },

  enrolWorkload(pod: PodTemplate, namespaceEnrolled: boolean, mesh) {
    if (namespaceEnrolled || pod.labels()[ISTIO_POD_INJECT_LABEL] !== undefined || pod.labels()[ISTIO_REV_LABEL] !== undefined) return;
    // without a namespace label, the object-selector webhooks inject: "object." for the default
    // revision (sidecar.istio.io/inject: "true"), "rev.object." for a revision (istio.io/rev on the pod)
    if (mesh.istioRevision) pod.addLabel(ISTIO_REV_LABEL, mesh.istioRevision);
    else pod.addLabel(ISTIO_POD_INJECT_LABEL, 'true');
  },
};
