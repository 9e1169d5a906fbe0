/**
 * A small scripted engine for testing the bot layer alone: deterministic, and it records each input
 * it received. It speaks with the real messages wherever the real engine would.
 */
import type { TurnEngine } from '../../src/bot/helpdesk-bot';
import type { Messages } from '../../src/dialogs/messages';
import type { ConversationState, EngineInput, EngineResult, EscalationRecord } from '../../src/engine/types';
import { newState } from '../../src/engine/state';
import { emptyEntities } from '../../src/recognizer/types';

export const FAKE_PROBLEM = 'fake-problem';

/** The real engine's fresh state: the bot layer stores whatever the engine hands it. */
export const fakeState = newState;

export class FakeEngine implements TurnEngine {
  readonly inputs: EngineInput[] = [];

  constructor(private readonly messages: Messages) {}

  step(stored: ConversationState | undefined, input: EngineInput): EngineResult {
    this.inputs.push(input);
    const state: ConversationState = stored ? (JSON.parse(JSON.stringify(stored)) as ConversationState) : fakeState();
    if (input.kind === 'welcome') {
      return { replies: [{ kind: 'welcome', text: this.messages.welcome, options: this.messages.welcomeOptions }], state, events: [] };
    }
    const text = input.text;
    if (text === '') {
      const replies: EngineResult['replies'] = [{ kind: 'prompt', text: this.messages.emptyMessage }];
      if (state.flow) replies.push({ kind: 'question', text: `Still at ${state.flow.nodeId}`, options: ['Yes', 'No'] });
      return { replies, state, events: [] };
    }
    if (text === 'crash') throw new Error('engine exploded with secret=hunter2');
    if (text === 'escalate') {
      const record: EscalationRecord = {
        problem: FAKE_PROBLEM,
        category: 'login',
        severity: 'high',
        title: 'Fake problem',
        reason: 'asked',
        userWords: state.userWords,
        answers: [],
        stepsTried: [],
        entities: emptyEntities(),
        role: null,
        transcript: [],
        at: '2024-05-01T00:00:00.000Z',
      };
      state.flow = null;
      return {
        replies: [
          { kind: 'escalation', text: this.messages.escalated.replace('{title}', 'Fake problem') },
          { kind: 'end', text: this.messages.flowEnded, options: ['One', 'Two'] },
        ],
        state,
        events: [{ type: 'escalated', record }],
      };
    }
    // Anything else moves one node on and echoes what it read.
    const n = state.flow ? Number(state.flow.nodeId.replace('node-', '')) + 1 : 1;
    if (!state.flow) state.userWords = text;
    state.flow = { treeId: FAKE_PROBLEM, nodeId: `node-${n}`, awaiting: 'option' };
    return {
      replies: [{ kind: 'question', text: `node-${n} read: ${text.slice(0, 80)}`, steps: ['First', 'Second'], path: 'Console → Users', options: ['Yes', 'No'] }],
      state,
      events: [],
    };
  }
}
