import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import type * as argo from '../imports/argo-rollouts';
import type * as flagger from '../imports/flagger';
import type { Identity } from '../model/identity';
import type { JwtAuthentication } from '../model/jwt';
import type { MatchType } from '../model/matches';
import { Mesh } from '../model/mesh';
import { MatchIntent, ResilienceIntent } from '../model/route-intent';
import type { ServiceRef } from '../model/service';
import { TrafficModel, VersionIntent, WeightedVersion } from '../model/traffic';
import { PropProblem, Unsupported } from '../model/unsupported';
import type { ArgoAnalysisIntent, ArgoRoutingIntent, CanaryAlertIntent, CanaryControllerIntent, CanaryOwnedSetting, CanaryReleaseIntent } from '../patterns/canary/intent';
import type { EgressIntent, EgressOwnedSetting } from '../patterns/egress/intent';
import type { FaultInjectionIntent } from '../patterns/fault/intent';
import type { IngressIntent, IngressOwnedSetting } from '../patterns/ingress/intent';
import type { IngressApi } from '../patterns/ingress/props';
import type { MultiClusterIntent, MultiClusterOwnedSetting } from '../patterns/multicluster/intent';
import type { VersionedRoutingIntent } from '../patterns/routing/intent';
import type { TelemetryIntent } from '../patterns/telemetry/intent';
import type { TrafficContributor, TrafficTarget } from '../patterns/traffic/intent';
import type { ZeroTrustIntent, ZeroTrustOwnedSetting } from '../patterns/zero-trust/intent';
import type { PodTemplate } from '../private/k8s-objects';

/** What a renderer gets besides the intent. */
export interface RenderContext {
  /** The mesh (its options: trust domain, data plane, route API ...). */
  readonly mesh: Mesh;
  /**
   * Settings left out on purpose (UnsupportedSettings.DROP_WITH_WARNING), for the
   * `cdk8s-mesh.io/dropped-settings` annotation of the objects written.
   */
  readonly droppedNote?: string;
  /** Records and prints a warning of the pattern construct (MeshConstruct._warn). */
  readonly warn: (message: string) => void;
}

/**
 * The one interface of a mesh's renderer for one pattern: the settings of the pattern's mesh-neutral intent
 * the mesh cannot express, and the mesh's objects for it, written under `scope` (the pattern construct, or
 * a scope it names). The shared per-service routing objects have an interface of their own (TrafficRenderer).
 *
 * Every pattern asks the hooks the same way (`MeshConstruct._askMesh` for the optional two), in this order:
 * once its own prop checks have passed, `warnings`, then `problems` (added to the construct's problems of
 * the same batch), then `unsupported` (refused with those problems, or dropped with a warning), then
 * `render`. Where a pattern asks a hook at another point, to keep the order of its messages:
 * - ZeroTrustNamespace: `warnings` and `problems` with its JWT checks (on the rules as given, before its
 *   STRICT mTLS checks), `unsupported` on the rules sorted;
 * - MultiClusterExport: `warnings` and `problems` after `istioEastWestGateway`'s type check, before
 *   `consulSamenessGroup`'s;
 * - IngressGateway: `problems` after the unsupported settings are refused or dropped;
 * - ResilientService with DROP_WITH_WARNING and retries: `unsupported` also before its prop checks, of the
 *   rules not split by method, for the retry policies it names whole (a rule's `retrySource`: left out, their
 *   rules are built as without retries); it must name them the same way when asked again of the final rules;
 * - CanaryRelease with static steps: `problems` (then the mesh-owned settings the renderer does not read,
 *   CanaryRenderer.reads) after `unsupported` and the release's warning about a mirror at 100%, before the
 *   unsupported settings are refused or dropped; a release carried out by a
 *   controller asks the controller's member instead (CanaryRenderer.flagger or argoRollouts: `refusal`,
 *   `unsupported`, flagger's `warnings`; then CanaryRenderer.renderController);
 * - the per-service traffic (TrafficRenderer, not a PatternRenderer) is asked `joinProblem` on every join,
 *   `precedenceProblem` and `render`; the patterns that contribute to it ask their own renderers.
 */
