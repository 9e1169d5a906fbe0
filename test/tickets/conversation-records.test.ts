/**
 * Conversation events and ratings of the turns that finish together are committed together (one
 * transaction just after the event-loop turn), each turn's all or nothing, and nothing waits unseen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TicketStore } from '../../src/tickets';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-records-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const window = () => [new Date(Date.now() - 60_000), new Date(Date.now() + 60_000)] as const;
const where = (conversationId: string) => ({ channelId: 'msteams', conversationId });

test("the records of one event-loop turn are one transaction; a refused turn's rows are left out, the rest written", async () => {
  const file = path.join(dir, 'tickets.sqlite');
  const store = new TicketStore(file);
  const other = new Database(file, { readonly: true });
  try {
    const before = other.pragma('data_version', { simple: true }) as number;
    const results = await Promise.allSettled([
      store.recordConversation([{ type: 'started', problem: 'password-locked', ...where('a') }], []),
      store.recordConversation([{ type: 'resolved', problem: 'password-locked', ...where('b') }], [{ problem: 'password-locked', rating: 6, ...where('b') }]),
      store.recordConversation([], [{ problem: null, rating: 4, ...where('c') }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // data_version moves once for each transaction another connection commits.
    expect(other.pragma('data_version', { simple: true })).toBe(before + 1);
    expect(store.conversationEvents(...window()).map((e) => e.conversationId)).toEqual(['a']);
    expect(store.ratings(...window()).map((r) => [r.conversationId, r.rating])).toEqual([['c', 4]]);
  } finally {
    other.close();
    store.close();
  }
});

test('reads see records still waiting for their commit, and close commits them', async () => {
  const file = path.join(dir, 'tickets.sqlite');
  const store = new TicketStore(file);
  const first = store.recordConversation([{ type: 'started', problem: 'x', ...where('a') }], []);
  expect(store.conversationEvents(...window())).toHaveLength(1);
  await first;
  const second = store.recordConversation([{ type: 'unrecognized', text: 'blorp', ...where('b') }], [{ problem: 'x', rating: 5, ...where('a') }]);
  store.close();
  await expect(second).resolves.toBeUndefined();
  await expect(store.recordConversation([{ type: 'started', problem: 'x', ...where('c') }], [])).rejects.toThrow(/not open/);
  const reopened = new TicketStore(file);
  try {
    expect(reopened.conversationEvents(...window()).map((e) => e.conversationId)).toEqual(['a', 'b']);
    expect(reopened.ratings(...window())).toHaveLength(1);
  } finally {
    reopened.close();
  }
});
