import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { LINKERD_ENROLMENT } from './enrolment';
import { LinkerdServer, linkerdProxyProtocol, linkerdRoutesHttp, warnFrom, ZeroTrustRoute } from './server';
import * as gatewayApi from '../../imports/gateway-api';
import * as linkerd from '../../imports/linkerd';
import { Identity, IdentityKind } from '../../model/identity';
import { HttpMethod, MatchType } from '../../model/matches';
import { LinkerdInboundPolicy, LinkerdRouteApi, Mesh } from '../../model/mesh';
import { ServiceProtocol, ServiceRef } from '../../model/service';
import type { Unsupported } from '../../model/unsupported';
import { ACCESS_RULES_KEEP, RuleIntent, ZeroTrustIntent } from '../../patterns/zero-trust/intent';
import { MtlsPhase } from '../../patterns/zero-trust/props';
import { clusterRelationFinal, redecideWhenClustersAssigned, sameCluster } from '../../private/clusters';
import { show } from '../../private/errors';
import { manifestOf, namespaceOfObject, RenderedPodTemplate, renderedPodTemplates, renderPodTemplates, userPath } from '../../private/k8s-objects';
import { isLinkerdPolicy, LINKERD_DEFAULT_POLICY_ANNOTATION as DEFAULT_INBOUND_POLICY, linkerdServerPodPorts } from '../../private/linkerd-policy';
import { MANAGED_BY, objectMetadata } from '../../private/metadata';
import { labelSelectorMatches } from '../../private/pod-spec';
import { perSynthesis } from '../../private/synthesis';
import { appObjectsOfKinds } from '../../private/tree-index';
import { MeshNamespace } from '../enrolment';
import { RenderContext, ZeroTrustRenderer } from '../renderer';
import { MeshTlsAuthentication, PolicyHttpRoute } from '../unconverted';

const POLICY = 'policy.linkerd.io';
const GATEWAY_API = 'gateway.networking.k8s.io';

function identityRef(id: Identity): linkerd.MeshTlsAuthenticationSpecIdentityRefs {
  return id.kind === IdentityKind.NAMESPACE
    ? { kind: 'Namespace', name: id.name }
    : { kind: 'ServiceAccount', name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}) };
}

/** An authentication object of a rule, and the suffix its policies' names take. */
interface Authn {
  readonly kind: string;
  readonly name: string;
  readonly suffix: string;
}

/** The authentications of a rule's callers (a MeshTLSAuthentication, a NetworkAuthentication), made once per rule. */
function authentications(scope: Construct, r: RuleIntent, ns: string): Authn[] {
  const meshed = r.from.filter(f => f.kind !== IdentityKind.NETWORK);
  const networks = r.from.filter(f => f.kind === IdentityKind.NETWORK);
  const annotations = { 'cdk8s-mesh.io/rule': r.name };
  const out: Authn[] = [];
  if (meshed.length) {
    new MeshTlsAuthentication(scope, `MeshTLS-${r.name}`, {
      metadata: objectMetadata(r.name, ns, { annotations }),
      spec: { identityRefs: meshed.map(identityRef) },
    });
    out.push({ kind: 'MeshTLSAuthentication', name: r.name, suffix: '' });
  }
  if (networks.length) {
    const name = meshed.length ? `${r.name}-network` : r.name;
    new linkerd.NetworkAuthentication(scope, `Network-${r.name}`, {
      metadata: objectMetadata(name, ns, { annotations }),
      spec: { networks: networks.map(n => ({ cidr: n.name })) },
    });
    out.push({ kind: 'NetworkAuthentication', name, suffix: meshed.length ? '-network' : '' });
  }
  return out;
}

/**
 * Linkerd ANDs the authentications of one AuthorizationPolicy: one policy per kind of caller, so that
 * they OR. `policyName` is the rule's name on its own route or Server, `<route>-<rule>` on a shared route.
 */
function authorize(scope: Construct, r: RuleIntent, ns: string, auths: Authn[], target: { group?: string; kind: string; name: string }, policyName: string) {
  for (const a of auths) {
    const name = `${policyName}${a.suffix}`;
    new linkerd.AuthorizationPolicy(scope, `Authz${a.kind === 'NetworkAuthentication' ? 'Network' : ''}-${policyName}`, {
      metadata: objectMetadata(name, ns, { annotations: { 'cdk8s-mesh.io/rule': r.name } }),
      spec: {
        targetRef: { group: target.group ?? POLICY, kind: target.kind, name: target.name },
        requiredAuthenticationRefs: [{ group: POLICY, kind: a.kind, name: a.name }],
      },
    });
  }
}

/** One request shape of a route: a path (exact or prefix) and, optionally, a method. */
interface Cell {
  readonly path: { type: MatchType; value: string };
  readonly method?: string;
}

/** Whether every request matching path `b` also matches path `a` (Gateway API path matching). */
function pathCovers(a: Cell['path'], b: Cell['path']): boolean {
  if (a.type === MatchType.EXACT) return b.type === MatchType.EXACT && b.value === a.value;
  return a.value === '/' || b.value === a.value || b.value.startsWith(a.value.endsWith('/') ? a.value : `${a.value}/`);
}

function covers(a: Cell, b: Cell): boolean {
  return pathCovers(a.path, b.path) && (a.method === undefined || a.method === b.method);
}

function intersect(a: Cell, b: Cell): Cell | undefined {
  const path = pathCovers(a.path, b.path) ? b.path : pathCovers(b.path, a.path) ? a.path : undefined;
  if (!path || (a.method !== undefined && b.method !== undefined && a.method !== b.method)) return undefined;
  return { path, method: a.method ?? b.method };
}

function cellsOf(r: RuleIntent): Cell[] {
  const paths = (r.paths ?? [{ type: MatchType.PREFIX, value: '/' }]).map(p => ({ type: p.type === MatchType.EXACT ? MatchType.EXACT : MatchType.PREFIX, value: p.value }));
  return paths.flatMap(path => r.methods ? r.methods.map(m => ({ path, method: m as string })) : [{ path }]);
}

function cellMatch(c: Cell): linkerd.HttpRouteSpecRulesMatches {
  const type = c.path.type === MatchType.EXACT ? linkerd.HttpRouteSpecRulesMatchesPathType.EXACT : linkerd.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX;
  return { path: { type, value: c.path.value }, ...(c.method ? { method: c.method as linkerd.HttpRouteSpecRulesMatchesMethod } : {}) };
}

/** How the request shapes of one kind of route (HTTP paths and methods, gRPC services and methods) combine. */
interface CellOps<C> {
  /** The request shapes a rule allows. */
  cells(r: RuleIntent): C[];
  key(c: C): string;
  /** Whether every request of `b` is one of `a`. */
  covers(a: C, b: C): boolean;
  /** The requests of both, or undefined when none is. */
  intersect(a: C, b: C): C | undefined;
}

const HTTP_CELLS: CellOps<Cell> = {
  cells: cellsOf,
  key: c => `${c.path.type}|${c.path.value}|${c.method ?? '*'}`,
  covers,
  intersect,
};

/** One request shape of a GRPCRoute: a gRPC service and, optionally, one of its methods. */
interface GrpcCell {
  readonly service: string;
  readonly method?: string;
}

/** gRPC method matches (Exact): a service match covers each of its methods (Gateway API GRPCMethodMatch). */
const GRPC_CELLS: CellOps<GrpcCell> = {
  cells: r => r.grpcMethods ?? [],
  key: c => `${c.service}/${c.method ?? '*'}`,
  covers: (a, b) => a.service === b.service && (a.method === undefined || a.method === b.method),
  intersect: (a, b) => (a.service !== b.service || (a.method !== undefined && b.method !== undefined && a.method !== b.method)
    ? undefined : { service: a.service, method: a.method ?? b.method }),
};

/**
 * The inbound routes of a Server's scoped rules. Linkerd authorizes a request on the one route that
 * it selects (Gateway API precedence: the most specific path, then a method; for gRPC the longest matching
 * service, then method), so where rules overlap, the request's route must carry every rule that allows it:
 * the routes are the rules' request shapes and their intersections, grouped by the rules that cover them.
 * A rule that overlaps no other keeps one route of its own, named after it.
 */
function inboundRoutes<C>(rules: RuleIntent[], ops: CellOps<C>): { name?: string; rules: RuleIntent[]; cells: C[] }[] {
  const ruleCells = new Map(rules.map(r => [r, ops.cells(r)]));
  const atoms = [...ruleCells.values()].flat();
  const cells = new Map<string, C>();
  for (const a of atoms) cells.set(ops.key(a), a);
  for (let i = 0; i < atoms.length; i++) {
    for (let j = i + 1; j < atoms.length; j++) {
      const c = ops.intersect(atoms[i], atoms[j]);
      if (c && !cells.has(ops.key(c))) cells.set(ops.key(c), c);
    }
  }
  const groups = new Map<string, { rules: RuleIntent[]; cells: C[] }>();
  for (const c of cells.values()) {
    const by = rules.filter(r => ruleCells.get(r)!.some(a => ops.covers(a, c)));
    const k = by.map(r => r.name).join(',');
    if (!groups.has(k)) groups.set(k, { rules: by, cells: [] });
    groups.get(k)!.cells.push(c);
  }
  return [...groups.values()].map(g => ({ ...g, name: g.rules.length === 1 ? g.rules[0].name : undefined }));
}

/**
 * Whether a rule needs routes of its own: it names methods, or paths that do not cover every request. A
 * rule for every path (`PathMatch.prefix('/')`) without methods is server-wide: as a route it would tie
 * with the catch-all route and lose Gateway API's name tiebreak, denying every request.
 */
