import { isIP } from 'net';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as consul from '../../imports/consul';
import * as gatewayApi from '../../imports/gateway-api';
import * as istio from '../../imports/istio';
import { ConsulJwtProvider, consulJwksCaFileProblem, writesDatacenterWide } from '../../meshes/consul/singletons';
import { DATAPLANE_MODE_LABEL } from '../../meshes/istio/ambient';
import { Identity, IdentityKind } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import { MatchType, PathMatch } from '../../model/matches';
import { Mesh, MeshKind } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { envoyGatewayServiceAccount } from '../../private/envoy-gateway';
import { ProblemList } from '../../private/errors';
import { HTTPROUTE_MAX_RULES } from '../../private/limits';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { checkJwksUri, DNS1123_LABEL, DNS1123_SUBDOMAIN, EXTERNAL_HOST, jwtProviderName } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor } from '../renderers';
import { ResilientService, UnsupportedSettings } from '../resilience/resilient-service';

const PATH_PREFIX = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/**
 * The API an ingress is written with.
 */
export enum IngressApi {
  /** Istio `Gateway` and `VirtualService` (Istio only; the classic ingress gateway). */
  ISTIO = 'istio',
  /** Gateway API `Gateway` and `HTTPRoute` (every mesh; a gateway controller must be installed). */
  GATEWAY_API = 'gateway-api',
}

/**
 * A path (or path prefix) routed to a service.
 */
export interface IngressRoute {
  /**
   * The path prefix, e.g. `/api`; `/` for everything else. Exactly one of `pathPrefix` and `path`.
   * @default - `path`
   */
  readonly pathPrefix?: string;
  /**
   * The path: `PathMatch.exact('/login')` or `PathMatch.prefix('/api')` (segment-wise, as everywhere).
   * Exactly one of `pathPrefix` and `path`.
   * @default - `pathPrefix`
   */
  readonly path?: PathMatch;
  /** The service. */
  readonly service: ServiceRef;
  /**
   * The service port.
   * @default - the service's port
   */
  readonly port?: number;
}

/**
 * Props of an IngressGateway.
 */
export interface IngressGatewayProps {
  /** The mesh. */
  readonly mesh: Mesh;
  /** The host outside clients call, e.g. `shop.example.com`. */
  readonly host: string;
  /** Path prefixes and the services they go to (longest prefix first, whatever the order given). */
  readonly routes: IngressRoute[];
  /**
   * Terminate TLS with the certificate in this Kubernetes Secret (type `kubernetes.io/tls`); plain HTTP
   * then redirects to HTTPS.
   *
   * Where the Secret must be: with `IngressApi.ISTIO`, in the namespace of the ingress gateway pods
   * (`istioGatewayNamespace`, `istio-system` by default: the gateway reads `credentialName` from its own
   * namespace); with `IngressApi.GATEWAY_API` (every mesh), in the namespace of the Gateway (`namespace`).
   * A Secret of that name that this app writes in another namespace only is refused.
   * @default - plain HTTP on port 80 only (refused unless allowPlainHttp)
   */
  readonly tlsSecretName?: string;
  /**
   * Serve plain HTTP without TLS (for a private network or a TLS-terminating load balancer in front).
   * @default false
   */
  readonly allowPlainHttp?: boolean;
  /**
   * Require a valid JWT from outside clients (Istio only: RequestAuthentication and a DENY policy for
   * requests without a token, on the ingress gateway pods).
   * @default - no token required at the edge
   */
  readonly jwt?: JwtAuthentication;
  /**
   * The API written (Istio only; Linkerd and Consul always use the Gateway API).
   * @default IngressApi.ISTIO on Istio with sidecars; IngressApi.GATEWAY_API elsewhere, Istio ambient included
   */
  readonly api?: IngressApi;
  /**
   * Gateway API: the GatewayClass of the gateway controller.
   * @default 'istio' on Istio, 'consul' on Consul; required on Linkerd (Linkerd has no ingress of its own)
   */
  readonly gatewayClassName?: string;
  /**
   * The identity the gateway's proxies call the services with, for `callerIdentity` (what a
   * ZeroTrustNamespace allows). On Linkerd the gateway controller's proxies must be meshed to have one.
   * Envoy Gateway, in its default deploy mode (ControllerNamespace), runs the proxies of every Gateway of
   * the cluster in `envoy-gateway-system`, each Gateway's under the service account
   * `envoy-<namespace>-<name>-<hash>` (the first 8 hex digits of the SHA-256 of `<namespace>/<name>`;
   * envoyproxy/gateway internal/infrastructure/kubernetes/proxy resource_provider.go serviceAccountName,
   * internal/utils/misc.go GetHashedName), which the library computes. Set this with Envoy Gateway's
   * GatewayNamespace deploy mode (the proxies run in the Gateway's namespace under a service account
   * named after the Gateway: `Identity.serviceAccount('<name>', { namespace: '<namespace>' })`), with
   * `mergeGateways`, or with an EnvoyProxy that names `envoyServiceAccount`. Avoid
   * `Identity.allInNamespace('envoy-gateway-system')`: it admits every Gateway of every team.
   * @default - Istio and Consul: the gateway's own service account; Linkerd with the GatewayClass `eg`
   * (Envoy Gateway's quickstart): the service account Envoy Gateway generates for this Gateway in
   * `envoy-gateway-system`; otherwise unknown (a warning says so)
   */
  readonly gatewayIdentity?: Identity;
  /**
   * Gateway API: the name of an Envoy Gateway `EnvoyProxy` in the Gateway's namespace, written as the
   * Gateway's `spec.infrastructure.parametersRef`. On Linkerd, Envoy Gateway's proxies must be meshed
   * (pod annotation `linkerd.io/inject: enabled`) and send to Services rather than pod IPs
   * (`routingType: Service`, so Linkerd applies the services' routes, timeouts and retries). The library
   * does not write the EnvoyProxy (its CRD is not among the pinned ones): without this prop, a warning
   * prints the EnvoyProxy to apply.
   * @default - no parametersRef (the GatewayClass's EnvoyProxy, if any)
   */
  readonly envoyProxyName?: string;
  /**
   * The gateway's name.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The namespace of the gateway objects and routes.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Istio API: the labels of the ingress gateway pods, and their namespace (for the JWT policies).
   * @default { istio: 'ingressgateway' } in 'istio-system'
   */
  readonly istioGatewaySelector?: { [key: string]: string };
  /**
   * Istio API: the namespace of the ingress gateway pods.
   * @default 'istio-system'
   */
  readonly istioGatewayNamespace?: string;
  /**
   * Istio API: the service account of the ingress gateway pods (their identity, `callerIdentity`). An
   * istioctl or IstioOperator install names it `istio-ingressgateway-service-account`; the Helm `gateway`
   * chart names it after the Helm release (e.g. `istio-ingressgateway` for
   * `helm install istio-ingressgateway istio/gateway`).
   * @default 'istio-ingressgateway-service-account'
   */
  readonly istioGatewayServiceAccount?: string;
  /**
   * What to do with settings the mesh cannot express: fail, or leave them out with a warning and a
   * `cdk8s-mesh.io/dropped-settings` annotation on the objects this pattern writes. The Istio API on another mesh and a JWT the edge cannot require are always refused (the edge would admit requests without a token).
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

interface Route {
  /** The path prefix, or with `exact`, the path. */
  readonly prefix: string;
  readonly exact?: boolean;
  readonly service: ServiceRef;
  readonly port: number;
}

