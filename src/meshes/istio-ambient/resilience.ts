import { ResilienceIntent } from '../../model/route-intent';
import { Unsupported } from '../../model/unsupported';
import { PatternRenderer } from '../renderer';

/**
 * Istio ambient: the routing part goes to the waypoint's HTTPRoutes (traffic.ts), which cannot retry; there is
 * no sidecar to take the local rate limit, so nothing is written here (a rate limit dropped with
 * DROP_WITH_WARNING is left out).
 */
export const AMBIENT_RESILIENCE: PatternRenderer<ResilienceIntent> = {
  unsupported(intent: ResilienceIntent): Unsupported[] {
    const out: Unsupported[] = [];
    const sources = [...new Set(intent.rules.filter(r => r.retry).map(r => r.retrySource))];
    for (const source of sources) {
      out.push({
        setting: source,
        value: intent.rules.find(r => r.retrySource === source)!.retry!.attempts,
        // the waypoint's retries without a route policy: meshConfig.defaultHttpRetryPolicy when set, else Istio's
        // default (pilot/pkg/networking/core/route/route.go: opts.Mesh.GetDefaultHttpRetryPolicy(); retry/retry.go
        // ConvertPolicy of nil: DefaultPolicy, 2 retries on defaultRetryOn)
        why: 'ambient routes are Gateway API HTTPRoutes, whose retry field is Experimental in Gateway API v1.6 (GEP-1731), not in the standard channel, and a VirtualService for the same service (Alpha on waypoints) would leave both undefined; '
          + 'where a waypoint serves the service, it keeps Istio\'s default of 2 retries on connect-failure, refused-stream and gRPC unavailable/cancelled (not on 503), unless meshConfig.defaultHttpRetryPolicy sets another; '
          + 'without one, ztunnel (L4) retries no request',
        alternative: 'remove retries for ambient and rely on the waypoint\'s default, or run the service on the sidecar data plane',
      });
    }
    if (intent.rateLimit) {
      // (the per-caller and override limits of Istio's are not listed: the whole rate limit is refused)
      out.push({
        setting: 'rateLimit',
        value: intent.rateLimit.requestsPerSecond,
        why: 'the local rate limit is an EnvoyFilter on the sidecar\'s inbound listener; ambient pods have no sidecar, and ztunnel and waypoints do not take it',
        alternative: 'limit the rate at the ingress gateway, or run the service on the sidecar data plane',
      });
    }
    return out;
  },

  render() {
    // nothing of its own: the routes are the traffic renderer's
  },
};
