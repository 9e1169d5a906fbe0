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
import type { Catalog } from '../dialogs/loader';
import type { Category, LoadedTree } from '../dialogs/schema';
import { PROBLEM_CATEGORY, OUT_OF_SCOPE_PROBLEM_ID, HUMAN_PROBLEM_ID, clarifyTreeId } from '../dialogs/taxonomy';
import { compileTreeCues, weighCues, type TreeCues } from './cues';
import { compileDirectionCues, readDirection, type Direction, type DirectionCues } from './direction';
import { extractEntities } from './entities';
import { normalizeText } from './normalize';
import { SpellingCorrector } from './spelling';
import { buildLexicon, hasCjk, tokenize, type Lexicon } from './tokenize';
import { buildTriggerIndex, SECOND_TRIGGER_SHARE, type TokenQuery, type TreeRole, type TriggerIndex } from './trigger-index';
import { buildFuzzyPhrases, type FuzzyPhrases } from './fuzzy-phrases';
import { trainTextClassifier, type Prediction, type TextClassifier } from './text-classifier';
import { compileSalienceCues, readSalience, resolveSalience, type Salience, type SalienceCues } from './salience';
import type { Candidate, Classification, Entities, Intent } from './types';

export interface Recognizer {
  classify(text: string): Classification;
}

/** Tuning of the decision; measured with `npm run bench:accuracy` on the tune and dev splits, never on held-out. */
export const RECOGNIZER_DEFAULTS = Object.freeze({
  /** Recall of the trigger counts more than how much of the message it explains (beta of an F-score). */
  beta: 1.6,
  /** Only this much of a message is read. */
  maxChars: 20_000,
  /** An unknown Chinese word weighs this share of an unknown English word. */
  unknownCjkFactor: 0.15,

  /** Score given to a trigger found verbatim (error strings, codes). */
  verbatimScore: 0.97,
  /** Short messages the token path cannot place also go through fuse.js over the trigger phrases… */
  fuzzyMaxChars: 60,
  /** …and a fuse.js hit counts only when its score is at most this (0 = identical). */
  fuzzyThreshold: 0.34,

  /** A send problem in a message about incoming mail (or the reverse) weighs this share of its score. */
  againstDirectionFactor: 0.8,

  /** A tree whose `cues.for` match the message weighs this much more (at most 1)… */
  cueBoost: 1.15,
  /** …and one whose `cues.against` match, this share. */
  cuePenalty: 0.85,

  /** A problem needs at least this score. */
  problemThreshold: 0.42,
  /** A category-only phrase needs at least this score… */
  categoryThreshold: 0.4,
  /** …beats the best problem by this much… */
  categoryMargin: 0.08,
  /** …and explains at least this share of the message. */
  categoryPrecision: 0.4,

  /** Without a mail word, a problem match must be at least this strong, or the message is out of scope… */
  unsureMatchMinimum: 0.5,
  /** …and a match this strong stands even when the message also names another system. */
  strongMatch: 0.7,

  /** A concrete problem at least this strong, and this share of the request for a person, is preferred over it. */
  humanYieldMinimum: 0.5,
  humanYieldRatio: 0.7,
  /** A problem named in a clause the writer marks as what matters ("more urgent: …") weighs this much more… */
  salienceBoost: 1.2,
  /** …and one named in a side remark ("…, but I'll deal with that later"), this share. */
  saliencePenalty: 0.8,

  /** Problems within this share of the best score count as equally named; the first one named wins… */
  firstMentionRatio: 0.85,
  /** …in messages up to this long; in a longer ticket the strongest evidence decides. */
  longTicketChars: 600,
  /** Two problems within this ratio of each other, with no verbatim error string, are "Did you mean …?". */
  ambiguityRatio: 0.92,
  /** Alternatives must reach this share of the best score, and this score. */
  alternativeRatio: 0.55,
  alternativeMinimum: 0.38,
  maxAlternatives: 3,

  /** The example-trained model (text-classifier.ts) overrules the rules only at this probability (Infinity: never, and none is trained)… */
  modelCertainty: 0.2,
  /** …having seen at least this many of the message's features ("yes" alone is no evidence). */
  modelMinimumFeatures: 3,
  /** In a long ticket with an error code or status, the model overrules the rules' reading of the bounce only at this probability. */
  modelOverBounce: 0.5,
  /** In a short message whose writer marks what matters, a clause the model reads at least this sure names a problem… */
  clauseModelCertainty: 0.8,
  /** …and the marked clause, at least this sure (markedLead()). */
  markedClauseCertainty: 0.5,
  /** Read from its start, the first problem the model is this sure of leads a short message (leadFromStart())… */
  leadCertainty: 0.8,
  /** …when the whole message gives it at least this probability among its three likeliest (none where one of them is a request for a person). */
  leadSupport: 0.05,
  /** A trigger phrase counts as this many example messages in the model (it is short). */
  modelTriggerWeight: 1,
});

