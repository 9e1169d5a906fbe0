/**
 * Which way the mail in a message travels. Bag-of-words scoring sees the same words in "my mail to a
 * client bounced" (a send problem) and "a client's mail to me bounced" (a receive problem); the order
 * of "to me" / "my … to" decides, and that is what these cues read. The cues are data
 * (dialogs/_synonyms.yaml, `direction`), regular expressions over the normalised message.
 */
export type Direction = 'incoming' | 'outgoing';

export interface DirectionCues {
  incoming: readonly RegExp[];
  outgoing: readonly RegExp[];
}

export function compileDirectionCues(data: { incoming: readonly string[]; outgoing: readonly string[] }): DirectionCues {
  const compile = (patterns: readonly string[]) => patterns.map((p) => new RegExp(p, 'u'));
  return { incoming: compile(data.incoming), outgoing: compile(data.outgoing) };
}

/** The direction the message speaks of, or null when it says neither or both. */
export function readDirection(normalizedText: string, cues: DirectionCues): Direction | null {
  const incoming = cues.incoming.some((re) => re.test(normalizedText));
  const outgoing = cues.outgoing.some((re) => re.test(normalizedText));
  if (incoming === outgoing) return null;
  return incoming ? 'incoming' : 'outgoing';
}