export interface PatternRenderer<I, S extends IConstruct = IConstruct> {
  /** The settings of the intent this mesh cannot express (the construct refuses or drops them). */
  unsupported(intent: I, context: RenderContext): Unsupported[];
  /** Writes the mesh's objects for the intent under `scope`. */
  render(scope: S, intent: I, context: RenderContext): void;
  /**
   * Warns (through `context.warn`) about settings this mesh writes but may not act on as meant; asked once,
   * after the construct's prop checks and before the unsupported settings are refused or dropped (see
   * above for where). Default: none.
   */
  warnings?(intent: I, context: RenderContext): void;
  /**
   * The mesh's own checks of the intent's values, added to the construct's problems and thrown with them (see
   * above for where). Another mesh's settings are not refused here: the pattern declares them (`*_OWNED`),
   * and the construct refuses those the renderer does not list in `reads`. Default: none.
   */
  problems?(intent: I, context: RenderContext): PropProblem[];
}

/**
 * ZeroTrustNamespace: the namespace's policies, and the mesh-owned settings the renderer reads
 * (ZERO_TRUST_OWNED); the construct refuses the others that are set, with its JWT checks.
 */
export interface ZeroTrustRenderer extends PatternRenderer<ZeroTrustIntent> {
  readonly reads: readonly ZeroTrustOwnedSetting[];
  /**
   * Whether the renderer notes a dropped setting itself (in `render`, from `context.droppedNote`), on the
   * object the setting would have been written to (Consul: `jwt.*` on the JWTProvider, a chart-wide
   * entry); the construct notes the others on its own objects. Default: none.
   */
  notesOwn?(setting: string, context: RenderContext): boolean;
}

/**
 * EgressPolicy: the namespace's egress objects, and the mesh-owned settings the renderer reads
 * (EGRESS_OWNED); the construct refuses the others that are set, after the renderer's own unsupported settings.
 */
export interface EgressRenderer extends PatternRenderer<EgressIntent> {
  readonly reads: readonly EgressOwnedSetting[];
}

/**
 * The routing objects of one service in one chart (Istio VirtualService and DestinationRule, Gateway API
 * HTTPRoutes, Consul ServiceRouter ...), rendered from the traffic model every pattern shaping the service
 * contributes to (ServiceTraffic). It is not a PatternRenderer: no user construct stands for it, so it has no
 * settings of its own to refuse (each contributing pattern's renderer lists what that pattern's props ask
 * that the mesh cannot express), and a mesh without it refuses every pattern that contributes, in that
 * pattern's name (`[<construct>] mesh: got "<mesh>": <mesh> cannot express ResilientService; ...`).
 */
export interface TrafficRenderer {
  /**
   * Writes the objects the model needs under `scope`. Called each time a pattern joins (the model grows with
   * every contribution, and an object may be needed only once a later pattern joins), so it must:
   * - write only the objects that do not exist yet (`scope.node.tryFindChild(id)` before `new`): a second
   *   `new` of one id throws "There is already a Construct with name";
   * - render their specs lazily (`Lazy.any({ produce: () => ... model() ... })`): `model()` read at synthesis
   *   holds every contribution, `model()` read now only those so far;
   * - hand each object to `scope.adopt` (the dropped-settings and step annotations).
   * Objects are never removed (no contribution takes anything away). `context.warn` is the joining
   * pattern's: a warning given here is printed once per join, under that pattern's path.
   */
  render(scope: TrafficTarget, model: () => TrafficModel, context: RenderContext): void;
  /**
   * Whether a dropped setting (the `setting` of a `setting=value` entry of the dropped-settings note of the
   * contributing pattern `from`, with the combined `model`) belongs on an object: the object the setting would have been written to;
   * a setting no routing object would hold is noted by the pattern's own renderer (on its own objects, or
   * on the pattern's primary object when the mesh writes none for it: docs/architecture.md). Without it,
   * every routing object carries every dropped setting.
   */
  droppedOn?(obj: ApiObject, setting: string, from: TrafficContributor, model: TrafficModel): boolean;
  /**
   * Why this mesh cannot write the service's contributions together (e.g. faults beside routes), checked each
   * time a pattern joins (resilience, canary, version routing, faults, failover), before their matches are
   * combined; undefined: it can. The construct throws it as `[<joining pattern>] service: got <service>: <problem>`.
   */
  joinProblem?(traffic: TrafficTarget, model: TrafficModel, context: RenderContext): string | undefined;
  /**
   * Why the routes this mesh writes from the combined matches would give some requests another rule's
   * settings (its match precedence), checked after the matches are combined, before rendering; undefined:
   * they would not. Thrown as `joinProblem`'s. Meshes that read Gateway API HTTPRoutes derive it from their
   * precedence object (meshes/gateway-api/precedence.ts crossedPrecedenceProblem).
   */
  precedenceProblem?(traffic: TrafficTarget, model: TrafficModel, context: RenderContext): string | undefined;
}

