import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AmbientNamespace, USE_WAYPOINT_LABEL, waypointPrincipal } from './ambient';
import * as istio from '../../imports/istio';
import { Identity, IdentityKind } from '../../model/identity';
import { MatchType } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { ServiceRef } from '../../model/service';
import { requestPaths, RuleIntent, ZeroTrustIntent } from '../../patterns/zero-trust/intent';
import { sameCluster } from '../../private/clusters';
import { workloadsSelectedBy } from '../../private/k8s-objects';
import { objectMetadata, sortKeys } from '../../private/metadata';
import { perSynthesis } from '../../private/synthesis';
import { RenderContext, ZeroTrustRenderer } from '../renderer';
import { AuthorizationPolicy } from '../unconverted';

/** The SPIFFE-style principal Istio gives a service account. */
function istioPrincipal(mesh: Mesh, id: Identity, namespace: string): string {
  return `${mesh.trustDomain}/ns/${id.namespace ?? namespace}/sa/${id.name}`;
}

/**
 * The sources of a rule. Each kind of identity is its own source, because Istio ANDs the fields of
 * one source and ORs the sources: principals and namespaces in one source would require both.
 */
function sources(mesh: Mesh, r: RuleIntent, namespace: string, jwtIssuer: string | undefined): istio.AuthorizationPolicySpecRulesFrom[] {
  const principals = r.from.filter(f => f.kind === IdentityKind.SERVICE_ACCOUNT).map(f => istioPrincipal(mesh, f, namespace));
  const namespaces = r.from.filter(f => f.kind === IdentityKind.NAMESPACE).map(f => f.name);
  const ipBlocks = r.from.filter(f => f.kind === IdentityKind.NETWORK).map(f => f.name);
  const requestPrincipals = r.requireJwt && jwtIssuer ? { requestPrincipals: [`${jwtIssuer}/*`] } : {};
  const out: istio.AuthorizationPolicySpecRulesFrom[] = [];
  if (principals.length) out.push({ source: { principals: [...new Set(principals)].sort(), ...requestPrincipals } });
  if (namespaces.length) out.push({ source: { namespaces: [...new Set(namespaces)].sort(), ...requestPrincipals } });
  if (ipBlocks.length) out.push({ source: { ipBlocks: [...new Set(ipBlocks)].sort(), ...requestPrincipals } });
  return out;
}

/**
 * Istio authorization paths: exact, or a prefix at a path-segment boundary (`/api` and `/api/*`, for
 * `/api` and `/api/` alike, as Gateway API `PathPrefix`); Istio reads `x*` as a plain string prefix.
 */
function istioPaths(paths: { type: MatchType; value: string }[]): string[] {
  return paths.flatMap(p => {
    if (p.type === MatchType.EXACT) return [p.value];
    const base = p.value.replace(/\/+$/, '');
    return base ? [base, `${base}/*`] : ['/*'];
  });
}

/**
 * One rule of a policy. `ports` (allow rules): the rule is for the port it names only. Istio's RBAC
 * `destination.port` is the port the enforcing proxy receives the request on: the pod's port (the
 * Service's targetPort) for a sidecar or ztunnel, the Service port for a waypoint, which takes requests
 * addressed to the Service (pilot/pkg/networking/core/listener_waypoint.go, buildWaypointInboundVIP).
 */
function rule(mesh: Mesh, r: RuleIntent, namespace: string, jwtIssuer: string | undefined, ports?: number[]): istio.AuthorizationPolicySpecRules {
  // a gRPC rule's methods are paths (requestPaths): Istio matches a gRPC request's path, /<service>/<method>
  const paths = requestPaths(r);
  const operation = {
    ...(ports?.length ? { ports: [...new Set(ports)].sort((a, b) => a - b).map(String) } : {}),
    ...(r.methods ? { methods: r.methods } : {}),
    ...(paths ? { paths: istioPaths(paths) } : {}),
  };
  return {
    from: sources(mesh, r, namespace, jwtIssuer),
    ...(Object.keys(operation).length ? { to: [{ operation }] } : {}),
  };
}

/** Whether a rule needs L7 processing (a waypoint on ambient). */
function isL7(r: RuleIntent): boolean {
  return r.methods !== undefined || requestPaths(r) !== undefined || r.requireJwt;
}

/** A Service object of the app: its name, namespace, selector and ports. */
interface ServiceObject {
  readonly name: string;
  readonly namespace: string;
  readonly selector: { [k: string]: string };
  readonly ports: { port: number; targetPort?: number | string }[];
  /** The chart whose output it is (a MultiClusterExport may put it in another cluster than the policy's). */
  readonly chart: Chart | undefined;
  /** The object itself. */
  readonly api: ApiObject;
}

