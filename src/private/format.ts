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

/**
 * The reachability table as lines (each ending in a newline), in chunks of rows: a table of millions
 * of decisions is written piece by piece (one string of it could exceed the longest string V8 makes),
 * and the column widths are found without spreading the rows into one call (which overflows the stack).
 */
export function* formatTableLines(decisions: readonly {
  caller: string; service: string; method: string; path: string; withJwt: boolean; allowed: boolean; enforced?: boolean; reason: string; protocol?: string;
}[], chunk = 10_000): Generator<string> {
  const header = ['CALLER', 'SERVICE', 'REQUEST', 'DECISION', 'REASON'];
  // a TCP service: the proxy sees a connection, no method or path
  const cells = (d: typeof decisions[number]) => [d.caller, d.service, d.protocol === 'tcp' ? 'TCP' : `${d.method} ${d.path}${d.withJwt ? ' +jwt' : ''}`, d.enforced === false ? 'NOT ENFORCED' : d.allowed ? 'ALLOW' : 'DENY', d.reason];
  const widths = header.map(h => h.length);
  for (const d of decisions) {
    const row = cells(d);
    for (let i = 0; i < row.length - 1; i++) if (row[i].length > widths[i]) widths[i] = row[i].length;
  }
  const line = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n';
  yield line(header);
  for (let start = 0; start < decisions.length; start += chunk) {
    let out = '';
    for (let i = start; i < Math.min(start + chunk, decisions.length); i++) out += line(cells(decisions[i]));
    yield out;
  }
}
