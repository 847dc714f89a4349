/** A PromQL label matcher: name, value and operator (`=` unless given). */
export type PromLabel = [name: string, value: string, op?: '=' | '=~' | '!~' | '!='];

/** A PromQL series selector, `{name="value",...}`, the values quoted as JSON strings (which PromQL reads the same way). */
export function promSelector(labels: PromLabel[]): string {
  return `{${labels.map(([k, v, op]) => `${k}${op ?? '='}${JSON.stringify(v)}`).join(',')}}`;
}
