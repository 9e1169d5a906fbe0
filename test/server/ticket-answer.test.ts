/**
 * The user's answer goes back onto the ticket, through the real app (createApp, the real core and its
 * recognizer) over HTTP on 127.0.0.1: the postmaster asks (PATCH with waiting-for-user and a reply), the
 * reply reaches the user's conversation (a stand-in channel), and the user's next message there is the
 * answer — unless it is a command or clearly a new problem, and only in that conversation, for that user.
 */
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { CaptureChannel } from '../support/http';
import { useTicketApp, type TicketApp } from '../support/ticket-app';

const TOKEN = 'admin-answer-token-0123456789';

let core: HelpdeskCore;
let channel: CaptureChannel;
let serviceUrl: string;
beforeAll(async () => {
  core = loadHelpdeskCore();
  channel = new CaptureChannel();
  serviceUrl = await channel.start();
});
afterAll(() => channel.stop());

const startApp = useTicketApp(() => core);
const start = (): Promise<TicketApp> => startApp({ ADMIN_TOKEN: TOKEN });

/** A user in a conversation on the stand-in channel: each message returns what the bot posted back for it. */
function user(base: string, userId: string, conversationId: string) {
  return async (text: string): Promise<string> => {
    const before = channel.activities().length;
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, from: { id: userId, name: userId }, recipient: { id: 'bot' }, conversation: { id: conversationId }, channelId: 'test', serviceUrl }),
    });
    expect(res.status).toBe(200);
    return channel.activities().slice(before).map((a) => String(a.text ?? a.summary ?? '')).join('\n');
  };
}

