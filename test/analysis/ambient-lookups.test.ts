/**
 * The ambient rules' lookups (issue 26 made them index-based): the pod policies I142 reads are those whose every
 * label the pods carry, each named once; I140 reads a DestinationRule's short host as the Service of the rule's
 * namespace, as the FQDN Istio makes of it. Hand-written YAML, both sides.
 */
import { MeshAnalyzer } from '../../src';

const NS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}`;
const WAYPOINT = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: service}}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]`;
const SVC = `apiVersion: v1
kind: Service
metadata: {name: payment, namespace: shop}
spec:
  selector: {app: payment, tier: api}
  ports: [{name: http, port: 80, targetPort: 8080}]`;
const L7 = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: payment-l7, namespace: shop}
spec:
  targetRefs: [{group: "", kind: Service, name: payment}]
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]`;
/** An ALLOW policy on pods with these labels, from the order service only (not the waypoint). */
const PODS = (name: string, labels: string) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {${labels}}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]`;

const lint = (...docs: string[]) => MeshAnalyzer.analyzeYaml(docs.join('\n---\n') + '\n').findings;

describe('I142: the pod policies ztunnel applies to a Service behind a waypoint', () => {
  test('a policy that selects the pods and does not allow the waypoint: found, and named once though it shares two labels with the pods', () => {
    const found = lint(NS, WAYPOINT, SVC, L7, PODS('payment-pods', 'app: payment, tier: api')).filter(f => f.code === 'I142');
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain('and payment-pods do not allow it');
  });

  test('a policy with a label the pods lack does not select them: no ALLOW policy on the pods, ztunnel allows everyone', () => {
    expect(lint(NS, WAYPOINT, SVC, L7, PODS('other-pods', 'app: payment, tier: batch')).filter(f => f.code === 'I142')).toEqual([]);
  });

  test('of two policies, only the one that selects the pods is named', () => {
    const found = lint(NS, WAYPOINT, SVC, L7, PODS('other-pods', 'app: payment, tier: batch'), PODS('payment-pods', 'tier: api')).filter(f => f.code === 'I142');
    expect(found.map(f => f.message.match(/and (.*) do not allow it/)?.[1])).toEqual(['payment-pods']);
  });
});

describe('I140: a DestinationRule host as the Service it names', () => {
  const NO_WAYPOINT = NS.replace(', istio.io/use-waypoint: waypoint', '');
  const DR = (host: string) => `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payment, namespace: shop}
spec:
  host: ${host}
  subsets: [{name: v1, labels: {version: v1}}]`;

  test.each(['payment', 'payment.shop', 'payment.shop.svc.cluster.local'])('host %s in an ambient namespace without a waypoint: Service shop/payment', host => {
    const found = lint(NO_WAYPOINT, SVC, DR(host)).filter(f => f.code === 'I140');
    expect(found.map(f => f.message.slice(0, 52))).toEqual(['Service shop/payment is ambient and uses no waypoint']);
  });

  test('with the namespace using a waypoint: nothing', () => {
    expect(lint(NS, WAYPOINT, SVC, DR('payment')).filter(f => f.code === 'I140')).toEqual([]);
  });

  test('a short host read from another namespace names that namespace\'s Service: not ambient there, nothing', () => {
    expect(lint(NO_WAYPOINT, SVC, DR('payment').replace('namespace: shop', 'namespace: other'), NS.replace('name: shop', 'name: other').replace(/labels: .*/, 'labels: {team: other}'))
      .filter(f => f.code === 'I140')).toEqual([]);
  });
});

describe('I144: a Service behind a waypoint in a default-deny namespace, and the policies that target it or the waypoint', () => {
  const DENY = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: default-deny, namespace: shop}
spec: {}`;
  const TARGETING = (kind: string, name: string, ns = 'shop') => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: at-${name}, namespace: ${ns}}
spec:
  targetRefs: [{group: "${kind === 'Gateway' ? 'gateway.networking.k8s.io' : ''}", kind: ${kind}, name: ${name}}]
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/shop/sa/order]}}]`;
  const codes = (...docs: string[]) => lint(NS, WAYPOINT, DENY, SVC, ...docs).filter(f => f.code === 'I144').map(f => f.resource);

  test('no policy targets the Service or the waypoint: found', () => {
    expect(codes()).toEqual(['Service shop/payment']);
  });

  test.each([
    ['the Service', TARGETING('Service', 'payment')],
    ['the waypoint Gateway', TARGETING('Gateway', 'waypoint')],
  ])('a policy targets %s: nothing', (_what, policy) => {
    expect(codes(policy)).toEqual([]);
  });

  test.each([
    ['another Service', TARGETING('Service', 'order')],
    ['another Gateway', TARGETING('Gateway', 'ingress')],
    ['the waypoint\'s name in another namespace', TARGETING('Gateway', 'waypoint', 'other')],
    ['a name with a | in it', TARGETING('Service', '"payment|x"')],
  ])('a policy targets %s: still found', (_what, policy) => {
    expect(codes(policy)).toEqual(['Service shop/payment']);
  });
});
