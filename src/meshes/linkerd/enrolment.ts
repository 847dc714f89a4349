import { ApiObject } from 'cdk8s';
import { meshError, propMessage } from '../../private/errors';
import { PodTemplate, userPath } from '../../private/k8s-objects';
import { Enrolment, EnrolmentContext, EnrolmentRenderer } from '../renderer';

/** Linkerd's namespace (or pod template) annotation read by the proxy injector. */
export const LINKERD_INJECT_ANNOTATION = 'linkerd.io/inject';

/**
 * Linkerd: the annotation `linkerd.io/inject: enabled` on the Namespace; the proxy injector reads it from the
 * namespace or the pod (linkerd2 pkg/inject/report.go, disabledByAnnotation), so a workload of a namespace the
 * library does not enrol gets it on its pod template.
 */
export const LINKERD_ENROLMENT: EnrolmentRenderer = {
  enrolment(): Enrolment {
    return { on: 'Namespace', kind: 'annotation', key: LINKERD_INJECT_ANNOTATION, value: 'enabled', howTo: ns => `kubectl annotate namespace ${ns} ${LINKERD_INJECT_ANNOTATION}=enabled` };
  },

  enrolNamespace(ns: ApiObject, e: Enrolment, { mesh, namespace, by }: EnrolmentContext) {
    const mine = ns.metadata.toJson().annotations?.[e.key];
    // "ingress" injects the proxy in ingress mode (report.go): still meshed
    if (mine !== undefined && mine !== e.value && mine !== 'ingress') {
      throw meshError(`[${by}] ${propMessage('namespaceObject', `${e.key}: ${mine}`,
        `the Namespace [${userPath(ns)}] of ${namespace} turns injection off, so no ${mesh.displayName} policy or route applies to its pods`,
        `remove the annotation (the library writes ${e.key}: ${e.value})`)}`);
    }
    if (mine === undefined) ns.metadata.addAnnotation(e.key, e.value);
  },

  enrolWorkload(pod: PodTemplate, namespaceEnrolled: boolean) {
    if (!namespaceEnrolled && pod.annotations()[LINKERD_INJECT_ANNOTATION] === undefined) pod.addAnnotation(LINKERD_INJECT_ANNOTATION, 'enabled');
  },
};
