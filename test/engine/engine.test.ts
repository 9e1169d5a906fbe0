/**
 * The engine over the real trees, turn by turn, as a user would meet it. State goes through JSON
 * between turns, as it does through the bot's storage. Texts are compared with the catalog's own
 * sentences and the seed facts, so a rewording of a message does not break the test but a wrong
 * step does.
 */
import { loadHelpdeskCore } from '../../src/core';
import { createEngine } from '../../src/engine/engine';
import type { ConversationState, EngineEvent, EscalationRecord, Reply } from '../../src/engine/types';
import type { Classification } from '../../src/recognizer/types';
import { emptyEntities } from '../../src/recognizer/types';

const core = loadHelpdeskCore();
const m = core.catalog.messages;

function conversation(engine = core.engine) {
  let state: ConversationState | undefined;
  const events: EngineEvent[] = [];
  const turn = (input: { kind: 'text'; text: string } | { kind: 'welcome' }) => {
    const result = engine.step(state, input);
    state = JSON.parse(JSON.stringify(result.state)) as ConversationState;
    events.push(...result.events);
    const replies = result.replies;
    return {
      replies,
      text: replies.map((r: Reply) => [r.text, r.path, ...(r.steps ?? [])].filter(Boolean).join('\n')).join('\n'),
      options: replies[replies.length - 1]?.options ?? [],
      events: result.events,
    };
  };
  return {
    say: (text: string) => turn({ kind: 'text', text }),
    welcome: () => turn({ kind: 'welcome' }),
    get state() {
      return state as ConversationState;
    },
    events,
    escalation: () => events.find((e): e is Extract<EngineEvent, { type: 'escalated' }> => e.type === 'escalated')?.record as EscalationRecord,
  };
}

const tree = (id: string) => core.catalog.trees.get(id)!;
const startQuestion = (id: string) => {
  const node = tree(id).nodeById.get(tree(id).start)!;
  if (node.type !== 'question') throw new Error(`${id} does not start with a question`);
  return node;
};

describe('welcome and bad input', () => {
  test('conversationUpdate gets the welcome with starting options', () => {
    const c = conversation();
    const r = c.welcome();
    expect(r.text).toBe(m.welcome);
    expect(r.options).toEqual(m.welcomeOptions);
  });

  test('an empty message gets a clear answer, not an error', () => {
    const r = conversation().say('   ');
    expect(r.text).toBe(m.emptyMessage);
  });

  test('a stray "yes" with no question open asks for the problem; a sentence that contains a no-phrase is still routed', () => {
    expect(conversation().say('yes').text).toContain(m.fallbackNoFlow);
    const c = conversation();
    c.say("Outlook didn't work: 526 Authentication failure");
    expect(c.state.problem).toBe('client-auth-failed');
  });

  test('binary junk gets a rephrase prompt', () => {
    const r = conversation().say('\u0000\u0001\u0002 ### \ufffd\ufffd 12345');
    expect(r.text).toContain(m.fallbackNoFlow);
  });

  test('a 50 KB paste is read (the first part) and routed', () => {
    const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(900);
    const r = conversation().say(`Hello IT,\n554 Reject by behaviour spam\n${filler}`);
    expect(r.text).toContain(m.tooLong);
    expect(conversation().say('554 Reject by behaviour spam').text.length).toBeGreaterThan(0);
  });
});

describe('a whole flow: password lock', () => {
  test('free-text answers, a fix that did not work, role branching to the employee, escalation with a summary', () => {
    const c = conversation();
    let r = c.say('it keeps saying too many password errors, please try again in 1 hour');
    expect(r.text).toContain('1 hour');
    expect(r.options).toEqual(startQuestion('password-locked').options.map((o) => o.label));

    r = c.say('nope');
    expect(r.text).toMatch(/1 hour/);
    expect(r.options).toEqual([m.workedYes, m.workedNo]);

    r = c.say("no it didn't");
    expect(r.text).toContain(m.roleQuestion);
    expect(r.options).toEqual([m.rolePostmaster, m.roleEmployee]);

    r = c.say("I'm just an employee");
    expect(r.text).toMatch(/postmaster/i);
    expect(r.text).toContain('Unlock');
    expect(r.options).toEqual([m.escalateYes, m.escalateNo]);

    r = c.say('yes please');
    const record = c.escalation();
    expect(record).toBeDefined();
    expect(record.problem).toBe('password-locked');
    expect(record.category).toBe('login');
    expect(record.severity).toBe(tree('password-locked').severity);
    expect(record.userWords).toContain('too many password errors');
    expect(record.answers.map((a) => a.answer)).toEqual(expect.arrayContaining([m.workedNo, m.roleEmployee]));
    expect(record.stepsTried.join(' ')).toMatch(/did not work/);
    expect(record.transcript.filter((l) => l.from === 'user')).toHaveLength(5);
    expect(c.state.flow).toBeNull();
  });

  test('it worked: the flow closes as resolved with a recap', () => {
    const c = conversation();
    c.say('too many password errors');
    c.say('1');
    const r = c.say('yes, it worked');
    expect(r.text).toMatch(/glad/i);
    expect(c.events).toContainEqual(expect.objectContaining({ type: 'resolved', problem: 'password-locked' }));
    expect(c.state.flow).toBeNull();
  });

  test('a postmaster gets the console steps instead of an escalation offer', () => {
    const c = conversation();
    c.say("I'm the postmaster: a user sees too many password errors");
    c.say('the first one');
    const r = c.say('no');
    expect(r.text).toContain('Organizations and Users');
    expect(r.text).toContain('Unlock');
    expect(r.options).toEqual([m.workedYes, m.workedNo]);
  });

  test('what the first message says pre-fills the question it answers', () => {
    const c = conversation();
    const r = c.say('Outlook on my laptop says too many password errors');
    expect(r.text).toContain('outlook');
    expect(r.options).toEqual([m.workedYes, m.workedNo]);
    expect(c.state.answers[0]).toEqual(expect.objectContaining({ prefilled: true }));
  });
});

