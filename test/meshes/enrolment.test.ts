import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRelease, EgressPolicy, Identity, MultiClusterExport, IstioDataPlane, Mesh, ReleaseVersion,
  ResilientService, ServiceRef, TrafficTelemetry, ZeroTrustNamespace,
} from '../../src';
import { captureStderr, failureOf, ofKind, one, shopChart, synthValidated } from '../util';

const stderr = captureStderr();
const payment = (namespace?: string) => ServiceRef.fromName('payment', { port: 8080, namespace });
const warnings = () => stderr().mock.calls.map(c => String(c[0])).join('');
const deployment = (chart: Chart, name: string, extra: Partial<kplus.DeploymentProps> = {}) => new kplus.Deployment(chart, name, {
  metadata: { name },
  podMetadata: { labels: { app: name } },
  containers: [{ name, image: `example/${name}:1`, portNumber: 8080, securityContext: { user: 1000, group: 1000 } }],
  ...extra,
});

describe('Istio sidecar', () => {
  test('the chart\'s own namespace is written and labelled istio-injection: enabled, once for every pattern', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    const ns = one(out, 'Namespace', 'shop');
    expect(ns.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio-injection': 'enabled' });
    expect(ns.metadata.namespace).toBeUndefined();
  });

  test('a revision enrols with istio.io/rev (and never both labels)', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: Mesh.istio({ revision: 'prod-stable' }), service: payment(), timeout: Duration.seconds(3) });
    expect(one(synthValidated(chart), 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio.io/rev': 'prod-stable' });
  });

  test('the user\'s Namespace in the chart is labelled instead of writing a second one', () => {
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { team: 'payments' } } });
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'shop').metadata.labels).toEqual({ 'istio-injection': 'enabled', 'team': 'payments' });
  });

  test('a Namespace labelled for another injection is refused, naming the label and the fix', () => {
    expect(failureOf(chart => {
      new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
      new ResilientService(chart, 'rs', { mesh: Mesh.istio({ revision: 'canary' }), service: payment(), timeout: Duration.seconds(3) });
    })).toBe('[test/rs] namespaceObject: got "istio-injection: enabled": the Namespace [test/ns] of shop carries istio-injection: enabled, but the mesh enrols it with istio.io/rev: canary, and Istio\'s injection webhooks read istio-injection before istio.io/rev (a namespace with both gets the default revision); remove the label from the Namespace (the library writes the enrolment), or choose the revision with Mesh.istio({ revision })');
    expect(failureOf(chart => {
      new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio.io/rev': 'canary' } } });
      new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
    })).toContain("remove the label, or use Mesh.istio({ revision: 'canary' })");
    expect(failureOf(chart => {
      new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio-injection': 'disabled' } } });
      new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
    })).toContain('got "istio-injection: disabled"');
  });

  test('a bad revision, or a revision on ambient, is refused', () => {
    expect(() => Mesh.istio({ revision: 'Canary_1' })).toThrow('Mesh.istio: revision: got "Canary_1": an Istio revision or revision tag is a label value of istio.io/rev');
    expect(() => Mesh.istio({ revision: 'x'.repeat(64) })).toThrow('Mesh.istio: revision');
    expect(() => Mesh.istio({ revision: 'x'.repeat(63) })).not.toThrow();
    expect(() => Mesh.istio({ revision: 'canary', dataPlane: IstioDataPlane.AMBIENT })).toThrow('leave revision out for IstioDataPlane.AMBIENT');
  });

  test('one Namespace per app: the one in another chart is labelled, and two charts of a namespace share one', () => {
    const app = Testing.app();
    const namespaces = new Chart(app, 'namespaces');
    new kplus.Namespace(namespaces, 'payments', { metadata: { name: 'payments' } });
    const mesh = new Chart(app, 'mesh', { namespace: 'shop' });
    new ResilientService(mesh, 'rs', { mesh: Mesh.istio(), service: payment('payments'), timeout: Duration.seconds(3) });
    expect(one(Testing.synth(namespaces), 'Namespace', 'payments').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(ofKind(Testing.synth(mesh), 'Namespace')).toEqual([]);

    const two = Testing.app();
    const a = new Chart(two, 'a', { namespace: 'shop' });
    const b = new Chart(two, 'b', { namespace: 'shop' });
    new ResilientService(a, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    new ResilientService(b, 'rs', { mesh: Mesh.linkerd(), service: ServiceRef.fromName('order', { port: 8080 }), timeout: Duration.seconds(3) });
    expect(ofKind([...Testing.synth(a), ...Testing.synth(b)], 'Namespace')).toHaveLength(1);
  });

  test('a namespace the app does not own gets no Namespace object: a warning with the exact label', () => {
    const chart = shopChart();
    const rs = new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment('payments'), timeout: Duration.seconds(3) });
    expect(ofKind(synthValidated(chart), 'Namespace')).toEqual([]);
    expect(rs.warnings.join('\n')).toContain('namespace payments is not this chart\'s namespace (shop) and no Namespace object of it is in the charts of this cluster');
    expect(rs.warnings.join('\n')).toContain('kubectl label namespace payments istio-injection=enabled');
    expect(warnings()).toContain('[cdk8s-mesh] warning: [test/rs] namespace payments');
  });

  test('a chart without a namespace writes none either', () => {
    const chart = new Chart(Testing.app(), 'test');
    const rs = new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment('shop'), timeout: Duration.seconds(3) });
    expect(ofKind(Testing.synth(chart), 'Namespace')).toEqual([]);
    expect(rs.warnings.join('\n')).toContain('kubectl label namespace shop istio-injection=enabled');
  });

  test('a given workload of a namespace that is not enrolled here gets the pod-level label', () => {
    const chart = new Chart(Testing.app(), 'test');
    const d = deployment(chart, 'payment', { metadata: { name: 'payment', namespace: 'payments' } });
    new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: ServiceRef.fromDeployment(d), timeout: Duration.seconds(3) });
    expect(one(Testing.synth(chart), 'Deployment', 'payment').spec.template.metadata.labels).toMatchObject({ 'app': 'payment', 'sidecar.istio.io/inject': 'true' });
    const rev = new Chart(Testing.app(), 'test');
    const d2 = deployment(rev, 'payment', { metadata: { name: 'payment', namespace: 'payments' } });
    new ResilientService(rev, 'rs', { mesh: Mesh.istio({ revision: 'canary' }), service: ServiceRef.fromDeployment(d2), timeout: Duration.seconds(3) });
    expect(one(Testing.synth(rev), 'Deployment', 'payment').spec.template.metadata.labels).toMatchObject({ 'app': 'payment', 'istio.io/rev': 'canary' });
  });

  test('two meshes (or revisions) for one namespace are refused', () => {
    expect(failureOf(chart => {
      new ResilientService(chart, 'a', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
      new ResilientService(chart, 'b', { mesh: Mesh.istio({ revision: 'canary' }), service: ServiceRef.fromName('order', { port: 8080 }), timeout: Duration.seconds(3) });
    })).toBe('[test/b] mesh: got "Istio (istio.io/rev: canary)": [test/a] enrols namespace shop with istio-injection: enabled (Istio); use one Mesh (and one revision) for the patterns of a namespace');
  });
});

