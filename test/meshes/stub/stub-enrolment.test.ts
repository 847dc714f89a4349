import { ApiObject } from 'cdk8s';
import { STUB } from './stub-mesh';
import { Identity, Mesh, MeshKind, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { MeshNamespace } from '../../../src/meshes/enrolment';
import { EnrolmentRenderer, MeshRenderers, ZeroTrustRenderer } from '../../../src/meshes/renderer';
import { PodTemplate } from '../../../src/private/k8s-objects';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();
const warnings = () => stderr().mock.calls.map(c => String(c[0])).join('');

// a pattern the stub renders (writing nothing of its own), so that it gets as far as enrolling its namespace
const zeroTrust: ZeroTrustRenderer = { reads: [], unsupported: () => [], render: () => undefined };

/** A stub's enrolment: its own namespace label, and its own pod annotation where the namespace is not enrolled. */
function stubEnrolment(key: string): EnrolmentRenderer {
  return {
    enrolment: () => ({ on: 'Namespace', kind: 'label', key, value: 'on', howTo: ns => `kubectl label namespace ${ns} ${key}=on` }),
    enrolWorkload: (pod, namespaceEnrolled) => { if (!namespaceEnrolled) pod.addAnnotation(`${key}-pod`, 'on'); },
  };
}

function stub(name: string, enrolment: MeshRenderers['enrolment']): Mesh {
  const renderers: MeshRenderers = { ...STUB, displayName: name, zeroTrust, enrolment };
  return Mesh._withRenderers(MeshKind.ISTIO, renderers);
}
const allow = [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }];

describe('a fifth mesh enrols namespaces through its own enrolment (MeshRenderers.enrolment)', () => {
  test('its own label on the Namespace, and nothing of Istio\'s', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: stub('Stub', stubEnrolment('stub.example.com/enrol')), allow });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'stub.example.com/enrol': 'on' });
  });

  test('the user\'s Namespace with another value of its label is refused by the mesh-neutral default', () => {
    expect(failureOf(chart => {
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'stub.example.com/enrol': 'off' } } });
      new ZeroTrustNamespace(chart, 'zt', { mesh: stub('Stub', stubEnrolment('stub.example.com/enrol')), allow });
    })).toBe('[test/zt] namespaceObject: got "stub.example.com/enrol: off": the Namespace [test/ns] of shop carries stub.example.com/enrol: off, but Stub enrols it with stub.example.com/enrol: on; remove the label from the Namespace (the library writes the enrolment)');
  });

  test('a namespace the app does not own: its warning gives the mesh\'s own step, and given workloads get its pod mark', () => {
    const chart = shopChart();
    const mesh = stub('Stub', stubEnrolment('stub.example.com/enrol'));
    const deployment = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'billing', namespace: 'billing' }, spec: { selector: { matchLabels: { app: 'billing' } }, template: { metadata: { labels: { app: 'billing' } } } } });
    const warned: string[] = [];
    MeshNamespace.of(chart, 'billing', mesh, mesh._renderers && (mesh._renderers as MeshRenderers).enrolment as EnrolmentRenderer, { warn: m => warned.push(m) })
      .enrolWorkload(PodTemplate.of(deployment));
    expect(warned).toEqual([expect.stringContaining('so its workloads are not enrolled in Stub by this library and its policies do nothing until they are: kubectl label namespace billing stub.example.com/enrol=on (or create')]);
    expect(PodTemplate.of(deployment)!.annotations()).toEqual({ 'stub.example.com/enrol-pod': 'on' });
  });

  test('a mesh without an enrolment (undefined) enrols nothing and says so once per namespace, with the step to take', () => {
    const chart = shopChart();
    const mesh = stub('Stub', undefined);
    new ZeroTrustNamespace(chart, 'zt', { mesh, allow });
    new ZeroTrustNamespace(chart, 'zt2', { mesh, namespace: 'shop', allow: [] } as any);
    expect(ofKind(synthValidated(chart), 'Namespace')).toEqual([]);
    expect(warnings().split('\n').filter(l => l.includes('has no enrolment'))).toEqual([
      '[cdk8s-mesh] warning: [test/zt] Stub has no enrolment in this library (its MeshRenderers.enrolment is undefined), so the workloads of namespace shop are not enrolled in it by this library and its policies and routes do nothing until they are: '
      + "enrol them as Stub's installation documents (its namespace label or annotation, or its pod injection), or give the mesh an EnrolmentRenderer (src/meshes/renderer.ts; see https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs/enrolment.md)",
    ]);
  });
});

describe('two patterns enrolling one namespace differently are refused, the meshes told apart by their enrolment', () => {
  test('two fifth meshes with enrolments of their own', () => {
    expect(failureOf(chart => {
      new ZeroTrustNamespace(chart, 'a', { mesh: stub('Stub A', stubEnrolment('a.example.com/enrol')), allow });
      new ZeroTrustNamespace(chart, 'b', { mesh: stub('Stub B', stubEnrolment('b.example.com/enrol')), allow });
    })).toBe('[test/b] mesh: got "Stub B (b.example.com/enrol: on)": [test/a] enrols namespace shop with a.example.com/enrol: on (Stub A); use one Mesh (and one revision) for the patterns of a namespace');
  });

  test('two meshes writing the same label are still two meshes', () => {
    expect(failureOf(chart => {
      new ZeroTrustNamespace(chart, 'a', { mesh: stub('Stub A', stubEnrolment('stub.example.com/enrol')), allow });
      new ZeroTrustNamespace(chart, 'b', { mesh: stub('Stub B', stubEnrolment('stub.example.com/enrol')), allow });
    })).toMatch(/^\[test\/b\] mesh: got "Stub B \(stub.example.com\/enrol: on\)": \[test\/a\] enrols namespace shop with stub.example.com\/enrol: on \(Stub A\)/);
  });

  test('a fifth mesh without an enrolment after Istio (a stub is no longer Istio for enrolment)', () => {
    expect(failureOf(chart => {
      new ZeroTrustNamespace(chart, 'a', { mesh: Mesh.istio(), allow });
      new ZeroTrustNamespace(chart, 'b', { mesh: stub('Stub', undefined), allow });
    })).toBe('[test/b] mesh: got "Stub (no enrolment known to this library)": [test/a] enrols namespace shop with istio-injection: enabled (Istio); use one Mesh (and one revision) for the patterns of a namespace');
  });

  test('one mesh (one enrolment object) in two patterns is one enrolment', () => {
    const chart = shopChart();
    const mesh = stub('Stub', stubEnrolment('stub.example.com/enrol'));
    new ZeroTrustNamespace(chart, 'a', { mesh, allow });
    new ZeroTrustNamespace(chart, 'b', { mesh: stub('Stub', (mesh._renderers as MeshRenderers).enrolment), namespace: 'shop', allow: [] } as any);
    expect(ofKind(synthValidated(chart), 'Namespace')).toHaveLength(1);
  });
});
