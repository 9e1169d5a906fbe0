import type { TurnEngine } from '../../src/bot/helpdesk-bot';
import type { ConversationState, EngineEvent, EngineInput, EngineResult } from '../../src/engine/types';

/** Passes every step to the real engine and keeps the events of the last one. */
export class RecordingEngine implements TurnEngine {
  lastEvents: EngineEvent[] = [];
  constructor(private readonly inner: TurnEngine) {}

  step(state: ConversationState | undefined, input: EngineInput): EngineResult {
    const result = this.inner.step(state, input);
    this.lastEvents = result.events;
    return result;
  }
}