describe('Linkerd', () => {
  test('the Namespace carries linkerd.io/inject: enabled, for routing patterns too', () => {
    const chart = shopChart();
    new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    expect(one(synthValidated(chart), 'Namespace', 'shop').metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
  });

  test('a zero-trust namespace is the app\'s own even outside the chart\'s namespace: one Namespace with both annotations', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), namespace: 'payments', allow: [{ callers: [Identity.serviceAccount('order')], to: payment('payments') }] });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toHaveLength(1);
    expect(one(out, 'Namespace', 'payments').metadata.annotations).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny', 'linkerd.io/inject': 'enabled' });
  });

  test('a Namespace that turns injection off is refused; ingress mode is kept', () => {
    expect(failureOf(chart => {
      new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'disabled' } } });
      new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    })).toBe('[test/rs] namespaceObject: got "linkerd.io/inject: disabled": the Namespace [test/ns] of shop turns injection off, so no Linkerd policy or route applies to its pods; remove the annotation (the library writes linkerd.io/inject: enabled)');
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'ingress' } } });
    new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    expect(one(synthValidated(chart), 'Namespace', 'shop').metadata.annotations).toEqual({ 'linkerd.io/inject': 'ingress' });
  });

  test('a second Namespace object for an enrolled namespace is refused (telemetry after zero trust)', () => {
    expect(failureOf(chart => {
      new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
      const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
      new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.linkerd(), accessLogging: {}, namespaceObject: ns });
    })).toBe('[test/telemetry] namespaceObject: got the Namespace [test/ns], but [test/MeshNamespace-shop/Namespace] already enrolls namespace shop in Linkerd; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern');
  });

  test('a Namespace object made after the first pattern, and passed to none, is a second one: refused at synthesis', () => {
    // the pattern wrote shop's Namespace object (linkerd.io/inject: enabled); the user's, with the chart's namespace in
    // its manifest, is the same cluster-scoped object: applied together, the one applied last drops the other's annotations
    for (const annotations of [undefined, { 'config.linkerd.io/default-inbound-policy': 'deny' }]) {
      expect(failureOf(chart => {
        new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
        new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', annotations } });
      })).toContain('[test/ns/Resource] writes Namespace shop, which [test/MeshNamespace-shop/Namespace] writes too, with different content (they differ at metadata.');
    }
    expect(failureOf(chart => {
      new ResilientService(chart, 'rs', { mesh: Mesh.istio(), service: payment(), timeout: Duration.seconds(3) });
      new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    })).toContain('write the Namespace once: create it before the first pattern of its namespace (which then enrols it instead of writing its own)');
    // made before the pattern: the one Namespace object, enrolled
    const chart = shopChart();
    new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    new ResilientService(chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    expect(ofKind(synthValidated(chart), 'Namespace').map(o => o.metadata.annotations)).toEqual([{ 'linkerd.io/inject': 'enabled' }]);
  });

  test('two charts of one cluster writing one Namespace object, differing only in the namespace cdk8s writes into it: the same content (a warning), not a refusal', () => {
    const app = Testing.app();
    for (const ns of ['a', 'b']) new kplus.Namespace(new Chart(app, ns, { namespace: ns }), 'shared', { metadata: { name: 'shared' } });
    // (a pattern in the app: its synthesis-time checks read every chart)
    new ResilientService(app.node.findChild('a') as Chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    expect(() => app.synth()).not.toThrow();
    expect(stderr().mock.calls.map(c => String(c[0])).join('')).toContain('[b/shared/Resource] writes Namespace shared again, with the same content as [a/shared/Resource] (charts a and b, one cluster)');
  });

  test('two Namespace objects of the user\'s with different content: the general advice (no pattern wrote either)', () => {
    const app = Testing.app();
    new kplus.Namespace(new Chart(app, 'a', { namespace: 'a' }), 'shared', { metadata: { name: 'shared', labels: { team: 'x' } } });
    new kplus.Namespace(new Chart(app, 'b', { namespace: 'b' }), 'shared', { metadata: { name: 'shared', labels: { team: 'y' } } });
    new ResilientService(app.node.findChild('a') as Chart, 'rs', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(3) });
    expect(() => app.synth()).toThrow(/\[b\/shared\/Resource\] writes Namespace shared, which \[a\/shared\/Resource\] writes too, with different content \(charts a and b, one cluster\) \(they differ at metadata\.labels\.team\): applied together, the one applied last replaces the other; write the object once: merge the two constructs/);
  });

  test('a namespaceObject of another namespace is refused', () => {
    expect(failureOf(chart => {
      const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'other' } });
      new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), namespaceObject: ns, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
    })).toBe('[test/zt] namespaceObject: got "other": not the Namespace of shop, whose workloads the pattern configures; pass the Namespace named shop (a cdk8s-plus Namespace of any 2.x package, a KubeNamespace or an ApiObject), or leave namespaceObject out');
  });
});

