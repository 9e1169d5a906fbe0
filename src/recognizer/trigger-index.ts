/**
 * The trees' trigger phrases, tokenised once and indexed by token, with each token's weight (rarer
 * across trees = more telling), and the search that scores a message against them.
 *
 * With a large catalog the common tokens ("mail", "send", "account") occur in most triggers, so visiting
 * every trigger that shares a token with the message costs tens of milliseconds per clause. `score()`
 * finds the same matches without that: it walks the message's tokens from the rarest to the most common,
 * and every token's triggers ordered by how much of them that token and the commoner ones weigh: a trigger
 * first met through a token can share with the message only that token and commoner ones, which bounds
 * its score, so only the slice of each list that could still reach the floor is read, and each trigger
 * there is bounded by its own such share (max-score pruning). The trees found are then scored
 * exactly over all their triggers, with the same arithmetic as a full scan: the result for every tree
 * above the floor is identical to the exhaustive one (test/recognizer/indexed-scoring.test.ts).
 */
import type { LoadedTree } from '../dialogs/schema';
import { normalizeText } from './normalize';
import { hasCjk, surfaceWords, tokenize, type Lexicon } from './tokenize';

export interface TriggerEntry {
  treeId: string;
  /** Distinct canonical tokens. */
  tokens: string[];
  /** Sum of the tokens' weights. */
  weight: number;
  /** The trigger as normalised text, for verbatim matching of error strings. */
  phrase: string;
}

/** A tree's score is its best trigger's, plus this share of its second best. */
export const SECOND_TRIGGER_SHARE = 0.08;

/** One piece of a message (the whole, or a clause) to score. */
export interface TokenQuery {
  /** Distinct canonical tokens, in message order. */
  tokens: readonly string[];
  /** The sum of the tokens' weights, unknown tokens included. */
  weight: number;
  /** Where the piece starts in the message (0–1); 1 for the message as a whole. */
  position: number;
}

/** A tree's best trigger match in one query. */
export interface TokenMatch {
  treeId: string;
  score: number;
  position: number;
  /** How much of the query the tree's best trigger explains. */
  precision: number;
  verbatim: false;
}

export interface ScoreOptions {
  /** Recall's weight in the F-score of a trigger match. */
  beta: number;
  /**
   * The weakest score that can still matter, given the best (lowered) score of a problem and of a
   * concrete problem (see TreeRole): problem trees whose (raised) score in a query is below it may be
   * left out. Must not decrease as either grows. Trees of other kinds (category questions) are always
   * scored.
   */
  floor(bestProblem: number, bestConcrete: number): number;
}

/** How the decision treats a problem tree's score: what it may do to it, and which best it counts for. */
export interface TreeRole {
  /** The decision may lower the tree's score to this share of it… */
  lower: number;
  /** …or raise it to this multiple. */
  raise: number;
  /** A concrete problem's score counts for both bests; a general one's (a request for a person) only for the best problem; an ignored one's for neither. */
  counts: 'concrete' | 'general' | 'ignored';
}

export interface TriggerIndex {
  entries: TriggerEntry[];
  /** Per token, the entries holding it (ascending): the exhaustive path's postings. */
  readonly byToken: ReadonlyMap<string, number[]>;
  idf: ReadonlyMap<string, number>;
  /** Weight of a token the triggers never use (it still dilutes a message's match). */
  unknownWeight: number;
  /** Trigger words before stemming, with how often they occur: what typos are corrected towards. */
  surfaceFrequency: ReadonlyMap<string, number>;
  /** Triggers that are error strings or codes: found verbatim anywhere in a message, they decide. */
  verbatim: TriggerEntry[];
  /**
   * The verbatim entries that may occur in the text, in `verbatim` order: every one that does, found by
   * a word each must contain (or, for Chinese phrases, a character) instead of searching for all of them.
   */
  verbatimCandidates(normalizedText: string): TriggerEntry[];
  /**
   * Each tree's best trigger match per query, for every problem tree scoring at least the floor (others
   * may be left out), together with `others` (observations of problem trees by other means, which raise
   * the floor too), grouped by tree, the trees in the order an exhaustive scan of the queries, then of
   * `others`, first meets them.
   */
  score<T extends { treeId: string; score: number }>(queries: readonly TokenQuery[], others: readonly T[], options: ScoreOptions): Array<T | TokenMatch>;
}

