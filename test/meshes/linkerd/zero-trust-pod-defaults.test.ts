import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  GrpcMethodMatch, HttpMethod, Identity, IdentityKind, LinkerdInboundPolicy, Mesh, MtlsExceptionMode, MtlsPhase, MultiClusterExport, PathMatch,
  ReachabilityMatrix, ResilientService, ServiceProtocol, ServiceRef, ZeroTrustNamespace,
} from '../../../src';
import { captureStderr, ofKind, shopChart, synthValidated } from '../../util';

captureStderr();

const KEY = 'config.linkerd.io/default-inbound-policy';
const payment = () => ServiceRef.fromName('payment', { port: 80, targetPort: 8080, selector: { app: 'payment' } });

/** A Deployment of namespace shop whose pods carry `annotations`, as hand-written YAML (an ApiObject). */
function deployment(chart: Chart, name: string, annotations: { [k: string]: unknown } = {}, namespace?: string): ApiObject {
  return new ApiObject(chart, `deploy-${name}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] } },
    },
  });
}

/** The payment Deployment (construct id payment-pods), as hand-written YAML: one container `app` with `container`'s fields. */
function paymentPods(chart: Chart, container: { [k: string]: unknown }, annotations: { [k: string]: string } = {}): ApiObject {
  return new ApiObject(chart, 'payment-pods', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'payment' },
    spec: {
      selector: { matchLabels: { app: 'payment' } },
      template: { metadata: { labels: { app: 'payment' }, annotations }, spec: { containers: [{ name: 'app', image: 'app:1', ...container }] } },
    },
  });
}

// Linkerd reads a pod's own config.linkerd.io/default-inbound-policy before its namespace's (pkg/inject/inject.go
// GetConfigOverride; policy-controller inbound workload.rs): a ZeroTrustNamespace's deny does not hold for such pods
describe('linkerd ZeroTrustNamespace (STRICT): a workload whose pod template has its own default inbound policy is warned of', () => {
  const WHY = '(Linkerd reads each running pod\'s own annotation: policy-controller inbound workload.rs Settings::from_metadata; the namespace\'s deny is copied onto a pod only when the pod is created: controller/proxy-injector/webhook.go AppendNamespaceAnnotations)';
  const fix = (name: string) => `remove ${KEY} from Deployment ${name}'s pod template (or set it to deny, the zero-trust default), and apply it: the changed template rolls its pods by itself, and the new pods get the namespace's deny ${WHY}`;

  test('all-unauthenticated: warned, naming the workload, the annotation and the fix; a rate limit\'s Server over its pods is all-unauthenticated (as Linkerd runs them)', () => {
    const chart = shopChart();
    deployment(chart, 'payment', { [KEY]: 'all-unauthenticated' });
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [{ callers: [Identity.serviceAccount('web')], to: ServiceRef.fromName('order', { port: 80, targetPort: 8080 }) }] });
    new ResilientService(chart, 'limited', { mesh: Mesh.linkerd(), service: payment(), timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } });
    const out = synthValidated(chart);
    expect(ofKind(out, 'Server', 'payment-8080').map(s => s.spec.accessPolicy)).toEqual(['all-unauthenticated']);
    expect(zt.warnings).toEqual([
      `Deployment payment [test/deploy-payment]: its pod template has ${KEY}: "all-unauthenticated", which Linkerd reads before the namespace's deny that this ZeroTrustNamespace sets `
      + '(the proxy injector copies the namespace\'s annotation only onto pods without their own: pkg/inject/inject.go GetConfigOverride), so its pods run with all-unauthenticated on every port no Server selects, '
      + 'whatever the rules here allow, and a Server the library writes for them outside these rules (e.g. a rate limit\'s) takes that as its accessPolicy; '
      + fix('payment'),
    ]);
    // once, however often the app is synthesized
    synthValidated(chart);
    expect(zt.warnings).toHaveLength(1);
  });

  test('a workload defined after the ZeroTrustNamespace (cdk8s-plus) is read too; other allow values are warned of as well', () => {
    const chart = shopChart();
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [] });
    const d = new kplus.Deployment(chart, 'cart', { metadata: { name: 'cart' }, containers: [{ image: 'app:1', portNumber: 8080 }] });
    d.podMetadata.addAnnotation(KEY, 'cluster-authenticated');
    synthValidated(chart);
    expect(zt.warnings).toEqual([expect.stringMatching(/^Deployment cart \[test\/cart\]: its pod template has config.linkerd.io\/default-inbound-policy: "cluster-authenticated", .* pods run with cluster-authenticated on every port/)]);
  });

  test('a value Linkerd cannot parse: the pods run with the cluster\'s default, named', () => {
    const chart = shopChart();
    deployment(chart, 'payment', { [KEY]: 'nobody' });
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd({ defaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED }), allow: [] });
    synthValidated(chart);
    expect(zt.warnings).toEqual([expect.stringContaining('its pod template has config.linkerd.io/default-inbound-policy: "nobody", which Linkerd reads before the namespace\'s deny that this ZeroTrustNamespace sets '
      + '(the proxy injector copies the namespace\'s annotation only onto pods without their own: pkg/inject/inject.go GetConfigOverride), so its pods run with the cluster\'s default inbound policy (all-authenticated: Linkerd ignores a value it cannot parse) on every port')]);
  });

  test('how the pods pick the fix up, by kind: a Deployment, StatefulSet or DaemonSet rolls them; a ReplicaSet\'s, an OnDelete StatefulSet\'s or DaemonSet\'s pods and a bare Pod must be recreated', () => {
    const warningOf = (kind: string, extraSpec: { [k: string]: unknown } = {}) => {
      const chart = shopChart();
      const template = { metadata: { labels: { app: 'payment' }, annotations: { [KEY]: 'all-unauthenticated' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
      new ApiObject(chart, 'w', {
        apiVersion: kind === 'Pod' ? 'v1' : 'apps/v1',
        kind,
        metadata: kind === 'Pod' ? { name: 'payment', ...template.metadata } : { name: 'payment' },
        spec: kind === 'Pod' ? template.spec : { selector: { matchLabels: { app: 'payment' } }, template, ...(kind === 'StatefulSet' ? { serviceName: 'payment' } : {}), ...extraSpec },
      });
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [] });
      synthValidated(chart);
      expect(zt.warnings).toHaveLength(1);
      return zt.warnings[0].slice(zt.warnings[0].indexOf('(or set it to deny, the zero-trust default), ') + '(or set it to deny, the zero-trust default), '.length);
    };
    const rolls = `and apply it: the changed template rolls its pods by itself, and the new pods get the namespace's deny ${WHY}`;
    expect(warningOf('Deployment')).toBe(rolls);
    expect(warningOf('StatefulSet')).toBe(rolls);
    expect(warningOf('DaemonSet', { updateStrategy: { type: 'RollingUpdate' } })).toBe(rolls);
    expect(warningOf('StatefulSet', { updateStrategy: { type: 'OnDelete' } })).toBe(`then delete its pods for the StatefulSet to recreate them (its updateStrategy is OnDelete) ${WHY}`);
    expect(warningOf('DaemonSet', { updateStrategy: { type: 'OnDelete' } })).toBe(`then delete its pods for the DaemonSet to recreate them (its updateStrategy is OnDelete) ${WHY}`);
    expect(warningOf('ReplicaSet')).toBe(`then delete its pods for the ReplicaSet to recreate them (a ReplicaSet does not replace its running pods when its template changes) ${WHY}`);
    expect(warningOf('Pod')).toBe('then delete the Pod and apply it again: removing the annotation from the running Pod (as applying the changed manifest does) leaves it on the cluster\'s default, '
      + `not the namespace's deny ${WHY}`);
  });

  test('a pod template with linkerd.io/inject: disabled (or a value the injector does not know) is not warned of (its pods get no proxy: the annotation does nothing); enabled, ingress or none is', () => {
    const warned = (inject: string | undefined) => {
      const chart = shopChart();
      deployment(chart, 'payment', { [KEY]: 'all-unauthenticated', ...(inject === undefined ? {} : { 'linkerd.io/inject': inject }) });
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [] });
      synthValidated(chart);
      return zt.warnings.filter(w => w.includes(KEY)).length;
    };
    expect(warned('disabled')).toBe(0);
    expect(warned('nope')).toBe(0);
    expect(warned('enabled')).toBe(1);
    expect(warned('ingress')).toBe(1);
    expect(warned(undefined)).toBe(1);
  });

  test('not warned: deny, no annotation, another namespace, or PERMISSIVE (audit admits every caller already)', () => {
    for (const [annotations, namespace, phase] of [[{ [KEY]: 'deny' }, undefined, MtlsPhase.STRICT], [{}, undefined, MtlsPhase.STRICT], [{ [KEY]: 'all-unauthenticated' }, 'billing', MtlsPhase.STRICT],
      [{ [KEY]: 'all-unauthenticated' }, undefined, MtlsPhase.PERMISSIVE]] as const) {
      const chart = shopChart();
      deployment(chart, 'payment', annotations, namespace);
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), mtls: phase, allow: [] });
      synthValidated(chart);
      expect(zt.warnings.filter(w => w.includes(KEY))).toEqual([]);
    }
  });
});