describe('Consul', () => {
  test('the chart\'s workloads of the namespace get connect-inject and their service account token; no Namespace is written', () => {
    const chart = shopChart();
    deployment(chart, 'payment');
    deployment(chart, 'legacy', { podMetadata: { labels: { app: 'legacy' }, annotations: { 'consul.hashicorp.com/connect-inject': 'false' } } });
    new kplus.Job(chart, 'migrate', { containers: [{ image: 'example/migrate:1', securityContext: { user: 1000, group: 1000 } }] });
    const rs = new ResilientService(chart, 'rs', { mesh: Mesh.consul(), service: payment(), timeout: Duration.seconds(3) });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Namespace')).toEqual([]);
    const pay = one(out, 'Deployment', 'payment').spec.template;
    expect(pay.metadata.annotations).toEqual({ 'consul.hashicorp.com/connect-inject': 'true' });
    // consul-k8s logs the dataplane in with the pod's token when ACLs are on
    expect(pay.spec.automountServiceAccountToken).toBe(true);
    // an explicit opt-out is kept, and Jobs (whose pods must end) are left alone
    expect(one(out, 'Deployment', 'legacy').spec.template.metadata.annotations).toEqual({ 'consul.hashicorp.com/connect-inject': 'false' });
    expect(one(out, 'Deployment', 'legacy').spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(ofKind(out, 'Job')[0].spec.template.metadata?.annotations?.['consul.hashicorp.com/connect-inject']).toBeUndefined();
    expect(rs.warnings).toEqual([]);
  });

  test('with no workload in the chart: a warning with the exact annotation', () => {
    const chart = shopChart();
    const rs = new ResilientService(chart, 'rs', { mesh: Mesh.consul(), service: payment(), timeout: Duration.seconds(3) });
    expect(rs.warnings.join('\n')).toContain('no Deployment, StatefulSet or DaemonSet of namespace shop is in the charts of this cluster, so none is enrolled in Consul: annotate the pod templates of the workloads of shop with consul.hashicorp.com/connect-inject: "true" (or install Consul with the Helm value connectInject.default: true)');
  });

  test('a configured service whose pods no workload of the app runs: a warning naming it', () => {
    const chart = shopChart();
    deployment(chart, 'web');
    const rs = new ResilientService(chart, 'rs', { mesh: Mesh.consul(), service: payment(), timeout: Duration.seconds(3), callers: [ServiceRef.fromName('web', { port: 8080 })] });
    expect(rs.warnings).toEqual(['no Deployment, StatefulSet or DaemonSet of this cluster runs the pods of service payment (selector {"app":"payment"}), so they are not enrolled in Consul: annotate their pod template with consul.hashicorp.com/connect-inject: "true" (or install Consul with the Helm value connectInject.default: true; see https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs/enrolment.md)']);
  });

  test('the Deployments a release is given are enrolled, in whatever chart they are', () => {
    const app = Testing.app();
    const workloads = new Chart(app, 'workloads', { namespace: 'shop' });
    // (both versions carry the label the service selects by: a release refuses pods its subsets cannot select)
    const v1 = deployment(workloads, 'payment-v1', { podMetadata: { labels: { app: 'payment' } } });
    const v2 = deployment(workloads, 'payment-v2', { podMetadata: { labels: { app: 'payment' } } });
    const chart = new Chart(app, 'mesh', { namespace: 'shop' });
    new CanaryRelease(chart, 'release', {
      mesh: Mesh.consul(),
      service: payment(),
      stable: ReleaseVersion.fromDeployment(v1, 'v1'),
      canary: ReleaseVersion.fromDeployment(v2, 'v2'),
      steps: [{ weight: 10 }, { weight: 100 }],
      step: 1,
    });
    const out = Testing.synth(workloads);
    for (const name of ['payment-v1', 'payment-v2']) {
      const t = one(out, 'Deployment', name).spec.template;
      expect(t.metadata.annotations['consul.hashicorp.com/connect-inject']).toBe('true');
      expect(t.spec.automountServiceAccountToken).toBe(true);
    }
  });
});

describe('Istio ambient is unchanged', () => {
  test('an egress policy alone writes no Namespace (ambient enrols where a pattern needs a waypoint or zero trust)', () => {
    const chart = shopChart();
    new EgressPolicy(chart, 'egress', { mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), hosts: [{ host: 'api.stripe.com' }], registryOnly: false });
    expect(ofKind(synthValidated(chart), 'Namespace')).toEqual([]);
  });

  test('zero trust: the ambient label only, never a sidecar injection label', () => {
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
    expect(one(synthValidated(chart), 'Namespace', 'shop').metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'cdk8s-mesh', 'istio.io/dataplane-mode': 'ambient' });
  });
});

