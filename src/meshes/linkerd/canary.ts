import { Unsupported } from '../../model/unsupported';
import type { CanaryControllerIntent, CanaryReleaseIntent } from '../../patterns/canary/intent';
import { argoGatewayApiHeaderRoutes, renderBackendServices } from '../gateway-api/canary';
import { CanaryRenderer, RenderContext } from '../renderer';

/**
 * Linkerd: the apex Service selects one version, the stable one until the canary takes all traffic
 * (Linkerd's traffic-shifting guide). What Linkerd does not route through the HTTPRoute (unmeshed callers,
 * a gateway that sends to endpoints, the moment before the route is accepted) then reaches that version,
 * instead of splitting by replica count across both.
 */
function apexSelector(intent: CanaryReleaseIntent, context: RenderContext): void {
  const c = intent.canary;
  const v = c.canaryWeight === 100 ? c.canary : c.stable;
  if (!intent.service._narrowServiceSelector(v.versionKey, v.versionValue)) {
    context.warn?.(`the apex Service ${intent.service.name} selects both versions, so what Linkerd does not route (unmeshed callers, an ingress that sends to endpoints, the moment before the route is accepted) splits by replica count: add ${v.versionKey}: ${v.versionValue} to its selector (and move it to the canary's version at promotion), or pass it with ServiceRef.fromService so the release does it`);
  }
}

/** Linkerd: weighted Gateway API backends (or an SMI TrafficSplit), one Service per version; no mirror. */
export const LINKERD_CANARY: CanaryRenderer = {
  readsSmiTrafficSplit: true,
  flaggerMirrorsFirstInterval: false,
  unsupported: intent => intent.mirrorPercent === undefined ? [] : [{
    setting: 'mirrorPercent',
    value: intent.mirrorPercent,
    why: 'Linkerd\'s outbound routes do not support the RequestMirror filter',
    alternative: 'send test traffic to the canary with canaryRequests instead',
  }],
  render(scope, intent, context) {
    renderBackendServices(scope, intent);
    apexSelector(intent, context);
  },
  alertWarning: context => context.mesh.linkerdPrometheus
    ? undefined
    // linkerd-viz's Prometheus loads no PrometheusRule, and under deny only it may scrape the proxies
    : 'the health alert is a PrometheusRule, which only a prometheus-operator Prometheus evaluates (linkerd-viz\'s Prometheus loads none), and a deny default inbound policy lets only linkerd-viz/prometheus scrape the proxies: name the Prometheus that loads the rule, e.g. Mesh.linkerd({ prometheus: { namespace: \'monitoring\', serviceAccount: \'kube-prometheus-stack-prometheus\' } }), so that a STRICT ZeroTrustNamespace authorizes its scrapes',
  controllerUnsupported(intent: CanaryControllerIntent): Unsupported[] {
    if (intent.flagger) {
      return intent.mirrorPercent === undefined ? [] : [{
        setting: 'mirrorPercent',
        value: intent.mirrorPercent,
        why: 'Linkerd\'s routes have no RequestMirror filter (and Flagger\'s mirrorWeight is Istio only)',
        alternative: 'send test traffic with canaryRequests instead',
      }];
    }
    return [...argoGatewayApiHeaderRoutes(intent), ...(intent.mirrorPercent === undefined ? [] : [{
      setting: 'mirrorPercent',
      value: intent.mirrorPercent,
      why: 'Linkerd\'s routes have no RequestMirror filter',
      alternative: 'send test traffic with canaryRequests instead',
    }])];
  },
};
