/**
 * The controller modes of CanaryRelease: a Flagger Canary or an Argo Rollout (and what they need) from
 * the release's intent. Private to the library.
 */
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { CanaryControllerIntent } from './intent';
import type { CanaryStep, HealthAlert } from './props';
import * as argo from '../../imports/argo-rollouts';
import * as flagger from '../../imports/flagger';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import { formatDuration, millis } from '../../private/duration';
import { PodTemplate } from '../../private/k8s-objects';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { ArgoRolloutsMeshRenderer, FlaggerMeshRenderer, RenderContext } from '../renderers';

/** Flagger's default `-selector-labels` (cmd/flagger/main.go): the first one in the target's matchLabels is renamed `<value>-primary` on the primary pods. */
export const FLAGGER_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

/** What a controller mode renders from. */
export interface DeliveryInput {
  readonly context: RenderContext;
  readonly service: ServiceRef;
  readonly namespace: string | undefined;
  readonly workload: PodTemplate;
  readonly plan: CanaryStep[];
  readonly matches: MatchIntent[];
  readonly mirrorPercent?: number;
  readonly alert?: HealthAlert;
  readonly metricsAddress?: string;
}

/** A Flagger duration: whole minutes or seconds (the CRD's pattern ^[0-9]+(m|s)), rounded up to a second. */
export function flaggerDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.ceil(ms / 1000)}s`;
}

/** The pause every Flagger interval uses: the steps' pause (the longest where they differ), else 1m. */
export function flaggerInterval(plan: CanaryStep[]): { interval: string; ms: number; differs: boolean } {
  const pauses = plan.map(s => s.pause).filter((p): p is Duration => p !== undefined).map(p => millis(p));
  if (!pauses.length) return { interval: '1m', ms: 60_000, differs: false };
  const ms = Math.ceil(Math.max(...pauses) / 1000) * 1000;
  return { interval: flaggerDuration(ms), ms, differs: new Set(pauses).size > 1 || pauses.length < plan.length - 1 };
}

/** A/B testing in Flagger: test requests with a plan that sends no share of the other requests before the last step. */
export function flaggerAbTesting(plan: CanaryStep[], matches: MatchIntent[]): boolean {
  return matches.length > 0 && plan.every((s, i) => s.weight === 0 || (i === plan.length - 1 && s.weight === 100));
}

/**
 * Flagger: a `Canary` (and, where the mesh's metrics are not Flagger's built-in ones, the MetricTemplates
 * they need). Flagger generates the apex, `-primary` and `-canary` Services and the routing (the mesh's
 * router: Istio VirtualService and DestinationRules, or a Gateway API HTTPRoute): none of them is written
 * here.
 */
export function renderFlagger(scope: Construct, input: DeliveryInput, router: FlaggerMeshRenderer, intent: CanaryControllerIntent): void {
  const { service, namespace, workload, plan, matches, alert } = input;
  const { interval, ms } = flaggerInterval(plan);
  const ab = flaggerAbTesting(plan, matches);
  const forMs = alert?.holdFor ? millis(alert.holdFor) : 120_000;
  const metrics: flagger.CanarySpecAnalysisMetrics[] = [];
  const window = alert?.window ? flaggerDuration(millis(alert.window)) : '5m';
  if (alert) {
    const minSuccess = 100 - (alert.maxErrorRatePercent ?? 1);
    const p99 = alert.maxP99Latency ? millis(alert.maxP99Latency) : undefined;
    const queries = router.metrics(input.context);
    if ('builtin' in queries) {
      metrics.push({ name: queries.builtin.successRate, interval: window, thresholdRange: { min: minSuccess } });
      if (p99 !== undefined) metrics.push({ name: queries.builtin.latency, interval: window, thresholdRange: { max: p99 } });
    } else {
      const provider = { type: flagger.MetricTemplateSpecProviderType.PROMETHEUS, address: input.metricsAddress ?? queries.templates.defaultAddress };
      const sr = `${service.name}-success-rate`;
      new flagger.MetricTemplate(scope, 'FlaggerSuccessRate', {
        metadata: objectMetadata(sr, namespace),
        spec: { provider, query: queries.templates.successRate },
      });
      metrics.push({ name: 'success-rate', templateRef: { name: sr, namespace }, interval: window, thresholdRange: { min: minSuccess } });
      if (p99 !== undefined) {
        const lat = `${service.name}-latency`;
        new flagger.MetricTemplate(scope, 'FlaggerLatency', {
          metadata: objectMetadata(lat, namespace),
          spec: { provider, query: queries.templates.latency },
        });
        metrics.push({ name: 'latency', templateRef: { name: lat, namespace }, interval: window, thresholdRange: { max: p99 } });
      }
    }
  }
  const match = matches.map(m => ({
    headers: Object.fromEntries(m.headers.map(h => [h.name, router.headerMatch(h)])),
  }));
  const weights = plan.map(s => s.weight).filter(w => w > 0);
  const gatewayRefs = router.gatewayRefs?.(intent);
  new flagger.Canary(scope, 'FlaggerCanary', {
    metadata: objectMetadata(workload.name, namespace),
    spec: {
      provider: router.provider,
      targetRef: { apiVersion: 'apps/v1', kind: flagger.CanarySpecTargetRefKind.DEPLOYMENT, name: workload.name },
      service: {
        name: service.name,
        port: service.port,
        // a container port name as on the user's Service: Flagger copies it into the Services it writes
        // (pkg/apis/flagger/v1beta1/canary.go, CanaryService.TargetPort is an IntOrString)
        targetPort: service._targetPortAsWritten(),
        ...(service.portName ? { portName: service.portName } : {}),
        ...(gatewayRefs ? { gatewayRefs } : {}),
      },
      analysis: {
        interval,
        // rolled back after this many failed checks, one per interval: about the alert's `for`
        threshold: Math.max(1, Math.ceil(forMs / ms)),
        ...(ab
          ? { iterations: plan.filter(s => s.weight === 0).length, match }
          // the last stepWeight is the max weight (pkg/controller/scheduler.go maxWeight): no maxWeight needed
          : { stepWeights: weights }),
        ...(input.mirrorPercent !== undefined ? { mirror: true, mirrorWeight: input.mirrorPercent } : {}),
        ...(metrics.length ? { metrics } : {}),
      },
    },
  });
}

/** The names of the objects an Argo release writes and the Rollout names. */
export function argoNames(service: ServiceRef) {
  return {
    stable: `${service.name}-stable`,
    canary: `${service.name}-canary`,
    route: 'primary',
    headerRoute: 'canary-requests',
    mirrorRoute: 'mirror',
    analysis: `${service.name}-canary-health`,
  };
}

/**
 * Argo Rollouts: a `Rollout` (workloadRef to the Deployment), the `-stable` and `-canary` Services it
 * points at (Argo adds rollouts-pod-template-hash to their selectors), the routing object it edits (the
 * mesh's: an Istio VirtualService with the route named `primary`, or a Gateway API HTTPRoute edited by
 * the argoproj-labs/gatewayAPI plugin), and an AnalysisTemplate from the health alert.
 */
export function renderArgo(scope: Construct, input: DeliveryInput, router: ArgoRolloutsMeshRenderer): void {
  const { service, namespace, workload, plan, matches, alert } = input;
  const names = argoNames(service);

  for (const [id, name] of [['ArgoStableService', names.stable], ['ArgoCanaryService', names.canary]]) {
    new ApiObject(scope, id, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMetadata(name, namespace),
      spec: {
        // (a named targetPort is kept: Kubernetes resolves it for each pod, as on the user's Service)
        ports: [{ port: service.port, targetPort: service._targetPortAsWritten(), ...(service.portName ? { name: service.portName } : {}) }],
        selector: sortKeys(service.selector),
        type: 'ClusterIP',
      },
    });
  }

  // the routing object the Rollout edits, written by the mesh
  const routing = { service, namespace, stableService: names.stable, canaryService: names.canary, route: names.route };
  const trafficRouting = router.renderRouting(scope, routing, input.context);

  const steps: argo.RolloutSpecStrategyCanarySteps[] = [];
  const managed: string[] = [];
  // at weight 0 Argo scales the canary to no pod (utils/replicaset/canary.go
  // CalculateReplicaCountsForTrafficRoutedCanary: setWeight replicas unless setCanaryScale), so the test
  // requests and the mirror of a first weight-0 step would reach no pod: pin one canary pod until a weight above 0
  const routed = matches.length > 0 || input.mirrorPercent !== undefined;
  let pinned = false;
  if (routed && plan[0]?.weight === 0) {
    steps.push({ setCanaryScale: { replicas: 1 } });
    pinned = true;
  }
  const headerMatch = (m: MatchIntent) => ({ headerName: m.headers[0].name, headerValue: { [m.headers[0].type]: m.headers[0].value } });
  if (matches.length) {
    for (const route of router.headerRoutes(names.headerRoute, matches.map(headerMatch))) {
      managed.push(route.name);
      steps.push({ setHeaderRoute: route });
    }
  }
  if (input.mirrorPercent !== undefined) {
    managed.push(names.mirrorRoute);
    steps.push({ setMirrorRoute: { name: names.mirrorRoute, percentage: input.mirrorPercent, match: [{ path: { prefix: '/' } }] } });
  }
  plan.forEach((s, i) => {
    // only the first step may be 0 (the weights rise): back to the canary scale of the weight after it
    if (pinned && s.weight > 0) {
      steps.push({ setCanaryScale: { matchTrafficWeight: true } });
      pinned = false;
    }
    steps.push({ setWeight: s.weight });
    if (s.pause) steps.push({ pause: { duration: argo.RolloutSpecStrategyCanaryStepsPauseDuration.fromString(formatDuration(s.pause)) } });
    else if (i < plan.length - 1) steps.push({ pause: {} });
  });

  if (alert) renderAnalysisTemplate(scope, input, router, names, alert);
  const replicas = workload.replicas();
  new argo.Rollout(scope, 'ArgoRollout', {
    metadata: objectMetadata(workload.name, namespace),
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: sortKeys(workload.matchLabels()) },
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload.name, scaleDown: 'onsuccess' },
      strategy: {
        canary: {
          stableService: names.stable,
          canaryService: names.canary,
          trafficRouting: {
            ...trafficRouting,
            ...(managed.length ? { managedRoutes: managed.map(name => ({ name })) } : {}),
          },
          ...(alert ? { analysis: { templates: [{ templateName: names.analysis }] } } : {}),
          steps,
        },
      },
    },
  });
}

function renderAnalysisTemplate(
  scope: Construct, input: DeliveryInput, router: ArgoRolloutsMeshRenderer, names: ReturnType<typeof argoNames>, alert: HealthAlert,
): void {
  const { service, namespace } = input;
  const window = alert.window ? formatDuration(alert.window) : '5m';
  const forMs = alert.holdFor ? millis(alert.holdFor) : 120_000;
  const q = router.analysisQueries({ service: service.name, namespace, canaryService: names.canary, window }, input.context);
  const address = input.metricsAddress ?? q.defaultAddress;
  const { errorRatio, p99Seconds } = q;
  // one measurement a minute; the analysis fails after the alert's `for` of failed measurements
  const failureLimit = argo.AnalysisTemplateSpecMetricsFailureLimit.fromNumber(Math.max(0, Math.ceil(forMs / 60_000) - 1));
  const maxErrors = (alert.maxErrorRatePercent ?? 1) / 100;
  const metrics: argo.AnalysisTemplateSpecMetrics[] = [{
    name: 'error-rate',
    interval: '1m',
    failureLimit,
    // no request yet: an empty result (or NaN), which is not a failure
    successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${maxErrors}`,
    provider: { prometheus: { address, query: errorRatio } },
  }];
  if (alert.maxP99Latency) {
    metrics.push({
      name: 'p99-latency',
      interval: '1m',
      failureLimit,
      successCondition: `len(result) == 0 || isNaN(result[0]) || result[0] <= ${millis(alert.maxP99Latency) / 1000}`,
      provider: { prometheus: { address, query: p99Seconds } },
    });
  }
  new argo.AnalysisTemplate(scope, 'ArgoAnalysis', {
    metadata: objectMetadata(names.analysis, namespace),
    spec: { metrics },
  });
}
