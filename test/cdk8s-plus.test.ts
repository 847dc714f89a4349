import { ApiObject, App, Chart, Duration, Testing } from 'cdk8s';
import * as plus28 from 'cdk8s-plus-28';
import * as plus33 from 'cdk8s-plus-33';
import {
  CanaryRelease, Identity, Mesh, MeshAnalyzer, MultiClusterExport, ReleaseVersion, ResilientService, ServiceRef, TrafficTelemetry, ZeroTrustNamespace,
} from '../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from './util';

/**
 * Issue 19 item 1: objects of any cdk8s-plus 2.x package (and plain ApiObjects, imported L1s) are read
 * through the object they synthesize. cdk8s-plus-28 and cdk8s-plus-33 side by side, in one app.
 */
captureStderr();

type Plus = typeof plus28 | typeof plus33;
const PLUS: [string, Plus][] = [['cdk8s-plus-28', plus28], ['cdk8s-plus-33', plus33]];

function service(kplus: Plus, chart: Chart, name = 'payment'): any {
  const svc = new kplus.Service(chart, `svc-${name}`, { metadata: { name }, ports: [{ port: 80, targetPort: 8080, name: 'http' }] });
  svc.select((kplus.Pods as any).select(chart, `pods-${name}`, { labels: { app: name } }));
  return svc;
}