function isScoped(r: RuleIntent): boolean {
  if (r.methods || r.grpcMethods) return true;
  if (!r.paths) return false;
  return !r.paths.some(p => p.type === MatchType.PREFIX && p.value === '/');
}

/**
 * The grpcMethods a rule's paths name, for the refusal of methods and paths on a gRPC port: `/<service>/<method>`
 * (exact or prefix) is that method, a prefix `/<service>` every method of the service; any other path (an exact
 * `/<service>` is no gRPC request) gets a placeholder.
 */
function grpcSuggestion(r: RuleIntent): string {
  const out = new Set<string>();
  for (const p of r.paths ?? []) {
    const m = /^\/([A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)(?:\/([A-Za-z_][A-Za-z_0-9]*))?\/?$/.exec(p.value);
    if (m && m[2]) out.add(`GrpcMethodMatch.method('${m[1]}', '${m[2]}')`);
    else if (m && !m[2] && p.type === MatchType.PREFIX) out.add(`GrpcMethodMatch.service('${m[1]}')`);
    else out.add("GrpcMethodMatch.method('<package.Service>', '<Method>')");
  }
  return out.size ? [...out].join(', ') : "GrpcMethodMatch.method('<package.Service>', '<Method>')";
}

/** The kinds whose pod templates carry probes. */
const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'];

/**
 * The paths of the httpGet probes on `to`'s target port of the workloads `pods` (the app's defined so far, of
 * the Server's cluster) whose pods `to`'s selector selects in `ns`, sorted; undefined when no such workload is found.
 * A workload whose pods have no proxy (injected) or whose skip-inbound-ports lists the port (skipsInbound) is not
 * counted: its probes reach the app without the proxy, so no route is needed for them and their paths are not opened;
 * a workload with a proxy defined later is then still warned of (warnNoProbes, which skips the proxy-less ones).
 */
function probePaths(pods: WorkloadPod[], ns: string, to: ServiceRef): string[] | undefined {
  let found = false;
  const paths = new Set<string>();
  for (const { namespace, pod } of pods) {
    if (namespace !== ns) continue;
    if (!selectsPod(to, pod)) continue;
    if (!injected(pod) || skipsInbound(pod, to.targetPort)) continue;
    found = true;
    for (const ct of pod?.spec?.containers ?? []) {
      for (const probe of [ct.livenessProbe, ct.readinessProbe, ct.startupProbe]) {
        const get = probe?.httpGet;
        if (!get) continue;
        const port = typeof get.port === 'string' ? (ct.ports ?? []).find((p: any) => p.name === get.port)?.containerPort : get.port;
        if (port === to.targetPort) paths.add(get.path ?? '/');
      }
    }
  }
  return found ? [...paths].sort() : undefined;
}

/** Whether a Service's selector selects a pod template (by its labels). */
function selectsPod(to: ServiceRef, pod: any): boolean {
  return labelSelectorMatches({ matchLabels: to.selector }, pod?.metadata?.labels ?? {});
}

interface WorkloadPod {
  readonly namespace: string | undefined;
  readonly pod: any;
  /** The chart whose output the workload is (a MultiClusterExport may make it another cluster's). */
  readonly chart: Chart;
}

/**
 * The app's workloads with their pod templates, rendered once per synthesis for the synthesis-time warnings of every
 * ZeroTrustNamespace (own pod defaults, probes, uncovered gRPC probes), which read them and change nothing.
 */
function workloadsAtSynthesis(scope: Construct): RenderedPodTemplate[] {
  return perSynthesis(scope, 'linkerd-zero-trust:workloads', () => renderedPodTemplates(scope.node.root, WORKLOADS));
}

/**
 * A Linkerd Server of the app: where it is, the pods and the pod port it selects (a number, or a container port's name),
 * its proxyProtocol, how messages name it, and how to change its proxyProtocol.
 */
interface AppServer {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly chart: Chart;
  readonly podSelector: unknown;
  /** Its own labels (metadata.labels), which a ServerAuthorization's server.selector selects. */
  readonly labels: { [k: string]: string };
  readonly port: unknown;
  readonly proxyProtocol: unknown;
  readonly accessPolicy: unknown;
  readonly what: string;
  readonly fixProtocol: string;
  /** How to admit the kubelet's probes on it. */
  readonly fixAdmit: string;
}

/**
 * The app's Linkerd Servers (policy.linkerd.io), read once per synthesis for the uncovered-gRPC-probe warnings of every
 * ZeroTrustNamespace: the library's (LinkerdServer: a zero trust's, a rate limit's, a multicluster export's) as they
 * select, without rendering them (their rendering warns); any other (a hand-written ApiObject, an imported L1, the
 * proxy-admin Server of allowScrapes) as rendered now; one that cannot be rendered yet is left out.
 */
function serversAtSynthesis(scope: Construct): AppServer[] {
  return policyObjectsAtSynthesis(scope).servers;
}

/** A hand-written Linkerd authorization of the app (appAuthorizations). */
interface AppAuthorization {
  readonly namespace: string | undefined;
  readonly chart: Chart;
  /** Whether it may admit a client without a mesh identity on a Server of its namespace. */
  readonly admits: (server: AppServer) => boolean;
}

/** The app's Servers and hand-written authorizations, from one walk of its tree per synthesis. */
function policyObjectsAtSynthesis(scope: Construct): { servers: AppServer[]; authorizations: AppAuthorization[] } {
  return perSynthesis(scope, 'linkerd-zero-trust:policy-objects', () => {
    const servers: AppServer[] = [];
    const authorizations: AppAuthorization[] = [];
    for (const c of scope.node.root.node.findAll()) {
      if (c instanceof LinkerdServer) {
        const { namespace, matchLabels, port, service, protocol, proxyProtocol, accessPolicy } = c.selection();
        // (its Server object's labels, read without rendering its spec)
        const resource = c.node.tryFindChild('Resource');
        servers.push({
          name: c.serverName,
          namespace,
          chart: Chart.of(c),
          podSelector: { matchLabels },
          labels: ApiObject.isApiObject(resource) ? resource.metadata.toJson().labels ?? {} : {},
          port,
          proxyProtocol,
          accessPolicy,
          what: `the library's Server ${namespace ?? ''}/${c.serverName} of service ${service} (protocol ${protocol}, proxyProtocol ${proxyProtocol}, accessPolicy ${accessPolicy})`,
          fixProtocol: `declare that service's protocol ServiceProtocol.GRPC (ServiceRef.fromName('${service}', { ..., protocol: ServiceProtocol.GRPC }))`,
          fixAdmit: `a ZeroTrustNamespace rule to ${service} from Identity.network('<CIDR>'), with its mtlsExceptions entry`,
        });
        continue;
      }
      if (!ApiObject.isApiObject(c) || !c.apiVersion.startsWith(`${POLICY}/`)) continue;
      if (c.kind === 'AuthorizationPolicy' || c.kind === 'ServerAuthorization') {
        const authorization = handWrittenAuthorization(c);
        if (authorization) authorizations.push(authorization);
        continue;
      }
      if (c.kind !== 'Server' || c.node.scope instanceof LinkerdServer) continue;
      const manifest = manifestOf(c);
      if (!manifest) continue;
      const namespace = namespaceOfObject(c);
      servers.push({
        name: c.name,
        namespace,
        chart: Chart.of(c),
        podSelector: manifest.spec?.podSelector,
        labels: manifest.metadata?.labels ?? {},
        port: manifest.spec?.port,
        proxyProtocol: manifest.spec?.proxyProtocol,
        accessPolicy: manifest.spec?.accessPolicy,
        what: `Server ${namespace ?? ''}/${c.name} [${userPath(c)}] (proxyProtocol ${String(manifest.spec?.proxyProtocol)}, accessPolicy ${manifest.spec?.accessPolicy === undefined ? 'deny, the CRD\'s default' : String(manifest.spec.accessPolicy)})`,
        fixProtocol: 'set that Server\'s proxyProtocol to gRPC (or HTTP/2)',
        fixAdmit: `an AuthorizationPolicy targeting Server ${c.name} whose requiredAuthenticationRefs name only a NetworkAuthentication (a MeshTLSAuthentication there too would require an identity)`,
      });
    }
    return { servers, authorizations };
  });
}

/**
 * Access policies under which a Server admits a client without a mesh identity, the kubelet's probes (policy-controller
 * k8s/index/src/defaults.rs default_authzs; cluster-unauthenticated: from clusterNetworks, whose default holds the
 * private ranges the nodes' addresses are usually in).
 */
const ADMITS_UNAUTHENTICATED = ['all-unauthenticated', 'cluster-unauthenticated', 'audit'];

/**
 * The hand-written Linkerd AuthorizationPolicies and ServerAuthorizations of the app (policy.linkerd.io; those the
 * library writes, labelled managed-by cdk8s-mesh, are for its own Servers and routes), read once per synthesis, each
 * with whether it may admit a client without a mesh identity (the kubelet) on a Server of its namespace by name: an
 * AuthorizationPolicy on the Server or the namespace whose requiredAuthenticationRefs name no MeshTLSAuthentication or
 * ServiceAccount (a NetworkAuthentication, whose networks are not read further, or nothing: policy-controller inbound
 * index.rs policy_client_authz), or a ServerAuthorization of the Server (by name, or by a selector of the Server's own labels)
 * with client.unauthenticated.
 */
function appAuthorizations(scope: Construct): AppAuthorization[] {
  return policyObjectsAtSynthesis(scope).authorizations;
}

/** A policy.linkerd.io AuthorizationPolicy or ServerAuthorization as appAuthorizations reads it; undefined for the library's own. */
function handWrittenAuthorization(c: ApiObject): AppAuthorization | undefined {
  if (c.metadata.getLabel('app.kubernetes.io/managed-by') === MANAGED_BY['app.kubernetes.io/managed-by']) return undefined;
  const spec = manifestOf(c)?.spec ?? {};
  const admits = c.kind === 'ServerAuthorization'
    // server.selector selects Servers by their own labels (policy-controller k8s/index/src/inbound/server_authorization.rs
    // ServerSelector::selects: selector.matches(&server.labels); an empty selector selects every Server)
    ? (server: AppServer) => spec.client?.unauthenticated === true
      && (spec.server?.name === server.name || (spec.server?.selector !== undefined && labelSelectorMatches(spec.server.selector, server.labels)))
    : (server: AppServer) => (spec.targetRef?.kind === 'Namespace' || (spec.targetRef?.kind === 'Server' && spec.targetRef?.name === server.name))
      && !(Array.isArray(spec.requiredAuthenticationRefs) ? spec.requiredAuthenticationRefs : [])
        .some((r: any) => r?.kind === 'MeshTLSAuthentication' || r?.kind === 'ServiceAccount');
  return { namespace: namespaceOfObject(c), chart: Chart.of(c), admits };
}

/**
 * The pod templates of the workloads of the app defined so far, read once per ZeroTrustNamespace (not once
 * per Server: its workloads are rendered once), in no particular order (probePaths sorts what it reads); the
 * workloads are found without a walk of the app per ZeroTrustNamespace (private/tree-index.ts).
 */
function workloadPods(scope: Construct): WorkloadPod[] {
  return renderPodTemplates(appObjectsOfKinds(scope, WORKLOADS), WORKLOADS)
    .map(({ manifest, pod, chart }) => ({ namespace: manifest.metadata?.namespace ?? chart.namespace, pod, chart }));
}

/**
 * The matches of one GRPCRoute rule, at most: 8, the rules[].matches maxItems of the Gateway API v1.1.1 CRDs that
 * linkerd-crds installs with installGatewayAPI (the pinned v1.6 allows 64): valid on both; with the route's
 * at most 128 matches in all, at most 16 rules, v1.1.1's rules maxItems.
 */
const GRPC_MATCHES_PER_RULE = 8;
/**
 * The matches of one GRPCRoute, at most: the GRPCRoute CRD's CEL rule on spec.rules sums the rules' matches and
 * requires `... <= 128` (its message says "less than 128", but the rule, which the API server evaluates, admits
 * 128). 128 is also 16 rules of 8 matches, the most Linkerd's bundled v1.1.1 CRD holds (it has no such CEL rule).
 */
const GRPC_MATCHES_PER_ROUTE = 128;

/**
 * The GRPCRoutes of a gRPC Server's rules with grpcMethods (Gateway API GRPCRoute v1, parentRef the Server: the
 * policy controller indexes those, policy-controller/k8s/index/src/inbound/routes.rs from_grpc_parent_ref), each
 * with the AuthorizationPolicies of its rules (targetRef kind GRPCRoute of gateway.networking.k8s.io,
 * authorization_policy.rs target), and a catch-all route: once a Server has GRPCRoutes, a request that matches
 * none is refused (index.rs grpc_routes adds the default route only to a Server without any), so the catch-all
 * (a rule without matches matches every request) keeps the server-wide rules and the access policy working for
 * every other method. `callerRoutes`: whether the multicluster gateway's authorization follows the routes.
 */
function writeGrpcRoutes(scope: Construct, ns: string, name: string, server: LinkerdServer, scoped: RuleIntent[], auths: Map<string, Authn[]>,
  callerRoutes: boolean) {
  const parentRefs = [{ group: POLICY, kind: 'Server', name: server.serverName }];
  new gatewayApi.GrpcRoute(scope, `Route-${name}-default`, { metadata: objectMetadata(`${name}-default`, ns), spec: { parentRefs, rules: [{}] } });
  let shared = 0;
  const routes: ZeroTrustRoute[] = [];
  for (const route of inboundRoutes(scoped, GRPC_CELLS)) {
    const routeName = route.name ?? `${name}-shared-${++shared}`;
    routes.push({ where: scope, routeName, rules: route.rules.map(r => r.name), kind: 'GRPCRoute' });
    const exact = gatewayApi.GrpcRouteSpecRulesMatchesMethodType.EXACT;
    const matches = route.cells.map(c => ({ method: { type: exact, service: c.service, ...(c.method ? { method: c.method } : {}) } }));
    // a GRPCRoute rule holds at most 8 matches here (GRPC_MATCHES_PER_RULE; a route's rules together at most 128)
    const rules = [];
    for (let i = 0; i < matches.length; i += GRPC_MATCHES_PER_RULE) rules.push({ matches: matches.slice(i, i + GRPC_MATCHES_PER_RULE) });
    new gatewayApi.GrpcRoute(scope, `Route-${routeName}`, {
      metadata: objectMetadata(routeName, ns, { annotations: { [route.name ? 'cdk8s-mesh.io/rule' : 'cdk8s-mesh.io/rules']: route.rules.map(r => r.name).join(',') } }),
      spec: { parentRefs, rules },
    });
    for (const r of route.rules) {
      authorize(scope, r, ns, auths.get(r.name)!, { group: GATEWAY_API, kind: 'GRPCRoute', name: routeName }, route.name ? r.name : `${routeName}-${r.name}`);
    }
  }
  if (callerRoutes) server.setZeroTrustRoutes(routes);
}

/** Linkerd viz's namespace and the service account of its Prometheus (the `linkerd-viz` chart). */
const VIZ_NAMESPACE = 'linkerd-viz';

/**
 * Under a `deny` default, Prometheus can no longer scrape the proxies' admin port (and, once that port has
 * a route, the kubelet no longer reaches the proxy's /live and /ready): what `linkerd viz allow-scrapes`
 * writes (viz/cmd/allow-scrapes.go), with the kubelet's NetworkAuthentication in the namespace itself
 * (as the viz chart's own, viz/charts/linkerd-viz/templates/admin-policy.yaml) rather than in linkerd-viz.
 */
function allowScrapes(scope: Construct, ns: string, mesh: Mesh): void {
  const serverRef = { group: POLICY, kind: 'Server', name: 'proxy-admin' };
  const prefix = linkerd.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX;
  new linkerd.Server(scope, 'ProxyAdminServer', {
    metadata: objectMetadata('proxy-admin', ns),
    spec: {
      podSelector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: linkerd.ServerSpecPodSelectorMatchExpressionsOperator.EXISTS }] },
      port: 'linkerd-admin',
      proxyProtocol: 'HTTP/1',
    },
  });
  new PolicyHttpRoute(scope, 'ProxyMetricsRoute', {
    metadata: objectMetadata('proxy-metrics', ns),
    spec: { parentRefs: [serverRef], rules: [{ matches: [{ path: { type: prefix, value: '/metrics' } }] }] },
  });
  new PolicyHttpRoute(scope, 'ProxyProbesRoute', {
    metadata: objectMetadata('proxy-probes', ns),
    spec: { parentRefs: [serverRef], rules: [{ matches: [{ path: { type: prefix, value: '/live' } }, { path: { type: prefix, value: '/ready' } }] }] },
  });
  new linkerd.NetworkAuthentication(scope, 'KubeletNetwork', {
    metadata: objectMetadata('kubelet', ns),
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
  new linkerd.AuthorizationPolicy(scope, 'PrometheusScrape', {
    metadata: objectMetadata('prometheus-scrape', ns),
    spec: {
      targetRef: { group: POLICY, kind: 'HTTPRoute', name: 'proxy-metrics' },
      requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: VIZ_NAMESPACE }],
    },
  });
  // the Prometheus that evaluates the canary alerts (Mesh.linkerd prometheus): a policy of its own, as one
  // AuthorizationPolicy admits at most one ServiceAccount (policy-controller inbound index: "policy must
  // not include multiple ServiceAccounts")
  const prom = mesh.linkerdPrometheus;
  if (prom && !(prom.namespace === VIZ_NAMESPACE && prom.serviceAccount === 'prometheus')) {
    new linkerd.AuthorizationPolicy(scope, 'PrometheusScrapeOperator', {
      metadata: objectMetadata('prometheus-scrape-operator', ns),
      spec: {
        targetRef: { group: POLICY, kind: 'HTTPRoute', name: 'proxy-metrics' },
        requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: prom.serviceAccount, namespace: prom.namespace }],
      },
    });
  }
  new linkerd.AuthorizationPolicy(scope, 'ProxyProbes', {
    metadata: objectMetadata('proxy-probes', ns),
    spec: {
      targetRef: { group: POLICY, kind: 'HTTPRoute', name: 'proxy-probes' },
      requiredAuthenticationRefs: [{ group: POLICY, kind: 'NetworkAuthentication', name: 'kubelet' }],
    },
  });
}