/** The tuning values as numbers (Object.freeze keeps literal types). */
export type RecognizerConfig = { [K in keyof typeof RECOGNIZER_DEFAULTS]: number };
export type RecognizerOptions = Partial<RecognizerConfig>;

/** For tests: `exhaustive` scores every trigger sharing a token and scans every error string (the reference for the index). */
export interface RecognizerInternals {
  exhaustive?: boolean;
}

export function createRecognizer(catalog: Catalog, options: RecognizerOptions = {}, internals: RecognizerInternals = {}): Recognizer {
  const config: RecognizerConfig = { ...RECOGNIZER_DEFAULTS, ...options };
  const lexicon = buildLexicon(catalog.lexicon);
  const negations = catalog.lexicon.negations.map((source) => new RegExp(source, 'giu'));
  const withoutNegated = (text: string) => negations.reduce((t, re) => t.replace(re, ' '), text);
  // Triggers are read like messages: "not even in spam" in a trigger says nothing about spam either.
  const scoredTrees = [...catalog.trees.values()]
    .filter((t) => (t.kind === 'problem' || t.kind === 'clarify') && (t.triggers.length > 0 || t.errors.length > 0))
    .map((t) => ({ ...t, triggers: t.triggers.map(withoutNegated) }));
  const index = buildTriggerIndex(scoredTrees, lexicon, (tree) => roleOf(tree, config));
  const known = new Map(index.surfaceFrequency);
  for (const variant of lexicon.variants) if (!known.has(variant)) known.set(variant, 1);
  const speller = new SpellingCorrector(new Set(known.keys()), known);
  const correct = (word: string) => {
    const fixed = speller.correct(word);
    return fixed === null ? word : lexicon.canonicalWord(fixed);
  };
  const fuzzy = buildFuzzyPhrases(index.entries, config.fuzzyThreshold);
  const treeById = new Map(scoredTrees.map((t) => [t.id, t]));
  const direction = compileDirectionCues(catalog.lexicon.direction);
  const cues = compileTreeCues(scoredTrees);
  const salience = compileSalienceCues(catalog.lexicon.salience);
  const exhaustive = internals.exhaustive === true;
  const ctx: Context = { config, lexicon, index, correct, fuzzy, treeById, direction, cues, salience, withoutNegated, exhaustive };
  const model = Number.isFinite(config.modelCertainty) ? trainedModel(scoredTrees, catalog, ctx) : null;
  return {
    classify(text) {
      const message = readMessage(text, ctx);
      const ruled = classify(message, ctx);
      return model ? overruleByModel(ruled, message, model, ctx) : ruled;
    },
  };
}

/** A message as both the rules and the model read it. */
interface MessageReading {
  /** The message, cut at `maxChars`. */
  whole: string;
  entities: Entities;
  /** `whole` without what it denies ("nothing in spam"). */
  text: string;
  normalized: string;
  /** Canonical tokens of `normalized` (synonyms, stems, typos corrected), each once. */
  wholeTokens: string[];
  /** The sentences and clauses of `text` (the first MAX_CLAUSES), each with what the writer says of its weight. */
  clauses: ReadonlyArray<{ text: string; salience: Salience }>;
}

/** A long ticket is read in at most this many clauses. */
const MAX_CLAUSES = 400;

function readMessage(rawText: unknown, ctx: Context): MessageReading {
  const whole = (typeof rawText === 'string' ? rawText : '').slice(0, ctx.config.maxChars);
  const words = readWords(whole, ctx);
  const clauses = segmentsOf(words.text)
    .slice(0, MAX_CLAUSES)
    .map((clause) => ({ text: clause, salience: readSalience(clause, ctx.salience) }));
  return { whole, entities: extractEntities(whole), ...words, clauses };
}

/** The writer marked a clause as what matters, or as a side remark ("the main ask: …", "btw …"). */
function writerMarked(message: MessageReading): boolean {
  return message.clauses.length > 1 && message.clauses.some((c) => c.salience !== 0);
}

/** The words of a message (cut at `maxChars`) as the rules and the model read them; training reads its texts so too. */
function readWords(whole: string, ctx: Context): Pick<MessageReading, 'text' | 'normalized' | 'wholeTokens'> {
  const text = ctx.withoutNegated(whole);
  const normalized = normalizeText(text);
  return { text, normalized, wholeTokens: readTokens(normalized, ctx) };
}

/**
 * The model learns the trees that have labelled examples, from those examples and the trees' own trigger
 * phrases and error strings. A tree with triggers only (a problem just added, or the benchmark's synthetic
 * ones) is left to the rules: the model would know it from a few short phrases, and a softmax over
 * thousands of such labels would make start-up slow for no gain.
 */
