import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { Identity } from '../model/identity';
import { Mesh } from '../model/mesh';
import { ResilienceIntent } from '../model/route-intent';
import { TrafficModel, VersionIntent } from '../model/traffic';
import { Unsupported } from '../model/unsupported';
import type { CanaryControllerIntent, CanaryReleaseIntent } from '../patterns/canary/intent';
import type { EgressIntent } from '../patterns/egress/intent';
import type { FaultInjectionIntent } from '../patterns/fault/intent';
import type { IngressIntent } from '../patterns/ingress/intent';
import type { IngressApi } from '../patterns/ingress/props';
import type { MultiClusterIntent } from '../patterns/multicluster/intent';
import type { TelemetryIntent } from '../patterns/telemetry/intent';
import type { TrafficTarget } from '../patterns/traffic/intent';
import type { ZeroTrustIntent } from '../patterns/zero-trust/intent';
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
  readonly warn?: (message: string) => void;
}

/**
 * The one interface of a mesh's renderer for one pattern: the settings of the pattern's mesh-neutral intent
 * the mesh cannot express, and the mesh's objects for it, written under `scope` (the pattern construct,
 * or the shared per-service traffic of the chart).
 */
export interface PatternRenderer<I, S extends IConstruct = IConstruct> {
  /** The settings of the intent this mesh cannot express (the construct refuses or drops them). */
  unsupported(intent: I, context: RenderContext): Unsupported[];
  /** Writes the mesh's objects for the intent under `scope`. */
  render(scope: S, intent: I, context: RenderContext): void;
  /**
   * Warns (through `context.warn`) about settings this mesh writes but may not act on as meant; called once,
   * after the construct's prop checks and before the unsupported settings are refused or dropped.
   */
  warnings?(intent: I, context: RenderContext): void;
}

/**
 * The routing objects of one service in one chart (Istio VirtualService and DestinationRule, Gateway API
 * HTTPRoutes, Consul ServiceRouter ...), rendered from the traffic model every pattern shaping the service
 * contributes to (ServiceTraffic). The intent is read lazily: the objects exist once, their specs are
 * rendered at synthesis.
 */
export interface TrafficRenderer extends PatternRenderer<() => TrafficModel, TrafficTarget> {
  /**
   * Whether a dropped setting (`setting=value` of the dropped-settings note) belongs on an object; without
   * it, every routing object carries every dropped setting.
   */
  droppedOn?(obj: ApiObject, setting: string): boolean;
}

/** A check of a prop value that only one mesh makes (the construct adds it to its problems). */
export interface PropProblem {
  readonly prop: string;
  readonly value: unknown;
  readonly why: string;
  readonly fix: string;
}

/**
 * IngressGateway: the gateway objects and routes, and what the construct reads of the mesh before it
 * renders (its defaults and the identity the gateway calls the services with).
 */
export interface IngressRenderer extends PatternRenderer<IngressIntent> {
  /** The GatewayClass when the props name none; without it, `noGatewayClass` says why one is required. */
  readonly defaultGatewayClassName?: string;
  /** Why a GatewayClass must be named, and how (a mesh without `defaultGatewayClassName`). */
  readonly noGatewayClass?: { readonly why: string; readonly fix: string };
  /** Whether the mesh reads `jwt.consulJwksCaFile` (elsewhere `unsupported` lists it, and its value is not checked). */
  readonly readsConsulJwksCaFile: boolean;
  /** The API written when the props name none. */
  defaultApi(mesh: Mesh): IngressApi;
  /** The mesh's own checks of the intent's values (after the unsupported settings are refused or dropped). */
  problems?(intent: IngressIntent, context: RenderContext): PropProblem[];
  /** The identity the gateway calls the services with, when the props name none; undefined: unknown. */
  callerIdentity(intent: IngressIntent, context: RenderContext): Identity | undefined;
}

/**
 * CanaryRelease: with static steps, the checks and objects of the mesh around the routes (which the traffic
 * renderer writes from the release's CanaryIntent); with a controller (Flagger, Argo Rollouts), what the
 * controller cannot do on the mesh. The construct keeps the mesh-neutral checks and their order.
 */
export interface CanaryRenderer extends PatternRenderer<CanaryReleaseIntent> {
  /** Whether the mesh reads `smiTrafficSplit` (elsewhere the prop is refused). */
  readonly readsSmiTrafficSplit: boolean;
  /** Whether Flagger mirrors (for its first interval only) on this mesh, which the release warns about. */
  readonly flaggerMirrorsFirstInterval: boolean;
  /** Why a version's label key cannot be used on this mesh (after the Kubernetes checks), and how to fix it. */
  versionLabelKeyProblem?(labelKey: string): { readonly why: string; readonly fix: string } | undefined;
  /** The mesh's marks on a version's pods (the Deployment given, or undefined: a warning saying what to add). */
  prepareVersion?(deployment: PodTemplate | undefined, version: VersionIntent, context: RenderContext): void;
  /** A warning on the health alert's PrometheusRule on this mesh, if any. */
  alertWarning?(context: RenderContext): string | undefined;
  /** Why the mesh (or its options) refuses the controller altogether, on which prop. */
  controllerRefusal?(intent: CanaryControllerIntent, context: RenderContext): PropProblem | undefined;
  /** The settings the controller cannot express on this mesh (after the controller's own: Flagger A/B mirror, Argo multi-header matches). */
  controllerUnsupported(intent: CanaryControllerIntent, context: RenderContext): Unsupported[];
  /** The mesh's objects a controller's release needs besides the controller's (e.g. the waypoint enrolment). */
  renderController?(scope: IConstruct, intent: CanaryControllerIntent, context: RenderContext): void;
}

/**
 * A pattern whose objects the construct still writes itself for the built-in meshes, branching on
 * `mesh.kind` (see docs/architecture.md, "What remains"): a mesh lists it to say "the construct's own
 * code renders me", or leaves it `undefined` to refuse the pattern.
 */
export interface RenderedByConstruct {
  readonly renderedByConstruct: true;
}

/** The marker of a pattern the construct renders itself. */
export const RENDERED_BY_CONSTRUCT: RenderedByConstruct = { renderedByConstruct: true };

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
  readonly zeroTrust: PatternRenderer<ZeroTrustIntent> | undefined;
  /** MultiClusterExport. */
  readonly multiCluster: PatternRenderer<MultiClusterIntent> | undefined;
  /** The per-service routing objects that ResilientService, CanaryRelease, VersionedRouting and FaultInjection share. */
  readonly traffic: TrafficRenderer | undefined;
  /** CanaryRelease (its Flagger or Argo Rollouts objects and alerts). */
  readonly canary: CanaryRenderer | undefined;
  /** VersionedRouting. */
  readonly routing: RenderedByConstruct | undefined;
  /** FaultInjection (the faults themselves are written by the traffic renderer). */
  readonly fault: PatternRenderer<FaultInjectionIntent> | undefined;
  /** IngressGateway. */
  readonly ingress: IngressRenderer | undefined;
  /** EgressPolicy. */
  readonly egress: PatternRenderer<EgressIntent> | undefined;
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
