/**
 * Typo tolerance: a message word the triggers never use is read as the trigger word it is closest to,
 * when that is within one edit (two for long words). A deletion index (SymSpell's idea) finds the
 * candidates without comparing against the whole vocabulary.
 */

function deletions(word: string, depth: number): Set<string> {
  const out = new Set<string>([word]);
  let frontier = [word];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const shorter = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(shorter)) {
          out.add(shorter);
          next.push(shorter);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps), bounded. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    let rowMin = Infinity;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      rowMin = Math.min(rowMin, d[i][j]);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length][b.length];
}

const maxEdits = (word: string) => (word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0);

export class SpellingCorrector {
  private readonly index = new Map<string, string[]>();
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly vocabulary: ReadonlySet<string>, private readonly frequency: ReadonlyMap<string, number>) {
    for (const word of vocabulary) {
      if (!/^[a-z]+$/.test(word) || word.length < 4) continue;
      for (const variant of deletions(word, maxEdits(word))) {
        const list = this.index.get(variant);
        if (list) list.push(word);
        else this.index.set(variant, [word]);
      }
    }
  }

  /** The vocabulary word meant by `word`, or null when it is known already or nothing is close. */
  correct(word: string): string | null {
    if (this.vocabulary.has(word) || !/^[a-z]+$/.test(word)) return null;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const max = maxEdits(word);
    let best: { word: string; distance: number; frequency: number } | null = null;
    if (max > 0) {
      for (const variant of deletions(word, max)) {
        for (const candidate of this.index.get(variant) ?? []) {
          const distance = editDistance(word, candidate, max);
          if (distance > max) continue;
          const frequency = this.frequency.get(candidate) ?? 0;
          if (!best || distance < best.distance || (distance === best.distance && frequency > best.frequency)) best = { word: candidate, distance, frequency };
        }
      }
    }
    const result = best?.word ?? null;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }
}
