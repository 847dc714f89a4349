import { ReachabilityMatrix } from '../../src';

/**
 * Consul's evaluation on hand-written ServiceIntentions (agent/xds/rbac.go makeRBACRules): the
 * highest-precedence matching source decides; an L7 source's request that no permission matches is
 * decided by the default intention policy (the ACL default), never by a lower-precedence `*` source.
 */
const L7 = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: default-deny, namespace: shop}
spec:
  destination: {name: '*'}
  sources: [{name: '*', action: deny}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources:
    - name: order
      permissions:
        - action: deny
          http: {pathPrefix: /admin}
        - action: allow
          http: {pathExact: /process-payment, methods: [POST]}
    - name: web
      action: allow
    - name: '*'
      action: deny
`;

const check = (yaml: string, consulDefaultAllow: boolean | undefined, caller: string, method: string, path: string, service = 'shop/payment') =>
  ReachabilityMatrix.fromYaml(yaml, { defaultNamespace: 'shop', ...(consulDefaultAllow === undefined ? {} : { consulDefaultAllow }) })
    .check({ caller, service, method, path });

describe('Consul: a request that matches no permission of its source', () => {
  test.each([
    [true, true],
    [false, false],
  ])('falls to the default intention policy, not to the * deny (ACL default allow: %s → allowed: %s)', (consulDefaultAllow, allowed) => {
    const d = check(L7, consulDefaultAllow, 'shop/order', 'GET', '/orders');
    expect(d.allowed).toBe(allowed);
    expect(d.reason).toBe(`ServiceIntentions shop/payment sources[0] (order): no permission matches the request, and the source shadows lower-precedence intentions; the default intention policy (ACL default ${consulDefaultAllow ? 'allow' : 'deny'}) decides`);
  });

  test.each([true, false])('matching permissions decide in order, whatever the default (allow: %s)', consulDefaultAllow => {
    expect(check(L7, consulDefaultAllow, 'shop/order', 'POST', '/process-payment').allowed).toBe(true);
    expect(check(L7, consulDefaultAllow, 'shop/order', 'POST', '/admin').allowed).toBe(false);
    // a Consul pathPrefix is a plain string prefix
    expect(check(L7, consulDefaultAllow, 'shop/order', 'GET', '/adminx').allowed).toBe(false);
    // L4 sources and the destination's * source
    expect(check(L7, consulDefaultAllow, 'shop/web', 'GET', '/anything').allowed).toBe(true);
    expect(check(L7, consulDefaultAllow, 'shop/user', 'GET', '/').reason).toBe('ServiceIntentions shop/payment sources[2] (*): deny');
  });

  test('a source whose list ends with a deny of everything is closed under both defaults', () => {
    const closed = L7.replace('http: {pathExact: /process-payment, methods: [POST]}', 'http: {pathExact: /process-payment, methods: [POST]}\n        - action: deny\n          http: {pathPrefix: /}');
    for (const allow of [true, false]) expect(check(closed, allow, 'shop/order', 'GET', '/orders').allowed).toBe(false);
  });
});

describe('Consul: services no intention names', () => {
  const OTHER = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: order, action: allow}]
`;
  test('are decided by the ACL default: allow unless told otherwise (the Helm chart runs with ACLs off)', () => {
    expect(check(OTHER, undefined, 'shop/web', 'GET', '/', 'shop/user').allowed).toBe(true);
    expect(check(OTHER, true, 'shop/web', 'GET', '/', 'shop/user').allowed).toBe(true);
    expect(check(OTHER, false, 'shop/web', 'GET', '/', 'shop/user').allowed).toBe(false);
    expect(check(OTHER, undefined, 'shop/web', 'GET', '/', 'shop/user').reason).toBe('no intention matches; the default intention policy (ACL default allow) decides');
    // the named service: its source allows, anyone else falls to the same default
    expect(check(OTHER, false, 'shop/order', 'GET', '/').allowed).toBe(true);
    expect(check(OTHER, undefined, 'shop/web', 'GET', '/').allowed).toBe(true);
  });
});

describe('Consul Enterprise: namespaces of sources and destinations', () => {
  const ENT = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources:
    - {name: order, namespace: a, action: allow}
    - name: order
      namespace: b
      permissions:
        - {action: deny, http: {pathPrefix: /admin}}
        - {action: allow, http: {pathPrefix: /}}
    - {name: web, action: allow}
    - {name: '*', namespace: '*', action: deny}
`;
  test('a source is the name in its namespace; a source without one is in the destination\'s', () => {
    expect(check(ENT, true, 'a/order', 'GET', '/admin').allowed).toBe(true);
    expect(check(ENT, true, 'b/order', 'GET', '/admin').allowed).toBe(false);
    expect(check(ENT, true, 'b/order', 'GET', '/pay').allowed).toBe(true);
    expect(check(ENT, true, 'c/order', 'GET', '/pay').allowed).toBe(false);
    expect(check(ENT, true, 'shop/web', 'GET', '/').allowed).toBe(true);
    expect(check(ENT, true, 'other/web', 'GET', '/').allowed).toBe(false);
    // the intention is the shop namespace's payment: payment of another namespace is not protected by it
    expect(check(ENT, false, 'a/order', 'GET', '/', 'billing/payment').allowed).toBe(false);
    expect(check(ENT, true, 'c/order', 'GET', '/', 'billing/payment').allowed).toBe(true);
  });

  test('the exact namespace-wide source outranks the * / * source', () => {
    const yaml = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources:
    - {name: '*', namespace: '*', action: deny}
    - {name: '*', namespace: monitoring, action: allow}
`;
    expect(check(yaml, false, 'monitoring/prometheus', 'GET', '/metrics').allowed).toBe(true);
    expect(check(yaml, true, 'shop/order', 'GET', '/').allowed).toBe(false);
  });

  test('CE (no namespace anywhere): a source is any service of that name', () => {
    expect(check(L7, false, 'other/web', 'GET', '/').allowed).toBe(true);
    expect(ReachabilityMatrix.fromYaml(ENT, { defaultNamespace: 'shop', consulEnterprise: false }).check({ caller: 'c/order', service: 'shop/payment' }).allowed).toBe(true);
  });
});

