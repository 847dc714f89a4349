import { meshError, propMessage } from '../private/errors';
import { domainProblem, isDns1123Label, isDns1123Subdomain } from '../private/names';

/**
 * The service meshes this library writes configuration for.
 */
export enum MeshKind {
  /** Istio (sidecar data plane), networking.istio.io / security.istio.io / telemetry.istio.io. */
  ISTIO = 'istio',
  /** Linkerd, policy.linkerd.io and Gateway API routes. */
  LINKERD = 'linkerd',
  /** Consul on Kubernetes, consul.hashicorp.com config entries. */
  CONSUL = 'consul',
}

/**
 * Istio's data plane: sidecar proxies in every pod, or ambient (ztunnel on every node for L4,
 * waypoint proxies for L7).
 */
export enum IstioDataPlane {
  /** An Envoy sidecar in every pod (namespaces labelled `istio-injection: enabled`). */
  SIDECAR = 'sidecar',
  /**
   * Ambient: ztunnel enforces mTLS and L4 authorization; L7 features (routing, retries, L7
   * authorization, tracing) need a waypoint proxy, which the patterns create where they need one.
   */
  AMBIENT = 'ambient',
}

/**
 * Where Istio ambient waypoints are deployed, when a pattern needs L7 processing.
 */
export enum IstioWaypointScope {
  /**
   * One waypoint for the namespace (`waypoint`, `istio.io/use-waypoint` on the Namespace): every Service
   * of the namespace then passes it, and every authorization rule of the namespace is enforced there.
   */
  NAMESPACE = 'namespace',
  /**
   * A waypoint per Service that needs L7 (`<service>-waypoint`, `istio.io/use-waypoint` on the Service
   * object, so references need `ServiceRef.fromService`): other Services keep L4-only processing by ztunnel.
   */
  SERVICE = 'service',
}

/**
 * Which route API Linkerd configuration is written with.
 */
export enum LinkerdRouteApi {
  /** `gateway.networking.k8s.io/v1` HTTPRoute (Linkerd 2.14+, the documented default). */
  GATEWAY_API = 'gateway-api',
  /** `policy.linkerd.io/v1beta3` HTTPRoute, for clusters without the Gateway API CRDs. */
  POLICY = 'policy',
}

/**
 * Linkerd's default inbound policy (`config.linkerd.io/default-inbound-policy`, or the Helm value
 * `proxy.defaultInboundPolicy`): what a port without an explicit authorization allows.
 */
export enum LinkerdInboundPolicy {
  /** Any client, meshed or not (Linkerd's install default). */
  ALL_UNAUTHENTICATED = 'all-unauthenticated',
  /** Only meshed (mTLS) clients from any cluster. */
  ALL_AUTHENTICATED = 'all-authenticated',
  /** Only meshed clients of this cluster. */
  CLUSTER_AUTHENTICATED = 'cluster-authenticated',
  /** Any client of this cluster's network. */
  CLUSTER_UNAUTHENTICATED = 'cluster-unauthenticated',
  /** No client. */
  DENY = 'deny',
  /** Allow every client, but log what `deny` would refuse. */
  AUDIT = 'audit',
}

/**
 * What a Consul chart does with the config entries that are one per datacenter (or admin partition)
 * rather than the app's: `ProxyDefaults global`, `Mesh mesh`, `ExportedServices default`, the
 * terminating gateway's entry, JWT providers, and (on Community Edition, which has no namespaces)
 * the `*` → `*` default-deny intention.
 */
export enum ConsulDatacenterWideEntries {
  /**
   * Written by the chart, with a warning at synthesis naming each: a second app (or the operator's own
   * entry) of the same name is rejected or overwritten, and the default deny applies to every service.
   */
  WRITE_WITH_WARNING = 'write-with-warning',
  /** Written by the chart, acknowledged: this chart is the platform's, the one owner of these entries. */
  WRITE = 'write',
  /**
   * Not written: the platform team owns them. The patterns warn what each entry must contain for them
   * to work (e.g. the terminating gateway's services, the exported services).
   */
  OMIT = 'omit',
}

/**
 * Mesh-wide settings of an Istio mesh.
 */
export interface IstioMeshOptions {
  /**
   * The cluster's DNS domain, used to write fully qualified hosts.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The mesh's trust domain (MeshConfig `trustDomain`), used in principals.
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The root namespace (MeshConfig `rootNamespace`): policies there apply mesh-wide.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * The data plane the workloads run on.
   * @default IstioDataPlane.SIDECAR
   */
  readonly dataPlane?: IstioDataPlane;
  /**
   * Ambient only: where waypoints are deployed when a pattern needs L7 processing.
   * @default IstioWaypointScope.NAMESPACE
   */
  readonly waypointScope?: IstioWaypointScope;
  /**
   * Sidecar only: the istiod revision (or revision tag, e.g. `prod-stable`) whose injector the workloads
   * use. Namespaces are then enrolled with `istio.io/rev: <revision>` instead of `istio-injection: enabled`
   * (the two exclude each other: `istio-injection` wins). See docs/enrolment.md.
   * @default - the default revision (`istio-injection: enabled`)
   */
  readonly revision?: string;
}

