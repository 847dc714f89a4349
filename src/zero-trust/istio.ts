import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Identity, IdentityKind } from './identity';
import type { RuleIntent, ZeroTrustIntent, ZeroTrustRenderer } from './intent';
import * as istio from '../imports/istio';
import { MatchType } from '../matches';
import { Mesh } from '../mesh';
import { AmbientNamespace, waypointPrincipal } from '../private/istio-ambient';
import { objectMetadata, sortKeys } from '../private/metadata';
import { ServiceRef } from '../service';

/** The SPIFFE-style principal Istio gives a service account. */
export function istioPrincipal(mesh: Mesh, id: Identity, namespace: string): string {
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

/** Istio authorization paths: exact, or a prefix at a path-segment boundary (`/api` and `/api/*`). */
export function istioPaths(paths: { type: MatchType; value: string }[]): string[] {
  return paths.flatMap(p => p.type === MatchType.EXACT ? [p.value] : p.value.endsWith('/') ? [`${p.value}*`] : [p.value, `${p.value}/*`]);
}

function rule(mesh: Mesh, r: RuleIntent, namespace: string, jwtIssuer: string | undefined): istio.AuthorizationPolicySpecRules {
  const operation = { ...(r.methods ? { methods: r.methods } : {}), ...(r.paths ? { paths: istioPaths(r.paths) } : {}) };
  return {
    from: sources(mesh, r, namespace, jwtIssuer),
    ...(Object.keys(operation).length ? { to: [{ operation }] } : {}),
  };
}

/** Whether a rule needs L7 processing (a waypoint on ambient). */
function isL7(r: RuleIntent): boolean {
  return r.methods !== undefined || r.paths !== undefined || r.requireJwt;
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
export const ZT_ISTIO: ZeroTrustRenderer = {
  unsupported(intent: ZeroTrustIntent, mesh: Mesh) {
    if (!mesh.ambient) return [];
    return intent.exceptions.flatMap((e, i) => e.mode === 'DISABLE' ? [{
      setting: `mtlsExceptions[${i}].mode`,
      value: e.mode,
      why: 'ztunnel always speaks mTLS between ambient workloads and ignores DISABLE',
      alternative: 'use MtlsExceptionMode.PERMISSIVE for a port that plaintext clients call',
    }] : []);
  },

  render(scope: Construct, intent: ZeroTrustIntent, mesh: Mesh) {
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
    new istio.AuthorizationPolicy(scope, 'DefaultDeny', {
      metadata: objectMetadata('default-deny', ns),
      spec: {},
    });
    // Ambient: ztunnel enforces L4 rules (identities, namespaces, ports) on the pods; a rule with L7
    // fields (methods, paths, a JWT) needs a waypoint for its Service (the namespace's or its own), and
    // once a Service has one, its traffic reaches the pods from the waypoint: its rules then move to the
    // waypoint (targetRefs to the Service, where the callers' own identities are seen) and ztunnel admits
    // the waypoint. The waypoint may come later from another pattern, so the choice is made at synthesis.
    const ambient = mesh.ambient ? AmbientNamespace.of(scope, ns, mesh, intent.namespaceObject) : undefined;
    for (const r of [...intent.allow, ...intent.deny]) if (ambient && isL7(r)) ambient.useWaypoint(r.to, scope.node.path);
    const target = (service: ServiceRef) => (): any => ambient?.waypointOf(service.name)
      ? { targetRefs: [{ group: '', kind: 'Service', name: service.name }] }
      : { selector: { matchLabels: sortKeys(service.selector) } };
    const allowed = byService(intent.allow);
    for (const [name, { service, rules }] of allowed) {
      const at = target(service);
      new istio.AuthorizationPolicy(scope, `Allow-${name}`, {
        metadata: objectMetadata(`${name}-allow`, ns, { annotations: { 'cdk8s-mesh.io/rules': rules.map(r => r.name).join(',') } }),
        spec: Lazy.any({
          produce: () => ({ ...at(), action: istio.AuthorizationPolicySpecAction.ALLOW, rules: rules.map(r => rule(mesh, r, ns, intent.jwt?.issuer)) }),
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
    // ztunnel admits the waypoint to the pods of every service that allows anyone, once it has one
    for (const [name, { service }] of allowed) {
      ambient?.whenWaypoint(service.name, waypoint => {
        new istio.AuthorizationPolicy(scope, `AllowWaypoint-${name}`, {
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
      new istio.AuthorizationPolicy(scope, `Deny-${name}`, {
        metadata: objectMetadata(`${name}-deny`, ns, { annotations: { 'cdk8s-mesh.io/rules': rules.map(r => r.name).join(',') } }),
        spec: Lazy.any({
          produce: () => ({ ...at(), action: istio.AuthorizationPolicySpecAction.DENY, rules: rules.map(r => rule(mesh, r, ns, undefined)) }),
        }) as istio.AuthorizationPolicySpec,
      });
    }
  },
};
