/**
 * The trees' trigger phrases, tokenised once and indexed by token, with each token's weight (rarer
 * across trees = more telling), and the search that scores a message against them.
 *
 * With a large catalog the common tokens ("mail", "send", "account") occur in most triggers, so visiting
 * every trigger that shares a token with the message costs tens of milliseconds per clause. `score()`
 * finds the same matches without that: it walks the message's tokens from the rarest to the most common,
 * and every token's triggers ordered by weight: a trigger first met through a token can share with the
 * message only that token and commoner ones, which bounds its score, so only the weight window of each
 * list that could still reach the floor is read, and each trigger there is bounded, before its tokens
 * are read, by its own share of those tokens and by what they weigh in the hash buckets of its tokens
 * (max-score pruning). The trees found are then scored exactly over their triggers that share a token
 * with the query (found through each tree's lists of triggers by token), with the same arithmetic as a
 * full scan: the result for every tree above the floor is identical to the exhaustive one
 * (test/recognizer/indexed-scoring.test.ts).
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

/** A token's bucket: one of 64, by a multiplicative hash of its id. A set of buckets is two 32-bit masks. */
function bucketOf(token: number): number {
  return Math.imul(token, 0x9e3779b1) >>> 26;
}

/** What `weights` holds in the buckets of the set (`low`: buckets 0–31, `high`: 32–63). */
function bucketSum(low: number, high: number, weights: Float64Array): number {
  let sum = 0;
  for (let rest = low; rest !== 0; rest &= rest - 1) sum += weights[31 - Math.clz32(rest & -rest)] as number;
  for (let rest = high; rest !== 0; rest &= rest - 1) sum += weights[63 - Math.clz32(rest & -rest)] as number;
  return sum;
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
  // And which buckets its tokens fall in (bucketOf): with the query's tokens bucketed alike, what the entry
  // can share is at most what the query weighs in the buckets both have, read without reading its tokens.
  const entryBucketsLow = new Int32Array(entryCount);
  const entryBucketsHigh = new Int32Array(entryCount);
  for (let at = 0; at < entryCount; at++) {
    for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) {
      const bucket = bucketOf(entryTokens[j] as number);
      if (bucket < 32) entryBucketsLow[at] = (entryBucketsLow[at] as number) | (1 << bucket);
      else entryBucketsHigh[at] = (entryBucketsHigh[at] as number) | (1 << (bucket - 32));
    }
  }
  const postingTop = new Int32Array(filled);
  const postingSlack = new Float64Array(filled);
  // And where its tree and tokens are, so that reading a posting touches no other part of memory first.
  const postingTree = new Int32Array(filled);
  const postingTokens = new Int32Array(filled);
  const postingTokenCount = new Int32Array(filled);
  const postingBucketsLow = new Int32Array(filled);
  const postingBucketsHigh = new Int32Array(filled);
  // And what of the entry it can share when first met through this token: the rarer tokens would have
  // been met first, so only this one and the commoner (or as common) ones.
  const postingShare = new Float64Array(filled);
  const byWeight = Array.from({ length: entryCount }, (_, i) => i).sort((a, b) => (entryWeight[a] as number) - (entryWeight[b] as number) || a - b);
  const cursor = postingStart.slice(0, tokenCount);
  for (const at of byWeight) {
    for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) {
      const id = entryTokens[j] as number;
      const k = cursor[id]++;
      postingWeight[k] = entryWeight[at] as number;
      postingTop[k] = entryTop[at] as number;
      postingSlack[k] = entrySlack[at] as number;
      postingTree[k] = entryTree[at] as number;
      postingTokens[k] = entryTokenStart[at] as number;
      postingTokenCount[k] = (entryTokenStart[at + 1] as number) - (entryTokenStart[at] as number);
      postingBucketsLow[k] = entryBucketsLow[at] as number;
      postingBucketsHigh[k] = entryBucketsHigh[at] as number;
      let share = 0;
      for (let u = entryTokenStart[at] as number; u < (entryTokenStart[at + 1] as number); u++) {
        const w = idfById[entryTokens[u] as number] as number;
        if (w <= (idfById[id] as number)) share += w;
      }
      postingShare[k] = share;
    }
  }
  // Per tree: its distinct tokens, ascending (one is found by binary search), each with the tree's entries
  // holding it, ascending: the entries that share a token with a query are found without reading the others.
  const treeTokenStart = new Int32Array(treeCount + 1);
  const treeTokens: number[] = [];
  const slotStart: number[] = [];
  const slotEntries = new Int32Array(filled);
  {
    let placed = 0;
    let pairs = new Float64Array(0);
    for (let tree = 0; tree < treeCount; tree++) {
      const first = treeEntryStart[tree] as number;
      const last = treeEntryStart[tree + 1] as number;
      const count = (entryTokenStart[last] as number) - (entryTokenStart[first] as number);
      if (pairs.length < count) pairs = new Float64Array(count * 2);
      // (token, entry) as one number, so a numeric sort orders by token, then entry.
      let n = 0;
      for (let at = first; at < last; at++) for (let j = entryTokenStart[at] as number; j < (entryTokenStart[at + 1] as number); j++) pairs[n++] = (entryTokens[j] as number) * entryCount + at;
      const sorted = pairs.subarray(0, n).sort();
      let previous = -1;
      for (const pair of sorted) {
        const token = Math.floor(pair / entryCount);
        if (token !== previous) {
          treeTokens.push(token);
          slotStart.push(placed);
          previous = token;
        }
        slotEntries[placed++] = pair - token * entryCount;
      }
      treeTokenStart[tree + 1] = treeTokens.length;
    }
    slotStart.push(placed);
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

  const scorer = new TokenScorer({ treeIds, treeIsProblem, treeRoles, idfById, entryWeight, entryTokenStart, entryTokens, treeEntryStart, postingStart, postingWeight, postingTop, postingSlack, postingTree, postingTokens, postingTokenCount, postingBucketsLow, postingBucketsHigh, postingShare, treeTokenStart, treeTokens: Int32Array.from(treeTokens), slotStart: Int32Array.from(slotStart), slotEntries });

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
  entryWeight: Float64Array;
  entryTokenStart: Int32Array;
  entryTokens: Int32Array;
  treeEntryStart: Int32Array;
  postingStart: Int32Array;
  postingWeight: Float64Array;
  postingTop: Int32Array;
  postingSlack: Float64Array;
  postingTree: Int32Array;
  postingTokens: Int32Array;
  postingTokenCount: Int32Array;
  postingBucketsLow: Int32Array;
  postingBucketsHigh: Int32Array;
  postingShare: Float64Array;
  treeTokenStart: Int32Array;
  /** Per tree, its distinct tokens (ascending); per such slot, the tree's entries holding it (ascending). */
  treeTokens: Int32Array;
  slotStart: Int32Array;
  slotEntries: Int32Array;
}