/**
 * Whether the proxy injector gives the pods of a template a proxy, in a namespace whose linkerd.io/inject is enabled
 * (the zero trust's, enrolled): no proxy, no inbound policy. The webhook injects no pod whose own linkerd.io/inject is
 * disabled (it wins over the namespace's enabled) or not a value it knows (pkg/inject/report.go disabledByAnnotation,
 * isInjectAnnotationValid), nor a pod on the host's network.
 */
function injected(pod: any): boolean {
  const inject = pod?.metadata?.annotations?.['linkerd.io/inject'];
  // nor a pod on the host's network (report.go: HostNetwork, "hostNetwork is enabled")
  if (pod?.spec?.hostNetwork === true) return false;
  return inject === undefined || inject === '' || inject === 'enabled' || inject === 'ingress';
}

/**
 * Whether a pod's `config.linkerd.io/skip-inbound-ports` lists `port`: proxy-init does not redirect it to the proxy
 * (the injector passes the annotation to proxy-init's --inbound-ports-to-ignore: pkg/inject/inject.go, charts/partials
 * _proxy-init.tpl), so the proxy's inbound policy does not apply to it. Parsed as Linkerd's destination controller
 * reads the same annotation (controller/api/destination/server.go getPodSkippedInboundPortsAnnotations, pkg/util
 * ParsePorts: comma-separated, trimmed, a trailing comma dropped; a port or a range `<lower>-<upper>` of whole numbers
 * from 0 to 65535, lower <= upper: ParsePortRange, strconv.Atoi; other entries, named ports among them, are skipped).
 */
