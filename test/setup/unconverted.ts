/**
 * Run before every test file (jest `setupFiles`): each object an `unconverted` L1 renders without the generated
 * conversion (src/private/l1.ts) is rendered again through the L1's conversion, and any difference, key order
 * included, fails the test that rendered it. test/private/l1.test.ts proves the identity from the generated
 * converters for the keys the renderers write today; this catches a renderer that starts writing a key outside
 * the schema (the conversion would drop it) or under another name, wherever in the suite it is rendered.
 */
import { unconvertedCheck } from '../../src/private/l1';

unconvertedCheck.compare = (obj, json, converted) => {
  const mine = JSON.stringify(json);
  const theirs = JSON.stringify(converted());
  if (mine === theirs) return;
  let i = 0;
  while (i < mine.length && mine[i] === theirs[i]) i++;
  throw new Error(`${obj.node.path}: the ${obj.kind} written without the L1's conversion differs from the L1's own rendering at character ${i}: `
    + `...${mine.slice(Math.max(0, i - 60), i + 60)}... vs ...${theirs.slice(Math.max(0, i - 60), i + 60)}... (a key outside the schema or under another name: see src/private/l1.ts)`);
};
