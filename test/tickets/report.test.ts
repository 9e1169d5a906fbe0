/**
 * The helpdesk numbers: counted from what the real bot records each turn, and printed by `npm run report`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ActivityTypes } from 'botbuilder';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { TicketService, TicketStore, TICKETS_FILE } from '../../src/tickets';
import { formatStats, helpdeskStats } from '../../src/tickets/metrics';
import { BotHarness } from '../support/bot-harness';

const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

async function converse(tickets: TicketService, conversationId: string, lines: string[], logUserText = true): Promise<void> {
  const bot = new BotHarness({ engine: core.engine, messages: core.catalog.messages, tickets, conversationId, logUserText });
  for (const text of lines) await bot.send({ type: ActivityTypes.Message, text });
  expect(bot.turnErrors).toEqual([]);
}

test('flows started, resolved, escalated, abandoned, not understood — per problem and per day', async () => {
  const tickets = new TicketService(new TicketStore(':memory:'));
  try {
    await converse(tickets, 'c1', ['talk to a person']);
    await converse(tickets, 'c2', ['I get error 554 when sending', 'start over']);
    await converse(tickets, 'c3', ['I get error 554 when sending', 'qwxz blorp fnord']);
    await converse(tickets, 'c4', ['I get error 554 when sending', 'zzkq vvbnm'], false);
    const stats = helpdeskStats(tickets.store, new Date(Date.now() - 60_000), new Date(Date.now() + 60_000));
    expect(stats.conversations).toBe(4);
    expect(stats.escalated).toBe(1);
    expect(stats.abandoned).toBe(1);
    expect(stats.flowsStarted).toBeGreaterThanOrEqual(1);
    expect(stats.perProblem.find((p) => p.problem === 'send-spam-rejected')).toMatchObject({ started: 3, abandoned: 1 });
    expect(stats.unrecognized).toBe(2);
    expect(stats.unrecognizedMessages.map((u) => u.text)).toContain('qwxz blorp fnord');
    expect(stats.unrecognizedMessages.map((u) => u.text)).not.toContain('zzkq vvbnm'); // LOG_USER_TEXT=false keeps only a length
    expect(stats.perDay).toHaveLength(1);
    expect(stats.ticketsByStatus).toEqual({ open: 1 });
    const table = formatStats(stats);
    expect(table).toContain('escalated            1');
    expect(table).toContain('send-spam-rejected');
  } finally {
    await tickets.close();
  }
});

test('npm run report prints the same numbers from DATA_DIR/tickets.sqlite', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-report-'));
  try {
    const store = new TicketStore(path.join(dataDir, TICKETS_FILE));
    store.addConversationEvents([
      { type: 'started', problem: 'password-locked', channelId: 'test', conversationId: 'a' },
      { type: 'resolved', problem: 'password-locked', channelId: 'test', conversationId: 'a' },
      { type: 'escalated', problem: 'account-frozen', channelId: 'test', conversationId: 'b' },
    ]);
    store.addRatings([
      { problem: 'password-locked', rating: 5, channelId: 'test', conversationId: 'a' },
      { problem: 'password-locked', rating: 2, channelId: 'test', conversationId: 'c' },
    ]);
    store.close();
    const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    const json = await run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--json', '--days', '2'], { cwd: ROOT, env });
    expect(JSON.parse(json.stdout)).toMatchObject({ conversations: 2, flowsStarted: 1, resolved: 1, escalated: 1, ratings: { count: 2, average: 3.5 } });
    const text = await run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts'], { cwd: ROOT, env });
    expect(text.stdout).toContain('resolved by the bot  1 (100 %)');
    expect(text.stdout).toContain('average rating       3.5 (2 ratings)');
    await expect(run(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--days', 'x'], { cwd: ROOT, env })).rejects.toMatchObject({ code: 2 });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
