/**
 * The bad-input corpus: each case builds a construct with one bad prop and asserts the exact error:
 * the construct path, the prop, the value received and the fix. Cases that do not depend on the mesh
 * run on all three. To add a case: append { name, meshes, build, error } below.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRelease, CanaryReleaseProps, EgressPolicy, EgressPolicyProps, EgressProtocol, FaultInjection, FaultInjectionProps, HeaderMatch, HttpMethod, Identity,
  IngressGateway, IngressGatewayProps, IstioDataPlane, IstioWaypointScope, Mesh, MeshClusterProps, MtlsExceptionMode, MtlsPhase, MultiClusterExport,
  MultiClusterExportProps, PathMatch, ReleaseVersion, ResilientService, ResilientServiceProps, ServiceProtocol, ServiceRef, TraceTag, TrafficTelemetry,
  TrafficTelemetryProps, ZeroTrustNamespace,
  ZeroTrustNamespaceProps,
} from '../src';
import { captureStderr } from './util';

captureStderr();

const ALL = ['istio', 'linkerd', 'consul'] as const;
type MeshName = typeof ALL[number] | 'istio-ambient';
const AMBIENT = ['istio-ambient'] as const;
const PER_SERVICE = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT, waypointScope: IstioWaypointScope.SERVICE });
const meshOf = (m: MeshName) => ({ 'istio': Mesh.istio(), 'istio-ambient': Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), 'linkerd': Mesh.linkerd(), 'consul': Mesh.consul() })[m];
const payment = () => ServiceRef.fromName('payment', { port: 8080 });

interface Case {
  readonly name: string;
  readonly meshes: readonly MeshName[];
  readonly build: (chart: Chart, mesh: Mesh) => void;
  /** The whole error message. */
  readonly error: string;
}

const resilient = (over: Partial<ResilientServiceProps>) => (chart: Chart, mesh: Mesh) =>
  new ResilientService(chart, 'svc', { mesh, service: payment(), circuitBreaker: mesh.kind === 'linkerd' ? undefined : {}, callers: [ServiceRef.fromName('order', { port: 8080 })], ...over });
