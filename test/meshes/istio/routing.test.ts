import { Mesh, ServiceRef } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_ROUTING } from '../../../src/meshes/istio/routing';
import { context, routingIntent, scope, version } from '../routing-intent';

describe('meshes/istio/routing: VersionedRouting on Istio sidecars', () => {
  test('the mesh\'s routing renderer is this one', () => {
    expect(ISTIO.routing).toBe(ISTIO_ROUTING);
  });

  test('everything is expressible: the mirror, a version Service, any label key, a weighted route', () => {
    const intent = routingIntent({}, { mirror: { version: version('v2'), percent: 10 } });
    expect(ISTIO_ROUTING.unsupported(intent, context(Mesh.istio()))).toEqual([]);
    expect(ISTIO_ROUTING.serviceVersionUnsupported).toBeUndefined();
    expect(ISTIO_ROUTING.serviceVersionProblems).toBeUndefined();
    expect(ISTIO_ROUTING.versionLabelKeyProblems).toBeUndefined();
    expect(ISTIO_ROUTING.routeSplitUnsupported).toBeUndefined();
  });

  test('the VirtualService takes the first matching route: no precedence to check', () => {
    expect(ISTIO_ROUTING.precedence).toBeUndefined();
  });

  test('no objects of its own (the routes and subsets are the traffic renderer\'s), no marks on the pods, no warning', () => {
    const { scope: s, objects } = scope();
    const ctx = context(Mesh.istio());
    ISTIO_ROUTING.render(s, routingIntent({ versions: [{ version: version('v1') }, { version: version('v2'), ownService: ServiceRef.fromName('reviews-canary', { port: 8080 }) }] }), ctx);
    expect(objects()).toEqual([]);
    expect(ISTIO_ROUTING.prepareVersion).toBeUndefined();
    expect(ctx.warnings).toEqual([]);
  });
});
