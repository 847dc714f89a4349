import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ServiceProtocol, ServiceRef } from '../../src';
import { shopChart } from '../util';

const payment = (over: object = {}) => ServiceRef.fromName('payment', { port: 8080, ...over });

function serviceObject(chart: Chart, spec: object, metadata: object = {}): ApiObject {
  return new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payment', ...metadata }, spec });
}

describe('model/service: ServiceRef.fromName', () => {
  test('defaults: the target port is the port, HTTP, selector app: <name>, no namespace, no Service object', () => {
    const ref = payment();
    expect([ref.name, ref.namespace, ref.port, ref.targetPort, ref.portName, ref.protocol]).toEqual(['payment', undefined, 8080, 8080, undefined, ServiceProtocol.HTTP]);
    expect(ref.selector).toEqual({ app: 'payment' });
    expect(ref.ownsServiceObject).toBe(false);
    expect(ref._problems('service')).toEqual([]);
  });

  test('options are kept', () => {
    const ref = payment({ namespace: 'pay', targetPort: 9090, portName: 'http', protocol: ServiceProtocol.GRPC, selector: { 'app.kubernetes.io/name': 'payment' } });
    expect([ref.namespace, ref.targetPort, ref.portName, ref.protocol]).toEqual(['pay', 9090, 'http', ServiceProtocol.GRPC]);
    expect(ref.selector).toEqual({ 'app.kubernetes.io/name': 'payment' });
  });

  test('nothing is written onto a Service object it does not have', () => {
    const ref = payment();
    ref._annotateService('a', 'b');
    ref._labelService('a', 'b');
    expect(ref._narrowServiceSelector('a', 'b')).toBe(false);
    expect(ref.selector).toEqual({ app: 'payment' });
  });
});

describe('model/service: the namespace and host name, as seen from a chart', () => {
  test('its own namespace, else the chart\'s, else none (the short name)', () => {
    const chart = shopChart();
    expect(payment({ namespace: 'pay' })._namespaceFrom(chart)).toBe('pay');
    expect(payment({ namespace: 'pay' })._fqdn(chart, 'cluster.local')).toBe('payment.pay.svc.cluster.local');
    expect(payment()._fqdn(chart, 'example.internal')).toBe('payment.shop.svc.example.internal');
    const noNamespace = Testing.chart();
    expect(payment()._namespaceFrom(noNamespace)).toBeUndefined();
    expect(payment()._fqdn(noNamespace, 'cluster.local')).toBe('payment');
  });
});

