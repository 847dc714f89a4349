import { Construct } from 'constructs';
import { Identity, IdentityKind } from '../../model/identity';
import type { Unsupported } from '../../model/unsupported';
import type { IngressIntent } from '../../patterns/ingress/intent';
import { IngressApi } from '../../patterns/ingress/props';
import { envoyGatewayServiceAccount } from '../../private/envoy-gateway';
import { renderGatewayIngress } from '../gateway-api/ingress';
import { IngressRenderer, RenderContext } from '../renderer';

/**
 * Envoy Gateway: the GatewayClass of its quickstart, and the namespace where it runs the proxies of every
 * Gateway (its default deployment mode), each under a generated service account.
 */
const ENVOY_GATEWAY_CLASS = 'eg';
const ENVOY_GATEWAY_NAMESPACE = 'envoy-gateway-system';

/**
 * Linkerd has no ingress of its own: the Gateway API objects for the named gateway controller's
 * GatewayClass, whose proxies must be meshed to call the services with an identity.
 */
export const LINKERD_INGRESS: IngressRenderer = {
  defaultApi: () => IngressApi.GATEWAY_API,
  noGatewayClass: {
    why: 'Linkerd has no ingress of its own: the Gateway is served by a gateway controller',
    fix: "name its GatewayClass, e.g. gatewayClassName: 'eg' (Envoy Gateway's quickstart)",
  },

  // Consul's jwt.consulJwksCaFile is refused by the construct (INGRESS_OWNED)
  reads: [],

  unsupported(intent: IngressIntent) {
    const out: Unsupported[] = [];
    if (intent.api === IngressApi.ISTIO) {
      out.push({ setting: 'api', value: intent.api, why: 'the Istio Gateway API is Istio\'s', alternative: 'use IngressApi.GATEWAY_API', keep: 'no ingress would be written' });
    }
    if (intent.jwt) {
      out.push({
        setting: 'jwt',
        value: intent.jwt.issuer,
        why: 'the gateway controller, not Linkerd, validates tokens at the edge',
        keep: 'the edge would admit requests without a token',
        alternative: 'validate the token in the gateway controller\'s own policy, or require it per service with ZeroTrustNamespace requireJwt',
      });
    }
    return out;
  },

  callerIdentity(intent: IngressIntent) {
    // not the namespace: in Envoy Gateway's default deploy mode every team's Gateway proxies run there
    if (intent.gatewayClassName === ENVOY_GATEWAY_CLASS) {
      return Identity.serviceAccount(envoyGatewayServiceAccount(intent.namespace, intent.name), { namespace: ENVOY_GATEWAY_NAMESPACE });
    }
    return undefined;
  },

  render(scope: Construct, intent: IngressIntent, context: RenderContext) {
    const { name, namespace: ns, gatewayClassName } = intent;
    const egAccount = envoyGatewayServiceAccount(ns, name);
    if (!(intent.gatewayIdentity ?? this.callerIdentity(intent, context))) {
      context.warn(`the identity the ${gatewayClassName} gateway's proxies call the services with is unknown, so a ZeroTrustNamespace cannot allow this ingress (Linkerd would answer its requests with 403): mesh the gateway's proxies and set gatewayIdentity (e.g. Identity.serviceAccount('<the gateway pods' service account>', { namespace: '<their namespace>' }))`);
    }
    const wildcard = intent.gatewayIdentity?.kind === IdentityKind.NAMESPACE && intent.gatewayIdentity.name === ENVOY_GATEWAY_NAMESPACE;
    if (wildcard) {
      // the explicit opt-in to the namespace wildcard: said once, at synthesis
      context.warn(`gatewayIdentity: every workload of namespace ${ENVOY_GATEWAY_NAMESPACE}, where Envoy Gateway (in its default ControllerNamespace mode) runs the proxies of every Gateway of the cluster, every team's: a ZeroTrustNamespace allowing it admits them all, and any route of theirs to these services; leave gatewayIdentity out for this Gateway's own service account (${egAccount}), or use the GatewayNamespace deploy mode with Identity.serviceAccount('${name}', { namespace: '${ns}' })`);
    }
    if (gatewayClassName === ENVOY_GATEWAY_CLASS && intent.envoyProxyName === undefined) {
      // Envoy Gateway's quickstart GatewayClass has no parametersRef: its proxies are not meshed (so
      // Servers that deny by default answer the ingress with 403), and they send to pod IPs (routingType
      // Endpoint), where Linkerd applies no Service route (policy-controller outbound index: routes hang
      // off the Service). The EnvoyProxy CRD is not pinned here, so the library cannot write it.
      const ep = `${name}-linkerd`;
      context.warn(`Envoy Gateway's proxies of Gateway ${ns}/${name} are not meshed by this output and send to pod IPs: until they are meshed, Linkerd answers the ingress with 403 where a Server denies by default, and sending to pod IPs bypasses the services' Linkerd routes (timeouts, retries, failure accrual). Apply this EnvoyProxy: {apiVersion: gateway.envoyproxy.io/v1alpha1, kind: EnvoyProxy, metadata: {name: ${ep}, namespace: ${ns}}, spec: {routingType: Service, provider: {type: Kubernetes, kubernetes: {envoyDeployment: {pod: {annotations: {linkerd.io/inject: enabled}}}}}}} and set envoyProxyName: '${ep}' (the Gateway's spec.infrastructure.parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${ep}})`);
    }
    renderGatewayIngress(scope, intent, { redirect: !!intent.tlsSecretName });
    // the backends' namespaces (the gateway's own pods are injected by the gateway's installation)
    intent.enrolBackends();
  },
};
