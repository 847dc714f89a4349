import { IConstruct } from 'constructs';
import * as flagger from '../../imports/flagger';
import { MatchType } from '../../model/matches';
import { Unsupported } from '../../model/unsupported';
import type { CanaryControllerIntent, CanaryReleaseIntent } from '../../patterns/canary/intent';
import { objectMetadata } from '../../private/metadata';
import { ArgoRolloutsMeshRenderer, FlaggerMeshRenderer } from '../renderer';
import { renderVersionBackends } from './versions';
import { HttpRoute } from '../unconverted';

/** Gateway API routes (Linkerd, Istio ambient) send to Services: one per version, selecting that version's pods. */
export function renderBackendServices(scope: IConstruct, intent: CanaryReleaseIntent): void {
  renderVersionBackends(scope, intent.service, intent.namespace, [intent.canary.stable, intent.canary.canary], { externalIPs: true });
}

/**
 * Argo Rollouts' argoproj-labs/gatewayAPI plugin: one setHeaderRoute per test request there
 * (ARGO_GATEWAY_API.headerRoutes); the plugin replaces the rules of an earlier one whose headers hold every
 * header name of a later one (pkg/plugin/httproute.go isHTTPManagedRule).
 */
export function argoGatewayApiHeaderRoutes(intent: CanaryControllerIntent): Unsupported[] {
  const out: Unsupported[] = [];
  const seen = new Map<string, number>();
  intent.matches.forEach((m, i) => {
    const header = m.headers[0]?.name.toLowerCase();
    if (header === undefined || m.headers.length > 1) return;
    const first = seen.get(header);
    if (first === undefined) {
      seen.set(header, i);
      return;
    }
    out.push({
      setting: `canaryRequests[${i}]`,
      value: m.headers[0].name,
      why: `canaryRequests[${first}] matches the same ${header === 'cookie' ? 'cookie header' : 'header'}, and the argoproj-labs/gatewayAPI plugin's setHeaderRoute replaces the rules of an earlier managed route on the same header names (pkg/plugin/httproute.go isHTTPManagedRule), so only the last of them would route`,
      alternative: header === 'cookie' ? 'keep one cookie match, and match the other test requests by a header'
        : `merge the two into one match (e.g. HeaderMatch.regex('${m.headers[0].name}', '^(a|b)$')), or match a different header`,
    });
  });
  return out;
}

/** A prefix as Gateway API has it in Flagger's mapping (exact and regex only: pkg/router/gateway_api.go mapRouteMatches). */
function gatewayStringMatch(h: { type: MatchType; value: string }): { [k: string]: string } {
  if (h.type === MatchType.PREFIX) return { regex: `^${h.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*` };
  return { [h.type]: h.value };
}

/**
 * Flagger's Gateway API router (provider gatewayapi:v1) on a mesh that routes a Service-parented HTTPRoute
 * (GAMMA): the Canary's gatewayRefs name the Service, with the group the mesh reads for a Service parent
 * (Flagger copies it into the HTTPRoute: gateway_api.go toV1ParentRefs).
 */
export function flaggerGatewayApi(serviceGroup: string): Pick<FlaggerMeshRenderer, 'provider' | 'gatewayRefs' | 'headerMatch'> {
  return {
    provider: flagger.CanarySpecProvider.GATEWAYAPI_V1,
    gatewayRefs: intent => [{ name: intent.service.name, ...(intent.namespace ? { namespace: intent.namespace } : {}), group: serviceGroup, kind: 'Service', port: intent.service.port }],
    headerMatch: gatewayStringMatch,
  };
}

/**
 * Argo Rollouts' argoproj-labs/gatewayAPI plugin on a mesh that routes a Service-parented HTTPRoute
 * (GAMMA): the plugin edits the weights of the HTTPRoute written here and adds the managed routes.
 */
export const ARGO_GATEWAY_API: Pick<ArgoRolloutsMeshRenderer, 'renderRouting' | 'headerRoutes'> = {
  renderRouting(scope, intent) {
    const { service, namespace } = intent;
    new HttpRoute(scope, 'ArgoHttpRoute', {
      metadata: objectMetadata(service.name, namespace),
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: service.name, port: service.port }],
        rules: [{
          backendRefs: [
            { name: intent.stableService, port: service.port, weight: 100 },
            { name: intent.canaryService, port: service.port, weight: 0 },
          ],
        }],
      },
    });
    return { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: service.name, ...(namespace ? { namespace } : {}) } } };
  },
  // the plugin puts every match of a setHeaderRoute into one HTTPRoute match, which ANDs them
  // (pkg/plugin/httproute.go setHTTPHeaderRoute): one managed route per test request ORs them. Names are
  // not <other>-<digits>: the plugin treats those as rules of route <other> (isManagedRuleName)
  headerRoutes: (name, matches) => matches.length > 1
    ? matches.map((m, i) => ({ name: `${name}-m${i + 1}`, match: [m] }))
    : [{ name, match: matches }],
};
