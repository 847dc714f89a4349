import { MatchType, Mesh } from '../../../src';
import { ISTIO_CANARY } from '../../../src/meshes/istio/canary';
import { argoOf, alertIntent, argoAnalysisIntent, argoRoutingIntent, context, controllerIntent, objectsOf, releaseIntent, TWO_MATCHES, warningContext, flaggerOf } from '../canary-fixtures';

describe('meshes/istio: CanaryRelease hooks', () => {
  test("the health alert reads the canary pods' server-side metrics: the service's requests with the canary's version", () => {
    const q = ISTIO_CANARY.alertQueries(alertIntent(), context(Mesh.istio()));
    const sel = 'reporter="destination",destination_service_namespace="shop",destination_service_name="payment",destination_version="v2"';
    expect(q).toEqual({
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
      absent: {
        series: `istio_requests_total{${sel}}`,
        summary: 'no request metrics from the v2 canary of payment: its health is not watched',
        description: expect.stringContaining('Check that the PodMonitor payment-canary-sidecars is selected'),
      },
    });
    // a version label Istio does not read (or one it reads first) is named as a cause of the absence
    expect(q.absent!.description).toContain('service.istio.io/canonical-revision, else app.kubernetes.io/version, else version) is not v2');
  });

  test("the alert's metrics need a PodMonitor of the sidecars' Envoy stats port on the pods of both versions, with the alert's labels", () => {
    const intent = alertIntent({
      canary: { ...alertIntent().canary, versionKey: 'track', labels: { app: 'payment', tier: 'backend', track: 'v2' } },
      stable: { ...alertIntent().stable, versionKey: 'track', labels: { app: 'payment', tier: 'backend', track: 'v1' } },
    });
    const out = objectsOf(scope => ISTIO_CANARY.renderAlertMetrics!(scope, intent, context(Mesh.istio())));
    expect(out.map(o => [o.kind, o.metadata.name, o.metadata.namespace, o.metadata.labels.release, o.spec])).toEqual([['PodMonitor', 'payment-canary-sidecars', 'shop', 'prom', {
      // the named container port of istio-proxy (injection-template.yaml): Envoy's /stats/prometheus
      podMetricsEndpoints: [{ path: '/stats/prometheus', port: 'http-envoy-prom' }],
      selector: { matchLabels: { app: 'payment', tier: 'backend' } },
    }]]);
    // no relabeling: the rule selects Istio's own labels of istio_requests_total
    expect(out[0].spec.podMetricsEndpoints[0].relabelings).toBeUndefined();
  });

  test('a release without namespace reads the default namespace', () => {
    expect(ISTIO_CANARY.alertQueries(alertIntent({ namespace: undefined }), context(Mesh.istio())).errorRatio).toContain('destination_service_namespace="default"');
  });

  test("Flagger routes with its Istio router, maps a header prefix as Istio's, and reads its built-in Istio metrics", () => {
    const router = flaggerOf(ISTIO_CANARY);
    expect(router.provider).toBe('istio');
    expect(router.gatewayRefs).toBeUndefined();
    expect(router.headerMatch({ type: MatchType.PREFIX, value: 'test.' })).toEqual({ prefix: 'test.' });
    expect(router.metrics(context(Mesh.istio()))).toEqual({ builtin: { successRate: 'request-success-rate', latency: 'request-duration' } });
    expect(controllerIntent().matches.map(m => router.headerMatch(m.headers[0]))).toEqual([{ prefix: 'test.' }]);
  });

  test('Argo Rollouts edits a VirtualService whose named route splits between the stable and canary hosts, and ORs the test requests in one route', () => {
    const argo = argoOf(ISTIO_CANARY);
    let routing: unknown;
    const out = objectsOf(scope => { routing = argo.renderRouting(scope, argoRoutingIntent(), context(Mesh.istio({ clusterDomain: 'corp.local' }))); });
    expect(routing).toEqual({ istio: { virtualService: { name: 'payment', routes: ['primary'] } } });
    expect(out.map(o => [o.kind, o.metadata.name, o.spec])).toEqual([['VirtualService', 'payment', {
      hosts: ['payment.shop.svc.corp.local'],
      http: [{
        name: 'primary',
        route: [
          { destination: { host: 'payment-stable.shop.svc.corp.local', port: { number: 8080 } }, weight: 100 },
          { destination: { host: 'payment-canary.shop.svc.corp.local', port: { number: 8080 } }, weight: 0 },
        ],
      }],
    }]]);
    expect(argo.headerRoutes('canary-requests', TWO_MATCHES)).toEqual([{ name: 'canary-requests', match: TWO_MATCHES }]);
  });

  test("Argo Rollouts' analysis reads the callers' sidecars (reporter source) on the -canary Service", () => {
    const sel = 'reporter="source",destination_service_namespace="shop",destination_service_name="payment-canary"';
    expect(argoOf(ISTIO_CANARY).analysisQueries(argoAnalysisIntent(), context(Mesh.istio()))).toEqual({
      defaultAddress: 'http://prometheus.istio-system:9090',
      errorRatio: `sum(rate(istio_requests_total{${sel},response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{${sel}}[5m]))`,
      p99Seconds: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m]))) / 1000`,
    });
  });
});

describe("meshes/istio: the release's Istio traits are the renderer's members and hooks", () => {
  test("reads no mesh-owned setting (Linkerd's smiTrafficSplit is refused by the construct, CANARY_OWNED), and has no checks of its own", () => {
    expect(ISTIO_CANARY.reads).toEqual([]);
    expect(ISTIO_CANARY.problems).toBeUndefined();
    expect(ISTIO_CANARY.unsupported(releaseIntent({ smi: true, canaryMatches: [{ headers: [] }] }), context(Mesh.istio()))).toEqual([]);
  });

  test('flagger.warnings: Flagger mirrors for the first analysis interval only, in a canary analysis; no warning without a mirror or in A/B testing', () => {
    const warn = (extra: any) => {
      const c = warningContext(Mesh.istio());
      flaggerOf(ISTIO_CANARY).warnings!(controllerIntent(extra), c);
      return c.warnings;
    };
    expect(warn({ mirrorPercent: 10 })).toEqual(['Flagger mirrors 10% of requests for the first analysis interval only, before it shifts weight (pkg/controller/scheduler.go runCanary), not at every step']);
    expect(warn({})).toEqual([]);
    expect(warn({ mirrorPercent: 10, abTesting: true })).toEqual([]);
  });
});
