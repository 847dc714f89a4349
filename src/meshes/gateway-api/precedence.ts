import { retryGroup } from './http-route';
import { MatchType } from '../../model/matches';
import { compareRank } from '../../model/precedence';
import { MatchIntent, RuleIntent } from '../../model/route-intent';
import { intersect, routingOf, TrafficModel } from '../../model/traffic';
import type { TrafficTarget } from '../../patterns/traffic/intent';
import { RoutePrecedence } from '../renderer';

/**
 * How a mesh that reads the Service-parented HTTPRoutes picks one match of several a request matches: one
 * object per mesh (Gateway API's below, Linkerd's in meshes/linkerd/precedence.ts), from which both checks
 * derive: VersionedRouting's route order (`outranks`, the RoutingRenderer's `precedence`) and the crossed
 * routes of ServiceTraffic (crossedPrecedenceProblem, the TrafficRenderer's `precedenceProblem`).
 */
export interface GammaPrecedence extends RoutePrecedence {
  /** The ranking in words, in VersionedRouting's refusal: `<mesh> <routesBy> (<ranking>): ...`. */
  readonly ranking: string;
  /**
   * The same ranking in the words of the crossed-precedence refusal: `<mesh> sends a request to the most
   * specific HTTPRoute match (<rankingOfRules>)` (two phrasings of one rank, kept as the messages have them).
   */
  readonly rankingOfRules: string;
  /** The rank of a match (compared element by element with compareRank; higher wins, equals keep rule order). */
  rank(match: MatchIntent): number[];
}

/**
 * A mesh's HTTPRoute precedence from its rank and wording: a request goes to the most specific match, not the
 * first; a regular expression path has no rank the construct can compare.
 */
export function gammaPrecedence(p: Pick<GammaPrecedence, 'rank' | 'ranking' | 'rankingOfRules'>): GammaPrecedence {
  return {
    rank: p.rank,
    ranking: p.ranking,
    rankingOfRules: p.rankingOfRules,
    routesBy: 'routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first',
    outranks(later, earlier) {
      const re = earlier.path?.type === MatchType.REGEX || later.path?.type === MatchType.REGEX;
      if (!re && compareRank(p.rank(later), p.rank(earlier)) <= 0) return undefined;
      return `${p.ranking}${re ? '; regular expression paths rank as the implementation decides' : ''}`;
    },
  };
}

/**
 * Gateway API's own precedence (the Istio ambient waypoint): exact path, path length, method, headers, query
 * parameters (gateway-api apis/v1 httproute_types.go, HTTPRouteRule: the precedence of matches).
 */
export const GATEWAY_API_PRECEDENCE: GammaPrecedence = gammaPrecedence({
  rank: m => {
    const path = m.path ?? { type: MatchType.PREFIX, value: '/' };
    return [path.type === MatchType.EXACT ? 1 : 0, path.value.length, m.methods ? 1 : 0, m.headers.length, m.query?.length ?? 0];
  },
  ranking: 'exact path, longest path prefix, method, most headers, most query parameters',
  rankingOfRules: 'Gateway API precedence: exact path, longest path, method, most headers, most query parameters',
});

/** What a mesh's Service-parented HTTPRoutes hold of the rules' retries (the crossed-precedence check follows it). */
export interface GammaRetries {
  /** A route per retry policy (GammaOptions.routePerRetryPolicy, given the same value). */
  readonly routePerRetryPolicy: boolean;
  /** Whether the routes carry the rules' retries at all (Linkerd: annotations; Istio ambient: none). */
  readonly written: boolean;
}

