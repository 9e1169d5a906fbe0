/**
 * Following up on tickets in chat, through the real HelpdeskBot on botbuilder's TestAdapter with the real
 * core and a real (in-memory SQLite) ticket desk: the id is told once stored, "my tickets", the status by
 * id, "add to my ticket: …", and a user never sees another user's ticket.
 */
import { ActivityTypes, MemoryStorage } from 'botbuilder';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { matchFollowUp } from '../../src/tickets/follow-up';
import { TicketService, TicketStore } from '../../src/tickets';
import { BotHarness, texts } from '../support/bot-harness';

let core: HelpdeskCore;
let tickets: TicketService;
beforeAll(() => {
  core = loadHelpdeskCore();
});
beforeEach(() => {
  tickets = new TicketService(new TicketStore(':memory:'));
});
afterEach(async () => {
  await tickets.close();
});

function userBot(userId: string, storage = new MemoryStorage()): { bot: BotHarness; say: (text: string) => Promise<string> } {
  const bot = new BotHarness({ engine: core.engine, messages: core.catalog.messages, tickets, storage, conversationId: `conv-${userId}` });
  const say = async (text: string) => {
    const replies = await bot.send({ type: ActivityTypes.Message, text, from: { id: userId, name: `User ${userId}` } });
    expect(bot.turnErrors).toEqual([]);
    return texts(replies).join('\n');
  };
  return { bot, say };
}

test('ticket lifecycle in chat: escalate → id told after commit → status → note → other users see nothing', async () => {
  const m = core.catalog.messages;
  const alice = userBot('alice');
  await alice.say('my account is frozen');
  const escalation = await alice.say('talk to a person');
  expect(escalation).toContain('Your ticket number is MAIL-00001.');
  expect(tickets.get('MAIL-00001')?.requester).toMatchObject({ userId: 'alice', userName: 'User alice' });

  expect(await alice.say('my tickets')).toContain('MAIL-00001');
  const status = await alice.say("what's the status of MAIL-00001?");
  expect(status).toContain('MAIL-00001');
  expect(status).toContain(m.ticketStatuses.open);
  expect(await alice.say('status of mail-00001')).toContain(m.ticketStatuses.open);

  expect(await alice.say('add to my ticket: it happens on my phone too')).toBe(m.ticketNoteAdded.replace('{ticketId}', 'MAIL-00001'));
  expect(tickets.get('MAIL-00001')?.events.at(-1)).toMatchObject({ kind: 'user-note', text: 'it happens on my phone too' });
  expect(await alice.say('add to my ticket')).toBe(m.ticketNoteEmpty);

  const bob = userBot('bob');
  expect(await bob.say('what is the status of MAIL-00001')).toBe(m.ticketNotFound.replace('{ticketId}', 'MAIL-00001'));
  expect(await bob.say('my tickets')).toBe(m.myTicketsNone);
  expect(await bob.say('add to ticket MAIL-00001: hijack')).toBe(m.ticketNotFound.replace('{ticketId}', 'MAIL-00001'));
  expect(await bob.say('add to my ticket: anything')).toBe(m.ticketNoteNoTicket);
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.text === 'hijack' || e.text === 'anything')).toBe(false);
});

test('a follow-up leaves the troubleshooting flow where it was', async () => {
  const alice = userBot('alice');
  const first = await alice.say('I get error 554 when sending');
  const during = await alice.say('my tickets');
  expect(during).toBe(core.catalog.messages.myTicketsNone);
  // The flow still waits for its answer: "help" shows where we were.
  expect(await alice.say('help')).toContain(core.catalog.messages.helpInFlow);
  expect(first).not.toBe('');
});

test('the escalation stores the conversation reference for a later reply', async () => {
  const alice = userBot('alice');
  await alice.say('talk to a person');
  const ref = tickets.store.conversationRef('MAIL-00001');
  expect(ref).toMatchObject({ conversation: { id: 'conv-alice' }, user: { id: 'alice' }, channelId: 'test' });
});

describe('the follow-up matcher', () => {
  const words = { myTickets: ['my tickets', 'my ticket', '我的工单'], addToTicket: ['add to my ticket', 'add to ticket'] };
  test.each([
    ['MAIL-00042', { kind: 'status', ticketId: 'MAIL-00042' }],
    ["what's the status of MAIL-42?", { kind: 'status', ticketId: 'MAIL-00042' }],
    ['any news on mail-00042', { kind: 'status', ticketId: 'MAIL-00042' }],
    ['my tickets', { kind: 'list' }],
    ['show me my tickets please', { kind: 'list' }],
    ['我的工单', { kind: 'list' }],
    ['add to my ticket: it happens on my phone too', { kind: 'note', ticketId: null, text: 'it happens on my phone too' }],
    ['Add to ticket MAIL-00007 - new error 526', { kind: 'note', ticketId: 'MAIL-00007', text: 'new error 526' }],
    ['please add to my ticket that Outlook fails too', { kind: 'note', ticketId: null, text: 'that Outlook fails too' }],
  ])('%s', (text, expected) => {
    expect(matchFollowUp(text, words)).toEqual(expected);
  });
  test.each([
    'my mail bounces with mail-554',
    'I cannot send mail',
    'I opened my tickets page in the portal yesterday but now Outlook keeps asking for the password again',
    '',
  ])('not a follow-up: %s', (text) => {
    expect(matchFollowUp(text, words)).toBeNull();
  });
});