function deployment(kplus: Plus, chart: Chart, name: string, labels: { [k: string]: string } = { app: name }): any {
  const dep = new (kplus.Deployment as any)(chart, `dep-${name}`, {
    metadata: { name },
    select: false,
    podMetadata: { labels },
    containers: [{ name, image: `example/${name}:1`, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  });
  dep.select((kplus.LabelSelector as any).of({ labels }));
  return dep;
}

describe.each(PLUS)('%s', (_name, kplus) => {
  test('ServiceRef.fromService reads name, namespace, ports and selector from the Service', () => {
    const chart = shopChart();
    const ref = ServiceRef.fromService(service(kplus, chart));
    expect([ref.name, ref.port, ref.targetPort, ref.portName, ref.selector]).toEqual(['payment', 80, 8080, 'http', { app: 'payment' }]);
  });

  test('Linkerd failure accrual is written onto the Service object itself', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: ServiceRef.fromService(service(kplus, chart)), circuitBreaker: { consecutiveErrors: 5 } });
    const svc = one(synthValidated(chart), 'Service', 'payment');
    expect(svc.metadata.annotations['balancer.linkerd.io/failure-accrual']).toBe('consecutive');
  });

  test('ServiceRef.fromDeployment selects the pods by the Deployment\'s matchLabels; Consul enrols its pods', () => {
    const chart = shopChart();
    const dep = deployment(kplus, chart, 'payment');
    const ref = ServiceRef.fromDeployment(dep);
    expect([ref.name, ref.port, ref.selector]).toEqual(['payment', 8080, { app: 'payment' }]);
    new ResilientService(chart, 'rs', { mesh: Mesh.consul(), service: ref, timeout: Duration.seconds(3) });
    const pod = one(synthValidated(chart), 'Deployment', 'payment').spec.template;
    expect(pod.metadata.annotations['consul.hashicorp.com/connect-inject']).toBe('true');
    expect(pod.spec.automountServiceAccountToken).toBe(true); // cdk8s-plus's default false, turned on for the dataplane login
  });

  test('ReleaseVersion.fromDeployment labels the pod template', () => {
    const chart = shopChart();
    new CanaryRelease(chart, 'canary', {
      mesh: Mesh.consul(),
      service: ServiceRef.fromName('payment', { port: 8080 }),
      stable: ReleaseVersion.fromDeployment(deployment(kplus, chart, 'payment-v1', { app: 'payment', version: 'v1' }), 'v1'),
      canary: ReleaseVersion.fromDeployment(deployment(kplus, chart, 'payment-v2', { app: 'payment' }), 'v2'),
      canaryWeight: 10,
    });
    const v2 = one(synthValidated(chart), 'Deployment', 'payment-v2').spec.template.metadata;
    expect([v2.labels.app, v2.labels.version]).toEqual(['payment', 'v2']);
    expect(v2.annotations['consul.hashicorp.com/service-meta-version']).toBe('v2');
  });

  test('Identity.fromServiceAccount reads the ServiceAccount\'s name and namespace', () => {
    const chart = shopChart();
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'order', namespace: 'orders' } });
    const id = Identity.fromServiceAccount(sa);
    expect([id.name, id.namespace]).toEqual(['order', 'orders']);
  });

  test('the app\'s Namespace is the one enrolled (Istio), and a namespaceObject is annotated (Linkerd)', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { team: 'payments' } } });
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio-injection': 'enabled', 'team': 'payments' });

    const chart2 = shopChart();
    const ns = new kplus.Namespace(chart2, 'ns', { metadata: { name: 'shop' } });
    new ZeroTrustNamespace(chart2, 'zt', { mesh: Mesh.linkerd(), namespaceObject: ns, allow: [] });
    new TrafficTelemetry(chart2, 'tel', { mesh: Mesh.linkerd(), namespaceObject: ns, accessLogging: {} });
    const out2 = synthValidated(chart2);
    expect(ofKind(out2, 'Namespace')).toHaveLength(1);
    expect(one(out2, 'Namespace', 'shop').metadata.annotations).toMatchObject({
      'config.linkerd.io/default-inbound-policy': 'deny', 'config.linkerd.io/access-log': 'json', 'linkerd.io/inject': 'enabled',
    });
  });

  test('a Linkerd canary narrows the apex Service\'s selector; the reference keeps the service\'s own selector', () => {
    const chart = shopChart();
    const ref = ServiceRef.fromService(service(kplus, chart));
    new CanaryRelease(chart, 'canary', { mesh: Mesh.linkerd(), service: ref, stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
    expect(one(synthValidated(chart), 'Service', 'payment').spec.selector).toEqual({ app: 'payment', version: 'v1' });
    expect(ref.selector).toEqual({ app: 'payment' });
  });

  test('an object of another kind is refused, naming what was given and what to pass', () => {
    expect(failureOf(chart => ServiceRef.fromService(deployment(kplus, chart, 'payment'))))
      .toBe('ServiceRef.fromService(service): got apps/v1 Deployment payment [test/dep-payment]: expected an object that synthesizes v1 Service (a cdk8s-plus Service of any cdk8s-plus 2.x package, an imported KubeService or an ApiObject); pass the Service object (for a Deployment, use ServiceRef.fromDeployment)');
    expect(failureOf(chart => ServiceRef.fromDeployment(service(kplus, chart))))
      .toContain('ServiceRef.fromDeployment(deployment): got v1 Service payment [test/svc-payment]: expected an object that synthesizes apps/v1 Deployment or StatefulSet or DaemonSet');
    expect(failureOf(chart => Identity.fromServiceAccount(new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } }))))
      .toContain('Identity.fromServiceAccount(serviceAccount): got v1 Namespace shop [test/ns]: expected an object that synthesizes v1 ServiceAccount');
    expect(failureOf(chart => ReleaseVersion.fromDeployment(service(kplus, chart), 'v2'))).toContain("use ReleaseVersion.of('v2') and label its pods yourself");
    expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), namespaceObject: service(kplus, chart), allow: [] })))
      .toContain('namespaceObject: got v1 Service payment [test/svc-payment]: not the Namespace of shop');
  });
});