/**
 * MultiClusterExport: the objects of each cluster, and what the construct reads of the mesh around them
 * (the mesh-owned settings it reads, and what the exporters' warning names).
 */
export interface MultiClusterRenderer extends PatternRenderer<MultiClusterIntent> {
  /**
   * The mesh-owned settings this renderer reads (MULTI_CLUSTER_OWNED); the construct refuses the others that
   * are set, in the mesh's name (dropped with UnsupportedSettings.DROP_WITH_WARNING where the declaration
   * allows it). The renderer's own refusals say themselves whether they can be dropped (`keep`).
   */
  readonly reads: readonly MultiClusterOwnedSetting[];
  /**
   * What an exporting cluster's namespace lacks without a ZeroTrustNamespace (`no default deny and no
   * STRICT mTLS`), in the warning given at synthesis for each such export; undefined: no warning (the
   * mesh's deny by default is not a namespace's).
   */
  readonly withoutZeroTrust: string | undefined;
}

/**
 * IngressGateway: the gateway objects and routes, and what the construct reads of the mesh before it
 * renders (its defaults and the identity the gateway calls the services with).
 */
export interface IngressRenderer extends PatternRenderer<IngressIntent> {
  /**
   * The mesh-owned settings this renderer reads (INGRESS_OWNED); the construct refuses the others that are
   * set, before the renderer's own unsupported settings.
   */
  readonly reads: readonly IngressOwnedSetting[];
  /** The GatewayClass when the props name none; without it, `noGatewayClass` says why one is required. */
  readonly defaultGatewayClassName?: string;
  /** Why a GatewayClass must be named, and how (a mesh without `defaultGatewayClassName`). */
  readonly noGatewayClass?: { readonly why: string; readonly fix: string };
  /**
   * The mesh's checks of the `jwt` values it reads, made with the construct's own JWT checks (before the
   * intent is built); what the mesh does not read, `unsupported` lists instead. Default: none.
   */
  jwtProblems?(jwt: JwtAuthentication, context: RenderContext): PropProblem[];
  /** The API written when the props name none. */
  defaultApi(mesh: Mesh): IngressApi;
  /** The identity the gateway calls the services with, when the props name none; undefined: unknown. */
  callerIdentity(intent: IngressIntent, context: RenderContext): Identity | undefined;
}

/**
 * A CanaryRelease health alert in the mesh's metric names (PromQL): the release writes the PrometheusRule
 * (its alerts, thresholds, `for`, labels and texts) around these.
 */
export interface CanaryAlertQueries {
  /** The canary's share of failed requests over the window, from 0 to 1. */
  readonly errorRatio: string;
  /** The canary's 99th-percentile latency over the window, in seconds. */
  readonly p99Seconds: string;
  /**
   * What the error-rate alert counts as a failure, in its summary and description.
   * @default '5xx'
   */
  readonly failures?: string;
  /**
   * Where the metrics may be missing (the alerts above would then stay silent): a rule `absent(<series>)`
   * with this summary and description, which says how to get the metrics.
   */
  readonly absent?: { readonly series: string; readonly summary: string; readonly description: string };
}

/**
 * The analysis metrics of a Flagger release's health alert: Flagger's built-in metrics of the mesh's provider
 * (their names), or MetricTemplates of the mesh's queries (Flagger's `{{ namespace }}`, `{{ target }}` and
 * `{{ interval }}` variables) on a Prometheus. The release writes the templates and `analysis.metrics`.
 */
export type FlaggerMetricQueries =
  | { readonly builtin: { readonly successRate: string; readonly latency: string } }
  | { readonly templates: { readonly defaultAddress: string; readonly successRate: string; readonly latency: string } };