const claimed = new WeakMap<Construct, Map<string, string>>();

/**
 * Envoy Gateway: the GatewayClass of its quickstart, and the namespace where it runs the proxies of every
 * Gateway (its default deployment mode), each under a generated service account.
 */
const ENVOY_GATEWAY_CLASS = 'eg';
/** The service account of istioctl's (IstioOperator's) shared ingress gateway. */
const DEFAULT_ISTIO_GATEWAY_ACCOUNT = 'istio-ingressgateway-service-account';
const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';

/**
 * Exposes services to outside clients on a host: TLS from a named Secret (HTTP redirects to HTTPS),
 * path-prefix routes to services and ports, and optionally a JWT required at the edge. Istio writes a
 * `Gateway` and a `VirtualService` bound to it (or, with `IngressApi.GATEWAY_API`, a Gateway API `Gateway`
 * and `HTTPRoute`); Linkerd and Consul write the Gateway API objects for the named gateway class
 * (`consul` is Consul's API gateway).
 *
 * @example
 * import { IngressGateway, Mesh, ServiceRef } from 'cdk8s-mesh';
 *
 * new IngressGateway(chart, 'shop', {
 *   mesh: Mesh.istio(),
 *   host: 'shop.example.com',
 *   tlsSecretName: 'shop-example-com-tls',
 *   routes: [
 *     { pathPrefix: '/api', service: ServiceRef.fromName('order', { port: 80 }) },
 *     { pathPrefix: '/', service: ServiceRef.fromName('web', { port: 80 }) },
 *   ],
 * });
 */
