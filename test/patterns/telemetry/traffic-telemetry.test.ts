import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import {
  AccessLogFormat, Identity, istio, Mesh, ServiceRef, TraceTag, TrafficTelemetry, TrafficTelemetryProps, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, failureOf, one, ofKind, shopChart, synthValidated } from '../../util';

const stderr = captureStderr();

const SEED_TRACING = {
  provider: 'jaeger',
  customTags: { environment: TraceTag.literal('production'), cluster: TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID') },
};
const props = (over: Partial<TrafficTelemetryProps> = {}): TrafficTelemetryProps => ({ mesh: Mesh.istio(), tracing: SEED_TRACING, ...over });
const dump = (objs: any[]) => objs.map(o => yaml.dump(o, { lineWidth: -1 })).join('---\n');

describe('Istio', () => {
  test('the seed tracing: snapshot, validated against the pinned CRDs', () => {
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', props({ accessLogging: { filter: 'response.code >= 400' }, metrics: { removeTags: ['request_protocol'], setTags: { method: 'request.method' } } }));
    expect(dump(synthValidated(chart))).toMatchSnapshot();
  });

  test('sampling defaults to 1 % (randomSamplingPercentage 1, not 100), providers and custom tags as written', () => {
    const chart = shopChart();
    const t = new TrafficTelemetry(chart, 'telemetry', props());
    expect(t.samplingPercentage).toBe(1);
    const tel = one(synthValidated(chart), 'Telemetry', 'default');
    expect(tel.metadata.namespace).toBe('shop');
    expect(tel.spec.selector).toBeUndefined();
    expect(tel.spec.tracing).toEqual([{
      providers: [{ name: 'jaeger' }],
      randomSamplingPercentage: 1,
      customTags: { cluster: { environment: { name: 'ISTIO_META_CLUSTER_ID' } }, environment: { literal: { value: 'production' } } },
    }]);
    expect(t.warnings).toEqual([]);
  });

  test('an environment tag istio-proxy does not have (CLUSTER_NAME) warns, naming the variable that has the cluster', () => {
    const tags = (name: string) => new TrafficTelemetry(shopChart(), 'telemetry', props({ tracing: { provider: 'jaeger', customTags: { cluster: TraceTag.fromEnvironment(name) } } })).warnings;
    expect(tags('CLUSTER_NAME')).toEqual([expect.stringContaining('tracing.customTags.cluster: istio-proxy has no environment variable CLUSTER_NAME unless you add it to the proxy')]);
    expect(tags('CLUSTER_NAME')[0]).toContain('the cluster\'s name is ISTIO_META_CLUSTER_ID');
    for (const ok of ['ISTIO_META_CLUSTER_ID', 'POD_NAME', 'POD_NAMESPACE', 'ISTIO_META_MESH_ID']) expect(tags(ok)).toEqual([]);
  });

  test('one service: a workload selector and a name of its own; header tags', () => {
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', props({
      service: ServiceRef.fromName('payment', { port: 8080, selector: { app: 'payment' } }),
      tracing: { samplingPercentage: 0.5, customTags: { tenant: TraceTag.fromHeader('x-tenant', 'none') } },
    }));
    const tel = one(synthValidated(chart), 'Telemetry', 'payment-telemetry');
    expect(tel.spec.selector).toEqual({ matchLabels: { app: 'payment' } });
    expect(tel.spec.tracing[0].providers).toBeUndefined();
    expect(tel.spec.tracing[0].randomSamplingPercentage).toBe(0.5);
    expect(tel.spec.tracing[0].customTags).toEqual({ tenant: { header: { name: 'x-tenant', defaultValue: 'none' } } });
  });

  test('access logging defaults to the built-in envoy provider; metrics overrides REMOVE and UPSERT', () => {
    const chart = shopChart();
    new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.istio(), accessLogging: {}, metrics: { removeTags: ['request_protocol'], setTags: { method: 'request.method' } } });
    const tel = one(synthValidated(chart), 'Telemetry', 'default');
    expect(tel.spec.tracing).toBeUndefined();
    expect(tel.spec.accessLogging).toEqual([{ providers: [{ name: 'envoy' }] }]);
    expect(tel.spec.metrics).toEqual([{
      providers: [{ name: 'prometheus' }],
      overrides: [{
        match: { metric: 'ALL_METRICS', mode: 'CLIENT_AND_SERVER' },
        tagOverrides: { method: { operation: 'UPSERT', value: 'request.method' }, request_protocol: { operation: 'REMOVE' } },
      }],
    }]);
  });

  test('both sides of the sampling limits: 0 and 100 are accepted, -0.1 and 100.1 refused', () => {
    for (const pct of [0, 100]) {
      const chart = shopChart();
      new TrafficTelemetry(chart, 'telemetry', props({ namespace: 'staging', tracing: { samplingPercentage: pct } }));
      expect(one(synthValidated(chart), 'Telemetry', 'default').spec.tracing[0].randomSamplingPercentage).toBe(pct);
    }
    for (const pct of [-0.1, 100.1, NaN]) {
      const msg = failureOf(chart => new TrafficTelemetry(chart, 'telemetry', props({ tracing: { samplingPercentage: pct } })));
      expect(msg).toContain('test/telemetry');
      expect(msg).toContain('tracing.samplingPercentage');
      expect(msg).toContain('from 0 to 100');
    }
  });

  test('production guardrail: 10 % is quiet, 10.5 % in a production namespace warns, and not elsewhere', () => {
    const warningsOf = (namespace: string, pct: number, production?: boolean) => {
      const chart = new Chart(Testing.app(), 'test', { namespace });
      return new TrafficTelemetry(chart, 'telemetry', props({ tracing: { samplingPercentage: pct }, production })).warnings;
    };
    expect(warningsOf('production', 10)).toEqual([]);
    expect(warningsOf('production', 10.5)).toEqual([expect.stringContaining('tracing.samplingPercentage: got 10.5')]);
    expect(warningsOf('shop-prod', 50)).toHaveLength(1);
    expect(warningsOf('product-catalog', 50)).toEqual([]);
    expect(warningsOf('shop', 50)).toEqual([]);
    expect(warningsOf('shop', 50, true)).toHaveLength(1);
    expect(warningsOf('production', 50, false)).toEqual([]);
    expect(stderr()).toHaveBeenCalledWith(expect.stringContaining('[test/telemetry] tracing.samplingPercentage'));
  });

  test('a second namespace-wide Telemetry is an error of the synth-time analysis (IST0160)', () => {
    const msg = failureOf(chart => {
      new TrafficTelemetry(chart, 'a', props());
      const other = new Chart(chart, 'other', { namespace: 'shop' });
      new TrafficTelemetry(other, 'b', { mesh: Mesh.istio(), accessLogging: {} });
    });
    // both are Telemetry shop/default: one object written twice (the later copy would replace the first)
    expect(msg).toContain('[test/other/b/Telemetry] writes Telemetry shop/default, which [test/a/Telemetry] writes too, with different content (charts test and test/other, one cluster)');
    // under another name, it is a second namespace-wide Telemetry
    const named = failureOf(chart => {
      new TrafficTelemetry(chart, 'a', props());
      new istio.Telemetry(chart, 'extra', { metadata: { name: 'extra' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } });
    });
    expect(named).toContain('[test/extra] I120');
    expect(named).toContain('IST0160');
  });
});

