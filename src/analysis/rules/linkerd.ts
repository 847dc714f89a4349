import { envoyGatewayServiceAccount } from '../../private/envoy-gateway';
import { isLinkerdPolicy, LINKERD_DEFAULT_POLICY_ANNOTATION, linkerdAuthenticatedOnly, linkerdPodDefault, linkerdPolicyMeet, linkerdPolicyWider, linkerdRequiresIdentity, linkerdServerPodPorts } from '../../private/linkerd-policy';
import { cidrContains } from '../../private/names';
import { Severity } from '../findings';
import { Doc, groupBy, RawFinding } from '../private/context';
import { labelSelectorMatches, podTemplatesOf, PodTemplateFacts } from '../private/pod-templates';
import { AnalyzerRule, arr, at } from '../private/rule';

const E = Severity.ERROR;
const W = Severity.WARNING;
const POLICY = 'linkerd.io';
const ACCESS_POLICIES = ['all-authenticated', 'all-unauthenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit'];
const PROXY_PROTOCOLS = ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'];
const DNS_IDENTITY = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const SPIFFE = /^spiffe:\/\/[a-z0-9-._]+(\/[A-Za-z0-9-._]+)*$/;
const LINKERD_DURATION = /^(0|\d+(ms|s|m|h|d))$/;


function routeDocs(ctx: Parameters<AnalyzerRule['check']>[0]) {
  return [...ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io'), ...ctx.ofKind('HTTPRoute', POLICY), ...ctx.ofKind('GRPCRoute', 'gateway.networking.k8s.io')];
}

/** Access policies that admit a caller without any AuthorizationPolicy, from the most to the least open. */
const OPENNESS: { [policy: string]: number } = {
  'all-unauthenticated': 5, 'audit': 5, 'cluster-unauthenticated': 4, 'all-authenticated': 3, 'cluster-authenticated': 2, 'deny': 0,
};

/** Envoy Gateway: its quickstart's GatewayClass, and the namespace of the proxies it deploys (generated service accounts). */
const GATEWAY_PROXY_NAMESPACES: { [gatewayClass: string]: string } = { eg: 'envoy-gateway-system' };

type Ctx = Parameters<AnalyzerRule['check']>[0];

/** The pod templates of the workloads among the manifests in a namespace (Pods, Deployments, ...). */
function podTemplates(ctx: Ctx, ns: string): { doc: any; labels: { [k: string]: string }; spec: any; path: (string | number)[] }[] {
  const out = [];
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']) {
    for (const d of ctx.ofKind(kind).filter(x => ctx.ns(x.obj) === ns)) {
      const pod = kind === 'Pod' ? d.obj : d.obj.spec?.template;
      if (pod?.spec && typeof pod.spec === 'object') out.push({ doc: d, labels: pod.metadata?.labels ?? {}, spec: pod.spec, path: kind === 'Pod' ? ['spec'] : ['spec', 'template', 'spec'] });
    }
  }
  return out;
}

