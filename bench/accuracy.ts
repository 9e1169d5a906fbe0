/**
 * `npm run bench:accuracy [-- --errors] [-- --split heldout]`: the recognizer on the labelled set, per
 * split (tune = what the triggers were written against; dev = a later independent set for error analysis;
 * heldout = never looked at while tuning), per language,
 * and for multi-problem tickets. Prints a table; `--errors` lists every miss.
 */
import { loadHelpdeskCore } from '../src/core';
import { loadLabelled, score, type LabelledMessage, type Scores } from './labelled-set';

const pct = (x: number | null) => (x === null ? '   —  ' : `${(x * 100).toFixed(1).padStart(5)}%`);

function row(name: string, s: Scores): string {
  return `${name.padEnd(22)} ${String(s.count).padStart(5)}  ${pct(s.categoryAccuracy)}  ${pct(s.problemAccuracy)}  ${pct(s.outOfScopePrecision)}  ${pct(s.outOfScopeRecall)}  ${pct(s.multiRecall)}`;
}

function main(args: string[]): void {
  const core = loadHelpdeskCore();
  const items = loadLabelled();
  const only = args.includes('--split') ? args[args.indexOf('--split') + 1] : null;
  const started = process.hrtime.bigint();
  const results = items.map((item) => ({ item, result: core.recognizer.classify(item.text) }));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

  const groups: Array<[string, (i: LabelledMessage) => boolean]> = [];
  for (const split of ['tune', 'dev', 'heldout'] as const) {
    if (only && only !== split) continue;
    groups.push([`${split}`, (i) => i.split === split]);
    groups.push([`${split} en`, (i) => i.split === split && i.lang === 'en']);
    groups.push([`${split} zh`, (i) => i.split === split && i.lang === 'zh']);
    groups.push([`${split} multi`, (i) => i.split === split && (i.also?.length ?? 0) > 0]);
    groups.push([`${split} long`, (i) => i.split === split && i.tags.includes('long')]);
    groups.push([`${split} category-only`, (i) => i.split === split && i.problem === null]);
  }
  console.log(`${'set'.padEnd(22)} ${'n'.padStart(5)}  category  problem  oos-prec  oos-rec  multi-rec`);
  for (const [name, keep] of groups) {
    const subset = results.filter((r) => keep(r.item));
    if (subset.length > 0) console.log(row(name, score(subset)));
  }
  console.log(`\n${items.length} messages classified in ${elapsedMs.toFixed(0)} ms (${(elapsedMs / items.length).toFixed(2)} ms each)`);

  if (args.includes('--errors')) {
    console.log('\nmisses:');
    for (const { item, result } of results) {
      if (only && item.split !== only) continue;
      if (result.problem === item.problem && result.category === item.category) continue;
      const alts = result.alternatives.map((a) => `${a.problem}:${a.confidence}`).join(' ');
      console.log(`[${item.split}] want ${item.category}/${item.problem} got ${result.intent} ${result.category}/${result.problem} (${result.confidence}) alts[${alts}]\n    ${item.text.slice(0, 160).replace(/\n/g, ' ')}`);
    }
  }
}

main(process.argv.slice(2));