/**
 * Whether an object of chart `chart` is in the cluster of the policy `scope` writes: a chart of another cluster
 * (MultiClusterExport) is another cluster's output, whose objects never exist where the policy is applied.
 * Read at synthesis, when the clusters are final.
 */
function inClusterOf(scope: Construct, chart: Chart | undefined): boolean {
  return chart === undefined || sameCluster(chart, Chart.of(scope));
}

/**
 * The v1 Service objects of the app (read at synthesis, so those of patterns created later count too; once
 * per synthesis, not once per policy).
 */
function serviceObjects(scope: Construct): ServiceObject[] {
  return perSynthesis(scope, 'istio-zero-trust:services', () => readServiceObjects(scope));
}

/** The Service objects of the app by namespace and selector label (`ns\0key\0value`), in their order; once per synthesis. */
function servicesByLabel(scope: Construct): Map<string, ServiceObject[]> {
  return perSynthesis(scope, 'istio-zero-trust:services-by-label', () => {
    const out = new Map<string, ServiceObject[]>();
    for (const o of serviceObjects(scope)) {
      for (const [k, v] of Object.entries(o.selector)) {
        const key = `${o.namespace}\u0000${k}\u0000${v}`;
        if (!out.has(key)) out.set(key, []);
        out.get(key)!.push(o);
      }
    }
    return out;
  });
}

function readServiceObjects(scope: Construct): ServiceObject[] {
  const out: ServiceObject[] = [];
  for (const c of scope.node.root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || c.kind !== 'Service' || c.apiVersion !== 'v1') continue;
    const json = c.toJson();
    const chart = (() => { try { return Chart.of(c); } catch { return undefined; } })();
    const chartNs = chart?.namespace;
    out.push({
      name: json.metadata?.name,
      namespace: json.metadata?.namespace ?? chartNs ?? 'default',
      selector: json.spec?.selector ?? {},
      ports: json.spec?.ports ?? [],
      chart,
      api: c,
    });
  }
  return out;
}

/**
 * The other Services of the namespace that select only pods of `service` (their selector includes
 * the service's): the per-version Services of a CanaryRelease, for example. Callers reach the pods
 * through them as well, so a policy on the waypoint must target them too. Only those of the policy's
 * cluster: another cluster's Service is not there, and a Service of its name here may select other pods
 * (targeting it, or allowing its ports, would widen the policy).
 */
