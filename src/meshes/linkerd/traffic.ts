import { ApiObject, Lazy } from 'cdk8s';
import { LINKERD_PRECEDENCE } from './precedence';
import * as linkerd from '../../imports/linkerd';
import * as smi from '../../imports/smi';
import { LinkerdRouteApi } from '../../model/mesh';
import { RetryIntent } from '../../model/route-intent';
import { TrafficModel } from '../../model/traffic';
import type { TrafficContributor, TrafficTarget } from '../../patterns/traffic/intent';
import { formatMillisSingleUnit } from '../../private/format';
import { objectMetadata } from '../../private/metadata';
import { gammaRoutes, holdsRetriesOf } from '../gateway-api/http-route';
import { crossedPrecedenceProblem, GammaRetries } from '../gateway-api/precedence';
import { TrafficRenderer } from '../renderer';
import { PolicyHttpRoute } from '../unconverted';

/** Retry conditions Linkerd's `retry.linkerd.io/http` can express, as its values. */
export const LINKERD_RETRY_ON: Record<string, string> = {
  '5xx': '5xx',
  'gateway-error': 'gateway-error',
  'retriable-4xx': '409',
};

function retryAnnotations(r: RetryIntent | undefined): { [k: string]: string } {
  if (!r) return {};
  const http = [...r.on.filter(c => LINKERD_RETRY_ON[c]).map(c => LINKERD_RETRY_ON[c]), ...r.statusCodes.map(String)];
  return {
    'retry.linkerd.io/http': [...new Set(http)].join(','),
    'retry.linkerd.io/limit': String(r.attempts),
    ...(r.perTryTimeoutMs !== undefined ? { 'retry.linkerd.io/timeout': formatMillisSingleUnit(r.perTryTimeoutMs) } : {}),
  };
}

/** The dropped settings that would have been written on the Service object (balancer.linkerd.io annotations). */
export const SERVICE_LEVEL = /^(circuitBreaker|connectionPool|loadBalancing)\b/;

/**
 * Linkerd reads a route's retries from its annotations (retry.linkerd.io/*, policy-controller
 * k8s/index/src/outbound/index/http.rs), not per rule: a route per retry policy.
 */
const RETRIES: GammaRetries = { routePerRetryPolicy: true, written: true };

/**
 * Linkerd: HTTPRoutes with the Service as parent, one per retry policy (`<service>` without
 * retries, `<service>-retry`, `<service>-retry-2`, ...), with canary header rules and weighted
 * backends to the per-version Services; or, with `smi`, an SMI TrafficSplit.
 */
export const LINKERD_TRAFFIC: TrafficRenderer = {
  // a dropped setting is noted on the objects it would have been written to: a route's retry conditions on
  // the HTTPRoute that carries that route's retry policy (a route per policy), canary settings and a
  // VersionedRouting's mirror on the routes or split; the Service-level ones (failure accrual, connection
  // pool, load balancing) on the Service (resilience.ts), or, when the app has no Service object of its
  // own (ServiceRef.fromName), on the routes, where the service's other settings are
  droppedOn(obj: ApiObject, setting: string, from: TrafficContributor, model: TrafficModel) {
    const retryOn = /^(.*)\.retryOn$/.exec(setting);
    if (retryOn) return holdsRetriesOf(obj, retryOn[1], model);
    if (setting === 'mirrorPercent' || setting === 'canaryRequests' || setting === 'mirror') return ['HTTPRoute', 'TrafficSplit'].includes(obj.kind);
    if (from === 'resilience' && SERVICE_LEVEL.test(setting)) return !model.service.ownsServiceObject && obj.kind === 'HTTPRoute';
    return false;
  },

  // linkerd-smi's TrafficSplit does not combine with the HTTPRoutes of a ResilientService on the same service
  // (whichever joins first): the release's split or the service's routes would not apply
  joinProblem(traffic: TrafficTarget, model: TrafficModel) {
    if (!model.canary?.smi || !traffic.resilienceBy) return undefined;
    return `[${traffic.canaryBy}] splits it with linkerd-smi's TrafficSplit (smiTrafficSplit: true) and [${traffic.resilienceBy}] configures routes for it, and the TrafficSplit does not combine with HTTPRoutes on the same service; `
      + `use Gateway API routes (remove smiTrafficSplit from [${traffic.canaryBy}])`;
  },

  precedenceProblem(traffic: TrafficTarget, model: TrafficModel) {
    return crossedPrecedenceProblem(traffic, model, LINKERD_PRECEDENCE, RETRIES);
  },

  render(traffic: TrafficTarget, model: () => TrafficModel) {
    const m = model();
    const policyApi = traffic.mesh.linkerdRouteApi === LinkerdRouteApi.POLICY;
    // a route is needed for resilience rules, or for a canary that is not an SMI split
    const needRoutes = m.resilience?.rules.length || m.routing || (m.canary && !m.canary.smi);
    if (needRoutes) {
      gammaRoutes(traffic, model, {
        policyApi: policyApi ? { parentGroup: 'core', route: (scope, id, props) => new PolicyHttpRoute(scope, id, props as linkerd.HttpRouteProps) } : undefined,
        routePerRetryPolicy: RETRIES.routePerRetryPolicy,
        annotations: retryAnnotations,
        mirror: false,
      });
    }
    if (m.canary?.smi && !traffic.node.tryFindChild('TrafficSplit')) {
      traffic.adopt(new smi.TrafficSplit(traffic, 'TrafficSplit', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({
          produce: (): smi.TrafficSplitSpec => {
            const c = model().canary!;
            return {
              service: m.serviceName,
              backends: [
                { service: c.stable.backendService, weight: 100 - c.canaryWeight },
                { service: c.canary.backendService, weight: c.canaryWeight },
              ],
            };
          },
        }) as smi.TrafficSplitSpec,
      }));
    }
  },
};
