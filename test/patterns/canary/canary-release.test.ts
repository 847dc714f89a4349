import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  CanaryRelease, CanaryReleaseProps, HeaderMatch, IstioDataPlane, IstioWaypointScope, ManifestValidator, Mesh, MeshAnalyzer, PathMatch, ReleaseVersion,
  ResilientService, RetryOn, ServiceRef, UnsupportedSettings,
} from '../../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../../util';

const payment = () => ServiceRef.fromName('payment', { port: 8080 });
const TEST_USER = [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }];
const AMBIENT_MESH = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const STEPS = [{ weight: 5, pause: Duration.minutes(10) }, { weight: 25 }, { weight: 50 }, { weight: 100 }];

const props = (mesh: Mesh, over: Partial<CanaryReleaseProps> = {}): CanaryReleaseProps => ({
  mesh,
  service: payment(),
  stable: ReleaseVersion.of('v1'),
  canary: ReleaseVersion.of('v2'),
  canaryWeight: 10,
  canaryRequests: TEST_USER,
  healthAlert: { maxErrorRatePercent: 1, maxP99Latency: Duration.millis(500) },
  ...over,
});

function synth(p: CanaryReleaseProps, chart: Chart = shopChart()): any[] {
  new CanaryRelease(chart, 'release', p);
  return synthValidated(chart);
}

function fails(p: CanaryReleaseProps): string {
  return failureOf(chart => new CanaryRelease(chart, 'release', p));
}

captureStderr();

