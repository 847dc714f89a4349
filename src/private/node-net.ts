/**
 * Node's `net` (isIP, BlockList), loaded when first used. Loading it loads Node's streams and sockets: about 4 ms of
 * every `cdk8s-mesh lint` and `validate` process, which most inputs never need (issue 26, twenty-third pass).
 */
let loaded: typeof import('net') | undefined;

export function nodeNet(): typeof import('net') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return loaded ??= require('net') as typeof import('net');
}