function trainedModel(trees: readonly LoadedTree[], catalog: Catalog, ctx: Context): TextClassifier {
  // Training is deterministic and takes a second or two: recognizers over the same catalog (tests, the
  // benchmarks, tuning runs with other decision settings) share one model.
  const key = `${ctx.config.modelTriggerWeight}/${ctx.config.maxChars}`;
  const trained = modelCache.get(catalog) ?? new Map<string, TextClassifier>();
  modelCache.set(catalog, trained);
  let model = trained.get(key);
  if (!model) trained.set(key, (model = trainModel(trees, catalog, ctx)));
  return model;
}

const modelCache = new WeakMap<Catalog, Map<string, TextClassifier>>();

function trainModel(trees: readonly LoadedTree[], catalog: Catalog, ctx: Context): TextClassifier {
  const learned = new Set(catalog.examples.map((e) => e.treeId));
  const labelled = (text: string, label: string, weight: number) => ({ text, tokens: readWords(text.slice(0, ctx.config.maxChars), ctx).wholeTokens, label, weight });
  return trainTextClassifier([
    ...trees.filter((t) => learned.has(t.id)).flatMap((t) => [...t.triggers, ...t.errors].map((text) => labelled(text, t.id, ctx.config.modelTriggerWeight))),
    ...catalog.examples.map((e) => labelled(e.text, e.treeId, 1)),
  ]);
}

interface Context {
  config: RecognizerConfig;
  lexicon: Lexicon;
  index: TriggerIndex;
  correct: (word: string) => string;
  fuzzy: FuzzyPhrases;
  treeById: ReadonlyMap<string, LoadedTree>;
  direction: DirectionCues;
  cues: TreeCues;
  salience: SalienceCues;
  /** Removes what the message denies ("nothing in spam") before it is read. */
  withoutNegated: (text: string) => string;
  exhaustive: boolean;
}

/** Sentences and clauses; a problem named in one clause should not be diluted by the others. */
function segmentsOf(text: string): string[] {
  // A full stop ends a sentence only before a space (not inside mail.abc.com); Chinese marks always do.
  const sentences = text.split(/[\n\r]+|(?<=[.!?])\s+|(?<=[。！？；;])\s*|\s+(?:and also|also|plus|but also|and|but|however|besides)\s+|[，,]\s*(?:and |also |plus |but )|(?:另外|而且|还有|并且|同时|但是)/i);
  return sentences.map((s) => s?.trim() ?? '').filter((s) => s.length >= 2);
}

/** Clauses cut finer, for reading a message from its start: at commas, dashes, colons and between Chinese phrases too. */
function phrasesOf(text: string): string[] {
  return segmentsOf(text)
    .flatMap((clause) => clause.split(/\s*[，,、]\s*|\s+[-–—+&]+\s+|(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])|\s*[:：]\s+/))
    .map((phrase) => phrase.trim())
    .filter((phrase) => phrase.length >= 2);
}

/** Tokens of one piece of text, each unknown word read as the trigger word it is a typo of. */
function readTokens(text: string, ctx: Context): string[] {
  return [...new Set(tokenize(text, ctx.lexicon, ctx.correct))];
}

/** Best score per tree for one piece of text, by weighted token overlap with each trigger. */
/** A tree's best trigger match in one piece of text: its score, and how much of the text that trigger explains. */
interface Match {
  score: number;
  precision: number;
}

/** The weight of a piece of text: its tokens' weights summed. */
function weightOfTokens(tokens: readonly string[], ctx: Context): number {
  const { index } = ctx;
  // Chinese segmentation yields many small words; unknown ones would drown the known.
  const weightOf = (t: string) => index.idf.get(t) ?? (isCjkToken(t) ? index.unknownWeight * ctx.config.unknownCjkFactor : index.unknownWeight);
  return tokens.reduce((sum, t) => sum + weightOf(t), 0);
}

/** The exhaustive scan (the index's `score()` gives the same for every tree that can matter, faster). */
function scoreTokens(tokens: string[], ctx: Context): Map<string, Match> {
  const { index, config } = ctx;
  const out = new Map<string, Match>();
  const messageWeight = weightOfTokens(tokens, ctx);
  if (messageWeight === 0) return out;
  const present = new Set(tokens);
  const seen = new Set<number>();
  const perTree = new Map<string, Match[]>();
  const b2 = config.beta * config.beta;
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
      const f = ((1 + b2) * precision * recall) / (b2 * precision + recall);
      const list = perTree.get(entry.treeId);
      const match = { score: f, precision };
      if (list) list.push(match);
      else perTree.set(entry.treeId, [match]);
    }
  }
  for (const [treeId, matches] of perTree) {
    matches.sort((a, b) => b.score - a.score);
    // The best trigger decides; a second matching trigger adds a little confidence.
    out.set(treeId, { score: Math.min(1, matches[0].score + SECOND_TRIGGER_SHARE * (matches[1]?.score ?? 0)), precision: matches[0].precision });
  }
  return out;
}

function isCjkToken(token: string): boolean {
  return hasCjk(token);
}

