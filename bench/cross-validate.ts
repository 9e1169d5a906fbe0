/**
 * `npm run bench:cv`: leave-one-set-out cross-validation of the recognizer on its training examples.
 * Each labelled set in dialogs/_examples.jsonl was written by a different person; for each set, the
 * recognizer is built with the examples of all the other sets and classifies this set's examples. That
 * estimates how it reads a new writer's messages, without touching the held-out fixtures — so model and
 * decision changes can be compared here, and held-out accuracy measured once afterwards. (The rules were
 * tuned on these messages, so the rules-only column is optimistic.)
 */
import { loadCatalog, type Catalog } from '../src/dialogs/loader';
import { clarifyTreeId } from '../src/dialogs/taxonomy';
import type { Category } from '../src/dialogs/schema';
import { createRecognizer, RECOGNIZER_DEFAULTS, type RecognizerOptions } from '../src/recognizer/recognizer';
import { DEFAULT_PATHS } from '../src/core';
import type { Classification } from '../src/recognizer/types';
import { loadLabelled, score, type LabelledMessage } from './labelled-set';

const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
const setOf = (m: LabelledMessage) => m.set ?? 'unnamed';

function withExamples(catalog: Catalog, messages: readonly LabelledMessage[]): Catalog {
  const examples = messages
    .map((m) => ({ text: m.text, treeId: m.problem ?? clarifyTreeId(m.category as Category) }))
    .filter((e) => catalog.trees.has(e.treeId));
  return { ...catalog, examples };
}

function main(args: string[]): void {
  const { catalog } = loadCatalog(DEFAULT_PATHS.dialogs);
  if (!catalog) throw new Error('dialogs do not load: run npm run validate');
  const examples = loadLabelled().filter((m) => m.split !== 'heldout');
  const sets = [...new Set(examples.map(setOf))];
  // `--option name=value` (repeatable) tries other tuning values in the first column.
  const tried: Record<string, number> = {};
  args.forEach((arg, i) => {
    if (arg !== '--option') return;
    const [name, value] = (args[i + 1] ?? '').split('=');
    if (!name || !(name in RECOGNIZER_DEFAULTS) || Number.isNaN(Number(value))) throw new Error(`--option wants name=number of a recognizer setting, got '${args[i + 1]}'`);
    tried[name] = Number(value);
  });
  const variants: Array<[string, RecognizerOptions]> = [
    ['rules + model', tried as RecognizerOptions],
    ['rules only', { ...tried, modelCertainty: Infinity }],
  ];
  const only = args.includes('--fast') ? variants.slice(0, 1) : variants;
  const totals = new Map<string, Array<{ item: LabelledMessage; result: Classification }>>();
  console.log(`${'held-out set'.padEnd(14)} ${'n'.padStart(5)}  ${only.map(([name]) => name.padStart(14)).join('  ')}`);
  for (const set of sets) {
    const test = examples.filter((m) => setOf(m) === set);
    const train = withExamples(catalog, examples.filter((m) => setOf(m) !== set));
    const cells: string[] = [];
    for (const [name, options] of only) {
      const recognizer = createRecognizer(train, options);
      const results = test.map((item) => ({ item, result: recognizer.classify(item.text) }));
      totals.set(name, [...(totals.get(name) ?? []), ...results]);
      cells.push(pct(score(results).problemAccuracy).padStart(14));
    }
    console.log(`${set.padEnd(14)} ${String(test.length).padStart(5)}  ${cells.join('  ')}`);
  }
  for (const lang of [null, 'en', 'zh'] as const) {
    const cells = only.map(([name]) => {
      const all = (totals.get(name) ?? []).filter((r) => lang === null || r.item.lang === lang);
      return pct(score(all).problemAccuracy).padStart(14);
    });
    const n = (totals.get(only[0][0]) ?? []).filter((r) => lang === null || r.item.lang === lang).length;
    console.log(`${(lang === null ? 'all' : `all ${lang}`).padEnd(14)} ${String(n).padStart(5)}  ${cells.join('  ')}`);
  }
  const all = totals.get(only[0][0]) ?? [];
  const s = score(all);
  console.log(`\n${only[0][0]}: out-of-scope precision ${pct(s.outOfScopePrecision)}, recall ${pct(s.outOfScopeRecall)}, multi-recall ${s.multiRecall === null ? '—' : pct(s.multiRecall)}`);
  if (args.includes('--errors')) {
    for (const { item, result } of all) {
      if (result.problem === item.problem) continue;
      console.log(`[${item.set}] want ${item.problem ?? item.category + '/null'} got ${result.intent} ${result.problem ?? result.category + '/null'} (${result.confidence})\n    ${item.text.slice(0, 200).replace(/\n/g, ' ')}`);
    }
  }
}

main(process.argv.slice(2));
