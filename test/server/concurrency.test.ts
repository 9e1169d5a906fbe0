/**
 * Many conversations at once through POST /api/messages (deliveryMode expectReplies), with SQLite state:
 * no errors, no cross-talk, and no lost update when two messages of one conversation arrive together.
 * The scripted engine moves one node per message and echoes what it read, so each conversation's final
 * state says how many of its own turns were applied.
 */
import { ENGINE_STATE_PROPERTY } from '../../src/bot/helpdesk-bot';
import type { ConversationState } from '../../src/engine/types';
import { TurnQueue } from '../../src/server/turn-queue';
import { startApp, tempDataDir, type RunningApp } from '../support/directline';
import fs from 'node:fs';
import type { Storage } from 'botbuilder';
import type { HelpdeskStorage } from '../../src/storage';
import { postMessage } from '../support/http';

const CONVERSATIONS = 200;
const TURNS = 20;

function slowStorage(inner: HelpdeskStorage): HelpdeskStorage {
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1));
  const storage: Storage = {
    read: async (keys) => {
      await pause();
      return inner.storage.read(keys);
    },
    write: async (changes) => {
      await pause();
      return inner.storage.write(changes);
    },
    delete: (keys) => inner.storage.delete(keys),
  };
  return { ...inner, storage };
}

let app: RunningApp;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir();
  // Reads and writes that take a moment, as a networked store's would: without the per-conversation queue,
  // two turns of one conversation then overlap and the second one's write fails on the eTag.
  app = await startApp({ dataDir, env: { RATE_LIMIT_PER_MINUTE: '0' }, wrapStorage: slowStorage });
});

afterAll(async () => {
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function turn(conversationId: string, text: string): Promise<Response> {
  return postMessage(app.base, { conversationId, userId: `user-${conversationId}`, text });
}

/** Sends one message and checks that the reply echoes it (and so belongs to this conversation). */
async function say(conversationId: string, text: string, problems: string[]): Promise<void> {
  const res = await turn(conversationId, text);
  if (res.status !== 200) {
    problems.push(`${conversationId} "${text}": HTTP ${res.status} ${await res.text()}`);
    return;
  }
  const body = (await res.json()) as { activities?: Array<{ text?: string }> };
  const replies = (body.activities ?? []).map((a) => a.text ?? '');
  if (replies.length !== 1 || replies[0]?.split('\n')[0]?.endsWith(`read: ${text}`) !== true) problems.push(`${conversationId} "${text}": replies ${JSON.stringify(replies)}`);
}

async function stateOf(conversationId: string): Promise<ConversationState | undefined> {
  const key = `test/conversations/${conversationId}/`;
  const items = await app.storage.storage.read([key]);
  return (items[key] as Record<string, ConversationState> | undefined)?.[ENGINE_STATE_PROPERTY];
}

test(`${CONVERSATIONS} conversations × ${TURNS} turns at once: no errors, each ends where its own script does`, async () => {
  const problems: string[] = [];
  const script = async (c: number) => {
    const id = `load-${c}`;
    // Every fourth conversation sends its messages two at a time, as a double click or two quick messages would.
    const paired = c % 4 === 0;
    for (let t = 1; t <= TURNS; t += paired ? 2 : 1) {
      if (paired) await Promise.all([say(id, `c${c} t${t}`, problems), say(id, `c${c} t${t + 1}`, problems)]);
      else await say(id, `c${c} t${t}`, problems);
    }
  };
  await Promise.all(Array.from({ length: CONVERSATIONS }, (_, c) => script(c)));
  expect(problems.slice(0, 5)).toEqual([]);

  for (let c = 0; c < CONVERSATIONS; c++) {
    const state = await stateOf(`load-${c}`);
    // node-N: N turns were applied to this conversation's state, none lost, none of another conversation.
    expect({ c, node: state?.flow?.nodeId, first: state?.userWords }).toEqual({ c, node: `node-${TURNS}`, first: `c${c} t1` });
  }
}, 60_000);

test('ten messages of one conversation posted at once: all ten applied, answered in order of arrival', async () => {
  const id = 'burst';
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => turn(id, `burst ${i}`).then(async (r) => ({ status: r.status, body: (await r.json()) as { activities: Array<{ text: string }> } }))));
  expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
  const nodes = results.map((r) => Number(/^node-(\d+)/.exec(r.body.activities[0]?.text ?? '')?.[1]));
  expect([...nodes].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect((await stateOf(id))?.flow?.nodeId).toBe('node-10');
});

describe('TurnQueue', () => {
  test('one key runs in order, one at a time; other keys do not wait; a failure does not block the next', async () => {
    const queue = new TurnQueue();
    const log: string[] = [];
    let running = 0;
    const work = (name: string, ms: number, fail = false) => async () => {
      running++;
      expect(running).toBeLessThanOrEqual(2);
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    };
    const a1 = queue.run('a', work('a1', 30, true));
    const a2 = queue.run('a', work('a2', 5));
    const b1 = queue.run('b', work('b1', 5));
    await expect(a1).rejects.toThrow('a1');
    expect(await a2).toBe('a2');
    expect(await b1).toBe('b1');
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
    await new Promise((r) => setImmediate(r));
    expect(queue.size).toBe(0);
  });
});
