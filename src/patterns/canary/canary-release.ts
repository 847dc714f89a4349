import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { renderHealthAlert } from './alerts';
import { DeliveryInput, FLAGGER_SELECTOR_LABELS, flaggerAbTesting, flaggerInterval, renderArgo, renderFlagger } from './controllers';
import { CanaryDelivery, DeliveryController } from './delivery';
import { CANARY_OWNED, CanaryControllerIntent, CanaryOwnedSetting, CanaryReleaseIntent } from './intent';
import { CanaryRequestMatch, CanaryStep, HealthAlert } from './props';
import { HeaderMatch, MatchType } from '../../model/matches';
import { Mesh } from '../../model/mesh';
import { MatchIntent } from '../../model/route-intent';
import { ServiceRef } from '../../model/service';
import { CanaryIntent, VersionIntent } from '../../model/traffic';
import { Unsupported, UnsupportedSettings } from '../../model/unsupported';
import { checkDuration, formatDuration, millis } from '../../private/duration';
import { meshError, ProblemList, propMessage, show } from '../../private/errors';
import { PodTemplate, requireObject } from '../../private/k8s-objects';
import { isDns1123Label, labelKeyProblem, labelValueProblem } from '../../private/names';
import { MeshConstruct } from '../mesh-construct';
import { CanaryRenderer, RenderContext, rendererFor } from '../renderers';
import { ServiceTraffic } from '../traffic/service-traffic';

export * from './props';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** The label cdk8s-plus selects a workload's pods by unless `select: false`: unique to each workload object. */
const KPLUS_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/**
 * Options of a release version.
 */
export interface ReleaseVersionOptions {
  /**
   * The pod label that carries the version.
   * @default 'version'
   */
  readonly labelKey?: string;
}

/**
 * One version of a service in a release: the value of its version label (also the subset name).
 *
 * @example
 * import { ReleaseVersion } from 'cdk8s-mesh';
 *
 * ReleaseVersion.of('v2');                       // pods labelled version=v2
 * ReleaseVersion.fromDeployment(paymentV2, 'v2'); // labels the Deployment's pods version=v2
 */
export class ReleaseVersion {
  /** The pods labelled `<labelKey>=<version>` (and selected by the service). */
  public static of(version: string, options: ReleaseVersionOptions = {}): ReleaseVersion {
    return new ReleaseVersion(version, options.labelKey ?? 'version', undefined);
  }

  /**
   * The pods of a Deployment: a `Deployment` of any cdk8s-plus 2.x package, an imported `KubeDeployment`
   * or an `ApiObject` of kind `Deployment` (`apps/v1`). The version label is added to its pod template
   * (and, on Consul, the `consul.hashicorp.com/service-meta-<labelKey>` annotation that subset filters read).
   *
   * @param deployment a construct that synthesizes an apps/v1 Deployment (typed `IConstruct` so that
   *   any cdk8s-plus version's class is accepted)
   */
  public static fromDeployment(deployment: IConstruct, version: string, options: ReleaseVersionOptions = {}): ReleaseVersion {
    requireObject(deployment, ['Deployment', 'StatefulSet', 'DaemonSet'], 'apps/v1', 'ReleaseVersion.fromDeployment(deployment)',
      `pass the Deployment object of version ${version}, or use ReleaseVersion.of('${version}') and label its pods yourself`);
    return new ReleaseVersion(version, options.labelKey ?? 'version', PodTemplate.of(deployment));
  }

  private constructor(public readonly version: string, public readonly labelKey: string, private readonly deployment: PodTemplate | undefined) {}

  /** @internal */
  public _deployment(): PodTemplate | undefined {
    return this.deployment;
  }
}

/**
 * Props of a CanaryRelease.
 */
export interface CanaryReleaseProps {
  /** The mesh to write configuration for. */
  readonly mesh: Mesh;
  /** The logical service that callers use; it must select the pods of both versions. */
  readonly service: ServiceRef;
  /**
   * The version that serves today.
   * @default - required with static steps; a controller (`delivery`) makes the versions itself
   */
  readonly stable?: ReleaseVersion;
  /**
   * The version being released.
   * @default - required with static steps; a controller (`delivery`) makes the versions itself
   */
  readonly canary?: ReleaseVersion;
  /**
   * Who carries out the steps: the output of one step for GitOps, a Flagger `Canary`, or an Argo
   * `Rollout` (docs/progressive-delivery.md).
   * @default CanaryDelivery.staticSteps()
   */
  readonly delivery?: CanaryDelivery;
  /**
   * Whole percent of requests for the canary (0 is all stable, 100 all canary: blue/green).
   * Exclusive with `steps`.
   * @default - the weight of the current step
   */
  readonly canaryWeight?: number;
  /**
   * The release plan, e.g. 5, 25, 50, 100 percent. Promotion and rollback are a change of `step`.
   * @default - a single step at `canaryWeight`
   */
  readonly steps?: CanaryStep[];
  /**
   * The current step of `steps`, from 1.
   * @default 1
   */
  readonly step?: number;
  /**
   * Requests that always go to the canary (any of these).
   * @default - none
   */
  readonly canaryRequests?: CanaryRequestMatch[];
  /**
   * Percent of live traffic also mirrored to the canary (responses are discarded). Istio only.
   * @default - no mirroring
   */
  readonly mirrorPercent?: number;
  /**
   * A health alert on the canary. A release without one is allowed, with a warning.
   * @default - no alert
   */
  readonly healthAlert?: HealthAlert;
  /**
   * Linkerd only: write an SMI `TrafficSplit` (linkerd-smi) instead of weighted Gateway API backends,
   * for installs without Gateway API routes. No header routes then.
   * @default false
   */
  readonly smiTrafficSplit?: boolean;
  /**
   * What to do with settings the mesh cannot express.
   * @default UnsupportedSettings.FAIL
   */
  readonly unsupportedSettings?: UnsupportedSettings;
}

