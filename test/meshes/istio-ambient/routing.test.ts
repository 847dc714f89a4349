import { IstioDataPlane, Mesh, ServiceRef } from '../../../src';
import { GATEWAY_API_PRECEDENCE } from '../../../src/meshes/gateway-api/precedence';
import { ISTIO_ROUTING } from '../../../src/meshes/istio/routing';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';
import { AMBIENT_ROUTING } from '../../../src/meshes/istio-ambient/routing';
import { context, exact, prefix, routingIntent, scope, version } from '../routing-intent';

const AMBIENT = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });

describe('meshes/istio-ambient/routing: VersionedRouting on the waypoint (Istio\'s, with Gateway API routes)', () => {
  test('the mesh\'s routing renderer is this one, not sidecar Istio\'s', () => {
    expect(ISTIO_AMBIENT.routing).toBe(AMBIENT_ROUTING);
    expect(AMBIENT_ROUTING).not.toBe(ISTIO_ROUTING);
  });

  test('the mirror is expressible (the HTTPRoute\'s RequestMirror filter), as on sidecars', () => {
    expect(AMBIENT_ROUTING.unsupported(routingIntent({}, { mirror: { version: version('v2'), percent: 10 } }), context(AMBIENT))).toEqual([]);
    expect(AMBIENT_ROUTING.routeSplitUnsupported).toBeUndefined();
    expect(AMBIENT_ROUTING.versionLabelKeyProblems).toBeUndefined();
  });

  test('routes rank as Gateway API ranks them (where sidecars take the first)', () => {
    expect(AMBIENT_ROUTING.precedence).toBe(GATEWAY_API_PRECEDENCE);
    // an exact path outranks a prefix of the same length (Linkerd ties them)
    expect(AMBIENT_ROUTING.precedence!.outranks(exact('/api'), prefix('/api'))).toBeDefined();
  });

  test('a version Service must have the service\'s port', () => {
    const service = ServiceRef.fromName('reviews', { port: 9080 });
    expect(AMBIENT_ROUTING.serviceVersionProblems!('versions[2]', ServiceRef.fromName('reviews-v3', { port: 8080 }), service).map(p => p.prop)).toEqual(['versions[2].service.port']);
    expect(AMBIENT_ROUTING.serviceVersionProblems!('versions[2]', ServiceRef.fromName('reviews-v3', { port: 9080 }), service)).toEqual([]);
  });

  test('renders a backend Service per version, no warning', () => {
    const { scope: s, objects } = scope();
    const ctx = context(AMBIENT);
    AMBIENT_ROUTING.render(s, routingIntent(), ctx);
    expect(objects().map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/reviews-v1', 'Service/reviews-v2']);
    expect(ctx.warnings).toEqual([]);
  });
});
