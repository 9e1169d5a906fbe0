/**
 * Same-process A/B of the trigger index (src/recognizer/trigger-index.ts): the recognizer built with the
 * index of a base commit and with the working tree's, side by side in one process, so that a change to the
 * index is judged on the same machine state (the machine is shared and noisy).
 *
 *   npx tsx bench/index-ab.ts [--base <git rev>] [--rounds 5] [--scales 1,100] [--step 10]
 *
 * Both sides are copies of src/ as of `--src` (default HEAD: committed code, so that work in progress in
 * other files neither breaks the run nor differs between the sides; `--src worktree` copies the working
 * tree's), the base side with trigger-index.ts as of `--base` (default HEAD), the new side with the working
 * tree's. For every
 * scale it first checks that both classify every labelled message identically (JSON of `classify()`), then
 * times every `--step`-th labelled message (×1: every one) `--rounds` times per side, alternating side and
 * message (base, new on even rounds; new, base on odd ones), keeping each message's fastest time per side.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHelpdeskCore } from '../src/core';
import type { Catalog } from '../src/dialogs/loader';
import type { Recognizer } from '../src/recognizer/recognizer';
import { loadLabelled } from './labelled-set';
import { scaleCatalog } from './synthetic-trees';

const ROOT = path.resolve(__dirname, '..');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const BASE = option('base', 'HEAD');
const ROUNDS = Number(option('rounds', '5'));
const SCALES = option('scales', '1,100').split(',').map(Number);
const STEP = Number(option('step', '10'));
const SOURCE = option('src', 'HEAD');

type Create = (catalog: Catalog) => Recognizer;

/** Copies of src/ in a temporary folder (node_modules linked), one per side; returns each side's createRecognizer. */
function snapshots(): { base: Create; next: Create; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'index-ab-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const side of ['base', 'next']) {
    if (SOURCE === 'worktree') fs.cpSync(path.join(ROOT, 'src'), path.join(dir, side, 'src'), { recursive: true });
    else {
      fs.mkdirSync(path.join(dir, side));
      execFileSync('sh', ['-c', `git archive ${SOURCE} src | tar -x -C ${JSON.stringify(path.join(dir, side))}`], { cwd: ROOT });
    }
  }
  fs.copyFileSync(path.join(ROOT, 'src', 'recognizer', 'trigger-index.ts'), path.join(dir, 'next', 'src', 'recognizer', 'trigger-index.ts'));
  const baseIndex = execFileSync('git', ['show', `${BASE}:src/recognizer/trigger-index.ts`], { cwd: ROOT, encoding: 'utf8' });
  fs.writeFileSync(path.join(dir, 'base', 'src', 'recognizer', 'trigger-index.ts'), baseIndex);
  const load = (side: string): Create => (require(path.join(dir, side, 'src', 'recognizer', 'recognizer.ts')) as { createRecognizer: Create }).createRecognizer;
  return { base: load('base'), next: load('next'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;

function timeMs(recognizer: Recognizer, text: string): number {
  const start = process.hrtime.bigint();
  recognizer.classify(text);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function main(): void {
  const { base, next, cleanup } = snapshots();
  try {
    const core = loadHelpdeskCore();
    const texts = loadLabelled().map((item) => item.text);
    console.log(`src/ at ${SOURCE}; base: trigger-index.ts at ${BASE}; new: the working tree's; ${ROUNDS} rounds, fastest per message`);
    for (const scale of SCALES) {
      const catalog = scaleCatalog(core.catalog, scale);
      let started = Date.now();
      const a = base(catalog);
      const buildA = Date.now() - started;
      started = Date.now();
      const b = next(catalog);
      const buildB = Date.now() - started;

      const differing = texts.filter((text) => JSON.stringify(a.classify(text)) !== JSON.stringify(b.classify(text)));
      console.log(`\n×${scale}: built in ${buildA} ms (base), ${buildB} ms (new); classifications of all ${texts.length} labelled messages: ${differing.length === 0 ? 'identical' : `${differing.length} DIFFER`}`);
      for (const text of differing.slice(0, 5)) console.log(`  differs: ${JSON.stringify(text.slice(0, 120))}`);

      const sample = scale === 1 ? texts : texts.filter((_, i) => i % STEP === 0);
      const fastA = sample.map(() => Infinity);
      const fastB = sample.map(() => Infinity);
      for (let round = 0; round < ROUNDS; round++) {
        sample.forEach((text, i) => {
          const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
          const t1 = timeMs(first, text);
          const t2 = timeMs(second, text);
          const [ta, tb] = round % 2 === 0 ? [t1, t2] : [t2, t1];
          fastA[i] = Math.min(fastA[i] as number, ta);
          fastB[i] = Math.min(fastB[i] as number, tb);
        });
      }
      const describe = (times: number[]) => {
        const sorted = [...times].sort((x, y) => x - y);
        const total = times.reduce((s, t) => s + t, 0);
        return `p50 ${quantile(sorted, 0.5).toFixed(2)} ms, p90 ${quantile(sorted, 0.9).toFixed(2)} ms, p99 ${quantile(sorted, 0.99).toFixed(2)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms, total ${total.toFixed(0)} ms`;
      };
      console.log(`  ${sample.length} messages`);
      console.log(`  base: ${describe(fastA)}`);
      console.log(`  new:  ${describe(fastB)}`);
      const ratios = sample.map((_, i) => (fastB[i] as number) / (fastA[i] as number)).sort((x, y) => x - y);
      console.log(`  new/base per message: median ${quantile(ratios, 0.5).toFixed(3)}, p10 ${quantile(ratios, 0.1).toFixed(3)}, p90 ${quantile(ratios, 0.9).toFixed(3)}`);
      const slowest = sample.map((text, i) => ({ text, a: fastA[i] as number, b: fastB[i] as number })).sort((x, y) => y.a - x.a).slice(0, 8);
      console.log('  slowest (base):');
      for (const s of slowest) console.log(`    ${s.a.toFixed(1).padStart(6)} → ${s.b.toFixed(1).padStart(6)} ms  ${s.text.length} chars  ${JSON.stringify(s.text.slice(0, 50))}`);
    }
  } finally {
    cleanup();
  }
}

main();
