import { IstioDataPlane, IstioWaypointScope, Mesh } from '../../../src';
import { ISTIO_CANARY } from '../../../src/meshes/istio/canary';
import { AMBIENT_CANARY } from '../../../src/meshes/istio-ambient/canary';
import { argoOf, alertIntent, argoAnalysisIntent, argoRoutingIntent, context, controllerIntent, objectsOf, releaseIntent, TWO_MATCHES, flaggerOf } from '../canary-fixtures';

const ambient = () => Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('meshes/istio-ambient: CanaryRelease hooks (Istio with overrides)', () => {
  test("the health alert reads the waypoint's metrics of the canary's backend Service (not the apex service's)", () => {
    const q = AMBIENT_CANARY.alertQueries(alertIntent(), context(ambient()));
    const sel = 'reporter="waypoint",destination_service_namespace="shop",destination_service_name="payment-v2",destination_version="v2"';
    expect(q).toEqual({
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
      absent: {
        series: `istio_requests_total{${sel}}`,
        summary: 'no request metrics for the v2 canary of payment: its health is not watched',
        description: expect.stringContaining('Check that the PodMonitor waypoint-envoy-stats is selected'),
      },
    });
    expect(q).not.toEqual(ISTIO_CANARY.alertQueries(alertIntent(), context(ambient())));
    // a waypoint per Service: the absent rule names that waypoint's PodMonitor
    const serviceScope = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE });
    const perService = AMBIENT_CANARY.alertQueries(alertIntent(), context(serviceScope));
    expect(perService.absent!.description).toContain('the PodMonitor payment-waypoint-envoy-stats is selected');
    expect(perService.absent!.description).toContain('the Gateway payment-waypoint has running pods (labelled gateway.networking.k8s.io/gateway-name: payment-waypoint)');
  });

  test("Flagger routes the waypoint's HTTPRoute (Gateway API, a Service parent of group ''), with MetricTemplates of the waypoint's metrics", () => {
    const router = flaggerOf(AMBIENT_CANARY);
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

  test("Argo Rollouts' gatewayAPI plugin edits a Service-parented HTTPRoute, one managed route per test request (the plugin ANDs a route's matches)", () => {
    const argo = argoOf(AMBIENT_CANARY);
    let routing: unknown;
    const out = objectsOf(scope => { routing = argo.renderRouting(scope, argoRoutingIntent(), context(ambient())); });
    expect(routing).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'payment', namespace: 'shop' } } });
    expect(out.map(o => [o.kind, o.metadata.name, o.spec])).toEqual([['HTTPRoute', 'payment', {
      parentRefs: [{ group: '', kind: 'Service', name: 'payment', port: 8080 }],
      rules: [{ backendRefs: [{ name: 'payment-stable', port: 8080, weight: 100 }, { name: 'payment-canary', port: 8080, weight: 0 }] }],
    }]]);
    expect(argo.headerRoutes('canary-requests', TWO_MATCHES)).toEqual([
      { name: 'canary-requests-m1', match: [TWO_MATCHES[0]] }, { name: 'canary-requests-m2', match: [TWO_MATCHES[1]] },
    ]);
    expect(argo.headerRoutes('canary-requests', [TWO_MATCHES[0]])).toEqual([{ name: 'canary-requests', match: [TWO_MATCHES[0]] }]);
  });

  test("Argo Rollouts' analysis reads the waypoint's metrics of the -canary backend Service (its inbound-vip cluster's istio.services)", () => {
    const sel = 'reporter="waypoint",destination_service_namespace="shop",destination_service_name="payment-canary"';
    expect(argoOf(AMBIENT_CANARY).analysisQueries(argoAnalysisIntent(), context(ambient()))).toEqual({
      defaultAddress: 'http://prometheus.istio-system:9090',
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
    });
  });
});

describe("meshes/istio-ambient: Istio's release traits, inherited", () => {
  test("reads no mesh-owned setting (Linkerd's smiTrafficSplit is refused by the construct in ambient's name, CANARY_OWNED)", () => {
    expect(AMBIENT_CANARY.reads).toEqual([]);
    expect(AMBIENT_CANARY.problems).toBeUndefined();
    expect(AMBIENT_CANARY.unsupported(releaseIntent({ smi: true, canaryMatches: [{ headers: [] }] }), context(ambient()))).toEqual([]);
  });

  test("flagger: no first-interval mirror warning (Istio's): the mirror itself is refused or dropped by flagger.unsupported", () => {
    expect(flaggerOf(ISTIO_CANARY).warnings).toBeDefined();
    expect(flaggerOf(AMBIENT_CANARY).warnings).toBeUndefined();
    expect(flaggerOf(AMBIENT_CANARY).unsupported!(controllerIntent({ mirrorPercent: 10 }), context(ambient())).map(u => u.setting)).toEqual(['mirrorPercent']);
  });
});

describe('meshes/istio-ambient: the controller hooks are members of the controller they refuse', () => {
  test('Flagger is refused with per-Service waypoints, on its own member; Argo Rollouts has no refusal', () => {
    const service = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE });
    expect(flaggerOf(AMBIENT_CANARY).refusal!(controllerIntent(), context(service))).toMatchObject({ prop: 'mesh', value: 'IstioWaypointScope.SERVICE' });
    expect(flaggerOf(AMBIENT_CANARY).refusal!(controllerIntent(), context(ambient()))).toBeUndefined();
    expect(argoOf(AMBIENT_CANARY).refusal).toBeUndefined();
    expect(argoOf(AMBIENT_CANARY).unsupported!(controllerIntent({ flagger: false, controller: 'argo-rollouts', mirrorPercent: 5 }), context(service)).map(u => u.why))
      .toEqual(['the argoproj-labs/gatewayAPI plugin\'s SetMirrorRoute does nothing (pkg/plugin/plugin.go), so setMirrorRoute would mirror no request']);
  });

  test('Istio (sidecars) leaves both optional hooks out: it takes both controllers and every setting', () => {
    expect(flaggerOf(ISTIO_CANARY).refusal).toBeUndefined();
    expect(flaggerOf(ISTIO_CANARY).unsupported).toBeUndefined();
    expect(argoOf(ISTIO_CANARY).unsupported).toBeUndefined();
  });
});
