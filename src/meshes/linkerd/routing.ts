import { LINKERD_PRECEDENCE } from './precedence';
import type { VersionedRoutingIntent } from '../../patterns/routing/intent';
import { renderVersionServices, versionServicePortProblems } from '../gateway-api/routing';
import { RenderContext, RoutingRenderer } from '../renderer';

/**
 * Linkerd: what it does not route through the HTTPRoute (unmeshed callers, an ingress that sends to
 * endpoints) reaches the pods the apex Service selects: the version with the largest default share.
 */
function apexSelector(intent: VersionedRoutingIntent, context: RenderContext): void {
  const v = intent.routing.defaultVersion;
  if (v.versionKey && intent.service._narrowServiceSelector(v.versionKey, v.versionValue)) return;
  const fix = v.versionKey ? `add ${v.versionKey}: ${v.versionValue} to its selector, or pass it with ServiceRef.fromService so the routing does it` : `give it the selector of ${v.backendService}`;
  context.warn?.(`the apex Service ${intent.service.name} selects every version, so what Linkerd does not route (unmeshed callers, an ingress that sends to endpoints) splits by replica count: ${fix}`);
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
    why: 'Linkerd\'s outbound routes do not support the RequestMirror filter',
    alternative: 'send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }])',
  }],
  serviceVersionProblems: versionServicePortProblems,
  precedence: LINKERD_PRECEDENCE,
  render(scope, intent, context) {
    renderVersionServices(scope, intent);
    apexSelector(intent, context);
  },
};