/**
 * What a controller (Flagger, Argo Rollouts) cannot do on a mesh: the hooks both controllers' members share.
 * A mesh without the member is refused with "<mesh> cannot express a release carried out by <controller>".
 */
export interface ControllerOnMeshRenderer {
  /** Not set on a router: only a ControllerRefusedByMesh says it refuses every release. */
  readonly refusesEveryRelease?: undefined;
  /**
   * Why the mesh (or its options) refuses the controller altogether, on which prop (Istio ambient: Flagger
   * with a waypoint per Service). Asked first, before the release's own controller checks; refused at once.
   * @default - the mesh takes the controller
   */
  refusal?(intent: CanaryControllerIntent, context: RenderContext): PropProblem | undefined;
  /**
   * The settings the controller cannot express on this mesh, after the controller's own (Flagger: the A/B
   * mirror, which replaces this list; Argo Rollouts: multi-header matches). Refused or dropped as
   * `<controller> on <mesh> cannot express this (<why>)`; one with `keep` is refused even with
   * UnsupportedSettings.DROP_WITH_WARNING, as every pattern's.
   * @default - none
   */
  unsupported?(intent: CanaryControllerIntent, context: RenderContext): Unsupported[];
}

/**
 * A controller the mesh refuses in its own words whatever the release (Consul: neither controller has a
 * Consul router): only its `refusal`, which always refuses.
 */
export interface ControllerRefusedByMesh {
  /** What tells it from the controller's router (FlaggerMeshRenderer, ArgoRolloutsMeshRenderer). */
  readonly refusesEveryRelease: true;
  refusal(intent: CanaryControllerIntent, context: RenderContext): PropProblem;
}

/**
 * Flagger on a mesh: the router of the Canary (Flagger writes the routing objects) and the metrics of the
 * health alert. The release writes the Canary (target, service, analysis, steps) around these.
 */
export interface FlaggerMeshRenderer extends ControllerOnMeshRenderer {
  /** The Canary's `spec.provider`. */
  readonly provider: flagger.CanarySpecProvider;
  /** The Canary's `spec.service.gatewayRefs` (a Gateway API router's parents), if any. */
  gatewayRefs?(intent: CanaryControllerIntent): flagger.CanarySpecServiceGatewayRefs[];
  /** A test request's header condition in `analysis.match`, as the provider's router maps it. */
  headerMatch(header: { readonly type: MatchType; readonly value: string }): { [key: string]: string };
  /** The health alert's analysis metrics on this mesh. */
  metrics(context: RenderContext): FlaggerMetricQueries;
  /**
   * Warns (through `context.warn`) about what Flagger does on this mesh other than the props say (Istio: it
   * mirrors for the first analysis interval only); called after the release's warning about the analysis
   * interval and before its warning about the last weight, before the unsupported settings are refused or
   * dropped. Default: none.
   */
  warnings?(intent: CanaryControllerIntent, context: RenderContext): void;
}

/** One condition of an Argo `setHeaderRoute` (a test request's header). */
type ArgoHeaderMatch = argo.RolloutSpecStrategyCanaryStepsSetHeaderRouteMatch;

/** The queries of an Argo Rollouts AnalysisTemplate (the canary's failed share, 0 to 1; its p99 latency in seconds). */
export interface ArgoAnalysisQueries {
  /** The Prometheus the queries go to when the delivery names none (`prometheusAddress`). */
  readonly defaultAddress: string;
  readonly errorRatio: string;
  readonly p99Seconds: string;
}

/**
 * Argo Rollouts on a mesh: the routing object the Rollout edits, how its test requests become managed
 * routes, and the health alert's queries. The release writes the stable and canary Services, the
 * AnalysisTemplate and the Rollout (steps, managedRoutes) around these.
 */
