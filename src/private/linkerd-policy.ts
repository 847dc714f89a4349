/**
 * Linkerd's default inbound policies (`config.linkerd.io/default-inbound-policy`, a Server's `accessPolicy`) as the
 * callers each admits without an AuthorizationPolicy, and the pod-level default a pod runs with. Shared by the
 * library's Servers (src/meshes/linkerd/server.ts), the analyzer's L121 and the reachability matrix.
 */

/** The annotation, on a pod (template) or a Namespace. */
export const LINKERD_DEFAULT_POLICY_ANNOTATION = 'config.linkerd.io/default-inbound-policy';

/** The callers a policy may admit: authenticated (meshed) or not, from the cluster's networks or from outside them. */
type CallerClass = 'authenticated in the cluster' | 'authenticated from outside' | 'unauthenticated in the cluster' | 'unauthenticated from outside';
const EVERY: readonly CallerClass[] = ['authenticated in the cluster', 'authenticated from outside', 'unauthenticated in the cluster', 'unauthenticated from outside'];

/**
 * The callers each policy admits: policy-controller/k8s/index/src/defaults.rs, `DefaultPolicy::from_str` (each
 * `Allow` is `authenticated_only` and/or `cluster_only`) and `default_authzs` (`audit` admits what
 * `all-unauthenticated` does, and only logs; `deny` admits nobody).
 */
const ADMITS: { readonly [policy: string]: readonly CallerClass[] } = {
  'all-unauthenticated': EVERY,
  'audit': EVERY,
  'all-authenticated': ['authenticated in the cluster', 'authenticated from outside'],
  'cluster-unauthenticated': ['authenticated in the cluster', 'unauthenticated in the cluster'],
  'cluster-authenticated': ['authenticated in the cluster'],
  'deny': [],
};

/** Whether `policy` is a value Linkerd parses (defaults.rs `DefaultPolicy::from_str`). */
export function isLinkerdPolicy(policy: unknown): policy is string {
  return typeof policy === 'string' && Object.prototype.hasOwnProperty.call(ADMITS, policy);
}

/**
 * Whether `a` admits a caller that `b` does not (both valid policies). Not a total order: `all-authenticated`
 * admits authenticated callers from outside the cluster's networks, which `cluster-unauthenticated` refuses, and
 * `cluster-unauthenticated` unauthenticated callers of the cluster, which `all-authenticated` refuses.
 */
export function linkerdPolicyWider(a: string, b: string): boolean {
  return ADMITS[a].some(c => !ADMITS[b].includes(c));
}

/**
 * The policy that admits exactly the callers every one of `policies` admits (valid policies; at least one): the
 * narrowest that is wider than none of them (`all-authenticated` and `cluster-unauthenticated` give
 * `cluster-authenticated`). `audit` with `audit` stays `audit`; with `all-unauthenticated`, `all-unauthenticated`.
 */
export function linkerdPolicyMeet(policies: readonly string[]): string {
  if (policies.every(p => p === 'audit')) return 'audit';
  const admits = EVERY.filter(c => policies.every(p => ADMITS[p].includes(c)));
  return ['all-unauthenticated', 'all-authenticated', 'cluster-unauthenticated', 'cluster-authenticated', 'deny']
    .find(p => ADMITS[p].length === admits.length && admits.every(c => ADMITS[p].includes(c)))!;
}

/**
 * The default inbound policy of a pod, from its own annotations, and the namespace's default (its annotation,
 * else the cluster's: undefined when not known). The proxy injector copies the namespace's annotation onto the
 * pod only when the pod has none of its own (controller/proxy-injector/webhook.go AppendNamespaceAnnotations,
 * pkg/inject/inject.go GetConfigOverride), and the policy controller reads the pod's annotation, else the
 * cluster default (policy-controller/k8s/index/src/inbound/workload.rs Settings::from_metadata, index.rs
 * default_inbound_server: `settings.default_policy.unwrap_or(config.default_policy)`). So: the pod's, else the
 * namespace's, else the cluster's; a pod value Linkerd cannot parse is ignored with a warning (workload.rs) and,
 * as the injector copied nothing over it, the pod runs with the cluster's default (`cluster`).
 */
export function linkerdPodDefault(podAnnotations: { readonly [k: string]: unknown } | undefined, namespaceDefault: string | undefined,
  cluster: string | undefined): string | undefined {
  const own = podAnnotations?.[LINKERD_DEFAULT_POLICY_ANNOTATION];
  if (own === undefined) return namespaceDefault;
  return isLinkerdPolicy(own) ? own : cluster;
}
