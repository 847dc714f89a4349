import { HttpMethod, Mesh, MeshKind, IstioDataPlane, MatchType } from '../../src';
import { cookieRegex, describeMatch } from '../../src/model/match-intent';
import { compareRank, linkerdRank, rank } from '../../src/model/precedence';
import { MatchIntent } from '../../src/model/route-intent';
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
  const exact: MatchIntent = { path: { type: MatchType.EXACT, value: '/a' }, headers: [] };
  const prefix: MatchIntent = { path: { type: MatchType.PREFIX, value: '/a' }, headers: [] };
  const header: MatchIntent = { headers: [{ name: 'x', type: MatchType.EXACT, value: '1' }] };

  test('Gateway API ranks an exact path above a prefix of the same length', () => {
    expect(compareRank(rank(exact), rank(prefix))).toBeGreaterThan(0);
    expect(compareRank(rank(prefix), rank(exact))).toBeLessThan(0);
  });

  test('Linkerd ties an exact and a prefix path of one length', () => {
    expect(compareRank(linkerdRank(exact), linkerdRank(prefix))).toBe(0);
  });

  test('no path is the prefix "/": a longer path outranks headers on both', () => {
    expect(compareRank(rank(prefix), rank(header))).toBeGreaterThan(0);
    expect(compareRank(linkerdRank(prefix), linkerdRank(header))).toBeGreaterThan(0);
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
