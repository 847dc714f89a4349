import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as linkerd from '../../imports/linkerd';
import { Mesh } from '../../model/mesh';
import { ServiceProtocol, ServiceRef } from '../../model/service';
import { clusterOf, sameCluster } from '../../private/clusters';
import { addDroppedNote, markJoined } from '../../private/dropped';
import { meshError, show } from '../../private/errors';
import { namespaceObjectsInCluster, namespaceOfObject, renderedPodTemplates, userPath } from '../../private/k8s-objects';
import { isLinkerdPolicy, LINKERD_DEFAULT_POLICY_ANNOTATION, LINKERD_REQUIRE_IDENTITY_ANNOTATION as LINKERD_REQUIRE_IDENTITY, linkerdAuthenticatedOnly, linkerdPolicyMeet, linkerdRequiresIdentity } from '../../private/linkerd-policy';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { makerAnnotation } from '../enrolment';

const PROXY_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'HTTP/1',
  [ServiceProtocol.HTTP2]: 'HTTP/2',
  [ServiceProtocol.GRPC]: 'gRPC',
  [ServiceProtocol.TCP]: 'opaque',
};

/**
 * Whether Linkerd applies policy.linkerd.io HTTPRoutes (and the AuthorizationPolicies that target them) on the
 * Server of a port of this protocol: only for the HTTP proxy protocols. The policy controller sends a `gRPC`
 * Server's proxy its GRPCRoutes only, and an `opaque` one no routes at all (policy-controller/grpc/src/inbound.rs
 * to_server); without a route the proxy takes a default route with no authorizations of its own (index.rs
 * grpc_routes), so only the Server's AuthorizationPolicies apply there.
 */
export function linkerdRoutesHttp(protocol: ServiceProtocol): boolean {
  const proxyProtocol = PROXY_PROTOCOL[protocol];
  return proxyProtocol === 'HTTP/1' || proxyProtocol === 'HTTP/2';
}

/** The Server proxyProtocol the library writes for a port of this protocol. */
export function linkerdProxyProtocol(protocol: ServiceProtocol): string {
  return PROXY_PROTOCOL[protocol];
}

/** What a LinkerdServer selects, and for which service (LinkerdServer.selection). */
export interface ServerSelection {
  readonly namespace: string | undefined;
  readonly matchLabels: { readonly [k: string]: string };
  readonly port: number;
  readonly service: string;
  readonly protocol: ServiceProtocol;
  readonly proxyProtocol: string;
  /** Its accessPolicy, as rendered: the one a pattern set, else the selected pods' default (undefined when unknown). */
  readonly accessPolicy: string | undefined;
}

/** Why a Server admits more callers than its namespace's default (read by the analyzer's L121). */
export const ACCESS_POLICY_REASON = 'cdk8s-mesh.io/access-policy-reason';

/** A default inbound policy the app declares for a namespace, in a chart; `by` says who (for messages). */
interface NamespaceDefault {
  readonly chart: Chart;
  readonly policy: string;
  readonly by: string;
}

/** The default inbound policies constructs of an app write on a namespace (by app and namespace). */
const NAMESPACE_DEFAULTS = new WeakMap<object, Map<string, NamespaceDefault[]>>();

/** Linkerd's namespace (and pod) default inbound policy annotation (policy-controller: `config.linkerd.io/default-inbound-policy`). */
const DEFAULT_INBOUND_POLICY = LINKERD_DEFAULT_POLICY_ANNOTATION;

/** A pod template of the app (a workload's, or a bare Pod's metadata), as written at synthesis. */
interface AppPodTemplate {
  readonly what: string;
  readonly namespace: string | undefined;
  readonly chart: Chart;
  readonly labels: { readonly [k: string]: unknown };
  readonly annotations: { readonly [k: string]: unknown };
}

/** The pod templates of an app, read once per synthesis (appPodTemplates). */
const APP_POD_TEMPLATES = new WeakMap<IConstruct, AppPodTemplate[]>();

/**
 * The pod templates of the app's workloads (POD_TEMPLATE_PATHS), rendered once per synthesis rather than once per Server:
 * an app with a rate limit on each of 300 services and their 300 Deployments would render 180,000 workloads. Read
 * only at synthesis (the Servers' validation and rendering), when the tree is final; the list is dropped when the
 * next synthesis validates the app (a validation of the root, which cdk8s runs first: App.synth and Chart.toJson
 * validate the app's constructs in pre-order), so that objects added or changed between two syntheses are read.
 */
