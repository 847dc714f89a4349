import type { Severity } from '../findings';
import { controllerWorkloads, flaggerApexService } from './enrolment';

/** Mesh-wide assumptions of the analyzer, with upstream defaults. */
export interface AnalyzerAssumptions {
  readonly rootNamespace: string;
  readonly trustDomain: string;
  readonly clusterDomain: string;
  readonly defaultNamespace: string;
  readonly autoMtls: boolean;
}

/** One manifest and where it came from. */
export interface Doc {
  readonly obj: any;
  readonly index: number;
  readonly file?: string;
  readonly documentIndex?: number;
  /** Its path inside its YAML document: `['items', 3]` for an item of a `kind: List`. */
  readonly prefix?: (string | number)[];
}

/** A finding before it gets its file, line and resource. */
export interface RawFinding {
  readonly doc: Doc;
  readonly path: (string | number)[];
  readonly message: string;
  /** A lower severity than the rule's, for this finding (e.g. when a fact is not among the manifests). */
  readonly severity?: Severity;
  /** The upstream rule of this finding, where the rule mirrors several (e.g. IST0128 or IST0129). */
  readonly upstream?: string;
}

/**
 * The manifests, indexed once, so that cross-resource rules look things up instead of comparing
 * every pair of objects.
 */
export class AnalysisContext {
  private readonly byKind = new Map<string, Doc[]>();
  /** By group, kind, namespace and name: made when a rule first calls `find` (most analyses never do). */
  private byKey?: Map<string, Doc>;
  private readonly byKindAndGroup = new Map<string, Doc[]>();
  private readonly labelsByNamespace = new Map<string, { [k: string]: string }[]>();
  private namespacesByName?: Map<string, any>;
  /** By namespace, then name; or under '/', by `namespace/name` (see findService). */
  private servicesByKey?: Map<string, Map<string, any>>;
  private readonly shared = new Map<string, unknown>();
  private readonly serviceAnswers = new Map<string, Map<string | undefined, any>>();
  private readonly waypointAnswers = new Map<string, Map<string | undefined, string>>();

  /**
   * The codes of the rules this analysis runs (set by the analyzer; undefined: every rule), for work several rules share
   * (istio.ts matchRules): the part of a rule that does not run is not done.
   */
  public running?: ReadonlySet<string>;

  constructor(public readonly docs: Doc[], public readonly assumptions: AnalyzerAssumptions) {
    for (const d of docs) {
      const kind = d.obj.kind as string;
      if (!this.byKind.has(kind)) this.byKind.set(kind, []);
      this.byKind.get(kind)!.push(d);
    }
  }

  /** The API group of an object (`''` for the core group). */
  public group(o: any): string {
    const v = String(o.apiVersion ?? '');
    const slash = v.indexOf('/');
    return slash < 0 ? '' : v.slice(0, slash);
  }

  /** Objects of a kind, optionally of an API group (suffix match, e.g. `istio.io`). */
  public ofKind(kind: string, groupSuffix?: string): Doc[] {
    const all = this.byKind.get(kind) ?? [];
    if (groupSuffix === undefined) return all;
    // rules ask once per object they check: filtered once
    const key = `${kind}\u0000${groupSuffix}`;
    let some = this.byKindAndGroup.get(key);
    if (!some) this.byKindAndGroup.set(key, some = all.filter(d => this.group(d.obj).endsWith(groupSuffix)));
    return some;
  }

  /**
   * A value several rules read (an index, the duplicates), made once per analysis by the first rule that asks:
   * `make` must depend on the manifests and assumptions only. A `make` that throws is not kept (the next rule
   * that asks meets the same error, as it did when each rule made its own).
   */
  public memo<T>(key: string, make: () => T): T {
    if (this.shared.has(key)) return this.shared.get(key) as T;
    const value = make();
    this.shared.set(key, value);
    return value;
  }

  /** Whether the rule of a code runs in this analysis. */
  public runs(code: string): boolean {
    return !this.running || this.running.has(code);
  }

  /** One object by group, kind, namespace and name. */
  public find(group: string, kind: string, ns: string, name: string): Doc | undefined {
    if (!this.byKey) {
      // the last object of a key wins, as when the constructor made the index
      this.byKey = new Map();
      for (const d of this.docs) this.byKey.set(this.key(this.group(d.obj), d.obj.kind, this.ns(d.obj), d.obj.metadata?.name), d);
    }
    return this.byKey.get(this.key(group, kind, ns, name));
  }

