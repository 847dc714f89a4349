import { HeaderMatch, MatchType, RouteMatch } from '../../model/matches';
import type { CookieMatch } from '../canary/props';

/**
 * A match on a query parameter of the request.
 */
export class QueryParamMatch {
  /** The parameter equals `value`. */
  public static exact(name: string, value: string): QueryParamMatch {
    return new QueryParamMatch(name, MatchType.EXACT, value);
  }

  /** The parameter matches the RE2 regular expression `regex`. */
  public static regex(name: string, regex: string): QueryParamMatch {
    return new QueryParamMatch(name, MatchType.REGEX, regex);
  }

  private constructor(public readonly name: string, public readonly type: MatchType, public readonly value: string) {}

  /** @internal */
  public _problem(): string | undefined {
    // Gateway API HTTPQueryParamMatch: name 1 to 256 characters, value 1 to 1024
    if (typeof this.name !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/.test(this.name)) return 'a query parameter name is 1 to 256 characters of an HTTP token';
    if (typeof this.value !== 'string' || !this.value || this.value.length > 1024) return 'a query parameter match needs a value of 1 to 1024 characters (Gateway API\'s limit)';
    // the same RE2 and control-character checks as a header value
    return HeaderMatch[this.type === MatchType.REGEX ? 'regex' : 'exact']('x', this.value)._problem();
  }
}

/**
 * Which requests a route takes (a version route, a fault rule). All given conditions must hold.
 */
export interface RequestMatch extends RouteMatch {
  /**
   * Cookies with an exact value (one per route: it is a regular expression on the `cookie` header).
   * @default - no cookie condition
   */
  readonly cookies?: CookieMatch[];
  /**
   * Query parameters (all of them).
   * @default - no query condition
   */
  readonly queryParams?: QueryParamMatch[];
}