function containsPhrase(haystack: string, phrase: string): number {
  if (hasCjk(phrase)) return haystack.indexOf(phrase);
  let from = 0;
  for (;;) {
    const at = haystack.indexOf(phrase, from);
    if (at < 0) return -1;
    const before = haystack[at - 1];
    const after = haystack[at + phrase.length];
    const boundary = (c: string | undefined) => c === undefined || !/[\p{L}\p{N}]/u.test(c);
    if (boundary(before) && boundary(after)) return at;
    from = at + 1;
  }
}

/** Per tree: its best score anywhere, and where in the message (0–1) it first shows at nearly that strength. */
interface Evidence {
  score: number;
  verbatim: boolean;
  position: number;
  /** How much of the whole message the tree's best trigger explains (1 for a verbatim error string). */
  precision: number;
}

/** A match seen at `position` (0 = start of the message, 1 = only in the message as a whole). */
interface Observation {
  treeId: string;
  score: number;
  position: number;
  verbatim: boolean;
  precision: number;
}

/** Where a tree first shows at this share of its score is its position. */
const POSITION_SHARE = 0.75;

/**
 * The weakest token match that can still change a classification once some problem scores `best` (and
 * some concrete one, neither the request for a person nor out of scope, `bestConcrete`), scores as
 * weighDirection() and weighCues() may have lowered them (roleOf()). The decision reads the best problem
 * at any strength, but other problems only from `firstMentionRatio` of the chosen one (which scores at
 * least the best concrete one, or the request for a person up to `humanYieldMinimum`), their positions
 * from POSITION_SHARE of their own score, and alternatives (or an ambiguity) from `alternativeMinimum`.
 * Category questions are always scored in full. The index leaves weaker matches out: keep this in step
 * with the rules in classify() and preferConcreteAndFirst(); test/recognizer/indexed-scoring.test.ts
 * compares the result with the exhaustive path.
 */
function evidenceFloor(best: number, bestConcrete: number, config: RecognizerConfig): number {
  const chosen = Math.max(bestConcrete, Math.min(best, config.humanYieldMinimum));
  return 0.95 * Math.min(config.alternativeMinimum, POSITION_SHARE * config.firstMentionRatio * chosen);
}

/** What weighDirection() and weighCues() may do to a tree's score, and which trees the rules set aside. */
function roleOf(tree: LoadedTree, config: RecognizerConfig): TreeRole {
  const category = PROBLEM_CATEGORY[tree.id];
  const direction = category === 'send' || category === 'receive' ? config.againstDirectionFactor : 1;
  return {
    lower: Math.min(1, direction) * (tree.cues.against.length > 0 ? Math.min(1, config.cuePenalty) : 1),
    raise: tree.cues.for.length > 0 ? Math.max(1, config.cueBoost) : 1,
    counts: tree.id === OUT_OF_SCOPE_PROBLEM_ID ? 'ignored' : tree.id === HUMAN_PROBLEM_ID ? 'general' : 'concrete',
  };
}

/** A tree's score is its best observation; its position, the first place it shows at 75 % of that. */
function summarize(observations: Observation[]): Map<string, Evidence> {
  const best = new Map<string, number>();
  for (const o of observations) best.set(o.treeId, Math.max(best.get(o.treeId) ?? 0, o.score));
  const evidence = new Map<string, Evidence>();
  for (const o of observations) {
    const top = best.get(o.treeId) as number;
    const current = evidence.get(o.treeId) ?? { score: top, verbatim: false, position: 1, precision: 0 };
    current.verbatim ||= o.verbatim;
    if (o.position === 1 || o.verbatim) current.precision = Math.max(current.precision, o.precision);
    if (o.score >= top * POSITION_SHARE) current.position = Math.min(current.position, o.position);
    evidence.set(o.treeId, current);
  }
  return evidence;
}

/** A clause of the message: where it starts (0–1) and what the writer says of its weight. */
interface Clause {
  position: number;
  salience: Salience;
}