  /** Whether any object of a kind (and group suffix) is among the manifests: "M" rules need them. */
  public has(kind: string, groupSuffix?: string): boolean {
    return this.ofKind(kind, groupSuffix).length > 0;
  }

  public ns(o: any): string {
    return o.metadata?.namespace ?? this.assumptions.defaultNamespace;
  }

  /** A host as Istio resolves it from namespace `ns`: short names become FQDNs. */
  public fqdn(host: string, ns: string): string {
    if (!host || host.includes('*')) return host;
    // one label, or two (the dots counted: no split per host)
    const dot = host.indexOf('.');
    if (dot < 0) return `${host}.${ns}.svc.${this.assumptions.clusterDomain}`;
    if (host.indexOf('.', dot + 1) < 0) return `${host}.svc.${this.assumptions.clusterDomain}`;
    return host;
  }

  /** Pod labels of the Deployments (and other workloads) among the manifests, by namespace (computed once). */
  public workloadLabels(ns: string): { [k: string]: string }[] {
    if (!this.labelsByNamespace.size) {
      for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']) {
        for (const d of this.ofKind(kind)) {
          const labels = kind === 'Pod' ? d.obj.metadata?.labels : d.obj.spec?.template?.metadata?.labels;
          if (!labels || typeof labels !== 'object') continue;
          const key = this.ns(d.obj);
          if (!this.labelsByNamespace.has(key)) this.labelsByNamespace.set(key, []);
          this.labelsByNamespace.get(key)!.push(labels);
        }
      }
      // Argo Rollouts' pod templates and Flagger's <target>-primary pods
      for (const o of controllerWorkloads(this.docs.map(d => d.obj))) {
        const labels = o.spec?.template?.metadata?.labels;
        if (!labels || typeof labels !== 'object') continue;
        const key = this.ns(o);
        if (!this.labelsByNamespace.has(key)) this.labelsByNamespace.set(key, []);
        this.labelsByNamespace.get(key)!.push(labels);
      }
    }
    return this.labelsByNamespace.get(ns) ?? [];
  }

  /** Whether a namespace is enrolled in Istio ambient (its Namespace object is among the manifests). */
  public isAmbient(ns: string): boolean {
    return this.namespaceObject(ns)?.metadata?.labels?.['istio.io/dataplane-mode'] === 'ambient';
  }

  /** The Namespace object of a namespace, if it is among the manifests (indexed once). */
  public namespaceObject(ns: string): any {
    if (!this.namespacesByName) this.namespacesByName = new Map(this.ofKind('Namespace').map(d => [d.obj.metadata?.name, d.obj]));
    return this.namespacesByName.get(ns);
  }

  /** A core Service among the manifests, by namespace and name (indexed once), or the Service a Flagger Canary generates. */
  public service(ns: string, name: string): any {
    const found = this.indexedService(ns, name);
    if (found !== undefined || !this.has('Canary', 'flagger.app')) return found;
    // the Service a Flagger Canary generates (not among the manifests), selecting its primary pods: found once per
    // namespace and name
    const generated = () => flaggerApexService(this.docs.map(d => d.obj), ns, name, o => this.ns(o));
    return typeof ns !== 'string' || typeof name !== 'string' ? generated() : this.cached(this.serviceAnswers, ns, name, generated);
  }

  private indexedService(ns: string, name: string): any {
    if (!this.servicesByKey) {
      // by `${namespace}/${name}`, in two levels (no key string per Service or question), unless a namespace or name
      // has a '/' (no valid one has): then by the one string, which is what the two levels stand for
      // (kept only once complete: a document whose name cannot be made a string throws here again at the next question)
      const services = this.ofKind('Service').filter(d => d.obj.apiVersion === 'v1');
      const index = new Map<string, Map<string, any>>();
      if (services.some(d => String(this.ns(d.obj)).includes('/') || String(d.obj.metadata?.name).includes('/'))) {
        index.set('/', new Map(services.map(d => [`${this.ns(d.obj)}/${d.obj.metadata?.name}`, d.obj])));
      } else {
        for (const d of services) {
          const key = String(this.ns(d.obj));
          let byName = index.get(key);
          if (!byName) index.set(key, byName = new Map());
          byName.set(String(d.obj.metadata?.name), d.obj);
        }
      }
      this.servicesByKey = index;
    }
    const flat = this.servicesByKey.get('/');
    return flat ? flat.get(`${ns}/${name}`) : this.servicesByKey.get(String(ns))?.get(String(name));
  }

  /**
   * The waypoint (`namespace/name`) that traffic to a Service of an ambient namespace goes through: the
   * Service's own `istio.io/use-waypoint` label, else its namespace's; none if the label is absent or `none`.
   * The answers for string names are kept by namespace and name ('' for none: rules ask once per reference).
   */
  public waypointFor(ns: string, service?: string): string | undefined {
    if (typeof ns !== 'string' || (service !== undefined && typeof service !== 'string')) return this.findWaypoint(ns, service);
    let byName = this.waypointAnswers.get(ns);
    if (!byName) this.waypointAnswers.set(ns, byName = new Map());
    const known = byName.get(service);
    if (known !== undefined) return known || undefined;
    const value = this.findWaypoint(ns, service);
    byName.set(service, value ?? '');
    return value;
  }

  private findWaypoint(ns: string, service?: string): string | undefined {
    const own = this.waypointLabel(service ? this.service(ns, service) : undefined, ns);
    return (own ?? this.waypointLabel(this.namespaceObject(ns), ns)) || undefined;
  }

  /** The waypoint an object's labels name (`namespace/name`), '' for `none`, undefined when they name none. */
  private waypointLabel(o: any, ns: string): string | undefined {
    const labels = o?.metadata?.labels ?? {};
    const name = labels['istio.io/use-waypoint'];
    if (name === 'none') return '';
    return name ? `${labels['istio.io/use-waypoint-namespace'] ?? ns}/${name}` : undefined;
  }

  /** The answer of a pure lookup by namespace and name, made once (not kept when `make` throws: the next call throws again). */
  private cached<T>(answers: Map<string, Map<string | undefined, T>>, ns: string, name: string | undefined, make: () => T): T {
    let byName = answers.get(ns);
    if (!byName) answers.set(ns, byName = new Map());
    const known = byName.get(name);
    if (known !== undefined || byName.has(name)) return known!;
    const value = make();
    byName.set(name, value);
    return value;
  }

  private key(group: string, kind: string, ns: string, name: string): string {
    return `${group}|${kind}|${ns}|${name}`;
  }
}

