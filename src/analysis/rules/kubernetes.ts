import { parseCidr } from '../../private/names';
import { Severity } from '../findings';
import { AnalysisContext, Doc, RawFinding } from '../private/context';
import { contentDifference, DUPLICATE_PAIRS, duplicatePairs } from '../private/duplicates';
import { FLAGGER_SELECTOR_LABELS } from '../private/enrolment';
import { AnalyzerRule, arr, at } from '../private/rule';

/** Where the first copy of an object is, for the message. */
function where(d: Doc): string {
  const parts = [d.file, d.documentIndex !== undefined ? `doc ${d.documentIndex}` : undefined].filter(x => x !== undefined);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * Objects with one identity (API group, kind, namespace, name), in document order: each later copy with the first
 * one. The duplicates of an analysis, found once for K101 and K102 (5,000 objects and more on a large output); the
 * analyzer finds the pairs while it sets the later copies apart, and leaves them in the memo.
 */
function sharedDuplicates(ctx: AnalysisContext): { first: Doc; again: Doc; difference?: string }[] {
  return ctx.memo('kubernetes.duplicates', () => ctx.memo(DUPLICATE_PAIRS, () => duplicatePairs(ctx.docs, d => d.obj, ctx.assumptions.defaultNamespace))
    .map(({ first, again }) => ({ first, again, difference: contentDifference(first.obj, again.obj) })));
}

/** Route kinds (Gateway API, and Linkerd's own HTTPRoute) whose parentRefs and backendRefs may name Services. */
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
/** Istio kinds that target a Service with `targetRef`/`targetRefs`. */
const ISTIO_TARGETING = ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin', 'EnvoyFilter', 'PeerAuthentication'];
/** Consul config entries named after the service they configure. */
const CONSUL_NAMED = ['ServiceResolver', 'ServiceRouter', 'ServiceSplitter', 'ServiceDefaults'];

/** A reference to a core Service: where it is written, and the Service's namespace and name. */
interface ServiceReference { readonly doc: Doc; readonly path: (string | number)[]; readonly ns: string; readonly name: string; readonly what: string }

/** Whether a Gateway API / Istio reference (group, kind) is to a core Service; `kindDefault` is the field's default kind. */
function isServiceRef(ref: any, kindDefault: string): boolean {
  return ref && typeof ref === 'object' && (ref.kind ?? kindDefault) === 'Service' && (ref.group ?? '') === '' && typeof ref.name === 'string';
}

/**
 * The references to core Services written by routes, policies and resolvers of any mesh, those `keep` keeps (made
 * into objects only then: a large output has tens of thousands of references, nearly all to Services it defines).
 */
function serviceReferences(ctx: AnalysisContext, keep: (ns: string, name: string) => boolean): ServiceReference[] {
  const out: ServiceReference[] = [];
  for (const kind of ROUTE_KINDS) {
    for (const d of ctx.ofKind(kind)) {
      if (!/gateway\.networking\.k8s\.io|policy\.linkerd\.io/.test(String(d.obj.apiVersion))) continue;
      const ns = ctx.ns(d.obj);
      // parentRefs default to a Gateway; backendRefs to a Service (Gateway API BackendObjectReference)
      arr(d.obj.spec?.parentRefs).forEach((r: any, i: number) => {
        if (isServiceRef(r, 'Gateway') && keep(r.namespace ?? ns, r.name)) out.push({ doc: d, path: ['spec', 'parentRefs', i, 'name'], ns: r.namespace ?? ns, name: r.name, what: `${kind} parent` });
      });
      arr(d.obj.spec?.rules).forEach((rule: any, i: number) => arr(rule?.backendRefs).forEach((r: any, j: number) => {
        if (isServiceRef(r, 'Service') && keep(r.namespace ?? ns, r.name)) out.push({ doc: d, path: ['spec', 'rules', i, 'backendRefs', j, 'name'], ns: r.namespace ?? ns, name: r.name, what: `${kind} backend` });
      }));
    }
  }
  for (const kind of ISTIO_TARGETING) {
    for (const d of ctx.ofKind(kind, 'istio.io')) {
      const ns = ctx.ns(d.obj);
      const one = d.obj.spec?.targetRef;
      if (isServiceRef(one, '') && keep(one.namespace ?? ns, one.name)) out.push({ doc: d, path: ['spec', 'targetRef', 'name'], ns: one.namespace ?? ns, name: one.name, what: `${kind} target` });
      arr(d.obj.spec?.targetRefs).forEach((r: any, i: number) => {
        if (isServiceRef(r, '') && keep(r.namespace ?? ns, r.name)) out.push({ doc: d, path: ['spec', 'targetRefs', i, 'name'], ns: r.namespace ?? ns, name: r.name, what: `${kind} target` });
      });
    }
  }
  const clusterHost = new RegExp(`^([^.]+)\\.([^.]+)\\.svc\\.${ctx.assumptions.clusterDomain.replace(/\./g, '\\.')}$`); // once, not per DestinationRule
  for (const d of ctx.ofKind('DestinationRule', 'istio.io')) {
    const host = ctx.fqdn(String(d.obj.spec?.host ?? ''), ctx.ns(d.obj));
    const m = clusterHost.exec(host);
    if (m && keep(m[2], m[1])) out.push({ doc: d, path: ['spec', 'host'], ns: m[2], name: m[1], what: 'DestinationRule host' });
  }
  for (const kind of CONSUL_NAMED) {
    for (const d of ctx.ofKind(kind, 'consul.hashicorp.com')) {
      // ServiceDefaults with a destination describe a service outside the cluster (transparent-proxy egress)
      if (kind === 'ServiceDefaults' && d.obj.spec?.destination) continue;
      if (typeof d.obj.metadata?.name === 'string' && keep(ctx.ns(d.obj), d.obj.metadata.name)) out.push({ doc: d, path: ['metadata', 'name'], ns: ctx.ns(d.obj), name: d.obj.metadata.name, what: `${kind} (Consul registers services under their Kubernetes Service name)` });
    }
  }
  return out;
}

/** The fields of an Istio AuthorizationPolicy source that hold IP addresses or CIDRs. */
const IP_BLOCK_FIELDS = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];

