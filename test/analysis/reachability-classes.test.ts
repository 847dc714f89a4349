/**
 * Reachability at scale (#19 item 9): callers that no policy able to decide for a service names are
 * decided once per class (an unnamed caller of their namespace and peer). The class-based path must give
 * exactly the decisions, table text and summary of the per-caller path.
 */
import { Testing } from 'cdk8s';
import { SHOP_MESHES, Shop } from '../../examples/shop/main';
import { ReachabilityMatrix, ReachabilityOptions } from '../../src';
import { captureStderr } from '../util';

captureStderr();

const ISTIO = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{port: 8080}]}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
    to: [{operation: {methods: [POST], paths: [/process-payment]}}]
  - from: [{source: {principals: [cluster.local/ns/billing/sa/*]}}]
  - from: [{source: {namespaces: [other], notPrincipals: [cluster.local/ns/other/sa/x2]}}]
    to: [{operation: {paths: [/api/*]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-deny, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  action: DENY
  rules:
  - from: [{source: {principals: [cluster.local/ns/billing/sa/x3]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/ord*]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: root-deny, namespace: istio-system}
spec:
  action: DENY
  rules:
  - from: [{source: {serviceAccounts: [shop/evil]}}]
`;

const LINKERD = `apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}
---
apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec: {selector: {app: cart}, ports: [{port: 8080}]}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: payment-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: payment}}, port: 8080, accessPolicy: deny}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: cart-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: cart}}, port: 8080, accessPolicy: all-authenticated}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: payment-callers, namespace: shop}
spec:
  identityRefs: [{kind: ServiceAccount, name: order}, {kind: Namespace, name: billing}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: cart-callers, namespace: shop}
spec:
  identities: ['*.other.serviceaccount.identity.linkerd.cluster.local']
---
apiVersion: policy.linkerd.io/v1alpha1
kind: NetworkAuthentication
metadata: {name: office, namespace: shop}
spec: {networks: [{cidr: 10.0.0.0/8}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: payment-mtls, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: payment-callers}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: payment-sa, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-http}
  requiredAuthenticationRefs: [{kind: ServiceAccount, name: web, namespace: shop}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: cart-mtls, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: cart-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: cart-callers}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: cart-office, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: Server, name: cart-http}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: NetworkAuthentication, name: office}]
`;

const CONSUL = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources:
  - {name: order, permissions: [{action: allow, http: {pathExact: /process-payment, methods: [POST]}}]}
  - {name: order, peer: us-west, action: allow}
  - {name: x3, namespace: billing, action: deny}
  - {name: '*', namespace: billing, action: allow}
  - {name: '*', action: deny}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: all, namespace: shop}
spec:
  destination: {name: '*'}
  sources: [{name: web, action: allow}, {name: '*', peer: us-west, action: deny}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: cart, namespace: shop}
spec:
  destination: {name: cart}
  sources: [{name: '*', permissions: [{action: deny, http: {pathPrefix: /admin}}]}]
`;

// named callers, unnamed ones of several namespaces and peers, one outside the mesh, and names that
// share a prefix with a named one (ord*)
const EXTRA = ['shop/unnamed', 'shop/x1', 'shop/evil', 'shop/ord', 'shop/order-v2', 'other/x2', 'other/x9', 'billing/x3', 'billing/x8', 'nowhere/x7',
  'peer:us-west/shop/order', 'peer:us-west/shop/x4', 'peer:us-west/billing/x5', 'ip:10.1.2.3', 'shop/*'];

function both(make: () => ReachabilityMatrix) {
  const classes = make();
  const perCaller = make();
  perCaller._perCaller = true;
  return { classes, perCaller };
}

const cases: [string, () => ReachabilityMatrix][] = [
  ...SHOP_MESHES.map(([name, mesh]) => [`shop on ${name}`, () => ReachabilityMatrix.fromManifests(Testing.synth(new Shop(Testing.app(), 'shop', { mesh })), { defaultNamespace: 'shop' })] as [string, () => ReachabilityMatrix]),
  ...([['istio', ISTIO, {}], ['linkerd', LINKERD, {}], ['consul (Enterprise)', CONSUL, {}], ['consul (CE, default deny)', CONSUL, { consulEnterprise: false, consulDefaultAllow: false }]] as [string, string, ReachabilityOptions][])
    .map(([name, yaml, o]) => [`hand-written ${name}`, () => ReachabilityMatrix.fromYaml(yaml, { defaultNamespace: 'shop', ...o })] as [string, () => ReachabilityMatrix]),
];

describe.each(cases)('%s: decided per class = decided per caller', (_name, make) => {
  test('the same decisions, table text and summary, with the default callers and with more', () => {
    for (const who of [undefined, [...make().callers(), ...EXTRA]]) {
      const { classes, perCaller } = both(make);
      let checks = 0;
      const check = classes.check.bind(classes);
      classes.check = q => { checks++; return check(q); };
      expect(JSON.stringify(classes.table(who))).toBe(JSON.stringify(perCaller.table(who)));
      const text = (m: ReachabilityMatrix) => [...m._tableLines(who, undefined, 13)].join('');
      expect(text(classes)).toBe(text(perCaller));
      expect([...classes._summary(who)]).toEqual([...perCaller._summary(who)]);
      // and classes were used (fewer decisions than the table has rows, three times over)
      if (who) expect(checks).toBeLessThan(3 * perCaller.table(who).length);
    }
  });
});

test('the hand-written cases decide differently per caller (the test compares something)', () => {
  const m = ReachabilityMatrix.fromYaml(ISTIO, { defaultNamespace: 'shop' });
  const allowed = (caller: string, path = '/') => m.check({ caller, service: 'shop/payment', path }).allowed;
  expect([allowed('billing/x8'), allowed('billing/x3'), allowed('other/x9', '/api/'), allowed('other/x2', '/api/'), allowed('shop/x1')]).toEqual([true, false, true, false, false]);
  const cart = (caller: string) => m.check({ caller, service: 'shop/cart' }).allowed;
  expect([cart('shop/order'), cart('shop/ord'), cart('shop/x1')]).toEqual([true, true, false]);
});

test('unnamed callers are decided once per class and request: 2,000 callers of one namespace, few decisions', () => {
  const m = ReachabilityMatrix.fromYaml(ISTIO, { defaultNamespace: 'shop' });
  const who = [...Array(2000).keys()].map(i => `other/caller-${i}`);
  let checks = 0;
  const check = m.check.bind(m);
  m.check = q => { checks++; return check(q); };
  const summary = [...m._summary(who, ['shop/payment'])];
  expect(summary[0].callers.map(c => c.caller)).toEqual(who);
  // one class (other/<unnamed>) per request, plus the reading of the service
  expect(checks).toBeLessThan(20);
  // the cart's policy has a pattern (ord*) that could match part of a name: every caller decided
  checks = 0;
  [...m._summary(who, ['shop/cart'])];
  expect(checks).toBeGreaterThanOrEqual(2000);
});
