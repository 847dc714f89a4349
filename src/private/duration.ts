import { Duration } from 'cdk8s';
import { ProblemList } from './errors';

/** Milliseconds of a Duration, fractions kept. */
export function millis(d: Duration): number {
  return d.toMilliseconds({ integral: false });
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

/** `formatDuration` for a number of milliseconds. */
export function formatMillis(value: number): string {
  let ms = Math.round(value);
  if (ms === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      ms -= n * size;
    }
  }
  return parts.join('');
}

/** Formats milliseconds with one integer and one unit (ms, s, m or h), as Linkerd's annotations require. */
export function formatMillisSingleUnit(value: number): string {
  const ms = Math.round(value);
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