/** `markedClauses`: every clause with its resolved weight when the writer marked any; none otherwise. */
function gatherEvidence(message: MessageReading, ctx: Context): { evidence: Map<string, Evidence>; markedClauses: Clause[] } {
  const { config } = ctx;
  const { text, normalized, wholeTokens } = message;
  const queries: TokenQuery[] = [{ tokens: wholeTokens, weight: weightOfTokens(wholeTokens, ctx), position: 1 }];
  const clauses: Clause[] = [];
  if (message.clauses.length > 1) {
    let offset = 0;
    for (const clause of message.clauses) {
      const at = text.indexOf(clause.text, offset);
      offset = at >= 0 ? at : offset;
      const tokens = readTokens(clause.text, ctx);
      const position = offset / Math.max(1, text.length);
      queries.push({ tokens, weight: weightOfTokens(tokens, ctx), position });
      clauses.push({ position, salience: clause.salience });
    }
  }
  // With clauses marked, weighSalience() may lower the best problem and raise a weaker one.
  const marked = writerMarked(message);
  const floor = marked
    ? (best: number, concrete: number) => evidenceFloor(best * config.saliencePenalty, concrete * config.saliencePenalty, config) / config.salienceBoost
    : (best: number, concrete: number) => evidenceFloor(best, concrete, config);
  const verbatim: Observation[] = [];
  for (const entry of ctx.exhaustive ? ctx.index.verbatim : ctx.index.verbatimCandidates(normalized)) {
    const at = containsPhrase(normalized, entry.phrase);
    if (at >= 0) verbatim.push({ treeId: entry.treeId, score: config.verbatimScore, position: at / Math.max(1, normalized.length), verbatim: true, precision: 1 });
  }
  let observations: Observation[];
  if (ctx.exhaustive) {
    observations = [];
    for (const query of queries) for (const [treeId, { score, precision }] of scoreTokens([...query.tokens], ctx)) observations.push({ treeId, score, position: query.position, verbatim: false, precision });
    observations.push(...verbatim);
  } else {
    observations = ctx.index.score(queries, verbatim, { beta: config.beta, floor });
  }
  let markedClauses: Clause[] = [];
  if (marked) {
    const concrete = (treeId: string) => ctx.treeById.get(treeId)?.kind === 'problem' && treeId !== HUMAN_PROBLEM_ID && treeId !== OUT_OF_SCOPE_PROBLEM_ID;
    const names = (i: number) => observations.some((o) => o.position === clauses[i]?.position && o.score >= config.unsureMatchMinimum && concrete(o.treeId));
    const resolved = resolveSalience(clauses.map((c) => c.salience), names);
    markedClauses = clauses.map((c, i) => ({ position: c.position, salience: resolved[i] as Salience }));
  }
  // fuse.js catches short messages whose words are mangled beyond the word-level corrector, where the
  // token path found nothing usable; only close matches count, or it would guess from a stray word.
  const bestSoFar = observations.reduce((max, o) => Math.max(max, o.score), 0);
  const hasUnknownWord = wholeTokens.some((t) => !ctx.index.idf.has(t));
  if (bestSoFar < config.problemThreshold && hasUnknownWord && normalized.length >= 4 && normalized.length <= config.fuzzyMaxChars) {
    for (const hit of ctx.fuzzy.search(normalized, 5)) {
      const closeness = 1 - hit.score;
      if (closeness >= 1 - config.fuzzyThreshold) observations.push({ treeId: hit.treeId, score: closeness * 0.85, position: 0, verbatim: false, precision: closeness });
    }
  }
  return { evidence: summarize(observations), markedClauses };
}

/** A word that makes a message about company mail beyond doubt ("mail", "Outlook", "MX", "邮箱"). */
function mentionsMail(tokens: readonly string[], ctx: Context): boolean {
  return tokens.some((t) => ctx.lexicon.mailTokens.has(t));
}

/** A word beyond the vague ones ("mail", "can't", "broken"): something that could name a problem. */
function saysMoreThanVague(tokens: readonly string[], ctx: Context): boolean {
  return tokens.some((t) => !ctx.lexicon.vagueTokens.has(t));
}

/** The message names another system people log in to or get messages from (VPN, ERP, a bank card). */
function namesAnotherSystem(normalized: string, ctx: Context): boolean {
  return ctx.lexicon.foreignPhrases.some((phrase) => containsPhrase(normalized, phrase) >= 0);
}

/** A problem the model may name for one part of a message (not a category, not out of scope). */
function namesProblem(prediction: Prediction | null, ctx: Context): prediction is Prediction {
  return !!prediction && prediction.knownFeatures >= ctx.config.modelMinimumFeatures && ctx.treeById.get(prediction.label)?.kind === 'problem' && prediction.label !== OUT_OF_SCOPE_PROBLEM_ID;
}

/**
 * Which problem a short message leads with. Read whole, the model weighs every problem a message names and
 * picks the wordier one; but the writer leads with what they need help with ("frozen mailbox, need a human
 * asap" is about the frozen mailbox; "转人工，密码输错被锁一小时了" asks for a person first), or says which one
 * matters ("the first one is what I need help with", "最急的是…"). A long ticket opens with context, so it is
 * read whole. Cross-validated (`npm run bench:cv`): 95.9 -> 96.4 %.
 */
function leadOf(message: MessageReading, whole: Prediction, model: TextClassifier, ctx: Context): Prediction | null {
  if (message.whole.length > ctx.config.longTicketChars) return null;
  return writerMarked(message) ? markedLead(message.clauses, model, ctx) : leadFromStart(message, whole, model, ctx);
}

/**
 * The writer marked a clause as what matters, or as a side remark (salience.ts; a marker in a clause that
 * names nothing speaks of the clause before). When the clauses name two problems, the marked one leads, else
 * the first one not marked as a side remark.
 */