/** Fields that hold an IP address or CIDR, as (kind, group suffix, values with their paths): those `keep` keeps. */
function networkFields(ctx: AnalysisContext, keep: (value: unknown) => boolean): { doc: Doc; path: (string | number)[]; value: unknown }[] {
  const out: { doc: Doc; path: (string | number)[]; value: unknown }[] = [];
  for (const d of [...ctx.ofKind('NetworkAuthentication', 'linkerd.io'), ...ctx.ofKind('EgressNetwork', 'linkerd.io')]) {
    arr(d.obj.spec?.networks).forEach((n: any, i: number) => {
      if (keep(n?.cidr)) out.push({ doc: d, path: ['spec', 'networks', i, 'cidr'], value: n?.cidr });
      arr(n?.except).forEach((e: unknown, j: number) => keep(e) && out.push({ doc: d, path: ['spec', 'networks', i, 'except', j], value: e }));
    });
  }
  for (const d of ctx.ofKind('AuthorizationPolicy', 'istio.io')) {
    arr(d.obj.spec?.rules).forEach((r: any, i: number) => arr(r?.from).forEach((f: any, j: number) => {
      const source = f?.source;
      if (!source) return; // (no blocks: most sources name principals or namespaces)
      for (const k of IP_BLOCK_FIELDS) {
        arr(source[k]).forEach((v: unknown, n: number) => keep(v) && out.push({ doc: d, path: ['spec', 'rules', i, 'from', j, 'source', k, n], value: v }));
      }
    }));
  }
  return out;
}