function appPodTemplates(root: IConstruct): AppPodTemplate[] {
  const known = APP_POD_TEMPLATES.get(root);
  if (known) return known;
  const out: AppPodTemplate[] = renderedPodTemplates(root).map(({ api, pod, chart }) => ({
    what: `${api.kind} ${api.name} [${userPath(api)}]`, namespace: namespaceOfObject(api), chart, labels: pod?.metadata?.labels ?? {}, annotations: pod?.metadata?.annotations ?? {},
  }));
  APP_POD_TEMPLATES.set(root, out);
  return out;
}

/** Drops an app's pod templates at the start of each synthesis (see appPodTemplates), registered once per app. */
const RESET_REGISTERED = new WeakSet<IConstruct>();
function resetPodTemplatesEachSynthesis(root: IConstruct): void {
  if (RESET_REGISTERED.has(root)) return;
  RESET_REGISTERED.add(root);
  root.node.addValidation({ validate: () => { APP_POD_TEMPLATES.delete(root); return []; } });
}

/** A workload of the app whose pods a Server selects, with the default inbound policy its pods run with. */
interface SelectedPods {
  readonly what: string;
  readonly policy: string;
  /** Where the policy comes from, for messages. */
  readonly from: string;
}

/**
 * The multicluster gateway's authorization of a Server (MultiClusterExport, gateway mode): its
 * MeshTLSAuthentication's name (also the AuthorizationPolicy's on the Server), where the export writes it,
 * and what its policies say.
 */
export interface GatewayAuthorization {
  /** The MultiClusterExport, which is warned of what every client of the gateway may then send. */
  readonly by: Construct;
  /** The consuming clusters, e.g. `us-west, ap-south`. */
  readonly consumers: string;
  /**
   * Who arrives with the gateway's identity, for the warnings: every meshed client that can reach the exporter's
   * multicluster gateway, which admits any meshed client (not only the consumers': their Links only decide where the
   * Service is mirrored), e.g. `every meshed client that can reach the multicluster gateway of eu-west (the Links
   * of us-west mirror payment)`.
   */
  readonly clients: string;
  readonly scope: Construct;
  readonly name: string;
  readonly namespace: string;
  readonly description: string;
  readonly droppedNote?: string;
}

/** A zero-trust inbound route of a Server, the construct its policies are written in, and the rules it carries. */
export interface ZeroTrustRoute {
  readonly where: Construct;
  readonly routeName: string;
  readonly rules: string[];
  /** A Gateway API GRPCRoute (on a gRPC Server); else a policy.linkerd.io HTTPRoute. */
  readonly kind?: 'GRPCRoute';
}

/** A rate limit of a Server with a per-caller limit (HTTPLocalRateLimitPolicy `identity`), for the gateway's warning. */
export interface PerCallerRateLimit {
  /** The construct of the rate limit (a ResilientService), warned. */
  readonly by: Construct;
  /** The HTTPLocalRateLimitPolicy's name. */
  readonly name: string;
  readonly total: number;
  readonly perCaller: number;
  /** Whether an override names the gateway's service account (linkerd-multicluster/linkerd-gateway). */
  readonly overridesGateway: boolean;
}

/** A warning from the construct a renderer renders for (a MeshConstruct), if it can warn. */
export function warnFrom(scope: Construct, message: string): void {
  const warn = (scope as unknown as { _warn?: (m: string) => void })._warn;
  if (typeof warn === 'function') warn.call(scope, message);
}

/**
 * The one Linkerd `Server` of a service's pod port in a chart. Linkerd ignores all but the oldest
 * of two Servers that select the same pod port, so every pattern that needs one (rate limits,
 * authorization) shares it; its access policy is the mesh's default inbound policy unless a
 * pattern sets it.
 */
export class LinkerdServer extends Construct {
  /** The Server of `service`'s target port in the chart of `scope`, created on first use. */
  public static of(scope: Construct, mesh: Mesh, service: ServiceRef, port?: number): LinkerdServer {
    const chart = Chart.of(scope);
    const namespace = service._namespaceFrom(scope);
    // the pod port by number: a Service's named targetPort is resolved through the selected pods' container ports
    // (ServiceRef.targetPort, which refuses synthesis if it was read here before the workloads were complete). A
    // Server port by name would select the same pods' ports (policy-controller/k8s/index/src/inbound/index.rs,
    // select_ports: the pod's container ports of that name), but the Server's name and the probe paths need the number.
    const podPort = port ?? service.targetPort;
    const id = `LinkerdServer-${namespace ?? ''}-${service.name}-${podPort}`;
    return (chart.node.tryFindChild(id) as LinkerdServer | undefined) ?? new LinkerdServer(chart, id, mesh, service, namespace, podPort);
  }

