import { IConstruct } from 'constructs';

/**
 * Who moves the release from step to step.
 */
export enum DeliveryController {
  /** The output holds the weights of one step; promoting is applying the next step's output (GitOps). */
  STATIC_STEPS = 'static-steps',
  /** Flagger (flagger.app/v1beta1 Canary): Flagger writes the routing objects and walks the steps. */
  FLAGGER = 'flagger',
  /** Argo Rollouts (argoproj.io/v1alpha1 Rollout): the Rollout edits the routing objects written here. */
  ARGO_ROLLOUTS = 'argo-rollouts',
}

/**
 * Options of a Flagger release.
 */
export interface FlaggerDeliveryOptions {
  /**
   * The Deployment Flagger releases (`targetRef`): its pod template is the canary, and Flagger copies it
   * to `<name>-primary` at promotion. Its `spec.selector.matchLabels` must hold one of Flagger's
   * selector labels (`app`, `name`, `app.kubernetes.io/name`).
   */
  readonly target: IConstruct;
  /**
   * The Prometheus that the MetricTemplates query (Linkerd; Istio uses Flagger's built-in metrics and the
   * `metricsServer` of the Flagger install).
   * @default 'http://prometheus.linkerd-viz:9090' on Linkerd
   */
  readonly metricsServer?: string;
}

/**
 * Options of an Argo Rollouts release.
 */
export interface ArgoRolloutsDeliveryOptions {
  /**
   * The Deployment the Rollout takes its pod template from (`workloadRef`; Argo scales it to zero once
   * the Rollout is healthy).
   */
  readonly workload: IConstruct;
  /**
   * The Prometheus that the AnalysisTemplate queries.
   * @default 'http://prometheus.istio-system:9090' on Istio, 'http://prometheus.linkerd-viz:9090' on Linkerd
   */
  readonly prometheusAddress?: string;
}

/**
 * How a CanaryRelease is carried out: by static steps (the default), by Flagger, or by Argo Rollouts,
 * from the same intent (steps, test requests, mirror, health alert).
 *
 * @example
 * import { CanaryDelivery } from 'cdk8s-mesh';
 *
 * CanaryDelivery.flagger({ target: paymentV2 });          // a Flagger Canary for the Deployment
 * CanaryDelivery.argoRollouts({ workload: paymentV2 });   // an Argo Rollout with workloadRef to it
 */
export class CanaryDelivery {
  /** The output holds the weights of the current step (the default). */
  public static staticSteps(): CanaryDelivery {
    return new CanaryDelivery(DeliveryController.STATIC_STEPS, undefined, undefined);
  }

  /** A Flagger `Canary` for the target Deployment; Flagger writes and edits the routing objects. */
  public static flagger(options: FlaggerDeliveryOptions): CanaryDelivery {
    return new CanaryDelivery(DeliveryController.FLAGGER, options?.target, options?.metricsServer);
  }

  /** An Argo `Rollout` of the workload, with the routing objects it edits and an AnalysisTemplate. */
  public static argoRollouts(options: ArgoRolloutsDeliveryOptions): CanaryDelivery {
    return new CanaryDelivery(DeliveryController.ARGO_ROLLOUTS, options?.workload, options?.prometheusAddress);
  }

  private constructor(
    /** The controller. */
    public readonly controller: DeliveryController,
    private readonly workload: IConstruct | undefined,
    private readonly metrics: string | undefined) {}

  /** @internal */
  public _workload(): IConstruct | undefined {
    return this.workload;
  }

  /** @internal */
  public _metricsAddress(): string | undefined {
    return this.metrics;
  }
}