describe('objects of both packages, plain ApiObjects and imported L1s in one app', () => {
  test('an imported KubeService and a plain ApiObject Service are read like cdk8s-plus ones', () => {
    const chart = shopChart();
    const kube = new plus33.k8s.KubeService(chart, 'kube', { metadata: { name: 'order' }, spec: { selector: { app: 'order' }, ports: [{ port: 8081 }] } });
    const plain = new ApiObject(chart, 'plain', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart' }, spec: { selector: { app: 'cart' }, ports: [{ port: 9090, targetPort: 9091 }] } } as any);
    expect([ServiceRef.fromService(kube).name, ServiceRef.fromService(kube).port, ServiceRef.fromService(kube).selector]).toEqual(['order', 8081, { app: 'order' }]);
    expect([ServiceRef.fromService(plain).port, ServiceRef.fromService(plain).targetPort]).toEqual([9090, 9091]);
  });

  test('Consul enrols the workloads of both packages and a plain ApiObject Deployment, each once', () => {
    const chart = shopChart();
    deployment(plus28, chart, 'order');
    deployment(plus33, chart, 'payment');
    new ApiObject(chart, 'cart', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart' },
      spec: { selector: { matchLabels: { app: 'cart' } }, template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'example/cart:1' }] } } },
    } as any);
    new ResilientService(chart, 'rs', { mesh: Mesh.consul(), service: ServiceRef.fromDeployment(chart.node.findChild('dep-payment')), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    for (const name of ['order', 'payment', 'cart']) {
      expect(one(out, 'Deployment', name).spec.template.metadata.annotations).toEqual({ 'consul.hashicorp.com/connect-inject': 'true' });
    }
    expect(ofKind(out, 'Deployment')).toHaveLength(3);
  });

  test('Istio pod-level injection on a plain ApiObject Deployment of a namespace the app does not own', () => {
    const chart = shopChart();
    const dep = new ApiObject(chart, 'cart', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: 'other' },
      spec: { selector: { matchLabels: { app: 'cart' } }, template: { spec: { containers: [{ name: 'cart', image: 'example/cart:1', ports: [{ containerPort: 8080 }] }] } } },
    } as any);
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromDeployment(dep), timeout: Duration.seconds(3) });
    expect(one(synthValidated(chart), 'Deployment', 'cart').spec.template.metadata).toEqual({ labels: { 'sidecar.istio.io/inject': 'true' } });
  });
});