/** Whether a selector's labels are all in a label set. */
export function selects(selector: { [k: string]: string } | undefined, labels: { [k: string]: string } | undefined): boolean {
  const s: any = selector ?? {};
  for (const k of Object.keys(s)) if (labels?.[k] !== s[k]) return false;
  return true;
}

/** Groups items by a key (insertion order kept). */
export function groupBy<T>(items: T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Whether two Istio host patterns overlap (`*.foo.com` covers `a.foo.com`). */
export function hostsOverlap(a: string, b: string): boolean {
  if (a === b || a === '*' || b === '*') return true;
  const covers = (w: string, h: string) => w.startsWith('*.') && (h.endsWith(w.slice(1)) || h === w.slice(2));
  return covers(a, b) || covers(b, a);
}

/**
 * The host entries of an Istio Gateway's servers, each with whether it is served to the VirtualServices of
 * namespace `vsNs`: `ns/host` is for the VirtualServices of ns only, `./host` for those of the Gateway's
 * namespace, `*` or no namespace for every namespace (pkg/config/host/names.go NamesForNamespace, read by
 * pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig and istioctl's vsHostInGateway).
 */
export function istioGatewayHosts(gateway: any, gatewayNs: string, vsNs: string): { entry: string; host: string; namespace: string; forVs: boolean }[] {
  const servers = Array.isArray(gateway?.spec?.servers) ? gateway.spec.servers : [];
  return servers.flatMap((s: any) => (Array.isArray(s?.hosts) ? s.hosts : [])).filter((h: unknown): h is string => typeof h === 'string')
    .map((h: string) => {
      const slash = h.indexOf('/');
      const hostNs = slash < 0 ? '*' : h.slice(0, slash) === '.' ? gatewayNs : h.slice(0, slash);
      return { entry: h, host: slash < 0 ? h : h.slice(slash + 1), namespace: hostNs, forVs: hostNs === '*' || hostNs === vsNs };
    });
}
