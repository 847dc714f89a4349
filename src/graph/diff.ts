import * as fs from 'fs';
import { MeshGraph, MeshGraphOptions } from './model';
import { GraphRoute } from './types';
import { asStored, isClusterScoped } from '../analysis/private/duplicates';
import { expandPaths } from '../analysis/private/files';
import { loadManifests } from '../analysis/private/yaml';

/** A call whose decision changed. */
export interface AccessChange {
  /** The caller (`namespace/serviceAccount`, `namespace/unnamed` for any other workload, `ip:...` outside the mesh). */
  readonly caller: string;
  /** The service, as `namespace/name`. */
  readonly service: string;
  /** The method (`TCP` for a TCP service: any connection). */
  readonly method: string;
  /** The path. */
  readonly path: string;
  /** True: newly allowed; false: newly denied. */
  readonly allowed: boolean;
  /** Why it was decided as it was before (or `no such service`). */
  readonly before: string;
  /** Why it is decided as it is now. */
  readonly after: string;
}

/** A change of a route, a setting, an entry point, an external host or an object. */
export interface GraphChange {
  /** What changed: `route`, `setting`, `ingress`, `egress`, `egressPolicy` or an object kind (`networking.istio.io/VirtualService`). */
  readonly what: string;
  /** Which one: `shop/payment default` (service and route), `shop/payment circuitBreaker`, an object's `namespace/name`. */
  readonly key: string;
  /** `added`, `removed` or `changed`. */
  readonly change: string;
  /**
   * Before.
   * @default - none (added)
   */
  readonly before?: string;
  /**
   * After.
   * @default - none (removed)
   */
  readonly after?: string;
}

function routeText(r: GraphRoute): string {
  const backends = r.backends.map(b => `${b.service}${b.version ? ` ${b.version}` : ''}${b.weight !== undefined ? ` ${b.weight}` : ''}`).join(', ');
  return [`${r.match}${r.headers.length ? ` [${r.headers.join(', ')}]` : ''} -> ${backends || '(none)'}`,
    r.mirror ? `mirror ${r.mirror}` : '', r.timeout ? `timeout ${r.timeout}` : '', r.retries ? `retries ${r.retries}` : '', r.fault ? `fault ${r.fault}` : ''].filter(Boolean).join('; ');
}

/** Keys of the routes, unique per service (a second route of one name gets `#2`). */
function routeMap(routes: GraphRoute[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of routes) {
    let key = `${r.service} ${r.name}`;
    for (let n = 2; out.has(key); n++) key = `${r.service} ${r.name} #${n}`;
    out.set(key, routeText(r));
  }
  return out;
}

/** Plain data with its keys sorted: the same object with its keys in another order is the same text. */
function canonical(value: any): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function compareMaps(what: string, before: Map<string, string>, after: Map<string, string>, out: GraphChange[]): void {
  for (const [key, b] of before) {
    const a = after.get(key);
    if (a === undefined) out.push({ what, key, change: 'removed', before: b });
    else if (a !== b) out.push({ what, key, change: 'changed', before: b, after: a });
  }
  for (const [key, a] of after) if (!before.has(key)) out.push({ what, key, change: 'added', after: a });
}

/**
 * The mTLS modes and deny policies weakened between two sets of objects (see MeshDiff.security). The call
 * matrix cannot show these: a PERMISSIVE mode lets plaintext in where ALLOW policies do not look at the
 * peer, and the DENY policies of the shop gate request principals (JWTs), which the matrix does not probe.
 */