// Linkerd authorizes the kubelet's probes by itself only for httpGet probe paths, on HTTP routes (policy-controller inbound
// workload.rs pod_http_probes, index.rs default_inbound_http_routes), which a gRPC Server's proxy does not get (grpc/src/inbound.rs to_server)
describe('linkerd ZeroTrustNamespace (STRICT): a deny gRPC Server whose pods have gRPC probes on its port', () => {
  const grpcPayment = () => ServiceRef.fromName('payment', { port: 80, targetPort: 8080, protocol: ServiceProtocol.GRPC, selector: { app: 'payment' } });
  const charge = { name: 'charge', callers: [Identity.serviceAccount('order')], to: grpcPayment(), grpcMethods: [GrpcMethodMatch.method('shop.payment.v1.Payment', 'Charge')] };
  const probeFix = { name: 'probes', callers: [Identity.network('10.0.0.0/16')], to: grpcPayment(), grpcMethods: [GrpcMethodMatch.method('grpc.health.v1.Health', 'Check')] };
  function build(allow: any[], probe: any, phase = MtlsPhase.STRICT, annotations: { [k: string]: string } = {}) {
    const chart = shopChart();
    paymentPods(chart, { ports: [{ containerPort: 8080 }], readinessProbe: probe, livenessProbe: probe }, annotations);
    // (a network caller on a STRICT port needs the port's mtlsExceptions entry; the Server keeps deny, as rules govern the port)
    const mtlsExceptions = allow.some(r => r.callers.some((c: Identity) => c.kind === IdentityKind.NETWORK))
      ? [{ service: grpcPayment(), port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet gRPC probes' }] : undefined;
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), mtls: phase, allow, mtlsExceptions });
    const out = synthValidated(chart);
    const kubelet = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'ip:10.0.3.4', service: 'shop/payment', method: 'POST', path: '/grpc.health.v1.Health/Check' });
    const other = ReachabilityMatrix.fromManifests(out, { defaultNamespace: 'shop' }).check({ caller: 'ip:10.0.3.4', service: 'shop/payment', method: 'POST', path: '/shop.payment.v1.Payment/Charge' });
    return { warnings: zt.warnings.filter(w => w.includes('gRPC probes')), probes: zt.warnings.filter(w => w.includes(' probes port ')), kubelet, other };
  }

  test('warned, naming the Server, the workload, its probes, what each kind of failing probe does, the fixes that open nothing and the rule that allows them; the matrix refuses the kubelet', () => {
    const { warnings, kubelet } = build([charge], { grpc: { port: 8080 } });
    expect(warnings).toEqual(['Server shop/payment-8080 (proxyProtocol gRPC, accessPolicy deny): Deployment payment [test/payment-pods] probes port 8080 with gRPC probes (app livenessProbe, app readinessProbe): '
      + 'refused, as Linkerd admits the kubelet\'s probes only as GET routes for httpGet paths, and a gRPC Server gets none; '
      + 'a failing livenessProbe restarts the container, a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
      + 'Fix, opening nothing: an exec probe [\'grpc_health_probe\', \'-addr=localhost:8080\'] (the image must ship grpc_health_probe), or httpGet on another, non-gRPC port. '
      + 'Or admit the kubelet: { name: \'payment-grpc-probes\', to: payment, callers: [Identity.network(\'<CIDR>\')], grpcMethods: [GrpcMethodMatch.method(\'grpc.health.v1.Health\', \'Check\')] }, '
      + 'with mtlsExceptions: [{ service: payment, port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: \'kubelet probes\' }] (the Server keeps deny). '
      + 'The CIDR: node IPs (bridge CNIs: each node\'s pod-CIDR gateway; VPC CNIs: a range shared with pods), seen as client.ip in the proxy\'s "Request denied" log; '
      + 'any unauthenticated client in it can then call grpc.health.v1.Health/Check on port 8080']);
    expect(kubelet.allowed).toBe(false);
  });

  test('each kind of probe is worded by what its failure does: startup kills the container before it starts, liveness restarts it, readiness keeps the pods unready', () => {
    const only = (kind: string) => {
      const chart = shopChart();
      paymentPods(chart, { ports: [{ containerPort: 8080 }], [kind]: { grpc: { port: 8080 } } });
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
      synthValidated(chart);
      const [w] = zt.warnings.filter(x => x.includes('gRPC probes'));
      return /gets none; (.*?)\. Fix, opening nothing/.exec(w)?.[1];
    };
    expect(only('startupProbe')).toBe('a failing startupProbe kills the container before it counts as started (again on every restart)');
    expect(only('livenessProbe')).toBe('a failing livenessProbe restarts the container');
    expect(only('readinessProbe')).toBe('a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints)');
  });

  test('the mtlsExceptions entry the network rule needs leaves the Server at deny (the port has rules): only the rule\'s network reaches Health/Check', () => {
    const fixed = build([charge, probeFix], { grpc: { port: 8080 } });
    expect(fixed.kubelet.allowed).toBe(true);
    expect(fixed.other.allowed).toBe(false);
    const chart = shopChart();
    new ZeroTrustNamespace(chart, 'zero-trust', {
      mesh: Mesh.linkerd(),
      allow: [charge, probeFix],
      mtlsExceptions: [{ service: grpcPayment(), port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet gRPC probes' }],
    });
    expect(ofKind(synthValidated(chart), 'Server').map(x => `${x.metadata.name} ${x.spec.accessPolicy}`)).toContain('payment-8080 deny');
    // without the entry, ZeroTrustNamespace refuses the network caller on the STRICT port
    expect(() => new ZeroTrustNamespace(shopChart(), 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge, probeFix] })).toThrow(/add an mtlsExceptions entry for payment port 8080/);
  });

  test('a network rule that admits Health/Check (its method, its service, or the whole port): the matrix admits the kubelet\'s probe from it, and the warning asks to check that the network is the kubelet\'s', () => {
    const check = (rule: string) => 'Server shop/payment-8080 (proxyProtocol gRPC, accessPolicy deny): Deployment payment [test/payment-pods] probes port 8080 with gRPC probes (app livenessProbe, app readinessProbe): '
      + `they pass only through allow[1] (${rule}), if 10.0.0.0/16 holds the kubelet's addresses. `
      + 'Fix, opening nothing: an exec probe [\'grpc_health_probe\', \'-addr=localhost:8080\'] (the image must ship grpc_health_probe), or httpGet on another, non-gRPC port; then drop the rule. '
      + 'Or keep it, checking 10.0.0.0/16 against node IPs (bridge CNIs: each node\'s pod-CIDR gateway; VPC CNIs: a range shared with pods), seen as client.ip in the proxy\'s "Request denied" log: '
      + `any unauthenticated client in it gets what allow[1] (${rule}) allows on port 8080`;
    const fixed = build([charge, probeFix], { grpc: { port: 8080 } });
    expect(fixed.warnings).toEqual([check('probes')]);
    expect(fixed.kubelet).toMatchObject({ allowed: true, reason: expect.stringContaining('(on GRPCRoute probes)') });
    // the Server keeps deny: the node network gets the health check only
    expect(fixed.other.allowed).toBe(false);
    const wholeService = build([charge, { ...probeFix, grpcMethods: [GrpcMethodMatch.service('grpc.health.v1.Health')] }], { grpc: { port: 8080 } });
    expect([wholeService.warnings, wholeService.kubelet.allowed]).toEqual([[check('probes')], true]);
    const serverWide = build([charge, { ...probeFix, grpcMethods: undefined }], { grpc: { port: 8080 } });
    expect([serverWide.warnings, serverWide.kubelet.allowed]).toEqual([[check('probes')], true]);
    // a partner's network rule for another method does not admit the probe: the probes are refused, warned as such
    const partner = build([charge, { ...probeFix, name: 'partner', callers: [Identity.network('203.0.113.0/24')], grpcMethods: [GrpcMethodMatch.method('shop.payment.v1.Payment', 'Charge')] }], { grpc: { port: 8080 } });
    expect(partner.warnings).toEqual([expect.stringContaining('refused, as Linkerd admits the kubelet\'s probes only as GET routes for httpGet paths, and a gRPC Server gets none; a failing livenessProbe restarts the container')]);
  });

  test('not warned: PERMISSIVE (audit admits the kubelet); still warned as refused: a network rule for another health method', () => {
    expect(build([charge], { grpc: { port: 8080 } }, MtlsPhase.PERMISSIVE).probes).toEqual([]);
    expect(build([charge, { ...probeFix, grpcMethods: [GrpcMethodMatch.method('grpc.health.v1.Health', 'Watch')] }], { grpc: { port: 8080 } }).warnings)
      .toEqual([expect.stringContaining('): refused, as Linkerd admits the kubelet\'s probes only as GET routes')]);
  });

  test('a gRPC probe of a port no Server of the construct selects: refused by the pods\' default deny server (probe routes are GET for httpGet paths), warned with the same fixes', () => {
    expect(build([charge], { grpc: { port: 9090 } }).probes).toEqual(['Namespace shop (default inbound policy deny): Deployment payment [test/payment-pods] probes port 9090 with gRPC probes (app livenessProbe, app readinessProbe), '
      + 'a port no Server of the app selects: refused, as the pods\' default server admits the kubelet\'s probes only as GET routes for httpGet paths, and a gRPC probe is a POST; '
      + 'a failing livenessProbe restarts the container, a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
      + 'Fix, opening nothing: an exec probe [\'grpc_health_probe\', \'-addr=localhost:9090\'] (the image must ship grpc_health_probe), or httpGet on another port. '
      + 'Or admit the kubelet: { name: \'<service>-grpc-probes\', to: ServiceRef.fromName(\'<service>\', { port: <port>, targetPort: 9090, protocol: ServiceProtocol.GRPC }), callers: [Identity.network(\'<CIDR>\')], '
      + 'grpcMethods: [GrpcMethodMatch.method(\'grpc.health.v1.Health\', \'Check\')] }, with its mtlsExceptions entry (port 9090). '
      + 'The CIDR: node IPs (bridge CNIs: each node\'s pod-CIDR gateway; VPC CNIs: a range shared with pods), seen as client.ip in the proxy\'s "Request denied" log; '
      + 'any unauthenticated client in it can then call grpc.health.v1.Health/Check on port 9090']);
    // not warned: PERMISSIVE (audit), pods without a proxy, the port skipped by proxy-init, pods with their own default (warned of as such), an httpGet probe (Linkerd's probe routes admit it)
    expect(build([charge], { grpc: { port: 9090 } }, MtlsPhase.PERMISSIVE).probes).toEqual([]);
    expect(build([charge], { grpc: { port: 9090 } }, MtlsPhase.STRICT, { 'linkerd.io/inject': 'disabled' }).probes).toEqual([]);
    expect(build([charge], { grpc: { port: 9090 } }, MtlsPhase.STRICT, { 'config.linkerd.io/skip-inbound-ports': '9000-9100' }).probes).toEqual([]);
    expect(build([charge], { grpc: { port: 9090 } }, MtlsPhase.STRICT, { 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' }).probes).toEqual([]);
    expect(build([charge], { grpc: { port: 9090 } }, MtlsPhase.STRICT, { 'config.linkerd.io/default-inbound-policy': 'deny' }).probes).toHaveLength(1);
    expect(build([charge], { httpGet: { port: 9090, path: '/healthz' } }).probes).toEqual([]);
    // a port an mtlsExceptions entry of the construct opens (its Server, all-unauthenticated) is covered: not warned
    const chart = shopChart();
    paymentPods(chart, { readinessProbe: { grpc: { port: 9090 } } });
    const health = ServiceRef.fromName('payment-health', { port: 9090, targetPort: 9090, protocol: ServiceProtocol.GRPC, selector: { app: 'payment' } });
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge], mtlsExceptions: [{ service: health, port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet probes' }] });
    synthValidated(chart);
    expect(zt.warnings.filter(w => w.includes(' probes port '))).toEqual([]);
    // the same entry on a service of the default protocol (HTTP): its Server serves the port as HTTP/1, without
    // detection (linkerd2-proxy app/inbound/src/detect.rs), and the kubelet's gRPC probe (HTTP/2) fails: warned
    const chart2 = shopChart();
    paymentPods(chart2, { readinessProbe: { grpc: { port: 9090 } } });
    const http = ServiceRef.fromName('payment-health', { port: 9090, targetPort: 9090, selector: { app: 'payment' } });
    const zt2 = new ZeroTrustNamespace(chart2, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge], mtlsExceptions: [{ service: http, port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet probes' }] });
    synthValidated(chart2);
    expect(zt2.warnings.filter(w => w.includes(' probes port '))).toEqual([
      'Namespace shop: Deployment payment [test/payment-pods] probes port 9090 with a gRPC readinessProbe (app), which the mtlsExceptions entry\'s Server of service payment-health (protocol http) '
      + 'serves as HTTP/1, without protocol detection: the kubelet\'s gRPC probe (HTTP/2) fails; a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
      + 'Fix: declare that service\'s protocol ServiceProtocol.GRPC (ServiceRef.fromName(\'payment-health\', { ..., protocol: ServiceProtocol.GRPC })), or make the probe an exec probe [\'grpc_health_probe\', \'-addr=localhost:9090\']',
    ]);
  });

  test('an mtlsExceptions entry\'s Server covers a probe port only on the pods it selects: another service\'s entry on the same port number does not', () => {
    const probes = (selector: { [k: string]: string }) => {
      const chart = shopChart();
      paymentPods(chart, { readinessProbe: { grpc: { port: 9090 } } });
      const health = ServiceRef.fromName('other-health', { port: 9090, targetPort: 9090, protocol: ServiceProtocol.GRPC, selector });
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge], mtlsExceptions: [{ service: health, port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet probes' }] });
      synthValidated(chart);
      return zt.warnings.filter(w => w.includes(' probes port '));
    };
    expect(probes({ app: 'other' })).toEqual([expect.stringContaining('Deployment payment [test/payment-pods] probes port 9090 with gRPC probes (app readinessProbe), a port no Server of the app selects: refused')]);
    expect(probes({ app: 'payment' })).toEqual([]);
  });

  test('not warned: pods without a proxy (linkerd.io/inject disabled, or a value the injector does not know); warned: enabled, ingress, empty', () => {
    const warned = (inject: string) => build([charge], { grpc: { port: 8080 } }, MtlsPhase.STRICT, { 'linkerd.io/inject': inject }).probes.length;
    expect(warned('disabled')).toBe(0);
    expect(warned('nope')).toBe(0);
    expect(warned('enabled')).toBe(1);
    expect(warned('ingress')).toBe(1);
    expect(warned('')).toBe(1);
    // the httpGet-on-gRPC warning too
    expect(build([charge], { httpGet: { port: 8080, path: '/healthz' } }, MtlsPhase.STRICT, { 'linkerd.io/inject': 'disabled' }).probes).toEqual([]);
  });

  test('not warned: pods on the host\'s network (the injector gives them no proxy: pkg/inject/report.go HostNetwork)', () => {
    const probes = (hostNetwork: boolean) => {
      const chart = shopChart();
      const pods = paymentPods(chart, { ports: [{ containerPort: 8080 }], readinessProbe: { grpc: { port: 8080 } } });
      if (hostNetwork) pods.addJsonPatch(JsonPatch.add('/spec/template/spec/hostNetwork', true));
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
      synthValidated(chart);
      return zt.warnings.filter(w => w.includes(' probes port '));
    };
    expect(probes(true)).toEqual([]);
    expect(probes(false)).toHaveLength(1);
  });

  test('not warned: a probe port the pod\'s config.linkerd.io/skip-inbound-ports lists (proxy-init does not redirect it), parsed as Linkerd (ports, ranges, spaces, a trailing comma); other lists: warned', () => {
    const warned = (skip: string) => build([charge], { grpc: { port: 8080 } }, MtlsPhase.STRICT, { 'config.linkerd.io/skip-inbound-ports': skip }).probes.length;
    for (const skip of ['8080', '4190,8080', ' 9090 , 8080 ', '8080,', '8000-8100', '8080-8080', '1-65535', '+8080']) expect([skip, warned(skip)]).toEqual([skip, 0]);
    // another port or range; a range upside down, with spaces inside, of three bounds, or beyond 65535; a named port (Linkerd's parser reads numbers only)
    for (const skip of ['', '9090', '8081-8100', '8000-8079', '8100-8000', '8000 - 8100', '8000-8080-9000', '8080-70000', 'grpc', '8080.0']) expect([skip, warned(skip)]).toEqual([skip, 1]);
    expect(build([charge], { httpGet: { port: 8080, path: '/healthz' } }, MtlsPhase.STRICT, { 'config.linkerd.io/skip-inbound-ports': '8080' }).probes).toEqual([]);
  });

  test('an httpGet probe on a gRPC Server\'s port fails whatever the rules (the proxy serves the port as HTTP/2 without detection): warned in both phases, naming the probe and the fix; on another port, not', () => {
    const msg = 'Server shop/payment-8080 (proxyProtocol gRPC, accessPolicy deny): Deployment payment [test/payment-pods] probes port 8080 with httpGet probes (app livenessProbe GET /healthz, app readinessProbe GET /healthz): '
      + 'they fail whatever the rules allow, as the proxy serves a gRPC Server\'s port to the kubelet as HTTP/2 (no detection) and httpGet is HTTP/1.1; '
      + 'a failing livenessProbe restarts the container, a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
      + 'Fix: serve the HTTP health endpoint on another, non-gRPC port and probe that, or probe the gRPC health service with an exec probe [\'grpc_health_probe\', \'-addr=localhost:8080\'] (the image must ship grpc_health_probe)';
    expect(build([charge], { httpGet: { port: 8080, path: '/healthz' } }).probes).toEqual([msg]);
    expect(build([charge], { httpGet: { port: 8080, path: '/healthz' } }, MtlsPhase.PERMISSIVE).probes).toEqual([msg.replace('accessPolicy deny', 'accessPolicy audit')]);
    expect(build([charge], { httpGet: { port: 9090, path: '/healthz' } }).probes).toEqual([]);
  });
});

// a gRPC probe on a Server that is not gRPC: Linkerd's probe authorization is GET routes for httpGet paths only
// (policy-controller inbound workload.rs pod_http_probes), and an HTTP/1 port is served as HTTP/1 without detection
describe('linkerd ZeroTrustNamespace: gRPC probes on a Server that is not gRPC', () => {
  function build(protocol: ServiceProtocol, allow: (to: ServiceRef) => any[], phase = MtlsPhase.STRICT) {
    const to = ServiceRef.fromName('payment', { port: 80, targetPort: 8080, protocol, selector: { app: 'payment' } });
    const chart = shopChart();
    paymentPods(chart, { ports: [{ containerPort: 8080 }], startupProbe: { grpc: { port: 8080 } } });
    const rules = allow(to);
    const mtlsExceptions = rules.some(r => r.callers.some((c: Identity) => c.kind === IdentityKind.NETWORK))
      ? [{ service: to, port: 8080, mode: MtlsExceptionMode.PERMISSIVE, reason: 'kubelet gRPC probes' }] : undefined;
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), mtls: phase, allow: rules, mtlsExceptions });
    synthValidated(chart);
    return zt.warnings.filter(w => w.includes(' probes port '));
  }
  const order = (to: ServiceRef) => ({ name: 'order', callers: [Identity.serviceAccount('order')], to });
  const net = (to: ServiceRef, extra: object = {}) => ({ name: 'probes', callers: [Identity.network('10.0.0.0/16')], to, ...extra });

  test('HTTP/2: refused (the probe is a POST, Linkerd\'s probe routes GET), with the rule that admits it (POST, the exact path); such a rule, or one on the whole port, turns it into the check', () => {
    expect(build(ServiceProtocol.HTTP2, to => [order(to)])).toEqual([expect.stringMatching(
      /^Server shop\/payment-8080 \(proxyProtocol HTTP\/2, accessPolicy deny\): .*: refused, as Linkerd admits the kubelet's probes only as GET routes for httpGet paths, and a gRPC probe is a POST; a failing startupProbe kills the container before it counts as started .* methods: \[HttpMethod.POST\], paths: \[PathMatch.exact\('\/grpc.health.v1.Health\/Check'\)\] \}, .* seen as client.ip in the proxy's "Request denied" log; any unauthenticated client in it can then send POST \/grpc.health.v1.Health\/Check to port 8080$/)]);
    const checked = expect.stringContaining('they pass only through allow[1] (probes), if 10.0.0.0/16 holds the kubelet\'s addresses');
    expect(build(ServiceProtocol.HTTP2, to => [order(to), net(to, { methods: [HttpMethod.POST], paths: [PathMatch.exact('/grpc.health.v1.Health/Check')] })])).toEqual([checked]);
    expect(build(ServiceProtocol.HTTP2, to => [order(to), net(to, { paths: [PathMatch.prefix('/grpc.health.v1.Health')] })])).toEqual([checked]);
    expect(build(ServiceProtocol.HTTP2, to => [order(to), net(to)])).toEqual([checked]);
    // a rule of the network that does not admit the probe (GET only; another path; a prefix that is not a path element): refused
    for (const extra of [{ methods: [HttpMethod.GET] }, { paths: [PathMatch.exact('/healthz')] }, { paths: [PathMatch.prefix('/grpc.health')] }]) {
      expect(build(ServiceProtocol.HTTP2, to => [order(to), net(to, extra)])).toEqual([expect.stringContaining('): refused, as Linkerd admits the kubelet\'s probes only as GET routes')]);
    }
    expect(build(ServiceProtocol.HTTP2, to => [order(to)], MtlsPhase.PERMISSIVE)).toEqual([]);
  });

  test('opaque (TCP): refused (no routes, connections only), with a rule on the whole port; with that rule, the check', () => {
    expect(build(ServiceProtocol.TCP, to => [order(to)])).toEqual([expect.stringMatching(
      /proxyProtocol opaque, .*: refused, as Linkerd admits the kubelet's probes only as GET routes for httpGet paths, and an opaque Server has no routes; .* \{ name: 'payment-grpc-probes', to: payment, callers: \[Identity.network\('<CIDR>'\)\] \} \(an opaque port is allowed whole\), .* seen as client \(ip:port\) in the proxy's "Connection denied" log; any unauthenticated client in it can then open any connection to port 8080$/)]);
    expect(build(ServiceProtocol.TCP, to => [order(to), net(to)])).toEqual([expect.stringContaining('they pass only through allow[1] (probes), if 10.0.0.0/16 holds the kubelet\'s addresses')]);
  });

  test('HTTP/1: the probe fails whatever the rules (the port is served as HTTP/1 without detection), in both phases', () => {
    const msg = 'Server shop/payment-8080 (proxyProtocol HTTP/1, accessPolicy deny): Deployment payment [test/payment-pods] probes port 8080 with gRPC probes (app startupProbe): '
      + 'they fail whatever the rules allow, as the proxy serves an HTTP/1 Server\'s port to the kubelet as HTTP/1 (no detection) and gRPC is HTTP/2; '
      + 'a failing startupProbe kills the container before it counts as started (again on every restart). '
      + 'Fix: an exec probe [\'grpc_health_probe\', \'-addr=localhost:8080\'] (the image must ship grpc_health_probe), or an httpGet probe (Linkerd admits httpGet probe paths itself). '
      + 'Declaring payment port 8080 gRPC (protocol: ServiceProtocol.GRPC) ends this failure, but on a deny Server Linkerd then refuses gRPC probes unless a network rule admits the kubelet (warned as such)';
    expect(build(ServiceProtocol.HTTP, to => [order(to), net(to)])).toEqual([msg]);
    expect(build(ServiceProtocol.HTTP, to => [order(to)], MtlsPhase.PERMISSIVE)).toEqual([msg.replace('accessPolicy deny', 'accessPolicy audit')]);
  });
});

// a port any Server selects is not taken by the pods' default server (policy-controller/k8s/index/src/inbound/index.rs
// default_inbound_server is for the ports no Server selects): the uncovered-gRPC-probe warning reads the app's Servers
// at synthesis, not only this ZeroTrustNamespace's (hand-written ones, and those of the library's other constructs)
describe('linkerd ZeroTrustNamespace (STRICT): a gRPC probe port that a Server the construct does not write selects is covered', () => {
  const charge = { name: 'charge', callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 80, targetPort: 8080, protocol: ServiceProtocol.GRPC, selector: { app: 'payment' } }), grpcMethods: [GrpcMethodMatch.method('shop.payment.v1.Payment', 'Charge')] };
  const UNCOVERED = 'a port no Server of the app selects';
  /** A hand-written Server (an ApiObject) of the health port. */
  const server = (chart: Chart, spec: { [k: string]: unknown } = {}, namespace?: string) => new ApiObject(chart, 'health-server', {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'payment-health', ...(namespace ? { namespace } : {}) },
    spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 9090, proxyProtocol: 'gRPC', accessPolicy: 'all-unauthenticated', ...spec },
  });
  const uncovered = (build: (chart: Chart) => void, serverAfter = false, ports: unknown[] = [{ name: 'health', containerPort: 9090 }]) => {
    const chart = shopChart();
    paymentPods(chart, { ports: [{ containerPort: 8080 }, ...ports], readinessProbe: { grpc: { port: 9090 } } });
    if (!serverAfter) build(chart);
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
    if (serverAfter) build(chart);
    synthValidated(chart);
    return zt.warnings.filter(w => w.includes(UNCOVERED)).length;
  };

  test('the other side: no Server of the port, warned', () => {
    expect(uncovered(() => undefined)).toBe(1);
  });

  test('a hand-written Server of the port selecting the pods (defined before or after the construct; by port number or name, by matchLabels or matchExpressions): not warned', () => {
    expect(uncovered(chart => server(chart))).toBe(0);
    expect(uncovered(chart => server(chart), true)).toBe(0);
    expect(uncovered(chart => server(chart, { port: 'health' }))).toBe(0);
    expect(uncovered(chart => server(chart, { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['payment'] }] } }))).toBe(0);
    expect(uncovered(chart => server(chart, {}, 'shop'))).toBe(0);
  });

  test('a Server that does not select the probe port of these pods: still warned (other pods, another port, a port name the pods do not have, another namespace)', () => {
    expect(uncovered(chart => server(chart, { podSelector: { matchLabels: { app: 'order' } } }))).toBe(1);
    expect(uncovered(chart => server(chart, { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['payment'] }] } }))).toBe(1);
    expect(uncovered(chart => server(chart, { port: 9091 }))).toBe(1);
    expect(uncovered(chart => server(chart, { port: 'health' }), false, [{ name: 'metrics', containerPort: 9090 }])).toBe(1);
    expect(uncovered(chart => server(chart, {}, 'other'))).toBe(1);
  });

  test('with a MultiClusterExport: another cluster\'s Server does not cover the port (it never runs beside these pods); this cluster\'s does', () => {
    const warned = (serverIn: 'us-west' | 'eu-west') => {
      const app = new App({ outdir: Testing.app().outdir });
      const charts = { 'us-west': new Chart(app, 'us-west', { namespace: 'shop', disableResourceNameHashes: true }), 'eu-west': new Chart(app, 'eu-west', { namespace: 'shop', disableResourceNameHashes: true }) };
      const pay = (c: Chart) => ServiceRef.fromService(new kplus.Service(c, 'payment', {
        metadata: { name: 'payment' }, ports: [{ port: 80, targetPort: 8080 }], selector: kplus.Pods.select(c, 'pods', { labels: { app: 'payment' } }),
      }));
      const [pu, pe] = [pay(charts['us-west']), pay(charts['eu-west'])];
      paymentPods(charts['us-west'], { ports: [{ containerPort: 8080 }, { name: 'health', containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } });
      server(charts[serverIn]);
      const zt = new ZeroTrustNamespace(charts['us-west'], 'zero-trust', { mesh: Mesh.linkerd(), allow: [{ name: 'web', callers: [Identity.serviceAccount('web')], to: pu }] });
      new MultiClusterExport(app, 'mc', {
        mesh: Mesh.linkerd(),
        failover: false,
        clusters: [
          { name: 'us-west', network: 'n1', region: 'r1', services: [pu], chart: charts['us-west'], gatewayAddress: 'gw.us-west.example.com' },
          { name: 'eu-west', network: 'n2', region: 'r2', services: [pe], chart: charts['eu-west'], gatewayAddress: '203.0.113.10' },
        ],
        exports: [{ service: pe, cluster: 'eu-west', consumers: ['us-west'] }],
      });
      synthValidated(charts['us-west']);
      return zt.warnings.filter(w => w.includes(UNCOVERED)).length;
    };
    expect(warned('eu-west')).toBe(1);
    expect(warned('us-west')).toBe(0);
  });

  test('the Server of another construct of the library (a rate limit\'s) on the port: not warned', () => {
    const health = ServiceRef.fromName('payment-health', { port: 9090, targetPort: 9090, protocol: ServiceProtocol.HTTP2, selector: { app: 'payment' } });
    expect(uncovered(chart => new ResilientService(chart, 'limited', { mesh: Mesh.linkerd(), service: health, timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } }))).toBe(0);
    expect(uncovered(chart => new ResilientService(chart, 'limited', { mesh: Mesh.linkerd(), service: health, timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } }), true)).toBe(0);
  });

  /** The warnings about the gRPC readiness probe on port 9090 of payment's pods, with what `build` adds to the chart. */
  const warnings = (build: (chart: Chart) => void) => {
    const chart = shopChart();
    paymentPods(chart, { ports: [{ containerPort: 8080 }, { name: 'health', containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } });
    build(chart);
    const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
    synthValidated(chart);
    return zt.warnings.filter(w => w.includes(' probes port 9090'));
  };

  // linkerd2-proxy app/inbound/src/detect.rs: an HTTP/1 Server's port is served to an unmeshed client (the kubelet) as
  // HTTP/1 without detection ("Unmeshed services don't use protocol upgrading"), so its gRPC probe (HTTP/2) fails
  describe('an HTTP/1 Server covering the port: the probe fails whatever it authorizes, warned as such', () => {

    test('a hand-written HTTP/1 Server: warned, naming it and the fix', () => {
      expect(warnings(chart => server(chart, { proxyProtocol: 'HTTP/1' }))).toEqual([
        'Namespace shop: Deployment payment [test/payment-pods] probes port 9090 with a gRPC readinessProbe (app), which Server shop/payment-health [test/health-server] (proxyProtocol HTTP/1, accessPolicy all-unauthenticated) '
        + 'serves as HTTP/1, without protocol detection: the kubelet\'s gRPC probe (HTTP/2) fails; a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
        + 'Fix: set that Server\'s proxyProtocol to gRPC (or HTTP/2), or make the probe an exec probe [\'grpc_health_probe\', \'-addr=localhost:9090\']',
      ]);
      // the other side: a detected (unknown, the default), HTTP/2 or gRPC Server
      for (const proxyProtocol of ['unknown', 'HTTP/2', 'gRPC']) expect([proxyProtocol, warnings(chart => server(chart, { proxyProtocol }))]).toEqual([proxyProtocol, []]);
      expect(warnings(chart => server(chart, { proxyProtocol: undefined }))).toEqual([]);
      // of two Servers of the port, Linkerd applies the oldest, which the manifests do not tell: warned only if each is HTTP/1
      const second = (chart: Chart, proxyProtocol: string) => new ApiObject(chart, 'second-server', {
        apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'payment-health-2' }, spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 'health', proxyProtocol },
      });
      expect(warnings(chart => { server(chart, { proxyProtocol: 'HTTP/1' }); second(chart, 'gRPC'); })).toEqual([]);
      expect(warnings(chart => { server(chart, { proxyProtocol: 'HTTP/1' }); second(chart, 'HTTP/1'); })).toHaveLength(1);
    });

    test('a rate limit\'s Server of an HTTP service: warned, with the fix on the service', () => {
      const health = (protocol: ServiceProtocol) => ServiceRef.fromName('payment-health', { port: 9090, targetPort: 9090, protocol, selector: { app: 'payment' } });
      const limited = (protocol: ServiceProtocol) => (chart: Chart) => new ResilientService(chart, 'limited', { mesh: Mesh.linkerd(), service: health(protocol), timeout: Duration.seconds(2), rateLimit: { requestsPerSecond: 100 } });
      expect(warnings(limited(ServiceProtocol.HTTP))).toEqual([expect.stringContaining('which the library\'s Server shop/payment-health-9090 of service payment-health (protocol http, proxyProtocol HTTP/1, accessPolicy deny) serves as HTTP/1, without protocol detection: '
        + 'the kubelet\'s gRPC probe (HTTP/2) fails; a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
        + 'Fix: declare that service\'s protocol ServiceProtocol.GRPC (ServiceRef.fromName(\'payment-health\', { ..., protocol: ServiceProtocol.GRPC })), or make the probe an exec probe')]);
      // an HTTP/2 service: not served as HTTP/1, but its Server keeps the pods' default, deny (see below)
      expect(warnings(limited(ServiceProtocol.HTTP2))).toEqual([expect.stringContaining('(protocol http2, proxyProtocol HTTP/2, accessPolicy deny) takes: the kubelet has no mesh identity')]);
      expect(warnings(limited(ServiceProtocol.HTTP2))[0]).toContain('Or admit the kubelet: a ZeroTrustNamespace rule to payment-health from Identity.network(\'<CIDR>\'), with its mtlsExceptions entry, for ');
      // a hand-written ServerAuthorization selecting the library's Server by its labels (managed-by) admits the kubelet there
      const selecting = (selector: unknown) => (chart: Chart) => {
        limited(ServiceProtocol.HTTP2)(chart);
        new ApiObject(chart, 'kubelet', { apiVersion: 'policy.linkerd.io/v1beta1', kind: 'ServerAuthorization', metadata: { name: 'kubelet' }, spec: { server: { selector }, client: { unauthenticated: true } } });
      };
      const bySelector = (selector: unknown) => {
        const chart = shopChart();
        paymentPods(chart, { ports: [{ containerPort: 8080 }, { name: 'health', containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } });
        selecting(selector)(chart);
        const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
        Testing.synth(chart); // (ServerAuthorization has no pinned schema)
        return zt.warnings.filter(w => w.includes(' probes port 9090'));
      };
      expect(bySelector({ matchLabels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' } })).toEqual([]);
      expect(bySelector({ matchLabels: { 'app.kubernetes.io/managed-by': 'someone-else' } })).toEqual([expect.stringContaining('the probe is refused')]);
    });
  });

  // a Server that takes the port gets GET probe routes for the httpGet paths only (policy-controller inbound index.rs
  // default_inbound_http_routes), and the kubelet has no mesh identity: only an accessPolicy that admits unauthenticated
  // clients, or an AuthorizationPolicy with a NetworkAuthentication, lets its gRPC probe (a POST) in
  describe('a Server that takes the port but refuses the kubelet: warned as refused', () => {
    const REFUSED = 'the probe is refused';
    test('a hand-written deny, all-authenticated or cluster-authenticated Server: warned, naming it, with the fixes', () => {
      const found = warnings(chart => server(chart, { accessPolicy: 'deny' }));
      expect(found).toHaveLength(1);
      expect(found[0]).toContain('Namespace shop: Deployment payment [test/payment-pods] probes port 9090 with a gRPC readinessProbe (app), which Server shop/payment-health [test/health-server] (proxyProtocol gRPC, accessPolicy deny) takes: '
        + 'the kubelet has no mesh identity, and a Server admits it only through its accessPolicy, an AuthorizationPolicy or a ServerAuthorization (Linkerd\'s own probe routes are GET routes for httpGet paths, on HTTP Servers only), '
        + 'and no hand-written one (not managed by cdk8s-mesh) of shop admits clients without an identity on that Server: the probe is refused; a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints). '
        + 'Fix, opening nothing: an exec probe [\'grpc_health_probe\', \'-addr=localhost:9090\'] (the image must ship grpc_health_probe), or httpGet on another port. '
        + 'Or admit the kubelet: an AuthorizationPolicy targeting Server payment-health whose requiredAuthenticationRefs name only a NetworkAuthentication (a MeshTLSAuthentication there too would require an identity), for ');
      // a Server without an accessPolicy: the CRD's default, deny
      expect(warnings(chart => server(chart, { accessPolicy: undefined }))).toEqual([expect.stringContaining('(proxyProtocol gRPC, accessPolicy deny, the CRD\'s default) takes')]);
      for (const accessPolicy of ['all-authenticated', 'cluster-authenticated']) {
        expect([accessPolicy, warnings(chart => server(chart, { accessPolicy })).map(w => w.includes(REFUSED))]).toEqual([accessPolicy, [true]]);
      }
    });

    test('the other side: an accessPolicy that admits unauthenticated clients, or an AuthorizationPolicy or ServerAuthorization of the app\'s own in the namespace: not warned', () => {
      for (const accessPolicy of ['all-unauthenticated', 'cluster-unauthenticated', 'audit']) {
        expect([accessPolicy, warnings(chart => server(chart, { accessPolicy }))]).toEqual([accessPolicy, []]);
      }
      // an AuthorizationPolicy or ServerAuthorization of the app's own in the namespace may admit the kubelet (a
      // NetworkAuthentication, of any namespace, or no authentication): not read further, not warned
      const authz = (chart: Chart, kind: string, namespace?: string) => {
        // (the NetworkAuthentication of another namespace: linkerd's)
        if (kind === 'AuthorizationPolicy') {
          new ApiObject(chart, 'nodes', { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'NetworkAuthentication', metadata: { name: 'nodes', namespace: 'linkerd' }, spec: { networks: [{ cidr: '10.0.0.0/8' }] } });
        }
        return authz1(chart, kind, namespace);
      };
      const authz1 = (chart: Chart, kind: string, namespace?: string, target = 'payment-health', auth = 'NetworkAuthentication') => new ApiObject(chart, `kubelet-${kind}`, {
        apiVersion: kind === 'ServerAuthorization' ? 'policy.linkerd.io/v1beta1' : 'policy.linkerd.io/v1alpha1',
        kind,
        metadata: { name: 'kubelet-probes', ...(namespace ? { namespace } : {}) },
        spec: kind === 'ServerAuthorization' ? { server: { name: 'payment-health' }, client: { unauthenticated: true } }
          : { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: target }, requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: auth, name: 'nodes', namespace: 'linkerd' }] },
      });
      expect(warnings(chart => { server(chart, { accessPolicy: 'deny' }); authz(chart, 'AuthorizationPolicy'); })).toEqual([]);
      // (ServerAuthorization, deprecated, has no pinned schema here: synthesized without the schema count of synthValidated)
      const withServerAuthorization = (selector?: unknown, serverLabels?: { [k: string]: string }) => {
        const chart = shopChart();
        paymentPods(chart, { ports: [{ containerPort: 8080 }, { name: 'health', containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } });
        const s = server(chart, { accessPolicy: 'deny' });
        for (const [k, v] of Object.entries(serverLabels ?? {})) s.metadata.addLabel(k, v);
        authz(chart, 'ServerAuthorization');
        if (selector !== undefined) (chart.node.findChild('kubelet-ServerAuthorization') as ApiObject).addJsonPatch(JsonPatch.replace('/spec/server', { selector }));
        const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
        Testing.synth(chart);
        return zt.warnings.filter(w => w.includes(' probes port 9090'));
      };
      expect(withServerAuthorization()).toEqual([]);
      // by server.selector: it selects Servers by their own labels (policy-controller server_authorization.rs
      // ServerSelector::selects), so it counts only for a Server whose labels it matches; an empty selector selects every Server
      expect(withServerAuthorization({ matchLabels: { tier: 'health' } }, { tier: 'health' })).toEqual([]);
      expect(withServerAuthorization({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['health'] }] }, { tier: 'health' })).toEqual([]);
      expect(withServerAuthorization({}, {})).toEqual([]);
      expect(withServerAuthorization({ matchLabels: { tier: 'metrics' } }, { tier: 'health' })).toEqual([expect.stringContaining(REFUSED)]);
      expect(withServerAuthorization({ matchLabels: { tier: 'health' } })).toEqual([expect.stringContaining(REFUSED)]);
      // one that requires an identity, or that is on another Server, does not count
      const meshTls = (chart: Chart) => new ApiObject(chart, 'nodes-tls', { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'nodes', namespace: 'linkerd' }, spec: { identities: ['*'] } });
      expect(warnings(chart => { server(chart, { accessPolicy: 'deny' }); meshTls(chart); authz1(chart, 'AuthorizationPolicy', undefined, 'payment-health', 'MeshTLSAuthentication'); })).toHaveLength(1);
      expect(warnings(chart => {
        server(chart, { accessPolicy: 'deny' });
        new ApiObject(chart, 'order-server', { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'order-health' }, spec: { podSelector: { matchLabels: { app: 'order' } }, port: 9090 } });
        authz(chart, 'AuthorizationPolicy');
        (chart.node.findChild('kubelet-AuthorizationPolicy') as ApiObject).addJsonPatch(JsonPatch.replace('/spec/targetRef/name', 'order-health'));
      })).toHaveLength(1);
      // one of another namespace does not count
      expect(warnings(chart => {
        server(chart, { accessPolicy: 'deny' });
        new ApiObject(chart, 'other-server', { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'payment-health', namespace: 'other' }, spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 9090 } });
        authz(chart, 'AuthorizationPolicy', 'other');
      })).toHaveLength(1);
      // of two Servers of the port, one that admits: Linkerd applies the oldest, which the manifests do not tell
      const second = (chart: Chart) => new ApiObject(chart, 'second-server', {
        apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: { name: 'payment-health-2' }, spec: { podSelector: { matchLabels: { app: 'payment' } }, port: 'health', proxyProtocol: 'gRPC', accessPolicy: 'all-unauthenticated' },
      });
      expect(warnings(chart => { server(chart, { accessPolicy: 'deny' }); second(chart); })).toEqual([]);
    });

    test('the pods\' own default inbound policy does not matter once a Server takes the port: a pod annotated all-unauthenticated behind a deny Server is warned of', () => {
      const chart = shopChart();
      paymentPods(chart, { ports: [{ containerPort: 8080 }, { name: 'health', containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } },
        { 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' });
      server(chart, { accessPolicy: 'deny' });
      const zt = new ZeroTrustNamespace(chart, 'zero-trust', { mesh: Mesh.linkerd(), allow: [charge] });
      synthValidated(chart);
      expect(zt.warnings.filter(w => w.includes(' probes port 9090'))).toEqual([expect.stringContaining('(proxyProtocol gRPC, accessPolicy deny) takes')]);
    });
  });
});