/**
 * A set of token ids as a bitset, emptied by unsetting what was added. A bit per token keeps the test
 * "is this token in the query?" in the fastest cache (22 KB for the 175,000 tokens of ×100 trees), where a
 * per-token array of stamps (700 KB) does not.
 */
class TokenSet {
  readonly bits: Int32Array;
  private readonly members: number[] = [];

  constructor(tokens: number) {
    this.bits = new Int32Array((tokens >>> 5) + 1);
  }

  has(token: number): boolean {
    return ((this.bits[token >>> 5] as number) & (1 << (token & 31))) !== 0;
  }

  /** False when it was there already. */
  add(token: number): boolean {
    if (this.has(token)) return false;
    this.bits[token >>> 5] = (this.bits[token >>> 5] as number) | (1 << (token & 31));
    this.members.push(token);
    return true;
  }

  clear(): void {
    for (const token of this.members) this.bits[token >>> 5] = 0;
    this.members.length = 0;
  }
}

/** A query's tokens that the triggers use, each once, in query order, with where each is in the query. */
interface KnownTokens {
  ids: number[];
  positions: number[];
  /** Their weights summed: the most any trigger can share with the query. */
  total: number;
}

/** The search of `TriggerIndex.score()`, over flat arrays, with scratch space reused between messages. */
class TokenScorer {
  private readonly d: ScorerData;
  private readonly problem: Uint8Array;
  private readonly alwaysScored: Int32Array;
  /** The tokens of the query being scored. */
  private readonly inQuery: TokenSet;
  /** Those of them discover() has read the triggers of (in this query). */
  private readonly readBefore: TokenSet;
  /** The tokens of every query of the message. */
  private readonly inMessage: TokenSet;
  /** Per token of the query being scored: where it is in the query. */
  private readonly tokenPosition: Int32Array;
  /** Per token of the message: its rank in the order in which the queries, in turn, first have it… */
  private readonly firstRank: Int32Array;
  /** …and the tokens by that rank. */
  private readonly messageTokens: number[] = [];
  // rescore(), per entry of the tree: a bit; what it shares (summed token by token); the entries sharing
  // anything, and their scores from those sums.
  private readonly entryMarks: Int32Array;
  private readonly shareOf: Float64Array;
  private readonly touched: Int32Array;
  private readonly scoreOf: Float64Array;
  /**
   * Per tree, once a message needs it (`hitsStamp`): which of its tokens the message has, as slots
   * (see ScorerData) in `hitSlots`, from `hitsStart`, `hitsCount` of them. Every query's rescore() of the
   * tree and its order of first meeting read those few instead of all of the tree's tokens.
   */
  private readonly hitsStamp: Uint32Array;
  private readonly hitsStart: Int32Array;
  private readonly hitsCount: Int32Array;
  private hitSlots = new Int32Array(1024);
  private hitsUsed = 0;
  private messageStamp = 0;
  /** Stamps say "found in this query", so nothing is cleared between queries. */
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
  // discover(): what the query's tokens not read yet weigh in each bucket, and how many of them it has.
  private readonly restWeight = new Float64Array(64);
  private readonly restCount = new Int32Array(64);
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
    this.inQuery = new TokenSet(tokens);
    this.readBefore = new TokenSet(tokens);
    this.inMessage = new TokenSet(tokens);
    this.tokenPosition = new Int32Array(tokens);
    this.firstRank = new Int32Array(tokens);
    let mostEntries = 0;
    for (let tree = 0; tree < trees; tree++) mostEntries = Math.max(mostEntries, (data.treeEntryStart[tree + 1] as number) - (data.treeEntryStart[tree] as number));
    this.entryMarks = new Int32Array((mostEntries >>> 5) + 1);
    this.shareOf = new Float64Array(mostEntries);
    this.touched = new Int32Array(mostEntries);
    this.scoreOf = new Float64Array(mostEntries);
    this.treeStamp = new Uint32Array(trees);
    this.hitsStamp = new Uint32Array(trees);
    this.hitsStart = new Int32Array(trees);
    this.hitsCount = new Int32Array(trees);
    this.treeBest = new Float64Array(trees);
    this.rank = Uint8Array.from(data.treeIsProblem, (p, tree) => (p ? ({ concrete: 0, general: 1, ignored: 2 } as const)[(data.treeRoles[tree] as TreeRole).counts] : 3));
    this.lower = Float64Array.from(data.treeRoles, (r) => Math.min(1, r.lower));
    this.raiseBy = Float64Array.from(data.treeRoles, (r) => Math.max(1, r.raise));
    this.raiseMost = this.raiseBy.reduce((a, b) => Math.max(a, b), 1);
    this.raiseShortfall = Float64Array.from(this.raiseBy, (r) => this.raiseMost / r);
  }

  private nextStamp(): number {
    if (this.stamp === 0xffffffff) {
      this.treeStamp.fill(0);
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

  private known(query: TokenQuery, tokenId: ReadonlyMap<string, number>): KnownTokens {
    const known: KnownTokens = { ids: [], positions: [], total: 0 };
    const seen = this.inQuery;
    seen.clear();
    query.tokens.forEach((token, p) => {
      const id = tokenId.get(token);
      if (id === undefined || !seen.add(id)) return;
      known.ids.push(id);
      known.positions.push(p);
      known.total += this.d.idfById[id] as number;
    });
    seen.clear();
    return known;
  }

  /** Makes `query` the one scored; false when nothing in it can match. */
  private begin(query: TokenQuery, known: KnownTokens): boolean {
    this.now = this.nextStamp();
    this.inQuery.clear();
    known.ids.forEach((id, i) => {
      this.inQuery.add(id);
      this.tokenPosition[id] = known.positions[i] as number;
    });
    this.weight = query.weight;
    this.total = known.total;
    return query.weight !== 0 && known.ids.length > 0;
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
    // Each query's tokens looked up once (both passes read them), and the order of first meeting.
    const known = queries.map((query) => this.known(query, tokenId));
    if (this.messageStamp === 0xffffffff) {
      this.hitsStamp.fill(0);
      this.messageStamp = 0;
    }
    this.messageStamp++;
    this.hitsUsed = 0;
    this.inMessage.clear();
    this.messageTokens.length = 0;
    for (const { ids } of known) {
      for (const id of ids) {
        if (!this.inMessage.add(id)) continue;
        this.firstRank[id] = this.messageTokens.length;
        this.messageTokens.push(id);
      }
    }
    // First every query's candidates, the lightest queries first: their strong matches raise the floor
    // for the rest (a long message as a whole matches nothing strongly)…
    const candidates: number[][] = queries.map(() => []);
    const candidateBest: number[][] = queries.map(() => []);
    const order = queries.map((_, q) => q).sort((a, b) => (queries[a] as TokenQuery).weight - (queries[b] as TokenQuery).weight || a - b);
    for (const q of order) {
      if (!this.begin(queries[q] as TokenQuery, known[q] as KnownTokens)) continue;
      const found = candidates[q] as number[];
      this.discover((known[q] as KnownTokens).ids, found);
      for (const tree of found) (candidateBest[q] as number[]).push(treeBest[tree] as number);
    }
    // …then each query's candidates that can still reach the floor, scored over all their triggers.
    const matches = new Map<number | string, Array<T | TokenMatch>>();
    const add = (tree: number, query: TokenQuery) => {
      const match: TokenMatch = { treeId: treeIds[tree] as string, score: this.topScore, position: query.position, precision: this.topPrecision, verbatim: false };
      const list = matches.get(tree);
      if (list) list.push(match);
      else matches.set(tree, [match]);
    };
    for (let q = 0; q < queries.length; q++) {
      const query = queries[q] as TokenQuery;
      if (!this.begin(query, known[q] as KnownTokens)) continue;
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
    return this.inFirstMetOrder(matches, others, treeOrdinal);
  }

  /**
   * Adds to `found` every problem tree with a trigger that may score at least the floor / (1 + second
   * share), each once, its best such trigger's score in `treeBest`. Rarest token first: a trigger first
   * met at `known[i]` shares with the query at most that token and the commoner ones (`rest`).
   */
  private discover(ids: readonly number[], found: number[]): void {
    const { idfById, postingStart, postingWeight, postingTop, postingSlack, postingTree, postingTokens, postingTokenCount, postingBucketsLow, postingBucketsHigh, postingShare, entryTokens } = this.d;
    const { treeStamp, treeBest, problem, raiseBy, raiseMost, raiseShortfall, restWeight, restCount } = this;
    const inQuery = this.inQuery.bits;
    const readBefore = this.readBefore.bits;
    this.readBefore.clear();
    const now = this.now;
    const m = this.weight;
    const b2 = this.b2;
    const known = [...ids].sort((a, b) => (idfById[b] as number) - (idfById[a] as number));
    let rest = this.total;
    let restLow = 0;
    let restHigh = 0;
    restWeight.fill(0);
    restCount.fill(0);
    for (const id of known) {
      const bucket = bucketOf(id);
      restWeight[bucket] += idfById[id] as number;
      restCount[bucket]++;
      if (bucket < 32) restLow |= 1 << bucket;
      else restHigh |= 1 << (bucket - 32);
    }
    const margin = (1 - 1e-9) / (1 + SECOND_TRIGGER_SHARE) / this.raiseMost;
    for (let i = 0; i < known.length; i++) {
      const id = known[i] as number;
      const most = rest;
      rest -= idfById[id] as number;
      let floor = this.floor * margin;
      // Triggers met here that can reach the floor: one sharing little explains too little of the query,
      // a heavy one is mostly unshared (when `most` is shared). The postings are by weight, so the heavy
      // ones end the read; a trigger shares at most its weight, so the light ones are skipped at once.
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
        if ((postingWeight[mid] as number) < lightest) k = mid + 1;
        else hi = mid;
      }
      for (; k < end; k++) {
        const weight = postingWeight[k] as number;
        if (weight > heaviest) break;
        const share = postingShare[k] as number;
        if (share < lightest) continue;
        // First met here, the trigger shares at most this token and its commoner ones (and, without its
        // most telling token, at most the rest of it).
        const tree = postingTree[k] as number;
        if (problem[tree] !== 1) continue;
        let shared = Math.min(most, share);
        const top = postingTop[k] as number;
        if (((inQuery[top >>> 5] as number) & (1 << (top & 31))) === 0) shared = Math.min(shared, postingSlack[k] as number);
        // And at most what the unread tokens weigh in the buckets its tokens fall in.
        shared = Math.min(shared, bucketSum((postingBucketsLow[k] as number) & restLow, (postingBucketsHigh[k] as number) & restHigh, restWeight) * (1 + 1e-9));
        if (shared <= 0) continue;
        const r = Math.min(1, shared / weight);
        const sp = Math.min(1, shared / m);
        // `floor` allows for the largest raise; a tree the cues cannot raise as much needs more.
        if (((1 + b2) * sp * r) / (b2 * sp + r) < floor * (raiseShortfall[tree] as number)) continue;
        // The overlap, summed in the trigger's token order as the exhaustive scan sums it. A trigger holding
        // a token read before this one was met there, and read then or bounded out as it would be here
        // (the bounds only tighten from token to token): it is not read twice.
        let overlap = 0;
        let metBefore = false;
        const from = postingTokens[k] as number;
        const stop = from + (postingTokenCount[k] as number);
        for (let j = from; j < stop; j++) {
          const t = entryTokens[j] as number;
          const word = t >>> 5;
          const bit = 1 << (t & 31);
          if (((inQuery[word] as number) & bit) === 0) continue;
          if (((readBefore[word] as number) & bit) !== 0) {
            metBefore = true;
            break;
          }
          overlap += idfById[t] as number;
        }
        if (metBefore || overlap === 0 || weight === 0) continue;
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
      this.readBefore.add(id);
      const bucket = bucketOf(id);
      if (--restCount[bucket] === 0) {
        if (bucket < 32) restLow &= ~(1 << bucket);
        else restHigh &= ~(1 << (bucket - 32));
        restWeight[bucket] = 0;
      } else restWeight[bucket] -= idfById[id] as number;
    }
  }

  /** Where `token` is among the tree's distinct tokens, or -1. */
  private slotOf(tree: number, token: number): number {
    const { treeTokenStart, treeTokens } = this.d;
    let lo = treeTokenStart[tree] as number;
    let hi = treeTokenStart[tree + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = treeTokens[mid] as number;
      if (t === token) return mid;
      if (t < token) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /**
   * A tree's score in the query over all its triggers: the best one decides (the first met, among
   * equals), a second adds a little. False when no trigger shares a token.
   *
   * Only the triggers holding one of the query's tokens can score; they are found, with what each shares,
   * through the tree's lists of entries by token (for the tokens the message and the query have), the
   * shares summed token by token. That order is not the exhaustive scan's (each trigger's own token order),
   * so those sums only tell which triggers can be the best two: the ones scoring at least the second best
   * sum, less a margin far wider than any rounding. Those few are then scored as the scan scores them, in
   * their order, which gives the scan's best, second best and tie-break: a trigger below the second best is
   * neither, whatever its place.
   */
  private rescore(tree: number): boolean {
    const { idfById, entryTokenStart, entryTokens, entryWeight, treeEntryStart, treeTokens, slotStart, slotEntries } = this.d;
    const { tokenPosition, entryMarks, shareOf, touched, scoreOf } = this;
    const inQuery = this.inQuery.bits;
    const m = this.weight;
    const b2 = this.b2;
    const first = treeEntryStart[tree] as number;
    const last = treeEntryStart[tree + 1] as number;
    const hits = this.hitsOf(tree);
    const { hitSlots } = this;
    let count = 0;
    for (let h = hits; h < hits + (this.hitsCount[tree] as number); h++) {
      const slot = hitSlots[h] as number;
      const t = treeTokens[slot] as number;
      if (((inQuery[t >>> 5] as number) & (1 << (t & 31))) === 0) continue;
      const weight = idfById[t] as number;
      const stop = slotStart[slot + 1] as number;
      for (let e = slotStart[slot] as number; e < stop; e++) {
        const i = (slotEntries[e] as number) - first;
        if (shareOf[i] === 0) touched[count++] = i;
        shareOf[i] = (shareOf[i] as number) + weight;
      }
    }
    if (count === 0) return false;
    let best = -1;
    let runnerUp = -1;
    for (let c = 0; c < count; c++) {
      const i = touched[c] as number;
      const overlap = shareOf[i] as number;
      const weight = entryWeight[first + i] as number;
      const recall = overlap / weight;
      const precision = Math.min(1, overlap / m);
      const f = ((1 + b2) * precision * recall) / (b2 * precision + recall);
      scoreOf[c] = f;
      if (f > best) {
        runnerUp = best;
        best = f;
      } else if (f > runnerUp) runnerUp = f;
    }
    // Mark the triggers that can be the best two (a bit each, from `first`), to read them in their order.
    const words = ((last - first) >>> 5) + 1;
    entryMarks.fill(0, 0, words);
    const least = (runnerUp < 0 ? best : runnerUp) * (1 - 1e-9);
    for (let c = 0; c < count; c++) {
      const i = touched[c] as number;
      shareOf[i] = 0;
      if ((scoreOf[c] as number) >= least) entryMarks[i >>> 5] = (entryMarks[i >>> 5] as number) | (1 << (i & 31));
    }
    let top = -1;
    let topPrecision = 0;
    let topPosition = Infinity;
    let second = 0;
    for (let w = 0; w < words; w++) {
      for (let bits = entryMarks[w] as number; bits !== 0; bits &= bits - 1) {
        const at = first + (w << 5) + (31 - Math.clz32(bits & -bits));
        const weight = entryWeight[at] as number;
        let overlap = 0;
        let position = Infinity;
        const stop = entryTokenStart[at + 1] as number;
        for (let j = entryTokenStart[at] as number; j < stop; j++) {
          const t = entryTokens[j] as number;
          if (((inQuery[t >>> 5] as number) & (1 << (t & 31))) === 0) continue;
          overlap += idfById[t] as number;
          const p = tokenPosition[t] as number;
          if (p < position) position = p;
        }
        if (weight === 0) continue;
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
    }
    if (top < 0) return false;
    this.topScore = Math.min(1, top + SECOND_TRIGGER_SHARE * second);
    this.topPrecision = topPrecision;
    return true;
  }

  /**
   * Where the tree's tokens that the message has start in `hitSlots` (`hitsCount[tree]` of them), found
   * the first time the message needs them: by looking the message's tokens up in the tree's when there
   * are few enough, else by reading the tree's tokens against the message's.
   */
  private hitsOf(tree: number): number {
    if (this.hitsStamp[tree] === this.messageStamp) return this.hitsStart[tree] as number;
    const { treeTokenStart, treeTokens } = this.d;
    const { messageTokens } = this;
    const inMessage = this.inMessage.bits;
    const from = treeTokenStart[tree] as number;
    const to = treeTokenStart[tree + 1] as number;
    // At most one slot per message token, and per tree token.
    const room = Math.min(messageTokens.length, to - from);
    if (this.hitsUsed + room > this.hitSlots.length) {
      const grown = new Int32Array(Math.max(this.hitSlots.length * 2, this.hitsUsed + room));
      grown.set(this.hitSlots.subarray(0, this.hitsUsed));
      this.hitSlots = grown;
    }
    const { hitSlots } = this;
    const start = this.hitsUsed;
    let used = start;
    if (messageTokens.length * (32 - Math.clz32(to - from)) * 2 < to - from) {
      for (const token of messageTokens) {
        const slot = this.slotOf(tree, token);
        if (slot >= 0) hitSlots[used++] = slot;
      }
    } else {
      for (let slot = from; slot < to; slot++) {
        const t = treeTokens[slot] as number;
        if (((inMessage[t >>> 5] as number) & (1 << (t & 31))) !== 0) hitSlots[used++] = slot;
      }
    }
    this.hitsStamp[tree] = this.messageStamp;
    this.hitsStart[tree] = start;
    this.hitsCount[tree] = used - start;
    this.hitsUsed = used;
    return start;
  }

  /** The rank (firstRank) of the tree's first-met token: of its tokens, the one the message has first. */
  private firstMetRank(tree: number): number {
    const { treeTokens } = this.d;
    const hits = this.hitsOf(tree);
    const { firstRank, hitSlots } = this;
    let rank = Infinity;
    for (let h = hits; h < hits + (this.hitsCount[tree] as number); h++) rank = Math.min(rank, firstRank[treeTokens[hitSlots[h] as number] as number] as number);
    return rank;
  }

  /**
   * The matches and `others` grouped by tree, the trees in the order of first meeting: the first query
   * sharing a token with the tree, the first of its tokens there, the tree's first entry with that token;
   * trees met only through `others` after, as given. A position in a query holds one token, so two trees
   * first met at the same place are first met at the same token, and the one whose triggers come first
   * (the lower ordinal) has the first entry with it: the order is by the rank of the tree's first-met
   * token in the message, then by tree.
   */
  private inFirstMetOrder<T extends { treeId: string }>(groups: Map<number | string, Array<T | TokenMatch>>, others: readonly T[], treeOrdinal: ReadonlyMap<string, number>): Array<T | TokenMatch> {
    const trees = this.d.treeIds.length;
    for (const other of others) {
      const key = treeOrdinal.get(other.treeId) ?? other.treeId;
      const list = groups.get(key);
      if (list) list.push(other);
      else groups.set(key, [other]);
    }
    // Sort keys: rank, then tree, in one number. Trees never met (and ids the index does not know) keep
    // the order they were first seen in.
    const met: number[] = [];
    const unmet: Array<number | string> = [];
    for (const key of groups.keys()) {
      const rank = typeof key === 'number' ? this.firstMetRank(key) : Infinity;
      if (rank === Infinity) unmet.push(key);
      else met.push(rank * trees + (key as number));
    }
    const out: Array<T | TokenMatch> = [];
    const emit = (key: number | string) => {
      for (const item of groups.get(key) as Array<T | TokenMatch>) out.push(item);
    };
    for (const key of Float64Array.from(met).sort()) emit(key % trees);
    for (const key of unmet) emit(key);
    return out;
  }
}
