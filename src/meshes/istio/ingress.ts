import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/istio';
import { Identity } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import { DEFAULT_ISTIO_GATEWAY_ACCOUNT, IngressIntent, IngressRouteIntent } from '../../patterns/ingress/intent';
import { IngressApi } from '../../patterns/ingress/props';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { eachRouteOfResilientService, renderGatewayIngress } from '../gateway-api/ingress';
import { IngressRenderer, RenderContext } from '../renderer';
import { AuthorizationPolicy, VirtualService } from '../unconverted';

/**
 * Istio with sidecars (ambient: istio-ambient/ingress.ts, with istioIngressRender): the Istio API (a `Gateway` and a `VirtualService` bound to it, on the shared
 * ingress gateway pods) or the Gateway API (a Gateway Istio deploys pods for), and a JWT required at the
 * edge (RequestAuthentication and a DENY policy).
 */
export const ISTIO_INGRESS: IngressRenderer = {
  defaultApi: () => IngressApi.ISTIO,
  defaultGatewayClassName: 'istio',

  // Consul's jwt.consulJwksCaFile is refused by the construct (INGRESS_OWNED)
  reads: [],

  unsupported() {
    return [];
  },

  callerIdentity(intent: IngressIntent) {
    if (intent.api === IngressApi.ISTIO) return Identity.serviceAccount(intent.istioGatewayServiceAccount, { namespace: intent.istioGatewayNamespace });
    return Identity.serviceAccount(`${intent.name}-istio`, { namespace: intent.namespace });
  },

  render: istioIngressRender(() => undefined),
};

/**
 * Istio's ingress objects, on either data plane: `gatewayPodLabels` gives the labels of the pods Istio deploys
 * for a Gateway API Gateway (ambient: the opt-out of ztunnel), if any.
 */
export function istioIngressRender(gatewayPodLabels: (intent: IngressIntent) => { [k: string]: string } | undefined) {
  return function render(scope: Construct, intent: IngressIntent, { mesh, warn }: RenderContext): void {
    const { name, namespace: ns, jwt } = intent;
    const tls = intent.tlsSecretName;
    const gwNamespace = intent.istioGatewayNamespace;
    const gwAccount = intent.istioGatewayServiceAccount;
    if (intent.api === IngressApi.ISTIO && jwt && gwAccount === DEFAULT_ISTIO_GATEWAY_ACCOUNT) {
      // the DENY matches this host only (pilot/pkg/security/authz/matcher/header.go, HostMatcher), and the
      // services admit the gateway's one principal for every host
      warn(`the JWT at the edge is required for host ${intent.host} only, on the shared ingress gateway pods (${Object.entries(intent.istioGatewaySelector ?? { istio: 'ingressgateway' }).map(([k, v]) => `${k}=${v}`).join(',')} in ${gwNamespace}), `
        + `which call every backend as one identity (${gwNamespace}/${gwAccount}): another app's Gateway and VirtualService on those pods that route any other host to these services reach them without a token. `
        + 'Give this app a gateway of its own (e.g. helm install shop-gateway istio/gateway -n <namespace>, then set istioGatewaySelector, istioGatewayNamespace and istioGatewayServiceAccount to its labels, namespace and service account), '
        + 'or require the token at the services too (ZeroTrustNamespace jwt and requireJwt on the rules that admit the gateway, with jwt.forwardOriginalToken: true here)');
    }
    if (!mesh.ambient) warnServiceRoutesSkipped(scope, intent, warn);
    if (intent.api === IngressApi.ISTIO) {
      renderIstioApi(scope, intent, mesh.clusterDomain);
      intent.enrolBackends();
      return;
    }
    renderGatewayIngress(scope, intent, { redirect: !!tls, infrastructureLabels: gatewayPodLabels(intent) });
    // the backends' namespaces (the gateway's own pods are injected by the gateway's installation)
    intent.enrolBackends();
    const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name }];
    // the redirect route serves port 80 alone: the DENY is for 443 only, so that a plain-HTTP request
    // without a token gets the redirect, not 403 (RBAC runs before the router). The gateway's pods listen
    // on the listener ports themselves (kube-gateway.yaml), so 443 is the port the policy sees.
    const redirect = !!tls;
    if (jwt) renderJwt(scope, name, ns, { targetRefs }, jwt, undefined, redirect ? ['443'] : undefined);
    // Istio applies the namespace's selector-less policies to the gateway pods it deploys for a Gateway
    // (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by default; pilot/pkg/model/policyattachment.go,
    // ShouldAttachPolicy): a default deny there would refuse every outside client. The gateway accepts
    // everyone on its listeners' ports (its routes and the JWT policy decide what follows).
    new AuthorizationPolicy(scope, 'AllowIngress', {
      metadata: objectMetadata(`${name}-allow-ingress`, ns),
      spec: {
        targetRefs,
        action: istio.AuthorizationPolicySpecAction.ALLOW,
        rules: [{ to: [{ operation: { ports: (tls ? ['443', '80'] : ['80']) } }] }],
      },
    });
  };
}