const WORD_SEPARATOR = /(?:[^\p{L}\p{N}]|[\u{10000}-\u{10FFFF}])+/u;

/**
 * Words as `containsPhrase` in recognizer.ts sees their edges: runs of letters and digits of the Basic
 * Multilingual Plane (it tests one UTF-16 unit at a time, so a character beyond it is an edge there too).
 */
function wordsOf(text: string): string[] {
  return text.split(WORD_SEPARATOR).filter(Boolean);
}

const NEUTRAL: TreeRole = { lower: 1, raise: 1, counts: 'concrete' };

export function buildTriggerIndex(trees: Iterable<LoadedTree>, lexicon: Lexicon, roleOf: (tree: LoadedTree) => TreeRole = () => NEUTRAL): TriggerIndex {
  const raw: Array<{ tree: number; tokens: string[]; phrase: string; verbatim: boolean }> = [];
  const treeIds: string[] = [];
  const treeIsProblem: boolean[] = [];
  const treeRoles: TreeRole[] = [];
  // Per token: how many trees use it, and the last tree counted.
  const treesWithToken = new Map<string, number>();
  const lastTree = new Map<string, number>();
  const surfaceFrequency = new Map<string, number>();
  for (const tree of trees) {
    if (tree.triggers.length === 0 && tree.errors.length === 0) continue;
    const ordinal = treeIds.push(tree.id) - 1;
    treeIsProblem.push(tree.kind === 'problem');
    treeRoles.push(roleOf(tree));
    const errors = new Set(tree.errors);
    for (const trigger of [...tree.errors, ...tree.triggers.filter((t) => !errors.has(t))]) {
      const tokens = [...new Set(tokenize(trigger, lexicon))];
      if (tokens.length === 0) continue;
      for (const word of surfaceWords(lexicon.canonicalize(normalizeText(trigger)))) surfaceFrequency.set(word, (surfaceFrequency.get(word) ?? 0) + 1);
      raw.push({ tree: ordinal, tokens, phrase: normalizeText(trigger.replace(/^["']|["']$/g, '')), verbatim: tree.kind === 'problem' && errors.has(trigger) });
      for (const token of tokens) {
        if (lastTree.get(token) === ordinal) continue;
        lastTree.set(token, ordinal);
        treesWithToken.set(token, (treesWithToken.get(token) ?? 0) + 1);
      }
    }
  }
  const treeCount = treeIds.length;
  const idf = new Map<string, number>();
  for (const [token, owners] of treesWithToken) idf.set(token, Math.log(1 + treeCount / owners));
  const weights = [...idf.values()].sort((a, b) => a - b);
  const unknownWeight = weights.length ? weights[Math.floor(weights.length / 2)] * 0.6 : 1;

  // Tokens as numbers, in first-use order.
  const tokenId = new Map<string, number>();
  const idfById = new Float64Array(idf.size);
  for (const [token, weight] of idf) {
    idfById[tokenId.size] = weight;
    tokenId.set(token, tokenId.size);
  }
  const tokenCount = tokenId.size;

  const entries: TriggerEntry[] = [];
  const verbatim: TriggerEntry[] = [];
  const entryCount = raw.length;
  const entryTree = new Int32Array(entryCount);
  const entryWeight = new Float64Array(entryCount);
  const entryTokenStart = new Int32Array(entryCount + 1);
  const entryTokens = new Int32Array(raw.reduce((n, r) => n + r.tokens.length, 0));
  // Entries are made tree by tree, so each tree's are one range.
  const treeEntryStart = new Int32Array(treeCount + 1);
  const postingCount = new Int32Array(tokenCount + 1);
  let filled = 0;
  raw.forEach((item, at) => {
    const entry: TriggerEntry = {
      treeId: treeIds[item.tree] as string,
      tokens: item.tokens,
      weight: item.tokens.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0),
      phrase: item.phrase,
    };
    entries.push(entry);
    if (item.verbatim) verbatim.push(entry);
    entryTree[at] = item.tree;
    entryWeight[at] = entry.weight;
    entryTokenStart[at] = filled;
    for (const token of item.tokens) {
      const id = tokenId.get(token) as number;
      entryTokens[filled++] = id;
      postingCount[id + 1]++;
    }
    treeEntryStart[item.tree + 1] = at + 1;
  });
  entryTokenStart[entryCount] = filled;
  for (let t = 1; t <= treeCount; t++) treeEntryStart[t] = Math.max(treeEntryStart[t] as number, treeEntryStart[t - 1] as number);

  // Postings: per token, its entries by weight (then position), so a weight window is one slice.
  const postingStart = new Int32Array(tokenCount + 1);
  for (let t = 0; t < tokenCount; t++) postingStart[t + 1] = (postingStart[t] as number) + (postingCount[t + 1] as number);
  const postingEntry = new Int32Array(filled);
  const postingWeight = new Float64Array(filled);
  // Per entry (and posting): its most telling token, and what the rest weigh; without that token in the
  // query, the entry can share at most the rest (a bound read without visiting the entry).
  const entryTop = new Int32Array(entryCount);
  const entrySlack = new Float64Array(entryCount);
  for (let at = 0; at < entryCount; at++) {
    let top = entryTokens[entryTokenStart[at] as number] as number;
    for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) {
      const id = entryTokens[j] as number;
      if ((idfById[id] as number) > (idfById[top] as number)) top = id;
    }
    entryTop[at] = top;
    entrySlack[at] = (entryWeight[at] as number) - (idfById[top] as number);
  }
  const postingTop = new Int32Array(filled);
  const postingSlack = new Float64Array(filled);
  // And where its tree and tokens are, so that reading a posting touches no other part of memory first.
  const postingTree = new Int32Array(filled);
  const postingTokens = new Int32Array(filled);
  const postingTokenCount = new Int32Array(filled);
  // And what of the entry it can share when first met through this token: the rarer tokens would have
  // been met first, so only this one and the commoner (or as common) ones.
  const postingShare = new Float64Array(filled);
  const byWeight = Array.from({ length: entryCount }, (_, i) => i).sort((a, b) => (entryWeight[a] as number) - (entryWeight[b] as number) || a - b);
  const cursor = postingStart.slice(0, tokenCount);
  for (const at of byWeight) {
    for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) {
      const id = entryTokens[j] as number;
      const k = cursor[id]++;
      postingEntry[k] = at;
      postingWeight[k] = entryWeight[at] as number;
      postingTop[k] = entryTop[at] as number;
      postingSlack[k] = entrySlack[at] as number;
      postingTree[k] = entryTree[at] as number;
      postingTokens[k] = entryTokenStart[at] as number;
      postingTokenCount[k] = (entryTokenStart[at + 1] as number) - (entryTokenStart[at] as number);
      let share = 0;
      for (let u = entryTokenStart[at] as number; u < (entryTokenStart[at + 1] as number); u++) {
        const w = idfById[entryTokens[u] as number] as number;
        if (w <= (idfById[id] as number)) share += w;
      }
      postingShare[k] = share;
    }
  }
  // Then each token's postings by that share (stably: by weight among equals), so that the ones that can
  // share enough of a query are one slice.
  {
    const arrays = [postingEntry, postingWeight, postingTop, postingSlack, postingTree, postingTokens, postingTokenCount, postingShare];
    for (let t = 0; t < tokenCount; t++) {
      const from = postingStart[t] as number;
      const to = postingStart[t + 1] as number;
      const order = Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => (postingShare[a] as number) - (postingShare[b] as number));
      if (order.every((k, i) => k === from + i)) continue;
      for (const a of arrays) {
        const copy = a.slice(from, to);
        order.forEach((k, i) => {
          a[from + i] = copy[k - from] as number;
        });
      }
    }
  }

  // Per tree: its distinct tokens, each with the first entry holding it (the order of first meeting).
  const treeTokenStart = new Int32Array(treeCount + 1);
  const treeTokens: number[] = [];
  const treeTokenEntry: number[] = [];
  const lastTreeOfToken = new Int32Array(tokenCount).fill(-1);
  for (let tree = 0; tree < treeCount; tree++) {
    for (let at = treeEntryStart[tree] as number; at < (treeEntryStart[tree + 1] as number); at++) {
      for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) {
        const id = entryTokens[j] as number;
        if (lastTreeOfToken[id] === tree) continue;
        lastTreeOfToken[id] = tree;
        treeTokens.push(id);
        treeTokenEntry.push(at);
      }
    }
    treeTokenStart[tree + 1] = treeTokens.length;
  }
  const treeOrdinal = new Map(treeIds.map((id, i) => [id, i]));

  // Verbatim phrases by their rarest word (or, with Chinese in them, their first Chinese character).
  const byWord = new Map<string, number[]>();
  const byCharacter = new Map<string, number[]>();
  const unanchored: number[] = [];
  {
    const phraseWords = verbatim.map((entry) => (hasCjk(entry.phrase) ? [] : [...new Set(wordsOf(entry.phrase))]));
    const uses = new Map<string, number>();
    for (const words of phraseWords) for (const w of words) uses.set(w, (uses.get(w) ?? 0) + 1);
    const add = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    verbatim.forEach((entry, i) => {
      if (hasCjk(entry.phrase)) {
        add(byCharacter, [...entry.phrase].find((c) => hasCjk(c)) as string, i);
        return;
      }
      const words = phraseWords[i] as string[];
      if (words.length === 0) unanchored.push(i);
      else add(byWord, words.reduce((a, b) => ((uses.get(b) as number) < (uses.get(a) as number) ? b : a)), i);
    });
  }

  const scorer = new TokenScorer({ treeIds, treeIsProblem, treeRoles, idfById, entryTree, entryWeight, entryTokenStart, entryTokens, entryTop, entrySlack, treeEntryStart, postingStart, postingEntry, postingWeight, postingTop, postingSlack, postingTree, postingTokens, postingTokenCount, postingShare, treeTokenStart, treeTokens: Int32Array.from(treeTokens), treeTokenEntry: Int32Array.from(treeTokenEntry) });

  let postings: Map<string, number[]> | null = null;

  const index: TriggerIndex = {
    entries,
    get byToken() {
      if (!postings) {
        postings = new Map();
        entries.forEach((entry, at) => {
          for (const token of entry.tokens) {
            const list = postings?.get(token);
            if (list) list.push(at);
            else postings?.set(token, [at]);
          }
        });
      }
      return postings;
    },
    idf,
    unknownWeight,
    surfaceFrequency,
    verbatim,

    verbatimCandidates(text) {
      const found: number[] = [...unanchored];
      if (byWord.size > 0) for (const word of new Set(wordsOf(text))) for (const i of byWord.get(word) ?? []) found.push(i);
      if (byCharacter.size > 0 && hasCjk(text)) for (const c of new Set(text)) for (const i of byCharacter.get(c) ?? []) found.push(i);
      return [...new Set(found)].sort((a, b) => a - b).map((i) => verbatim[i] as TriggerEntry);
    },

    score(queries, others, options) {
      return scorer.score(queries, others, options, tokenId, treeOrdinal);
    },
  };
  return index;
}

