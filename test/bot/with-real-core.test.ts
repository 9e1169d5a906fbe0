/**
 * The bot over the real core (dialogs, recognizer, engine): the answers a user reads come from
 * dialogs/_messages.yaml, and a restart over the SQLite file changes nothing in a conversation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { SqliteStorage } from '../../src/storage';
import { BotHarness, lastButtons, texts } from '../support/bot-harness';

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

function harness(storage?: SqliteStorage, conversationId = 'real-core'): BotHarness {
  return new BotHarness({ engine: core.engine, messages: core.catalog.messages, storage, conversationId });
}

test('welcome on joining', async () => {
  const replies = await harness().join();
  expect(texts(replies).join('\n')).toContain(core.catalog.messages.welcome);
  expect(lastButtons(replies)).toEqual(core.catalog.messages.welcomeOptions);
});

test('an empty message, attachments only, and binary junk each get a clear answer', async () => {
  const bot = harness();
  expect(texts(await bot.send('   '))).toContain(core.catalog.messages.emptyMessage);
  expect(texts(await bot.send({ attachments: [{ contentType: 'image/png', contentUrl: 'x' }] }))).toContain(core.catalog.messages.notText);
  expect(texts(await bot.send('\u0000\u0001\u0002\uFFFD'))).toContain(core.catalog.messages.emptyMessage);
  expect(bot.turnErrors).toEqual([]);
});

test('a 50 KB message is answered, with the "too long" note', async () => {
  const bot = harness();
  const replies = await bot.send('Outlook keeps asking for my password. '.repeat(1400));
  expect(texts(replies)).toContain(core.catalog.messages.tooLong);
  expect(replies.length).toBeGreaterThan(1);
  expect(bot.turnErrors).toEqual([]);
});

test('a restart between turns (same SQLite file) gives the same conversation as no restart', async () => {
  // A problem tree's own first trigger starts its flow; then the first button of each reply.
  const tree = [...core.catalog.trees.values()].find((t) => t.kind === 'problem' && t.triggers.length > 0);
  expect(tree).toBeDefined();
  const opening = tree?.triggers[0] ?? '';

  const play = async (restart: boolean): Promise<string[][]> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-restart-'));
    const file = path.join(dir, 'state.sqlite');
    let storage = new SqliteStorage(file);
    let bot = harness(storage);
    const said: string[][] = [];
    try {
      let replies = await bot.send(opening);
      said.push(texts(replies));
      for (let turn = 0; turn < 2; turn++) {
        const button = lastButtons(replies)[0];
        if (!button) break;
        if (restart) {
          storage.close();
          storage = new SqliteStorage(file);
          bot = harness(storage);
        }
        replies = await bot.send(button);
        said.push(texts(replies));
      }
      return said;
    } finally {
      storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  const straight = await play(false);
  const restarted = await play(true);
  expect(straight.length).toBeGreaterThan(1);
  expect(restarted).toEqual(straight);
});
