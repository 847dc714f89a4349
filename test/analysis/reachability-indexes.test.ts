/**
 * Reachability at scale (#19 item 9, third pass): the Istio waypoint policies found by an index of the
 * policies by namespace and target, the selector policies by an index that leaves out targetRefs policies,
 * Consul sources by name, and the summary decided per class without a pass over every caller. Hand-written
 * YAML: each decision below depends on one policy, so an index that misses it (or finds one of another
 * namespace or waypoint) fails here; and the class path gives what the per-caller path gives.
 */
import { spawnSync } from 'child_process';
import { join } from 'path';
import { ReachabilityMatrix } from '../../src';
import { captureStderr } from '../util';

captureStderr();

// shop: ambient with a namespace-scoped waypoint (shop-waypoint); cart opts out of it (use-waypoint: none).
// billing: ambient, no namespace waypoint; invoice uses a service-scoped waypoint (invoice-waypoint).
// The policies that target a waypoint or Service name them in one namespace only: those of another
// namespace with the same target names (billing/stray-shop-waypoint, istio-system/root-targets-payment)
// do not apply. The root namespace's selector-less policy (istio-system/root-l4) is a ztunnel policy of
// every namespace.
const AMBIENT = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: shop-waypoint}}
---
apiVersion: v1
kind: Namespace
metadata: {name: billing, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop-waypoint, namespace: shop}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: invoice-waypoint, namespace: billing}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {istio.io/use-waypoint: none}}
spec: {selector: {app: cart}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: invoice, namespace: billing, labels: {istio.io/use-waypoint: invoice-waypoint}}
spec: {selector: {app: invoice}, ports: [{port: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: billing}
spec: {selector: {app: ledger}, ports: [{port: 9090}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: waypoint-allow, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: shop-waypoint}]
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
    to: [{operation: {methods: [POST], paths: [/pay]}}]
  - from: [{source: {namespaces: [billing]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-deny, namespace: shop}
spec:
  targetRefs: [{kind: Service, group: '', name: payment}]
  action: DENY
  rules:
  - from: [{source: {principals: [cluster.local/ns/billing/sa/auditor]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: stray-shop-waypoint, namespace: billing}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: shop-waypoint}]
  action: DENY
  rules:
  - from: [{source: {namespaces: [billing]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: root-targets-payment, namespace: istio-system}
spec:
  targetRefs: [{kind: Service, group: '', name: payment}]
  action: DENY
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: invoice-at-waypoint, namespace: billing}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: invoice-waypoint}]
  rules:
  - from: [{source: {namespaces: [shop]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: invoice-svc-deny, namespace: billing}
spec:
  targetRefs: [{kind: Service, group: '', name: invoice}]
  action: DENY
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/web]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-l4, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/shop-waypoint]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: invoice-l4, namespace: billing}
spec:
  selector: {matchLabels: {app: invoice}}
  rules:
  - from: [{source: {principals: [cluster.local/ns/billing/sa/invoice-waypoint]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: cart-l4, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  rules:
  - from: [{source: {namespaces: [shop, blocked]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: root-l4, namespace: istio-system}
spec:
  action: DENY
  rules:
  - from: [{source: {namespaces: [blocked]}}]
`;

const make = (yaml = AMBIENT) => ReachabilityMatrix.fromYaml(yaml, { defaultNamespace: 'shop' });

describe('ambient: the policies each waypoint and ztunnel apply, found by the indexes', () => {
  const m = make();
  const check = (caller: string, service: string, method = 'GET', path = '/') => {
    const d = m.check({ caller, service, method, path });
    return [d.allowed, d.reason];
  };

  test('the namespace waypoint applies the policies that target it and the Service, of its namespace only', () => {
    expect(check('shop/order', 'shop/payment', 'POST', '/pay')).toEqual([true, 'waypoint shop/shop-waypoint: AuthorizationPolicy shop/waypoint-allow rules[0]']);
    expect(check('shop/order', 'shop/payment')).toEqual([false, 'waypoint shop/shop-waypoint: no rule of the ALLOW policies matches (AuthorizationPolicy shop/waypoint-allow)']);
    // the Service-targeted DENY (shop/payment-deny); not billing/stray-shop-waypoint (another namespace)
    expect(check('billing/auditor', 'shop/payment')).toEqual([false, 'waypoint shop/shop-waypoint: AuthorizationPolicy shop/payment-deny (DENY) rules[0]']);
    expect(check('billing/clerk', 'shop/payment')).toEqual([true, 'waypoint shop/shop-waypoint: AuthorizationPolicy shop/waypoint-allow rules[1]']);
  });

  test('a service-scoped waypoint applies its own policies and the Service\'s, not the namespace waypoint\'s', () => {
    expect(check('shop/order', 'billing/invoice')).toEqual([true, 'waypoint billing/invoice-waypoint: AuthorizationPolicy billing/invoice-at-waypoint rules[0]']);
    expect(check('shop/web', 'billing/invoice')).toEqual([false, 'waypoint billing/invoice-waypoint: AuthorizationPolicy billing/invoice-svc-deny (DENY) rules[0]']);
    expect(check('other/x', 'billing/invoice')).toEqual([false, 'waypoint billing/invoice-waypoint: no rule of the ALLOW policies matches (AuthorizationPolicy billing/invoice-at-waypoint)']);
  });

  test('ztunnel applies the selector policies and the root namespace\'s, not the targetRefs ones', () => {
    // cart: no waypoint; shop's selector policy and the root namespace's DENY
    expect(check('shop/order', 'shop/cart')).toEqual([true, 'AuthorizationPolicy shop/cart-l4 rules[0]']);
    expect(check('blocked/x', 'shop/cart')).toEqual([false, 'AuthorizationPolicy istio-system/root-l4 (DENY) rules[0]']);
    // ledger: no policy of its own, the root namespace's applies (not a targetRefs policy of billing)
    expect(check('blocked/x', 'billing/ledger')).toEqual([false, 'AuthorizationPolicy istio-system/root-l4 (DENY) rules[0]']);
    expect(check('other/x', 'billing/ledger')).toEqual([true, 'no ALLOW AuthorizationPolicy applies to the workload']);
  });

  test('the class path (summary, table) gives what the per-caller path gives, with duplicate callers too', () => {
    const who = [...m.callers(), 'shop/unnamed', 'shop/web', 'billing/auditor', 'billing/clerk', 'blocked/x', 'other/x', 'ip:10.0.0.1',
      ...[...Array(300).keys()].map(i => `${['shop', 'billing', 'blocked'][i % 3]}/caller-${i}`)];
    for (const callers of [undefined, who, [...who, 'shop/order', 'billing/clerk']]) {
      const classes = make();
      const perCaller = make();
      perCaller._perCaller = true;
      let checks = 0;
      const check0 = classes.check.bind(classes);
      classes.check = q => { checks++; return check0(q); };
      const summary = [...classes._summary(callers)];
      expect(summary).toEqual([...perCaller._summary(callers)]);
      expect([...classes._tableLines(callers, undefined, 7)].join('')).toBe([...perCaller._tableLines(callers, undefined, 7)].join(''));
      if (callers === who) {
        // per class: far fewer decisions than callers times requests
        expect(checks).toBeLessThan(who.length);
        // and the summary lists each class's members allowed, in order
        const payment = summary.find(s => s.service === 'shop/payment')!;
        expect(payment.callers.map(c => c.caller)).toEqual(who.filter(c => c.startsWith('billing/') && c !== 'billing/auditor'));
      }
    }
  });

  test('a targetRefs policy that names the waypoint of another namespace, or the Service in the root namespace, changes nothing', () => {
    const without = make(AMBIENT.split('\n---\n').filter(d => !/name: (stray-shop-waypoint|root-targets-payment),/.test(d)).join('\n---\n'));
    // (the root namespace's policy names a Service istio-system/payment: not one of the others)
    const services = without.services();
    expect(m.services()).toEqual([...services, 'istio-system/payment'].sort());
    expect(without.table(m.callers(), services)).toEqual(m.table(m.callers(), services));
  });
});

// Consul: sources found by name must keep the order of the intentions: of two sources of equal
// precedence (the same exact destination and source), the first in the manifests decides, whatever the
// place of the `*` destination's intention between them
const CONSUL = `apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment-a, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: web, action: deny}, {name: order, action: allow}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: all, namespace: shop}
spec:
  destination: {name: '*'}
  sources: [{name: order, action: deny}, {name: '*', action: allow}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment-b, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: order, action: deny}, {name: web, action: allow}, {name: '*', action: deny}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: cart, namespace: shop}
spec: {protocol: tcp}
`;

describe('consul: sources by name, in the order of the intentions', () => {
  const m = ReachabilityMatrix.fromYaml(CONSUL, { defaultNamespace: 'shop' });
  const check = (caller: string, service: string) => {
    const d = m.check({ caller, service });
    return [d.allowed, d.reason];
  };

  test('the first of the sources of equal precedence decides; a wildcard destination only after the exact ones', () => {
    expect(check('shop/order', 'shop/payment')).toEqual([true, 'ServiceIntentions shop/payment-a sources[1] (order): allow']);
    expect(check('shop/web', 'shop/payment')).toEqual([false, 'ServiceIntentions shop/payment-a sources[0] (web): deny']);
    expect(check('shop/x', 'shop/payment')).toEqual([false, 'ServiceIntentions shop/payment-b sources[2] (*): deny']);
    expect(check('shop/order', 'shop/cart')).toEqual([false, 'ServiceIntentions shop/all sources[0] (order): deny']);
    expect(check('shop/x', 'shop/cart')).toEqual([true, 'ServiceIntentions shop/all sources[1] (*): allow']);
    expect(m.check({ caller: 'shop/x', service: 'shop/cart' }).protocol).toBe('tcp');
    expect(m.check({ caller: 'shop/x', service: 'shop/payment' }).protocol).toBeUndefined();
  });

  test('Enterprise: sources of equal precedence by a namespace `*`: the first in the manifests, named or `*`, of either intention', () => {
    // every source below has precedence 1 (a destination and a source in namespace *): order alone decides
    const e = ReachabilityMatrix.fromYaml(`apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment-e, namespace: shop}
spec:
  destination: {name: payment, namespace: '*'}
  sources: [{name: '*', namespace: '*', action: deny}, {name: order, namespace: '*', action: allow}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: cart-e, namespace: shop}
spec:
  destination: {name: cart, namespace: '*'}
  sources: [{name: order, namespace: '*', action: allow}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: all-e, namespace: shop}
spec:
  destination: {name: '*', namespace: '*'}
  sources: [{name: order, namespace: '*', action: deny}]
`, { defaultNamespace: 'shop' });
    const d = (service: string) => { const x = e.check({ caller: 'shop/order', service }); return [x.allowed, x.reason]; };
    expect(d('shop/payment')).toEqual([false, 'ServiceIntentions shop/payment-e sources[0] (*/*): deny']);
    expect(d('shop/cart')).toEqual([true, 'ServiceIntentions shop/cart-e sources[0] (*/order): allow']);
    expect(d('shop/user')).toEqual([false, 'ServiceIntentions shop/all-e sources[0] (*/order): deny']);
  });

  test('the class path gives what the per-caller path gives', () => {
    const who = [...m.callers(), 'shop/x', 'shop/*', 'ip:10.0.0.1', 'peer:west/shop/order'];
    const perCaller = ReachabilityMatrix.fromYaml(CONSUL, { defaultNamespace: 'shop' });
    perCaller._perCaller = true;
    expect([...m._summary(who)]).toEqual([...perCaller._summary(who)]);
    expect(m.table(who)).toEqual(perCaller.table(who));
  });
});

// the CLI's standard output into a pipe: written as the table is made (process.stdout.write kept in memory
// what the pipe had not taken: 2 GB and ENOBUFS for the table at 1,000 services piped to wc -l), and a reader
// that stops (`| head`) ends the process quietly (was an unhandled EPIPE error, exit 1)
describe('cdk8s-mesh reachability into a pipe', () => {
  // 300 services, each allowing the one before: a table of 90,000 lines, several MB
  const N = 300;
  const big = [...Array(N).keys()].map(i => `apiVersion: v1
kind: Service
metadata: {name: svc-${i}, namespace: shop}
spec: {selector: {app: svc-${i}}, ports: [{port: 8080}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: svc-${i}, namespace: shop}
spec:
  selector: {matchLabels: {app: svc-${i}}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/svc-${(i + N - 1) % N}]}}]}]
