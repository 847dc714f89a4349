import { IConstruct } from 'constructs';
import { renderVersionBackends } from './versions';
import { ServiceRef } from '../../model/service';
import type { PropProblem } from '../../model/unsupported';
import type { VersionedRoutingIntent } from '../../patterns/routing/intent';

/**
 * Gateway API routes (Linkerd, Istio ambient) send to Services: one per version, selecting that version's
 * pods, unless the version has a Service of its own.
 */
export function renderVersionServices(scope: IConstruct, intent: VersionedRoutingIntent): void {
  renderVersionBackends(scope, intent.service, intent.namespace, intent.versions.filter(v => !v.ownService).map(v => v.version));
}

/**
 * The HTTPRoute's backendRefs carry the service's port (http-route.ts backends), and a Service without that
 * port is a backend without endpoints: Linkerd and the ambient waypoint (a cluster
 * outbound|<port>||<version Service> that does not exist) fail those requests.
 */
export function versionServicePortProblems(prop: string, versionService: ServiceRef, service: ServiceRef): PropProblem[] {
  if (versionService.port === service.port) return [];
  return [{ prop: `${prop}.service.port`, value: versionService.port, why: `the route sends to port ${service.port} of each version's Service`, fix: `give ${versionService.name} port ${service.port}` }];
}