describe('global commands', () => {
  test('back returns to the previous question and forgets its answer', () => {
    const c = conversation();
    c.say('too many password errors');
    c.say('2');
    expect(c.state.answers).toHaveLength(1);
    const r = c.say('back');
    expect(r.text).toContain(m.back);
    expect(r.options).toEqual(startQuestion('password-locked').options.map((o) => o.label));
    expect(c.state.answers).toHaveLength(0);
  });

  test('back at the first question says there is nothing to go back to', () => {
    const c = conversation();
    c.say('too many password errors');
    expect(c.say('go back').text).toContain(m.nothingToGoBack);
  });

  test('start over clears the flow', () => {
    const c = conversation();
    c.say('too many password errors');
    const r = c.say('start over');
    expect(r.text).toContain(m.restart);
    expect(c.state.flow).toBeNull();
  });

  test('help in a flow explains and re-asks', () => {
    const c = conversation();
    c.say('too many password errors');
    const r = c.say('help');
    expect(r.text).toContain(m.helpInFlow);
    expect(r.options).toEqual(startQuestion('password-locked').options.map((o) => o.label));
  });

  test('"talk to a person" mid-flow escalates with what is known so far', () => {
    const c = conversation();
    c.say('too many password errors');
    c.say('talk to a person');
    expect(c.escalation()).toEqual(expect.objectContaining({ problem: 'password-locked', reason: expect.stringMatching(/person/) }));
  });

  test('"talk to a human" with no flow escalates at once', () => {
    const c = conversation();
    c.say('talk to a human');
    expect(c.escalation()).toEqual(expect.objectContaining({ problem: 'talk-to-human' }));
  });
});

describe('not understood', () => {
  test('one fallback re-asks; the second in a row offers a person', () => {
    const c = conversation();
    c.say('too many password errors');
    let r = c.say('banana');
    expect(r.text).toContain(m.fallback);
    expect(r.options).toEqual(startQuestion('password-locked').options.map((o) => o.label));
    r = c.say('qwertz');
    expect(r.text).toContain(m.fallbackEscalate);
    expect(r.options).toEqual(m.fallbackEscalateOptions);
    expect(c.events.filter((e) => e.type === 'unrecognized')).toHaveLength(2);
  });

  test('the escalation offer after two fallbacks can be taken with its button', () => {
    const c = conversation();
    c.say('too many password errors');
    c.say('banana');
    c.say('qwertz');
    c.say(m.fallbackEscalateOptions[0]);
    expect(c.escalation()).toBeDefined();
  });
});

describe('routing', () => {
  test('a category-only message asks the clarifying question, and "the second one" picks an option', () => {
    const c = conversation();
    const r = c.say("I can't log in");
    const clarify = startQuestion('clarify-login');
    expect(r.options).toEqual(clarify.options.map((o) => o.label));
    const target = clarify.options[1].next.replace(/^@/, '');
    c.say('the second one');
    expect(c.state.problem).toBe(target);
  });

  test('switching topic mid-flow routes to the new problem', () => {
    const c = conversation();
    c.say('too many password errors');
    const r = c.say('actually I also get "This account is blocked from sending emails due to violations"');
    expect(r.text).toContain(m.topicSwitch.split('{')[0].trim());
    expect(c.state.problem).toBe('send-blocked');
  });

  test('out-of-scope messages are told what the bot does', () => {
    const c = conversation();
    c.say("what's the weather like tomorrow in Hangzhou?");
    expect(c.state.problem).toBe('out-of-scope');
  });

  test('"Did you mean …?" when two problems are too close, answered by button or by number', () => {
    const close = (text: string): Classification => ({
      intent: 'problem',
      category: 'send',
      problem: text.includes('x') ? 'send-limit' : 'send-spam-rejected',
      confidence: 0.6,
      alternatives: [{ category: 'send', problem: 'send-limit', confidence: 0.58 }],
      entities: emptyEntities(),
      language: 'en',
      ambiguous: true,
    });
    const engine = createEngine({ catalog: core.catalog, recognizer: { classify: close } });
    const c = conversation(engine);
    const r = c.say('my mails are not going out');
    expect(r.text).toContain(m.didYouMean);
    expect(r.options).toEqual([tree('send-spam-rejected').title, tree('send-limit').title, m.didYouMeanNeither]);
    c.say('2');
    expect(c.state.problem).toBe('send-limit');
    expect(c.state.userWords).toBe('my mails are not going out');
  });
});
