import { ServiceRef } from '../../model/service';
import { RoutingIntent, VersionIntent } from '../../model/traffic';

/** One version of a VersionedRouting, as a mesh's renderer reads it. */
export interface RoutingVersionIntent {
  /** The version's subset name, the labels that select its pods and its backend Service's name. */
  readonly version: VersionIntent;
  /**
   * The version's own Service (ServiceVersion.fromService): it is the version's backend, so the mesh
   * writes none for it, and its pods are not relabelled.
   */
  readonly ownService?: ServiceRef;
}

/**
 * What a mesh's VersionedRouting renderer reads: the service, its namespace, the versions and the routing
 * (whose routes the per-service traffic renderer writes). The renderer's checks of single props, made
 * while the construct checks them, are hooks of `RoutingRenderer` (src/meshes/renderer.ts).
 */
export interface VersionedRoutingIntent {
  /** The logical service callers use. */
  readonly service: ServiceRef;
  /** The service's namespace (given, or the routing's chart's). */
  readonly namespace: string | undefined;
  /** The versions, in the order given. */
  readonly versions: RoutingVersionIntent[];
  /**
   * The routes, the default split and the mirror: as given for `unsupported`, and for `render` without the
   * settings left out (UnsupportedSettings.DROP_WITH_WARNING).
   */
  readonly routing: RoutingIntent;
}
