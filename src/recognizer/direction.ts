/**
 * Which way the mail in a message travels. Bag-of-words scoring sees the same words in "my mail to a
 * client bounced" (a send problem) and "a client's mail to me bounced" (a receive problem); the order
 * of "to me" / "my … to" decides, and that is what these cues read. The cues are data
 * (dialogs/_synonyms.yaml, `direction`), regular expressions over the normalised message.
 */
import { compilePatterns, oneSide } from './patterns';

export type Direction = 'incoming' | 'outgoing';

export interface DirectionCues {
  incoming: readonly RegExp[];
  outgoing: readonly RegExp[];
}

export function compileDirectionCues(data: { incoming: readonly string[]; outgoing: readonly string[] }): DirectionCues {
  return { incoming: compilePatterns(data.incoming), outgoing: compilePatterns(data.outgoing) };
}

/** The direction the message speaks of, or null when it says neither or both. */
export function readDirection(normalizedText: string, cues: DirectionCues): Direction | null {
  const side = oneSide(normalizedText, cues.incoming, cues.outgoing);
  return side === null ? null : side === 'first' ? 'incoming' : 'outgoing';
}
