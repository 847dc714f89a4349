import { Mesh } from '../../../src';
import { LINKERD_ENROLMENT } from '../../../src/meshes/linkerd/enrolment';
import { shopChart } from '../../util';
import { namespaceObject, podTemplate } from '../enrolment-fixtures';

const context = { mesh: Mesh.linkerd(), namespace: 'shop', by: 'test/zt' };
const e = LINKERD_ENROLMENT.enrolment(Mesh.linkerd());

describe('Linkerd enrolment (src/meshes/linkerd/enrolment.ts)', () => {
  test('linkerd.io/inject: enabled on the Namespace', () => {
    expect([e.on, e.kind, e.key, e.value, e.howTo('shop')]).toEqual(['Namespace', 'annotation', 'linkerd.io/inject', 'enabled', 'kubectl annotate namespace shop linkerd.io/inject=enabled']);
  });

  test('enrolNamespace annotates the Namespace, keeps "ingress" (still meshed) and refuses "disabled"', () => {
    const ns = namespaceObject(shopChart());
    LINKERD_ENROLMENT.enrolNamespace!(ns, e, context);
    expect(ns.toJson().metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
    const ingress = namespaceObject(shopChart(), {}, { 'linkerd.io/inject': 'ingress' });
    LINKERD_ENROLMENT.enrolNamespace!(ingress, e, context);
    expect(ingress.toJson().metadata.annotations).toEqual({ 'linkerd.io/inject': 'ingress' });
    const off = namespaceObject(shopChart(), {}, { 'linkerd.io/inject': 'disabled' });
    expect(() => LINKERD_ENROLMENT.enrolNamespace!(off, e, context)).toThrow(
      '[test/zt] namespaceObject: got "linkerd.io/inject: disabled": the Namespace [test/ns] of shop turns injection off, so no Linkerd policy or route applies to its pods; remove the annotation (the library writes linkerd.io/inject: enabled)');
  });

  test('enrolWorkload annotates the pod template only where the Namespace is not enrolled, and never over the user\'s', () => {
    const enrolled = podTemplate(shopChart());
    LINKERD_ENROLMENT.enrolWorkload(enrolled, true, Mesh.linkerd());
    expect(enrolled.annotations()).toEqual({});
    const bare = podTemplate(shopChart());
    LINKERD_ENROLMENT.enrolWorkload(bare, false, Mesh.linkerd());
    expect(bare.annotations()).toEqual({ 'linkerd.io/inject': 'enabled' });
    const off = podTemplate(shopChart(), {}, { 'linkerd.io/inject': 'disabled' });
    LINKERD_ENROLMENT.enrolWorkload(off, false, Mesh.linkerd());
    expect(off.annotations()).toEqual({ 'linkerd.io/inject': 'disabled' });
  });
});
