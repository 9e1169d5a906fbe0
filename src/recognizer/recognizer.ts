/**
 * Message → {category, problem, confidence, alternatives}. Several signals, each for what the others miss:
 * - token overlap with every trigger (weighted by how telling each token is), per clause, so a long
 *   ticket or a message with two problems is matched sentence by sentence;
 * - error strings and codes found verbatim anywhere (the bounce line of a pasted ticket decides);
 * - fuse.js over the trigger phrases for short messages (typos inside phrases);
 * - a spelling corrector for single words the triggers never use;
 * - synonyms and Chinese word segmentation (tokenize.ts).
 * Then a decision: a problem, only a category, vague mail trouble, out of scope, or nothing readable.
 */
import Fuse from 'fuse.js';
import type { Catalog } from '../dialogs/loader';
import type { Category, LoadedTree } from '../dialogs/schema';
import { PROBLEM_CATEGORY, OUT_OF_SCOPE_PROBLEM_ID } from '../dialogs/taxonomy';
import { extractEntities } from './entities';
import { normalizeText } from './normalize';
import { SpellingCorrector } from './spelling';
import { buildLexicon, hasCjk, tokenize, type Lexicon } from './tokenize';
import { buildTriggerIndex, type TriggerIndex } from './trigger-index';
import type { Candidate, Classification, Intent } from './types';

export interface Recognizer {
  classify(text: string): Classification;
}

/** Tuning of the decision; measured with `npm run bench:accuracy` on the tune split only. */
export const RECOGNIZER_DEFAULTS = Object.freeze({
  /** Recall of the trigger counts more than how much of the message it explains (beta of an F-score). */
  beta: 1.6,
  /** A problem needs at least this score. */
  problemThreshold: 0.42,
  /** A category-only phrase needs at least this score. */
  categoryThreshold: 0.4,
  /** A category-only phrase beats the best problem by this much to ask the category's question. */
  categoryMargin: 0.08,
  /** Two problems within this ratio of each other, with no verbatim error string, are "Did you mean …?". */
  ambiguityRatio: 0.92,
  /** Alternatives must reach this share of the best score. */
  alternativeRatio: 0.55,
  alternativeMinimum: 0.38,
  maxAlternatives: 3,
  /** Score given to a trigger found verbatim (error strings, codes). */
  verbatimScore: 0.97,
  /** Short messages also go through fuse.js over the trigger phrases. */
  fuzzyMaxChars: 80,
  fuzzyThreshold: 0.34,
  /** Only this much of a message is read. */
  maxChars: 20_000,
});

export type RecognizerOptions = Partial<typeof RECOGNIZER_DEFAULTS>;

interface TreeScore {
  treeId: string;
  score: number;
  verbatim: boolean;
}

export function createRecognizer(catalog: Catalog, options: RecognizerOptions = {}): Recognizer {
  const config = { ...RECOGNIZER_DEFAULTS, ...options };
  const lexicon = buildLexicon(catalog.lexicon);
  const scoredTrees = [...catalog.trees.values()].filter((t) => (t.kind === 'problem' || t.kind === 'clarify') && t.triggers.length > 0);
  const index = buildTriggerIndex(scoredTrees, lexicon);
  const known = new Map(index.surfaceFrequency);
  for (const variant of lexicon.variants) if (!known.has(variant)) known.set(variant, 1);
  const speller = new SpellingCorrector(new Set(known.keys()), known);
  const correct = (word: string) => {
    const fixed = speller.correct(word);
    return fixed === null ? word : lexicon.canonicalWord(fixed);
  };
  const fuse = new Fuse(
    index.entries.map((e) => ({ phrase: e.phrase, treeId: e.treeId })),
    { keys: ['phrase'], includeScore: true, threshold: config.fuzzyThreshold, ignoreLocation: true, minMatchCharLength: 3 },
  );
  const treeById = new Map(scoredTrees.map((t) => [t.id, t]));
  return { classify: (text) => classify(text, { config, lexicon, index, correct, fuse, treeById }) };
}

interface Context {
  config: typeof RECOGNIZER_DEFAULTS;
  lexicon: Lexicon;
  index: TriggerIndex;
  correct: (word: string) => string;
  fuse: Fuse<{ phrase: string; treeId: string }>;
  treeById: ReadonlyMap<string, LoadedTree>;
}