function skipsInbound(pod: any, port: number): boolean {
  const value = pod?.metadata?.annotations?.['config.linkerd.io/skip-inbound-ports'];
  if (typeof value !== 'string' || value === '') return false;
  const bound = (b: string) => (/^[+-]?\d+$/.test(b) && Number(b) >= 0 && Number(b) <= 65535 ? Number(b) : undefined);
  return value.replace(/,$/, '').split(',').some(entry => {
    const bounds = entry.trim().split('-');
    if (bounds.length > 2) return false;
    const lower = bound(bounds[0]);
    const upper = bound(bounds[bounds.length - 1]);
    return lower !== undefined && upper !== undefined && lower <= upper && lower <= port && port <= upper;
  });
}

/**
 * Warns, at synthesis (the workloads then final, defined in any order), of each workload of the namespace, in the
 * zero trust's cluster, whose pod template carries its own `config.linkerd.io/default-inbound-policy` other than
 * `deny`: the pod's own annotation comes before the namespace's (the proxy injector copies the namespace's only onto
 * pods without one: pkg/inject/inject.go AppendNamespaceAnnotations, GetConfigOverride; the policy controller reads
 * the pod's: policy-controller/k8s/index/src/inbound/workload.rs Settings::from_metadata, index.rs
 * default_inbound_server), so the pods keep that default on every port no Server selects, and a Server the library
 * writes for them outside the zero trust's rules (a rate limit's: LinkerdServer.podDefault) keeps it as its
 * accessPolicy. A value Linkerd cannot parse is ignored (workload.rs: "Invalid default policy annotation value"): the
 * pods then run with the cluster's default, not the namespace's. Once per workload and synthesis-independent.
 * A pod template with `linkerd.io/inject: disabled` (or a value the injector does not know) is skipped: the proxy
 * injector leaves its pods without a proxy (pkg/inject/report.go disabledByAnnotation), so nothing enforces any
 * inbound policy on them and the annotation does nothing.
 *
 * How the fix reaches running pods: the policy controller reads each running pod's own annotation, and follows its
 * changes (workload.rs Settings::from_metadata; index.rs PodIndex update: "Pod labels and annotations may change at
 * runtime"), but the namespace's value is copied onto a pod only when the pod is created (controller/proxy-injector/
 * webhook.go: AppendNamespaceAnnotations, at admission): a pod whose own annotation is removed in place runs with the
 * cluster's default, not the namespace's deny. A changed template rolls a Deployment's pods by itself (and a
 * StatefulSet's or DaemonSet's, unless its updateStrategy is OnDelete); a ReplicaSet does not replace running pods,
 * and a bare Pod is only updated in place: their pods must be recreated.
 */
function warnOwnPodDefaults(scope: Construct, ns: string, mesh: Mesh): void {
  const warned = new Set<string>();
  const chart = Chart.of(scope);
  scope.node.addValidation({
    validate: () => {
      for (const { api, manifest, pod, chart: at } of workloadsAtSynthesis(scope)) {
        if (namespaceOfObject(api) !== ns || !sameCluster(at, chart)) continue;
        const own = pod?.metadata?.annotations?.[DEFAULT_INBOUND_POLICY];
        if (own === undefined || own === LinkerdInboundPolicy.DENY) continue;
        if (!injected(pod)) continue;
        const what = `${api.kind} ${api.name} [${userPath(api)}]`;
        if (warned.has(what)) continue;
        warned.add(what);
        const runs = isLinkerdPolicy(own) ? own
          : `the cluster's default inbound policy (${mesh._linkerdInboundPolicyDeclared ? mesh.linkerdInboundPolicy : 'all-unauthenticated unless the cluster sets proxy.defaultInboundPolicy'}: Linkerd ignores a value it cannot parse)`;
        warnFrom(scope, `${what}: its pod template has ${DEFAULT_INBOUND_POLICY}: ${show(own)}, which Linkerd reads before the namespace's deny that this ZeroTrustNamespace sets `
          + '(the proxy injector copies the namespace\'s annotation only onto pods without their own: pkg/inject/inject.go GetConfigOverride), so its pods run with '
          + `${runs} on every port no Server selects, whatever the rules here allow, and a Server the library writes for them outside these rules (e.g. a rate limit's) takes that as its accessPolicy; `
          + `remove ${DEFAULT_INBOUND_POLICY} from ${api.kind} ${api.name}'s pod template (or set it to deny, the zero-trust default), ${podsPickUp(api.kind, manifest)}`);
      }
      return [];
    },
  });
}

/**
 * How the pods of a workload whose pod template drops its own default inbound policy come to run with the
 * namespace's deny (warnOwnPodDefaults): the policy controller reads the running pod's annotation, and the
 * namespace's is copied onto a pod only when it is created.
 */
function podsPickUp(kind: string, manifest: any): string {
  const why = '(Linkerd reads each running pod\'s own annotation: policy-controller inbound workload.rs Settings::from_metadata; '
    + 'the namespace\'s deny is copied onto a pod only when the pod is created: controller/proxy-injector/webhook.go AppendNamespaceAnnotations)';
  const onDelete = manifest?.spec?.updateStrategy?.type === 'OnDelete';
  if (kind === 'Deployment' || ((kind === 'StatefulSet' || kind === 'DaemonSet') && !onDelete)) {
    return `and apply it: the changed template rolls its pods by itself, and the new pods get the namespace's deny ${why}`;
  }
  if (kind === 'Pod') {
    return `then delete the Pod and apply it again: removing the annotation from the running Pod (as applying the changed manifest does) leaves it on the cluster's default, not the namespace's deny ${why}`;
  }
  const reason = kind === 'ReplicaSet' ? 'a ReplicaSet does not replace its running pods when its template changes' : 'its updateStrategy is OnDelete';
  return `then delete its pods for the ${kind} to recreate them (${reason}) ${why}`;
}

/** The kubelet's gRPC probe: the gRPC health service's Check method (Kubernetes GRPCAction, grpc.health.v1). */
const HEALTH_SERVICE = 'grpc.health.v1.Health';
const HEALTH_METHOD = 'Check';

/**
 * What the kubelet does when each kind of probe keeps failing (Kubernetes pod lifecycle, container probes): a
 * readiness probe keeps the pod out of its Services' endpoints, a liveness probe restarts the container, a startup
 * probe kills the container before it is counted as started (liveness and readiness probes wait for it).
 */
const PROBE_FAILS: { readonly [kind: string]: string } = {
  startupProbe: 'a failing startupProbe kills the container before it counts as started (again on every restart)',
  livenessProbe: 'a failing livenessProbe restarts the container',
  readinessProbe: 'a failing readinessProbe keeps the pods unready (out of the Service\'s endpoints)',
};

/** Where a gRPC probe's request is sent: POST /grpc.health.v1.Health/Check (Kubernetes GRPCAction). */
const HEALTH_PATH = `/${HEALTH_SERVICE}/${HEALTH_METHOD}`;

/**
 * Whether a rule admits the kubelet's gRPC probe request on its port, were the kubelet among its callers: a rule on
 * the whole port; gRPC methods naming the health service or its Check method; methods (POST) and paths (Gateway API
 * matching: Exact the path, PathPrefix by path elements) that match POST /grpc.health.v1.Health/Check.
 */
function admitsHealthCheck(r: RuleIntent): boolean {
  if (!isScoped(r)) return true;
  if (r.grpcMethods) return r.grpcMethods.some(g => g.service === HEALTH_SERVICE && (g.method === undefined || g.method === HEALTH_METHOD));
  const prefix = (v: string) => v === '/' || HEALTH_PATH === v || HEALTH_PATH.startsWith(v.endsWith('/') ? v : `${v}/`);
  return (!r.methods || r.methods.includes(HttpMethod.POST))
    && (!r.paths || r.paths.some(p => (p.type === MatchType.EXACT ? p.value === HEALTH_PATH : prefix(p.value))));
}

/**
 * Where the kubelet's probes come from, for a network rule that admits them: the address the node reaches the pod from, a
 * node IP, but on bridge CNIs the node's pod-CIDR gateway (linkerd2#7050), and on VPC CNIs (Azure, AWS) a range the nodes
 * share with pods (linkerd2#7143); and where an operator sees it: the proxy logs a refused request as "Request denied"
 * with client.ip (linkerd2-proxy app/inbound/src/policy/http.rs, HTTP and gRPC Servers), a refused connection as
 * "Connection denied" with client, ip:port (policy/tcp.rs, opaque Servers).
 */
function probeSources(opaque: boolean): string {
  return 'node IPs (bridge CNIs: each node\'s pod-CIDR gateway; VPC CNIs: a range shared with pods), seen as '
    + (opaque ? 'client (ip:port) in the proxy\'s "Connection denied" log' : 'client.ip in the proxy\'s "Request denied" log');
}