/**
 * Builds the app of one step, for `CanaryRelease.synthSteps`.
 */
export interface ICanaryStepBuilder {
  /** Adds the charts of release step `step` (from 1) to `app`. */
  buildStep(app: App, step: number): void;
}

/**
 * A canary release of a service: a share of requests (and always some test requests) go to the new
 * version, step by step, with an optional mirror and a health alert; written for Istio, Linkerd or
 * Consul. Combines with a ResilientService on the same service into one set of routing objects.
 *
 * @example
 * import { CanaryRelease, HeaderMatch, Mesh, ReleaseVersion, ServiceRef } from 'cdk8s-mesh';
 *
 * new CanaryRelease(chart, 'payment-release', {
 *   mesh: Mesh.istio(),
 *   service: ServiceRef.fromName('payment', { port: 8080 }),
 *   stable: ReleaseVersion.of('v1'),
 *   canary: ReleaseVersion.of('v2'),
 *   steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }],
 *   step: 1,
 *   canaryRequests: [{ headers: [HeaderMatch.exact('x-test-user', 'true')] }],
 *   healthAlert: { maxErrorRatePercent: 1 },
 * });
 */
export class CanaryRelease extends MeshConstruct {
  /**
   * Synthesizes every step of a release into its own folder (`<outdir>/step-1`, `step-2`, ...),
   * for a GitOps promotion flow where promoting is merging the next folder.
   */
  public static synthSteps(stepCount: number, outdir: string, builder: ICanaryStepBuilder): string[] {
    if (!Number.isInteger(stepCount) || stepCount < 1) {
      throw meshError(`CanaryRelease.synthSteps: stepCount: got ${show(stepCount)}: must be a whole number of at least 1; pass the number of steps of the release`);
    }
    const dirs: string[] = [];
    for (let step = 1; step <= stepCount; step++) {
      const dir = path.join(outdir, `step-${step}`);
      const app = new App({ outdir: dir, outputFileExtension: '.yaml' });
      builder.buildStep(app, step);
      app.synth();
      dirs.push(dir);
    }
    return dirs;
  }

  /** The service. */
  public readonly service: ServiceRef;
  /** The canary's share of requests at the current step, in percent. */
  public readonly canaryWeight: number;
  /** The current step (from 1). */
  public readonly step: number;
  /** The number of steps of the plan. */
  public readonly stepCount: number;

  private readonly renderer: CanaryRenderer;

  constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id, props?.mesh);
    // a mesh without a CanaryRenderer is refused here, before anything mesh-specific is read
    const renderer = rendererFor(this, this.mesh, 'canary');
    this.renderer = renderer;
    const problems = new ProblemList(this);
    this.service = this._requireService(props.service);
    for (const p of this.service._problems('service')) problems.addRaw(p);
    const delivery = props.delivery ?? CanaryDelivery.staticSteps();
    if (!(delivery instanceof CanaryDelivery)) {
      problems.add('delivery', delivery, 'not a CanaryDelivery', 'use CanaryDelivery.staticSteps(), CanaryDelivery.flagger({ target }) or CanaryDelivery.argoRollouts({ workload })');
      problems.throwIfAny();
    }
    const controller = delivery.controller !== DeliveryController.STATIC_STEPS;

    // versions
    for (const [prop, v] of [['stable', props.stable], ['canary', props.canary]] as const) {
      if (controller) {
        if (v !== undefined) {
          problems.add(prop, v instanceof ReleaseVersion ? v.version : v, `${delivery.controller === DeliveryController.FLAGGER ? 'Flagger copies the target Deployment to <name>-primary at promotion' : 'Argo Rollouts makes a ReplicaSet per revision of the workload'}, so a release with a controller has no versions of its own`,
            `remove ${prop}; the ${delivery.controller === DeliveryController.FLAGGER ? 'target' : 'workload'} of the delivery is the Deployment being released`);
        }
      } else if (!(v instanceof ReleaseVersion)) {
        problems.add(prop, v, 'a release version is required', `use ReleaseVersion.of('${prop === 'stable' ? 'v1' : 'v2'}') or ReleaseVersion.fromDeployment(deployment, 'v2')`);
      } else {
        if (!isDns1123Label(v.version, 40)) {
          problems.add(`${prop}.version`, v.version, 'a version is used as a subset and Service name suffix: a DNS-1123 label of at most 40 characters', "use e.g. 'v2'");
        }
        const selector = this.service.selector;
        if (typeof v.labelKey !== 'string' || !LABEL_KEY.test(v.labelKey) || labelKeyProblem(v.labelKey)) {
          problems.add(`${prop}.labelKey`, v.labelKey, `not a valid label key (${labelKeyProblem(v.labelKey) ?? 'letters, digits, "-", "_" and "." with an optional DNS prefix'})`, "use e.g. 'version'");
        } else if (Object.prototype.hasOwnProperty.call(selector, v.labelKey)) {
          // the version label is added to the service's selector for each subset: the same key would replace the
          // selector's value (app: v1), and the subsets would select no pods
          problems.add(`${prop}.labelKey`, v.labelKey, `the service selects its pods by ${v.labelKey}: ${show(selector[v.labelKey])}, so a version label on the same key would replace it and each version would select no pods`,
            `use a key the selector does not use, e.g. ReleaseVersion.of('${typeof v.version === 'string' ? v.version : 'v2'}', { labelKey: '${v.labelKey === 'version' ? 'track' : 'version'}' })`);
        } else {
          for (const p of renderer.versionLabelKeyProblems?.(`${prop}.labelKey`, v.labelKey) ?? []) problems.add(p.prop, p.value, p.why, p.fix);
        }
      }
    }
    problems.throwIfAny();
    if (!controller) {
      this.checkPodSelection(problems, props);
      if (props.stable!.version === props.canary!.version && props.stable!.labelKey === props.canary!.labelKey) {
        problems.add('canary.version', props.canary!.version, 'stable and canary select the same pods', 'give the canary its own version label value');
      }
    } else if (props.step !== undefined) {
      problems.add('step', props.step, `${delivery.controller === DeliveryController.FLAGGER ? 'Flagger' : 'Argo Rollouts'} walks the steps itself`, 'remove step (promote and abort with the controller)');
    }

    // weights and steps
    const steps = props.steps;
    if (steps !== undefined && props.canaryWeight !== undefined) {
      problems.add('canaryWeight', props.canaryWeight, 'canaryWeight and steps exclude each other', 'set the weights in steps, and pick one with step');
    }
    const plan: CanaryStep[] = steps ?? [{ weight: props.canaryWeight ?? 0 }];
    if (!plan.length) problems.add('steps', [], 'a release plan needs at least one step', 'use e.g. steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }]');
    plan.forEach((s, i) => {
      const prop = steps ? `steps[${i}].weight` : 'canaryWeight';
      if (!Number.isInteger(s?.weight) || s.weight < 0 || s.weight > 100) {
        problems.add(prop, s?.weight, 'a weight is a whole percentage from 0 to 100, so that stable and canary shares sum to exactly 100', 'use e.g. 10');
      } else if (i > 0 && Number.isInteger(plan[i - 1].weight) && s.weight <= plan[i - 1].weight) {
        problems.add(prop, s.weight, `steps must raise the canary's share (the previous step is ${plan[i - 1].weight})`, 'order the steps by increasing weight; roll back by choosing an earlier step');
      }
      checkDuration(problems, `steps[${i}].pause`, s?.pause);
    });
    const step = props.step ?? 1;
    if (props.step !== undefined && steps === undefined) {
      problems.add('step', props.step, 'step picks one of steps, and no steps are given', 'add steps, or set canaryWeight');
    } else if (plan.length && (!Number.isInteger(step) || step < 1 || step > plan.length)) {
      problems.add('step', step, `must be a whole number from 1 to ${plan.length} (the number of steps)`, `pick a step from 1 to ${plan.length}`);
    }
    problems.throwIfAny();
    this.step = step;
    this.stepCount = plan.length;
    const current = plan[step - 1];
    this.canaryWeight = current.weight;
    if (!controller) this.checkCanaryCapacity(props.stable!, props.canary!, current.weight, step);
    if (steps && plan[plan.length - 1].weight !== 100 && !controller) {
      this._warn(`the last step sends ${plan[plan.length - 1].weight}% to the canary, so the plan never completes the release: end with { weight: 100 }`);
    }

    // test requests and mirroring
    const canaryMatches = (props.canaryRequests ?? []).map((r, i) => this.requestMatch(problems, `canaryRequests[${i}]`, r));
    if (props.mirrorPercent !== undefined && (typeof props.mirrorPercent !== 'number' || !(props.mirrorPercent > 0) || props.mirrorPercent > 100)) {
      problems.add('mirrorPercent', props.mirrorPercent, 'a mirrored share is a percentage above 0 and at most 100', 'use e.g. mirrorPercent: 10');
    }
    const alert = props.healthAlert;
    if (alert) this.checkAlert(problems, alert);
    problems.throwIfAny();
    if (controller) {
      this.renderController(problems, props, delivery, plan, canaryMatches);
      return;
    }
    const stable = props.stable!;
    const canary = props.canary!;

    // what the mesh cannot express
    const namespace = this.service._namespaceFrom(this);
    const context = this._renderContext();
    const versions: CanaryIntent = {
      stable: this.versionIntent(stable),
      canary: this.versionIntent(canary),
      canaryWeight: current.weight,
      canaryMatches,
      mirrorPercent: props.mirrorPercent,
      smi: props.smiTrafficSplit ?? false,
      annotations: {},
    };
    const given: CanaryReleaseIntent = { service: this.service, namespace, canary: versions, mirrorPercent: props.mirrorPercent };
    // the mesh's warnings before its unsupported settings; its own checks after the mirror's warning (PatternRenderer)
    this._askMesh(problems, renderer, given, ['warnings']);
    const unsupported: Unsupported[] = [...renderer.unsupported(given, context)];
    if (props.mirrorPercent !== undefined && current.weight === 100 && !unsupported.some(u => u.setting === 'mirrorPercent')) {
      // the mirror copies requests to the canary: with every request already going there, it would send each twice
      this._warn(`mirrorPercent (${props.mirrorPercent}) is not written at step ${step}: the canary gets 100% of requests, so a mirror would send every request to it twice`);
    }
    this._askMesh(problems, renderer, given, ['problems']);
    // the mesh-owned settings the renderer does not read (CANARY_OWNED: smiTrafficSplit off Linkerd), with its checks
    unsupported.push(...this._refuseOwned<CanaryReleaseProps, CanaryReleaseIntent, CanaryOwnedSetting>(problems, CANARY_OWNED, renderer.reads, given));
    problems.throwIfAny();
    const note = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING);
    const dropped = note ? unsupported.map(u => u.setting) : [];

    const intent: CanaryIntent = {
      stable: this.versionIntent(stable),
      canary: this.versionIntent(canary),
      canaryWeight: current.weight,
      canaryMatches: dropped.includes('canaryRequests') ? [] : canaryMatches,
      mirrorPercent: dropped.includes('mirrorPercent') ? undefined : props.mirrorPercent,
      smi: versions.smi,
      annotations: {
        'cdk8s-mesh.io/canary-step': `${step}/${plan.length}`,
        'cdk8s-mesh.io/canary-weight': String(current.weight),
        ...(current.pause ? { 'cdk8s-mesh.io/canary-pause': formatDuration(current.pause) } : {}),
      },
    };

    const traffic = ServiceTraffic.of(this, this.mesh, this.service);
    traffic.setCanary(intent, this, note);
    this.prepareVersions(props, intent, context);
    this._enrolServices([this.service], [stable._deployment(), canary._deployment()]);
    renderer.render(this, { service: this.service, namespace, canary: intent, mirrorPercent: props.mirrorPercent }, context);
    if (alert) {
      renderHealthAlert(this, renderer, context, intent, this.service._namespaceFrom(this), this.service.name, alert);
      const alertWarning = renderer.alertWarning?.(context);
      if (alertWarning !== undefined) this._warn(alertWarning);
    } else {
      this._warn('the release has no health alert: add healthAlert so that a failing canary is noticed');
    }
  }

  /** A Flagger Canary or an Argo Rollout from the intent, where the controller supports the mesh and the features. */
  private renderController(problems: ProblemList, props: CanaryReleaseProps, delivery: CanaryDelivery, plan: CanaryStep[], matches: MatchIntent[]): void {
    const flagger = delivery.controller === DeliveryController.FLAGGER;
    const name = flagger ? 'Flagger' : 'Argo Rollouts';
    const prop = flagger ? 'delivery.target' : 'delivery.workload';
    const renderer = this.renderer;
    const context = this._renderContext();
    const controllerIntent: CanaryControllerIntent = {
      flagger,
      controller: delivery.controller,
      service: this.service,
      namespace: this.service._namespaceFrom(this),
      matches,
      mirrorPercent: props.mirrorPercent,
      abTesting: flagger && flaggerAbTesting(plan, matches),
    };
    // the mesh's refusal of the controller (in its own words, or for its options) comes first
    const refusal = (flagger ? renderer.flagger : renderer.argoRollouts)?.refusal?.(controllerIntent, context);
    if (refusal) {
      problems.add(refusal.prop, refusal.value, refusal.why, refusal.fix);
      problems.throwIfAny();
    }
    const flaggerRouter = renderer.flagger?.refusesEveryRelease ? undefined : renderer.flagger;
    const argoRouter = renderer.argoRollouts?.refusesEveryRelease ? undefined : renderer.argoRollouts;
    const router = flagger ? flaggerRouter : argoRouter;
    if (!router) {
      // a mesh without the controller's member
      problems.add('delivery', delivery.controller, `${this.mesh.displayName} cannot express a release carried out by ${name}`, 'use static steps (remove delivery), or a mesh that can express it');
      problems.throwIfAny();
    }
    if (props.smiTrafficSplit) {
      problems.add('smiTrafficSplit', true, `${name} writes or edits the routes of the release itself`, 'remove smiTrafficSplit');
    }
    const given = delivery._workload();
    let workload: PodTemplate | undefined;
    try {
      requireObject(given as IConstruct, ['Deployment'], 'apps/v1', prop, `pass the Deployment being released to CanaryDelivery.${flagger ? 'flagger({ target })' : 'argoRollouts({ workload })'}`);
      workload = PodTemplate.of(given);
    } catch (e) {
      problems.addRaw((e as Error).message);
    }
    problems.throwIfAny();
    const pods = workload!;
    if (pods.namespace !== undefined && this.service._namespaceFrom(this) !== undefined && pods.namespace !== this.service._namespaceFrom(this)) {
      problems.add(prop, pods.name, `the Deployment is in namespace ${pods.namespace} and the service in ${this.service._namespaceFrom(this)}: ${name} releases a workload in its own namespace`, 'release a Deployment of the service\'s namespace');
    }
    const selector = this.service.selector;
    const matchLabels = pods.matchLabels();
    if (flagger) {
      // Flagger renames the value of the first of its selector labels in the target's matchLabels to
      // <value>-primary on the primary pods (pkg/canary/deployment_controller.go getSelectorLabel, makePrimaryLabels)
      const renamed = FLAGGER_SELECTOR_LABELS.find(k => matchLabels[k] !== undefined);
      if (!renamed) {
        problems.add(prop, pods.name, `Flagger needs the Deployment's spec.selector.matchLabels to hold one of ${FLAGGER_SELECTOR_LABELS.join(', ')} (it selects the primary pods by <value>-primary), and it has ${show(matchLabels)}`,
          `select the Deployment's pods by e.g. app: ${this.service.name}`);
      } else if (selector[renamed] !== undefined) {
        problems.add('service.selector', selector, `Flagger relabels the primary pods ${renamed}: ${matchLabels[renamed]}-primary, so policies and routes that select the service's pods by ${renamed} would miss the pods that serve once the release completes`,
          `select the service's pods by a label Flagger copies unchanged, e.g. ServiceRef.fromName('${this.service.name}', { port: ${this.service.port}, selector: { 'app.kubernetes.io/part-of': '${this.service.name}' } }) with that label on the Deployment's pods`);
      }
      if (this.service.ownsServiceObject) {
        problems.add('service', this.service.name, `Flagger generates the Service ${this.service.name} (and -primary, -canary) and rewrites its selector to the primary pods (pkg/router/kubernetes_default.go reconcileService), so the Service object in the app and GitOps would fight over it`,
          `leave the Service ${this.service.name} out of the app and pass ServiceRef.fromName('${this.service.name}', { port: ${this.service.port} })`);
      }
    }
    const labels = pods.labels();
    const missing = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
    if (missing.length) {
      problems.add('service.selector', selector, `the pods of ${pods.name} lack ${missing.map(([k, v]) => `${k}: ${v}`).join(', ')}, so the service's policies select none of the released pods`, 'select the service by labels of the Deployment\'s pod template');
    }
    problems.throwIfAny();

    const unsupported: Unsupported[] = [];
    const weights = plan.map(s => s.weight);
    if (flagger) {
      const ab = controllerIntent.abTesting;
      if (matches.length && !ab) {
        unsupported.push({
          setting: 'canaryRequests',
          value: `${matches.length} match(es)`,
          why: 'Flagger\'s analysis.match limits the weighted shift to the matching requests (the others stay on the primary: pkg/router/istio.go SetRoutes), it does not send them to the canary while the others shift; only a plan of weight 0 steps (then 100) is Flagger A/B testing',
          alternative: 'use steps: [{ weight: 0 }, { weight: 100 }] for A/B testing, CanaryDelivery.argoRollouts (setHeaderRoute), or static steps',
        });
      }
      if (!ab && !weights.some(w => w > 0)) {
        problems.add('steps', weights, 'a Flagger canary analysis shifts weight by stepWeights, and every step sends 0% to the canary', 'add a step with a weight above 0');
      }
      if (props.mirrorPercent !== undefined && ab) {
        unsupported.push({
          setting: 'mirrorPercent',
          value: props.mirrorPercent,
          why: 'Flagger\'s A/B testing has no mirror stage (mirroring is a pre-stage of canary and blue/green analyses)',
          alternative: 'send test traffic with canaryRequests instead',
        });
      } else {
        unsupported.push(...router!.unsupported?.(controllerIntent, context) ?? []);
      }
      const { differs } = flaggerInterval(plan);
      if (differs) this._warn(`Flagger runs every step for one analysis.interval: the steps' pauses differ, so every step is watched for the longest, ${flaggerInterval(plan).interval}`);
      // what Flagger does on this mesh besides what the props say (Istio: the mirror of the first interval only)
      flaggerRouter!.warnings?.(controllerIntent, context);
      if (weights[weights.length - 1] !== 100) {
        this._warn(`Flagger promotes the canary once it reaches the last weight (${weights[weights.length - 1]}%): the release completes there`);
      }
    } else {
      matches.forEach((m, i) => {
        if (m.headers.length > 1) {
          unsupported.push({
            setting: `canaryRequests[${i}]`,
            value: m.headers.map(h => h.name),
            why: 'Argo Rollouts\' setHeaderRoute matches any one of its headers (one route match per header: rollout/trafficrouting/istio/istio.go createHeaderRoute), so a match of several conditions would route requests that hold only one',
            alternative: 'give each test request match one header or one cookie',
          });
        }
      });
      const meshUnsupported = router!.unsupported?.(controllerIntent, context) ?? [];
      unsupported.push(...meshUnsupported);
      if (props.mirrorPercent !== undefined && !meshUnsupported.some(u => u.setting === 'mirrorPercent') && !Number.isInteger(props.mirrorPercent)) {
        problems.add('mirrorPercent', props.mirrorPercent, 'Argo Rollouts\' setMirrorRoute takes a whole percentage', `use ${Math.max(1, Math.round(props.mirrorPercent))}`);
      }
    }
    // naming the controller: it is the one that cannot express these (a setting with `keep` is refused even when dropping)
    const note = this._handleUnsupported(problems, unsupported, props.unsupportedSettings === UnsupportedSettings.DROP_WITH_WARNING, `${name} on ${this.mesh.displayName}`);
    const dropped = note ? unsupported.map(u => u.setting) : [];

    // the controller owns the service's routes: no other pattern may write them
    const namespace = this.service._namespaceFrom(this);
    this.node.addValidation({
      validate: () => Chart.of(this).node.findAll()
        .filter((c): c is ServiceTraffic => c instanceof ServiceTraffic && c.service.name === this.service.name && c.namespace === namespace
          && c.contributorPath !== c.node.path)
        .map(t => propMessage('delivery', delivery.controller, `[${t.contributorPath}] also writes routing objects for ${this.service.name}, and ${name} ${flagger ? 'generates' : 'edits'} the service's routes: the two would compete`,
          `leave ${this.service.name} out of [${t.contributorPath}] (a ResilientService, FaultInjection or VersionedRouting) while a controller releases it${flagger ? ' (set retries and timeouts on the Canary, spec.service, through apiObjects)' : ''}, or use static steps`)),
    });

    // an autoscaler of the released Deployment: Flagger scales the target to 0 outside an analysis (which turns
    // its HPA off) and gives the primary an HPA only from the Canary's autoscalerRef (fluxcd/flagger
    // pkg/canary/deployment_controller.go, hpa_reconciler.go); Argo scales a workloadRef Deployment to 0 once
    // the Rollout is healthy (scaleDown), and an HPA scales the Rollout only when it targets it
    this.node.addValidation({
      validate: () => {
        const hpa = Chart.of(this).node.findAll()
          .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'HorizontalPodAutoscaler')
          .map(a => a.toJson())
          .find(j => j.spec?.scaleTargetRef?.kind === 'Deployment' && j.spec.scaleTargetRef.name === pods.name
            && (j.metadata?.namespace ?? namespace) === (pods.namespace ?? namespace))?.metadata?.name;
        if (hpa === undefined) return [];
        if (flagger) {
          if (this.apiObjects.find(o => o.kind === 'Canary')?.toJson().spec?.autoscalerRef?.name === hpa) return [];
          return [propMessage(prop, pods.name, `HorizontalPodAutoscaler ${hpa} scales ${pods.name}, which Flagger scales to 0 between analyses (the HPA is then off), and Flagger gives ${pods.name}-primary an autoscaler only from the Canary's autoscalerRef (pkg/canary/hpa_reconciler.go), so the pods that serve would not scale`,
            `name the HPA on the Canary: release.apiObjects.find(o => o.kind === 'Canary')!.addJsonPatch(JsonPatch.add('/spec/autoscalerRef', { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: '${hpa}' }))`)];
        }
        return [propMessage(prop, pods.name, `HorizontalPodAutoscaler ${hpa} scales the Deployment ${pods.name}, which the Rollout scales to 0 once it is healthy (workloadRef scaleDown: onsuccess), so nothing would scale the Rollout's pods`,
          `point the HPA at the Rollout: scaleTargetRef { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: '${pods.name}' } (Argo Rollouts exposes the scale subresource)`)];
      },
    });

    const input: DeliveryInput = {
      context,
      service: this.service,
      namespace,
      workload: pods,
      plan,
      matches: dropped.some(d => d.startsWith('canaryRequests')) ? matches.filter((_m, i) => !dropped.includes(`canaryRequests[${i}]`) && !dropped.includes('canaryRequests')) : matches,
      mirrorPercent: dropped.includes('mirrorPercent') ? undefined : props.mirrorPercent,
      alert: props.healthAlert,
      metricsAddress: delivery._metricsAddress(),
    };
    renderer.renderController?.(this, controllerIntent, context);
    if (flagger) renderFlagger(this, input, flaggerRouter!, controllerIntent);
    else renderArgo(this, input, argoRouter!);
    if (note) this._markDropped(note);
    this._enrolServices([this.service], [pods]);
    if (!props.healthAlert) {this._warn(`the release has no health alert: add healthAlert so that ${name} rolls back a failing canary`);} else if (props.healthAlert.prometheusLabels !== undefined || props.healthAlert.severity !== undefined) {
      // the thresholds become the controller's analysis: no PrometheusRule (or PodMonitor) is written
      this._warn(`healthAlert.${props.healthAlert.prometheusLabels !== undefined ? 'prometheusLabels' : 'severity'} is not used: ${name} checks the thresholds itself (${flagger ? 'analysis.metrics' : 'an AnalysisTemplate'}), and no PrometheusRule is written`);
    }
  }

  private versionIntent(v: ReleaseVersion): VersionIntent {
    return {
      name: v.version,
      labels: { ...this.service.selector, [v.labelKey]: v.version },
      versionKey: v.labelKey,
      versionValue: v.version,
      backendService: `${this.service.name}-${v.version}`,
    };
  }

  private requestMatch(problems: ProblemList, prop: string, r: CanaryRequestMatch): MatchIntent {
    const headers = (r?.headers ?? []).map((h, i) => {
      const problem = h instanceof HeaderMatch ? h._problem() : 'not a HeaderMatch';
      if (problem) problems.add(`${prop}.headers[${i}]`, h?.name ?? h, problem, "use HeaderMatch.exact('x-test-user', 'true')");
      return { name: String(h?.name ?? '').toLowerCase(), type: h?.type ?? MatchType.EXACT, value: h?.value ?? '' };
    });
    if (r?.cookie) {
      const { name, value } = r.cookie;
      if (typeof name !== 'string' || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || typeof value !== 'string' || /[;,\s"\\]/.test(value)) {
        problems.add(`${prop}.cookie`, r.cookie, 'a cookie needs a token name and a value without spaces, quotes, commas or semicolons', "use { name: 'canary', value: 'always' }");
      } else {
        const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        headers.push({ name: 'cookie', type: MatchType.REGEX, value: `^(.*?;\\s*)?${esc(name)}=${esc(value)}(;.*)?$` });
      }
    }
    if (!headers.length) problems.add(prop, r, 'a canary request match needs headers or a cookie', "use { headers: [HeaderMatch.exact('x-test-user', 'true')] }");
    return { headers };
  }

  /**
   * With both Deployments given: warns when each canary pod would take 1.5 times or more the requests a
   * stable pod served before the release (weight × stable replicas / canary replicas ≥ 150): the canary's
   * share of the replicas is far below its share of the requests, and a slower or failing canary is then
   * an overload, not the version. Mesh settings (pool, outlier detection) do not add capacity.
   */
  private checkCanaryCapacity(stable: ReleaseVersion, canary: ReleaseVersion, weight: number, step: number): void {
    const s = stable._deployment()?.replicas();
    const c = canary._deployment()?.replicas();
    if (!Number.isInteger(s) || !Number.isInteger(c) || s! < 1 || weight === 0) return;
    const needed = Math.ceil((weight * s!) / 100);
    if (c! >= 1 && weight * s! < 150 * c!) return;
    const name = canary._deployment()!.name;
    this._warn(`step ${step} sends ${weight}% of requests to the canary, but its Deployment ${name} has ${c} replica(s) against ${s} of the stable version: `
      + `${c! < 1 ? 'no canary pod serves them' : `each canary pod takes ${(weight * s! / (100 * c!)).toFixed(1)} times the requests a stable pod served before the release`}; `
      + `scale ${name} to ${needed} replicas at this step (weight × stable replicas), or give it a HorizontalPodAutoscaler`);
  }

  private checkAlert(problems: ProblemList, a: HealthAlert) {
    if (a.maxErrorRatePercent !== undefined && (typeof a.maxErrorRatePercent !== 'number' || !(a.maxErrorRatePercent > 0) || a.maxErrorRatePercent > 100)) {
      problems.add('healthAlert.maxErrorRatePercent', a.maxErrorRatePercent, 'a percentage above 0 and at most 100', 'use e.g. 1');
    }
    checkDuration(problems, 'healthAlert.maxP99Latency', a.maxP99Latency);
    checkDuration(problems, 'healthAlert.window', a.window);
    checkDuration(problems, 'healthAlert.holdFor', a.holdFor);
    if (a.window && millis(a.window) < 60_000) {
      problems.add('healthAlert.window', a.window, 'a rate window under 1m holds too few scrapes to be meaningful', 'use Duration.minutes(1) or more (5m is usual)');
    }
    if (a.severity !== undefined && (typeof a.severity !== 'string' || !/^[A-Za-z0-9_.-]{1,63}$/.test(a.severity))) {
      problems.add('healthAlert.severity', a.severity, 'a label value', "use e.g. 'critical'");
    }
    if (a.prometheusLabels !== undefined) {
      if (typeof a.prometheusLabels !== 'object' || a.prometheusLabels === null || Array.isArray(a.prometheusLabels)) {
        problems.add('healthAlert.prometheusLabels', a.prometheusLabels, 'a map of label names to values', "use e.g. { release: 'kube-prometheus-stack' }");
      } else {
        for (const [k, v] of Object.entries(a.prometheusLabels)) {
          const keyProblem = labelKeyProblem(k);
          const problem = keyProblem ?? labelValueProblem(v);
          if (problem) problems.add(`healthAlert.prometheusLabels[${JSON.stringify(k)}]`, keyProblem ? k : v, problem, "use e.g. { release: 'kube-prometheus-stack' }");
        }
      }
    }
  }

  /**
   * Each version's pods must carry the labels the service selects by (the subsets are the service's selector
   * plus the version label). cdk8s-plus selects a workload's pods by `cdk8s.io/metadata.addr`, a label
   * unique to each workload object: a Service made from one version's Deployment (`exposeViaService()`,
   * `ServiceRef.fromDeployment`) selects that Deployment's pods only, so the other version's subset has no
   * endpoints and its share of requests fails (503 no healthy upstream / no endpoints).
   */
  private checkPodSelection(problems: ProblemList, props: CanaryReleaseProps): void {
    const selector = this.service.selector;
    const fix = 'create both Deployments with select: false and a shared label, select their pods and the Service by it '
      + "(new kplus.Deployment(this, 'payment-v2', { select: false, podMetadata: { labels: { app: 'payment' } }, ... }); "
      + "deployment.select(kplus.LabelSelector.of({ labels: { app: 'payment' } })); new kplus.Service(this, 'payment', { selector: kplus.Pods.select(this, 'pods', { labels: { app: 'payment' } }), ... }))";
    if (Object.prototype.hasOwnProperty.call(selector, KPLUS_ADDRESS_LABEL)) {
      problems.add('service.selector', { [KPLUS_ADDRESS_LABEL]: selector[KPLUS_ADDRESS_LABEL] },
        `the service selects its pods by cdk8s-plus's default label ${KPLUS_ADDRESS_LABEL}, which is unique to one Deployment, so the pods of the other version never match their subset and its share of requests fails`, fix);
      problems.throwIfAny();
      return;
    }
    // the Deployments' labels at synthesis (they may be added after the release is created)
    this.node.addValidation({
      validate: () => {
        const late: string[] = [];
        const now = this.service.selector;
        for (const [prop, v] of [['stable', props.stable!], ['canary', props.canary!]] as const) {
          const d = v._deployment();
          if (!d) continue;
          const labels = d.labels();
          const missing = Object.entries(now).filter(([k, value]) => labels[k] !== value);
          if (missing.length) {
            late.push(propMessage(prop, `ReleaseVersion.fromDeployment(${d.api.name}, '${v.version}')`,
              `the Deployment's pods lack the label${missing.length > 1 ? 's' : ''} ${missing.map(([k, value]) => `${k}: ${value}`).join(', ')} that the service ${this.service.name} selects by, so the ${v.version} subset has no endpoints and its share of requests fails`,
              missing.some(([k]) => k === KPLUS_ADDRESS_LABEL) ? fix : `add ${missing.map(([k, value]) => `${k}: ${value}`).join(', ')} to the pod template's labels`));
          }
        }
        return late;
      },
    });
  }

  /** Labels (and on Consul, the service-meta annotation) on the versions' Deployments. */
  private prepareVersions(props: CanaryReleaseProps, intent: CanaryIntent, context: RenderContext) {
    for (const [v, vi] of [[props.stable!, intent.stable], [props.canary!, intent.canary]] as const) {
      const d = v._deployment();
      if (d) d.addLabel(vi.versionKey, vi.versionValue);
      this.renderer.prepareVersion?.(d, vi, context, 'ReleaseVersion.fromDeployment');
    }
  }
}
