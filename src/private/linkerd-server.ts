import { Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { show } from './errors';
import { objectMetadata, sortKeys } from './metadata';
import * as linkerd from '../imports/linkerd';
import { Mesh } from '../mesh';
import { ServiceProtocol, ServiceRef } from '../service';

const PROXY_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'HTTP/1',
  [ServiceProtocol.HTTP2]: 'HTTP/2',
  [ServiceProtocol.GRPC]: 'gRPC',
  [ServiceProtocol.TCP]: 'opaque',
};

/**
 * The one Linkerd `Server` of a service's pod port in a chart. Linkerd ignores all but the oldest
 * of two Servers that select the same pod port, so every pattern that needs one (rate limits,
 * authorization) shares it; its access policy is the mesh's default inbound policy unless a
 * pattern sets it.
 */
export class LinkerdServer extends Construct {
  /** The Server of `service`'s target port in the chart of `scope`, created on first use. */
  public static of(scope: Construct, mesh: Mesh, service: ServiceRef, port?: number): LinkerdServer {
    const chart = Chart.of(scope);
    const namespace = service._namespaceFrom(scope);
    const podPort = port ?? service.targetPort;
    const id = `LinkerdServer-${namespace ?? ''}-${service.name}-${podPort}`;
    return (chart.node.tryFindChild(id) as LinkerdServer | undefined) ?? new LinkerdServer(chart, id, mesh, service, namespace, podPort);
  }

  /** The Server's name, `<service>-<targetPort>`. */
  public readonly serverName: string;
  private accessPolicy?: { value: string; by: string };

  private constructor(scope: Construct, id: string, mesh: Mesh, service: ServiceRef, namespace: string | undefined, port: number) {
    super(scope, id);
    this.serverName = `${service.name}-${port}`;
    new linkerd.Server(this, 'Resource', {
      metadata: objectMetadata(this.serverName, namespace),
      spec: Lazy.any({
        produce: (): linkerd.ServerSpec => ({
          podSelector: { matchLabels: sortKeys(service.selector) },
          port,
          proxyProtocol: PROXY_PROTOCOL[service.protocol],
          // unless a pattern decides, keep who may connect unchanged (a Server's own default is `deny`)
          accessPolicy: this.accessPolicy?.value ?? mesh.linkerdInboundPolicy,
        }),
      }) as linkerd.ServerSpec,
    });
  }

  /** Sets the access policy for requests that no AuthorizationPolicy allows. */
  public setAccessPolicy(value: string, by: string): void {
    if (this.accessPolicy && this.accessPolicy.value !== value) {
      throw new Error(`[${by}] Server ${this.serverName}: accessPolicy: got ${show(value)}, but [${this.accessPolicy.by}] already set ${show(this.accessPolicy.value)}; one Server per pod port: make the two constructs agree`);
    }
    this.accessPolicy = this.accessPolicy ?? { value, by };
  }
}