function markedLead(clauses: MessageReading['clauses'], model: TextClassifier, ctx: Context): Prediction | null {
  const { config } = ctx;
  const read = clauses.slice(0, 20).map((clause) => {
    const prediction = model.predict(clause.text, readTokens(clause.text, ctx));
    const problem = namesProblem(prediction, ctx) ? prediction : null;
    return { problem, sure: !!problem && problem.probability >= config.clauseModelCertainty, salience: clause.salience };
  });
  read.forEach((clause, i) => {
    const before = read[i - 1];
    if (before && clause.salience !== 0 && !clause.sure && before.salience === 0 && before.problem) {
      before.salience = clause.salience;
      clause.salience = 0;
    }
  });
  const named = read.filter((c) => c.sure || (c.salience === 1 && !!c.problem && c.problem.probability >= config.markedClauseCertainty));
  if (new Set(named.map((c) => c.problem?.label)).size < 2) return null;
  return ((named.find((c) => c.salience === 1) ?? named.find((c) => c.salience !== -1) ?? named[0]) as (typeof named)[number]).problem;
}

/**
 * Unmarked, the first problem the model is sure of, reading the message from its start phrase by phrase,
 * leads when the whole message gives it some weight too: that is a second problem named first, not the
 * opening words of the same problem read wrongly. Where one of the two is a request for a person, no such
 * weight is needed: the request takes a few words, and the problem told beside it outweighs them in the whole
 * (or a long plea for a person outweighs the problem named before it).
 */
function leadFromStart(message: MessageReading, whole: Prediction, model: TextClassifier, ctx: Context): Prediction | null {
  const { config } = ctx;
  if (!namesProblem(whole, ctx)) return null;
  const { text } = message;
  let end = 0;
  for (const phrase of phrasesOf(text).slice(0, -1)) {
    const at = text.indexOf(phrase, end);
    if (at < 0) return null;
    end = at + phrase.length;
    const prefix = text.slice(0, end);
    const prediction = model.predict(prefix, readTokens(prefix, ctx));
    if (!namesProblem(prediction, ctx) || prediction.probability < config.leadCertainty) continue;
    if (prediction.label === whole.label) return null;
    const support = whole.runnersUp.find((r) => r.label === prediction.label)?.probability ?? 0;
    if (support < config.leadSupport && prediction.label !== HUMAN_PROBLEM_ID && whole.label !== HUMAN_PROBLEM_ID) return null;
    return { ...whole, label: prediction.label, probability: Math.max(config.modelCertainty, support) };
  }
  return null;
}

/**
 * The example-trained model's answer replaces the rules' when the model is sure enough of another tree
 * (`modelCertainty`; chosen by leave-one-set-out cross-validation, `npm run bench:cv`). Error codes and
 * statuses do not keep the rules' answer: the examples hold hundreds of pasted bounces and status lines, and
 * the model reads which problem they belong to in context ("too frequently sending" said by a partner
 * mailing us) better than the rules' verbatim match does (cross-validated 93.4 -> 94.4 %). An answer the rules
 * did not find at all keeps a modest confidence, so a reply mid-flow does not switch topic on it.
 */
function overruleByModel(ruled: Classification, message: MessageReading, model: TextClassifier, ctx: Context): Classification {
  const { config } = ctx;
  // Only vague words ("I have an email problem"): nothing for the model to read either.
  if (!saysMoreThanVague(message.wholeTokens, ctx)) return ruled;
  const whole = model.predict(message.whole, message.wholeTokens);
  if (!whole) return ruled;
  const prediction = leadOf(message, whole, model, ctx) ?? whole;
  if (prediction.probability < config.modelCertainty || prediction.knownFeatures < config.modelMinimumFeatures) return ruled;
  // In a long ticket the pasted bounce's error line decides (preferConcreteAndFirst()), unless the model is
  // fairly sure the prose says otherwise ("yesterday a 554, today I am blocked from sending altogether").
  const longWithError = message.whole.length > config.longTicketChars && (ruled.entities.errorCodes.length > 0 || ruled.entities.statuses.length > 0);
  if (longWithError && prediction.probability < config.modelOverBounce) return ruled;
  const ruledTree = ruled.problem ?? (ruled.category === 'none' ? null : clarifyTreeId(ruled.category));
  const tree = ctx.treeById.get(prediction.label);
  if (!tree || prediction.label === ruledTree) return ruled;
  // "My VPN password is locked": another system named and no word of mail. The rules decide whether a
  // match is strong enough to be ours anyway; the model, which reads "password locked" as ours, does not.
  if (prediction.label !== OUT_OF_SCOPE_PROBLEM_ID && !mentionsMail(message.wholeTokens, ctx) && namesAnotherSystem(message.normalized, ctx)) return ruled;
  // The rules found a tree the model never learned: the model cannot weigh it against the others.
  if (ruledTree !== null && ctx.treeById.has(ruledTree) && !model.labels.has(ruledTree)) return ruled;
  const label = prediction.label;
  const previous: Candidate[] = ruled.problem && ruled.problem !== OUT_OF_SCOPE_PROBLEM_ID ? [{ category: ruled.category, problem: ruled.problem, confidence: ruled.confidence }] : [];
  const alternatives = [...previous, ...ruled.alternatives].filter((c) => c.problem !== label).slice(0, config.maxAlternatives);
  const confidence = Math.max(0.5, ruled.alternatives.find((c) => c.problem === label)?.confidence ?? 0);
  const overruled = { ...ruled, confidence, ambiguous: false };
  if (tree.kind === 'clarify') return { ...overruled, intent: 'category', category: tree.category as Category, problem: null, alternatives: alternatives.filter((c) => c.category === tree.category) };
  if (label === OUT_OF_SCOPE_PROBLEM_ID) return { ...overruled, intent: 'out-of-scope', category: 'none', problem: label, alternatives };
  return { ...overruled, intent: 'problem', category: PROBLEM_CATEGORY[label] ?? (tree.category as Category), problem: label, alternatives };
}