const canary = (over: Partial<CanaryReleaseProps>) => (chart: Chart, mesh: Mesh) =>
  new CanaryRelease(chart, 'release', { mesh, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v2'), canaryWeight: 10, healthAlert: {}, ...over });
const zeroTrust = (over: Partial<ZeroTrustNamespaceProps>) => (chart: Chart, mesh: Mesh) =>
  new ZeroTrustNamespace(chart, 'zt', { mesh, allow: [{ callers: [Identity.serviceAccount('order')], to: payment() }], ...over });

const fault = (over: Partial<FaultInjectionProps>) => (chart: Chart, mesh: Mesh) =>
  new FaultInjection(chart, 'chaos', {
    mesh, service: payment(), delay: { fixedDelay: Duration.seconds(2), percent: 10 }, abort: { httpStatus: 503, percent: 5 }, match: [HeaderMatch.exact('x-chaos', 'true')], ...over,
  });
const CLUSTERS: MeshClusterProps[] = [
  { name: 'us-west', network: 'net-us', region: 'us-west1', services: [payment()], gatewayAddress: 'gw.us-west.example.com' },
  { name: 'eu-west', network: 'net-eu', region: 'europe-west1', services: [payment()], gatewayAddress: '203.0.113.10' },
];
const multiCluster = (over: Partial<MultiClusterExportProps>) => (chart: Chart, mesh: Mesh) =>
  new MultiClusterExport(chart, 'mc', {
    mesh, clusters: CLUSTERS, exports: [{ service: payment(), cluster: 'eu-west', consumers: ['us-west'], callers: [Identity.serviceAccount('order')] }], ...over,
  });
const telemetry = (over: Partial<TrafficTelemetryProps>) => (chart: Chart, mesh: Mesh) =>
  new TrafficTelemetry(chart, 'telemetry', { mesh, tracing: { samplingPercentage: 1, customTags: { env: TraceTag.literal('production') } }, ...over });
const egress = (over: Partial<EgressPolicyProps>) => (chart: Chart, mesh: Mesh) =>
  new EgressPolicy(chart, 'egress', { mesh, hosts: [{ host: 'api.stripe.com' }], ...over });
const ingress = (over: Partial<IngressGatewayProps>) => (chart: Chart, mesh: Mesh) =>
  new IngressGateway(chart, 'edge', {
    mesh,
    host: 'shop.example.com',
    tlsSecretName: 'shop-example-com-tls',
    routes: [{ pathPrefix: '/', service: ServiceRef.fromName('web', { port: 8080 }) }, { pathPrefix: '/api', service: ServiceRef.fromName('order', { port: 8080 }) }],
    ...over,
  });

const R = '[test/svc] ';
const C = '[test/release] ';
const Z = '[test/zt] ';

const CASES: Case[] = [
  // ResilientService: service references
  { name: 'empty service name', meshes: ALL, build: resilient({ service: ServiceRef.fromName('', { port: 8080 }) }), error: `${R}service.name: got "": a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service` },
  { name: 'service name with upper case', meshes: ALL, build: resilient({ service: ServiceRef.fromName('Payment', { port: 8080 }) }), error: `${R}service.name: got "Payment": a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service` },
  { name: 'service name of 64 characters', meshes: ALL, build: resilient({ service: ServiceRef.fromName('a'.repeat(64), { port: 8080 }) }), error: `${R}service.name: got "${'a'.repeat(64)}": a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service` },
  { name: 'port 0', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 0 }) }), error: `${R}service.port: got 0: a port must be a whole number from 1 to 65535; pass { port: 8080 } (or give the Service a port)` },
  { name: 'port 65536', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 65536 }) }), error: `${R}service.port: got 65536: a port must be a whole number from 1 to 65535; pass { port: 8080 } (or give the Service a port)` },
  { name: 'namespace with a dot', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, namespace: 'shop.prod' }) }), error: `${R}service.namespace: got "shop.prod": a namespace must be a DNS-1123 label; fix the namespace` },
  { name: 'service that selects no pods', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, selector: {} }) }), error: `${R}service.selector: got {}: the Service selects no pods, so mesh policies for it would select the whole namespace; give the Service a selector (e.g. app: payment)` },
  { name: 'no service', meshes: ALL, build: resilient({ service: undefined as any }), error: `${R}service: got undefined: a service reference is required; pass service: ServiceRef.fromName('payment', { port: 8080 }) or ServiceRef.fromService(svc)` },
  // ResilientService: durations
  { name: 'timeout below 1ms', meshes: ALL, build: resilient({ timeout: Duration.millis(0.5) }), error: `${R}timeout: got 0.5ms: durations must be at least 1ms; use Duration.millis(1) or more` },
  { name: 'timeout of 0', meshes: ALL, build: resilient({ timeout: Duration.millis(0) }), error: `${R}timeout: got 0ms: durations must be at least 1ms; use Duration.millis(1) or more` },
  { name: 'timeout not whole milliseconds', meshes: ALL, build: resilient({ timeout: Duration.millis(2.5) }), error: `${R}timeout: got 2.5ms: durations must be a whole number of milliseconds (2.5ms); use Duration.millis(3)` },
  { name: 'timeout not a Duration', meshes: ALL, build: resilient({ timeout: '3s' as any }), error: `${R}timeout: got "3s": must be a cdk8s Duration; use Duration.millis(), Duration.seconds() or Duration.minutes()` },
  { name: 'circuit breaker interval below 1ms', meshes: ['istio', 'consul'], build: resilient({ circuitBreaker: { interval: Duration.millis(0) } }), error: `${R}circuitBreaker.interval: got 0ms: durations must be at least 1ms; use Duration.millis(1) or more` },
  // ResilientService: retries
  { name: 'retry attempts 0', meshes: ALL, build: resilient({ retries: { attempts: 0 } }), error: `${R}retries.attempts: got 0: retry attempts must be a whole number from 1 to 10 (more is a retry storm); use attempts: 3, or noRetries: true on a route to turn retries off` },
  { name: 'retry attempts 11', meshes: ALL, build: resilient({ retries: { attempts: 11 } }), error: `${R}retries.attempts: got 11: retry attempts must be a whole number from 1 to 10 (more is a retry storm); use attempts: 3, or noRetries: true on a route to turn retries off` },
  { name: 'retries longer than the timeout', meshes: ['istio', 'linkerd'], build: resilient({ timeout: Duration.seconds(2), retries: { attempts: 3, perTryTimeout: Duration.seconds(1), retryOn: [] as any, retryOnStatusCodes: [503] } }), error: `${R}timeout: got "2000ms": the timeout leaves no room for the retries: (retries.attempts + 1 first try) x retries.perTryTimeout = 4 x 1000ms = 4000ms > 2000ms; raise the timeout to at least 4000ms, or lower attempts or perTryTimeout` },
  { name: 'status code 99', meshes: ALL, build: resilient({ retries: { attempts: 1, retryOnStatusCodes: [99] } }), error: `${R}retries.retryOnStatusCodes[0]: got 99: an HTTP status code is a whole number from 100 to 599; use e.g. 503` },
  { name: 'unknown retry condition', meshes: ALL, build: resilient({ retries: { attempts: 1, retryOn: ['timeout' as any] } }), error: `${R}retries.retryOn[0]: got "timeout": not a retry condition; use a RetryOn value, e.g. RetryOn.SERVER_ERROR` },
  { name: 'no retry condition at all', meshes: ALL, build: resilient({ retries: { attempts: 1, retryOn: [] } }), error: `${R}retries.retryOn: got []: a retry policy needs at least one condition; leave retryOn out for the default conditions, or list some` },
  {
    name: 'retrying POST without opting in',
    meshes: ALL,
    build: resilient({ routes: [{ name: 'pay', match: { methods: [HttpMethod.POST] }, retries: { attempts: 2, retryOnStatusCodes: [503], retryOn: [] as any } }] }),
    error: `${R}routes[0]: got "POST": retries would apply to non-idempotent POST requests, which may then be processed twice; set noRetries: true on route "pay", or list "pay" in retryNonIdempotentRoutes if the handler is idempotent`,
  },
  {
    name: 'retrying PATCH without opting in',
    meshes: ALL,
    build: resilient({ routes: [{ name: 'edit', match: { methods: [HttpMethod.PATCH] }, retries: { attempts: 2, retryOnStatusCodes: [503], retryOn: [] as any } }] }),
    error: `${R}routes[0]: got "PATCH": retries would apply to non-idempotent PATCH requests, which may then be processed twice; set noRetries: true on route "edit", or list "edit" in retryNonIdempotentRoutes if the handler is idempotent`,
  },
  { name: 'opt-in for a route that does not exist', meshes: ALL, build: resilient({ retryNonIdempotentRoutes: ['missing'] }), error: `${R}retryNonIdempotentRoutes: got "missing": there is no route named "missing"; use one of: default` },
  // ResilientService: routes
  { name: 'route without a condition', meshes: ALL, build: resilient({ routes: [{ name: 'all', match: {} }] }), error: `${R}routes[0].match: got {}: a route override needs a condition (path, methods or headers); set match: { path: PathMatch.prefix('/api') } or use the service-wide settings` },
  { name: 'route named default', meshes: ALL, build: resilient({ routes: [{ name: 'default', match: { path: PathMatch.prefix('/a') } }] }), error: `${R}routes[0].name: got "default": "default" is the name of the service-wide rule; rename the route` },
  { name: 'route path without a slash', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.prefix('api') } }] }), error: `${R}routes[0].match.path: got "api": a path must start with "/"; use e.g. PathMatch.prefix('/api')` },
  { name: 'route regex that does not compile', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.regex('/(a') } }] }), error: `${R}routes[0].match.path: got "/(a": not an RE2 regular expression, the syntax every mesh reads (missing closing ): \`/(a\`; RE2 has no look-around and no back-references); use e.g. PathMatch.prefix('/api')` },
  { name: 'route header with a space in its name', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { headers: [HeaderMatch.exact('x user', '1')] } }] }), error: `${R}routes[0].match.headers[0]: got "x user": a header name must be a non-empty HTTP token; use HeaderMatch.exact('x-canary', 'true')` },
  { name: 'route with no methods', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { methods: [] } }] }), error: `${R}2 problems:\n  - routes[0].match: got {"methods":[]}: a route override needs a condition (path, methods or headers); set match: { path: PathMatch.prefix('/api') } or use the service-wide settings\n  - routes[0].match.methods: got []: an empty method list matches nothing; leave methods out to match every method` },
  { name: 'noRetries with retries', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.prefix('/a') }, noRetries: true, retries: { attempts: 1 } }] }), error: `${R}routes[0].noRetries: got true: noRetries and retries exclude each other; remove one of them` },
  // ResilientService: circuit breaker, pool, rate limit
  { name: 'max ejection 100% without opting in', meshes: ['istio', 'consul'], build: resilient({ circuitBreaker: { maxEjectionPercent: 100 } }), error: `${R}circuitBreaker.maxEjectionPercent: got 100: ejecting 100% of the endpoints can leave the service with none at all; use at most 50 (a common choice), or set allowFullEjection: true if an empty pool is acceptable` },
  { name: 'max ejection 101%', meshes: ['istio', 'consul'], build: resilient({ circuitBreaker: { maxEjectionPercent: 101 }, allowFullEjection: true }), error: `${R}circuitBreaker.maxEjectionPercent: got 101: a percentage must be a whole number from 0 to 100; use e.g. maxEjectionPercent: 50` },
  { name: 'consecutive errors 0', meshes: ['istio', 'consul'], build: resilient({ circuitBreaker: { consecutiveErrors: 0 } }), error: `${R}circuitBreaker.consecutiveErrors: got 0: must be a whole number of at least 1; use e.g. consecutiveErrors: 5` },
  { name: 'connection pool of 0', meshes: ['istio', 'consul'], build: resilient({ connectionPool: { maxConnections: 0 } }), error: `${R}connectionPool.maxConnections: got 0: must be a whole number from 1 to 2147483647; use e.g. maxConnections: 100` },
  { name: 'rate limit of 0', meshes: ['istio', 'linkerd'], build: resilient({ rateLimit: { requestsPerSecond: 0 } }), error: `${R}rateLimit.requestsPerSecond: got 0: must be a whole number of at least 1; use e.g. requestsPerSecond: 100` },
  { name: 'per-caller limit above the total', meshes: ['linkerd'], build: resilient({ rateLimit: { requestsPerSecond: 10, perCallerRequestsPerSecond: 20 } }), error: `${R}rateLimit.perCallerRequestsPerSecond: got 20: must be a whole number from 1 to the total (10); lower it, or raise requestsPerSecond` },
  { name: 'L7 settings on a TCP service', meshes: ALL, build: resilient({ service: ServiceRef.fromName('db', { port: 5432, protocol: ServiceProtocol.TCP }), circuitBreaker: undefined, timeout: Duration.seconds(1) }), error: `${R}timeout: got 1s: service db speaks opaque TCP, where HTTP timeouts, retries, routes and rate limits do not apply; declare the port as ServiceProtocol.HTTP, HTTP2 or GRPC, or remove the setting` },
  // ResilientService: unsupported per mesh
  { name: 'connection pool on Linkerd', meshes: ['linkerd'], build: resilient({ connectionPool: { maxConnections: 10 } }), error: `${R}connectionPool.maxConnections: got 10: Linkerd cannot express this (Linkerd has no connection-pool limits); remove connectionPool for Linkerd (use a rate limit to protect the service), or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  { name: 'per-try timeout on Consul', meshes: ['consul'], build: resilient({ retries: { attempts: 1, perTryTimeout: Duration.seconds(1) } }), error: `${R}retries.perTryTimeout: got "1s": Consul cannot express this (ServiceRouter destinations have a request timeout and a retry count, but no per-try timeout); remove perTryTimeout for Consul (requestTimeout bounds the whole request), or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  { name: 'rate limit on Consul CE', meshes: ['consul'], build: resilient({ rateLimit: { requestsPerSecond: 5 } }), error: `${R}rateLimit: got "5/s": Consul cannot express this (ServiceDefaults rateLimits is a Consul Enterprise feature); use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or remove rateLimit, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  { name: 'per-caller limit on Istio', meshes: ['istio'], build: resilient({ rateLimit: { requestsPerSecond: 5, perCallerRequestsPerSecond: 1 } }), error: `${R}rateLimit.perCallerRequestsPerSecond: got 1: Istio cannot express this (Envoy's local rate limit filter has one token bucket per workload, not per caller identity); remove it for Istio (a global rate limit service can key on identity), or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  // CanaryRelease
  { name: 'canary weight 101', meshes: ALL, build: canary({ canaryWeight: 101 }), error: `${C}canaryWeight: got 101: a weight is a whole percentage from 0 to 100, so that stable and canary shares sum to exactly 100; use e.g. 10` },
  { name: 'canary weight -1', meshes: ALL, build: canary({ canaryWeight: -1 }), error: `${C}canaryWeight: got -1: a weight is a whole percentage from 0 to 100, so that stable and canary shares sum to exactly 100; use e.g. 10` },
  { name: 'canary weight 33.3', meshes: ALL, build: canary({ canaryWeight: 33.3 }), error: `${C}canaryWeight: got 33.3: a weight is a whole percentage from 0 to 100, so that stable and canary shares sum to exactly 100; use e.g. 10` },
  { name: 'steps that go down', meshes: ALL, build: canary({ canaryWeight: undefined, steps: [{ weight: 50 }, { weight: 10 }] }), error: `${C}steps[1].weight: got 10: steps must raise the canary's share (the previous step is 50); order the steps by increasing weight; roll back by choosing an earlier step` },
  { name: 'a step outside the plan', meshes: ALL, build: canary({ canaryWeight: undefined, steps: [{ weight: 50 }, { weight: 100 }], step: 3 }), error: `${C}step: got 3: must be a whole number from 1 to 2 (the number of steps); pick a step from 1 to 2` },
  { name: 'step without steps', meshes: ALL, build: canary({ step: 2 }), error: `${C}step: got 2: step picks one of steps, and no steps are given; add steps, or set canaryWeight` },
  { name: 'empty plan', meshes: ALL, build: canary({ canaryWeight: undefined, steps: [] }), error: `${C}steps: got []: a release plan needs at least one step; use e.g. steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }]` },
  { name: 'same version twice', meshes: ALL, build: canary({ canary: ReleaseVersion.of('v1') }), error: `${C}canary.version: got "v1": stable and canary select the same pods; give the canary its own version label value` },
  { name: 'version with upper case', meshes: ALL, build: canary({ canary: ReleaseVersion.of('V2') }), error: `${C}canary.version: got "V2": a version is used as a subset and Service name suffix: a DNS-1123 label of at most 40 characters; use e.g. 'v2'` },
  { name: 'no stable version', meshes: ALL, build: canary({ stable: undefined as any }), error: `${C}stable: got undefined: a release version is required; use ReleaseVersion.of('v1') or ReleaseVersion.fromDeployment(deployment, 'v2')` },
  { name: 'test request without headers', meshes: ALL, build: canary({ canaryRequests: [{}] }), error: `${C}canaryRequests[0]: got {}: a canary request match needs headers or a cookie; use { headers: [HeaderMatch.exact('x-test-user', 'true')] }` },
  { name: 'mirror 0%', meshes: ['istio'], build: canary({ mirrorPercent: 0 }), error: `${C}mirrorPercent: got 0: a mirrored share is a percentage above 0 and at most 100; use e.g. mirrorPercent: 10` },
  { name: 'mirror on Linkerd', meshes: ['linkerd'], build: canary({ mirrorPercent: 10 }), error: `${C}mirrorPercent: got 10: Linkerd cannot express this (Linkerd's outbound routes do not support the RequestMirror filter); send test traffic to the canary with canaryRequests instead, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  { name: 'mirror on Consul', meshes: ['consul'], build: canary({ mirrorPercent: 10 }), error: `${C}mirrorPercent: got 10: Consul cannot express this (Consul's discovery chain has no traffic mirroring); send test traffic to the canary with canaryRequests instead, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out` },
  { name: 'SMI on Istio', meshes: ['istio'], build: canary({ smiTrafficSplit: true }), error: `${C}smiTrafficSplit: got true: SMI TrafficSplit is a Linkerd (linkerd-smi) option, not Istio's; remove smiTrafficSplit` },
  { name: 'alert window of 30s', meshes: ALL, build: canary({ healthAlert: { window: Duration.seconds(30) } }), error: `${C}healthAlert.window: got 30s: a rate window under 1m holds too few scrapes to be meaningful; use Duration.minutes(1) or more (5m is usual)` },
  { name: 'alert error rate 0', meshes: ALL, build: canary({ healthAlert: { maxErrorRatePercent: 0 } }), error: `${C}healthAlert.maxErrorRatePercent: got 0: a percentage above 0 and at most 100; use e.g. 1` },
  // ZeroTrustNamespace
  { name: 'wildcard caller', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('*')], to: payment() }] }), error: `${Z}allow[0].callers[0]: got "*": wildcards are not allowed in identities ("*"): name each caller; use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)` },
  { name: 'empty callers', meshes: ALL, build: zeroTrust({ allow: [{ callers: [], to: payment() }] }), error: `${Z}allow[0].callers: got []: a rule must name its callers: an empty \`callers\` would match every caller; list identities, e.g. callers: [Identity.serviceAccount('order')]` },
  { name: 'caller name with upper case', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('Order')], to: payment() }] }), error: `${Z}allow[0].callers[0]: got "Order": "Order" is not a valid service account name; use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)` },
  { name: 'rule without a service', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: undefined as any }] }), error: `${Z}allow[0].to: got undefined: a service reference is required; use ServiceRef.fromName('payment', { port: 8080 })` },
  { name: 'regex path in a rule', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.regex('/a.*')] }] }), error: `${Z}allow[0].paths[0]: got "/a.*": authorization paths are exact or prefix matches (regular expressions are not supported by Istio or Linkerd authorization); use PathMatch.exact('/process-payment') or PathMatch.prefix('/api')` },
  { name: 'empty method list', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), methods: [] }] }), error: `${Z}allow[0].methods: got []: an empty method list matches nothing; leave methods out to allow every method` },
  { name: 'duplicate rule names', meshes: ALL, build: zeroTrust({ allow: [{ name: 'a', callers: [Identity.serviceAccount('x')], to: payment() }, { name: 'a', callers: [Identity.serviceAccount('y')], to: payment() }] }), error: `${Z}allow[1].name: got "a": rule names must be unique; rename the rule` },
  { name: 'requireJwt without an issuer', meshes: ['istio', 'consul'], build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), requireJwt: true }] }), error: `${Z}allow[0].requireJwt: got true: no JWT issuer is configured; set jwt: { issuer, jwksUri }` },
  { name: 'JWKS over ftp', meshes: ['istio', 'consul'], build: zeroTrust({ jwt: { issuer: 'https://a.example.com', jwksUri: 'ftp://a.example.com/keys' } }), error: `${Z}jwt.jwksUri: got "ftp://a.example.com/keys": the JWKS URI must be an http or https URL; e.g. 'https://auth.example.com/.well-known/jwks.json'` },
  { name: 'exception without a reason', meshes: ['istio', 'linkerd'], build: zeroTrust({ mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: '' }] }), error: `${Z}mtlsExceptions[0].reason: got "": every exception states its reason; e.g. reason: 'Prometheus scrapes /metrics from outside the mesh'` },
  { name: 'STRICT with a caller outside the mesh', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('legacy', { outsideMesh: true })], to: payment() }] }), error: `${Z}allow[0].callers: got "shop/legacy": shop/legacy is outside the mesh and cannot present an mTLS identity, so STRICT mTLS would refuse it on payment; stay in MtlsPhase.PERMISSIVE until it joins the mesh, or add an mtlsExceptions entry for payment port 8080 with its reason` },
  { name: 'deny rules on Linkerd', meshes: ['linkerd'], build: zeroTrust({ deny: [{ callers: [Identity.serviceAccount('web')], to: payment() }] }), error: `${Z}deny: got "1 rule(s)": Linkerd cannot express this (Linkerd authorization policies only allow; everything not allowed is already denied); remove the deny rules and narrow the allow rules instead` },
  { name: 'JWT on Linkerd', meshes: ['linkerd'], build: zeroTrust({ jwt: { issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/keys' } }), error: `${Z}jwt: got "https://a.example.com": Linkerd cannot express this (Linkerd has no JWT request authentication (linkerd2#3704)); validate tokens at the ingress controller or in the application, and remove jwt/requireJwt for Linkerd` },
  { name: 'zero-trust namespace of 64 characters', meshes: ALL, build: zeroTrust({ namespace: 'a'.repeat(64) }), error: `${Z}namespace: got "${'a'.repeat(64)}": a zero-trust namespace needs a namespace (a DNS-1123 label); pass namespace: 'shop', or give the chart a namespace` },
  // conflicting patterns on one service
  {
    name: 'two ResilientServices for one service',
    meshes: ALL,
    build: (chart, mesh) => {
      resilient({})(chart, mesh);
      new ResilientService(chart, 'svc2', { mesh, service: payment(), timeout: Duration.seconds(1) });
    },
    error: '[test/svc2] service: got payment, but [test/svc] already configures its resilience; use one ResilientService per service (routes can differ per path with `routes`)',
  },
  {
    name: 'two releases of one service',
    meshes: ALL,
    build: (chart, mesh) => {
      canary({})(chart, mesh);
      new CanaryRelease(chart, 'release2', { mesh, service: payment(), stable: ReleaseVersion.of('v1'), canary: ReleaseVersion.of('v3'), canaryWeight: 5 });
    },
    error: '[test/release2] service: got payment, but [test/release] already releases it; one CanaryRelease per service',
  },
  // FaultInjection
  { name: 'fault on all traffic without opting in', meshes: ['istio'], build: fault({ match: undefined }), error: "[test/chaos] match: got undefined: without a header match, every caller of the service gets the faults: an outage on purpose; limit them to test requests with match: [HeaderMatch.exact('x-chaos', 'true')], or set allowOnAllTraffic: true" },
  { name: 'fault with neither delay nor abort', meshes: ['istio'], build: fault({ delay: undefined, abort: undefined }), error: '[test/chaos] delay: got undefined: a fault injection needs a delay, an abort or both; set delay: { fixedDelay, percent } or abort: { httpStatus, percent }' },
  { name: 'abort on 0% of requests', meshes: ['istio'], build: fault({ abort: { httpStatus: 503, percent: 0 } }), error: '[test/chaos] abort.percent: got 0: a share of requests is a percentage above 0 and at most 100; use e.g. abort.percent: 10' },
  { name: 'abort on 101% of requests', meshes: ['istio'], build: fault({ abort: { httpStatus: 503, percent: 101 } }), error: '[test/chaos] abort.percent: got 101: a share of requests is a percentage above 0 and at most 100; use e.g. abort.percent: 10' },
  { name: 'abort status 199', meshes: ['istio'], build: fault({ abort: { httpStatus: 199, percent: 1 } }), error: '[test/chaos] abort.httpStatus: got 199: an abort status is a whole number from 200 to 599; use e.g. 503' },
  { name: 'abort status 600', meshes: ['istio'], build: fault({ abort: { httpStatus: 600, percent: 1 } }), error: '[test/chaos] abort.httpStatus: got 600: an abort status is a whole number from 200 to 599; use e.g. 503' },
  { name: 'delay of 0', meshes: ['istio'], build: fault({ delay: { fixedDelay: Duration.millis(0), percent: 1 } }), error: '[test/chaos] delay.fixedDelay: got 0ms: durations must be at least 1ms; use Duration.millis(1) or more' },
  { name: 'fault injection where the mesh has none (linkerd)', meshes: ['linkerd'], build: fault({}), error: '[test/chaos] delay: got 10: Linkerd cannot express this (Linkerd has no fault injection); inject faults in a test client or the application, or route a share of test traffic to a Service that returns errors' },
  { name: 'fault injection where the mesh has none (consul)', meshes: ['consul'], build: fault({}), error: '[test/chaos] delay: got 10: Consul cannot express this (Consul has no fault injection (only through Envoy extensions)); inject faults in a test client or the application, or use a ProxyDefaults envoyExtensions Lua filter' },
  {
    name: 'two fault injections on one service',
    meshes: ['istio'],
    build: (chart, mesh) => {
      fault({})(chart, mesh);
      new FaultInjection(chart, 'chaos2', { mesh, service: payment(), abort: { httpStatus: 500, percent: 1 }, match: [HeaderMatch.exact('x-chaos', 'true')] });
    },
    error: '[test/chaos2] service: got payment, but [test/chaos] already injects faults into it; one FaultInjection per service',
  },
  // MultiClusterExport
  { name: 'a single cluster', meshes: ALL, build: multiCluster({ clusters: [CLUSTERS[0]], exports: [] }), error: '[test/mc] clusters: got 1: a multi-cluster mesh has at least two clusters; declare every cluster that exports or consumes' },
  { name: 'two clusters with one name', meshes: ALL, build: multiCluster({ clusters: [CLUSTERS[0], { ...CLUSTERS[1], name: 'us-west' }], exports: [] }), error: '[test/mc] clusters[1].name: got "us-west": cluster names must be unique; rename the cluster' },
  { name: 'a consumer that is not a cluster', meshes: ALL, build: multiCluster({ exports: [{ service: payment(), cluster: 'eu-west', consumers: ['ap-south'] }] }), error: '[test/mc] exports[0].consumers[0]: got "ap-south": no such cluster: every consumer must be a declared cluster; use one of: us-west, eu-west' },
  { name: 'a cluster exporting to itself', meshes: ALL, build: multiCluster({ exports: [{ service: payment(), cluster: 'eu-west', consumers: ['eu-west'] }] }), error: '[test/mc] exports[0].consumers[0]: got "eu-west": a cluster does not export to itself; remove it' },
  { name: 'exporting a service the cluster does not run', meshes: ALL, build: multiCluster({ clusters: [CLUSTERS[0], { ...CLUSTERS[1], services: [] }] }), error: '[test/mc] exports[0].service: got "payment": cluster eu-west does not run payment, so it cannot export it; add it to clusters[1].services, or export it from the cluster that runs it' },
  { name: 'sameness groups on Consul CE', meshes: ['consul'], build: multiCluster({ consulSamenessGroup: 'shop' }), error: '[test/mc] consulSamenessGroup: got "shop": Consul cannot express this (sameness groups are a Consul Enterprise feature); use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or name the peers (remove consulSamenessGroup)' },
  // TrafficTelemetry
  { name: 'telemetry with nothing to configure', meshes: ['istio'], build: telemetry({ tracing: undefined }), error: "[test/telemetry] tracing: got undefined: telemetry needs tracing, accessLogging or metrics; set e.g. tracing: { provider: 'jaeger', samplingPercentage: 1 }" },
  { name: 'sampling above 100%', meshes: ['istio'], build: telemetry({ tracing: { samplingPercentage: 100.5 } }), error: '[test/telemetry] tracing.samplingPercentage: got 100.5: a sampling percentage is a number from 0 to 100 (1 means 1 %); use e.g. samplingPercentage: 1' },
  { name: 'negative sampling', meshes: ['istio'], build: telemetry({ tracing: { samplingPercentage: -1 } }), error: '[test/telemetry] tracing.samplingPercentage: got -1: a sampling percentage is a number from 0 to 100 (1 means 1 %); use e.g. samplingPercentage: 1' },
  { name: 'access-log filter that is not CEL', meshes: ['istio'], build: telemetry({ tracing: undefined, accessLogging: { filter: 'response.code >= 400 &&' } }), error: "[test/telemetry] accessLogging.filter: got \"response.code >= 400 &&\": not a CEL expression (<input>:1:22: found & but expecting end of input); write a CEL expression over Envoy attributes, e.g. 'response.code >= 400'" },
  { name: 'trace tag that is not a TraceTag', meshes: ['istio'], build: telemetry({ tracing: { customTags: { env: 'production' as any } } }), error: "[test/telemetry] tracing.customTags.env: got \"production\": not a TraceTag; use TraceTag.literal('production'), TraceTag.fromEnvironment('ISTIO_META_CLUSTER_ID') or TraceTag.fromHeader('x-tenant')" },
  { name: 'a metric tag removed and set', meshes: ['istio'], build: telemetry({ tracing: undefined, metrics: { removeTags: ['a'], setTags: { a: 'request.method' } } }), error: '[test/telemetry] metrics.removeTags[0]: got "a": the tag is also in setTags: one override per tag; keep it in one of the two' },
  { name: 'tracing where the mesh has no sampling knob (linkerd)', meshes: ['linkerd'], build: telemetry({}), error: "[test/telemetry] tracing: got 1: Linkerd cannot express this (Linkerd proxies trace only requests the caller or ingress already sampled; the collector is set at install time (Helm proxy.tracing)); set the sampling rate at the ingress or in the applications' OpenTelemetry SDKs, and proxy.tracing.collector.endpoint in the Linkerd Helm values, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out" },
  { name: 'tracing where the mesh has no sampling knob (consul)', meshes: ['consul'], build: telemetry({}), error: '[test/telemetry] tracing: got 1: Consul cannot express this (Consul has no typed tracing setting, only opaque Envoy JSON in ProxyDefaults config.envoy_tracing_json); configure envoy_tracing_json in the Consul Helm values or a hand-written ProxyDefaults, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out' },
  // EgressPolicy
  { name: 'egress with no hosts and no registry-only', meshes: ALL, build: egress({ hosts: [], registryOnly: false }), error: "[test/egress] hosts: got []: an egress policy lists the external hosts workloads may call; pass hosts: [{ host: 'api.stripe.com' }] (an empty list with registryOnly refuses every external host)" },
  { name: 'egress host with a scheme', meshes: ALL, build: egress({ hosts: [{ host: 'https://api.stripe.com' }] }), error: "[test/egress] hosts[0].host: got \"https://api.stripe.com\": an external host is a lower-case DNS name with a domain (optionally starting with *.); not *, an IP or a short name; use e.g. 'api.stripe.com' or '*.googleapis.com'" },
  { name: 'egress TCP host without a port', meshes: ['istio', 'consul'], build: egress({ hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP }] }), error: '[test/egress] hosts[0].port: got undefined: a TCP host needs its port; set port, e.g. 5432' },
  { name: 'egress port 65536', meshes: ALL, build: egress({ hosts: [{ host: 'api.stripe.com', port: 65536 }] }), error: '[test/egress] hosts[0].port: got 65536: a port is a whole number from 1 to 65535; use e.g. 443' },
  { name: 'egress host allowed twice', meshes: ALL, build: egress({ hosts: [{ host: 'api.stripe.com' }, { host: 'api.stripe.com', port: 443 }] }), error: '[test/egress] hosts[1].host: got "api.stripe.com:443": hosts[0] already allows api.stripe.com:443; list each host and port once' },
  { name: 'originating TLS on a TLS host', meshes: ['istio'], build: egress({ hosts: [{ host: 'api.stripe.com', originateTls: true }] }), error: '[test/egress] hosts[0].originateTls: got true: TLS origination upgrades plain HTTP; a TLS host is already encrypted by the application; use protocol: EgressProtocol.HTTP, or remove originateTls' },
  // IngressGateway
  { name: 'ingress without TLS', meshes: ['istio', 'consul'], build: ingress({ tlsSecretName: undefined }), error: "[test/edge] tlsSecretName: got undefined: without TLS, outside clients send credentials and tokens in clear text; name the certificate's Secret (tlsSecretName: 'shop-example-com-tls'), or set allowPlainHttp: true behind a TLS-terminating load balancer" },
  { name: 'ingress host without a domain', meshes: ['istio', 'consul'], build: ingress({ host: 'shop' }), error: "[test/edge] host: got \"shop\": the host is a lower-case DNS name with a domain (optionally *.), not an IP or *; use e.g. 'shop.example.com'" },
  { name: 'ingress with no routes', meshes: ['istio', 'consul'], build: ingress({ routes: [] }), error: "[test/edge] routes: got []: an ingress routes at least one path prefix to a service; pass routes: [{ pathPrefix: '/', service: web }]" },
  { name: 'ingress prefix with a trailing slash', meshes: ['istio', 'consul'], build: ingress({ routes: [{ pathPrefix: '/api/', service: ServiceRef.fromName('order', { port: 8080 }) }] }), error: "[test/edge] routes[0].pathPrefix: got \"/api/\": a path prefix starts with /, has no empty segment and no trailing / (except / itself); use e.g. '/api'" },
  { name: 'ingress prefix routed twice', meshes: ['istio', 'consul'], build: ingress({ routes: [{ pathPrefix: '/api', service: ServiceRef.fromName('order', { port: 8080 }) }, { pathPrefix: '/api', service: ServiceRef.fromName('web', { port: 8080 }) }] }), error: '[test/edge] routes[1].pathPrefix: got "/api": routes[0] already routes this prefix; route each prefix once' },
  { name: 'ingress on Linkerd without a gateway class', meshes: ['linkerd'], build: ingress({}), error: "[test/edge] gatewayClassName: got undefined: Linkerd has no ingress of its own: the Gateway is served by a gateway controller; name its GatewayClass, e.g. gatewayClassName: 'eg' (Envoy Gateway's quickstart)" },
  { name: 'JWT at the edge on Consul CE', meshes: ['consul'], build: ingress({ jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' } }), error: '[test/edge] jwt: got "https://auth.example.com": Consul cannot express this (JWT verification at the API gateway is a Consul Enterprise feature); use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or require the token per service with ZeroTrustNamespace requireJwt' },
  // Istio ambient
  { name: 'retries on ambient', meshes: AMBIENT, build: resilient({ retries: { attempts: 2 } }), error: "[test/svc] retries: got 2: Istio ambient cannot express this (ambient routes are Gateway API HTTPRoutes, whose retry field is Experimental in Gateway API v1.6 (GEP-1731), not in the standard channel, and a VirtualService for the same service (Alpha on waypoints) would leave both undefined; where a waypoint serves the service, it keeps Istio's default of 2 retries on connect-failure, refused-stream and gRPC unavailable/cancelled (not on 503), unless meshConfig.defaultHttpRetryPolicy sets another; without one, ztunnel (L4) retries no request); remove retries for ambient and rely on the waypoint's default, or run the service on the sidecar data plane, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out" },
  { name: 'a local rate limit on ambient', meshes: AMBIENT, build: resilient({ rateLimit: { requestsPerSecond: 100 } }), error: "[test/svc] rateLimit: got 100: Istio ambient cannot express this (the local rate limit is an EnvoyFilter on the sidecar's inbound listener; ambient pods have no sidecar, and ztunnel and waypoints do not take it); limit the rate at the ingress gateway, or run the service on the sidecar data plane, or set unsupportedSettings: UnsupportedSettings.DROP_WITH_WARNING to leave it out" },
  { name: 'an mTLS DISABLE exception on ambient', meshes: AMBIENT, build: zeroTrust({ mtlsExceptions: [{ service: payment(), port: 9090, mode: MtlsExceptionMode.DISABLE, reason: 'legacy client' }] }), error: '[test/zt] mtlsExceptions[0].mode: got "DISABLE": Istio ambient cannot express this (ztunnel always speaks mTLS between ambient workloads and ignores DISABLE); use MtlsExceptionMode.PERMISSIVE for a port that plaintext clients call' },
  { name: 'registry-only egress on ambient', meshes: AMBIENT, build: egress({}), error: '[test/egress] registryOnly: got true: Istio ambient cannot express this (ambient pods have no sidecar to apply a REGISTRY_ONLY Sidecar, and ztunnel passes unknown destinations through); set registryOnly: false and block other destinations with a Kubernetes NetworkPolicy (egress), or route egress through an egress gateway' },
  { name: 'multi-cluster export on ambient', meshes: AMBIENT, build: multiCluster({}), error: '[test/mc] mesh: got "ambient": Istio ambient cannot express this (ambient multi-network uses an east-west gateway of its own (HBONE on 15008, class istio-east-west) and is Alpha in Istio 1.30; the library writes the sidecar form only); run the exported services on the sidecar data plane (Mesh.istio()), or set up ambient multicluster with istioctl' },
  {
    name: 'faults and routes on one ambient service',
    meshes: AMBIENT,
    build: (chart, mesh) => {
      resilient({ timeout: Duration.seconds(3) })(chart, mesh);
      fault({})(chart, mesh);
    },
    error: '[test/chaos] service: got payment: [test/chaos] injects faults (a VirtualService, Alpha on Istio ambient), and [test/svc] routes it with Gateway API HTTPRoutes; Istio leaves a service with both undefined; inject faults into a service that has no ResilientService timeouts (on the service or a route: a circuit breaker, or retries left out with DROP_WITH_WARNING, write no route), no CanaryRelease and no VersionedRouting, or use the sidecar data plane for it',
  },
  {
    name: 'a second Namespace object for an ambient namespace',
    meshes: AMBIENT,
    build: (chart, mesh) => {
      resilient({ timeout: Duration.seconds(3) })(chart, mesh);
      telemetry({ namespaceObject: new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } }) })(chart, mesh);
    },
    error: '[test/telemetry] namespaceObject: got the Namespace [test/ns], but [test/AmbientNamespace-shop/Namespace] already enrolls namespace shop in ambient; create the Namespace before the first pattern of the namespace, or pass the same object to every pattern',
  },
  {
    name: 'a waypoint per Service for a reference without its Service object',
    meshes: AMBIENT,
    build: chart => resilient({ timeout: Duration.seconds(3) })(chart, PER_SERVICE),
    error: '[test/svc] service: got payment: a waypoint per Service is enrolled with istio.io/use-waypoint on the Service object, which is not part of this app; pass the cdk8s-plus Service with ServiceRef.fromService(service), or use IstioWaypointScope.NAMESPACE',
  },
  {
    name: 'two waypoint scopes in one namespace',
    meshes: AMBIENT,
    build: (chart, mesh) => {
      resilient({ timeout: Duration.seconds(3) })(chart, mesh);
      zeroTrust({ mesh: PER_SERVICE })(chart, mesh);
    },
    error: "[test/zt] mesh: got waypoint scope service, but [test/svc] uses namespace waypoints in namespace shop; use one Mesh for the namespace's patterns",
  },
  { name: 'no mesh', meshes: ALL, build: chart => new ResilientService(chart, 'svc', { mesh: undefined as any, service: payment() }), error: `${R}mesh: got undefined: a mesh is required; pass mesh: Mesh.istio(), Mesh.linkerd() or Mesh.consul()` },
  // issue 25: policies wider than declared, values a mesh or the API server rejects
  { name: '"*" in an exact authorization path', meshes: [...ALL, ...AMBIENT], build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.exact('/admin*')] }] }), error: `${Z}allow[0].paths[0]: got "/admin*": ${STAR('/admin*', '/admin', '/admin')}${ZFIX()}` },
  { name: '"*" in a prefix authorization path', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api*')] }] }), error: `${Z}allow[0].paths[0]: got "/api*": ${STAR('/api*', '/api', '/api')}${ZFIX()}` },
  { name: 'a deny rule on "/*"', meshes: ['istio', 'consul'], build: zeroTrust({ deny: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.exact('/*')] }] }), error: `${Z}deny[0].paths[0]: got "/*": ${STAR('/*', '/', '/')}${ZFIX()}` },
  { name: '"*" in a route path', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.prefix('/api/*') } }] }), error: `${R}routes[0].match.path: got "/api/*": ${STAR('/api/*', '/api/', '/api')}; use e.g. PathMatch.prefix('/api')` },
  { name: 'an allow rule for a Service of another namespace', meshes: [...ALL, ...AMBIENT], build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: OTHER() }] }), error: `${Z}allow[0].to: got "other/payment": ${XNS('this rule')}` },
  { name: 'a deny rule for a Service of another namespace', meshes: ['istio', 'consul'], build: zeroTrust({ deny: [{ callers: [Identity.serviceAccount('order')], to: OTHER() }] }), error: `${Z}deny[0].to: got "other/payment": ${XNS('this rule')}` },
  { name: 'an mTLS exception for a Service of another namespace', meshes: ['istio', 'linkerd'], build: zeroTrust({ mtlsExceptions: [{ service: OTHER(), port: 9090, mode: MtlsExceptionMode.PERMISSIVE, reason: 'metrics' }] }), error: `${Z}mtlsExceptions[0].service: got "other/payment": ${XNS('this exception')}` },
  { name: 'a wildcard Istio trust domain', meshes: ['istio'], build: zeroTrust({ mesh: Mesh.istio({ trustDomain: '*' }) }), error: `${Z}mesh.trustDomain: got "*": a wildcard trust or cluster domain would match identities or hosts of every domain; pass Mesh.istio({ trustDomain: 'prod.example.com' }), the value your mesh is installed with` },
  { name: 'a wildcard Linkerd trust domain', meshes: ['linkerd'], build: zeroTrust({ mesh: Mesh.linkerd({ trustDomain: '*.example.com' }) }), error: `${Z}mesh.trustDomain: got "*.example.com": a wildcard trust or cluster domain would match identities or hosts of every domain; pass Mesh.linkerd({ trustDomain: 'prod.example.com' }), the value your mesh is installed with` },
  { name: 'a cluster domain that is not a DNS name', meshes: ['consul'], build: resilient({ mesh: Mesh.consul({ clusterDomain: 'Cluster Local' }) }), error: `${R}mesh.clusterDomain: got "Cluster Local": a domain is a DNS name: lower-case labels of letters, digits and "-", separated by dots (at most 253 characters); pass Mesh.consul({ clusterDomain: 'cluster.local' }), the value your mesh is installed with` },
  { name: 'an Istio root namespace that is not a namespace', meshes: ['istio'], build: resilient({ mesh: Mesh.istio({ rootNamespace: 'Istio System' }) }), error: `${R}mesh.rootNamespace: got "Istio System": a namespace is a DNS-1123 label; pass Mesh.istio({ rootNamespace: 'istio-system' })` },
  { name: 'a wildcard consumer trust domain', meshes: ['istio', 'consul'], build: multiCluster({ clusters: [CLUSTERS[0], { ...CLUSTERS[1], trustDomain: '*' }] }), error: "[test/mc] clusters[1].trustDomain: got \"*\": a wildcard trust or cluster domain would match identities or hosts of every domain; give the trust domain the cluster's mesh is installed with, e.g. 'eu-west.example.com', or leave it out for the mesh's" },
  { name: 'a caller network of every IPv4 address', meshes: ALL, build: zeroTrust({ mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.network('0.0.0.0/0')], to: payment() }] }), error: `${Z}allow[0].callers[0]: got "0.0.0.0/0": "0.0.0.0/0" is every address, the internet included, so any unauthenticated client could call: name the network the callers are on, e.g. Identity.network('10.0.0.0/8'); use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)` },
  { name: 'a caller network of every IPv6 address', meshes: ALL, build: zeroTrust({ mtls: MtlsPhase.PERMISSIVE, allow: [{ callers: [Identity.network('::/0')], to: payment() }] }), error: `${Z}allow[0].callers[0]: got "::/0": "::/0" is every address, the internet included, so any unauthenticated client could call: name the network the callers are on, e.g. Identity.network('10.0.0.0/8'); use Identity.serviceAccount('order') or Identity.fromServiceAccount(sa)` },
  { name: 'egress addresses of every address', meshes: ['istio'], build: egress({ hosts: [{ host: 'db.example.com', protocol: EgressProtocol.TCP, port: 5432, addresses: ['0.0.0.0/0'] }] }), error: '[test/egress] hosts[0].addresses[0]: got "0.0.0.0/0": every address, so TCP port 5432 to any destination, the internet included, would be allowed under the name "db.example.com"; list the host\'s own addresses or CIDRs, e.g. \'10.20.0.0/16\'' },
  { name: 'a plain-http JWKS URI in zero trust', meshes: ['istio', 'consul'], build: zeroTrust({ jwt: { issuer: 'https://auth.example.com', jwksUri: 'http://auth.example.com/jwks.json' } }), error: `${Z}jwt.jwksUri: got "http://auth.example.com/jwks.json": ${JWKS()}` },
  { name: 'a plain-http JWKS URI at the edge', meshes: ['istio'], build: ingress({ jwt: { issuer: 'https://auth.example.com', jwksUri: 'http://auth.example.com/jwks.json' } }), error: `[test/edge] jwt.jwksUri: got "http://auth.example.com/jwks.json": ${JWKS()}` },
  { name: 'a target port that is not a number', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, targetPort: NaN }) }), error: `${R}service.targetPort: got NaN: a port must be a whole number from 1 to 65535; pass the port the pods listen on, e.g. { targetPort: 8080 }, or leave it out when it equals port` },
  { name: 'a target port above 65535', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: ServiceRef.fromName('payment', { port: 8080, targetPort: 70000 }) }] }), error: `${Z}allow[0].to.targetPort: got 70000: a port must be a whole number from 1 to 65535; pass the port the pods listen on, e.g. { targetPort: 8080 }, or leave it out when it equals port` },
  { name: 'a port name that is not a DNS label', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, portName: 'HTTP web' }) }), error: `${R}service.portName: got "HTTP web": a Service port name is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters); use e.g. 'http'` },
  { name: 'a selector key that is not a label key', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, selector: { 'app/': 'payment' } }) }), error: `${R}service.selector: got {"app/":"payment"}: a label key name (after any "/") has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; fix the Service's selector (e.g. app: "payment")` },
  { name: 'a selector value that is not a label value', meshes: ALL, build: resilient({ service: ServiceRef.fromName('payment', { port: 8080, selector: { app: 'pay ment' } }) }), error: `${R}service.selector: got {"app":"pay ment"}: a label value has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; fix the Service's selector (e.g. app: "payment")` },
  { name: 'a route path with a space', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.prefix('/a b') } }] }), error: `${R}routes[0].match.path: got "/a b": a path has only the characters a URL path allows (letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes); escape others as %XX; use e.g. PathMatch.prefix('/api')` },
  { name: 'a route path with "//"', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.exact('/a//b') } }] }), error: `${R}routes[0].match.path: got "/a//b": a path must not contain "//" (proxies normalize it away, so the match would never see it); use e.g. PathMatch.prefix('/api')` },
  { name: 'an authorization path ending in "/.."', meshes: ALL, build: zeroTrust({ allow: [{ callers: [Identity.serviceAccount('order')], to: payment(), paths: [PathMatch.prefix('/api/..')] }] }), error: `${Z}allow[0].paths[0]: got "/api/..": a path must not end with "/." or "/.." (proxies normalize it away)${ZFIX()}` },
  { name: 'a header value with a line break', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { headers: [HeaderMatch.exact('x-user', 'a\nb')] } }] }), error: `${R}routes[0].match.headers[0]: got "x-user": a header value cannot hold control characters (line breaks, NUL): no request carries them (RFC 9110); use HeaderMatch.exact('x-canary', 'true')` },
  { name: 'a timeout of 1e12 seconds', meshes: ALL, build: resilient({ timeout: Duration.seconds(1e12) }), error: `${R}timeout: got 277777777h46m40s: durations must be at most 99999h (Gateway API's duration format allows at most 5 digits per unit; Istio, Consul and Linkerd read the same value); use a realistic value, e.g. Duration.minutes(5)` },
  { name: 'a timeout that is not a number', meshes: ALL, build: resilient({ timeout: Duration.millis(NaN) }), error: `${R}timeout: got Duration.millis(NaN): the duration is not a number; compute the amount before Duration.millis() or Duration.seconds(), e.g. Duration.seconds(3)` },
  { name: 'a route regex with look-ahead', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.regex('/api/(?=v1)') } }] }), error: `${R}routes[0].match.path: got "/api/(?=v1)": ${RE2('invalid or unsupported Perl syntax: `(?=`')}; use e.g. PathMatch.prefix('/api')` },
  { name: 'a route regex with a back-reference', meshes: ALL, build: resilient({ routes: [{ name: 'a', match: { path: PathMatch.regex('/(a)\\1') } }] }), error: `${R}routes[0].match.path: got "/(a)\\\\1": ${RE2('invalid escape sequence: `\\1`')}; use e.g. PathMatch.prefix('/api')` },
  { name: 'a canary header regex with look-behind', meshes: ALL, build: canary({ canaryRequests: [{ headers: [HeaderMatch.regex('x-user', '(?<=a)b')] }] }), error: `${C}canaryRequests[0].headers[0]: got "x-user": ${RE2('invalid named capture: `(?<=a)b`')}; use HeaderMatch.exact('x-test-user', 'true')` },
  { name: 'a canary version key the service selects by', meshes: ALL, build: canary({ canary: ReleaseVersion.of('v2', { labelKey: 'app' }) }), error: `${C}canary.labelKey: got "app": the service selects its pods by app: "payment", so a version label on the same key would replace it and each version would select no pods; use a key the selector does not use, e.g. ReleaseVersion.of('v2', { labelKey: 'version' })` },
  { name: 'a canary version key of 64 characters', meshes: ALL, build: canary({ canary: ReleaseVersion.of('v2', { labelKey: 'x'.repeat(64) }) }), error: `${C}canary.labelKey: got "${'x'.repeat(64)}": not a valid label key (a label key name (after any "/") has at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit); use e.g. 'version'` },
  { name: 'equal consecutive step weights', meshes: ALL, build: canary({ canaryWeight: undefined, steps: [{ weight: 10 }, { weight: 10 }, { weight: 100 }] }), error: `${C}steps[1].weight: got 10: steps must raise the canary's share (the previous step is 10); order the steps by increasing weight; roll back by choosing an earlier step` },
  { name: 'no clusters', meshes: ALL, build: multiCluster({ clusters: undefined as any }), error: "[test/mc] clusters: got undefined: a multi-cluster mesh lists its clusters; pass clusters: [{ name: 'us-west', network: 'net-us', region: 'us-west1', services: [...] }, ...] (at least two)" },
  { name: 'a data plane that is not one', meshes: ['istio'], build: resilient({ mesh: Mesh.istio({ dataPlane: 'sidecars' as any }) }), error: `${R}mesh.dataPlane: got "sidecars": not a dataPlane value; use IstioDataPlane.SIDECAR or IstioDataPlane.AMBIENT` },
  { name: 'a 10 KB service name, shown capped', meshes: ALL, build: resilient({ service: ServiceRef.fromName('a'.repeat(10240), { port: 8080 }) }), error: `${R}service.name: got "${'a'.repeat(100)}..." (10240 characters): a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service` },
];

