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