function securityChanges(before: any[], after: any[], defaultNs: string): GraphChange[] {
  const out: GraphChange[] = [];
  const index = (list: any[], test: (o: any) => boolean) => {
    const m = new Map<string, any>();
    for (const o of list) if (o && typeof o === 'object' && test(o)) m.set(`${o.metadata?.namespace ?? defaultNs}/${o.metadata?.name}`, o);
    return m;
  };
  // Istio PeerAuthentication: the mode per port ('' for the workload), UNSET inherits (no change of its own)
  const isPa = (o: any) => o.kind === 'PeerAuthentication' && String(o.apiVersion ?? '').startsWith('security.istio.io/');
  const modes = (o: any): Map<string, string> => {
    const m = new Map<string, string>([['', String(o?.spec?.mtls?.mode ?? 'UNSET').toUpperCase()]]);
    for (const [port, v] of Object.entries(o?.spec?.portLevelMtls ?? {})) m.set(port, String((v as any)?.mode ?? 'UNSET').toUpperCase());
    return m;
  };
  const text = (o: any) => [...modes(o)].filter(([, v]) => v !== 'UNSET').map(([p, v]) => (p ? `port ${p} ${v}` : v)).join(', ') || 'UNSET';
  const pa0 = index(before, isPa);
  const pa1 = index(after, isPa);
  for (const [key, b] of pa0) {
    const a = pa1.get(key);
    const strict = [...modes(b)].filter(([, v]) => v === 'STRICT').map(([p]) => p);
    if (!strict.length) continue;
    if (!a) { out.push({ what: 'security.istio.io/PeerAuthentication', key, change: 'removed', before: text(b) }); continue; }
    // a port (or the workload) that was STRICT and is not now; a port-level mode left out or UNSET inherits the
    // workload's (istio pilot/pkg/security/authn/policy_applier.go, ComposePeerAuthentication: an UNSET port mode is skipped)
    const effective = (m: Map<string, string>, port: string) => (m.get(port) && m.get(port) !== 'UNSET' ? m.get(port) : m.get(''));
    const [m0, m1] = [modes(b), modes(a)];
    const weaker = [...new Set([...m0.keys(), ...m1.keys()])].some(p => effective(m0, p) === 'STRICT' && effective(m1, p) !== 'STRICT');
    if (weaker || canonical(a.spec?.selector ?? null) !== canonical(b.spec?.selector ?? null)) {
      out.push({ what: 'security.istio.io/PeerAuthentication', key, change: 'changed', before: `${text(b)}${b.spec?.selector ? ` on ${canonical(b.spec.selector)}` : ''}`, after: `${text(a)}${a.spec?.selector ? ` on ${canonical(a.spec.selector)}` : ''}` });
    }
  }
  for (const [key, a] of pa1) {
    if (pa0.has(key)) continue;
    if ([...modes(a).values()].some(v => v === 'PERMISSIVE' || v === 'DISABLE')) out.push({ what: 'security.istio.io/PeerAuthentication', key, change: 'added', after: text(a) });
  }
  // Istio DENY AuthorizationPolicy: removed, a rule less, or another target
  const isDeny = (o: any) => o.kind === 'AuthorizationPolicy' && String(o.apiVersion ?? '').startsWith('security.istio.io/') && o.spec?.action === 'DENY';
  const ap0 = index(before, isDeny);
  const ap1 = index(after, isDeny);
  const target = (o: any) => canonical([o.spec?.selector ?? null, o.spec?.targetRef ?? null, o.spec?.targetRefs ?? null]);
  for (const [key, b] of ap0) {
    const a = ap1.get(key);
    const rules = (o: any) => (o.spec?.rules ?? []).map(canonical);
    if (!a) {out.push({ what: 'security.istio.io/AuthorizationPolicy', key, change: 'removed', before: `DENY, ${rules(b).length} rule(s)` });} else if (target(a) !== target(b) || rules(b).some((r: string) => !rules(a).includes(r))) {
      out.push({ what: 'security.istio.io/AuthorizationPolicy', key, change: 'changed', before: `DENY, ${rules(b).length} rule(s) on ${target(b)}`, after: `DENY, ${rules(a).length} rule(s) on ${target(a)}` });
    }
  }
  // Consul: mutualTLSMode permissive (ServiceDefaults, ProxyDefaults)
  const isConsulTls = (o: any) => (o.kind === 'ServiceDefaults' || o.kind === 'ProxyDefaults') && String(o.apiVersion ?? '').startsWith('consul.hashicorp.com/');
  const c0 = index(before, isConsulTls);
  for (const [key, a] of index(after, isConsulTls)) {
    const mode = (o: any) => String(o?.spec?.mutualTLSMode ?? '').toLowerCase();
    if (mode(a) === 'permissive' && mode(c0.get(key)) !== 'permissive') {
      out.push({ what: `consul.hashicorp.com/${a.kind}`, key, change: c0.has(key) ? 'changed' : 'added', before: c0.has(key) ? `mutualTLSMode ${mode(c0.get(key)) || 'default'}` : undefined, after: 'mutualTLSMode permissive' });
    }
  }
  return out.sort((x, y) => (`${x.what} ${x.key}` < `${y.what} ${y.key}` ? -1 : 1));
}