  /**
   * Records the default inbound policy a construct writes on a namespace (`config.linkerd.io/default-inbound-policy`),
   * so that the Servers other constructs of the app create there, in the same cluster, carry it.
   */
  public static setNamespaceDefault(scope: Construct, namespace: string, policy: string): void {
    const root = scope.node.root;
    if (!NAMESPACE_DEFAULTS.has(root)) NAMESPACE_DEFAULTS.set(root, new Map());
    const byNamespace = NAMESPACE_DEFAULTS.get(root)!;
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, []);
    byNamespace.get(namespace)!.push({ chart: Chart.of(scope), policy, by: `set by [${scope.node.path}]` });
  }

  /**
   * The default inbound policy the app declares for `namespace` in the cluster of the chart of `scope`, if any:
   * what a construct of the app writes there (a ZeroTrustNamespace: that chart's, else the first of a chart of the
   * same cluster; two different ones in one cluster are refused by the ZeroTrustNamespaces' enrolment), else the
   * user's own `config.linkerd.io/default-inbound-policy` on the app's Namespace objects of the namespace in that
   * cluster (that chart's, else the first in the tree's order; the enrolment, src/meshes/enrolment.ts findNamespace,
   * takes the tree's first of the cluster: the two differ only where two charts of one cluster have one). Read
   * at synthesis, when a MultiClusterExport has assigned the charts to clusters (src/private/clusters.ts): a
   * cluster's Servers do not take another cluster's default. A chart that no MultiClusterExport assigns is written
   * into every cluster: its Servers take the default the clusters that declare one agree on (`namespaceDefaultConflict`
   * refuses them when they differ).
   */
  public static namespaceDefault(scope: Construct, namespace: string | undefined): string | undefined {
    return LinkerdServer.declaredDefaults(scope, namespace).policy;
  }

  /**
   * The declared defaults of `namespace` where the Server of the chart of `scope` is written: the policy, and, for
   * a chart that no MultiClusterExport assigns (written into every cluster), two declarations of different values
   * in different clusters, if any.
   */
  private static declaredDefaults(scope: Construct, namespace: string | undefined): { policy?: string; conflict?: [NamespaceDefault, NamespaceDefault] } {
    if (namespace === undefined) return {};
    const chart = Chart.of(scope);
    const root = scope.node.root;
    const here = (d: NamespaceDefault) => sameCluster(d.chart, chart);
    const declared = (NAMESPACE_DEFAULTS.get(root)?.get(namespace) ?? []).filter(here);
    // the user's value on the app's Namespace objects of the namespace (a ZeroTrustNamespace's value on the same
    // object is refused when it differs: MeshNamespace.annotateNamespace)
    // (in the tree's order, without a walk of the app for each Server: namespaceObjectsInCluster)
    const users: NamespaceDefault[] = namespaceObjectsInCluster(scope, namespace, chart).flatMap(c => {
      const policy = makerAnnotation(c, DEFAULT_INBOUND_POLICY);
      return policy === undefined ? [] : [{ chart: Chart.of(c), policy, by: `set on the Namespace [${userPath(c)}] by its maker` }];
    });
    const pick = (list: NamespaceDefault[]) => list.find(d => d.chart === chart) ?? list[0];
    if (clusterOf(chart) !== undefined) return { policy: (pick(declared) ?? pick(users))?.policy };
    // written into every cluster: each cluster's declaration (the unassigned charts' apply to every cluster)
    const byCluster = new Map<string | undefined, NamespaceDefault>();
    for (const cluster of new Set([...declared, ...users].map(d => clusterOf(d.chart)))) {
      const inCluster = (d: NamespaceDefault) => clusterOf(d.chart) === cluster;
      byCluster.set(cluster, (pick(declared.filter(inCluster)) ?? pick(users.filter(inCluster)))!);
    }
    // (by cluster name, the unassigned charts' first: the same message whatever the creation order)
    const values = [...byCluster].sort(([a], [b]) => (a ?? '').localeCompare(b ?? '')).map(([, d]) => d);
    const other = values.find(d => d.policy !== values[0]?.policy);
    return { policy: values[0]?.policy, conflict: other ? [values[0], other] : undefined };
  }

  /** The Server's name, `<service>-<targetPort>`. */
  public readonly serverName: string;
  /** The Service whose port the Server is (for messages). */
  private readonly serviceName: string;
  private accessPolicy?: { value: string; by: string };
  private reasoned = false;
  private readonly undeclaredWarnings: { scope: Construct; message: string }[] = [];
  private gateway?: GatewayAuthorization;
  /**
   * The kind of routes the Server's proxy applies: HTTPRoutes (linkerdRoutesHttp), GRPCRoutes on a gRPC Server, none on
   * an opaque one (to_server); the gateway's policy follows the zero trust's routes of that kind, else stays on the Server.
   */
  private readonly routeKind?: 'HTTPRoute' | 'GRPCRoute';
  private gatewayWritten: Construct[] = [];
  private zeroTrustRoutes?: ZeroTrustRoute[];
  private zeroTrustRules?: string[];
  private gatewayWarned = false;
  private rateLimit?: PerCallerRateLimit;
  private remoteCallers?: { by: Construct; name: string; callers: string; consumers: string };
  /** What the Server selects (see `selection`). */
  private readonly selected: () => ServerSelection;

  private constructor(scope: Construct, id: string, mesh: Mesh, service: ServiceRef, namespace: string | undefined, port: number) {
    super(scope, id);
    this.serverName = `${service.name}-${port}`;
    this.serviceName = service.name;
    this.routeKind = linkerdRoutesHttp(service.protocol) ? 'HTTPRoute' : service.protocol === ServiceProtocol.GRPC ? 'GRPCRoute' : undefined;
    this.selected = () => ({
      namespace,
      matchLabels: service.selector,
      port,
      service: service.name,
      protocol: service.protocol,
      proxyProtocol: PROXY_PROTOCOL[service.protocol],
      // as rendered (without the rendering's warnings)
      accessPolicy: this.accessPolicy?.value ?? this.podDefault(mesh, namespace, service.selector, port, false).policy,
    });
    const server = new linkerd.Server(this, 'Resource', {
      metadata: objectMetadata(this.serverName, namespace),
      spec: Lazy.any({
        produce: (): linkerd.ServerSpec => {
          this.warnGatewayUnion(namespace);
          this.warnGatewayRateLimit(namespace);
          this.warnRemoteCallers(namespace);
          // unless a pattern decides, keep who may connect unchanged (a Server's own default is `deny`): the
          // default inbound policy the selected pods run with (podDefault: their own annotation, else the
          // namespace's when the app declares it, else the mesh's declared default). Pods that run with different
          // defaults are refused at validation; rendered without it, the narrowest of them, which widens no pod
          const accessPolicy = this.accessPolicy?.value ?? this.podDefault(mesh, namespace, service.selector, port).policy;
          this.warnGatewayWithoutRule(namespace, accessPolicy);
          return {
            podSelector: { matchLabels: sortKeys(service.selector) },
            port,
            proxyProtocol: PROXY_PROTOCOL[service.protocol],
            accessPolicy,
          };
        },
      }) as linkerd.ServerSpec,
    });
    markJoined(server);
    resetPodTemplatesEachSynthesis(this.node.root);
    // a chart that no MultiClusterExport assigns is written into every cluster, and one Server has one
    // accessPolicy: refused where the clusters declare different defaults (decided at synthesis, when the
    // clusters are final, so the same in every creation order)
    this.node.addValidation({
      validate: () => {
        if (this.accessPolicy) return [];
        const pods = this.podDefault(mesh, namespace, service.selector, port, false).disagree;
        if (pods) return [pods];
        const conflict = LinkerdServer.declaredDefaults(this, namespace).conflict;
        if (!conflict) return [];
        const where = (d: NamespaceDefault) => {
          const cluster = clusterOf(d.chart);
          return cluster !== undefined ? `${d.policy} in cluster ${cluster} (${d.by})` : `${d.policy} in chart [${d.chart.node.path}], which is written into every cluster too (${d.by})`;
        };
        return [`accessPolicy: Server ${this.serverName} of namespace ${namespace} is in chart [${Chart.of(this).node.path}], which no MultiClusterExport assigns to a cluster, so it is written into every cluster, `
          + `but the namespace's default inbound policy is ${where(conflict[0])} and ${where(conflict[1])}: its accessPolicy would be wider than the default in one cluster (Linkerd adds it to every route's authorizations: policy-controller inbound index, client_authzs) or shut the port in the other; `
          + 'create the pattern that needs the Server in each cluster\'s chart (each Server takes its cluster\'s default), or give the namespace the same default in every cluster (the same mtls phase)'];
      },
    });
  }

  /**
   * Adds a pattern's dropped-settings note, joined with the notes of the other patterns that use the Server
   * (addDroppedNote).
   */
  public addDroppedNote(note: string | undefined): void {
    addDroppedNote(ApiObject.of(this.node.defaultChild!), note);
  }

  /**
   * Asks that `scope` be warned, when the Server is written, if its access policy is then the mesh's
   * default and `Mesh.linkerd` declared none (so that it may be wider than the cluster's).
   */
  public warnIfUndeclaredDefault(scope: Construct, message: string): void {
    this.undeclaredWarnings.push({ scope, message });
  }

  /**
   * Authorizes the multicluster gateway's identity (MultiClusterExport, gateway mode) for the requests the
   * Server's zero trust allows to any caller: through the gateway every client has the gateway's identity,
   * so the union of the rules is the widest they may be given, and per-caller rules cannot be kept. Linkerd adds
   * a Server's authorizations to every route of the Server (policy-controller/k8s/index/src/inbound/index.rs:
   * client_authzs gives the Server's, http_routes/route_client_authzs each route's, and the proxy admits a
   * request a route's or the Server's authorizations allow): a policy on the Server would give every meshed client
   * that can reach the gateway every path and method, also those the zero trust's routes keep from every caller. So
   * the policy targets the Server only while the zero trust (if any) allows a caller every request (a rule
   * without methods and paths, or none written yet), else each of its routes that a rule of a caller carries.
   */
  public authorizeGateway(authz: GatewayAuthorization): void {
    this.gateway = authz;
    this.writeGateway();
  }

  /**
   * The zero trust's routes of the Server that carry a caller's rule, each time they are written, or
   * undefined when a rule allows every request (its policy is on the Server). The gateway's authorization
   * follows them (authorizeGateway).
   */
  public setZeroTrustRoutes(routes: ZeroTrustRoute[] | undefined): void {
    if (routes === undefined && this.zeroTrustRoutes === undefined) return;
    this.zeroTrustRoutes = routes;
    this.writeGateway();
  }

  /**
   * What the zero trust's rules of the Server allow, one entry per rule (`<rule> (<callers>): <methods> <paths>`),
   * for the gateway's warning (authorizeGateway).
   */
  public setZeroTrustRules(rules: string[]): void {
    this.zeroTrustRules = rules;
  }

  /**
   * Warns the export once, when the Server is written (its routes then final), that every client of the gateway may send
   * what any rule of the zero trust allows (the gateway's identity replaces theirs).
   */
  private warnGatewayUnion(namespace: string | undefined): void {
    const g = this.gateway;
    const rules = this.zeroTrustRules;
    if (!g || !rules?.length || this.gatewayWarned) return;
    this.gatewayWarned = true;
    const where = this.followsRoutes()
      ? `AuthorizationPolicies ${this.zeroTrustRoutes!.map(r => `${r.routeName}-from-multicluster-gateway`).join(', ')} (on the routes of these rules)`
      : `AuthorizationPolicy ${g.name} (on Server ${this.serverName}: every path and method, as a rule allows every request)`;
    warnFrom(g.by, `Server ${namespace ?? g.namespace}/${this.serverName}: ${g.clients} arrives with the gateway's identity `
      + `(linkerd-gateway.linkerd-multicluster), so the ZeroTrustNamespace's rules cannot be kept per caller for them: ${where} let each of them send what any rule allows: `
      + `${rules.join('; ')}. To keep remote callers to fewer requests, narrow these rules (each one opens its requests to every client of the gateway), or use linkerdRemoteDiscovery on a flat network, where callers keep their identities`);
  }

  /**
   * Warns the export once, when the Server is written, if the port admits no local caller (its access policy is
   * `deny` and the namespace's ZeroTrustNamespace has no rule for it) while the gateway's policy, on the Server, admits every
   * request of every client of the gateway: the zero trust then bounds nothing that comes through the gateway.
   */
  private warnGatewayWithoutRule(namespace: string | undefined, accessPolicy: string | undefined): void {
    const g = this.gateway;
    if (!g || this.zeroTrustRules?.length || accessPolicy !== 'deny' || this.gatewayWarned) return;
    // a ZeroTrustNamespace of the namespace in the Server's cluster (without one, the export warns of its absence)
    const chart = Chart.of(this);
    const zeroTrust = (NAMESPACE_DEFAULTS.get(this.node.root)?.get(namespace ?? g.namespace) ?? []).some(d => sameCluster(d.chart, chart));
    if (!zeroTrust) return;
    this.gatewayWarned = true;
    warnFrom(g.by, `Server ${namespace ?? g.namespace}/${this.serverName}: its access policy is deny and no ZeroTrustNamespace rule allows a caller of this port, so no caller `
      + `in its cluster may call it, but AuthorizationPolicy ${g.name} (on the Server: every path and method) lets ${g.clients} send any request `
      + '(they all arrive with the gateway\'s identity, linkerd-gateway.linkerd-multicluster). If that is meant, nothing is to do; to keep remote callers to '
      + `some requests, give the ZeroTrustNamespace rules for ${this.serviceName} with those methods and paths (the gateway is then authorized on their routes only)`);
  }

  /**
   * Records the export's Server-wide policy for named remote callers (MultiClusterExport, linkerdRemoteDiscovery):
   * `callers` as written in the warning.
   */
  public noteRemoteCallers(remote: { by: Construct; name: string; callers: string; consumers: string }): void {
    this.remoteCallers = remote;
  }

  /**
   * Warns the export once, when the Server is written, if its remote callers' policy (on the Server: every path
   * and method) is wider than every rule of the Server's zero trust (only rules with methods or paths).
   */
  private warnRemoteCallers(namespace: string | undefined): void {
    const r = this.remoteCallers;
    if (!r || !this.zeroTrustRoutes || !this.zeroTrustRules?.length) return;
    this.remoteCallers = undefined;
    warnFrom(r.by, `Server ${namespace ?? ''}/${this.serverName}: AuthorizationPolicy ${r.name} lets the remote callers ${r.callers} (of ${r.consumers}) send every path and method `
      + `(a policy on a Server applies to each of its routes), while the ZeroTrustNamespace's rules of the port allow only: ${this.zeroTrustRules.join('; ')}. `
      + 'To keep them to those rules, leave exports[].callers out and name them in these rules (with one trust domain their identities are the same)');
  }

  /** Records the Server's per-caller rate limit (LINKERD_RESILIENCE), for the gateway's warning. */
  public setPerCallerRateLimit(limit: PerCallerRateLimit): void {
    this.rateLimit = limit;
  }

  /**
   * Warns the rate limit once, when the Server is written, if its service is exported through the gateway and
   * its per-caller limit has no override for the gateway: the policy controller turns an override's clientRefs
   * into identities (policy-controller/k8s/index/src/inbound/index.rs client_ratelimit), and the proxy limits by
   * the client's identity, which through the gateway is the gateway's for every client of the gateway.
   */
  private warnGatewayRateLimit(namespace: string | undefined): void {
    const g = this.gateway;
    const rl = this.rateLimit;
    if (!g || !rl || rl.overridesGateway) return;
    this.rateLimit = undefined;
    warnFrom(rl.by, `HTTPLocalRateLimitPolicy ${namespace ?? g.namespace}/${rl.name}: the service is exported to ${g.consumers} through the Linkerd multicluster gateway, where ${g.clients} `
      + `arrives with the gateway's identity (linkerd-gateway.linkerd-multicluster): rateLimit.perCallerRequestsPerSecond (${rl.perCaller}) is then one limit for all of them together, `
      + `not ${rl.perCaller} per caller; give the gateway its own limit, what its clients may send together: rateLimit.overrides: [{ serviceAccounts: ['linkerd-multicluster/linkerd-gateway'], `
      + `requestsPerSecond: <at most ${rl.total}> }] (or use linkerdRemoteDiscovery on a flat network, where callers keep their identities)`);
  }

  private writeGateway(): void {
    const g = this.gateway;
    if (!g) return;
    // written again in full whenever the routes change (a route written again by the zero trust is a new construct)
    for (const c of this.gatewayWritten.splice(0)) c.node.scope?.node.tryRemoveChild(c.node.id);
    const write = (where: Construct, id: string, name: string, target: { group: string; kind: string; name: string }, description: string) => {
      const policy = new linkerd.AuthorizationPolicy(where, id, {
        metadata: objectMetadata(name, g.namespace, { annotations: { 'cdk8s-mesh.io/description': description } }),
        spec: {
          targetRef: { group: target.group, kind: target.kind, name: target.name },
          requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: g.name }],
        },
      });
      addDroppedNote(policy, g.droppedNote);
      this.gatewayWritten.push(policy);
    };
    // a gRPC Server's proxy applies GRPCRoutes only, an opaque one no route (to_server): a policy on a route of
    // another kind would admit nobody, so the gateway's stays on the Server then (defence in depth: the zero trust
    // writes no such routes)
    if (!this.followsRoutes()) {
      write(g.scope, `Authz-${g.name}`, g.name, { group: 'policy.linkerd.io', kind: 'Server', name: this.serverName }, g.description);
      return;
    }
    for (const r of this.zeroTrustRoutes!) {
      const target = r.kind === 'GRPCRoute' ? { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' } : { group: 'policy.linkerd.io', kind: 'HTTPRoute' };
      write(r.where, `Authz-${g.name}-${r.routeName}`, `${r.routeName}-from-multicluster-gateway`, { ...target, name: r.routeName },
        `${g.description}, on route ${r.routeName} only: the requests the ZeroTrustNamespace allows its callers there (${r.rules.join(', ')})`);
    }
  }

  /**
   * The default inbound policy of the pods the Server selects, which its accessPolicy keeps (Linkerd applies a
   * Server's accessPolicy to the pods it selects instead of their default: policy-controller/k8s/index/src/inbound/
   * index.rs, default_inbound_server is used only for a pod port no Server selects). A pod's default is its own
   * `config.linkerd.io/default-inbound-policy`, else its namespace's, else the cluster's (linkerdPodDefault):
   * here the pod templates of the app's workloads of the Server's namespace and cluster whose labels the
   * Service's selector matches, read at synthesis (defined in any order). Without such a workload, or when none
   * of them carries the annotation, the namespace's declared default, else the mesh's (as before).
   *
   * When the pods run with different defaults, one accessPolicy either opens some pods' port wider than their
   * own default or shuts callers another pod's admits: `disagree` says so (refused at validation: the pod
   * annotations are the user's to reconcile), and `policy` is the narrowest of them (linkerdPolicyMeet), so
   * that output rendered anyway never admits a caller that a selected pod's own default refuses.
   */
  private podDefault(mesh: Mesh, namespace: string | undefined, selector: { [k: string]: string }, port: number,
    warn = true): { policy: string | undefined; disagree?: string } {
    // the mesh's default, with the undeclared-default warning only where it is used, and only when rendering
    const cluster = () => (warn ? this.meshDefault(mesh) : mesh.linkerdInboundPolicy);
    const declared = LinkerdServer.namespaceDefault(this, namespace);
    const selected = this.selectedPods(namespace, selector);
    // a port listed in config.linkerd.io/proxy-require-identity-inbound-ports (the pod's, else its namespace's: the
    // user's annotation on the app's Namespace object) admits authenticated callers only by default
    // (linkerdRequiresIdentity: policy-controller inbound index.rs default_inbound_server): the Server keeps that too
    const nsAnnotations = this.namespaceAnnotations(namespace);
    const requires = (p: { annotations: { [k: string]: unknown } } | undefined) => linkerdRequiresIdentity(p?.annotations, nsAnnotations, port);
    if (!selected.some(p => p.annotations[DEFAULT_INBOUND_POLICY] !== undefined || requires(p))) {
      // (without a workload of the app that the Server selects, the namespace's list applies to the pods it selects)
      const policy = declared ?? cluster();
      return { policy: policy !== undefined && !selected.length && requires(undefined) ? linkerdAuthenticatedOnly(policy) : policy };
    }
    // as linkerdPodDefault: the pod's own, else the namespace's, else the cluster's; an own value Linkerd cannot
    // parse is ignored (workload.rs) and the injector copies nothing over it: the cluster's
    const pods: SelectedPods[] = selected.map(p => {
      const own = p.annotations[DEFAULT_INBOUND_POLICY];
      const pod: SelectedPods = isLinkerdPolicy(own) ? { what: p.what, policy: own, from: `its pod template's ${DEFAULT_INBOUND_POLICY}` }
        : own === undefined && declared !== undefined ? { what: p.what, policy: declared, from: 'the namespace\'s default' }
          : {
            what: p.what,
            policy: cluster() ?? 'all-unauthenticated',
            from: own === undefined ? 'the mesh\'s default inbound policy'
              : `the mesh's default inbound policy, as Linkerd ignores its pod template's ${DEFAULT_INBOUND_POLICY}: ${show(own)}`,
          };
      const why = requires(p);
      const narrowed = why ? linkerdAuthenticatedOnly(pod.policy) : pod.policy;
      return narrowed === pod.policy ? pod : { ...pod, policy: narrowed, from: `${pod.from}, authenticated callers only on port ${port} as ${why} lists it` };
    });
    const values = [...new Set(pods.map(p => p.policy))];
    if (values.length === 1) return { policy: values[0] };
    const meet = linkerdPolicyMeet(values);
    const list = pods.map(p => `${p.what} (${p.policy}: ${p.from})`).join(', ');
    return {
      policy: meet,
      disagree: `accessPolicy: Server ${this.serverName} of namespace ${namespace} selects the pods of ${list}, which run with different default inbound policies, `
        + `and one Server has one accessPolicy, which Linkerd applies to port ${port} of every pod it selects instead of the pod's own default (policy-controller inbound index: a pod port's default server only where no Server selects it, default_inbound_server): `
        + `${values.filter(v => v !== meet).join(' or ')} would open some of these pods wider than their own default, and ${meet} (the narrowest) would refuse callers the others admit; `
        + `give these pod templates the same ${DEFAULT_INBOUND_POLICY} annotation (or none), or select them with Services of their own`,
    };
  }

  /**
   * The annotations the user gives the app's Namespace object of `namespace` in the Server's cluster (that chart's,
   * else the first, as declaredDefaults finds them), if any: those the proxy injector copies onto pods without their own.
   */
  private namespaceAnnotations(namespace: string | undefined): { [k: string]: unknown } | undefined {
    if (namespace === undefined) return undefined;
    const chart = Chart.of(this);
    // (without a walk of the app for each Server: private/tree-index.ts)
    const objects = namespaceObjectsInCluster(this, namespace, chart);
    const ns = objects.find(c => Chart.of(c) === chart) ?? objects[0];
    if (!ns) return undefined;
    const value = makerAnnotation(ns, LINKERD_REQUIRE_IDENTITY);
    return value === undefined ? {} : { [LINKERD_REQUIRE_IDENTITY]: value };
  }

  /** The app's workloads of the Server's namespace and cluster whose pods `selector` (non-empty) selects, in the app's order. */
  private selectedPods(namespace: string | undefined, selector: { [k: string]: string }): { what: string; annotations: { [k: string]: unknown } }[] {
    if (!Object.keys(selector).length) return [];
    const chart = Chart.of(this);
    return appPodTemplates(this.node.root).filter(p => p.namespace === namespace && sameCluster(p.chart, chart)
      && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
  }

  /** Whether the gateway's authorization follows the zero trust's routes: they are set, and of the kind the proxy applies. */
  private followsRoutes(): boolean {
    return !!this.zeroTrustRoutes && this.routeKind !== undefined && this.zeroTrustRoutes.every(r => (r.kind ?? 'HTTPRoute') === this.routeKind);
  }

  private meshDefault(mesh: Mesh): string | undefined {
    if (!mesh._linkerdInboundPolicyDeclared) {
      for (const w of this.undeclaredWarnings.splice(0)) warnFrom(w.scope, w.message);
    }
    return mesh.linkerdInboundPolicy;
  }

  /**
   * The namespace, the pods (its `podSelector`'s matchLabels: the Service's selector, read now), the pod port and the
   * proxyProtocol of the Server, as written, without rendering it (its rendering warns): for the synthesis-time readers
   * of the app's Servers (the zero trust's uncovered gRPC probes).
   */
  public selection(): ServerSelection {
    return this.selected();
  }

  /**
   * Sets the access policy for requests that no AuthorizationPolicy allows; a `reason` (why the port is
   * open wider than its namespace) is written as an annotation, which the analyzer's L121 reads.
   */
  public setAccessPolicy(value: string, by: string, reason?: string): void {
    if (this.accessPolicy && this.accessPolicy.value !== value) {
      throw meshError(`[${by}] Server ${this.serverName}: accessPolicy: got ${show(value)}, but [${this.accessPolicy.by}] already set ${show(this.accessPolicy.value)}; one Server per pod port: make the two constructs agree`);
    }
    this.accessPolicy = this.accessPolicy ?? { value, by };
    if (reason && !this.reasoned) {
      this.reasoned = true;
      ApiObject.of(this.node.defaultChild!).metadata.addAnnotation(ACCESS_POLICY_REASON, reason);
    }
  }
}