const TABLE = CASES.flatMap(c => c.meshes.map(m => [`${c.name} (${m})`, c, m] as const));

describe('the bad-input corpus', () => {
  test('has at least 100 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    expect(TABLE.length).toBeGreaterThanOrEqual(CASES.length);
  });

  test.each(TABLE)('%s', (_name, c, m) => {
    const message = appSynthFailure(chart => c.build(chart, meshOf(m)));
    expect(message).toBe(c.error);
    expect(message).not.toMatch(/\n\s+at /); // no stack in the message
  });
});

describe('output a cluster would refuse never passes app.synth()', () => {
  // a pattern's object edited through the cdk8s escape hatch into what the API server refuses: synthesis
  // validates every emitted object, not only what the props allow
  test.each(['istio', 'istio-ambient', 'linkerd', 'consul'] as const)('%s', m => {
    const message = appSynthFailure(chart => {
      resilient({ timeout: Duration.seconds(3) })(chart, meshOf(m));
      const route = chart.node.findAll().find(c => ApiObject.isApiObject(c) && /^(VirtualService|HTTPRoute|ServiceRouter|ServiceDefaults)$/.test(c.kind)) as ApiObject;
      route.addJsonPatch(JsonPatch.add('/metadata/labels', { 'bad label': 'x' }));
    });
    expect(message).toMatch(/^Validation failed with the following errors:\n {2}\[cdk8s-mesh\] \[test\/\S+\] DOC002 \w+ shop\/payment: metadata.labels\["bad label"\]: "bad label" is not a valid label key: .* \(the API server would refuse this object\)$/);
  });
});

