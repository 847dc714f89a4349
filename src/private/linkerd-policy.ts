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

/** The pod (or namespace) annotation listing the pod ports where the default inbound policy admits authenticated callers only. */
export const LINKERD_REQUIRE_IDENTITY_ANNOTATION = 'config.linkerd.io/proxy-require-identity-inbound-ports';

/** A decimal NonZeroU16 as Rust's `str::parse` reads it (an optional `+`), else undefined. */
function parsePort(s: string): number | undefined {
  const t = s.trim();
  if (!/^\+?[0-9]+$/.test(t)) return undefined;
  const n = Number(t.replace(/^\+/, ''));
  return n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * A comma-separated list of ports and port ranges, as the policy controller reads it (policy-controller/k8s/index/src/
 * ports.rs parse_portset: empty entries skipped, `a-b` with a <= b), as ranges; undefined when Linkerd cannot parse it
 * (ports_annotation then logs "Invalid ports list" and takes the empty set: no port).
 */
export function linkerdPortSet(spec: string): [number, number][] | undefined {
  const out: [number, number][] = [];
  for (const entry of spec.split(',')) {
    const dash = entry.indexOf('-');
    if (dash < 0) {
      if (!entry.trim()) continue;
      const port = parsePort(entry);
      if (port === undefined) return undefined;
      out.push([port, port]);
      continue;
    }
    const floor = parsePort(entry.slice(0, dash));
    const ceil = parsePort(entry.slice(dash + 1));
    if (floor === undefined || ceil === undefined || floor > ceil) return undefined;
    out.push([floor, ceil]);
  }
  return out;
}

/**
 * Whether the pod's default inbound policy admits authenticated callers only on `port` (a pod port number), and why
 * (for messages): the pod's `config.linkerd.io/proxy-require-identity-inbound-ports`, else its namespace's (the proxy
 * injector copies the namespace's onto a pod without its own: pkg/inject/inject.go ProxyAnnotations,
 * AppendNamespaceAnnotations, GetConfigOverride), lists it. The policy controller reads the pod's annotation
 * (policy-controller/k8s/index/src/inbound/workload.rs Settings::from_metadata, require_id_ports) and, for a port no
 * Server selects, makes the default policy authenticated-only there (index.rs default_inbound_server); a Server's
 * accessPolicy replaces it (the proxy itself does not read LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY).
 */
export function linkerdRequiresIdentity(podAnnotations: { readonly [k: string]: unknown } | undefined,
  namespaceAnnotations: { readonly [k: string]: unknown } | undefined, port: number | undefined): string | undefined {
  const own = podAnnotations?.[LINKERD_REQUIRE_IDENTITY_ANNOTATION];
  const given = own ?? namespaceAnnotations?.[LINKERD_REQUIRE_IDENTITY_ANNOTATION];
  // (an unquoted YAML number, which the API server refuses as an annotation, read as its text)
  const value = typeof given === 'number' ? String(given) : given;
  if (typeof value !== 'string' || port === undefined) return undefined;
  if (!(linkerdPortSet(value) ?? []).some(([a, b]) => port >= a && port <= b)) return undefined;
  return `${own !== undefined ? 'its pod template\'s' : 'the namespace\'s'} ${LINKERD_REQUIRE_IDENTITY_ANNOTATION}: ${JSON.stringify(value)}`;
}

/**
 * The pod port numbers a Server's `spec.port` selects on a pod (its pod spec): a number is that port; a name is each
 * TCP port of that name (exactly: a map lookup) among the pod's containers and init containers, as the policy
 * controller indexes a pod's named ports (policy-controller/k8s/index/src/inbound/workload.rs pod_tcp_ports_by_name,
 * named_tcp_port: a protocol other than TCP, case-insensitively, or a port outside 1-65535 is skipped) and selects a
 * Server's named port (index.rs select_ports: `port_names.get(name)`, every number of the name, or none), sorted.
 */
export function linkerdServerPodPorts(serverPort: unknown, podSpec: any): number[] {
  if (typeof serverPort === 'number') return [serverPort];
  if (typeof serverPort !== 'string') return [];
  const containers = [podSpec?.containers, podSpec?.initContainers].flatMap(list => (Array.isArray(list) ? list : []));
  const out = new Set<number>();
  for (const c of containers) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      if (p?.name !== serverPort || (typeof p.protocol === 'string' && p.protocol.toUpperCase() !== 'TCP')) continue;
      if (Number.isInteger(p.containerPort) && p.containerPort >= 1 && p.containerPort <= 65535) out.add(p.containerPort);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * A default policy on a port that requires identity: an `Allow` policy made `authenticated_only` (policy-controller/
 * k8s/index/src/inbound/index.rs default_inbound_server), so `all-unauthenticated` is `all-authenticated` and
 * `cluster-unauthenticated` `cluster-authenticated`; `deny` and `audit` are unchanged.
 */
export function linkerdAuthenticatedOnly(policy: string): string {
  return policy === 'all-unauthenticated' ? 'all-authenticated' : policy === 'cluster-unauthenticated' ? 'cluster-authenticated' : policy;
}