/**
 * Mesh-wide settings of a Linkerd mesh.
 */
export interface LinkerdMeshOptions {
  /**
   * The cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * The identity trust domain (`identityTrustDomain` in the Linkerd install).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The route API to write.
   * @default LinkerdRouteApi.GATEWAY_API
   */
  readonly routeApi?: LinkerdRouteApi;
  /**
   * The cluster's default inbound policy. Used as the `accessPolicy` of the `Server`s this library
   * has to create (e.g. to attach a rate limit), so that creating one does not change who may connect
   * (in a namespace whose default a ZeroTrustNamespace of the app sets, that namespace's default).
   * @default LinkerdInboundPolicy.ALL_UNAUTHENTICATED, Linkerd's install default (a warning asks to
   * declare it when a Server is created with it)
   */
  readonly defaultInboundPolicy?: LinkerdInboundPolicy;
  /**
   * The Prometheus that scrapes the Linkerd proxies' metrics and evaluates the canary alerts: a
   * prometheus-operator Prometheus (linkerd-viz's own Prometheus loads no PrometheusRule, and its admin
   * Server admits only linkerd-viz's metrics-api, so it cannot be federated from either). Under a `deny`
   * default (ZeroTrustNamespace STRICT), its service account is authorized on the proxies' `/metrics`
   * besides linkerd-viz's Prometheus (AuthorizationPolicy `prometheus-scrape-operator`). Its pods must be
   * meshed (pod annotation `linkerd.io/inject: enabled`, e.g. kube-prometheus-stack's
   * `prometheus.prometheusSpec.podMetadata.annotations`): an unmeshed Prometheus has no identity to authorize.
   * @default - linkerd-viz's Prometheus only (`linkerd-viz/prometheus`), which cannot evaluate the canary
   * alerts (a CanaryRelease with a health alert warns)
   */
  readonly prometheus?: LinkerdPrometheus;
}

/**
 * The service account a Prometheus runs as (its identity in the mesh).
 */
export interface LinkerdPrometheus {
  /** The Prometheus pods' namespace, e.g. `monitoring`. */
  readonly namespace: string;
  /**
   * Their service account: prometheus-operator's `Prometheus.spec.serviceAccountName`
   * (kube-prometheus-stack: `<fullname>-prometheus`, e.g. `kube-prometheus-stack-prometheus`).
   */
  readonly serviceAccount: string;
}

/**
 * Mesh-wide settings of a Consul mesh.
 */
export interface ConsulMeshOptions {
  /**
   * The cluster's DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Whether the Consul servers run Consul Enterprise. Some settings (e.g. instance-level rate limits,
   * admin partitions) exist only there; on Community Edition they are refused.
   * @default false
   */
  readonly enterprise?: boolean;
  /**
   * What the charts do with the entries that are one per datacenter (ProxyDefaults global, Mesh mesh,
   * ExportedServices default, terminating gateways, JWT providers, the CE-wide default deny).
   * @default ConsulDatacenterWideEntries.WRITE_WITH_WARNING
   */
  readonly datacenterWideEntries?: ConsulDatacenterWideEntries;
}

/**
 * The service mesh a chart is written for, with its mesh-wide settings.
 *
 * @example
 * import { Mesh } from 'cdk8s-mesh';
 *
 * const mesh = Mesh.istio({ trustDomain: 'prod.example.com' });
 */
export class Mesh {
  /** An Istio mesh. */
  public static istio(options: IstioMeshOptions = {}): Mesh {
    const revision = options.revision;
    if (revision !== undefined) {
      if (typeof revision !== 'string' || revision.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(revision)) {
        throw meshError(`Mesh.istio: ${propMessage('revision', revision, 'an Istio revision or revision tag is a label value of istio.io/rev (lower-case letters, digits and \'-\', at most 63 characters)', "use the revision istiod was installed with, e.g. revision: '1-30-3' or a tag such as 'prod-stable'")}`);
      }
      if (options.dataPlane === IstioDataPlane.AMBIENT) {
        throw meshError(`Mesh.istio: ${propMessage('revision', revision, 'the ambient data plane is enrolled with istio.io/dataplane-mode: ambient, and this library writes no revision labels for ambient', 'leave revision out for IstioDataPlane.AMBIENT')}`);
      }
    }
    return new Mesh(MeshKind.ISTIO, options.clusterDomain ?? 'cluster.local', options.trustDomain ?? 'cluster.local', {
      rootNamespace: options.rootNamespace ?? 'istio-system',
      istioDataPlane: options.dataPlane ?? IstioDataPlane.SIDECAR,
      istioWaypointScope: options.dataPlane === IstioDataPlane.AMBIENT ? options.waypointScope ?? IstioWaypointScope.NAMESPACE : undefined,
      istioRevision: revision,
    });
  }