export interface ArgoRolloutsMeshRenderer extends ControllerOnMeshRenderer {
  /**
   * Writes the routing object the Rollout edits (every request to the stable Service) and returns the
   * Rollout's `trafficRouting` for it (the release adds `managedRoutes`).
   */
  renderRouting(scope: IConstruct, intent: ArgoRoutingIntent, context: RenderContext): argo.RolloutSpecStrategyCanaryTrafficRouting;
  /**
   * The `setHeaderRoute` steps of the test requests (one match each, any of which sends a request to the
   * canary): one managed route with every match where the router ORs them, else one route per match.
   */
  headerRoutes(name: string, matches: ArgoHeaderMatch[]): { readonly name: string; readonly match: ArgoHeaderMatch[] }[];
  /** The AnalysisTemplate's queries of the canary's requests, and the Prometheus they go to when the delivery names none. */
  analysisQueries(intent: ArgoAnalysisIntent, context: RenderContext): ArgoAnalysisQueries;
}

/**
 * The versions of one service on a mesh, as CanaryRelease (stable and canary) and VersionedRouting (its
 * versions) both ask them: a mesh implements them once, and both renderers extend this. A hook left out
 * checks or marks nothing.
 */
export interface VersionsRenderer {
  /**
   * Why a version's label key cannot be used on this mesh (after the Kubernetes checks), on `prop` (the
   * version's `labelKey` prop, e.g. `canary.labelKey`).
   */
  versionLabelKeyProblems?(prop: string, labelKey: string): PropProblem[];
  /**
   * The mesh's marks on a version's pods: on the Deployment given, or, without one, a warning (context.warn)
   * saying what to add; `fromDeployment` names the pattern's factory that does it for the user (e.g.
   * `ServiceVersion.fromDeployment`).
   */
  prepareVersion?(deployment: PodTemplate | undefined, version: VersionIntent, context: RenderContext, fromDeployment: string): void;
}

/**
 * CanaryRelease: with static steps, the checks and objects of the mesh around the routes (which the traffic
 * renderer writes from the release's CanaryIntent) and the health alert's queries; with a controller
 * (Flagger, Argo Rollouts), what the controller cannot do on the mesh, and its router and metrics there.
 * The construct keeps the mesh-neutral checks and their order, and writes the PrometheusRule, the Canary,
 * the Rollout and the AnalysisTemplate around what the mesh returns.
 */
export interface CanaryRenderer extends PatternRenderer<CanaryReleaseIntent>, VersionsRenderer {
  /**
   * Flagger on this mesh, or its refusal in the mesh's words. Without it, a Flagger release is refused:
   * "<mesh> cannot express a release carried out by Flagger".
   */
  readonly flagger?: FlaggerMeshRenderer | ControllerRefusedByMesh;
  /**
   * Argo Rollouts on this mesh, or its refusal in the mesh's words. Without it, an Argo Rollouts release is
   * refused: "<mesh> cannot express a release carried out by Argo Rollouts".
   */
  readonly argoRollouts?: ArgoRolloutsMeshRenderer | ControllerRefusedByMesh;
  /**
   * The mesh-owned settings this renderer reads (CANARY_OWNED: Linkerd's `smiTrafficSplit`, in
   * `intent.canary.smi`); a release with static steps refuses the others that are set, in the mesh's name,
   * with the mesh's own checks (`problems`).
   */
  readonly reads: readonly CanaryOwnedSetting[];
  /** A warning on the health alert's PrometheusRule on this mesh, if any. */
  alertWarning?(context: RenderContext): string | undefined;
  /** The health alert's queries (static steps), in the mesh's metric names. */
  alertQueries(intent: CanaryAlertIntent, context: RenderContext): CanaryAlertQueries;
  /** The objects the alert's metrics need (e.g. a PodMonitor of the proxies), written before the PrometheusRule. */
  renderAlertMetrics?(scope: IConstruct, intent: CanaryAlertIntent, context: RenderContext): void;
  /** The mesh's objects a controller's release needs besides the controller's (e.g. the waypoint enrolment). */
  renderController?(scope: IConstruct, intent: CanaryControllerIntent, context: RenderContext): void;
}

/**
 * How a mesh picks among version routes that match one request, when it does not take the first in order
 * (Gateway API HTTPRoutes take the most specific). The meshes that read HTTPRoutes give one object per mesh
 * (`GammaPrecedence`, meshes/gateway-api/precedence.ts: the rank of a match and its wording), from which
 * both checks derive: this one (VersionedRouting's route order) and their TrafficRenderer.precedenceProblem.
 */