/** Sentences and clauses; a problem named in one clause should not be diluted by the others. */
function segmentsOf(text: string): string[] {
  const sentences = text.split(/[\n\r]+|(?<=[.!?。！？；;])\s*|\s+(?:and also|also|plus|but also|and|but|however|besides)\s+|[，,]\s*(?:and |also |plus |but )|(?:另外|而且|还有|并且|同时|但是)/i);
  return sentences.map((s) => s?.trim() ?? '').filter((s) => s.length >= 2);
}

/** Tokens of one piece of text, each unknown word read as the trigger word it is a typo of. */
function readTokens(text: string, ctx: Context): string[] {
  return [...new Set(tokenize(text, ctx.lexicon, ctx.correct))];
}

/** Best score per tree for one piece of text, by weighted token overlap with each trigger. */
function scoreTokens(tokens: string[], ctx: Context, into: Map<string, TreeScore>): void {
  const { index, config } = ctx;
  const weightOf = (t: string) => index.idf.get(t) ?? index.unknownWeight;
  const messageWeight = tokens.reduce((sum, t) => sum + weightOf(t), 0);
  if (messageWeight === 0) return;
  const present = new Set(tokens);
  const seen = new Set<number>();
  const perTree = new Map<string, number[]>();
  for (const token of tokens) {
    for (const at of index.byToken.get(token) ?? []) {
      if (seen.has(at)) continue;
      seen.add(at);
      const entry = index.entries[at];
      let overlap = 0;
      for (const t of entry.tokens) if (present.has(t)) overlap += index.idf.get(t) ?? 0;
      if (overlap === 0 || entry.weight === 0) continue;
      const recall = overlap / entry.weight;
      const precision = Math.min(1, overlap / messageWeight);
      const b2 = config.beta * config.beta;
      const f = ((1 + b2) * precision * recall) / (b2 * precision + recall);
      const list = perTree.get(entry.treeId) ?? [];
      list.push(f);
      perTree.set(entry.treeId, list);
    }
  }
  for (const [treeId, scores] of perTree) {
    scores.sort((a, b) => b - a);
    // The best trigger decides; a second matching trigger adds a little confidence.
    const score = Math.min(1, scores[0] + 0.08 * (scores[1] ?? 0));
    keepBest(into, { treeId, score, verbatim: false });
  }
}

function keepBest(into: Map<string, TreeScore>, candidate: TreeScore): void {
  const current = into.get(candidate.treeId);
  if (!current || candidate.score > current.score) into.set(candidate.treeId, { ...candidate, verbatim: candidate.verbatim || (current?.verbatim ?? false) });
  else if (candidate.verbatim) current.verbatim = true;
}

function containsPhrase(haystack: string, phrase: string): boolean {
  if (hasCjk(phrase)) return haystack.includes(phrase);
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(phrase, from);
    if (at < 0) return false;
    const before = haystack[at - 1];
    const after = haystack[at + phrase.length];
    const boundary = (c: string | undefined) => c === undefined || !/[\p{L}\p{N}]/u.test(c);
    if (boundary(before) && boundary(after)) return true;
    from = at + 1;
  }
}

