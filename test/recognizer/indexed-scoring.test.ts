/**
 * The trigger index (max-score pruning, error strings found by a word they contain) must classify exactly
 * as the exhaustive scan of every trigger and every error string does: the same answer, confidence,
 * alternatives and flags, on the labelled set with the shipped trees and with synthetic trees added (where
 * most triggers share common words and the pruning does the most), and on messages made of trigger words.
 */
import { loadHelpdeskCore } from '../../src/core';
import { createRecognizer } from '../../src/recognizer/recognizer';
import { loadLabelled } from '../../bench/labelled-set';
import { scaleCatalog } from '../../bench/synthetic-trees';

const { catalog } = loadHelpdeskCore();
const labelled = loadLabelled().map((item) => item.text);

function expectSameClassifications(scale: number, texts: string[]): void {
  const scaled = scaleCatalog(catalog, scale);
  const indexed = createRecognizer(scaled);
  const exhaustive = createRecognizer(scaled, {}, { exhaustive: true });
  const differing = texts.filter((text) => JSON.stringify(indexed.classify(text)) !== JSON.stringify(exhaustive.classify(text)));
  expect(differing).toEqual([]);
}

/** Messages of 1–12 words drawn from the triggers and error strings (a fixed seed), some run together into tickets. */
function generatedMessages(count: number): string[] {
  const words = [...new Set([...catalog.trees.values()].flatMap((t) => [...t.triggers, ...t.errors]).flatMap((p) => p.split(/\s+/)))].sort();
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const sentence = () => Array.from({ length: 1 + Math.floor(next() * 12) }, () => words[Math.floor(next() * words.length)]).join(' ');
  return Array.from({ length: count }, (_, i) => (i % 10 === 9 ? Array.from({ length: 8 }, sentence).join('. ') : sentence()));
}

describe('indexed scoring classifies as the exhaustive scan', () => {
  test('the labelled set, shipped trees', () => expectSameClassifications(1, labelled));
  test('generated messages, shipped trees', () => expectSameClassifications(1, generatedMessages(1500)));
  test('a third of the labelled set and generated messages, ×3 trees', () =>
    expectSameClassifications(
      3,
      [...labelled.filter((_, i) => i % 3 === 0), ...generatedMessages(300)],
    ));
});