function classify(message: MessageReading, ctx: Context): Classification {
  const { config } = ctx;
  const { entities, text, normalized, wholeTokens } = message;
  const language = hasCjk(normalized) ? (/[a-z]{3,}/.test(normalized.replace(/\b(?:outlook|foxmail|smtp|imap|pop3?|mx|spf|dns|cname|txt|webmail|email|mail)\b/g, '')) ? 'mixed' : 'zh') : 'en';
  const { evidence, markedClauses } = gatherEvidence(message, ctx);
  weighDirection(evidence, readDirection(normalized, ctx.direction), config);
  weighCues(evidence, normalized, ctx.cues, config);
  weighSalience(evidence, markedClauses, config);

  type Scored = Evidence & { treeId: string };
  const ranked: Scored[] = [...evidence].map(([treeId, e]) => ({ treeId, ...e })).sort((a, b) => b.score - a.score);
  const kindOf = (s: Scored) => ctx.treeById.get(s.treeId)?.kind;
  let problems = ranked.filter((s) => kindOf(s) === 'problem');
  const clarifies = ranked.filter((s) => kindOf(s) === 'clarify');

  const mailWordSeen = mentionsMail(wholeTokens, ctx);
  problems = preferConcreteAndFirst(problems, config, text.length > config.longTicketChars, markedClauses.length > 0);
  const best = problems[0];
  const runnerUp = problems[1];
  const bestClarify = clarifies[0];
  const aboutMail = wholeTokens.some((t) => ctx.lexicon.domainTokens.has(t)) || entities.errorCodes.length > 0 || entities.statuses.length > 0;

  const categoryOf = (s: Scored): Category => PROBLEM_CATEGORY[s.treeId] ?? (ctx.treeById.get(s.treeId)?.category as Category);
  const candidate = (s: Scored): Candidate => ({ category: categoryOf(s), problem: s.treeId, confidence: round(s.score) });
  const alternativesAfter = (top: Scored | undefined): Candidate[] =>
    problems
      .filter((s) => s !== top && s.treeId !== OUT_OF_SCOPE_PROBLEM_ID && s.score >= config.alternativeMinimum && (!top || s.score >= top.score * config.alternativeRatio))
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

  // A message whose only words are vague ones ("mail", "can't", "broken") names nothing specific.
  const saysSomething = saysMoreThanVague(wholeTokens, ctx) || ranked.some((r) => r.verbatim);
  if (!saysSomething) problems = [];
  // A category phrase wins only when it is most of what the message says ("I can't log in"); with more
  // said ("status shows Closed and she can't log in"), a problem that matches is the better answer.
  const categoryOnly = !!bestClarify && bestClarify.precision >= config.categoryPrecision && (!best || (!best.verbatim && bestClarify.score >= best.score + config.categoryMargin));
  // Another system named, or only a weak match, with nothing that says "mail": not ours.
  const mailSure = mailWordSeen || entities.errorCodes.length > 0 || ranked.some((r) => r.verbatim);
  const readable = /[\p{L}]{2,}/u.test(normalized);
  if (!readable && !mailSure) return result('unknown', 'none', OUT_OF_SCOPE_PROBLEM_ID, 0, []);
  if (!mailSure) {
    const foreign = namesAnotherSystem(normalized, ctx);
    const weak = !categoryOnly && (!best || (best.score < config.unsureMatchMinimum && best.treeId !== HUMAN_PROBLEM_ID));
    const oos = evidence.get(OUT_OF_SCOPE_PROBLEM_ID)?.score ?? 0;
    const strong = !!best && best.score >= config.strongMatch;
    if ((foreign && !strong) || (weak && saysSomething)) return result('out-of-scope', 'none', OUT_OF_SCOPE_PROBLEM_ID, Math.max(oos, 0.5), alternativesAfter(undefined));
  }
  const problemWins = best && saysSomething && best.score >= config.problemThreshold && !categoryOnly;
  if (problemWins) {
    if (best.treeId === OUT_OF_SCOPE_PROBLEM_ID) return result('out-of-scope', 'none', OUT_OF_SCOPE_PROBLEM_ID, best.score, alternativesAfter(best));
    const ambiguous = !!runnerUp && !best.verbatim && runnerUp.treeId !== OUT_OF_SCOPE_PROBLEM_ID && runnerUp.score >= best.score * config.ambiguityRatio;
    return result('problem', categoryOf(best), best.treeId, best.score, alternativesAfter(best), ambiguous);
  }
  if (saysSomething && bestClarify && bestClarify.score >= config.categoryThreshold) {
    const category = categoryOf(bestClarify);
    return result('category', category, null, bestClarify.score, alternativesAfter(undefined).filter((c) => c.category === category || (best && c.problem === best.treeId)));
  }
  if (aboutMail) {
    // About mail but nothing specific: the best guess of category rides along for triage.
    const guess = best && best.treeId !== OUT_OF_SCOPE_PROBLEM_ID ? categoryOf(best) : bestClarify ? categoryOf(bestClarify) : 'none';
    return result('vague', guess, null, Math.max(0.1, (best?.score ?? 0) * 0.5), alternativesAfter(undefined));
  }
  return result('out-of-scope', 'none', OUT_OF_SCOPE_PROBLEM_ID, best?.treeId === OUT_OF_SCOPE_PROBLEM_ID ? best.score : 0.5, alternativesAfter(undefined));
}