describe('Consul cluster peering: callers of a peer (`peer:<peer>/<ns>/<service>`)', () => {
  // the exporter's review finding: the peer source at L4, no `*` deny, local or per peer
  const OPEN = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment-remote-callers, namespace: shop}
spec:
  destination: {name: payment}
  sources: [{name: order, peer: us-west, action: allow}]
`;
  const CLOSED = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: payment, namespace: shop}
spec:
  destination: {name: payment}
  sources:
    - name: order
      peer: us-west
      permissions:
        - {action: allow, http: {pathExact: /process-payment, methods: [POST]}}
        - {action: deny, http: {pathPrefix: /}}
    - {name: '*', peer: us-west, action: deny}
    - {name: '*', action: deny}
`;

  test('a peer source decides only the callers of that peer; a local source or a local * never does', () => {
    // the local order is not the peer's order, and the peer's order is not the local one
    expect(check(OPEN, false, 'shop/order', 'GET', '/admin')).toMatchObject({ allowed: false, reason: 'no intention matches; the default intention policy (ACL default deny) decides' });
    expect(check(OPEN, false, 'peer:us-west/shop/order', 'GET', '/admin')).toMatchObject({ allowed: true, reason: 'ServiceIntentions shop/payment-remote-callers sources[0] (peer us-west: order): allow' });
    expect(check(OPEN, false, 'peer:eu-central/shop/order', 'GET', '/').allowed).toBe(false);
    // with ACLs off, every caller the intentions do not name gets in: local or of the peer
    expect(check(OPEN, true, 'shop/web', 'GET', '/admin').allowed).toBe(true);
    expect(check(OPEN, true, 'peer:us-west/shop/web', 'GET', '/admin').allowed).toBe(true);
  });

  test('permissions and * denies of the peer: only the declared call gets in, under both ACL defaults', () => {
    for (const acl of [true, false]) {
      expect(check(CLOSED, acl, 'peer:us-west/shop/order', 'POST', '/process-payment').allowed).toBe(true);
      expect(check(CLOSED, acl, 'peer:us-west/shop/order', 'GET', '/admin')).toMatchObject({ allowed: false, reason: 'ServiceIntentions shop/payment sources[0] (peer us-west: order).permissions[1] (deny)' });
      expect(check(CLOSED, acl, 'peer:us-west/shop/web', 'POST', '/process-payment')).toMatchObject({ allowed: false, reason: 'ServiceIntentions shop/payment sources[1] (peer us-west: *): deny' });
      // the local * deny does not cover another peer's callers: the ACL default decides them
      expect(check(CLOSED, acl, 'peer:eu-central/shop/web', 'GET', '/').allowed).toBe(acl);
      expect(check(CLOSED, acl, 'shop/order', 'POST', '/process-payment').allowed).toBe(false);
    }
  });

  test('the table lists the peer\'s callers with their peer', () => {
    const m = ReachabilityMatrix.fromYaml(CLOSED, { defaultNamespace: 'shop' });
    expect(m.callers()).toEqual(['peer:us-west/shop/order']);
    expect(m.table().filter(d => d.caller === 'peer:us-west/shop/order').map(d => `${d.method} ${d.path} ${d.allowed}`)).toEqual(['GET / false', 'POST /process-payment true']);
    // and an unnamed caller of each peer, which the peer's * deny refuses
    expect(m.table().filter(d => d.caller === 'peer:us-west/shop/unnamed').map(d => `${d.method} ${d.path} ${d.allowed} ${d.reason}`)).toEqual([
      'GET / false ServiceIntentions shop/payment sources[1] (peer us-west: *): deny',
      'POST /process-payment false ServiceIntentions shop/payment sources[1] (peer us-west: *): deny',
    ]);
  });
});

describe('Consul: a TCP service', () => {
  const TCP = `
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: egress-api-stripe-com, namespace: shop}
spec: {protocol: tcp, destination: {addresses: [api.stripe.com], port: 443}}
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: egress-api-stripe-com, namespace: shop}
spec:
  destination: {name: egress-api-stripe-com}
  sources: [{name: payment, action: allow}, {name: '*', action: deny}]
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceDefaults
metadata: {name: payment, namespace: shop}
spec: {protocol: http}
`;

  test('is shown as a TCP connection, without method and path; an HTTP service keeps them', () => {
    const m = ReachabilityMatrix.fromYaml(TCP + L7.replace(/^/, '---'), { defaultNamespace: 'shop' });
    const tcp = m.check({ caller: 'shop/payment', service: 'shop/egress-api-stripe-com' });
    expect(tcp).toMatchObject({ allowed: true, protocol: 'tcp' });
    expect(m.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }).protocol).toBeUndefined();
    const table = ReachabilityMatrix.formatTable([tcp, m.check({ caller: 'shop/web', service: 'shop/payment' })]);
    expect(table).toMatch(/shop\/payment +shop\/egress-api-stripe-com +TCP +ALLOW/);
    expect(table).toMatch(/shop\/web +shop\/payment +GET \/ +ALLOW/);
  });
});
