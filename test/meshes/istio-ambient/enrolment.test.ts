import { Duration } from 'cdk8s';
import { Identity, IstioDataPlane, Mesh, ResilientService, ServiceRef, ZeroTrustNamespace } from '../../../src';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { AMBIENT_ENROLMENT } from '../../../src/meshes/istio-ambient/enrolment';
import { isEnrolledByRenderers } from '../../../src/meshes/renderer';
import { ofKind, one, shopChart, synthValidated } from '../../util';

const ambient = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('Istio ambient enrolment (src/meshes/istio-ambient/enrolment.ts)', () => {
  test('ambient leaves enrolment to its renderers (AmbientNamespace)', () => {
    expect(ISTIO_AMBIENT.enrolment).toBe(AMBIENT_ENROLMENT);
    expect(isEnrolledByRenderers(AMBIENT_ENROLMENT)).toBe(true);
  });

  test('the patterns write no sidecar enrolment: the Namespace carries the data plane label only, from the renderer', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: ambient(), allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }] });
    new ResilientService(chart, 'rs', { mesh: ambient(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.labels['istio.io/dataplane-mode']).toBe('ambient');
    expect(one(out, 'Namespace', 'shop').metadata.labels['istio-injection']).toBeUndefined();
    expect(chart.node.tryFindChild('MeshNamespace-shop')).toBeUndefined();
  });
});
