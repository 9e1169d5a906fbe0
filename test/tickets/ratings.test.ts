/**
 * Ratings after a resolved flow, end to end below HTTP: the real bot (TestAdapter, real core) stores the
 * user's rating in tickets.sqlite with its problem, channel and conversation; the numbers, the dashboard
 * tile and the report show the average and the count; a database of the previous schema is migrated.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityTypes } from 'botbuilder';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { dashboardHtml } from '../../src/server/admin-routes';
import { openDatabase } from '../../src/storage/sqlite-database';
import { TicketService, TicketStore, TICKETS_SCHEMA_VERSION } from '../../src/tickets';
import { TICKETS_MIGRATIONS } from '../../src/tickets/ticket-store';
import { ticketRecord } from '../support/tickets';
import { formatStats, helpdeskStats } from '../../src/tickets/metrics';
import { BotHarness, lastButtons, texts } from '../support/bot-harness';

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

const window = () => [new Date(Date.now() - 60_000), new Date(Date.now() + 60_000)] as const;

async function resolveAndAnswer(tickets: TicketService, conversationId: string, answer: string): Promise<string[]> {
  const bot = new BotHarness({ engine: core.engine, messages: core.catalog.messages, tickets, conversationId });
  await bot.send({ type: ActivityTypes.Message, text: 'my phone keeps locking my account, it says too many password errors' });
  const resolved = await bot.send({ type: ActivityTypes.Message, text: 'Yes, it worked' });
  expect(texts(resolved).join('\n')).toContain(core.catalog.messages.ratingOffer);
  expect(lastButtons(resolved)).toEqual(['1', '2', '3', '4', '5']);
  const replies = texts(await bot.send({ type: ActivityTypes.Message, text: answer }));
  expect(bot.turnErrors).toEqual([]);
  return replies;
}

test('a rating by button or in words is stored with problem, channel, conversation and time; anything else stores nothing', async () => {
  const tickets = new TicketService(new TicketStore(':memory:'));
  try {
    expect(await resolveAndAnswer(tickets, 'r1', '5')).toEqual([core.catalog.messages.ratingThanks.replace('{rating}', '5')]);
    await resolveAndAnswer(tickets, 'r2', '4 stars');
    const ignored = await resolveAndAnswer(tickets, 'r3', 'My email bounced with 554 Reject by behaviour spam');
    expect(ignored.join('\n')).toContain('anti-spam');

    const ratings = tickets.store.ratings(...window());
    expect(ratings).toEqual([
      { at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), problem: 'password-locked', rating: 5, channelId: 'test', conversationId: 'r1' },
      { at: expect.any(String), problem: 'password-locked', rating: 4, channelId: 'test', conversationId: 'r2' },
    ]);

    const stats = helpdeskStats(tickets.store, ...window());
    expect(stats.ratings).toEqual({ count: 2, average: 4.5, perScore: [0, 0, 0, 1, 1] });
    expect(stats.resolved).toBe(3);
    expect(formatStats(stats)).toContain('average rating       4.5 (2 ratings)  (1: 0, 2: 0, 3: 0, 4: 1, 5: 1)');
    const html = dashboardHtml('Helpdesk', 30, stats, []);
    expect(html).toMatch(/<div class="v">4\.5 \(2 ratings\)<\/div><div class="l">average rating<\/div>/);
  } finally {
    await tickets.close();
  }
});

test('no ratings yet: the dashboard and the report say so with a dash', () => {
  const store = new TicketStore(':memory:');
  try {
    const stats = helpdeskStats(store, ...window());
    expect(stats.ratings).toEqual({ count: 0, average: null, perScore: [0, 0, 0, 0, 0] });
    expect(formatStats(stats)).toMatch(/average rating {7}–\n/);
    expect(dashboardHtml('Helpdesk', 30, stats, [])).toContain('<div class="v">–</div><div class="l">average rating</div>');
  } finally {
    store.close();
  }
});

test('a tickets.sqlite of schema version 2 (before ratings) is migrated and keeps its tickets', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-ratings-'));
  const file = path.join(dir, 'tickets.sqlite');
  try {
    // What a release before ratings left behind: the first two migrations, and a ticket in it.
    const old = openDatabase(file, TICKETS_MIGRATIONS.slice(0, 2));
    old.exec(`UPDATE ticket_counter SET last = 1;
      INSERT INTO tickets (id, seq, status, problem, category, severity, title, channel_id, user_id, user_name, requester, record, created_at, updated_at)
      VALUES ('MAIL-00001', 1, 'open', 'password-locked', 'login', 'high', 'Account locked', 'msteams', 'u1', 'Li Wei',
              '{"channelId":"msteams","userId":"u1","userName":"Li Wei","conversationId":"c1"}', '${JSON.stringify(ticketRecord()).replace(/'/g, "''")}',
              '2024-05-01T10:00:00.000Z', '2024-05-01T10:00:00.000Z')`);
    expect(old.pragma('user_version', { simple: true })).toBe(2);
    old.close();
    const reopened = new TicketStore(file);
    try {
      expect(reopened.schemaVersion).toBe(TICKETS_SCHEMA_VERSION);
      expect(reopened.get('MAIL-00001')?.requester.userName).toBe('Li Wei');
      expect(reopened.create({ record: ticketRecord(), requester: { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1' }, channels: [] })).toBe('MAIL-00002');
      reopened.addRatings([{ problem: null, rating: 3, channelId: 'msteams', conversationId: 'c' }]);
      expect(reopened.ratings(...window()).map((r) => r.rating)).toEqual([3]);
      expect(() => reopened.addRatings([{ problem: null, rating: 6, channelId: 'msteams', conversationId: 'c' }])).toThrow();
    } finally {
      reopened.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
