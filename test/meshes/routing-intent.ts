import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Mesh, ServiceRef } from '../../src';
import { RenderContext } from '../../src/meshes/renderer';
import { MatchType } from '../../src/model/matches';
import { MatchIntent } from '../../src/model/route-intent';
import { VersionIntent } from '../../src/model/traffic';
import { VersionedRoutingIntent } from '../../src/patterns/routing/intent';

/** A version selected by `version: <name>` on top of app: reviews, with its backend Service reviews-<name>. */
export const version = (name: string): VersionIntent => ({ name, labels: { version: name, app: 'reviews' }, versionKey: 'version', versionValue: name, backendService: `reviews-${name}` });

/**
 * A VersionedRouting's intent as the construct builds it: reviews (port 9080, namespace shop) between v1
 * and v2, everything to `defaultVersion`; `extra` replaces fields of the routing.
 */
export function routingIntent(over: Partial<VersionedRoutingIntent> = {}, extra: Partial<VersionedRoutingIntent['routing']> = {}): VersionedRoutingIntent {
  const v1 = version('v1');
  const v2 = version('v2');
  return {
    service: ServiceRef.fromName('reviews', { port: 9080, namespace: 'shop' }),
    namespace: 'shop',
    versions: [{ version: v1 }, { version: v2 }],
    routing: { versions: [v1, v2], rules: [], split: [{ version: v1, weight: 100 }], defaultVersion: v1, ...extra },
    ...over,
  };
}

/** A render context that records the warnings. */
export function context(mesh: Mesh): RenderContext & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { mesh, warn: m => warnings.push(m), warnings };
}

/** A scope to render into, and the objects rendered there. */
export function scope(): { scope: Construct; objects: () => any[] } {
  const chart = Testing.chart();
  const s = new Construct(chart, 'routing');
  return { scope: s, objects: () => Testing.synth(chart) };
}

/** Matches for precedence checks. */
export const prefix = (value: string, headers = 0): MatchIntent => ({ path: { type: MatchType.PREFIX, value }, headers: header(headers) });
export const exact = (value: string, headers = 0): MatchIntent => ({ path: { type: MatchType.EXACT, value }, headers: header(headers) });
export const regex = (value: string): MatchIntent => ({ path: { type: MatchType.REGEX, value }, headers: [] });
const header = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `x-${i}`, type: MatchType.EXACT, value: 'a' }));
