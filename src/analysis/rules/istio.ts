import { nodeNet } from '../../private/node-net';
import { Severity } from '../findings';
import { AnalysisContext, Doc, groupBy, hostsOverlap, istioGatewayHosts, RawFinding, selects } from '../private/context';
import { podPortsOf, workloadsOf } from '../private/enrolment';
import { AnalyzerRule, arr, at } from '../private/rule';

const NET = 'networking.istio.io';
const E = Severity.ERROR;
const W = Severity.WARNING;
const INFO = Severity.INFO;

function routes(vs: any): { kind: string; i: number; r: any }[] {
  return ['http', 'tcp', 'tls'].flatMap(kind => arr(vs.spec?.[kind]).map((r: any, i: number) => ({ kind, i, r })));
}

/** A route destination (or mirror) of a VirtualService; its path is made only for a finding. */
class Destination {
  constructor(private readonly kind: string, private readonly i: number, private readonly field: 'route' | 'mirror' | 'mirrors',
    private readonly j: number, public readonly d: any, public readonly weight?: number) {}

  public get path(): (string | number)[] {
    return this.field === 'mirror' ? ['spec', this.kind, this.i, 'mirror'] : ['spec', this.kind, this.i, this.field, this.j, 'destination'];
  }
}

function readDestinations(vs: any): Destination[] {
  // the fields read in the order routes() + a forEach per list read them: the same error first on a bad shape
  const out: Destination[] = [];
  for (const kind of ['http', 'tcp', 'tls']) {
    const list = arr(vs.spec?.[kind]);
    for (let i = 0; i < list.length; i++) {
      if (!(i in list)) continue;
      const r = list[i];
      const route = arr(r.route);
      for (let j = 0; j < route.length; j++) {
        if (!(j in route)) continue;
        const rd = route[j];
        const d = rd.destination ?? {};
        out.push(new Destination(kind, i, 'route', j, d, rd.weight));
      }
      if (r.mirror) out.push(new Destination(kind, i, 'mirror', 0, r.mirror));
      const mirrors = arr(r.mirrors);
      for (let j = 0; j < mirrors.length; j++) {
        if (j in mirrors) out.push(new Destination(kind, i, 'mirrors', j, mirrors[j].destination ?? {}));
      }
    }
  }
  return out;
}

/**
 * The destinations of a VirtualService, read once per analysis for I101, I102 and I132 (per VirtualService, when a
 * rule first reaches it: a rule that meets a bad shape throws where it did).
 */
function destinations(ctx: AnalysisContext, vs: Doc): Destination[] {
  const byDoc = ctx.memo('istio.destinations', () => new Map<Doc, Destination[]>());
  let out = byDoc.get(vs);
  if (!out) byDoc.set(vs, out = readDestinations(vs.obj));
  return out;
}

/** The DestinationRules of a host, by FQDN, visible from a namespace (made once per analysis: I101, I146). */
function drsByHost(ctx: AnalysisContext): Map<string, Doc[]> {
  return ctx.memo('istio.drsByHost', () => groupBy(ctx.ofKind('DestinationRule', 'istio.io'), d => ctx.fqdn(d.obj.spec?.host ?? '', ctx.ns(d.obj))));
}

function isSelectorless(o: any): boolean {
  return !o.spec?.selector && !o.spec?.workloadSelector && !o.spec?.targetRef && !o.spec?.targetRefs;
}

/** The L7 fields of an AuthorizationPolicy rule (ztunnel cannot check them), as paths. */
function l7Fields(rule: any): string[] {
  const out: string[] = [];
  arr(rule?.to).forEach((t: any, i: number) => {
    for (const k of ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts']) if (t?.operation?.[k]) out.push(`to[${i}].operation.${k}`);
  });
  arr(rule?.from).forEach((f: any, i: number) => {
    for (const k of ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks']) if (f?.source?.[k]) out.push(`from[${i}].source.${k}`);
  });
  arr(rule?.when).forEach((w: any, i: number) => {
    if (typeof w?.key === 'string' && /^request\.|^experimental\./.test(w.key)) out.push(`when[${i}].key`);
  });
  return out;
}

/** Whether a policy attaches to pods by selector (or namespace-wide): what ztunnel enforces on ambient. */
function onWorkloads(o: any): boolean {
  return !o.spec?.targetRef && !o.spec?.targetRefs;
}

/** The Services a policy targets (targetRefs of kind Service). */
function targetServices(o: any): string[] {
  // (written out: I140 and I142 ask for every policy)
  const out: string[] = [];
  const refs = o.spec?.targetRefs;
  if (Array.isArray(refs)) for (const t of refs) if (t?.kind === 'Service' && (t.group ?? '') === '') out.push(t.name);
  const one = o.spec?.targetRef;
  if (one && one.kind === 'Service' && (one.group ?? '') === '') out.push(one.name);
  return out;
}

/**
 * The Service (name, namespace) that `host`, read from namespace `ns`, names in the cluster: what
 * /^([^.]+)\.([^.]+)\.svc\./ captures of ctx.fqdn(host, ns), without making the FQDN of a short name.
 */
function hostService(ctx: AnalysisContext, host: string, ns: string): [string, string] | undefined {
  if (typeof host === 'string' && host && host.indexOf('.') < 0 && !host.includes('*') && typeof ns === 'string' && ns && ns.indexOf('.') < 0) return [host, ns];
  const m = /^([^.]+)\.([^.]+)\.svc\./.exec(ctx.fqdn(host, ns));
  return m ? [m[1], m[2]] : undefined;
}

const ISTIO_WAYPOINT_CLASS = 'istio-waypoint';

/**
 * The labels istiod puts on the pods of a Gateway API Gateway it deploys: spec.infrastructure.labels, else
 * the Gateway's own labels (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go,
 * extractInfrastructureMetadata).
 */
export function gatewayInfraLabels(gw: any): { [k: string]: string } {
  return gw?.spec?.infrastructure?.labels ?? gw?.metadata?.labels ?? {};
}

/**
 * Whether the pods istiod deploys for a class-istio Gateway of an ambient namespace are enrolled in ztunnel:
 * istiod labels them istio.io/dataplane-mode: none (setLabelOverrides, with ambient enabled) unless the
 * Gateway sets that key in its labels or infrastructure labels; then the pods carry what it sets.
 */
export function gatewayPodsEnrolled(gw: any): boolean {
  const key = 'istio.io/dataplane-mode';
  const explicit = key in (gw?.metadata?.labels ?? {}) || key in (gw?.spec?.infrastructure?.labels ?? {});
  return explicit && gatewayInfraLabels(gw)[key] !== 'none';
}

function singleton(code: string, kind: string, group: string, upstream: string, severity: Severity): AnalyzerRule {
  return {
    code,
    severity,
    mesh: 'istio',
    kinds: [kind],
    upstream,
    summary: `more than one ${kind} without a selector in a namespace: which one applies is undefined`,
    check: ctx => {
      const out: RawFinding[] = [];
      for (const [ns, docs] of groupBy(ctx.ofKind(kind, group).filter(d => isSelectorless(d.obj)), d => ctx.ns(d.obj))) {
        if (docs.length > 1) {
          for (const d of docs.slice(1)) {
            out.push(at(d, [], `namespace ${ns} already has the selector-less ${kind} ${docs[0].obj.metadata?.name}: keep one namespace-wide ${kind} and give the others a selector`));
          }
        }
      }
      return out;
    },
  };
}

/**
 * Whether the keys of every object in a value are in sorted order (as most manifests write them): then
 * JSON.stringify writes the value's canonical form. False past a depth `canonical` writes out itself.
 */
function sortedKeys(v: unknown, depth: number): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (depth > 50) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!sortedKeys(v[i], depth + 1)) return false;
    return true;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if ((i && !(keys[i - 1] < keys[i])) || !sortedKeys((v as any)[keys[i]], depth + 1)) return false;
  }
  return true;
}

/** A canonical form of a value: keys sorted at every level, undefined left out. */
function canonical(v: unknown): string {
  // keys in order already: the same text, written by JSON.stringify (which also leaves out undefined)
  if (v !== null && typeof v === 'object' && sortedKeys(v, 0)) return JSON.stringify(v);
  return canonicalByHand(v);
}

