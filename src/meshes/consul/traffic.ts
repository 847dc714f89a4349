import { ApiObject, Lazy } from 'cdk8s';
import { ConsulServiceDefaults } from './service-defaults';
import * as consul from '../../imports/consul';
import { MatchType } from '../../model/matches';
import { MatchIntent, RuleIntent } from '../../model/route-intent';
import { intersect, routingOf, rulesOf, TrafficModel } from '../../model/traffic';
import type { TrafficContributor, TrafficTarget } from '../../patterns/traffic/intent';
import { meshError } from '../../private/errors';
import { formatMillis } from '../../private/format';
import { objectMetadata } from '../../private/metadata';
import { TrafficRenderer } from '../renderer';
import { ServiceResolver, ServiceRouter, ServiceSplitter } from '../unconverted';

const PATH_FIELD: Record<MatchType, 'pathExact' | 'pathPrefix' | 'pathRegex'> = {
  [MatchType.EXACT]: 'pathExact',
  [MatchType.PREFIX]: 'pathPrefix',
  [MatchType.REGEX]: 'pathRegex',
};

/**
 * The HTTP matches of a rule. A path prefix is segment-bounded as on the other meshes: `/orders` is
 * `/orders` itself or anything under `/orders/`, never `/ordersx` (a Consul pathPrefix is a plain
 * string prefix), so it becomes two matches.
 */
function httpMatches(m: MatchIntent | undefined): consul.ServiceRouterSpecRoutesMatchHttp[] {
  if (!m) return [{ pathPrefix: '/' }];
  const rest = {
    ...(m.methods ? { methods: m.methods } : {}),
    ...(m.headers.length ? { header: m.headers.map(h => ({ name: h.name, [h.type]: h.value })) } : {}),
    // ServiceRouteHTTPMatchQueryParam has exact and regex (and present), no prefix: QueryParamMatch has exact and regex only
    ...(m.query?.length ? { queryParam: m.query.map(q => ({ name: q.name, [q.type]: q.value })) } : {}),
  };
  if (!m.path) return [{ pathPrefix: '/', ...rest }];
  if (m.path.type === MatchType.PREFIX && !m.path.value.endsWith('/')) {
    return [{ pathExact: m.path.value, ...rest }, { pathPrefix: `${m.path.value}/`, ...rest }];
  }
  return [{ [PATH_FIELD[m.path.type]]: m.path.value, ...rest }];
}

function route(r: RuleIntent, match: MatchIntent | undefined, subset: string | undefined): consul.ServiceRouterSpecRoutes[] {
  const retry = r.retry;
  const destination = {
    ...(subset ? { serviceSubset: subset } : {}),
    requestTimeout: r.timeoutMs !== undefined ? formatMillis(r.timeoutMs) : undefined,
    numRetries: retry?.attempts,
    retryOn: retry?.on.length ? retry.on : undefined,
    retryOnStatusCodes: retry?.statusCodes.length ? retry.statusCodes : undefined,
  };
  return httpMatches(match).map(http => ({ match: { http }, destination }));
}

function routes(model: TrafficModel): consul.ServiceRouterSpecRoutes[] {
  const rules = rulesOf(model);
  const routing = routingOf(model);
  const out: consul.ServiceRouterSpecRoutes[] = [];
  // a version rule sends to one subset (the construct refuses weighted sets on Consul)
  for (const v of routing?.rules ?? []) {
    for (const r of rules) {
      const both = intersect(r.match, v.match);
      if ('empty' in both) continue;
      if ('inexpressible' in both) throw meshError(`${v.source}: its match and the route ${r.source} set two different conditions on one ${both.inexpressible}, which one Consul match cannot hold; use conditions on different names`);
      out.push(...route(r, both.match, v.to.find(t => t.weight > 0)!.version.name));
    }
  }
  // the remaining routes go through the splitter (no subset)
  if (model.resilience?.rules.length) for (const r of rules) out.push(...route(r, r.match, undefined));
  return out;
}

const LB: Record<string, string> = { ROUND_ROBIN: 'round_robin', LEAST_REQUEST: 'least_request', RANDOM: 'random' };

/**
 * Consul: the discovery chain of the service: a ServiceRouter (canary header routes, then the
 * resilience rules), a ServiceSplitter (the canary weights), a ServiceResolver (the version subsets,
 * connect timeout, load balancing), and the service's ServiceDefaults protocol that L7 routing needs.
 */
