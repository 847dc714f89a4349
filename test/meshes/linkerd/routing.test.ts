import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { HttpMethod, Mesh, ServiceRef } from '../../../src';
import { LINKERD } from '../../../src/meshes/linkerd';
import { LINKERD_ROUTING } from '../../../src/meshes/linkerd/routing';
import { context, exact, prefix, routingIntent, scope, version } from '../routing-intent';

const LINKERD_MESH = Mesh.linkerd();

describe('meshes/linkerd/routing: VersionedRouting on Linkerd', () => {
  test('the mesh\'s routing renderer is this one', () => {
    expect(LINKERD.routing).toBe(LINKERD_ROUTING);
  });

  test('the mirror is unsupported (no RequestMirror filter on outbound routes); nothing else is', () => {
    expect(LINKERD_ROUTING.unsupported(routingIntent(), context(LINKERD_MESH))).toEqual([]);
    expect(LINKERD_ROUTING.unsupported(routingIntent({}, { mirror: { version: version('v2'), percent: 10 } }), context(LINKERD_MESH))).toEqual([{
      setting: 'mirror',
      value: 'v2 10%',
      why: 'Linkerd\'s outbound routes do not support the RequestMirror filter',
      alternative: 'send test requests to the version with a route (routes: [{ match: { headers: [...] }, version }])',
    }]);
    expect(LINKERD_ROUTING.routeSplitUnsupported).toBeUndefined();
  });

  test('routes rank as the Linkerd proxy ranks them: an exact and a prefix path of one length tie, headers before a method', () => {
    const p = LINKERD_ROUTING.precedence!;
    expect(p.routesBy).toBe('routes by Gateway API HTTPRoutes, which send a request to the most specific match, not the first');
    expect(p.outranks(exact('/api'), prefix('/api'))).toBeUndefined();
    expect(p.outranks(prefix('/api/v2'), exact('/api'))).toBe('longest path (exact or prefix alike), most headers, most query parameters, then a method, as the Linkerd proxy ranks them');
    expect(p.outranks(prefix('/', 1), { ...prefix('/'), methods: [HttpMethod.GET] })).toBeDefined();
  });

  test('a version Service must have the service\'s port', () => {
    expect(LINKERD_ROUTING.serviceVersionProblems!('versions[0]', ServiceRef.fromName('reviews-v1', { port: 80 }), ServiceRef.fromName('reviews', { port: 9080 })))
      .toEqual([{ prop: 'versions[0].service.port', value: 80, why: "the route sends to port 9080 of each version's Service", fix: 'give reviews-v1 port 9080' }]);
  });

  test('renders a backend Service per version; the apex Service given by name gets a warning naming the heaviest version', () => {
    const { scope: s, objects } = scope();
    const ctx = context(LINKERD_MESH);
    LINKERD_ROUTING.render(s, routingIntent({}, { defaultVersion: version('v2') }), ctx);
    expect(objects().map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/reviews-v1', 'Service/reviews-v2']);
    expect(ctx.warnings).toEqual(['the apex Service reviews selects every version, so what Linkerd does not route (unmeshed callers, an ingress that sends to endpoints) splits by replica count: '
      + 'add version: v2 to its selector, or pass it with ServiceRef.fromService so the routing does it']);
  });

  test('the apex Service given as an object is narrowed to the heaviest version, without a warning', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'reviews', { metadata: { name: 'reviews' }, ports: [{ port: 9080 }], selector: kplus.Pods.select(chart, 'pods', { labels: { app: 'reviews' } }) });
    const ctx = context(LINKERD_MESH);
    LINKERD_ROUTING.render(chart, routingIntent({ service: ServiceRef.fromService(svc) }, { defaultVersion: version('v2') }), ctx);
    expect(ctx.warnings).toEqual([]);
    expect(Testing.synth(chart).find(o => o.kind === 'Service' && o.metadata.name === 'reviews').spec.selector).toEqual({ app: 'reviews', version: 'v2' });
  });

  test('the heaviest version with a Service of its own: the warning names that Service\'s selector', () => {
    const ctx = context(LINKERD_MESH);
    const own = { name: 'v2', labels: { app: 'reviews', track: 'b' }, versionKey: '', versionValue: 'v2', backendService: 'reviews-b' };
    LINKERD_ROUTING.render(scope().scope, routingIntent({}, { defaultVersion: own }), ctx);
    expect(ctx.warnings).toEqual([expect.stringMatching(/splits by replica count: give it the selector of reviews-b$/)]);
  });
});
