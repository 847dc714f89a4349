import { Mesh } from '../../../src';
import { CONSUL_ENROLMENT } from '../../../src/meshes/consul/enrolment';
import { shopChart } from '../../util';
import { podTemplate } from '../enrolment-fixtures';

describe('Consul enrolment (src/meshes/consul/enrolment.ts)', () => {
  test('consul.hashicorp.com/connect-inject: "true" on each pod template, with the step for one service', () => {
    const e = CONSUL_ENROLMENT.enrolment(Mesh.consul());
    expect([e.on, e.kind, e.key, e.value]).toEqual(['pod template', 'annotation', 'consul.hashicorp.com/connect-inject', 'true']);
    expect(e.howTo('shop')).toBe('annotate the pod templates of the workloads of shop with consul.hashicorp.com/connect-inject: "true" (or install Consul with the Helm value connectInject.default: true)');
    expect(e.howToService).toMatch(/^annotate their pod template with consul.hashicorp.com\/connect-inject: "true" \(or install Consul with the Helm value connectInject.default: true; see .*enrolment.md\)$/);
    expect(CONSUL_ENROLMENT.enrolNamespace).toBeUndefined();
  });

  test('enrolWorkload annotates every workload (whatever the Namespace) and mounts its service account token', () => {
    const pod = podTemplate(shopChart(), {}, {}, false);
    CONSUL_ENROLMENT.enrolWorkload(pod, true, Mesh.consul());
    expect(pod.annotations()).toEqual({ 'consul.hashicorp.com/connect-inject': 'true' });
    expect(pod.automountServiceAccountToken()).toBe(true);
  });

  test('a workload that opts out keeps its "false" and its token setting (it gets no dataplane to log in)', () => {
    const pod = podTemplate(shopChart(), {}, { 'consul.hashicorp.com/connect-inject': 'false' }, false);
    CONSUL_ENROLMENT.enrolWorkload(pod, false, Mesh.consul());
    expect(pod.annotations()).toEqual({ 'consul.hashicorp.com/connect-inject': 'false' });
    expect(pod.automountServiceAccountToken()).toBe(false);
  });
});
