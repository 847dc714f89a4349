/**
 * How far the whole-process verdicts of bench/run.ts move with the machine's load, for the number of runs it takes
 * (`BENCH_PROCESS_RUNS`): the three processes of bench/run.ts (a js-yaml parse, `cdk8s-mesh validate`, `cdk8s-mesh
 * lint`) on each file, interleaved as there, ROUNDS times in a row. Then, for each k, every window of k consecutive
 * rounds (what one bench/run.ts of k runs would have measured at that time): the ratio of the minima by wall
 * (validate / parse and lint / parse, as bench/run.ts reads them), its median, 90th percentile and largest value, and
 * the share of windows above the issue's limit (2x and 1.5x). The ratio of the minima of all the rounds is the closest
 * this machine came to the floor of each. The steal of the whole measurement is given (the time the hypervisor ran
 * other guests on this machine's CPUs). Not a test: nothing asserts a time.
 *
 *   TS_NODE_PROJECT=test/tsconfig.json node -r ts-node/register/transpile-only bench/spread.ts [--rounds 40] [--k 5,9] [--raw OUT.json] FILE...
 *
 * --raw writes every round's wall ms (per file: parse, validate, lint, in round order) and the steal ms during each
 * process, as JSON, to read them again.
 *
 * FILE: a YAML stream, e.g. one that bench/run.ts measures (the first cluster's stream of its app). lib/ must be
 * compiled from the current src/ (npx projen compile).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { assertLibCurrent, cliScripts, processOnce } from './run';

function fail(message: string): never {
  process.stderr.write(`spread.ts: ${message}\n`);
  process.exit(2);
}

function readArgs() {
  try {
    return parseArgs({ options: { rounds: { type: 'string', default: '40' }, k: { type: 'string', default: '5,9' }, raw: { type: 'string' } }, allowPositionals: true });
  } catch (e) {
    return fail(`${(e as Error).message} (usage: spread.ts [--rounds N] [--k K,K...] [--raw OUT.json] FILE...)`);
  }
}
const { values, positionals: files } = readArgs();
const whole = (text: string) => (/^[0-9]+$/.test(text) ? Number(text) : NaN);
const rounds = whole(values.rounds);
if (!(rounds >= 2)) fail(`--rounds takes a whole number of rounds from 2, got ${JSON.stringify(values.rounds)} (e.g. --rounds 40)`);
const ks = values.k.split(',').map(whole);
const badK = ks.findIndex(k => !(k >= 1 && k <= rounds / 2));
if (badK >= 0) {
  fail(`--k takes whole numbers from 1 to half of --rounds (${rounds}: at most ${Math.floor(rounds / 2)}, so that there are windows enough to compare), got ${JSON.stringify(values.k.split(',')[badK])} in ${JSON.stringify(values.k)} (e.g. --k 5,9)`);
}
if (!files.length) fail('give one or more YAML files to measure (e.g. a stream bench/run.ts measures)');
for (const file of files) if (!fs.existsSync(file) || !fs.statSync(file).isFile()) fail(`${JSON.stringify(file)} is not a file: give the path of a YAML stream`);
if (!fs.existsSync(path.join(__dirname, '..', 'lib', 'index.js'))) fail('lib/ is not built: compile first (npx projen compile)');
try {
  assertLibCurrent();
} catch (e) {
  fail((e as Error).message);
}

const LIMITS = { validate: 2, lint: 1.5 } as const;
const COMMANDS = ['the js-yaml parse', 'cdk8s-mesh validate', 'cdk8s-mesh lint'];
/** The value at quantile q of sorted values (the inverse of their distribution function). */
const quantile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];

const lines = [
  `${rounds} interleaved rounds per file, in a row; per k, every window of k consecutive rounds (${ks.map(k => `${rounds - k + 1} windows of ${k}`).join(', ')}): `
  + 'the ratio of the minima by wall, as median / 90th percentile / largest, and the share of windows above the limit',
  '',
  `| file | command | minima of all ${rounds} rounds | ${ks.map(k => `k = ${k}`).join(' | ')} | steal ms (all rounds) |`,
  `|---|---|---|${ks.map(() => '---').join('|')}|---|`,
];
const raw: Record<string, { parse: number[]; validate: number[]; lint: number[]; steal: number[][] }> = {};
for (const file of files) {
  const scripts = cliScripts(path.resolve(file));
  const walls: number[][] = [[], [], []];
  let steal = 0;
  const steals: number[][] = [];
  for (let r = 0; r < rounds; r++) {
    steals.push([]);
    scripts.forEach((script, i) => {
      const run = processOnce(script);
      if (run.status !== 0) {
        fail(`${COMMANDS[i]} of ${file} exited with ${run.status} in round ${r + 1}: run it by hand (bin/cdk8s-mesh ${i === 1 ? 'validate' : 'lint'} ${file}); `
          + 'the file must be one the commands accept without an error finding');
      }
      walls[i].push(run.ms);
      steal += run.stealMs;
      steals[r].push(run.stealMs);
    });
  }
  raw[file] = { parse: walls[0], validate: walls[1], lint: walls[2], steal: steals };
  (['validate', 'lint'] as const).forEach((command, c) => {
    const of = walls[c + 1];
    const all = Math.min(...of) / Math.min(...walls[0]);
    const cells = ks.map(k => {
      const ratios: number[] = [];
      for (let start = 0; start + k <= rounds; start++) {
        ratios.push(Math.min(...of.slice(start, start + k)) / Math.min(...walls[0].slice(start, start + k)));
      }
      ratios.sort((a, b) => a - b);
      const above = ratios.filter(x => x > LIMITS[command]).length;
      return `${quantile(ratios, 0.5).toFixed(2)} / ${quantile(ratios, 0.9).toFixed(2)} / ${ratios[ratios.length - 1].toFixed(2)}, ${above} of ${ratios.length} above ${LIMITS[command]}`;
    });
    lines.push(`| ${path.basename(file, '.yaml')} | ${command} | ${all.toFixed(2)} | ${cells.join(' | ')} | ${Number.isNaN(steal) ? 'n/a' : steal} |`);
  });
}
process.stdout.write(lines.join('\n') + '\n');
if (values.raw) fs.writeFileSync(values.raw, JSON.stringify(raw, null, 1) + '\n');
