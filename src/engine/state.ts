import type { ConversationState, TranscriptLine } from './types';
import { emptyEntities, type Entities } from '../recognizer/types';

/** Transcripts are kept for the postmaster, bounded so a chatty conversation cannot grow without end. */
export const MAX_TRANSCRIPT_LINES = 200;
export const MAX_TRANSCRIPT_LINE_CHARS = 4000;

export function newState(): ConversationState {
  return {
    version: 1,
    flow: null,
    history: [],
    problem: null,
    category: null,
    userWords: '',
    entities: emptyEntities(),
    role: null,
    answers: [],
    stepsTried: [],
    fallbacks: 0,
    choices: null,
    transcript: [],
    ratingOffer: null,
  };
}

/**
 * A stored state may come from an older release or be damaged; anything that is not a version-1
 * state starts afresh rather than crashing the turn.
 */
export function reviveState(stored: unknown): ConversationState {
  if (!stored || typeof stored !== 'object' || (stored as { version?: unknown }).version !== 1) return newState();
  const state = structuredClone(stored) as ConversationState;
  const fresh = newState();
  return { ...fresh, ...state, entities: { ...fresh.entities, ...state.entities } };
}

export function appendTranscript(state: ConversationState, from: TranscriptLine['from'], text: string, at: string): void {
  state.transcript.push({ from, text: text.slice(0, MAX_TRANSCRIPT_LINE_CHARS), at });
  if (state.transcript.length > MAX_TRANSCRIPT_LINES) state.transcript.splice(0, state.transcript.length - MAX_TRANSCRIPT_LINES);
}

/** Adds newly found entities without duplicates, so what the user said earlier keeps counting. */
export function mergeEntities(into: Entities, found: Entities): void {
  for (const key of Object.keys(into) as Array<keyof Entities>) {
    for (const value of found[key] ?? []) if (!into[key].includes(value)) into[key].push(value);
  }
}
