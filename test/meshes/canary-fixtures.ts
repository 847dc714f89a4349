import { Testing } from 'cdk8s';
import { MatchType, Mesh, ServiceRef } from '../../src';
import { RenderContext } from '../../src/meshes/renderer';
import { CanaryAlertIntent, CanaryControllerIntent } from '../../src/patterns/canary/intent';

/** The canary version of payment in namespace shop, as a release with static steps describes it. */
export function alertIntent(extra: Partial<CanaryAlertIntent> = {}): CanaryAlertIntent {
  return {
    service: 'payment',
    namespace: 'shop',
    canary: { name: 'v2', labels: { app: 'payment', version: 'v2' }, versionKey: 'version', versionValue: 'v2', backendService: 'payment-v2' },
    window: '5m',
    prometheusLabels: { release: 'prom' },
    ...extra,
  };
}

export function context(mesh: Mesh): RenderContext {
  return { mesh };
}

/** The objects a hook writes under a fresh chart. */
export function objectsOf(write: (scope: any) => void): any[] {
  const chart = Testing.chart();
  write(chart);
  return Testing.synth(chart);
}

/** A Flagger release of payment (port 8080) in namespace shop, with one test request. */
export function controllerIntent(extra: Partial<CanaryControllerIntent> = {}): CanaryControllerIntent {
  return {
    flagger: true,
    controller: 'flagger',
    service: ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' }),
    namespace: 'shop',
    matches: [{ headers: [{ name: 'x-user', type: MatchType.PREFIX, value: 'test.' }] }],
    ...extra,
  };
}
