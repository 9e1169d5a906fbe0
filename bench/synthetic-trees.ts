/**
 * Synthetic problem trees for scaling the recognizer: `scale` × the shipped trees, the extra ones made of
 * the shipped triggers' own vocabulary (each trigger's words shuffled, some swapped for other trigger words,
 * plus one made-up word so no two synthetic triggers are the same) and one made-up error string each. They
 * compete with the real trees for every message, as a catalog a hundred times larger would.
 */
import type { Catalog } from '../src/dialogs/loader';
import type { LoadedTree } from '../src/dialogs/schema';

/** A small deterministic generator (mulberry32), so every run scales the same way. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NONCE_LETTERS = 'bcdfghjklmnpqrstvwxz';

function nonce(n: number): string {
  let out = 'q';
  for (let v = n; ; v = Math.floor(v / NONCE_LETTERS.length)) {
    out += NONCE_LETTERS[v % NONCE_LETTERS.length];
    if (v < NONCE_LETTERS.length) break;
  }
  return `${out}x`;
}

/** The catalog with (scale − 1) × its scored trees added as synthetic problems; scale 1 is the catalog itself. */
export function scaleCatalog(catalog: Catalog, scale: number, seed = 7): Catalog {
  if (scale <= 1) return catalog;
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const sources = [...catalog.trees.values()].filter((t) => t.kind === 'problem' && t.triggers.length > 0);
  const vocabulary = [...new Set(sources.flatMap((t) => t.triggers.flatMap((p) => p.split(/\s+/))))].filter((w) => w.length > 2);
  const trees = new Map<string, LoadedTree>(catalog.trees);
  const extra = (scale - 1) * [...catalog.trees.values()].filter((t) => t.kind !== 'menu').length;
  for (let k = 0; k < extra; k++) {
    const source = pick(sources);
    const triggers = source.triggers.map((phrase, i) => {
      const words = phrase.split(/\s+/);
      for (let j = words.length - 1; j > 0; j--) {
        const r = Math.floor(next() * (j + 1));
        [words[j], words[r]] = [words[r] as string, words[j] as string];
      }
      for (let j = 0; j < words.length; j++) if (next() < 0.3) words[j] = pick(vocabulary);
      words.splice(Math.floor(next() * (words.length + 1)), 0, nonce(k * 64 + i));
      return words.join(' ');
    });
    const id = `synthetic-${k}`;
    trees.set(id, { ...source, id, triggers, errors: [`E${100000 + k} ${nonce(k)} rejected`] });
  }
  return { ...catalog, trees };
}
