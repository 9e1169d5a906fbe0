/** The labelled recognizer messages (training examples and held-out fixtures) and how a classification is scored on them. */
import fs from 'node:fs';
import path from 'node:path';
import type { Classification } from '../src/recognizer/types';

export interface LabelledMessage {
  text: string;
  category: string;
  problem: string | null;
  lang: 'en' | 'zh';
  /** tune: triggers were written looking at these; dev: error analysis of the recognizer's mechanisms; both are training examples. heldout: never looked at. */
  split: 'tune' | 'dev' | 'heldout';
  /** Which labelled set it came from (examples only). */
  set?: string;
  tags: string[];
  also?: string[];
}

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'recognizer');
/**
 * The `tune` and `dev` messages of the five labelled sets are the recognizer's training examples
 * (dialogs/_examples.jsonl, each line naming its `set`); their `heldout` messages, never inspected and never
 * trained on, stay here as test fixtures, one file per set (see test/fixtures/recognizer/README.md).
 */
export const EXAMPLES_FILE = path.join(ROOT, 'dialogs', '_examples.jsonl');
export const HELDOUT_FILES = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.jsonl'))
  .sort()
  .map((name) => path.join(FIXTURES, name));

function readJsonl(file: string): LabelledMessage[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as LabelledMessage);
}

export function loadLabelled(): LabelledMessage[] {
  return [...readJsonl(EXAMPLES_FILE), ...HELDOUT_FILES.flatMap(readJsonl)];
}

export interface Scores {
  count: number;
  categoryAccuracy: number;
  problemAccuracy: number;
  outOfScopePrecision: number;
  outOfScopeRecall: number;
  /** Share of all labelled problems of multi-problem messages found among the answer and its alternatives. */
  multiRecall: number | null;
}

const isOutOfScope = (problem: string | null) => problem === 'out-of-scope';

export function score(items: Array<{ item: LabelledMessage; result: Classification }>): Scores {
  let category = 0;
  let problem = 0;
  let oosTruePositive = 0;
  let oosPredicted = 0;
  let oosActual = 0;
  let multiFound = 0;
  let multiTotal = 0;
  for (const { item, result } of items) {
    if (result.category === item.category) category++;
    if (result.problem === item.problem) problem++;
    const predictedOos = isOutOfScope(result.problem);
    if (predictedOos) oosPredicted++;
    if (isOutOfScope(item.problem)) oosActual++;
    if (predictedOos && isOutOfScope(item.problem)) oosTruePositive++;
    if (item.also && item.also.length > 0) {
      const found = new Set([result.problem, ...result.alternatives.map((a) => a.problem)]);
      for (const p of [item.problem, ...item.also]) {
        multiTotal++;
        if (found.has(p)) multiFound++;
      }
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    count: items.length,
    categoryAccuracy: ratio(category, items.length),
    problemAccuracy: ratio(problem, items.length),
    outOfScopePrecision: ratio(oosTruePositive, oosPredicted),
    outOfScopeRecall: ratio(oosTruePositive, oosActual),
    multiRecall: multiTotal === 0 ? null : ratio(multiFound, multiTotal),
  };
}