describe('ServiceRef.fromDeployment and the Service that exposes the Deployment (issue 19 item 2)', () => {
  const dep33 = (chart: Chart) => new plus33.Deployment(chart, 'payment', {
    metadata: { name: 'payment' }, containers: [{ image: 'example/payment:1', portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  });

  test.each(PLUS)('%s: exposeViaService() before the reference: routes name the generated Service', (_name, kplus) => {
    const chart = shopChart();
    const dep = new (kplus.Deployment as any)(chart, 'payment', { metadata: { name: 'payment' }, containers: [{ image: 'example/payment:1', portNumber: 8080 }] });
    const svc = dep.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    const ref = ServiceRef.fromDeployment(dep);
    expect([ref.name, ref.port, ref.targetPort]).toEqual([svc.name, 80, 8080]);
    expect(svc.name).not.toBe('payment');
    new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: ref, timeout: Duration.seconds(3) });
    const route = ofKind(synthValidated(chart), 'HTTPRoute')[0];
    expect(route.spec.parentRefs[0]).toMatchObject({ kind: 'Service', name: svc.name, port: 80 });
  });

  test('exposeViaService() after the reference: synthesis is refused, naming the generated Service and the fix', () => {
    const msg = failureOf(chart => {
      const dep = dep33(chart);
      new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromDeployment(dep), timeout: Duration.seconds(3) });
      dep.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
    });
    expect(msg).toContain('[test/payment] ServiceRef.fromDeployment named the service payment, but the app has no Service payment in namespace shop; '
      + 'the Deployment\'s pods are selected by Service test-payment-service [test/payment/Service]');
    expect(msg).toContain('(exposeViaService() gives the Service a generated name), so routes and policies would name a Service that does not exist: pass ServiceRef.fromService(service)');
  });

  test('a Service named after the Deployment, made later, or none in the app at all: no error', () => {
    const chart = shopChart();
    const dep = dep33(chart);
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromDeployment(dep), timeout: Duration.seconds(3) });
    dep.exposeViaService({ name: 'payment', ports: [{ port: 8080 }] });
    expect(one(synthValidated(chart), 'VirtualService', 'payment').spec.hosts).toEqual(['payment.shop.svc.cluster.local']);
    const alone = shopChart();
    new ResilientService(alone, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromDeployment(dep33(alone)), timeout: Duration.seconds(3) });
    expect(one(synthValidated(alone), 'VirtualService', 'payment').spec.hosts).toEqual(['payment.shop.svc.cluster.local']);
  });

  test('multi-cluster: a Service of that name in another cluster does not count; one in a chart of the same cluster does', () => {
    const build = (sameCluster: boolean) => {
      const app = new App();
      const us = new Chart(app, 'us', { namespace: 'shop' });
      const eu = new Chart(app, 'eu', { namespace: 'shop' });
      const dep = dep33(us);
      const ref = ServiceRef.fromDeployment(dep);
      new ResilientService(us, 'rs', { mesh: Mesh.istio(), service: ref, timeout: Duration.seconds(3) });
      dep.exposeViaService({ ports: [{ port: 80, targetPort: 8080 }] });
      new ApiObject(eu, 'payment-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payment' }, spec: { selector: { app: 'payment' }, ports: [{ port: 8080 }] } });
      new MultiClusterExport(app, 'mc', {
        mesh: Mesh.istio(),
        clusters: [
          { name: 'us-west', network: 'net-us', region: 'us-west1', chart: us, services: [] },
          // the Service's chart in eu-west, or in no cluster (a chart no export assigns is written into every one)
          { name: 'eu-west', network: 'net-eu', region: 'europe-west1', chart: sameCluster ? new Chart(app, 'eu-west', { namespace: 'shop' }) : eu, services: [] },
        ],
        exports: [],
      });
      return app;
    };
    expect(() => build(false).synth()).toThrow(/\[us\/payment\] ServiceRef\.fromDeployment named the service payment, but the app has no Service payment in namespace shop of cluster us-west; the Deployment's pods are selected by Service us-payment-service-/);
    expect(() => build(true).synth()).not.toThrow();
  });

  test('two Services select the pods and none is named after the Deployment: refused (which one do callers use?)', () => {
    expect(failureOf(chart => {
      const dep = dep33(chart);
      dep.exposeViaService({ name: 'payment-a', ports: [{ port: 8080 }] });
      dep.exposeViaService({ name: 'payment-b', ports: [{ port: 8080 }] });
      ServiceRef.fromDeployment(dep);
    })).toBe('ServiceRef.fromDeployment(deployment): got apps/v1 Deployment payment [test/payment], whose pods are selected by the Services payment-a [test/payment/payment-aService], payment-b [test/payment/payment-bService] and none is named payment: routes and policies must name one of them; pass ServiceRef.fromService(service) with the one callers use');
  });

  test.each([['linkerd', Mesh.linkerd(), 'HTTPRoute', {}], ['istio', Mesh.istio(), 'DestinationRule', { circuitBreaker: { consecutiveErrors: 5 } }],
    ['consul', Mesh.consul(), 'Service', {}]] as const)(
    'K103 (%s): a reference by name to the Deployment\'s name while the output defines the generated Service', (_m, mesh, kind, extra) => {
      const chart = shopChart();
      dep33(chart).exposeViaService({ ports: [{ port: 8080 }] });
      new ResilientService(chart, 'rs', { mesh, service: ServiceRef.fromName('payment', { port: 8080 }), timeout: Duration.seconds(3), ...extra });
      const out = Testing.synth(chart);
      const k103 = MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.code === 'K103');
      expect(k103.length).toBeGreaterThan(0);
      expect(k103.map(f => f.resource).join(' ')).toContain(kind);
      expect(k103[0].message).toContain('names Service shop/payment, which is not among the manifests although they define the Services of shop (test-payment-service)');
      // named after the real Service: no K103
      const fixed = shopChart();
      const svc = dep33(fixed).exposeViaService({ ports: [{ port: 8080 }] });
      new ResilientService(fixed, 'rs', { mesh, service: ServiceRef.fromService(svc), timeout: Duration.seconds(3), ...extra });
      expect(MeshAnalyzer.analyzeObjects(Testing.synth(fixed)).findings.filter(f => f.code === 'K103')).toEqual([]);
    });

  test('K103: the Services cdk8s-mesh writes itself (a Linkerd canary\'s per-version Services) do not make the apex Service\'s absence a finding', () => {
    const chart = shopChart();
    new CanaryRelease(chart, 'release', { mesh: Mesh.linkerd(), service: ServiceRef.fromName('payment', { port: 8080 }), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10 });
    const out = Testing.synth(chart);
    expect(ofKind(out, 'Service').map(o => o.metadata.name).sort()).toEqual(['payment-v1', 'payment-v2']);
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.code === 'K103')).toEqual([]);
    // the same output with a Service of the app's own in the namespace: the apex is missing from it
    const own = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' }, spec: { selector: { app: 'cart' }, ports: [{ port: 80 }] } };
    expect(MeshAnalyzer.analyzeObjects([...out, own]).findings.filter(f => f.code === 'K103').map(f => f.resource)).toEqual(['HTTPRoute shop/payment']);
  });

  test('a plain ApiObject Service selecting a plain ApiObject Deployment is the one used', () => {
    const chart = shopChart();
    const dep = new ApiObject(chart, 'dep', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'payment' },
      spec: { selector: { matchLabels: { app: 'payment' } }, template: { metadata: { labels: { app: 'payment' } }, spec: { containers: [{ name: 'p', image: 'p:1', ports: [{ containerPort: 8080 }] }] } } },
    } as any);
    new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments-api' }, spec: { selector: { app: 'payment' }, ports: [{ port: 80, targetPort: 8080 }] } } as any);
    const ref = ServiceRef.fromDeployment(dep);
    expect([ref.name, ref.port, ref.targetPort, ref.ownsServiceObject]).toEqual(['payments-api', 80, 8080, true]);
  });
});

