/**
 * Understanding a reply to a question: a button label, a number or letter, "the second one", "yep",
 * or a loose paraphrase of one option. Pure functions over the option texts and the word lists of
 * _messages.yaml; nothing here knows a tree.
 */
import Fuse from 'fuse.js';
import { normalizeAnswer } from '../recognizer/normalize';

export interface Choice {
  label: string;
  /** Other phrasings of this choice. */
  match?: readonly string[];
}

export interface AnswerWords {
  yes: readonly string[];
  no: readonly string[];
}

/** Longer replies are treated as new descriptions for the recognizer, not as loose answers. */
const MAX_LOOSE_ANSWER_TOKENS = 8;

const ORDINALS: ReadonlyArray<readonly string[]> = [
  ['1', 'a', 'first', '1st', 'one', '第一', '第一个', '一'],
  ['2', 'b', 'second', '2nd', 'two', '第二', '第二个', '二'],
  ['3', 'c', 'third', '3rd', 'three', '第三', '第三个', '三'],
  ['4', 'd', 'fourth', '4th', 'four', '第四', '第四个', '四'],
  ['5', 'e', 'fifth', '5th', 'five', '第五', '第五个', '五'],
];
const LAST = new Set(['last', 'final', '最后', '最后一个']);
const ORDINAL_FILLER = new Set(['the', 'option', 'choice', 'number', 'no', 'one', 'answer', 'pick', 'i', 'choose', 'select', 'take', 'please', 'it', 's', 'is', 'its']);

function ordinalIndex(answer: string, count: number): number | null {
  const tokens = answer.split(' ').filter(Boolean);
  if (tokens.length === 0 || tokens.length > 5) return null;
  const compact = answer.replace(/\s+/g, '');
  for (const [i, words] of ORDINALS.entries()) {
    if (i >= count) break;
    // Chinese ordinals are written without spaces ("第二个").
    if (words.some((w) => /[\u4e00-\u9fff]/.test(w) && compact === w)) return i;
  }
  if (LAST.has(compact) || tokens.some((t) => LAST.has(t))) return count - 1;
  const meaningful = tokens.filter((t) => !ORDINAL_FILLER.has(t) || ORDINALS.some((w) => w.includes(t) && t !== 'one'));
  // "one" alone means the first option; in "the second one" it is filler.
  const candidates = meaningful.length > 0 ? meaningful : tokens;
  if (candidates.length !== 1) return null;
  const word = candidates[0];
  const index = ORDINALS.findIndex((w) => w.includes(word));
  return index >= 0 && index < count ? index : null;
}

/** Normalised once per word list: the lists come from dialogs/_messages.yaml and never change, and every message is compared with several of them. */
const normalizedLists = new WeakMap<readonly string[], string[]>();

function phraseSet(words: readonly string[]): string[] {
  let normalized = normalizedLists.get(words);
  if (!normalized) {
    normalized = words.map(normalizeAnswer).filter(Boolean);
    normalizedLists.set(words, normalized);
  }
  return normalized;
}

/** 'yes', 'no' or null for a short reply. Multi-word phrases may appear anywhere; single words must lead. */
export function yesOrNo(text: string, words: AnswerWords): 'yes' | 'no' | null {
  const answer = normalizeAnswer(text);
  if (!answer) return null;
  const tokens = answer.split(' ');
  if (tokens.length > MAX_LOOSE_ANSWER_TOKENS) return null;
  const compact = answer.replace(/\s+/g, '');
  const says = (list: readonly string[]) =>
    phraseSet(list).some((w) => answer === w || compact === w.replace(/\s+/g, '') || (w.includes(' ') ? ` ${answer} `.includes(` ${w} `) : tokens[0] === w));
  // "No, still broken" and "not really" outrank a "yes" hidden inside them; check no first.
  if (says(words.no)) return 'no';
  if (says(words.yes)) return 'yes';
  return null;
}

/** True when the whole reply is one of the yes/no words ("yes", "nope", "是的"), nothing more. */
export function isBareYesOrNo(text: string, words: AnswerWords): boolean {
  const answer = normalizeAnswer(text);
  return answer !== '' && [...phraseSet(words.yes), ...phraseSet(words.no)].includes(answer);
}

