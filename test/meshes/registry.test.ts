import { IstioDataPlane, Mesh, MeshKind } from '../../src';
import { STUB } from './stub/stub-mesh';
import { renderersOf } from '../../src/meshes';
import { CONSUL } from '../../src/meshes/consul';
import { ISTIO } from '../../src/meshes/istio';
import { ISTIO_TRAFFIC } from '../../src/meshes/istio/traffic';
import { ISTIO_AMBIENT } from '../../src/meshes/istio-ambient';
import { AMBIENT_RESILIENCE } from '../../src/meshes/istio-ambient/resilience';
import { AMBIENT_ROUTING } from '../../src/meshes/istio-ambient/routing';
import { AMBIENT_TRAFFIC } from '../../src/meshes/istio-ambient/traffic';
import { LINKERD } from '../../src/meshes/linkerd';
import { PATTERN_NAMES } from '../../src/meshes/renderer';

describe('renderersOf: one folder per mesh', () => {
  test('each built-in mesh gets its folder; Istio ambient is its own mesh', () => {
    expect(renderersOf(Mesh.istio())).toBe(ISTIO);
    expect(renderersOf(Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }))).toBe(ISTIO_AMBIENT);
    expect(renderersOf(Mesh.linkerd())).toBe(LINKERD);
    expect(renderersOf(Mesh.consul())).toBe(CONSUL);
  });

  test('ambient has a renderer of its own for every pattern and its enrolment (test/meshes/istio-ambient), shares Istio\'s control plane, and names itself', () => {
    for (const pattern of [...Object.keys(PATTERN_NAMES), 'enrolment'] as (keyof typeof PATTERN_NAMES | 'enrolment')[]) {
      expect([pattern, ISTIO_AMBIENT[pattern] === ISTIO[pattern]]).toEqual([pattern, false]);
    }
    expect(ISTIO_AMBIENT.controlPlane).toBe(ISTIO);
    expect(ISTIO_AMBIENT.traffic).toBe(AMBIENT_TRAFFIC);
    expect(ISTIO.traffic).toBe(ISTIO_TRAFFIC);
    expect(ISTIO_AMBIENT.displayName).toBe('Istio ambient');
    expect(ISTIO_AMBIENT.resilience).toBe(AMBIENT_RESILIENCE);
    expect(ISTIO_AMBIENT.routing).toBe(AMBIENT_ROUTING);
    expect(ISTIO_AMBIENT.routing).not.toBe(ISTIO.routing);
  });

  // Mesh.displayName (src/model/mesh.ts) names the built-in meshes itself: the model may not import src/meshes/
  test('each built-in Mesh has the display name of its renderers', () => {
    for (const mesh of [Mesh.istio(), Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT }), Mesh.linkerd(), Mesh.consul()]) {
      expect([mesh.kind, mesh.displayName]).toEqual([mesh.kind, renderersOf(mesh).displayName]);
    }
    expect(Mesh._withRenderers(MeshKind.CONSUL, STUB).displayName).toBe(STUB.displayName);
  });

  test('a mesh with renderers of its own gets them, whatever its kind', () => {
    expect(renderersOf(Mesh._withRenderers(MeshKind.CONSUL, STUB))).toBe(STUB);
  });

  test('every built-in mesh renders every pattern (none refuses one outright)', () => {
    for (const mesh of [ISTIO, ISTIO_AMBIENT, LINKERD, CONSUL]) {
      for (const pattern of Object.keys(PATTERN_NAMES) as (keyof typeof PATTERN_NAMES)[]) {
        expect([mesh.displayName, pattern, mesh[pattern] !== undefined]).toEqual([mesh.displayName, pattern, true]);
      }
    }
  });
});
