/**
 * Text normalisation shared by the recognizer and the engine's answer matching: the same message must
 * compare equal however it was typed (full-width characters, curly quotes, case, extra spaces, Traditional or
 * Simplified Chinese).
 */
import { toSimplified } from './chinese-script';

/** NFKC, Simplified Chinese, lower case, straight quotes, no zero-width or control characters, single spaces. */
export function normalizeText(text: string): string {
  return toSimplified(text.normalize('NFKC'))
    .toLowerCase()
    .replace(/[\u2018\u2019\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201f\u2033]/g, '"')
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** For comparing short answers: normalised, punctuation dropped, apostrophes removed ("don't" = "dont"). */
export function normalizeAnswer(text: string): string {
  return normalizeText(text)
    .replace(/'/g, '')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
