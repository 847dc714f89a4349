/**
 * Whether the meshes inject their proxy into a workload's pods, read from manifests (the Namespace
 * object and the pod template), as each mesh's injector decides it. Shared by the analyzer's enrolment
 * rules and the reachability matrix. See docs/enrolment.md.
 */

import { servicePortCandidates } from '../../private/pod-spec';

/** A workload among the manifests, with its pod template's metadata. */
export interface WorkloadFacts {
  readonly obj: any;
  readonly kind: string;
  readonly name: string;
  readonly ns: string;
  readonly labels: { [k: string]: string };
  readonly annotations: { [k: string]: string };
  /** The pod spec's `automountServiceAccountToken`, if set. */
  readonly automount?: boolean;
  /** The pod's container ports, in container order. */
  readonly ports: { readonly name?: string; readonly containerPort: unknown }[];
  /** The ports a Service's named targetPort is looked up in, in Kubernetes' order (servicePortCandidates). */
  readonly servicePorts: { readonly name?: string; readonly containerPort: unknown }[];
}

/**
 * The pod ports a Service port's `targetPort` reaches on the selected workloads' pods, with the workloads of each:
 * a number is that port on every pod; a name is, on each pod, the `containerPort` of its first container port of
 * that name (kubernetes pkg/api/v1/pod/util.go FindPort, which the EndpointSlice controller uses: pods that give
 * the name different numbers each get their own), and no pod without it. Sorted by port.
 */
export function podPortsOf(pods: WorkloadFacts[], target: unknown): { readonly port: number; readonly pods: WorkloadFacts[] }[] {
  if (typeof target === 'number') return [{ port: target, pods }];
  const out = new Map<number, WorkloadFacts[]>();
  for (const w of pods) {
    const port = w.servicePorts.find(p => p.name === target)?.containerPort;
    if (typeof port !== 'number') continue;
    if (!out.has(port)) out.set(port, []);
    out.get(port)!.push(w);
  }
  return [...out].sort(([a], [b]) => a - b).map(([port, list]) => ({ port, pods: list }));
}

/**
 * What selects the pod ports of a Service's target ports (a Linkerd `Server` port): each target port as written,
 * the container port numbers a name resolves to on the selected pods, and the names of the container ports a number
 * is (a Server port by name selects the pods' container ports of that name: linkerd2
 * policy-controller/k8s/index/src/inbound/index.rs, select_ports).
 */
export function podPortRefs(pods: WorkloadFacts[], targets: unknown[]): unknown[] {
  const out = new Set<unknown>(targets);
  for (const t of targets) {
    if (typeof t === 'string') for (const g of podPortsOf(pods, t)) out.add(g.port);
    if (typeof t === 'number') for (const w of pods) for (const p of w.ports) if (p.containerPort === t && typeof p.name === 'string') out.add(p.name);
  }
  return [...out];
}

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];

/** Flagger's default `-selector-labels` (fluxcd/flagger cmd/flagger/main.go). */
export const FLAGGER_SELECTOR_LABELS = ['app', 'name', 'app.kubernetes.io/name'];

/**
 * The pods the progressive-delivery controllers run, as workloads: an Argo Rollout with its own pod
 * template (one with workloadRef runs the referenced Deployment's template, which is a workload already;
 * Argo adds only rollouts-pod-template-hash to the labels), and the `<target>-primary` Deployment Flagger
 * makes of a Canary's target Deployment, whose first selector label is renamed `<value>-primary`
 * (fluxcd/flagger pkg/canary/deployment_controller.go getSelectorLabel, util.go makePrimaryLabels).
 */
export function controllerWorkloads(objects: any[]): any[] {
  const out: any[] = [];
  for (const o of objects) {
    if (o?.kind === 'Rollout' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/') && o.spec?.template) {
      out.push(o);
    } else if (o?.kind === 'Canary' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('flagger.app/') && o.spec?.targetRef?.kind === 'Deployment') {
      const target = objects.find(d => d?.kind === 'Deployment' && d.apiVersion === 'apps/v1' && d.metadata?.name === o.spec.targetRef.name
        && (d.metadata?.namespace ?? '') === (o.metadata?.namespace ?? ''));
      const match = target?.spec?.selector?.matchLabels ?? {};
      const key = FLAGGER_SELECTOR_LABELS.find(k => typeof match[k] === 'string');
      if (!target || !key) continue;
      const labels = { ...(target.spec?.template?.metadata?.labels ?? {}), [key]: `${match[key]}-primary` };
      out.push({
        ...target,
        metadata: { ...target.metadata, name: `${target.metadata.name}-primary` },
        spec: { ...target.spec, template: { ...target.spec.template, metadata: { ...target.spec.template?.metadata, labels } } },
      });
    }
  }
  return out;
}

/**
 * The Service Flagger generates for a Canary (its apex: `spec.service.name`, else the target's name), which
 * is not among the manifests: it selects the primary pods (`<value>-primary`, pkg/router/kubernetes_default.go),
 * so its selector here is their whole label set, and its port the Canary's. Undefined when no Canary makes it.
 */
