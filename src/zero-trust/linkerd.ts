import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Identity, IdentityKind } from './identity';
import type { RuleIntent, ZeroTrustIntent, ZeroTrustRenderer } from './intent';
import { MtlsPhase } from './zero-trust-namespace';
import * as linkerd from '../imports/linkerd';
import { MatchType } from '../matches';
import { LinkerdInboundPolicy, Mesh } from '../mesh';
import { LinkerdServer } from '../private/linkerd-server';
import { markClusterScoped, objectMetadata } from '../private/metadata';

const POLICY = 'policy.linkerd.io';

function identityRef(id: Identity): linkerd.MeshTlsAuthenticationSpecIdentityRefs {
  return id.kind === IdentityKind.NAMESPACE
    ? { kind: 'Namespace', name: id.name }
    : { kind: 'ServiceAccount', name: id.name, ...(id.namespace ? { namespace: id.namespace } : {}) };
}

/** Linkerd ANDs the authentications of one AuthorizationPolicy: one policy per kind of caller, so that they OR. */
function authorizations(scope: Construct, r: RuleIntent, ns: string, target: { kind: string; name: string }) {
  const meshed = r.from.filter(f => f.kind !== IdentityKind.NETWORK);
  const networks = r.from.filter(f => f.kind === IdentityKind.NETWORK);
  const annotations = { 'cdk8s-mesh.io/rule': r.name };
  if (meshed.length) {
    new linkerd.MeshTlsAuthentication(scope, `MeshTLS-${r.name}`, {
      metadata: objectMetadata(r.name, ns, { annotations }),
      spec: { identityRefs: meshed.map(identityRef) },
    });
    new linkerd.AuthorizationPolicy(scope, `Authz-${r.name}`, {
      metadata: objectMetadata(r.name, ns, { annotations }),
      spec: {
        targetRef: { group: POLICY, kind: target.kind, name: target.name },
        requiredAuthenticationRefs: [{ group: POLICY, kind: 'MeshTLSAuthentication', name: r.name }],
      },
    });
  }
  if (networks.length) {
    const name = meshed.length ? `${r.name}-network` : r.name;
    new linkerd.NetworkAuthentication(scope, `Network-${r.name}`, {
      metadata: objectMetadata(name, ns, { annotations }),
      spec: { networks: networks.map(n => ({ cidr: n.name })) },
    });
    new linkerd.AuthorizationPolicy(scope, `AuthzNetwork-${r.name}`, {
      metadata: objectMetadata(name, ns, { annotations }),
      spec: {
        targetRef: { group: POLICY, kind: target.kind, name: target.name },
        requiredAuthenticationRefs: [{ group: POLICY, kind: 'NetworkAuthentication', name }],
      },
    });
  }
}

function routeMatches(r: RuleIntent): linkerd.HttpRouteSpecRulesMatches[] {
  const paths = r.paths ?? [{ type: MatchType.PREFIX, value: '/' }];
  const out: linkerd.HttpRouteSpecRulesMatches[] = [];
  for (const p of paths) {
    const type = p.type === MatchType.EXACT ? linkerd.HttpRouteSpecRulesMatchesPathType.EXACT : linkerd.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX;
    const path = { type, value: p.value };
    if (r.methods) for (const m of r.methods) out.push({ path, method: m as string as linkerd.HttpRouteSpecRulesMatchesMethod });
    else out.push({ path });
  }
  return out;
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
    let namespaceObject = intent.namespaceObject;
    if (!namespaceObject) {
      namespaceObject = new kplus.Namespace(scope, 'Namespace', { metadata: objectMetadata(ns, undefined) });
    }
    // a Namespace is cluster-scoped: no metadata.namespace, whatever the chart's namespace
    markClusterScoped(ApiObject.of(namespaceObject));
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
      for (const r of rules) {
        if (r.methods || r.paths) {
          new linkerd.HttpRoute(scope, `Route-${r.name}`, {
            metadata: objectMetadata(r.name, ns, { annotations: { 'cdk8s-mesh.io/rule': r.name } }),
            spec: { parentRefs: [{ group: POLICY, kind: 'Server', name: server.serverName }], rules: [{ matches: routeMatches(r) }] },
          });
          authorizations(scope, r, ns, { kind: 'HTTPRoute', name: r.name });
        } else {
          authorizations(scope, r, ns, { kind: 'Server', name: server.serverName });
        }
      }
    }
  },
};
