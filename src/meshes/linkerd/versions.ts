import { ServiceRef } from '../../model/service';
import { VersionIntent } from '../../model/traffic';
import { RenderContext } from '../renderer';

/** Why Linkerd refuses a mirror (CanaryRelease's mirrorPercent, VersionedRouting's mirror). */
export const LINKERD_NO_MIRROR = 'Linkerd\'s outbound routes do not support the RequestMirror filter';

/** How a pattern's apex Service warning names its versions and what Linkerd does not route. */
export interface ApexWording {
  /** `both versions` (a release), `every version` (a routing). */
  readonly versions: string;
  /** What Linkerd does not route through the HTTPRoute, in the warning's parenthesis. */
  readonly unrouted: string;
  /** After "add <key>: <value> to its selector", e.g. ` (and move it ... at promotion)`. */
  readonly afterAdd?: string;
  /** Who narrows the selector of a Service passed with ServiceRef.fromService: `the release`, `the routing`. */
  readonly by: string;
}

/**
 * Linkerd: what it does not route through the HTTPRoute (unmeshed callers, an ingress that sends to
 * endpoints) reaches the pods the apex Service selects: it selects `v` (Linkerd's traffic-shifting guide),
 * narrowed here where the Service object is the app's, else a warning saying what to add.
 */
export function apexSelector(service: ServiceRef, v: Pick<VersionIntent, 'versionKey' | 'versionValue' | 'backendService'>, wording: ApexWording, context: RenderContext): void {
  if (v.versionKey && service._narrowServiceSelector(v.versionKey, v.versionValue)) return;
  const fix = v.versionKey ? `add ${v.versionKey}: ${v.versionValue} to its selector${wording.afterAdd ?? ''}, or pass it with ServiceRef.fromService so ${wording.by} does it` : `give it the selector of ${v.backendService}`;
  context.warn(`the apex Service ${service.name} selects ${wording.versions}, so what Linkerd does not route (${wording.unrouted}) splits by replica count: ${fix}`);
}
