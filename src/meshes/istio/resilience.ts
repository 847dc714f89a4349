import { Construct } from 'constructs';
import * as istio from '../../imports/istio';
import { ResilienceIntent } from '../../model/route-intent';
import { Unsupported } from '../../model/unsupported';
import { addDroppedNote } from '../../private/dropped';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { PatternRenderer, RenderContext } from '../renderer';

/**
 * Istio: the routing part goes to the service's VirtualService and DestinationRule (see
 * traffic.ts); a rate limit is an EnvoyFilter with Envoy's local rate limit filter on the
 * service's inbound sidecar, inserted before the router (Istio has no first-class rate-limit API).
 */
export const ISTIO_RESILIENCE: PatternRenderer<ResilienceIntent> = {
  unsupported(intent: ResilienceIntent): Unsupported[] {
    const out: Unsupported[] = [];
    const rl = intent.rateLimit;
    if (rl?.perCallerRequestsPerSecond !== undefined) {
      out.push({ setting: 'rateLimit.perCallerRequestsPerSecond', value: rl.perCallerRequestsPerSecond, why: 'Envoy\'s local rate limit filter has one token bucket per workload, not per caller identity', alternative: 'remove it for Istio (a global rate limit service can key on identity)' });
    }
    if (rl && rl.overrides.length) {
      out.push({ setting: 'rateLimit.overrides', value: rl.overrides.length + ' override(s)', why: 'Envoy\'s local rate limit filter cannot select callers by identity', alternative: 'remove the overrides for Istio' });
    }
    return out;
  },

  render(scope: Construct, intent: ResilienceIntent, { droppedNote }: RenderContext) {
    if (intent.rateLimit) {
      const rps = intent.rateLimit.requestsPerSecond;
      // the dropped settings (all of the rate limit, which no routing object holds: traffic.ts droppedOn)
      const filter = new istio.EnvoyFilter(scope, 'RateLimit', {
        metadata: objectMetadata(`${intent.serviceName}-local-ratelimit`, intent.namespace),
        spec: {
          workloadSelector: { labels: sortKeys(intent.service.selector) },
          priority: 10,
          configPatches: [{
            applyTo: istio.EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
            match: {
              context: istio.EnvoyFilterSpecConfigPatchesMatchContext.SIDECAR_UNDERSCORE_INBOUND,
              // just before the router, so after authorization (envoy.filters.http.rbac): a caller the
              // policies refuse takes no token from the bucket (Istio builds the inbound HTTP chain as
              // ... rbac, ..., envoy.filters.http.router: pilot/pkg/networking/core/listener_builder.go, buildHTTPConnectionManager)
              listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
            },
            patch: {
              operation: istio.EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE,
              value: {
                name: 'envoy.filters.http.local_ratelimit',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
                  'stat_prefix': 'http_local_rate_limiter',
                  'token_bucket': { max_tokens: rps, tokens_per_fill: rps, fill_interval: '1s' },
                  'filter_enabled': { runtime_key: 'local_rate_limit_enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  'filter_enforced': { runtime_key: 'local_rate_limit_enforced', default_value: { numerator: 100, denominator: 'HUNDRED' } },
                  'response_headers_to_add': [
                    { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'retry-after', value: '1' } },
                    { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD', header: { key: 'x-local-rate-limit', value: 'true' } },
                  ],
                },
              },
            },
          }],
        },
      });
      addDroppedNote(filter, droppedNote);
    }
  },
};