/** Rules on any mesh's output: the objects of one cluster as Kubernetes stores them. */
export const KUBERNETES_RULES: AnalyzerRule[] = [
  {
    code: 'K101',
    severity: Severity.ERROR,
    mesh: 'any',
    kinds: ['*'],
    upstream: 'Kubernetes: one object per group, kind, namespace and name (kubectl apply: the last applied wins)',
    summary: 'one object (API group, kind, namespace, name; no namespace for a cluster-scoped kind such as Namespace, whatever its manifest says) is defined twice with different content: the one applied last replaces the other',
    check(ctx): RawFinding[] {
      return sharedDuplicates(ctx).filter(x => x.difference !== undefined).map(x => at(x.again, [],
        `also defined${where(x.first)} with different content (they differ at ${x.difference}): applied together, the one applied last replaces the other; define the object once, merging the two`));
    },
  },
  {
    code: 'K102',
    severity: Severity.WARNING,
    mesh: 'any',
    kinds: ['*'],
    upstream: 'kustomize: may not add resource with an already registered id; Argo CD: RepeatedResourceWarning',
    summary: 'one object is defined twice with the same content: kustomize refuses it and Argo CD warns',
    check(ctx): RawFinding[] {
      return sharedDuplicates(ctx).filter(x => x.difference === undefined).map(x => at(x.again, [],
        `also defined${where(x.first)} with the same content: define the object once`));
    },
  },
  {
    code: 'K103',
    severity: Severity.WARNING,
    mesh: 'any',
    kinds: ['Service', ...ROUTE_KINDS, ...ISTIO_TARGETING, 'DestinationRule', ...CONSUL_NAMED],
    upstream: 'Gateway API: ResolvedRefs=False (BackendNotFound) and a parent that is not there; istioctl IST0101 ReferencedResourceNotFound; Consul: no instances of the service',
    summary: 'a route, policy or resolver names a Service that is not among the manifests, while the manifests define Services of that namespace (e.g. a generated Service name)',
    check(ctx): RawFinding[] {
      if (!ctx.has('Service')) return [];
      // the app's own Services: those cdk8s-mesh writes itself (a canary's per-version Services) do not say
      // that the app defines the Services of their namespace
      const own = ctx.ofKind('Service').filter(d => d.obj.apiVersion === 'v1' && d.obj.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'cdk8s-mesh');
      const namespaces = new Set(own.map(d => ctx.ns(d.obj)));
      // Istio ServiceEntry hosts and Linkerd's mirrored Services (<name>-<target cluster>) are not Service objects of the output
      const entries = new Set(ctx.ofKind('ServiceEntry', 'istio.io').flatMap(d => arr(d.obj.spec?.hosts).map((h: any) => ctx.fqdn(String(h), ctx.ns(d.obj)))));
      const mirrored = ctx.ofKind('Link', 'multicluster.linkerd.io').map(d => d.obj.spec?.targetClusterName).filter((c: any) => typeof c === 'string' && c);
      // the Services a Flagger Canary generates (apex, -primary, -canary) are not among the manifests
      const flaggerMade = new Set(ctx.ofKind('Canary', 'flagger.app').flatMap(d => {
        const apex = d.obj.spec?.service?.name ?? d.obj.spec?.targetRef?.name;
        return typeof apex === 'string' ? [apex, `${apex}-primary`, `${apex}-canary`].map(n => `${ctx.ns(d.obj)}/${n}`) : [];
      }));
      return serviceReferences(ctx, (ns, name) => namespaces.has(ns) && !ctx.service(ns, name) && !flaggerMade.has(`${ns}/${name}`)
        && !entries.has(`${name}.${ns}.svc.${ctx.assumptions.clusterDomain}`) && !mirrored.some((c: string) => name.endsWith(`-${c}`)))
        .map(r => {
          const others = own.filter(d => ctx.ns(d.obj) === r.ns).map(d => d.obj.metadata?.name).sort();
          const shown = others.length > 5 ? `${others.slice(0, 5).join(', ')}, ...` : others.join(', ');
          return at(r.doc, r.path, `the ${r.what} names Service ${r.ns}/${r.name}, which is not among the manifests although they define the Services of ${r.ns} (${shown}): `
            + 'name one of those (a generated name such as cdk8s-plus exposeViaService()\'s is easy to miss), or add the Service');
        });
    },
  },
  {
    code: 'K105',
    severity: Severity.ERROR,
    mesh: 'any',
    kinds: ['Canary', 'Deployment', 'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'Sidecar', 'Server', 'NetworkPolicy'],
    upstream: 'Flagger: the primary Deployment\'s pods get <value>-primary in the first of the selector labels app, name, app.kubernetes.io/name (pkg/canary/deployment_controller.go)',
    summary: 'a policy selects the pods of a Flagger Canary\'s target by the label Flagger renames on the primary pods, so it misses the pods that serve after promotion',
    check(ctx): RawFinding[] {
      const out: RawFinding[] = [];
      for (const c of ctx.ofKind('Canary', 'flagger.app')) {
        const ns = ctx.ns(c.obj);
        const target = c.obj.spec?.targetRef?.kind === 'Deployment'
          ? ctx.ofKind('Deployment').find(d => d.obj.apiVersion === 'apps/v1' && d.obj.metadata?.name === c.obj.spec.targetRef.name && ctx.ns(d.obj) === ns) : undefined;
        const match = target?.obj.spec?.selector?.matchLabels ?? {};
        const key = FLAGGER_SELECTOR_LABELS.find(k => typeof match[k] === 'string');
        if (!target || !key) continue;
        const selectors: [Doc, (string | number)[], any][] = [];
        for (const kind of ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication']) {
          for (const d of ctx.ofKind(kind, 'istio.io')) selectors.push([d, ['spec', 'selector', 'matchLabels', key], d.obj.spec?.selector?.matchLabels]);
        }
        for (const d of ctx.ofKind('Sidecar', 'istio.io')) selectors.push([d, ['spec', 'workloadSelector', 'labels', key], d.obj.spec?.workloadSelector?.labels]);
        for (const d of ctx.ofKind('Server', 'linkerd.io')) selectors.push([d, ['spec', 'podSelector', 'matchLabels', key], d.obj.spec?.podSelector?.matchLabels]);
        for (const d of ctx.ofKind('NetworkPolicy')) selectors.push([d, ['spec', 'podSelector', 'matchLabels', key], d.obj.spec?.podSelector?.matchLabels]);
        for (const [d, path, labels] of selectors) {
          if (ctx.ns(d.obj) !== ns || !labels || typeof labels !== 'object' || labels[key] !== match[key]) continue;
          out.push(at(d, path, `selects ${key}: ${match[key]}, which Flagger renames to ${match[key]}-primary on the primary pods of Canary ${ns}/${c.obj.metadata?.name}: `
            + `the policy misses the pods that serve once a release is promoted; select by a label Flagger copies unchanged (any label but ${FLAGGER_SELECTOR_LABELS.join(', ')})`));
        }
      }
      return out;
    },
  },
  {
    code: 'K104',
    severity: Severity.ERROR,
    mesh: 'any',
    kinds: ['NetworkAuthentication', 'EgressNetwork', 'AuthorizationPolicy'],
    upstream: 'Linkerd policy-controller (ipnet parse of networks), Istio validation webhook (ipBlocks: ValidateIPSubnet)',
    summary: 'a network (Linkerd networks cidr/except, Istio ipBlocks) is not an IP address or CIDR',
    check(ctx): RawFinding[] {
      return networkFields(ctx, v => parseCidr(v) === undefined).map(f => at(f.doc, f.path,
        `${JSON.stringify(f.value)} is not an IP address or CIDR (an address of 4 numbers up to 255, or an IPv6 address, with a prefix length up to 32 or 128): write e.g. 10.0.0.0/8 or fd00::/8`));
    },
  },
];
