/**
 * Property test of VersionedRouting: for generated versions, ordered routes and default splits, on every
 * mesh, either the construct refuses with a named error, or the output validates and every generated
 * request reaches, in the OUTPUT (evaluated with each mesh's matching rules, test/patterns/routing/evaluate.ts),
 * exactly the versions (weight > 0) that the first matching route, or the default split, names.
 */
import * as fc from 'fast-check';
import { consulVersions, gatewayBackends, istioVersions, TestRequest } from './evaluate';
import {
  HeaderMatch, HttpMethod, IstioDataPlane, Mesh, PathMatch, QueryParamMatch, ServiceRef, ServiceVersion, VersionedRouting, VersionRoute, VersionWeight,
} from '../../../src';
import { captureStderr, shopChart, synthValidated } from '../../util';

captureStderr();
jest.setTimeout(120_000);

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
if (process.env.PROPERTY_SEED) fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED) });

interface GenMatch {
  header?: { name: string; type: 'exact' | 'prefix'; value: string };
  cookie?: string;
  query?: string;
  path?: { type: 'exact' | 'prefix'; value: string };
  methods?: string[];
}
interface GenRoute { match: GenMatch; to: { version: number; weight: number }[] }

const genMatch: fc.Arbitrary<GenMatch> = fc.record({
  header: fc.option(fc.record({ name: fc.constantFrom('x-a', 'x-b'), type: fc.constantFrom('exact' as const, 'prefix' as const), value: fc.constantFrom('1', '12', '2') }), { nil: undefined }),
  cookie: fc.option(fc.constantFrom('jason', 'ann'), { nil: undefined }),
  query: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
  path: fc.option(fc.record({ type: fc.constantFrom('exact' as const, 'prefix' as const), value: fc.constantFrom('/a', '/a/b', '/c') }), { nil: undefined }),
  methods: fc.option(fc.constantFrom<string[]>(['GET'], ['GET', 'POST']), { nil: undefined }),
}, { requiredKeys: [] }).filter(m => Object.values(m).some(v => v !== undefined));

const genTarget = (n: number) => fc.oneof(
  fc.integer({ min: 0, max: n - 1 }).map(v => [{ version: v, weight: 100 }]),
  fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: 100 }))
    .filter(([a, b]) => a !== b).map(([a, b, w]) => [{ version: a, weight: w }, { version: b, weight: 100 - w }]),
);

const genCase = fc.integer({ min: 2, max: 4 }).chain(n => fc.record({
  n: fc.constant(n),
  routes: fc.array(fc.record({ match: genMatch, to: genTarget(n) }), { maxLength: 4 }),
  split: genTarget(n),
}));

const genRequest: fc.Arbitrary<TestRequest> = fc.record({
  path: fc.constantFrom('/', '/a', '/a/b', '/a/bc', '/ab', '/c', '/c/d'),
  method: fc.constantFrom('GET', 'POST', 'PUT'),
  xa: fc.constantFrom(undefined, '1', '12', '2'),
  xb: fc.constantFrom(undefined, '1', '12', '2'),
  cookie: fc.constantFrom(undefined, 'user=jason', 'theme=dark; user=ann', 'user=jasonx'),
  q: fc.constantFrom(undefined, '1', '2'),
}).map(r => ({
  path: r.path,
  method: r.method,
  headers: Object.fromEntries(Object.entries({ 'x-a': r.xa, 'x-b': r.xb, 'cookie': r.cookie }).filter(([, v]) => v !== undefined)) as { [k: string]: string },
  query: (r.q === undefined ? {} : { q: r.q }) as { [k: string]: string },
}));

