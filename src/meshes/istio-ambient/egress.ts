import type { Unsupported } from '../../model/unsupported';
import type { EgressIntent } from '../../patterns/egress/intent';
import { AmbientNamespace } from '../istio/ambient';
import { ISTIO_EGRESS, istioEgressRender } from '../istio/egress';
import { EgressRenderer, RenderContext } from '../renderer';

/**
 * Istio ambient: Istio's ServiceEntries and DestinationRules, with TLS origination in the namespace's egress
 * waypoint (which the ServiceEntry is enrolled with); no REGISTRY_ONLY Sidecar (there are no sidecars).
 */
export const AMBIENT_EGRESS: EgressRenderer = {
  ...ISTIO_EGRESS,
  unsupported(intent: EgressIntent, context: RenderContext) {
    const out: Unsupported[] = [];
    if (intent.registryOnly) {
      out.push({
        setting: 'registryOnly',
        value: true,
        why: 'ambient pods have no sidecar to apply a REGISTRY_ONLY Sidecar, and ztunnel passes unknown destinations through',
        alternative: 'set registryOnly: false and block other destinations with a Kubernetes NetworkPolicy (egress), or route egress through an egress gateway',
        keep: 'the pods would reach every destination',
      });
    }
    out.push(...ISTIO_EGRESS.unsupported(intent, context));
    return out;
  },

  // TLS origination happens in a waypoint, which the ServiceEntry is enrolled with
  render: istioEgressRender((scope, namespace, mesh) => AmbientNamespace.of(scope, namespace, mesh).useEgressWaypoint()),
};
