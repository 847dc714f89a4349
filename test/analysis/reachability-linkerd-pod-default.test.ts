/**
 * Linkerd reachability by the pods' own default inbound policy: a pod template's config.linkerd.io/default-inbound-policy
 * before its namespace's (the proxy injector copies the namespace's onto pods without one: pkg/inject/inject.go
 * GetConfigOverride; the policy controller reads the pod's, else the cluster's: policy-controller/k8s/index/src/inbound/
 * workload.rs, index.rs default_inbound_server), and a Server decides for the pods its podSelector selects by their
 * labels. Hand-written YAML.
 */
import { ReachabilityMatrix } from '../../src';
import { captureStderr } from '../util';

captureStderr();

const KEY = 'config.linkerd.io/default-inbound-policy';
const ns = (policy?: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {linkerd.io/inject: enabled${policy ? `, ${KEY}: ${policy}` : ''}}}`;
// a Linkerd Server of another service, so that the manifests are Linkerd's
const WEB = 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: web-8080, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: deny}';
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: payment, namespace: shop}\nspec: {selector: {app: payment}, ports: [{port: 8080}]}';
const containers = '{containers: [{name: app, image: app:1, ports: [{containerPort: 8080}]}]}';
const workload = (kind: string, name: string, policy?: string, extraLabels = '') => {
  const labels = `{app: payment, workload: ${name}${extraLabels}}`;
  const annotations = policy ? `, annotations: {${KEY}: ${policy}}` : '';
  if (kind === 'Pod') return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop, labels: ${labels}${annotations}}\nspec: ${containers}`;
  const template = `{metadata: {labels: ${labels}${annotations}}, spec: ${containers}}`;
  if (kind === 'CronJob') return `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: ${name}, namespace: shop}\nspec: {schedule: "* * * * *", jobTemplate: {spec: {template: ${template}}}}`;
  return `apiVersion: ${kind === 'Job' ? 'batch/v1' : 'apps/v1'}\nkind: ${kind}\nmetadata: {name: ${name}, namespace: shop}\nspec: {selector: {matchLabels: {workload: ${name}}}, template: ${template}}`;
};
const matrix = (...docs: string[]) => ReachabilityMatrix.fromYaml([WEB, SERVICE, ...docs].join('\n---\n'), { defaultNamespace: 'shop' });
const meshed = { caller: 'shop/order', service: 'shop/payment', method: 'GET', path: '/' };
const outside = { caller: 'ip:203.0.113.7', service: 'shop/payment', method: 'GET', path: '/' };