describe('MultiClusterExport', () => {
  const build = (mesh: Mesh) => {
    const app = Testing.app();
    const eu = new Chart(app, 'eu-west-workloads', { namespace: 'shop', disableResourceNameHashes: true });
    const d = deployment(eu, 'payment', { metadata: { name: 'payment', namespace: 'shop' } });
    const paymentEu = ServiceRef.fromDeployment(d, { port: 8080 });
    new MultiClusterExport(app, 'mc', {
      mesh,
      clusters: [
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [ServiceRef.fromName('payment', { namespace: 'shop', port: 8080 })], gatewayAddress: 'gw.us.example.com' },
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentEu], gatewayAddress: 'gw.eu.example.com' },
      ],
      exports: [{ service: paymentEu, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order', { namespace: 'shop' })] }],
    });
    return Testing.synth(eu);
  };

  test('each cluster is its own: the consuming cluster does not take the exporting cluster\'s Namespace for its own', () => {
    const app = Testing.app();
    const eu = new Chart(app, 'eu-west-workloads', { namespace: 'shop', disableResourceNameHashes: true });
    const paymentEu = ServiceRef.fromDeployment(deployment(eu, 'payment', { metadata: { name: 'payment', namespace: 'shop' } }), { port: 8080 });
    const mc = new MultiClusterExport(app, 'mc', {
      mesh: Mesh.istio(),
      clusters: [
        { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [paymentEu], gatewayAddress: 'gw.eu.example.com' },
        { name: 'us-west', network: 'net-us', region: 'us-west1', services: [ServiceRef.fromName('payment', { namespace: 'shop', port: 8080 })], gatewayAddress: 'gw.us.example.com' },
      ],
      exports: [{ service: paymentEu, cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order', { namespace: 'shop' })] }],
    });
    expect(ofKind(Testing.synth(mc.chartOf('us-west')), 'Namespace').filter(n => n.metadata.name === 'shop')).toEqual([]);
    expect(mc.warnings.join('\n')).toContain('kubectl label namespace shop istio-injection=enabled');
  });

  test('the exporting cluster\'s workloads are enrolled in the chart that holds them', () => {
    expect(one(build(Mesh.istio()), 'Namespace', 'shop').metadata.labels['istio-injection']).toBe('enabled');
    expect(one(build(Mesh.consul()), 'Deployment', 'payment').spec.template.metadata.annotations['consul.hashicorp.com/connect-inject']).toBe('true');
  });
});

describe('the Namespace object is written first in its chart (a plain kubectl apply -f creates objects in file order)', () => {
  test('written by a pattern after the workloads, or given by the user after them: first; the other objects keep their order', () => {
    for (const mesh of [Mesh.linkerd(), Mesh.istio()]) {
      const chart = shopChart();
      deployment(chart, 'payment');
      deployment(chart, 'order');
      new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
      const out = synthValidated(chart);
      expect(out[0].kind).toBe('Namespace');
      const deployments = out.filter(o => o.kind === 'Deployment').map(o => o.metadata.name);
      expect(deployments).toEqual(['payment', 'order']);
    }
    const chart = shopChart();
    deployment(chart, 'payment');
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    new TrafficTelemetry(chart, 'telemetry', { mesh: Mesh.linkerd(), namespaceObject: ns, accessLogging: {} });
    expect(synthValidated(chart)[0].kind).toBe('Namespace');
  });

  test('a Namespace object that depends on another object of the chart stays after it (no dependency cycle)', () => {
    const chart = shopChart();
    const first = deployment(chart, 'payment');
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    ns.node.addDependency(first);
    deployment(chart, 'order');
    new ZeroTrustNamespace(chart, 'zt', { mesh: Mesh.linkerd(), namespaceObject: ns, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }] });
    const kinds = synthValidated(chart).map(o => `${o.kind}/${o.metadata.name}`);
    expect(kinds.indexOf('Deployment/payment')).toBeLessThan(kinds.indexOf('Namespace/shop'));
    expect(kinds.indexOf('Namespace/shop')).toBeLessThan(kinds.indexOf('Deployment/order'));
  });
});