/**
 * What a change of mesh manifests does, not which lines moved: the calls newly allowed or denied (caller,
 * service, method, path), the routes and weights, the resilience settings, the entry points and
 * external hosts changed, and the objects added, removed or changed per kind. Objects or keys that only
 * moved make no difference.
 *
 * @example
 * import { Testing } from 'cdk8s';
 * import { MeshDiff } from 'cdk8s-mesh';
 *
 * const before = Testing.synth(chart);
 * // ... change the app, then
 * const diff = MeshDiff.between(before, Testing.synth(chart));
 * diff.widensAccess; // true when a call, an entry point or an external host is newly allowed
 */
export class MeshDiff {
  /** Between two sets of manifest objects. */
  public static between(before: any[], after: any[], options: MeshGraphOptions = {}): MeshDiff {
    return new MeshDiff(before, after, options);
  }

  /** Between two sets of files and folders of YAML. */
  public static betweenFiles(before: string[], after: string[], options: MeshGraphOptions = {}): MeshDiff {
    const read = (paths: string[]) => expandPaths(paths).flatMap(p => loadManifests(fs.readFileSync(p, 'utf8'), p).documents.map(d => d.obj));
    return new MeshDiff(read(before), read(after), options);
  }

  /** The mesh of the manifests before. */
  public readonly meshBefore: string;
  /** The mesh of the manifests after. */
  public readonly meshAfter: string;
  /** The calls newly allowed. */
  public readonly newlyAllowed: AccessChange[];
  /** The calls newly denied. */
  public readonly newlyDenied: AccessChange[];
  /** The routes (matches, headers, backends and weights, mirrors, timeouts, retries, faults) added, removed or changed. */
  public readonly routes: GraphChange[];
  /** The per-service settings (circuit breakers, connection pools, rate limits) added, removed or changed. */
  public readonly settings: GraphChange[];
  /** The entry points (gateway routes), external hosts and egress modes added, removed or changed. */
  public readonly ingressEgress: GraphChange[];
  /**
   * The mTLS modes and deny policies weakened: an Istio PeerAuthentication that no longer requires mTLS
   * (STRICT to PERMISSIVE or DISABLE, removed, or a STRICT one that selects other workloads now), a
   * PERMISSIVE or DISABLE one added, an Istio DENY AuthorizationPolicy removed or with a rule or target
   * less, a Consul ServiceDefaults or ProxyDefaults with `mutualTLSMode: permissive` now. Each lets more
   * in than before even when no call of the matrix changes (a plaintext caller, a request without a JWT).
   */
  public readonly security: GraphChange[];
  /** Whether an entry point, an external host or the egress mode lets more in or out. */
  private readonly edgeWidens: boolean;
  /** The objects added, removed or changed, by kind. */
  public readonly objects: GraphChange[];

