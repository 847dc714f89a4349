import { ApiObject, ApiObjectMetadataDefinition, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { clusterOf } from '../private/clusters';
import { addDroppedNote } from '../private/dropped';
import { meshError, show } from '../private/errors';
import { describeObject, namespaceOfObject, PodTemplate, requireObject, serviceSpecOf, servicesInClusterOf, servicesSelecting, userPath, workloadsSelectedBy } from '../private/k8s-objects';
import { isDns1035Label, isDns1123Label, labelKeyProblem, labelValueProblem } from '../private/names';

/** The Deployments (and names) whose reference is checked at synthesis already. */
const CHECKED = new WeakMap<IConstruct, Set<string>>();

/**
 * The application protocol a service port speaks.
 */
export enum ServiceProtocol {
  /** HTTP/1.1 (and HTTP/2 where the client upgrades). */
  HTTP = 'http',
  /** HTTP/2 with prior knowledge. */
  HTTP2 = 'http2',
  /** gRPC. */
  GRPC = 'grpc',
  /** Opaque TCP: no L7 features (routing, retries, HTTP timeouts) apply. */
  TCP = 'tcp',
}

/**
 * Options of a service reference made from a name.
 */
export interface ServiceRefOptions {
  /**
   * The namespace of the service.
   * @default - the namespace of the chart that uses the reference
   */
  readonly namespace?: string;
  /**
   * The service port callers use.
   */
  readonly port: number;
  /**
   * The port the pods listen on (the Service port's `targetPort`), used where the mesh selects pods
   * rather than the Service (Linkerd `Server`).
   * @default - the same as `port`
   */
  readonly targetPort?: number;
  /**
   * The name of that port (Linkerd `Server`s and Istio port-level settings may refer to it).
   * @default - the port is referred to by number
   */
  readonly portName?: string;
  /**
   * The protocol of the port.
   * @default ServiceProtocol.HTTP
   */
  readonly protocol?: ServiceProtocol;
  /**
   * The labels that select the service's pods (its `spec.selector`).
   * @default { app: <name> }
   */
  readonly selector?: { [key: string]: string };
}

/**
 * Options of a service reference made from a Kubernetes object (of any cdk8s-plus 2.x package, an
 * imported L1 or an `ApiObject`).
 */
export interface ServiceRefFromOptions {
  /**
   * The service port callers use.
   * @default - the first port of the Service (or container port of the Deployment)
   */
  readonly port?: number;
  /**
   * The port the pods listen on, in place of the Service port's `targetPort`.
   *
   * For a `targetPort` that is a container port name the app's workloads cannot resolve: their pods are not
   * defined in the app (e.g. a Helm chart's), or its workloads give the name different numbers. Istio
   * AuthorizationPolicy `ports` and Linkerd `Server`s are for this pod port (the sidecar sees the pod port:
   * istio pilot/pkg/security/authz/model/generator.go, destination_port).
   * @default - the Service port's `targetPort`: a number as written; a name resolved at synthesis through the
   *   container ports of the app's workloads whose pods the Service selects (the Deployment's, from
   *   `fromDeployment`); none: the port itself
   */
  readonly targetPort?: number;
  /**
   * The protocol of the port.
   * @default ServiceProtocol.HTTP
   */
  readonly protocol?: ServiceProtocol;
  /**
   * The service name, for a Deployment that is exposed under another name.
   * @default - the Service's (or Deployment's) name
   */
  readonly name?: string;
}

/**
 * A reference to a Kubernetes Service that mesh configuration applies to: its name, namespace,
 * port, protocol and pod selector.
 *
 * @example
 * import { ServiceRef } from 'cdk8s-mesh';
 *
 * ServiceRef.fromName('payment', { port: 8080 });
 * ServiceRef.fromService(paymentService);   // a cdk8s-plus Service (any 2.x package), KubeService or ApiObject
 */
export class ServiceRef {
  /**
   * A service known by name.
   */
  public static fromName(name: string, options: ServiceRefOptions): ServiceRef {
    return new ServiceRef(name, options.namespace, options.port, options.targetPort ?? options.port, options.portName,
      options.protocol ?? ServiceProtocol.HTTP, () => options.selector ?? { app: name }, undefined);
  }

  /**
   * A Service object: a `Service` of any cdk8s-plus 2.x package (cdk8s-plus-28, cdk8s-plus-33, ...), an
   * imported `KubeService`, or an `ApiObject` of kind `Service` (`v1`). Its name, namespace, ports and
   * selector are read from the object it synthesizes. Mesh settings that live on the Service object
   * itself (such as Linkerd's failure-accrual annotations) are added to it.
   *
   * @param service a construct that synthesizes a v1 Service (typed `IConstruct` so that any cdk8s-plus
   *   version's class is accepted)
   */
  public static fromService(service: IConstruct, options: ServiceRefFromOptions = {}): ServiceRef {
    const api = requireObject(service, ['Service'], 'v1', 'ServiceRef.fromService(service)',
      'pass the Service object (for a Deployment, use ServiceRef.fromDeployment)');
    return ServiceRef.ofServiceObject(api, service, options, undefined);
  }

  /**
   * A service in front of a Deployment, selecting its pods: a `Deployment` of any cdk8s-plus 2.x package,
   * an imported `KubeDeployment`, or an `ApiObject` of kind `Deployment` (`apps/v1`; a StatefulSet or
   * DaemonSet is accepted too).
   *
   * The service is the app's Service that selects the Deployment's pods when there is one when this is
   * called (e.g. the one `deployment.exposeViaService()` made, whose name is generated); else a Service
   * named after the Deployment (or `name`), which synthesis requires to be in the app whenever another
   * Service of the app selects the pods (routes would otherwise name a Service that does not exist).
   *
   * @param deployment a construct that synthesizes an apps/v1 Deployment (typed `IConstruct` so that
   *   any cdk8s-plus version's class is accepted)
   */
  public static fromDeployment(deployment: IConstruct, options: ServiceRefFromOptions = {}): ServiceRef {
    const api = requireObject(deployment, ['Deployment', 'StatefulSet', 'DaemonSet'], 'apps/v1', 'ServiceRef.fromDeployment(deployment)',
      'pass the Deployment object (for a Service, use ServiceRef.fromService)');
    const pods = PodTemplate.of(deployment)!;
    const exposing = servicesSelecting(pods);
    const name = options.name ?? api.name;
    const named = exposing.find(s => s.name === name);
    if (options.name === undefined && !named && exposing.length > 1) {
      throw meshError(`ServiceRef.fromDeployment(deployment): got ${describeObject(deployment)}, whose pods are selected by the Services ${exposing.map(s => `${s.name} [${userPath(s)}]`).join(', ')} and none is named ${name}: `
        + 'routes and policies must name one of them; pass ServiceRef.fromService(service) with the one callers use');
    }
    const found = named ?? (options.name === undefined && exposing.length === 1 ? exposing[0] : undefined);
    if (found) return ServiceRef.ofServiceObject(found, found, options, pods);
    ServiceRef.checkExposedAtSynthesis(deployment, pods, name);
    const port = options.port ?? pods.containerPorts()[0];
    return new ServiceRef(name, api.metadata.namespace, port as number, port as number, undefined,
      options.protocol ?? ServiceProtocol.HTTP, () => pods.matchLabels(), undefined, pods, deployment);
  }

  /** A reference to a Service object (and, from `fromDeployment`, the workload behind it). */
  private static ofServiceObject(api: ApiObject, source: IConstruct, options: ServiceRefFromOptions, workload: PodTemplate | undefined): ServiceRef {
    const ports = serviceSpecOf(api).ports;
    const port = options.port ?? ports[0]?.port;
    const servicePort = ports.find(p => p.port === port);
    // a numeric targetPort is the pod port; a named one (or none) leaves the pod port equal to the port
    // a numeric targetPort is the pod port; a named one is resolved through the container ports of the selected
    // pods when it is read (NamedTargetPort), none is the port (the Service API's default)
    const targetPort = options.targetPort ?? servicePort?.targetPort ?? port;
    const ref: ServiceRef = new ServiceRef(options.name ?? api.name, api.metadata.namespace, port as number,
      typeof targetPort === 'string' ? new NamedTargetPort(targetPort, api, source, () => ref, workload) : targetPort as number, servicePort?.name,
      options.protocol ?? ServiceProtocol.HTTP,
      // read from the object as it would be written now (a label the user selects later is seen), rendered
      // again only when the Service has changed (serviceSpecOf)
      () => ref._unnarrowed(serviceSpecOf(api).selector),
      api.metadata, workload, source, api);
    return ref;
  }

  /**
   * At synthesis: a reference named after a Deployment whose pods another Service of the app selects
   * (one made later, e.g. by `exposeViaService()`) names a Service that is not there; refused, naming it.
   */
  private static checkExposedAtSynthesis(deployment: IConstruct, pods: PodTemplate, name: string): void {
    const names = CHECKED.get(deployment) ?? new Set<string>();
    if (names.has(name)) return;
    names.add(name);
    CHECKED.set(deployment, names);
    deployment.node.addValidation({
      validate: () => {
        // this cluster's Services: another cluster's Service of that name is not there for its routes
        const all = servicesInClusterOf(pods.api, pods.namespace);
        if (all.some(s => s.name === name)) return [];
        const exposing = servicesSelecting(pods);
        if (!exposing.length) return []; // the Service is not part of this app (e.g. a Helm chart's)
        return [`ServiceRef.fromDeployment named the service ${name}, but the app has no Service ${name} in namespace ${pods.namespace ?? 'default'}${clusterOf(Chart.of(pods.api)) ? ` of cluster ${clusterOf(Chart.of(pods.api))}` : ''}; `
          + `the Deployment's pods are selected by ${exposing.map(s => `Service ${s.name} [${userPath(s)}]`).join(', ')} (exposeViaService() gives the Service a generated name), `
          + 'so routes and policies would name a Service that does not exist: pass ServiceRef.fromService(service) with that Service (or create it before ServiceRef.fromDeployment)'];
      },
    });
  }

  /** The service name. */
  public readonly name: string;
  /** The namespace, if given. */
  public readonly namespace?: string;
  /** The port callers use. */
  public readonly port: number;
  /** The pod port, or the name it is resolved from. */
  private readonly podPort: number | NamedTargetPort;
  /** The port's name, if known. */
  public readonly portName?: string;
  /** The port's protocol. */
  public readonly protocol: ServiceProtocol;
  private readonly selectorFn: () => { [key: string]: string };
  private readonly serviceMetadata?: ApiObjectMetadataDefinition;
  private readonly workload?: PodTemplate;
  private readonly source?: IConstruct;
  /** The Service object this reference was made from (`fromService`), whose selector may be narrowed. */
  private readonly serviceObject?: ApiObject;
  /** The selector labels this library added to the Service object (`selector` leaves them out). */
  private readonly narrowed = new Set<string>();

  private constructor(name: string, namespace: string | undefined, port: number, targetPort: number | NamedTargetPort, portName: string | undefined,
    protocol: ServiceProtocol, selector: () => { [key: string]: string }, serviceMetadata: ApiObjectMetadataDefinition | undefined,
    workload?: PodTemplate, source?: IConstruct, serviceObject?: ApiObject) {
    this.name = name;
    this.namespace = namespace;
    this.port = port;
    this.podPort = targetPort;
    this.portName = portName;
    this.protocol = protocol;
    this.selectorFn = selector;
    this.serviceMetadata = serviceMetadata;
    this.workload = workload;
    this.source = source;
    this.serviceObject = serviceObject;
  }

  /**
   * The port the pods listen on (the Service port's `targetPort`). A `targetPort` that is a container port name
   * is resolved, when this is read, through the container ports of the app's workloads whose pods the Service
   * selects; one that cannot be resolved (no such workload, no such container port, or workloads that give the
   * name different numbers) refuses synthesis (pass `ServiceRef.fromService(service, { targetPort })`).
   */
  public get targetPort(): number {
    return typeof this.podPort === 'number' ? this.podPort : this.podPort.read();
  }

  /**
   * The pod port as written on the Service port (a number, or a container port name), for the Service objects
   * the library writes in front of the same pods (per-version and Argo Services, Flagger's `targetPort`): a name
   * is resolved by Kubernetes for each pod, as on the user's Service.
   * @internal
   */
  public _targetPortAsWritten(): number | string {
    return typeof this.podPort === 'number' ? this.podPort : this.podPort.name;
  }

  /**
   * Records that `by` (a construct path) writes the pod port at synthesis (in a Lazy value, after the
   * checks): a named targetPort that cannot be resolved is then refused at synthesis, naming `by`.
   * @internal
   */
  public _podPortUsedBy(by: string): void {
    if (typeof this.podPort !== 'number') this.podPort.usedBy(by);
  }

  /**
   * The cdk8s-plus object the reference was made from (`fromService`, `fromDeployment`), if any.
   * @internal
   */
  public _source(): IConstruct | undefined {
    return this.source;
  }

  /**
   * The workload whose pods serve the service, when the reference was made from it (`fromDeployment`).
   * @internal
   */
  public _workload(): PodTemplate | undefined {
    return this.workload;
  }

  /**
   * A Service object's selector without the labels this library narrowed it with.
   * @internal
   */
  public _unnarrowed(selector: { [key: string]: string }): { [key: string]: string } {
    return Object.fromEntries(Object.entries(selector).filter(([k]) => !this.narrowed.has(k)));
  }

  /** The labels that select the service's pods. */
  public get selector(): { [key: string]: string } {
    return this.selectorFn();
  }

  /** Whether mesh settings can be written onto the Service object itself (made with `fromService`). */
  public get ownsServiceObject(): boolean {
    return this.serviceMetadata !== undefined;
  }

  /**
   * Adds an annotation to the Service object (only for references made with `fromService`).
   * @internal
   */
  public _annotateService(key: string, value: string): void {
    this.serviceMetadata?.addAnnotation(key, value);
  }

  /**
   * Adds a pattern's dropped-settings note to the Service object (only for references made with
   * `fromService`), joined with the other patterns' notes (addDroppedNote).
   * @internal
   */
  public _addDroppedNote(note: string): void {
    if (this.serviceObject) addDroppedNote(this.serviceObject, note);
  }

  /**
   * Narrows the Service object's written selector with one more label (only for references made with
   * `fromService`; `selector` keeps the unnarrowed labels). Returns whether it could.
   * @internal
   */
  public _narrowServiceSelector(key: string, value: string): boolean {
    if (!this.serviceObject) return false;
    this.narrowed.add(key);
    this.serviceObject.addJsonPatch(JsonPatch.add(`/spec/selector/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value));
    return true;
  }

  /**
   * Adds a label to the Service object (only for references made with `fromService`).
   * @internal
   */
  public _labelService(key: string, value: string): void {
    this.serviceMetadata?.addLabel(key, value);
  }

  /**
   * The namespace the service lives in, as seen from a construct: its own, or the chart's.
   * @internal
   */
  public _namespaceFrom(scope: Construct): string | undefined {
    return this.namespace ?? Chart.of(scope).namespace;
  }

  /**
   * The service's fully qualified host name, e.g. `payment.shop.svc.cluster.local`; the short name
   * when no namespace is known.
   * @internal
   */
  public _fqdn(scope: Construct, clusterDomain: string): string {
    const ns = this._namespaceFrom(scope);
    return ns ? `${this.name}.${ns}.svc.${clusterDomain}` : this.name;
  }

  /**
   * Problems with the reference itself, as messages naming `prop`.
   * @internal
   */
  public _problems(prop: string): string[] {
    const out: string[] = [];
    if (!isDns1035Label(this.name)) {
      out.push(`${prop}.name: got ${show(this.name)}: a Service name must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters); rename the service`);
    }
    if (this.namespace !== undefined && !isDns1123Label(this.namespace)) {
      out.push(`${prop}.namespace: got ${show(this.namespace)}: a namespace must be a DNS-1123 label; fix the namespace`);
    }
    const selector = this.selector;
    for (const [key, value] of out.length ? [] : Object.entries(selector)) { // the default selector repeats a bad name
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem) out.push(`${prop}.selector: got ${show({ [key]: value })}: ${problem}; fix the Service's selector (e.g. app: ${show(typeof this.name === 'string' ? this.name : 'payment')})`);
    }
    if (!Object.keys(selector).length) {
      out.push(`${prop}.selector: got {}: the Service selects no pods, so mesh policies for it would select the whole namespace; give the Service a selector (e.g. app: ${this.name})`);
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      out.push(`${prop}.port: got ${show(this.port)}: a port must be a whole number from 1 to 65535; pass { port: 8080 } (or give the Service a port)`);
    }
    // the pod port is written into Linkerd Server names and ports and Istio port-level settings: a bad one gave `payment-NaN`
    if (typeof this.podPort === 'number' && !Object.is(this.targetPort, this.port) && (!Number.isInteger(this.targetPort) || this.targetPort < 1 || this.targetPort > 65535)) {
      out.push(`${prop}.targetPort: got ${show(this.targetPort)}: a port must be a whole number from 1 to 65535; pass the port the pods listen on, e.g. { targetPort: 8080 }, or leave it out when it equals port`);
    }
    if (this.portName !== undefined && !isDns1123Label(this.portName)) {
      out.push(`${prop}.portName: got ${show(this.portName)}: a Service port name is a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters); use e.g. 'http'`);
    }
    if (!Object.values(ServiceProtocol).includes(this.protocol)) {
      out.push(`${prop}.protocol: got ${show(this.protocol)}: not a protocol; use ServiceProtocol.HTTP, HTTP2, GRPC or TCP`);
    }
    return out;
  }
}

/**
 * A Service port's `targetPort` that is a container port name. The endpoints controller gives each selected pod
 * the `containerPort` of its port of that name (kubernetes pkg/api/v1/pod/util.go, FindPort), and that pod port is
 * what the sidecar's RBAC filter matches (istio pilot/pkg/security/authz/model/generator.go, destinationPortGenerator:
 * `destination_port`) and what a Linkerd Server's numeric port selects: writing the Service port instead refuses every
 * allowed caller. Resolved when read, so that workloads and containers defined after the reference count; a name that
 * cannot be resolved where a pod port is needed, or that was read before it resolved to its final number, refuses
 * synthesis.
 */
class NamedTargetPort {
  /** The construct paths that write the pod port. */
  private readonly users = new Set<string>();
  /** The values read so far (for a construct that wrote one before the workloads were complete). */
  private readonly reads = new Set<number | undefined>();
  private checking = false;

  constructor(public readonly name: string, private readonly service: ApiObject, source: IConstruct,
    private readonly ref: () => ServiceRef, private readonly workload: PodTemplate | undefined) {
    source.node.addValidation({ validate: () => this.validate() });
  }

  public usedBy(by: string): void {
    this.users.add(by);
  }

  /** The resolved pod port; the Service port while it cannot be resolved (synthesis is then refused: validate). */
  public read(): number {
    const resolved = this.resolve().port;
    if (!this.checking) this.reads.add(resolved);
    return resolved ?? this.ref().port;
  }

  /**
   * The workloads whose pods the Service selects (the policy's selector is the Service's: every one of them gets
   * the port), with the Deployment of `fromDeployment`.
   */
  private workloads(): PodTemplate[] {
    const selected = workloadsSelectedBy(this.service, this.ref().selector);
    const own = this.workload && !selected.some(w => w.api === this.workload!.api) ? [this.workload] : [];
    return [...own, ...selected];
  }

  private resolve(): { port?: number; problem?: string } {
    const workloads = this.workloads();
    const where = `${namespaceOfObject(this.service) ?? 'default'}${clusterOf(Chart.of(this.service)) ? ` of cluster ${clusterOf(Chart.of(this.service))}` : ''}`;
    if (!workloads.length) {
      return { problem: `no Deployment, StatefulSet or DaemonSet of the app in namespace ${where} has pods the Service's selector ${show(this.ref().selector)} selects, so the number cannot be read from their container ports` };
    }
    const byWorkload = workloads.map(w => ({ w, port: w.containerPortsNamed(this.name)[0] }));
    const missing = byWorkload.filter(x => x.port === undefined);
    if (missing.length) {
      return { problem: `${missing.map(x => `${x.w.api.kind} ${x.w.name} [${userPath(x.w.api)}]`).join(', ')} has no container port named ${show(this.name)} (Kubernetes gives its pods no endpoint of the Service)` };
    }
    const ports = [...new Set(byWorkload.map(x => x.port!))];
    if (ports.length > 1) {
      return { problem: `the workloads the Service selects give it different numbers: ${byWorkload.map(x => `${x.w.api.kind} ${x.w.name} [${userPath(x.w.api)}] ${x.port}`).join(', ')}, and one policy port cannot be written for all of them` };
    }
    return { port: ports[0] };
  }

  private validate(): string[] {
    const ref = this.ref();
    const readers = [...this.users].sort();
    if (!readers.length && !this.reads.size) return [];
    this.checking = true;
    let r: { port?: number; problem?: string };
    try {
      r = this.resolve();
    } finally {
      this.checking = false;
    }
    const by = readers.length ? ` (written by ${readers.map(p => `[${p}]`).join(', ')})` : '';
    const what = `ServiceRef ${ref.name}: the Service port ${ref.port} has targetPort ${show(this.name)}, a container port name, and the mesh configuration needs the pod port number${by}, which the sidecar and the Linkerd proxy see (istio pilot/pkg/security/authz/model/generator.go, destination_port)`;
    const fix = `pass ServiceRef.fromService(service, { targetPort: <the containerPort of ${show(this.name)}> }), or define the Deployment with a container port named ${show(this.name)} whose pods the Service selects`;
    if (r.problem) return [`${what}; ${r.problem}: ${fix}`];
    const stale = [...this.reads].filter(v => v !== r.port);
    if (stale.length) {
      return [`${what}; it resolves to ${r.port} at synthesis, but it was read as ${stale.map(v => v ?? `${ref.port} (unresolved)`).join(', ')} earlier, before the workloads' container ports were complete, and that value is written: define the workloads (and their containers) before the constructs that use this ServiceRef, or ${fix.replace(/^pass/, 'pass')}`];
    }
    return [];
  }
}
