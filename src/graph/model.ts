import * as fs from 'fs';
import { renderDot, renderHtml, renderMermaid } from './render';
import { GraphBackend, GraphEdge, GraphEgress, GraphIngress, GraphRoute, GraphService, GraphSetting } from './types';
import { hostsOverlap, istioGatewayHosts } from '../analysis/private/context';
import { expandPaths } from '../analysis/private/files';
import { loadManifests } from '../analysis/private/yaml';
import { ReachabilityDecision, ReachabilityMatrix, ReachabilityOptions, ReachabilityQuery } from '../analysis/reachability';

/**
 * Options for building a mesh graph from manifests.
 */
export interface MeshGraphOptions extends ReachabilityOptions {
  /**
   * Whether to decide, for each service, a caller from outside the mesh too (`ip:192.0.2.10`, an
   * address of TEST-NET-1): a service that admits it is open to clients without a mesh identity.
   * @default true
   */
  readonly outsideCaller?: boolean;
}

const OUTSIDE = 'ip:192.0.2.10';
/** Any workload of a namespace none of the manifests name (`_other` is no valid namespace name). */
const OTHER_NAMESPACE = '_other/unnamed';

/** The value if it is an array, else none (hand-written YAML may hold anything). */
function arr(value: any): any[] {
  return Array.isArray(value) ? value : [];
}

/** The objects of a list (hand-written YAML may hold strings, numbers or nulls where objects belong). */
function objs(value: any): any[] {
  return arr(value).filter(x => x && typeof x === 'object' && !Array.isArray(x));
}