function canonicalByHand(v: unknown): string {
  // written out (no map/filter/join): the match rules (I104, I105) make one per HTTP match
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canonical(v[i]);
    return out + ']';
  }
  if (v && typeof v === 'object') {
    let out = '{';
    let first = true;
    for (const k of Object.keys(v).sort()) {
      const x = (v as any)[k];
      if (x === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + canonical(x);
      first = false;
    }
    return out + '}';
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * A match without its name (names do not change what a match matches). Not memoized across the analysis: keeping the
 * keys of every match alive until its end (a WeakMap) cost the scavenges more than making them (issue 26, seventh
 * pass); I104 and I105 share the keys of a VirtualService's matches while they walk it (matchRules: all of them, or
 * those of the simple matches).
 */
function matchKey(m: any): string {
  // without a name, the key is the match's canonical form (JSON.stringify's, when its keys are in order)
  if (plainMatch(m)) return (m as any).name === undefined ? canonical(m) : matchParts(m).key;
  const { name: _name, ...rest } = m && typeof m === 'object' ? m : {};
  return canonical(rest);
}

/**
 * Of a match that is an object (not a list), in one walk of its keys: its key (`matchKey(m)`), its key without
 * its URI (`rest`, the same as `matchKey({ ...m, uri: undefined })`), and the parts of the key before and after
 * where a URI goes, so that the key of the match with another URI is made without a copy of the match (see
 * withUriPrefix).
 */
function matchParts(m: object): { key: string; rest: string; before: string; after: string } {
  let before = '';
  let after = '';
  let uri = '';
  for (const k of Object.keys(m).sort()) {
    const x = (m as any)[k];
    if (k === 'name' || x === undefined) continue;
    const part = JSON.stringify(k) + ':' + canonical(x);
    if (k === 'uri') uri = part;
    else if (k < 'uri') before += (before ? ',' : '') + part;
    else after += (after ? ',' : '') + part;
  }
  const rest = '{' + before + (before && after ? ',' : '') + after + '}';
  const key = uri ? '{' + before + (before ? ',' : '') + uri + (after ? ',' : '') + after + '}' : rest;
  return { key, rest, before, after };
}

/** The key of a match with the URI prefix `prefix` (`matchKey({ ...m, uri: { prefix } })`), from its matchParts. */
function withUriPrefix(r: { before: string; after: string }, prefix: string): string {
  return '{' + r.before + (r.before ? ',' : '') + '"uri":{"prefix":' + JSON.stringify(prefix) + '}' + (r.after ? ',' : '') + r.after + '}';
}

/** Whether a match is an object other than a list (whose spread copy has the same keys). */
function plainMatch(m: unknown): m is object {
  return m !== null && typeof m === 'object' && !Array.isArray(m);
}

const PRINCIPAL = /^(\*|[^/*]+\/ns\/[^/]+\/sa\/[^/]+|\*\/ns\/[^/]+\/sa\/[^/]+|[^/]*\*|\*[^/]*)$/;

/** A label map as a canonical string ('' for none), to compare selectors. */
function canonicalLabels(labels: unknown): string {
  if (!labels || typeof labels !== 'object' || Array.isArray(labels) || !Object.keys(labels).length) return '';
  return JSON.stringify(Object.entries(labels as object).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A DNS-1123 label (pkg/config/labels IsDNS1123Label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A first host label that may be a wildcard (labels.IsWildcardDNS1123Label); host names compare case-insensitively. */
const WILDCARD_LABEL = /^(\*|\*?[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/i;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

function isDnsLabel(s: unknown): boolean {
  return typeof s === 'string' && s.length <= 63 && DNS_LABEL.test(s);
}

function isIp(s: string): boolean {
  return nodeNet().isIP(s) !== 0;
}

/** pkg/config/validation/agent ValidateWildcardDomain: a wildcard only as the whole first label. */
function wildcardDomainError(host: string): string | undefined {
  if (!host || host.length > 255) return `host ${JSON.stringify(host)} is empty or too long`;
  const [first, ...rest] = host.split('.');
  if (!WILDCARD_LABEL.test(first) || first.length > 63) return `domain name ${JSON.stringify(host)} is invalid (label ${JSON.stringify(first)})`;
  const bad = rest.find(l => !HOST_LABEL.test(l) || l.length > 63);
  return bad === undefined ? undefined : `domain name ${JSON.stringify(host)} is invalid (label ${JSON.stringify(bad)})`;
}

/**
 * The admission check of a Gateway server host or a Sidecar host (agent.ValidateNamespaceSlashWildcardHostname and
 * validateSidecarOrGatewayHostnamePart): namespace/dnsName (a Gateway may leave the namespace out), the namespace
 * `*`, `.`, `~` (Sidecar) or a DNS label, the name `*` or an FQDN with at most a leading `*` label (a Gateway also
 * takes an IP).
 */
function hostEntryErrors(entry: unknown, gateway: boolean): string[] {
  if (typeof entry !== 'string') return [`host ${JSON.stringify(entry)} is not a string`];
  const slash = entry.indexOf('/');
  if (slash < 0 && !gateway) return [`host ${JSON.stringify(entry)} must be of the form namespace/dnsName (e.g. ./${entry} or istio-system/*)`];
  const errors: string[] = [];
  const ns = slash < 0 ? undefined : entry.slice(0, slash);
  const name = slash < 0 ? entry : entry.slice(slash + 1);
  if (ns !== undefined && !['*', '.'].includes(ns) && !(ns === '~' && !gateway) && !isDnsLabel(ns)) {
    errors.push(`the namespace ${JSON.stringify(ns)} of host ${JSON.stringify(entry)} is not *, . or a namespace name`);
  }
  if (name !== '*' && !name.includes('.')) errors.push(`host ${JSON.stringify(entry)} is a short name: Istio takes only FQDNs here (e.g. ${name}.<namespace>.svc.cluster.local, or */${name}.example.com)`);
  else if (name !== '*' && wildcardDomainError(name) && !(gateway && isIp(name))) errors.push(wildcardDomainError(name)!);
  else if (name.includes('*') && name !== '*' && !name.startsWith('*.')) errors.push(`host ${JSON.stringify(entry)} has a partial wildcard: only a whole leading * label is allowed`);
  return errors;
}

/** Whether a regular expression is one Envoy's RE2 compiles: no lookaround or backreference, and well formed. */
function re2Error(re: unknown): string | undefined {
  if (typeof re !== 'string') return undefined;
  try {
    // loaded at the first regex read (its Unicode tables are ~15 ms of every lint's start-up otherwise)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('@bufbuild/re2') as typeof import('@bufbuild/re2')).RE2JS.compile(re);
  } catch (e) {
    return `${JSON.stringify(re)} is not an RE2 regular expression, the syntax Envoy reads (${(e as Error).message.replace(/^error parsing regexp: /, '')}; RE2 has no look-around and no back-references)`;
  }
  return undefined;
}

/** pkg/config/protocol Parse: the protocols Istio knows (case-insensitive). */
const PROTOCOLS = ['TCP', 'UDP', 'GRPC', 'GRPC-WEB', 'HTTP', 'HTTP_PROXY', 'HTTP2', 'HTTPS', 'TLS', 'MONGO', 'REDIS', 'MYSQL'];

/** The AuthorizationPolicy condition keys Istio accepts (pkg/config/security/security.go ValidateAttribute). */
const CONDITION_KEYS = ['source.ip', 'remote.ip', 'source.namespace', 'source.serviceAccount', 'source.principal', 'source.trustDomain',
  'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni'];

function conditionKeyError(key: unknown): string | undefined {
  if (typeof key !== 'string') return `condition key ${JSON.stringify(key)} is not a string`;
  if (CONDITION_KEYS.includes(key) || /^request\.headers\[.+\]$/.test(key) || /^request\.auth\.claims\[.+\]$/.test(key) || key.startsWith('experimental.envoy.filters.')) return undefined;
  if (key === 'destination.namespace') return 'destination.namespace is replaced by the policy\'s metadata.namespace';
  if (key.startsWith('destination.labels')) return 'destination.labels is replaced by the policy\'s selector';
  if (['destination.name', 'destination.user'].includes(key)) return `${key} was only supported in v1alpha1`;
  return `unknown condition key ${JSON.stringify(key)} (e.g. request.headers[x-team], request.auth.claims[iss], source.ip)`;
}

const WEBHOOK = 'IST0106 SchemaValidationError';

/** An AuthorizationPolicy source or operation that names nothing (every list empty): Istio rejects it. */
function isEmptyMatch(m: unknown): boolean {
  return !m || typeof m !== 'object' || !Object.values(m).some(v => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null));
}

/**
 * A rule's findings from a walk shared with other rules, or the error the rule met there: the rule stops at it, as it
 * did walking alone, and its check throws it again (A000), while the other rules of the walk go on.
 */
class SharedWalkOutcome {
  private readonly findings: RawFinding[] = [];
  private failure?: { error: unknown };

  /**
   * Runs the rule's part for one VirtualService, unless the rule has already met an error (the part and its arguments
   * apart, not a closure per VirtualService).
   */
  public run(part: (vs: Doc, keys: MatchKeys, out: RawFinding[]) => void, vs: Doc, keys: MatchKeys): void {
    if (this.failure) return;
    try {
      part(vs, keys, this.findings);
    } catch (error) {
      this.failure = { error };
    }
  }

  /** Whether the rule has stopped at an error. */
  public get failed(): boolean {
    return this.failure !== undefined;
  }

  /** The rule's findings, or its error thrown. */
  public take(): RawFinding[] {
    if (this.failure) throw this.failure.error;
    return this.findings;
  }
}

/** A match without a URI or a name (the most common): its key for I104 and I105 is its canonical form. */
function simpleMatch(m: unknown): m is object {
  return plainMatch(m) && (m as any).uri === undefined && (m as any).name === undefined;
}

type Parts = ReturnType<typeof matchParts>;

/** In a TableKeys' parts: a match that is not a plain object (not an object, or a list): no parts, its key is matchKey's. */
const NOT_PLAIN: Parts = Object.freeze({ key: '', rest: '', before: '', after: '' });

/**
 * How I104 and I105 learn whether an HTTP match repeats one of an earlier rule: both compare the matches' keys, and the
 * first rule with a match of each key. A TableKeys answers from a table made ahead, once for both; an OwnKeys as each
 * rule made them itself, in its own order (see matchRules).
 */
interface MatchKeys {
  /**
   * For I156: the key of http[i].match[j] (its canonical form) if it is a simple match whose key I104 or I105 has made
   * in this walk (each makes the key of every match it reads); else undefined.
   */
  simpleKey(i: number, j: number): string | undefined;
  /** I104: the earlier rule (before i) with a match of the key of http[i].match[j] (m), else undefined. */
  earlier104(i: number, j: number, m: unknown): number | undefined;
  /** I104: rule i is read: its matches' keys count for the rules after it. */
  read104(i: number): void;
  /** I105: the key of http[i].match[j] (m), a simple match: its canonical form. */
  simpleKey105(i: number, j: number, m: object): string;
  /** I105: the key of http[i].match[j] (m), a match that is not an object (or is a list): matchKey's. */
  otherKey105(i: number, j: number, m: unknown): string;
  /** I105: the matchParts of http[i].match[j] (m) when it is an object that is not simple. */
  parts105(i: number, j: number, m: object): Parts;
  /** I105: the first rule with a match of this key, i when none before it (rule i's match of the key counted). */
  first105(key: string, i: number): number;
}

/**
 * The HTTP matches of a VirtualService keyed ahead, once for I104 and I105 (issue 26, twenty-third pass; before, each
 * filled a map of its own, and the keys of matches with a URI were made twice): `keys[i][j]`, the key of every match
 * of every rule that is an object, and `first`, the first rule with a match of each key. A rule at http[i] finds that a
 * key's first rule is before i exactly when its own map, filled as it read in the same order, held the key. Made only
 * where I104 and I105 key every match alike (tableOf). I156 is told the keys of the simple matches only up to the last
 * match I104 or I105 has read (each reads in order), as when they made them as they read.
 */
class TableKeys implements MatchKeys {
  /** The last match I104 read: http[at104i].match[at104j] (-1: none yet); the same for I105. */
  private at104i = -1;
  private at104j = -1;
  private at105i = -1;
  private at105j = -1;

  /** `parts[i][j]`: the matchParts of a match with a URI or a name, NOT_PLAIN for a match that is not a plain object. */
  constructor(private readonly keys: string[][], private readonly parts: Parts[][], private readonly first: Map<string, number>) {}

  public simpleKey(i: number, j: number): string | undefined {
    const read = i < this.at104i || (i === this.at104i && j <= this.at104j) || i < this.at105i || (i === this.at105i && j <= this.at105j);
    return read && this.parts[i]?.[j] === undefined ? this.keys[i]?.[j] : undefined;
  }

  public earlier104(i: number, j: number): number | undefined {
    this.at104i = i;
    this.at104j = j;
    const f = this.first.get(this.keys[i][j])!;
    return f < i ? f : undefined;
  }

  public read104(): void {}

  public simpleKey105(i: number, j: number): string {
    this.at105i = i;
    this.at105j = j;
    return this.keys[i][j];
  }

  public otherKey105(i: number, j: number): string {
    return this.simpleKey105(i, j);
  }

  public parts105(i: number, j: number): Parts {
    this.at105i = i;
    this.at105j = j;
    return this.parts[i][j];
  }

  public first105(key: string): number {
    return this.first.get(key)!;
  }
}

/**
 * The table of a VirtualService's HTTP matches, or undefined where I104 and I105 do not key every match alike, or a
 * rule would stop where the table does not (each rule then keys its matches as it reads: OwnKeys). None of these comes
 * from YAML; the API may give them:
 * - a key that cannot be made (a value JSON cannot write, nesting deeper than the stack, a getter that throws), where
 *   each rule stops at its own first error, in its own order;
 * - a rule that is a function (I105 reads its matches, I104 does not);
 * - a match with a URI and no name whose canonical form (I104's key) is not its matchParts key (I105's), e.g. with a
 *   field that is a function, a toJSON, or a boxed number: the two strings are compared.
 * Not reproduced (API objects only): nesting just short of the stack's limit, which the rules met a few calls deeper
 * (the limit moves with the caller's stack anyway); values that change from one read to the next (getters, Proxies), as
 * the table reads each match once more than the rules did.
 */
function tableOf(vs: Doc): TableKeys | undefined {
  const keys: string[][] = [];
  const parts: Parts[][] = [];
  const first = new Map<string, number>();
  try {
    const http = arr(vs.obj.spec?.http);
    for (let i = 0; i < http.length; i++) {
      const r = http[i];
      if (typeof r === 'function') return undefined;
      if (!(i in http) || !r || typeof r !== 'object') continue;
      const matches = arr(r.match);
      const row: string[] = [];
      for (let j = 0; j < matches.length; j++) {
        if (!(j in matches)) continue;
        const m = matches[j];
        let key: string;
        if (simpleMatch(m)) {
          key = canonical(m);
        } else if (plainMatch(m)) {
          const p = matchParts(m);
          // (with a name, matchKey is the matchParts key itself)
          if ((m as any).name === undefined && canonical(m) !== p.key) return undefined;
          (parts[i] ??= [])[j] = p;
          key = p.key;
        } else {
          key = matchKey(m);
          (parts[i] ??= [])[j] = NOT_PLAIN; // (not simple: no key for I156)
        }
        row[j] = key;
        if (!first.has(key)) first.set(key, i);
      }
      keys[i] = row;
    }
  } catch {
    return undefined;
  }
  return new TableKeys(keys, parts, first);
}

/**
 * The keys each of I104 and I105 made alone, as it read (the walk before this pass, for a VirtualService without a
 * table): the simple matches' keys made once for both, each rule's own map of first rules. `shared`: whether the simple
 * matches' keys are kept for I105 and I156 (the HTTP matches); I104 keys the TCP and TLS ones with matchKey alone.
 */
class OwnKeys implements MatchKeys {
  private readonly made: string[][] = [];
  private readonly seen104 = new Map<string, number>();
  private readonly pending104: string[] = [];
  private readonly seen105 = new Map<string, number>();

  constructor(private readonly shared = true) {}

  public simpleKey(i: number, j: number): string | undefined {
    return this.made[i]?.[j];
  }

  public earlier104(i: number, j: number, m: unknown): number | undefined {
    // (a simple match's key is matchKey's: its canonical form)
    const key = this.shared && simpleMatch(m) ? this.simple(i, j, m) : matchKey(m);
    this.pending104.push(key);
    return this.seen104.get(key);
  }

  public read104(i: number): void {
    for (const k of this.pending104) if (!this.seen104.has(k)) this.seen104.set(k, i);
    this.pending104.length = 0;
  }

  public simpleKey105(i: number, j: number, m: object): string {
    return this.simple(i, j, m);
  }

  public otherKey105(_i: number, _j: number, m: unknown): string {
    return matchKey(m);
  }

  public parts105(_i: number, _j: number, m: object): Parts {
    return matchParts(m);
  }

  public first105(key: string, i: number): number {
    const f = this.seen105.get(key);
    if (f !== undefined) return f;
    this.seen105.set(key, i);
    return i;
  }

  private simple(i: number, j: number, m: object): string {
    return (this.made[i] ??= [])[j] ??= canonical(m);
  }
}

/**
 * I104, I105 and I156 in one walk of each VirtualService: I104 and I105 compare its HTTP matches by the same key, made
 * once for both (a TableKeys, or where it would not answer as each rule did alone an OwnKeys) and read by I156 for
 * regexes (issue 26, sixteenth pass: the canonical forms were a third of the Istio rules' time). The keys live only while
 * their VirtualService is walked (a key kept to the end of the analysis costs the scavenges more than making it, seventh
 * pass). Each rule reads in its own order and stops at its own first error, as when it walked alone.
 */
function matchRules(ctx: AnalysisContext): { I104: SharedWalkOutcome; I105: SharedWalkOutcome; I156: SharedWalkOutcome } {
  return ctx.memo('istio.matchRules', () => {
    const I104 = new SharedWalkOutcome();
    const I105 = new SharedWalkOutcome();
    const I156 = new SharedWalkOutcome();
    // (a rule left out of the analysis, e.g. below --min-severity, is not walked for)
    const [with104, with105, with156] = [ctx.runs('I104'), ctx.runs('I105'), ctx.runs('I156')];
    for (const vs of ctx.ofKind('VirtualService', 'istio.io')) {
      // (a table only while both rules run, neither stopped by an error: one alone reads each key once anyway)
      const keys: MatchKeys = (with104 && with105 && !I104.failed && !I105.failed && tableOf(vs)) || new OwnKeys();
      if (with104) I104.run(unreachableRules, vs, keys);
      if (with105) I105.run(ineffectiveMatches, vs, keys);
      if (with156) I156.run(rejectedHostsAndRegexes, vs, keys);
    }
    return { I104, I105, I156 };
  });
}

/**
 * I156 on one VirtualService: pkg/config/validation validateVirtualService's wildcard host on the mesh gateway and RE2
 * regex matches. A simple match whose key (its canonical JSON), when I104 or I105 has read it, has no `"regex"` key has no
 * regex to check, and its fields are not read again (the key is the JSON of the match's own enumerable fields: the
 * YAML's mappings, or the plain data of `toJson()`); the other matches are read field by field.
 */
function rejectedHostsAndRegexes(vs: Doc, keys: MatchKeys, out: RawFinding[]): void {
  const gws = arr(vs.obj.spec?.gateways);
  if (!gws.length || gws.includes('mesh')) {
    arr(vs.obj.spec?.hosts).forEach((h: unknown, i: number) => {
      if (h === '*') out.push(at(vs, ['spec', 'hosts', i], 'host * is not allowed on a VirtualService bound to the mesh: name the hosts'));
    });
  }
  const http = arr(vs.obj.spec?.http);
  for (let i = 0; i < http.length; i++) {
    const matches = i in http ? arr(http[i]?.match) : [];
    for (let j = 0; j < matches.length; j++) {
      const m = matches[j];
      if (!(j in matches) || m === null || typeof m !== 'object') continue;
      const key = keys.simpleKey(i, j);
      if (key !== undefined && !key.includes('"regex"')) continue;
      // the match's own keys (one or two), not a lookup of each of the seven fields, most of them absent (the findings
      // are sorted by path after the rules, so the order they are made in does not show)
      for (const k of Object.keys(m)) {
        if (k === 'uri' || k === 'scheme' || k === 'method' || k === 'authority') {
          if (typeof m[k]?.regex === 'string') regexFinding(vs, i, j, [k], m[k], out);
        } else if (k === 'headers' || k === 'queryParams' || k === 'withoutHeaders') {
          const byName = m[k];
          if (!byName || typeof byName !== 'object') continue;
          for (const name of Object.keys(byName)) if (typeof byName[name]?.regex === 'string') regexFinding(vs, i, j, [k, name], byName[name], out);
        }
      }
    }
  }
}

/** I156's finding on the regex of `v`, at `path` in http[i].match[j], if RE2 does not compile it. */
function regexFinding(vs: Doc, i: number, j: number, path: (string | number)[], v: any, out: RawFinding[]): void {
  const e = typeof v?.regex === 'string' ? re2Error(v.regex) : undefined;
  if (e) out.push(at(vs, ['spec', 'http', i, 'match', j, ...path, 'regex'], e));
}

/** The route lists of a VirtualService. */
const VS_ROUTE_LISTS = ['http', 'tcp', 'tls'];

/**
 * I104 on one VirtualService: pkg/config/validation analyzeUnreachableHTTPRules (and the TCP and TLS ones). Plain loops:
 * this runs once per VirtualService, and the closures of a forEach per rule and a map per match were among the largest
 * code V8 optimized in a lint (issue 26, sixteenth pass). The HTTP matches are compared through `keys` (shared with
 * I105), the TCP and TLS ones (rare) through keys of their own.
 */
function unreachableRules(vs: Doc, keys: MatchKeys, out: RawFinding[]): void {
  for (const kind of VS_ROUTE_LISTS) {
    const list = arr(vs.obj.spec?.[kind]);
    if (!list.length) continue;
    // (TCP and TLS: keys of their own, made as read)
    const lookup = kind === 'http' ? keys : new OwnKeys(false);
    let catchAll = -1;
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (!(i in list) || !r || typeof r !== 'object') continue;
      const matches = arr(r.match);
      if (catchAll >= 0) {
        out.push(at(vs, ['spec', kind, i], `${kind}[${catchAll}] matches every request, so this rule is never reached: move the catch-all rule to the end`));
        continue;
      }
      if (!matches.length) {
        catchAll = i;
        continue;
      }
      // the rules of the earlier matches this rule's matches repeat, while every one repeats one
      // (a hole of a sparse list, which only an object of the API can have, is no match: a list of holes repeats nothing)
      let earlier: number[] | undefined = [];
      for (let j = 0; j < matches.length; j++) {
        if (!(j in matches)) continue;
        const e = lookup.earlier104(i, j, matches[j]);
        if (e === undefined) earlier = undefined;
        else earlier?.push(e);
      }
      if (earlier?.length) {
        out.push(at(vs, ['spec', kind, i], `every match of this rule repeats one of ${[...new Set(earlier)].map(e => `${kind}[${e}]`).join(', ')}, which is tried first: this rule is never reached`));
      }
      lookup.read104(i);
    }
  }
}

/** What I105 has read of a VirtualService's URI prefixes so far. */
interface PrefixesRead {
  readonly prefixes: { i: number; prefix: string; rest: string; seq: number }[];
  /**
   * The prefixes by their other conditions, then by the prefix itself (with the lengths present): the earlier prefixes
   * of a URI are looked up, not scanned (a shared ingress VirtualService has a match per service).
   */
  readonly byRest: Map<string, { lengths: Set<number>; byPrefix: Map<string, PrefixesRead['prefixes']> }>;
}

/**
 * I105 on one VirtualService. A simple match (no URI, no name: most matches) can only repeat an earlier one: it is
 * checked in the loop, and only a match with a URI (or a name, or not an object) takes the general path.
 */
function ineffectiveMatches(vs: Doc, keys: MatchKeys, out: RawFinding[]): void {
  let read: PrefixesRead | undefined;
  const http = arr(vs.obj.spec?.http);
  for (let i = 0; i < http.length; i++) {
    if (!(i in http)) continue;
    const matches = arr(http[i].match);
    for (let j = 0; j < matches.length; j++) {
      if (!(j in matches)) continue;
      const m = matches[j];
      if (!simpleMatch(m)) {
        ineffectiveMatch(vs, i, j, m, keys, read ??= { prefixes: [], byRest: new Map() }, out);
        continue;
      }
      const first = keys.first105(keys.simpleKey105(i, j, m), i);
      if (first !== i) out.push(at(vs, ['spec', 'http', i, 'match', j], `this match is the same as one in http[${first}], which is tried first: remove it or make it more specific`));
    }
  }
}

/** I105 on a match that is not simple (it has a URI or a name, or is not an object). */
function ineffectiveMatch(vs: Doc, i: number, j: number, m: any, keys: MatchKeys, read: PrefixesRead, out: RawFinding[]): void {
  const { prefixes, byRest } = read;
  // (the keys of the match with another URI, without copies of the match, when it is an object)
  const parts = plainMatch(m) ? keys.parts105(i, j, m) : undefined;
  const key = parts ? parts.key : keys.otherKey105(i, j, m);
  const rest = parts ? parts.rest : matchKey({ ...m, uri: undefined });
  const keyWith = (prefix: string) => (parts ? withUriPrefix(parts, prefix) : matchKey({ ...m, uri: { prefix } }));
  const uri: any = m?.uri?.prefix ?? m?.uri?.exact;
  // an earlier prefix with the same other conditions takes every request this match takes (unless it is the same
  // match): the first such prefix, in the order of the matches
  let shadow: PrefixesRead['prefixes'][number] | undefined;
  if (typeof uri === 'string') {
    const group = byRest.get(rest);
    for (const length of group?.lengths ?? []) {
      const list = length <= uri.length ? group!.byPrefix.get(uri.slice(0, length)) : undefined;
      if (!list || key === keyWith(list[0].prefix)) continue;
      const p = list.find(e => e.i !== i);
      if (p && (!shadow || p.seq < shadow.seq)) shadow = p;
    }
  } else if (uri !== undefined) {
    shadow = prefixes.find(p => p.i !== i && p.rest === rest && uri.startsWith(p.prefix) && key !== keyWith(p.prefix));
  }
  // (the first rule with a match of this key: this one, or an earlier one)
  const first = keys.first105(key, i);
  if (first !== i) {
    out.push(at(vs, ['spec', 'http', i, 'match', j], `this match is the same as one in http[${first}], which is tried first: remove it or make it more specific`));
  } else if (shadow) {
    out.push(at(vs, ['spec', 'http', i, 'match', j], `the URI prefix ${JSON.stringify(shadow.prefix)} of http[${shadow.i}] already matches every request this match takes: move this rule above http[${shadow.i}]`));
  }
  if (typeof m?.uri?.prefix === 'string') {
    const p = { i, prefix: m.uri.prefix as string, rest, seq: prefixes.length };
    prefixes.push(p);
    let group = byRest.get(rest);
    if (!group) byRest.set(rest, group = { lengths: new Set(), byPrefix: new Map() });
    group.lengths.add(p.prefix.length);
    const list = group.byPrefix.get(p.prefix);
    if (list) list.push(p);
    else group.byPrefix.set(p.prefix, [p]);
  }
}

export const ISTIO_RULES: AnalyzerRule[] = [
  {
    code: 'I101',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService', 'DestinationRule'],
    upstream: 'IST0101 ReferencedResourceNotFound (subset), KIA1107',
    summary: 'a VirtualService route names a subset that no DestinationRule of the host defines (503 NR)',
    check: ctx => {
      const drs = drsByHost(ctx);
      const out: RawFinding[] = [];
      for (const vs of ctx.ofKind('VirtualService', 'istio.io')) {
        for (const x of destinations(ctx, vs)) {
          const d = x.d;
          if (!d.subset || !d.host) continue;
          const host = ctx.fqdn(d.host, ctx.ns(vs.obj));
          const defined = (drs.get(host) ?? []).some(dr => arr(dr.obj.spec?.subsets).some((s: any) => s.name === d.subset));
          if (!defined) out.push(at(vs, [...x.path, 'subset'], `subset ${JSON.stringify(d.subset)} of host ${host} is not defined by any DestinationRule: add it to the DestinationRule's subsets, or fix the name`));
        }
      }
      return out;
    },
  },
  {
    code: 'I102',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0106 SchemaValidationError (webhook: invalid destination host *)',
    summary: 'a route destination host is `*`',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => destinations(ctx, vs).filter(x => x.d.host === '*')
      .map(x => at(vs, [...x.path, 'host'], 'a destination host cannot be "*": name the service'))),
  },
  {
    code: 'I103',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0109 ConflictingMeshGatewayVirtualServiceHosts, KIA1106',
    summary: 'two VirtualServices bound to the mesh claim the same host: only one applies',
    check: ctx => {
      const out: RawFinding[] = [];
      const meshBound = ctx.ofKind('VirtualService', 'istio.io').filter(d => !d.obj.spec?.gateways?.length || d.obj.spec.gateways.includes('mesh'));
      const byHost = groupBy(meshBound.flatMap(d => arr(d.obj.spec?.hosts).map((h: string) => ({ d, h: ctx.fqdn(h, ctx.ns(d.obj)) }))), x => x.h);
      // the namespaces a VirtualService is visible in (undefined: all): two conflict only where both are visible
      // (pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go, exportTo scopes)
      const scope = (o: any): Set<string> | undefined => {
        const to: string[] = arr(o.spec?.exportTo);
        return !to.length || to.includes('*') ? undefined : new Set(to.map(n => (n === '.' ? ctx.ns(o) : n)));
      };
      const meet = (a?: Set<string>, b?: Set<string>) => !a || !b || [...a].some(n => b.has(n));
      for (const [host, list] of byHost) {
        const docs = [...new Set(list.map(x => x.d))];
        docs.forEach((d, i) => {
          let first: Doc | undefined;
          for (let j = 0; j < i && !first; j++) if (meet(scope(docs[j].obj), scope(d.obj))) first = docs[j];
          if (first) out.push(at(d, ['spec', 'hosts'], `host ${host} is also claimed by VirtualService ${ctx.ns(first.obj)}/${first.obj.metadata?.name}: merge them into one VirtualService per host`));
        });
      }
      return out;
    },
  },
  {
    code: 'I104',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0130 VirtualServiceUnreachableRule',
    summary: 'a rule after a rule without a match (catch-all), or whose every match repeats an earlier one, can never be reached',
    // pkg/config/validation analyzeUnreachableHTTPRules (and the TCP and TLS ones): matches compare without their names
    check: ctx => matchRules(ctx).I104.take(),
  },
  {
    code: 'I105',
    severity: INFO,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0131 VirtualServiceIneffectiveMatch',
    summary: 'an HTTP match repeats, or is shadowed by the URI prefix of, an earlier match of the same VirtualService: it is ineffective',
    check: ctx => matchRules(ctx).I105.take(),
  },
  {
    code: 'I106',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0106 SchemaValidationError (webhook: a negative weight, total destination weight = 0), KIA1104 (weights that do not sum to 100)',
    summary: 'route weights are negative, total 0, or do not sum to 100',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => routes(vs.obj).flatMap(({ kind, i, r }) => {
      const list: any[] = arr(r.route);
      if (list.length < 2) return [];
      const weights = list.map(d => d.weight ?? 0);
      const total = weights.reduce((a: number, b: number) => a + b, 0);
      const webhook = 'IST0106 SchemaValidationError (webhook: pkg/config/validation validateWeight, total destination weight = 0)';
      if (weights.some(w => w < 0)) return [{ ...at(vs, ['spec', kind, i, 'route'], 'weights cannot be negative'), upstream: webhook }];
      if (total === 0) return [{ ...at(vs, ['spec', kind, i, 'route'], 'the weights total 0, which Istio rejects: give every destination a weight, summing to 100'), upstream: webhook }];
      // Istio accepts other totals (Envoy uses the weights relatively); Kiali flags them, as we do
      if (total !== 100) return [{ ...at(vs, ['spec', kind, i, 'route'], `the weights sum to ${total}, not 100: give every destination a weight, summing to 100`), upstream: 'KIA1104 (Istio accepts the weights as relative ones)' }];
      return [];
    })),
  },
  {
    code: 'I107',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService', 'Gateway'],
    upstream: 'IST0101 ReferencedResourceNotFound (gateway; an error in istioctl, which sees the whole cluster: a warning here, as the Gateway may be outside the manifests, and nothing when they hold no Gateway at all; istioctl also reports IST0132 VirtualServiceHostNotFoundInGateway for the missing Gateway), KIA1102',
    summary: 'a VirtualService names a Gateway that is not among the manifests',
    check: ctx => {
      // with no Gateway at all among the manifests, the Gateways are managed elsewhere (e.g. a shared ingress)
      if (!ctx.has('Gateway', 'istio.io')) return [];
      return ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => arr(vs.obj.spec?.gateways).flatMap((g: string, i: number) => {
        // istiod's internal Gateways of Gateway API Gateways: I154 (istioctl reports IST0165 and not IST0101 for them)
        if (g === 'mesh' || typeof g !== 'string' || g.includes('~istio-autogenerated-k8s-gateway~')) return [];
        const [ns, name] = g.includes('/') ? g.split('/', 2) : [ctx.ns(vs.obj), g];
        return ctx.find(NET, 'Gateway', ns, name) ? [] : [at(vs, ['spec', 'gateways', i], `gateway ${ns}/${name} is not defined: write it as namespace/name of an existing Gateway`)];
      }));
    },
  },
  {
    code: 'I108',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService', 'Gateway'],
    upstream: 'IST0132 VirtualServiceHostNotFoundInGateway',
    summary: 'none of a gateway-bound VirtualService\'s hosts is served by that Gateway to the VirtualService\'s namespace',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => arr(vs.obj.spec?.gateways).flatMap((g: string, i: number) => {
      if (g === 'mesh') return [];
      const [ns, name] = g.includes('/') ? g.split('/', 2) : [ctx.ns(vs.obj), g];
      const gw = ctx.find(NET, 'Gateway', ns, name);
      if (!gw) return [];
      // a server host namespace/host is for the VirtualServices of that namespace only, as istioctl's
      // vsHostInGateway and istiod's buildGatewayHTTPRouteConfig read it
      const vsNs = ctx.ns(vs.obj);
      const entries = istioGatewayHosts(gw.obj, ns, vsNs);
      const vsHosts = arr(vs.obj.spec?.hosts).filter((h: unknown): h is string => typeof h === 'string');
      if (vsHosts.some(h => entries.some(e => e.forVs && hostsOverlap(e.host, h)))) return [];
      const elsewhere = entries.filter(e => !e.forVs && vsHosts.some(h => hostsOverlap(e.host, h)));
      if (elsewhere.length) {
        const only = [...new Set(elsewhere.map(e => e.namespace))].join(', ');
        return [at(vs, ['spec', 'gateways', i], `Gateway ${ns}/${name} serves ${[...new Set(elsewhere.map(e => e.entry))].join(', ')} to the VirtualServices of ${only} only, not to this one in ${vsNs}: `
          + `it is not bound to the Gateway. Write the VirtualService in ${only}, or (if ${vsNs} is meant to add routes for the host) add ${vsNs}/${elsewhere[0].host} to the Gateway's servers`)];
      }
      return [at(vs, ['spec', 'gateways', i], `Gateway ${ns}/${name} serves ${[...new Set(entries.map(e => e.entry))].join(', ')}, none of this VirtualService's hosts: add the host to the Gateway's servers`)];
    })),
  },
  {
    code: 'I109',
    severity: E,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'IST0106 SchemaValidationError (webhook: duplicate subset names)',
    summary: 'a DestinationRule defines the same subset name twice',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').flatMap(dr => {
      const seen = new Set<string>();
      return arr(dr.obj.spec?.subsets).flatMap((s: any, i: number) => {
        if (seen.has(s.name)) return [at(dr, ['spec', 'subsets', i, 'name'], `subset ${JSON.stringify(s.name)} is defined twice: rename or merge it`)];
        seen.add(s.name);
        return [];
      });
    }),
  },
  {
    code: 'I110',
    severity: W,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'library rule (a subset without labels is the whole host)',
    summary: 'a DestinationRule subset has no labels: it selects every endpoint of the host',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').flatMap(dr => arr(dr.obj.spec?.subsets).flatMap((s: any, i: number) =>
      !s.labels || !Object.keys(s.labels).length ? [at(dr, ['spec', 'subsets', i], `subset ${JSON.stringify(s.name)} has no labels, so it is the whole host: give it the version's labels`)] : [])),
  },
  {
    code: 'I111',
    severity: W,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'KIA0201 MultipleDestinationRules',
    summary: 'two DestinationRules for the same host in one namespace: their settings do not merge predictably',
    check: ctx => {
      const out: RawFinding[] = [];
      for (const [, docs] of groupBy(ctx.ofKind('DestinationRule', 'istio.io').filter(d => !d.obj.spec?.workloadSelector), d => `${ctx.ns(d.obj)}|${ctx.fqdn(d.obj.spec?.host ?? '', ctx.ns(d.obj))}`)) {
        for (const d of docs.slice(1)) out.push(at(d, ['spec', 'host'], `DestinationRule ${docs[0].obj.metadata?.name} already configures host ${d.obj.spec?.host}: use one DestinationRule per host`));
      }
      return out;
    },
  },
  {
    code: 'I112',
    severity: E,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'library rule (webhook accepts it)',
    summary: 'a DestinationRule for host `*` applies to every service',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').filter(d => d.obj.spec?.host === '*').map(d => at(d, ['spec', 'host'], 'a DestinationRule for "*" changes traffic to every service: name the host')),
  },
  {
    code: 'I113',
    severity: E,
    mesh: 'istio',
    kinds: ['PeerAuthentication', 'DestinationRule'],
    upstream: 'KIA0205-KIA0208, KIA0501',
    summary: 'mTLS disagreement: a STRICT PeerAuthentication and a DestinationRule that sends plaintext (or DISABLE and ISTIO_MUTUAL)',
    check: ctx => {
      const out: RawFinding[] = [];
      const namespaceWide = new Map<string, Doc>();
      for (const d of ctx.ofKind('PeerAuthentication', 'istio.io')) {
        if (!d.obj.spec?.selector && !namespaceWide.has(ctx.ns(d.obj))) namespaceWide.set(ctx.ns(d.obj), d);
      }
      const modeOf = (ns: string): string | undefined => (namespaceWide.get(ns) ?? namespaceWide.get(ctx.assumptions.rootNamespace))?.obj.spec?.mtls?.mode;
      for (const dr of ctx.ofKind('DestinationRule', 'istio.io')) {
        const tls = dr.obj.spec?.trafficPolicy?.tls?.mode;
        const host = ctx.fqdn(dr.obj.spec?.host ?? '', ctx.ns(dr.obj));
        const m = /^[^.]+\.([^.]+)\.svc\./.exec(host);
        if (!tls || !m) continue;
        const mode = modeOf(m[1]);
        if (mode === 'STRICT' && tls === 'DISABLE') out.push(at(dr, ['spec', 'trafficPolicy', 'tls', 'mode'], `namespace ${m[1]} requires mTLS (STRICT), but this DestinationRule sends plaintext: use ISTIO_MUTUAL or remove tls`));
        if (mode === 'DISABLE' && tls === 'ISTIO_MUTUAL') out.push(at(dr, ['spec', 'trafficPolicy', 'tls', 'mode'], `namespace ${m[1]} has mTLS DISABLE, but this DestinationRule sends ISTIO_MUTUAL: align the two`));
      }
      return out;
    },
  },
  {
    code: 'I114',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'IST0106 SchemaValidationError (webhook: DENY action without rules is meaningless)',
    summary: 'a DENY AuthorizationPolicy without rules: Istio rejects it (it would deny nothing)',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(d => d.obj.spec?.action === 'DENY' && !d.obj.spec?.rules?.length)
      .map(d => at(d, ['spec', 'rules'], 'Istio rejects a DENY policy without rules (it would match no request): add rules (an empty rule {} matches every request), or use an ALLOW policy without rules to deny everything')),
  },
  {
    code: 'I115',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'KIA0106 ServiceAccount/principal format',
    summary: 'a principal is not of the form <trust-domain>/ns/<namespace>/sa/<service-account>',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').flatMap(d => arr(d.obj.spec?.rules).flatMap((r: any, i: number) => arr(r.from).flatMap((f: any, j: number) =>
      ['principals', 'notPrincipals'].flatMap(field => arr(f.source?.[field]).flatMap((p: string, k: number) => PRINCIPAL.test(p) ? []
        : [at(d, ['spec', 'rules', i, 'from', j, 'source', field, k], `${JSON.stringify(p)} is not a principal: write ${ctx.assumptions.trustDomain}/ns/<namespace>/sa/<service-account>`)]))))),
  },
  {
    code: 'I116',
    severity: W,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'library rule (zero trust)',
    summary: 'an ALLOW rule allows any principal (`*`) or has an empty rule that allows every request',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(d => (d.obj.spec?.action ?? 'ALLOW') === 'ALLOW').flatMap(d => arr(d.obj.spec?.rules).flatMap((r: any, i: number) => {
      if (!r.from?.length && !r.to?.length && !r.when?.length) return [at(d, ['spec', 'rules', i], 'an empty rule allows every request: name the callers in from')];
      return arr(r.from).some((f: any) => arr(f.source?.principals).includes('*'))
        ? [at(d, ['spec', 'rules', i, 'from'], 'principals: ["*"] allows any authenticated caller: name the callers')] : [];
    })),
  },
  {
    code: 'I117',
    severity: W,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'IST0133 SchemaWarning (webhook warning: a DENY rule with only HTTP attributes denies all TCP traffic; not on the pods of a Gateway whose servers all speak HTTP, which see no TCP), KIA0102',
    summary: 'a DENY rule with only HTTP attributes also denies all TCP traffic of the workload',
    check: ctx => {
      // pods of a Gateway whose servers all speak HTTP see no TCP traffic: HTTP attributes are safe there
      const httpGateways = new Set(ctx.ofKind('Gateway', 'networking.istio.io')
        .filter(g => arr(g.obj.spec?.servers).every((sv: any) => ['HTTP', 'HTTPS', 'HTTP2', 'GRPC'].includes(String(sv?.port?.protocol).toUpperCase()) && sv?.tls?.mode !== 'PASSTHROUGH'))
        .map(g => canonicalLabels(g.obj.spec?.selector)).filter(l => l !== ''));
      // likewise a Gateway API Gateway whose listeners all speak HTTP, for policies that target it
      const httpApiGateways = new Set(ctx.ofKind('Gateway', 'gateway.networking.k8s.io')
        .filter(g => arr(g.obj.spec?.listeners).length && arr(g.obj.spec?.listeners).every((l: any) => ['HTTP', 'HTTPS'].includes(String(l?.protocol).toUpperCase())))
        .map(g => `${ctx.ns(g.obj)}/${g.obj.metadata?.name}`));
      const onHttpGateway = (o: any) => {
        const refs = [...arr(o.spec?.targetRefs), ...(o.spec?.targetRef ? [o.spec.targetRef] : [])];
        return refs.length > 0 && refs.every((t: any) => t?.kind === 'Gateway' && t.group === 'gateway.networking.k8s.io' && httpApiGateways.has(`${ctx.ns(o)}/${t.name}`));
      };
      return ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(d => d.obj.spec?.action === 'DENY')
        .filter(d => !httpGateways.has(canonicalLabels(d.obj.spec?.selector?.matchLabels)) && !onHttpGateway(d.obj))
        .flatMap(d => arr(d.obj.spec?.rules).flatMap((r: any, i: number) => {
          const httpOnly = arr(r.to).some((t: any) => t.operation && ['methods', 'paths', 'hosts', 'notMethods', 'notPaths'].some(k => t.operation[k])) && !arr(r.to).some((t: any) => t.operation?.ports);
          return httpOnly ? [at(d, ['spec', 'rules', i, 'to'], 'HTTP attributes cannot be checked on TCP traffic, so for a TCP port this rule denies everything: add ports, or make sure the workload serves HTTP only')] : [];
        }));
    },
  },
  singleton('I118', 'PeerAuthentication', 'istio.io', 'KIA0002; istiod applies only the oldest namespace-wide PeerAuthentication (pilot/pkg/model/authentication.go, addPeerAuthentication)', Severity.ERROR),
  singleton('I119', 'Sidecar', 'istio.io', 'IST0111 MultipleSidecarsWithoutWorkloadSelectors', Severity.ERROR),
  singleton('I120', 'Telemetry', 'istio.io', 'IST0160 MultipleTelemetriesWithoutWorkloadSelectors', Severity.ERROR),
  {
    code: 'I121',
    severity: W,
    mesh: 'istio',
    kinds: ['RequestAuthentication'],
    upstream: 'library rule: istiod merges the jwtRules of every RequestAuthentication of a workload and does not deduplicate issuers (pilot/pkg/security/authn/policy_applier.go, newPolicyApplier; istio/istio#19245)',
    summary: 'two RequestAuthentications for the same workloads declare the same issuer: both rules are merged into one filter, with two key sets for one issuer',
    check: ctx => {
      const out: RawFinding[] = [];
      const scopeOf = (o: any) => `${ctx.ns(o)}|${canonicalLabels(o.spec?.selector?.matchLabels)}|${canonical(o.spec?.targetRefs ?? (o.spec?.targetRef ? [o.spec.targetRef] : []))}`;
      for (const [, docs] of groupBy(ctx.ofKind('RequestAuthentication', 'istio.io'), d => scopeOf(d.obj))) {
        const seen = new Map<string, Doc>();
        for (const d of docs) {
          arr(d.obj.spec?.jwtRules).forEach((r: any, i: number) => {
            const first = seen.get(r?.issuer);
            if (first && first !== d) {
              out.push(at(d, ['spec', 'jwtRules', i, 'issuer'], `issuer ${r.issuer} is also declared by RequestAuthentication ${first.obj.metadata?.name} for the same workloads: istiod merges both rules and keeps both, so declare each issuer once`));
            } else if (!first) {
              seen.set(r?.issuer, d);
            }
          });
        }
      }
      return out;
    },
  },
  {
    code: 'I122',
    severity: E,
    mesh: 'istio',
    kinds: ['ServiceEntry'],
    upstream: 'IST0106 SchemaValidationError (webhook: DNS resolution needs non-wildcard hosts)',
    summary: 'a ServiceEntry with DNS resolution and no endpoints has a wildcard host, which cannot be resolved',
    check: ctx => ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => {
      const s = d.obj.spec ?? {};
      if (!['DNS', 'DNS_ROUND_ROBIN'].includes(s.resolution) || s.endpoints?.length || s.workloadSelector) return [];
      return arr(s.hosts).flatMap((h: string, i: number) => h.startsWith('*') ? [at(d, ['spec', 'hosts', i], `${h} cannot be resolved by DNS: list concrete hosts, or use resolution NONE`)] : []);
    }),
  },
  {
    code: 'I123',
    severity: W,
    mesh: 'istio',
    kinds: ['ServiceEntry'],
    upstream: 'KIA1211 (istioctl 1.30 has no analyzer for it)',
    summary: 'two ServiceEntries declare the same host and port',
    check: ctx => {
      const out: RawFinding[] = [];
      const pairs = ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => arr(d.obj.spec?.hosts).flatMap((h: string) => arr(d.obj.spec?.ports).map((p: any) => ({ d, key: `${h}:${p.number}` }))));
      for (const [key, list] of groupBy(pairs, x => x.key)) {
        const docs = [...new Set(list.map(x => x.d))];
        for (const d of docs.slice(1)) out.push(at(d, ['spec', 'hosts'], `${key} is also declared by ServiceEntry ${ctx.ns(docs[0].obj)}/${docs[0].obj.metadata?.name}: declare each host and port once`));
      }
      return out;
    },
  },
  {
    code: 'I124',
    severity: W,
    mesh: 'istio',
    kinds: ['ServiceEntry'],
    upstream: 'IST0134 ServiceEntryAddressesRequired (a TCP port without addresses)',
    summary: 'a ServiceEntry with a TCP (or unnamed-protocol) port has no addresses: traffic cannot be told apart by IP',
    check: ctx => ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => {
      const s = d.obj.spec ?? {};
      if (s.addresses?.length || s.resolution === 'NONE') return [];
      return arr(s.ports).flatMap((p: any, i: number) => (!p.protocol || p.protocol === 'TCP')
        ? [at(d, ['spec', 'ports', i], `port ${p.number} is TCP and the entry has no addresses: add addresses (or rely on Istio's IP auto-allocation), or use an HTTP/TLS protocol`)] : []);
    }),
  },
  {
    code: 'I125',
    severity: E,
    mesh: 'istio',
    kinds: ['ServiceEntry', 'Gateway'],
    upstream: 'IST0106 SchemaValidationError (webhook: unique port names)',
    summary: 'two ports (ServiceEntry) or servers (Gateway) share a name',
    check: ctx => [
      ...ctx.ofKind('ServiceEntry', 'istio.io').map(d => ({ d, names: arr(d.obj.spec?.ports).map((p: any) => p.name), path: (i: number) => ['spec', 'ports', i, 'name'] })),
      ...ctx.ofKind('Gateway', 'istio.io').map(d => ({ d, names: arr(d.obj.spec?.servers).map((s: any) => s.port?.name), path: (i: number) => ['spec', 'servers', i, 'port', 'name'] })),
    ].flatMap(({ d, names, path }) => {
      const seen = new Set<string>();
      return names.flatMap((n: string, i: number) => {
        if (!n) return [];
        if (seen.has(n)) return [at(d, path(i), `port name ${JSON.stringify(n)} is used twice: port names must be unique`)];
        seen.add(n);
        return [];
      });
    }),
  },
  {
    code: 'I126',
    severity: E,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: 'IST0106 SchemaValidationError (webhook: server must have TLS settings for HTTPS/TLS protocols)',
    summary: 'an HTTPS or TLS Gateway server has no tls settings',
    check: ctx => ctx.ofKind('Gateway', 'istio.io').flatMap(d => arr(d.obj.spec?.servers).flatMap((s: any, i: number) =>
      ['HTTPS', 'TLS'].includes(String(s.port?.protocol).toUpperCase()) && !s.tls ? [at(d, ['spec', 'servers', i], `a ${s.port.protocol} server needs tls (mode and credentialName): add them`)] : [])),
  },
  {
    code: 'I127',
    severity: E,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: 'IST0145 ConflictingGateways, KIA0301',
    summary: 'two Gateways with the same selector claim the same port and host',
    check: ctx => {
      const out: RawFinding[] = [];
      const entries = ctx.ofKind('Gateway', 'istio.io').flatMap(d => arr(d.obj.spec?.servers).flatMap((s: any) => arr(s.hosts).map((h: string) => ({
        d, key: `${JSON.stringify(d.obj.spec?.selector ?? {})}|${s.port?.number}|${h.includes('/') ? h.split('/')[1] : h}`,
      }))));
      for (const [key, list] of groupBy(entries, x => x.key)) {
        const docs = [...new Set(list.map(x => x.d))];
        for (const d of docs.slice(1)) out.push(at(d, ['spec', 'servers'], `port ${key.split('|')[1]} host ${key.split('|')[2]} is already claimed by Gateway ${ctx.ns(docs[0].obj)}/${docs[0].obj.metadata?.name} on the same workloads: merge them`));
      }
      return out;
    },
  },
  {
    code: 'I128',
    severity: E,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: 'IST0106 SchemaValidationError (webhook: invalid gateway name)',
    summary: 'a Gateway name contains a dot',
    check: ctx => ctx.ofKind('Gateway', 'istio.io').filter(d => String(d.obj.metadata?.name ?? '').includes('.'))
      .map(d => at(d, ['metadata', 'name'], 'Gateway names are DNS labels (no dots), since VirtualServices refer to them as namespace/name: rename it')),
  },
  {
    code: 'I129',
    severity: INFO,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'IST0128 NoServerCertificateVerificationDestinationLevel, IST0129 NoServerCertificateVerificationPortLevel (warnings in istioctl; the level differs: '
      + 'since the VERIFY_CERTIFICATE_AT_CLIENT default, an empty caCertificates means the proxy\'s system CA bundle, '
      + 'pilot/pkg/networking/core/cluster_tls.go buildUpstreamTLSContext, CaCertificatePath defaults to "system")',
    summary: 'SIMPLE or MUTUAL TLS to a host without caCertificates (or a credentialName on a DestinationRule with a workloadSelector): the server is verified against the proxy\'s system CA bundle only',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').flatMap(d => {
      // a credentialName is read by sidecars only when the DestinationRule has a workloadSelector (ClientTLSSettings
      // credentialName in the networking API; pkg/config/analysis/analyzers/destinationrule/ca-certificates.go)
      const unverified = (tls: any) => tls && ['SIMPLE', 'MUTUAL'].includes(tls.mode) && !tls.caCertificates && !tls.insecureSkipVerify
        && !(tls.credentialName && d.obj.spec?.workloadSelector);
      const fix = `any public CA's certificate for the host is accepted: to pin the CA, ${d.obj.spec?.workloadSelector ? 'set caCertificates or credentialName' : 'set caCertificates (a credentialName is read by sidecars only with a workloadSelector)'}`;
      const out: RawFinding[] = [];
      const tls = d.obj.spec?.trafficPolicy?.tls;
      if (unverified(tls)) out.push({ ...at(d, ['spec', 'trafficPolicy', 'tls'], `no caCertificates: the proxy verifies the server against its system CA bundle, so ${fix}`), upstream: 'IST0128 NoServerCertificateVerificationDestinationLevel' });
      arr(d.obj.spec?.trafficPolicy?.portLevelSettings).forEach((p: any, i: number) => {
        if (unverified(p?.tls)) out.push({ ...at(d, ['spec', 'trafficPolicy', 'portLevelSettings', i, 'tls'], `no caCertificates on port ${p.port?.number}: the proxy verifies the server against its system CA bundle, so ${fix}`), upstream: 'IST0129 NoServerCertificateVerificationPortLevel' });
      });
      return out;
    }),
  },
  {
    code: 'I130',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0106 SchemaValidationError (webhook: http retry policy configured when attempts are set to 0)',
    summary: 'retries with attempts 0 also set perTryTimeout or retryOn',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(d => arr(d.obj.spec?.http).flatMap((r: any, i: number) =>
      r.retries && r.retries.attempts === 0 && (r.retries.perTryTimeout || r.retries.retryOn)
        ? [at(d, ['spec', 'http', i, 'retries'], 'attempts 0 turns retries off, so perTryTimeout and retryOn are rejected: remove them or set attempts')] : [])),
  },
  {
    code: 'I131',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'library rule: timeout budget (attempts counts retries: Envoy num_retries, pilot/pkg/networking/core/route/retry/retry.go)',
    summary: '(attempts + 1) x perTryTimeout is longer than the route timeout: the first try and the retries do not fit, the last retries never run',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(d => arr(d.obj.spec?.http).flatMap((r: any, i: number) => {
      const ms = (s: string | undefined) => {
        if (!s) return undefined;
        let total = 0;
        for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(m[1]) * ({ ms: 1, s: 1000, m: 60000, h: 3600000 } as any)[m[2]];
        return total;
      };
      const t = ms(r.timeout);
      const per = ms(r.retries?.perTryTimeout);
      const attempts = r.retries?.attempts ?? 0;
      // a request makes the first try and then up to `attempts` retries
      return t !== undefined && per !== undefined && attempts >= 1 && (attempts + 1) * per > t
        ? [at(d, ['spec', 'http', i, 'retries'], `(attempts + 1 first try) x perTryTimeout = ${attempts + 1} x ${r.retries.perTryTimeout} is longer than the timeout ${r.timeout}: raise the timeout or lower the retries`)] : [];
    })),
  },
  {
    code: 'I132',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService', 'Service'],
    upstream: 'IST0101 ReferencedResourceNotFound (host; an error in istioctl, which sees the whole cluster: a warning here, as the Service may be outside the manifests), KIA1101',
    summary: 'a route destination is a cluster service that is not among the manifests\' Services',
    check: ctx => {
      if (!ctx.has('Service')) return [];
      const services = new Set(ctx.ofKind('Service').filter(d => d.obj.apiVersion === 'v1').map(d => `${d.obj.metadata?.name}.${ctx.ns(d.obj)}`));
      const entries = new Set(ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => arr(d.obj.spec?.hosts)));
      const clusterHost = new RegExp(`^([^.]+)\\.([^.]+)\\.svc\\.${ctx.assumptions.clusterDomain.replace(/\./g, '\\.')}$`); // once, not per destination
      return ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => destinations(ctx, vs).flatMap(x => {
        const d = x.d;
        const host = ctx.fqdn(d.host ?? '', ctx.ns(vs.obj));
        const m = clusterHost.exec(host);
        if (!m || entries.has(d.host) || entries.has(host)) return [];
        return services.has(`${m[1]}.${m[2]}`) ? [] : [at(vs, [...x.path, 'host'], `no Service ${m[2]}/${m[1]} is among the manifests: check the host, or add the Service`)];
      }));
    },
  },
  {
    code: 'I133',
    severity: E,
    mesh: 'istio',
    kinds: ['DestinationRule', 'Deployment'],
    upstream: 'IST0173 DestinationRuleSubsetNotSelectPods, KIA0203',
    summary: 'a DestinationRule subset selects no pod of the manifests\' workloads (503 UH)',
    check: ctx => {
      if (!ctx.has('Deployment') && !ctx.has('StatefulSet')) return [];
      return ctx.ofKind('DestinationRule', 'istio.io').flatMap(dr => {
        const host = ctx.fqdn(dr.obj.spec?.host ?? '', ctx.ns(dr.obj));
        const m = /^[^.]+\.([^.]+)\.svc\./.exec(host);
        if (!m) return [];
        const pods = ctx.workloadLabels(m[1]);
        if (!pods.length) return [];
        return arr(dr.obj.spec?.subsets).flatMap((s: any, i: number) => s.labels && !pods.some(p => selects(s.labels, p))
          ? [at(dr, ['spec', 'subsets', i, 'labels'], `no workload in ${m[1]} has the labels ${JSON.stringify(s.labels)}: the subset has no endpoints`)] : []);
      });
    },
  },
  {
    code: 'I134',
    severity: W,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: 'IST0133 SchemaWarning (webhook warning: outlier detection policy must be provided for failover)',
    summary: 'locality failover without outlier detection never fails over',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').flatMap(d => {
      const tp = d.obj.spec?.trafficPolicy ?? {};
      const lb = tp.loadBalancer?.localityLbSetting;
      return lb && (lb.failover?.length || lb.failoverPriority?.length) && !tp.outlierDetection
        ? [at(d, ['spec', 'trafficPolicy', 'loadBalancer', 'localityLbSetting'], 'failover needs outlierDetection to notice unhealthy endpoints: add trafficPolicy.outlierDetection')] : [];
    }),
  },
  {
    code: 'I135',
    severity: W,
    mesh: 'istio',
    kinds: ['EnvoyFilter'],
    upstream: 'IST0151 EnvoyFilterUsesRelativeOperation, IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion',
    summary: 'an EnvoyFilter uses a relative operation (INSERT_BEFORE/AFTER, REPLACE or REMOVE of a filter) without a priority',
    check: ctx => {
      // as pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go: EnvoyFilters in namespace/name order; a patch is
      // named by its value's name (else the filter it matches); a relative patch of a name that an earlier patch
      // applied for some proxy versions only is IST0155
      const out: RawFinding[] = [];
      const versioned = new Set<string>();
      const sorted = [...ctx.ofKind('EnvoyFilter', 'istio.io')].sort((a, b) => `${ctx.ns(a.obj)}/${a.obj.metadata?.name}`.localeCompare(`${ctx.ns(b.obj)}/${b.obj.metadata?.name}`));
      for (const d of sorted) {
        const patches = arr(d.obj.spec?.configPatches);
        for (let i = 0; i < patches.length; i++) {
          const p = patches[i];
          if (!p?.patch) break;
          const value = p.patch.value;
          const name = value && typeof value === 'object' && Object.keys(value).length
            ? (value.name !== undefined ? `value:${JSON.stringify(value.name)}` : `filter:${p.match?.listener?.filterChain?.filter?.name ?? ''}`) : '';
          const op = p.patch.operation;
          const routeLevel = ['ROUTE_CONFIGURATION', 'HTTP_ROUTE'].includes(p.applyTo);
          const relative = ['INSERT_BEFORE', 'INSERT_AFTER'].includes(op)
            || (op === 'REPLACE' && ['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST'].includes(p.applyTo))
            || (op === 'REMOVE' && !routeLevel);
          if (relative && !d.obj.spec?.priority) {
            const path = ['spec', 'configPatches', i, 'patch', 'operation'];
            if (versioned.has(name)) {
              out.push({ ...at(d, path, `${op} depends on the order of other filters, and an earlier EnvoyFilter patches the same filter for some proxy versions only: set spec.priority`), upstream: 'IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion' });
            } else {
              out.push({ ...at(d, path, `${op} depends on the order of other filters: set spec.priority`), upstream: 'IST0151 EnvoyFilterUsesRelativeOperation' });
            }
          }
          if (p.match?.proxy?.proxyVersion) versioned.add(name);
        }
      }
      return out;
    },
  },
  {
    code: 'I136',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0106 SchemaValidationError (webhook: exactly one of route, redirect, directResponse)',
    summary: 'an HTTP rule has none, or more than one, of route, redirect and directResponse',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(d => arr(d.obj.spec?.http).flatMap((r: any, i: number) => {
      const n = ['route', 'redirect', 'directResponse', 'delegate'].filter(k => r[k] !== undefined).length;
      return n === 1 ? [] : [at(d, ['spec', 'http', i], n === 0 ? 'the rule has no route, redirect or directResponse: add a route' : 'route, redirect and directResponse exclude each other: keep one')];
    })),
  },
  {
    code: 'I137',
    severity: W,
    mesh: 'istio',
    kinds: ['Sidecar', 'EnvoyFilter', 'PeerAuthentication', 'Namespace'],
    upstream: 'IST0167 IneffectivePolicy, KIA1311, PeerAuthentication docs (ambient has no DISABLE)',
    summary: 'a sidecar-only setting in an ambient namespace has no effect',
    check: ctx => [
      ...ctx.ofKind('Sidecar', 'istio.io').filter(d => ctx.isAmbient(ctx.ns(d.obj)))
        .map(d => at(d, ['spec'], `namespace ${ctx.ns(d.obj)} is ambient: its pods have no sidecar, so the Sidecar (egress hosts, outbound traffic policy) has no effect; remove it, and restrict egress with a NetworkPolicy or an egress gateway`)),
      ...ctx.ofKind('EnvoyFilter', 'istio.io').filter(d => ctx.isAmbient(ctx.ns(d.obj)) && !d.obj.spec?.targetRefs)
        .map(d => at(d, ['spec'], `namespace ${ctx.ns(d.obj)} is ambient: an EnvoyFilter on workloads patches sidecars, which ambient pods do not have; remove it, or run these pods on the sidecar data plane`)),
      ...ctx.ofKind('PeerAuthentication', 'istio.io').filter(d => ctx.isAmbient(ctx.ns(d.obj))).flatMap(d => [
        ...(d.obj.spec?.mtls?.mode === 'DISABLE' ? [at(d, ['spec', 'mtls', 'mode'], 'ztunnel always speaks mTLS between ambient workloads and ignores DISABLE: use PERMISSIVE for plaintext clients')] : []),
        ...Object.entries(d.obj.spec?.portLevelMtls ?? {}).filter(([, m]: [string, any]) => m?.mode === 'DISABLE')
          .map(([port]) => at(d, ['spec', 'portLevelMtls', port, 'mode'], 'ztunnel ignores DISABLE on ambient: use PERMISSIVE for plaintext clients')),
      ]),
      ...ctx.ofKind('Namespace').filter(d => d.obj.metadata?.labels?.['istio.io/dataplane-mode'] === 'ambient' && d.obj.metadata?.labels?.['istio-injection'] === 'enabled')
        .map(d => at(d, ['metadata', 'labels', 'istio-injection'], 'the namespace is both injected and ambient: pods get sidecars and bypass ztunnel; keep one of istio-injection and istio.io/dataplane-mode')),
    ],
  },
  {
    code: 'I138',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'KIA0110 authorizationpolicy.ambient.l7notargetrefs; Istio ambient L4 policy docs',
    summary: 'an AuthorizationPolicy with L7 attributes (or a CUSTOM or AUDIT action) selects ambient pods, where ztunnel cannot apply it',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(d => onWorkloads(d.obj) && ctx.isAmbient(ctx.ns(d.obj)))
      .flatMap(d => ['CUSTOM', 'AUDIT'].includes(d.obj.spec?.action)
        ? [at(d, ['spec', 'action'], `namespace ${ctx.ns(d.obj)} is ambient: ztunnel does not apply ${d.obj.spec.action} policies; attach the policy to the waypoint with targetRefs to the Service (and give the namespace a waypoint)`)]
        : arr(d.obj.spec?.rules).flatMap((r: any, i: number) => {
          const fields = l7Fields(r);
          return fields.length ? [at(d, ['spec', 'rules', i], `namespace ${ctx.ns(d.obj)} is ambient: ztunnel enforces this policy and cannot check ${fields.join(', ')}, so ${d.obj.spec?.action === 'DENY' ? 'the rule denies every connection it could match' : 'the rule never allows'}; attach the policy to the waypoint with targetRefs to the Service (and give the namespace a waypoint)`)] : [];
        })),
  },
  {
    code: 'I139',
    severity: W,
    mesh: 'istio',
    kinds: ['RequestAuthentication', 'Telemetry'],
    upstream: 'KIA1115 / KIA1117 ambient l7notargetrefs',
    summary: 'a RequestAuthentication or L7 Telemetry selects ambient pods by label: only waypoints apply it, and they read targetRefs',
    check: ctx => [
      ...ctx.ofKind('RequestAuthentication', 'istio.io').filter(d => d.obj.spec?.selector && ctx.isAmbient(ctx.ns(d.obj)))
        .map(d => at(d, ['spec', 'selector'], `namespace ${ctx.ns(d.obj)} is ambient: no proxy applies a RequestAuthentication by pod selector there; use targetRefs to the Service (served by a waypoint)`)),
      ...ctx.ofKind('Telemetry', 'istio.io').filter(d => d.obj.spec?.selector && ctx.isAmbient(ctx.ns(d.obj)) && (d.obj.spec?.tracing || d.obj.spec?.accessLogging || d.obj.spec?.metrics))
        .map(d => at(d, ['spec', 'selector'], `namespace ${ctx.ns(d.obj)} is ambient: L7 telemetry comes from the waypoint, which does not read pod selectors; use targetRefs to the Service`)),
    ],
  },
  {
    code: 'I140',
    severity: W,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy', 'RequestAuthentication', 'HTTPRoute', 'VirtualService', 'DestinationRule', 'Telemetry'],
    upstream: 'KIA0109 / KIA1109 / KIA1110 / KIA1112 / KIA0210 / KIA1113 ambient l7nowaypoint',
    summary: 'L7 configuration for an ambient service that no waypoint serves is not enforced',
    check: ctx => {
      const out: RawFinding[] = [];
      const noWaypoint = (ns: string, svc: string | undefined) => ctx.isAmbient(ns) && !ctx.waypointFor(ns, svc);
      const why = (ns: string, svc?: string) => `${svc ? `Service ${ns}/${svc}` : `namespace ${ns}`} is ambient and uses no waypoint (no istio.io/use-waypoint label), so nothing applies this L7 configuration; deploy a waypoint (a Gateway of class istio-waypoint) and label the namespace or Service with istio.io/use-waypoint`;
      for (const kind of ['AuthorizationPolicy', 'RequestAuthentication']) {
        for (const d of ctx.ofKind(kind, 'istio.io')) {
          for (const svc of targetServices(d.obj)) if (noWaypoint(ctx.ns(d.obj), svc)) out.push(at(d, ['spec', 'targetRefs'], why(ctx.ns(d.obj), svc)));
        }
      }
      for (const d of ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io')) {
        arr(d.obj.spec?.parentRefs).forEach((p: any, i: number) => {
          const ns = p?.namespace ?? ctx.ns(d.obj);
          if (p?.kind === 'Service' && (p.group ?? '') === '' && noWaypoint(ns, p.name)) out.push(at(d, ['spec', 'parentRefs', i], why(ns, p.name)));
        });
      }
      for (const d of ctx.ofKind('VirtualService', 'istio.io')) {
        const gws = arr(d.obj.spec?.gateways);
        if (gws.length && !gws.includes('mesh')) continue;
        arr(d.obj.spec?.hosts).forEach((h: string, i: number) => {
          const m = hostService(ctx, h, ctx.ns(d.obj));
          if (m && noWaypoint(m[1], m[0])) out.push(at(d, ['spec', 'hosts', i], why(m[1], m[0])));
        });
      }
      for (const d of ctx.ofKind('DestinationRule', 'istio.io')) {
        const tp = d.obj.spec?.trafficPolicy ?? {};
        if (!tp.outlierDetection && !tp.connectionPool?.http && !tp.loadBalancer && !arr(d.obj.spec?.subsets).length) continue;
        const m = hostService(ctx, d.obj.spec?.host ?? '', ctx.ns(d.obj));
        if (m && noWaypoint(m[1], m[0])) out.push(at(d, ['spec', 'host'], why(m[1], m[0])));
      }
      for (const d of ctx.ofKind('Telemetry', 'istio.io')) {
        if (!d.obj.spec?.tracing) continue;
        const ns = ctx.ns(d.obj);
        const svcs = targetServices(d.obj);
        if (svcs.length) svcs.forEach(svc => noWaypoint(ns, svc) && out.push(at(d, ['spec', 'tracing'], why(ns, svc))));
        else if (!d.obj.spec?.selector && noWaypoint(ns, undefined)) out.push(at(d, ['spec', 'tracing'], why(ns)));
      }
      return out;
    },
  },
  {
    code: 'I141',
    severity: W,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: 'istioctl waypoint status / ambient waypoint docs: a waypoint serves only what is labelled to use it',
    summary: 'a waypoint that no namespace, Service or ServiceEntry uses',
    check: ctx => {
      const waypoints = ctx.ofKind('Gateway', 'gateway.networking.k8s.io').filter(d => d.obj.spec?.gatewayClassName === ISTIO_WAYPOINT_CLASS);
      if (!waypoints.length) return [];
      const users = new Set([
        ...ctx.ofKind('Namespace').map(n => ctx.waypointFor(n.obj.metadata?.name)),
        ...ctx.ofKind('Service').map(sv => ctx.waypointFor(ctx.ns(sv.obj), sv.obj.metadata?.name)),
        // a ServiceEntry enrolled by its own label (egress through a waypoint)
        ...ctx.ofKind('ServiceEntry', 'istio.io').map(se => {
          const labels = se.obj.metadata?.labels ?? {};
          return labels['istio.io/use-waypoint'] ? `${labels['istio.io/use-waypoint-namespace'] ?? ctx.ns(se.obj)}/${labels['istio.io/use-waypoint']}` : undefined;
        }),
      ]);
      return waypoints.flatMap(d => {
        const ns = ctx.ns(d.obj);
        // only when the namespace's own object is among the manifests: otherwise its labels are unknown
        if (!ctx.namespaceObject(ns)) return [];
        return users.has(`${ns}/${d.obj.metadata?.name}`) ? [] : [at(d, ['metadata', 'name'], `no namespace, Service or ServiceEntry has istio.io/use-waypoint: ${d.obj.metadata?.name}${ns ? ` (in ${ns})` : ''}, so no traffic goes through the waypoint; label the namespace or the Services that need L7 processing, or remove the waypoint`)];
      });
    },
  },
  {
    code: 'I142',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'Istio ambient L4 policy docs: with a waypoint in the path, ztunnel sees the waypoint as the source',
    summary: 'ztunnel refuses the waypoint: the pods of an ambient service behind a waypoint allow callers but not the waypoint',
    check: ctx => {
      const out: RawFinding[] = [];
      // the ALLOW policies ztunnel applies, indexed when a policy first targets a Service behind a waypoint:
      // namespace-wide ones by namespace, the others by namespace, label and value (a policy selects pods only
      // if the pods carry all its labels)
      let wide: Map<string, Doc[]> | undefined;
      const byLabel = new Map<string, Map<string, Map<unknown, Doc[]>>>();
      const index = () => {
        wide = new Map();
        for (const p of ctx.ofKind('AuthorizationPolicy', 'istio.io')) {
          if (!onWorkloads(p.obj) || (p.obj.spec?.action ?? 'ALLOW') !== 'ALLOW') continue;
          const ns = String(ctx.ns(p.obj)); // (as a string, as `${ns}|...` keys compared it)
          const labels = p.obj.spec?.selector?.matchLabels ?? {};
          const keys = Object.keys(labels);
          if (!keys.length) {
            const list = wide.get(ns);
            if (list) list.push(p);
            else wide.set(ns, [p]);
          }
          for (const k of keys) {
            let byKey = byLabel.get(ns);
            if (!byKey) byLabel.set(ns, byKey = new Map());
            let byValue = byKey.get(k);
            if (!byValue) byKey.set(k, byValue = new Map());
            const list = byValue.get(labels[k]);
            if (list) list.push(p);
            else byValue.set(labels[k], [p]);
          }
        }
        return wide;
      };
      // the policies that select pods with these labels, in the order of the namespace-wide ones, then of each label
      const selecting = (ns: string, pods: { [k: string]: string }, into: Doc[]) => {
        for (const p of (wide ?? index()).get(String(ns)) ?? []) into.push(p);
        const byKey = byLabel.get(String(ns));
        if (!byKey) return;
        const keys = Object.keys(pods);
        // a policy is met once per label it shares with the pods: kept once
        const seen = keys.length > 1 ? new Set<Doc>() : undefined;
        for (const k of keys) {
          for (const p of byKey.get(k)?.get(pods[k]) ?? []) {
            if (seen?.has(p)) continue;
            seen?.add(p);
            if (selects(p.obj.spec.selector.matchLabels, pods)) into.push(p);
          }
        }
      };
      // each waypoint's principal, and whether a principal of a policy names it
      const identities = new Map<string, { principal: string; matches: (x: unknown) => boolean }>();
      for (const d of ctx.ofKind('AuthorizationPolicy', 'istio.io')) {
        if ((d.obj.spec?.action ?? 'ALLOW') !== 'ALLOW') continue;
        const ns = ctx.ns(d.obj);
        for (const svc of targetServices(d.obj)) {
          const wp = ctx.waypointFor(ns, svc);
          if (!wp || !ctx.isAmbient(ns)) continue;
          const pods = ctx.service(ns, svc)?.spec?.selector ?? { app: svc };
          const atPods: Doc[] = [];
          selecting(ns, pods, atPods);
          if (ns !== ctx.assumptions.rootNamespace) selecting(ctx.assumptions.rootNamespace, pods, atPods);
          if (!atPods.length) continue; // no ALLOW policy on the pods: ztunnel allows everyone
          let identity = identities.get(wp);
          if (!identity) {
            const [wpNs, wpName] = wp.split('/');
            const principal = `/ns/${wpNs}/sa/${wpName}`;
            const full = `${ctx.assumptions.trustDomain}${principal}`;
            identities.set(wp, identity = {
              principal,
              matches: (x: unknown) => typeof x === 'string'
                && (x === '*' || x === full || (x.endsWith('*') && full.startsWith(x.slice(0, -1))) || (x.startsWith('*') && full.endsWith(x.slice(1)))),
            });
          }
          const { principal, matches } = identity;
          const admits = atPods.some(p => arr(p.obj.spec?.rules).some((r: any) => !arr(r.from).length
            || arr(r.from).some((f: any) => arr(f?.source?.principals).some(matches))));
          if (!admits) {
            out.push(at(d, ['spec', 'targetRefs'], `the waypoint ${wp} enforces this policy for ${svc}, then ztunnel checks the pods' policies against the waypoint's identity, and ${atPods.map(p => p.obj.metadata?.name).join(', ')} do not allow it: every request is refused; add an ALLOW policy on the pods from principal <trust domain>${principal}`));
          }
        }
      }
      return out;
    },
  },
  {
    code: 'I143',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: 'Istio security best practices (authorization policies: match hosts with and without a port, host and host:*); the Host header may carry a port',
    summary: 'a DENY or CUSTOM policy (or an ALLOW policy\'s notHosts) names a host without its `host:*` form: a request with a port in the Host header escapes the rule',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').flatMap(d => {
      const action = d.obj.spec?.action ?? 'ALLOW';
      const fields = action === 'DENY' || action === 'CUSTOM' ? ['hosts', 'notHosts'] : ['notHosts'];
      return arr(d.obj.spec?.rules).flatMap((r: any, i: number) => arr(r?.to).flatMap((t: any, j: number) => fields.flatMap(field => {
        const hosts: unknown[] = arr(t?.operation?.[field]);
        return hosts.flatMap((h: unknown, k: number) => typeof h === 'string' && !h.includes(':') && !h.includes('*') && !hosts.includes(`${h}:*`)
          ? [at(d, ['spec', 'rules', i, 'to', j, 'operation', field, k], `${field} matches the Host header exactly: a request for ${h}:443 (or any port) reaches the same virtual host but is not ${h} to this ${action} rule${field === 'hosts' ? ', which then does not apply to it' : ''}; add "${h}:*" next to "${h}", or attach the policy to the gateway alone`)] : []);
      })));
    }),
  },
  {
    code: 'I144',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy', 'Service', 'Namespace'],
    upstream: 'Istio ambient: a waypoint applies only policies that target it or the Service (pilot/pkg/model/policyattachment.go, ShouldAttachPolicy), and ztunnel admits the waypoint',
    summary: 'in a default-deny ambient namespace, a Service served by a waypoint has no policy targeting it or the waypoint: any caller reaches its pods through the waypoint',
    check: ctx => {
      const out: RawFinding[] = [];
      const policies = ctx.ofKind('AuthorizationPolicy', 'istio.io');
      // per namespace, once
      const denies = new Map<string, boolean>();
      const allowNothing = (ns: string) => {
        let v = denies.get(ns);
        if (v === undefined) {
          denies.set(ns, v = policies.some(p => (ctx.ns(p.obj) === ns || ctx.ns(p.obj) === ctx.assumptions.rootNamespace)
            && isSelectorless(p.obj) && (p.obj.spec?.action ?? 'ALLOW') === 'ALLOW' && !arr(p.obj.spec?.rules).length));
        }
        return v;
      };
      // whether a policy targets (namespace, kind, name), as `${ns}|${kind}|${name}` strings compare them: made when
      // first asked, by namespace, kind and name (no key string per question) unless a part has a '|'
      let targeted: ((ns: unknown, kind: string, name: unknown) => boolean) | undefined;
      const targets = () => {
        const eachRef = (visit: (ns: string, kind: string, name: string) => void) => {
          for (const p of policies) {
            const ns = String(ctx.ns(p.obj));
            const refs = p.obj.spec?.targetRefs;
            if (Array.isArray(refs)) for (const t of refs) visit(ns, String(t?.kind), String(t?.name));
            if (p.obj.spec?.targetRef) visit(ns, String(p.obj.spec.targetRef.kind), String(p.obj.spec.targetRef.name));
          }
        };
        const byNs = new Map<string, Map<string, Set<string>>>();
        let bar = false;
        eachRef((ns, kind, name) => {
          bar ||= ns.includes('|') || kind.includes('|') || name.includes('|');
          let byKind = byNs.get(ns);
          if (!byKind) byNs.set(ns, byKind = new Map());
          let names = byKind.get(kind);
          if (!names) byKind.set(kind, names = new Set());
          names.add(name);
        });
        if (bar) {
          const flat = new Set<string>();
          eachRef((ns, kind, name) => flat.add(`${ns}|${kind}|${name}`));
          return (ns: unknown, kind: string, name: unknown) => flat.has(`${ns}|${kind}|${name}`);
        }
        return (ns: unknown, kind: string, name: unknown) => byNs.get(String(ns))?.get(kind)?.has(String(name)) ?? false;
      };
      // per waypoint, once: whether a policy targets it
      const waypointTargeted = new Map<string, boolean>();
      for (const d of ctx.ofKind('Service')) {
        if (d.obj.apiVersion !== 'v1') continue;
        const ns = ctx.ns(d.obj);
        const name = d.obj.metadata?.name;
        const wp = ctx.waypointFor(ns, name);
        if (!wp || !ctx.isAmbient(ns) || !allowNothing(ns)) continue;
        targeted ??= targets();
        if (targeted(ns, 'Service', name)) continue;
        let viaWaypoint = waypointTargeted.get(wp);
        if (viaWaypoint === undefined) {
          const [wpNs, wpName] = wp.split('/');
          waypointTargeted.set(wp, viaWaypoint = targeted(wpNs, 'Gateway', wpName));
        }
        if (viaWaypoint) continue;
        out.push(at(d, ['metadata', 'name'], `namespace ${ns} denies by default, but traffic to Service ${name} goes through the waypoint ${wp}, which applies no selector-based policy, and no policy targets the Service or the waypoint: the waypoint lets every caller through and the pods admit the waypoint; add targetRefs to this Service in the policies of its pods, or an allow-nothing AuthorizationPolicy with targetRefs to the waypoint Gateway`));
      }
      return out;
    },
  },
  {
    code: 'I145',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy', 'Gateway'],
    upstream: 'pilot/pkg/model/policyattachment.go ShouldAttachPolicy: selector-less policies apply to Istio-deployed Gateway API gateways (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, on by default)',
    summary: 'a namespace-wide ALLOW policy also applies to an Istio Gateway API gateway of the namespace, and no policy allows traffic to the gateway: outside clients are refused',
    check: ctx => {
      const out: RawFinding[] = [];
      const policies = ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(p => (p.obj.spec?.action ?? 'ALLOW') === 'ALLOW');
      for (const g of ctx.ofKind('Gateway', 'gateway.networking.k8s.io')) {
        const cls = String(g.obj.spec?.gatewayClassName ?? '');
        if (!cls.startsWith('istio') || cls === ISTIO_WAYPOINT_CLASS) continue;
        const ns = ctx.ns(g.obj);
        const name = g.obj.metadata?.name;
        const wide = policies.filter(p => (ctx.ns(p.obj) === ns || ctx.ns(p.obj) === ctx.assumptions.rootNamespace) && isSelectorless(p.obj));
        if (!wide.length) continue;
        const podLabels = { 'gateway.networking.k8s.io/gateway-name': name };
        const allowsGateway = policies.some(p => ctx.ns(p.obj) === ns && arr(p.obj.spec?.rules).length && (
          [...arr(p.obj.spec?.targetRefs), ...(p.obj.spec?.targetRef ? [p.obj.spec.targetRef] : [])].some((t: any) => t?.kind === 'Gateway' && t?.name === name)
          || (p.obj.spec?.selector?.matchLabels && selects(p.obj.spec.selector.matchLabels, podLabels))));
        if (allowsGateway) continue;
        out.push(at(g, ['metadata', 'name'], `${wide.map(p => `${ctx.ns(p.obj)}/${p.obj.metadata?.name}`).join(', ')} (no selector) also apply to the pods Istio deploys for this Gateway, and no ALLOW policy targets the Gateway: ${wide.some(p => !arr(p.obj.spec?.rules).length) ? 'every request' : 'every request those rules do not name (outside clients have no identity)'} is refused with 403; add an ALLOW AuthorizationPolicy with targetRefs to Gateway ${name} (e.g. rules: [{to: [{operation: {ports: ["443"]}}]}]), or put the gateway in a namespace of its own`));
      }
      return out;
    },
  },
  {
    code: 'I146',
    severity: W,
    mesh: 'istio',
    kinds: ['HTTPRoute', 'DestinationRule'],
    upstream: 'Istio ambient migration guide (per-version Services keep their own DestinationRule): the proxy applies the traffic policy of the backend\'s host, not of the route\'s parent Service',
    summary: 'an HTTPRoute of a Service routes to other Services (per-version backends) that have no DestinationRule, while the parent Service has a traffic policy: pool, outlier detection and load balancing do not apply to the routed traffic',
    check: ctx => {
      const out: RawFinding[] = [];
      const drs = drsByHost(ctx);
      const policed = (host: string) => (drs.get(host) ?? []).some(d => {
        const tp = d.obj.spec?.trafficPolicy ?? {};
        return tp.outlierDetection || tp.connectionPool || tp.loadBalancer;
      });
      for (const d of ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io')) {
        const ns = ctx.ns(d.obj);
        const parents = arr(d.obj.spec?.parentRefs).filter((p: any) => p?.kind === 'Service' && (p.group ?? '') === '' && (p.namespace ?? ns) === ns).map((p: any) => p.name);
        const parent = parents.find((p: string) => policed(ctx.fqdn(p, ns)));
        if (!parent) continue;
        arr(d.obj.spec?.rules).forEach((r: any, i: number) => arr(r?.backendRefs).forEach((b: any, j: number) => {
          if ((b?.kind ?? 'Service') !== 'Service' || (b?.group ?? '') !== '' || b?.name === parent) return;
          const host = ctx.fqdn(String(b?.name), b?.namespace ?? ns);
          if (!(drs.get(host) ?? []).length) {
            out.push(at(d, ['spec', 'rules', i, 'backendRefs', j], `the traffic to ${b.name} takes the DestinationRule of ${host}, and there is none, so the traffic policy of ${parent} (connection pool, outlier detection, load balancing) does not apply to it: write a DestinationRule with the same trafficPolicy for ${host}`));
          }
        }));
      }
      return out;
    },
  },
  {
    code: 'I147',
    severity: W,
    mesh: 'istio',
    kinds: ['EnvoyFilter'],
    upstream: 'pilot/pkg/networking/core/listener_builder.go buildHTTPConnectionManager: the inbound HTTP chain is metadata exchange, CUSTOM authz, authn, RBAC, ..., router',
    summary: 'an EnvoyFilter puts a rate limit filter ahead of authorization (first in the chain, or before RBAC): callers the policies refuse still take tokens',
    check: ctx => ctx.ofKind('EnvoyFilter', 'istio.io').flatMap(d => arr(d.obj.spec?.configPatches).flatMap((p: any, i: number) => {
      const name = p?.patch?.value?.name;
      if (p?.applyTo !== 'HTTP_FILTER' || !['envoy.filters.http.local_ratelimit', 'envoy.filters.http.ratelimit'].includes(name)) return [];
      if (p.match?.context && !['SIDECAR_INBOUND', 'GATEWAY', 'ANY'].includes(p.match.context)) return [];
      const op = p.patch?.operation;
      const before = p.match?.listener?.filterChain?.filter?.subFilter?.name;
      const early = op === 'INSERT_FIRST' || (op === 'INSERT_BEFORE' && (!before
        || ['envoy.filters.http.rbac', 'envoy.filters.http.jwt_authn', 'envoy.filters.http.ext_authz', 'istio.metadata_exchange', 'istio_authn'].includes(before)));
      return early ? [at(d, ['spec', 'configPatches', i, 'patch', 'operation'], `${name} is inserted ${op === 'INSERT_FIRST' || !before ? 'at the head of the HTTP filter chain' : `before ${before}`}, so it runs before authorization and callers the policies deny drain the bucket: insert it before envoy.filters.http.router (match.listener.filterChain.filter.subFilter.name)`)] : [];
    })),
  },
  {
    code: 'I148',
    severity: E,
    mesh: 'istio',
    kinds: ['Gateway', 'Namespace', 'PeerAuthentication', 'AuthorizationPolicy'],
    upstream: 'pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go setLabelOverrides: istiod labels the pods of a Gateway it deploys istio.io/dataplane-mode: none unless the Gateway sets that label itself (in metadata.labels or spec.infrastructure.labels); istio-cni enrols every other pod of an ambient namespace but sidecar pods (cni/pkg/util/enablement_selector.go, Matches), and ztunnel applies STRICT mTLS and selector-less policies to them',
    summary: 'an Istio Gateway API gateway in an ambient namespace sets istio.io/dataplane-mode to something other than none (so istiod does not opt its pods out of ztunnel), where STRICT mTLS or a namespace-wide ALLOW policy applies: ztunnel refuses the plaintext connections of outside clients',
    check: ctx => {
      const out: RawFinding[] = [];
      const root = ctx.assumptions.rootNamespace;
      const here = (o: any, ns: string) => ctx.ns(o) === ns || ctx.ns(o) === root;
      for (const g of ctx.ofKind('Gateway', 'gateway.networking.k8s.io')) {
        const cls = String(g.obj.spec?.gatewayClassName ?? '');
        // istio-waypoint pods are labelled none by their template; istio-remote deploys nothing
        if (cls !== 'istio') continue;
        const ns = ctx.ns(g.obj);
        if (!ctx.isAmbient(ns) || !gatewayPodsEnrolled(g.obj)) continue;
        // selector-less: the namespace's (or the root namespace's, mesh-wide) policies, which ztunnel applies
        const strict = ctx.ofKind('PeerAuthentication', 'istio.io').filter(p => here(p.obj, ns) && !p.obj.spec?.selector && p.obj.spec?.mtls?.mode === 'STRICT');
        const wide = ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(p => here(p.obj, ns) && isSelectorless(p.obj) && (p.obj.spec?.action ?? 'ALLOW') === 'ALLOW');
        if (!strict.length && !wide.length) continue;
        const why = [
          ...strict.map(p => `PeerAuthentication ${ctx.ns(p.obj)}/${p.obj.metadata?.name} (STRICT) refuses plaintext`),
          ...wide.map(p => `AuthorizationPolicy ${ctx.ns(p.obj)}/${p.obj.metadata?.name} (no selector) allows ${arr(p.obj.spec?.rules).length ? 'only the callers its rules name' : 'nothing'}`),
        ].join(', ');
        out.push(at(g, ['spec', 'gatewayClassName'], `namespace ${ns} is ambient, and this Gateway sets istio.io/dataplane-mode itself (to ${JSON.stringify(gatewayInfraLabels(g.obj)['istio.io/dataplane-mode'] ?? '')} on its pods), so istiod does not label the gateway pods istio.io/dataplane-mode: none; istio-cni enrols them and ztunnel applies the namespace's L4 policies to the load balancer's plaintext connections: ${why}; every outside request is refused. Set spec.infrastructure.labels: {istio.io/dataplane-mode: none} (istiod copies them to the pods), remove the label, or put the gateway in a namespace that is not ambient`));
      }
      return out;
    },
  },
  {
    code: 'I149',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService', 'Sidecar'],
    upstream: 'IST0002 Deprecated (pkg/config/analysis/analyzers/deprecation/deprecation.go)',
    summary: 'a deprecated field: fault.delay.percent of a VirtualService (use percentage), outboundTrafficPolicy.egressProxy of a Sidecar (ignored)',
    check: ctx => [
      ...ctx.ofKind('VirtualService', 'istio.io').flatMap(d => arr(d.obj.spec?.http).flatMap((r: any, i: number) => (r?.fault?.delay?.percent ?? 0) > 0
        ? [at(d, ['spec', 'http', i, 'fault', 'delay', 'percent'], 'fault.delay.percent is deprecated: use percentage: {value: N}')] : [])),
      ...ctx.ofKind('Sidecar', 'istio.io').filter(d => d.obj.spec?.outboundTrafficPolicy?.egressProxy)
        .map(d => at(d, ['spec', 'outboundTrafficPolicy', 'egressProxy'], 'outboundTrafficPolicy.egressProxy is deprecated and ignored: route egress through an egress gateway with a VirtualService')),
    ],
  },
  {
    code: 'I150',
    severity: W,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: 'IST0138 GatewayDuplicateCertificate (pkg/config/analysis/analyzers/gateway/certificate.go)',
    summary: 'two Gateways on the same workloads serve the same certificate: an HTTP/2 client re-uses the connection for the other Gateway\'s hosts and gets 404s',
    check: ctx => {
      const out: RawFinding[] = [];
      // a certificate: the credentialName, or the serverCertificate and privateKey files (certificate.go haveSameCertificate)
      const certs = (g: Doc) => [...new Set(arr(g.obj.spec?.servers).map((sv: any) => sv?.tls).filter((t: any) => t && typeof t === 'object')
        .map((t: any) => (t.credentialName ? `credential:${t.credentialName}` : t.serverCertificate && t.privateKey ? `files:${t.serverCertificate}|${t.privateKey}` : ''))
        .filter((k: string) => k))];
      // the current Gateway's selector is a subset of the other's (an empty one: every Gateway), as certificate.go selectorSubset
      const subset = (x: any, y: any) => Object.entries(x ?? {}).every(([k, v]) => (y ?? {})[k] === v);
      const byCert = groupBy(ctx.ofKind('Gateway', 'istio.io').flatMap(g => certs(g).map(cert => ({ g, cert }))), x => x.cert);
      for (const g of ctx.ofKind('Gateway', 'istio.io')) {
        // one finding per Gateway, naming the first other Gateway that shares a certificate with it
        let other: Doc | undefined;
        for (const cert of certs(g)) {
          other = byCert.get(cert)?.find(x => x.g !== g && subset(g.obj.spec?.selector, x.g.obj.spec?.selector))?.g;
          if (other) break;
        }
        if (other) {
          out.push(at(g, ['spec', 'servers'], `Gateway ${ctx.ns(other.obj)}/${other.obj.metadata?.name} runs on the same gateway pods with the same certificate: a client that re-uses an HTTP/2 connection for the other Gateway's hosts gets 404s. Serve the hosts from one Gateway, or give each its own certificate`));
        }
      }
      return out;
    },
  },
  {
    code: 'I151',
    severity: E,
    mesh: 'istio',
    kinds: ['EnvoyFilter'],
    upstream: 'IST0152 EnvoyFilterUsesReplaceOperationIncorrectly, IST0153 EnvoyFilterUsesAddOperationIncorrectly, IST0154 EnvoyFilterUsesRemoveOperationIncorrectly',
    summary: 'an EnvoyFilter patch operation that does not apply to its applyTo (ADD or REMOVE of a route configuration or HTTP route, REPLACE of anything but a filter or virtual host): it is ignored',
    check: ctx => ctx.ofKind('EnvoyFilter', 'istio.io').flatMap(d => {
      const out: RawFinding[] = [];
      const patches = arr(d.obj.spec?.configPatches);
      for (let i = 0; i < patches.length; i++) {
        const p = patches[i];
        if (!p?.patch) break;
        const op = p.patch.operation;
        const path = ['spec', 'configPatches', i, 'patch', 'operation'];
        const routeLevel = ['ROUTE_CONFIGURATION', 'HTTP_ROUTE'].includes(p.applyTo);
        if (op === 'ADD' && routeLevel) out.push({ ...at(d, path, `ADD is ignored on ${p.applyTo}: to add a route, MERGE it into the VIRTUAL_HOST (or ADD a VIRTUAL_HOST)`), upstream: 'IST0153 EnvoyFilterUsesAddOperationIncorrectly' });
        if (op === 'REMOVE' && routeLevel) out.push({ ...at(d, path, `REMOVE is ignored on ${p.applyTo}: remove the route in the VirtualService instead`), upstream: 'IST0154 EnvoyFilterUsesRemoveOperationIncorrectly' });
        if (op === 'REPLACE' && !['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST'].includes(p.applyTo)) {
          out.push({ ...at(d, path, `REPLACE works on NETWORK_FILTER, HTTP_FILTER and VIRTUAL_HOST only, not ${p.applyTo}: use MERGE`), upstream: 'IST0152 EnvoyFilterUsesReplaceOperationIncorrectly' });
        }
      }
      return out;
    }),
  },
  {
    code: 'I152',
    severity: W,
    mesh: 'istio',
    kinds: ['Telemetry'],
    upstream: 'IST0157 InvalidTelemetryProvider (pkg/config/analysis/analyzers/telemetry/providers.go; assumes a mesh config without defaultProviders.accessLogging, Istio\'s default)',
    summary: 'a Telemetry access logging entry names no provider (and is not disabled): with no default access log provider in the mesh config, it is ignored',
    check: ctx => ctx.ofKind('Telemetry', 'istio.io').flatMap(d => arr(d.obj.spec?.accessLogging).flatMap((l: any, i: number) =>
      l && l.disabled !== true && !arr(l.providers).length
        ? [at(d, ['spec', 'accessLogging', i], 'no provider: unless meshConfig.defaultProviders.accessLogging names one, this entry is ignored. Name a provider (e.g. providers: [{name: envoy}])')] : [])),
  },
  {
    code: 'I153',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: `${WEBHOOK} (webhook: a VirtualService gateway is mesh, a name or namespace/name of DNS labels; validateGatewayNames)`,
    summary: 'a VirtualService names a gateway that is not `mesh`, `name` or `namespace/name` of DNS labels',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => arr(vs.obj.spec?.gateways).flatMap((g: unknown, i: number) => {
      if (g === 'mesh') return [];
      const parts = typeof g === 'string' ? g.split('/') : [];
      const ok = typeof g === 'string' && (parts.length === 1 ? g.split('.').every(isDnsLabel) : parts.length === 2 && parts.every(isDnsLabel));
      return ok ? [] : [at(vs, ['spec', 'gateways', i], `${JSON.stringify(g)} is not a gateway reference Istio accepts: write mesh, or namespace/name of a Gateway (DNS labels)`)];
    })),
  },
  {
    code: 'I154',
    severity: W,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: 'IST0165 ReferencedInternalGateway (pkg/config/analysis/analyzers/virtualservice/gateways.go)',
    summary: 'a VirtualService is bound to the internal Gateway istiod generates for a Gateway API Gateway (~istio-autogenerated-k8s-gateway~): the name is an implementation detail',
    check: ctx => ctx.ofKind('VirtualService', 'istio.io').flatMap(vs => arr(vs.obj.spec?.gateways).flatMap((g: unknown, i: number) =>
      typeof g === 'string' && g.split('/').pop()!.includes('~istio-autogenerated-k8s-gateway~')
        ? [at(vs, ['spec', 'gateways', i], `${g} is the Gateway istiod generates for a Gateway API Gateway: attach an HTTPRoute to the Gateway API Gateway instead`)] : [])),
  },
  {
    code: 'I155',
    severity: E,
    mesh: 'istio',
    kinds: ['Gateway'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateServer, validateServerPort, validateTLSOptions)`,
    summary: 'a Gateway server Istio rejects: a host that is a short name or has a bad namespace part, an unknown protocol, or SIMPLE/MUTUAL TLS without a certificate',
    check: ctx => ctx.ofKind('Gateway', 'istio.io').flatMap(d => arr(d.obj.spec?.servers).flatMap((sv: any, i: number) => {
      const out: RawFinding[] = [];
      arr(sv?.hosts).forEach((h: unknown, j: number) => hostEntryErrors(h, true).forEach(e => out.push(at(d, ['spec', 'servers', i, 'hosts', j], e))));
      const protocol = sv?.port?.protocol;
      if (typeof protocol === 'string' && !PROTOCOLS.includes(protocol.toUpperCase())) {
        out.push(at(d, ['spec', 'servers', i, 'port', 'protocol'], `protocol ${JSON.stringify(protocol)} is not one Istio knows: use one of ${PROTOCOLS.join(', ')}`));
      }
      const tls = sv?.tls;
      if (tls && ['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL'].includes(tls.mode) && !tls.credentialName && !arr(tls.credentialNames).length && !arr(tls.tlsCertificates).length) {
        if (!tls.serverCertificate || !tls.privateKey) out.push(at(d, ['spec', 'servers', i, 'tls'], `${tls.mode} TLS needs a certificate: set credentialName (a Secret in the gateway's namespace), or serverCertificate and privateKey`));
        if (tls.mode !== 'SIMPLE' && !tls.caCertificates) out.push(at(d, ['spec', 'servers', i, 'tls'], `${tls.mode} TLS needs the client CA bundle: set caCertificates, or credentialName`));
      }
      return out;
    })),
  },
  {
    code: 'I156',
    severity: E,
    mesh: 'istio',
    kinds: ['VirtualService'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateVirtualService: wildcard host * on the mesh gateway, RE2 regex matches)`,
    summary: 'a VirtualService Istio rejects: host `*` bound to the mesh, or a regex match RE2 cannot compile',
    check: ctx => matchRules(ctx).I156.take(),
  },
  {
    code: 'I157',
    severity: E,
    mesh: 'istio',
    kinds: ['Sidecar'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateSidecarEgressHosts, agent.ValidateNamespaceSlashWildcardHostname)`,
    summary: 'a Sidecar egress host is not namespace/dnsName (namespace `*`, `.`, `~` or a name; dnsName `*` or an FQDN)',
    check: ctx => ctx.ofKind('Sidecar', 'istio.io').flatMap(d => arr(d.obj.spec?.egress).flatMap((e: any, i: number) =>
      arr(e?.hosts).flatMap((h: unknown, j: number) => hostEntryErrors(h, false).map(msg => at(d, ['spec', 'egress', i, 'hosts', j], msg))))),
  },
  {
    code: 'I158',
    severity: E,
    mesh: 'istio',
    kinds: ['ServiceEntry'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateServiceEntry: addresses, STATIC endpoint addresses, workloadSelector with endpoints)`,
    summary: 'a ServiceEntry Istio rejects: an address that is not an IP or CIDR, a STATIC endpoint that is not an IP, or both a workloadSelector and endpoints',
    check: ctx => ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => {
      const s = d.obj.spec ?? {};
      const out: RawFinding[] = [];
      arr(s.addresses).forEach((a: unknown, i: number) => {
        const [ip, bits, more] = String(a).split('/');
        const max = nodeNet().isIPv4(ip) ? 32 : 128;
        const ok = typeof a === 'string' && isIp(ip) && more === undefined && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max));
        if (!ok) out.push(at(d, ['spec', 'addresses', i], `${JSON.stringify(a)} is not a valid IP or CIDR block`));
      });
      if (s.resolution === 'STATIC') {
        arr(s.endpoints).forEach((e: any, i: number) => {
          const addr = e?.address;
          if (typeof addr === 'string' && addr && !addr.startsWith('unix://') && !isIp(addr)) out.push(at(d, ['spec', 'endpoints', i, 'address'], `endpoint address ${JSON.stringify(addr)} is not an IP: STATIC resolution takes IPs (use resolution DNS for host names)`));
        });
      }
      if (s.workloadSelector && s.endpoints) out.push(at(d, ['spec', 'endpoints'], 'a ServiceEntry takes a workloadSelector or endpoints, not both: keep one'));
      return out;
    }),
  },
  {
    code: 'I159',
    severity: E,
    mesh: 'istio',
    kinds: ['DestinationRule'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation/agent ValidateTLS: MUTUAL needs a client certificate and private key, or a credentialName)`,
    summary: 'MUTUAL TLS in a DestinationRule without clientCertificate and privateKey, or credentialName',
    check: ctx => ctx.ofKind('DestinationRule', 'istio.io').flatMap(d => {
      const tp = d.obj.spec?.trafficPolicy;
      const all = [
        { tls: tp?.tls, path: ['spec', 'trafficPolicy', 'tls'] },
        ...arr(tp?.portLevelSettings).map((p: any, i: number) => ({ tls: p?.tls, path: ['spec', 'trafficPolicy', 'portLevelSettings', i, 'tls'] })),
        ...arr(d.obj.spec?.subsets).flatMap((sub: any, i: number) => [
          { tls: sub?.trafficPolicy?.tls, path: ['spec', 'subsets', i, 'trafficPolicy', 'tls'] },
          ...arr(sub?.trafficPolicy?.portLevelSettings).map((p: any, j: number) => ({ tls: p?.tls, path: ['spec', 'subsets', i, 'trafficPolicy', 'portLevelSettings', j, 'tls'] })),
        ]),
      ];
      return all.flatMap(({ tls, path }) => tls?.mode === 'MUTUAL' && !tls.credentialName && (!tls.clientCertificate || !tls.privateKey)
        ? [at(d, path as (string | number)[], 'MUTUAL TLS needs the client certificate: set clientCertificate and privateKey, or credentialName (or use ISTIO_MUTUAL inside the mesh)')] : []);
    }),
  },
  {
    code: 'I160',
    severity: E,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateAuthorizationPolicy, security.ValidateAttribute)`,
    summary: 'an AuthorizationPolicy Istio rejects: CUSTOM without a provider, a selector with targetRefs, an empty source or operation, or an unknown condition key',
    check: ctx => ctx.ofKind('AuthorizationPolicy', 'istio.io').flatMap(d => {
      const s = d.obj.spec ?? {};
      const out: RawFinding[] = [];
      if (s.action === 'CUSTOM' && !s.provider?.name) out.push(at(d, ['spec', 'provider'], 'a CUSTOM policy needs provider.name (an extension provider of the mesh config)'));
      if (s.action === 'CUSTOM') {
        // what an ext_authz provider cannot be told (validateAuthorizationPolicy: "... is currently not supported with CUSTOM action")
        const sourceFields = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains',
          'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];
        arr(s.rules).forEach((r: any, i: number) => {
          arr(r?.from).forEach((f: any, j: number) => sourceFields.filter(k => arr(f?.source?.[k]).length).forEach(k =>
            out.push(at(d, ['spec', 'rules', i, 'from', j, 'source', k], `source.${k} cannot be used with action CUSTOM (the external authorizer sees no peer identity): use ipBlocks, or a separate ALLOW or DENY policy`))));
          arr(r?.when).forEach((w: any, j: number) => {
            if (['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'].includes(w?.key) || String(w?.key).startsWith('request.auth.')) {
              out.push(at(d, ['spec', 'rules', i, 'when', j, 'key'], `${w.key} cannot be used with action CUSTOM: use a separate ALLOW or DENY policy`));
            }
          });
        });
      }
      if (s.action !== 'CUSTOM' && s.provider) out.push(at(d, ['spec', 'provider'], 'provider is only for action CUSTOM: remove it'));
      if (s.selector && (s.targetRef || arr(s.targetRefs).length)) out.push(at(d, ['spec', 'selector'], 'a policy takes a selector or targetRefs, not both: keep one'));
      arr(s.rules).forEach((r: any, i: number) => {
        arr(r?.from).forEach((f: any, j: number) => {
          if (isEmptyMatch(f?.source)) out.push(at(d, ['spec', 'rules', i, 'from', j], 'from.source is empty: name the callers, or remove the entry'));
        });
        arr(r?.to).forEach((t: any, j: number) => {
          if (isEmptyMatch(t?.operation)) out.push(at(d, ['spec', 'rules', i, 'to', j], 'to.operation is empty: name what it matches, or remove the entry'));
        });
        arr(r?.when).forEach((w: any, j: number) => {
          const e = conditionKeyError(w?.key);
          if (e) out.push(at(d, ['spec', 'rules', i, 'when', j, 'key'], e));
        });
      });
      return out;
    }),
  },
  {
    code: 'I161',
    severity: E,
    mesh: 'istio',
    kinds: ['PeerAuthentication'],
    upstream: `${WEBHOOK} (webhook: mesh/namespace peer authentication cannot have port level mTLS)`,
    summary: 'a PeerAuthentication without a selector sets portLevelMtls (ports are a workload\'s)',
    check: ctx => ctx.ofKind('PeerAuthentication', 'istio.io').filter(d => d.obj.spec?.portLevelMtls && !d.obj.spec?.selector)
      .map(d => at(d, ['spec', 'portLevelMtls'], 'port-level mTLS needs a selector (the ports are those of the selected workload): add spec.selector, or move the ports to a workload\'s PeerAuthentication')),
  },
  {
    code: 'I162',
    severity: E,
    mesh: 'istio',
    kinds: ['RequestAuthentication'],
    upstream: `${WEBHOOK} (webhook: pkg/config/validation validateJwtRule: the jwksUri scheme is http or https)`,
    summary: 'a RequestAuthentication jwksUri that is not an http or https URL',
    check: ctx => ctx.ofKind('RequestAuthentication', 'istio.io').flatMap(d => arr(d.obj.spec?.jwtRules).flatMap((r: any, i: number) =>
      typeof r?.jwksUri === 'string' && !/^https?:\/\/[^/]/.test(r.jwksUri)
        ? [at(d, ['spec', 'jwtRules', i, 'jwksUri'], `${JSON.stringify(r.jwksUri)} is not an http(s) URL: write https://host/path`)] : [])),
  },
  {
    code: 'I163',
    severity: W,
    mesh: 'istio',
    kinds: ['EnvoyFilter'],
    upstream: 'IST0133 SchemaWarning (webhook warning: using deprecated types by name without typed_config; pkg/config/validation/envoyfilter recurseMissingTypedConfig)',
    summary: 'an EnvoyFilter names a filter without its typed_config: Envoy no longer looks filters up by name',
    check: ctx => ctx.ofKind('EnvoyFilter', 'istio.io').flatMap(d => arr(d.obj.spec?.configPatches).flatMap((p: any, i: number) => {
      const v = p?.patch?.value;
      if (!['HTTP_FILTER', 'NETWORK_FILTER', 'LISTENER_FILTER'].includes(p?.applyTo) || !v || typeof v !== 'object' || typeof v.name !== 'string') return [];
      const typed = ['typed_config', 'typedConfig', 'config_discovery', 'configDiscovery'].some(k => v[k] !== undefined);
      return typed ? [] : [at(d, ['spec', 'configPatches', i, 'patch', 'value'], `the filter ${v.name} has no typed_config: add typed_config with its "@type" (e.g. type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua)`)];
    })),
  },
  {
    code: 'I164',
    severity: W,
    mesh: 'istio',
    kinds: ['AuthorizationPolicy', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod'],
    upstream: 'pilot/pkg/security/authz/model/generator.go (destinationPortGenerator): a rule\'s ports match destination_port, the pod port the Service\'s targetPort reaches (kubernetes FindPort for a named one), not the Service port',
    summary: 'an ALLOW rule (on the pods) names a Service\'s port that forwards to another pod port, and no selected pod listens on it: the callers it is for are refused',
    check: ctx => {
      // the policies on pods: by selector (a policy with targetRefs, on a waypoint, has none: it sees the Service port)
      const policies = ctx.ofKind('AuthorizationPolicy', 'istio.io').filter(d => (d.obj.spec?.action ?? 'ALLOW') === 'ALLOW'
        && Object.keys(d.obj.spec?.selector?.matchLabels ?? {}).length > 0);
      if (!policies.length) return [];
      const services = ctx.ofKind('Service').filter(d => d.obj.apiVersion === 'v1' && Object.keys(d.obj.spec?.selector ?? {}).length > 0);
      const all = workloadsOf(ctx.docs.map(d => d.obj), o => ctx.ns(o));
      return policies.flatMap(d => {
        const ns = ctx.ns(d.obj);
        const pods = all.filter(w => w.ns === ns && selects(d.obj.spec.selector.matchLabels, w.labels));
        if (!pods.length) return [];
        const listened = new Set(pods.flatMap(w => w.ports.map(p => String(p.containerPort))));
        // the Service ports of the namespace's Services that select some of the pods and forward to another pod port
        const forwarding = (port: string) => services.filter(s => ctx.ns(s.obj) === ns).flatMap(s => {
          const selected = pods.filter(w => selects(s.obj.spec.selector, w.labels));
          return arr(s.obj.spec?.ports).filter((p: any) => String(p?.port) === port && p?.targetPort !== undefined && String(p.targetPort) !== port)
            .flatMap((p: any) => podPortsOf(selected, p.targetPort).filter(g => String(g.port) !== port)
              .map(g => `Service ${s.obj.metadata?.name} port ${port} forwards to targetPort ${p.targetPort}`
                + (typeof p.targetPort === 'string' ? ` (containerPort ${g.port} of ${g.pods.map(w => `${w.kind} ${w.name}`).join(', ')})` : '')));
        });
        const rules = arr(d.obj.spec?.rules);
        return rules.flatMap((r: any, i: number) => arr(r?.to).flatMap((t: any, j: number) => arr(t?.operation?.ports).flatMap((port: unknown, k: number) => {
          if (listened.has(String(port))) return [];
          const why = forwarding(String(port));
          return why.length ? [at(d, ['spec', 'rules', i, 'to', j, 'operation', 'ports', k], `${why.join('; ')}, and no pod the policy selects listens on ${String(port)}: `
            + 'the sidecar (or ztunnel) matches the pod port, so the callers of this rule are refused; write the pod port (the containerPort the targetPort names)')] : [];
        })));
      });
    },
  },
];
