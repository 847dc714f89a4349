import { Severity } from '../findings';
import { groupBy, RawFinding } from '../private/context';
import { AnalyzerRule, arr, at } from '../private/rule';

const E = Severity.ERROR;
const W = Severity.WARNING;
const CONSUL = 'consul.hashicorp.com';
const SUBSET_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const L7 = ['http', 'http2', 'grpc'];

export const CONSUL_RULES: AnalyzerRule[] = [
  {
    code: 'C101',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceSplitter'],
    upstream: 'consul-k8s webhook: ServiceSplitter weights',
    summary: 'ServiceSplitter weights are not 0 or 0.01–100, or do not sum to exactly 100',
    check: ctx => ctx.ofKind('ServiceSplitter', CONSUL).flatMap(d => {
      const splits: any[] = arr(d.obj.spec?.splits);
      const out: RawFinding[] = [];
      splits.forEach((s, i) => {
        const w = s.weight ?? 0;
        if (!(w === 0 || (w >= 0.01 && w <= 100))) out.push(at(d, ['spec', 'splits', i, 'weight'], `${w} is not 0 or within 0.01–100`));
      });
      const total = Math.round(splits.reduce((n, s) => n + (s.weight ?? 0), 0) * 100) / 100;
      if (splits.length && total !== 100) out.push(at(d, ['spec', 'splits'], `the weights sum to ${total}, not 100`));
      return out;
    }),
  },
  {
    code: 'C102',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceRouter', 'ServiceSplitter', 'ServiceIntentions', 'ServiceDefaults', 'ProxyDefaults'],
    upstream: 'Consul discovery chain and state/config_entry.go: L7 config and L7 intention permissions need an HTTP-family protocol (consul-k8s#587)',
    summary: 'a ServiceRouter, ServiceSplitter, or ServiceIntentions with permissions, for a service whose protocol is tcp (or not set to http, http2 or grpc anywhere)',
    check: ctx => {
      const global = ctx.ofKind('ProxyDefaults', CONSUL).find(d => d.obj.metadata?.name === 'global')?.obj.spec?.config?.protocol;
      const defaultsByName = new Map(ctx.ofKind('ServiceDefaults', CONSUL).map(sd => [sd.obj.metadata?.name, sd] as const));
      const l7Intentions = ctx.ofKind('ServiceIntentions', CONSUL)
        .filter(d => d.obj.spec?.destination?.name && d.obj.spec.destination.name !== '*' && arr(d.obj.spec?.sources).some((x: any) => arr(x?.permissions).length));
      return [...ctx.ofKind('ServiceRouter', CONSUL), ...ctx.ofKind('ServiceSplitter', CONSUL), ...l7Intentions].flatMap(d => {
        const name = d.obj.kind === 'ServiceIntentions' ? d.obj.spec.destination.name : d.obj.metadata?.name;
        const protocol = defaultsByName.get(name)?.obj.spec?.protocol ?? global;
        if (protocol && L7.includes(protocol)) return [];
        return [at(d, [], protocol
          ? `service ${name} has protocol ${protocol}: Consul rejects ${d.obj.kind}s on it; set ServiceDefaults protocol http, http2 or grpc`
          : `no ServiceDefaults (or ProxyDefaults global) sets an HTTP-family protocol for ${name}: Consul rejects ${d.obj.kind}s on tcp, its default; add ServiceDefaults with protocol http`)];
      });
    },
  },
  {
    code: 'C103',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceRouter'],
    upstream: 'consul-k8s webhook: ServiceRouter matches',
    summary: 'a ServiceRouter route sets more than one path matcher, a path without a leading /, a header or query match with more than one operator, or prefixRewrite without a path match',
    check: ctx => ctx.ofKind('ServiceRouter', CONSUL).flatMap(d => arr(d.obj.spec?.routes).flatMap((r: any, i: number) => {
      const http = r.match?.http ?? {};
      const base = ['spec', 'routes', i, 'match', 'http'];
      const out: RawFinding[] = [];
      const paths = ['pathExact', 'pathPrefix', 'pathRegex'].filter(k => http[k] !== undefined);
      if (paths.length > 1) out.push(at(d, base, `${paths.join(' and ')} exclude each other: keep one path matcher`));
      for (const k of ['pathExact', 'pathPrefix']) if (http[k] !== undefined && !String(http[k]).startsWith('/')) out.push(at(d, [...base, k], `${JSON.stringify(http[k])} must start with /`));
      arr(http.header).forEach((h: any, j: number) => {
        const ops = ['exact', 'prefix', 'suffix', 'regex', 'present'].filter(k => h[k] !== undefined && h[k] !== false);
        if (ops.length > 1) out.push(at(d, [...base, 'header', j], `header ${h.name} sets ${ops.join(' and ')}: set one operator`));
      });
      arr(http.queryParam).forEach((q: any, j: number) => {
        const ops = ['exact', 'regex', 'present'].filter(k => q[k] !== undefined && q[k] !== false);
        if (ops.length > 1) out.push(at(d, [...base, 'queryParam', j], `query parameter ${q.name} sets ${ops.join(' and ')}: set one operator`));
      });
      if (r.destination?.prefixRewrite !== undefined && http.pathPrefix === undefined && http.pathExact === undefined) {
        out.push(at(d, ['spec', 'routes', i, 'destination', 'prefixRewrite'], 'prefixRewrite needs a pathPrefix or pathExact match'));
      }
      return out;
    })),
  },
  {
    code: 'C104',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceIntentions'],
    upstream: 'consul-k8s webhook: ServiceIntentions sources',
    summary: 'ServiceIntentions without sources, or a source with both (or neither of) action and permissions, or peer with partition, or a wildcard peer/partition/samenessGroup',
    check: ctx => ctx.ofKind('ServiceIntentions', CONSUL).flatMap(d => {
      const sources: any[] = arr(d.obj.spec?.sources);
      const out: RawFinding[] = [];
      if (!sources.length) out.push(at(d, ['spec', 'sources'], 'intentions need at least one source'));
      sources.forEach((s, i) => {
        const has = (k: string) => s[k] !== undefined && !(Array.isArray(s[k]) && !s[k].length);
        if (has('action') === has('permissions')) out.push(at(d, ['spec', 'sources', i], 'a source sets exactly one of action and permissions'));
        if (has('peer') && has('partition')) out.push(at(d, ['spec', 'sources', i], 'peer and partition exclude each other'));
        for (const k of ['peer', 'partition', 'samenessGroup']) if (String(s[k] ?? '').includes('*')) out.push(at(d, ['spec', 'sources', i, k], `${k} cannot be a wildcard`));
        if (!s.name) out.push(at(d, ['spec', 'sources', i, 'name'], 'a source needs a name'));
      });
      return out;
    }),
  },
  {
    code: 'C105',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceResolver'],
    upstream: 'consul-k8s webhook: ServiceResolver',
    summary: 'a ServiceResolver sets both redirect and failover, or has a subset name that is not DNS-like',
    check: ctx => ctx.ofKind('ServiceResolver', CONSUL).flatMap(d => {
      const s = d.obj.spec ?? {};
      const out: RawFinding[] = [];
      if (s.redirect && s.failover && Object.keys(s.failover).length) out.push(at(d, ['spec'], 'redirect and failover exclude each other'));
      for (const name of Object.keys(s.subsets ?? {})) if (!SUBSET_NAME.test(name)) out.push(at(d, ['spec', 'subsets', name], `subset name ${JSON.stringify(name)} must be lower-case letters, digits and -`));
      if (s.defaultSubset && s.subsets && !(s.defaultSubset in s.subsets)) out.push(at(d, ['spec', 'defaultSubset'], `defaultSubset ${s.defaultSubset} is not one of the subsets`));
      return out;
    }),
  },
  {
    code: 'C106',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceSplitter', 'ServiceRouter', 'ServiceResolver'],
    upstream: 'Consul discovery chain: subsets need a resolver',
    summary: 'a split or route names a service subset that no ServiceResolver of the service defines',
    check: ctx => {
      const resolvers = new Map(ctx.ofKind('ServiceResolver', CONSUL).map(r => [r.obj.metadata?.name, r] as const));
      const subsetsOf = (svc: string) => Object.keys(resolvers.get(svc)?.obj.spec?.subsets ?? {});
      const out: RawFinding[] = [];
      for (const d of ctx.ofKind('ServiceSplitter', CONSUL)) {
        arr(d.obj.spec?.splits).forEach((s: any, i: number) => {
          const svc = s.service ?? d.obj.metadata?.name;
          if (s.serviceSubset && !subsetsOf(svc).includes(s.serviceSubset)) out.push(at(d, ['spec', 'splits', i, 'serviceSubset'], `no ServiceResolver of ${svc} defines subset ${s.serviceSubset}`));
        });
      }
      for (const d of ctx.ofKind('ServiceRouter', CONSUL)) {
        arr(d.obj.spec?.routes).forEach((r: any, i: number) => {
          const svc = r.destination?.service ?? d.obj.metadata?.name;
          if (r.destination?.serviceSubset && !subsetsOf(svc).includes(r.destination.serviceSubset)) out.push(at(d, ['spec', 'routes', i, 'destination', 'serviceSubset'], `no ServiceResolver of ${svc} defines subset ${r.destination.serviceSubset}`));
        });
      }
      return out;
    },
  },
  {
    code: 'C107',
    severity: E,
    mesh: 'consul',
    kinds: ['ExportedServices'],
    upstream: 'consul-k8s webhook: ExportedServices',
    summary: 'ExportedServices not named default, a service without consumers, or a consumer that is not exactly one of peer, partition, samenessGroup',
    check: ctx => ctx.ofKind('ExportedServices', CONSUL).flatMap(d => {
      const out: RawFinding[] = [];
      if (d.obj.metadata?.name !== 'default') out.push(at(d, ['metadata', 'name'], 'on Consul CE, ExportedServices must be named "default"'));
      const services: any[] = arr(d.obj.spec?.services);
      if (!services.length) out.push(at(d, ['spec', 'services'], 'export at least one service'));
      services.forEach((s, i) => {
        if (!s.consumers?.length) out.push(at(d, ['spec', 'services', i, 'consumers'], `service ${s.name} needs at least one consumer`));
        arr(s.consumers).forEach((c: any, j: number) => {
          const set = ['peer', 'partition', 'samenessGroup'].filter(k => c[k]);
          if (set.length !== 1) out.push(at(d, ['spec', 'services', i, 'consumers', j], 'a consumer is exactly one of peer, partition or samenessGroup'));
        });
      });
      return out;
    }),
  },
  {
    code: 'C108',
    severity: E,
    mesh: 'consul',
    kinds: ['ProxyDefaults', 'Mesh'],
    upstream: 'consul-k8s webhook: singleton names',
    summary: 'ProxyDefaults not named global, or Mesh not named mesh',
    check: ctx => [
      ...ctx.ofKind('ProxyDefaults', CONSUL).filter(d => d.obj.metadata?.name !== 'global').map(d => at(d, ['metadata', 'name'], 'ProxyDefaults must be named "global"')),
      ...ctx.ofKind('Mesh', CONSUL).filter(d => d.obj.metadata?.name !== 'mesh').map(d => at(d, ['metadata', 'name'], 'Mesh must be named "mesh"')),
    ],
  },
  {
    code: 'C109',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceDefaults', 'ServiceRouter', 'ServiceSplitter', 'ServiceResolver', 'ServiceIntentions'],
    upstream: 'consul-k8s webhook: one config entry per name across namespaces (CE)',
    summary: 'the same config entry (kind and name) in two Kubernetes namespaces: on Consul CE they are one Consul entry',
    check: ctx => {
      const out: RawFinding[] = [];
      for (const kind of ['ServiceDefaults', 'ServiceRouter', 'ServiceSplitter', 'ServiceResolver', 'ServiceIntentions', 'ProxyDefaults', 'Mesh']) {
        for (const [name, docs] of groupBy(ctx.ofKind(kind, CONSUL), d => d.obj.metadata?.name)) {
          const namespaces = [...new Set(docs.map(d => ctx.ns(d.obj)))];
          if (namespaces.length > 1) {
            for (const d of docs.filter(x => ctx.ns(x.obj) !== namespaces[0])) out.push(at(d, ['metadata', 'namespace'], `${kind} ${name} also exists in namespace ${namespaces[0]}: Consul CE has one entry per name; keep one`));
          }
        }
      }
      return out;
    },
  },
  {
    code: 'C110',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceDefaults', 'ProxyDefaults'],
    upstream: 'consul-k8s webhook: ServiceDefaults values',
    summary: 'a protocol, mutual TLS mode or mesh gateway mode Consul does not accept',
    check: ctx => [...ctx.ofKind('ServiceDefaults', CONSUL), ...ctx.ofKind('ProxyDefaults', CONSUL)].flatMap(d => {
      const s = d.obj.spec ?? {};
      const out: RawFinding[] = [];
      if (s.protocol !== undefined && !['tcp', 'http', 'http2', 'grpc', ''].includes(s.protocol)) out.push(at(d, ['spec', 'protocol'], `${JSON.stringify(s.protocol)} is not tcp, http, http2 or grpc`));
      if (s.mutualTLSMode !== undefined && !['', 'strict', 'permissive'].includes(s.mutualTLSMode)) out.push(at(d, ['spec', 'mutualTLSMode'], `${JSON.stringify(s.mutualTLSMode)} is not strict or permissive`));
      if (s.meshGateway?.mode !== undefined && !['', 'none', 'local', 'remote'].includes(s.meshGateway.mode)) out.push(at(d, ['spec', 'meshGateway', 'mode'], `${JSON.stringify(s.meshGateway.mode)} is not none, local or remote`));
      return out;
    }),
  },
  {
    code: 'C111',
    severity: W,
    mesh: 'consul',
    kinds: ['ProxyDefaults', 'ServiceDefaults', 'Mesh'],
    upstream: 'Consul: permissive mTLS needs Mesh allowEnablingPermissiveMutualTLS',
    summary: 'permissive mutual TLS without Mesh allowEnablingPermissiveMutualTLS: Consul refuses it',
    check: ctx => {
      const allowed = ctx.ofKind('Mesh', CONSUL).some(d => d.obj.spec?.allowEnablingPermissiveMutualTLS === true);
      if (allowed) return [];
      return [...ctx.ofKind('ProxyDefaults', CONSUL), ...ctx.ofKind('ServiceDefaults', CONSUL)].filter(d => d.obj.spec?.mutualTLSMode === 'permissive')
        .map(d => at(d, ['spec', 'mutualTLSMode'], 'permissive mode is refused unless Mesh "mesh" sets allowEnablingPermissiveMutualTLS: true'));
    },
  },
  {
    code: 'C112',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceIntentions'],
    upstream: 'Consul config_entry_intentions.go validate: Permissions[j].HTTP is required; no permissions on wildcard destinations',
    summary: 'an intention permission without an http block, or permissions on a wildcard destination: Consul rejects the entry after Kubernetes stored it',
    check: ctx => ctx.ofKind('ServiceIntentions', CONSUL).flatMap(d => {
      const wildcard = d.obj.spec?.destination?.name === '*' || d.obj.spec?.destination?.namespace === '*';
      return arr(d.obj.spec?.sources).flatMap((s: any, i: number) => {
        const perms = arr(s?.permissions);
        if (wildcard && perms.length) return [at(d, ['spec', 'sources', i, 'permissions'], 'a wildcard destination takes no permissions: name the destination service, or give the source an action')];
        return perms.flatMap((p: any, j: number) => (p?.http && typeof p.http === 'object' && Object.keys(p.http).length ? []
          : [at(d, ['spec', 'sources', i, 'permissions', j], 'every permission needs an http block with a path, header or method match (e.g. http: {pathPrefix: /}), a JWT-only one too')]));
      });
    }),
  },
  {
    code: 'C113',
    severity: W,
    mesh: 'consul',
    kinds: ['ServiceIntentions'],
    upstream: 'Consul agent/xds/rbac.go: a request no permission of its source matches falls to the default intention policy',
    summary: 'an L7 source whose permissions do not end with a catch-all: a request none matches is decided by the ACL default (allow with ACLs off), not by a * intention',
    check: ctx => ctx.ofKind('ServiceIntentions', CONSUL).flatMap(d => arr(d.obj.spec?.sources).flatMap((s: any, i: number) => {
      const perms = arr(s?.permissions);
      if (!perms.length) return [];
      const h = perms[perms.length - 1]?.http;
      if (!h || d.obj.spec?.destination?.name === '*') return []; // C112
      const catchAll = h.pathPrefix === '/' && !h.methods?.length && !h.header?.length && !perms[perms.length - 1]?.jwt;
      return catchAll ? [] : [at(d, ['spec', 'sources', i, 'permissions'], `requests from ${s.name} that match no permission are allowed when the ACL default is allow (the source shadows the * deny); end the list with {action: deny, http: {pathPrefix: /}}`)];
    })),
  },
  {
    code: 'C114',
    severity: E,
    mesh: 'consul',
    kinds: ['ServiceIntentions'],
    upstream: 'consul-k8s serviceintentions_webhook.go: one ServiceIntentions per destination (per cluster on CE)',
    summary: 'two ServiceIntentions for one destination: the consul-k8s webhook refuses the second (on CE, across every Kubernetes namespace)',
    check: ctx => {
      const out: RawFinding[] = [];
      for (const [key, docs] of groupBy(ctx.ofKind('ServiceIntentions', CONSUL), d => (d.obj.spec?.destination?.name === undefined ? undefined : `${d.obj.spec.destination.namespace ?? ''}/${d.obj.spec.destination.name}`))) {
        for (const d of docs.slice(1)) {
          out.push(at(d, ['spec', 'destination'], `ServiceIntentions ${ctx.ns(docs[0].obj)}/${docs[0].obj.metadata?.name} already has destination ${key.replace(/^\//, '')}: merge their sources into one`));
        }
      }
      return out;
    },
  },
  {
    code: 'C115',
    severity: W,
    mesh: 'consul',
    kinds: ['ServiceIntentions'],
    upstream: 'Consul agent/xds/rbac.go: a peer\'s callers match only sources of that peer (a local * is bound to the local trust domain); the rest falls to the default intention policy',
    summary: 'a destination with sources from a peer but no * deny of that peer, or no local * deny: with ACLs off (the Helm default; peering does not need ACLs) every other caller, of the peer or local, is allowed',
    check: ctx => {
      const all = ctx.ofKind('ServiceIntentions', CONSUL);
      const wide = all.filter(d => d.obj.spec?.destination?.name === '*').flatMap(d => arr(d.obj.spec?.sources));
      const denies = (sources: any[], peer: string | undefined) => sources.some((x: any) => x?.name === '*' && x.action === 'deny' && (x.peer ?? undefined) === peer && !x.samenessGroup && !x.partition);
      return all.filter(d => d.obj.spec?.destination?.name !== '*').flatMap(d => {
        const sources = arr(d.obj.spec?.sources);
        const peers = [...new Set(sources.filter((x: any) => x?.peer && x.name !== '*').map((x: any) => String(x.peer)))].sort();
        if (!peers.length) return [];
        const name = d.obj.spec.destination.name;
        const out: RawFinding[] = peers.filter(p => !denies(sources, p) && !denies(wide, p))
          .map(p => at(d, ['spec', 'sources'], `${name} lets callers of peer ${p} in, but no source {name: '*', peer: ${p}, action: deny} refuses the others: with ACLs off they are all allowed; add it`));
        if (!denies(sources, undefined) && !denies(wide, undefined)) {
          out.push(at(d, ['spec', 'sources'], `${name} is exported (it has peer sources) but no {name: '*', action: deny} source refuses local callers: with ACLs off every local service is allowed; add it (or a * → * deny)`));
        }
        return out;
      });
    },
  },
];
