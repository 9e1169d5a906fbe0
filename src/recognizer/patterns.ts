/**
 * The regular-expression lists of dialogs/ (direction, salience, per-tree cues): compiled one way, and read
 * as "does any of them match".
 */
export function compilePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source) => new RegExp(source, 'u'));
}

export function matchesAny(patterns: readonly RegExp[], text: string): boolean {
  return patterns.some((re) => re.test(text));
}

/** Which of two opposite lists the text matches: 'first', 'second', or null when neither or both. */
export function oneSide(text: string, first: readonly RegExp[], second: readonly RegExp[]): 'first' | 'second' | null {
  const a = matchesAny(first, text);
  const b = matchesAny(second, text);
  if (a === b) return null;
  return a ? 'first' : 'second';
}
