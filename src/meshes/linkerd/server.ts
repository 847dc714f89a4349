import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as linkerd from '../../imports/linkerd';
import { Mesh } from '../../model/mesh';
import { ServiceProtocol, ServiceRef } from '../../model/service';
import { sameCluster } from '../../private/clusters';
import { addDroppedNote, markJoined } from '../../private/dropped';
import { meshError, show } from '../../private/errors';
import { objectMetadata, sortKeys } from '../../private/metadata';

const PROXY_PROTOCOL: Record<ServiceProtocol, string> = {
  [ServiceProtocol.HTTP]: 'HTTP/1',
  [ServiceProtocol.HTTP2]: 'HTTP/2',
  [ServiceProtocol.GRPC]: 'gRPC',
  [ServiceProtocol.TCP]: 'opaque',
};

/** Why a Server admits more callers than its namespace's default (read by the analyzer's L121). */
export const ACCESS_POLICY_REASON = 'cdk8s-mesh.io/access-policy-reason';

/** The default inbound policies constructs of an app write on a namespace, with the chart of each (by app and namespace). */
const NAMESPACE_DEFAULTS = new WeakMap<object, Map<string, { chart: Chart; policy: string }[]>>();

/** A warning from the construct a renderer renders for (a MeshConstruct), if it can warn. */
export function warnFrom(scope: Construct, message: string): void {
  const warn = (scope as unknown as { _warn?: (m: string) => void })._warn;
  if (typeof warn === 'function') warn.call(scope, message);
}

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

  /**
   * Records the default inbound policy a construct writes on a namespace (`config.linkerd.io/default-inbound-policy`),
   * so that the Servers other constructs of the app create there, in the same cluster, carry it.
   */
  public static setNamespaceDefault(scope: Construct, namespace: string, policy: string): void {
    const root = scope.node.root;
    if (!NAMESPACE_DEFAULTS.has(root)) NAMESPACE_DEFAULTS.set(root, new Map());
    const byNamespace = NAMESPACE_DEFAULTS.get(root)!;
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, []);
    byNamespace.get(namespace)!.push({ chart: Chart.of(scope), policy });
  }

  /**
   * The default inbound policy a construct of the app writes on `namespace` in the cluster of the chart of `scope`,
   * if any: that chart's, else the first of a chart of the same cluster (two different ones in one cluster are
   * refused: the ZeroTrustNamespaces' enrolment). Read at synthesis, when a MultiClusterExport has assigned the
   * charts to clusters (src/private/clusters.ts): a cluster's Servers do not take another cluster's default.
   */
  public static namespaceDefault(scope: Construct, namespace: string | undefined): string | undefined {
    const all = namespace === undefined ? undefined : NAMESPACE_DEFAULTS.get(scope.node.root)?.get(namespace);
    if (!all) return undefined;
    const chart = Chart.of(scope);
    return (all.find(d => d.chart === chart) ?? all.find(d => sameCluster(d.chart, chart)))?.policy;
  }

  /** The Server's name, `<service>-<targetPort>`. */
  public readonly serverName: string;
  private accessPolicy?: { value: string; by: string };
  private reasoned = false;
  private readonly undeclaredWarnings: { scope: Construct; message: string }[] = [];

  private constructor(scope: Construct, id: string, mesh: Mesh, service: ServiceRef, namespace: string | undefined, port: number) {
    super(scope, id);
    this.serverName = `${service.name}-${port}`;
    const server = new linkerd.Server(this, 'Resource', {
      metadata: objectMetadata(this.serverName, namespace),
      spec: Lazy.any({
        produce: (): linkerd.ServerSpec => ({
          podSelector: { matchLabels: sortKeys(service.selector) },
          port,
          proxyProtocol: PROXY_PROTOCOL[service.protocol],
          // unless a pattern decides, keep who may connect unchanged (a Server's own default is `deny`):
          // the namespace's default inbound policy when a construct of the app declares it (a
          // ZeroTrustNamespace), else the mesh's declared default
          accessPolicy: this.accessPolicy?.value ?? LinkerdServer.namespaceDefault(this, namespace) ?? this.meshDefault(mesh),
        }),
      }) as linkerd.ServerSpec,
    });
    markJoined(server);
  }

  /**
   * Adds a pattern's dropped-settings note, joined with the notes of the other patterns that use the Server
   * (addDroppedNote).
   */
  public addDroppedNote(note: string | undefined): void {
    addDroppedNote(ApiObject.of(this.node.defaultChild!), note);
  }

  /**
   * Asks that `scope` be warned, when the Server is written, if its access policy is then the mesh's
   * default and `Mesh.linkerd` declared none (so that it may be wider than the cluster's).
   */
  public warnIfUndeclaredDefault(scope: Construct, message: string): void {
    this.undeclaredWarnings.push({ scope, message });
  }

  private meshDefault(mesh: Mesh): string | undefined {
    if (!mesh._linkerdInboundPolicyDeclared) {
      for (const w of this.undeclaredWarnings.splice(0)) warnFrom(w.scope, w.message);
    }
    return mesh.linkerdInboundPolicy;
  }

  /**
   * Sets the access policy for requests that no AuthorizationPolicy allows; a `reason` (why the port is
   * open wider than its namespace) is written as an annotation, which the analyzer's L121 reads.
   */
  public setAccessPolicy(value: string, by: string, reason?: string): void {
    if (this.accessPolicy && this.accessPolicy.value !== value) {
      throw meshError(`[${by}] Server ${this.serverName}: accessPolicy: got ${show(value)}, but [${this.accessPolicy.by}] already set ${show(this.accessPolicy.value)}; one Server per pod port: make the two constructs agree`);
    }
    this.accessPolicy = this.accessPolicy ?? { value, by };
    if (reason && !this.reasoned) {
      this.reasoned = true;
      ApiObject.of(this.node.defaultChild!).metadata.addAnnotation(ACCESS_POLICY_REASON, reason);
    }
  }
}
