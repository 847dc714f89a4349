import { IstioDataPlane, Mesh } from '../../../src';
import { ISTIO_CANARY } from '../../../src/meshes/istio/canary';
import { AMBIENT_CANARY } from '../../../src/meshes/istio-ambient/canary';
import { alertIntent, context, controllerIntent } from '../canary-fixtures';

const ambient = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('meshes/istio-ambient: CanaryRelease hooks (Istio with overrides)', () => {
  test("the health alert reads the waypoint's metrics of the canary's backend Service (not the apex service's)", () => {
    const q = AMBIENT_CANARY.alertQueries(alertIntent(), context(ambient()));
    const sel = 'reporter="waypoint",destination_service_namespace="shop",destination_service_name="payment-v2",destination_version="v2"';
    expect(q).toEqual({
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
    });
    expect(q).not.toEqual(ISTIO_CANARY.alertQueries(alertIntent(), context(ambient())));
  });

  test("Flagger routes the waypoint's HTTPRoute (Gateway API, a Service parent of group ''), with MetricTemplates of the waypoint's metrics", () => {
    const router = AMBIENT_CANARY.flagger!;
    expect(router.provider).toBe('gatewayapi:v1');
    expect(router.gatewayRefs!(controllerIntent())).toEqual([{ name: 'payment', namespace: 'shop', group: '', kind: 'Service', port: 8080 }]);
    expect(router.gatewayRefs!(controllerIntent({ namespace: undefined }))).toEqual([{ name: 'payment', group: '', kind: 'Service', port: 8080 }]);
    // Gateway API has no prefix header match in Flagger's mapping: an anchored, escaped regex
    expect(router.headerMatch(controllerIntent().matches[0].headers[0])).toEqual({ regex: '^test\\..*' });
    const m = router.metrics(context(ambient()));
    expect('templates' in m && m.templates.defaultAddress).toBe('http://prometheus.istio-system:9090');
    const sel = 'reporter="waypoint",destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"';
    expect(m).toEqual({
      templates: {
        defaultAddress: 'http://prometheus.istio-system:9090',
        successRate: `sum(rate(istio_requests_total{${sel},response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{${sel}}[{{ interval }}])) * 100`,
        latency: `histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{${sel}}[{{ interval }}])) by (le))`,
      },
    });
  });
});
