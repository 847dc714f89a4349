import { RE2JS } from '@bufbuild/re2';
import { show } from '../private/errors';

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
    if (this.value.length > MAX_PATH) return `a path match is at most ${MAX_PATH} characters (Gateway API's limit)`;
    if (this.type === MatchType.REGEX) return re2Problem(this.value);
    if (!this.value.startsWith('/')) return 'a path must start with "/"';
    if (this.value.includes('*')) {
      const before = this.value.slice(0, this.value.indexOf('*'));
      return `"*" would mean different requests on each mesh: it is a wildcard in Istio authorization paths (there ${show(before + '*')} matches every path starting with ${show(before)}) and a literal character on Linkerd, Consul and in routes (PathMatch.prefix('${before.replace(/\/+$/, '') || '/'}') matches ${show(before.replace(/\/+$/, '') || '/')} and the paths under it, on every mesh)`;
    }
    return gatewayPathProblem(this.value);
  }
}

/** The longest path value Gateway API accepts (HTTPPathMatch.value maxLength). */
const MAX_PATH = 1024;

/**
 * Why Gateway API would reject an exact or prefix path (the CEL rules of HTTPPathMatch in the pinned
 * HTTPRoute CRD), or undefined. Applied on every mesh, so that a path means the same everywhere.
 */
function gatewayPathProblem(path: string): string | undefined {
  if (!/^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/.test(path)) {
    return "a path has only the characters a URL path allows (letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes); escape others as %XX";
  }
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) {
    if (path.includes(bad)) return `a path must not contain ${show(bad)} (proxies normalize it away, so the match would never see it)`;
  }
  if (path.endsWith('/..') || path.endsWith('/.')) return 'a path must not end with "/." or "/.." (proxies normalize it away)';
  return undefined;
}

/**
 * Why `regex` is not an RE2 regular expression, or undefined. Every mesh reads regexes as RE2 (Envoy's
 * safe_regex for Istio and Consul, Istio's Go validation, Linkerd's policy controller with the Rust `regex`
 * crate, policy-controller/core/src/routes.rs, of the same syntax): no look-around and no back-references,
 * which JavaScript's RegExp would accept, and inline flags such as `(?i)`, which it would refuse.
 */
function re2Problem(regex: string): string | undefined {
  try {
    RE2JS.compile(regex);
    return undefined;
  } catch (e) {
    return `not an RE2 regular expression, the syntax every mesh reads (${(e as Error).message.replace(/^error parsing regexp: /, '')}; RE2 has no look-around and no back-references)`;
  }
}

/**
 * A match on the gRPC service and method of a request (the path `/<service>/<method>`): every method of a
 * service, or one method. Exact matches only: Linkerd's policy controller ignores a GRPCRoute with a
 * `RegularExpression` method match (policy-controller/k8s/index/src/routes/grpc.rs try_match).
 */
export class GrpcMethodMatch {
  /** Every method of the fully qualified gRPC service `service`, e.g. `'shop.payment.v1.Payment'`. */
  public static service(service: string): GrpcMethodMatch {
    return new GrpcMethodMatch(service, undefined);
  }

  /** The method `method` of the fully qualified gRPC service `service`, e.g. `('shop.payment.v1.Payment', 'Charge')`. */
  public static method(service: string, method: string): GrpcMethodMatch {
    return new GrpcMethodMatch(service, method);
  }

  private constructor(
    /** The fully qualified gRPC service. */
    public readonly serviceName: string,
    /** The method; undefined for every method of the service. */
    public readonly methodName?: string) {}

  /** @internal */
  public _problem(): string | undefined {
    // the characters the GRPCRoute CRD accepts for an Exact match (GRPCMethodMatch CEL rules); gRPC's own
    // grammar, so the match means the same on every mesh
    if (typeof this.serviceName !== 'string' || !this.serviceName) return 'a gRPC service name is required, fully qualified (e.g. \'shop.payment.v1.Payment\')';
    if (this.serviceName.length > 1024) return 'a gRPC service name is at most 1024 characters (Gateway API\'s limit)';
    if (!/^[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i.test(this.serviceName)) return 'a gRPC service name is dot-separated identifiers (letters, digits, _), e.g. \'shop.payment.v1.Payment\' (the GRPCRoute CRD\'s rule)';
    if (this.methodName === undefined) return undefined;
    if (typeof this.methodName !== 'string' || !this.methodName) return 'a gRPC method name is required: use GrpcMethodMatch.service(service) for every method';
    if (this.methodName.length > 1024) return 'a gRPC method name is at most 1024 characters (Gateway API\'s limit)';
    if (!/^[A-Za-z_][A-Za-z_0-9]*$/.test(this.methodName)) return 'a gRPC method name is one identifier (letters, digits, _), e.g. \'Charge\' (the GRPCRoute CRD\'s rule)';
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
    if (this.name.length > 256) return 'a header name is at most 256 characters (Gateway API\'s limit)';
    if (typeof this.value !== 'string' || (this.type !== MatchType.EXACT && !this.value)) return 'a prefix or regex header match needs a non-empty value';
    if (this.value.length > 4096) return 'a header match value is at most 4096 characters (Gateway API\'s limit)';
    // RFC 9110 field values hold no control characters but tab, so a match on one could never match a request
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(this.value)) return 'a header value cannot hold control characters (line breaks, NUL): no request carries them (RFC 9110)';
    if (this.type === MatchType.REGEX) return re2Problem(this.value);
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

/**
 * A cookie with an exact value.
 */
export interface CookieMatch {
  /** The cookie's name. */
  readonly name: string;
  /** The cookie's value. */
  readonly value: string;
}

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
