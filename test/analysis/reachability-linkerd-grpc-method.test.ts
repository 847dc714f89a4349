/**
 * Linkerd reachability on a gRPC Server: the proxy matches a gRPC route's matches to POST requests only (linkerd2-proxy
 * linkerd/http/route/src/grpc/match.rs MatchRoute::match_request: `if req.method() != POST { return None }`), a
 * GRPCRoute rule without matches to every request (linkerd/http/route/src/lib.rs find, "implicit default match"), and
 * answers a request no route matches with HTTP 404, or grpc-status 5 NOT_FOUND in an HTTP 200 to an HTTP/2 request with
 * content-type application/grpc (inbound policy/http.rs HttpRouteNotFound; core errors/respond.rs is_grpc). Without
 * GRPCRoutes, the policy controller's default gRPC route has one method match (policy-controller/core/src/inbound.rs
 * Default for InboundRoute<GrpcRouteMatch>): POST only too. Hand-written YAML.
 */
import { ReachabilityMatrix } from '../../src';
import { captureStderr } from '../util';

captureStderr();

const SVC = 'shop.payment.v1.Payment';
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}';
const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {name: payment, namespace: shop}\nspec: {selector: {app: payment}, ports: [{port: 8080, appProtocol: kubernetes.io/h2c}]}';
const SERVER = (accessPolicy: string) => `apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: payment-8080, namespace: shop}
spec: {podSelector: {matchLabels: {app: payment}}, port: 8080, proxyProtocol: gRPC, accessPolicy: ${accessPolicy}}`;
const ROUTE = (name: string, rules: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: ${name}, namespace: shop}
spec:
  parentRefs: [{group: policy.linkerd.io, kind: Server, name: payment-8080}]
  rules: ${rules}`;
const MTLS = `apiVersion: policy.linkerd.io/v1alpha1
kind: MeshTLSAuthentication
metadata: {name: order, namespace: shop}
spec: {identityRefs: [{kind: ServiceAccount, name: order}]}`;
const AUTHZ = (name: string, kind: string, target: string) => `apiVersion: policy.linkerd.io/v1alpha1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  targetRef: {group: ${kind === 'Server' ? 'policy.linkerd.io' : 'gateway.networking.k8s.io'}, kind: ${kind}, name: ${target}}
  requiredAuthenticationRefs: [{group: policy.linkerd.io, kind: MeshTLSAuthentication, name: order}]`;
const matrix = (...docs: string[]) => ReachabilityMatrix.fromYaml([NS, SERVICE, MTLS, ...docs].join('\n---\n'), { defaultNamespace: 'shop' });
const call = (m: ReachabilityMatrix, method: string, path = `/${SVC}/Charge`) => m.check({ caller: 'shop/order', service: 'shop/payment', method, path });

describe('linkerd reachability: a gRPC Server\'s routes match POST requests only', () => {
  test('a GRPCRoute-only Server (no rule without matches): the allowed method is allowed for POST, refused (no route: HTTP 404, or grpc-status 5 in an HTTP 200 to a gRPC request) for GET and PUT', () => {
    const m = matrix(SERVER('deny'), ROUTE('charge', `[{matches: [{method: {type: Exact, service: ${SVC}, method: Charge}}]}]`), AUTHZ('charge', 'GRPCRoute', 'charge'));
    expect(call(m, 'POST')).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/charge (on GRPCRoute charge)' });
    for (const method of ['GET', 'PUT']) {
      const d = call(m, method);
      expect(d.allowed).toBe(false);
      expect(d.reason).toBe('no GRPCRoute of Server shop/payment-8080 matches the request: a gRPC Server\'s proxy matches only POST requests to its gRPC routes (gRPC is always POST; '
        + `linkerd2-proxy grpc/match.rs MatchRoute::match_request), so it answers ${method} with HTTP 404, or, for an HTTP/2 request with content-type application/grpc, `
        + 'with grpc-status 5 NOT_FOUND in an HTTP 200 response ("no route found for request": linkerd2-proxy inbound policy/http.rs HttpRouteNotFound, core errors/respond.rs grpc_response), '
        + 'and no rule of its GRPCRoutes is without matches (a rule without matches matches every request)');
    }
  });

  test('a service-only match still needs POST; an authorization on the Server does not help a GET', () => {
    const m = matrix(SERVER('all-unauthenticated'), ROUTE('svc', `[{matches: [{method: {type: Exact, service: ${SVC}}}]}]`), AUTHZ('on-server', 'Server', 'payment-8080'));
    expect(call(m, 'POST').allowed).toBe(true);
    expect(call(m, 'GET')).toMatchObject({ allowed: false, reason: expect.stringContaining('no GRPCRoute of Server shop/payment-8080 matches the request: a gRPC Server\'s proxy matches only POST') });
  });

  test('a rule without matches (the library\'s catch-all route) matches every method: a GET is decided by that route\'s and the Server\'s authorizations', () => {
    const docs = [SERVER('deny'), ROUTE('charge', `[{matches: [{method: {type: Exact, service: ${SVC}, method: Charge}}]}]`), AUTHZ('charge', 'GRPCRoute', 'charge'), ROUTE('payment-default', '[{}]')];
    // the order's policy is on the Charge route, which a GET does not match: the catch-all's (none) and the Server's deny decide
    expect(call(matrix(...docs), 'GET')).toMatchObject({ allowed: false, reason: 'no AuthorizationPolicy authorizes the caller; Server shop/payment-8080 accessPolicy deny' });
    expect(call(matrix(...docs, AUTHZ('any', 'GRPCRoute', 'payment-default')), 'GET')).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/any (on GRPCRoute payment-default)' });
    // an empty matches list is a rule without matches too
    expect(call(matrix(SERVER('deny'), ROUTE('all', '[{matches: []}]'), AUTHZ('all', 'GRPCRoute', 'all')), 'DELETE').allowed).toBe(true);
  });

  test('a gRPC Server without GRPCRoutes: the policy controller\'s default gRPC route matches POST only; a POST is decided by the Server\'s authorizations', () => {
    const m = matrix(SERVER('deny'), AUTHZ('on-server', 'Server', 'payment-8080'));
    expect(call(m, 'POST')).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/on-server (on Server payment-8080)' });
    expect(call(m, 'GET', '/')).toMatchObject({ allowed: false, reason: expect.stringMatching(/^no route of Server shop\/payment-8080 matches the request: a gRPC Server's proxy matches only POST .* answers GET with HTTP 404, or, for an HTTP\/2 request with content-type application\/grpc, with grpc-status 5 NOT_FOUND in an HTTP 200 response/) });
  });

  test('an HTTP/2 Server is not affected: a GET is decided by its authorizations', () => {
    const m = matrix(SERVER('deny').replace('proxyProtocol: gRPC', 'proxyProtocol: HTTP/2'), AUTHZ('on-server', 'Server', 'payment-8080'));
    expect(call(m, 'GET').allowed).toBe(true);
  });
});

/**
 * A GRPCRoute match without a `method` (a headers-only match): the policy controller admits and sends it as a route
 * match without an RPC match (policy-controller/k8s/index/src/routes/grpc.rs try_match: `method` is optional;
 * grpc/src/routes/grpc.rs convert_match: `rpc: None`), which the proxy refuses ("missing RPC match": linkerd2-proxy
 * linkerd/http/route/src/grpc/match.rs MatchRoute::try_from). One invalid route fails the whole port's policy
 * (proxy/server-policy/src/lib.rs ServerPolicy::try_from, InvalidServer::GrpcRoute), and the proxy serves the port
 * with its invalid-server policy, which authorizes nothing (app/inbound/src/policy/api.rs, ServerPolicy::invalid).
 */
describe('linkerd reachability: a GRPCRoute match without a method makes the proxy refuse the whole port', () => {
  const HEADERS_ONLY = '[{matches: [{headers: [{name: x-tenant, value: acme}]}]}]';
  const docs = [SERVER('deny'), ROUTE('charge', `[{matches: [{method: {type: Exact, service: ${SVC}, method: Charge}}]}]`), AUTHZ('charge', 'GRPCRoute', 'charge')];
  const INVALID = 'the proxy refuses the policy of Server shop/payment-8080: GRPCRoute tenant has a match without a method (spec.rules[0].matches[0]), which the policy controller sends as a route match without an RPC match '
    + '(policy-controller grpc/src/routes/grpc.rs convert_match) and the proxy refuses ("missing RPC match": linkerd2-proxy http/route grpc/match.rs MatchRoute::try_from); '
    + 'one invalid route makes the whole port\'s policy invalid (proxy/server-policy ServerPolicy::try_from), and the proxy then serves the port with a policy that authorizes nothing '
    + '(app/inbound policy/api.rs, ServerPolicy::invalid): every request is denied, HTTP 403 or grpc-status 7 PERMISSION_DENIED; give each match a method (e.g. method: {service: ' + SVC + '}), or drop the match for a rule without matches';

  test('without the method-less match the authorized POST is allowed (the other side)', () => {
    expect(call(matrix(...docs), 'POST')).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/charge (on GRPCRoute charge)' });
  });

  test('a headers-only match on another GRPCRoute of the Server denies every request to the port, the authorized POST too', () => {
    const m = matrix(...docs, ROUTE('tenant', HEADERS_ONLY));
    for (const [method, path] of [['POST', `/${SVC}/Charge`], ['POST', `/${SVC}/Refund`], ['GET', '/']]) {
      expect(call(m, method, path)).toMatchObject({ allowed: false, reason: INVALID });
    }
  });

  test('an all-unauthenticated Server is refused too (the invalid policy authorizes nothing); a null method is no method', () => {
    const m = matrix(SERVER('all-unauthenticated'), ROUTE('tenant', '[{matches: [{method: {type: Exact, service: x.Y}}, {method: null}]}]'));
    expect(call(m, 'POST', '/x.Y/Z')).toMatchObject({ allowed: false, reason: expect.stringContaining('GRPCRoute tenant has a match without a method (spec.rules[0].matches[1])') });
    // an empty match is a match without a method too (unlike a rule without matches, `matches: []`: the implicit default match)
    expect(call(matrix(SERVER('all-unauthenticated'), ROUTE('tenant', '[{matches: [{}]}]')), 'POST')).toMatchObject({ allowed: false, reason: expect.stringContaining('GRPCRoute tenant has a match without a method (spec.rules[0].matches[0])') });
    expect(call(matrix(SERVER('all-unauthenticated'), ROUTE('tenant', '[{matches: []}]')), 'POST').allowed).toBe(true);
  });

  test('a GRPCRoute the policy controller ignores (a RegularExpression method match) does not invalidate the port, nor does one on an HTTP/2 Server', () => {
    const ignored = ROUTE('tenant', `[{matches: [{method: {type: RegularExpression, service: ${SVC}, method: 'Char.*'}}]}, {matches: [{headers: [{name: x-tenant, value: acme}]}]}]`);
    expect(call(matrix(...docs, ignored), 'POST')).toMatchObject({ allowed: true, reason: 'AuthorizationPolicy shop/charge (on GRPCRoute charge)' });
    const http2 = matrix(SERVER('deny').replace('proxyProtocol: gRPC', 'proxyProtocol: HTTP/2'), AUTHZ('on-server', 'Server', 'payment-8080'), ROUTE('tenant', HEADERS_ONLY));
    expect(call(http2, 'POST').allowed).toBe(true);
  });
});
