import { isIP } from 'net';
import { Severity } from '../findings';
import { groupBy, RawFinding } from '../private/context';
import { AnalyzerRule, arr, at } from '../private/rule';

const E = Severity.ERROR;
const W = Severity.WARNING;
const POLICY = 'linkerd.io';
const ACCESS_POLICIES = ['all-authenticated', 'all-unauthenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit'];
const PROXY_PROTOCOLS = ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'];
const DNS_IDENTITY = /^(\*|(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const SPIFFE = /^spiffe:\/\/[a-z0-9-._]+(\/[A-Za-z0-9-._]+)*$/;
const LINKERD_DURATION = /^(0|\d+(ms|s|m|h|d))$/;

function cidrContains(outer: string, inner: string): boolean {
  const [a, abits] = outer.split('/');
  const [b, bbits] = inner.split('/');
  if (isIP(a) !== 4 || isIP(b) !== 4) return true; // only IPv4 is compared here
  const toBin = (ip: string) => ip.split('.').map(p => Number(p).toString(2).padStart(8, '0')).join('');
  const n = Number(abits ?? 32);
  return Number(bbits ?? 32) >= n && toBin(a).slice(0, n) === toBin(b).slice(0, n);
}

function routeDocs(ctx: Parameters<AnalyzerRule['check']>[0]) {
  return [...ctx.ofKind('HTTPRoute', 'gateway.networking.k8s.io'), ...ctx.ofKind('HTTPRoute', POLICY), ...ctx.ofKind('GRPCRoute', 'gateway.networking.k8s.io')];
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
      arr(n.except).flatMap((e: string, j: number) => cidrContains(n.cidr, e) && e !== n.cidr ? [] : [at(d, ['spec', 'networks', i, 'except', j], `${e} must lie strictly inside ${n.cidr}`)]))),
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
];