describe('model/service: _problems, both sides of each limit', () => {
  test('the name is a DNS-1035 label of at most 63 characters; a bad name is reported once (not again through the default selector)', () => {
    expect(ServiceRef.fromName('a'.repeat(63), { port: 80 })._problems('service')).toEqual([]);
    // a Service name starts with a letter (the API server's ValidateServiceName, NameIsDNS1035Label)
    expect(ServiceRef.fromName('a0bc', { port: 80 })._problems('service')).toEqual([]);
    expect(ServiceRef.fromName('0abc', { port: 80 })._problems('service')).toEqual([expect.stringMatching(/^service\.name: got "0abc": a Service name must be a DNS-1035 label/)]);
    expect(ServiceRef.fromName('a'.repeat(64), { port: 80 })._problems('service')).toEqual([
      `service.name: got "${'a'.repeat(64)}": a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service`,
    ]);
    for (const name of ['Payment', 'pay.ment', '-payment', '', undefined as any]) {
      expect(ServiceRef.fromName(name, { port: 80 })._problems('to')).toEqual([expect.stringMatching(/^to\.name: got .*: a Service name must be a DNS-1035 label/)]);
    }
  });

  test('the namespace is a DNS-1123 label of at most 63 characters', () => {
    expect(payment({ namespace: 'a'.repeat(63) })._problems('service')).toEqual([]);
    for (const namespace of ['a'.repeat(64), 'Pay', 'a.b']) {
      expect(payment({ namespace })._problems('service')).toEqual([`service.namespace: got ${JSON.stringify(namespace)}: a namespace must be a DNS-1123 label; fix the namespace`]);
    }
  });

  test('selector keys and values are Kubernetes label keys and values; an empty selector is refused', () => {
    expect(payment({ selector: { 'app.kubernetes.io/name': 'payment', 'tier': '' } })._problems('service')).toEqual([]);
    for (const selector of [{ 'Bad Key': 'x' }, { app: '-x' }, { app: 'x'.repeat(64) }, { 'a/b/c': 'x' }]) {
      expect(payment({ selector })._problems('service')).toEqual([expect.stringMatching(/^service\.selector: got \{.*\}: .*; fix the Service's selector \(e\.g\. app: "payment"\)$/)]);
    }
    expect(payment({ selector: {} })._problems('service')).toEqual([
      'service.selector: got {}: the Service selects no pods, so mesh policies for it would select the whole namespace; give the Service a selector (e.g. app: payment)',
    ]);
  });

  test('a port is a whole number from 1 to 65535', () => {
    for (const port of [1, 65535]) expect(payment({ port })._problems('service')).toEqual([]);
    for (const port of [0, 65536, 80.5, -1, NaN, undefined]) {
      // the target port defaults to the port: the one mistake is reported once
      expect(payment({ port })._problems('service')).toEqual([
        `service.port: got ${String(port)}: a port must be a whole number from 1 to 65535; pass { port: 8080 } (or give the Service a port)`,
      ]);
    }
  });

  test('a target port other than the port is a whole number from 1 to 65535', () => {
    for (const targetPort of [1, 65535, 8080]) expect(payment({ targetPort })._problems('service')).toEqual([]);
    for (const targetPort of [0, 65536, 80.5, NaN]) {
      expect(payment({ targetPort })._problems('service')).toEqual([expect.stringMatching(new RegExp(`^service\\.targetPort: got ${targetPort}: a port must be a whole number from 1 to 65535; `))]);
    }
  });

  test('a port name is a DNS-1123 label of at most 63 characters', () => {
    for (const portName of ['http', 'a'.repeat(63)]) expect(payment({ portName })._problems('service')).toEqual([]);
    for (const portName of ['a'.repeat(64), 'HTTP', 'http_2', '']) {
      expect(payment({ portName })._problems('service')).toEqual([expect.stringMatching(/^service\.portName: got ".*": a Service port name is a DNS-1123 label/)]);
    }
  });

  test('the protocol is a ServiceProtocol', () => {
    for (const protocol of Object.values(ServiceProtocol)) expect(payment({ protocol })._problems('service')).toEqual([]);
    expect(payment({ protocol: 'udp' })._problems('service')).toEqual(['service.protocol: got "udp": not a protocol; use ServiceProtocol.HTTP, HTTP2, GRPC or TCP']);
  });

  test('several problems are all reported, in prop order', () => {
    expect(payment({ namespace: 'Pay', port: 0, portName: 'HTTP', protocol: 'udp' })._problems('s').map(p => p.split(':')[0])).toEqual(['s.namespace', 's.port', 's.portName', 's.protocol']);
  });
});

describe('model/service: ServiceRef.fromService', () => {
  test('reads the name, namespace, first port, numeric target port, port name and selector of the object', () => {
    const chart = shopChart();
    const svc = serviceObject(chart, { selector: { app: 'pay' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'admin', port: 9000, targetPort: 'admin' }] }, { namespace: 'pay' });
    const ref = ServiceRef.fromService(svc);
    expect([ref.name, ref.namespace, ref.port, ref.targetPort, ref.portName, ref.protocol, ref.ownsServiceObject]).toEqual(['payment', 'pay', 80, 8080, 'http', ServiceProtocol.HTTP, true]);
    expect(ref.selector).toEqual({ app: 'pay' });
    expect(ref._source()).toBe(svc);
    // another port; a named target port is the container port of that name of the pods the Service selects
    // (test/model/named-target-port.test.ts), none here: read as the port until synthesis refuses it
    const admin = ServiceRef.fromService(svc, { port: 9000, name: 'payment-admin', protocol: ServiceProtocol.TCP });
    expect([admin.name, admin.port, admin.targetPort, admin.portName, admin.protocol]).toEqual(['payment-admin', 9000, 9000, 'admin', ServiceProtocol.TCP]);
    expect(admin._targetPortAsWritten()).toBe('admin');
    expect(() => Testing.synth(chart)).toThrow(/ServiceRef payment-admin: the Service port 9000 has targetPort "admin", a container port name/);
  });

  test('a Service without ports gives a reference whose port is refused, not a TypeError', () => {
    const ref = ServiceRef.fromService(serviceObject(shopChart(), { selector: { app: 'payment' } }));
    expect(ref._problems('service')).toEqual([expect.stringMatching(/^service\.port: got undefined: /)]);
  });

  test('annotations and labels go onto the Service object; a narrowed selector is written but the reference keeps the unnarrowed one', () => {
    const chart = shopChart();
    const svc = serviceObject(chart, { selector: { app: 'payment' }, ports: [{ port: 80 }] });
    const ref = ServiceRef.fromService(svc);
    ref._annotateService('balancer.linkerd.io/failure-accrual', 'consecutive');
    ref._labelService('tier', 'api');
    expect(ref._narrowServiceSelector('example.com/version', 'v1')).toBe(true);
    const [out] = Testing.synth(chart);
    expect(out.metadata.annotations).toEqual({ 'balancer.linkerd.io/failure-accrual': 'consecutive' });
    expect(out.metadata.labels).toEqual({ tier: 'api' });
    expect(out.spec.selector).toEqual({ 'app': 'payment', 'example.com/version': 'v1' });
    expect(ref.selector).toEqual({ app: 'payment' });
  });

  test('another kind is refused, naming the object and the fix', () => {
    const chart = shopChart();
    const sa = new ApiObject(chart, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'payment' } });
    expect(() => ServiceRef.fromService(sa)).toThrow(/^ServiceRef\.fromService\(service\): got v1 ServiceAccount payment \[test\/sa\]: .*; pass the Service object \(for a Deployment, use ServiceRef\.fromDeployment\)$/);
  });
});

