import { Testing } from 'cdk8s';
import { Mesh } from '../../src';
import { RenderContext } from '../../src/meshes/renderer';
import { CanaryAlertIntent } from '../../src/patterns/canary/intent';

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