describe('canary subsets and cdk8s-plus default selectors (issue 19 item 3)', () => {
  const FIX = 'create both Deployments with select: false and a shared label, select their pods and the Service by it';

  test.each(PLUS)('%s: a Service selecting by cdk8s.io/metadata.addr (exposeViaService of v1) is refused with the fix', (_name, kplus) => {
    const msg = failureOf(chart => {
      const v1 = new (kplus.Deployment as any)(chart, 'payment-v1', { containers: [{ image: 'example/payment:1', portNumber: 8080 }] });
      const v2 = new (kplus.Deployment as any)(chart, 'payment-v2', { containers: [{ image: 'example/payment:2', portNumber: 8080 }] });
      const svc = v1.exposeViaService({ name: 'payment', ports: [{ port: 8080 }] });
      new CanaryRelease(chart, 'release', {
        mesh: Mesh.istio(),
        service: ServiceRef.fromService(svc),
        stable: ReleaseVersion.fromDeployment(v1, 'v1'),
        canary: ReleaseVersion.fromDeployment(v2, 'v2'),
        canaryWeight: 10,
      });
    });
    expect(msg).toMatch(/^\[test\/release\] service\.selector: got \{"cdk8s\.io\/metadata\.addr":"test-payment-v1-[0-9a-f]+"\}: the service selects its pods by cdk8s-plus's default label cdk8s\.io\/metadata\.addr, which is unique to one Deployment/);
    expect(msg).toContain(FIX);
  });

  test.each(PLUS)('%s: a Deployment whose pods lack the service\'s labels is refused at synthesis (labels added later count)', (_name, kplus) => {
    const msg = failureOf(chart => {
      const v1 = deployment(kplus, chart, 'payment-v1', { app: 'payment' });
      const v2 = new (kplus.Deployment as any)(chart, 'payment-v2', { metadata: { name: 'payment-v2' }, containers: [{ image: 'example/payment:2', portNumber: 8080 }] });
      new CanaryRelease(chart, 'release', {
        mesh: Mesh.istio(),
        service: ServiceRef.fromName('payment', { port: 8080 }),
        stable: ReleaseVersion.fromDeployment(v1, 'v1'),
        canary: ReleaseVersion.fromDeployment(v2, 'v2'),
        canaryWeight: 10,
      });
    });
    expect(msg).toContain('[test/release] canary: got "ReleaseVersion.fromDeployment(payment-v2, \'v2\')": the Deployment\'s pods lack the label app: payment that the service payment selects by, so the v2 subset has no endpoints and its share of requests fails; add app: payment to the pod template\'s labels');
    expect(msg).not.toContain('stable:');
    // the label added after the release is created is read at synthesis
    const chart = shopChart();
    deployment(kplus, chart, 'payment-v1', { app: 'payment', version: 'v1' });
    const v2 = new (kplus.Deployment as any)(chart, 'payment-v2', { metadata: { name: 'payment-v2' }, containers: [{ image: 'example/payment:2', portNumber: 8080 }] });
    new CanaryRelease(chart, 'release', {
      mesh: Mesh.istio(),
      service: ServiceRef.fromName('payment', { port: 8080 }),
      stable: ReleaseVersion.of('v1'),
      canary: ReleaseVersion.fromDeployment(v2, 'v2'),
      canaryWeight: 10,
    });
    v2.podMetadata.addLabel('app', 'payment');
    expect(one(synthValidated(chart), 'Deployment', 'payment-v2').spec.template.metadata.labels).toMatchObject({ app: 'payment', version: 'v2' });
  });

  test.each(PLUS)('%s: the docs\' program (select: false, a shared label) gives subsets that select each version\'s pods', (_name, kplus) => {
    const chart = shopChart();
    const k: any = kplus;
    const versions = ['v1', 'v2'].map(v => {
      const d = new k.Deployment(chart, `payment-${v}`, {
        metadata: { name: `payment-${v}` },
        select: false,
        podMetadata: { labels: { app: 'payment' } },
        containers: [{ image: `example/payment:${v}`, portNumber: 8080 }],
      });
      d.select(k.LabelSelector.of({ labels: { app: 'payment', version: v } }));
      return d;
    });
    const svc = new k.Service(chart, 'payment', { metadata: { name: 'payment' }, ports: [{ port: 8080 }], selector: k.Pods.select(chart, 'pods', { labels: { app: 'payment' } }) });
    new CanaryRelease(chart, 'release', {
      mesh: Mesh.istio(),
      service: ServiceRef.fromService(svc),
      stable: ReleaseVersion.fromDeployment(versions[0], 'v1'),
      canary: ReleaseVersion.fromDeployment(versions[1], 'v2'),
      canaryWeight: 10,
      healthAlert: {},
    });
    const out = synthValidated(chart);
    const subsets = one(out, 'DestinationRule', 'payment').spec.subsets;
    for (const [i, s] of subsets.entries()) {
      const pods = one(out, 'Deployment', `payment-v${i + 1}`).spec.template.metadata.labels;
      expect(Object.entries(s.labels).every(([key, value]) => pods[key] === value)).toBe(true);
    }
    expect(MeshAnalyzer.analyzeObjects(out).findings.filter(f => f.code === 'I133')).toEqual([]);
  });
});
