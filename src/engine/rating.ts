/**
 * Reading the optional 1–5 rating offered after a resolved flow: a button ("4"), a number with words
 * around it ("4 stars", "5/5", "I'd give it a 4", "4分"), a number word ("five") or stars ("★★★★").
 * Anything else is not a rating, so the message is handled as a new one: the offer never traps the user.
 */
import { normalizeAnswer } from '../recognizer/normalize';

export const MIN_RATING = 1;
export const MAX_RATING = 5;

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5,
  一: 1, 二: 2, 三: 3, 四: 4, 五: 5,
};

/** Filled star characters; a row of them is a rating by itself. */
const STAR = /[★⭐]/gu;
const EMPTY_STAR = /[☆]/gu;

/**
 * The rating a reply gives, or null. `words` are the phrases that may surround the number (units
 * such as "stars" or "out of 5", and lead-ins such as "I'd give it"), from dialogs/_messages.yaml.
 */
export function parseRating(text: string, words: readonly string[]): number | null {
  const raw = text.trim();
  if (raw === '' || raw.length > 60) return null;

  const stars = raw.match(STAR)?.length ?? 0;
  if (stars > 0 && raw.replace(STAR, '').replace(EMPTY_STAR, '').replace(/[\s\uFE0F]/gu, '') === '') return inRange(stars);

  // "5/5" and "4 out of 5" name the scale after the number: drop the scale, keep the first number.
  let answer = ` ${normalizeAnswer(raw.replace(/\b([1-5])\s*\/\s*5\b/g, '$1'))} `;
  // Longest phrases first, so "out of 5" goes before "5" could be mistaken for the rating.
  for (const phrase of [...words].map(normalizeAnswer).filter(Boolean).sort((a, b) => b.length - a.length)) {
    const latin = /^[\p{Script=Latin}\p{N}\s]+$/u.test(phrase);
    answer = latin ? answer.split(` ${phrase} `).join(' ') : answer.split(phrase).join(' ');
  }
  const rest = answer.trim().split(/\s+/).filter(Boolean);
  if (rest.length !== 1) return null;
  const token = rest[0] as string;
  if (/^\d+$/.test(token)) return inRange(Number(token));
  return NUMBER_WORDS[token] ?? null;
}

function inRange(n: number): number | null {
  return Number.isInteger(n) && n >= MIN_RATING && n <= MAX_RATING ? n : null;
}
