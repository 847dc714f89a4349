import * as fs from 'fs';
import { BlockList, isIP } from 'net';
import { Severity } from './findings';
import { enrolmentStep, flaggerApexService, namespaceEnrolled, podEnrolled, podPortRefs, podPortsOf, WorkloadFacts, workloadsOf } from './private/enrolment';
import { expandPaths } from './private/files';
import { labelSelectorMatches, podTemplatesOf, PodTemplateFacts } from './private/pod-templates';
import { InvalidManifestsError, loadManifests } from './private/yaml';
import { gatewayPodsEnrolled } from './rules/istio';
import { ManifestValidator } from './validator';
import { formatTableLines } from '../private/format';
import { isLinkerdPolicy, LINKERD_DEFAULT_POLICY_ANNOTATION, linkerdAuthenticatedOnly, linkerdRequiresIdentity } from '../private/linkerd-policy';

/**
 * Options for reading policies back.
 */
export interface ReachabilityOptions {
  /**
   * The namespace of objects and names that have none.
   * @default 'default'
   */
  readonly defaultNamespace?: string;
  /**
   * Istio's root namespace: its policies apply to every namespace.
   * @default 'istio-system'
   */
  readonly istioRootNamespace?: string;
  /**
   * Linkerd's cluster-wide default inbound policy (the Helm value `proxy.defaultInboundPolicy`), for pods whose
   * default neither their pod template nor their Namespace object among the manifests gives
   * (`config.linkerd.io/default-inbound-policy`: the pod's first, then the namespace's), or whose own value
   * Linkerd cannot parse.
   * @default 'all-unauthenticated'
   */
  readonly linkerdDefaultInboundPolicy?: string;
  /**
   * Whether Consul allows the requests no intention decides (no intention matches, or none of the matched
   * source's permissions does): the ACL default policy `allow`, the Helm chart's default (ACLs off).
   * @default true
   */
  readonly consulDefaultAllow?: boolean;
  /**
   * Whether Consul injects pods that carry no `consul.hashicorp.com/connect-inject` annotation (the Helm
   * value `connectInject.default`), to tell whether a service's workloads among the manifests are meshed.
   * @default false
   */
  readonly consulConnectInjectDefault?: boolean;
  /**
   * Whether the Consul servers run Enterprise with namespaces mirrored from Kubernetes: intentions then
   * match destinations and sources per namespace (a source without one is in its destination's).
   * @default - true when an intention names a namespace, else false (Community Edition: one namespace)
   */
  readonly consulEnterprise?: boolean;
}

/**
 * A request to check: who calls which service, how.
 */
export interface ReachabilityQuery {
  /**
   * The caller: `namespace/serviceAccount` for a meshed workload, `ip:10.1.2.3` for a client outside the
   * mesh, or (Consul cluster peering) `peer:<peer>/namespace/service` for a service of a peer cluster.
   */
  readonly caller: string;
  /** The service: `namespace/name` (or `name` in the default namespace). */
  readonly service: string;
  /**
   * The HTTP method.
   * @default 'GET'
   */
  readonly method?: string;
  /**
   * The request path.
   * @default '/'
   */
  readonly path?: string;
  /**
   * Whether the request carries a valid JWT.
   * @default false
   */
  readonly withJwt?: boolean;
  /**
   * The Service port called. The enforcing proxy sees it as the Service's `targetPort` on the pods
   * (Istio sidecar and ztunnel rules with `ports`, the Linkerd `Server` of that pod port) and as the
   * Service port at an Istio waypoint.
   * @default - the Service's one port when the manifests hold the Service; else any port
   */
  readonly port?: number;
}

/**
 * Whether a request is allowed, and why.
 */
export interface ReachabilityDecision {
  /** The caller. */
  readonly caller: string;
  /** The service, as `namespace/name`. */
  readonly service: string;
  /** The method. */
  readonly method: string;
  /** The path. */
  readonly path: string;
  /** Whether a valid JWT was assumed. */
  readonly withJwt: boolean;
  /** Allowed or not. */
  readonly allowed: boolean;
  /** Which policy and rule decided (or which default). */
  readonly reason: string;
  /** The mesh whose policies decided: istio, linkerd, consul, or none. */
  readonly mesh: string;
  /**
   * False when the manifests show that the mesh does not inject the service's pods (its Namespace is not
   * enrolled, or its workloads opt out): nothing enforces the policies, and the request passes.
   * @default true
   */
  readonly enforced?: boolean;
  /**
   * `tcp` when the service speaks TCP (Consul: its ServiceDefaults protocol is tcp), so the proxy sees
   * no method or path: the decision is for any connection (a table shows the request as `TCP`).
   * @default - an HTTP service, or not known
   */
  readonly protocol?: string;
}

/**
 * Who may call a service (the summary view of the reachability table).
 * @internal
 */
export interface ReachabilitySummary {
  /** The service, as `namespace/name`. */
  readonly service: string;
  /** False when nothing enforces the policies on its pods (every request passes). */
  readonly enforced: boolean;
  /** The requests tried (the methods and paths its policies mention, and GET /). */
  readonly requests: string[];
  /** Each caller allowed at least one request, with those requests (`*`: all of them). */
  readonly callers: { caller: string; requests: string[] }[];
}

interface Caller {
  readonly ns?: string;
  readonly sa?: string;
  readonly ip?: string;
  /** Consul: the peer cluster the caller is in (undefined: this cluster). */
  readonly peer?: string;
  readonly meshed: boolean;
}

/** The callers' classes of a list of callers (`callerClassList`). */
interface CallerClassList {
  /** Each caller's class (its unnamed caller), or undefined when it is always decided itself. */
  readonly reps: (string | undefined)[];
  /** The callers of a class by service account. */
  readonly bySa: Map<string, number[]>;
  /** The members of each class, in the order of the list. */
  readonly members: Map<string, number[]>;
  /** The callers always decided themselves, in order. */
  readonly alone: number[];
  /** Whether no caller occurs twice. */
  readonly distinct: boolean;
  /** The callers of a class whose service account occurs in a run of characters (`callerClasses`), by run. */
  readonly hits: Map<string, number[]>;
  /** The lengths of the service accounts of `bySa`. */
  readonly saLengths: number[];
}

/** A service's classes: those of its list of callers, but the callers its policies may name, decided themselves. */
interface CallerClassPlan {
  readonly list: CallerClassList;
  readonly named: Set<number>;
}

/** A source of a Consul intention: the intention, the source's index, and the intention's place among those read. */
interface ConsulSource {
  readonly o: any;
  readonly i: number;
  readonly at: number;
}

interface Request {
  readonly caller: Caller;
  readonly ns: string;
  readonly name: string;
  readonly labels: { [k: string]: string };
  readonly method: string;
  readonly path: string;
  readonly jwt: boolean;
  /** The pod ports the request may reach (the Service's target ports), when the Service is known. */
  readonly targetPorts?: (number | string)[];
  /** The port at the pods (sidecar, ztunnel) and at the Service (waypoint); undefined: any. */
  readonly podPort?: number;
  /**
   * A named targetPort that the selected pods give different numbers: each number and its workloads, decided one
   * by one (the request reaches one pod of the Service, at that pod's port).
   */
  readonly podPortGroups?: { readonly port: number; readonly pods: string }[];
  readonly servicePort?: number;
}


function ref(o: any): string {
  return `${o.kind} ${o.metadata?.namespace ?? ''}${o.metadata?.namespace ? '/' : ''}${o.metadata?.name}`;
}

function subset(selector: { [k: string]: string } | undefined, labels: { [k: string]: string }): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * Whether a Kubernetes label selector (a Linkerd Server's `podSelector`: `matchLabels` and
 * `matchExpressions`) selects pods with these labels (a Service's selector: the labels its pods are known
 * to have). An expression on a label the Service does not name selects none of them, as far as known.
 */
const selects = labelSelectorMatches;

/** The match of a GRPCRoute rule without matches, which Linkerd's proxy matches to every request (linkerdGrpcRoute). */
const IMPLICIT_MATCH = Object.freeze({});

