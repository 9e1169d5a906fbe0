/**
 * The optional 1–5 rating after a resolved flow: what counts as a rating, and that the offer lasts one
 * message (a rating is thanked and emitted as an event; anything else is handled as a new message).
 */
import { loadHelpdeskCore } from '../../src/core';
import { parseRating } from '../../src/engine/rating';
import type { ConversationState, EngineEvent } from '../../src/engine/types';

const core = loadHelpdeskCore();
const m = core.catalog.messages;

describe('parseRating', () => {
  test.each([
    ['1', 1], ['5', 5], [' 3 ', 3], ['4 stars', 4], ['1 star', 1], ['5/5', 5], ['4 / 5', 4], ['4 out of 5', 4],
    ['five', 5], ['Four stars!', 4], ["I'd give it a 4", 4], ['i give it 2', 2], ['rating: 3', 3], ['★★★★', 4],
    ['⭐⭐⭐⭐⭐', 5], ['★★★☆☆', 3], ['4分', 4], ['五星', 5], ['3颗星', 3],
  ])('%s → %d', (text, expected) => {
    expect(parseRating(text, m.ratingWords)).toBe(expected);
  });

  test.each([
    '0', '6', '10', '4.5', '3 or 4', '5 emails bounced', 'yes', 'thanks', 'error 554', 'I still cannot send 5 mails',
    'the first one', '', '★★★★★★', 'MAIL-00005', 'talk to a person',
  ])('not a rating: %s', (text) => {
    expect(parseRating(text, m.ratingWords)).toBeNull();
  });
});

function conversation() {
  let state: ConversationState | undefined;
  return (text: string) => {
    const result = core.engine.step(state, { kind: 'text', text });
    state = JSON.parse(JSON.stringify(result.state)) as ConversationState; // as the bot's storage keeps it
    return { ...result, text: result.replies.map((r) => r.text).join('\n'), options: result.replies.at(-1)?.options ?? [] };
  };
}

async function resolvedPasswordLock() {
  const say = conversation();
  say('my phone keeps locking my account, it says too many password errors');
  const resolved = say('Yes, it worked');
  return { say, resolved };
}

test('a resolved flow ends with the recap, then the rating offer with buttons 1–5', async () => {
  const { resolved } = await resolvedPasswordLock();
  expect(resolved.events.map((e) => e.type)).toEqual(['resolved']);
  expect(resolved.replies.map((r) => r.kind)).toEqual(['resolved', 'question']);
  expect(resolved.replies[1]).toMatchObject({ text: m.ratingOffer, options: ['1', '2', '3', '4', '5'] });
  expect(resolved.state.flow).toBeNull();
  expect(resolved.state.ratingOffer).toEqual({ problem: 'password-locked' });
});

test('a rating is thanked and emitted with the problem; a second number is no longer a rating', async () => {
  const { say } = await resolvedPasswordLock();
  const rated = say('4 stars');
  expect(rated.events).toEqual<EngineEvent[]>([{ type: 'rated', problem: 'password-locked', rating: 4 }]);
  expect(rated.text).toBe(m.ratingThanks.replace('{rating}', '4'));
  expect(rated.state.ratingOffer).toBeNull();
  const again = say('5');
  expect(again.events.some((e) => e.type === 'rated')).toBe(false);
});

test('anything else is a normal message: a new problem starts its flow, a command runs', async () => {
  const first = await resolvedPasswordLock();
  const next = first.say('My email bounced with 554 Reject by behaviour spam');
  expect(next.events.some((e) => e.type === 'rated')).toBe(false);
  expect(next.state.problem).toBe('send-spam-rejected');
  expect(next.state.ratingOffer).toBeNull();

  const second = await resolvedPasswordLock();
  expect(second.say('help').text).toBe(m.help);

  const third = await resolvedPasswordLock();
  const thanks = third.say('thanks, bye');
  expect(thanks.events.some((e) => e.type === 'rated')).toBe(false);
  expect(thanks.state.ratingOffer).toBeNull();
});

test('an escalation offers no rating', () => {
  const say = conversation();
  const r = say('talk to a person');
  expect(r.events.map((e) => e.type)).toEqual(['escalated']);
  expect(r.text).not.toContain(m.ratingOffer);
  expect(r.state.ratingOffer).toBeNull();
});
