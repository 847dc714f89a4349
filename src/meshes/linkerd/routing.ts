import { LINKERD_PRECEDENCE } from './precedence';
import type { VersionedRoutingIntent } from '../../patterns/routing/intent';
import { renderVersionServices, versionServicePortProblems } from '../gateway-api/routing';
import { RenderContext, RoutingRenderer } from '../renderer';
import { apexSelector, LINKERD_NO_MIRROR } from './versions';

/** Linkerd: the apex Service selects the version with the largest default share. */
function routingApexSelector(intent: VersionedRoutingIntent, context: RenderContext): void {
  apexSelector(intent.service, intent.routing.defaultVersion, {
    versions: 'every version',
    unrouted: 'unmeshed callers, an ingress that sends to endpoints',
    by: 'the routing',
  }, context);
}

/**
 * Linkerd: policy.linkerd.io HTTPRoutes to a Service per version, ranked as the Linkerd proxy ranks their
 * matches (linkerd2-proxy linkerd/http/route/src/http/match.rs `impl Ord for RequestMatch`, see
 * precedence.ts); no mirror.
 */
export const LINKERD_ROUTING: RoutingRenderer = {
  unsupported: intent => intent.routing.mirror === undefined ? [] : [{
    setting: 'mirror',
    value: `${intent.routing.mirror.version.name} ${intent.routing.mirror.percent}%`,
    why: LINKERD_NO_MIRROR,
    alternative: 'send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }])',
  }],
  serviceVersionProblems: versionServicePortProblems,
  precedence: LINKERD_PRECEDENCE,
  render(scope, intent, context) {
    renderVersionServices(scope, intent);
    routingApexSelector(intent, context);
  },
};
