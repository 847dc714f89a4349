import { Construct } from 'constructs';
import { ConsulJwtProvider, jwksCaFileProblems, writesDatacenterWide } from './singletons';
import * as consul from '../../imports/consul';
import * as gatewayApi from '../../imports/gateway-api';
import { Identity } from '../../model/identity';
import type { JwtAuthentication } from '../../model/jwt';
import type { PropProblem, Unsupported } from '../../model/unsupported';
import type { IngressIntent } from '../../patterns/ingress/intent';
import { IngressApi } from '../../patterns/ingress/props';
import { objectMetadata } from '../../private/metadata';
import { dns1123LabelProblem, isDns1123Label } from '../../private/names';
import { eachRouteOfResilientService, renderGatewayIngress } from '../gateway-api/ingress';
import { IngressRenderer, RenderContext } from '../renderer';

/**
 * Consul: the Gateway API objects for Consul's API gateway (GatewayClass `consul`), and with Consul
 * Enterprise a JWT required at the gateway's listener (a JWTProvider and a GatewayPolicy).
 */
export const CONSUL_INGRESS: IngressRenderer = {
  defaultApi: () => IngressApi.GATEWAY_API,
  defaultGatewayClassName: 'consul',

  // its JWTProvider's CA bundle (checked in jwtProblems)
  reads: ['jwt.consulJwksCaFile'],

  unsupported(intent: IngressIntent, { mesh }: RenderContext) {
    const out: Unsupported[] = [];
    if (intent.api === IngressApi.ISTIO) {
      out.push({ setting: 'api', value: intent.api, why: 'the Istio Gateway API is Istio\'s', alternative: 'use IngressApi.GATEWAY_API', keep: 'no ingress would be written' });
    }
    if (intent.jwt && !mesh.consulEnterprise) {
      out.push({
        setting: 'jwt',
        value: intent.jwt.issuer,
        why: 'JWT verification at the API gateway is a Consul Enterprise feature',
        keep: 'the edge would admit requests without a token',
        alternative: 'use Mesh.consul({ enterprise: true }) if the servers run Enterprise, or require the token per service with ZeroTrustNamespace requireJwt',
      });
    }
    if (intent.jwt?.forwardOriginalToken) {
      out.push({ setting: 'jwt.forwardOriginalToken', value: true, why: 'JWTProvider forwards the token payload to a header, not the original token', alternative: 'remove forwardOriginalToken for Consul' });
    }
    return out;
  },

  jwtProblems(jwt: JwtAuthentication): PropProblem[] {
    return jwksCaFileProblems(jwt);
  },

  problems(intent: IngressIntent): PropProblem[] {
    const providerName = intent.providerName;
    if (providerName !== undefined && !isDns1123Label(providerName)) {
      return [{ prop: 'jwt.providerName', value: providerName, why: dns1123LabelProblem('a provider name'), fix: "set providerName: 'auth'" }];
    }
    return [];
  },

  callerIdentity(intent: IngressIntent) {
    return Identity.serviceAccount(intent.name, { namespace: intent.namespace });
  },

  render(scope: Construct, intent: IngressIntent, context: RenderContext) {
    const { name, namespace: ns, jwt } = intent;
    const tls = intent.tlsSecretName;
    warnRouterSkipped(scope, intent, context.warn);
    // Consul's API gateway translates header modifiers and URL rewrites only, no RequestRedirect
    // (consul-k8s control-plane/api-gateway/common/translation.go translateHTTPFilters): the redirect
    // route would have no backend and the HTTP listener would serve nothing, so it is not written
    if (tls) {
      context.warn(`no HTTP listener is written: Consul's API gateway has no HTTP → HTTPS redirect (it translates no RequestRedirect filter), so plain-HTTP clients of ${intent.host} cannot connect; redirect at the load balancer in front of the gateway if they must`);
    }
    renderGatewayIngress(scope, intent, { redirect: false, prefixMatches: consulPrefixMatches });
    // the backends' namespaces (the gateway's own pods are injected by the gateway's installation)
    intent.enrolBackends();
    if (jwt) {
      // Consul Enterprise: a JWTProvider (shared with zero trust) and an override on the gateway's
      // listener, which routes cannot relax
      const providerName = intent.providerName!;
      if (writesDatacenterWide(scope, context.mesh, `JWTProvider ${providerName}`, `verify tokens of issuer ${jwt.issuer} against ${jwt.jwksUri}`)) {
        const spec = { name: providerName, issuer: jwt.issuer, jwksUri: jwt.jwksUri, audiences: jwt.audiences, trustedCaFile: jwt.consulJwksCaFile };
        ConsulJwtProvider.of(scope, spec, scope.node.path);
      }
      new consul.GatewayPolicy(scope, 'GatewayPolicy', {
        metadata: objectMetadata(`${name}-jwt`, ns),
        spec: {
          targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name, sectionName: tls ? 'https' : 'http' },
          override: { jwt: { providers: [{ name: providerName }] } },
        },
      });
    }
  },
};

/**
 * Consul: the API gateway's chain for a route starts at the router Consul synthesizes from the
 * HTTPRoute, whose destinations go to the service's splitter or resolver, never to its own
 * ServiceRouter (agent/consul/discoverychain/compile.go getSplitterOrResolverNode): the timeouts and
 * retries of a ResilientService do not apply to ingress traffic. Checked at synthesis, so that a
 * ResilientService created after this gateway counts.
 */
function warnRouterSkipped(scope: Construct, intent: IngressIntent, warn: (m: string) => void): void {
  eachRouteOfResilientService(scope, intent, (r, rs) => warn(`the route ${r.prefix} → ${r.service.name}: the timeouts and retries of [${rs.path}] do not apply to requests through this gateway: `
    + `Consul's API gateway routes straight to ${r.service.name}'s instances, past its ServiceRouter (discoverychain compile.go), so the edge keeps Envoy's 15 s timeout and no retries; `
    + 'set them on the gateway route with consul-k8s RouteTimeoutFilter / RouteRetryFilter if it needs them (docs/cluster-consul.md)'));
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