export function flaggerApexService(objects: any[], ns: string, name: string, nsOf: (o: any) => string): any {
  for (const o of objects) {
    if (o?.kind !== 'Canary' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('flagger.app/') || nsOf(o) !== ns) continue;
    if ((o.spec?.service?.name ?? o.spec?.targetRef?.name) !== name) continue;
    const primary = controllerWorkloads(objects.filter(d => d === o || (d?.kind === 'Deployment' && nsOf(d) === ns)))[0];
    if (!primary) continue;
    const port = o.spec.service?.port;
    // Flagger writes the Canary's targetPort, a number or a container port name, else the port
    // (pkg/router/kubernetes_default.go reconcileService)
    const target = o.spec.service?.targetPort;
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: {
        selector: primary.spec?.template?.metadata?.labels ?? {},
        ports: typeof port === 'number' ? [{ port, targetPort: (typeof target === 'number' && target !== 0) || (typeof target === 'string' && target !== '' && target !== '0') ? target : port }] : [],
      },
    };
  }
  return undefined;
}

/** The workloads (and bare Pods) among the manifests, with the pods the delivery controllers make of them. */
export function workloadsOf(objects: any[], nsOf: (o: any) => string): WorkloadFacts[] {
  const workloads = objects.filter(o => WORKLOAD_KINDS.includes(o?.kind) && (o.apiVersion === 'v1' || o.apiVersion === 'apps/v1'));
  return [...workloads, ...controllerWorkloads(objects)].map(o => {
    const meta = o.kind === 'Pod' ? o.metadata : o.spec?.template?.metadata;
    const spec = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    const map = (m: unknown) => (m && typeof m === 'object' ? m as { [k: string]: string } : {});
    return {
      obj: o,
      kind: o.kind,
      name: String(o.metadata?.name),
      ns: nsOf(o),
      labels: map(meta?.labels),
      annotations: map(meta?.annotations),
      automount: typeof spec?.automountServiceAccountToken === 'boolean' ? spec.automountServiceAccountToken : undefined,
      ports: (Array.isArray(spec?.containers) ? spec.containers : []).flatMap((c: any) => (Array.isArray(c?.ports) ? c.ports : []))
        .filter((p: any) => p && typeof p === 'object'),
      servicePorts: servicePortCandidates(spec),
    };
  });
}

/** The exact step that enrols a namespace, for messages. */
export function enrolmentStep(mesh: string, ns: string): string {
  if (mesh === 'istio') return `kubectl label namespace ${ns} istio-injection=enabled (or istio.io/rev=<revision>, or istio.io/dataplane-mode=ambient)`;
  if (mesh === 'linkerd') return `kubectl annotate namespace ${ns} linkerd.io/inject=enabled`;
  return 'annotate the pod template with consul.hashicorp.com/connect-inject: "true" (or install Consul with the Helm value connectInject.default: true)';
}

/**
 * Whether a namespace enrols its pods, from its Namespace object: undefined when the object is not
 * among the manifests (and on Consul, which enrols pods, not namespaces).
 * Istio: `istio-injection: enabled`; else `istio.io/rev` (the revision webhooks need `istio-injection`
 * absent: istio-discovery templates/mutatingwebhook.yaml); or ambient. Linkerd: `linkerd.io/inject`
 * `enabled` or `ingress` (linkerd2 pkg/inject/report.go).
 */
export function namespaceEnrolled(mesh: string, nsObj: any): boolean | undefined {
  if (!nsObj || mesh === 'consul') return undefined;
  const labels = nsObj.metadata?.labels ?? {};
  if (mesh === 'istio') {
    if (labels['istio.io/dataplane-mode'] === 'ambient') return true;
    if (labels['istio-injection'] !== undefined) return labels['istio-injection'] === 'enabled';
    return labels['istio.io/rev'] !== undefined;
  }
  return ['enabled', 'ingress'].includes(nsObj.metadata?.annotations?.['linkerd.io/inject']);
}

/**
 * Whether a workload's pods get the mesh's proxy: undefined when it depends on a Namespace object that
 * is not among the manifests. Consul: the pod's `consul.hashicorp.com/connect-inject`, else the Helm value
 * connectInject.default (consul-k8s mesh_webhook.go shouldInject).
 */
export function podEnrolled(mesh: string, nsObj: any, w: WorkloadFacts, consulInjectDefault = false): boolean | undefined {
  if (mesh === 'consul') {
    const v = w.annotations['consul.hashicorp.com/connect-inject'];
    return v === undefined ? consulInjectDefault : v === 'true';
  }
  if (mesh === 'linkerd') {
    const v = w.annotations['linkerd.io/inject'];
    if (v === 'disabled') return false;
    if (v === 'enabled' || v === 'ingress') return true;
    return namespaceEnrolled(mesh, nsObj);
  }
  if (w.labels['istio.io/dataplane-mode'] === 'ambient') return true;
  if (w.labels['sidecar.istio.io/inject'] === 'false') return false;
  const nsLabels = nsObj?.metadata?.labels ?? {};
  if (nsObj && (nsLabels['istio-injection'] !== undefined || nsLabels['istio.io/rev'] !== undefined || nsLabels['istio.io/dataplane-mode'] === 'ambient')) {
    return namespaceEnrolled(mesh, nsObj);
  }
  // no namespace label: the object-selector webhooks ("object.", "rev.object.") inject
  if (w.labels['sidecar.istio.io/inject'] === 'true' || w.labels['istio.io/rev'] !== undefined) return true;
  return nsObj ? false : undefined;
}
