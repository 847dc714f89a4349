import { HttpMethod, Mesh, MeshKind, IstioDataPlane, MatchType } from '../../src';
import { cookieRegex, describeMatch } from '../../src/model/match-intent';
import { compareRank } from '../../src/model/precedence';
import { cannotExpress } from '../../src/model/unsupported';

describe('model/unsupported: the uniform refusal', () => {
  test('names the mesh and the pattern, on the mesh prop, and is never dropped', () => {
    expect(cannotExpress('Stub', 'EgressPolicy')).toEqual({
      setting: 'mesh',
      value: 'Stub',
      why: 'Stub cannot express EgressPolicy',
      alternative: 'use EgressPolicy with a mesh that can express it, or leave it out for Stub',
      keep: 'Stub has no renderer for EgressPolicy',
    });
  });
});

describe('model/mesh', () => {
  test('display names of the built-in meshes (Istio ambient is a mesh of its own)', () => {
    expect(Mesh.istio().displayName).toBe('Istio');
    expect(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }).displayName).toBe('Istio ambient');
    expect(Mesh.linkerd().displayName).toBe('Linkerd');
    expect(Mesh.consul().displayName).toBe('Consul');
  });

  test('a mesh with renderers of its own takes its name from them and keeps the kind it is based on', () => {
    const mesh = Mesh._withRenderers(MeshKind.LINKERD, { displayName: 'Fifth' });
    expect(mesh.displayName).toBe('Fifth');
    expect(mesh.kind).toBe(MeshKind.LINKERD);
    expect(mesh._problems()).toEqual([]);
    expect(Mesh.linkerd()._renderers).toBeUndefined();
  });
});

describe('model/precedence', () => {
  // the meshes' ranks are theirs (test/meshes/gateway-api/precedence.test.ts); the model compares them
  test('compareRank compares element by element: the first difference decides, equal ranks tie', () => {
    expect(compareRank([1, 4, 0], [1, 3, 9])).toBeGreaterThan(0);
    expect(compareRank([0, 9], [1, 0])).toBeLessThan(0);
    expect(compareRank([1, 2], [1, 2])).toBe(0);
  });
});

describe('model/match-intent', () => {
  test('describeMatch lists the conditions, or every request', () => {
    expect(describeMatch(undefined)).toBe('every request');
    expect(describeMatch({ headers: [] })).toBe('every request');
    expect(describeMatch({ path: { type: MatchType.PREFIX, value: '/api' }, methods: [HttpMethod.GET], headers: [{ name: 'x', type: MatchType.EXACT, value: 'y' }] }))
      .toBe('path prefix "/api", methods GET, header x exact "y"');
  });

  test('cookieRegex matches the cookie among others and escapes its name and value', () => {
    const re = new RegExp(cookieRegex('user.type', 'a+b'));
    expect(re.test('user.type=a+b')).toBe(true);
    expect(re.test('x=1; user.type=a+b; y=2')).toBe(true);
    expect(re.test('userXtype=a+b')).toBe(false);
    expect(re.test('user.type=aab')).toBe(false);
  });
});
