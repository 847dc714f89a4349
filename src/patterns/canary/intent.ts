import type { OwnedSettings } from '../../model/owned';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import { CanaryIntent, VersionIntent } from '../../model/traffic';

/**
 * What a mesh's CanaryRelease renderer reads of a release with static steps: the service, its namespace,
 * and the routing intent the per-service traffic renders (the versions, the current weight, the test
 * requests and the mirror).
 */
export interface CanaryReleaseIntent {
  readonly service: ServiceRef;
  /** The service's namespace (given, or the release's chart's). */
  readonly namespace: string | undefined;
  /** The versions and the current step. */
  readonly canary: CanaryIntent;
  /** The mirrored share as given (before the unsupported settings are refused or dropped). */
  readonly mirrorPercent?: number;
}

/**
 * The settings of CanaryRelease that one mesh owns; a renderer lists those it reads (CanaryRenderer.reads). A
 * release with static steps asks them (a controller writes or edits the routes itself: there it refuses
 * `smiTrafficSplit` on every mesh).
 */
export type CanaryOwnedSetting = 'smiTrafficSplit';

/**
 * CanaryRelease's owned settings: refused by the construct (`ownedRefusals`) where the renderer does not read it, at the
 * point of the mesh's own checks (CanaryRenderer.problems), not dropped (the release would split by other objects than asked).
 */
export const CANARY_OWNED: OwnedSettings<CanaryReleaseIntent, CanaryOwnedSetting> = {
  smiTrafficSplit: {
    why: 'SMI TrafficSplit is a Linkerd (linkerd-smi) option',
    refusal: mesh => `SMI TrafficSplit is a Linkerd (linkerd-smi) option, not ${mesh}'s`,
    value: i => (i.canary.smi ? true : undefined),
    alternative: () => 'remove smiTrafficSplit',
    droppable: false,
  },
};

/** What a mesh's CanaryRelease renderer reads of a release carried out by a controller (Flagger, Argo Rollouts). */
export interface CanaryControllerIntent {
  /** Flagger (else Argo Rollouts). */
  readonly flagger: boolean;
  /** The controller's value of the `delivery` prop ('flagger', 'argo-rollouts'). */
  readonly controller: string;
  readonly service: ServiceRef;
  readonly namespace: string | undefined;
  /** The test requests (checked). */
  readonly matches: MatchIntent[];
  /** The mirrored share as given. */
  readonly mirrorPercent?: number;
  /**
   * Flagger A/B testing (test requests, and steps of weight 0 then 100): Flagger routes the test requests
   * to the canary and shifts no weight; false for a canary analysis, and for Argo Rollouts.
   */
  readonly abTesting: boolean;
}

/** What a mesh's health-alert queries read of a release with static steps (CanaryRenderer.alertQueries). */
export interface CanaryAlertIntent {
  /** The service's name. */
  readonly service: string;
  /** The service's namespace (given, or the release's chart's). */
  readonly namespace: string | undefined;
  /** The canary version (its label, value, pods' labels and per-version backend Service). */
  readonly canary: VersionIntent;
  /** The stable version (the labels both versions' pods share select the service's pods). */
  readonly stable: VersionIntent;
  /** The rate window, formatted (e.g. `5m`). */
  readonly window: string;
  /** The labels of the PrometheusRule, for the objects written with it (healthAlert.prometheusLabels, or none). */
  readonly prometheusLabels: { readonly [key: string]: string };
}

/** What a mesh's Argo Rollouts routing reads (CanaryRenderer.argoRollouts.renderRouting). */
export interface ArgoRoutingIntent {
  readonly service: ServiceRef;
  readonly namespace: string | undefined;
  /** The Service of the stable pods (the Rollout's stableService). */
  readonly stableService: string;
  /** The Service of the canary pods (the Rollout's canaryService). */
  readonly canaryService: string;
  /** The name of the route whose weights the Rollout sets, where the router names routes (Istio's virtualService.routes). */
  readonly route: string;
}

/** What a mesh's Argo Rollouts analysis queries read (CanaryRenderer.argoRollouts.analysisQueries). */
export interface ArgoAnalysisIntent {
  /** The service's name. */
  readonly service: string;
  readonly namespace: string | undefined;
  /** The Service of the canary pods, which the routing object sends the canary's share to. */
  readonly canaryService: string;
  /** The rate window, formatted (e.g. `5m`). */
  readonly window: string;
}