function coveringServices(scope: Construct, service: ServiceRef, namespace: string): ServiceObject[] {
  const selector = service.selector;
  const first = Object.entries(selector)[0];
  if (!first) return [];
  // only the Services of the namespace that have the selector's first label can cover it: looked up, not
  // scanned (one scan per policy made ambient synthesis quadratic: 60x at 5,000 services)
  return (servicesByLabel(scope).get(`${namespace}\u0000${first[0]}\u0000${first[1]}`) ?? [])
    .filter(o => o.namespace === namespace && o.name !== service.name && Object.keys(o.selector).length
      && Object.entries(selector).every(([k, v]) => o.selector[k] === v) && inClusterOf(scope, o.chart))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * The ports of a Service object that forward to a pod port: none if it forwards elsewhere only (the rule is not
 * for it), the rule's own Service port if the object lists no ports. A named targetPort forwards to the container
 * port of that name of the pods the object selects (kubernetes FindPort); when the app has no workload it selects,
 * it is kept (the pods are elsewhere: it may forward to the pod port).
 */
function servicePortsTo(o: ServiceObject, targetPort: number, fallback: number): number[] {
  if (!o.ports.length) return [fallback];
  const named = (name: string) => {
    const pods = workloadsSelectedBy(o.api, o.selector);
    return !pods.length || pods.some(w => w.containerPortsNamed(name)[0] === targetPort);
  };
  return o.ports.filter(p => (typeof p.targetPort === 'string' ? named(p.targetPort) : (p.targetPort ?? p.port) === targetPort)).map(p => p.port);
}

/**
 * The ServiceEntries of the namespace enrolled with a waypoint (read at synthesis), of the policy's cluster
 * (another cluster's are not there; one of its name here is not enrolled with this waypoint by the library).
 */
function egressEntries(scope: Construct, namespace: string, waypoint: string): string[] {
  const out: string[] = [];
  for (const c of scope.node.root.node.findAll()) {
    if (!(c instanceof ApiObject) || c.kind !== 'ServiceEntry' || !inClusterOf(scope, Chart.of(c))) continue;
    const json = c.toJson();
    if ((json.metadata?.namespace ?? namespace) === namespace && json.metadata?.labels?.[USE_WAYPOINT_LABEL] === waypoint) out.push(json.metadata.name);
  }
  return [...new Set(out)].sort();
}

function byService(rules: RuleIntent[]): Map<string, { service: ServiceRef; rules: RuleIntent[] }> {
  const out = new Map<string, { service: ServiceRef; rules: RuleIntent[] }>();
  for (const r of rules) {
    if (!out.has(r.to.name)) out.set(r.to.name, { service: r.to, rules: [] });
    out.get(r.to.name)!.rules.push(r);
  }
  return out;
}

/**
 * Istio: a namespace-wide PeerAuthentication (the phase) and one per exception (port-level mTLS);
 * an allow-nothing AuthorizationPolicy (default deny); per service an ALLOW policy and, for deny
 * rules, a DENY policy; a RequestAuthentication where rules require a JWT.
 */
export const ISTIO_ZERO_TRUST: ZeroTrustRenderer = {
  // Consul's jwt.consulJwksCaFile is refused by the construct (ZERO_TRUST_OWNED)
  reads: [],

  unsupported() {
    return [];
  },

  render: istioZeroTrustRender(() => undefined),
};

/**
 * Istio's zero-trust objects, on either data plane: `waypoints` gives the namespace's ambient enrolment, whose
 * waypoints enforce the L7 rules (ambient), or undefined (sidecars).
 */
export function istioZeroTrustRender(waypoints: (scope: Construct, intent: ZeroTrustIntent, mesh: Mesh) => AmbientNamespace | undefined) {
  return function render(scope: Construct, intent: ZeroTrustIntent, { mesh }: RenderContext): void {
    const ns = intent.namespace;
    new istio.PeerAuthentication(scope, 'PeerAuthentication', {
      metadata: objectMetadata('default', ns),
      spec: { mtls: { mode: intent.phase as string as istio.PeerAuthenticationSpecMtlsMode } },
    });
    const exceptions = new Map<string, typeof intent.exceptions>();
    for (const e of intent.exceptions) {
      if (!exceptions.has(e.service.name)) exceptions.set(e.service.name, []);
      exceptions.get(e.service.name)!.push(e);
    }
    for (const [name, list] of exceptions) {
      new istio.PeerAuthentication(scope, `MtlsException-${name}`, {
        metadata: objectMetadata(`${name}-mtls-exception`, ns, { annotations: { 'cdk8s-mesh.io/reason': list.map(e => `${e.port}: ${e.reason}`).join('; ') } }),
        spec: {
          selector: { matchLabels: sortKeys(list[0].service.selector) },
          portLevelMtls: Object.fromEntries(list.map(e => [String(e.port), { mode: e.mode as string as istio.PeerAuthenticationSpecPortLevelMtlsMode }])),
        },
      });
    }
    // an ALLOW policy with no rules: nothing is allowed unless another policy allows it
    new AuthorizationPolicy(scope, 'DefaultDeny', {
      metadata: objectMetadata('default-deny', ns),
      spec: {},
    });
    // Ambient: ztunnel enforces L4 rules (identities, namespaces, ports) on the pods; a rule with L7
    // fields (methods, paths, a JWT) needs a waypoint for its Service (the namespace's or its own), and
    // once a Service has one, its traffic reaches the pods from the waypoint: its rules then move to the
    // waypoint (targetRefs to the Service, where the callers' own identities are seen) and ztunnel admits
    // the waypoint. The waypoint may come later from another pattern, so the choice is made at synthesis.
    const ambient = waypoints(scope, intent, mesh);
    for (const r of [...intent.allow, ...intent.deny]) if (ambient && isL7(r)) ambient.useWaypoint(r.to, scope.node.path);
    // on a waypoint the policy targets every Service that selects the protected pods and that the
    // waypoint serves (a waypoint applies no selector-based policy: pilot/pkg/model/policyattachment.go,
    // ShouldAttachPolicy), else callers reach the pods through a per-version Service unchecked
    const covering = (service: ServiceRef) => coveringServices(scope, service, ns).filter(o => ambient?.waypointOf(o.name));
    const target = (service: ServiceRef) => (): any => ambient?.waypointOf(service.name)
      ? { targetRefs: [service.name, ...covering(service).map(o => o.name)].map(name => ({ group: '', kind: 'Service', name })) }
      : { selector: { matchLabels: sortKeys(service.selector) } };
    // the ports a rule is for: the pod port on the pods (the sidecar's and ztunnel's destination port is the
    // pod's: pilot/pkg/security/authz/model/generator.go, destinationPortGenerator; a named targetPort is
    // resolved through the selected pods' container ports when this is read at synthesis: ServiceRef.targetPort);
    // on a waypoint, the ports of the targeted Services that forward to it
    const portsOf = (r: RuleIntent): number[] => ambient?.waypointOf(r.to.name)
      ? [r.to.port, ...covering(r.to).flatMap(o => servicePortsTo(o, r.to.targetPort, r.to.port))]
      : [r.to.targetPort];
    for (const r of intent.allow) r.to._podPortUsedBy(scope.node.path);
    const allowed = byService(intent.allow);
    for (const [name, { service, rules }] of allowed) {
      const at = target(service);
      new AuthorizationPolicy(scope, `Allow-${name}`, {
        metadata: objectMetadata(`${name}-allow`, ns, { annotations: { 'cdk8s-mesh.io/rules': rules.map(r => r.name).join(',') } }),
        spec: Lazy.any({
          produce: () => ({
            ...at(),
            action: istio.AuthorizationPolicySpecAction.ALLOW,
            rules: rules.map(r => rule(mesh, r, ns, intent.jwt?.issuer, portsOf(r))),
          }),
        }) as istio.AuthorizationPolicySpec,
      });
      if (rules.some(r => r.requireJwt) && intent.jwt) {
        // a plain ApiObject: the generated binding cannot write `jwksUri` (it maps its one field to the
        // CRD's older alias `jwks_uri`); the object is still checked against the pinned schema
        const jwt = intent.jwt;
        new ApiObject(scope, `Jwt-${name}`, {
          ...istio.RequestAuthentication.GVK,
          metadata: objectMetadata(`${name}-jwt`, ns),
          spec: Lazy.any({
            produce: () => ({
              ...at(),
              jwtRules: [{
                issuer: jwt.issuer,
                jwksUri: jwt.jwksUri,
                ...(jwt.audiences ? { audiences: jwt.audiences } : {}),
                ...(jwt.forwardOriginalToken !== undefined ? { forwardOriginalToken: jwt.forwardOriginalToken } : {}),
              }],
            }),
          }),
        });
      }
    }
    // a waypoint that enforces the namespace's rules denies by default too: a request to a Service it
    // serves that no policy targets (a Service created outside the patterns) is refused there
    const guarded = new Set<string>();
    for (const r of [...intent.allow, ...intent.deny]) {
      ambient?.whenWaypoint(r.to.name, waypoint => {
        if (guarded.has(waypoint)) return;
        guarded.add(waypoint);
        new AuthorizationPolicy(scope, `WaypointDefaultDeny-${waypoint}`, {
          metadata: objectMetadata(`${waypoint}-default-deny`, ns),
          spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: waypoint }] },
        });
        // the ServiceEntries the waypoint serves (egress through it) stay open to the namespace's callers
        ambient.whenEgressWaypoint(waypoint, () => {
          new AuthorizationPolicy(scope, `WaypointEgress-${waypoint}`, {
            metadata: objectMetadata(`${waypoint}-allow-egress`, ns),
            spec: Lazy.any({
              produce: () => ({
                targetRefs: egressEntries(scope, ns, waypoint).map(name => ({ group: 'networking.istio.io', kind: 'ServiceEntry', name })),
                action: istio.AuthorizationPolicySpecAction.ALLOW,
                rules: [{ from: [{ source: { namespaces: [ns] } }] }],
              }),
            }) as istio.AuthorizationPolicySpec,
          });
        });
      });
    }
    // ztunnel admits the waypoint to the pods of every service that allows anyone, once it has one
    for (const [name, { service }] of allowed) {
      ambient?.whenWaypoint(service.name, waypoint => {
        new AuthorizationPolicy(scope, `AllowWaypoint-${name}`, {
          metadata: objectMetadata(`${name}-allow-waypoint`, ns),
          spec: {
            selector: { matchLabels: sortKeys(service.selector) },
            action: istio.AuthorizationPolicySpecAction.ALLOW,
            rules: [{ from: [{ source: { principals: [waypointPrincipal(mesh, ns, waypoint)] } }] }],
          },
        });
      });
    }
    for (const [name, { service, rules }] of byService(intent.deny)) {
      const at = target(service);
      new AuthorizationPolicy(scope, `Deny-${name}`, {
        metadata: objectMetadata(`${name}-deny`, ns, { annotations: { 'cdk8s-mesh.io/rules': rules.map(r => r.name).join(',') } }),
        spec: Lazy.any({
          produce: () => ({ ...at(), action: istio.AuthorizationPolicySpecAction.DENY, rules: rules.map(r => rule(mesh, r, ns, undefined)) }),
        }) as istio.AuthorizationPolicySpec,
      });
    }
  };
}