/**
 * Warns, at synthesis (the workloads then final), of each workload of the namespace and cluster whose pods the Server
 * of `to` selects and whose probes on its port fail, or pass only through a network rule the user must check.
 *
 * - A `grpc:` probe, on a deny Server (STRICT): the kubelet's probe arrives unauthenticated, and Linkerd authorizes
 *   probes by itself only for httpGet probe paths, as GET routes (policy-controller/k8s/index/src/inbound/workload.rs
 *   pod_http_probes, index.rs default_inbound_http_routes: routes from policyController.probeNetworks), which a gRPC
 *   probe (POST /grpc.health.v1.Health/Check) does not match on an HTTP/2 Server, and which a gRPC Server's proxy
 *   (its GRPCRoutes only) and an opaque one (no routes) do not get (policy-controller/grpc/src/inbound.rs to_server):
 *   refused (linkerd2#9595) unless a network rule admits it. Such a rule passes the probes only if its network holds
 *   the probes' source addresses, the address the node reaches the pod from: a node IP, but on bridge CNIs the node's
 *   pod-CIDR gateway (linkerd2#7050), and on VPC CNIs (Azure, AWS) nodes share a range with pods (linkerd2#7143); the
 *   library cannot tell, so it still warns, naming the network to check. The library does not authorize the probe
 *   itself: Linkerd's probe routes come from every network (charts/linkerd-control-plane/values.yaml probeNetworks:
 *   0.0.0.0/0, ::/0), which would open the health service of a zero-trust port to every unauthenticated client. The
 *   fixes offered first open nothing: an exec probe runs inside the pod and reaches the app over localhost (locally
 *   generated traffic does not pass the PREROUTING redirect to the proxy's inbound side), and an httpGet probe on a
 *   separate non-gRPC port gets Linkerd's own probe authorization.
 * - A `grpc:` probe on an HTTP/1 Server, an httpGet probe on a gRPC Server, in either phase: the proxy serves an
 *   unmeshed client (the kubelet) in the Server's protocol without detection (linkerd2-proxy app/inbound/src/detect.rs:
 *   a protocol hint skips detection; HTTP/1 is detected only for TLS clients), so the kubelet's HTTP/2 (gRPC) or
 *   HTTP/1.1 (httpGet) probe fails whatever the rules allow.
 */
function warnProbes(scope: Construct, ns: string, server: LinkerdServer, to: ServiceRef, rules: RuleIntent[], strict: boolean): void {
  const proxyProtocol = linkerdProxyProtocol(to.protocol);
  const grpcServer = proxyProtocol === 'gRPC';
  // the network rules that admit the probe request (an HTTP rule only on an HTTP Server, which applies its routes)
  const networkRules = rules.filter(r => r.from.some(f => f.kind === IdentityKind.NETWORK) && admitsHealthCheck(r));
  const chart = Chart.of(scope);
  const warned = new Set<string>();
  scope.node.addValidation({
    validate: () => {
      for (const { api, pod, chart: at } of workloadsAtSynthesis(scope)) {
        if (namespaceOfObject(api) !== ns || !sameCluster(at, chart)) continue;
        if (!selectsPod(to, pod)) continue;
        // no proxy on the pods, or none on the port: nothing refuses or misreads the kubelet's probes
        if (!injected(pod) || skipsInbound(pod, to.targetPort)) continue;
        const grpcProbes: string[] = [];
        const httpProbes: string[] = [];
        const grpcKinds = new Set<string>();
        const httpKinds = new Set<string>();
        for (const ct of pod?.spec?.containers ?? []) {
          for (const kind of Object.keys(PROBE_FAILS)) {
            const probe = ct?.[kind];
            if (probe?.grpc?.port !== undefined && Number(probe.grpc.port) === to.targetPort) {
              grpcProbes.push(`${ct.name ?? '?'} ${kind}`);
              grpcKinds.add(kind);
            }
            const get = probe?.httpGet;
            const port = typeof get?.port === 'string' ? (ct.ports ?? []).find((p: any) => p.name === get.port)?.containerPort : get?.port;
            if (get && Number(port) === to.targetPort) {
              httpProbes.push(`${ct.name ?? '?'} ${kind} GET ${get.path ?? '/'}`);
              httpKinds.add(kind);
            }
          }
        }
        const what = `${api.kind} ${api.name} [${userPath(api)}]`;
        const fails = (kinds: Set<string>) => Object.keys(PROBE_FAILS).filter(k => kinds.has(k)).map(k => PROBE_FAILS[k]).join(', ');
        // (where each claim comes from: this function's docstring; the exec probe reaches the app over localhost, which
        // the PREROUTING redirect to the proxy's inbound side does not see)
        const exec = `an exec probe ['grpc_health_probe', '-addr=localhost:${to.targetPort}'] (the image must ship grpc_health_probe)`;
        const at0 = `Server ${ns}/${server.serverName} (proxyProtocol ${proxyProtocol}, accessPolicy ${strict ? 'deny' : 'audit'}): ${what} probes port ${to.targetPort}`;
        const once = (key: string, message: string) => {
          if (warned.has(`${what} ${key}`)) return;
          warned.add(`${what} ${key}`);
          warnFrom(scope, message);
        };
        if (httpProbes.length && grpcServer) {
          // linkerd2-proxy app/inbound/src/detect.rs: a protocol hint skips detection
          once('http', `${at0} with httpGet probes (${httpProbes.join(', ')}): they fail whatever the rules allow, as the proxy serves a gRPC Server's port to the kubelet `
            + `as HTTP/2 (no detection) and httpGet is HTTP/1.1; ${fails(httpKinds)}. `
            + `Fix: serve the HTTP health endpoint on another, non-gRPC port and probe that, or probe the gRPC health service with ${exec}`);
        }
        if (!grpcProbes.length) continue;
        if (proxyProtocol === 'HTTP/1') {
          // linkerd2-proxy app/inbound/src/detect.rs: a protocol hint skips detection; HTTP/1 is detected only for TLS clients
          once('grpc', `${at0} with gRPC probes (${grpcProbes.join(', ')}): they fail whatever the rules allow, as the proxy serves an HTTP/1 Server's port to the kubelet `
            + `as HTTP/1 (no detection) and gRPC is HTTP/2; ${fails(grpcKinds)}. Fix: ${exec}, or an httpGet probe (Linkerd admits httpGet probe paths itself). `
            + `Declaring ${to.name} port ${to.targetPort} gRPC (protocol: ServiceProtocol.GRPC) ends this failure, but on a deny Server Linkerd then refuses gRPC probes unless a network rule admits the kubelet (warned as such)`);
          continue;
        }
        if (!strict) continue;
        const openNothing = `Fix, opening nothing: ${exec}, or httpGet on another, non-gRPC port`;
        const sources = probeSources(proxyProtocol === 'opaque');
        if (networkRules.length) {
          const nets = [...new Set(networkRules.flatMap(r => r.from.filter(f => f.kind === IdentityKind.NETWORK).map(f => f.name)))].join(', ');
          const names = networkRules.map(r => `${r.source} (${r.name})`).join(', ');
          once('grpc', `${at0} with gRPC probes (${grpcProbes.join(', ')}): they pass only through ${names}, if ${nets} holds the kubelet's addresses. ${openNothing}; then drop the rule. `
            + `Or keep it, checking ${nets} against ${sources}: any unauthenticated client in it gets what ${names} allow${networkRules.length > 1 ? '' : 's'} on port ${to.targetPort}`);
          continue;
        }
        // policy-controller inbound workload.rs pod_http_probes, index.rs default_inbound_http_routes: GET routes for httpGet
        // probe paths; policy-controller/grpc/src/inbound.rs to_server: a gRPC Server's proxy gets its GRPCRoutes only, an
        // opaque one no routes (linkerd2#9595: gRPC probes refused)
        const why = grpcServer ? 'a gRPC Server gets none' : proxyProtocol === 'opaque' ? 'an opaque Server has no routes' : 'a gRPC probe is a POST';
        const network = "callers: [Identity.network('<CIDR>')]";
        const rule = grpcServer
          ? `{ name: '${to.name}-grpc-probes', to: ${to.name}, ${network}, grpcMethods: [GrpcMethodMatch.method('${HEALTH_SERVICE}', '${HEALTH_METHOD}')] }`
          : proxyProtocol === 'opaque'
            ? `{ name: '${to.name}-grpc-probes', to: ${to.name}, ${network} } (an opaque port is allowed whole)`
            : `{ name: '${to.name}-grpc-probes', to: ${to.name}, ${network}, methods: [HttpMethod.POST], paths: [PathMatch.exact('${HEALTH_PATH}')] }`;
        const opens = grpcServer ? `call ${HEALTH_SERVICE}/${HEALTH_METHOD} on port ${to.targetPort}`
          : proxyProtocol === 'opaque' ? `open any connection to port ${to.targetPort}` : `send POST ${HEALTH_PATH} to port ${to.targetPort}`;
        once('grpc', `${at0} with gRPC probes (${grpcProbes.join(', ')}): refused, as Linkerd admits the kubelet's probes only as GET routes for httpGet paths, and ${why}; `
          + `${fails(grpcKinds)}. ${openNothing}. Or admit the kubelet: ${rule}, with mtlsExceptions: [{ service: ${to.name}, port: ${to.targetPort}, `
          + 'mode: MtlsExceptionMode.PERMISSIVE, reason: \'kubelet probes\' }] (the Server keeps deny). '
          + `The CIDR: ${sources}; any unauthenticated client in it can then ${opens}`);
      }
      return [];
    },
  });
}

/**
 * Warns, at synthesis, that a deny Server with HTTPRoutes gets no probe route, when `unread()` (the probe paths were
 * not read: no workload of the Server's namespace and cluster selecting its pods was defined before the construct),
 * unless the app's workloads at synthesis (those defined after the construct too) are known to have no proxy on the
 * port: the workloads of the namespace and cluster that select the pods all lack a proxy (injected) or have the port
 * in their skip-inbound-ports (skipsInbound), as warnProbes and warnUncoveredGrpcProbes skip them; their probes reach
 * the app without the proxy, so nothing refuses them. Linkerd adds its probe routes only to Servers without HTTPRoutes
 * (policy-controller/k8s/index/src/inbound/index.rs http_routes); the denial's log line: linkerd2-proxy
 * app/inbound/src/policy/http.rs "Request denied" (client.ip). Once.
 */