async function postmaster(base: string, ticketId: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const before = channel.activities().length;
  const res = await fetch(`${base}/api/tickets/${ticketId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  const result = (await res.json()) as Record<string, unknown>;
  return { ...result, shown: channel.activities().slice(before).map((a) => String(a.text ?? '')).join('\n') };
}

const m = () => core.catalog.messages;
const added = (id: string) => m().ticketReplyAdded.replace('{ticketId}', id);

test('the postmaster asks, the user just answers: the answer is on the ticket, which is back in progress; the next message is not', async () => {
  const { base, tickets } = await start();
  const say = user(base, 'u-ans-1', 'conv-ans-1');
  expect(await say('talk to a person')).toContain('MAIL-00001');

  const asked = await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Does it happen on your phone too?' });
  expect(asked).toMatchObject({ replyDelivered: true });
  expect(asked.shown).toContain('Does it happen on your phone too?');
  expect(asked.shown).toContain(m().postmasterReplyAnswerHere.replace('{ticketId}', 'MAIL-00001'));
  expect(tickets.get('MAIL-00001')?.events.at(-1)).toMatchObject({ kind: 'reply', deliveredAt: expect.any(String) });

  expect(await say('yes, on my iPhone too since Monday')).toBe(added('MAIL-00001'));
  const ticket = tickets.get('MAIL-00001');
  expect(ticket?.status).toBe('in-progress');
  expect(ticket?.events.at(-1)).toMatchObject({ kind: 'user-reply', author: 'user', text: 'yes, on my iPhone too since Monday', status: 'in-progress' });

  // Answered: the next message is the bot's again (a new problem flow), not another note.
  const next = await say('My email bounced with 554 Reject by behaviour spam');
  expect(next).toContain('anti-spam');
  expect(tickets.get('MAIL-00001')?.events.filter((e) => e.author === 'user')).toHaveLength(1);
});

test('a short answer that names nothing ("yes") and one about the same problem are taken as the answer', async () => {
  const { base, tickets } = await start();
  const say = user(base, 'u-ans-2', 'conv-ans-2');
  await say('it keeps saying too many password errors');
  await say('talk to a person');
  const ticketId = tickets.list({}).at(0)?.id as string;
  expect(tickets.get(ticketId)?.problem).toBe('password-locked');

  await postmaster(base, ticketId, { status: 'waiting-for-user', reply: 'Did you close Outlook on every device?' });
  expect(await say('yes')).toBe(added(ticketId));

  await postmaster(base, ticketId, { status: 'waiting-for-user', reply: 'And does the browser say the same?' });
  expect(await say('it still says too many password errors')).toBe(added(ticketId));
  expect(tickets.get(ticketId)?.events.filter((e) => e.kind === 'user-reply').map((e) => e.text)).toEqual(['yes', 'it still says too many password errors']);
});

test('a clearly new problem is troubleshot instead, and the wait is over; "add to my ticket" still reaches the ticket', async () => {
  const { base, tickets } = await start();
  const say = user(base, 'u-ans-3', 'conv-ans-3');
  await say('talk to a person');
  await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Which device?' });

  const newProblem = await say('My email bounced with 554 Reject by behaviour spam');
  expect(newProblem).toContain('anti-spam');
  expect(newProblem).not.toContain(added('MAIL-00001'));
  // The user moved on: "no" now answers the bot's open question, not the postmaster.
  const flow = await say('No, normal business mail');
  expect(flow).toContain('reason and the suggested solution');
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.author === 'user')).toBe(false);
  expect(tickets.get('MAIL-00001')?.status).toBe('waiting-for-user');

  expect(await say('add to my ticket: my laptop')).toBe(m().ticketNoteAdded.replace('{ticketId}', 'MAIL-00001'));
  expect(tickets.get('MAIL-00001')?.status).toBe('in-progress');
});

test('a command does what it always does and ends the wait; a follow-up does not end it', async () => {
  const { base, tickets } = await start();
  const say = user(base, 'u-ans-4', 'conv-ans-4');
  await say('talk to a person');
  await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Which device?' });

  expect(await say('my tickets')).toContain('MAIL-00001'); // a follow-up: answered, still waiting
  expect(tickets.get('MAIL-00001')?.status).toBe('waiting-for-user');
  expect(await say('start over')).toContain(m().restart);
  const after = await say('my iPhone');
  expect(after).not.toContain(added('MAIL-00001'));
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.author === 'user')).toBe(false);

  // A new question from the postmaster opens a new wait.
  await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Which iPhone model?' });
  expect(await say('an iPhone 12')).toBe(added('MAIL-00001'));
});

test('only when the postmaster waits for the user, only in that conversation and only for its user', async () => {
  const { base, tickets } = await start();
  const say = user(base, 'u-ans-5', 'conv-ans-5');
  await say('talk to a person');

  // A reply without waiting-for-user: the hint says how to answer, nothing is captured.
  const told = await postmaster(base, 'MAIL-00001', { status: 'in-progress', reply: 'Looking into it.' });
  expect(told.shown).toContain(m().postmasterReplyHint);
  expect(await say('thanks')).not.toContain(added('MAIL-00001'));

  await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Which device?' });
  // The same user in another conversation, and another user: not the answer.
  expect(await user(base, 'u-ans-5', 'conv-ans-5b')('my laptop')).not.toContain('MAIL-00001');
  expect(await user(base, 'someone-else', 'conv-ans-5')('my laptop')).not.toContain('MAIL-00001');
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.author === 'user')).toBe(false);
  expect(await say('my laptop')).toBe(added('MAIL-00001'));
});

test('a reply that never reached the user (a conversation without an address) waits for nothing', async () => {
  const { base, tickets } = await start();
  const post = async (text: string) => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text, from: { id: 'u-ans-6' }, recipient: { id: 'bot' }, conversation: { id: 'conv-ans-6' }, channelId: 'test', serviceUrl: 'http://127.0.0.1/', deliveryMode: 'expectReplies' }),
    });
    return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map((a) => a.text ?? '').join('\n');
  };
  expect(await post('talk to a person')).toContain('MAIL-00001');
  expect(await postmaster(base, 'MAIL-00001', { status: 'waiting-for-user', reply: 'Which device?' })).toMatchObject({ replyDelivered: null });
  expect(await post('my laptop')).not.toContain(added('MAIL-00001'));
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.author === 'user')).toBe(false);
});