describe('Linkerd', () => {
  test('access logging: the config.linkerd.io/access-log annotation on the given Namespace, shared with zero trust', () => {
    const chart = shopChart();
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), namespaceObject: ns, allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }] });
    new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.linkerd(), accessLogging: { format: AccessLogFormat.TEXT }, namespaceObject: ns });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.annotations).toEqual({
      'config.linkerd.io/access-log': 'apache',
      'config.linkerd.io/default-inbound-policy': 'deny',
      'linkerd.io/inject': 'enabled',
    });
  });

  test('tracing and metrics are refused, naming why and what to do instead', () => {
    const msg = failureOf(chart => new TrafficTelemetry(chart, 'telemetry', props({ mesh: Mesh.linkerd(), metrics: { removeTags: ['x'] } })));
    expect(msg).toContain('tracing');
    expect(msg).toContain('Helm proxy.tracing');
    expect(msg).toContain('metrics');
    expect(msg).toContain('metric_relabel_configs');
  });

  test('a chart without a namespace: the Namespace object is written as it is (no patch on a missing field)', () => {
    const chart = new Chart(Testing.app(), 'test');
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.linkerd(), namespace: 'shop', accessLogging: {}, namespaceObject: ns });
    const out = one(synthValidated(chart), 'Namespace', 'shop');
    expect(out.metadata.namespace).toBeUndefined();
    expect(out.metadata.annotations).toEqual({ 'config.linkerd.io/access-log': 'json', 'linkerd.io/inject': 'enabled' });
  });

  test('access logging without the Namespace object is refused', () => {
    expect(failureOf(chart => new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.linkerd(), accessLogging: {} }))).toContain('namespaceObject');
    expect(failureOf(chart => new TrafficTelemetry(chart, 'telemetry', {
      mesh: Mesh.linkerd(), accessLogging: {}, namespaceObject: new kplus.Namespace(chart, 'ns', { metadata: { name: 'other' } }),
    }))).toContain('not the Namespace of the namespace shop');
  });
});

