import { HeaderMatch, HttpMethod, MatchType, PathMatch } from './matches';
import { MatchIntent } from './route-intent';
import { ProblemList, show } from '../private/errors';

/** A request in the form the rules' checks read (a version match, a fault match). */
export interface RequestMatchLike {
  readonly path?: PathMatch;
  readonly methods?: HttpMethod[];
  readonly headers?: HeaderMatch[];
  readonly cookies?: { readonly name: string; readonly value: string }[];
  readonly queryParams?: { readonly name: string; readonly type: MatchType; readonly value: string; _problem?(): string | undefined }[];
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The regular expression on the `cookie` header that holds when a cookie has a value: Gateway API and
 * the meshes have no cookie match, so a cookie is a header match (as CanaryRelease writes it).
 */
export function cookieRegex(name: string, value: string): string {
  return `^(.*?;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`;
}

/** A match prop as a MatchIntent, adding a problem for each bad part (prefix `prop`). */
export function matchIntentOf(problems: ProblemList, prop: string, m: RequestMatchLike | undefined): MatchIntent | undefined {
  if (m === undefined) return undefined;
  if (typeof m !== 'object' || m === null) {
    problems.add(prop, m, 'a match is an object of path, methods, headers, cookies and queryParams', "use e.g. { headers: [HeaderMatch.exact('end-user', 'jason')] }");
    return undefined;
  }
  for (const key of ['methods', 'headers', 'cookies', 'queryParams'] as const) {
    if (m[key] !== undefined && !Array.isArray(m[key])) {
      problems.add(`${prop}.${key}`, m[key], `${key} is a list`, `use e.g. ${key}: [${{ methods: 'HttpMethod.GET', headers: "HeaderMatch.exact('end-user', 'jason')", cookies: "{ name: 'user', value: 'jason' }", queryParams: "QueryParamMatch.exact('v', '2')" }[key]}]`);
      return undefined;
    }
  }
  let path: MatchIntent['path'];
  if (m.path !== undefined) {
    const problem = m.path instanceof PathMatch ? m.path._problem() : 'not a PathMatch';
    if (problem) problems.add(`${prop}.path`, m.path instanceof PathMatch ? m.path.value : m.path, problem, "use PathMatch.prefix('/api') or PathMatch.exact('/login')");
    else path = { type: m.path.type, value: m.path.value };
  }
  const methods = m.methods === undefined ? undefined : [...new Set(m.methods)];
  if (methods && (!methods.length || methods.some(x => !Object.values(HttpMethod).includes(x)))) {
    problems.add(`${prop}.methods`, m.methods, 'methods are one or more HttpMethod values', 'use e.g. [HttpMethod.GET]');
  }
  const headers = (m.headers ?? []).map((h, i) => {
    const problem = h instanceof HeaderMatch ? h._problem() : 'not a HeaderMatch';
    if (problem) problems.add(`${prop}.headers[${i}]`, h instanceof HeaderMatch ? h.name : h, problem, "use HeaderMatch.exact('end-user', 'jason')");
    return { name: String(h?.name ?? '').toLowerCase(), type: h?.type ?? MatchType.EXACT, value: h?.value ?? '' };
  });
  (m.cookies ?? []).forEach((c, i) => {
    if (typeof c?.name !== 'string' || !COOKIE_NAME.test(c.name) || typeof c.value !== 'string' || !c.value || /[;,\s"\\]/.test(c.value)) {
      problems.add(`${prop}.cookies[${i}]`, c, 'a cookie needs a token name and a non-empty value without spaces, quotes, commas or semicolons', "use { name: 'user', value: 'jason' }");
    } else if (headers.some(h => h.name === 'cookie')) {
      problems.add(`${prop}.cookies[${i}]`, c, 'the meshes match a cookie as a regular expression on the cookie header, which holds one condition per match', 'match one cookie per rule (and no cookie header match next to it)');
    } else {
      headers.push({ name: 'cookie', type: MatchType.REGEX, value: cookieRegex(c.name, c.value) });
    }
  });
  const names = new Map<string, number>();
  headers.forEach((h, i) => {
    if (names.has(h.name)) problems.add(`${prop}.headers[${i}]`, h.name, `headers[${names.get(h.name)}] already matches this header, and the meshes hold one condition per header name`, 'use one condition per header (a regular expression can say both)');
    names.set(h.name, i);
  });
  const query = (m.queryParams ?? []).map((q, i) => {
    const problem = typeof q?._problem === 'function' ? q._problem() : 'not a QueryParamMatch';
    if (problem) problems.add(`${prop}.queryParams[${i}]`, q?.name ?? q, problem, "use QueryParamMatch.exact('variant', 'b')");
    return { name: String(q?.name ?? ''), type: q?.type ?? MatchType.EXACT, value: String(q?.value ?? '') };
  });
  const qnames = new Set<string>();
  query.forEach((q, i) => {
    if (qnames.has(q.name)) problems.add(`${prop}.queryParams[${i}]`, q.name, 'another condition already matches this query parameter, and the meshes hold one per name', 'use one condition per query parameter');
    qnames.add(q.name);
  });
  return { ...(path ? { path } : {}), ...(methods ? { methods } : {}), headers, ...(query.length ? { query } : {}) };
}

/** A match for messages, e.g. `headers end-user exact "jason", path prefix "/api"`. */
export function describeMatch(m: MatchIntent | undefined): string {
  if (!m) return 'every request';
  const parts = [
    ...(m.path ? [`path ${m.path.type} ${show(m.path.value)}`] : []),
    ...(m.methods ? [`methods ${m.methods.join(',')}`] : []),
    ...m.headers.map(h => `header ${h.name} ${h.type} ${show(h.value)}`),
    ...(m.query ?? []).map(q => `query ${q.name} ${q.type} ${show(q.value)}`),
  ];
  return parts.length ? parts.join(', ') : 'every request';
}
