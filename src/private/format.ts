/**
 * Formats milliseconds as a Go-style duration that Istio, Consul and Gateway API all accept: `3s`,
 * `1500ms` as `1s500ms`, `2m`, `1m30s`. Each part stays below 100000, as Gateway API requires.
 */
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
