import { Testing } from 'cdk8s';
import { renderContext } from './context';
import { MatchType, Mesh, ServiceRef } from '../../src';
import { ArgoRolloutsMeshRenderer, CanaryRenderer, FlaggerMeshRenderer, RenderContext } from '../../src/meshes/renderer';
import { ArgoAnalysisIntent, ArgoRoutingIntent, CanaryAlertIntent, CanaryControllerIntent, CanaryReleaseIntent } from '../../src/patterns/canary/intent';

/** The canary version of payment in namespace shop, as a release with static steps describes it. */
export function alertIntent(extra: Partial<CanaryAlertIntent> = {}): CanaryAlertIntent {
  return {
    service: 'payment',
    namespace: 'shop',
    canary: { name: 'v2', labels: { app: 'payment', version: 'v2' }, versionKey: 'version', versionValue: 'v2', backendService: 'payment-v2' },
    stable: { name: 'v1', labels: { app: 'payment', version: 'v1' }, versionKey: 'version', versionValue: 'v1', backendService: 'payment-v1' },
    window: '5m',
    prometheusLabels: { release: 'prom' },
    ...extra,
  };
}

export function context(mesh: Mesh): RenderContext {
  return renderContext(mesh);
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
    abTesting: false,
    ...extra,
  };
}

/** The routing object an Argo release of payment edits: payment-stable and payment-canary, route primary. */
export function argoRoutingIntent(): ArgoRoutingIntent {
  return { service: ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' }), namespace: 'shop', stableService: 'payment-stable', canaryService: 'payment-canary', route: 'primary' };
}

/** The AnalysisTemplate queries of an Argo release of payment. */
export function argoAnalysisIntent(): ArgoAnalysisIntent {
  return { service: 'payment', namespace: 'shop', canaryService: 'payment-canary', window: '5m' };
}

/** Two test requests, as Argo setHeaderRoute matches. */
export const TWO_MATCHES = [{ headerName: 'x-a', headerValue: { exact: '1' } }, { headerName: 'x-b', headerValue: { exact: '2' } }];

/** A release of payment in namespace shop with static steps (v1 stable, v2 canary at 20%). */
export function releaseIntent(canary: Partial<CanaryReleaseIntent['canary']> = {}): CanaryReleaseIntent {
  const version = (v: string) => ({ name: v, labels: { app: 'payment', version: v }, versionKey: 'version', versionValue: v, backendService: `payment-${v}` });
  return {
    service: ServiceRef.fromName('payment', { port: 8080, namespace: 'shop' }),
    namespace: 'shop',
    canary: { stable: version('v1'), canary: version('v2'), canaryWeight: 20, canaryMatches: [], smi: false, annotations: {}, ...canary },
  };
}

/** A context that collects the hook's warnings. */
export function warningContext(mesh: Mesh): RenderContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { mesh, warn: m => warnings.push(m), warnings };
}

/** A mesh's Flagger renderer (not a refusal in its own words). */
export function flaggerOf(r: CanaryRenderer): FlaggerMeshRenderer {
  if (!r.flagger || !('provider' in r.flagger)) throw new TypeError('no Flagger renderer');
  return r.flagger;
}

/** A mesh's Argo Rollouts renderer (not a refusal in its own words). */
export function argoOf(r: CanaryRenderer): ArgoRolloutsMeshRenderer {
  if (!r.argoRollouts || !('renderRouting' in r.argoRollouts)) throw new TypeError('no Argo Rollouts renderer');
  return r.argoRollouts;
}