/** Mail said to come in makes a send problem less likely, and the reverse (see direction.ts). */
function weighDirection(evidence: Map<string, Evidence>, direction: Direction | null, config: RecognizerConfig): void {
  if (direction === null) return;
  const against: Category = direction === 'incoming' ? 'send' : 'receive';
  for (const [treeId, e] of evidence) if (PROBLEM_CATEGORY[treeId] === against) e.score *= config.againstDirectionFactor;
}

/** A problem first named in a clause marked as what matters, or as a side remark, weighs more or less. */
function weighSalience(evidence: Map<string, Evidence>, clauses: readonly Clause[], config: RecognizerConfig): void {
  if (clauses.length === 0) return;
  for (const e of evidence.values()) {
    if (e.position >= 1) continue;
    let salience: Salience = 0;
    for (const clause of clauses) {
      if (clause.position > e.position) break;
      salience = clause.salience;
    }
    if (salience === 1) e.score = Math.min(1, e.score * config.salienceBoost);
    else if (salience === -1) e.score *= config.saliencePenalty;
  }
}

/**
 * Reorders close problem candidates the way a reader would:
 * - a concrete problem before a bare request for a person (the problem's own flow ends with the
 *   postmaster anyway);
 * - in a long ticket, where greetings and context come first, an exact error string (the pasted bounce)
 *   decides, else the strongest evidence;
 * - in a short message, among near-equals, the one the writer names first — people lead with what matters
 *   most (unless the writer said which matters, see weighSalience()). An exact error string keeps its place unless the message first names, strongly, a problem of
 *   another category ("nobody receives external mail, and what we send fails with spf check failed").
 */
function preferConcreteAndFirst<T extends { treeId: string; score: number; position: number; verbatim: boolean }>(problems: T[], config: RecognizerConfig, isLong: boolean, writerSaidWhatMatters: boolean): T[] {
  if (problems.length < 2) return problems;
  const top = problems[0];
  const concrete = problems.filter((p) => p.treeId !== HUMAN_PROBLEM_ID && p.treeId !== OUT_OF_SCOPE_PROBLEM_ID);
  let chosen = top;
  if (top.treeId === HUMAN_PROBLEM_ID && concrete[0] && concrete[0].score >= Math.max(config.humanYieldMinimum, top.score * config.humanYieldRatio)) chosen = concrete[0];
  if (isLong) {
    const bounce = concrete.find((p) => p.verbatim);
    if (bounce && chosen.treeId !== OUT_OF_SCOPE_PROBLEM_ID) chosen = bounce;
  } else if (!writerSaidWhatMatters) {
    const rivals = concrete.filter((p) => p !== chosen && p.score >= chosen.score * config.firstMentionRatio && p.position < chosen.position - 0.02 && (p.verbatim || !chosen.verbatim || (p.score >= config.strongMatch && PROBLEM_CATEGORY[p.treeId] !== PROBLEM_CATEGORY[chosen.treeId])));
    if (rivals.length > 0 && chosen.treeId !== OUT_OF_SCOPE_PROBLEM_ID) chosen = rivals.reduce((a, b) => (b.position < a.position ? b : a));
  }
  if (chosen === top) return problems;
  return [chosen, ...problems.filter((p) => p !== chosen)];
}

function round(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 1000) / 1000;
}
