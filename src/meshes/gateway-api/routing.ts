import { IConstruct } from 'constructs';
import { MatchType } from '../../model/matches';
import { compareRank, rank } from '../../model/precedence';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import type { VersionedRoutingIntent } from '../../patterns/routing/intent';
import { PropProblem, RoutePrecedence } from '../renderer';
import { renderVersionBackends } from './versions';

/**
 * Gateway API routes (Linkerd, Istio ambient) send to Services: one per version, selecting that version's
 * pods, unless the version has a Service of its own.
 */
export function renderVersionServices(scope: IConstruct, intent: VersionedRoutingIntent): void {
  renderVersionBackends(scope, intent.service, intent.namespace, intent.versions.filter(v => !v.ownService).map(v => v.version));
}

/**
 * The HTTPRoute's backendRefs carry the service's port (http-route.ts backends), and a Service without that
 * port is a backend without endpoints: Linkerd and the ambient waypoint (a cluster
 * outbound|<port>||<version Service> that does not exist) fail those requests.
 */
export function versionServicePortProblems(prop: string, versionService: ServiceRef, service: ServiceRef): PropProblem[] {
  if (versionService.port === service.port) return [];
  return [{ prop: `${prop}.service.port`, value: versionService.port, why: `the route sends to port ${service.port} of each version's Service`, fix: `give ${versionService.name} port ${service.port}` }];
}

/**
 * HTTPRoute rule precedence: a request goes to the most specific match, not the first, ranked by `rankOf`
 * (`order` says how, in words); a regular expression path has no rank the construct can compare.
 */
export function gatewayApiPrecedence(rankOf: (m: MatchIntent) => number[], order: string): RoutePrecedence {
  return {
    routesBy: 'routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first',
    outranks(later, earlier) {
      const re = earlier.path?.type === MatchType.REGEX || later.path?.type === MatchType.REGEX;
      if (!re && compareRank(rankOf(later), rankOf(earlier)) <= 0) return undefined;
      return `${order}${re ? '; regular expression paths rank as the implementation decides' : ''}`;
    },
  };
}

/** Gateway API's own precedence (the Istio ambient waypoint): exact path, longest prefix, method, headers, query parameters. */
export const GATEWAY_API_PRECEDENCE: RoutePrecedence = gatewayApiPrecedence(rank, 'exact path, longest path prefix, method, most headers, most query parameters');