interface ScorerData {
  treeIds: string[];
  treeIsProblem: boolean[];
  treeRoles: TreeRole[];
  idfById: Float64Array;
  entryTree: Int32Array;
  entryWeight: Float64Array;
  entryTokenStart: Int32Array;
  entryTokens: Int32Array;
  entryTop: Int32Array;
  entrySlack: Float64Array;
  treeEntryStart: Int32Array;
  postingStart: Int32Array;
  postingEntry: Int32Array;
  postingWeight: Float64Array;
  postingTop: Int32Array;
  postingSlack: Float64Array;
  postingTree: Int32Array;
  postingTokens: Int32Array;
  postingTokenCount: Int32Array;
  postingShare: Float64Array;
  treeTokenStart: Int32Array;
  treeTokens: Int32Array;
  treeTokenEntry: Int32Array;
}

/** The search of `TriggerIndex.score()`, over flat arrays, with scratch space reused between messages. */
class TokenScorer {
  private readonly d: ScorerData;
  private readonly problem: Uint8Array;
  private readonly alwaysScored: Int32Array;
  // Stamps say "set during this query" (or message), so nothing is cleared between them.
  private readonly tokenStamp: Uint32Array;
  private readonly tokenPosition: Int32Array;
  private readonly firstStamp: Uint32Array;
  private readonly firstQuery: Int32Array;
  private readonly firstPosition: Int32Array;
  private readonly entryStamp: Uint32Array;
  private readonly treeStamp: Uint32Array;
  private readonly treeBest: Float64Array;
  /** Per tree: 0 a problem that raises both bests, 1 only `best`, 2 neither; 3 not a problem. */
  private readonly rank: Uint8Array;
  /** Per tree: its score times `lower` counts for the bests; it is kept when its score times `raise` reaches the floor. */
  private readonly lower: Float64Array;
  private readonly raiseBy: Float64Array;
  /** The largest `raise`. */
  private readonly raiseMost: number;
  /** Per tree: the largest `raise` over its own `raise` (at least 1): the floor allows for the largest. */
  private readonly raiseShortfall: Float64Array;
  private stamp = 0;
  // The query being scored.
  private now = 0;
  private weight = 1;
  /** The known tokens' weights summed: the most any entry can share. */
  private total = 0;
  private b2 = 1;
  // The best problem scores seen in the message, and the floor they give.
  private best = 0;
  private bestConcrete = 0;
  private floor = 0;
  // What rescore() found.
  private topScore = 0;
  private topPrecision = 0;