/** The value if it is a map, else an empty one. */
function map(value: any): { [k: string]: any } {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function nsOf(o: any, defaultNs: string): string {
  return o?.metadata?.namespace ?? defaultNs;
}

function ref(o: any, defaultNs: string): string {
  return `${o.kind} ${nsOf(o, defaultNs)}/${o.metadata?.name}`;
}

function subset(selector: { [k: string]: string } | undefined, labels: { [k: string]: string }): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** `order.shop.svc.cluster.local`, `order.shop`, `order` (in `ns`) as `shop/order`; undefined for other hosts. */
function hostService(host: string, ns: string): string | undefined {
  const parts = String(host).split('.');
  if (parts.length === 1) return `${ns}/${parts[0]}`;
  if (parts.length === 2 || (parts[2] === 'svc' && (parts.length === 3 || parts.slice(3).join('.') === 'cluster.local'))) return `${parts[1]}/${parts[0]}`;
  return undefined;
}

/** A string match of Istio (`exact`, `prefix`, `regex`) as text. */
function istioString(m: any): string {
  if (!m || typeof m !== 'object') return '';
  if (m.exact !== undefined) return String(m.exact);
  if (m.prefix !== undefined) return `${m.prefix}*`;
  if (m.regex !== undefined) return `~${m.regex}`;
  return '';
}

function gatewayPath(p: any): string {
  if (!p) return '';
  const type = p.type ?? 'PathPrefix';
  if (type === 'Exact') return String(p.value);
  if (type === 'RegularExpression') return `~${p.value}`;
  return p.value === '/' ? '' : `${p.value}*`;
}

function joinMatches(parts: string[]): string {
  const uniq = [...new Set(parts.map(p => p || 'any'))];
  return uniq.includes('any') && uniq.length === 1 ? 'any' : uniq.join(' | ');
}

/** Istio's retries field as text. */
function istioRetries(r: any): string | undefined {
  if (!r) return undefined;
  if (r.attempts === 0) return 'none';
  return [`${r.attempts ?? 2} attempts`, r.perTryTimeout ? `${r.perTryTimeout} per try` : '', r.retryOn ? `on ${r.retryOn}` : ''].filter(Boolean).join(', ');
}

function faultText(f: any): string | undefined {
  if (!f) return undefined;
  const out: string[] = [];
  if (f.delay) out.push(`delay ${f.delay.fixedDelay ?? f.delay.exponentialDelay} for ${f.delay.percentage?.value ?? f.delay.percent ?? 100}%`);
  if (f.abort) out.push(`abort ${f.abort.httpStatus ?? f.abort.grpcStatus} for ${f.abort.percentage?.value ?? f.abort.percent ?? 100}%`);
  return out.join(', ') || undefined;
}

function outlierText(o: any): string {
  return [
    o.consecutive5xxErrors !== undefined ? `${o.consecutive5xxErrors} consecutive 5xx` : o.consecutiveGatewayErrors !== undefined ? `${o.consecutiveGatewayErrors} consecutive gateway errors` : '',
    o.interval ? `every ${o.interval}` : '', o.baseEjectionTime ? `eject ${o.baseEjectionTime}` : '', o.maxEjectionPercent !== undefined ? `at most ${o.maxEjectionPercent}%` : '',
  ].filter(Boolean).join(', ');
}

function poolText(p: any): string {
  return [
    p.tcp?.maxConnections !== undefined ? `${p.tcp.maxConnections} connections` : '',
    p.http?.http1MaxPendingRequests !== undefined ? `${p.http.http1MaxPendingRequests} pending` : '',
    p.http?.http2MaxRequests !== undefined ? `${p.http.http2MaxRequests} requests` : '',
    p.maxConnections !== undefined ? `${p.maxConnections} connections` : '',
    p.maxPendingRequests !== undefined ? `${p.maxPendingRequests} pending` : '',
    p.maxConcurrentRequests !== undefined ? `${p.maxConcurrentRequests} requests` : '',
  ].filter(Boolean).join(', ');
}

function sortBy<T>(items: T[], key: (t: T) => string): T[] {
  return items.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The service graph of mesh manifests (our output or hand-written YAML): the services and their versions,
 * their routes (weights, header and mirror rules, timeouts, retries, faults), their circuit breakers,
 * connection pools and rate limits, the ingress and egress, and who may call whom, decided by the
 * reachability matrix of the same manifests (Istio sidecar and ambient, Linkerd, Consul).
 *
 * @example
 * import { Testing } from 'cdk8s';
 * import { MeshGraph } from 'cdk8s-mesh';
 *
 * const graph = MeshGraph.fromManifests(Testing.synth(chart), { defaultNamespace: 'shop' });
 * for (const edge of graph.allowedEdges()) {
 *   console.log(`${edge.caller} -> ${edge.service}`); // shop/order -> shop/payment, ...
 * }
 */
export class MeshGraph {
  /** From manifest objects. */
  public static fromManifests(objects: any[], options: MeshGraphOptions = {}): MeshGraph {
    return new MeshGraph(objects.filter(o => o && typeof o === 'object' && o.kind), options);
  }

  /** From a stream of YAML documents. */
  public static fromYaml(text: string, options: MeshGraphOptions = {}): MeshGraph {
    return MeshGraph.fromManifests(loadManifests(text).documents.map(d => d.obj), options);
  }

  /** From files and folders of YAML (as the command line reads them). */
  public static fromFiles(paths: string[], options: MeshGraphOptions = {}): MeshGraph {
    const docs = expandPaths(paths).flatMap(p => loadManifests(fs.readFileSync(p, 'utf8'), p).documents.map(d => d.obj));
    return MeshGraph.fromManifests(docs, options);
  }

  /** The mesh whose policies decided the edges: istio, linkerd, consul, or none. */
  public readonly mesh: string;
  /** Whether the namespaces run Istio's ambient data plane (some Namespace is labelled for it). */
  public readonly ambient: boolean;
  /** The services, sorted by id. */
  public readonly services: GraphService[];
  /** The routes of the services' requests (mesh-internal), by service then order of evaluation. */
  public readonly routes: GraphRoute[];
  /** The settings of the services that are not per route. */
  public readonly settings: GraphSetting[];
  /** The gateways' routes into the mesh. */
  public readonly ingress: GraphIngress[];
  /** The external hosts allowed. */
  public readonly egress: GraphEgress[];
  /**
   * What happens to a call to a host that no egress entry names: `REGISTRY_ONLY` (refused) or
   * `ALLOW_ANY`, per namespace, as `namespace: mode (object)`.
   */
  public readonly egressPolicies: string[];
  /** Every (caller, service) pair decided, sorted: the allowed ones and those denied every request. */
  public readonly edges: GraphEdge[];
  /** Every decision the edges are made of. */
  public readonly decisions: ReachabilityDecision[];
  /** The object counts per kind (`group/Kind`). */
  public readonly objectCounts: { [kind: string]: number };

  private readonly defaultNs: string;
  private readonly matrix: ReachabilityMatrix;

  private constructor(input: any[], options: MeshGraphOptions) {
    this.defaultNs = options.defaultNamespace ?? 'default';
    // in a fixed order (by kind, namespace and name), so that objects that only moved give the same graph
    const objects = sortBy(input.map(o => ({ o, key: `${o.apiVersion}\u0000${o.kind}\u0000${nsOf(o, this.defaultNs)}\u0000${o.metadata?.name}` })), x => x.key).map(x => x.o);
    const matrix = ReachabilityMatrix.fromManifests(objects, options);
    this.matrix = matrix;
    this.mesh = matrix.mesh;
    this.ambient = objects.some(o => o.kind === 'Namespace' && o.metadata?.labels?.['istio.io/dataplane-mode'] === 'ambient');
    const counts: { [kind: string]: number } = {};
    for (const o of objects) {
      const group = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] + '/' : '';
      counts[`${group}${o.kind}`] = (counts[`${group}${o.kind}`] ?? 0) + 1;
    }
    this.objectCounts = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
    const routes: GraphRoute[] = [];
    const settings: GraphSetting[] = [];
    const ingress: GraphIngress[] = [];
    const egress: GraphEgress[] = [];
    const egressPolicies: string[] = [];
    const versions = new Map<string, Set<string>>();
    const addVersion = (svc: string, v: string | undefined) => {
      if (!v) return;
      if (!versions.has(svc)) versions.set(svc, new Set());
      versions.get(svc)!.add(v);
    };
    const ns = (o: any) => nsOf(o, this.defaultNs);
    const src = (o: any, field = '') => `${ref(o, this.defaultNs)}${field}`;

    // ---- the Services and their workloads
    const k8sServices = objects.filter(o => o.kind === 'Service' && o.apiVersion === 'v1' && o.metadata?.name);
    const workloads = objects.filter(o => ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'].includes(o.kind) && (o.apiVersion === 'v1' || o.apiVersion === 'apps/v1'));
    const podLabels = (w: any) => (w.kind === 'Pod' ? w.metadata?.labels : w.spec?.template?.metadata?.labels) ?? {};
    const podSa = (w: any) => (w.kind === 'Pod' ? w.spec?.serviceAccountName : w.spec?.template?.spec?.serviceAccountName) ?? 'default';
    const byNs = new Map<string, any[]>();
    for (const w of workloads) {
      const list = byNs.get(ns(w)) ?? [];
      list.push(w);
      byNs.set(ns(w), list);
    }
    const serviceWorkloads = new Map<string, any[]>();
    const identityServices = new Map<string, Set<string>>();
    for (const s of k8sServices) {
      const id = `${ns(s)}/${s.metadata.name}`;
      const selected = (byNs.get(ns(s)) ?? []).filter(w => subset(s.spec?.selector, podLabels(w)));
      serviceWorkloads.set(id, selected);
      for (const w of selected) {
        const identity = this.mesh === 'consul' ? id : `${ns(w)}/${podSa(w)}`;
        if (!identityServices.has(identity)) identityServices.set(identity, new Set());
        identityServices.get(identity)!.add(id);
        addVersion(id, podLabels(w).version);
      }
    }

    // ---- routes, per mesh kind (indexes read once: a 5,000-service output has tens of thousands of objects)
    const destinations = new Set(objects.filter(d => d.kind === 'ServiceDefaults' && d.spec?.destination).map(d => d.metadata?.name));
    const gateways = new Map<string, any>();
    for (const g of objects) if (g.kind === 'Gateway' && !gateways.has(`${ns(g)}/${g.metadata?.name}`)) gateways.set(`${ns(g)}/${g.metadata?.name}`, g);
    const istioGateways = new Map<string, any>();
    for (const g of objects) if (g.kind === 'Gateway' && /^networking\.istio\.io\//.test(String(g.apiVersion)) && !istioGateways.has(`${ns(g)}/${g.metadata?.name}`)) istioGateways.set(`${ns(g)}/${g.metadata?.name}`, g);
    const versionOf = new Map<string, string>();
    for (const o of objects) {
      const group = String(o.apiVersion ?? '').split('/')[0];
      if (o.kind === 'VirtualService' && group === 'networking.istio.io') {this.virtualService(o, routes, ingress, addVersion, istioGateways);} else if (o.kind === 'DestinationRule' && group === 'networking.istio.io') {
        const svc = hostService(o.spec?.host, ns(o));
        if (!svc) continue;
        for (const s of objs(o.spec?.subsets)) addVersion(svc, s.name);
        const tp = map(o.spec?.trafficPolicy);
        if (tp.outlierDetection) settings.push({ service: svc, name: 'circuitBreaker', value: outlierText(tp.outlierDetection), source: src(o, ' trafficPolicy.outlierDetection') });
        if (tp.connectionPool) settings.push({ service: svc, name: 'connectionPool', value: poolText(tp.connectionPool), source: src(o, ' trafficPolicy.connectionPool') });
      } else if ((o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute') && /gateway\.networking\.k8s\.io|policy\.linkerd\.io/.test(group)) {
        this.gatewayRoute(o, gateways, routes, ingress, egress, versionOf, addVersion);
      } else if (o.kind === 'TLSRoute' || o.kind === 'TCPRoute') {
        this.gatewayRoute(o, gateways, routes, ingress, egress, versionOf, addVersion);
      } else if (o.kind === 'ServiceRouter') {this.serviceRouter(o, routes, addVersion);} else if (o.kind === 'ServiceSplitter') {
        const svc = `${ns(o)}/${o.metadata.name}`;
        const backends = objs(o.spec?.splits).map((s: any) => ({ service: s.service ? `${s.namespace ?? ns(o)}/${s.service}` : svc, ...(s.serviceSubset ? { version: s.serviceSubset } : {}), weight: s.weight ?? 0 }));
        for (const b of backends) addVersion(b.service, b.version);
        routes.push({ service: svc, name: 'split', match: 'any', headers: [], backends, source: src(o, ' splits') });
      } else if (o.kind === 'ServiceResolver') {
        const svc = `${ns(o)}/${o.metadata.name}`;
        for (const v of Object.keys(map(o.spec?.subsets))) addVersion(svc, v);
        if (o.spec?.failover) settings.push({ service: svc, name: 'failover', value: JSON.stringify(o.spec.failover), source: src(o, ' failover') });
      } else if (o.kind === 'ServiceDefaults' && /consul/.test(group)) {
        const caller = `${ns(o)}/${o.metadata.name}`;
        for (const u of objs(o.spec?.upstreamConfig?.overrides)) {
          const svc = `${u.namespace ?? ns(o)}/${u.name}`;
          const hc = u.passiveHealthCheck;
          if (hc) settings.push({ service: svc, name: 'circuitBreaker', value: `from ${caller}: ${[hc.maxFailures !== undefined ? `${hc.maxFailures} failures` : '', hc.interval ? `every ${hc.interval}` : '', hc.baseEjectionTime ? `eject ${hc.baseEjectionTime}` : '', hc.maxEjectionPercent !== undefined ? `at most ${hc.maxEjectionPercent}%` : ''].filter(Boolean).join(', ')}`, source: src(o, ' upstreamConfig.overrides') });
          if (u.limits) settings.push({ service: svc, name: 'connectionPool', value: `from ${caller}: ${poolText(u.limits)}`, source: src(o, ' upstreamConfig.overrides') });
        }
        const dest = o.spec?.destination;
        if (arr(dest?.addresses).length) {
          egress.push({ host: arr(dest.addresses).join(', '), ports: dest.port !== undefined ? [`${dest.port}/${o.spec.protocol ?? 'tcp'}`] : [], callers: [], namespace: ns(o), source: src(o, ' destination') });
        }
        if (o.spec?.rateLimits?.instanceLevel?.requestsPerSecond !== undefined) {
          settings.push({ service: `${ns(o)}/${o.metadata.name}`, name: 'rateLimit', value: `${o.spec.rateLimits.instanceLevel.requestsPerSecond}/s per instance`, source: src(o, ' rateLimits') });
        }
      } else if (o.kind === 'Service' && o.apiVersion === 'v1') {
        const a = map(o.metadata?.annotations);
        if (a['balancer.linkerd.io/failure-accrual'] === 'consecutive') {
          settings.push({ service: `${ns(o)}/${o.metadata.name}`, name: 'circuitBreaker', value: [`${a['balancer.linkerd.io/failure-accrual-consecutive-max-failures'] ?? 7} consecutive failures`, a['balancer.linkerd.io/failure-accrual-consecutive-min-penalty'] ? `penalty ${a['balancer.linkerd.io/failure-accrual-consecutive-min-penalty']}..${a['balancer.linkerd.io/failure-accrual-consecutive-max-penalty'] ?? ''}` : ''].filter(Boolean).join(', '), source: src(o, ' annotations') });
        }
        for (const [k, name] of [['timeout.linkerd.io/request', 'timeout'], ['retry.linkerd.io/http', 'retries']]) {
          if (a[k]) settings.push({ service: `${ns(o)}/${o.metadata.name}`, name, value: name === 'retries' ? linkerdRetries(a) : a[k], source: src(o, ' annotations') });
        }
      } else if (o.kind === 'HTTPLocalRateLimitPolicy') {
        const server = objects.find(s => s.kind === 'Server' && ns(s) === ns(o) && s.metadata?.name === o.spec?.targetRef?.name);
        const app = server?.spec?.podSelector?.matchLabels;
        const svc = k8sServices.find(s => ns(s) === ns(o) && app && subset(s.spec?.selector, app))
          ?? k8sServices.find(s => ns(s) === ns(o) && app?.app === s.metadata.name);
        settings.push({ service: svc ? `${ns(svc)}/${svc.metadata.name}` : `${ns(o)}/${o.spec?.targetRef?.name}`, name: 'rateLimit', value: `${o.spec?.total?.requestsPerSecond ?? '?'}/s in total${o.spec?.identity ? `, ${o.spec.identity.requestsPerSecond}/s per caller` : ''}`, source: src(o, ' total') });
      } else if (o.kind === 'ServiceEntry' && group === 'networking.istio.io') {
        for (const host of arr(o.spec?.hosts)) {
          egress.push({ host, ports: objs(o.spec?.ports).map((p: any) => `${p.number}/${p.protocol ?? 'TCP'}`), callers: [], namespace: ns(o), source: src(o, ' hosts') });
        }
      } else if (o.kind === 'Sidecar' && group === 'networking.istio.io' && o.spec?.outboundTrafficPolicy?.mode) {
        egressPolicies.push(`${ns(o)}: ${o.spec.outboundTrafficPolicy.mode} (${src(o)})`);
      } else if (o.kind === 'EgressNetwork') {
        egressPolicies.push(`${ns(o)}: ${o.spec?.trafficPolicy === 'Deny' ? 'REGISTRY_ONLY' : 'ALLOW_ANY'} (${src(o)})`);
      } else if (o.kind === 'TerminatingGateway') {
        for (const s of objs(o.spec?.services)) {
          if (!destinations.has(s.name)) egress.push({ host: s.name, ports: [], callers: [], namespace: s.namespace ?? ns(o), source: src(o, ' services') });
        }
      } else if (o.kind === 'Gateway' && group === 'networking.istio.io') {
        // the hosts of the Gateway come with the VirtualServices that bind to it
      } else if (o.kind === 'Mesh' && /consul/.test(group) && o.spec?.transparentProxy?.meshDestinationsOnly !== undefined) {
        egressPolicies.push(`${ns(o)}: ${o.spec.transparentProxy.meshDestinationsOnly ? 'REGISTRY_ONLY' : 'ALLOW_ANY'} (${src(o)})`);
      }
    }

    // ---- who may call whom: the reachability matrix, for the callers that may matter to each service
    const decisions = this.decide(matrix, objects, options);
    this.decisions = decisions;
    type Pair = { caller: string; service: string; allowed: string[]; denied: string[]; reasons: string[]; deniedReasons: string[]; enforced: boolean };
    const edges = new Map<string, Pair>();
    for (const d of decisions) {
      const key = `${d.caller}\u0000${d.service}`;
      let e = edges.get(key);
      if (!e) {
        e = { caller: d.caller, service: d.service, allowed: [], denied: [], reasons: [], deniedReasons: [], enforced: d.enforced !== false };
        edges.set(key, e);
      }
      const request = d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}`;
      if ((d.allowed ? e.allowed : e.denied).includes(request)) continue;
      if (d.allowed) { e.allowed.push(request); e.reasons.push(d.reason); } else { e.denied.push(request); e.deniedReasons.push(d.reason); }
    }
    // Consul's egress: the intentions of the destination that names the host
    const edgesTo = new Map<string, Pair[]>();
    for (const e of edges.values()) {
      if (!edgesTo.has(e.service)) edgesTo.set(e.service, []);
      edgesTo.get(e.service)!.push(e);
    }
    for (const eg of egress) {
      if (this.mesh !== 'consul') continue;
      const name = /ServiceDefaults [^/]+\/(\S+)/.exec(eg.source)?.[1];
      (eg as { callers: string[] }).callers = (edgesTo.get(`${eg.namespace}/${name}`) ?? []).filter(e => e.allowed.length).map(e => [...identityServices.get(e.caller) ?? [e.caller]][0]).sort();
    }
    const egressNames = new Set(egress.map(eg => `${eg.namespace}/${/ServiceDefaults [^/]+\/(\S+)/.exec(eg.source)?.[1]}`));

    // ---- the services
    const ids = new Set<string>([...k8sServices.map(s => `${ns(s)}/${s.metadata.name}`), ...matrix.services(), ...routes.map(r => r.service)]);
    for (const e of egressNames) ids.delete(e);
    // a gateway's own Service (Istio's <gateway>-istio): an entry point, not a service of the mesh
    for (const o of objects) if (o.kind === 'Gateway' && /gateway\.networking\.k8s\.io/.test(o.apiVersion)) ids.delete(`${ns(o)}/${o.metadata?.name}-istio`);
    for (const [v, parent] of versionOf) if (!ids.has(parent)) versionOf.delete(v);
    this.services = sortBy([...ids].map(id => {
      const [namespace, name] = id.split('/', 2);
      const ws = serviceWorkloads.get(id) ?? [];
      const identities = [...new Set(ws.map(w => (this.mesh === 'consul' ? id : `${ns(w)}/${podSa(w)}`)))].sort();
      return {
        id,
        namespace,
        name,
        versions: [...versions.get(id) ?? []].sort(),
        workloads: ws.map(w => `${w.kind} ${w.metadata?.name}`).sort(),
        identities,
        ...(versionOf.has(id) ? { versionOf: versionOf.get(id) } : {}),
      };
    }), s => s.id);
    const serviceIds = new Set(this.services.map(s => s.id));
    this.edges = sortBy([...edges.values()].filter(e => !egressNames.has(e.service)).map(e => {
      const services = [...identityServices.get(e.caller) ?? []].filter(s => serviceIds.has(s)).sort();
      const callerService = services.find(s => !versionOf.has(s)) ?? services[0];
      return {
        caller: e.caller,
        ...(callerService ? { callerService } : {}),
        service: e.service,
        allowed: e.allowed,
        denied: e.denied,
        reasons: [...e.reasons, ...e.deniedReasons],
        enforced: e.enforced,
      };
    }), e => `${e.service}\u0000${e.caller}`);
    this.routes = routes;
    this.settings = sortBy(settings, s => `${s.service}\u0000${s.name}\u0000${s.value}`);
    this.ingress = sortBy(ingress, i => `${i.gateway}\u0000${i.service}\u0000${i.match}`);
    this.egress = sortBy(egress, e => `${e.namespace}\u0000${e.host}`);
    this.egressPolicies = [...new Set(egressPolicies)].sort();
  }

  /** The edges along which at least one request is allowed. */
  public allowedEdges(): GraphEdge[] {
    return this.edges.filter(e => e.allowed.length > 0);
  }

  /** The edges along which every request decided is denied (the denied-by-default calls). */
  public deniedEdges(): GraphEdge[] {
    return this.edges.filter(e => e.allowed.length === 0);
  }

  /**
   * Decides one request with the policies of these manifests (the diff decides the requests of the
   * other side's graph on this one).
   * @internal
   */
  public _check(query: ReachabilityQuery): ReachabilityDecision {
    return this.matrix.check(query);
  }

  /** The allowed calls, entry points and external hosts as a Mermaid flowchart (a subgraph per namespace). */
  public toMermaid(): string {
    return renderMermaid(this);
  }

  /** The allowed calls, entry points and external hosts as Graphviz DOT (a cluster per namespace). */
  public toDot(): string {
    return renderDot(this);
  }

  /**
   * A self-contained HTML page of the graph (inline script and style: it opens with no network access):
   * services grouped by namespace, filters, search, a legend, the denied calls on demand.
   */
  public toHtml(title?: string): string {
    return renderHtml(this, { title });
  }

  /** The graph as plain JSON (what the HTML page embeds and `cdk8s-mesh graph --format json` prints). */
  public toJson(): any {
    return {
      mesh: this.mesh,
      ambient: this.ambient,
      services: this.services,
      routes: this.routes,
      settings: this.settings,
      ingress: this.ingress,
      egress: this.egress,
      egressPolicies: this.egressPolicies,
      edges: this.edges,
      objectCounts: this.objectCounts,
    };
  }

  /**
   * The callers worth deciding for each service: those named by the policies that apply to it (or that
   * apply to every service of its namespace, or of the mesh), one unnamed caller per namespace (any
   * other workload) and one of another namespace, and one outside the mesh. Any other caller is decided
   * as the unnamed one of its namespace, so the table of 5,000 services is 5,000 small tables, not
   * 5,000 × 5,000 decisions.
   */
  private decide(matrix: ReachabilityMatrix, objects: any[], options: MeshGraphOptions): ReachabilityDecision[] {
    const ns = (o: any) => nsOf(o, this.defaultNs);
    const known = new Set(matrix.callers());
    const perService = new Map<string, Set<string>>();
    const perNamespace = new Map<string, Set<string>>();
    const everywhere = new Set<string>();
    const add = (into: Map<string, Set<string>>, key: string, callers: string[]) => {
      if (!into.has(key)) into.set(key, new Set());
      for (const c of callers) if (known.has(c)) into.get(key)!.add(c);
    };
    const callersOf = (list: any[]) => ReachabilityMatrix.fromManifests(list, options).callers();
    const rootNs = options.istioRootNamespace ?? 'istio-system';
    // Linkerd: what an AuthorizationPolicy's targets and authentications are
    const byName = new Map<string, any>();
    for (const o of objects) if (['Server', 'HTTPRoute', 'MeshTLSAuthentication', 'NetworkAuthentication'].includes(o.kind)) byName.set(`${o.kind} ${ns(o)}/${o.metadata?.name}`, o);
    for (const o of objects) {
      const group = String(o.apiVersion ?? '').split('/')[0];
      if (o.kind === 'AuthorizationPolicy' && group === 'security.istio.io') {
        const services = ReachabilityMatrix.fromManifests([o], options).services();
        const callers = callersOf([o]);
        const selectorOk = !o.spec?.selector || o.spec.selector.matchLabels?.app;
        const gatewayTarget = objs(o.spec?.targetRefs).some((t: any) => t.kind !== 'Service') || o.spec?.targetRef;
        if (ns(o) === rootNs && !o.spec?.selector) callers.forEach(c => everywhere.add(c));
        else if (!services.length || !selectorOk || gatewayTarget) add(perNamespace, ns(o), callers);
        else for (const s of services) add(perService, s, callers);
      } else if (o.kind === 'AuthorizationPolicy' && group === 'policy.linkerd.io') {
        const refs = objs(o.spec?.requiredAuthenticationRefs);
        const callers = refs.flatMap((r: any) => (r.kind === 'ServiceAccount' ? [`${r.namespace ?? ns(o)}/${r.name}`]
          : byName.has(`${r.kind} ${r.namespace ?? ns(o)}/${r.name}`) ? callersOf([byName.get(`${r.kind} ${r.namespace ?? ns(o)}/${r.name}`)]) : []));
        const t = map(o.spec?.targetRef);
        let server = t.kind === 'Server' ? byName.get(`Server ${ns(o)}/${t.name}`) : undefined;
        if (t.kind === 'HTTPRoute') {
          const route = byName.get(`HTTPRoute ${ns(o)}/${t.name}`);
          const p = objs(route?.spec?.parentRefs).find((x: any) => x.kind === 'Server');
          server = p ? byName.get(`Server ${ns(o)}/${p.name}`) : undefined;
        }
        const services = server ? ReachabilityMatrix.fromManifests([server], options).services() : [];
        if (services.length) for (const s of services) add(perService, s, callers);
        else add(perNamespace, ns(o), callers);
      } else if (o.kind === 'ServiceIntentions') {
        const dest = map(o.spec?.destination);
        const callers = callersOf([o]);
        if (dest.name === '*' || !dest.name) callers.forEach(c => everywhere.add(c));
        else add(perService, `${dest.namespace ?? ns(o)}/${dest.name}`, callers);
      }
    }
    const services = matrix.services();
    const peers = [...new Set([...known].filter(c => c.startsWith('peer:')).map(c => c.slice(5).split('/')[0]))];
    // any other workload of the service's namespace, of another namespace, of each peer; a client outside the mesh
    const generic = [OTHER_NAMESPACE, ...peers.map(p => `peer:${p}/${this.defaultNs}/unnamed`), ...(options.outsideCaller === false ? [] : [OUTSIDE])];
    const out: ReachabilityDecision[] = [];
    for (const s of services) {
      const namespace = s.split('/')[0];
      const callers = new Set<string>([...everywhere, ...perNamespace.get(namespace) ?? [], ...perService.get(s) ?? []]);
      for (const d of matrix.table([...[...callers].sort(), `${namespace}/unnamed`, ...generic], [s])) out.push(d);
    }
    return out;
  }

  private virtualService(o: any, routes: GraphRoute[], ingress: GraphIngress[], addVersion: (s: string, v?: string) => void,
    istioGateways: Map<string, any>): void {
    const ns = nsOf(o, this.defaultNs);
    const gateways: string[] = arr(o.spec?.gateways).map(String);
    const mesh = !gateways.length || gateways.includes('mesh');
    const hosts: string[] = arr(o.spec?.hosts).map(String);
    const services = hosts.map(h => hostService(h, ns)).filter((s): s is string => !!s);
    objs(o.spec?.http).forEach((r: any, i: number) => {
      const matches: any[] = objs(r.match).length ? objs(r.match) : [{}];
      const match = joinMatches(matches.map(m => [m.method ? istioString(m.method) : '', istioString(m.uri)].filter(Boolean).join(' ')));
      const headers = [...new Set(matches.flatMap(m => Object.entries(map(m.headers)).map(([k, v]) => `${k}=${istioString(v)}`)))].sort();
      const backends: GraphBackend[] = objs(r.route).map((d: any) => {
        const svc = hostService(d.destination?.host, ns) ?? String(d.destination?.host);
        if (d.destination?.subset) addVersion(svc, d.destination.subset);
        return { service: svc, ...(d.destination?.subset ? { version: d.destination.subset } : {}), ...(d.weight !== undefined ? { weight: d.weight } : {}) };
      });
      const mirror = r.mirror ? `${hostService(r.mirror.host, ns) ?? r.mirror.host}${r.mirror.subset ? ` ${r.mirror.subset}` : ''} (${r.mirrorPercentage?.value ?? 100}%)` : undefined;
      const base = {
        name: r.name ?? `#${i}`,
        match,
        headers,
        backends,
        ...(mirror ? { mirror } : {}),
        ...(r.timeout ? { timeout: r.timeout } : {}),
        ...(r.retries ? { retries: istioRetries(r.retries) } : {}),
        ...(r.fault ? { fault: faultText(r.fault) } : {}),
        source: `${ref(o, this.defaultNs)} http[${i}]`,
      };
      if (mesh) for (const s of services) routes.push({ service: s, ...base });
      for (const g of gateways.filter(x => x !== 'mesh')) {
        const gw = g.includes('/') ? g : `${ns}/${g}`;
        // a Gateway among the manifests that serves none of the hosts to this namespace (its server hosts are
        // namespace/host of another namespace) does not bind the VirtualService (buildGatewayHTTPRouteConfig)
        const gwObj = istioGateways.get(gw);
        if (gwObj && !istioGatewayHosts(gwObj, gw.split('/')[0], ns).some(e => e.forVs && hosts.some(h => hostsOverlap(e.host, h)))) continue;
        for (const b of backends) ingress.push({ gateway: gw, hosts, match, service: b.service, source: base.source });
      }
    });
  }

  private gatewayRoute(o: any, gateways: Map<string, any>, routes: GraphRoute[], ingress: GraphIngress[], egress: GraphEgress[],
    versionOf: Map<string, string>, addVersion: (s: string, v?: string) => void): void {
    const ns = nsOf(o, this.defaultNs);
    const parents: any[] = arr(o.spec?.parentRefs).filter(p => p && typeof p === 'object');
    const a = map(o.metadata?.annotations);
    objs(o.spec?.rules).forEach((r: any, i: number) => {
      const matches: any[] = objs(r.matches).length ? objs(r.matches) : [{}];
      const match = o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute'
        ? joinMatches(matches.map(m => [m.method ?? '', gatewayPath(m.path)].filter(Boolean).join(' ')))
        : 'any';
      const headers = [...new Set(matches.flatMap(m => objs(m.headers).map((h: any) => `${h.name}${h.type === 'RegularExpression' ? '~' : '='}${h.value}`)))].sort() as string[];
      const backends: GraphBackend[] = objs(r.backendRefs).filter((b: any) => !b.kind || b.kind === 'Service').map((b: any) => ({
        service: `${b.namespace ?? ns}/${b.name}`, ...(b.weight !== undefined && objs(r.backendRefs).length > 1 ? { weight: b.weight } : {}),
      }));
      const mirrors = objs(r.filters).filter((f: any) => f.type === 'RequestMirror').map((f: any) => `${f.requestMirror?.backendRef?.namespace ?? ns}/${f.requestMirror?.backendRef?.name} (${f.requestMirror?.percent ?? f.requestMirror?.fraction?.numerator ?? 100}%)`);
      const retries = r.retry ? `${r.retry.attempts ?? '?'} attempts${arr(r.retry.codes).length ? ` on ${arr(r.retry.codes).join(',')}` : ''}${r.retry.backoff ? `, backoff ${r.retry.backoff}` : ''}`
        : a['retry.linkerd.io/http'] || a['retry.linkerd.io/limit'] ? linkerdRetries(a) : undefined;
      const timeout = r.timeouts?.request ?? a['timeout.linkerd.io/request'];
      const source = `${ref(o, this.defaultNs)} rules[${i}]`;
      for (const p of parents) {
        const pns = p.namespace ?? ns;
        if ((p.kind ?? 'Gateway') === 'Service' && (p.group ?? '') === '') {
          const svc = `${pns}/${p.name}`;
          const withVersions = backends.map(b => {
            if (b.service === svc) return b;
            // a per-version Service (payment-v2) of the service the route is for
            const version = b.service.startsWith(`${svc}-`) ? b.service.slice(svc.length + 1) : undefined;
            if (version) { versionOf.set(b.service, svc); addVersion(svc, version); }
            return version ? { ...b, version } : b;
          });
          routes.push({
            service: svc,
            name: o.metadata?.name + (o.spec.rules.length > 1 ? `[${i}]` : ''),
            match,
            headers,
            backends: withVersions,
            ...(mirrors.length ? { mirror: mirrors.join(', ') } : {}),
            ...(timeout ? { timeout } : {}),
            ...(retries ? { retries } : {}),
            source,
          });
        } else if ((p.kind ?? 'Gateway') === 'Gateway') {
          const gw = gateways.get(`${pns}/${p.name}`);
          if (gw?.spec?.gatewayClassName === 'istio-waypoint') continue;
          const hosts: string[] = arr(o.spec?.hostnames).length ? arr(o.spec?.hostnames).map(String)
            : [...new Set<string>(objs(gw?.spec?.listeners).map((l: any) => l.hostname).filter(Boolean))];
          // a redirect (no backends) is not a route into the mesh
          for (const b of backends) ingress.push({ gateway: `${pns}/${p.name}`, hosts, match, service: b.service, source });
        } else if (p.kind === 'EgressNetwork') {
          for (const host of arr(o.spec?.hostnames).length ? arr(o.spec?.hostnames).map(String) : ['*']) {
            egress.push({ host, ports: p.port !== undefined ? [`${p.port}/${o.kind === 'TLSRoute' ? 'TLS' : o.kind === 'HTTPRoute' ? 'HTTP' : 'TCP'}`] : [], callers: [], namespace: pns, source });
          }
        }
      }
    });
  }

  private serviceRouter(o: any, routes: GraphRoute[], addVersion: (s: string, v?: string) => void): void {
    const ns = nsOf(o, this.defaultNs);
    const svc = `${ns}/${o.metadata?.name}`;
    objs(o.spec?.routes).forEach((r: any, i: number) => {
      const h = map(map(r.match).http);
      const path = h.pathExact ?? (h.pathPrefix !== undefined ? (h.pathPrefix === '/' ? '' : `${h.pathPrefix}*`) : h.pathRegex !== undefined ? `~${h.pathRegex}` : '');
      const match = joinMatches((arr(h.methods).length ? arr(h.methods) : ['']).map((m: string) => [m, path].filter(Boolean).join(' ')));
      const headers = objs(h.header).map((x: any) => `${x.name}${x.exact !== undefined ? `=${x.exact}` : x.prefix !== undefined ? `*${x.prefix}` : x.regex !== undefined ? `~${x.regex}` : x.present ? ' present' : ''}`).sort();
      const d = map(r.destination);
      const target = d.service ? `${d.namespace ?? ns}/${d.service}` : svc;
      if (d.serviceSubset) addVersion(target, d.serviceSubset);
      const retries = d.numRetries !== undefined ? `${d.numRetries} attempts${arr(d.retryOn).length ? ` on ${arr(d.retryOn).join(',')}` : ''}${d.retryOnConnectFailure ? ', on connect failure' : ''}` : undefined;
      routes.push({
        service: svc,
        name: `#${i}`,
        match,
        headers,
        backends: [{ service: target, ...(d.serviceSubset ? { version: d.serviceSubset } : {}) }],
        ...(d.requestTimeout ? { timeout: d.requestTimeout } : {}),
        ...(retries ? { retries } : {}),
        source: `${ref(o, this.defaultNs)} routes[${i}]`,
      });
    });
  }
}

function linkerdRetries(a: { [k: string]: string }): string {
  return [`${a['retry.linkerd.io/limit'] ?? 1} attempts`, a['retry.linkerd.io/timeout'] ? `${a['retry.linkerd.io/timeout']} per try` : '', a['retry.linkerd.io/http'] ? `on ${a['retry.linkerd.io/http']}` : ''].filter(Boolean).join(', ');
}
