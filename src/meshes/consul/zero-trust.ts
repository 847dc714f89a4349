import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { rejoinRemoteCallers } from './remote-callers';
import { ConsulServiceDefaults } from './service-defaults';
import { ConsulJwtProvider, ConsulMeshEntry, ConsulProxyDefaults, DATACENTER_WIDE, jwksCaFileProblems, writesDatacenterWide } from './singletons';
import * as consul from '../../imports/consul';
import { IdentityKind } from '../../model/identity';
import { MatchType } from '../../model/matches';
import { ConsulDatacenterWideEntries } from '../../model/mesh';
import { ServiceProtocol } from '../../model/service';
import type { PropProblem, Unsupported } from '../../model/unsupported';
import { ACCESS_RULES_KEEP, requestPaths, RuleIntent, ZeroTrustIntent } from '../../patterns/zero-trust/intent';
import { MtlsPhase } from '../../patterns/zero-trust/props';
import { droppedEntries } from '../../private/dropped';
import { objectMetadata } from '../../private/metadata';
import { RenderContext, ZeroTrustRenderer } from '../renderer';
import { ServiceIntentions } from '../unconverted';

type Permission = consul.ServiceIntentionsSpecSourcesPermissions;
type Http = consul.ServiceIntentionsSpecSourcesPermissionsHttp;

/**
 * The path matches of a rule, segment-bounded like the other meshes: a prefix `/api` is `/api` itself
 * or anything under `/api/`, never `/apix` (a Consul pathPrefix is a plain string prefix, Envoy's
 * `prefix` matcher: agent/xds/rbac.go convertPermission).
 */
function pathMatches(r: RuleIntent): Http[] {
  // a gRPC rule's methods are paths (requestPaths): Consul's permissions match a gRPC request's path, /<service>/<method>
  const paths = requestPaths(r);
  if (!paths) return [{ pathPrefix: '/' }];
  return paths.flatMap(p => {
    if (p.type === MatchType.EXACT) return [{ pathExact: p.value }];
    if (p.value.endsWith('/')) return [{ pathPrefix: p.value }];
    return [{ pathExact: p.value }, { pathPrefix: `${p.value}/` }];
  });
}

/**
 * The permissions of a rule. Consul requires an `http` block in every permission
 * (config_entry_intentions.go: `Permissions[j].HTTP is required`), so a JWT-only rule matches every path.
 */
function permissions(r: RuleIntent, action: string, provider: string | undefined): Permission[] {
  const jwt = r.requireJwt && provider ? { jwt: { providers: [{ name: provider }] } } : {};
  const methods = r.methods ? { methods: r.methods } : {};
  return pathMatches(r).map(http => ({ action, http: { ...http, ...methods }, ...jwt }));
}

/** The permission that ends every source's list: deny what no earlier permission matched. */
const DENY_REST: Permission = { action: 'deny', http: { pathPrefix: '/' } };

/**
 * Consul: a `*` → `*` deny intention (default deny), one ServiceIntentions per service with a source
 * per calling service (Consul identities are service names: each service account must be named as
 * its service, as consul-k8s requires), permissions for methods and paths (deny before allow), the
 * mesh-wide mutual TLS mode in ProxyDefaults (and Mesh for PERMISSIVE), and a JWTProvider.
 */
