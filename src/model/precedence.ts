import { MatchType } from './matches';
import { MatchIntent } from './route-intent';

/** Gateway API precedence of a match: exact path, path length, method, headers, query parameters. */
export function rank(m: MatchIntent): number[] {
  const path = m.path ?? { type: MatchType.PREFIX, value: '/' };
  return [path.type === MatchType.EXACT ? 1 : 0, path.value.length, m.methods ? 1 : 0, m.headers.length, m.query?.length ?? 0];
}

/**
 * The Linkerd proxy's precedence of a match, which differs from Gateway API's: path match length (an
 * exact and a prefix path of one length tie), then the number of headers, of query parameters, then a
 * method (linkerd2-proxy linkerd/http/route/src/http/match.rs `impl Ord for RequestMatch`, path.rs
 * `impl Ord for PathMatch`; lib.rs `best` keeps the first of equals, so rule order breaks ties).
 */
export function linkerdRank(m: MatchIntent): number[] {
  const path = m.path ?? { type: MatchType.PREFIX, value: '/' };
  return [path.value.length, m.headers.length, m.query?.length ?? 0, m.methods ? 1 : 0];
}

export function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