/** Istio string matching: exact, `*`, `prefix*`, `*suffix`. */
function istioMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return value !== '';
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function anyMatch(patterns: string[] | undefined, value: string | undefined): boolean {
  return value !== undefined && (patterns ?? []).some(p => istioMatch(p, value));
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [network, bits] = cidr.includes('/') ? cidr.split('/') : [cidr, undefined];
  const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
  if (!isIP(ip) || !isIP(network)) return false;
  const list = new BlockList();
  list.addSubnet(network, bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family);
  return list.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Who may call whom: reads the authorization policies of Istio, Linkerd or Consul from manifests
 * (our output or hand-written YAML) and decides requests, naming the rule that decided.
 *
 * @example
 * import { Testing } from 'cdk8s';
 * import { ReachabilityMatrix } from 'cdk8s-mesh';
 *
 * const matrix = ReachabilityMatrix.fromManifests(Testing.synth(chart), { defaultNamespace: 'shop' });
 * matrix.check({ caller: 'shop/order', service: 'shop/payment', method: 'POST', path: '/process-payment' }).allowed; // true
 */
export class ReachabilityMatrix {
  /** From manifest objects. */
  public static fromManifests(objects: any[], options: ReachabilityOptions = {}): ReachabilityMatrix {
    return new ReachabilityMatrix(objects.filter(o => o && typeof o === 'object' && o.kind), options);
  }

  /** From a stream of YAML documents. */
  public static fromYaml(text: string, options: ReachabilityOptions = {}): ReachabilityMatrix {
    return ReachabilityMatrix.fromManifests(loadManifests(text).documents.map(d => d.obj), options);
  }

  /** From files and folders of YAML. */
  public static fromFiles(paths: string[], options: ReachabilityOptions = {}): ReachabilityMatrix {
    const docs = expandPaths(paths).flatMap(p => loadManifests(fs.readFileSync(p, 'utf8'), p).documents.map(d => d.obj));
    return ReachabilityMatrix.fromManifests(docs, options);
  }

  /** A table of decisions, one per line. */
  public static formatTable(decisions: ReachabilityDecision[]): string {
    return [...formatTableLines(decisions)].join('');
  }

  private readonly objects: any[];
  /** The objects of each kind, in their order (read once: a table of 5,000 services looks kinds up per service). */
  private kinds?: Map<string, any[]>;
  private readonly memo = new Map<string, any>();
  private readonly targets = new WeakMap<Request, string>();
  private readonly targetKeys = new Map<string, string>();
  private readonly targetIds = new Map<string, string>();
  private readonly targetsRead = new Map<string, Omit<Request, 'caller' | 'method' | 'path' | 'jwt'>>();
  private readonly callersRead = new Map<string, Caller>();
  /** The callers' classes of a list of callers (`callerClasses`), and the callers by service account. */
  private readonly callerClassLists = new WeakMap<string[], CallerClassList>();
  /** The strings of the objects that can decide for a service (`stringsOf`). */
  private readonly objectStrings = new WeakMap<object, { pattern: boolean; runs: string[] }>();
  private readonly targetFacts = new Map<string, { unmeshed: string | undefined; tcp: boolean }>();
  private readonly consulByName = new Map<string, { enterprise: boolean; intentions: any[]; sources: Map<string, ConsulSource[]> }>();
  private readonly defaultNs: string;
  /**
   * Decide every caller per caller, not per class (`decideCallers`): the reference the class-based
   * path is tested against.
   * @internal
   */
  public _perCaller = false;
  private readonly rootNs: string;
  /** The ambient facts of the objects (indexed on first use). */
  private ambient?: { namespaces: Set<string>; waypoints: Map<string, string>; identities: Set<string> };

  private constructor(objects: any[], private readonly options: ReachabilityOptions) {
    this.objects = objects;
    this.defaultNs = options.defaultNamespace ?? 'default';
    this.rootNs = options.istioRootNamespace ?? 'istio-system';
  }

  /** The mesh whose policies are in the manifests: istio, linkerd, consul, or none. */
  public get mesh(): string {
    return this.once('mesh', () => {
      if (this.objects.some(o => /^security\.istio\.io\//.test(o.apiVersion))) return 'istio';
      if (this.objects.some(o => /^policy\.linkerd\.io\//.test(o.apiVersion) && ['Server', 'AuthorizationPolicy'].includes(o.kind))) return 'linkerd';
      if (this.objects.some(o => o.kind === 'ServiceIntentions')) return 'consul';
      return 'none';
    });
  }

  /**
   * A value that depends only on the objects and on `key`, computed once: a table decides every caller
   * and request for each service, so lookups that do not depend on the caller, method or path are made
   * once per service, not once per decision (1,000 policies: 2 million decisions).
   */
  private once<T>(key: string, compute: () => T): T {
    const known = this.memo.get(key);
    if (known !== undefined || this.memo.has(key)) return known;
    const value = compute();
    this.memo.set(key, value);
    return value;
  }

  /** A caller, parsed once (callers are immutable). */
  private callerOf(text: string): Caller {
    let caller = this.callersRead.get(text);
    if (!caller) this.callersRead.set(text, caller = this.parseCaller(text));
    return caller;
  }

  /** What a request targets (everything but its caller, method, path and JWT), as a memo key. */
  private targetKey(what: string, req: Request): string {
    let key = this.targets.get(req);
    if (key === undefined) {
      const { caller: _caller, method: _method, path: _path, jwt: _jwt, ...target } = req;
      // a short key for each distinct target (memo keys are hashed on every lookup)
      const json = JSON.stringify(target);
      key = this.targetIds.get(json);
      if (key === undefined) this.targetIds.set(json, key = `#${this.targetIds.size}`);
      this.targets.set(req, key);
    }
    return `${what} ${key}`;
  }

  /** The services the policies protect, as `namespace/name`, sorted. */
  public services(): string[] {
    return this.guard(() => this.servicesRead());
  }

  private servicesRead(): string[] {
    const out = new Set<string>();
    for (const o of this.objects) {
      const ns = this.ns(o);
      if (o.kind === 'Service' && o.apiVersion === 'v1') out.add(`${ns}/${o.metadata.name}`);
      if (o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) && o.spec?.selector?.matchLabels?.app) out.add(`${ns}/${o.spec.selector.matchLabels.app}`);
      for (const t of o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) ? o.spec?.targetRefs ?? [] : []) if (t.kind === 'Service') out.add(`${ns}/${t.name}`);
      if (o.kind === 'Server' && o.spec?.podSelector?.matchLabels?.app) out.add(`${ns}/${o.spec.podSelector.matchLabels.app}`);
      if (o.kind === 'ServiceIntentions' && o.spec?.destination?.name && o.spec.destination.name !== '*') out.add(`${ns}/${o.spec.destination.name}`);
      // the Service a Flagger Canary generates
      if (o.kind === 'Canary' && /^flagger\.app\//.test(o.apiVersion) && typeof (o.spec?.service?.name ?? o.spec?.targetRef?.name) === 'string') out.add(`${ns}/${o.spec.service?.name ?? o.spec.targetRef.name}`);
    }
    return [...out].sort();
  }

  /** The callers the policies name, as `namespace/serviceAccount`, sorted. */
  public callers(): string[] {
    return this.guard(() => this.namedCallers());
  }

  private namedCallers(): string[] {
    const out = new Set<string>();
    for (const o of this.objects) {
      const ns = this.ns(o);
      for (const r of o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) ? o.spec?.rules ?? [] : []) {
        for (const f of r.from ?? []) {
          for (const p of f.source?.principals ?? []) {
            const m = /\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p);
            if (m && !p.includes('*') && !this.isWaypoint(m[1], m[2])) out.add(`${m[1]}/${m[2]}`);
          }
        }
      }
      if (o.kind === 'MeshTLSAuthentication') {
        for (const r of o.spec?.identityRefs ?? []) if (r.kind === 'ServiceAccount' && r.name) out.add(`${r.namespace ?? ns}/${r.name}`);
        // a namespace identity (e.g. Envoy Gateway's proxies, whose service accounts are generated): any workload of it
        for (const r of o.spec?.identityRefs ?? []) if (r.kind === 'Namespace' && r.name) out.add(`${r.name}/*`);
      }
      if (o.kind === 'ServiceIntentions') {
        for (const s of o.spec?.sources ?? []) if (s.name && s.name !== '*') out.add(`${s.peer ? `peer:${s.peer}/` : ''}${s.namespace ?? ns}/${s.name}`);
      }
    }
    return [...out].sort();
  }

  /** Decides one request. */
  public check(query: ReachabilityQuery): ReachabilityDecision {
    return this.guard(() => this.decide(query));
  }

  private decide(query: ReachabilityQuery): ReachabilityDecision {
    const caller = this.callerOf(query.caller);
    // what the request targets (the Service, its ports and pods) is the same for every caller, method
    // and path: read once per service and port, with its memo key
    const targetId = `${query.service} ${query.port ?? ''}`;
    let target = this.targetsRead.get(targetId);
    if (!target) {
      const [ns, name] = query.service.includes('/') ? query.service.split('/', 2) : [this.defaultNs, query.service];
      const svc = this.serviceObject(ns, name);
      const svcPorts: any[] = svc?.spec?.ports ?? [];
      // the Service port called: the one asked for, or the Service's only port
      const called = query.port !== undefined ? svcPorts.find(p => p.port === query.port) : svcPorts.length === 1 ? svcPorts[0] : undefined;
      const calledTarget = called ? called.targetPort ?? called.port : query.port;
      const labels = svc?.spec?.selector ?? { app: name };
      const pods = this.selectedWorkloads(ns, labels);
      // a named targetPort is the pods' container port of that name (podPortsOf); unknown (no such pod among the
      // manifests): any port
      const groups = typeof calledTarget === 'string' ? podPortsOf(pods, calledTarget) : [];
      target = {
        ns,
        name,
        labels,
        // without the Service in the manifests, the port asked is taken as its target port
        targetPorts: svc
          ? podPortRefs(pods, svcPorts.filter(p => query.port === undefined || p.port === query.port).map(p => p.targetPort ?? p.port)) as (number | string)[]
          : query.port !== undefined ? [query.port] : undefined,
        podPort: typeof calledTarget === 'number' ? calledTarget : groups.length === 1 ? groups[0].port : undefined,
        ...(groups.length > 1 ? { podPortGroups: groups.map(g => ({ port: g.port, pods: g.pods.map(w => `${w.kind} ${w.name}`).join(', ') })) } : {}),
        servicePort: query.port ?? called?.port,
      };
      this.targetsRead.set(targetId, target);
    }
    const { ns, name } = target;
    const req: Request = {
      caller,
      method: (query.method ?? 'GET').toUpperCase(),
      path: query.path ?? '/',
      jwt: query.withJwt ?? false,
      ...target,
    };
    let key = this.targetKeys.get(targetId);
    if (key === undefined) this.targetKeys.set(targetId, key = this.targetKey('', req).slice(1));
    else this.targets.set(req, key);
    const mesh = this.mesh;
    // whether the pods are meshed, and the protocol, do not depend on the caller or request: once per target
    let facts = this.targetFacts.get(targetId);
    if (!facts) {
      facts = {
        unmeshed: this.notMeshed(req, mesh),
        // (the names of the tcp ServiceDefaults, read once)
        tcp: mesh === 'consul' && this.once('consul-tcp', () => new Set(this.ofKind('ServiceDefaults').filter(o => o.spec?.protocol === 'tcp').map(o => o.metadata?.name))).has(name),
      };
      this.targetFacts.set(targetId, facts);
    }
    const unmeshed = facts.unmeshed;
    if (unmeshed) {
      return { caller: query.caller, service: `${ns}/${name}`, method: req.method, path: req.path, withJwt: req.jwt, allowed: true, reason: unmeshed, mesh, enforced: false };
    }
    const decideFor = (r: Request) => (mesh === 'istio' ? this.istio(r) : mesh === 'linkerd' ? this.linkerd(r) : mesh === 'consul' ? this.consul(r)
      : { allowed: true, reason: 'no authorization policy in the manifests' });
    // pods that give a named targetPort different numbers: the request reaches any of them, so it is allowed only if
    // each allows it at its own port (the first that refuses is named)
    const groups = req.podPortGroups;
    const verdicts = groups ? groups.map(g => ({ g, v: decideFor({ ...req, podPort: g.port, podPortGroups: undefined }) })) : undefined;
    const refused = verdicts?.find(x => !x.v.allowed);
    const verdict = !verdicts ? decideFor(req)
      : refused ? { allowed: false, reason: `the pods of ${refused.g.pods} (targetPort ${refused.g.port}): ${refused.v.reason}` }
        : { allowed: true, reason: verdicts.map(x => `the pods of ${x.g.pods} (targetPort ${x.g.port}): ${x.v.reason}`).join('; ') };
    const tcp = facts.tcp;
    return { caller: query.caller, service: `${ns}/${name}`, method: req.method, path: req.path, withJwt: req.jwt, allowed: verdict.allowed, reason: verdict.reason, mesh, ...(tcp ? { protocol: 'tcp' } : {}) };
  }

  /**
   * Decides every combination of callers, services and requests. By default: every caller the
   * policies name plus an unnamed one (`<ns>/unnamed`), every service they protect, and for each
   * service the methods and paths its policies mention plus `GET /`.
   */
  public table(callers?: string[], services?: string[]): ReachabilityDecision[] {
    return [...this._decisions(callers, services)];
  }

  /** The callers and services of `table`. */
  /**
   * Runs a read of the objects; a TypeError there means a field is not of its type (the matrix reads
   * the objects as their schemas say): the objects are then validated, and the schema errors of the kinds
   * it reads are thrown as an InvalidManifestsError naming each object, field and fix, not a TypeError.
   */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (e) {
      throw this.explained(e);
    }
  }

  private *guarded<T>(gen: Generator<T>): Generator<T> {
    try {
      yield* gen;
    } catch (e) {
      throw this.explained(e);
    }
  }

  private explained(e: unknown): unknown {
    if (!(e instanceof TypeError)) return e;
    const errors = ManifestValidator.validateObjects(this.objects).findings.filter(f => f.severity === Severity.ERROR);
    if (errors.length === 0) return e;
    return new InvalidManifestsError(errors.map(f => `${f.resource}${f.path ? ` ${f.path}` : ''}: ${f.message}`));
  }

  private tableAxes(callers?: string[], services?: string[]): { who: string[]; svcs: string[] } {
    const svcs = services ?? this.services();
    // an unnamed caller here, and one of each peer the intentions name (Consul cluster peering)
    const named = callers ? [] : this.callers();
    const peers = [...new Set(named.filter(c => c.startsWith('peer:')).map(c => c.slice(5).split('/')[0]))];
    const who = callers ?? [...named, `${this.defaultNs}/unnamed`, ...peers.map(p => `peer:${p}/${this.defaultNs}/unnamed`)];
    return { who, svcs };
  }

  /**
   * The decisions of `table`, one at a time (service by service, then request, then caller): a table of
   * 5,000 services holds 25 million decisions, which are written out as they are made, not kept.
   * @internal
   */
  public *_decisions(callers?: string[], services?: string[]): Generator<ReachabilityDecision> {
    yield* this.guarded(this.decisionsOf(callers, services));
  }

  private *decisionsOf(callers?: string[], services?: string[]): Generator<ReachabilityDecision> {
    const { who, svcs } = this.tableAxes(callers, services);
    for (const service of svcs) {
      const plan = this._perCaller ? undefined : this.callerClasses(service, who);
      // (a table writes every caller anyway: the plan as one rep per caller)
      const reps = plan && (plan.named.size ? plan.list.reps.map((r, i) => (plan.named.has(i) ? undefined : r)) : plan.list.reps);
      for (const [method, p] of this.probes(service)) yield* this.decideCallers(who, service, method, p, reps);
    }
  }

  /**
   * The decisions of `who` for one request to a service. Callers that no policy able to decide for the
   * service names (`callerClasses`) get the decision of one unnamed caller of their namespace (and peer):
   * decided once per class, with the caller's name put in (no reason names the caller).
   */
  private *decideCallers(who: string[], service: string, method: string, path: string,
    reps: (string | undefined)[] | undefined, named = true): Generator<ReachabilityDecision> {
    const byRep = new Map<string, ReachabilityDecision>();
    for (let i = 0; i < who.length; i++) {
      const rep = reps?.[i];
      if (rep === undefined) {
        yield this.check({ caller: who[i], service, method, path });
        continue;
      }
      let d = byRep.get(rep);
      if (!d) byRep.set(rep, d = this.check({ caller: rep, service, method, path }));
      // (the summary reads the callers from `who`: the decision of the class as it is)
      yield named ? { ...d, caller: who[i] } : d;
    }
  }

  /**
   * For each caller of `who`, the unnamed caller of its class for this service (`ns/<unnamed>`, with
   * its peer), or undefined when it must be decided itself: a caller outside the mesh, one whose service
   * account occurs in any string of the objects that can decide for the service (its policies, their
   * authentications, its intentions: a superset), or every caller when one of those strings is a pattern
   * that could match part of a service account name (anything but `*` and `prefix/*`), or when the mesh
   * objects that decide cannot be listed here (an Istio Gateway's service). A service account is compared
   * only by equality or such patterns (istioRule, linkerdAuthenticated, consul), so an unnamed one gets
   * the same decision; the namespace and peer are kept.
   */
  private callerClasses(service: string, who: string[]): CallerClassPlan | undefined {
    const key = `${this.defaultNs}/\u0001unnamed`;
    this.check({ caller: key, service, method: 'GET', path: '/' });
    const target = this.targetsRead.get(`${service} `);
    const facts = this.targetFacts.get(`${service} `);
    if (!target || !facts) return undefined;
    const req: Request = { caller: this.callerOf(key), method: 'GET', path: '/', jwt: false, ...target };
    const mesh = this.mesh;
    let deciding: any[] | undefined = [];
    if (facts.unmeshed || mesh === 'none') {
      deciding = [];
    } else if (mesh === 'istio') {
      const gateway = this.memo.get(`istio-gateway ${req.ns}/${req.name}`);
      const waypoint = this.waypointOf(req.ns, req.name);
      if (gateway !== undefined || !this.memo.has(`istio-gateway ${req.ns}/${req.name}`)) {
        deciding = undefined;
      } else {
        // behind a waypoint, ztunnel decides for the waypoint's identity, not the caller's: only the
        // waypoint's policies see the caller
        deciding = waypoint ? [] : [...this.once(this.targetKey('istio-selected', req), () => this.istioSelectedScan(req))];
        if (waypoint) {
          deciding.push(...this.waypointPolicies(req, waypoint));
        }
      }
    } else if (mesh === 'linkerd') {
      // the Servers `linkerd` reads (the same test): of the Service's selector, and of each workload's pods
      const podLabels = [req.labels, ...this.linkerdPods(req).map(w => w.labels as { [k: string]: string })];
      const servers: any[] = [...new Set(podLabels.flatMap(l => this.linkerdServers(req, l)))];
      const names = new Set([...servers.map(o => o.metadata?.name)]);
      const byTarget = this.linkerdIndex(req.ns);
      const routes = [...names].flatMap(n => this.linkerdRoutes(req.ns, servers.find(o => o.metadata?.name === n)));
      const policies = [...[...names].flatMap(n => byTarget.get(`Server ${n}`) ?? []), ...routes.flatMap(r => byTarget.get(`${r.kind} ${r.metadata?.name}`) ?? []), ...byTarget.get(`Namespace ${req.ns}`) ?? []];
      deciding = [...policies];
      for (const p of policies) {
        for (const r of p.spec?.requiredAuthenticationRefs ?? []) {
          if (r.kind === 'ServiceAccount') continue;
          const ns = r.namespace ?? req.ns;
          deciding.push(this.once(`linkerd-authentication ${r.kind} ${ns}/${r.name}`, () => this.firstByName(r.kind, ns, r.name)));
        }
      }
    } else if (mesh === 'consul') {
      deciding = this.consulByName.get(req.name)?.intentions;
    }
    if (!deciding) return undefined;
    const read = deciding.map(o => this.stringsOf(o));
    // a pattern that could match part of a name (`ord*`, `*der`, `*.shop.serviceaccount...`): per caller
    if (read.some(r => r.pattern)) return undefined;
    // the callers' classes (once per list of callers), then those named here: a service account (of
    // the characters below) that occurs in a string occurs in one of its runs of those characters
    const list = this.callerClassList(who);
    const named = new Set<number>();
    for (const { runs } of read) {
      for (const run of runs) {
        // the callers a run names, once per run and list of callers (the same policies decide for many services)
        let hits = list.hits.get(run);
        if (!hits) {
          const found = new Set<number>();
          // (each part of the run as long as a service account of the list)
          for (const len of list.saLengths) {
            for (let i = 0; i + len <= run.length; i++) for (const k of list.bySa.get(run.slice(i, i + len)) ?? []) found.add(k);
          }
          list.hits.set(run, hits = [...found]);
        }
        for (const k of hits) named.add(k);
      }
    }
    return { list, named };
  }

  /**
   * The strings of an object that can decide (`callerClasses`), read once per object: whether one is a
   * pattern that could match part of a name, and their distinct runs of the characters of a name.
   */
  private stringsOf(o: any): { pattern: boolean; runs: string[] } {
    const known = o && typeof o === 'object' ? this.objectStrings.get(o) : undefined;
    if (known) return known;
    const strings: string[] = [];
    const walk = (v: any): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(o);
    const read = {
      pattern: strings.some(t => t.includes('*') && t !== '*' && !(t.indexOf('*') === t.length - 1 && t.endsWith('/*'))),
      runs: [...new Set(strings.flatMap(t => t.match(/[A-Za-z0-9._-]+/g) ?? []))],
    };
    if (o && typeof o === 'object') this.objectStrings.set(o, read);
    return read;
  }

  /**
   * The callers' classes of a list of callers, once per list: each caller's class (`reps`; undefined for
   * those always decided themselves), the members of each class and the callers by service account.
   */
  private callerClassList(who: string[]): CallerClassList {
    let list = this.callerClassLists.get(who);
    if (list) return list;
    const reps = who.map(text => {
      const c = this.callerOf(text);
      const plain = c.meshed && c.ip === undefined && c.sa !== undefined && /^[A-Za-z0-9._-]+$/.test(c.sa);
      return plain ? `${c.peer !== undefined ? `peer:${c.peer}/` : ''}${c.ns}/\u0001unnamed` : undefined;
    });
    const bySa = new Map<string, number[]>();
    const members = new Map<string, number[]>();
    const alone: number[] = [];
    const push = (m: Map<string, number[]>, k: string, i: number) => {
      const l = m.get(k);
      if (l) l.push(i);
      else m.set(k, [i]);
    };
    reps.forEach((r, i) => {
      if (r === undefined) {
        alone.push(i);
        return;
      }
      push(bySa, this.callerOf(who[i]).sa!, i);
      push(members, r, i);
    });
    this.callerClassLists.set(who, list = {
      reps,
      bySa,
      members,
      alone,
      distinct: new Set(who).size === who.length,
      hits: new Map(),
      saLengths: [...new Set([...bySa.keys()].map(sa => sa.length))],
    });
    return list;
  }

  /**
   * `formatTable(table(callers, services))`, as pieces of lines written as the decisions are made: the
   * column widths (the same) are found first from the callers, the services and their requests.
   * @internal
   */
  public *_tableLines(callers?: string[], services?: string[], chunk = 10_000): Generator<string> {
    yield* this.guarded(this.tableLinesOf(callers, services, chunk));
  }

  private *tableLinesOf(callers?: string[], services?: string[], chunk = 10_000): Generator<string> {
    const { who, svcs } = this.tableAxes(callers, services);
    const header = ['CALLER', 'SERVICE', 'REQUEST', 'DECISION', 'REASON'];
    const widths = header.map(h => h.length);
    // what a row's cells other than the caller and reason depend on is the same for every caller of a
    // service (its name, protocol and enforcement do not depend on the caller): one decision per service
    let rows = false;
    for (const service of svcs) {
      for (const [method, p] of this.probes(service)) {
        if (!who.length) continue;
        rows = true;
        const d = this.check({ caller: who[0], service, method, path: p });
        widths[1] = Math.max(widths[1], d.service.length);
        widths[2] = Math.max(widths[2], (d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}`).length);
        if (d.enforced === false) widths[3] = Math.max(widths[3], 'NOT ENFORCED'.length);
      }
    }
    if (rows) for (const c of who) widths[0] = Math.max(widths[0], c.length);
    const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n';
    yield line(header);
    let out = '';
    let n = 0;
    for (const d of this._decisions(who, svcs)) {
      out += line([d.caller, d.service, d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}${d.withJwt ? ' +jwt' : ''}`,
        d.enforced === false ? 'NOT ENFORCED' : d.allowed ? 'ALLOW' : 'DENY', d.reason]);
      if (++n === chunk) {
        yield out;
        out = '';
        n = 0;
      }
    }
    if (out) yield out;
  }

  /**
   * Who may call each service: for every service of `table`, the callers allowed at least one of its
   * requests, and which (all of them, or the list), as the decisions are made.
   * @internal
   */
  public *_summary(callers?: string[], services?: string[]): Generator<ReachabilitySummary> {
    yield* this.guarded(this.summaryOf(callers, services));
  }

  private *summaryOf(callers?: string[], services?: string[]): Generator<ReachabilitySummary> {
    const { who, svcs } = this.tableAxes(callers, services);
    for (const service of svcs) {
      const plan = this._perCaller ? undefined : this.callerClasses(service, who);
      yield plan && plan.list.distinct ? this.summaryByClass(service, who, plan) : this.summaryPerCaller(service, who, plan);
    }
  }

  /** One service's summary, from the decision of each caller (of its class, with `plan`). */
  private summaryPerCaller(service: string, who: string[], plan: CallerClassPlan | undefined): ReachabilitySummary {
    const probes = this.probes(service);
    const allowed = new Map<string, string[]>();
    let name = service;
    let enforced = true;
    const reps = plan && plan.list.reps.map((r, i) => (plan.named.has(i) ? undefined : r));
    for (const [method, p] of probes) {
      let i = 0;
      for (const d of this.decideCallers(who, service, method, p, reps, false)) {
        const caller = who[i++];
        name = d.service;
        if (d.enforced === false) enforced = false;
        if (!d.allowed) continue;
        if (!allowed.has(caller)) allowed.set(caller, []);
        allowed.get(caller)!.push(d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}`);
      }
    }
    const requests = [...new Set(probes.map(([m, p]) => `${m.toUpperCase()} ${p}`))];
    return {
      service: name,
      enforced,
      requests,
      // in the order of the table's callers
      callers: who.filter(c => allowed.has(c)).map(caller => ({ caller, requests: allowed.get(caller)!.length === probes.length ? ['*'] : allowed.get(caller)! })),
    };
  }

  /**
   * One service's summary decided per class (`callerClasses`), without a pass over every caller: each
   * class's unnamed caller and each caller decided alone (outside the mesh, or named by the service's
   * policies) is decided per request, and only the members of the classes allowed something are listed.
   * The same summary as `summaryPerCaller` (the callers of `who` are distinct: each is listed once).
   */
  private summaryByClass(service: string, who: string[], plan: CallerClassPlan): ReachabilitySummary {
    const probes = this.probes(service);
    const { list, named } = plan;
    // the callers decided alone, in the order of `who`, and the classes
    const alone = named.size ? [...new Set([...list.alone, ...named])].sort((a, b) => a - b) : list.alone;
    const allowedAlone = new Map<number, string[]>();
    const allowedClass = new Map<string, string[]>();
    let name = service;
    let enforced = true;
    const note = (d: ReachabilityDecision, into: string[] | undefined, set: () => string[]) => {
      name = d.service;
      if (d.enforced === false) enforced = false;
      if (d.allowed) (into ?? set()).push(d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}`);
    };
    for (const [method, p] of probes) {
      for (const i of alone) {
        const d = this.check({ caller: who[i], service, method, path: p });
        note(d, allowedAlone.get(i), () => { const l: string[] = []; allowedAlone.set(i, l); return l; });
      }
      for (const rep of list.members.keys()) {
        const d = this.check({ caller: rep, service, method, path: p });
        note(d, allowedClass.get(rep), () => { const l: string[] = []; allowedClass.set(rep, l); return l; });
      }
    }
    // the callers allowed something, in the order of `who`: those decided alone, and the members of the
    // classes allowed something but those named
    const listed: number[] = [...allowedAlone.keys()];
    for (const [rep, _requests] of allowedClass) for (const i of list.members.get(rep)!) if (!named.has(i)) listed.push(i);
    listed.sort((a, b) => a - b);
    const requests = [...new Set(probes.map(([m, p]) => `${m.toUpperCase()} ${p}`))];
    return {
      service: name,
      enforced,
      requests,
      callers: listed.map(i => {
        const got = allowedAlone.get(i) ?? allowedClass.get(list.reps[i]!)!;
        return { caller: who[i], requests: got.length === probes.length ? ['*'] : got };
      }),
    };
  }

  private ns(o: any): string {
    return o.metadata?.namespace ?? this.defaultNs;
  }

  /**
   * The objects whose methods and paths `probes` may read for a service (`namespace/name`), found once:
   * Istio AuthorizationPolicies by selected app and target Service, Linkerd HTTPRoutes by each prefix of
   * their parent Servers' names that ends before a '-', Consul ServiceIntentions by destination. A superset:
   * `probes` applies its own test to each.
   */
  private probeIndex(): Map<string, any[]> {
    return this.once('probe-index', () => {
      const index = new Map<string, Set<any>>();
      const add = (o: any, name: unknown) => {
        if (typeof name !== 'string') return;
        const key = `${this.ns(o)}/${name}`;
        if (!index.has(key)) index.set(key, new Set());
        index.get(key)!.add(o);
      };
      for (const o of this.ofKind('AuthorizationPolicy')) {
        add(o, o.spec?.selector?.matchLabels?.app);
        for (const t of Array.isArray(o.spec?.targetRefs) ? o.spec.targetRefs : []) add(o, t?.name);
      }
      for (const o of this.ofKind('HTTPRoute')) {
        for (const p of Array.isArray(o.spec?.parentRefs) ? o.spec.parentRefs : []) {
          const server = String(p?.name);
          for (let i = server.indexOf('-'); i >= 0; i = server.indexOf('-', i + 1)) add(o, server.slice(0, i));
        }
      }
      for (const o of this.ofKind('ServiceIntentions')) add(o, o.spec?.destination?.name);
      return new Map([...index].map(([k, v]) => [k, [...v]]));
    });
  }

  /** The first object of a kind with that namespace and name (and passing `test`), by an index of the kind read once. */
  private firstByName(kind: string, ns: string, name: unknown, test: (o: any) => boolean = () => true): any {
    const index = this.once(`by-name ${kind}`, () => {
      const byName = new Map<string, any[]>();
      for (const o of this.ofKind(kind)) {
        const k = `${this.ns(o)}\u0000${o.metadata?.name}`;
        if (!byName.has(k)) byName.set(k, []);
        byName.get(k)!.push(o);
      }
      return byName;
    });
    return (index.get(`${ns}\u0000${name}`) ?? []).find(o => o.kind === kind && o.metadata?.name === name && test(o));
  }

  /** The objects of a kind, in the order of the manifests. */
  private ofKind(kind: string): any[] {
    if (!this.kinds) {
      this.kinds = new Map();
      for (const o of this.objects) {
        if (typeof o.kind !== 'string') continue;
        if (!this.kinds.has(o.kind)) this.kinds.set(o.kind, []);
        this.kinds.get(o.kind)!.push(o);
      }
    }
    return this.kinds.get(kind) ?? [];
  }

  /**
   * Why the service's pods are known to get no proxy (so no policy is enforced on them), if they are:
   * its workloads among the manifests are all left out by the mesh's injector, or (with no workload
   * here) its Namespace object is not enrolled. Unknown (the Namespace and workloads are elsewhere): none.
   */
  private notMeshed(req: Request, mesh: string): string | undefined {
    if (mesh === 'none') return undefined;
    const nsObj = this.once(`namespace ${req.ns}`, () => this.ofKind('Namespace').find(o => o.kind === 'Namespace' && o.metadata?.name === req.ns));
    const pods = this.once(this.targetKey('workloads', req), () => this.selectedWorkloads(req.ns, req.labels));
    if (pods.length) {
      if (!pods.every(w => podEnrolled(mesh, nsObj, w, this.options.consulConnectInjectDefault ?? false) === false)) return undefined;
      const where = mesh === 'consul' ? 'annotate the pod templates with consul.hashicorp.com/connect-inject: "true"' : enrolmentStep(mesh, req.ns);
      return `not meshed: not enforced (the ${mesh} injector leaves out every workload of ${req.ns}/${req.name}: ${pods.map(w => `${w.kind} ${w.name}`).join(', ')}; ${where})`;
    }
    if (namespaceEnrolled(mesh, nsObj) === false) {
      return `not meshed: not enforced (namespace ${req.ns} is not enrolled in ${mesh}; ${enrolmentStep(mesh, req.ns)})`;
    }
    return undefined;
  }

  private parseCaller(text: string): Caller {
    if (text.startsWith('ip:')) return { ip: text.slice(3), meshed: false };
    const peer = /^peer:([^/]+)\/(.+)$/.exec(text);
    if (peer) return { ...this.parseCaller(peer[2]), peer: peer[1] };
    const [ns, sa] = text.includes('/') ? text.split('/', 2) : [this.defaultNs, text];
    return { ns, sa, meshed: true };
  }

  /** The workloads among the manifests (and the pods the delivery controllers make) whose pods `labels` select in `ns`. */
  private selectedWorkloads(ns: string, labels: { [k: string]: string }): WorkloadFacts[] {
    return this.once(`selected-workloads ${ns}\u0000${JSON.stringify(labels)}`,
      () => this.once('workloads', () => workloadsOf(this.objects, o => this.ns(o))).filter(w => w.ns === ns && subset(labels, w.labels)));
  }

  /** The Service object of a name (or the one a Flagger Canary generates), once. */
  private serviceObject(ns: string, name: string): any {
    return this.once(`service ${ns}/${name}`, () => this.firstByName('Service', ns, name, o => o.apiVersion === 'v1')
      // the Service a Flagger Canary generates (not among the manifests) selects its primary pods
      // (only the Canaries and Deployments, in their order, are read there: once, not every object per service)
      ?? (this.ofKind('Canary').length ? flaggerApexService(this.once('flagger-objects', () => this.objects.filter(o => o.kind === 'Canary' || o.kind === 'Deployment')), ns, name, o => this.ns(o)) : undefined));
  }

  /**
   * The (method, path) pairs the policies of a service mention, plus GET /. The policies are those of
   * its pods, not only of its name: a Service that selects the pods of another (a version Service,
   * `payment-v2` selecting `app: payment, version: v2`) is subject to the Istio policies selecting
   * `app: payment` and to the Linkerd Servers (and the routes and policies on them) that select its
   * pods, so their requests are tried for it too.
   */
  private probes(service: string): [string, string][] {
    const [ns, name] = service.split('/', 2);
    const svc = this.serviceObject(ns, name);
    const labels: { [k: string]: string } = svc?.spec?.selector ?? { app: name };
    // the pod ports of the Service: a Server of another port (the proxy's admin Server) is not its
    const svcPorts: any[] = Array.isArray(svc?.spec?.ports) ? svc.spec.ports : [];
    const targetPorts: unknown[] | undefined = svc
      ? podPortRefs(this.selectedWorkloads(ns, labels), svcPorts.map((p: any) => p?.targetPort ?? p?.port)) : undefined;
    // labels that do not contradict the pods' (a policy for some of them, e.g. one version, counts)
    const compatible = (sel: { [k: string]: string } | undefined) => !!sel && Object.keys(sel).length > 0
      && Object.entries(sel).every(([k, v]) => labels[k] === undefined || labels[k] === v);
    const out = new Map<string, [string, string]>([['GET /', ['GET', '/']]]);
    const add = (methods: string[] | undefined, paths: string[] | undefined) => {
      for (const m of methods?.length ? methods : ['GET']) {
        for (const p of paths?.length ? paths : ['/']) {
          const concrete = p.endsWith('*') ? p.slice(0, -1) || '/' : p;
          out.set(`${m} ${concrete}`, [m, concrete]);
        }
      }
    };
    const app = typeof labels.app === 'string' && labels.app !== name ? labels.app : undefined;
    const addRoute = (o: any) => {
      // a GRPCRoute's method match is a gRPC request, POST /<service>/<method> (a service match: any of its methods)
      if (o.kind === 'GRPCRoute') {
        for (const r of o.spec?.rules ?? []) for (const m of r.matches ?? []) if (m?.method?.service) add(['POST'], [`/${m.method.service}/${m.method.method ?? ''}`]);
        return;
      }
      for (const r of o.spec?.rules ?? []) for (const m of r.matches ?? []) add(m.method ? [m.method] : undefined, m.path?.value ? [m.path.value] : undefined);
    };
    // Linkerd: the routes on the Servers that select the service's pods (whatever their names): by its selector,
    // and by the labels of its pods among the manifests (each workload's Server decides for its pods)
    const pods = this.linkerdPods({ ns, labels } as Request);
    for (const podLabels of [labels, ...pods.map(w => w.labels as { [k: string]: string })]) {
      for (const server of this.serverCandidates({ ns, labels: podLabels } as Request)) {
        if (server.kind === 'Server' && this.ns(server) === ns && selects(server.spec?.podSelector, podLabels)
          && (targetPorts ? targetPorts.includes(server.spec.port) : !['linkerd-admin', 4191].includes(server.spec.port))) {
          for (const r of this.linkerdIndex(ns).get(`route-of Server ${server.metadata?.name}`) ?? []) addRoute(r);
          for (const r of this.linkerdIndex(ns).get(`grpcroute-of Server ${server.metadata?.name}`) ?? []) addRoute(r);
        }
      }
    }
    const candidates = new Set([...this.probeIndex().get(`${ns}/${name}`) ?? [], ...app ? this.probeIndex().get(`${ns}/${app}`) ?? [] : []]);
    for (const o of candidates) {
      if (this.ns(o) !== ns) continue;
      if (o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) && (o.spec?.selector?.matchLabels?.app === name || compatible(o.spec?.selector?.matchLabels) && o.spec.selector.matchLabels.app === labels.app
        || (o.spec?.targetRefs ?? []).some((t: any) => t.kind === 'Service' && t.name === name))) {
        for (const r of o.spec.rules ?? []) for (const t of r.to ?? []) add(t.operation?.methods, t.operation?.paths);
      }
      if (o.kind === 'HTTPRoute' && o.spec?.parentRefs?.some((p: any) => p.kind === 'Server' && String(p.name).startsWith(`${name}-`))) addRoute(o);
      if (o.kind === 'ServiceIntentions' && o.spec?.destination?.name === name) {
        for (const s of o.spec.sources ?? []) {
          for (const p of s.permissions ?? []) add(p.http?.methods, [p.http?.pathExact ?? p.http?.pathPrefix].filter(Boolean));
        }
      }
    }
    return [...out.values()].sort((a, b) => (a.join(' ') < b.join(' ') ? -1 : 1));
  }

  // ---- Istio -------------------------------------------------------------------------------

  private istio(req: Request): { allowed: boolean; reason: string } {
    const caller = req.caller;
    // mTLS: a STRICT PeerAuthentication refuses callers outside the mesh
    const pas: any[] = this.once(`peer-authentications ${req.ns}`, () => this.ofKind('PeerAuthentication').filter(o => o.kind === 'PeerAuthentication' && (this.ns(o) === req.ns || this.ns(o) === this.rootNs)));
    const workloadPa = pas.find(o => this.ns(o) === req.ns && o.spec?.selector && subset(o.spec.selector.matchLabels, req.labels));
    const nsPa = pas.find(o => this.ns(o) === req.ns && !o.spec?.selector) ?? pas.find(o => this.ns(o) === this.rootNs && !o.spec?.selector);
    const mode = workloadPa?.spec?.mtls?.mode && workloadPa.spec.mtls.mode !== 'UNSET' ? workloadPa.spec.mtls.mode : nsPa?.spec?.mtls?.mode;
    const hasPortException = Object.values(workloadPa?.spec?.portLevelMtls ?? {}).some((m: any) => m.mode === 'PERMISSIVE' || m.mode === 'DISABLE');
    // ambient: a Service whose namespace uses a waypoint is reached through it. The waypoint applies the
    // policies that target the Service, with the caller's identity; then ztunnel applies the pods'
    // policies to the waypoint's identity
    // an Istio-deployed Gateway API gateway (its Service is <name>-istio): the policies that target the
    // Gateway, and the selector-based ones of its namespace and the root namespace (Istio applies them
    // to such gateways by default: ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY); its listeners take
    // outside clients, so mTLS does not apply
    const gateway = this.once(`istio-gateway ${req.ns}/${req.name}`, () => this.ofKind('Gateway').find(o => o.kind === 'Gateway' && /^gateway\.networking\.k8s\.io\//.test(o.apiVersion) && this.ns(o) === req.ns
      && String(o.spec?.gatewayClassName ?? '').startsWith('istio') && o.spec.gatewayClassName !== 'istio-waypoint'
      && (req.name === o.metadata?.name || req.name === `${o.metadata?.name}-istio`)));
    if (gateway) {
      const gwReq = { ...req, labels: { 'gateway.networking.k8s.io/gateway-name': gateway.metadata.name }, podPort: req.podPort === undefined ? undefined : req.servicePort };
      const targetsGateway = (o: any) => this.ns(o) === req.ns
        && [...(o.spec?.targetRefs ?? []), ...(o.spec?.targetRef ? [o.spec.targetRef] : [])].some((t: any) => t.kind === 'Gateway' && t.name === gateway.metadata.name);
      const policies = this.ofKind('AuthorizationPolicy').filter(o => o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) && (
        targetsGateway(o)
        || (!o.spec?.targetRef && !o.spec?.targetRefs && (this.ns(o) === req.ns || this.ns(o) === this.rootNs)
          && (!o.spec?.selector || subset(o.spec.selector.matchLabels, gwReq.labels)))));
      // ambient: istiod labels a class-istio Gateway's pods istio.io/dataplane-mode: none unless the Gateway
      // sets that label itself; set to anything else, istio-cni enrols them in ztunnel, which applies the
      // namespace's STRICT mTLS and its selector-based policies (not targetRefs) first
      if (gateway.spec.gatewayClassName === 'istio' && this.ambientIndex().namespaces.has(req.ns) && gatewayPodsEnrolled(gateway)) {
        const zt = `ztunnel at the gateway pods of ${req.ns}/${gateway.metadata.name} (enrolled in ambient: the Gateway sets istio.io/dataplane-mode, not to none): `;
        if (!caller.meshed && nsPa?.spec?.mtls?.mode === 'STRICT') {
          return { allowed: false, reason: `${zt}mTLS STRICT (${ref(nsPa)}): a caller outside the mesh cannot connect` };
        }
        const l4 = this.istioPolicies(policies.filter(o => !targetsGateway(o)), gwReq, zt);
        if (!l4.allowed) return l4;
      }
      return this.istioPolicies(policies, gwReq, `gateway ${req.ns}/${gateway.metadata.name}: `);
    }
    if (!caller.meshed && mode === 'STRICT' && !hasPortException) {
      return { allowed: false, reason: `mTLS STRICT (${ref(workloadPa ?? nsPa)}): a caller outside the mesh cannot connect` };
    }
    const waypoint = this.waypointOf(req.ns, req.name);
    if (waypoint) {
      const atWaypoint = this.waypointPolicies(req, waypoint);
      const l7 = this.istioPolicies(atWaypoint, { ...req, podPort: req.servicePort }, `waypoint ${req.ns}/${waypoint}: `);
      if (!l7.allowed) return l7;
      const l4 = this.istioPolicies(this.once(this.targetKey('istio-selected', req), () => this.istioSelectedScan(req)), { ...req, caller: { meshed: true, ns: req.ns, sa: waypoint } }, 'ztunnel, from the waypoint: ');
      return l4.allowed ? l7 : l4;
    }
    return this.istioPolicies(this.once(this.targetKey('istio-selected', req), () => this.istioSelectedScan(req)), req, '');
  }

  /**
   * The waypoint a Service of an ambient namespace uses, if any: the Service's `istio.io/use-waypoint`
   * label, else its namespace's (a waypoint in another namespace is not followed).
   */
  private waypointOf(ns: string, service?: string): string | undefined {
    const ambient = this.ambientIndex();
    if (!ambient.namespaces.has(ns)) return undefined;
    const wp = (service !== undefined ? ambient.waypoints.get(`${ns}/${service}`) : undefined) ?? ambient.waypoints.get(`${ns}/`);
    return wp === 'none' ? undefined : wp;
  }

  /** Whether `namespace/serviceAccount` is a waypoint's identity (the name of a waypoint Gateway, or one a label names). */
  private isWaypoint(ns: string, sa: string): boolean {
    return this.ambientIndex().identities.has(`${ns}/${sa}`);
  }

  /**
   * The ambient facts of the objects, read once: the ambient namespaces, the waypoint each Namespace
   * (`ns/`) or Service (`ns/name`) is labelled to use, and the waypoints' identities (`ns/name`).
   */
  private ambientIndex(): { namespaces: Set<string>; waypoints: Map<string, string>; identities: Set<string> } {
    if (!this.ambient) {
      const ambient = { namespaces: new Set<string>(), waypoints: new Map<string, string>(), identities: new Set<string>() };
      for (const o of this.objects) {
        const labels = o.metadata?.labels ?? {};
        if (o.kind === 'Namespace' && labels['istio.io/dataplane-mode'] === 'ambient') ambient.namespaces.add(o.metadata.name);
        const wp = labels['istio.io/use-waypoint'];
        if (wp && (o.kind === 'Namespace' || (o.kind === 'Service' && o.apiVersion === 'v1'))) {
          const ns = o.kind === 'Namespace' ? o.metadata.name : this.ns(o);
          ambient.waypoints.set(o.kind === 'Namespace' ? `${ns}/` : `${ns}/${o.metadata.name}`, wp);
          ambient.identities.add(`${ns}/${wp}`);
        }
        if (o.kind === 'Gateway' && o.spec?.gatewayClassName === 'istio-waypoint') ambient.identities.add(`${this.ns(o)}/${o.metadata?.name}`);
      }
      this.ambient = ambient;
    }
    return this.ambient;
  }

  /**
   * The Istio AuthorizationPolicies a waypoint applies to a request for the Service (`waypoint`, its
   * namespace's): those of the Service's namespace whose targetRefs name the Service or the waypoint's
   * Gateway, in the order of the manifests. Found by an index of the policies by namespace and target
   * (`Service name`, `Gateway name`), read once: not a scan of every policy per service.
   */
  private waypointPolicies(req: Request, waypoint: string): any[] {
    return this.once(this.targetKey('waypoint-policies', req), () => {
      const index = this.once('istio-target-index', () => {
        const byKey = new Map<string, number[]>();
        this.ofKind('AuthorizationPolicy').forEach((o, i) => {
          if (!/istio/.test(o.apiVersion)) return;
          // (a targetRefs that is not a list throws here, as the scan did: the guard names the field)
          (o.spec?.targetRefs ?? []).forEach((t: any) => {
            const k = `${this.ns(o)}\u0000${t?.kind}\u0000${t?.name}`;
            const list = byKey.get(k);
            if (!list) byKey.set(k, [i]);
            else if (list[list.length - 1] !== i) list.push(i);
          });
        });
        return byKey;
      });
      const all = this.ofKind('AuthorizationPolicy');
      const at = [`${req.ns}\u0000Service\u0000${req.name}`, `${req.ns}\u0000Gateway\u0000${waypoint}`];
      // the same test as a scan would apply (the index is a superset: a key may hold other kinds' names)
      return [...new Set(at.flatMap(k => index.get(k) ?? []))].sort((a, b) => a - b).map(i => all[i])
        .filter(o => o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) && this.ns(o) === req.ns
          && (o.spec?.targetRefs ?? []).some((t: any) => (t.kind === 'Service' && t.name === req.name) || (t.kind === 'Gateway' && t.name === waypoint)));
    });
  }

  /**
   * The Istio AuthorizationPolicies that apply to the pods of the request's Service (`istioSelects`), in
   * the order of the manifests: tested among those of its namespace and the root namespace that select
   * no pods or one of its labels (an index by namespace and first selector label, read once; policies
   * with a targetRef or targetRefs, which select no pods, are left out of it: an ambient namespace's
   * waypoint policies would otherwise all be tested for each of its services).
   */
  private istioSelectedScan(req: Request): any[] {
    const index = this.once('istio-selector-index', () => {
      const byKey = new Map<string, number[]>();
      const add = (k: string, i: number) => { if (!byKey.has(k)) byKey.set(k, []); byKey.get(k)!.push(i); };
      this.ofKind('AuthorizationPolicy').forEach((o, i) => {
        if (o.spec?.targetRef || o.spec?.targetRefs) return;
        const first = Object.entries(o.spec?.selector?.matchLabels ?? {})[0];
        add(first ? `${this.ns(o)}\u0000${first[0]}\u0000${first[1]}` : `${this.ns(o)}\u0000`, i);
      });
      return byKey;
    });
    const all = this.ofKind('AuthorizationPolicy');
    const at = [...new Set([req.ns, this.rootNs])].flatMap(ns => [`${ns}\u0000`, ...Object.entries(req.labels ?? {}).map(([k, v]) => `${ns}\u0000${k}\u0000${v}`)]);
    return [...new Set(at.flatMap(k => index.get(k) ?? []))].sort((a, b) => a - b).map(i => all[i]).filter(o => this.istioSelects(o, req));
  }

  /** Whether an Istio AuthorizationPolicy applies to the pods of the request's Service (sidecar or ztunnel). */
  private istioSelects(o: any, req: Request): boolean {
    return o.kind === 'AuthorizationPolicy' && /istio/.test(o.apiVersion) && !o.spec?.targetRef && !o.spec?.targetRefs
      && ((this.ns(o) === req.ns) || this.ns(o) === this.rootNs)
      && (!o.spec?.selector || subset(o.spec.selector.matchLabels, req.labels));
  }

  private istioPolicies(policies: any[], req: Request, where: string): { allowed: boolean; reason: string } {
    const action = (o: any) => o.spec?.action ?? 'ALLOW';
    for (const p of policies.filter(o => action(o) === 'DENY')) {
      const i = (p.spec.rules ?? []).findIndex((r: any) => this.istioRule(r, req, true));
      if (i >= 0) return { allowed: false, reason: `${where}${ref(p)} (DENY) rules[${i}]` };
    }
    const allows = policies.filter(o => action(o) === 'ALLOW');
    if (!allows.length) return { allowed: true, reason: `${where}no ALLOW AuthorizationPolicy applies to the workload` };
    for (const p of allows) {
      const i = (p.spec?.rules ?? []).findIndex((r: any) => this.istioRule(r, req, false));
      if (i >= 0) return { allowed: true, reason: `${where}${ref(p)} rules[${i}]` };
    }
    return { allowed: false, reason: `${where}no rule of the ALLOW policies matches (${allows.map(ref).join(', ')})` };
  }

  private istioRule(rule: any, req: Request, forDeny: boolean): boolean {
    const c = req.caller;
    const principal = c.meshed ? `cluster.local/ns/${c.ns}/sa/${c.sa}` : undefined;
    const fromOk = !rule.from?.length || rule.from.some((f: any) => {
      const s = f.source ?? {};
      const principalOf = (pats: string[]) => pats.some(p => principal !== undefined && (istioMatch(p, principal) || istioMatch(p.replace(/^[^/]+\/ns\//, '*/ns/'), principal)));
      if (s.principals && !principalOf(s.principals)) return false;
      if (s.notPrincipals && principalOf(s.notPrincipals)) return false;
      if (s.serviceAccounts && !s.serviceAccounts.includes(`${c.ns}/${c.sa}`)) return false;
      if (s.namespaces && !anyMatch(s.namespaces, c.meshed ? c.ns : undefined)) return false;
      if (s.notNamespaces && anyMatch(s.notNamespaces, c.meshed ? c.ns : undefined)) return false;
      if (s.requestPrincipals && !req.jwt) return false;
      if (s.notRequestPrincipals && req.jwt) return false;
      if (s.ipBlocks && !(c.ip && s.ipBlocks.some((b: string) => ipInCidr(c.ip!, b)))) return false;
      return true;
    });
    const toOk = !rule.to?.length || rule.to.some((t: any) => {
      const o = t.operation ?? {};
      if (o.methods && !o.methods.includes(req.method)) return false;
      if (o.notMethods && o.notMethods.includes(req.method)) return false;
      if (o.paths && !anyMatch(o.paths, req.path)) return false;
      if (o.notPaths && anyMatch(o.notPaths, req.path)) return false;
      // ports: checked when the request's port is known (else any port)
      if (o.ports && req.podPort !== undefined && !o.ports.map(String).includes(String(req.podPort))) return false;
      if (o.notPorts && req.podPort !== undefined && o.notPorts.map(String).includes(String(req.podPort))) return false;
      return true;
    });
    // conditions this reader cannot evaluate: an ALLOW rule does not match, a DENY rule does
    const whenOk = !rule.when?.length || forDeny;
    return fromOk && toOk && whenOk;
  }

  // ---- Linkerd -----------------------------------------------------------------------------

  private linkerd(req: Request): { allowed: boolean; reason: string } {
    const c = req.caller;
    const nsObject = this.once(`namespace ${req.ns}`, () => this.ofKind('Namespace').find(o => o.kind === 'Namespace' && o.metadata?.name === req.ns));
    const cluster = this.options.linkerdDefaultInboundPolicy ?? 'all-unauthenticated';
    const nsDefault = nsObject?.metadata?.annotations?.[LINKERD_DEFAULT_POLICY_ANNOTATION] ?? cluster;
    const pods = this.linkerdPods(req);
    // a pod port listed in config.linkerd.io/proxy-require-identity-inbound-ports (the pod's, else the namespace's)
    // admits authenticated callers only under an allow default (linkerdRequiresIdentity, linkerdAuthenticatedOnly)
    const nsAnnotations = nsObject?.metadata?.annotations;
    const onPort = (policy: string, requires: string | undefined) => (requires ? linkerdAuthenticatedOnly(policy) : policy);
    const portReason = (policy: string, requires: string | undefined) => (requires && linkerdAuthenticatedOnly(policy) !== policy
      ? `, authenticated callers only on port ${req.podPort} (${requires}): ${linkerdAuthenticatedOnly(policy)}` : '');
    if (!pods.length) {
      // the pods are not among the manifests: the Servers that select the Service's selector, else the namespace's default
      const server = this.once(this.targetKey('linkerd-server', req), () => this.linkerdServer(req, req.labels));
      if (!server) {
        const requires = linkerdRequiresIdentity(undefined, nsAnnotations, req.podPort);
        return this.linkerdDefault(onPort(nsDefault, requires), c, `no Server selects the pods; namespace default inbound policy ${nsDefault}${portReason(nsDefault, requires)}`);
      }
      return this.linkerdOnServer(req, server);
    }
    // each workload whose pods the Service selects, by its pods' labels: the Server that selects them on the port
    // decides, else the pods' own default inbound policy, which is their pod template's
    // config.linkerd.io/default-inbound-policy before the namespace's (the proxy injector copies the namespace's
    // onto pods without one: pkg/inject/inject.go GetConfigOverride; the policy controller reads the pod's, else the
    // cluster's: policy-controller/k8s/index/src/inbound/workload.rs Settings, index.rs default_inbound_server)
    const plan = this.once(this.targetKey('linkerd-pods-plan', req), () => pods.map(w => {
      const server = this.linkerdServer(req, w.labels);
      const own = w.annotations[LINKERD_DEFAULT_POLICY_ANNOTATION];
      const podDefault = own === undefined ? nsDefault : isLinkerdPolicy(own) ? own : cluster;
      const requires = linkerdRequiresIdentity(w.annotations, nsAnnotations, req.podPort)?.replace('its pod template\'s', `the pod template's (${w.kind} ${w.name})`);
      const policy = server ? undefined : onPort(podDefault, requires);
      const ignored = `the cluster's default inbound policy ${cluster} (Linkerd ignores ${LINKERD_DEFAULT_POLICY_ANNOTATION}: ${JSON.stringify(own)} of ${w.kind} ${w.name})`;
      const reason = own === undefined || server ? `namespace default inbound policy ${nsDefault}`
        : isLinkerdPolicy(own) ? `the pod template's default inbound policy ${own} (${LINKERD_DEFAULT_POLICY_ANNOTATION} of ${w.kind} ${w.name})` : ignored;
      return { what: `${w.kind} ${w.name}`, server, policy, reason: `no Server selects the pods; ${reason}${server ? '' : portReason(podDefault, requires)}` };
    }));
    const verdicts = plan.map(w => ({ what: w.what, ...(w.server ? this.linkerdOnServer(req, w.server) : this.linkerdDefault(w.policy!, c, w.reason)) }));
    const first = verdicts[0];
    if (verdicts.every(v => v.reason === first.reason && v.allowed === first.allowed)) return { allowed: first.allowed, reason: first.reason };
    // the workloads decide differently: a request may reach the pods of any of them, so it is allowed only if each
    // allows it (never reported wider than what a pod it may reach admits), and the reason says which decide what
    const denied = verdicts.filter(v => !v.allowed);
    const allowed = verdicts.filter(v => v.allowed);
    const say = (list: typeof verdicts) => list.map(v => `${v.what}: ${v.reason}`).join('; ');
    if (!denied.length) return { allowed: true, reason: `allowed on the pods of every workload: ${say(allowed)}` };
    return { allowed: false, reason: `denied on the pods of ${say(denied)}${allowed.length ? ` (allowed on the pods of ${say(allowed)})` : ''}` };
  }

  /** The workloads (and bare Pods) among the manifests whose pods the request's Service selects, once per target. */
  private linkerdPods(req: Request): PodTemplateFacts[] {
    return this.once(this.targetKey('linkerd-pods', req), () => {
      const byNs = this.once('pod-templates', () => {
        const index = new Map<string, PodTemplateFacts[]>();
        for (const t of podTemplatesOf(this.objects, o => this.ns(o))) {
          if (!index.has(t.ns)) index.set(t.ns, []);
          index.get(t.ns)!.push(t);
        }
        return index;
      });
      // (a Service without a selector selects no pods of the manifests)
      return Object.keys(req.labels ?? {}).length ? (byNs.get(req.ns) ?? []).filter(t => subset(req.labels, t.labels as { [k: string]: string })) : [];
    });
  }

  /**
   * The Linkerd Servers of the request's target ports that select pods with these labels, sorted by name (the
   * Service's selector when its pods are not among the manifests, else a workload's pod labels).
   */
  private linkerdServers(req: Request, labels: { [k: string]: string }): any[] {
    return this.serverCandidates({ ...req, labels })
      // a Server is for one pod port: only those of the Service's target ports decide (so the proxy's
      // admin Server of `linkerd viz allow-scrapes`, port linkerd-admin, does not)
      .filter(o => o.kind === 'Server' && this.ns(o) === req.ns && selects(o.spec?.podSelector, labels)
        && (req.targetPorts ? req.targetPorts.includes(o.spec.port) : !['linkerd-admin', 4191].includes(o.spec.port)))
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }

  /** The Server that decides for pods with these labels (of several, one that is not all-unauthenticated), if any. */
  private linkerdServer(req: Request, labels: { [k: string]: string }): any {
    const servers = this.linkerdServers(req, labels);
    return servers.find(s => s.spec.accessPolicy !== 'all-unauthenticated') ?? servers[0];
  }

  /** The decision of a Server's routes and AuthorizationPolicies, else its accessPolicy. */
  private linkerdOnServer(req: Request, server: any): { allowed: boolean; reason: string } {
    const c = req.caller;
    const routes: any[] = this.once(`linkerd-routes ${req.ns} ${server.metadata.name}`, () => this.linkerdRoutes(req.ns, server));
    let route: any;
    if (server.spec.proxyProtocol === 'gRPC') {
      const invalid = this.linkerdInvalidGrpcMatch(routes);
      if (invalid) {
        return {
          allowed: false,
          reason: `the proxy refuses the policy of Server ${req.ns}/${server.metadata.name}: GRPCRoute ${invalid.route} has a match without a method (${invalid.at}), which the policy controller sends `
            + 'as a route match without an RPC match (policy-controller grpc/src/routes/grpc.rs convert_match) and the proxy refuses ("missing RPC match": linkerd2-proxy http/route grpc/match.rs '
            + 'MatchRoute::try_from); one invalid route makes the whole port\'s policy invalid (proxy/server-policy ServerPolicy::try_from), and the proxy then serves the port with a policy that '
            + 'authorizes nothing (app/inbound policy/api.rs, ServerPolicy::invalid): every request is denied, HTTP 403 or grpc-status 7 PERMISSION_DENIED; give each match a method '
            + `(e.g. method: {service: ${invalid.service ?? '<package.Service>'}}), or drop the match for a rule without matches`,
        };
      }
      // without GRPCRoutes the policy controller sends the proxy its default gRPC route (policy-controller/core/src/
      // inbound.rs, Default for InboundRoute<GrpcRouteMatch>: one match, a method match of any service and method),
      // which, as every gRPC route match, matches POST requests only (linkerd2-proxy linkerd/http/route/src/grpc/
      // match.rs MatchRoute::match_request); the Server's authorizations apply on it
      if (!routes.length && !this.linkerdGrpcRequest(req)) {
        return { allowed: false, reason: `no route of Server ${req.ns}/${server.metadata.name} matches the request: ${this.linkerdGrpcNoRoute(req)}` };
      }
      route = routes.length ? this.linkerdGrpcRoute(routes, req) : undefined;
      if (routes.length && !route) {
        const why = this.linkerdGrpcRequest(req) ? '' : `: ${this.linkerdGrpcNoRoute(req)}, and no rule of its GRPCRoutes is without matches (a rule without matches matches every request)`;
        return { allowed: false, reason: `no GRPCRoute of Server ${req.ns}/${server.metadata.name} matches the request${why}` };
      }
    } else if (routes.length) {
      let best = -1;
      for (const r of routes) {
        for (const rule of r.spec.rules ?? []) {
          for (const m of rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }]) {
            const score = this.linkerdMatch(m, req);
            if (score > best) { best = score; route = r; }
          }
        }
      }
      if (!route) return { allowed: false, reason: `no HTTPRoute of Server ${req.ns}/${server.metadata.name} matches the request` };
    }
    const targets = (o: any) => {
      const t = o.spec?.targetRef ?? {};
      return (t.kind === 'Server' && t.name === server.metadata.name) || (route && t.kind === route.kind && t.name === route.metadata.name)
        || (t.kind === 'Namespace' && t.name === req.ns);
    };
    // the policies on this Server, route and namespace: once per Server and route (not a scan of the
    // namespace's policies per decision)
    const policies = this.once(`linkerd-targeted ${req.ns} ${server.metadata.name} ${route ? route.metadata.name : ''}`, () => {
      // the namespace's policies on the Server, route or namespace (by the index), in the order of the manifests
      const index = this.linkerdIndex(req.ns);
      const order = this.once('linkerd-policy-order', () => new Map(this.ofKind('AuthorizationPolicy').map((o, i) => [o, i])));
      return [...new Set([`Server ${server.metadata.name}`, ...(route ? [`${route.kind} ${route.metadata.name}`] : []), `Namespace ${req.ns}`].flatMap(k => index.get(k) ?? []))]
        .sort((a, b) => order.get(a)! - order.get(b)!).filter((o: any) => targets(o));
    });
    for (const p of policies) {
      const refs = p.spec?.requiredAuthenticationRefs ?? [];
      if (refs.every((r: any) => this.linkerdAuthenticated(r, c, req.ns))) {
        return { allowed: true, reason: `${ref(p)} (on ${p.spec.targetRef.kind} ${p.spec.targetRef.name})` };
      }
    }
    return this.linkerdDefault(server.spec.accessPolicy ?? 'deny', c, `no AuthorizationPolicy authorizes the caller; Server ${req.ns}/${server.metadata.name} accessPolicy ${server.spec.accessPolicy ?? 'deny'}`);
  }

  /**
   * The Linkerd Servers that may select the request's pods, in the order of the manifests: those of its
   * namespace that select by none of the labels or by one of its labels (an index by namespace and first
   * podSelector label, read once); the callers apply the full test.
   */
  private serverCandidates(req: Request): any[] {
    const index = this.once('linkerd-server-index', () => {
      const byKey = new Map<string, number[]>();
      const add = (k: string, i: number) => { if (!byKey.has(k)) byKey.set(k, []); byKey.get(k)!.push(i); };
      this.ofKind('Server').forEach((o, i) => {
        const first = Object.entries(o.spec?.podSelector?.matchLabels ?? {})[0];
        add(first ? `${this.ns(o)}\u0000${first[0]}\u0000${first[1]}` : `${this.ns(o)}\u0000`, i);
      });
      return byKey;
    });
    const all = this.ofKind('Server');
    const at = [`${req.ns}\u0000`, ...Object.entries(req.labels ?? {}).map(([k, v]) => `${req.ns}\u0000${k}\u0000${v}`)];
    return [...new Set(at.flatMap(k => index.get(k) ?? []))].sort((x, y) => x - y).map(i => all[i]);
  }

  /**
   * The routes of a Linkerd Server that its proxy applies (policy-controller/grpc/src/inbound.rs to_server): on an
   * HTTP/1, HTTP/2 or detected (`unknown`) Server its HTTPRoutes, on a `gRPC` Server its GRPCRoutes, on an `opaque` or
   * `TLS` one none. Without routes the proxy takes a default route with no authorizations of its own (index.rs
   * http_routes, grpc_routes), so only the Server's (and namespace's) AuthorizationPolicies decide. A GRPCRoute with
   * a `RegularExpression` method match is ignored whole by the policy controller (k8s/index/src/routes/grpc.rs
   * try_match: "unsupported GRPCRoute method match type"), so it is not read.
   */
  private linkerdRoutes(ns: string, server: any): any[] {
    const proxyProtocol = server?.spec?.proxyProtocol;
    if (['opaque', 'TLS'].includes(proxyProtocol)) return [];
    if (proxyProtocol === 'gRPC') {
      return (this.linkerdIndex(ns).get(`grpcroute-of Server ${server?.metadata?.name}`) ?? [])
        .filter(r => !(Array.isArray(r.spec?.rules) ? r.spec.rules : []).some((rule: any) => (Array.isArray(rule?.matches) ? rule.matches : []).some((m: any) => m?.method?.type === 'RegularExpression')));
    }
    return this.linkerdIndex(ns).get(`route-of Server ${server?.metadata?.name}`) ?? [];
  }

  /**
   * The GRPCRoute Linkerd selects for a request `/<service>/<method>` (the request path): Gateway API GRPCRoute
   * precedence, the most characters of a matching service, then of a matching method (a match without a method match
   * matches every POST request, a rule without matches every request, of any HTTP method: a match of a rule matches
   * POST requests only, linkerdGrpcRequest); ties go to the first route by name (the
   * oldest, by creation, cannot be told from manifests), then its first rule. Header matches are not read (the
   * request is taken to carry the headers).
   */
  private linkerdGrpcRoute(routes: any[], req: Request): any {
    const [, service, method] = /^\/([^/]*)\/([^/]*)$/.exec(req.path) ?? [];
    const grpc = this.linkerdGrpcRequest(req);
    const score = (m: any): number => {
      // a rule's match (unlike a rule without matches) matches POST requests only (linkerdGrpcRequest)
      if (m !== IMPLICIT_MATCH && !grpc) return -1;
      const mm = m?.method;
      if (!mm) return 0;
      if (mm.service && mm.service !== service) return -1;
      if (mm.method && mm.method !== method) return -1;
      // a service name is at most 1024 characters (GRPCMethodMatch), so the service's length decides first
      return String(mm.service ?? '').length * 2048 + String(mm.method ?? '').length;
    };
    let best = -1;
    let route: any;
    for (const r of [...routes].sort((a, b) => (String(a.metadata?.name) < String(b.metadata?.name) ? -1 : 1))) {
      for (const rule of Array.isArray(r.spec?.rules) ? r.spec.rules : []) {
        for (const m of Array.isArray(rule?.matches) && rule.matches.length ? rule.matches : [IMPLICIT_MATCH]) {
          const sc = score(m);
          if (sc > best) { best = sc; route = r; }
        }
      }
    }
    return route;
  }

  /**
   * The first match without a `method` among the GRPCRoutes the policy controller sends a gRPC Server's proxy (by
   * route name, then rule and match), if any. The policy controller admits and indexes such a match (it is optional:
   * policy-controller/k8s/index/src/routes/grpc.rs try_match) and sends it with no RPC match (grpc/src/routes/grpc.rs
   * convert_match, `rpc: None`); the proxy refuses it (linkerd2-proxy linkerd/http/route/src/grpc/match.rs
   * MatchRoute::try_from, InvalidRouteMatch::MissingRpc), which fails the whole Server policy of the port
   * (linkerd/proxy/server-policy/src/lib.rs ServerPolicy::try_from, InvalidServer::GrpcRoute), not the route alone:
   * the proxy then takes ServerPolicy::invalid (app/inbound/src/policy/api.rs), one route with no authorizations, so
   * every request is denied (HttpRouteUnauthorized: HTTP 403, grpc-status 7; app/inbound/src/http/server.rs). A
   * `method: null` is no method (the controller reads an absent field). A service the routes name, if any, is
   * returned for the fix.
   */
  private linkerdInvalidGrpcMatch(routes: any[]): { route: string; at: string; service?: string } | undefined {
    const sorted = [...routes].sort((a, b) => (String(a.metadata?.name) < String(b.metadata?.name) ? -1 : 1));
    const rulesOf = (r: any): any[] => (Array.isArray(r.spec?.rules) ? r.spec.rules : []);
    const matchesOf = (rule: any): any[] => (Array.isArray(rule?.matches) ? rule.matches : []);
    const serviceOf = (rs: any[]): string | undefined => rs.flatMap(r => rulesOf(r).flatMap(matchesOf)).find((m: any) => typeof m?.method?.service === 'string')?.method.service;
    for (const r of sorted) {
      for (const [i, rule] of rulesOf(r).entries()) {
        for (const [j, m] of matchesOf(rule).entries()) {
          if (m?.method === undefined || m?.method === null) {
            // the service of the route's other matches, else of the Server's other routes
            return { route: String(r.metadata?.name), at: `spec.rules[${i}].matches[${j}]`, service: serviceOf([r]) ?? serviceOf(sorted) };
          }
        }
      }
    }
    return undefined;
  }

  /**
   * Whether a request can match a gRPC route match of Linkerd's proxy: a POST (linkerd2-proxy linkerd/http/route/src/
   * grpc/match.rs MatchRoute::match_request returns no match for any other method). A GRPCRoute rule without matches
   * matches every request, whatever its method (linkerd/http/route/src/lib.rs find: "an implicit default match"; the
   * policy controller sends such a rule with no matches: k8s/index/src/inbound/index/grpc.rs try_grpc_rule).
   */
  private linkerdGrpcRequest(req: Request): boolean {
    return req.method === 'POST';
  }

  /**
   * Why a request matches no gRPC route match, and what the proxy answers it: the inbound server's rescue turns
   * HttpRouteNotFound ("no route found for request", linkerd2-proxy app/inbound/src/policy/http.rs) into
   * SyntheticHttpResponse::not_found (app/inbound/src/http/server.rs ServerRescue), which the responder writes as
   * HTTP 404, or, for an HTTP/2 request whose content-type starts with application/grpc, as a gRPC response: HTTP 200
   * with grpc-status 5 NOT_FOUND (app/core/src/errors/respond.rs NewRespond::new_respond is_grpc, grpc_response). The
   * matrix's requests carry no headers: both are named.
   */
  private linkerdGrpcNoRoute(req: Request): string {
    return `a gRPC Server's proxy matches only POST requests to its gRPC routes (gRPC is always POST; linkerd2-proxy grpc/match.rs MatchRoute::match_request), so it answers ${req.method} `
      + 'with HTTP 404, or, for an HTTP/2 request with content-type application/grpc, with grpc-status 5 NOT_FOUND in an HTTP 200 response ("no route found for request": '
      + 'linkerd2-proxy inbound policy/http.rs HttpRouteNotFound, core errors/respond.rs grpc_response)';
  }

  /**
   * A namespace's Linkerd AuthorizationPolicies by target (`Kind name`) and its HTTPRoutes by parent
   * (`route-of Kind name`), each in the order of the manifests, once.
   */
  private linkerdIndex(ns: string): Map<string, any[]> {
    return this.once(`linkerd-index ${ns}`, () => {
      const index = new Map<string, Set<any>>();
      const add = (k: string, o: any) => { if (!index.has(k)) index.set(k, new Set()); index.get(k)!.add(o); };
      for (const o of this.ofKind('AuthorizationPolicy')) if (/linkerd/.test(o.apiVersion) && this.ns(o) === ns) add(`${o.spec?.targetRef?.kind} ${o.spec?.targetRef?.name}`, o);
      for (const o of this.ofKind('HTTPRoute')) if (o.kind === 'HTTPRoute' && this.ns(o) === ns) for (const pr of o.spec?.parentRefs ?? []) add(`route-of ${pr?.kind} ${pr?.name}`, o);
      for (const o of this.ofKind('GRPCRoute')) if (o.kind === 'GRPCRoute' && this.ns(o) === ns) for (const pr of o.spec?.parentRefs ?? []) add(`grpcroute-of ${pr?.kind} ${pr?.name}`, o);
      return new Map([...index].map(([k, v]) => [k, [...v]]));
    });
  }

  private linkerdDefault(policy: string, c: Caller, reason: string): { allowed: boolean; reason: string } {
    const allowed = policy === 'audit' || policy === 'all-unauthenticated' || policy === 'cluster-unauthenticated'
      || ((policy === 'all-authenticated' || policy === 'cluster-authenticated') && c.meshed);
    return { allowed, reason: policy === 'audit' ? `${reason} (audit: allowed and logged)` : reason };
  }

  private linkerdMatch(m: any, req: Request): number {
    if (m.method && m.method !== req.method) return -1;
    const p = m.path ?? { type: 'PathPrefix', value: '/' };
    let score: number;
    if (p.type === 'Exact') {
      if (p.value !== req.path) return -1;
      score = 100000;
    } else {
      const v = p.value.endsWith('/') && p.value !== '/' ? p.value.slice(0, -1) : p.value;
      if (!(v === '/' || req.path === v || req.path.startsWith(`${v}/`))) return -1;
      score = v.length * 10;
    }
    return score + (m.method ? 1 : 0);
  }

  private linkerdAuthenticated(r: any, c: Caller, ns: string): boolean {
    if (r.kind === 'ServiceAccount') return c.meshed && c.sa === r.name && c.ns === (r.namespace ?? ns);
    const auth = this.once(`linkerd-authentication ${r.kind} ${r.namespace ?? ns}/${r.name}`,
      () => this.firstByName(r.kind, r.namespace ?? ns, r.name));
    if (!auth) return false;
    if (r.kind === 'MeshTLSAuthentication') {
      if (!c.meshed) return false;
      const idRefs = (auth.spec?.identityRefs ?? []).some((i: any) => (i.kind === 'ServiceAccount' && i.name === c.sa && (i.namespace ?? this.ns(auth)) === c.ns)
        || (i.kind === 'Namespace' && i.name === c.ns));
      const ids = (auth.spec?.identities ?? []).some((i: string) => i === '*' || istioMatch(i, `${c.sa}.${c.ns}.serviceaccount.identity.linkerd.cluster.local`));
      return idRefs || ids;
    }
    if (r.kind === 'NetworkAuthentication') {
      return !!c.ip && (auth.spec?.networks ?? []).some((n: any) => ipInCidr(c.ip!, n.cidr) && !(n.except ?? []).some((e: string) => ipInCidr(c.ip!, e)));
    }
    return false;
  }

  // ---- Consul ------------------------------------------------------------------------------

  /**
   * Consul's evaluation (agent/xds/rbac.go makeRBACRules): the intentions whose destination and source
   * match, by precedence (exact destination, then exact source; config_entry_intentions.go
   * computeIntentionPrecedence); the first decides. An L4 source by its action; an L7 source by its
   * first matching permission, and a request that matches none of them by the default intention policy
   * (the ACL default), never by a lower-precedence `*` source, which the matched source shadows.
   */
  private consul(req: Request): { allowed: boolean; reason: string } {
    const c = req.caller;
    const defaultAllow = this.options.consulDefaultAllow ?? true;
    const byDefault = (why: string) => ({ allowed: defaultAllow, reason: `${why}; the default intention policy (ACL default ${defaultAllow ? 'allow' : 'deny'}) decides` });
    if (!c.meshed) return { allowed: false, reason: 'the caller is outside the mesh' };
    let known = this.consulByName.get(req.name);
    if (!known) {
      const all: any[] = this.ofKind('ServiceIntentions');
      // the intentions by destination name, once (not a scan of every intention per service)
      const byDestination = this.once('consul-by-destination', () => {
        const index = new Map<unknown, any[]>();
        for (const o of all) {
          const d = o.spec?.destination?.name;
          if (!index.has(d)) index.set(d, []);
          index.get(d)!.push(o);
        }
        return index;
      });
      const intentions = req.name === '*' ? byDestination.get('*') ?? []
        : [...byDestination.get('*') ?? [], ...byDestination.get(req.name) ?? []].sort((a, b) => this.consulOrder(a) - this.consulOrder(b));
      // their sources by name (`*` and service names), each in the order of the intentions and sources
      const sources = new Map<string, ConsulSource[]>();
      intentions.forEach((o, at) => (o.spec?.sources ?? []).forEach((src: any, i: number) => {
        if (typeof src?.name !== 'string') return;
        if (!sources.has(src.name)) sources.set(src.name, []);
        sources.get(src.name)!.push({ o, i, at });
      }));
      known = {
        // namespaces count on Enterprise only (told, or seen in the intentions); CE has one namespace
        enterprise: this.options.consulEnterprise ?? this.once('consul-enterprise', () => all.some(o => o.spec?.destination?.namespace !== undefined
          || (o.spec?.sources ?? []).some((x: any) => x?.namespace !== undefined))),
        // those whose destination can be this service (the test below, by name), in their order
        intentions,
        sources,
      };
      // (a few hundred names kept: a name's sources by name are read again in a moment from the indexes,
      // and all of them kept would hold every intention's sources twice, 70 MB at 5,000 services)
      if (this.consulByName.size >= 256) this.consulByName.clear();
      this.consulByName.set(req.name, known);
    }
    const { enterprise, sources } = known;
    const exact = (name: string, ns: string) => (enterprise && ns === '*' ? 0 : name === '*' ? 1 : 2);
    const candidates: { o: any; i: number; precedence: number }[] = [];
    // the sources named `*` or the caller's name (no other can match), in the order of the intentions and sources
    const named = c.sa === '*' ? [] : sources.get(c.sa!) ?? [];
    const star = sources.get('*') ?? [];
    const matching = !named.length ? star : !star.length ? named : [...named, ...star].sort((x, y) => x.at - y.at || x.i - y.i);
    for (const { o, i } of matching) {
      const dest = o.spec?.destination ?? {};
      const destNs = enterprise ? dest.namespace ?? this.ns(o) : 'default';
      if (!(dest.name === '*' || dest.name === req.name) || (enterprise && destNs !== '*' && destNs !== req.ns)) continue;
      const max = [3, 6, 9][exact(dest.name, destNs)];
      const s = o.spec.sources[i];
      // a peer's callers match only sources of that peer (their principal carries the peer's trust
      // domain; a local `*` is bound to the local one: agent/xds/rbac.go makeSpiffePattern)
      if (!s || (s.peer ?? undefined) !== c.peer || s.samenessGroup || s.partition) continue;
      // a source without a namespace is in the destination's (config_entry_intentions.go normalize)
      const srcNs = enterprise ? s.namespace ?? (destNs === '*' ? 'default' : destNs) : 'default';
      if (!(s.name === '*' || s.name === c.sa) || (enterprise && srcNs !== '*' && srcNs !== c.ns)) continue;
      candidates.push({ o, i, precedence: max - (2 - exact(s.name, srcNs)) });
    }
    const first = candidates.sort((a, b) => b.precedence - a.precedence)[0];
    if (!first) return byDefault('no intention matches');
    const { o, i } = first;
    const s = o.spec.sources[i];
    const at = `${ref(o)} sources[${i}] (${s.peer ? `peer ${s.peer}: ` : ''}${s.namespace ? `${s.namespace}/` : ''}${s.name})`;
    if (!s.permissions?.length) return { allowed: s.action === 'allow', reason: `${at}: ${s.action}` };
    const j = s.permissions.findIndex((p: any) => this.consulPermission(p, req));
    if (j >= 0) return { allowed: s.permissions[j].action === 'allow', reason: `${at}.permissions[${j}] (${s.permissions[j].action})` };
    return byDefault(`${at}: no permission matches the request, and the source shadows lower-precedence intentions`);
  }

  /** An intention's place among the ServiceIntentions, in the order of the manifests. */
  private consulOrder(o: any): number {
    return this.once('consul-order', () => new Map(this.ofKind('ServiceIntentions').map((x, i) => [x, i]))).get(o)!;
  }

  private consulPermission(p: any, req: Request): boolean {
    const h = p.http ?? {};
    if (h.pathExact !== undefined && h.pathExact !== req.path) return false;
    if (h.pathPrefix !== undefined && !req.path.startsWith(h.pathPrefix)) return false;
    if (h.pathRegex !== undefined && !new RegExp(`^(?:${h.pathRegex})$`).test(req.path)) return false;
    if (h.methods?.length && !h.methods.includes(req.method)) return false;
    if (p.jwt?.providers?.length && !req.jwt) return false;
    return true;
  }
}