/**
 * The index of the choice the reply picks, or null. In order: exact label or phrasing, position
 * ("2", "b", "the second one"), yes/no against options that start with yes/no, a label contained in
 * the reply, then a fuzzy match that is clearly better than the runner-up.
 */
export function matchChoice(text: string, choices: readonly Choice[], words: AnswerWords): number | null {
  const answer = normalizeAnswer(text);
  if (!answer || choices.length === 0) return null;
  const phrasings = choices.map((c) => [c.label, ...(c.match ?? [])].map(normalizeAnswer).filter(Boolean));

  const exact = phrasings.findIndex((list) => list.includes(answer));
  if (exact >= 0) return exact;

  const ordinal = ordinalIndex(answer, choices.length);
  if (ordinal !== null) return ordinal;

  const polarity = yesOrNo(answer, words);
  if (polarity) {
    const leading = choices.map((c) => yesOrNo(c.label.split(/[,.(—-]/)[0], words));
    const hits = leading.flatMap((p, i) => (p === polarity ? [i] : []));
    if (hits.length === 1) return hits[0];
  }

  if (answer.split(' ').length > MAX_LOOSE_ANSWER_TOKENS) return null;

  // A reply that contains one option's wording ("I think it's the frozen one" ⊃ "frozen").
  let contained: { index: number; length: number } | null = null;
  let tie = false;
  for (const [index, list] of phrasings.entries()) {
    for (const phrase of list) {
      if (phrase.length < 3 || !` ${answer} `.includes(` ${phrase} `)) continue;
      if (!contained || phrase.length > contained.length) {
        tie = contained !== null && contained.index !== index && phrase.length === contained.length;
        contained = { index, length: phrase.length };
      } else if (phrase.length === contained.length && contained.index !== index) tie = true;
    }
  }
  if (contained && !tie) return contained.index;

  // Most of one option's words, in any order ("I think the account is frozen" ~ "Account frozen or disabled").
  const answerTokens = new Set(answer.split(' '));
  const coverage = phrasings.map((list) =>
    Math.max(
      ...list.map((phrase) => {
        const tokens = phrase.split(' ').filter((t) => t.length >= 3 && !WEAK_WORDS.has(t));
        return tokens.length === 0 ? 0 : tokens.filter((t) => answerTokens.has(t)).length / tokens.length;
      }),
    ),
  );
  const bestCoverage = Math.max(...coverage);
  if (bestCoverage >= 0.66 && coverage.filter((c) => c === bestCoverage).length === 1) return coverage.indexOf(bestCoverage);

  // Two or three letters match too much of everything fuzzily ("no" ~ "not an admin").
  if (answer.length < 4) return null;
  const entries = phrasings.flatMap((list, index) => list.map((phrase) => ({ phrase, index })));
  const fuse = new Fuse(entries, { keys: ['phrase'], includeScore: true, threshold: 0.4, ignoreLocation: true });
  const hits = fuse.search(answer);
  if (hits.length === 0) return null;
  const best = hits[0];
  const rival = hits.find((h) => h.item.index !== best.item.index);
  const bestScore = best.score ?? 1;
  if (bestScore > 0.35) return null;
  if (rival && (rival.score ?? 1) - bestScore < 0.1) return null;
  return best.item.index;
}

/** Words too common to tell options apart. */
const WEAK_WORDS = new Set(['the', 'and', 'not', 'its', 'for', 'with', 'you', 'your', 'something', 'only', 'just']);

export type Command = 'restart' | 'back' | 'help' | 'human';

const FILLER = /^(?:(?:ok|okay|please|pls|just|can i|could i|can we|i want to|i wanna|i d like to|id like to|i would like to|let me|lets|i need to)\s+)+|(?:\s+(?:please|pls|now))+$/g;

/** A global command the user can give at any point, or null. Whole-message match after filler words. */
export function detectCommand(text: string, commands: Record<Command, readonly string[]>): Command | null {
  const answer = normalizeAnswer(text);
  if (!answer) return null;
  const bare = answer.replace(FILLER, '').trim();
  for (const command of ['restart', 'back', 'help', 'human'] as const) {
    const phrases = phraseSet(commands[command]);
    if (phrases.includes(answer) || phrases.includes(bare)) return command;
  }
  return null;
}