function warnNoProbes(scope: Construct, ns: string, server: LinkerdServer, to: ServiceRef, unread: () => boolean): void {
  const chart = Chart.of(scope);
  let warned = false;
  scope.node.addValidation({
    validate: () => {
      if (warned || !unread()) return [];
      const selected = workloadsAtSynthesis(scope).filter(({ api, pod, chart: at }) => namespaceOfObject(api) === ns && sameCluster(at, chart)
        && selectsPod(to, pod));
      if (selected.length && selected.every(({ pod }) => !injected(pod) || skipsInbound(pod, to.targetPort))) return [];
      warned = true;
      warnFrom(scope, `Server ${ns}/${server.serverName} gets HTTPRoutes (rules with methods or paths), so Linkerd no longer authorizes the kubelet's httpGet probes on port ${to.targetPort} by itself, `
        + `and no workload of this cluster defined before this construct selects ${to.name}'s pods to read their probe paths from: if they probe this port over HTTP, the probes get 403 and the pods never become Ready. `
        + 'Fix, opening nothing: define the workloads first, or probe another port. '
        + `Or admit the kubelet: { name: '${to.name}-http-probes', to: ${to.name}, callers: [Identity.network('<CIDR>')], methods: [HttpMethod.GET], paths: [PathMatch.exact('/healthz')] } with its mtlsExceptions entry. `
        + `The CIDR: ${probeSources(false)}; any unauthenticated client in it can then GET those paths`);
      return [];
    },
  });
}

/**
 * Warns, at synthesis (the workloads then final), of each workload of the namespace and cluster, with a proxy, whose `grpc:`
 * probes target a port that no Server of the app selects (no rule's, no mtlsExceptions entry's, nor any other Server of the
 * app, read at synthesis: serversAtSynthesis, the library's other constructs' and hand-written ones): the pods'
 * default inbound server takes the port, with the namespace's deny (policy-controller/k8s/index/src/inbound/index.rs
 * default_inbound_server), whose only authorizations are the probe routes (GET, the httpGet probe paths, from
 * policyController.probeNetworks: workload.rs pod_http_probes, index.rs default_inbound_http_routes): the kubelet's
 * POST /grpc.health.v1.Health/Check is refused. Pods with their own default inbound policy other than deny are
 * warned of by warnOwnPodDefaults (their default server is not deny), a port in skip-inbound-ports never reaches the
 * proxy: neither is warned of here. Once per workload and port.
 */
function warnUncoveredGrpcProbes(scope: Construct, ns: string, servers: { selector: { [k: string]: string }; port: number; exception?: ServiceRef }[]): void {
  const chart = Chart.of(scope);
  const warned = new Set<string>();
  scope.node.addValidation({
    validate: () => {
      for (const { api, pod, chart: at } of workloadsAtSynthesis(scope)) {
        if (namespaceOfObject(api) !== ns || !sameCluster(at, chart) || !injected(pod)) continue;
        // (the pods' own default inbound policy governs only a port no Server takes: the default server's)
        const own = pod?.metadata?.annotations?.[DEFAULT_INBOUND_POLICY];
        const ownDefaultAdmits = own !== undefined && own !== LinkerdInboundPolicy.DENY;
        const labels = pod?.metadata?.labels ?? {};
        const byPort = new Map<number, { probes: string[]; kinds: Set<string> }>();
        for (const ct of pod?.spec?.containers ?? []) {
          for (const kind of Object.keys(PROBE_FAILS)) {
            const port = ct?.[kind]?.grpc?.port;
            if (port === undefined || !Number.isInteger(Number(port)) || skipsInbound(pod, Number(port))) continue;
            const covering = servers.filter(sv => sv.port === Number(port) && labelSelectorMatches({ matchLabels: sv.selector }, labels));
            // an mtlsExceptions entry's Server (all-unauthenticated) of an HTTP/1 service: the proxy serves the port as
            // HTTP/1 without detection (linkerd2-proxy app/inbound/src/detect.rs), so the kubelet's HTTP/2 gRPC probe fails
            // (an entry whose port rules govern writes no Server of its own: the rules' Server, warned of by warnProbes)
            const http1 = covering.some(sv => !sv.exception) ? undefined : covering.find(sv => linkerdProxyProtocol(sv.exception!.protocol) === 'HTTP/1');
            if (http1) {
              const key = `${api.kind} ${api.name} ${port} http1`;
              if (!warned.has(key)) {
                warned.add(key);
                warnFrom(scope, `Namespace ${ns}: ${api.kind} ${api.name} [${userPath(api)}] probes port ${port} with a gRPC ${kind} (${ct.name ?? '?'}), which the mtlsExceptions entry's Server `
                  + `of service ${http1.exception!.name} (protocol ${http1.exception!.protocol}) serves as HTTP/1, without protocol detection: the kubelet's gRPC probe (HTTP/2) fails; ${PROBE_FAILS[kind]}. `
                  + `Fix: declare that service's protocol ServiceProtocol.GRPC (ServiceRef.fromName('${http1.exception!.name}', { ..., protocol: ServiceProtocol.GRPC })), or make the probe an exec probe ['grpc_health_probe', '-addr=localhost:${port}']`);
              }
              continue;
            }
            if (covering.length) continue;
            // a Server the construct does not write (hand-written, or another construct's) that selects the port of these
            // pods takes it from their default server (policy-controller inbound index.rs: default_inbound_server is for
            // the ports no Server selects; a Server port by name is each container port of that name: select_ports)
            const others = serversAtSynthesis(scope).filter(sv => sv.namespace === ns && sameCluster(sv.chart, chart)
              && labelSelectorMatches(sv.podSelector, labels) && linkerdServerPodPorts(sv.port, pod?.spec).includes(Number(port)));
            // each of them HTTP/1: the proxy serves the port to the kubelet as HTTP/1 without detection (linkerd2-proxy
            // app/inbound/src/detect.rs: "Unmeshed services don't use protocol upgrading"), and its gRPC probe (HTTP/2) fails
            // (of several, Linkerd applies the oldest, which the manifests do not tell: warned only if all are HTTP/1)
            if (others.length && others.every(sv => sv.proxyProtocol === 'HTTP/1')) {
              const key = `${api.kind} ${api.name} ${port} http1`;
              if (!warned.has(key)) {
                warned.add(key);
                warnFrom(scope, `Namespace ${ns}: ${api.kind} ${api.name} [${userPath(api)}] probes port ${port} with a gRPC ${kind} (${ct.name ?? '?'}), which ${others[0].what} `
                  + `serves as HTTP/1, without protocol detection: the kubelet's gRPC probe (HTTP/2) fails; ${PROBE_FAILS[kind]}. `
                  + `Fix: ${others[0].fixProtocol}, or make the probe an exec probe ['grpc_health_probe', '-addr=localhost:${port}']`);
              }
              continue;
            }
            if (others.length) {
              // the port is theirs: the probe gets in where one of them admits unauthenticated clients by its accessPolicy
              // (of several, Linkerd applies the oldest), or where the namespace has a NetworkAuthentication, which an
              // AuthorizationPolicy may use to admit the kubelet's addresses (not read further); otherwise the Server
              // refuses the kubelet as the default server would (a Server without HTTPRoutes gets GET probe routes for
              // httpGet paths only: policy-controller inbound index.rs default_inbound_http_routes; a gRPC probe is a POST)
              const admits = others.some(sv => ADMITS_UNAUTHENTICATED.includes(String(sv.accessPolicy))
                || appAuthorizations(scope).some(a => a.namespace === ns && sameCluster(a.chart, chart) && a.admits(sv)));
              if (admits) continue;
              const key = `${api.kind} ${api.name} ${port} refused`;
              if (!warned.has(key)) {
                warned.add(key);
                warnFrom(scope, `Namespace ${ns}: ${api.kind} ${api.name} [${userPath(api)}] probes port ${port} with a gRPC ${kind} (${ct.name ?? '?'}), which ${others[0].what} takes: `
                  + 'the kubelet has no mesh identity, and a Server admits it only through its accessPolicy, an AuthorizationPolicy or a ServerAuthorization (Linkerd\'s own probe routes are GET routes for httpGet paths, on HTTP Servers only), '
                  + `and no hand-written one (not managed by cdk8s-mesh) of ${ns} admits clients without an identity on that Server: the probe is refused; ${PROBE_FAILS[kind]}. `
                  + `Fix, opening nothing: an exec probe ['grpc_health_probe', '-addr=localhost:${port}'] (the image must ship grpc_health_probe), or httpGet on another port. `
                  + `Or admit the kubelet: ${others[0].fixAdmit}, for ${probeSources(others[0].proxyProtocol === 'opaque')}; any unauthenticated client in it can then reach port ${port}`);
              }
              continue;
            }
            if (ownDefaultAdmits) continue; // (warned of by warnOwnPodDefaults)
            const entry = byPort.get(Number(port)) ?? { probes: [], kinds: new Set<string>() };
            entry.probes.push(`${ct.name ?? '?'} ${kind}`);
            entry.kinds.add(kind);
            byPort.set(Number(port), entry);
          }
        }
        const what = `${api.kind} ${api.name} [${userPath(api)}]`;
        for (const [port, { probes, kinds }] of [...byPort].sort(([a], [b]) => a - b)) {
          if (warned.has(`${what} ${port}`)) continue;
          warned.add(`${what} ${port}`);
          const fails = Object.keys(PROBE_FAILS).filter(k => kinds.has(k)).map(k => PROBE_FAILS[k]).join(', ');
          const to = `ServiceRef.fromName('<service>', { port: <port>, targetPort: ${port}, protocol: ServiceProtocol.GRPC })`;
          warnFrom(scope, `Namespace ${ns} (default inbound policy deny): ${what} probes port ${port} with gRPC probes (${probes.join(', ')}), a port no Server of the app selects: `
            + `refused, as the pods' default server admits the kubelet's probes only as GET routes for httpGet paths, and a gRPC probe is a POST; ${fails}. `
            + `Fix, opening nothing: an exec probe ['grpc_health_probe', '-addr=localhost:${port}'] (the image must ship grpc_health_probe), or httpGet on another port. `
            + `Or admit the kubelet: { name: '<service>-grpc-probes', to: ${to}, callers: [Identity.network('<CIDR>')], grpcMethods: [GrpcMethodMatch.method('${HEALTH_SERVICE}', '${HEALTH_METHOD}')] }, `
            + `with its mtlsExceptions entry (port ${port}). The CIDR: ${probeSources(false)}; any unauthenticated client in it can then call ${HEALTH_SERVICE}/${HEALTH_METHOD} on port ${port}`);
        }
      }
      return [];
    },
  });
}