/** Whether a Server's label selector (matchLabels only; matchExpressions are not read) selects a label set. */
function serverSelects(server: any, labels: { [k: string]: string }): boolean {
  const sel = server.spec?.podSelector;
  if (!sel || sel.matchExpressions) return false;
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * The pod templates among the manifests that a Server's podSelector (matchLabels and matchExpressions: a pod
 * template's labels are all known) selects in its namespace, read once per analysis.
 */
function selectedPods(ctx: Ctx, server: Doc): PodTemplateFacts[] {
  const all = ctx.memo('linkerd.podTemplates', () => podTemplatesOf(ctx.docs.map(x => x.obj), o => ctx.ns(o)));
  const ns = ctx.ns(server.obj);
  return all.filter(t => t.ns === ns && labelSelectorMatches(server.obj.spec?.podSelector, t.labels as { [k: string]: string }));
}

/** The HTTPRoutes (policy.linkerd.io or Gateway API) attached to a Server. */
function serverRoutes(ctx: Ctx, server: Doc): Doc[] {
  return linkerdIndex(ctx).routes.get(`${ctx.ns(server.obj)}\u0000${server.obj.metadata?.name}`) ?? [];
}

/** The Gateway API GRPCRoutes attached to a Server. */
function serverGrpcRoutes(ctx: Ctx, server: Doc): Doc[] {
  return linkerdIndex(ctx).grpcRoutes.get(`${ctx.ns(server.obj)}\u0000${server.obj.metadata?.name}`) ?? [];
}

/** The AuthorizationPolicies that apply to a Server or one of the given routes of it. */
function policiesOn(ctx: Ctx, server: Doc, routes: Doc[]): Doc[] {
  const ns = ctx.ns(server.obj);
  const byTarget = linkerdIndex(ctx).policies;
  const found = new Set<Doc>([
    ...byTarget.get(`${ns}\u0000Server\u0000${server.obj.metadata?.name}`) ?? [],
    ...routes.flatMap(r => byTarget.get(`${ns}\u0000HTTPRoute\u0000${r.obj.metadata?.name}`) ?? []),
    ...byTarget.get(`${ns}\u0000Namespace\u0000${ns}`) ?? [],
  ]);
  return [...found].sort((a, b) => a.index - b.index);
}

/**
 * The HTTPRoutes by the Server they attach to and the AuthorizationPolicies by their target, indexed once
 * per analysis (looking them up by scanning, once per Server, made the rules quadratic).
 */
const LINKERD_INDEX = new WeakMap<Ctx, { routes: Map<string, Doc[]>; grpcRoutes: Map<string, Doc[]>; policies: Map<string, Doc[]> }>();
function linkerdIndex(ctx: Ctx): { routes: Map<string, Doc[]>; grpcRoutes: Map<string, Doc[]>; policies: Map<string, Doc[]> } {
  let index = LINKERD_INDEX.get(ctx);
  if (index) return index;
  const routes = new Map<string, Doc[]>();
  const grpcRoutes = new Map<string, Doc[]>();
  for (const r of routeDocs(ctx)) {
    const byServer = r.obj.kind === 'HTTPRoute' ? routes : r.obj.kind === 'GRPCRoute' ? grpcRoutes : undefined;
    if (!byServer) continue;
    const servers = new Set(arr(r.obj.spec?.parentRefs).filter((p: any) => p.kind === 'Server').map((p: any) => p.name));
    for (const name of servers) {
      const key = `${ctx.ns(r.obj)}\u0000${name}`;
      if (!byServer.has(key)) byServer.set(key, []);
      byServer.get(key)!.push(r);
    }
  }
  const policies = new Map<string, Doc[]>();
  for (const p of ctx.ofKind('AuthorizationPolicy', POLICY)) {
    const t = p.obj.spec?.targetRef ?? {};
    if (!['Server', 'HTTPRoute', 'Namespace'].includes(t.kind)) continue;
    const key = `${ctx.ns(p.obj)}\u0000${t.kind}\u0000${t.name}`;
    if (!policies.has(key)) policies.set(key, []);
    policies.get(key)!.push(p);
  }
  LINKERD_INDEX.set(ctx, index = { routes, grpcRoutes, policies });
  return index;
}

/** Whether a route match selects a request path (Gateway API path matching; a missing path is PathPrefix /). */
function pathMatches(m: any, path: string): boolean {
  const p = m?.path ?? { type: 'PathPrefix', value: '/' };
  const value = String(p.value ?? '/');
  if (p.type === 'Exact') return value === path;
  if (p.type === 'RegularExpression') return false;
  const v = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
  return v === '/' || path === v || path.startsWith(`${v}/`);
}

export const LINKERD_RULES: AnalyzerRule[] = [
  {
    code: 'L101',
    severity: E,
    mesh: 'linkerd',
    kinds: ['AuthorizationPolicy'],
    upstream: 'policy-controller webhook: targetRef kind',
    summary: 'an AuthorizationPolicy targets a kind Linkerd does not authorize (Server, HTTPRoute, GRPCRoute or Namespace)',
    check: ctx => ctx.ofKind('AuthorizationPolicy', POLICY).flatMap(d => {
      const t = d.obj.spec?.targetRef ?? {};
      const out: RawFinding[] = [];
      if (!['Server', 'HTTPRoute', 'GRPCRoute', 'Namespace'].includes(t.kind)) out.push(at(d, ['spec', 'targetRef', 'kind'], `${JSON.stringify(t.kind)} cannot be authorized: target a Server, HTTPRoute, GRPCRoute or Namespace`));
      if (t.kind === 'Namespace' && t.name !== ctx.ns(d.obj)) out.push(at(d, ['spec', 'targetRef', 'name'], `a Namespace target must be the policy's own namespace ${ctx.ns(d.obj)}`));
      return out;
    }),
  },
  {
    code: 'L102',
    severity: E,
    mesh: 'linkerd',
    kinds: ['AuthorizationPolicy'],
    upstream: 'policy-controller webhook: requiredAuthenticationRefs',
    summary: 'requiredAuthenticationRefs mixes authentications Linkerd refuses (more than one of a kind, MeshTLS with ServiceAccount, unknown kinds)',
    check: ctx => ctx.ofKind('AuthorizationPolicy', POLICY).flatMap(d => {
      const refs: any[] = arr(d.obj.spec?.requiredAuthenticationRefs);
      const count = (k: string) => refs.filter(r => r.kind === k).length;
      const out: RawFinding[] = [];
      refs.forEach((r, i) => {
        if (!['MeshTLSAuthentication', 'NetworkAuthentication', 'ServiceAccount'].includes(r.kind)) out.push(at(d, ['spec', 'requiredAuthenticationRefs', i, 'kind'], `${JSON.stringify(r.kind)} is not an authentication: use MeshTLSAuthentication, NetworkAuthentication or ServiceAccount`));
      });
      for (const k of ['MeshTLSAuthentication', 'NetworkAuthentication', 'ServiceAccount']) {
        if (count(k) > 1) out.push(at(d, ['spec', 'requiredAuthenticationRefs'], `at most one ${k} per policy (they are ANDed): write one policy per authentication`));
      }
      if (count('MeshTLSAuthentication') && count('ServiceAccount')) out.push(at(d, ['spec', 'requiredAuthenticationRefs'], 'a MeshTLSAuthentication and a ServiceAccount cannot be combined: list the service account in the MeshTLSAuthentication'));
      return out;
    }),
  },
  {
    code: 'L103',
    severity: E,
    mesh: 'linkerd',
    kinds: ['AuthorizationPolicy', 'Server', 'MeshTLSAuthentication', 'NetworkAuthentication'],
    upstream: 'policy-controller index: unresolved references',
    summary: 'an AuthorizationPolicy refers to a Server, route or authentication that is not among the manifests',
    check: ctx => ctx.ofKind('AuthorizationPolicy', POLICY).flatMap(d => {
      const ns = ctx.ns(d.obj);
      const out: RawFinding[] = [];
      const t = d.obj.spec?.targetRef ?? {};
      const targetGroup = t.kind === 'Server' ? 'policy.linkerd.io' : t.group ?? 'policy.linkerd.io';
      if (['Server', 'HTTPRoute'].includes(t.kind) && ctx.has(t.kind) && !ctx.find(targetGroup, t.kind, ns, t.name)) {
        out.push(at(d, ['spec', 'targetRef', 'name'], `${t.kind} ${ns}/${t.name} is not defined: the policy authorizes nothing`));
      }
      arr(d.obj.spec?.requiredAuthenticationRefs).forEach((r: any, i: number) => {
        if (!['MeshTLSAuthentication', 'NetworkAuthentication'].includes(r.kind)) return;
        if (!ctx.find('policy.linkerd.io', r.kind, r.namespace ?? ns, r.name)) out.push(at(d, ['spec', 'requiredAuthenticationRefs', i, 'name'], `${r.kind} ${r.namespace ?? ns}/${r.name} is not defined: the policy can never be satisfied`));
      });
      return out;
    }),
  },
  {
    code: 'L104',
    severity: E,
    mesh: 'linkerd',
    kinds: ['Server'],
    upstream: 'policy-controller webhook: accessPolicy and proxyProtocol values',
    summary: 'a Server has an access policy or proxy protocol Linkerd does not know',
    check: ctx => ctx.ofKind('Server', POLICY).flatMap(d => {
      const s = d.obj.spec ?? {};
      const out: RawFinding[] = [];
      if (s.accessPolicy !== undefined && !ACCESS_POLICIES.includes(s.accessPolicy)) out.push(at(d, ['spec', 'accessPolicy'], `${JSON.stringify(s.accessPolicy)} is not an access policy: use one of ${ACCESS_POLICIES.join(', ')}`));
      if (s.proxyProtocol !== undefined && !PROXY_PROTOCOLS.includes(s.proxyProtocol)) out.push(at(d, ['spec', 'proxyProtocol'], `${JSON.stringify(s.proxyProtocol)} is not a proxy protocol: use one of ${PROXY_PROTOCOLS.join(', ')}`));
      return out;
    }),
  },
  {
    code: 'L105',
    severity: E,
    mesh: 'linkerd',
    kinds: ['Server'],
    upstream: 'policy-controller index: one Server per pod port (the older wins)',
    summary: 'two Servers select the same pods and port: Linkerd ignores all but the oldest',
    check: ctx => {
      const out: RawFinding[] = [];
      for (const [, docs] of groupBy(ctx.ofKind('Server', POLICY), d => `${ctx.ns(d.obj)}|${JSON.stringify(d.obj.spec?.podSelector ?? {})}|${d.obj.spec?.port}`)) {
        for (const d of docs.slice(1)) out.push(at(d, ['spec', 'port'], `Server ${docs[0].obj.metadata?.name} already selects these pods on port ${d.obj.spec?.port}: keep one Server per pod port`));
      }
      return out;
    },
  },
  {
    code: 'L106',
    severity: E,
    mesh: 'linkerd',
    kinds: ['MeshTLSAuthentication'],
    upstream: 'policy-controller webhook: identity format',
    summary: 'a MeshTLSAuthentication identity is neither a SPIFFE ID nor a DNS-like identity',
    check: ctx => ctx.ofKind('MeshTLSAuthentication', POLICY).flatMap(d => arr(d.obj.spec?.identities).flatMap((id: string, i: number) =>
      SPIFFE.test(id) || DNS_IDENTITY.test(id) ? [] : [at(d, ['spec', 'identities', i], `${JSON.stringify(id)} is not an identity: use <sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>, a spiffe:// ID, or identityRefs`)])),
  },
  {
    code: 'L107',
    severity: E,
    mesh: 'linkerd',
    kinds: ['NetworkAuthentication', 'EgressNetwork'],
    upstream: 'policy-controller webhook: except within cidr',
    summary: 'a network `except` is not inside its `cidr`',
    check: ctx => [...ctx.ofKind('NetworkAuthentication', POLICY), ...ctx.ofKind('EgressNetwork', POLICY)].flatMap(d => arr(d.obj.spec?.networks).flatMap((n: any, i: number) =>
      arr(n.except).flatMap((e: string, j: number) => cidrContains(n.cidr, e) !== false && e !== n.cidr ? [] : [at(d, ['spec', 'networks', i, 'except', j], `${e} must lie strictly inside ${n.cidr}`)]))),
  },
  {
    code: 'L108',
    severity: E,
    mesh: 'linkerd',
    kinds: ['HTTPLocalRateLimitPolicy'],
    upstream: 'policy-controller webhook: rate limits',
    summary: 'a local rate limit targets something other than a Server, or a per-identity or override limit exceeds the total',
    check: ctx => ctx.ofKind('HTTPLocalRateLimitPolicy', POLICY).flatMap(d => {
      const s = d.obj.spec ?? {};
      const total = s.total?.requestsPerSecond;
      const out: RawFinding[] = [];
      if (s.targetRef?.kind !== 'Server') out.push(at(d, ['spec', 'targetRef', 'kind'], 'a local rate limit targets a Server'));
      if (total !== undefined && total <= 0) out.push(at(d, ['spec', 'total', 'requestsPerSecond'], 'must be above 0'));
      if (s.identity?.requestsPerSecond !== undefined && total !== undefined && s.identity.requestsPerSecond > total) out.push(at(d, ['spec', 'identity', 'requestsPerSecond'], `${s.identity.requestsPerSecond} exceeds the total ${total}`));
      arr(s.overrides).forEach((o: any, i: number) => {
        if (total !== undefined && o.requestsPerSecond > total) out.push(at(d, ['spec', 'overrides', i, 'requestsPerSecond'], `${o.requestsPerSecond} exceeds the total ${total}`));
        arr(o.clientRefs).forEach((c: any, j: number) => {
          if (c.kind !== 'ServiceAccount') out.push(at(d, ['spec', 'overrides', i, 'clientRefs', j, 'kind'], 'override clients are ServiceAccounts'));
        });
      });
      return out;
    }),
  },
  {
    code: 'L109',
    severity: E,
    mesh: 'linkerd',
    kinds: ['HTTPRoute', 'GRPCRoute', 'Service'],
    upstream: 'policy-controller webhook: retry and timeout annotations',
    summary: 'a retry or timeout annotation has a value Linkerd rejects',
    check: ctx => [...routeDocs(ctx), ...ctx.ofKind('Service')].flatMap(d => {
      const a = d.obj.metadata?.annotations ?? {};
      const out: RawFinding[] = [];
      const http = a['retry.linkerd.io/http'];
      if (http !== undefined) {
        if (d.obj.kind === 'GRPCRoute') out.push(at(d, ['metadata', 'annotations', 'retry.linkerd.io/http'], 'retry.linkerd.io/http is not valid on a GRPCRoute: use retry.linkerd.io/grpc'));
        for (const part of String(http).split(',')) {
          const p = part.trim();
          const range = /^(\d{3})-(\d{3})$/.exec(p);
          const ok = p === '5xx' || p === 'gateway-error' || (/^\d{3}$/.test(p) && +p >= 100 && +p <= 599) || (range && +range[1] <= +range[2] && +range[1] >= 100 && +range[2] <= 599);
          if (!ok) out.push(at(d, ['metadata', 'annotations', 'retry.linkerd.io/http'], `${JSON.stringify(p)} is not 5xx, gateway-error, a status code or a range lo-hi`));
        }
      }
      const limit = a['retry.linkerd.io/limit'];
      if (limit !== undefined && !(/^\d+$/.test(String(limit)) && +limit <= 65535)) out.push(at(d, ['metadata', 'annotations', 'retry.linkerd.io/limit'], `${JSON.stringify(limit)} is not a whole number up to 65535`));
      for (const k of ['retry.linkerd.io/timeout', 'timeout.linkerd.io/request', 'timeout.linkerd.io/response', 'timeout.linkerd.io/idle']) {
        if (a[k] !== undefined && !LINKERD_DURATION.test(String(a[k]))) out.push(at(d, ['metadata', 'annotations', k], `${JSON.stringify(a[k])} is not a Linkerd duration: a whole number with ms, s, m, h or d (e.g. 1500ms)`));
      }
      return out;
    }),
  },
  {
    code: 'L110',
    severity: E,
    mesh: 'linkerd',
    kinds: ['HTTPRoute', 'GRPCRoute'],
    upstream: 'policy-controller webhook: Service backendRefs need a port',
    summary: 'a route backend that is a Service has no port',
    check: ctx => routeDocs(ctx).flatMap(d => arr(d.obj.spec?.rules).flatMap((r: any, i: number) => arr(r.backendRefs).flatMap((b: any, j: number) =>
      (!b.kind || b.kind === 'Service') && (!b.group || b.group === 'core') && !b.port ? [at(d, ['spec', 'rules', i, 'backendRefs', j], `backend ${b.name} is a Service and needs a port`)] : []))),
  },
  {
    code: 'L111',
    severity: W,
    mesh: 'linkerd',
    kinds: ['ServiceProfile', 'HTTPRoute'],
    upstream: 'linkerd2#11529: ServiceProfiles and HTTPRoutes are mutually exclusive',
    summary: 'a Service has both a ServiceProfile and an HTTPRoute: the ServiceProfile wins and the routes are ignored',
    check: ctx => ctx.ofKind('ServiceProfile', POLICY).flatMap(sp => {
      const [svc, ns] = String(sp.obj.metadata?.name ?? '').split('.');
      const clash = routeDocs(ctx).find(r => ctx.ns(r.obj) === (ns ?? ctx.ns(sp.obj)) && arr(r.obj.spec?.parentRefs).some((p: any) => p.kind === 'Service' && p.name === svc));
      return clash ? [at(sp, [], `HTTPRoute ${clash.obj.metadata?.name} also configures ${svc}: Linkerd uses the ServiceProfile and ignores the route's retries and timeouts; remove one`)] : [];
    }),
  },
  {
    code: 'L112',
    severity: W,
    mesh: 'linkerd',
    kinds: ['HTTPRoute', 'GRPCRoute'],
    upstream: 'Linkerd 2.18+: resources with Gateway API fields newer than 1.2.1 are ignored',
    summary: 'a Gateway API route uses fields newer than Gateway API 1.2.1, so Linkerd ignores the whole route',
    check: ctx => routeDocs(ctx).filter(d => d.obj.apiVersion?.startsWith('gateway.networking.k8s.io')).flatMap(d => arr(d.obj.spec?.rules).flatMap((r: any, i: number) =>
      ['name', 'retry', 'sessionPersistence'].filter(k => r[k] !== undefined).map(k => at(d, ['spec', 'rules', i, k], `rules[].${k} is newer than Gateway API 1.2.1: Linkerd would ignore this route; remove it (Linkerd retries are annotations)`)))),
  },
  {
    code: 'L120',
    severity: E,
    mesh: 'linkerd',
    kinds: ['TLSRoute'],
    upstream: 'policy-controller/k8s/api/src/lib.rs: TLSRoute pinned to v1alpha2',
    summary: 'a TLSRoute attached to an EgressNetwork is not at v1alpha2, the only version Linkerd\'s policy controller watches, so Linkerd ignores it',
    check: ctx => ctx.ofKind('TLSRoute', 'gateway.networking.k8s.io').filter(d => d.obj.apiVersion !== 'gateway.networking.k8s.io/v1alpha2'
      && arr(d.obj.spec?.parentRefs).some((p: any) => p.kind === 'EgressNetwork')).map(d => at(d, ['apiVersion'],
      `${d.obj.apiVersion} is not watched by Linkerd's policy controller (it reads TLSRoute v1alpha2 only), so the egress route is ignored and a Deny EgressNetwork blocks its host: write gateway.networking.k8s.io/v1alpha2 (served by Linkerd's bundled Gateway API CRDs or the experimental channel)`)),
  },
  {
    code: 'L121',
    severity: W,
    mesh: 'linkerd',
    kinds: ['Server', 'Namespace', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'],
    upstream: 'policy-controller inbound index (client_authzs, default_inbound_server): a Server\'s accessPolicy replaces the default inbound policy of the pods it selects on its port (the pod\'s config.linkerd.io/default-inbound-policy, else its namespace\'s) and is added to every route\'s authorizations',
    summary: 'a Server (without a stated cdk8s-mesh.io/access-policy-reason) admits more callers than the default inbound policy of the pods it selects (their own config.linkerd.io/default-inbound-policy, else their namespace\'s), so creating it opened the port, whatever AuthorizationPolicies target it or its routes (Linkerd adds the accessPolicy to every route)',
    check: ctx => ctx.ofKind('Server', POLICY).flatMap(d => {
      const ns = ctx.ns(d.obj);
      const nsAnnotations = ctx.namespaceObject(ns)?.metadata?.annotations;
      const nsAnnotation = nsAnnotations?.[LINKERD_DEFAULT_POLICY_ANNOTATION];
      // a port listed in config.linkerd.io/proxy-require-identity-inbound-ports (the pod's, else the namespace's) has
      // an authenticated-only default (policy-controller inbound index.rs default_inbound_server; linkerdRequiresIdentity).
      // A Server port by name is resolved on each selected pod (linkerdServerPodPorts: index.rs select_ports); without
      // the pods (the namespace's default) it is not known, the default taken as it is
      const serverPort = d.obj.spec?.port;
      const port = typeof serverPort === 'number' ? serverPort : undefined;
      const onPort = (policy: string | undefined, podAnnotations: PodTemplateFacts['annotations'] | undefined) =>
        (policy !== undefined && linkerdRequiresIdentity(podAnnotations, nsAnnotations, port) ? linkerdAuthenticatedOnly(policy) : policy);
      // the namespace's default as its pods get it (an unknown value is copied onto them and ignored there: the cluster's, not known here)
      const nsPolicy = isLinkerdPolicy(nsAnnotation) ? nsAnnotation : undefined;
      const nsDefault = onPort(nsPolicy, undefined);
      const policy = d.obj.spec?.accessPolicy ?? 'deny';
      if (!isLinkerdPolicy(policy)) return [];
      // an open port with its reason stated (cdk8s-mesh.io/access-policy-reason, e.g. an mTLS exception) is meant
      if (d.obj.metadata?.annotations?.['cdk8s-mesh.io/access-policy-reason']) return [];
      // the pods the Server selects among the manifests, each with the default it runs with where no Server selects
      // its port: its own annotation, else the namespace's (the proxy injector copies it onto pods that have none:
      // pkg/inject/inject.go GetConfigOverride; policy-controller/k8s/index/src/inbound/workload.rs reads the pod's)
      const pods = selectedPods(ctx, d);
      // each pod's ports that the Server selects (a name: those of the pod's container ports of that name; a pod with
      // none is not served by this Server), and those of them its default makes authenticated-only; the Server replaces
      // the default on each, so it is compared with the narrowest (authenticated-only where one is listed)
      const served = pods.map(t => ({ t, ports: typeof serverPort === 'string' ? linkerdServerPodPorts(serverPort, t.spec) : [port] }))
        .filter(x => x.ports.length)
        .map(({ t, ports }) => ({ t, listed: ports.filter((p): p is number => linkerdRequiresIdentity(t.annotations, nsAnnotations, p) !== undefined) }));
      const wider = served.map(({ t, listed }) => {
        const own = linkerdPodDefault(t.annotations, nsPolicy, undefined);
        return { t, listed, own: own !== undefined && listed.length ? linkerdAuthenticatedOnly(own) : own };
      }).filter((x): x is { t: PodTemplateFacts; listed: number[]; own: string } => x.own !== undefined && linkerdPolicyWider(policy, x.own));
      if (pods.length ? !wider.length : nsDefault === undefined || !linkerdPolicyWider(policy, nsDefault)) return [];
      // AuthorizationPolicies do not narrow it: the policy controller adds the accessPolicy's callers to the
      // Server's authorizations, which apply on every route (policy-controller/k8s/index/src/inbound/index.rs,
      // client_authzs: server.access_policy default_authzs)
      const governed = policiesOn(ctx, d, serverRoutes(ctx, d)).length > 0;
      if (!pods.length) {
        const nsRequires = linkerdRequiresIdentity(undefined, nsAnnotations, port);
        const nsWhat = `${nsDefault}${nsRequires && nsDefault !== nsAnnotation ? ` (${nsAnnotation}, authenticated callers only on port ${port} as ${nsRequires} lists it)` : ''}`;
        return [at(d, ['spec', 'accessPolicy'], governed
          ? `${policy} admits more callers than the namespace's default inbound policy ${nsWhat}, and Linkerd admits them on every route of this Server besides the AuthorizationPolicies on it (the accessPolicy is added to every route's authorizations, so the policies do not narrow it): the port is open wider than the rest of the namespace; set accessPolicy: ${nsDefault}, or state the reason in the annotation cdk8s-mesh.io/access-policy-reason`
          : `${policy} admits more callers than the namespace's default inbound policy ${nsWhat}, and no AuthorizationPolicy governs this Server: the port is open wider than the rest of the namespace; set accessPolicy: ${nsDefault} (or authorize the callers)`)];
      }
      const fix = linkerdPolicyMeet(wider.map(x => x.own));
      const source = (t: PodTemplateFacts, listed: number[]) => (t.annotations[LINKERD_DEFAULT_POLICY_ANNOTATION] === undefined ? 'the namespace\'s' : `its pod template's ${LINKERD_DEFAULT_POLICY_ANNOTATION}`)
        + (listed.length ? `, authenticated callers only on port${listed.length > 1 ? 's' : ''} ${listed.join(', ')} as ${linkerdRequiresIdentity(t.annotations, nsAnnotations, listed[0])} lists ${listed.length > 1 ? 'them' : 'it'}` : '');
      const which = wider.map(x => `${x.t.kind} ${x.t.name} (${x.own}, ${source(x.t, x.listed)})`).join(', ');
      return [at(d, ['spec', 'accessPolicy'], `${policy} admits more callers than the default inbound policy of pods it selects: ${which}; Linkerd applies the Server's accessPolicy to their port instead of that default`
        + (governed
          ? ', and admits them on every route of this Server besides the AuthorizationPolicies on it (the accessPolicy is added to every route\'s authorizations, so the policies do not narrow it): '
          + `the port is open wider than these pods' own default; set accessPolicy: ${fix}, or state the reason in the annotation cdk8s-mesh.io/access-policy-reason`
          : `, and no AuthorizationPolicy governs this Server: the port is open wider than these pods' own default; set accessPolicy: ${fix} (or authorize the callers)`))];
    }),
  },
  {
    code: 'L122',
    severity: W,
    mesh: 'linkerd',
    kinds: ['Server', 'HTTPRoute', 'Deployment', 'Pod'],
    upstream: 'policy-controller/k8s/index/src/inbound/index.rs (http_routes): probe routes are added only to Servers without HTTPRoutes',
    summary: 'a Server with HTTPRoutes serves a port that the pods\' httpGet probes use, and no route authorizes the probe path for unauthenticated callers: the kubelet gets 403 and the pods never become Ready',
    check: ctx => ctx.ofKind('Server', POLICY).flatMap(d => {
      const routes = serverRoutes(ctx, d);
      const policy = d.obj.spec?.accessPolicy ?? 'deny';
      if (!routes.length || ['all-unauthenticated', 'cluster-unauthenticated', 'audit'].includes(policy)) return [];
      const out: RawFinding[] = [];
      for (const pod of podTemplates(ctx, ctx.ns(d.obj)).filter(t => serverSelects(d.obj, t.labels))) {
        arr(pod.spec.containers).forEach((c: any) => {
          const ports = arr(c.ports);
          for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
            const get = c[kind]?.httpGet;
            if (!get) continue;
            const probePort = typeof get.port === 'string' ? ports.find((p: any) => p.name === get.port)?.containerPort : get.port;
            const serverPort = typeof d.obj.spec?.port === 'string' ? ports.find((p: any) => p.name === d.obj.spec.port)?.containerPort : d.obj.spec?.port;
            if (probePort === undefined || probePort !== serverPort) continue;
            const path = String(get.path ?? '/');
            // the route Linkerd selects for the probe path, and whether it admits the (unmeshed) kubelet
            const matching = routes.filter(r => arr(r.obj.spec?.rules).some((rule: any) => (arr(rule.matches).length ? arr(rule.matches) : [{}]).some((m: any) => (!m.method || m.method === 'GET') && pathMatches(m, path))));
            const admitted = policiesOn(ctx, d, matching).some(p => arr(p.obj.spec?.requiredAuthenticationRefs).every((r: any) => r.kind === 'NetworkAuthentication'));
            if (!admitted) {
              out.push(at(d, ['spec', 'port'], `Server ${d.obj.metadata?.name} has HTTPRoutes, so Linkerd no longer authorizes probes by itself, and ${pod.doc.obj.kind} ${pod.doc.obj.metadata?.name} probes GET ${path} on port ${probePort} (${kind}) with nothing authorizing it: the kubelet gets 403; add a route for ${path} with an AuthorizationPolicy for a NetworkAuthentication of the node network, or probe another port`));
            }
          }
        });
      }
      return out;
    }),
  },
  {
    code: 'L124',
    severity: W,
    mesh: 'linkerd',
    kinds: ['Server', 'HTTPRoute', 'GRPCRoute'],
    upstream: 'policy-controller/grpc/src/inbound.rs (to_server): a gRPC Server\'s proxy gets its GRPCRoutes only, an HTTP/1, HTTP/2 or detected one its HTTPRoutes only, an opaque or TLS one no routes',
    summary: 'a route is attached to a Server whose proxy never gets it: an HTTPRoute to a gRPC, opaque or TLS Server, a GRPCRoute to any but a gRPC Server; Linkerd never applies it, nor the AuthorizationPolicies on it (their callers are refused unless a policy on the Server admits them)',
    check: ctx => ctx.ofKind('Server', POLICY).flatMap(d => {
      const proxyProtocol = d.obj.spec?.proxyProtocol;
      const name = d.obj.metadata?.name;
      const attached = (routes: Doc[], fix: (kind: string) => string) => routes.flatMap(r => arr(r.obj.spec?.parentRefs).flatMap((p: any, k: number) => (p?.kind === 'Server' && p?.name === name
        ? [at(r, ['spec', 'parentRefs', k], `${r.obj.kind} ${r.obj.metadata?.name} is attached to Server ${name}, whose proxyProtocol is ${proxyProtocol ?? 'unknown'}: Linkerd sends its proxy ${proxyProtocol === 'gRPC' ? 'GRPCRoutes only' : ['opaque', 'TLS'].includes(proxyProtocol) ? 'no routes' : 'HTTPRoutes only'}, so this route and the AuthorizationPolicies on it never apply (under a deny accessPolicy their callers are refused); `
          + fix(r.obj.kind))]
        : [])));
      // a GRPCRoute is applied on a gRPC Server only (an HTTP/1, HTTP/2 or detected Server's proxy gets its HTTPRoutes)
      const grpc = proxyProtocol === 'gRPC' ? [] : attached(serverGrpcRoutes(ctx, d), () => `authorize the callers on the Server (targetRef kind Server), or set proxyProtocol gRPC if the port speaks gRPC${['opaque', 'TLS'].includes(proxyProtocol) ? '' : ', or write an HTTPRoute for per-path rules'}`);
      if (!['gRPC', 'opaque', 'TLS'].includes(proxyProtocol)) return grpc;
      return [...grpc, ...attached(serverRoutes(ctx, d), () => `authorize the callers on the Server (targetRef kind Server)${proxyProtocol === 'gRPC' ? ', or write a GRPCRoute for per-method rules' : ''}, or set proxyProtocol HTTP/1 or HTTP/2 if the port speaks HTTP`)];
    }),
  },
  {
    code: 'L123',
    severity: W,
    mesh: 'linkerd',
    kinds: ['Gateway', 'HTTPRoute', 'Server', 'AuthorizationPolicy', 'MeshTLSAuthentication'],
    upstream: 'Envoy Gateway deploys the proxies of GatewayClass eg in envoy-gateway-system; Linkerd authorizes them by that identity',
    summary: 'an Envoy Gateway route sends to a Service whose Linkerd Server denies by default and authorizes no identity of envoy-gateway-system: the ingress gets 403',
    check: ctx => {
      const out: RawFinding[] = [];
      for (const route of ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io')) {
        const rns = ctx.ns(route.obj);
        const gateways = arr(route.obj.spec?.parentRefs).filter((p: any) => (p.kind ?? 'Gateway') === 'Gateway')
          .map((p: any) => ctx.find('gateway.networking.k8s.io', 'Gateway', p.namespace ?? rns, p.name)).filter(Boolean) as Doc[];
        const proxyNs = [...new Set(gateways.map(g => GATEWAY_PROXY_NAMESPACES[g.obj.spec?.gatewayClassName]).filter(Boolean))];
        if (!proxyNs.length) continue;
        arr(route.obj.spec?.rules).forEach((rule: any, i: number) => arr(rule.backendRefs).forEach((b: any, j: number) => {
          if ((b.kind ?? 'Service') !== 'Service') return;
          const ns = b.namespace ?? rns;
          const svc = ctx.service(ns, b.name);
          const labels = svc?.spec?.selector ?? { app: b.name };
          const svcPort = arr(svc?.spec?.ports).find((p: any) => p.port === b.port);
          const target = svcPort ? svcPort.targetPort ?? svcPort.port : b.port;
          for (const server of ctx.ofKind('Server', POLICY).filter(s => ctx.ns(s.obj) === ns && serverSelects(s.obj, labels) && s.obj.spec?.port === target)) {
            const policy = server.obj.spec?.accessPolicy ?? 'deny';
            if (OPENNESS[policy] === undefined || OPENNESS[policy] >= 3) continue;
            const authorized = policiesOn(ctx, server, serverRoutes(ctx, server)).some(p => arr(p.obj.spec?.requiredAuthenticationRefs).some((r: any) => {
              if (r.kind === 'NetworkAuthentication') return true;
              if (r.kind === 'ServiceAccount') return proxyNs.includes(r.namespace ?? ns);
              const auth = ctx.find('policy.linkerd.io', 'MeshTLSAuthentication', r.namespace ?? ns, r.name)?.obj;
              return arr(auth?.spec?.identityRefs).some((id: any) => (id.kind === 'Namespace' && proxyNs.includes(id.name)) || (id.kind === 'ServiceAccount' && proxyNs.includes(id.namespace ?? ctx.ns(auth))))
                || arr(auth?.spec?.identities).some((id: string) => id === '*' || proxyNs.some(n => String(id).includes(`.${n}.serviceaccount.`)));
            }));
            if (!authorized) {
              out.push(at(route, ['spec', 'rules', i, 'backendRefs', j], `Envoy Gateway's proxies (namespace ${proxyNs.join(', ')}, generated service accounts) call ${ns}/${b.name}, whose Server ${server.obj.metadata?.name} (accessPolicy ${policy}) authorizes no identity of that namespace: Linkerd answers the ingress with 403; mesh the gateway proxies and authorize the service account of this Gateway's proxies (identityRefs: [{kind: ServiceAccount, name: ${gateways.length ? envoyGatewayServiceAccount(ctx.ns(gateways[0].obj), gateways[0].obj.metadata?.name) : 'envoy-<namespace>-<gateway>-<hash>'}, namespace: ${proxyNs[0]}}], in Envoy Gateway's default deploy mode; not the whole namespace, where every Gateway's proxies run)`));
            }
          }
        }));
      }
      return out;
    },
  },
];