/** The rules' intent: does a request match a generated match (segment-wise path prefixes, as PathMatch.prefix says). */
function intentMatches(m: GenMatch, req: TestRequest): boolean {
  if (m.path) {
    const ok = m.path.type === 'exact' ? req.path === m.path.value : req.path === m.path.value || req.path.startsWith(`${m.path.value}/`);
    if (!ok) return false;
  }
  if (m.methods && !m.methods.includes(req.method)) return false;
  if (m.header) {
    const v = req.headers[m.header.name];
    if (v === undefined || (m.header.type === 'exact' ? v !== m.header.value : !v.startsWith(m.header.value))) return false;
  }
  if (m.cookie) {
    const cookies = (req.headers.cookie ?? '').split(/;\s*/).map(c => c.split('='));
    if (!cookies.some(([k, v]) => k === 'user' && v === m.cookie)) return false;
  }
  if (m.query && req.query.q !== m.query) return false;
  return true;
}

function props(c: { n: number; routes: GenRoute[]; split: { version: number; weight: number }[] }) {
  const weights = (to: { version: number; weight: number }[]): VersionWeight[] => to.map(t => ({ version: `v${t.version + 1}`, weight: t.weight }));
  const routes: VersionRoute[] = c.routes.map(r => ({
    match: {
      headers: r.match.header ? [r.match.header.type === 'exact' ? HeaderMatch.exact(r.match.header.name, r.match.header.value) : HeaderMatch.prefix(r.match.header.name, r.match.header.value)] : undefined,
      cookies: r.match.cookie ? [{ name: 'user', value: r.match.cookie }] : undefined,
      queryParams: r.match.query ? [QueryParamMatch.exact('q', r.match.query)] : undefined,
      path: r.match.path ? (r.match.path.type === 'exact' ? PathMatch.exact(r.match.path.value) : PathMatch.prefix(r.match.path.value)) : undefined,
      methods: r.match.methods as HttpMethod[] | undefined,
    },
    ...(r.to.length === 1 ? { version: `v${r.to[0].version + 1}` } : { split: weights(r.to) }),
  }));
  return { routes, defaultSplit: weights(c.split), versions: Array.from({ length: c.n }, (_, i) => ServiceVersion.of(`v${i + 1}`)) };
}

/** The refusals a generated rule set may meet, each named. */
const NAMED_REFUSAL = /^\[test\/routing\] (\d+ problems:\n {2}- )?routes\[\d+\]\.(match: got .*(matches every request this route matches|routes by Gateway API HTTPRoutes)|split: got .*Consul cannot express this)/;

describe.each([
  ['istio', Mesh.istio()],
  ['ambient', Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT })],
  ['linkerd', Mesh.linkerd()],
  ['consul', Mesh.consul()],
])('%s', (_name, mesh) => {
  test('generated routes: each request reaches in the output exactly the versions the first matching route (or the default split) names', () => {
    let accepted = 0;
    fc.assert(fc.property(genCase, fc.array(genRequest, { minLength: 20, maxLength: 20 }), (c, requests) => {
      const chart = shopChart();
      try {
        new VersionedRouting(chart, 'routing', { mesh, service: ServiceRef.fromName('reviews', { port: 9080 }), ...props(c) });
      } catch (e) {
        expect(e).not.toBeInstanceOf(TypeError);
        expect((e as Error).message).toMatch(NAMED_REFUSAL);
        return;
      }
      accepted++;
      const out = synthValidated(chart);
      for (const r of requests) {
        const route = c.routes.find(x => intentMatches(x.match, r));
        const intended = [...new Set((route?.to ?? c.split).filter(t => t.weight > 0).map(t => `v${t.version + 1}`))].sort();
        const found = mesh.kind === 'consul' ? consulVersions(out, 'reviews', r)
          : mesh.kind === 'linkerd' || mesh.ambient ? new Set([...gatewayBackends(out, 'reviews', r, mesh.kind === 'linkerd' ? 'linkerd' : 'gateway')].map(b => b.replace('reviews-', '')))
            : istioVersions(out, 'reviews', r);
        expect({ request: r, versions: [...found].sort() }).toEqual({ request: r, versions: intended });
      }
    }), { numRuns: RUNS });
    // the generator is not all refusals
    if (process.env.PROPERTY_VERBOSE) process.stdout.write(`${_name}: ${accepted} of ${RUNS} accepted\n`);
    expect(accepted).toBeGreaterThan(RUNS / 5);
  });
});
