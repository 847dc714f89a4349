import { Duration } from 'cdk8s';
import { CookieMatch, HeaderMatch } from '../../model/matches';

/**
 * One step of a progressive release.
 */
export interface CanaryStep {
  /** Whole percent of requests sent to the canary at this step (0 to 100). */
  readonly weight: number;
  /**
   * How long to watch the canary before the next step (recorded on the output for the promotion flow).
   * @default - no pause recorded
   */
  readonly pause?: Duration;
}

/**
 * Requests that always go to the canary, e.g. test users. All given conditions must hold.
 */
export interface CanaryRequestMatch {
  /**
   * Request headers.
   * @default - none
   */
  readonly headers?: HeaderMatch[];
  /**
   * A cookie that must be present with this exact value, as `{ name, value }`.
   * @default - none
   */
  readonly cookie?: CookieMatch;
}

/**
 * An alert on the canary's health, as a prometheus-operator PrometheusRule written in the mesh's
 * own metric names.
 */
export interface HealthAlert {
  /**
   * Fire when more than this percentage of the canary's responses are 5xx.
   * @default 1
   */
  readonly maxErrorRatePercent?: number;
  /**
   * Fire when the canary's 99th-percentile latency is above this.
   * @default - no latency alert
   */
  readonly maxP99Latency?: Duration;
  /**
   * The window the rates are computed over.
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
  /**
   * How long the condition must hold before the alert fires (Prometheus's `for`).
   * @default Duration.minutes(2)
   */
  readonly holdFor?: Duration;
  /**
   * The `severity` label of the alerts.
   * @default 'critical'
   */
  readonly severity?: string;
  /**
   * Labels on the PrometheusRule (and the PodMonitor written with it, of the proxies that report the
   * canary's requests), for the prometheus-operator Prometheus's `ruleSelector` and `podMonitorSelector`
   * (kube-prometheus-stack selects `release: <its Helm release>` by default). On Istio ambient the
   * PodMonitor is the waypoint's, shared by the releases it serves: give their alerts the same labels.
   * @default - none (only a Prometheus that selects every PrometheusRule and PodMonitor loads them)
   */
  readonly prometheusLabels?: { [key: string]: string };
}
