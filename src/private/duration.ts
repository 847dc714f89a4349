import { Duration } from 'cdk8s';
import { ProblemList } from './errors';
import { formatMillis } from './format';

export { formatMillis, formatMillisSingleUnit } from './format';

/** Milliseconds of a Duration, fractions kept (NaN for a value that is not a Duration: checkDuration reports it). */
export function millis(d: Duration): number {
  return typeof (d as any)?.toMilliseconds === 'function' ? d.toMilliseconds({ integral: false }) : NaN;
}

/**
 * Checks that a Duration is at least 1 ms and a whole number of milliseconds, which every mesh
 * requires (Istio's webhook and CRD rules, Gateway API's duration pattern, Linkerd's integer durations).
 */
export function checkDuration(problems: ProblemList, prop: string, d: Duration | undefined): void {
  if (d === undefined) return;
  if (!(d instanceof Duration) && typeof (d as any)?.toMilliseconds !== 'function') {
    problems.add(prop, d, 'must be a cdk8s Duration', 'use Duration.millis(), Duration.seconds() or Duration.minutes()');
    return;
  }
  const ms = millis(d);
  if (!Number.isFinite(ms) || ms < 1) {
    problems.add(prop, d, 'durations must be at least 1ms', 'use Duration.millis(1) or more');
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

