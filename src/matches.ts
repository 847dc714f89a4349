/**
 * HTTP request methods.
 */
export enum HttpMethod {
  GET = 'GET',
  HEAD = 'HEAD',
  POST = 'POST',
  PUT = 'PUT',
  DELETE = 'DELETE',
  CONNECT = 'CONNECT',
  OPTIONS = 'OPTIONS',
  TRACE = 'TRACE',
  PATCH = 'PATCH',
}

/**
 * How a string is matched.
 */
export enum MatchType {
  EXACT = 'exact',
  PREFIX = 'prefix',
  REGEX = 'regex',
}

/**
 * A match on the request path.
 */
export class PathMatch {
  /** The path equals `path`. */
  public static exact(path: string): PathMatch {
    return new PathMatch(MatchType.EXACT, path);
  }

  /** The path starts with `prefix` (at a `/` boundary on Gateway API and Linkerd). */
  public static prefix(prefix: string): PathMatch {
    return new PathMatch(MatchType.PREFIX, prefix);
  }

  /** The path matches the RE2 regular expression `regex`. */
  public static regex(regex: string): PathMatch {
    return new PathMatch(MatchType.REGEX, regex);
  }

  private constructor(public readonly type: MatchType, public readonly value: string) {}

  /** @internal */
  public _problem(): string | undefined {
    if (typeof this.value !== 'string' || !this.value) return 'a path match needs a non-empty value';
    if (this.type !== MatchType.REGEX && !this.value.startsWith('/')) return 'a path must start with "/"';
    if (this.type === MatchType.REGEX) {
      try {
        new RegExp(this.value);
      } catch (e) {
        return `not a valid regular expression (${(e as Error).message})`;
      }
    }
    return undefined;
  }
}

/**
 * A match on a request header.
 */
export class HeaderMatch {
  /** The header equals `value`. */
  public static exact(name: string, value: string): HeaderMatch {
    return new HeaderMatch(name, MatchType.EXACT, value);
  }

  /** The header starts with `value`. */
  public static prefix(name: string, value: string): HeaderMatch {
    return new HeaderMatch(name, MatchType.PREFIX, value);
  }

  /** The header matches the RE2 regular expression `regex`. */
  public static regex(name: string, regex: string): HeaderMatch {
    return new HeaderMatch(name, MatchType.REGEX, regex);
  }

  private constructor(public readonly name: string, public readonly type: MatchType, public readonly value: string) {}

  /** @internal */
  public _problem(): string | undefined {
    if (typeof this.name !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(this.name)) return 'a header name must be a non-empty HTTP token';
    if (typeof this.value !== 'string' || (this.type !== MatchType.EXACT && !this.value)) return 'a prefix or regex header match needs a non-empty value';
    return undefined;
  }
}

/**
 * Which requests a route applies to. All given conditions must hold.
 */
export interface RouteMatch {
  /**
   * The request path.
   * @default - any path
   */
  readonly path?: PathMatch;
  /**
   * The request methods (any of them).
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * Request headers (all of them).
   * @default - no header condition
   */
  readonly headers?: HeaderMatch[];
}
