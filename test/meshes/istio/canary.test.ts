import { MatchType, Mesh } from '../../../src';
import { ISTIO_CANARY } from '../../../src/meshes/istio/canary';
import { alertIntent, context, controllerIntent } from '../canary-fixtures';

describe('meshes/istio: CanaryRelease hooks', () => {
  test("the health alert reads the canary pods' server-side metrics: the service's requests with the canary's version", () => {
    const q = ISTIO_CANARY.alertQueries(alertIntent(), context(Mesh.istio()));
    const sel = 'reporter="destination",destination_service_namespace="shop",destination_service_name="payment",destination_version="v2"';
    expect(q).toEqual({
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
    });
    // the metrics exist wherever sidecars run: no metrics-absent rule, and no object of its own
    expect(ISTIO_CANARY.renderAlertMetrics).toBeUndefined();
  });

  test('a release without namespace reads the default namespace', () => {
    expect(ISTIO_CANARY.alertQueries(alertIntent({ namespace: undefined }), context(Mesh.istio())).errorRatio).toContain('destination_service_namespace="default"');
  });

  test("Flagger routes with its Istio router, maps a header prefix as Istio's, and reads its built-in Istio metrics", () => {
    const router = ISTIO_CANARY.flagger!;
    expect(router.provider).toBe('istio');
    expect(router.gatewayRefs).toBeUndefined();
    expect(router.headerMatch({ type: MatchType.PREFIX, value: 'test.' })).toEqual({ prefix: 'test.' });
    expect(router.metrics(context(Mesh.istio()))).toEqual({ builtin: { successRate: 'request-success-rate', latency: 'request-duration' } });
    expect(controllerIntent().matches.map(m => router.headerMatch(m.headers[0]))).toEqual([{ prefix: 'test.' }]);
  });
});
