import { Duration } from 'cdk8s';
import { ProblemList } from './errors';
import { formatMillis } from './format';

export { formatMillis, formatMillisSingleUnit } from './format';

/** Milliseconds of a Duration, fractions kept (NaN for a value that is not a Duration: checkDuration reports it). */
export function millis(d: Duration): number {
  return typeof (d as any)?.toMilliseconds === 'function' ? d.toMilliseconds({ integral: false }) : NaN;
}

/**
 * The longest duration written: 99999h, the most Gateway API's duration format (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`,
 * GEP-2257) holds once formatted. It is far inside protobuf's Duration (Istio, 315576000000 s) and Go's
 * time.Duration (Consul, about 2562047 h), so one value means the same on every mesh.
 */
export const MAX_DURATION_MS = 99_999 * 3_600_000;

/**
 * Checks that a Duration is at least 1 ms, at most 99999h and a whole number of milliseconds, which every mesh
 * requires (Istio's webhook and CRD rules, Gateway API's duration pattern, Linkerd's integer durations).
 */
export function checkDuration(problems: ProblemList, prop: string, d: Duration | undefined): void {
  if (d === undefined) return;
  if (!(d instanceof Duration) && typeof (d as any)?.toMilliseconds !== 'function') {
    problems.add(prop, d, 'must be a cdk8s Duration', 'use Duration.millis(), Duration.seconds() or Duration.minutes()');
    return;
  }
  const ms = millis(d);
  if (Number.isNaN(ms)) {
    problems.add(prop, d, 'the duration is not a number', 'compute the amount before Duration.millis() or Duration.seconds(), e.g. Duration.seconds(3)');
  } else if (ms < 1) {
    problems.add(prop, d, 'durations must be at least 1ms', 'use Duration.millis(1) or more');
  } else if (ms > MAX_DURATION_MS) {
    problems.add(prop, d, 'durations must be at most 99999h (Gateway API\'s duration format allows at most 5 digits per unit; Istio, Consul and Linkerd read the same value)',
      'use a realistic value, e.g. Duration.minutes(5)');
  } else if (!Number.isInteger(ms)) {
    problems.add(prop, d, `durations must be a whole number of milliseconds (${ms}ms)`, `use Duration.millis(${Math.round(ms) || 1})`);
  }
}

/**
 * Formats a Duration as a Go-style duration that Istio, Consul and Gateway API all accept:
 * `3s`, `1500ms`, `2m`, `1m30s`, `1h`. Each part stays below 100000, as Gateway API's pattern requires.
 */
export function formatDuration(d: Duration): string {
  return formatMillis(millis(d));
}

