/**
 * What the writer says matters most, or least, in a message that names several problems: "more urgent:
 * the login page doesn't load", "Outlook keeps asking for the password, but that's a separate thing,
 * I'll deal with it later". A bag of words weighs every clause alike; these markers say which clause the
 * writer needs help with. They are data (dialogs/_synonyms.yaml, `salience`): regular expressions over
 * each normalised clause. A marker in a clause that names no problem of its own ("That's the important
 * one.") speaks of the clause before it.
 */
import { normalizeText } from './normalize';
import { compilePatterns, oneSide } from './patterns';

/** 1: the clause the writer needs help with; -1: a side remark; 0: neither said. */
export type Salience = 1 | 0 | -1;

export interface SalienceCues {
  main: readonly RegExp[];
  aside: readonly RegExp[];
}

export function compileSalienceCues(data: { main: readonly string[]; aside: readonly string[] }): SalienceCues {
  return { main: compilePatterns(data.main), aside: compilePatterns(data.aside) };
}

/** What one clause says of its own weight (both kinds of marker, or none: 0). */
export function readSalience(clause: string, cues: SalienceCues): Salience {
  const side = oneSide(normalizeText(clause), cues.main, cues.aside);
  return side === null ? 0 : side === 'first' ? 1 : -1;
}

/**
 * The weight of each clause once markers in clauses that name nothing are moved to the clause before
 * (`names(i)`: clause i names a problem of its own).
 */
export function resolveSalience(own: readonly Salience[], names: (clause: number) => boolean): Salience[] {
  const resolved = [...own];
  for (let i = 1; i < own.length; i++) {
    if (own[i] === 0 || names(i) || own[i - 1] !== 0) continue;
    resolved[i - 1] = own[i] as Salience;
    resolved[i] = 0;
  }
  return resolved;
}
