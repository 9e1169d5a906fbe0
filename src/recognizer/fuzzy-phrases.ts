/**
 * fuse.js over the trigger phrases, for short messages whose words are mangled beyond the word-level
 * corrector ("to many pasword erors"). fuse.js scans every phrase it holds; with thousands of triggers
 * that is tens of milliseconds a message. A character-trigram index first picks the phrases that share
 * the most trigrams with the message — a phrase within fuse.js's error threshold shares many — and
 * fuse.js then ranks only those.
 *
 * The index is flat (trigrams as numbers, postings in one array, counts in a typed array reused between
 * messages), so counting stays cheap when common trigrams ("mai", "ail") occur in most of a large
 * catalog's phrases. The phrases handed to fuse.js are the same, in the same order, as a count in a Map
 * ranked with a stable sort would give: most shared trigrams first, then the order first met.
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

/**
 * How many phrases, at most, fuse.js ranks per message. fuse.js costs about 0.1 ms a phrase for a
 * 60-character message; 16 gave the same classification as 64 on every labelled message, with the
 * shipped trees and with ×100 as many (2026-11-23).
 */
const CANDIDATES = 16;

/** The text's distinct character trigrams (space-padded), as numbers, in the order they first occur. */
function trigrams(text: string): number[] {
  const padded = ` ${text} `;
  const seen = new Set<number>();
  for (let i = 0; i + 3 <= padded.length; i++) seen.add(padded.charCodeAt(i) * 4294967296 + padded.charCodeAt(i + 1) * 65536 + padded.charCodeAt(i + 2));
  return [...seen];
}

export function buildFuzzyPhrases(phrases: readonly Phrase[], threshold: number): FuzzyPhrases {
  // Postings of each trigram: the phrases holding it, ascending.
  const gramId = new Map<number, number>();
  const phraseGrams: number[][] = phrases.map((p) =>
    trigrams(p.phrase).map((gram) => {
      let id = gramId.get(gram);
      if (id === undefined) {
        id = gramId.size;
        gramId.set(gram, id);
      }
      return id;
    }),
  );
  const start = new Int32Array(gramId.size + 1);
  for (const grams of phraseGrams) for (const id of grams) start[id + 1]++;
  for (let g = 0; g < gramId.size; g++) start[g + 1] = (start[g + 1] as number) + (start[g] as number);
  const postings = new Int32Array(start[gramId.size] as number);
  const cursor = start.slice(0, gramId.size);
  phraseGrams.forEach((grams, i) => {
    for (const id of grams) postings[cursor[id]++] = i;
  });

  // Shared trigrams per phrase, and the phrases met, in the order met; reset after each search.
  const count = new Uint16Array(phrases.length);
  const met = new Int32Array(phrases.length);
  const options = { keys: ['phrase'], includeScore: true, threshold, ignoreLocation: true, minMatchCharLength: 3 };
  return {
    search(text, limit) {
      const grams = trigrams(text).slice(0, 65535);
      let metCount = 0;
      for (const gram of grams) {
        const id = gramId.get(gram);
        if (id === undefined) continue;
        const end = start[id + 1] as number;
        for (let k = start[id] as number; k < end; k++) {
          const i = postings[k] as number;
          if (count[i]++ === 0) met[metCount++] = i;
        }
      }
      // The CANDIDATES sharing most (at least 2), ties in the order met: all those sharing at least
      // `least`, and of those sharing `least - 1`, the first met.
      const perShared = new Int32Array(grams.length + 2);
      for (let k = 0; k < metCount; k++) perShared[count[met[k] as number] as number]++;
      let least = grams.length + 1;
      let taken = 0;
      while (least > 2 && taken + (perShared[least - 1] as number) <= CANDIDATES) taken += perShared[--least] as number;
      let room = least > 2 ? CANDIDATES - taken : 0;
      const chosen: Array<{ i: number; n: number }> = [];
      for (let k = 0; k < metCount; k++) {
        const i = met[k] as number;
        const n = count[i] as number;
        count[i] = 0;
        if (n >= least && n >= 2) chosen.push({ i, n });
        else if (n === least - 1 && room > 0) {
          room--;
          chosen.push({ i, n });
        }
      }
      // Most shared first; the sort is stable, so equals stay in the order met.
      const candidates = chosen.sort((a, b) => b.n - a.n).map(({ i }) => phrases[i] as Phrase);
      if (candidates.length === 0) return [];
      return new Fuse(candidates, options).search(text, { limit }).map((hit) => ({ treeId: hit.item.treeId, score: hit.score ?? 1 }));
    },
  };
}
