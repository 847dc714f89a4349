import { ApiObject } from 'cdk8s';
import { Mesh } from '../../../src';
import { ISTIO_ENROLMENT } from '../../../src/meshes/istio/enrolment';
import { shopChart } from '../../util';
import { namespaceObject, podTemplate } from '../enrolment-fixtures';

const context = { mesh: Mesh.istio(), namespace: 'shop', by: 'test/rs' };
const labelled = (ns: ApiObject) => ns.toJson().metadata.labels;

describe('Istio sidecar enrolment (src/meshes/istio/enrolment.ts)', () => {
  test('istio-injection: enabled on the Namespace, or istio.io/rev: <revision> with a revision', () => {
    const e = ISTIO_ENROLMENT.enrolment(Mesh.istio());
    expect([e.on, e.kind, e.key, e.value, e.howTo('shop')]).toEqual(['Namespace', 'label', 'istio-injection', 'enabled', 'kubectl label namespace shop istio-injection=enabled']);
    const rev = ISTIO_ENROLMENT.enrolment(Mesh.istio({ revision: 'prod-stable' }));
    expect([rev.key, rev.value, rev.howTo('shop')]).toEqual(['istio.io/rev', 'prod-stable', 'kubectl label namespace shop istio.io/rev=prod-stable']);
  });

  test('enrolNamespace labels the Namespace, keeping the same label, and refuses the other injection label', () => {
    const chart = shopChart();
    const ns = namespaceObject(chart, { 'team': 'payments', 'istio-injection': 'enabled' });
    ISTIO_ENROLMENT.enrolNamespace!(ns, ISTIO_ENROLMENT.enrolment(Mesh.istio()), context);
    expect(labelled(ns)).toEqual({ 'team': 'payments', 'istio-injection': 'enabled' });

    const rev = namespaceObject(shopChart(), { 'istio.io/rev': 'canary' });
    expect(() => ISTIO_ENROLMENT.enrolNamespace!(rev, ISTIO_ENROLMENT.enrolment(Mesh.istio()), context)).toThrow(
      "[test/rs] namespaceObject: got \"istio.io/rev: canary\": the Namespace [test/ns] of shop carries istio.io/rev: canary, but the mesh enrols it with istio-injection: enabled, and Istio's injection webhooks read istio-injection before istio.io/rev (a namespace with both gets the default revision); remove the label, or use Mesh.istio({ revision: 'canary' })");
    const off = namespaceObject(shopChart(), { 'istio-injection': 'disabled' });
    expect(() => ISTIO_ENROLMENT.enrolNamespace!(off, ISTIO_ENROLMENT.enrolment(Mesh.istio()), context)).toThrow('got "istio-injection: disabled"');
  });

  test('enrolWorkload marks the pods only where the Namespace is not enrolled, and never over a mark of the user', () => {
    const enrolled = podTemplate(shopChart());
    ISTIO_ENROLMENT.enrolWorkload(enrolled, true, Mesh.istio());
    expect(enrolled.labels()).toEqual({ app: 'payment' });

    const bare = podTemplate(shopChart());
    ISTIO_ENROLMENT.enrolWorkload(bare, false, Mesh.istio());
    expect(bare.labels()).toEqual({ 'app': 'payment', 'sidecar.istio.io/inject': 'true' });

    const revision = podTemplate(shopChart());
    ISTIO_ENROLMENT.enrolWorkload(revision, false, Mesh.istio({ revision: 'prod-stable' }));
    expect(revision.labels()).toEqual({ 'app': 'payment', 'istio.io/rev': 'prod-stable' });

    const optedOut = podTemplate(shopChart(), { 'sidecar.istio.io/inject': 'false' });
    ISTIO_ENROLMENT.enrolWorkload(optedOut, false, Mesh.istio({ revision: 'prod-stable' }));
    expect(optedOut.labels()).toEqual({ 'app': 'payment', 'sidecar.istio.io/inject': 'false' });
  });
});
