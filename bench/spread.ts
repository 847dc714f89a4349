/**
 * How far the whole-process verdicts of bench/run.ts move with the number of runs (`BENCH_PROCESS_RUNS`): the three
 * processes of bench/run.ts (a js-yaml parse, `cdk8s-mesh validate`, `cdk8s-mesh lint`) on each file, interleaved,
 * ROUNDS times; then, over 2,000 draws of k of those rounds, the ratio of the minima (validate / parse and lint / parse,
 * by wall, as bench/run.ts reads them): its median, 90th and 98th percentiles, and how often it is above the issue's
 * limit (2x and 1.5x). The ratio of the minima of all the rounds is the closest this machine gets to the floor of each.
 * Not a test: nothing asserts a time.
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node -r ts-node/register/transpile-only bench/spread.ts [--rounds 40] [--draws 5,9,15] FILE...
 *
 * FILE: a YAML stream, e.g. one that bench/run.ts measures (the first cluster's stream of its app).
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { cliScripts, processOnce } from './run';

const { values, positionals: files } = parseArgs({
  options: { rounds: { type: 'string', default: '40' }, draws: { type: 'string', default: '5,9,15' } },
  allowPositionals: true,
});
const rounds = Number(values.rounds);
const ks = String(values.draws).split(',').map(Number);
if (!files.length || !Number.isInteger(rounds) || rounds < 2 || ks.some(k => !Number.isInteger(k) || k < 1 || k > rounds)) {
  process.stderr.write(`usage: spread.ts [--rounds N (at least 2, got ${values.rounds})] [--draws K,K... (each 1 to N, got ${values.draws})] FILE...\n`);
  process.exit(2);
}

const LIMITS = { validate: 2, lint: 1.5 } as const;
/** A seeded generator (the draws are the same from run to run of the same rounds). */
let seed = 26;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
/** k of the indexes 0..n-1, drawn without replacement (a partial Fisher-Yates shuffle). */
function draw(n: number, k: number): number[] {
  const idx = [...Array(n).keys()];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k);
}
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const lines = [
  `${rounds} interleaved rounds per file; per k, 2,000 draws of k rounds: the ratio of the minima (wall), median / 90th / 98th percentile, and the share of draws above the limit`,
  '',
  `| file | command | minima of all ${rounds} | ${ks.map(k => `k = ${k}`).join(' | ')} |`,
  `|---|---|---|${ks.map(() => '---').join('|')}|`,
];
for (const file of files) {
  const scripts = cliScripts(path.resolve(file));
  const walls: number[][] = [[], [], []];
  for (let r = 0; r < rounds; r++) {
    scripts.forEach((script, i) => {
      const run = processOnce(script);
      if (run.status !== 0) throw new Error(`${file}: process ${i} of round ${r} exited with ${run.status}`);
      walls[i].push(run.ms);
    });
  }
  (['validate', 'lint'] as const).forEach((command, c) => {
    const of = walls[c + 1];
    const all = Math.min(...of) / Math.min(...walls[0]);
    const cells = ks.map(k => {
      const ratios: number[] = [];
      for (let t = 0; t < 2000; t++) {
        const idx = draw(rounds, k);
        ratios.push(Math.min(...idx.map(i => of[i])) / Math.min(...idx.map(i => walls[0][i])));
      }
      ratios.sort((a, b) => a - b);
      const above = ratios.filter(x => x > LIMITS[command]).length / ratios.length;
      return `${quantile(ratios, 0.5).toFixed(2)} / ${quantile(ratios, 0.9).toFixed(2)} / ${quantile(ratios, 0.98).toFixed(2)}, ${(above * 100).toFixed(1)} % above ${LIMITS[command]}`;
    });
    lines.push(`| ${path.basename(file, '.yaml')} | ${command} | ${all.toFixed(2)} | ${cells.join(' | ')} |`);
  });
}
process.stdout.write(lines.join('\n') + '\n');
