import { MatchType } from '../../model/matches';
import { gammaPrecedence, GammaPrecedence } from '../gateway-api/precedence';

/**
 * The Linkerd proxy's precedence of a match, which differs from Gateway API's: path match length (an exact
 * and a prefix path of one length tie), then the number of headers, of query parameters, then a method
 * (linkerd2-proxy linkerd/http/route/src/http/match.rs `impl Ord for RequestMatch`, path.rs `impl Ord for
 * PathMatch`; lib.rs `best` keeps the first of equals, so rule order breaks ties). Both of Linkerd's checks
 * derive from it: VersionedRouting's route order (routing.ts) and the crossed routes (traffic.ts).
 */
export const LINKERD_PRECEDENCE: GammaPrecedence = gammaPrecedence({
  rank: m => {
    const path = m.path ?? { type: MatchType.PREFIX, value: '/' };
    return [path.value.length, m.headers.length, m.query?.length ?? 0, m.methods ? 1 : 0];
  },
  ranking: 'longest path (exact or prefix alike), most headers, most query parameters, then a method, as the Linkerd proxy ranks them',
  rankingOfRules: 'the proxy ranks longest path, most headers, most query parameters, then a method',
});
