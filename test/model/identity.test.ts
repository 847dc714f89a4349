import { ApiObject, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Identity, IdentityKind, IstioDataPlane, Mesh, ServiceRef, ZeroTrustNamespace } from '../../src';
import { failureOf } from '../util';

describe('model/identity: the factories', () => {
  test('a service account: in the policy\'s namespace unless given, inside the mesh unless said', () => {
    const sa = Identity.serviceAccount('order');
    expect([sa.kind, sa.name, sa.namespace, sa.outsideMesh]).toEqual([IdentityKind.SERVICE_ACCOUNT, 'order', undefined, false]);
    expect(sa._label('shop')).toBe('shop/order');
    const other = Identity.serviceAccount('scraper', { namespace: 'monitoring', outsideMesh: true });
    expect([other.namespace, other.outsideMesh]).toEqual(['monitoring', true]);
    expect(other._label('shop')).toBe('monitoring/scraper');
  });

  test('a namespace and a network', () => {
    const ns = Identity.allInNamespace('web');
    expect([ns.kind, ns.name, ns.namespace, ns.outsideMesh, ns._label('shop')]).toEqual([IdentityKind.NAMESPACE, 'web', 'web', false, 'namespace web']);
    const net = Identity.network('10.0.0.0/8');
    expect([net.kind, net.name, net.namespace, net.outsideMesh, net._label('shop')]).toEqual([IdentityKind.NETWORK, '10.0.0.0/8', undefined, true, 'network 10.0.0.0/8']);
  });

  test('fromServiceAccount reads the name and namespace of the object it synthesizes; options.namespace wins', () => {
    const chart = Testing.chart();
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'order', namespace: 'shop' } });
    expect(Identity.fromServiceAccount(sa)._label('default')).toBe('shop/order');
    expect(Identity.fromServiceAccount(sa, { namespace: 'other' })._label('default')).toBe('other/order');
    expect(Identity.fromServiceAccount(sa, { outsideMesh: true }).outsideMesh).toBe(true);
    const plain = new ApiObject(chart, 'plain', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'plain' } });
    expect(Identity.fromServiceAccount(plain)._label('shop')).toBe('shop/plain');
  });

  test('fromServiceAccount refuses another kind, naming the object and the fix (not a TypeError)', () => {
    const chart = Testing.chart();
    const svc = new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'order' } });
    expect(() => Identity.fromServiceAccount(svc)).toThrow(new Error('Identity.fromServiceAccount(serviceAccount): got v1 Service order [test/svc]: '
      + 'expected an object that synthesizes v1 ServiceAccount (a cdk8s-plus ServiceAccount of any cdk8s-plus 2.x package, an imported KubeServiceAccount or an ApiObject); '
      + 'pass the ServiceAccount object, or use Identity.serviceAccount(name, { namespace })'));
  });
});

describe('model/identity: _problem, both sides of each limit', () => {
  test('a name is required and wildcards are refused on every kind', () => {
    expect(Identity.serviceAccount('')._problem()).toBe('an identity needs a name, got ""');
    expect(Identity.serviceAccount(undefined as any)._problem()).toBe('an identity needs a name, got undefined');
    expect(Identity.serviceAccount('*')._problem()).toBe('wildcards are not allowed in identities ("*"): name each caller');
    expect(Identity.allInNamespace('shop-*')._problem()).toContain('wildcards are not allowed');
    expect(Identity.network('10.0.0.*')._problem()).toContain('wildcards are not allowed');
  });

  test('a service account name is a DNS-1123 subdomain of at most 253 characters', () => {
    for (const name of ['order', 'a', 'order.v2', 'a-b-1', 'a'.repeat(253)]) expect(Identity.serviceAccount(name)._problem()).toBeUndefined();
    for (const name of ['Order', '-order', 'order-', 'order_v2', 'a..b', 'a'.repeat(254)]) {
      expect(Identity.serviceAccount(name)._problem()).toMatch(/ is not a valid service account name$/);
    }
  });

  test('a namespace is a DNS-1123 label of at most 63 characters, for a service account and for a whole namespace', () => {
    for (const namespace of ['shop', 'a', 'a'.repeat(63)]) {
      expect(Identity.serviceAccount('order', { namespace })._problem()).toBeUndefined();
      expect(Identity.allInNamespace(namespace)._problem()).toBeUndefined();
    }
    for (const namespace of ['Shop', 'a.b', '-a', 'a'.repeat(64)]) {
      expect(Identity.serviceAccount('order', { namespace })._problem()).toBe(`${JSON.stringify(namespace)} is not a valid namespace`);
      expect(Identity.allInNamespace(namespace)._problem()).toBe(`${JSON.stringify(namespace)} is not a valid namespace`);
    }
  });

  test('a network is a CIDR with a prefix; every address (the internet) is refused', () => {
    for (const cidr of ['10.0.0.0/8', '0.0.0.0/1', '192.0.2.1/32', 'fd00::/8', '::1/128']) expect(Identity.network(cidr)._problem()).toBeUndefined();
    for (const cidr of ['10.0.0.1', '10.0.0.0/33', '::/129', 'office']) {
      expect(Identity.network(cidr)._problem()).toBe(`${JSON.stringify(cidr)} is not a CIDR such as 10.0.0.0/8`);
    }
    for (const cidr of ['0.0.0.0/0', '::/0']) expect(Identity.network(cidr)._problem()).toMatch(/is every address, the internet included/);
  });
});

describe('model/identity: a namespace longer than Kubernetes allows', () => {
  // it was accepted on Istio, Linkerd and ambient, writing a policy for a caller that cannot exist
  test.each([
    ['a service account in it', Identity.serviceAccount('order', { namespace: 'a'.repeat(64) }), `"${'a'.repeat(64)}"`],
    ['the whole namespace', Identity.allInNamespace('a'.repeat(64)), `"${'a'.repeat(64)}"`],
  ])('%s is refused by the pattern, naming the construct, the prop and the value', (_, caller, shown) => {
    for (const mesh of [Mesh.istio(), Mesh.linkerd(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })]) {
      expect(failureOf(chart => new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [caller], to: ServiceRef.fromName('payment', { port: 8080 }) }] })))
        .toMatch(new RegExp(`^\\[test/zt\\] allow\\[0\\]\\.callers\\[0\\]: got "[a/order]+": ${shown} is not a valid namespace; `));
    }
  });
});