  private constructor(before: any[], after: any[], options: MeshGraphOptions) {
    // one cluster on both sides: Consul Enterprise (namespaces count) is inferred from the intentions that name a
    // namespace (as ReachabilityMatrix does), so a change that adds the first such intention must not switch the
    // other side to Community semantics, or every caller of another namespace reads as newly allowed or denied
    const namesNamespace = (o: any) => o?.kind === 'ServiceIntentions' && (o.spec?.destination?.namespace !== undefined
      || (Array.isArray(o.spec?.sources) ? o.spec.sources : []).some((x: any) => x?.namespace !== undefined));
    if (options.consulEnterprise === undefined && [...before, ...after].some(namesNamespace)) {
      options = { ...options, consulEnterprise: true };
    }
    const old = MeshGraph.fromManifests(before, options);
    const now = MeshGraph.fromManifests(after, options);
    this.meshBefore = old.mesh;
    this.meshAfter = now.mesh;
    // every (caller, service, request) either side decided, decided on both sides
    const decided = (g: MeshGraph) => {
      const m = new Map<string, { allowed: boolean; reason: string }>();
      for (const d of g.decisions) m.set(`${d.caller}\u0000${d.service}\u0000${d.protocol === 'tcp' ? 'TCP' : d.method}\u0000${d.protocol === 'tcp' ? '' : d.path}`, { allowed: d.allowed, reason: d.reason });
      return m;
    };
    const d0 = decided(old);
    const d1 = decided(now);
    const oldServices = new Set(old.services.map(s => s.id).concat(old.decisions.map(d => d.service)));
    const newServices = new Set(now.services.map(s => s.id).concat(now.decisions.map(d => d.service)));
    const decide = (g: MeshGraph, exists: Set<string>, key: string) => {
      const [caller, service, method, path] = key.split('\u0000');
      if (!exists.has(service)) return { allowed: false, reason: 'no such service' };
      const d = g._check({ caller, service, method: method === 'TCP' ? 'GET' : method, path: method === 'TCP' ? '/' : path });
      return { allowed: d.allowed, reason: d.reason };
    };
    const allowed: AccessChange[] = [];
    const denied: AccessChange[] = [];
    for (const key of new Set([...d0.keys(), ...d1.keys()])) {
      const b = d0.get(key) ?? decide(old, oldServices, key);
      const a = d1.get(key) ?? decide(now, newServices, key);
      if (a.allowed === b.allowed) continue;
      const [caller, service, method, path] = key.split('\u0000');
      (a.allowed ? allowed : denied).push({ caller, service, method, path, allowed: a.allowed, before: b.reason, after: a.reason });
    }
    const order = (x: AccessChange, y: AccessChange) => {
      const k = (c: AccessChange) => `${c.service}\u0000${c.caller}\u0000${c.method}\u0000${c.path}`;
      return k(x) < k(y) ? -1 : k(x) > k(y) ? 1 : 0;
    };
    this.newlyAllowed = allowed.sort(order);
    this.newlyDenied = denied.sort(order);

    const routes: GraphChange[] = [];
    compareMaps('route', routeMap(old.routes), routeMap(now.routes), routes);
    this.routes = routes;
    const settingMap = (g: MeshGraph) => {
      const m = new Map<string, string>();
      for (const s of g.settings) {
        const from = /^from (\S+): /.exec(s.value);
        m.set(`${s.service} ${s.name}${from ? ` from ${from[1]}` : ''}`, from ? s.value.slice(from[0].length) : s.value);
      }
      return m;
    };
    const settings: GraphChange[] = [];
    compareMaps('setting', settingMap(old), settingMap(now), settings);
    this.settings = settings;
    const edgeChanges: GraphChange[] = [];
    const ingressMap = (g: MeshGraph) => new Map(g.ingress.map(i => [`${i.gateway} ${i.match} -> ${i.service}`, i.hosts.join(', ')]));
    compareMaps('ingress', ingressMap(old), ingressMap(now), edgeChanges);
    const egressMap = (g: MeshGraph) => new Map(g.egress.map(e => [`${e.namespace} ${e.host}`, `${e.ports.join(', ') || 'any port'}${e.callers.length ? ` from ${e.callers.join(', ')}` : ''}`]));
    compareMaps('egress', egressMap(old), egressMap(now), edgeChanges);
    const policyMap = (g: MeshGraph) => new Map(g.egressPolicies.map(p => [p.split(':')[0], p.slice(p.indexOf(':') + 2)]));
    compareMaps('egressPolicy', policyMap(old), policyMap(now), edgeChanges);
    this.ingressEgress = edgeChanges;
    // wider: an entry point or external host added; a route serving a host more; an external host with a port or
    // caller more (or open to any caller now); an egress mode that is no longer registry-only
    const egressOf = (g: MeshGraph) => new Map(g.egress.map(e => [`${e.namespace} ${e.host}`, e]));
    const e0 = egressOf(old);
    const e1 = egressOf(now);
    const i0 = new Map(old.ingress.map(i => [`${i.gateway} ${i.match} -> ${i.service}`, i.hosts]));
    this.edgeWidens = edgeChanges.some(c => {
      if (c.change === 'added') return c.what !== 'egressPolicy' || !/^REGISTRY_ONLY/.test(c.after ?? '');
      if (c.change === 'removed') return c.what === 'egressPolicy' && /^REGISTRY_ONLY/.test(c.before ?? '');
      if (c.what === 'ingress') return now.ingress.some(i => `${i.gateway} ${i.match} -> ${i.service}` === c.key && i.hosts.some(h => !(i0.get(c.key) ?? []).includes(h)));
      if (c.what === 'egress') {
        const [b, a] = [e0.get(c.key)!, e1.get(c.key)!];
        return a.ports.some(p => !b.ports.includes(p)) || a.callers.some(x => !b.callers.includes(x)) || (b.callers.length > 0 && a.callers.length === 0);
      }
      return !/^REGISTRY_ONLY/.test(c.after ?? '');
    });

    this.security = securityChanges(before, after, options.defaultNamespace ?? 'default');

    const objectMap = (list: any[]) => {
      const m = new Map<string, string>();
      for (const o of list) {
        if (!o || typeof o !== 'object' || !o.kind) continue;
        const group = String(o.apiVersion ?? '').includes('/') ? `${String(o.apiVersion).split('/')[0]}/` : '';
        // (a cluster-scoped object has no namespace, whatever its manifest says: asStored)
        const where = isClusterScoped(o) ? '' : `${o.metadata?.namespace ?? options.defaultNamespace ?? 'default'}/`;
        m.set(`${group}${o.kind}\u0000${where}${o.metadata?.name}`, canonical(asStored(o)));
      }
      return m;
    };
    const objects: GraphChange[] = [];
    const o0 = objectMap(before);
    const o1 = objectMap(after);
    for (const [k, v] of o0) {
      const [what, key] = k.split('\u0000');
      if (!o1.has(k)) objects.push({ what, key, change: 'removed' });
      else if (o1.get(k) !== v) objects.push({ what, key, change: 'changed' });
    }
    for (const k of o1.keys()) {
      const [what, key] = k.split('\u0000');
      if (!o0.has(k)) objects.push({ what, key, change: 'added' });
    }
    this.objects = objects.sort((a, b) => (`${a.what} ${a.key}` < `${b.what} ${b.key}` ? -1 : 1));
  }

