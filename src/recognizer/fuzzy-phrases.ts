/**
 * fuse.js over the trigger phrases, for short messages whose words are mangled beyond the word-level
 * corrector ("to many pasword erors"). fuse.js scans every phrase it holds; with thousands of triggers
 * that is tens of milliseconds a message. A character-trigram index first picks the phrases that share
 * the most trigrams with the message — a phrase within fuse.js's error threshold shares many — and
 * fuse.js then ranks only those.
 */
import Fuse from 'fuse.js';

export interface PhraseHit {
  treeId: string;
  /** fuse.js score: 0 is identical, 1 is nothing alike. */
  score: number;
}

export interface FuzzyPhrases {
  search(normalizedText: string, limit: number): PhraseHit[];
}

interface Phrase {
  phrase: string;
  treeId: string;
}

/** How many phrases, at most, fuse.js ranks per message. */
const CANDIDATES = 64;

function trigrams(text: string): Set<string> {
  const padded = ` ${text} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

export function buildFuzzyPhrases(phrases: readonly Phrase[], threshold: number): FuzzyPhrases {
  const byTrigram = new Map<string, number[]>();
  phrases.forEach((p, i) => {
    for (const gram of trigrams(p.phrase)) {
      const list = byTrigram.get(gram);
      if (list) list.push(i);
      else byTrigram.set(gram, [i]);
    }
  });
  const options = { keys: ['phrase'], includeScore: true, threshold, ignoreLocation: true, minMatchCharLength: 3 };
  return {
    search(text, limit) {
      const shared = new Map<number, number>();
      for (const gram of trigrams(text)) for (const i of byTrigram.get(gram) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
      const candidates = [...shared]
        .filter(([, n]) => n >= 2)
        .sort((a, b) => b[1] - a[1])
        .slice(0, CANDIDATES)
        .map(([i]) => phrases[i]);
      if (candidates.length === 0) return [];
      return new Fuse(candidates, options).search(text, { limit }).map((hit) => ({ treeId: hit.item.treeId, score: hit.score ?? 1 }));
    },
  };
}