  constructor(data: ScorerData) {
    this.d = data;
    const tokens = data.idfById.length;
    const trees = data.treeIds.length;
    this.problem = Uint8Array.from(data.treeIsProblem, (p) => (p ? 1 : 0));
    this.alwaysScored = Int32Array.from(data.treeIsProblem.flatMap((p, tree) => (p ? [] : [tree])));
    this.tokenStamp = new Uint32Array(tokens);
    this.tokenPosition = new Int32Array(tokens);
    this.firstStamp = new Uint32Array(tokens);
    this.firstQuery = new Int32Array(tokens);
    this.firstPosition = new Int32Array(tokens);
    this.entryStamp = new Uint32Array(data.entryTree.length);
    this.treeStamp = new Uint32Array(trees);
    this.treeBest = new Float64Array(trees);
    this.rank = Uint8Array.from(data.treeIsProblem, (p, tree) => (p ? ({ concrete: 0, general: 1, ignored: 2 } as const)[(data.treeRoles[tree] as TreeRole).counts] : 3));
    this.lower = Float64Array.from(data.treeRoles, (r) => Math.min(1, r.lower));
    this.raiseBy = Float64Array.from(data.treeRoles, (r) => Math.max(1, r.raise));
    this.raiseMost = this.raiseBy.reduce((a, b) => Math.max(a, b), 1);
    this.raiseShortfall = Float64Array.from(this.raiseBy, (r) => this.raiseMost / r);
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      for (const a of [this.tokenStamp, this.firstStamp, this.entryStamp, this.treeStamp]) a.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** A problem tree scores `score` (or a trigger of it does): raises the bests, and the floor. */
  private raise(tree: number, unweighed: number): void {
    const rank = this.rank[tree] as number;
    if (rank >= 2) return;
    const score = unweighed * (this.lower[tree] as number);
    let raised = false;
    if (score > this.best) {
      this.best = score;
      raised = true;
    }
    if (rank === 0 && score > this.bestConcrete) {
      this.bestConcrete = score;
      raised = true;
    }
    if (raised) this.floor = Math.max(this.floor, this.options.floor(this.best, this.bestConcrete));
  }

  private options: ScoreOptions = { beta: 1, floor: () => 0 };

  /** Marks the query's known tokens; false when nothing in it can match. */
  private begin(query: TokenQuery, known: number[], tokenId: ReadonlyMap<string, number>): boolean {
    const now = this.nextStamp();
    this.now = now;
    known.length = 0;
    const { tokenStamp, tokenPosition } = this;
    const { idfById } = this.d;
    let total = 0;
    query.tokens.forEach((token, p) => {
      const id = tokenId.get(token);
      if (id === undefined || tokenStamp[id] === now) return;
      tokenStamp[id] = now;
      tokenPosition[id] = p;
      known.push(id);
      total += idfById[id] as number;
    });
    this.weight = query.weight;
    this.total = total;
    return query.weight !== 0 && known.length > 0;
  }

  score<T extends { treeId: string; score: number }>(queries: readonly TokenQuery[], others: readonly T[], options: ScoreOptions, tokenId: ReadonlyMap<string, number>, treeOrdinal: ReadonlyMap<string, number>): Array<T | TokenMatch> {
    const { treeIds } = this.d;
    const { treeBest } = this;
    this.options = options;
    this.b2 = options.beta * options.beta;
    this.best = 0;
    this.bestConcrete = 0;
    this.floor = options.floor(0, 0);
    for (const other of others) {
      const tree = treeOrdinal.get(other.treeId);
      if (tree !== undefined && this.problem[tree] === 1) this.raise(tree, other.score);
    }
    const message = this.nextStamp();
    const known: number[] = [];
    queries.forEach((query, q) => {
      query.tokens.forEach((token, p) => {
        const id = tokenId.get(token);
        if (id === undefined || this.firstStamp[id] === message) return;
        this.firstStamp[id] = message;
        this.firstQuery[id] = q;
        this.firstPosition[id] = p;
      });
    });
    // First every query's candidates, the lightest queries first: their strong matches raise the floor
    // for the rest (a long message as a whole matches nothing strongly)…
    const candidates: number[][] = queries.map(() => []);
    const candidateBest: number[][] = queries.map(() => []);
    const order = queries.map((_, q) => q).sort((a, b) => (queries[a] as TokenQuery).weight - (queries[b] as TokenQuery).weight || a - b);
    for (const q of order) {
      if (!this.begin(queries[q] as TokenQuery, known, tokenId)) continue;
      const found = candidates[q] as number[];
      this.discover(known, found);
      for (const tree of found) (candidateBest[q] as number[]).push(treeBest[tree] as number);
    }
    // …then each query's candidates that can still reach the floor, scored over all their triggers.
    const matches = new Map<number, TokenMatch[]>();
    const add = (tree: number, query: TokenQuery) => {
      const match: TokenMatch = { treeId: treeIds[tree] as string, score: this.topScore, position: query.position, precision: this.topPrecision, verbatim: false };
      const list = matches.get(tree);
      if (list) list.push(match);
      else matches.set(tree, [match]);
    };
    for (let q = 0; q < queries.length; q++) {
      const query = queries[q] as TokenQuery;
      if (!this.begin(query, known, tokenId)) continue;
      const found = candidates[q] as number[];
      const foundBest = candidateBest[q] as number[];
      for (let c = 0; c < found.length; c++) {
        const tree = found[c] as number;
        // Its best trigger is one already read (or below the floor), and the second adds at most this.
        if ((foundBest[c] as number) * (1 + SECOND_TRIGGER_SHARE) * (this.raiseBy[tree] as number) * (1 + 1e-9) < this.floor) continue;
        if (!this.rescore(tree)) continue;
        this.raise(tree, this.topScore);
        if (this.topScore * (this.raiseBy[tree] as number) >= this.floor) add(tree, query);
      }
      for (const tree of this.alwaysScored) if (this.rescore(tree)) add(tree, query);
    }
    return this.inFirstMetOrder(matches, others, message, treeOrdinal);
  }

  /**
   * Adds to `found` every problem tree with a trigger that may score at least the floor / (1 + second
   * share), each once, its best such trigger's score in `treeBest`. Rarest token first: a trigger first
   * met at `known[i]` shares with the query at most that token and the commoner ones (`rest`).
   */
  private discover(known: number[], found: number[]): void {
    const { idfById, postingStart, postingEntry, postingWeight, postingTop, postingSlack, postingTree, postingTokens, postingTokenCount, postingShare, entryTokens } = this.d;
    const { tokenStamp, entryStamp, treeStamp, treeBest, problem, raiseBy, raiseMost, raiseShortfall } = this;
    const now = this.now;
    const m = this.weight;
    const b2 = this.b2;
    known.sort((a, b) => (idfById[b] as number) - (idfById[a] as number));
    let rest = this.total;
    const margin = (1 - 1e-9) / (1 + SECOND_TRIGGER_SHARE) / this.raiseMost;
    for (let i = 0; i < known.length; i++) {
      const id = known[i] as number;
      const most = rest;
      rest -= idfById[id] as number;
      let floor = this.floor * margin;
      // Triggers met here that can reach the floor: one sharing little explains too little of the query
      // (a slice of the postings, by share), a heavy one is mostly unshared (when `most` is shared).
      let lightest = 0;
      let heaviest = Infinity;
      const p = Math.min(1, most / m);
      if (floor > 0) {
        const needPrecision = floor >= 1 ? Infinity : floor / (1 + b2 - b2 * floor);
        lightest = needPrecision >= 1 ? Infinity : m * needPrecision * (1 - 1e-9);
        const denominator = (1 + b2) * p - floor;
        heaviest = denominator <= 0 ? -Infinity : (most / ((floor * b2 * p) / denominator)) * (1 + 1e-9);
      }
      let k = postingStart[id] as number;
      const end = postingStart[id + 1] as number;
      for (let hi = end; k < hi; ) {
        const mid = (k + hi) >> 1;
        if ((postingShare[mid] as number) < lightest) k = mid + 1;
        else hi = mid;
      }
      if (heaviest === -Infinity) continue;
      for (; k < end; k++) {
        const weight = postingWeight[k] as number;
        if (weight > heaviest) continue;
        // First met here, the trigger shares at most this token and its commoner ones (and, without its
        // most telling token, at most the rest of it).
        const tree = postingTree[k] as number;
        if (problem[tree] !== 1) continue;
        let shared = Math.min(most, postingShare[k] as number);
        if (tokenStamp[postingTop[k] as number] !== now) shared = Math.min(shared, postingSlack[k] as number);
        if (shared < weight) {
          if (shared <= 0) continue;
          const r = shared / weight;
          const sp = Math.min(1, shared / m);
          // `floor` allows for the largest raise; a tree the cues cannot raise as much needs more.
          if (((1 + b2) * sp * r) / (b2 * sp + r) < floor * (raiseShortfall[tree] as number)) continue;
        }
        const at = postingEntry[k] as number;
        if (entryStamp[at] === now) continue;
        entryStamp[at] = now;
        let overlap = 0;
        const from = postingTokens[k] as number;
        const stop = from + (postingTokenCount[k] as number);
        for (let j = from; j < stop; j++) {
          const t = entryTokens[j] as number;
          if (tokenStamp[t] === now) overlap += idfById[t] as number;
        }
        if (overlap === 0 || weight === 0) continue;
        const recall = overlap / weight;
        const precision = Math.min(1, overlap / m);
        const f = ((1 + b2) * precision * recall) / (b2 * precision + recall);
        if (f * (this.lower[tree] as number) > this.bestConcrete || f * (this.lower[tree] as number) > this.best) {
          this.raise(tree, f);
          if (this.floor * margin > floor) {
            floor = this.floor * margin;
            const denominator = (1 + b2) * p - floor;
            heaviest = denominator <= 0 ? -Infinity : (most / ((floor * b2 * p) / denominator)) * (1 + 1e-9);
          }
        }
        if (f * (raiseBy[tree] as number) < floor * raiseMost) continue;
        if (treeStamp[tree] !== now) {
          treeStamp[tree] = now;
          treeBest[tree] = f;
          found.push(tree);
        } else if (f > (treeBest[tree] as number)) treeBest[tree] = f;
      }
    }
  }

  /**
   * A tree's score in the query over all its triggers: the best one decides (the first met, among
   * equals), a second adds a little. False when no trigger shares a token.
   */
  private rescore(tree: number): boolean {
    const { idfById, entryTokenStart, entryTokens, entryWeight, entryTop, entrySlack, treeEntryStart } = this.d;
    const { tokenStamp, tokenPosition } = this;
    const now = this.now;
    const m = this.weight;
    const b2 = this.b2;
    let top = -1;
    let topPrecision = 0;
    let topPosition = Infinity;
    let second = 0;
    const last = treeEntryStart[tree + 1] as number;
    for (let at = treeEntryStart[tree] as number; at < last; at++) {
      const weight = entryWeight[at] as number;
      if (second > 0 && tokenStamp[entryTop[at] as number] !== now) {
        // Without its most telling token the entry cannot beat the second best: no need to read it.
        const shared = Math.min(this.total, entrySlack[at] as number);
        if (shared <= 0) continue;
        const r = shared / weight;
        const p = Math.min(1, shared / m);
        if ((((1 + b2) * p * r) / (b2 * p + r)) * (1 + 1e-9) < second) continue;
      }
      let overlap = 0;
      let position = Infinity;
      const stop = entryTokenStart[at + 1] as number;
      for (let j = entryTokenStart[at] as number; j < stop; j++) {
        const t = entryTokens[j] as number;
        if (tokenStamp[t] !== now) continue;
        overlap += idfById[t] as number;
        const p = tokenPosition[t] as number;
        if (p < position) position = p;
      }
      if (overlap === 0 || weight === 0) continue;
      const recall = overlap / weight;
      const precision = Math.min(1, overlap / m);
      const f = ((1 + b2) * precision * recall) / (b2 * precision + recall);
      if (f > top || (f === top && position < topPosition)) {
        if (top > second) second = top;
        top = f;
        topPrecision = precision;
        topPosition = position;
      } else if (f > second) second = f;
    }
    if (top < 0) return false;
    this.topScore = Math.min(1, top + SECOND_TRIGGER_SHARE * second);
    this.topPrecision = topPrecision;
    return true;
  }

  /**
   * The matches and `others` grouped by tree, the trees in the order of first meeting: the first query
   * sharing a token with the tree, the first of its tokens there, the tree's first entry with that token;
   * trees met only through `others` after, as given.
   */
  private inFirstMetOrder<T extends { treeId: string }>(matches: Map<number, TokenMatch[]>, others: readonly T[], message: number, treeOrdinal: ReadonlyMap<string, number>): Array<T | TokenMatch> {
    const { treeIds, treeTokenStart, treeTokens, treeTokenEntry } = this.d;
    const { firstStamp, firstQuery, firstPosition } = this;
    interface Group {
      query: number;
      position: number;
      entry: number;
      items: Array<T | TokenMatch>;
    }
    const groups = new Map<number | string, Group>();
    const groupOf = (tree: number | undefined, treeId: string): Group => {
      let group = groups.get(tree ?? treeId);
      if (group) return group;
      group = { query: Infinity, position: Infinity, entry: Infinity, items: [] };
      if (tree !== undefined) {
        const stop = treeTokenStart[tree + 1] as number;
        for (let j = treeTokenStart[tree] as number; j < stop; j++) {
          const t = treeTokens[j] as number;
          if (firstStamp[t] !== message) continue;
          const query = firstQuery[t] as number;
          const position = firstPosition[t] as number;
          const entry = treeTokenEntry[j] as number;
          if (query < group.query || (query === group.query && (position < group.position || (position === group.position && entry < group.entry)))) {
            group.query = query;
            group.position = position;
            group.entry = entry;
          }
        }
      }
      groups.set(tree ?? treeId, group);
      return group;
    };
    for (const [tree, list] of matches) groupOf(tree, treeIds[tree] as string).items.push(...list);
    for (const other of others) groupOf(treeOrdinal.get(other.treeId), other.treeId).items.push(other);
    const before = (a: Group, b: Group): number => {
      if (a.query !== b.query) return a.query < b.query ? -1 : 1;
      if (a.position !== b.position) return a.position < b.position ? -1 : 1;
      if (a.entry !== b.entry) return a.entry < b.entry ? -1 : 1;
      return 0; // Both met only through `others`: the sort is stable.
    };
    return [...groups.values()].sort(before).flatMap((g) => g.items);
  }
}