  /**
   * Whether the change lets more in or out: a call newly allowed, an entry point added (or serving
   * more hosts), an external host added (or open to more callers or ports), or an egress mode that is no
   * longer registry-only.
   */
  public get widensAccess(): boolean {
    return this.newlyAllowed.length > 0 || this.edgeWidens || this.security.length > 0;
  }

  /** Whether nothing changed (objects that only moved, or keys in another order, are no change). */
  public get empty(): boolean {
    return !this.newlyAllowed.length && !this.newlyDenied.length && !this.routes.length && !this.settings.length
      && !this.ingressEgress.length && !this.security.length && !this.objects.length;
  }

  /** As plain JSON. */
  public toJson(): any {
    return {
      mesh: { before: this.meshBefore, after: this.meshAfter },
      widensAccess: this.widensAccess,
      newlyAllowed: this.newlyAllowed,
      newlyDenied: this.newlyDenied,
      routes: this.routes,
      settings: this.settings,
      ingressEgress: this.ingressEgress,
      security: this.security,
      objects: this.objects,
      objectCounts: this.objectCounts(),
    };
  }

  /** As text for a terminal. */
  public toText(): string {
    if (this.empty) return 'no difference\n';
    const out: string[] = [];
    const call = (c: AccessChange) => `${c.caller} -> ${c.service} ${c.method === 'TCP' ? 'TCP' : `${c.method} ${c.path}`}`;
    if (this.newlyAllowed.length) out.push(`NEWLY ALLOWED (${this.newlyAllowed.length}):`, ...this.newlyAllowed.map(c => `  + ${call(c)}  (${c.after}; before: ${c.before})`), '');
    if (this.newlyDenied.length) out.push(`NEWLY DENIED (${this.newlyDenied.length}):`, ...this.newlyDenied.map(c => `  - ${call(c)}  (${c.after}; before: ${c.before})`), '');
    const changes = (title: string, list: GraphChange[]) => {
      if (!list.length) return;
      out.push(`${title} (${list.length}):`);
      for (const c of list) {
        const sign = c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~';
        out.push(`  ${sign} ${c.what === 'route' || c.what === 'setting' ? '' : `${c.what} `}${c.key}: ${c.change === 'changed' ? `${c.before}  =>  ${c.after}` : c.after ?? c.before}`);
      }
      out.push('');
    };
    changes('ROUTES', this.routes);
    changes('RESILIENCE SETTINGS', this.settings);
    changes('INGRESS AND EGRESS', this.ingressEgress);
    changes('MTLS AND DENY POLICIES WEAKENED', this.security);
    if (this.objects.length) {
      out.push(`OBJECTS (${this.objectCounts().map(c => `${c.kind}: ${[c.added ? `+${c.added}` : '', c.removed ? `-${c.removed}` : '', c.changed ? `~${c.changed}` : ''].filter(Boolean).join(' ')}`).join(', ')}):`);
      for (const c of this.objects) out.push(`  ${c.change === 'added' ? '+' : c.change === 'removed' ? '-' : '~'} ${c.what} ${c.key}`);
      out.push('');
    }
    out.push(this.widensAccess ? 'access widens: review the newly allowed calls, entry points, external hosts and weakened mTLS or deny policies' : 'access does not widen');
    return out.join('\n') + '\n';
  }

