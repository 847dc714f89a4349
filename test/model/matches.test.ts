import { HeaderMatch, MatchType, PathMatch, QueryParamMatch } from '../../src';

describe('model/matches: PathMatch', () => {
  test('the factories keep the type and the value', () => {
    expect([PathMatch.exact('/a').type, PathMatch.prefix('/a').type, PathMatch.regex('^/a').type]).toEqual([MatchType.EXACT, MatchType.PREFIX, MatchType.REGEX]);
    expect(PathMatch.prefix('/api').value).toBe('/api');
  });

  test('a value is required', () => {
    for (const p of [PathMatch.exact(''), PathMatch.prefix(''), PathMatch.regex(''), PathMatch.exact(undefined as any)]) {
      expect(p._problem()).toBe('a path match needs a non-empty value');
    }
  });

  test('1024 characters are accepted, 1025 refused (Gateway API\'s limit), for every type', () => {
    const ok = `/${'a'.repeat(1023)}`;
    for (const make of [PathMatch.exact, PathMatch.prefix, PathMatch.regex]) {
      expect(make(ok)._problem()).toBeUndefined();
      expect(make(`${ok}a`)._problem()).toBe('a path match is at most 1024 characters (Gateway API\'s limit)');
    }
  });

  test('an exact or prefix path starts with "/"', () => {
    expect(PathMatch.prefix('/')._problem()).toBeUndefined();
    expect(PathMatch.exact('api')._problem()).toBe('a path must start with "/"');
    expect(PathMatch.prefix('')._problem()).toBeDefined();
  });

  test('"*" is refused with the prefix that means the same on every mesh', () => {
    expect(PathMatch.prefix('/api/*')._problem()).toBe('"*" would mean different requests on each mesh: it is a wildcard in Istio authorization paths (there "/api/*" matches every path starting with "/api/") '
      + 'and a literal character on Linkerd, Consul and in routes (PathMatch.prefix(\'/api\') matches "/api" and the paths under it, on every mesh)');
    expect(PathMatch.exact('*')._problem()).toBe('a path must start with "/"');
    expect(PathMatch.prefix('/*')._problem()).toContain("(PathMatch.prefix('/') matches \"/\" and the paths under it");
  });

  test('the characters a URL path allows and %XX escapes are accepted; others refused', () => {
    for (const p of ['/a-b_c.d~e', "/!$&'()+,;=:@", '/%41%2e', '/.well-known/x', '/a/..b', '/a./b']) expect(PathMatch.exact(p)._problem()).toBeUndefined();
    for (const p of ['/a b', '/a?b=1', '/ä', '/%zz', '/%4', '/a#b', '/a\\b']) {
      expect(PathMatch.exact(p)._problem()).toMatch(/^a path has only the characters a URL path allows/);
    }
  });

  test('what proxies normalize away is refused: //, /./, /../, %2f, a trailing /. or /..', () => {
    for (const p of ['/a//b', '/a/./b', '/a/../b', '/a%2fb', '/a%2Fb']) expect(PathMatch.prefix(p)._problem()).toMatch(/^a path must not contain ".+" \(proxies normalize it away/);
    for (const p of ['/a/.', '/a/..', '/.', '/..']) expect(PathMatch.prefix(p)._problem()).toBe('a path must not end with "/." or "/.." (proxies normalize it away)');
  });

  test('a regex is checked as RE2: RE2-only syntax accepted, look-around, back-references and bad syntax refused', () => {
    for (const r of ['^/api/v[0-9]+$', '(?i)^/API', '/a*', '[[:alpha:]]+']) expect(PathMatch.regex(r)._problem()).toBeUndefined();
    for (const r of ['^/a(?!b)', '(?<=a)b', '(a)\\1', '(a', '[z-a]']) {
      expect(PathMatch.regex(r)._problem()).toMatch(/^not an RE2 regular expression, the syntax every mesh reads \(.+; RE2 has no look-around and no back-references\)$/);
    }
  });
});

describe('model/matches: HeaderMatch', () => {
  test('a header name is an HTTP token of 1 to 256 characters', () => {
    expect(HeaderMatch.exact('x-user', 'a')._problem()).toBeUndefined();
    expect(HeaderMatch.exact("!#$%&'*+-.^_`|~09Az", 'a')._problem()).toBeUndefined();
    expect(HeaderMatch.exact('x'.repeat(256), 'a')._problem()).toBeUndefined();
    expect(HeaderMatch.exact('x'.repeat(257), 'a')._problem()).toBe('a header name is at most 256 characters (Gateway API\'s limit)');
    for (const name of ['', 'x user', 'x:user', 'x\n', undefined as any]) expect(HeaderMatch.exact(name, 'a')._problem()).toBe('a header name must be a non-empty HTTP token');
  });

  test('an exact match may be empty; a prefix or regex match needs a value', () => {
    expect(HeaderMatch.exact('x', '')._problem()).toBeUndefined();
    expect(HeaderMatch.prefix('x', '')._problem()).toBe('a prefix or regex header match needs a non-empty value');
    expect(HeaderMatch.regex('x', '')._problem()).toBe('a prefix or regex header match needs a non-empty value');
    expect(HeaderMatch.exact('x', undefined as any)._problem()).toBe('a prefix or regex header match needs a non-empty value');
  });

  test('4096 characters are accepted, 4097 refused', () => {
    expect(HeaderMatch.exact('x', 'v'.repeat(4096))._problem()).toBeUndefined();
    expect(HeaderMatch.prefix('x', 'v'.repeat(4097))._problem()).toBe('a header match value is at most 4096 characters (Gateway API\'s limit)');
  });

  test('a tab is accepted; other control characters are refused', () => {
    expect(HeaderMatch.exact('x', 'a\tb')._problem()).toBeUndefined();
    expect(HeaderMatch.exact('x', 'a b ~')._problem()).toBeUndefined();
    for (const v of ['a\u0000', 'a\nb', 'a\rb', '\u001f', '\u007f']) {
      expect(HeaderMatch.exact('x', v)._problem()).toBe('a header value cannot hold control characters (line breaks, NUL): no request carries them (RFC 9110)');
    }
  });

  test('a regex is checked as RE2; an exact or prefix value is not read as a regex', () => {
    expect(HeaderMatch.regex('x', '(?i)tester')._problem()).toBeUndefined();
    expect(HeaderMatch.regex('x', '(?=a)')._problem()).toMatch(/^not an RE2 regular expression/);
    expect(HeaderMatch.exact('x', '(?=a)')._problem()).toBeUndefined();
    expect(HeaderMatch.prefix('x', '(')._problem()).toBeUndefined();
  });
});

describe('model/matches: QueryParamMatch', () => {
  test('a name is an HTTP token of 1 to 256 characters', () => {
    expect(QueryParamMatch.exact('q', 'a')._problem()).toBeUndefined();
    expect(QueryParamMatch.exact('q'.repeat(256), 'a')._problem()).toBeUndefined();
    for (const name of ['', 'q'.repeat(257), 'a b', 'a=b']) expect(QueryParamMatch.exact(name, 'a')._problem()).toBe('a query parameter name is 1 to 256 characters of an HTTP token');
  });

  test('a value of 1 to 1024 characters, exact included', () => {
    expect(QueryParamMatch.exact('q', 'a')._problem()).toBeUndefined();
    expect(QueryParamMatch.exact('q', 'v'.repeat(1024))._problem()).toBeUndefined();
    for (const value of ['', 'v'.repeat(1025), undefined as any]) {
      expect(QueryParamMatch.exact('q', value)._problem()).toBe('a query parameter match needs a value of 1 to 1024 characters (Gateway API\'s limit)');
      expect(QueryParamMatch.regex('q', value)._problem()).toBe('a query parameter match needs a value of 1 to 1024 characters (Gateway API\'s limit)');
    }
  });

  test('control characters are refused; a regex is checked as RE2 and an exact value is not', () => {
    expect(QueryParamMatch.exact('q', 'a\nb')._problem()).toMatch(/^a header value cannot hold control characters/);
    expect(QueryParamMatch.regex('q', '^v[0-9]+$')._problem()).toBeUndefined();
    expect(QueryParamMatch.regex('q', '(a)\\1')._problem()).toMatch(/^not an RE2 regular expression/);
    expect(QueryParamMatch.exact('q', '(a)\\1')._problem()).toBeUndefined();
  });
});