export class IngressGateway extends MeshConstruct {
  /** The host. */
  public readonly host: string;
  /** The API written. */
  public readonly api: IngressApi;
  /**
   * The identity the gateway calls the services with, to allow in a ZeroTrustNamespace: Istio's
   * ingress gateway service account (`istio-ingressgateway-service-account` in its namespace), the
   * `<name>-istio` service account Istio deploys for a Gateway API Gateway, or Consul's API gateway
   * service (the gateway's name). On Linkerd, where it depends on the gateway controller: `gatewayIdentity`,
   * or for the GatewayClass `eg` the service account Envoy Gateway generates for this Gateway's proxies
   * in `envoy-gateway-system`; undefined (with a warning) otherwise.
   */
  public readonly callerIdentity?: Identity;
  /** The EnvoyProxy named in the Gateway's `spec.infrastructure.parametersRef`, if any. */
  public readonly envoyProxyName?: string;

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id, props?.mesh);
    // the built-in meshes' objects for this pattern are still written below (docs/architecture.md): a mesh
    // without them is refused here, before anything mesh-specific is read
    rendererFor(this, this.mesh, 'ingress');
    const problems = new ProblemList(this);
    const namespace = this._resolveNamespace(problems, props.namespace, 'an ingress');
    const name = props.name ?? id.toLowerCase();
    if (!DNS1123_LABEL.test(name) || name.length > 63) problems.add('name', name, 'a gateway name is a DNS-1123 label', "pass name: 'shop'");
    if (typeof props.host !== 'string' || props.host.length > 253 || !EXTERNAL_HOST.test(props.host) || isIP(props.host)) {
      problems.add('host', props.host, 'the host is a lower-case DNS name with a domain (optionally *.), not an IP or *', "use e.g. 'shop.example.com'");
    }
    this.host = props.host;
    // ambient: Istio recommends the Gateway API for ingress (its gateways are deployed per Gateway)
    this.api = props.api ?? (this.mesh.kind === MeshKind.ISTIO && !this.mesh.ambient ? IngressApi.ISTIO : IngressApi.GATEWAY_API);
    if (!Object.values(IngressApi).includes(this.api)) problems.add('api', this.api, 'not an ingress API', 'use IngressApi.ISTIO or IngressApi.GATEWAY_API');
    const tls = props.tlsSecretName;
    if (tls !== undefined && (typeof tls !== 'string' || tls.length > 253 || !DNS1123_SUBDOMAIN.test(tls))) {
      problems.add('tlsSecretName', tls, 'a Secret name is a DNS-1123 subdomain', "use e.g. 'shop-example-com-tls'");
    }
    if (tls === undefined && !props.allowPlainHttp) {
      problems.add('tlsSecretName', undefined, 'without TLS, outside clients send credentials and tokens in clear text', "name the certificate's Secret (tlsSecretName: 'shop-example-com-tls'), or set allowPlainHttp: true behind a TLS-terminating load balancer");
    }
    if (tls !== undefined && props.allowPlainHttp) problems.add('allowPlainHttp', true, 'with TLS, plain HTTP redirects to HTTPS', 'remove allowPlainHttp, or remove tlsSecretName');
    if (!Array.isArray(props.routes) || !props.routes.length) {
      problems.add('routes', props.routes, 'an ingress routes at least one path prefix to a service', "pass routes: [{ pathPrefix: '/', service: web }]");
      problems.throwIfAny();
    }
    const seen = new Map<string, number>();
    const routes: Route[] = props.routes.map((r, i) => {
      const prop = `routes[${i}]`;
      let prefix: string = r?.pathPrefix as string;
      let exact = false;
      if (r?.path !== undefined && r?.pathPrefix !== undefined) {
        problems.add(`${prop}.path`, r.path instanceof PathMatch ? r.path.value : r.path, 'path and pathPrefix exclude each other', 'keep one of them');
      } else if (r?.path !== undefined) {
        const problem = !(r.path instanceof PathMatch) ? 'not a PathMatch'
          : r.path.type === MatchType.REGEX ? 'an ingress route matches an exact path or a path prefix' : r.path._problem();
        if (problem) {problems.add(`${prop}.path`, r.path instanceof PathMatch ? r.path.value : r.path, problem, "use PathMatch.prefix('/api') or PathMatch.exact('/login')");} else {
          exact = r.path.type === MatchType.EXACT;
          // a prefix is segment-wise, a trailing "/" ignored (as Gateway API PathPrefix)
          prefix = exact ? r.path.value : r.path.value.replace(/\/+$/, '') || '/';
        }
      } else if (typeof r?.pathPrefix !== 'string' || !PATH_PREFIX.test(r.pathPrefix) || r.pathPrefix.includes('//') || (r.pathPrefix.length > 1 && r.pathPrefix.endsWith('/'))) {
        problems.add(`${prop}.pathPrefix`, r?.pathPrefix, 'a path prefix starts with /, has no empty segment and no trailing / (except / itself)', "use e.g. '/api'");
      }
      if (!(r?.service instanceof ServiceRef)) {
        problems.add(`${prop}.service`, r?.service, 'a service reference is required', "use ServiceRef.fromName('web', { port: 80 })");
      } else {
        for (const p of r.service._problems(`${prop}.service`)) problems.addRaw(p);
      }
      const port = r?.port ?? (r?.service instanceof ServiceRef ? r.service.port : undefined);
      if (!Number.isInteger(port) || port! < 1 || port! > 65535) problems.add(`${prop}.port`, port, 'a port is a whole number from 1 to 65535', 'use the Service port, e.g. 80');
      const key = `${exact ? 'exact' : 'prefix'} ${prefix}`;
      if (seen.has(key)) problems.add(`${prop}.${r?.path !== undefined ? 'path' : 'pathPrefix'}`, prefix, `routes[${seen.get(key)}] already routes this ${exact ? 'path' : 'prefix'}`, `route each ${exact ? 'path' : 'prefix'} once`);
      seen.set(key, i);
      return { prefix, exact, service: r?.service, port: port! };
    });
    if (props.gatewayIdentity !== undefined) {
      const problem = props.gatewayIdentity instanceof Identity ? props.gatewayIdentity._problem() : 'not an Identity';
      if (problem) problems.add('gatewayIdentity', props.gatewayIdentity, problem, "use e.g. Identity.serviceAccount('<gateway pods' service account>', { namespace: '<their namespace>' })");
      else if (props.gatewayIdentity.kind === IdentityKind.NETWORK) problems.add('gatewayIdentity', props.gatewayIdentity.name, 'a gateway calls the services as a meshed workload, not from a network', 'use Identity.serviceAccount(...) or Identity.allInNamespace(...)');
    }
    if (props.envoyProxyName !== undefined && (typeof props.envoyProxyName !== 'string' || props.envoyProxyName.length > 253 || !DNS1123_SUBDOMAIN.test(props.envoyProxyName))) {
      problems.add('envoyProxyName', props.envoyProxyName, 'an EnvoyProxy name is a DNS-1123 subdomain', "use e.g. 'shop-linkerd'");
    }
    if (props.istioGatewaySelector !== undefined && (!Object.keys(props.istioGatewaySelector).length || Object.entries(props.istioGatewaySelector).some(([k, v]) => !k || typeof v !== 'string'))) {
      problems.add('istioGatewaySelector', props.istioGatewaySelector, 'a selector names at least one label', "use e.g. { istio: 'ingressgateway' }");
    }
    const gwNamespace = props.istioGatewayNamespace ?? 'istio-system';
    if (!DNS1123_LABEL.test(gwNamespace)) problems.add('istioGatewayNamespace', gwNamespace, 'a namespace is a DNS-1123 label', "use e.g. 'istio-system'");
    // settings the mesh cannot express; the renderers do not read those that can be dropped
    // (consulJwksCaFile off Consul, forwardOriginalToken on Consul, which the Istio renderer alone writes)
    const unsupported: { setting: string; value: unknown; why: string; alternative: string; keep?: string }[] = [];
    const noToken = 'the edge would admit requests without a token';
    if (props.jwt) {
      checkJwksUri(problems, props.jwt);
      if (typeof props.jwt.issuer !== 'string' || !props.jwt.issuer) problems.add('jwt.issuer', props.jwt.issuer, 'the issuer is required', "e.g. 'https://auth.example.com'");
      const caProblem = consulJwksCaFileProblem(props.jwt.consulJwksCaFile);
      if (props.jwt.consulJwksCaFile !== undefined && this.mesh.kind !== MeshKind.CONSUL) unsupported.push({ setting: 'jwt.consulJwksCaFile', value: props.jwt.consulJwksCaFile, why: 'it sets Consul\'s JWTProvider', alternative: 'remove it' });
      else if (caProblem) problems.add('jwt.consulJwksCaFile', props.jwt.consulJwksCaFile, caProblem, "use an absolute path in the proxy's image, e.g. '/etc/ssl/certs/ca-certificates.crt'");
    }
    problems.throwIfAny();

    // the unsupported
    const gatewayClassName = props.gatewayClassName ?? (this.mesh.kind === MeshKind.ISTIO ? 'istio' : this.mesh.kind === MeshKind.CONSUL ? 'consul' : undefined);
    if (this.mesh.kind !== MeshKind.ISTIO && this.api === IngressApi.ISTIO) {
      unsupported.push({ setting: 'api', value: this.api, why: 'the Istio Gateway API is Istio\'s', alternative: 'use IngressApi.GATEWAY_API', keep: 'no ingress would be written' });
    }
    if (this.api === IngressApi.GATEWAY_API && !gatewayClassName) {
      problems.add('gatewayClassName', undefined, 'Linkerd has no ingress of its own: the Gateway is served by a gateway controller', "name its GatewayClass, e.g. gatewayClassName: 'eg' (Envoy Gateway's quickstart)");
    }
    if (gatewayClassName !== undefined && !DNS1123_SUBDOMAIN.test(gatewayClassName)) problems.add('gatewayClassName', gatewayClassName, 'a GatewayClass name is a DNS-1123 subdomain', "e.g. 'istio'");
    if (props.jwt && this.mesh.kind === MeshKind.LINKERD) {
      unsupported.push({
        setting: 'jwt',
        value: props.jwt.issuer,
        why: 'the gateway controller, not Linkerd, validates tokens at the edge',
        keep: noToken,
        alternative: 'validate the token in the gateway controller\'s own policy, or require it per service with ZeroTrustNamespace requireJwt',
      });
    }
    if (props.jwt && this.mesh.kind === MeshKind.CONSUL && !this.mesh.consulEnterprise) {
      unsupported.push({
        setting: 'jwt',
        value: props.jwt.issuer,
        why: 'JWT verification at the API gateway is a Consul Enterprise feature',
        keep: noToken,
        alternative: 'use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or require the token per service with ZeroTrustNamespace requireJwt',
      });
    }
    if (props.jwt?.forwardOriginalToken && this.mesh.kind === MeshKind.CONSUL) {
      unsupported.push({ setting: 'jwt.forwardOriginalToken', value: true, why: 'JWTProvider forwards the token payload to a header, not the original token', alternative: 'remove forwardOriginalToken for Consul' });
    }
    const dropped = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    const providerName = props.jwt ? jwtProviderName(props.jwt.issuer, props.jwt.providerName) : undefined;
    if (providerName !== undefined && this.mesh.kind === MeshKind.CONSUL && !DNS1123_LABEL.test(providerName)) {
      problems.add('jwt.providerName', providerName, 'a provider name is a DNS-1123 label', "set providerName: 'auth'");
    }
    if (this.api === IngressApi.ISTIO && props.envoyProxyName !== undefined) {
      problems.add('envoyProxyName', props.envoyProxyName, 'an EnvoyProxy configures an Envoy Gateway Gateway, not the Istio ingress gateway', 'remove it, or use IngressApi.GATEWAY_API with an Envoy Gateway GatewayClass');
    }
    if (this.api === IngressApi.GATEWAY_API && (props.istioGatewaySelector || props.istioGatewayNamespace || props.istioGatewayServiceAccount)) {
      problems.add('istioGatewaySelector', props.istioGatewaySelector ?? props.istioGatewayNamespace ?? props.istioGatewayServiceAccount, 'only the Istio API selects existing gateway pods', 'remove it: a Gateway API Gateway gets its own pods');
    }
    const gwAccount = props.istioGatewayServiceAccount ?? DEFAULT_ISTIO_GATEWAY_ACCOUNT;
    if (!DNS1123_SUBDOMAIN.test(gwAccount) || gwAccount.length > 253) problems.add('istioGatewayServiceAccount', gwAccount, 'a service account name is a DNS-1123 subdomain', "use e.g. 'istio-ingressgateway'");
    if (tls !== undefined) {
      // the gateway reads the certificate from one namespace: a Secret this app writes elsewhere only is not found
      const secretNs = this.api === IngressApi.ISTIO ? gwNamespace : namespace;
      const written = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Secret' && c.name === tls)
        .map(c => c.metadata.namespace ?? (() => { try { return Chart.of(c).namespace; } catch { return undefined; } })() ?? 'default');
      if (written.length && !written.includes(secretNs!)) {
        problems.add('tlsSecretName', tls, `the app writes Secret ${tls} in ${[...new Set(written)].join(', ')}, but ${this.api === IngressApi.ISTIO ? `the Istio ingress gateway reads credentialName from its own namespace, ${secretNs}` : `a Gateway API Gateway reads certificateRefs from its namespace, ${secretNs}`}`,
          `create the Secret in ${secretNs}${this.api === IngressApi.ISTIO ? ' (or set istioGatewayNamespace to where the gateway pods run)' : ''}`);
      }
    }
    problems.throwIfAny();

    // no two gateways of the app claim the same host and port
    const app = this.node.root;
    if (!claimed.has(app)) claimed.set(app, new Map());
    const claims = claimed.get(app)!;
    for (const port of tls ? [443, 80] : [80]) {
      const key = `${this.host}:${port}`;
      const other = claims.get(key);
      if (other) {
        problems.add('host', this.host, `[${other}] already serves ${key}: two gateways claiming one host and port make the winner undefined`, 'route every path of the host through one IngressGateway');
        problems.throwIfAny();
      }
      claims.set(key, this.node.path);
    }

    // exact paths first, then the longest prefix first (Istio matches in order; Gateway API ranks them so anyway)
    const ordered = [...routes].sort((a, b) => Number(!!b.exact) - Number(!!a.exact) || b.prefix.length - a.prefix.length || (a.prefix < b.prefix ? -1 : 1));
    const ns = namespace!;
    const egAccount = envoyGatewayServiceAccount(ns, name);
    if (this.api === IngressApi.ISTIO) this.callerIdentity = Identity.serviceAccount(gwAccount, { namespace: gwNamespace });
    else if (this.mesh.kind === MeshKind.ISTIO) this.callerIdentity = Identity.serviceAccount(`${name}-istio`, { namespace: ns });
    else if (this.mesh.kind === MeshKind.CONSUL) this.callerIdentity = Identity.serviceAccount(name, { namespace: ns });
    // not the namespace: in Envoy Gateway's default deploy mode every team's Gateway proxies run there
    else if (gatewayClassName === ENVOY_GATEWAY_CLASS) this.callerIdentity = Identity.serviceAccount(egAccount, { namespace: ENVOY_GATEWAY_NAMESPACE });
    if (props.gatewayIdentity) this.callerIdentity = props.gatewayIdentity;
    if (this.mesh.kind === MeshKind.LINKERD && !this.callerIdentity) {
      this._warn(`the identity the ${gatewayClassName} gateway's proxies call the services with is unknown, so a ZeroTrustNamespace cannot allow this ingress (Linkerd would answer its requests with 403): mesh the gateway's proxies and set gatewayIdentity (e.g. Identity.serviceAccount('<the gateway pods' service account>', { namespace: '<their namespace>' }))`);
    }
    const wildcard = props.gatewayIdentity?.kind === IdentityKind.NAMESPACE && props.gatewayIdentity.name === ENVOY_GATEWAY_NAMESPACE;
    if (this.mesh.kind === MeshKind.LINKERD && wildcard) {
      // the explicit opt-in to the namespace wildcard: said once, at synthesis
      this._warn(`gatewayIdentity: every workload of namespace ${ENVOY_GATEWAY_NAMESPACE}, where Envoy Gateway (in its default ControllerNamespace mode) runs the proxies of every Gateway of the cluster, every team's: a ZeroTrustNamespace allowing it admits them all, and any route of theirs to these services; leave gatewayIdentity out for this Gateway's own service account (${egAccount}), or use the GatewayNamespace deploy mode with Identity.serviceAccount('${name}', { namespace: '${ns}' })`);
    }
    this.envoyProxyName = props.envoyProxyName;
    if (this.mesh.kind === MeshKind.LINKERD && gatewayClassName === ENVOY_GATEWAY_CLASS && props.envoyProxyName === undefined) {
      // Envoy Gateway's quickstart GatewayClass has no parametersRef: its proxies are not meshed (so
      // Servers that deny by default answer the ingress with 403), and they send to pod IPs (routingType
      // Endpoint), where Linkerd applies no Service route (policy-controller outbound index: routes hang
      // off the Service). The EnvoyProxy CRD is not pinned here, so the library cannot write it.
      const ep = `${name}-linkerd`;
      this._warn(`Envoy Gateway's proxies of Gateway ${ns}/${name} are not meshed by this output and send to pod IPs: until they are meshed, Linkerd answers the ingress with 403 where a Server denies by default, and sending to pod IPs bypasses the services' Linkerd routes (timeouts, retries, failure accrual). Apply this EnvoyProxy: {apiVersion: gateway.envoyproxy.io/v1alpha1, kind: EnvoyProxy, metadata: {name: ${ep}, namespace: ${ns}}, spec: {routingType: Service, provider: {type: Kubernetes, kubernetes: {envoyDeployment: {pod: {annotations: {linkerd.io/inject: enabled}}}}}}} and set envoyProxyName: '${ep}' (the Gateway's spec.infrastructure.parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${ep}})`);
    }
    if (this.api === IngressApi.ISTIO && props.jwt && gwAccount === DEFAULT_ISTIO_GATEWAY_ACCOUNT) {
      // the DENY matches this host only (pilot/pkg/security/authz/matcher/header.go, HostMatcher), and the
      // services admit the gateway's one principal for every host
      this._warn(`the JWT at the edge is required for host ${this.host} only, on the shared ingress gateway pods (${Object.entries(props.istioGatewaySelector ?? { istio: 'ingressgateway' }).map(([k, v]) => `${k}=${v}`).join(',')} in ${gwNamespace}), `
        + `which call every backend as one identity (${gwNamespace}/${gwAccount}): another app's Gateway and VirtualService on those pods that route any other host to these services reach them without a token. `
        + 'Give this app a gateway of its own (e.g. helm install shop-gateway istio/gateway -n <namespace>, then set istioGatewaySelector, istioGatewayNamespace and istioGatewayServiceAccount to its labels, namespace and service account), '
        + 'or require the token at the services too (ZeroTrustNamespace jwt and requireJwt on the rules that admit the gateway, with jwt.forwardOriginalToken: true here)');
    }
    if (this.api === IngressApi.ISTIO) this.renderIstio(name, ns, ordered, tls, props, gwNamespace);
    else this.renderGatewayApi(name, ns, ordered, tls, gatewayClassName!);
    // the backends' namespaces (the gateway's own pods are injected by the gateway's installation)
    this._enrolServices(routes.map(r => r.service));
    if (this.api === IngressApi.GATEWAY_API && this.mesh.kind === MeshKind.ISTIO) {
      const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name }];
      // the redirect route serves port 80 alone: the DENY is for 443 only, so that a plain-HTTP request
      // without a token gets the redirect, not 403 (RBAC runs before the router). The gateway's pods listen
      // on the listener ports themselves (kube-gateway.yaml), so 443 is the port the policy sees.
      const redirect = !!tls;
      if (props.jwt) this.renderJwt(name, ns, { targetRefs }, props.jwt, undefined, redirect ? ['443'] : undefined);
      // Istio applies the namespace's selector-less policies to the gateway pods it deploys for a Gateway
      // (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by default; pilot/pkg/model/policyattachment.go,
      // ShouldAttachPolicy): a default deny there would refuse every outside client. The gateway accepts
      // everyone on its listeners' ports (its routes and the JWT policy decide what follows).
      new istio.AuthorizationPolicy(this, 'AllowIngress', {
        metadata: objectMetadata(`${name}-allow-ingress`, ns),
        spec: {
          targetRefs,
          action: istio.AuthorizationPolicySpecAction.ALLOW,
          rules: [{ to: [{ operation: { ports: (tls ? ['443', '80'] : ['80']) } }] }],
        },
      });
    }
    if (props.jwt && this.mesh.kind === MeshKind.CONSUL) {
      // Consul Enterprise: a JWTProvider (shared with zero trust) and an override on the gateway's
      // listener, which routes cannot relax
      const jwt = props.jwt;
      if (writesDatacenterWide(this, this.mesh, `JWTProvider ${providerName}`, `verify tokens of issuer ${jwt.issuer} against ${jwt.jwksUri}`)) {
        const spec = { name: providerName!, issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: jwt.audiences, trustedCaFile: jwt.consulJwksCaFile };
        ConsulJwtProvider.of(this, spec, this.node.path);
      }
      new consul.GatewayPolicy(this, 'GatewayPolicy', {
        metadata: objectMetadata(`${name}-jwt`, ns),
        spec: {
          targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name, sectionName: tls ? 'https' : 'http' },
          override: { jwt: { providers: [{ name: providerName! }] } },
        },
      });
    }
    this._markDropped(dropped);
  }

  private renderIstio(name: string, ns: string, routes: Route[], tls: string | undefined, props: IngressGatewayProps, gwNamespace: string): void {
    const selector = sortKeys(props.istioGatewaySelector ?? { istio: 'ingressgateway' });
    const servers: istio.GatewaySpecServers[] = tls
      ? [
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [this.host], tls: { mode: istio.GatewaySpecServersTlsMode.SIMPLE, credentialName: tls } },
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [this.host], tls: { httpsRedirect: true } },
      ]
      : [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [this.host] }];
    new istio.Gateway(this, 'Gateway', { metadata: objectMetadata(name, ns), spec: { selector, servers } });
    new istio.VirtualService(this, 'VirtualService', {
      metadata: objectMetadata(`${name}-ingress`, ns),
      spec: {
        hosts: [this.host],
        gateways: [`${ns}/${name}`],
        http: routes.map(r => ({
          name: `${r.prefix === '/' ? 'root' : r.prefix.slice(1).replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}${r.exact ? '-exact' : ''}`,
          // a prefix is segment-wise (as Gateway API PathPrefix): /api matches /api and /api/..., not
          // /apiary; a VirtualService uri prefix is a plain string prefix
          match: r.exact ? [{ uri: { exact: r.prefix } }] : r.prefix === '/' ? [{ uri: { prefix: '/' } }] : [{ uri: { exact: r.prefix } }, { uri: { prefix: `${r.prefix}/` } }],
          route: [{ destination: { host: r.service._fqdn(this, this.mesh.clusterDomain), port: { number: r.port } } }],
        })),
      },
    });
    // the gateway pods are shared with other hosts: the policy is for this host only, with and without
    // a port in the Host header (hosts is an exact match, and the gateway serves host:443 as host)
    if (props.jwt) this.renderJwt(name, gwNamespace, { selector: { matchLabels: selector } }, props.jwt, [this.host, `${this.host}:*`]);
  }

  /**
   * JWT at the edge (Istio): a RequestAuthentication and a DENY policy for requests without a token, on
   * the gateway pods (the Istio API: by selector, for the host and host:* since the pods serve other
   * hosts too; a Gateway API gateway: by targetRefs to the Gateway alone, since its pods are deployed
   * for it).
   */
  private renderJwt(name: string, namespace: string, at: { [k: string]: unknown }, jwt: JwtAuthentication, hosts?: string[], ports?: string[]): void {
    new ApiObject(this, 'RequestAuthentication', {
      ...istio.RequestAuthentication.GVK,
      metadata: objectMetadata(`${name}-jwt`, namespace),
      spec: {
        ...at,
        jwtRules: [{
          issuer: jwt.issuer,
          jwksUri: jwt.jwksUri,
          ...(jwt.audiences ? { audiences: jwt.audiences } : {}),
          ...(jwt.forwardOriginalToken !== undefined ? { forwardOriginalToken: jwt.forwardOriginalToken } : {}),
        }],
      },
    });
    new istio.AuthorizationPolicy(this, 'RequireJwt', {
      metadata: objectMetadata(`${name}-require-jwt`, namespace),
      spec: {
        ...at,
        action: istio.AuthorizationPolicySpecAction.DENY,
        rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], ...(hosts || ports ? { to: [{ operation: { hosts, ports } }] } : {}) }],
      },
    });
  }

  private renderGatewayApi(name: string, ns: string, routes: Route[], tls: string | undefined, gatewayClassName: string): void {
    if (this.mesh.kind === MeshKind.CONSUL) this.warnConsulRouterSkipped(routes);
    // Consul's API gateway translates header modifiers and URL rewrites only, no RequestRedirect
    // (consul-k8s control-plane/api-gateway/common/translation.go translateHTTPFilters): the redirect
    // route would have no backend and the HTTP listener would serve nothing, so it is not written
    const redirect = !!tls && this.mesh.kind !== MeshKind.CONSUL;
    if (tls && !redirect) {
      this._warn(`no HTTP listener is written: Consul's API gateway has no HTTP → HTTPS redirect (it translates no RequestRedirect filter), so plain-HTTP clients of ${this.host} cannot connect; redirect at the load balancer in front of the gateway if they must`);
    }
    const listeners: gatewayApi.GatewaySpecListeners[] = [
      ...(tls ? [{
        name: 'https',
        port: 443,
        protocol: 'HTTPS',
        hostname: this.host,
        tls: { mode: gatewayApi.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: tls }] },
      }] : []),
      ...(!tls || redirect ? [{ name: 'http', port: 80, protocol: 'HTTP', hostname: this.host }] : []),
    ];
    // Istio ambient: the gateway pods must stay out of ztunnel, or the namespace's STRICT mTLS and
    // selector-less default deny would refuse the load balancer's plaintext connections (istio-cni enrols
    // every pod of an ambient namespace but sidecar pods: cni/pkg/util/enablement_selector.go, Matches).
    // kube-gateway.yaml sets no such label (waypoint.yaml does); istiod adds istio.io/dataplane-mode: none to
    // the infrastructure labels when ambient is enabled and the Gateway sets no such label itself
    // (gatewaycommon/deploymentcontroller.go, setLabelOverrides). Written explicitly, the opt-out does not
    // depend on that default and is visible in the output; kube-gateway.yaml copies .InfrastructureLabels to
    // the pod template (harmless where the namespace is not ambient).
    const ambientOptOut = this.mesh.kind === MeshKind.ISTIO && this.mesh.ambient && gatewayClassName === 'istio';
    const envoyProxy = this.envoyProxyName;
    const infrastructure = envoyProxy || ambientOptOut ? {
      ...(ambientOptOut ? { labels: { [DATAPLANE_MODE_LABEL]: 'none' } } : {}),
      ...(envoyProxy ? { parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: envoyProxy } } : {}),
    } : undefined;
    new gatewayApi.Gateway(this, 'Gateway', { metadata: objectMetadata(name, ns), spec: { gatewayClassName, infrastructure, listeners } });
    // an HTTPRoute holds at most 16 rules: more prefixes go to further routes on the same listener
    // (Gateway API orders path prefixes by length across the routes of a listener, so the split keeps
    // longest-prefix-first)
    for (let i = 0; i * HTTPROUTE_MAX_RULES < routes.length; i++) {
      const chunk = routes.slice(i * HTTPROUTE_MAX_RULES, (i + 1) * HTTPROUTE_MAX_RULES);
      new gatewayApi.HttpRoute(this, i === 0 ? 'HTTPRoute' : `HTTPRoute-${i + 1}`, {
        metadata: objectMetadata(i === 0 ? `${name}-ingress` : `${name}-ingress-${i + 1}`, ns),
        spec: {
          parentRefs: [{ name, sectionName: tls ? 'https' : 'http' }],
          hostnames: [this.host],
          rules: chunk.map(r => ({
            matches: r.exact ? [{ path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.EXACT, value: r.prefix } }]
              : this.mesh.kind === MeshKind.CONSUL && r.prefix !== '/' ? consulPrefixMatches(r.prefix) : [{ path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.prefix } }],
            backendRefs: [{
              name: r.service.name, namespace: r.service.namespace && r.service.namespace !== ns ? r.service.namespace : undefined, port: r.port,
            }],
          })),
        },
      });
    }
    // a route may send to a Service of another namespace only where that namespace grants it
    const others = [...new Set(routes.map(r => r.service.namespace).filter((n): n is string => !!n && n !== ns))].sort();
    for (const other of others) {
      new gatewayApi.ReferenceGrant(this, `ReferenceGrant-${other}`, {
        metadata: objectMetadata(`${name}-ingress-from-${ns}`.slice(0, 63).replace(/-+$/, ''), other),
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ns }],
          to: [{ group: '', kind: 'Service' }],
        },
      });
    }
    if (redirect) {
      new gatewayApi.HttpRoute(this, 'HttpsRedirect', {
        metadata: objectMetadata(`${name}-https-redirect`, ns),
        spec: {
          parentRefs: [{ name, sectionName: 'http' }],
          hostnames: [this.host],
          rules: [{
            filters: [{
              type: gatewayApi.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
              requestRedirect: {
                scheme: gatewayApi.HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                statusCode: gatewayApi.HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_301,
              },
            }],
          }],
        },
      });
    }
  }

  /**
   * Consul: the API gateway's chain for a route starts at the router Consul synthesizes from the
   * HTTPRoute, whose destinations go to the service's splitter or resolver, never to its own
   * ServiceRouter (agent/consul/discoverychain/compile.go getSplitterOrResolverNode): the timeouts and
   * retries of a ResilientService do not apply to ingress traffic. Checked at synthesis, so that a
   * ResilientService created after this gateway counts.
   */
  private warnConsulRouterSkipped(routes: Route[]): void {
    let checked = false;
    this.node.addValidation({
      validate: () => {
        if (checked) return [];
        checked = true;
        const resilient = this.node.root.node.findAll()
          .filter((c): c is ResilientService => c instanceof ResilientService).filter(c => c.mesh.kind === MeshKind.CONSUL);
        const nsOf = (s: ServiceRef, where: Construct) => s.namespace ?? Chart.of(where).namespace;
        for (const r of routes) {
          const rs = resilient.find(x => x.service.name === r.service.name && nsOf(x.service, x) === nsOf(r.service, this));
          if (!rs) continue;
          this._warn(`the route ${r.prefix} → ${r.service.name}: the timeouts and retries of [${rs.node.path}] do not apply to requests through this gateway: `
            + `Consul's API gateway routes straight to ${r.service.name}'s instances, past its ServiceRouter (discoverychain compile.go), so the edge keeps Envoy's 15 s timeout and no retries; `
            + 'set them on the gateway route with consul-k8s RouteTimeoutFilter / RouteRetryFilter if it needs them (docs/cluster-consul.md)');
        }
        return [];
      },
    });
  }

}

/**
 * Consul: a Gateway API PathPrefix becomes a plain string prefix in the route Consul synthesizes
 * (agent/consul/discoverychain/gateway_httproute.go httpRouteMatchToServiceRouteHTTPMatch: PathPrefix →
 * ServiceRouteHTTPMatch.PathPrefix, Envoy's `prefix`), so `/api` would also take `/apiary`. A prefix is
 * written as the path itself (Exact) and everything under it (PathPrefix `/api/`): segment-bounded, as
 * on the other meshes. Consul orders the routes by path length, so both stay ahead of shorter prefixes.
 */
function consulPrefixMatches(prefix: string): gatewayApi.HttpRouteSpecRulesMatches[] {
  return [
    { path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.EXACT, value: prefix } },
    { path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: `${prefix}/` } },
  ];
}
