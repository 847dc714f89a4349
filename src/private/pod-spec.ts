/**
 * Facts of pod specs that both the constructs and the analysis read. No cdk8s here: `cdk8s-mesh lint` loads this
 * module, and loading cdk8s (constructs, yaml, crypto) cost it about a tenth of a lint run (issue 26).
 */

/**
 * The kinds that hold a pod template, and where it is in their manifest (a bare Pod: the object itself), for the
 * readers of pods' own labels and annotations (the Linkerd Server's pod defaults, the analyzer's pod templates).
 */
export const POD_TEMPLATE_PATHS: { readonly [kind: string]: readonly string[] } = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/**
 * The container ports a Service's named targetPort is looked up in, in the order Kubernetes looks (kubernetes
 * pkg/api/v1/pod/util.go FindPort): the containers' TCP ports (a port's protocol defaults to TCP; the meshes'
 * Services are TCP), then those of the native sidecars (init containers with `restartPolicy: Always`).
 */
export function servicePortCandidates(podSpec: any): any[] {
  const ports = (list: unknown) => (Array.isArray(list) ? list : []).flatMap((c: any) => (Array.isArray(c?.ports) ? c.ports : []))
    .filter((p: any) => p && typeof p === 'object' && (p.protocol ?? 'TCP') === 'TCP');
  return [...ports(podSpec?.containers), ...ports((Array.isArray(podSpec?.initContainers) ? podSpec.initContainers : []).filter((c: any) => c?.restartPolicy === 'Always'))];
}

/**
 * Whether a Kubernetes label selector (`matchLabels` and `matchExpressions`, e.g. a Linkerd Server's `podSelector`)
 * selects a pod with exactly these labels (a pod template's: all of its labels are known). An unknown operator
 * selects nothing.
 */
export function labelSelectorMatches(selector: any, labels: { [k: string]: string }): boolean {
  if (!selector || typeof selector !== 'object') return false;
  const matchLabels = selector.matchLabels && typeof selector.matchLabels === 'object' ? selector.matchLabels : {};
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    switch (e?.operator) {
      case 'In': return has && values.includes(labels[e.key]);
      case 'NotIn': return !has || !values.includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}