export const CONSUL_TRAFFIC: TrafficRenderer = {
  // a dropped setting is noted on the object it would have been written to: a ResilientService's routes,
  // retries and timeouts on the ServiceRouter (its circuit breaker, connection limits and rate limit go to
  // ServiceDefaults entries, noted by resilience.ts); a release's or version routing's mirror on the
  // ServiceSplitter (the share of requests between versions); the export's on the ServiceResolver its
  // failover is written to: in a consuming cluster the only object the export writes, so its settings of
  // other meshes (istioMode, linkerdRemoteDiscovery) stay on the objects the export writes and no others
  droppedOn(obj: ApiObject, setting: string, from: TrafficContributor) {
    if (from === 'multiCluster') return obj.kind === 'ServiceResolver';
    if (from === 'canary' || from === 'routing') return obj.kind === 'ServiceSplitter';
    if (/^(circuitBreaker|connectionPool|rateLimit)\b/.test(setting)) return false;
    return obj.kind === 'ServiceRouter';
  },

  render(traffic: TrafficTarget, model: () => TrafficModel) {
    const m = model();
    const routingNow = routingOf(m);
    if (m.routing && m.failover) {
      throw meshError(`[${traffic.contributorPath}] failover: got peers ${m.failover.remotes.map(r => r.peer).join(', ')} for ${m.serviceName}, but [${traffic.routingBy}] routes it between versions in subsets `
        + `(${m.routing.versions.map(v => `Service.Meta.${v.versionKey} == ${v.versionValue}`).join(', ')}): Consul fails a subset over to the same subset on the peer, and the exporting cluster's instances carry no such meta, so the failover would find no instance; `
        + `route ${m.serviceName} between versions (VersionedRouting) or fail it over to peers (MultiClusterExport), not both`);
    }
    if (m.canary && m.failover) {
      // a failover target inherits the subset of the target it replaces (discoverychain/compile.go
      // getResolverNode: rewriteTarget merges the failover's opts into the subset target, and the peer
      // target is resolved with the local resolver's subset filter), so the exporter's instances would
      // need the same Service.Meta, which this library does not write on the exporting cluster's pods
      const c = m.canary;
      const filters = [c.stable, c.canary].map(v => `Service.Meta.${v.versionKey} == ${v.versionValue}`).join(', ');
      throw meshError(`[${traffic.contributorPath}] failover: got peers ${m.failover.remotes.map(r => r.peer).join(', ')} for ${m.serviceName}, but [${traffic.canaryBy}] releases it in subsets `
        + `(${filters}): Consul fails a subset over to the same subset on the peer, and the exporting cluster's instances carry no such meta, so the failover would find no instance; `
        + `finish the release (remove the CanaryRelease) before failing ${m.serviceName} over to peers, or release it without failover`);
    }
    // routers, splitters and subsets need an HTTP-family protocol (Consul rejects them on tcp)
    const by = traffic.resilienceBy ?? traffic.canaryBy ?? traffic.routingBy ?? traffic.node.path;
    ConsulServiceDefaults.of(traffic, m.serviceName, m.namespace).setProtocol(m.protocol, by);
    const needsRouter = m.resilience?.rules.length || routingNow?.rules.length;
    if (needsRouter && !traffic.node.tryFindChild('ServiceRouter')) {
      traffic.adopt(new ServiceRouter(traffic, 'ServiceRouter', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({ produce: () => ({ routes: routes(model()) }) }) as consul.ServiceRouterSpec,
      }));
    }
    if (routingNow && !traffic.node.tryFindChild('ServiceSplitter')) {
      traffic.adopt(new ServiceSplitter(traffic, 'ServiceSplitter', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({
          produce: (): consul.ServiceSplitterSpec => {
            const splits = routingOf(model())!.split.filter(t => t.weight > 0).map(t => ({ weight: t.weight, serviceSubset: t.version.name }));
            return { splits };
          },
        }) as consul.ServiceSplitterSpec,
      }));
    }
    const cp = m.resilience?.connectionPool;
    if ((routingNow || m.failover || cp?.connectTimeoutMs !== undefined || m.resilience?.loadBalancing) && !traffic.node.tryFindChild('ServiceResolver')) {
      traffic.adopt(new ServiceResolver(traffic, 'ServiceResolver', {
        metadata: objectMetadata(m.serviceName, m.namespace),
        spec: Lazy.any({
          produce: (): consul.ServiceResolverSpec => {
            const cur = model();
            const routing = routingOf(cur);
            const pool = cur.resilience?.connectionPool;
            return {
              defaultSubset: routing?.defaultVersion.name,
              subsets: routing ? Object.fromEntries(routing.versions.map(v => [v.name, { filter: `Service.Meta.${v.versionKey} == ${v.versionValue}` }])) : undefined,
              connectTimeout: pool?.connectTimeoutMs !== undefined ? formatMillis(pool.connectTimeoutMs) : undefined,
              loadBalancer: cur.resilience?.loadBalancing ? { policy: LB[cur.resilience.loadBalancing] } : undefined,
              failover: cur.failover ? { '*': { targets: cur.failover.remotes.map(r => ({ peer: r.peer })) } } : undefined,
            };
          },
        }) as consul.ServiceResolverSpec,
      }));
    }
  },
};