  /** As Markdown, for a pull request comment. */
  public toMarkdown(): string {
    if (this.empty) return '### Mesh diff\n\nNo difference.\n';
    const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const out: string[] = ['### Mesh diff', '', this.widensAccess ? '**Access widens**: a second review is asked for.' : 'Access does not widen.', ''];
    const calls = (title: string, list: AccessChange[]) => {
      if (!list.length) return;
      out.push(`#### ${title} (${list.length})`, '', '| caller | service | request | now | before |', '|---|---|---|---|---|');
      for (const c of list) out.push(`| \`${esc(c.caller)}\` | \`${esc(c.service)}\` | \`${c.method === 'TCP' ? 'TCP' : `${c.method} ${esc(c.path)}`}\` | ${esc(c.after)} | ${esc(c.before)} |`);
      out.push('');
    };
    calls('Newly allowed calls', this.newlyAllowed);
    calls('Newly denied calls', this.newlyDenied);
    const changes = (title: string, list: GraphChange[]) => {
      if (!list.length) return;
      out.push(`#### ${title} (${list.length})`, '', '| | what | before | after |', '|---|---|---|---|');
      for (const c of list) out.push(`| ${c.change} | ${c.what === 'route' || c.what === 'setting' ? '' : `${c.what} `}\`${esc(c.key)}\` | ${esc(c.before ?? '')} | ${esc(c.after ?? '')} |`);
      out.push('');
    };
    changes('Routes and weights', this.routes);
    changes('Resilience settings', this.settings);
    changes('Ingress and egress', this.ingressEgress);
    changes('mTLS and deny policies weakened', this.security);
    if (this.objects.length) {
      out.push(`#### Objects (${this.objects.length})`, '', '| kind | added | removed | changed |', '|---|---|---|---|');
      for (const c of this.objectCounts()) out.push(`| ${c.kind} | ${c.added} | ${c.removed} | ${c.changed} |`);
      out.push('', '<details><summary>objects</summary>', '');
      for (const c of this.objects) out.push(`- ${c.change} ${c.what} \`${c.key}\``);
      out.push('', '</details>', '');
    }
    return out.join('\n');
  }

  private objectCounts(): { kind: string; added: number; removed: number; changed: number }[] {
    const m = new Map<string, { kind: string; added: number; removed: number; changed: number }>();
    for (const c of this.objects) {
      const row = m.get(c.what) ?? { kind: c.what, added: 0, removed: 0, changed: 0 };
      row[c.change as 'added' | 'removed' | 'changed']++;
      m.set(c.what, row);
    }
    return [...m.values()];
  }
}
