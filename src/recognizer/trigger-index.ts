/**
 * The trees' trigger phrases, tokenised once and indexed by token, with each token's weight (rarer
 * across trees = more telling). Scoring a message touches only the triggers that share a token with it.
 */
import type { LoadedTree } from '../dialogs/schema';
import { normalizeText } from './normalize';
import { surfaceWords, tokenize, type Lexicon } from './tokenize';

export interface TriggerEntry {
  treeId: string;
  /** Distinct canonical tokens. */
  tokens: string[];
  /** Sum of the tokens' weights. */
  weight: number;
  /** The trigger as normalised text, for verbatim matching of error strings. */
  phrase: string;
}

export interface TriggerIndex {
  entries: TriggerEntry[];
  byToken: ReadonlyMap<string, number[]>;
  idf: ReadonlyMap<string, number>;
  /** Weight of a token the triggers never use (it still dilutes a message's match). */
  unknownWeight: number;
  /** Trigger words before stemming, with how often they occur: what typos are corrected towards. */
  surfaceFrequency: ReadonlyMap<string, number>;
  /** Triggers that are error strings or codes: found verbatim anywhere in a message, they decide. */
  verbatim: TriggerEntry[];
}

export function buildTriggerIndex(trees: Iterable<LoadedTree>, lexicon: Lexicon): TriggerIndex {
  const raw: Array<{ treeId: string; tokens: string[]; phrase: string; verbatim: boolean }> = [];
  const treesWithToken = new Map<string, Set<string>>();
  const surfaceFrequency = new Map<string, number>();
  let treeCount = 0;
  for (const tree of trees) {
    if (tree.triggers.length === 0 && tree.errors.length === 0) continue;
    treeCount++;
    const errors = new Set(tree.errors);
    for (const trigger of [...tree.errors, ...tree.triggers.filter((t) => !errors.has(t))]) {
      const tokens = [...new Set(tokenize(trigger, lexicon))];
      if (tokens.length === 0) continue;
      for (const word of surfaceWords(lexicon.canonicalize(normalizeText(trigger)))) surfaceFrequency.set(word, (surfaceFrequency.get(word) ?? 0) + 1);
      raw.push({ treeId: tree.id, tokens, phrase: normalizeText(trigger.replace(/^["']|["']$/g, '')), verbatim: tree.kind === 'problem' && errors.has(trigger) });
      for (const token of tokens) {
        const owners = treesWithToken.get(token) ?? new Set<string>();
        owners.add(tree.id);
        treesWithToken.set(token, owners);
      }
    }
  }
  const idf = new Map<string, number>();
  for (const [token, owners] of treesWithToken) idf.set(token, Math.log(1 + treeCount / owners.size));
  const weights = [...idf.values()].sort((a, b) => a - b);
  const unknownWeight = weights.length ? weights[Math.floor(weights.length / 2)] * 0.6 : 1;

  const entries: TriggerEntry[] = [];
  const byToken = new Map<string, number[]>();
  const verbatim: TriggerEntry[] = [];
  for (const item of raw) {
    const entry: TriggerEntry = {
      treeId: item.treeId,
      tokens: item.tokens,
      weight: item.tokens.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0),
      phrase: item.phrase,
    };
    const at = entries.push(entry) - 1;
    for (const token of entry.tokens) {
      const list = byToken.get(token);
      if (list) list.push(at);
      else byToken.set(token, [at]);
    }
    if (item.verbatim) verbatim.push(entry);
  }
  return { entries, byToken, idf, unknownWeight, surfaceFrequency, verbatim };
}