describe('Consul', () => {
  test('access logs join the one ProxyDefaults global that zero trust writes', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.consul(), allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080 }) }] });
    new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.consul(), accessLogging: {} });
    const out = synthValidated(chart);
    expect(one(out, 'ProxyDefaults', 'global').spec).toEqual({ mutualTLSMode: 'strict', accessLogs: { enabled: true, type: 'stdout' } });
    expect(dump(ofKind(out, 'ProxyDefaults'))).toMatchSnapshot();
  });

  test('tracing, a text format and a per-service scope are refused', () => {
    const msg = failureOf(chart => new TrafficTelemetry(chart, 'telemetry', props({
      mesh: Mesh.consul(), accessLogging: { format: AccessLogFormat.TEXT }, service: ServiceRef.fromName('payment', { port: 8080 }),
    })));
    expect(msg).toContain('envoy_tracing_json');
    expect(msg).toContain('accessLogging.format');
    expect(msg).toContain('service');
  });
});

describe('bad input names the construct, the prop, the value and the fix', () => {
  test.each<[string, Partial<TrafficTelemetryProps>, string]>([
    ['nothing to configure', { tracing: undefined }, 'tracing, accessLogging or metrics'],
    ['bad namespace', { namespace: 'Shop_1' }, 'DNS-1123'],
    ['empty provider', { tracing: { provider: ' ' } }, 'tracing.provider'],
    ['bad tag name', { tracing: { customTags: { '1x': TraceTag.literal('a') } } }, 'tracing.customTags.1x'],
    ['empty literal', { tracing: { customTags: { env: TraceTag.literal('') } } }, 'non-empty value'],
    ['bad header', { tracing: { customTags: { t: TraceTag.fromHeader('x tenant') } } }, 'header name'],
    ['bad env', { tracing: { customTags: { t: TraceTag.fromEnvironment('1X') } } }, 'environment variable'],
    ['not a TraceTag', { tracing: { customTags: { t: 'production' as any } } }, 'not a TraceTag'],
    ['bad CEL filter', { accessLogging: { filter: 'response.code >= 400 &&' } }, 'not a CEL expression'],
    ['format on Istio', { accessLogging: { format: AccessLogFormat.JSON } }, 'MeshConfig extension provider'],
    ['empty metrics', { metrics: {} }, 'removes or sets tags'],
    ['tag removed and set', { metrics: { removeTags: ['a'], setTags: { a: 'request.method' } } }, 'one override per tag'],
    ['bad tag expression', { metrics: { setTags: { a: 'request.' } } }, 'CEL expression'],
    ['not a service', { service: 'payment' as any }, 'service reference'],
  ])('%s', (_name, over, expected) => {
    const msg = failureOf(chart => new TrafficTelemetry(chart, 'telemetry', props(over)));
    expect(msg).toContain('test/telemetry');
    expect(msg).toContain(expected);
  });
});
