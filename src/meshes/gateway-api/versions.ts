import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ServiceRef } from '../../model/service';
import { VersionIntent } from '../../model/traffic';
import { objectMetadata, sortKeys } from '../../private/metadata';

/**
 * Gateway API routes (Linkerd, Istio ambient) send to Services: one per version (CanaryRelease's stable and
 * canary, VersionedRouting's versions without a Service of their own), selecting that version's pods, on
 * the service's port. Written as cdk8s-plus-28's Service wrote them; `externalIPs` keeps the empty list
 * that CanaryRelease's Services have always carried, so existing output is unchanged.
 */
export function renderVersionBackends(
  scope: IConstruct, service: ServiceRef, namespace: string | undefined, versions: VersionIntent[], options: { readonly externalIPs?: boolean } = {},
): void {
  for (const v of versions) {
    new ApiObject(scope, `Backend-${v.name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: objectMetadata(v.backendService, namespace),
      spec: {
        ...(options.externalIPs ? { externalIPs: [] } : {}),
        // (a named targetPort is kept: Kubernetes resolves it for each pod, as on the user's Service)
        ports: [{ port: service.port, targetPort: service._targetPortAsWritten(), ...(service.portName ? { name: service.portName } : {}) }],
        selector: sortKeys(v.labels),
        type: 'ClusterIP',
      },
    });
  }
}