describe('model/service: ServiceRef.fromDeployment', () => {
  const deployment = (chart: Chart, name = 'payment') => new kplus.Deployment(chart, name, {
    metadata: { name },
    podMetadata: { labels: { app: name } },
    containers: [{ name, image: `example/${name}:1`, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  });

  test('no Service selects its pods: a Service named after it, on its container port, selecting its pods', () => {
    const chart = shopChart();
    const d = deployment(chart);
    const ref = ServiceRef.fromDeployment(d);
    expect([ref.name, ref.port, ref.targetPort, ref.ownsServiceObject]).toEqual(['payment', 8080, 8080, false]);
    expect(ref.selector).toEqual(Testing.synth(chart).find(o => o.kind === 'Deployment').spec.selector.matchLabels);
    expect(ref._workload()).toBeDefined();
    expect(ServiceRef.fromDeployment(d, { name: 'pay', port: 80 })).toMatchObject({ name: 'pay', port: 80 });
  });

  test('one Service selects its pods: that Service (its generated name, its ports)', () => {
    const chart = shopChart();
    const d = deployment(chart);
    const svc = d.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const ref = ServiceRef.fromDeployment(d);
    expect([ref.name, ref.port, ref.targetPort, ref.ownsServiceObject]).toEqual([svc.name, 80, 8080, true]);
  });

  test('two Services select its pods and none is named after it: refused, naming both', () => {
    const chart = shopChart();
    const d = deployment(chart);
    d.exposeViaService({ name: 'a', ports: [{ port: 80, targetPort: 8080 }] });
    d.exposeViaService({ name: 'b', ports: [{ port: 81, targetPort: 8080 }] });
    expect(() => ServiceRef.fromDeployment(d)).toThrow(/^ServiceRef\.fromDeployment\(deployment\): got .*, whose pods are selected by the Services a \[.*\], b \[.*\] and none is named payment: /);
    expect(ServiceRef.fromDeployment(d, { name: 'b' })).toMatchObject({ name: 'b', port: 81 });
  });

  test('another kind is refused, naming the object and the fix', () => {
    const chart = shopChart();
    const svc = serviceObject(chart, { ports: [{ port: 80 }] });
    expect(() => ServiceRef.fromDeployment(svc)).toThrow(/^ServiceRef\.fromDeployment\(deployment\): got v1 Service payment \[test\/svc\]: .*; pass the Deployment object \(for a Service, use ServiceRef\.fromService\)$/);
  });
});
