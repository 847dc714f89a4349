import { Construct } from 'constructs';
import { IdentityKind } from './identity';
import type { RuleIntent, ZeroTrustIntent, ZeroTrustRenderer } from './intent';
import { MtlsPhase } from './zero-trust-namespace';
import * as consul from '../imports/consul';
import { MatchType } from '../matches';
import { Mesh } from '../mesh';
import { ConsulJwtProvider, ConsulMeshEntry, ConsulProxyDefaults } from '../private/consul-singletons';
import { objectMetadata } from '../private/metadata';

type Permission = consul.ServiceIntentionsSpecSourcesPermissions;

function permissions(r: RuleIntent, action: string, provider: string | undefined): Permission[] {
  const jwt = r.requireJwt && provider ? { jwt: { providers: [{ name: provider }] } } : {};
  const methods = r.methods ? { methods: r.methods } : {};
  if (!r.paths) return [{ action, ...(r.methods ? { http: { ...methods } } : {}), ...jwt }];
  return r.paths.map(p => ({ action, http: { [p.type === MatchType.EXACT ? 'pathExact' : 'pathPrefix']: p.value, ...methods }, ...jwt }));
}

/**
 * Consul: a `*` → `*` deny intention (default deny), one ServiceIntentions per service with a source
 * per calling service (Consul identities are service names: each service account must be named as
 * its service, as consul-k8s requires), permissions for methods and paths (deny before allow), the
 * mesh-wide mutual TLS mode in ProxyDefaults (and Mesh for PERMISSIVE), and a JWTProvider.
 */
export const ZT_CONSUL: ZeroTrustRenderer = {
  unsupported(intent: ZeroTrustIntent, mesh: Mesh) {
    const out: { setting: string; value: unknown; why: string; alternative: string }[] = [];
    for (const r of [...intent.allow, ...intent.deny]) {
      r.from.forEach((id, j) => {
        if (id.kind === IdentityKind.NETWORK) {
          out.push({ setting: `${r.source}.from[${j}]`, value: id.name, why: 'intentions name services, not networks', alternative: 'register the caller as a Consul service, or allow it at a gateway' });
        } else if (id.kind === IdentityKind.NAMESPACE && !mesh.consulEnterprise) {
          out.push({ setting: `${r.source}.from[${j}]`, value: id.name, why: 'a whole namespace as a source needs Consul Enterprise namespaces', alternative: 'name the calling services, or use Mesh.consul({ enterprise: true })' });
        }
      });
    }
    intent.exceptions.forEach((e, i) => out.push({
      setting: `mtlsExceptions[${i}]`,
      value: `${e.service.name}:${e.port}`,
      why: 'Consul\'s mutual TLS mode is set per service or mesh-wide, not per port',
      alternative: 'remove the exception, or move the whole namespace to MtlsPhase.PERMISSIVE',
    }));
    if (intent.jwt?.forwardOriginalToken) {
      out.push({ setting: 'jwt.forwardOriginalToken', value: true, why: 'JWTProvider forwards the token payload to a header, not the original token', alternative: 'remove forwardOriginalToken for Consul' });
    }
    return out;
  },

  render(scope: Construct, intent: ZeroTrustIntent, mesh: Mesh) {
    const ns = intent.namespace;
    const permissive = intent.phase === MtlsPhase.PERMISSIVE;
    // mutual TLS is mesh-wide in Consul: ProxyDefaults `global` (permissive also needs Mesh `mesh`)
    ConsulProxyDefaults.of(scope, ns).setMutualTlsMode(permissive ? 'permissive' : 'strict', scope.node.path);
    if (permissive) {
      ConsulMeshEntry.of(scope, ns).allowPermissiveMutualTls(scope.node.path);
    }
    new consul.ServiceIntentions(scope, 'DefaultDeny', {
      metadata: objectMetadata('default-deny', ns),
      spec: { destination: { name: '*' }, sources: [{ name: '*', action: 'deny' }] },
    });
    const provider = intent.jwt?.providerName;
    if (intent.jwt) {
      const { providerName: name, issuer, jwksUri, audiences } = intent.jwt;
      ConsulJwtProvider.of(scope, { name, issuer, jwksUri, audiences }, scope.node.path);
    }
    const services = new Map<string, { deny: RuleIntent[]; allow: RuleIntent[] }>();
    for (const [list, key] of [[intent.deny, 'deny'], [intent.allow, 'allow']] as const) {
      for (const r of list) {
        if (!services.has(r.to.name)) services.set(r.to.name, { deny: [], allow: [] });
        services.get(r.to.name)![key].push(r);
      }
    }
    for (const [name, { deny, allow }] of services) {
      // one source per calling service: its deny permissions first (first match wins), then allows
      const sources = new Map<string, { name: string; namespace?: string; permissions: Permission[]; plainAllow: boolean; plainDeny: boolean }>();
      const add = (r: RuleIntent, action: string) => {
        for (const id of r.from) {
          const key = id.kind === IdentityKind.NAMESPACE ? `*@${id.name}` : id.name;
          const entry = sources.get(key) ?? { name: id.kind === IdentityKind.NAMESPACE ? '*' : id.name, ...(mesh.consulEnterprise && (id.namespace ?? ns) ? { namespace: id.namespace ?? ns } : {}), permissions: [], plainAllow: false, plainDeny: false };
          const scoped = r.methods || r.paths || r.requireJwt;
          if (scoped) entry.permissions.push(...permissions(r, action, provider));
          else if (action === 'deny') entry.plainDeny = true;
          else entry.plainAllow = true;
          sources.set(key, entry);
        }
      };
      deny.forEach(r => add(r, 'deny'));
      allow.forEach(r => add(r, 'allow'));
      const specSources: consul.ServiceIntentionsSpecSources[] = [...sources.keys()].sort().map(k => {
        const s = sources.get(k)!;
        const base = { name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) };
        if (s.plainDeny) return { ...base, action: 'deny' };
        if (!s.permissions.length) return { ...base, action: 'allow' };
        // a plain allow after scoped denies becomes a catch-all allow permission
        const perms = s.plainAllow ? [...s.permissions, { action: 'allow', http: { pathPrefix: '/' } }] : s.permissions;
        return { ...base, permissions: perms };
      });
      new consul.ServiceIntentions(scope, `Intentions-${name}`, {
        metadata: objectMetadata(name, ns, { annotations: { 'cdk8s-mesh.io/rules': [...deny, ...allow].map(r => r.name).join(',') } }),
        spec: { destination: { name }, sources: specSources },
      });
    }
  },
};
