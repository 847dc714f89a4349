import { MeshAnalyzer, ReachabilityMatrix, Severity } from '../../src';

/** Hand-written YAML: a namespace, its policies and its workloads, as an operator would write them. */
const ns = (meta: string) => `apiVersion: v1
kind: Namespace
metadata: {name: shop${meta ? `, ${meta}` : ''}}
`;
const deployment = (labels: string, annotations = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: payment, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  template:
    metadata: {labels: {app: payment${labels ? `, ${labels}` : ''}}${annotations ? `, annotations: {${annotations}}` : ''}}
    spec: {containers: [{name: payment, image: "example/payment:1"}]}
`;
const yaml = (...docs: string[]) => docs.filter(Boolean).join('---\n');

const ISTIO = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: default-deny, namespace: shop}
spec: {}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]}]
`;

const LINKERD = `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: payment-8080, namespace: shop}
spec: {podSelector: {matchLabels: {app: payment}}, port: 8080, accessPolicy: deny}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: order, namespace: shop}
spec: {identityRefs: [{kind: ServiceAccount, name: order}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: payment-from-order, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-8080}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]
`;

const CONSUL = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: order, action: allow}, {name: '*', action: deny}]
`;

const attacker = { caller: 'other/attacker', service: 'shop/payment' };

describe('reachability: "not meshed: not enforced" where the manifests show the pods get no proxy', () => {
  test('Istio: a Namespace without an injection label', () => {
    const d = ReachabilityMatrix.fromYaml(yaml(ns(''), ISTIO)).check(attacker);
    expect(d).toMatchObject({ allowed: true, enforced: false, mesh: 'istio' });
    expect(d.reason).toBe('not meshed: not enforced (namespace shop is not enrolled in istio; kubectl label namespace shop istio-injection=enabled (or istio.io/rev=<revision>, or istio.io/dataplane-mode=ambient))');
    expect(ReachabilityMatrix.formatTable([d])).toContain('NOT ENFORCED');
  });

  test('Istio: enrolled by istio-injection, istio.io/rev or ambient: the policies decide', () => {
    for (const meta of ['labels: {istio-injection: enabled}', 'labels: {istio.io/rev: canary}', 'labels: {istio.io/dataplane-mode: ambient}']) {
      const d = ReachabilityMatrix.fromYaml(yaml(ns(meta), ISTIO)).check(attacker);
      expect(d.allowed).toBe(false);
      expect(d.enforced).toBeUndefined();
      expect(ReachabilityMatrix.fromYaml(yaml(ns(meta), ISTIO)).check({ caller: 'shop/order', service: 'shop/payment' }).allowed).toBe(true);
    }
  });

  test('Istio: istio-injection: disabled wins over istio.io/rev', () => {
    expect(ReachabilityMatrix.fromYaml(yaml(ns('labels: {istio-injection: disabled, istio.io/rev: canary}'), ISTIO)).check(attacker).enforced).toBe(false);
  });

  test('Istio: the workload\'s own label decides when it is among the manifests', () => {
    // an injected namespace, but the pods opt out
    const optOut = ReachabilityMatrix.fromYaml(yaml(ns('labels: {istio-injection: enabled}'), ISTIO, deployment('sidecar.istio.io/inject: "false"'))).check(attacker);
    expect(optOut.enforced).toBe(false);
    expect(optOut.reason).toContain('the istio injector leaves out every workload of shop/payment: Deployment payment');
    // a namespace without a label, but the pods opt in (the object-selector webhook)
    expect(ReachabilityMatrix.fromYaml(yaml(ns(''), ISTIO, deployment('sidecar.istio.io/inject: "true"'))).check(attacker).allowed).toBe(false);
  });

  test('unknown (no Namespace, no label on the workload): the policies decide', () => {
    expect(ReachabilityMatrix.fromYaml(ISTIO).check(attacker)).toMatchObject({ allowed: false });
    expect(ReachabilityMatrix.fromYaml(yaml(ISTIO, deployment(''))).check(attacker).enforced).toBeUndefined();
  });

  test('Linkerd: a Namespace without linkerd.io/inject, and one with it', () => {
    const off = ReachabilityMatrix.fromYaml(yaml(ns('annotations: {config.linkerd.io/default-inbound-policy: deny}'), LINKERD)).check(attacker);
    expect(off).toMatchObject({ allowed: true, enforced: false, mesh: 'linkerd' });
    expect(off.reason).toContain('kubectl annotate namespace shop linkerd.io/inject=enabled');
    const on = ReachabilityMatrix.fromYaml(yaml(ns('annotations: {config.linkerd.io/default-inbound-policy: deny, linkerd.io/inject: enabled}'), LINKERD)).check(attacker);
    expect(on.allowed).toBe(false);
    // a pod-level annotation enrols the pods of a namespace without it
    expect(ReachabilityMatrix.fromYaml(yaml(ns(''), LINKERD, deployment('', 'linkerd.io/inject: enabled'))).check(attacker).allowed).toBe(false);
  });

  test('Consul: pods without connect-inject are not meshed under the Helm default; with connectInject.default they are', () => {
    const attackerSa = { caller: 'shop/attacker', service: 'shop/payment' };
    const off = ReachabilityMatrix.fromYaml(yaml(CONSUL, deployment(''))).check(attackerSa);
    expect(off).toMatchObject({ allowed: true, enforced: false, mesh: 'consul' });
    expect(off.reason).toContain('consul.hashicorp.com/connect-inject: "true"');
    expect(ReachabilityMatrix.fromYaml(yaml(CONSUL, deployment('')), { consulConnectInjectDefault: true }).check(attackerSa).allowed).toBe(false);
    expect(ReachabilityMatrix.fromYaml(yaml(CONSUL, deployment('', 'consul.hashicorp.com/connect-inject: "true"'))).check(attackerSa).allowed).toBe(false);
    // no workload among the manifests: the intentions decide
    expect(ReachabilityMatrix.fromYaml(CONSUL).check(attackerSa).allowed).toBe(false);
  });
});

describe('analyzer: enrolment findings on hand-written YAML', () => {
  const codes = (text: string, options = {}) => MeshAnalyzer.analyzeYaml(text, options).findings.map(f => `${f.code} ${f.severity} ${f.resource}`);

  test('one finding per namespace (on its first object), an error with the Namespace present', () => {
    expect(codes(yaml(ns(''), ISTIO))).toEqual(['I190 error AuthorizationPolicy shop/default-deny']);
  });

  test('a warning when only the workloads are among the manifests; nothing when neither is', () => {
    expect(codes(yaml(ISTIO, deployment('')))).toEqual(['I190 warning AuthorizationPolicy shop/default-deny']);
    expect(codes(yaml(ISTIO, deployment('')), { minSeverity: Severity.ERROR })).toEqual([]);
    expect(codes(ISTIO)).toEqual([]);
  });

  test('the root namespace (mesh-wide policy) and gateway-only VirtualServices are not the namespace\'s workloads', () => {
    const root = `apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;
    expect(codes(root)).toEqual([]);
    const gatewayRoutes = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/shop]
  http: [{route: [{destination: {host: web}}]}]
`;
    expect(codes(yaml(ns(''), gatewayRoutes))).toEqual([]);
    expect(codes(yaml(ns(''), gatewayRoutes.replace('[istio-system/shop]', '[istio-system/shop, mesh]')))).toEqual(['I190 error VirtualService shop/shop']);
  });

  test('Linkerd: ingress routes attached to a Gateway are not mesh routes', () => {
    const ingressRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: shop}
spec:
  parentRefs: [{name: shop, kind: Gateway}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
    expect(codes(yaml(ns(''), LINKERD)).filter(c => c.startsWith('L190'))).toEqual(['L190 error Server shop/payment-8080']);
    expect(codes(yaml(ns(''), ingressRoute, LINKERD.split('---\n')[1])).filter(c => c.startsWith('L190'))).toEqual([]);
  });

  test('Consul: the Service\'s selector finds the workloads; without one, nothing is said', () => {
    const svc = `apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {tier: payments}, ports: [{port: 80, targetPort: 8080}]}
`;
    const other = deployment('tier: payments');
    expect(codes(yaml(CONSUL, svc, other))).toEqual(['C190 warning ServiceIntentions shop/payment']);
    expect(codes(yaml(CONSUL, svc, deployment('')))).toEqual([]);
  });
});
