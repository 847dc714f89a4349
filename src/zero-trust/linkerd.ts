import { Construct } from 'constructs';
import { Identity, IdentityKind } from './identity';
import type { RuleIntent, ZeroTrustIntent, ZeroTrustRenderer } from './intent';
import { MtlsPhase } from './zero-trust-namespace';
import * as linkerd from '../imports/linkerd';
import { MatchType } from '../matches';
import { LinkerdInboundPolicy, Mesh } from '../mesh';
import { MeshNamespace } from '../private/enrolment';
import { LinkerdServer } from '../private/linkerd-server';
import { objectMetadata } from '../private/metadata';

const POLICY = 'policy.linkerd.io';

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
    new linkerd.MeshTlsAuthentication(scope, `MeshTLS-${r.name}`, {
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
function authorize(scope: Construct, r: RuleIntent, ns: string, auths: Authn[], target: { kind: string; name: string }, policyName: string) {
  for (const a of auths) {
    const name = `${policyName}${a.suffix}`;
    new linkerd.AuthorizationPolicy(scope, `Authz${a.kind === 'NetworkAuthentication' ? 'Network' : ''}-${policyName}`, {
      metadata: objectMetadata(name, ns, { annotations: { 'cdk8s-mesh.io/rule': r.name } }),
      spec: {
        targetRef: { group: POLICY, kind: target.kind, name: target.name },
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

/**
 * The inbound routes of a Server's method/path rules. Linkerd authorizes a request on the one route that
 * it selects (Gateway API precedence: the most specific path, then a method), so where rules overlap,
 * the request's route must carry every rule that allows it: the routes are the rules' request shapes
 * and their intersections, grouped by the rules that cover them. A rule that overlaps no other keeps
 * one route of its own, named after it.
 */
function inboundRoutes(rules: RuleIntent[]): { name?: string; rules: RuleIntent[]; cells: Cell[] }[] {
  const ruleCells = new Map(rules.map(r => [r, cellsOf(r)]));
  const atoms = [...ruleCells.values()].flat();
  const key = (c: Cell) => `${c.path.type}|${c.path.value}|${c.method ?? '*'}`;
  const cells = new Map<string, Cell>();
  for (const a of atoms) cells.set(key(a), a);
  for (let i = 0; i < atoms.length; i++) {
    for (let j = i + 1; j < atoms.length; j++) {
      const c = intersect(atoms[i], atoms[j]);
      if (c && !cells.has(key(c))) cells.set(key(c), c);
    }
  }
  const groups = new Map<string, { rules: RuleIntent[]; cells: Cell[] }>();
  for (const c of cells.values()) {
    const by = rules.filter(r => ruleCells.get(r)!.some(a => covers(a, c)));
    const k = by.map(r => r.name).join(',');
    if (!groups.has(k)) groups.set(k, { rules: by, cells: [] });
    groups.get(k)!.cells.push(c);
  }
  return [...groups.values()].map(g => ({ ...g, name: g.rules.length === 1 ? g.rules[0].name : undefined }));
}

/**
 * Linkerd: the namespace's default inbound policy (`deny`, or `audit` while PERMISSIVE); per service
 * a Server (its access policy likewise); per rule a MeshTLSAuthentication (or NetworkAuthentication)
 * and an AuthorizationPolicy, on the Server, or on an inbound policy HTTPRoute when the rule names
 * methods or paths. Linkerd authorization only allows: no deny rules, no JWT.
 */
export const ZT_LINKERD: ZeroTrustRenderer = {
  unsupported(intent: ZeroTrustIntent) {
    const out: { setting: string; value: unknown; why: string; alternative: string }[] = [];
    if (intent.deny.length) {
      out.push({ setting: 'deny', value: `${intent.deny.length} rule(s)`, why: 'Linkerd authorization policies only allow; everything not allowed is already denied', alternative: 'remove the deny rules and narrow the allow rules instead' });
    }
    if (intent.jwt || intent.allow.some(r => r.requireJwt)) {
      out.push({ setting: intent.jwt ? 'jwt' : 'allow.requireJwt', value: intent.jwt?.issuer ?? true, why: 'Linkerd has no JWT request authentication (linkerd2#3704)', alternative: 'validate tokens at the ingress controller or in the application, and remove jwt/requireJwt for Linkerd' });
    }
    intent.exceptions.forEach((e, i) => {
      if (e.mode === 'DISABLE') out.push({ setting: `mtlsExceptions[${i}].mode`, value: e.mode, why: 'Linkerd cannot turn mTLS off for a port; it can only accept unauthenticated clients on it', alternative: 'use MtlsExceptionMode.PERMISSIVE' });
    });
    return out;
  },

  render(scope: Construct, intent: ZeroTrustIntent, mesh: Mesh) {
    const ns = intent.namespace;
    const strict = intent.phase === MtlsPhase.STRICT;
    const defaultPolicy = strict ? LinkerdInboundPolicy.DENY : LinkerdInboundPolicy.AUDIT;
    // the default inbound policy is read when a pod's proxy is injected: pods restart to pick it up
    // the namespace's enrolment (docs/enrolment.md) holds its Namespace object: the one given, or found in
    // the chart, or written here (a zero-trust namespace is the app's own), annotated linkerd.io/inject
    const namespaceObject = MeshNamespace.of(scope, ns, mesh, { namespaceObject: intent.namespaceObject, owned: true }).namespaceObject!;
    namespaceObject.metadata.addAnnotation('config.linkerd.io/default-inbound-policy', defaultPolicy);

    // an exception opens its port to unauthenticated clients, unless allow rules govern that port:
    // then its Server keeps denying, and network rules (NetworkAuthentication) admit the plaintext callers
    for (const e of intent.exceptions) {
      const governed = intent.allow.some(r => r.to.name === e.service.name && r.to.targetPort === e.port);
      if (!governed) LinkerdServer.of(scope, mesh, e.service, e.port).setAccessPolicy(LinkerdInboundPolicy.ALL_UNAUTHENTICATED, scope.node.path);
    }
    const services = new Map<string, RuleIntent[]>();
    for (const r of intent.allow) {
      if (!services.has(r.to.name)) services.set(r.to.name, []);
      services.get(r.to.name)!.push(r);
    }
    for (const [name, rules] of services) {
      const server = LinkerdServer.of(scope, mesh, rules[0].to);
      server.setAccessPolicy(defaultPolicy, scope.node.path);
      const scoped = rules.filter(r => r.methods || r.paths);
      if (scoped.length) {
        // once a Server has routes, requests that match none are refused: a catch-all route keeps
        // the server-wide rules working for every path
        new linkerd.HttpRoute(scope, `Route-${name}-default`, {
          metadata: objectMetadata(`${name}-default`, ns),
          spec: { parentRefs: [{ group: POLICY, kind: 'Server', name: server.serverName }], rules: [{ matches: [{ path: { type: linkerd.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: '/' } }] }] },
        });
      }
      const auths = new Map(rules.map(r => [r.name, authentications(scope, r, ns)]));
      for (const r of rules.filter(x => !x.methods && !x.paths)) authorize(scope, r, ns, auths.get(r.name)!, { kind: 'Server', name: server.serverName }, r.name);
      let shared = 0;
      for (const route of inboundRoutes(scoped)) {
        const routeName = route.name ?? `${name}-shared-${++shared}`;
        new linkerd.HttpRoute(scope, `Route-${routeName}`, {
          metadata: objectMetadata(routeName, ns, { annotations: { [route.name ? 'cdk8s-mesh.io/rule' : 'cdk8s-mesh.io/rules']: route.rules.map(r => r.name).join(',') } }),
          spec: { parentRefs: [{ group: POLICY, kind: 'Server', name: server.serverName }], rules: [{ matches: route.cells.map(cellMatch) }] },
        });
        for (const r of route.rules) {
          authorize(scope, r, ns, auths.get(r.name)!, { kind: 'HTTPRoute', name: routeName }, route.name ? r.name : `${routeName}-${r.name}`);
        }
      }
    }
  },
};