describe('snapshots per mesh and per step, validated against the pinned CRDs', () => {
  for (const [name, mesh] of [['istio', Mesh.istio()], ['linkerd', Mesh.linkerd()], ['consul', Mesh.consul()]] as const) {
    test.each([1, 2, 4])(`${name}: step %d of 5/25/50/100`, step => {
      const out = synth(props(mesh, { canaryWeight: undefined, steps: STEPS, step }));
      expect(out.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n')).toMatchSnapshot();
    });
  }
});

describe('Istio', () => {
  test('DestinationRule subsets and a VirtualService with the header routes first, then the weighted route', () => {
    const out = synth(props(Mesh.istio()));
    const dr = one(out, 'DestinationRule', 'payment');
    expect(dr.spec).toEqual({
      host: 'payment.shop.svc.cluster.local',
      subsets: [{ name: 'v1', labels: { app: 'payment', version: 'v1' } }, { name: 'v2', labels: { app: 'payment', version: 'v2' } }],
    });
    const http = one(out, 'VirtualService', 'payment').spec.http;
    expect(http).toEqual([
      { name: 'canary-default', match: [{ headers: { 'x-test-user': { exact: 'true' } } }], route: [{ destination: { host: 'payment.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } } }] },
      {
        name: 'default',
        route: [
          { destination: { host: 'payment.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } }, weight: 90 },
          { destination: { host: 'payment.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } }, weight: 10 },
        ],
      },
    ]);
    // every subset a route names is defined for the same host
    const subsets = new Set(dr.spec.subsets.map((s: any) => s.name));
    for (const r of http) for (const d of r.route) expect(subsets.has(d.destination.subset)).toBe(true);
  });

  test('mirroring a share of live traffic to the canary', () => {
    const http = one(synth(props(Mesh.istio(), { mirrorPercent: 20 })), 'VirtualService', 'payment').spec.http;
    expect(http[1]).toMatchObject({ mirror: { host: 'payment.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } }, mirrorPercentage: { value: 20 } });
  });

  test('blue/green: 0 and 100 send everything to one version', () => {
    const at = (w: number) => one(synth(props(Mesh.istio(), { canaryWeight: w, canaryRequests: undefined })), 'VirtualService', 'payment').spec.http[0].route;
    expect(at(0)).toEqual([{ destination: { host: 'payment.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } } }]);
    expect(at(100)).toEqual([{ destination: { host: 'payment.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } } }]);
  });

  test('a cookie routes to the canary through an anchored cookie-header regex', () => {
    const http = one(synth(props(Mesh.istio(), { canaryRequests: [{ cookie: { name: 'canary', value: 'always' } }] })), 'VirtualService', 'payment').spec.http;
    const regex = http[0].match[0].headers.cookie.regex;
    const re = new RegExp(regex);
    expect(re.test('canary=always')).toBe(true);
    expect(re.test('session=abc; canary=always; theme=dark')).toBe(true);
    expect(re.test('notcanary=always')).toBe(false);
    expect(re.test('canary=alwaysnot')).toBe(false);
  });

  test('the health alert uses istio_requests_total by destination version', () => {
    const rule = one(synth(props(Mesh.istio())), 'PrometheusRule', 'payment-canary-health');
    const [errors, latency] = rule.spec.groups[0].rules;
    expect(errors.alert).toBe('PaymentCanaryHighErrorRate');
    expect(errors.expr).toBe('(sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="payment",destination_version="v2",response_code=~"5.."}[5m])) / sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="payment",destination_version="v2"}[5m]))) > 0.01');
    expect(latency.expr).toContain('istio_request_duration_milliseconds_bucket');
    expect(latency.expr).toMatch(/\/ 1000\) > 0.5$/);
    expect(errors.labels).toEqual({ severity: 'critical', service: 'payment', version: 'v2' });
  });
});

describe('Linkerd', () => {
  test('a Gateway API HTTPRoute with the Service as parent and weighted per-version backends', () => {
    const out = synth(props(Mesh.linkerd()));
    const route = one(out, 'HTTPRoute', 'payment');
    expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'payment', port: 8080 }]);
    expect(route.spec.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-test-user', value: 'true' }] }], backendRefs: [{ name: 'payment-v2', port: 8080 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'payment-v1', port: 8080, weight: 90 }, { name: 'payment-v2', port: 8080, weight: 10 }] },
    ]);
    expect(one(out, 'Service', 'payment-v2').spec.selector).toEqual({ app: 'payment', version: 'v2' });
    expect(one(out, 'Service', 'payment-v1').spec.selector).toEqual({ app: 'payment', version: 'v1' });
  });

  test('an SMI TrafficSplit for installs without Gateway API routes, with weights that pass the real CRD', () => {
    const out = synth(props(Mesh.linkerd(), { smiTrafficSplit: true, canaryRequests: undefined }));
    expect(one(out, 'TrafficSplit', 'payment')).toMatchObject({
      apiVersion: 'split.smi-spec.io/v1alpha2',
      spec: { service: 'payment', backends: [{ service: 'payment-v1', weight: 90 }, { service: 'payment-v2', weight: 10 }] },
    });
    expect(ofKind(out, 'HTTPRoute')).toEqual([]);
  });

  test('an SMI TrafficSplit beside the routes of a ResilientService is refused whichever joins first; Gateway API routes combine', () => {
    const smi = props(Mesh.linkerd(), { smiTrafficSplit: true, canaryRequests: undefined });
    const resilient = (chart: Chart) => new ResilientService(chart, 'resilience', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    const why = "service: got payment: [test/release] splits it with linkerd-smi's TrafficSplit (smiTrafficSplit: true) and [test/resilience] configures routes for it, "
      + 'and the TrafficSplit does not combine with HTTPRoutes on the same service; use Gateway API routes (remove smiTrafficSplit from [test/release])';
    expect(failureOf(chart => { resilient(chart); new CanaryRelease(chart, 'release', smi); })).toBe(`[test/release] ${why}`);
    expect(failureOf(chart => { new CanaryRelease(chart, 'release', smi); resilient(chart); })).toBe(`[test/resilience] ${why}`);
    const chart = shopChart();
    resilient(chart);
    expect(ofKind(synth(props(Mesh.linkerd(), { canaryRequests: undefined }), chart), 'HTTPRoute')).toHaveLength(1);
  });

  test('header routes with SMI, and mirroring, are refused with the alternative', () => {
    expect(fails(props(Mesh.linkerd(), { smiTrafficSplit: true }))).toContain('canaryRequests: got "1 match(es)": Linkerd cannot express this (SMI TrafficSplit v1alpha2 (linkerd-smi) splits by weight only); use Gateway API routes');
    expect(fails(props(Mesh.linkerd(), { mirrorPercent: 10 }))).toContain('mirrorPercent: got 10: Linkerd cannot express this (Linkerd\'s outbound routes do not support the RequestMirror filter); send test traffic to the canary with canaryRequests instead');
  });

  test('the health alert uses the route-backend metrics of the canary Service', () => {
    const expr = one(synth(props(Mesh.linkerd())), 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules[0].expr;
    // a timeout or a reset has no 5xx status but a non-empty error label: it counts as a failure, as linkerd viz counts it
    expect(expr).toBe('(sum(rate(outbound_http_route_backend_response_statuses_total{parent_namespace="shop",parent_name="payment",backend_name="payment-v2",http_status=~"5.."}[5m]) or rate(outbound_http_route_backend_response_statuses_total{parent_namespace="shop",parent_name="payment",backend_name="payment-v2",http_status!~"5..",error!=""}[5m])) / sum(rate(outbound_http_route_backend_response_statuses_total{parent_namespace="shop",parent_name="payment",backend_name="payment-v2"}[5m]))) > 0.01');
  });
});

describe('Linkerd: the health alert can fire (a prometheus-operator Prometheus scrapes the proxies)', () => {
  const PROM = { namespace: 'monitoring', serviceAccount: 'kube-prometheus-stack-prometheus' };

  test('a PodMonitor on the proxies\' admin port of the namespace\'s meshed pods, and an absent() alert', () => {
    const out = synth(props(Mesh.linkerd({ prometheus: PROM })));
    expect(one(out, 'PodMonitor', 'payment-canary-proxies').spec).toEqual({
      selector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] },
      podMetricsEndpoints: [{ port: 'linkerd-admin', path: '/metrics' }],
    });
    const rules = one(out, 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['PaymentCanaryHighErrorRate', 'PaymentCanaryHighLatency', 'PaymentCanaryMetricsAbsent']);
    expect(rules[2].expr).toBe('absent(outbound_http_route_backend_response_statuses_total{parent_namespace="shop",parent_name="payment",backend_name="payment-v2"})');
    expect(rules[2].annotations.description).toContain('PodMonitor payment-canary-proxies');
  });

  test('labels for the operator\'s ruleSelector and podMonitorSelector; bad labels refused', () => {
    const out = synth(props(Mesh.linkerd({ prometheus: PROM }), { healthAlert: { prometheusLabels: { release: 'kube-prometheus-stack' } } }));
    expect(one(out, 'PrometheusRule', 'payment-canary-health').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(one(out, 'PodMonitor', 'payment-canary-proxies').metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(one(synth(props(Mesh.linkerd({ prometheus: PROM }))), 'PrometheusRule', 'payment-canary-health').metadata.labels.release).toBeUndefined();
    expect(fails(props(Mesh.linkerd(), { healthAlert: { prometheusLabels: { release: 'kube prometheus' } } }))).toContain('healthAlert.prometheusLabels["release"]: got "kube prometheus": a label value');
    expect(fails(props(Mesh.linkerd(), { healthAlert: { prometheusLabels: { '-x': 'y' } } }))).toContain('healthAlert.prometheusLabels["-x"]: got "-x": a label key');
  });

  test('without Mesh.linkerd prometheus, a warning says the rule needs a prometheus-operator Prometheus; with it, none', () => {
    const warned = (mesh: Mesh) => new CanaryRelease(shopChart(), 'release', props(mesh)).warnings.filter(w => w.includes('PrometheusRule'));
    expect(warned(Mesh.linkerd())).toEqual([expect.stringContaining("linkerd-viz's Prometheus loads none")]);
    expect(warned(Mesh.linkerd({ prometheus: PROM }))).toEqual([]);
  });

  test('a bad prometheus option is refused', () => {
    expect(fails(props(Mesh.linkerd({ prometheus: { namespace: 'Monitoring', serviceAccount: 'prometheus' } })))).toContain('mesh.prometheus.namespace: got "Monitoring": a namespace is a DNS-1123 label');
    expect(fails(props(Mesh.linkerd({ prometheus: { namespace: 'monitoring', serviceAccount: '' } })))).toContain('mesh.prometheus.serviceAccount: got "": a service account name is a DNS-1123 subdomain');
  });

  test('the rollback advice names no weight-0 step', () => {
    const description = one(synth(props(Mesh.linkerd({ prometheus: PROM }))), 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules[0].annotations.description;
    expect(description).not.toContain('weight 0');
    expect(description).toContain('Roll back: remove the CanaryRelease and apply the output without it');
  });
});

describe('Linkerd: the apex Service selects one version (issue 16 item 8)', () => {
  const withApex = (over: Partial<CanaryReleaseProps>) => {
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'payment' }, selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'payment' } }), ports: [{ port: 8080 }] });
    const release = new CanaryRelease(chart, 'release', props(Mesh.linkerd(), { service: ServiceRef.fromService(svc), ...over }));
    return { out: synthValidated(chart), release };
  };

  test('the stable version while the canary takes part of the traffic, the canary at 100 %; the per-version Services are unchanged', () => {
    const { out, release } = withApex({ canaryWeight: undefined, steps: STEPS, step: 3 });
    expect(one(out, 'Service', 'payment').spec.selector).toEqual({ app: 'payment', version: 'v1' });
    expect(one(out, 'Service', 'payment-v2').spec.selector).toEqual({ app: 'payment', version: 'v2' });
    expect(release.warnings.filter(w => w.includes('apex'))).toEqual([]);
    expect(one(withApex({ canaryWeight: undefined, steps: STEPS, step: 4 }).out, 'Service', 'payment').spec.selector).toEqual({ app: 'payment', version: 'v2' });
  });

  test('an apex the release does not own: a warning with the selector to write', () => {
    const chart = shopChart();
    const release = new CanaryRelease(chart, 'release', props(Mesh.linkerd()));
    expect(release.warnings).toContainEqual(expect.stringContaining('the apex Service payment selects both versions, so what Linkerd does not route (unmeshed callers, an ingress that sends to endpoints, the moment before the route is accepted) splits by replica count: add version: v1 to its selector'));
  });
});

describe('Consul', () => {
  test('ServiceResolver subsets, a ServiceSplitter, a ServiceRouter for the header routes, and the http protocol', () => {
    const out = synth(props(Mesh.consul()));
    expect(one(out, 'ServiceResolver', 'payment').spec).toEqual({
      defaultSubset: 'v1',
      subsets: { v1: { filter: 'Service.Meta.version == v1' }, v2: { filter: 'Service.Meta.version == v2' } },
    });
    expect(one(out, 'ServiceSplitter', 'payment').spec).toEqual({ splits: [{ weight: 90, serviceSubset: 'v1' }, { weight: 10, serviceSubset: 'v2' }] });
    expect(one(out, 'ServiceRouter', 'payment').spec).toEqual({
      routes: [{ match: { http: { pathPrefix: '/', header: [{ name: 'x-test-user', exact: 'true' }] } }, destination: { serviceSubset: 'v2' } }],
    });
    expect(one(out, 'ServiceDefaults', 'payment').spec).toEqual({ protocol: 'http' });
  });

  test('split weights are whole and sum to exactly 100 at every step, and Consul\'s 0.01-100 rule holds', () => {
    for (let step = 1; step <= STEPS.length; step++) {
      const splits = one(synth(props(Mesh.consul(), { canaryWeight: undefined, steps: STEPS, step })), 'ServiceSplitter', 'payment').spec.splits;
      expect(splits.reduce((n: number, s: any) => n + s.weight, 0)).toBe(100);
      for (const s of splits) expect(s.weight === 0 || (s.weight >= 0.01 && s.weight <= 100)).toBe(true);
    }
  });

  test('versions from Deployments get the version label and the service-meta annotation Consul filters on', () => {
    const chart = shopChart();
    const dep = (name: string) => new kplus.Deployment(chart, name, { metadata: { name }, podMetadata: { labels: { app: 'payment' } }, containers: [{ image: 'payment', portNumber: 8080 }] });
    const out = synth(props(Mesh.consul(), { stable: ReleaseVersion.fromDeployment(dep('payment-v1'), 'v1'), canary: ReleaseVersion.fromDeployment(dep('payment-v2'), 'v2') }), chart);
    const v2 = one(out, 'Deployment', 'payment-v2').spec.template.metadata;
    expect(v2.labels.version).toBe('v2');
    expect(v2.annotations['consul.hashicorp.com/service-meta-version']).toBe('v2');
  });

  test('the health alert counts the requests the canary pods receive (not the callers\' retried attempts), with an absent() companion and a PodMonitor', () => {
    const out = synth(props(Mesh.consul()));
    const rules = one(out, 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules;
    const base = 'namespace="shop",local_cluster="payment",envoy_http_conn_manager_prefix="public_listener",version="v2"';
    expect(rules[0].expr).toBe(`(sum(rate(envoy_http_downstream_rq_xx{${base},envoy_response_code_class="5"}[5m])) / sum(rate(envoy_http_downstream_rq_xx{${base}}[5m]))) > 0.01`);
    expect(rules.map((r: any) => r.expr).join('\n')).not.toContain('envoy_cluster_upstream_rq');
    expect(rules.find((r: any) => r.alert === 'PaymentCanaryMetricsAbsent').expr).toBe(`absent(envoy_http_downstream_rq_total{${base}})`);
    // the canary pods' dataplane metrics port (named by consul-k8s when metrics are on), with the version label kept
    expect(one(out, 'PodMonitor', 'payment-canary-dataplane').spec).toEqual({
      selector: { matchLabels: { app: 'payment', version: 'v2' } },
      podTargetLabels: ['version'],
      podMetricsEndpoints: [{ port: 'prometheus', path: '/metrics' }],
    });
  });
});

/**
 * The pods of the chart's Deployments as Istio's sidecar injector makes them: istio-proxy added, a native
 * sidecar by default (an init container with restartPolicy Always), declaring one port, containerPort 15090
 * named http-envoy-prom (istio/istio 86c9f01 manifests/charts/istio-control/istio-discovery/files/
 * injection-template.yaml, container istio-proxy; pkg/kube/inject/testdata/inject/hello.yaml.injected). The
 * merged port 15020 of its prometheus.io annotations is not a declared port.
 */
function injectedPods(out: any[]): Pod[] {
  const proxy = { name: 'istio-proxy', restartPolicy: 'Always', ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }] };
  return ofKind(out, 'Deployment').map(d => ({
    name: d.metadata.name,
    namespace: d.metadata.namespace,
    labels: { ...d.spec.template.metadata.labels, 'security.istio.io/tlsMode': 'istio' },
    containers: d.spec.template.spec.containers,
    initContainers: [...(d.spec.template.spec.initContainers ?? []), proxy],
  }));
}

/**
 * The pods istiod deploys for the chart's waypoints (Gateways of class istio-waypoint): labelled with the
 * Gateway's name, istio-proxy declaring metrics 15020, status-port 15021 and http-envoy-prom 15090
 * (istio/istio 86c9f01 manifests/charts/istio-control/istio-discovery/files/waypoint.yaml).
 */
function waypointPods(out: any[]): Pod[] {
  return ofKind(out, 'Gateway').filter(g => g.spec.gatewayClassName === 'istio-waypoint').map(g => ({
    name: g.metadata.name,
    namespace: g.metadata.namespace,
    labels: {
      'gateway.networking.k8s.io/gateway-name': g.metadata.name,
      'gateway.networking.k8s.io/gateway-class-name': 'istio-waypoint',
      'gateway.istio.io/managed': 'istio.io-mesh-controller',
    },
    containers: [{ name: 'istio-proxy', ports: [{ containerPort: 15020, name: 'metrics' }, { containerPort: 15021, name: 'status-port' }, { containerPort: 15090, name: 'http-envoy-prom' }] }],
    initContainers: [],
  }));
}

interface Pod { name: string; namespace: string; labels: { [k: string]: string }; containers: any[]; initContainers: any[] }

/** Whether a label selector (matchLabels and matchExpressions) selects a label set, as Kubernetes does. */
function selectorSelects(selector: any, labels: { [k: string]: string }): boolean {
  const has = (k: string) => Object.prototype.hasOwnProperty.call(labels, k);
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
    && (selector.matchExpressions ?? []).every((e: any) => ({
      In: () => has(e.key) && e.values.includes(labels[e.key]),
      NotIn: () => !has(e.key) || !e.values.includes(labels[e.key]),
      Exists: () => has(e.key),
      DoesNotExist: () => !has(e.key),
    } as any)[e.operator]());
}

/**
 * The targets a PodMonitor gives Prometheus among these pods, as `<pod>:<port><path>`: the pods of its
 * namespace its selector selects, and of each the declared container ports (init containers' too:
 * Prometheus's pod discovery lists them) that an endpoint names (`port`).
 */
function scrapeTargets(monitor: any, pods: Pod[]): string[] {
  return pods.filter(p => p.namespace === monitor.metadata.namespace && selectorSelects(monitor.spec.selector, p.labels))
    .flatMap(p => monitor.spec.podMetricsEndpoints.flatMap((e: any) => [...p.containers, ...p.initContainers]
      .flatMap(c => (c.ports ?? []).filter((port: any) => port.name === e.port).map((port: any) => `${p.name}:${port.containerPort}${e.path}`))));
}

describe('Istio: the health alert can fire (a prometheus-operator Prometheus scrapes the proxies that report it)', () => {
  const KPS = { release: 'kube-prometheus-stack' };
  const withDeployments = (mesh: Mesh, chart: Chart = shopChart()) => {
    const dep = (name: string, app: string) => new kplus.Deployment(chart, name, {
      metadata: { name }, podMetadata: { labels: { app } }, containers: [{ image: app, portNumber: 8080 }],
    });
    dep('order', 'order');
    const release = new CanaryRelease(chart, 'release', props(mesh, {
      stable: ReleaseVersion.fromDeployment(dep('payment-v1', 'payment'), 'v1'),
      canary: ReleaseVersion.fromDeployment(dep('payment-v2', 'payment'), 'v2'),
      healthAlert: { maxErrorRatePercent: 1, prometheusLabels: KPS },
    }));
    return { out: synthValidated(chart), release };
  };

  test('sidecars: a PodMonitor whose one endpoint is the Envoy stats port of the injected pods of both versions, and no other pod', () => {
    const { out } = withDeployments(Mesh.istio());
    const monitor = one(out, 'PodMonitor', 'payment-canary-sidecars');
    expect(monitor.metadata.labels).toMatchObject(KPS);
    expect(scrapeTargets(monitor, injectedPods(out))).toEqual(['payment-v1:15090/stats/prometheus', 'payment-v2:15090/stats/prometheus']);
    // the same pods without the sidecar declare no such port: nothing to scrape
    const plain = injectedPods(out).map(p => ({ ...p, initContainers: [] }));
    expect(scrapeTargets(monitor, plain)).toEqual([]);
    expect(ofKind(out, 'PodMonitor')).toHaveLength(1);
  });

  test('sidecars: a metrics-absent rule on the series the error rule reads, naming the PodMonitor', () => {
    const rules = one(withDeployments(Mesh.istio()).out, 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules;
    const sel = 'reporter="destination",destination_service_namespace="shop",destination_service_name="payment",destination_version="v2"';
    expect(rules.map((r: any) => r.alert)).toEqual(['PaymentCanaryHighErrorRate', 'PaymentCanaryMetricsAbsent']);
    expect(rules[0].expr).toContain(`sum(rate(istio_requests_total{${sel}}[5m]))`);
    expect(rules[1].expr).toBe(`absent(istio_requests_total{${sel}})`);
    expect(rules[1].labels).toEqual({ severity: 'critical', service: 'payment', version: 'v2' });
    expect(rules[1].annotations.description).toContain('the PodMonitor payment-canary-sidecars is selected');
  });

  test('ambient: a PodMonitor of the Envoy stats port of the waypoint that serves the release, not of the workloads (ztunnel reports L4 only)', () => {
    const { out } = withDeployments(AMBIENT_MESH);
    const monitor = one(out, 'PodMonitor', 'waypoint-envoy-stats');
    expect(monitor.metadata.labels).toMatchObject(KPS);
    expect(scrapeTargets(monitor, [...waypointPods(out), ...injectedPods(out)])).toEqual(['waypoint:15090/stats/prometheus']);
    expect(ofKind(out, 'PodMonitor')).toHaveLength(1);
    const rules = one(out, 'PrometheusRule', 'payment-canary-health').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual(['PaymentCanaryHighErrorRate', 'PaymentCanaryMetricsAbsent']);
    expect(rules[1].expr).toBe('absent(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="payment-v2",destination_version="v2"})');
    expect(rules[1].annotations.description).toContain('the PodMonitor waypoint-envoy-stats is selected');
  });

  test('ambient: two releases the namespace waypoint serves share its PodMonitor; waypoints per Service have one each; the analyzer finds no duplicate', () => {
    const two = (mesh: Mesh, labels: [{ [k: string]: string }, { [k: string]: string }] = [KPS, KPS]) => {
      const chart = shopChart();
      for (const [i, name] of ['payment', 'cart'].entries()) {
        const svc = new kplus.Service(chart, `${name}-svc`, { metadata: { name }, ports: [{ port: 8080 }], selector: kplus.Pods.select(chart, `${name}-pods`, { labels: { app: name } }) });
        new CanaryRelease(chart, name, props(mesh, { service: ServiceRef.fromService(svc), healthAlert: { prometheusLabels: labels[i] } }));
      }
      return chart;
    };
    const shared = synthValidated(two(AMBIENT_MESH));
    expect(ofKind(shared, 'PodMonitor').map(m => m.metadata.name)).toEqual(['waypoint-envoy-stats']);
    expect(ofKind(shared, 'PrometheusRule').map(m => m.metadata.name)).toEqual(['payment-canary-health', 'cart-canary-health']);
    expect(MeshAnalyzer.analyzeObjects(shared).findings.filter(f => ['K101', 'K102'].includes(f.code))).toEqual([]);
    const perService = synthValidated(two(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE })));
    const monitors = ofKind(perService, 'PodMonitor');
    expect(monitors.map(m => m.metadata.name)).toEqual(['payment-waypoint-envoy-stats', 'cart-waypoint-envoy-stats']);
    expect(monitors.map(m => scrapeTargets(m, waypointPods(perService)))).toEqual([['payment-waypoint:15090/stats/prometheus'], ['cart-waypoint:15090/stats/prometheus']]);
    // sidecars: one PodMonitor per service, each of its own pods
    const sidecars = synthValidated(two(Mesh.istio()));
    expect(ofKind(sidecars, 'PodMonitor').map(m => [m.metadata.name, m.spec.selector])).toEqual([
      ['payment-canary-sidecars', { matchLabels: { app: 'payment' } }], ['cart-canary-sidecars', { matchLabels: { app: 'cart' } }],
    ]);
    expect(MeshAnalyzer.analyzeObjects(sidecars).findings.filter(f => ['K101', 'K102'].includes(f.code))).toEqual([]);
    // one PodMonitor carries one set of labels: releases that would label it differently are refused
    const e = failureOf(chart => {
      for (const [name, labels] of [['payment', KPS], ['cart', { release: 'other' }]] as const) {
        new CanaryRelease(chart, name, props(AMBIENT_MESH, { service: ServiceRef.fromName(name, { port: 8080 }), healthAlert: { prometheusLabels: labels } }));
      }
    });
    expect(e).toContain('[test/cart] healthAlert.prometheusLabels: got {"release":"other"}, but [test/payment] labels the PodMonitor waypoint-envoy-stats of the waypoint waypoint (namespace shop) {"release":"kube-prometheus-stack"}');
    expect(e).toContain('give the health alerts of the releases the waypoint serves the same prometheusLabels');
  });

  test('no warning: the proxies declare the port whatever the install, and no Istio policy covers it', () => {
    for (const mesh of [Mesh.istio(), AMBIENT_MESH]) {
      expect(withDeployments(mesh).release.warnings.filter(w => /PrometheusRule|PodMonitor|scrape/.test(w))).toEqual([]);
    }
  });
});

describe('with a ResilientService on the same service: one coherent set of objects per mesh', () => {
  const both = (mesh: Mesh) => {
    const chart = shopChart();
    new ResilientService(chart, 'resilience', {
      mesh,
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, retryOn: [RetryOn.GATEWAY_ERROR] },
      circuitBreaker: mesh.kind === 'linkerd' ? undefined : { consecutiveErrors: 5 },
      callers: [ServiceRef.fromName('order', { port: 8080 })],
      routes: [{ name: 'refunds', match: { path: PathMatch.prefix('/refunds') }, timeout: Duration.seconds(10), noRetries: true }],
    });
    return synth(props(mesh), chart);
  };

  test('Istio: one VirtualService and one DestinationRule for the host, with every rule weighted and timed', () => {
    const out = both(Mesh.istio());
    expect(ofKind(out, 'VirtualService')).toHaveLength(1);
    expect(ofKind(out, 'DestinationRule')).toHaveLength(1);
    const http = one(out, 'VirtualService', 'payment').spec.http;
    expect(http.map((r: any) => r.name)).toEqual(['canary-refunds', 'canary-default-retry', 'canary-default', 'refunds', 'default-retry', 'default']);
    // test users reach the canary with the resilience settings of their route
    expect(http[0]).toMatchObject({
      timeout: '10s',
      retries: { attempts: 2, retryOn: 'connect-failure,refused-stream' },
      match: [{ uri: { exact: '/refunds' }, headers: { 'x-test-user': { exact: 'true' } } }, { uri: { prefix: '/refunds/' }, headers: { 'x-test-user': { exact: 'true' } } }],
    });
    expect(http[1].retries).toEqual({ attempts: 2, retryOn: 'gateway-error' });
    // the weighted rules keep their timeouts; only the last rule has no match (nothing unreachable)
    for (const r of http.slice(3)) expect(r.route.map((d: any) => d.weight)).toEqual([90, 10]);
    expect(http.filter((r: any) => !r.match).map((r: any) => r.name)).toEqual(['default']);
    const dr = one(out, 'DestinationRule', 'payment');
    expect(dr.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 5 });
    expect(dr.spec.subsets.map((s: any) => s.name)).toEqual(['v1', 'v2']);
  });

  test('Linkerd: the retry route and the plain route both carry the canary split', () => {
    const out = both(Mesh.linkerd());
    expect(ofKind(out, 'HTTPRoute').map(r => r.metadata.name).sort()).toEqual(['payment', 'payment-retry']);
    for (const route of ofKind(out, 'HTTPRoute')) {
      const weighted = route.spec.rules.filter((r: any) => r.backendRefs.length === 2);
      expect(weighted.length).toBeGreaterThan(0);
      for (const r of weighted) expect(r.backendRefs.map((b: any) => b.weight)).toEqual([90, 10]);
    }
  });

  test('Consul: one ServiceRouter with header routes to the canary subset first, then the resilience routes through the splitter', () => {
    const out = both(Mesh.consul());
    expect(ofKind(out, 'ServiceRouter')).toHaveLength(1);
    expect(ofKind(out, 'ServiceDefaults', 'payment')).toHaveLength(1);
    const routes = one(out, 'ServiceRouter', 'payment').spec.routes;
    expect(routes.map((r: any) => r.destination.serviceSubset ?? '-')).toEqual(['v2', 'v2', 'v2', 'v2', '-', '-', '-', '-']);
    // the /refunds prefix stops at a segment boundary: /refunds itself and what is under /refunds/, not /refundsx
    expect(routes.slice(4, 6)).toEqual([
      { match: { http: { pathExact: '/refunds' } }, destination: { requestTimeout: '10s' } },
      { match: { http: { pathPrefix: '/refunds/' } }, destination: { requestTimeout: '10s' } },
    ]);
  });

  test('the order of construction does not change the output', () => {
    const a = both(Mesh.istio());
    const chart = shopChart();
    new CanaryRelease(chart, 'release', props(Mesh.istio()));
    new ResilientService(chart, 'resilience', {
      mesh: Mesh.istio(),
      service: payment(),
      timeout: Duration.seconds(3),
      retries: { attempts: 2, retryOn: [RetryOn.GATEWAY_ERROR] },
      circuitBreaker: { consecutiveErrors: 5 },
      routes: [{ name: 'refunds', match: { path: PathMatch.prefix('/refunds') }, timeout: Duration.seconds(10), noRetries: true }],
    });
    const b = synthValidated(chart);
    const routing = (objs: any[]) => objs.filter(o => ['VirtualService', 'DestinationRule'].includes(o.kind));
    expect(routing(b)).toEqual(routing(a));
  });

  test('two releases of one service are refused', () => {
    const chart = shopChart();
    new CanaryRelease(chart, 'a', props(Mesh.istio()));
    expect(() => new CanaryRelease(chart, 'b', props(Mesh.istio()))).toThrow('[test/b] service: got payment, but [test/a] already releases it; one CanaryRelease per service');
  });
});

describe('steps and GitOps promotion', () => {
  test('the step decides the weight; annotations record step, weight and pause', () => {
    const out = synth(props(Mesh.istio(), { canaryWeight: undefined, steps: STEPS, step: 1 }));
    const vs = one(out, 'VirtualService', 'payment');
    expect(vs.metadata.annotations).toEqual({ 'cdk8s-mesh.io/canary-step': '1/4', 'cdk8s-mesh.io/canary-weight': '5', 'cdk8s-mesh.io/canary-pause': '10m' });
    expect(vs.spec.http[1].route.map((d: any) => d.weight)).toEqual([95, 5]);
  });

  test('synthSteps writes every step to its own folder, each valid', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-steps-'));
    const dirs = CanaryRelease.synthSteps(4, outdir, {
      buildStep: (app, step) => {
        const chart = new Chart(app, 'payment', { namespace: 'shop', disableResourceNameHashes: true });
        new CanaryRelease(chart, 'release', props(Mesh.istio(), { canaryWeight: undefined, steps: STEPS, step }));
      },
    });
    expect(dirs.map(d => path.basename(d))).toEqual(['step-1', 'step-2', 'step-3', 'step-4']);
    const weights = dirs.map(d => {
      const result = ManifestValidator.validateFiles([d]);
      expect(result.valid).toBe(true);
      const docs = yaml.loadAll(fs.readFileSync(path.join(d, 'payment.yaml'), 'utf8')) as any[];
      return docs.find(o => o.kind === 'VirtualService').metadata.annotations['cdk8s-mesh.io/canary-weight'];
    });
    expect(weights).toEqual(['5', '25', '50', '100']);
  });
});

describe('guardrails, on both sides of each limit', () => {
  test('weights are whole percentages from 0 to 100', () => {
    for (const ok of [0, 1, 99, 100]) expect(() => synth(props(Mesh.istio(), { canaryWeight: ok }))).not.toThrow();
    expect(fails(props(Mesh.istio(), { canaryWeight: 101 }))).toContain('canaryWeight: got 101: a weight is a whole percentage from 0 to 100, so that stable and canary shares sum to exactly 100');
    expect(fails(props(Mesh.istio(), { canaryWeight: -1 }))).toContain('canaryWeight: got -1');
    expect(fails(props(Mesh.istio(), { canaryWeight: 12.5 }))).toContain('canaryWeight: got 12.5');
  });

  test('steps must raise the share; the step must exist', () => {
    expect(fails(props(Mesh.istio(), { canaryWeight: undefined, steps: [{ weight: 50 }, { weight: 25 }] })))
      .toContain("steps[1].weight: got 25: steps must raise the canary's share (the previous step is 50)");
    expect(fails(props(Mesh.istio(), { canaryWeight: undefined, steps: STEPS, step: 5 }))).toContain('step: got 5: must be a whole number from 1 to 4');
    expect(fails(props(Mesh.istio(), { canaryWeight: undefined, steps: STEPS, step: 0 }))).toContain('step: got 0');
    expect(() => synth(props(Mesh.istio(), { canaryWeight: undefined, steps: STEPS, step: 4 }))).not.toThrow();
    expect(fails(props(Mesh.istio(), { steps: STEPS }))).toContain('canaryWeight: got 10: canaryWeight and steps exclude each other');
  });

  test('a plan that never reaches 100 gives a warning', () => {
    const chart = shopChart();
    const r = new CanaryRelease(chart, 'release', props(Mesh.istio(), { canaryWeight: undefined, steps: [{ weight: 10 }, { weight: 50 }] }));
    expect(r.warnings).toContain('the last step sends 50% to the canary, so the plan never completes the release: end with { weight: 100 }');
  });

  test('stable and canary must select different pods', () => {
    expect(fails(props(Mesh.istio(), { canary: ReleaseVersion.of('v1') }))).toContain('canary.version: got "v1": stable and canary select the same pods');
  });

  test('a release without a health alert is allowed, with a warning', () => {
    const chart = shopChart();
    const withAlert = new CanaryRelease(chart, 'a', props(Mesh.istio()));
    const without = new CanaryRelease(chart, 'b', props(Mesh.istio(), { service: ServiceRef.fromName('user', { port: 8080 }), healthAlert: undefined }));
    expect(withAlert.warnings).toEqual([]);
    expect(without.warnings).toEqual(['the release has no health alert: add healthAlert so that a failing canary is noticed']);
  });

  test('mirroring is refused on Consul, and can be dropped explicitly', () => {
    expect(fails(props(Mesh.consul(), { mirrorPercent: 5 }))).toContain('mirrorPercent: got 5: Consul cannot express this');
    const out = synth(props(Mesh.consul(), { mirrorPercent: 5, unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING }));
    expect(one(out, 'ServiceSplitter', 'payment').metadata.annotations['cdk8s-mesh.io/dropped-settings']).toBe('mirrorPercent=5');
  });

  test('mirror percentages above 0 and up to 100', () => {
    expect(() => synth(props(Mesh.istio(), { mirrorPercent: 100 }))).not.toThrow();
    expect(() => synth(props(Mesh.istio(), { mirrorPercent: 0.5 }))).not.toThrow();
    expect(fails(props(Mesh.istio(), { mirrorPercent: 0 }))).toContain('mirrorPercent: got 0: a mirrored share is a percentage above 0 and at most 100');
    expect(fails(props(Mesh.istio(), { mirrorPercent: 101 }))).toContain('mirrorPercent: got 101');
  });

  test('bad versions, matches and alerts give named errors', () => {
    expect(fails(props(Mesh.istio(), { canary: ReleaseVersion.of('V2!') }))).toContain('canary.version: got "V2!": a version is used as a subset and Service name suffix');
    expect(fails(props(Mesh.istio(), { canaryRequests: [{}] }))).toContain('canaryRequests[0]: got {}: a canary request match needs headers or a cookie');
    expect(fails(props(Mesh.istio(), { canaryRequests: [{ cookie: { name: 'a b', value: 'x' } }] }))).toContain('canaryRequests[0].cookie');
    expect(fails(props(Mesh.istio(), { healthAlert: { window: Duration.seconds(30) } }))).toContain('healthAlert.window: got 30s: a rate window under 1m holds too few scrapes');
    expect(fails(props(Mesh.istio(), { smiTrafficSplit: true }))).toContain('smiTrafficSplit: got true: SMI TrafficSplit is a Linkerd (linkerd-smi) option, not Istio\'s');
    expect(fails(props(Mesh.consul(), { canary: ReleaseVersion.of('v2', { labelKey: 'app.kubernetes.io/version' }) }))).toContain('canary.labelKey: got "app.kubernetes.io/version": Consul subsets filter on Service.Meta.<key>');
    expect(fails({ ...props(Mesh.istio()), stable: undefined as any })).toContain("stable: got undefined: a release version is required; use ReleaseVersion.of('v1')");
  });
});

describe('Gateway API limits: at most 16 rules per HTTPRoute', () => {
  // 7 routes + the default, each with a header rule and a weighted rule, is 16 rules: one HTTPRoute;
  // 8 routes + the default is 18: two, the second holding the last 2
  test.each([[7, [16]], [8, [16, 2]], [20, [16, 16, 10]]])('%i resilience routes with a header canary on Linkerd give HTTPRoutes of %j rules', (n, sizes) => {
    const chart = shopChart();
    const service = ServiceRef.fromName('payment', { port: 8080 });
    new ResilientService(chart, 'r', { mesh: Mesh.linkerd(), service, routes: Array.from({ length: n }, (_, i) => ({ name: `r${i}`, match: { path: PathMatch.prefix(`/p${i}`) } })) });
    new CanaryRelease(chart, 'c', {
      mesh: Mesh.linkerd(), service, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, canaryRequests: [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }],
    });
    const routes = ofKind(synthValidated(chart), 'HTTPRoute');
    expect(routes.map(r => r.metadata.name)).toEqual(['payment', 'payment-rules-2', 'payment-rules-3'].slice(0, sizes.length));
    expect(routes.map(r => r.spec.rules.length)).toEqual(sizes);
    // every path still has its header rule to the canary and its weighted rule
    const rules = routes.flatMap(r => r.spec.rules);
    expect(rules.filter((x: any) => x.matches[0].headers)).toHaveLength(n + 1);
    expect(rules.filter((x: any) => x.backendRefs.length === 2)).toHaveLength(n + 1);
  });
});

describe('issue 25: mirroring at 100 %, step weights, version label keys', () => {
  const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
  const sidecarMirror = (out: any[]) => one(out, 'VirtualService', 'payment').spec.http.filter((r: any) => r.mirror || r.mirrorPercentage);
  const gatewayMirror = (out: any[]) => ofKind(out, 'HTTPRoute').flatMap(r => r.spec.rules).flatMap((r: any) => r.filters ?? []).filter((f: any) => f.type === 'RequestMirror');

  test('at 100 % canary weight the mirror is not written (it would send every request to the canary twice), with a warning', () => {
    expect(sidecarMirror(synth(props(Mesh.istio(), { mirrorPercent: 20, canaryWeight: 100 })))).toEqual([]);
    expect(gatewayMirror(synth(props(AMBIENT, { mirrorPercent: 20, canaryWeight: 100 })))).toEqual([]);
    const chart = shopChart();
    const release = new CanaryRelease(chart, 'release', props(Mesh.istio(), { mirrorPercent: 20, steps: [{ weight: 50 }, { weight: 100 }], canaryWeight: undefined, step: 2 }));
    expect(sidecarMirror(synthValidated(chart))).toEqual([]);
    expect(release.warnings).toContain('mirrorPercent (20) is not written at step 2: the canary gets 100% of requests, so a mirror would send every request to it twice');
  });

  test('below 100 % the mirror is written on Istio sidecar and ambient, without that warning', () => {
    expect(sidecarMirror(synth(props(Mesh.istio(), { mirrorPercent: 20, canaryWeight: 99 })))).toHaveLength(1);
    expect(gatewayMirror(synth(props(AMBIENT, { mirrorPercent: 20, canaryWeight: 99 }))).length).toBeGreaterThan(0);
    const chart = shopChart();
    const release = new CanaryRelease(chart, 'release', props(Mesh.istio(), { mirrorPercent: 20, canaryWeight: 99 }));
    expect(release.warnings.filter(w => w.startsWith('mirrorPercent'))).toEqual([]);
  });

  test('equal consecutive step weights are refused; strictly increasing ones are accepted', () => {
    expect(fails(props(Mesh.istio(), { canaryWeight: undefined, steps: [{ weight: 10 }, { weight: 10 }, { weight: 100 }] })))
      .toBe("[test/release] steps[1].weight: got 10: steps must raise the canary's share (the previous step is 10); order the steps by increasing weight; roll back by choosing an earlier step");
    expect(fails(props(Mesh.linkerd(), { canaryWeight: undefined, steps: [{ weight: 10 }, { weight: 50 }, { weight: 50 }] }))).toContain('steps[2].weight: got 50');
    expect(() => synth(props(Mesh.istio(), { canaryWeight: undefined, steps: [{ weight: 10 }, { weight: 11 }, { weight: 100 }] }))).not.toThrow();
  });

  test('a version label key the service selector uses is refused; another key is accepted and added to the selector', () => {
    for (const mesh of [Mesh.istio(), Mesh.linkerd(), Mesh.consul()]) {
      expect(fails(props(mesh, { stable: ReleaseVersion.of('v1', { labelKey: 'app' }), canary: ReleaseVersion.of('v2', { labelKey: 'app' }) })))
        .toContain('stable.labelKey: got "app": the service selects its pods by app: "payment"');
    }
    const tier = ServiceRef.fromName('payment', { port: 8080, selector: { app: 'payment', track: 'main' } });
    expect(fails(props(Mesh.istio(), { service: tier, canary: ReleaseVersion.of('v2', { labelKey: 'track' }) })))
      .toContain("canary.labelKey: got \"track\": the service selects its pods by track: \"main\", so a version label on the same key would replace it and each version would select no pods; use a key the selector does not use, e.g. ReleaseVersion.of('v2', { labelKey: 'version' })");
    const subsets = one(synth(props(Mesh.istio(), { stable: ReleaseVersion.of('v1', { labelKey: 'track' }), canary: ReleaseVersion.of('v2', { labelKey: 'track' }) })), 'DestinationRule', 'payment').spec.subsets;
    expect(subsets.map((s: any) => s.labels)).toEqual([{ app: 'payment', track: 'v1' }, { app: 'payment', track: 'v2' }]);
  });
});

describe('canary capacity (Deployments given)', () => {
  const release = (weightStep: number, stableReplicas: number | undefined, canaryReplicas: number | undefined) => {
    const chart = shopChart();
    const dep = (name: string, replicas: number | undefined) => new kplus.Deployment(chart, name, { metadata: { name }, replicas, containers: [{ image: 'payment', portNumber: 8080 }] });
    return new CanaryRelease(chart, 'release', props(Mesh.istio(), {
      canaryWeight: undefined,
      steps: [{ weight: 10 }, { weight: 25 }, { weight: 50 }, { weight: 100 }],
      step: weightStep,
      stable: ReleaseVersion.fromDeployment(dep('payment-v1', stableReplicas), 'v1'),
      canary: ReleaseVersion.fromDeployment(dep('payment-v2', canaryReplicas), 'v2'),
    }));
  };

  test('one canary pod against three stable ones: fine at 10 and 25 %, warned at 50 and 100 % with the replicas to scale to', () => {
    expect(release(1, 3, 1).warnings).toEqual([]);
    expect(release(2, 3, 1).warnings).toEqual([]);
    expect(release(3, 3, 1).warnings).toEqual(['step 3 sends 50% of requests to the canary, but its Deployment payment-v2 has 1 replica(s) against 3 of the stable version: '
      + 'each canary pod takes 1.5 times the requests a stable pod served before the release; scale payment-v2 to 2 replicas at this step (weight × stable replicas), or give it a HorizontalPodAutoscaler']);
    expect(release(4, 3, 1).warnings[0]).toContain('each canary pod takes 3.0 times the requests a stable pod served before the release; scale payment-v2 to 3 replicas at this step');
  });

  test('both sides of the limit: 1.5 times warns, just under does not; scaled canaries do not', () => {
    // 50 % × 3 / 1 = 1.5: warned; 50 % × 5 / 2 = 1.25: not
    expect(release(3, 3, 1).warnings).toHaveLength(1);
    expect(release(3, 5, 2).warnings).toEqual([]);
    expect(release(3, 3, 2).warnings).toEqual([]);
    expect(release(4, 3, 3).warnings).toEqual([]);
    // 100 % × 3 / 2 = 1.5: warned
    expect(release(4, 3, 2).warnings[0]).toContain('scale payment-v2 to 3 replicas');
  });

  test('a canary scaled to zero is warned; versions without Deployments are not checked', () => {
    expect(release(1, 3, 0).warnings[0]).toContain('no canary pod serves them; scale payment-v2 to 1 replicas');
    expect(new CanaryRelease(shopChart(), 'release', props(Mesh.istio(), { canaryWeight: 100 })).warnings).toEqual([]);
  });
});
