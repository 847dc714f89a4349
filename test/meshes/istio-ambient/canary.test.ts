import { IstioDataPlane, Mesh } from '../../../src';
import { ISTIO_CANARY } from '../../../src/meshes/istio/canary';
import { AMBIENT_CANARY } from '../../../src/meshes/istio-ambient/canary';
import { alertIntent, context } from '../canary-fixtures';

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
});