/**
 * Linkerd: the namespace's default inbound policy (`deny`, or `audit` while PERMISSIVE); per service
 * a Server (its access policy likewise); per rule a MeshTLSAuthentication (or NetworkAuthentication)
 * and an AuthorizationPolicy, on the Server, or on an inbound policy HTTPRoute when the rule names
 * methods or paths. Linkerd authorization only allows: no deny rules, no JWT.
 */
export const LINKERD_ZERO_TRUST: ZeroTrustRenderer = {
  // Consul's jwt.consulJwksCaFile is refused by the construct (ZERO_TRUST_OWNED)
  reads: [],

  unsupported(intent: ZeroTrustIntent, { mesh }: RenderContext) {
    const out: Unsupported[] = [];
    // GRPCRoutes are Gateway API's only (policy.linkerd.io has no GRPCRoute), and the policy controller watches
    // them only if their CRD was there when it started (policy-controller/runtime/src/args.rs api_resource_exists)
    const grpc = intent.allow.findIndex(r => r.grpcMethods);
    if (grpc >= 0 && mesh.linkerdRouteApi === LinkerdRouteApi.POLICY) {
      out.push({
        setting: `${intent.allow[grpc].source}.grpcMethods`,
        value: intent.allow[grpc].grpcMethods!.map(g => `${g.service}/${g.method ?? '*'}`).join(', '),
        why: 'a gRPC method rule is a Gateway API GRPCRoute (gateway.networking.k8s.io), and Mesh.linkerd({ routeApi: LinkerdRouteApi.POLICY }) is for clusters without the Gateway API CRDs',
        alternative: 'install the Gateway API CRDs (GRPCRoute) before the Linkerd control plane, or restart the policy controller after installing them, and use routeApi: LinkerdRouteApi.GATEWAY_API; or allow the callers without grpcMethods (on the whole port)',
      });
    }
    if (intent.deny.length) {
      out.push({ setting: 'deny', value: `${intent.deny.length} rule(s)`, why: 'Linkerd authorization policies only allow; everything not allowed is already denied', alternative: 'remove the deny rules and narrow the allow rules instead' });
    }
    if (intent.jwt || intent.allow.some(r => r.requireJwt)) {
      out.push({ setting: intent.jwt ? 'jwt' : 'allow.requireJwt', value: intent.jwt?.issuer ?? true, why: 'Linkerd has no JWT request authentication (linkerd2#3704)', alternative: 'validate tokens at the ingress controller or in the application, and remove jwt/requireJwt for Linkerd' });
    }
    intent.exceptions.forEach((e, i) => {
      if (e.mode === 'DISABLE') out.push({ setting: `mtlsExceptions[${i}].mode`, value: e.mode, why: 'Linkerd cannot turn mTLS off for a port; it can only accept unauthenticated clients on it', alternative: 'use MtlsExceptionMode.PERMISSIVE' });
    });
    // a rule with methods or paths is written as a policy.linkerd.io HTTPRoute and an AuthorizationPolicy on it,
    // which Linkerd applies only on an HTTP/1 or HTTP/2 Server: a gRPC Server's proxy gets its GRPCRoutes only and
    // an opaque one no routes (policy-controller/grpc/src/inbound.rs to_server), and then a default route with no
    // authorizations (index.rs grpc_routes), so the rule's callers would be refused, every request
    // (a rule with grpcMethods is for a gRPC port, ZeroTrustNamespace checks it, and written as GRPCRoutes: each
    // of its entries a match of its route, of which the GRPCRoute CRD allows at most 128: GRPC_MATCHES_PER_ROUTE)
    for (const r of intent.allow) {
      if ((r.grpcMethods?.length ?? 0) <= GRPC_MATCHES_PER_ROUTE) continue;
      out.push({
        setting: `${r.source}.grpcMethods`,
        value: `${r.grpcMethods!.length} entries`,
        why: `the rule's GRPCRoute would hold one method match per entry, and a GRPCRoute holds at most ${GRPC_MATCHES_PER_ROUTE} (the GRPCRoute CRD's CEL rule on spec.rules: the rules' matches summed <= ${GRPC_MATCHES_PER_ROUTE})`,
        alternative: `split the entries over rules of at most ${GRPC_MATCHES_PER_ROUTE} each (each rule gets a GRPCRoute of its own), or allow whole services with GrpcMethodMatch.service('<package.Service>')`,
      });
    }
    // the routes rules share (their overlaps: a service entry of one and a method of that service of another, each
    // pair a match) are GRPCRoutes too, under the same limit: checked per route as render writes them (writeGrpcRoutes),
    // a route of one rule's own requests being within its rule's entries (checked above)
    const grpcServers = new Map<string, RuleIntent[]>();
    for (const r of intent.allow) {
      if (!r.grpcMethods?.length || r.to.protocol !== ServiceProtocol.GRPC) continue;
      const key = `${r.to.name}\u0000${r.to.targetPort}`;
      grpcServers.set(key, [...grpcServers.get(key) ?? [], r]);
    }
    for (const scoped of grpcServers.values()) {
      const to = scoped[0].to;
      const onePort = new Set(intent.allow.filter(r => r.to.name === to.name).map(r => r.to.targetPort)).size === 1;
      let shared = 0;
      for (const route of inboundRoutes(scoped, GRPC_CELLS)) {
        if (route.name !== undefined) continue;
        const routeName = `${onePort ? to.name : `${to.name}-${to.targetPort}`}-shared-${++shared}`;
        if (route.cells.length <= GRPC_MATCHES_PER_ROUTE) continue;
        const names = route.rules.map(r => `${r.source} (${r.name})`).join(', ');
        out.push({
          setting: `${route.rules[0].source}.grpcMethods`,
          value: `${route.cells.length} matches on GRPCRoute ${routeName}, shared by ${names}`,
          why: `the gRPC requests that ${names} all allow go to one GRPCRoute carrying each of these rules (Linkerd authorizes a request on the one route it selects), with one method match per `
            + 'overlap of their entries (a service entry of one rule and a method of that service in another, or the same method in both), '
            + `and a GRPCRoute holds at most ${GRPC_MATCHES_PER_ROUTE} matches (the GRPCRoute CRD's CEL rule on spec.rules: the rules' matches summed <= ${GRPC_MATCHES_PER_ROUTE})`,
          alternative: `give these rules fewer overlapping entries, at most ${GRPC_MATCHES_PER_ROUTE} together: name whole services in all of them (GrpcMethodMatch.service('<package.Service>')) `
            + 'where they overlap, or merge the rules that allow the same methods into one rule with all of their callers',
        });
      }
    }
    for (const r of intent.allow) {
      if (!isScoped(r) || r.grpcMethods || linkerdRoutesHttp(r.to.protocol)) continue;
      const setting = r.methods ? `${r.source}.methods` : `${r.source}.paths`;
      const value = r.methods ? [...r.methods] : r.paths!.map(p => `${p.type === MatchType.EXACT ? 'exact' : 'prefix'} ${p.value}`);
      const proxyProtocol = linkerdProxyProtocol(r.to.protocol);
      out.push({
        setting,
        value,
        why: `service ${r.to.name} port ${r.to.targetPort} is ${r.to.protocol}, its Server's proxyProtocol ${proxyProtocol}, and Linkerd applies the HTTPRoute and AuthorizationPolicy such a rule is written as only on HTTP/1 and HTTP/2 Servers: `
          + `the policy controller sends this Server's proxy ${proxyProtocol === 'gRPC' ? 'its GRPCRoutes only' : 'no routes'} (policy-controller/grpc/src/inbound.rs to_server), so the rule would admit nobody`,
        alternative: r.to.protocol === ServiceProtocol.GRPC
          ? `name the gRPC services and methods instead, written as GRPCRoutes: grpcMethods: [${grpcSuggestion(r)}] (a gRPC request is POST /<service>/<method>), or leave methods and paths out to allow every method`
          : `leave methods and paths out of the rule for ${r.to.name} (Linkerd enforces it on the Server, for every request of the port)`,
      });
    }
    return out.map(u => ({ ...u, keep: ACCESS_RULES_KEEP }));
  },

  render(scope: Construct, intent: ZeroTrustIntent, { mesh }: RenderContext) {
    const ns = intent.namespace;
    const strict = intent.phase === MtlsPhase.STRICT;
    const defaultPolicy = strict ? LinkerdInboundPolicy.DENY : LinkerdInboundPolicy.AUDIT;
    // the default inbound policy is read when a pod's proxy is injected: pods restart to pick it up
    // the namespace's enrolment (docs/enrolment.md) holds its Namespace object: the one given (refused there
    // when it names another namespace, whose default it would set), or found in the chart, or written here
    // (a zero-trust namespace is the app's own), annotated linkerd.io/inject
    const enrolment = MeshNamespace.of(scope, ns, mesh, LINKERD_ENROLMENT, { namespaceObject: intent.namespaceObject, owned: true });
    // one Namespace object, one default: a second zero-trust namespace would silently replace the first's. Through
    // the enrolment: the default moves with it when a MultiClusterExport puts the Namespace object in another
    // cluster, and two ZeroTrustNamespaces of the namespace in charts that the export puts in different clusters
    // (each its own Namespace object) are refused only if they still share one when the clusters are final
    enrolment.annotateNamespace('config.linkerd.io/default-inbound-policy', defaultPolicy, scope, (theirs, from, namespaceObject) =>
      `mtls: got a default inbound policy ${defaultPolicy} for namespace ${ns}, but its Namespace object [${namespaceObject ? userPath(namespaceObject) : ns}] already has ${theirs} (${from}); `
      + 'use one ZeroTrustNamespace per namespace and cluster, or give both the same mtls phase');
    // Servers other constructs create in the namespace (rate limits) carry the namespace's default
    LinkerdServer.setNamespaceDefault(scope, ns, defaultPolicy);
    if (!strict) {
      warnFrom(scope, `PERMISSIVE is written as Linkerd's audit policy in ${ns}: during this phase every request is allowed (and logged when no rule would allow it), so no allow rule is enforced yet; move to MtlsPhase.STRICT to enforce them`);
    }
    if (strict) {
      allowScrapes(scope, ns, mesh);
      warnOwnPodDefaults(scope, ns, mesh);
      warnUncoveredGrpcProbes(scope, ns, [...intent.allow.map(r => ({ selector: r.to.selector, port: r.to.targetPort })),
        ...intent.exceptions.map(e => ({
          selector: e.service.selector,
          port: e.port,
          exception: intent.allow.some(r => r.to.name === e.service.name && r.to.targetPort === e.port) ? undefined : e.service,
        }))]);
    }

    // an exception opens its port to unauthenticated clients, unless allow rules govern that port:
    // then its Server keeps denying, and network rules (NetworkAuthentication) admit the plaintext callers
    for (const e of intent.exceptions) {
      const governed = intent.allow.some(r => r.to.name === e.service.name && r.to.targetPort === e.port);
      if (!governed) LinkerdServer.of(scope, mesh, e.service, e.port).setAccessPolicy(LinkerdInboundPolicy.ALL_UNAUTHENTICATED, scope.node.path, `mtlsExceptions: ${e.reason}`);
    }
    // a rule is for the port it names: one Server per service and target port, each with its own rules
    const servers = new Map<string, RuleIntent[]>();
    for (const r of intent.allow) {
      const key = `${r.to.name}\u0000${r.to.targetPort}`;
      if (!servers.has(key)) servers.set(key, []);
      servers.get(key)!.push(r);
    }
    const ports = new Map<string, Set<number>>();
    for (const r of intent.allow) ports.set(r.to.name, (ports.get(r.to.name) ?? new Set()).add(r.to.targetPort));
    let pods: WorkloadPod[] | undefined;
    const chart = Chart.of(scope);
    for (const rules of servers.values()) {
      const to = rules[0].to;
      // the names of a service's routes carry the port when the service has rules on several ports
      const name = ports.get(to.name)!.size > 1 ? `${to.name}-${to.targetPort}` : to.name;
      const server = LinkerdServer.of(scope, mesh, to);
      server.setAccessPolicy(defaultPolicy, scope.node.path);
      const scoped = rules.filter(isScoped);
      const auths = new Map<string, Authn[]>();
      // a gRPC Server's proxy gets its GRPCRoutes only (policy-controller/grpc/src/inbound.rs to_server): its scoped
      // rules (grpcMethods; methods and paths are refused there) are written as GRPCRoutes, below
      const grpc = to.protocol === ServiceProtocol.GRPC;
      warnProbes(scope, ns, server, to, rules, strict);
      if (scoped.length && !grpc) {
        // once a Server has routes, requests that match none are refused: a catch-all route keeps
        // the server-wide rules working for every path
        new PolicyHttpRoute(scope, `Route-${name}-default`, {
          metadata: objectMetadata(`${name}-default`, ns),
          spec: { parentRefs: [{ group: POLICY, kind: 'Server', name: server.serverName }], rules: [{ matches: [{ path: { type: linkerd.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }] }] },
        });
      }
      // Linkerd authorizes the kubelet's httpGet probes by itself only on Servers without HTTPRoutes
      // (policy-controller/k8s/index/src/inbound/index.rs, http_routes): with routes, the library writes
      // the probe route Linkerd would (GET, Exact probe paths, from every network: the default
      // policyController.probeNetworks), from the probes of the app's workloads on the port. Those of this
      // Server's cluster only: another cluster's pods never run behind this Server, and their probe paths would
      // open paths here to every network (src/private/clusters.ts)
      // (on a gRPC Server Linkerd authorizes no probes by itself, routes or not: its default route is a GRPCRoute
      // without authorizations, index.rs grpc_routes; so its routes change nothing for probes)
      const all = scoped.length && strict && !grpc ? (pods ??= workloadPods(scope)).filter(p => p.namespace === ns) : [];
      const probesHere = () => (strict ? probePaths(all.filter(p => sameCluster(p.chart, chart)), ns, to) : []);
      let probes = scoped.length && !grpc ? probesHere() : [];
      // the probe paths were not read (no workload found): warned of at synthesis, when the probes are final (after a
      // MultiClusterExport's redecision below) and the app's workloads defined after this construct are known
      if (scoped.length && !grpc && strict) warnNoProbes(scope, ns, server, to, () => probes === undefined);
      // what each rule allows, for the multicluster gateway's warning (every client of the gateway may send what any allows)
      const requests = (r: RuleIntent) => (r.grpcMethods
        ? `gRPC ${r.grpcMethods.map(g => `${g.service}/${g.method ?? '*'}`).join(', ')}`
        : `${r.methods?.join(',') ?? 'any method'} ${r.paths?.map(p => `${p.type === MatchType.EXACT ? 'exact' : 'prefix'} ${p.value}`).join(', ') ?? 'any path'}`);
      server.setZeroTrustRules(rules.map(r => `${r.name} (${r.from.map(f => f._label(ns)).join(', ')}): ${requests(r)}`));
      for (const r of rules) if (!auths.has(r.name)) auths.set(r.name, authentications(scope, r, ns));
      for (const r of rules.filter(x => !isScoped(x))) authorize(scope, r, ns, auths.get(r.name)!, { kind: 'Server', name: server.serverName }, r.name);
      if (!scoped.length) continue;
      if (grpc) {
        writeGrpcRoutes(scope, ns, name, server, scoped, auths, scoped.length === rules.length);
        continue;
      }
      const writeRoutes = (where: Construct, probeList: string[] | undefined) => {
        const routed = [...scoped];
        const routeAuths = new Map(auths);
        let probeRule: RuleIntent | undefined;
        if (probeList?.length) {
          probeRule = { name: `${name}-probes`, source: 'probes', from: [], to, methods: [HttpMethod.GET], paths: probeList.map(value => ({ type: MatchType.EXACT, value })), requireJwt: false };
          routed.push(probeRule);
          routeAuths.set(probeRule.name, [{ kind: 'NetworkAuthentication', name: 'kubelet', suffix: '' }]);
        }
        let shared = 0;
        const callerRoutes: ZeroTrustRoute[] = [];
        for (const route of inboundRoutes(routed, HTTP_CELLS)) {
          const routeName = route.name ?? `${name}-shared-${++shared}`;
          const callerRules = route.rules.filter(r => r !== probeRule).map(r => r.name);
          if (callerRules.length) callerRoutes.push({ where, routeName, rules: callerRules });
          new PolicyHttpRoute(where, `Route-${routeName}`, {
            metadata: objectMetadata(routeName, ns, { annotations: { [route.name ? 'cdk8s-mesh.io/rule' : 'cdk8s-mesh.io/rules']: route.rules.map(r => r.name).join(',') } }),
            spec: { parentRefs: [{ group: POLICY, kind: 'Server', name: server.serverName }], rules: [{ matches: route.cells.map(cellMatch) }] },
          });
          for (const r of route.rules) {
            authorize(where, r, ns, routeAuths.get(r.name)!, { kind: 'HTTPRoute', name: routeName }, route.name ? r.name : `${routeName}-${r.name}`);
          }
        }
        // a rule for every request (on the Server) leaves the multicluster gateway's authorization on the Server;
        // else it follows the routes that carry a caller's rule, the union of what the callers are allowed
        if (scoped.length === rules.length) server.setZeroTrustRoutes(callerRoutes);
      };
      if (all.every(p => clusterRelationFinal(p.chart, chart))) {
        writeRoutes(scope, probes);
        continue;
      }
      // a workload of a chart that a MultiClusterExport created later may make another cluster's: the routes
      // (which the probe paths shape: a probe path under a rule's prefix shares its route) are written again then,
      // in their place (a construct of their own), so that the output is the one of creating the export first
      const routes = new Construct(scope, `Routes-${name}`);
      writeRoutes(routes, probes);
      redecideWhenClustersAssigned(scope.node.root, () => {
        const now = probesHere();
        if (JSON.stringify(now) !== JSON.stringify(probes)) {
          // (no dropped-settings note to keep: every setting Linkerd's zero trust cannot express is refused, ACCESS_RULES_KEEP)
          for (const c of [...routes.node.children]) routes.node.tryRemoveChild(c.node.id);
          probes = now;
          writeRoutes(routes, probes);
        }
        return all.every(p => clusterRelationFinal(p.chart, chart));
      });
    }
  },
};