/**
 * Builds constructs in a chart of a fresh app and returns the error of construction or of
 * `app.synth()`, the path users take (never a TypeError).
 */
function appSynthFailure(build: (chart: Chart) => void): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-bad-')) });
  const chart = new Chart(app, 'test', { namespace: 'shop', disableResourceNameHashes: true });
  try {
    build(chart);
    app.synth();
  } catch (e) {
    if (e instanceof TypeError) throw new Error(`a TypeError escaped: ${e.stack}`);
    return (e as Error).message;
  }
  throw new Error('expected synthesis to fail');
}

// helpers of the issue 25 rows (function declarations, hoisted, so that they can stay at the end of the file)
function STAR(value: string, before: string, prefix: string): string {
  return `"*" would mean different requests on each mesh: it is a wildcard in Istio authorization paths (there "${value}" matches every path starting with "${before}") and a literal character on Linkerd, Consul and in routes (PathMatch.prefix('${prefix}') matches "${prefix}" and the paths under it, on every mesh)`;
}
function ZFIX(): string {
  return "; use PathMatch.exact('/process-payment') or PathMatch.prefix('/api')";
}
function OTHER(): ServiceRef {
  return ServiceRef.fromName('payment', { port: 8080, namespace: 'other' });
}
function XNS(what: string): string {
  return `a ZeroTrustNamespace protects its own namespace (shop): its policies are written there and select shop's workloads, so ${what} would apply to shop/payment, not to other/payment; write a ZeroTrustNamespace with namespace: 'other' for other/payment (callers from shop are named there with Identity.serviceAccount('<name>', { namespace: 'shop' }))`;
}
function RE2(why: string): string {
  return `not an RE2 regular expression, the syntax every mesh reads (${why}; RE2 has no look-around and no back-references)`;
}
function JWKS(): string {
  return 'the signing keys would be fetched over plain http, so anyone on the network path could replace them and sign tokens the mesh accepts; use an https URL, or set jwt.allowPlainHttpJwks: true for an endpoint reached over a trusted in-cluster network';
}