export interface RoutePrecedence {
  /** How the mesh routes, in the refusal: `<mesh> <routesBy> (<the ranking>): a request that matches both ...`. */
  readonly routesBy: string;
  /**
   * Whether a request that matches both goes to `later`'s route despite the order: the ranking in words
   * (the refusal's parenthesis) if it does, undefined if `earlier`'s route keeps it.
   */
  outranks(later: MatchIntent, earlier: MatchIntent): string | undefined;
}

/** The setting and value a pattern asks a mesh about, for the refusals it returns (`{ ...given, why, alternative }`). */
export type SettingGiven = Pick<Unsupported, 'setting' | 'value'>;

/**
 * VersionedRouting: the mesh's checks of the versions and routes (each called where the construct checks
 * that prop, so that the messages keep their order), the mesh's marks on the versions' pods, and its objects
 * around the routes (which the traffic renderer writes from the routing intent). The construct keeps the
 * mesh-neutral checks and their order; a hook left out checks nothing (the mesh takes every value).
 */
export interface RoutingRenderer extends PatternRenderer<VersionedRoutingIntent>, VersionsRenderer {
  /** How the mesh picks among overlapping routes; undefined: the first in order, as the props give them. */
  readonly precedence?: RoutePrecedence;
  /**
   * What the mesh cannot express of a version by a Service of its own (ServiceVersion.fromService): `given`
   * is the version's setting and value, which each returned refusal carries. Refused on that version as
   * `<mesh> cannot express this (<why>)`, never dropped (there would be no version left).
   */
  serviceVersionUnsupported?(given: SettingGiven, version: string, versionService: ServiceRef): Unsupported[];
  /** The mesh's checks of a version's own Service (after that Service's own checks); `prop` is the version's, e.g. `versions[2]`. */
  serviceVersionProblems?(prop: string, versionService: ServiceRef, service: ServiceRef): PropProblem[];
  /**
   * What the mesh cannot express of one route's split (a weighted set of versions): `given` is the route's
   * `split` setting and value, which each returned refusal carries. Refused as `<mesh> cannot express this
   * (<why>)`, never dropped.
   */
  routeSplitUnsupported?(given: SettingGiven, to: WeightedVersion[]): Unsupported[];
}

/** How a mesh enrols workloads: a label or annotation, on the Namespace or on each pod template. */
export interface Enrolment {
  readonly on: 'Namespace' | 'pod template';
  readonly kind: 'label' | 'annotation';
  readonly key: string;
  readonly value: string;
  /** The command (or YAML) an operator runs to do it by hand, for messages. */
  readonly howTo: (namespace: string) => string;
  /**
   * An enrolment on pod templates: what to do for the pods of one service that no enrolled workload of the
   * app runs, for messages.
   * @default - `label|annotate their pod template with <key>: "<value>" (see docs/enrolment.md)`
   */
  readonly howToService?: string;
}

/** Where a namespace's enrolment is written, for the messages of `EnrolmentRenderer.enrolNamespace`. */
export interface EnrolmentContext {
  readonly mesh: Mesh;
  /** The namespace enrolled. */
  readonly namespace: string;
  /** The construct path of the pattern asking. */
  readonly by: string;
}

/**
 * How a mesh enrols the workloads of a namespace, so that the policies and routes the patterns write apply to
 * their pods. The patterns ask for it (MeshNamespace, src/meshes/enrolment.ts, applies it once per chart and
 * namespace, finds the Namespace object or writes one for a namespace the app owns, warns where it cannot, and
 * refuses two patterns that enrol one namespace differently).
 */
export interface EnrolmentRenderer {
  /** The label or annotation that enrols the workloads, and where it goes (with the mesh's options: Istio's revision). */
  enrolment(mesh: Mesh): Enrolment;
  /**
   * An enrolment `on: 'Namespace'`: checks what the Namespace object (the user's, or one written here) carries
   * and writes the enrolment on it; throws a user error (prop `namespaceObject`) where the object says otherwise.
   * @default - the label or annotation is written; the same key with another value is refused
   */
  enrolNamespace?(ns: ApiObject, enrolment: Enrolment, context: EnrolmentContext): void;
  /**
   * Enrols the pods of one workload a pattern was given or found: with an enrolment on pod templates, its mark
   * on the pod template; with an enrolment on the Namespace, the pod-level equivalent where the Namespace is not
   * enrolled by this library (`namespaceEnrolled` false), or nothing.
   */
  enrolWorkload(workload: PodTemplate, namespaceEnrolled: boolean, mesh: Mesh): void;
}

