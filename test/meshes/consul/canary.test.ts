import { Mesh } from '../../../src';
import { CONSUL_CANARY } from '../../../src/meshes/consul/canary';
import { alertIntent, context, controllerIntent, objectsOf, releaseIntent } from '../canary-fixtures';

describe('meshes/consul: CanaryRelease hooks', () => {
  test("the health alert reads the canary pods' inbound listener, by the version label the PodMonitor copies", () => {
    const q = CONSUL_CANARY.alertQueries(alertIntent(), context(Mesh.consul()));
    const base = 'namespace="shop",local_cluster="payment",envoy_http_conn_manager_prefix="public_listener",version="v2"';
    expect(q.errorRatio).toBe(`sum(rate(envoy_http_downstream_rq_xx{${base},envoy_response_code_class="5"}[5m])) / sum(rate(envoy_http_downstream_rq_xx{${base}}[5m]))`);
    expect(q.p99Seconds).toBe(`histogram_quantile(0.99, sum by (le) (rate(envoy_http_downstream_rq_time_bucket{${base}}[5m]))) / 1000`);
    expect(q.failures).toBeUndefined();
    expect(q.absent?.series).toBe(`envoy_http_downstream_rq_total{${base}}`);
    expect(q.absent?.description).toContain('the PodMonitor payment-canary-dataplane scrapes the pods');
  });

  test("the alert's metrics need a PodMonitor of the canary pods' dataplane port that copies their version label", () => {
    const intent = alertIntent({ canary: { ...alertIntent().canary, versionKey: 'track', labels: { app: 'payment', track: 'v2' } } });
    expect(CONSUL_CANARY.alertQueries(intent, context(Mesh.consul())).errorRatio).toContain(',track="v2"');
    const out = objectsOf(scope => CONSUL_CANARY.renderAlertMetrics!(scope, intent, context(Mesh.consul())));
    expect(out.map(o => [o.kind, o.metadata.name, o.spec])).toEqual([['PodMonitor', 'payment-canary-dataplane', {
      podMetricsEndpoints: [{ path: '/metrics', port: 'prometheus' }],
      podTargetLabels: ['track'],
      selector: { matchLabels: { app: 'payment', track: 'v2' } },
    }]]);
  });

  test('neither controller routes Consul: each member is only its refusal (marked as such), in its own words', () => {
    expect(Object.keys(CONSUL_CANARY.flagger!)).toEqual(['refusesEveryRelease', 'refusal']);
    expect(Object.keys(CONSUL_CANARY.argoRollouts!)).toEqual(['refusesEveryRelease', 'refusal']);
    expect(CONSUL_CANARY.flagger!.refusal!(controllerIntent(), context(Mesh.consul()))?.why).toMatch(/^Flagger has no Consul provider/);
    expect(CONSUL_CANARY.argoRollouts!.refusal!(controllerIntent({ flagger: false, controller: 'argo-rollouts' }), context(Mesh.consul()))?.why).toMatch(/^Argo Rollouts has no Consul traffic router/);
  });
});

describe('meshes/consul: the release traits are the renderer\'s members and hooks', () => {
  test("reads no mesh-owned setting (Linkerd's smiTrafficSplit is refused by the construct, CANARY_OWNED), and has no checks of its own", () => {
    expect(CONSUL_CANARY.reads).toEqual([]);
    expect(CONSUL_CANARY.problems).toBeUndefined();
    expect(CONSUL_CANARY.unsupported(releaseIntent({ smi: true, canaryMatches: [{ headers: [] }] }), context(Mesh.consul()))).toEqual([]);
  });
});