  /** A Linkerd mesh. */
  public static linkerd(options: LinkerdMeshOptions = {}): Mesh {
    return new Mesh(MeshKind.LINKERD, options.clusterDomain ?? 'cluster.local', options.trustDomain ?? 'cluster.local', {
      linkerdRouteApi: options.routeApi ?? LinkerdRouteApi.GATEWAY_API,
      linkerdInboundPolicy: options.defaultInboundPolicy ?? LinkerdInboundPolicy.ALL_UNAUTHENTICATED,
      linkerdInboundPolicyDeclared: options.defaultInboundPolicy !== undefined,
      linkerdPrometheus: options.prometheus,
    });
  }

  /** A Consul mesh. */
  public static consul(options: ConsulMeshOptions = {}): Mesh {
    const dc = options.datacenterWideEntries;
    if (dc !== undefined && !Object.values(ConsulDatacenterWideEntries).includes(dc)) {
      throw meshError(`Mesh.consul: datacenterWideEntries: got ${JSON.stringify(dc)}: not a ConsulDatacenterWideEntries value; use ConsulDatacenterWideEntries.WRITE_WITH_WARNING, WRITE or OMIT`);
    }
    return new Mesh(MeshKind.CONSUL, options.clusterDomain ?? 'cluster.local', 'consul', {
      consulEnterprise: options.enterprise ?? false,
      consulDatacenterWide: options.datacenterWideEntries ?? ConsulDatacenterWideEntries.WRITE_WITH_WARNING,
    });
  }

  /**
   * A mesh whose renderers are its own (a mesh defined outside src/meshes/, e.g. the stub mesh of the
   * tests): `renderers` is a MeshRenderers (src/meshes/renderer.ts), which says how it enrols namespaces
   * too (its `enrolment`); `kind` is only what `mesh.kind` returns (and the factory that the messages about
   * the mesh's options name): no pattern or renderer branches on it. See docs/architecture.md, "Adding a mesh".
   * @internal
   */
  public static _withRenderers(kind: MeshKind, renderers: { readonly displayName: string }): Mesh {
    const mesh = new Mesh(kind, 'cluster.local', 'cluster.local', {});
    (mesh as { _renderers?: object })._renderers = renderers;
    return mesh;
  }

  /** Which mesh. */
  public readonly kind: MeshKind;
  /** The cluster's DNS domain. */
  public readonly clusterDomain: string;
  /** The identity trust domain. */
  public readonly trustDomain: string;
  /** Istio's root namespace (Istio only). */
  public readonly rootNamespace?: string;
  /** Istio's data plane (Istio only). */
  public readonly istioDataPlane?: IstioDataPlane;
  /** Where ambient waypoints are deployed (Istio ambient only). */
  public readonly istioWaypointScope?: IstioWaypointScope;
  /** The istiod revision (or revision tag) sidecars are injected by (Istio sidecar only). */
  public readonly istioRevision?: string;
  /** The Linkerd route API (Linkerd only). */
  public readonly linkerdRouteApi?: LinkerdRouteApi;
  /** Linkerd's default inbound policy (Linkerd only). */
  public readonly linkerdInboundPolicy?: LinkerdInboundPolicy;
  /** The Prometheus that scrapes the proxies and evaluates the canary alerts (Linkerd only). */
  public readonly linkerdPrometheus?: LinkerdPrometheus;
  /** Whether Consul Enterprise features may be used (Consul only). */
  public readonly consulEnterprise?: boolean;
  /**
   * Whether `defaultInboundPolicy` was given to `Mesh.linkerd` (Linkerd only).
   * @internal
   */
  public readonly _linkerdInboundPolicyDeclared?: boolean;
  /** What Consul charts do with datacenter-wide config entries (Consul only). */
  public readonly consulDatacenterWide?: ConsulDatacenterWideEntries;
  /**
   * The renderers of a mesh made by `_withRenderers` (a MeshRenderers); the built-in meshes' are in src/meshes/.
   * @internal
   */
  public readonly _renderers?: { readonly displayName: string };