function classify(rawText: string, ctx: Context): Classification {
  const { config } = ctx;
  const text = (typeof rawText === 'string' ? rawText : '').slice(0, config.maxChars);
  const normalized = normalizeText(text);
  const entities = extractEntities(text);
  const language = hasCjk(normalized) ? (/[a-z]{3,}/.test(normalized.replace(/\b(?:outlook|foxmail|smtp|imap|pop3?|mx|spf|dns|cname|txt|webmail|email|mail)\b/g, '')) ? 'mixed' : 'zh') : 'en';

  const scores = new Map<string, TreeScore>();
  const wholeTokens = readTokens(normalized, ctx);
  scoreTokens(wholeTokens, ctx, scores);
  const segments = segmentsOf(text);
  if (segments.length > 1) for (const segment of segments.slice(0, 400)) scoreTokens(readTokens(segment, ctx), ctx, scores);

  for (const entry of ctx.index.verbatim) {
    if (containsPhrase(normalized, entry.phrase)) keepBest(scores, { treeId: entry.treeId, score: config.verbatimScore, verbatim: true });
  }
  if (normalized.length >= 4 && normalized.length <= config.fuzzyMaxChars) {
    for (const hit of ctx.fuse.search(normalized, { limit: 5 })) {
      const score = (1 - (hit.score ?? 1)) * 0.85;
      keepBest(scores, { treeId: hit.item.treeId, score, verbatim: false });
    }
  }

  const ranked = [...scores.values()].sort((a, b) => b.score - a.score);
  const problems = ranked.filter((s) => ctx.treeById.get(s.treeId)?.kind === 'problem');
  const clarifies = ranked.filter((s) => ctx.treeById.get(s.treeId)?.kind === 'clarify');
  const best = problems[0];
  const runnerUp = problems[1];
  const bestClarify = clarifies[0];
  const aboutMail = wholeTokens.some((t) => ctx.lexicon.domainTokens.has(t)) || entities.errorCodes.length > 0 || entities.statuses.length > 0;

  const categoryOf = (s: TreeScore): Category => PROBLEM_CATEGORY[s.treeId] ?? (ctx.treeById.get(s.treeId)?.category as Category);
  const candidate = (s: TreeScore): Candidate => ({ category: categoryOf(s), problem: s.treeId, confidence: round(s.score) });
  const alternativesAfter = (top: TreeScore | undefined): Candidate[] =>
    problems
      .filter((s) => s !== top && s.score >= config.alternativeMinimum && (!top || s.score >= top.score * config.alternativeRatio))
      .slice(0, config.maxAlternatives)
      .map(candidate);

  const result = (intent: Intent, category: Category, problem: string | null, confidence: number, alternatives: Candidate[], ambiguous = false): Classification => ({
    intent,
    category,
    problem,
    confidence: round(confidence),
    alternatives,
    entities,
    language,
    ambiguous,
  });

  const problemWins = best && best.score >= config.problemThreshold && !(bestClarify && bestClarify.score >= best.score + config.categoryMargin && !best.verbatim);
  if (problemWins) {
    const margin = runnerUp ? 1 - runnerUp.score / best.score : 1;
    const confidence = best.score * (0.8 + 0.2 * margin);
    if (best.treeId === OUT_OF_SCOPE_PROBLEM_ID) {
      const mailAlternatives = alternativesAfter(best).filter((c) => c.problem !== OUT_OF_SCOPE_PROBLEM_ID);
      return result('out-of-scope', 'none', OUT_OF_SCOPE_PROBLEM_ID, confidence, mailAlternatives);
    }
    const ambiguous = !!runnerUp && !best.verbatim && runnerUp.treeId !== OUT_OF_SCOPE_PROBLEM_ID && runnerUp.score >= best.score * config.ambiguityRatio;
    return result('problem', categoryOf(best), best.treeId, confidence, alternativesAfter(best), ambiguous);
  }
  if (bestClarify && bestClarify.score >= config.categoryThreshold) {
    const category = categoryOf(bestClarify);
    return result('category', category, null, bestClarify.score, alternativesAfter(undefined).filter((c) => c.category === category || (best && c.problem === best.treeId)));
  }
  if (aboutMail) {
    // About mail but nothing specific: the best guess of category rides along for triage.
    const guess = best && best.treeId !== OUT_OF_SCOPE_PROBLEM_ID ? categoryOf(best) : bestClarify ? categoryOf(bestClarify) : 'none';
    return result('vague', guess, null, Math.max(0.1, (best?.score ?? 0) * 0.5), alternativesAfter(undefined));
  }
  const readable = /[\p{L}]{2,}/u.test(normalized);
  if (!readable) return result('unknown', 'none', OUT_OF_SCOPE_PROBLEM_ID, 0, []);
  return result('out-of-scope', 'none', OUT_OF_SCOPE_PROBLEM_ID, best?.treeId === OUT_OF_SCOPE_PROBLEM_ID ? best.score : 0.5, alternativesAfter(undefined).filter((c) => c.problem !== OUT_OF_SCOPE_PROBLEM_ID));
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
}