`).join('---\n');
  const run = (pipe: string) => spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" -r ts-node/register/transpile-only -e `
    + `"process.exitCode = require('./src/cli/main').main(['reachability', '--namespace', 'shop', '-'])" | ${pipe}`], {
    cwd: join(__dirname, '..', '..'), input: big, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' }, maxBuffer: 2 ** 28,
  });

  test('read to its end: every line; stopped after three lines: exit 0 and nothing on stderr', () => {
    const all = run('wc -l');
    expect(all.stderr).toBe('');
    expect(all.status).toBe(0);
    // the mesh line, the header, and a row per service and caller (the N named and an unnamed one)
    expect(Number(all.stdout.trim())).toBe(2 + N * (N + 1));
    const head = run('head -n 3');
    expect(head.stderr).toBe('');
    expect(head.status).toBe(0);
    expect(head.stdout.split('\n').slice(0, 2)).toEqual(['mesh: istio', expect.stringMatching(/^CALLER +SERVICE +REQUEST +DECISION +REASON$/)]);
  }, 120_000);
});

// A Service that selects the pods of another (a version Service: payment-v2 selects app: payment,
// version: v2) is subject to the policies of those pods: the requests they allow are tried for it too,
// so the summary lists the callers those requests admit (found by a review: svc-999 was missing from
// svc-0-v1's callers on Linkerd, though `--from svc-999 --to svc-0-v1 --path /api` was ALLOW).
describe('the requests tried for a Service are those of the policies of its pods', () => {
  const VERSION_SERVICES = `apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec: {selector: {app: payment}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: payment-v2, namespace: shop}
spec: {selector: {app: payment, version: v2}, ports: [{port: 8080}]}
`;
  test('linkerd: the routes of the Server that selects the pods, whatever its name', () => {
    const m = ReachabilityMatrix.fromYaml(`${VERSION_SERVICES}---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: payment-http, namespace: shop}
spec: {podSelector: {matchLabels: {app: payment}}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: deny}
---
apiVersion: policy.linkerd.io/v1beta3
kind: HTTPRoute
metadata: {name: payment-process, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: payment-http}]
  rules: [{matches: [{path: {type: Exact, value: /process}, method: POST}]}]
---
apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: order, namespace: shop}
spec: {identityRefs: [{kind: ServiceAccount, name: order}]}
---
apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: payment-process-order, namespace: shop}
spec:
  targetRef: {group: policy.linkerd.io, kind: HTTPRoute, name: payment-process}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]
`, { defaultNamespace: 'shop' });
    const summary = [...m._summary(['shop/order', 'shop/web'], ['shop/payment', 'shop/payment-v2'])];
    expect(summary.map(s => [s.service, s.requests, s.callers])).toEqual([
      ['shop/payment', ['GET /', 'POST /process'], [{ caller: 'shop/order', requests: ['POST /process'] }]],
      ['shop/payment-v2', ['GET /', 'POST /process'], [{ caller: 'shop/order', requests: ['POST /process'] }]],
    ]);
    expect(m.check({ caller: 'shop/order', service: 'shop/payment-v2', method: 'POST', path: '/process' }).allowed).toBe(true);
  });

  test('linkerd: a Server selecting by matchExpressions selects the pods its expressions match, not every pod', () => {
    const m = ReachabilityMatrix.fromYaml(`${VERSION_SERVICES}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-unauthenticated}}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web-expr, namespace: shop}
spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: deny}
`, { defaultNamespace: 'shop' });
    // web's pods: the Server's deny applies; payment's: no Server, the namespace default allows
    expect(m.check({ caller: 'shop/order', service: 'shop/web', method: 'GET', path: '/' }).allowed).toBe(false);
    expect(m.check({ caller: 'shop/order', service: 'shop/payment-v2', method: 'GET', path: '/' })).toMatchObject({ allowed: true });
    expect(m.check({ caller: 'shop/order', service: 'shop/payment-v2', method: 'GET', path: '/' }).reason).toMatch(/no Server selects the pods/);
  });

  test('istio: the policies selecting the app of its pods, and not those of another version', () => {
    const m = ReachabilityMatrix.fromYaml(`${VERSION_SERVICES}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-allow, namespace: shop}
spec:
  selector: {matchLabels: {app: payment}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}], to: [{operation: {methods: [POST], paths: [/process]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-v3-admin, namespace: shop}
spec:
  selector: {matchLabels: {app: payment, version: v3}}
  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/admin]}}], to: [{operation: {methods: [DELETE], paths: [/admin]}}]}]
`, { defaultNamespace: 'shop' });
    const [v2] = [...m._summary(['shop/order', 'shop/admin'], ['shop/payment-v2'])];
    expect(v2.requests).toEqual(['GET /', 'POST /process']);
    expect(v2.callers).toEqual([{ caller: 'shop/order', requests: ['POST /process'] }]);
    // the whole Service's pods include v3's: its admin policy's request is tried there
    const [all] = [...m._summary(['shop/order', 'shop/admin'], ['shop/payment'])];
    expect(all.requests).toEqual(['DELETE /admin', 'GET /', 'POST /process']);
  });
});
