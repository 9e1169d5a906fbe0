/**
 * Message → canonical tokens, the same way for triggers and for messages: synonyms replaced, English
 * words lightly stemmed, stop words dropped, Chinese segmented into words (Intl.Segmenter).
 */
import type { LexiconData } from '../dialogs/lexicon';
import { normalizeText } from './normalize';

const STOP_WORDS = new Set(
  `a an the i im me my mine we our us you your it its is are was were be been being am do does did doing have has had
   having to of in on at by for with from into onto about as and or but if so that this these those there here then than
   too very just also again still any some all what which who whom whose when where why how hi hello hey dear thanks thank
   please pls kindly regards best sir madam team would could should will shall may might must can get got getting gets
   keep keeps kept one ones thing things like now today yesterday try trying really actually
   something help need needs want wants know guys lol okay ok s t re ve ll d
   problem problems issue issues trouble troubles wrong
   he she him his her hers
   的 了 我 我们 是 在 吗 呢 啊 吧 请 你 您 一下 这个 那个 怎么 怎么办 什么 为什么 就 都 也 还 又 和 与 及 或 有 没 被 把 给 让 会 能 要 想 说 个 一直 已经 现在 今天 帮 帮忙 问题`
    .split(/\s+/)
    .filter(Boolean),
);

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** A light English stemmer: enough that "blocked/blocking/blocks" and "errors/error" meet. */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  for (const suffix of ['ing', 'ed', 'es', 's', 'e', 'ly']) {
    // "daily", "early" are words, not adverbs of "dai", "ear".
    if (suffix === 'ly' && word.length < 7) continue;
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      // "ss" endings (access, address) keep their double s.
      return suffix === 's' && base.endsWith('s') ? word : base;
    }
  }
  return word;
}

export interface Lexicon {
  /** Replaces synonym variants by their canonical word. */
  canonicalize(normalizedText: string): string;
  /** The canonical word of a one-word variant ("email" → "mail"), or the word itself. */
  canonicalWord(word: string): string;
  /** One-word variants, so a typo of a variant ("emial") can be corrected to it. */
  variants: ReadonlySet<string>;
  /** Canonical, stemmed tokens that show a message is about mail. */
  domainTokens: ReadonlySet<string>;
  /** Tokens that on their own name no problem and no category ("mail", "can't"). */
  vagueTokens: ReadonlySet<string>;
  /** Tokens that make a message about company mail beyond doubt. */
  mailTokens: ReadonlySet<string>;
  /** Names of other systems (VPN, Jira, printer), normalised: whole phrases, since "teams meeting" is not "teams". */
  foreignPhrases: readonly string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function buildLexicon(data: LexiconData): Lexicon {
  const pairs: Array<[string, string]> = [];
  for (const [canonical, variants] of Object.entries(data.synonyms)) {
    for (const variant of variants) pairs.push([normalizeText(variant), canonical]);
  }
  // Longest first, so "junk mail" is read before "mail".
  pairs.sort((a, b) => b[0].length - a[0].length);
  const latin = pairs.filter(([v]) => !CJK.test(v));
  const cjk = pairs.filter(([v]) => CJK.test(v));
  const latinPattern = latin.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${latin.map(([v]) => escapeRegExp(v)).join('|')})(?![\\p{L}\\p{N}])`, 'gu')
    : null;
  const latinMap = new Map(latin);
  const cjkPattern = cjk.length ? new RegExp(cjk.map(([v]) => escapeRegExp(v)).join('|'), 'g') : null;
  const cjkMap = new Map(cjk);
  const canonicalize = (text: string): string => {
    let out = latinPattern ? text.replace(latinPattern, (m) => ` ${latinMap.get(m) ?? m} `) : text;
    if (cjkPattern) out = out.replace(cjkPattern, (m) => ` ${cjkMap.get(m) ?? m} `);
    return out;
  };
  const oneWord = new Map(latin.filter(([v]) => /^[\p{L}\p{N}]+$/u.test(v)));
  const tokenSet = (words: string[]) => new Set(words.flatMap((w) => tokensOf(canonicalize(normalizeText(w)))));
  return {
    canonicalize,
    canonicalWord: (word) => oneWord.get(word) ?? word,
    variants: new Set(oneWord.keys()),
    domainTokens: tokenSet(data.domainWords),
    vagueTokens: tokenSet(data.vagueWords),
    mailTokens: tokenSet(data.mailWords),
    foreignPhrases: data.foreignWords.map((w) => normalizeText(w)),
  };
}

/** Reads an unknown word as the known word it is a typo of (or returns it unchanged). */
export type WordCorrector = (word: string) => string;

/** The words (before stemming) of normalised, canonicalised text: what typo correction compares. */
export function surfaceWords(text: string): string[] {
  return text.replace(/(\p{L})'(\p{L})/gu, '$1$2').split(/[^\p{L}\p{N}]+/u).filter((w) => w && !CJK.test(w) && !STOP_WORDS.has(w));
}

/** Tokens of already normalised and canonicalised text. */
function tokensOf(text: string, correct: WordCorrector = (w) => w): string[] {
  const out: string[] = [];
  // Apostrophes inside words go ("can't" → "cant"); other punctuation separates.
  const cleaned = text.replace(/(\p{L})'(\p{L})/gu, '$1$2');
  for (const run of cleaned.split(/[^\p{L}\p{N}]+/u)) {
    if (!run) continue;
    if (CJK.test(run)) {
      out.push(...cjkTokens(run));
      continue;
    }
    // Split "AccountBlocked"-style words only for matching their parts too; the whole stays.
    if (STOP_WORDS.has(run)) continue;
    out.push(stem(correct(run)));
  }
  return out;
}

function cjkTokens(run: string): string[] {
  const out: string[] = [];
  // A run may mix scripts ("outlook无法登录"): split it into CJK and non-CJK pieces first.
  for (const piece of run.split(/([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)/)) {
    if (!piece) continue;
    if (!CJK.test(piece)) {
      if (!STOP_WORDS.has(piece)) out.push(stem(piece));
      continue;
    }
    // Words only: character pairs were tried beside them and matched worse (every pair of a long
    // message that also occurs in some trigger dilutes the match); `npm run bench:accuracy` shows it.
    for (const { segment, isWordLike } of segmenter.segment(piece)) {
      if (isWordLike && !STOP_WORDS.has(segment)) out.push(segment);
    }
  }
  return out;
}

export function tokenize(text: string, lexicon: Lexicon, correct?: WordCorrector): string[] {
  return tokensOf(lexicon.canonicalize(normalizeText(text)), correct);
}

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}