function renderIstioApi(scope: Construct, intent: IngressIntent, clusterDomain: string): void {
  const { name, namespace: ns, host } = intent;
  const tls = intent.tlsSecretName;
  const selector = sortKeys(intent.istioGatewaySelector ?? { istio: 'ingressgateway' });
  // On a gateway of the app's own (istioGatewaySelector given), the host is for the VirtualServices of this
  // namespace only: a host with no namespace is */host, to which a VirtualService of any namespace binds
  // (pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig, host.NamesForNamespace(server.Hosts,
  // virtualService.Namespace); pkg/config/host/names.go), adding or shadowing routes of this host. The one
  // VirtualService below is in ns, whatever the namespaces of the services it routes to
  // (ValidateNamespaceSlashWildcardHostname accepts namespace/host on a Gateway). On the shared gateway pods
  // (istio=ingressgateway) the host stays bare: istiod skips a second TLS server of the same host on the same
  // port only when the host strings are equal (pilot/pkg/model/gateway.go MergeGateways, CheckDuplicates on
  // the raw hosts), and strips the namespace for the SNI match (GetSNIHostsForServer), so `shop/h` beside
  // another app's `h` (or `team/h`) would give the listener two filter chains of one SNI, which Envoy rejects
  // for every host of those pods; with a bare host that mistake costs only the second server
  const serverHosts = () => [intent.istioGatewaySelector ? `${ns}/${host}` : host];
  const servers: istio.GatewaySpecServers[] = tls
    ? [
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: serverHosts(), tls: { mode: istio.GatewaySpecServersTlsMode.SIMPLE, credentialName: tls } },
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: serverHosts(), tls: { httpsRedirect: true } },
    ]
    : [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: serverHosts() }];
  new istio.Gateway(scope, 'Gateway', { metadata: objectMetadata(name, ns), spec: { selector, servers } });
  new VirtualService(scope, 'VirtualService', {
    metadata: objectMetadata(`${name}-ingress`, ns),
    spec: {
      hosts: [host],
      gateways: [`${ns}/${name}`],
      http: intent.routes.map(r => ({
        name: istioRouteName(r),
        // a prefix is segment-wise (as Gateway API PathPrefix): /api matches /api and /api/..., not
        // /apiary; a VirtualService uri prefix is a plain string prefix
        match: r.exact ? [{ uri: { exact: r.prefix } }] : r.prefix === '/' ? [{ uri: { prefix: '/' } }] : [{ uri: { exact: r.prefix } }, { uri: { prefix: `${r.prefix}/` } }],
        route: [{ destination: { host: r.service._fqdn(scope, clusterDomain), port: { number: r.port } } }],
      })),
    },
  });
  // the gateway pods are shared with other hosts: the policy is for this host only, with and without
  // a port in the Host header (hosts is an exact match, and the gateway serves host:443 as host). On every port of
  // the pods, the plain-HTTP one too (so http:// without a token gets 403, not the redirect: RBAC runs before the
  // router, pilot/pkg/networking/core/listener_builder.go buildHTTPConnectionManager): leaving that port out would
  // let a request through without a token whenever the gateway trusts the client's x-forwarded-proto
  // (numTrustedProxies): the redirect listener's routes are the VirtualService's with RequireTls only
  // (pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig), and Envoy redirects only when
  // x-forwarded-proto is not https
  if (intent.jwt) renderJwt(scope, name, intent.istioGatewayNamespace, { selector: { matchLabels: selector } }, intent.jwt, [host, `${host}:*`]);
}

