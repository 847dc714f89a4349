/**
 * Compares two match ranks element by element (a mesh's rank of a match: meshes/gateway-api/precedence.ts
 * GATEWAY_API_PRECEDENCE, meshes/linkerd/precedence.ts): positive when `a` outranks `b`, 0 when they tie.
 */
export function compareRank(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