  private constructor(kind: MeshKind, clusterDomain: string, trustDomain: string, extra: {
    rootNamespace?: string;
    istioDataPlane?: IstioDataPlane;
    istioWaypointScope?: IstioWaypointScope;
    istioRevision?: string;
    linkerdRouteApi?: LinkerdRouteApi;
    linkerdInboundPolicy?: LinkerdInboundPolicy;
    linkerdInboundPolicyDeclared?: boolean;
    linkerdPrometheus?: LinkerdPrometheus;
    consulEnterprise?: boolean;
    consulDatacenterWide?: ConsulDatacenterWideEntries;
  }) {
    this.kind = kind;
    this.clusterDomain = clusterDomain;
    this.trustDomain = trustDomain;
    this.rootNamespace = extra.rootNamespace;
    this.istioDataPlane = extra.istioDataPlane;
    this.istioWaypointScope = extra.istioWaypointScope;
    this.istioRevision = extra.istioRevision;
    this.linkerdRouteApi = extra.linkerdRouteApi;
    this.linkerdInboundPolicy = extra.linkerdInboundPolicy;
    this.consulEnterprise = extra.consulEnterprise;
    this._linkerdInboundPolicyDeclared = extra.linkerdInboundPolicyDeclared;
    this.linkerdPrometheus = extra.linkerdPrometheus;
    this.consulDatacenterWide = extra.consulDatacenterWide;
  }

  /** Whether this is an Istio mesh on the ambient data plane. */
  public get ambient(): boolean {
    return this.istioDataPlane === IstioDataPlane.AMBIENT;
  }

  /**
   * Problems with the mesh options, as messages naming `mesh.<option>` (reported by each construct that
   * uses the mesh, with its path: a Mesh is a value made before any construct).
   * @internal
   */
  public _problems(): string[] {
    const out: string[] = [];
    const factory = `Mesh.${this.kind}`;
    // Istio validates the trust domain label by label as DNS-1123 labels (pkg/config/validation/agent
    // ValidateTrustDomain); Linkerd's identityTrustDomain and the kubelet's clusterDomain are DNS names too.
    for (const option of ['clusterDomain', 'trustDomain'] as const) {
      if (option === 'trustDomain' && this.kind === MeshKind.CONSUL) continue; // fixed: Consul has no such option here
      const problem = domainProblem(this[option]);
      if (problem) out.push(propMessage(`mesh.${option}`, this[option], problem, `pass ${factory}({ ${option}: '${option === 'trustDomain' ? 'prod.example.com' : 'cluster.local'}' }), the value your mesh is installed with`));
    }
    const enums: [string, unknown, object, string][] = [
      ['dataPlane', this.istioDataPlane, IstioDataPlane, 'IstioDataPlane.SIDECAR or IstioDataPlane.AMBIENT'],
      ['waypointScope', this.istioWaypointScope, IstioWaypointScope, 'IstioWaypointScope.NAMESPACE or IstioWaypointScope.SERVICE'],
      ['routeApi', this.linkerdRouteApi, LinkerdRouteApi, 'LinkerdRouteApi.GATEWAY_API or LinkerdRouteApi.POLICY'],
      ['defaultInboundPolicy', this.linkerdInboundPolicy, LinkerdInboundPolicy, 'a LinkerdInboundPolicy, e.g. LinkerdInboundPolicy.ALL_UNAUTHENTICATED'],
    ];
    for (const [option, value, values, fix] of enums) {
      if (value !== undefined && !Object.values(values).includes(value)) out.push(propMessage(`mesh.${option}`, value, `not a ${option} value`, `use ${fix}`));
    }
    if (this.consulEnterprise !== undefined && typeof this.consulEnterprise !== 'boolean') {
      out.push(propMessage('mesh.enterprise', this.consulEnterprise, 'not a boolean', 'pass Mesh.consul({ enterprise: true }) for Consul Enterprise, or leave it out'));
    }
    const prom = this.linkerdPrometheus;
    if (prom !== undefined) {
      if (!isDns1123Label(prom?.namespace)) {
        out.push(propMessage('mesh.prometheus.namespace', prom?.namespace, 'a namespace is a DNS-1123 label', "pass Mesh.linkerd({ prometheus: { namespace: 'monitoring', serviceAccount: 'kube-prometheus-stack-prometheus' } })"));
      }
      if (!isDns1123Subdomain(prom?.serviceAccount)) {
        out.push(propMessage('mesh.prometheus.serviceAccount', prom?.serviceAccount, 'a service account name is a DNS-1123 subdomain', "pass the Prometheus pods' service account, e.g. 'kube-prometheus-stack-prometheus'"));
      }
    }
    if (this.rootNamespace !== undefined && !isDns1123Label(this.rootNamespace)) {
      out.push(propMessage('mesh.rootNamespace', this.rootNamespace, 'a namespace is a DNS-1123 label', `pass ${factory}({ rootNamespace: 'istio-system' })`));
    }
    return out;
  }

  /** The display name of the mesh, for messages. */
  public get displayName(): string {
    if (this._renderers !== undefined) return this._renderers.displayName;
    return this.ambient ? 'Istio ambient' : { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul' }[this.kind];
  }
}
