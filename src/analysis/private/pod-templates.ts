import { controllerWorkloads } from './enrolment';
import { labelSelectorMatches, POD_TEMPLATE_PATHS } from '../../private/pod-spec';

/** A pod template among the manifests (a workload's, or a bare Pod's metadata), for the rules that read pods' own settings. */
export interface PodTemplateFacts {
  /** The manifest that holds it (a Flagger `<target>-primary` is made here from its target Deployment). */
  readonly obj: any;
  readonly kind: string;
  readonly name: string;
  readonly ns: string;
  readonly labels: { [k: string]: string };
  readonly annotations: { [k: string]: unknown };
  /** The pod template's spec (undefined if it has none). */
  readonly spec: any;
}

const GROUPS: { readonly [kind: string]: string } = { Pod: 'v1', Job: 'batch/', CronJob: 'batch/' };

/**
 * The pod templates of the workloads among the manifests (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
 * CronJobs, bare Pods), with the pods the delivery controllers make of them (Argo Rollouts, Flagger primaries:
 * controllerWorkloads), in the manifests' order. Hand-written YAML of any shape: a label or annotation map that is
 * not a map reads as empty.
 */
export function podTemplatesOf(objects: any[], nsOf: (o: any) => string): PodTemplateFacts[] {
  const map = (m: unknown) => (m && typeof m === 'object' && !Array.isArray(m) ? m as { [k: string]: any } : {});
  const workloads = objects.filter(o => o && typeof o === 'object' && POD_TEMPLATE_PATHS[o.kind] !== undefined && typeof o.apiVersion === 'string'
    && (o.kind === 'Pod' ? o.apiVersion === 'v1' : o.apiVersion.startsWith(GROUPS[o.kind] ?? 'apps/')));
  return [...workloads, ...controllerWorkloads(objects)].map(o => {
    const template = (POD_TEMPLATE_PATHS[o.kind] ?? ['spec', 'template']).reduce((cur: any, k) => (cur && typeof cur === 'object' ? cur[k] : undefined), o);
    const meta = map(map(template).metadata);
    const spec = map(template).spec;
    return { obj: o, kind: String(o.kind), name: String(o.metadata?.name), ns: nsOf(o), labels: map(meta.labels), annotations: map(meta.annotations), spec };
  });
}

// (labelSelectorMatches is shared with the constructs: src/private/pod-spec.ts)
export { labelSelectorMatches };
