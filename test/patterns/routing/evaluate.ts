/**
 * A small evaluator of emitted routing objects: which versions (weight > 0) a request to a service
 * reaches, read from the Istio VirtualService, the Gateway API HTTPRoutes (Linkerd, Istio ambient) or
 * the Consul ServiceRouter, ServiceSplitter and ServiceResolver, with each mesh's matching rules. Tests
 * compare it with the intent of the routes given to VersionedRouting.
 */

export interface TestRequest {
  readonly path: string;
  readonly method: string;
  /** Lower-case names. */
  readonly headers: { [name: string]: string };
  readonly query: { [name: string]: string };
}

type StringMatch = { exact?: string; prefix?: string; regex?: string };

function full(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(value);
}

function str(m: StringMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) return full(m.regex, value);
  return true;
}

/** Gateway API PathPrefix: segment-wise, a trailing `/` ignored. */
function segmentPrefix(prefix: string, path: string): boolean {
  const base = prefix.replace(/\/+$/, '');
  return base === '' || path === base || path.startsWith(`${base}/`);
}

/** Istio: the first http route with a matching match (none: every request). */
export function istioVersions(manifests: any[], service: string, req: TestRequest): Set<string> {
  const vs = manifests.find(m => m.kind === 'VirtualService' && m.metadata.name === service);
  for (const route of vs?.spec.http ?? []) {
    const matches: any[] = route.match ?? [{}];
    const hit = matches.some(m => (!m.uri || str(m.uri, req.path))
      && (!m.method || str(m.method, req.method))
      && Object.entries(m.headers ?? {}).every(([k, v]) => str(v as StringMatch, req.headers[k]))
      && Object.entries(m.queryParams ?? {}).every(([k, v]) => str(v as StringMatch, req.query[k])));
    if (hit) return new Set(route.route.filter((d: any) => d.weight === undefined || d.weight > 0).map((d: any) => d.destination.subset ?? service));
  }
  return new Set([service]);
}

/**
 * Gateway API: of every matching rule of every HTTPRoute whose parent is the Service, the most specific
 * (exact path, longest prefix, method, most headers, most query parameters; on Linkerd, as its proxy
 * ranks: longest path, most headers, most query parameters, method), then the route name
 * (same creation time), then rule order. Returns backend Service names.
 */
export function gatewayBackends(manifests: any[], service: string, req: TestRequest, order: 'gateway' | 'linkerd' = 'gateway'): Set<string> {
  const best = gatewayRule(manifests, service, req, order);
  if (!best) return new Set([service]);
  return new Set(best.backendRefs.filter((b: any) => b.weight === undefined || b.weight > 0).map((b: any) => b.name));
}

/** The HTTPRoute rule a request takes (as gatewayBackends picks it), or undefined. */
export function gatewayRule(manifests: any[], service: string, req: TestRequest, order: 'gateway' | 'linkerd' = 'gateway'): any {
  const routes = manifests.filter(m => m.kind === 'HTTPRoute' && m.spec.parentRefs?.some((p: any) => p.kind === 'Service' && p.name === service))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  let best: { rank: number[]; rule: any } | undefined;
  routes.forEach(route => route.spec.rules.forEach((rule: any) => {
    for (const m of rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) {
      const path = m.path ?? { type: 'PathPrefix', value: '/' };
      const pathOk = path.type === 'Exact' ? req.path === path.value : path.type === 'PathPrefix' ? segmentPrefix(path.value, req.path) : full(path.value, req.path);
      const ok = pathOk && (!m.method || m.method === req.method)
        && (m.headers ?? []).every((h: any) => (h.type === 'RegularExpression' ? req.headers[h.name] !== undefined && full(h.value, req.headers[h.name]) : req.headers[h.name] === h.value))
        && (m.queryParams ?? []).every((q: any) => (q.type === 'RegularExpression' ? req.query[q.name] !== undefined && full(q.value, req.query[q.name]) : req.query[q.name] === q.value));
      if (!ok) continue;
      // Linkerd's proxy ranks path length (exact and prefix alike; a regex by the request's path), headers,
      // query parameters, then the method (linkerd2-proxy http/route match.rs impl Ord for RequestMatch)
      const rank = order === 'linkerd'
        ? [path.type === 'RegularExpression' ? req.path.length : path.value.length, (m.headers ?? []).length, (m.queryParams ?? []).length, m.method ? 1 : 0]
        : [path.type === 'Exact' ? 1 : 0, path.value.length, m.method ? 1 : 0, (m.headers ?? []).length, (m.queryParams ?? []).length];
      // a tie keeps the earlier one (route name, then rule order)
      const i = best ? rank.findIndex((r, j) => r !== best!.rank[j]) : 0;
      if (!best || (i >= 0 && rank[i] > best.rank[i])) best = { rank, rule };
    }
  }));
  return best?.rule;
}

/** Consul: the first ServiceRouter route that matches; else the ServiceSplitter; else the resolver's default subset. */
export function consulVersions(manifests: any[], service: string, req: TestRequest): Set<string> {
  const router = manifests.find(m => m.kind === 'ServiceRouter' && m.metadata.name === service);
  const splitter = manifests.find(m => m.kind === 'ServiceSplitter' && m.metadata.name === service);
  const resolver = manifests.find(m => m.kind === 'ServiceResolver' && m.metadata.name === service);
  for (const r of router?.spec.routes ?? []) {
    const h = r.match?.http ?? {};
    const ok = (h.pathExact === undefined || req.path === h.pathExact)
      && (h.pathPrefix === undefined || req.path.startsWith(h.pathPrefix))
      && (h.pathRegex === undefined || full(h.pathRegex, req.path))
      && (!h.methods || h.methods.includes(req.method))
      && (h.header ?? []).every((x: any) => str(x, req.headers[x.name]))
      && (h.queryParam ?? []).every((x: any) => str(x, req.query[x.name]));
    if (!ok) continue;
    if (r.destination?.serviceSubset) return new Set([r.destination.serviceSubset]);
    break;
  }
  if (splitter) return new Set(splitter.spec.splits.filter((s: any) => s.weight > 0).map((s: any) => s.serviceSubset));
  return new Set([resolver?.spec.defaultSubset ?? service]);
}