/** The name of a route of the ingress VirtualService. */
function istioRouteName(r: IngressRouteIntent): string {
  return `${r.prefix === '/' ? 'root' : r.prefix.slice(1).replace(/[^a-z0-9-]+/gi, '-').toLowerCase()}${r.exact ? '-exact' : ''}`;
}

/**
 * Istio with sidecars: a ResilientService's timeouts and retries are in the service's VirtualService (or
 * HTTPRoute parented on the Service), which has no gateways: it is for the sidecars only
 * (pilot/pkg/model/push_context.go getGatewayNames: no gateways is the mesh gateway), and the gateway's own
 * route to the service (its VirtualService bound to the Gateway, or HTTPRoute parented on it) carries none:
 * the edge gets Istio's default route, no timeout and 2 retries on connect-failure, refused-stream,
 * unavailable and cancelled (pilot/pkg/networking/core/route/route.go setTimeout, route/retry/retry.go).
 * The service's circuit breaker, pool and load balancing (its DestinationRule) do apply to the gateway.
 * Not copied into the gateway's route: a ResilientService's per-route settings (e.g. POST /orders with a
 * longer timeout and no retries) would need its matches repeated under each prefix, and its catch-all alone
 * would shorten those requests' timeout and retry non-idempotent ones at the edge. Ambient is not warned:
 * the route settings are on the service's waypoint, which the gateway sends through
 * (istio.io/ingress-use-waypoint, written with the waypoint: pilot/pkg/xds/endpoints/endpoint_builder.go
 * findServiceWaypoint). Checked at synthesis, so that a ResilientService created after this gateway counts.
 */
function warnServiceRoutesSkipped(scope: Construct, intent: IngressIntent, warn: (m: string) => void): void {
  const route = intent.api === IngressApi.ISTIO ? (r: IngressRouteIntent) => `route ${istioRouteName(r)} of VirtualService ${intent.namespace}/${intent.name}-ingress`
    : (r: IngressRouteIntent) => `rule for ${r.prefix} of HTTPRoute ${intent.namespace}/${intent.name}-ingress`;
  eachRouteOfResilientService(scope, intent, (r, rs) => {
    if (!rs.routeSettings.length) return;
    warn(`the route ${r.prefix} → ${r.service.name}: ${rs.routeSettings.join(', ')} of [${rs.path}] do not apply to requests through this gateway: `
      + `they are on ${r.service.name}'s own route, which Istio applies in the callers' sidecars only, not at the gateway (a VirtualService without gateways is for the mesh: pilot/pkg/model/push_context.go getGatewayNames), `
      + 'so the edge has Istio\'s default route: no timeout, and 2 retries on connect-failure, refused-stream, unavailable and cancelled. '
      + `If the edge needs them, set them on the ${route(r)} (e.g. with a cdk8s JSON patch), or use the ambient data plane, where the gateway sends through the service's waypoint, which applies them`);
  });
}

/**
 * JWT at the edge (Istio): a RequestAuthentication and a DENY policy for requests without a token, on
 * the gateway pods (the Istio API: by selector, for the host and host:* since the pods serve other
 * hosts too; a Gateway API gateway: by targetRefs to the Gateway alone, since its pods are deployed
 * for it).
 */
function renderJwt(scope: Construct, name: string, namespace: string, at: { [k: string]: unknown }, jwt: JwtAuthentication,
  hosts?: string[], ports?: string[]): void {
  new ApiObject(scope, 'RequestAuthentication', {
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
  new AuthorizationPolicy(scope, 'RequireJwt', {
    metadata: objectMetadata(`${name}-require-jwt`, namespace),
    spec: {
      ...at,
      action: istio.AuthorizationPolicySpecAction.DENY,
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], ...(hosts || ports ? { to: [{ operation: { hosts, ports } }] } : {}) }],
    },
  });
}
