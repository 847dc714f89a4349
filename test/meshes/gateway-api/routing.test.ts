import { HttpMethod, ServiceRef } from '../../../src';
import { GATEWAY_API_PRECEDENCE, gammaPrecedence } from '../../../src/meshes/gateway-api/precedence';
import { renderVersionServices, versionServicePortProblems } from '../../../src/meshes/gateway-api/routing';
import { exact, prefix, regex, routingIntent, scope, version } from '../routing-intent';

describe('meshes/gateway-api/routing: what Linkerd and Istio ambient share for VersionedRouting', () => {
  test('one backend Service per version, selecting its pods on the service\'s port; none for a version with a Service of its own', () => {
    const { scope: s, objects } = scope();
    const own = ServiceRef.fromName('reviews-canary', { port: 9080, selector: { app: 'reviews', track: 'canary' } });
    renderVersionServices(s, routingIntent({
      service: ServiceRef.fromName('reviews', { port: 9080, targetPort: 8080, portName: 'http', namespace: 'shop' }),
      versions: [{ version: version('v1') }, { version: version('v2'), ownService: own }],
    }));
    expect(objects()).toEqual([{
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reviews-v1', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-mesh' } },
      spec: { ports: [{ port: 9080, targetPort: 8080, name: 'http' }], selector: { app: 'reviews', version: 'v1' }, type: 'ClusterIP' },
    }]);
  });

  test('a version\'s own Service must have the service\'s port (the backendRefs carry it), on both sides', () => {
    const service = ServiceRef.fromName('reviews', { port: 9080 });
    expect(versionServicePortProblems('versions[1]', ServiceRef.fromName('reviews-canary', { port: 9080 }), service)).toEqual([]);
    expect(versionServicePortProblems('versions[1]', ServiceRef.fromName('reviews-canary', { port: 8080 }), service)).toEqual([
      { prop: 'versions[1].service.port', value: 8080, why: "the route sends to port 9080 of each version's Service", fix: 'give reviews-canary port 9080' },
    ]);
  });

  test('Gateway API precedence: a later, more specific route takes the requests both match (exact path, longest prefix, method, headers, query)', () => {
    const p = GATEWAY_API_PRECEDENCE;
    expect(p.routesBy).toBe('routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first');
    const order = 'exact path, longest path prefix, method, most headers, most query parameters';
    expect(p.outranks(prefix('/api'), prefix('/'))).toBe(order);
    expect(p.outranks(prefix('/'), prefix('/api'))).toBeUndefined();
    expect(p.outranks(exact('/api'), prefix('/api'))).toBe(order);
    expect(p.outranks(prefix('/api'), exact('/api'))).toBeUndefined();
    expect(p.outranks({ ...prefix('/'), methods: [HttpMethod.GET] }, prefix('/', 3))).toBe(order);
    // equal ranks: the first keeps them (rule order breaks ties)
    expect(p.outranks(prefix('/a', 1), prefix('/b', 1))).toBeUndefined();
  });

  test('a regular expression path has no rank to compare: refused either way, saying so', () => {
    const suffix = '; regular expression paths rank as the implementation decides';
    expect(GATEWAY_API_PRECEDENCE.outranks(regex('/v[0-9]+'), prefix('/api/long/path', 5))).toMatch(new RegExp(`${suffix}$`));
    expect(GATEWAY_API_PRECEDENCE.outranks(prefix('/api/long/path', 5), regex('/v[0-9]+'))).toMatch(new RegExp(`${suffix}$`));
  });

  test('a mesh ranks with its own function and words', () => {
    const byHeaders = gammaPrecedence({ rank: m => [m.headers.length], ranking: 'most headers', rankingOfRules: 'most headers' });
    expect(byHeaders.outranks(prefix('/', 2), exact('/long/path', 1))).toBe('most headers');
    expect(byHeaders.outranks(exact('/long/path', 1), prefix('/', 2))).toBeUndefined();
  });
});
