import { IstioDataPlane, Mesh } from '../../../src';
import { ISTIO } from '../../../src/meshes/istio';
import { ISTIO_AMBIENT } from '../../../src/meshes/istio-ambient';

// ServiceTraffic's ambient checks, now Istio ambient's TrafficRenderer hooks, called directly
const mesh = Mesh.istio({ dataPlane: IstioDataPlane.AMBIENT });
const target = (by: { faultBy?: string; resilienceBy?: string; canaryBy?: string; routingBy?: string }) => ({ mesh, ...by }) as any;
const RULES = { rules: [{ name: 'default', source: 'timeout', retrySource: 'retries', timeoutMs: 1000 }] };

describe('meshes/istio-ambient: faults beside Gateway API routes (joinProblem)', () => {
  const join = (by: any, model: any) => ISTIO_AMBIENT.traffic!.joinProblem!(target(by), model, { mesh });

  test('faults with resilience routes, a canary or a version routing are refused, naming both constructs', () => {
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res' }, { resilience: RULES, faults: [] })).toBe(
      '[test/fault] injects faults (a VirtualService, Alpha on Istio ambient), and [test/res] routes it with Gateway API HTTPRoutes; Istio leaves a service with both undefined; '
      + 'inject faults into a service that has no ResilientService routes (timeouts, retries, routes: a circuit breaker alone is fine), no CanaryRelease and no VersionedRouting, or use the sidecar data plane for it');
    expect(join({ faultBy: 'test/fault', canaryBy: 'test/release' }, { faults: [] })).toContain('and [test/release] routes it');
    expect(join({ faultBy: 'test/fault', routingBy: 'test/routing' }, { faults: [] })).toContain('and [test/routing] routes it');
    // a ResilientService with routes names it, before a canary
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res', canaryBy: 'test/release' }, { resilience: RULES })).toContain('and [test/res] routes it');
  });

  test('faults alone, faults with a circuit breaker only (no route), or routes without faults are accepted', () => {
    expect(join({ faultBy: 'test/fault' }, { faults: [] })).toBeUndefined();
    expect(join({ faultBy: 'test/fault', resilienceBy: 'test/res' }, { resilience: { rules: [] } })).toBeUndefined();
    expect(join({ resilienceBy: 'test/res', canaryBy: 'test/release' }, { resilience: RULES })).toBeUndefined();
  });

  test('the ranking of the crossed-precedence check is Gateway API\'s; sidecars have neither check', () => {
    expect(ISTIO_AMBIENT.traffic!.precedenceProblem).toBeDefined();
    expect(ISTIO.traffic!.joinProblem).toBeUndefined();
    expect(ISTIO.traffic!.precedenceProblem).toBeUndefined();
  });
});