describe('linkerd reachability: the pods\' own default inbound policy', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'])('a %s whose pods say deny under an all-unauthenticated namespace: denied (not the namespace\'s allow)', (kind) => {
    const d = matrix(ns('all-unauthenticated'), workload(kind, 'payment', 'deny')).check(meshed);
    expect(d).toMatchObject({ allowed: false, mesh: 'linkerd' });
    expect(d.reason).toBe(`no Server selects the pods; the pod template's default inbound policy deny (${KEY} of ${kind} payment)`);
  });

  test('pods that say all-unauthenticated under a deny namespace: allowed, as Linkerd allows it; all-authenticated pods: meshed callers only', () => {
    expect(matrix(ns('deny'), workload('Deployment', 'payment', 'all-unauthenticated')).check(outside)).toMatchObject({ allowed: true });
    const m = matrix(ns('all-unauthenticated'), workload('Deployment', 'payment', 'all-authenticated'));
    expect([m.check(meshed).allowed, m.check(outside).allowed]).toEqual([true, false]);
  });

  test('no pod annotation: the namespace\'s default, as before (with the workloads among the manifests or not)', () => {
    for (const docs of [[ns('deny'), workload('Deployment', 'payment')], [ns('deny')]]) {
      expect(matrix(...docs).check(meshed)).toMatchObject({ allowed: false, reason: 'no Server selects the pods; namespace default inbound policy deny' });
    }
    expect(matrix(ns('all-unauthenticated'), workload('Deployment', 'payment')).check(outside)).toMatchObject({ allowed: true, reason: 'no Server selects the pods; namespace default inbound policy all-unauthenticated' });
  });

  test('a pod value Linkerd cannot parse: the cluster\'s default (linkerdDefaultInboundPolicy), not the namespace\'s', () => {
    const text = [WEB, SERVICE, ns('all-unauthenticated'), workload('Deployment', 'payment', 'nobody')].join('\n---\n');
    const d = ReachabilityMatrix.fromYaml(text, { defaultNamespace: 'shop', linkerdDefaultInboundPolicy: 'deny' }).check(meshed);
    expect(d).toMatchObject({ allowed: false });
    expect(d.reason).toContain('the cluster\'s default inbound policy deny (Linkerd ignores');
  });

  test('workloads whose pods decide differently: denied (a request may reach the pods that refuse it), naming each', () => {
    const d = matrix(ns('all-unauthenticated'), workload('Deployment', 'a', 'deny'), workload('StatefulSet', 'b')).check(meshed);
    expect(d).toMatchObject({ allowed: false });
    expect(d.reason).toBe(`denied on the pods of Deployment a: no Server selects the pods; the pod template's default inbound policy deny (${KEY} of Deployment a) `
      + '(allowed on the pods of StatefulSet b: no Server selects the pods; namespace default inbound policy all-unauthenticated)');
    // both allow, for different reasons: allowed
    expect(matrix(ns('deny'), workload('Deployment', 'a', 'all-unauthenticated'), workload('StatefulSet', 'b', 'cluster-unauthenticated')).check(meshed))
      .toMatchObject({ allowed: true, reason: expect.stringContaining('allowed on the pods of every workload: Deployment a: ') });
  });

  test('a Server that selects one workload by a label the Service does not name decides for those pods; the other workload keeps its own default', () => {
    const v1Server = 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: payment-v1, namespace: shop}\nspec: {podSelector: {matchLabels: {app: payment, version: v1}}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: deny}';
    const authz = [
      'apiVersion: policy.linkerd.io/v1alpha1\nkind: MeshTLSAuthentication\nmetadata: {name: order, namespace: shop}\nspec: {identityRefs: [{kind: ServiceAccount, name: order}]}',
      'apiVersion: policy.linkerd.io/v1alpha1\nkind: AuthorizationPolicy\nmetadata: {name: payment-v1-from-order, namespace: shop}\nspec:\n  targetRef: {group: policy.linkerd.io, kind: Server, name: payment-v1}\n  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]',
    ];
    // only v1's pods: the Server's policy admits order, and its deny refuses the others (the namespace would allow them)
    const m = matrix(ns('all-unauthenticated'), workload('Deployment', 'v1', undefined, ', version: v1'), v1Server, ...authz);
    expect(m.check(meshed)).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/payment-v1-from-order (on Server payment-v1)' });
    expect(m.check({ ...meshed, caller: 'shop/cart' })).toMatchObject({ allowed: false, reason: 'no AuthorizationPolicy authorizes the caller; Server shop/payment-v1 accessPolicy deny' });
    // the table decides order by itself (the policy on the workload's Server names it), the unnamed caller by its class
    const table = m.table(['shop/order', 'shop/unnamed'], ['shop/payment']).filter(d => d.method === 'GET' && d.path === '/');
    expect(table.map(d => [d.caller, d.allowed])).toEqual([['shop/order', true], ['shop/unnamed', false]]);
    // v1 and v2 (pods that say deny): the caller's request is refused on v2's pods
    const both = matrix(ns('all-unauthenticated'), workload('Deployment', 'v1', undefined, ', version: v1'), workload('Deployment', 'v2', 'deny', ', version: v2'), v1Server, ...authz);
    expect(both.check(meshed)).toMatchObject({ allowed: false, reason: expect.stringMatching(/^denied on the pods of Deployment v2: .*\(allowed on the pods of Deployment v1: AuthorizationPolicy shop\/payment-v1-from-order/) });
  });

  test('the routes of a workload\'s Server are tried in the table', () => {
    const v1Server = 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: v1-http, namespace: shop}\nspec: {podSelector: {matchLabels: {version: v1}}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: deny}';
    const route = 'apiVersion: policy.linkerd.io/v1beta3\nkind: HTTPRoute\nmetadata: {name: v1-admin, namespace: shop}\nspec:\n  parentRefs: [{group: policy.linkerd.io, kind: Server, name: v1-http}]\n  rules: [{matches: [{method: POST, path: {type: PathPrefix, value: /admin}}]}]';
    const m = matrix(ns('all-unauthenticated'), workload('Deployment', 'v1', undefined, ', version: v1'), v1Server, route);
    expect(m.table(['shop/order'], ['shop/payment']).map(d => `${d.method} ${d.path}`)).toContain('POST /admin');
  });

  describe('config.linkerd.io/proxy-require-identity-inbound-ports: the pod port\'s default admits authenticated callers only (policy-controller inbound index.rs default_inbound_server)', () => {
    const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const withReq = (doc: string, ports: string) => doc.replace(/annotations: \{/, `annotations: {${REQ}: "${ports}", `);
    const podReq = (ports: string, policy?: string) => {
      const doc = workload('Deployment', 'payment', policy ?? 'all-unauthenticated');
      return withReq(doc, ports);
    };

    test('the pod\'s annotation lists the port: an unauthenticated caller is refused, a meshed one allowed (all-unauthenticated -> all-authenticated)', () => {
      for (const ports of ['8080', '80,8080', '8000-9000', ' 8080 ,']) {
        const m = matrix(ns('deny'), podReq(ports));
        expect(m.check(outside)).toMatchObject({
          allowed: false,
          reason: `no Server selects the pods; the pod template's default inbound policy all-unauthenticated (${KEY} of Deployment payment), authenticated callers only on port 8080 `
            + `(the pod template's (Deployment payment) ${REQ}: ${JSON.stringify(ports)}): all-authenticated`,
        });
        expect(m.check(meshed).allowed).toBe(true);
      }
    });

    test('cluster-unauthenticated -> cluster-authenticated; deny and audit unchanged', () => {
      expect(matrix(ns('deny'), podReq('8080', 'cluster-unauthenticated')).check(outside)).toMatchObject({ allowed: false, reason: expect.stringContaining('): cluster-authenticated') });
      expect(matrix(ns('deny'), podReq('8080', 'audit')).check(outside)).toMatchObject({ allowed: true });
      expect(matrix(ns('all-unauthenticated'), podReq('8080', 'deny')).check(meshed)).toMatchObject({ allowed: false });
    });

    test('another port, or a list Linkerd cannot parse (ports.rs parse_portset: the empty set): the port keeps the default', () => {
      for (const ports of ['9090', '8081-9000', '9000-8000', '8080,x', '0', '']) {
        expect(matrix(ns('deny'), podReq(ports)).check(outside)).toMatchObject({ allowed: true });
      }
    });

    test('the namespace\'s annotation, copied by the proxy injector onto pods without their own; a pod\'s own list replaces it', () => {
      const nsReq = withReq(ns('all-unauthenticated'), '8080');
      expect(matrix(nsReq, workload('Deployment', 'payment')).check(outside)).toMatchObject({
        allowed: false,
        reason: `no Server selects the pods; namespace default inbound policy all-unauthenticated, authenticated callers only on port 8080 (the namespace's ${REQ}: "8080"): all-authenticated`,
      });
      // the pods are not among the manifests: the namespace's
      expect(matrix(nsReq).check(outside)).toMatchObject({ allowed: false, reason: expect.stringContaining(`(the namespace's ${REQ}: "8080")`) });
      expect(matrix(nsReq, podReq('9090')).check(outside)).toMatchObject({ allowed: true });
    });

    test('a Server that selects the port decides instead (its accessPolicy replaces the pod\'s default)', () => {
      const server = 'apiVersion: policy.linkerd.io/v1beta3\nkind: Server\nmetadata: {name: payment-8080, namespace: shop}\nspec: {podSelector: {matchLabels: {app: payment}}, port: 8080, proxyProtocol: HTTP/1, accessPolicy: all-unauthenticated}';
      expect(matrix(ns('deny'), podReq('8080'), server).check(outside)).toMatchObject({ allowed: true, reason: expect.stringContaining('Server shop/payment-8080 accessPolicy all-unauthenticated') });
    });
  });
});
