import { docsUrl } from '../../private/docs-url';
import { PodTemplate } from '../../private/k8s-objects';
import { Enrolment, EnrolmentRenderer } from '../renderer';

/** consul-k8s's pod annotation read by the connect-inject webhook. */
export const CONSUL_INJECT_ANNOTATION = 'consul.hashicorp.com/connect-inject';

/**
 * Consul: `consul.hashicorp.com/connect-inject: "true"` on each pod; the webhook injects pods without it only
 * with the Helm value connectInject.default: true (consul-k8s control-plane/connect-inject/webhook/
 * mesh_webhook.go, shouldInject), which is false by default.
 */
export const CONSUL_ENROLMENT: EnrolmentRenderer = {
  enrolment(): Enrolment {
    return {
      on: 'pod template',
      kind: 'annotation',
      key: CONSUL_INJECT_ANNOTATION,
      value: 'true',
      howTo: ns => `annotate the pod templates of the workloads of ${ns} with ${CONSUL_INJECT_ANNOTATION}: "true" (or install Consul with the Helm value connectInject.default: true)`,
      howToService: `annotate their pod template with ${CONSUL_INJECT_ANNOTATION}: "true" (or install Consul with the Helm value connectInject.default: true; see ${docsUrl('enrolment.md')})`,
    };
  },

  /**
   * The annotation, unless the pod template carries one (`"false"` opts a workload out). Its
   * `automountServiceAccountToken: false` (cdk8s-plus's default) is turned on: with ACLs, consul-k8s logs the
   * dataplane in with the pod's service account token and refuses to inject a pod without its volume mount
   * (mesh_webhook.go, findServiceAccountVolumeMount).
   */
  enrolWorkload(workload: PodTemplate) {
    if (workload.annotations()[CONSUL_INJECT_ANNOTATION] === undefined) workload.addAnnotation(CONSUL_INJECT_ANNOTATION, 'true');
    // (not for a workload that opts out: it gets no dataplane to log in)
    if (workload.automountServiceAccountToken() === false && workload.annotations()[CONSUL_INJECT_ANNOTATION] === 'true') {
      workload.setAutomountServiceAccountToken(true);
    }
  },
};