export const CONSUL_ZERO_TRUST: ZeroTrustRenderer = {
  // its JWTProvider's CA bundle (checked in problems)
  reads: ['jwt.consulJwksCaFile'],

  unsupported(intent: ZeroTrustIntent, { mesh }: RenderContext) {
    const out: Unsupported[] = [];
    for (const r of [...intent.allow, ...intent.deny]) {
      r.from.forEach((id, j) => {
        if (id.kind === IdentityKind.NETWORK) {
          out.push({ setting: `${r.source}.callers[${j}]`, value: id.name, why: 'intentions name services, not networks', alternative: 'register the caller as a Consul service, or allow it at a gateway' });
        } else if (id.kind === IdentityKind.NAMESPACE && !mesh.consulEnterprise) {
          out.push({ setting: `${r.source}.callers[${j}]`, value: id.name, why: 'a whole namespace as a source needs Consul Enterprise namespaces', alternative: 'name the calling services, or use Mesh.consul({ enterprise: true })' });
        } else if (id.kind === IdentityKind.SERVICE_ACCOUNT && !mesh.consulEnterprise && id.namespace !== undefined && id.namespace !== intent.namespace) {
          // CE has one Consul namespace: the source would be every service of that name, in any namespace
          out.push({
            setting: `${r.source}.callers[${j}]`,
            value: `${id.namespace}/${id.name}`,
            why: `Community Edition has no namespaces: the source would be any service named ${id.name}, in any Kubernetes namespace, not only ${id.namespace}'s`,
            alternative: 'give the caller a service name unique in the datacenter and drop the namespace, or use Mesh.consul({ enterprise: true }) if the servers run Enterprise with namespaces',
          });
        }
      });
    }
    intent.allow.forEach(r => {
      if ((r.methods || r.paths || r.requireJwt) && r.to.protocol === ServiceProtocol.TCP) {
        // state/config_entry.go validateProposedConfigEntryInServiceGraph: "has protocol tcp, which is
        // incompatible with L7 intentions permissions"
        out.push({
          setting: r.source,
          value: r.to.name,
          why: `${r.to.name} speaks TCP, and Consul rejects intentions with methods, paths or JWTs on a tcp service`,
          alternative: 'declare its HTTP protocol (ServiceRef protocol: ServiceProtocol.HTTP), or allow the callers without methods, paths and requireJwt',
        });
      }
    });
    // an intention is for a whole Consul service: consul-k8s registers one service port per pod
    // (consul.hashicorp.com/connect-service-port, else the first container port), and intentions have no
    // port match, so allow rules naming two ports of one service would each grant both (issue 25, item 2)
    const firstPort = new Map<string, number>();
    intent.allow.forEach(r => {
      const first = firstPort.get(r.to.name);
      if (first === undefined) {firstPort.set(r.to.name, r.to.port);} else if (first !== r.to.port) {
        out.push({
          setting: `${r.source}.to`,
          value: `${r.to.name}:${r.to.port}`,
          why: `an intention is for the whole service ${r.to.name} (Consul registers one port of it, and intentions match no port), so a rule for port ${r.to.port} would also grant port ${first}, and the other rules this one`,
          alternative: `name one port of ${r.to.name} in every rule, or expose the other port as a Service of its own name`,
        });
      }
    });
    intent.exceptions.forEach((e, i) => out.push({
      setting: `mtlsExceptions[${i}]`,
      value: `${e.service.name}:${e.port}`,
      why: 'Consul\'s mutual TLS mode is set per service or mesh-wide, not per port',
      alternative: 'remove the exception, or move the whole namespace to MtlsPhase.PERMISSIVE',
    }));
    // each access refusal is kept; forwardOriginalToken (which only Istio's renderer reads) can be dropped
    const kept: Unsupported[] = out.map(u => ({ ...u, keep: ACCESS_RULES_KEEP }));
    if (intent.jwt?.forwardOriginalToken) {
      kept.push({ setting: 'jwt.forwardOriginalToken', value: true, why: 'JWTProvider forwards the token payload to a header, not the original token', alternative: 'remove forwardOriginalToken for Consul' });
    }
    return kept;
  },

  // a JWTProvider setting is noted on the JWTProvider, when it is written (not with datacenterWideEntries: OMIT)
  notesOwn(setting: string, { mesh }: RenderContext) {
    return /^jwt\./.test(setting) && (mesh.consulDatacenterWide ?? ConsulDatacenterWideEntries.WRITE_WITH_WARNING) !== ConsulDatacenterWideEntries.OMIT;
  },

  render(scope: Construct, intent: ZeroTrustIntent, { mesh, droppedNote }: RenderContext) {
    const ns = intent.namespace;
    const permissive = intent.phase === MtlsPhase.PERMISSIVE;
    // mutual TLS is mesh-wide in Consul: ProxyDefaults `global` (permissive also needs Mesh `mesh`)
    const mode = permissive ? 'permissive' : 'strict';
    if (writesDatacenterWide(scope, mesh, 'ProxyDefaults global', `set mutualTLSMode: ${mode}`)) {
      ConsulProxyDefaults.of(scope, ns).setMutualTlsMode(mode, scope.node.path);
    }
    if (permissive && writesDatacenterWide(scope, mesh, 'Mesh mesh', 'set allowEnablingPermissiveMutualTLS: true')) {
      ConsulMeshEntry.of(scope, ns).allowPermissiveMutualTls(scope.node.path);
    }
    // the default deny for the services no intention names. On Enterprise, a destination `*` in the
    // namespace; on CE (one Consul namespace) `*` is every service of the datacenter
    if (mesh.consulEnterprise) {
      new ServiceIntentions(scope, 'DefaultDeny', {
        metadata: objectMetadata('default-deny', ns),
        spec: { destination: { name: '*', namespace: ns }, sources: [{ name: '*', namespace: '*', action: 'deny' }] },
      });
    } else if (writesDatacenterWide(scope, mesh, 'the * → * default-deny ServiceIntentions', 'deny every source to every destination (or the ACL default policy must be deny)')) {
      new ServiceIntentions(scope, 'DefaultDeny', {
        metadata: objectMetadata('default-deny', ns, { annotations: DATACENTER_WIDE }),
        spec: { destination: { name: '*' }, sources: [{ name: '*', action: 'deny' }] },
      });
    }
    const provider = intent.jwt?.providerName;
    if (intent.jwt) {
      const { providerName: name, issuer, jwksUri, audiences, consulJwksCaFile } = intent.jwt;
      if (writesDatacenterWide(scope, mesh, `JWTProvider ${name}`, `verify tokens of issuer ${issuer} against ${jwksUri}`)) {
        const jwtProvider = ConsulJwtProvider.of(scope, { name, issuer, jwksUri, audiences, trustedCaFile: consulJwksCaFile }, scope.node.path);
        // the provider's dropped settings (forwardOriginalToken) on the provider (notesOwn)
        const own = (droppedNote ? droppedEntries(droppedNote) : []).filter(e => /^jwt\./.test(e));
        if (own.length) jwtProvider.addDroppedNote(own.join(', '));
      }
    }
    const services = new Map<string, { deny: RuleIntent[]; allow: RuleIntent[] }>();
    for (const [list, key] of [[intent.deny, 'deny'], [intent.allow, 'allow']] as const) {
      for (const r of list) {
        if (!services.has(r.to.name)) services.set(r.to.name, { deny: [], allow: [] });
        services.get(r.to.name)![key].push(r);
      }
    }
    for (const [name, { deny, allow }] of services) {
      // one source per calling service (per namespace on Enterprise: a/order and b/order are two
      // sources): its deny permissions first (first match wins), then allows
      type Source = { name: string; namespace?: string; denies: Permission[]; allows: Permission[]; plainAllow: boolean; plainDeny: boolean };
      const sources = new Map<string, Source>();
      const add = (r: RuleIntent, action: 'allow' | 'deny') => {
        for (const id of r.from) {
          const sourceName = id.kind === IdentityKind.NAMESPACE ? '*' : id.name;
          const sourceNs = mesh.consulEnterprise ? (id.kind === IdentityKind.NAMESPACE ? id.name : id.namespace ?? ns) : undefined;
          const key = `${sourceNs ?? ''}/${sourceName}`;
          const entry = sources.get(key)
            ?? { name: sourceName, ...(sourceNs ? { namespace: sourceNs } : {}), denies: [], allows: [], plainAllow: false, plainDeny: false };
          // on a TCP service a scoped deny denies all its traffic (Consul takes no permissions there)
          const scoped = (r.methods || requestPaths(r) || r.requireJwt) && r.to.protocol !== ServiceProtocol.TCP;
          if (scoped) (action === 'deny' ? entry.denies : entry.allows).push(...permissions(r, action, provider));
          else if (action === 'deny') entry.plainDeny = true;
          else entry.plainAllow = true;
          sources.set(key, entry);
        }
      };
      deny.forEach(r => add(r, 'deny'));
      allow.forEach(r => add(r, 'allow'));
      // Enterprise: a service of a namespace that has a source of its own is decided by that source only
      // (the exact source outranks `<ns>/*`), so it carries the namespace's rules too
      const effective = (s: Source): Source => {
        const wide = s.name !== '*' && s.namespace ? sources.get(`${s.namespace}/*`) : undefined;
        if (!wide) return s;
        return {
          ...s,
          denies: [...s.denies, ...wide.denies],
          allows: [...s.allows, ...wide.allows],
          plainAllow: s.plainAllow || wide.plainAllow,
          plainDeny: s.plainDeny || wide.plainDeny,
        };
      };
      const specSources: consul.ServiceIntentionsSpecSources[] = [...sources.keys()].sort().map(k => {
        const s = effective(sources.get(k)!);
        const base = { name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) };
        if (s.plainDeny) return { ...base, action: 'deny' };
        const scoped = [...s.denies, ...(s.plainAllow ? [] : s.allows)];
        if (!scoped.length) return { ...base, action: 'allow' };
        // a request that matches none of a source's permissions is decided by the default intention
        // policy (allow with ACLs off), not by a lower-precedence `*` intention: the exact source
        // shadows it (agent/xds/rbac.go removeSourcePrecedence). So every list ends with a catch-all:
        // the allow of a plain allow rule after scoped denies, or a deny of everything else
        const perms = s.plainAllow ? [...s.denies, { action: 'allow', http: { pathPrefix: '/' } }] : [...s.denies, ...s.allows, DENY_REST];
        return { ...base, permissions: perms };
      });
      // permissions need an HTTP-family protocol on the destination, which Consul checks when the
      // intentions are written (tcp is its default): the service's ServiceDefaults says it
      if (specSources.some(x => x.permissions?.length)) {
        ConsulServiceDefaults.of(scope, name, ns).setProtocol([...deny, ...allow][0].to.protocol, scope.node.path);
      }
      // every other caller of this service is denied here too, whatever the datacenter's default
      const wildcardKey = mesh.consulEnterprise ? '*/*' : '/*';
      if (!sources.has(wildcardKey)) specSources.push({ name: '*', ...(mesh.consulEnterprise ? { namespace: '*' } : {}), action: 'deny' });
      new ServiceIntentions(scope, `Intentions-${name}`, {
        metadata: objectMetadata(name, ns, { annotations: { 'cdk8s-mesh.io/rules': [...deny, ...allow].map(r => r.name).join(',') } }),
        spec: { destination: { name }, sources: specSources },
      });
      // a MultiClusterExport created before this construct wrote its remote callers' own ServiceIntentions
      // for the service: Consul takes one per destination, so they join this one
      rejoinRemoteCallers(Chart.of(scope), name);
    }
  },

  problems(intent: ZeroTrustIntent): PropProblem[] {
    return jwksCaFileProblems(intent.jwt);
  },
};
