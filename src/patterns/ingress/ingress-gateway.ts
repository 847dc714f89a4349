import { isIP } from 'net';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_ISTIO_GATEWAY_ACCOUNT, INGRESS_OWNED, IngressIntent, IngressOwnedSetting, IngressRouteIntent } from './intent';
import { IngressApi, IngressRoute } from './props';
import { Identity, IdentityKind } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import { MatchType, PathMatch } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { UnsupportedSettings } from '../../model/unsupported';
import { clusterRelationFinal, sameCluster } from '../../private/clusters';
import { ProblemList, propMessage } from '../../private/errors';
import { checkJwksUri, EXTERNAL_HOST, isDns1123Label, isDns1123Subdomain, jwtProviderName } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { rendererFor, sameMesh } from '../renderers';
import { ResilientService } from '../resilience/resilient-service';

export * from './props';

const PATH_PREFIX = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
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
   * A Secret of that name that this app writes in another namespace only is refused (with a
   * MultiClusterExport, the Secrets of the gateway's cluster: another cluster's are not where it reads).
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

/** The gateways of an app that serve each `host:port`, in creation order. */
const claimed = new WeakMap<Construct, Map<string, IngressGateway[]>>();

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
    const renderer = rendererFor(this, this.mesh, 'ingress');
    const context = this._renderContext();
    const problems = new ProblemList(this);
    const namespace = this._resolveNamespace(problems, props.namespace, 'an ingress');
    const name = props.name ?? id.toLowerCase();
    if (!isDns1123Label(name)) problems.add('name', name, 'a gateway name is a DNS-1123 label', "pass name: 'shop'");
    if (typeof props.host !== 'string' || props.host.length > 253 || !EXTERNAL_HOST.test(props.host) || isIP(props.host)) {
      problems.add('host', props.host, 'the host is a lower-case DNS name with a domain (optionally *.), not an IP or *', "use e.g. 'shop.example.com'");
    }
    this.host = props.host;
    this.api = props.api ?? renderer.defaultApi(this.mesh);
    if (!Object.values(IngressApi).includes(this.api)) problems.add('api', this.api, 'not an ingress API', 'use IngressApi.ISTIO or IngressApi.GATEWAY_API');
    const tls = props.tlsSecretName;
    if (tls !== undefined && !isDns1123Subdomain(tls)) {
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
    const routes: IngressRouteIntent[] = props.routes.map((r, i) => {
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
    if (props.envoyProxyName !== undefined && !isDns1123Subdomain(props.envoyProxyName)) {
      problems.add('envoyProxyName', props.envoyProxyName, 'an EnvoyProxy name is a DNS-1123 subdomain', "use e.g. 'shop-linkerd'");
    }
    if (props.istioGatewaySelector !== undefined && (!Object.keys(props.istioGatewaySelector).length || Object.entries(props.istioGatewaySelector).some(([k, v]) => !k || typeof v !== 'string'))) {
      problems.add('istioGatewaySelector', props.istioGatewaySelector, 'a selector names at least one label', "use e.g. { istio: 'ingressgateway' }");
    }
    const gwNamespace = props.istioGatewayNamespace ?? 'istio-system';
    if (!isDns1123Label(gwNamespace)) problems.add('istioGatewayNamespace', gwNamespace, 'a namespace is a DNS-1123 label', "use e.g. 'istio-system'");
    if (props.jwt) {
      checkJwksUri(problems, props.jwt);
      if (typeof props.jwt.issuer !== 'string' || !props.jwt.issuer) problems.add('jwt.issuer', props.jwt.issuer, 'the issuer is required', "e.g. 'https://auth.example.com'");
      // the mesh's checks of the values it reads (what it does not read, it lists as unsupported, unchecked)
      for (const p of renderer.jwtProblems?.(props.jwt, context) ?? []) problems.add(p.prop, p.value, p.why, p.fix);
    }
    problems.throwIfAny();

    const gatewayClassName = props.gatewayClassName ?? renderer.defaultGatewayClassName;
    if (this.api === IngressApi.GATEWAY_API && !gatewayClassName) {
      problems.add('gatewayClassName', undefined, renderer.noGatewayClass?.why ?? `${this.mesh.displayName} has no default GatewayClass`,
        renderer.noGatewayClass?.fix ?? 'name the GatewayClass of the gateway controller');
    }
    if (gatewayClassName !== undefined && !isDns1123Subdomain(gatewayClassName)) problems.add('gatewayClassName', gatewayClassName, 'a GatewayClass name is a DNS-1123 subdomain', "e.g. 'istio'");
    const gwAccount = props.istioGatewayServiceAccount ?? DEFAULT_ISTIO_GATEWAY_ACCOUNT;
    const ns = namespace!;
    const chartNamespace = (c: Construct) => Chart.of(c).namespace;
    // settings the mesh cannot express (renderer.unsupported); the renderers do not read those that can be
    // dropped (consulJwksCaFile off Consul, forwardOriginalToken on Consul, which the Istio renderer alone writes)
    const intent: IngressIntent = {
      name,
      namespace: ns,
      host: this.host,
      api: this.api,
      tlsSecretName: tls,
      // exact paths first, then the longest prefix first (Istio matches in order; Gateway API ranks them so anyway)
      routes: [...routes].sort((x, y) => Number(!!y.exact) - Number(!!x.exact) || y.prefix.length - x.prefix.length || (x.prefix < y.prefix ? -1 : 1)),
      jwt: props.jwt,
      providerName: props.jwt ? jwtProviderName(props.jwt.issuer, props.jwt.providerName) : undefined,
      gatewayClassName,
      gatewayIdentity: props.gatewayIdentity,
      envoyProxyName: props.envoyProxyName,
      istioGatewaySelector: props.istioGatewaySelector,
      istioGatewayNamespace: gwNamespace,
      istioGatewayServiceAccount: gwAccount,
      namespaceOf: s => s.namespace ?? chartNamespace(this),
      // (at synthesis) those of this gateway's cluster: another cluster's ResilientService is not where this gateway routes
      resilientServices: () => this.node.root.node.findAll()
        .filter((c): c is ResilientService => c instanceof ResilientService)
        .filter(c => sameMesh(c.mesh, this.mesh) && sameCluster(Chart.of(c), Chart.of(this)))
        .map(c => ({ path: c.node.path, name: c.service.name, namespace: c.service.namespace ?? chartNamespace(c), routeSettings: c._routeSettings })),
      enrolBackends: () => this._enrolServices(routes.map(r => r.service)),
    };
    const drop = props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING;
    // the mesh's warnings before its unsupported settings; its own checks after them (PatternRenderer); the
    // mesh-owned settings the renderer does not read (INGRESS_OWNED: consulJwksCaFile off Consul) first
    this._askMesh(problems, renderer, intent, ['warnings']);
    const owned = this._refuseOwned<IngressGatewayProps, IngressIntent, IngressOwnedSetting>(problems, INGRESS_OWNED, renderer.reads, intent);
    const dropped = this._handleUnsupported(problems, [...owned, ...renderer.unsupported(intent, context)], drop);
    this._askMesh(problems, renderer, intent, ['problems']);
    if (this.api === IngressApi.ISTIO && props.envoyProxyName !== undefined) {
      problems.add('envoyProxyName', props.envoyProxyName, 'an EnvoyProxy configures an Envoy Gateway Gateway, not the Istio ingress gateway', 'remove it, or use IngressApi.GATEWAY_API with an Envoy Gateway GatewayClass');
    }
    if (this.api === IngressApi.GATEWAY_API && (props.istioGatewaySelector || props.istioGatewayNamespace || props.istioGatewayServiceAccount)) {
      problems.add('istioGatewaySelector', props.istioGatewaySelector ?? props.istioGatewayNamespace ?? props.istioGatewayServiceAccount, 'only the Istio API selects existing gateway pods', 'remove it: a Gateway API Gateway gets its own pods');
    }
    if (!isDns1123Subdomain(gwAccount)) problems.add('istioGatewayServiceAccount', gwAccount, 'a service account name is a DNS-1123 subdomain', "use e.g. 'istio-ingressgateway'");
    if (tls !== undefined) {
      // the gateway reads the certificate from one namespace of its cluster: a Secret this cluster's charts write
      // elsewhere only is not found (another cluster's Secret is not in this one, wherever it is). Decided at once
      // when the charts' clusters are final, else at synthesis (a MultiClusterExport created later assigns them),
      // with the same message
      const secretNs = this.api === IngressApi.ISTIO ? gwNamespace : namespace;
      const chart = Chart.of(this);
      const secrets = this.node.root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Secret' && c.name === tls)
        .map(c => ({ chart: Chart.of(c), namespace: c.metadata.namespace ?? Chart.of(c).namespace ?? 'default' }));
      const misplaced = () => {
        const written = secrets.filter(x => sameCluster(x.chart, chart)).map(x => x.namespace);
        if (!written.length || written.includes(secretNs!)) return undefined;
        return propMessage('tlsSecretName', tls, `the app writes Secret ${tls} in ${[...new Set(written)].join(', ')}, but ${this.api === IngressApi.ISTIO ? `the Istio ingress gateway reads credentialName from its own namespace, ${secretNs}` : `a Gateway API Gateway reads certificateRefs from its namespace, ${secretNs}`}`,
          `create the Secret in ${secretNs}${this.api === IngressApi.ISTIO ? ' (or set istioGatewayNamespace to where the gateway pods run)' : ''}`);
      };
      if (secrets.every(x => clusterRelationFinal(x.chart, chart))) {
        const problem = misplaced();
        if (problem) problems.addRaw(problem);
      } else {
        this.node.addValidation({ validate: () => [misplaced()].filter((p): p is string => p !== undefined) });
      }
    }
    problems.throwIfAny();

    // no two gateways of one cluster claim the same host and port. Two clusters' gateways are two load balancers
    // (each cluster's output is applied to its own cluster: MultiClusterExport), which may serve one host (DNS
    // chooses the cluster). Refused at once when the two charts are in one cluster for good (the same chart, or
    // both assigned); else at synthesis, when the clusters are final, with the same message
    const app = this.node.root;
    if (!claimed.has(app)) claimed.set(app, new Map());
    const claims = claimed.get(app)!;
    const chart = Chart.of(this);
    // (the same words in both creation orders: the cluster may not be known yet)
    const conflict = (key: string, other: IngressGateway) => propMessage('host', this.host,
      `[${other.node.path}] already serves ${key} in this cluster: two gateways claiming one host and port make the winner undefined`,
      'route every path of the host through one IngressGateway per cluster');
    const later: { key: string; other: IngressGateway }[] = [];
    for (const port of tls ? [443, 80] : [80]) {
      const key = `${this.host}:${port}`;
      const others = claims.get(key) ?? [];
      for (const other of others) {
        const theirs = Chart.of(other);
        if (!clusterRelationFinal(theirs, chart)) later.push({ key, other });
        else if (sameCluster(theirs, chart) && !problems.length) problems.addRaw(conflict(key, other));
      }
      problems.throwIfAny();
      claims.set(key, [...others, this]);
    }
    if (later.length) {
      this.node.addValidation({
        validate: () => {
          const found = later.find(({ other }) => sameCluster(Chart.of(other), chart));
          return found ? [conflict(found.key, found.other)] : [];
        },
      });
    }

    this.callerIdentity = props.gatewayIdentity ?? renderer.callerIdentity(intent, context);
    this.envoyProxyName = props.envoyProxyName;
    renderer.render(this, intent, context);
    this._markDropped(dropped);
  }
}