/**
 * Linkerd and Istio ambient send a request to the most specific HTTPRoute match (Linkerd's proxy:
 * linkerd2-proxy linkerd/http/route/src/http/match.rs `impl Ord for RequestMatch`, lib.rs `best`, the
 * first of equals; ambient: Gateway API precedence). A version route is written once per resilience
 * rule with both conditions (http-route.ts routeRules), so the backend is always the version route's
 * (a crossed match ranks at least as high as the rule alone, and comes first). But a condition on a
 * header that a resilience rule already matches adds nothing to that rule, while it adds a header to
 * the others: two overlapping rules with different timeouts or retries can then swap, and a test
 * request gets the other rule's settings. Equal ranks keep rule order within one HTTPRoute; with
 * `routePerRetryPolicy` (GammaOptions), rules of two retry policies are in two routes, and their order
 * is undefined. Only what the routes hold counts (`retries`): where no retries are written (Istio ambient),
 * two rules that differ only in their retries give a request the same settings. The refusal
 * (TrafficRenderer.precedenceProblem), or undefined; ServiceTraffic throws it where both constructs are known.
 */
export function crossedPrecedenceProblem(
  traffic: TrafficTarget, m: TrafficModel, precedence: GammaPrecedence, retries: GammaRetries,
): string | undefined {
  if (m.canary?.smi) return undefined;
  const routing = routingOf(m);
  const rules = m.resilience?.rules ?? [];
  if (!routing?.rules.length || rules.length < 2) return undefined;
  const rankOf = (x: MatchIntent | undefined) => precedence.rank(x ?? { headers: [] });
  const sameRoute = (ra: RuleIntent, rb: RuleIntent) => !retries.routePerRetryPolicy || retryGroup(ra) === retryGroup(rb);
  // the retry policy a rule's route holds ('' for none)
  const writtenRetry = (r: RuleIntent) => retries.written ? retryGroup(r) : '';
  // which of two rules a request matching both takes: 1 the first, -1 the second, 0 route order decides
  const winner = (a: MatchIntent | undefined, b: MatchIntent | undefined, ra: RuleIntent, rb: RuleIntent) => {
    const c = Math.sign(compareRank(rankOf(a), rankOf(b)));
    return c !== 0 ? c : sameRoute(ra, rb) ? 1 : 0;
  };
  const show = (x: MatchIntent | undefined) => JSON.stringify(x ?? {});
  // the settings the routes hold (where no retries are written, the timeout only)
  const settings = (r: RuleIntent) => `timeout ${r.timeoutMs === undefined ? 'none' : `${r.timeoutMs}ms`}${!retries.written ? '' : r.retry ? `, ${r.retry.attempts} retries` : ', no retries'}`;
  const routingBy = traffic.routingBy ?? traffic.canaryBy;
  for (const v of routing.rules) {
    for (let i = 0; i < rules.length; i++) {
      for (const rj of rules.slice(i + 1)) {
        const ri = rules[i];
        // same timeout and written retry policy: whichever rule a request takes, it gets the same settings
        if (ri.timeoutMs === rj.timeoutMs && writtenRetry(ri) === writtenRetry(rj)) continue;
        const a = intersect(ri.match, v.match);
        const b = intersect(rj.match, v.match);
        if (!('match' in a) || !('match' in b)) continue;
        const all = intersect(a.match, rj.match);
        if (!('match' in all)) continue;
        const alone = winner(ri.match, rj.match, ri, rj);
        const crossed = winner(a.match, b.match, ri, rj);
        if (alone === crossed) continue;
        const [won, lost] = alone > 0 || (alone === 0 && crossed < 0) ? [ri, rj] : [rj, ri];
        return `[${routingBy}] ${v.source} (${show(v.match)}) sends requests to a version, and [${traffic.resilienceBy}] ${won.source} (${show(won.match)}; ${settings(won)}) `
          + `and ${lost.source} (${show(lost.match)}; ${settings(lost)}) both match some of them. ${traffic.mesh.displayName} sends a request to the most specific HTTPRoute match `
          + `(${precedence.rankingOfRules}), `
          + `and a route holds one condition per header name, so in the routes written for ${v.source} ${lost.source} ranks ${alone === 0 ? 'differently' : 'higher'} and those requests would get its settings, not ${won.source}'s; `
          + `match ${v.source} on a header that no route of [${traffic.resilienceBy}] matches on, or add that header condition to ${lost.source}'s match too, or give both routes the same timeout${retries.written ? ' and retries' : ''}`;
      }
    }
  }
  return undefined;
}