/**
 * A mesh whose own renderers enrol the namespaces they write for, where they need it (Istio ambient:
 * AmbientNamespace labels the Namespace `istio.io/dataplane-mode: ambient` when a renderer needs ztunnel or a
 * waypoint there): the patterns leave enrolment to them.
 */
export interface EnrolledByRenderers {
  readonly enrolledByRenderers: true;
}

/** The marker of a mesh whose renderers enrol the namespaces they write for. */
export const ENROLLED_BY_RENDERERS: EnrolledByRenderers = { enrolledByRenderers: true };

/** Whether a mesh's enrolment is left to its renderers (MeshRenderers.enrolment is ENROLLED_BY_RENDERERS). */
export function isEnrolledByRenderers(enrolment: MeshRenderers['enrolment']): enrolment is EnrolledByRenderers {
  return (enrolment as Partial<EnrolledByRenderers> | undefined)?.enrolledByRenderers === true;
}

/**
 * Everything a mesh renders: one member per pattern, each required, so that a new mesh's folder does not
 * compile until it says, for every pattern, what renders it, or `undefined` (the pattern is refused:
 * "<mesh> cannot express <Pattern>").
 */
export interface MeshRenderers {
  /** The mesh's name in messages (`Istio ambient`, `Linkerd` ...). */
  readonly displayName: string;
  /**
   * The mesh whose control plane this one's workloads share (Istio ambient: Istio's istiod): where the patterns
   * of two meshes meet (one ServiceTraffic per service and chart, IngressGateway's and MultiClusterExport's
   * "same mesh"), the two are one mesh.
   * @default - a mesh of its own: the patterns of two meshes are told apart by their MeshRenderers objects
   */
  readonly controlPlane?: MeshRenderers;
  /** ResilientService. */
  readonly resilience: PatternRenderer<ResilienceIntent> | undefined;
  /** ZeroTrustNamespace. */
  readonly zeroTrust: ZeroTrustRenderer | undefined;
  /** MultiClusterExport. */
  readonly multiCluster: MultiClusterRenderer | undefined;
  /** The per-service routing objects that ResilientService, CanaryRelease, VersionedRouting and FaultInjection share. */
  readonly traffic: TrafficRenderer | undefined;
  /** CanaryRelease (its Flagger or Argo Rollouts objects and alerts). */
  readonly canary: CanaryRenderer | undefined;
  /** VersionedRouting. */
  readonly routing: RoutingRenderer | undefined;
  /** FaultInjection (the faults themselves are written by the traffic renderer). */
  readonly fault: PatternRenderer<FaultInjectionIntent> | undefined;
  /** IngressGateway. */
  readonly ingress: IngressRenderer | undefined;
  /** EgressPolicy. */
  readonly egress: EgressRenderer | undefined;
  /** TrafficTelemetry. */
  readonly telemetry: PatternRenderer<TelemetryIntent> | undefined;
  /**
   * How the patterns enrol the workloads of the namespaces they write for (the Namespace's label or annotation,
   * or each pod template's), or `ENROLLED_BY_RENDERERS`. `undefined`: the library does not know how this mesh
   * enrols workloads, so it enrols none: the first pattern of each namespace warns that its policies and
   * routes do nothing until the workloads are enrolled, and how to enrol them.
   */
  readonly enrolment: EnrolmentRenderer | EnrolledByRenderers | undefined;
}

/** The pattern (class) name of each member, for the uniform refusal. */
export const PATTERN_NAMES: { readonly [K in Exclude<keyof MeshRenderers, 'displayName' | 'enrolment' | 'controlPlane'>]: string } = {
  resilience: 'ResilientService',
  zeroTrust: 'ZeroTrustNamespace',
  multiCluster: 'MultiClusterExport',
  traffic: 'ServiceTraffic',
  canary: 'CanaryRelease',
  routing: 'VersionedRouting',
  fault: 'FaultInjection',
  ingress: 'IngressGateway',
  egress: 'EgressPolicy',
  telemetry: 'TrafficTelemetry',
};
