import { Construct } from 'constructs';
import * as gatewayApi from '../../imports/gateway-api';
import type { IngressIntent, IngressRouteIntent, ResilientServiceRef } from '../../patterns/ingress/intent';
import { HTTPROUTE_MAX_RULES } from '../../private/limits';
import { objectMetadata } from '../../private/metadata';
import { HttpRoute } from '../unconverted';

/** How a mesh's gateway controller differs in the Gateway API objects of an IngressGateway. */
export interface GatewayIngressOptions {
  /** Whether the HTTP listener redirects to HTTPS (with TLS); without it, no HTTP listener is written with TLS. */
  readonly redirect: boolean;
  /** The Gateway's `spec.infrastructure.labels`. */
  readonly infrastructureLabels?: { [key: string]: string };
  /** The matches of a path prefix other than `/` (default: one PathPrefix). */
  readonly prefixMatches?: (prefix: string) => gatewayApi.HttpRouteSpecRulesMatches[];
}

/**
 * The Gateway API objects of an IngressGateway: the Gateway (HTTPS and/or HTTP listener for the host), its
 * HTTPRoutes (at most 16 rules each), the ReferenceGrants of the backends' other namespaces, and the
 * HTTP → HTTPS redirect route.
 */
export function renderGatewayIngress(scope: Construct, intent: IngressIntent, options: GatewayIngressOptions): void {
  const { name, namespace: ns, routes, gatewayClassName } = intent;
  const tls = intent.tlsSecretName;
  const redirect = options.redirect;
  const listeners: gatewayApi.GatewaySpecListeners[] = [
    ...(tls ? [{
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      hostname: intent.host,
      tls: { mode: gatewayApi.GatewaySpecListenersTlsMode.TERMINATE, certificateRefs: [{ kind: 'Secret', name: tls }] },
    }] : []),
    ...(!tls || redirect ? [{ name: 'http', port: 80, protocol: 'HTTP', hostname: intent.host }] : []),
  ];
  const labels = options.infrastructureLabels;
  const envoyProxy = intent.envoyProxyName;
  const infrastructure = envoyProxy || labels ? {
    ...(labels ? { labels } : {}),
    ...(envoyProxy ? { parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: envoyProxy } } : {}),
  } : undefined;
  new gatewayApi.Gateway(scope, 'Gateway', { metadata: objectMetadata(name, ns), spec: { gatewayClassName: gatewayClassName!, infrastructure, listeners } });
  // an HTTPRoute holds at most 16 rules: more prefixes go to further routes on the same listener
  // (Gateway API orders path prefixes by length across the routes of a listener, so the split keeps
  // longest-prefix-first)
  for (let i = 0; i * HTTPROUTE_MAX_RULES < routes.length; i++) {
    const chunk = routes.slice(i * HTTPROUTE_MAX_RULES, (i + 1) * HTTPROUTE_MAX_RULES);
    new HttpRoute(scope, i === 0 ? 'HTTPRoute' : `HTTPRoute-${i + 1}`, {
      metadata: objectMetadata(i === 0 ? `${name}-ingress` : `${name}-ingress-${i + 1}`, ns),
      spec: {
        parentRefs: [{ name, sectionName: tls ? 'https' : 'http' }],
        hostnames: [intent.host],
        rules: chunk.map(r => ({
          matches: r.exact ? [{ path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.EXACT, value: r.prefix } }]
            : options.prefixMatches && r.prefix !== '/' ? options.prefixMatches(r.prefix) : [{ path: { type: gatewayApi.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.prefix } }],
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
    new gatewayApi.ReferenceGrant(scope, `ReferenceGrant-${other}`, {
      metadata: objectMetadata(`${name}-ingress-from-${ns}`.slice(0, 63).replace(/-+$/, ''), other),
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: ns }],
        to: [{ group: '', kind: 'Service' }],
      },
    });
  }
  if (redirect) {
    new HttpRoute(scope, 'HttpsRedirect', {
      metadata: objectMetadata(`${name}-https-redirect`, ns),
      spec: {
        parentRefs: [{ name, sectionName: 'http' }],
        hostnames: [intent.host],
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
 * At synthesis, once (so that a ResilientService created after the gateway counts): `each` for every route of the
 * gateway whose service a ResilientService of the app manages, for the meshes whose gateway route skips the
 * service's own routes (their timeouts and retries) and warn of it.
 */
export function eachRouteOfResilientService(scope: Construct, intent: IngressIntent,
  each: (route: IngressRouteIntent, resilience: ResilientServiceRef) => void): void {
  let checked = false;
  scope.node.addValidation({
    validate: () => {
      if (checked) return [];
      checked = true;
      const resilient = intent.resilientServices();
      for (const r of intent.routes) {
        const rs = resilient.find(x => x.name === r.service.name && x.namespace === intent.namespaceOf(r.service));
        if (rs) each(r, rs);
      }
      return [];
    },
  });
}
