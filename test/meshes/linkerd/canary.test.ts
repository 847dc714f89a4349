import { MatchType, Mesh } from '../../../src';
import { LINKERD_CANARY } from '../../../src/meshes/linkerd/canary';
import { argoOf, alertIntent, argoAnalysisIntent, argoRoutingIntent, context, controllerIntent, objectsOf, releaseIntent, TWO_MATCHES, flaggerOf } from '../canary-fixtures';

describe('meshes/linkerd: CanaryRelease hooks', () => {
  test("the health alert reads the callers' outbound metrics of the canary backend; a failure is a 5xx or an error", () => {
    const q = LINKERD_CANARY.alertQueries(alertIntent(), context(Mesh.linkerd()));
    const base = 'parent_namespace="shop",parent_name="payment",backend_name="payment-v2"';
    const metric = 'outbound_http_route_backend_response_statuses_total';
    expect(q.errorRatio).toBe(`sum(rate(${metric}{${base},http_status=~"5.."}[5m]) or rate(${metric}{${base},http_status!~"5..",error!=""}[5m])) / sum(rate(${metric}{${base}}[5m]))`);
    expect(q.p99Seconds).toBe(`histogram_quantile(0.99, sum by (le) (rate(outbound_http_route_backend_response_duration_seconds_bucket{${base}}[5m])))`);
    expect(q.failures).toBe('5xx or errors (timeouts, resets)');
    expect(q.absent?.series).toBe(`${metric}{${base}}`);
    expect(q.absent?.summary).toBe('no request metrics for the v2 canary of payment: its health is not watched');
    expect(q.absent?.description).toMatch(/^Prometheus has no outbound_http_route_backend_response_statuses_total series for the v2 backend of payment, .* Check that the PodMonitor payment-canary-proxies is selected/);
  });

  test("the alert's metrics need a PodMonitor of the namespace's proxies, with the rule's labels", () => {
    const out = objectsOf(scope => LINKERD_CANARY.renderAlertMetrics!(scope, alertIntent(), context(Mesh.linkerd())));
    expect(out).toEqual([{
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'payment-canary-proxies', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'release': 'prom' } },
      spec: {
        podMetricsEndpoints: [{ path: '/metrics', port: 'linkerd-admin' }],
        selector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] },
      },
    }]);
  });

  test('Flagger routes a Gateway API HTTPRoute (a Service parent of group core), with MetricTemplates of the inbound proxy metrics on linkerd-viz', () => {
    const router = flaggerOf(LINKERD_CANARY);
    expect(router.provider).toBe('gatewayapi:v1');
    expect(router.gatewayRefs!(controllerIntent())).toEqual([{ name: 'payment', namespace: 'shop', group: 'core', kind: 'Service', port: 8080 }]);
    expect(router.headerMatch({ type: MatchType.EXACT, value: 'a.b' })).toEqual({ exact: 'a.b' });
    expect(router.headerMatch({ type: MatchType.PREFIX, value: 'a.b' })).toEqual({ regex: '^a\\.b.*' });
    const m = router.metrics(context(Mesh.linkerd()));
    if (!('templates' in m)) throw new Error('templates expected');
    expect(m.templates.defaultAddress).toBe('http://prometheus.linkerd-viz:9090');
    expect(m.templates.successRate).toBe('sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="inbound"}[{{ interval }}]))'
      + ' / sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) * 100');
    expect(m.templates.latency).toBe('histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="inbound"}[{{ interval }}])) by (le))');
  });

  test("Argo Rollouts: the gatewayAPI plugin's HTTPRoute (shared with ambient), and an analysis of the callers' outbound metrics of the -canary backend on linkerd-viz", () => {
    const argo = argoOf(LINKERD_CANARY);
    const out = objectsOf(scope => argo.renderRouting(scope, argoRoutingIntent(), context(Mesh.linkerd())));
    expect(out.map(o => [o.kind, o.spec.parentRefs])).toEqual([['HTTPRoute', [{ group: '', kind: 'Service', name: 'payment', port: 8080 }]]]);
    expect(argo.headerRoutes('r', TWO_MATCHES).map(r => r.name)).toEqual(['r-m1', 'r-m2']);
    const q = argo.analysisQueries(argoAnalysisIntent(), context(Mesh.linkerd()));
    const base = 'parent_namespace="shop",parent_name="payment",backend_name="payment-canary"';
    expect(q.defaultAddress).toBe('http://prometheus.linkerd-viz:9090');
    expect(q.errorRatio).toContain(`outbound_http_route_backend_response_statuses_total{${base},http_status=~"5.."}[5m]`);
    expect(q.p99Seconds).toBe(`histogram_quantile(0.99, sum by (le) (rate(outbound_http_route_backend_response_duration_seconds_bucket{${base}}[5m])))`);
  });
});

describe('meshes/linkerd: the release traits are the renderer\'s members and hooks', () => {
  test('unsupported: with smiTrafficSplit, the test requests (a TrafficSplit splits by weight only) after the mirror; else none', () => {
    const matches = [{ headers: [{ name: 'x-test', type: MatchType.EXACT, value: 'yes' }] }];
    const unsupported = (canary: any, mirrorPercent?: number) =>
      LINKERD_CANARY.unsupported({ ...releaseIntent(canary), mirrorPercent }, context(Mesh.linkerd()));
    expect(unsupported({ smi: true, canaryMatches: matches }, 10)).toEqual([
      expect.objectContaining({ setting: 'mirrorPercent', value: 10 }),
      {
        setting: 'canaryRequests',
        value: '1 match(es)',
        why: 'SMI TrafficSplit v1alpha2 (linkerd-smi) splits by weight only',
        alternative: 'use Gateway API routes (remove smiTrafficSplit) for header routes',
      },
    ]);
    expect(unsupported({ smi: true })).toEqual([]);
    expect(unsupported({ canaryMatches: matches })).toEqual([]);
  });

  test('reads smiTrafficSplit (Linkerd\'s own), with no checks of its own; Flagger gives no mirror warning (the mirror is unsupported)', () => {
    expect(LINKERD_CANARY.reads).toEqual(['smiTrafficSplit']);
    expect(LINKERD_CANARY.problems).toBeUndefined();
    expect(flaggerOf(LINKERD_CANARY).warnings).toBeUndefined();
    expect(flaggerOf(LINKERD_CANARY).unsupported!(controllerIntent({ mirrorPercent: 10 }), context(Mesh.linkerd())).map(u => u.setting)).toEqual(['mirrorPercent']);
  });
});
