/**
 * The bot layer alone, over a scripted engine: what reaches the engine, what the user sees, when the
 * escalation sink runs, and how state is stored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActionTypes, ActivityTypes, MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import { ENGINE_STATE_PROPERTY } from '../../src/bot/helpdesk-bot';
import type { Messages } from '../../src/dialogs/messages';
import { SqliteStorage } from '../../src/storage';
import { BotHarness, lastButtons, loadRealMessages, RecordingSink, recordingLogger, texts, type LogLine } from '../support/bot-harness';
import { FAKE_PROBLEM, FakeEngine } from '../support/fake-engine';

const realMessages = loadRealMessages();
const messages: Messages = realMessages;

function harness(options: { storage?: Storage; sink?: RecordingSink; logLines?: LogLine[]; logUserText?: boolean; msgs?: Messages } = {}) {
  const engine = new FakeEngine(options.msgs ?? messages);
  const sink = options.sink ?? new RecordingSink();
  const h = new BotHarness({
    engine,
    messages: options.msgs ?? messages,
    storage: options.storage,
    sink,
    logger: options.logLines ? recordingLogger(options.logLines) : undefined,
    logUserText: options.logUserText,
  });
  return { h, engine, sink };
}

describe('welcome', () => {
  test('a user joining gets the welcome with its buttons', async () => {
    const { h, engine } = harness();
    const replies = await h.join();
    expect(engine.inputs).toEqual([{ kind: 'welcome' }]);
    expect(texts(replies)).toEqual([messages.welcome]);
    expect(lastButtons(replies)).toEqual(messages.welcomeOptions);
  });

  test('only the bot joining (the Emulator starting) says nothing; a Teams install is different (teams.test.ts)', async () => {
    const { h, engine } = harness();
    const bot = h.adapter.conversation.bot;
    const replies = await h.send({ type: ActivityTypes.ConversationUpdate, membersAdded: bot ? [bot] : [] });
    expect(replies).toEqual([]);
    expect(engine.inputs).toEqual([]);
  });

  test('several people added at once get one welcome', async () => {
    const { h } = harness();
    const replies = await h.send({
      type: ActivityTypes.ConversationUpdate,
      membersAdded: [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }],
    });
    expect(texts(replies)).toEqual([messages.welcome]);
  });
});

describe('what reaches the engine', () => {
  test('text is trimmed', async () => {
    const { h, engine } = harness();
    await h.send('   my mail bounces  \n');
    expect(engine.inputs).toEqual([{ kind: 'text', text: 'my mail bounces' }]);
  });

  test('an @mention of the bot is stripped before recognition', async () => {
    const { h, engine } = harness();
    const bot = h.adapter.conversation.bot ?? { id: 'bot', name: 'Bot' };
    await h.send({
      text: '<at>Helpdesk</at> Outlook keeps asking for my password',
      entities: [{ type: 'mention', mentioned: bot, text: '<at>Helpdesk</at>' }],
    });
    expect(engine.inputs).toEqual([{ kind: 'text', text: 'Outlook keeps asking for my password' }]);
  });

  test('a mention in the middle, and twice, is removed without gluing words', async () => {
    const { h, engine } = harness();
    const bot = h.adapter.conversation.bot ?? { id: 'bot', name: 'Bot' };
    await h.send({
      text: 'hi <at>Helpdesk</at> my mail <at>Helpdesk</at> bounces',
      entities: [{ type: 'mention', mentioned: bot, text: '<at>Helpdesk</at>' }],
    });
    expect(engine.inputs).toEqual([{ kind: 'text', text: 'hi my mail bounces' }]);
  });

  test('mentions of other people stay; malformed mention entities are ignored', async () => {
    const { h, engine } = harness();
    await h.send({
      text: '<at>Li Wei</at> cannot log in',
      entities: [
        { type: 'mention', mentioned: { id: 'someone-else', name: 'Li Wei' }, text: '<at>Li Wei</at>' },
        { type: 'mention' },
        { type: 'mention', mentioned: h.adapter.conversation.bot },
      ],
    });
    expect(engine.inputs).toEqual([{ kind: 'text', text: '<at>Li Wei</at> cannot log in' }]);
  });

  test('control characters and other binary junk are dropped', async () => {
    const { h, engine } = harness();
    await h.send('pass\u0000word\u0007 locked\uFFFD\uD800');
    expect(engine.inputs).toEqual([{ kind: 'text', text: 'password locked' }]);
  });
});

describe('messages without readable text get a clear answer', () => {
  test('an empty message', async () => {
    const { h, engine } = harness();
    for (const text of ['', '   \n\t ']) {
      const replies = await h.send(text);
      expect(texts(replies)).toEqual([messages.emptyMessage]);
    }
    expect(engine.inputs.every((i) => i.kind === 'text' && i.text === '')).toBe(true);
  });

  test('a message with no text property at all', async () => {
    const { h } = harness();
    const replies = await h.send({ type: ActivityTypes.Message });
    expect(texts(replies)).toEqual([messages.emptyMessage]);
  });

  test('attachments only: told that only text is read', async () => {
    const { h } = harness();
    const replies = await h.send({
      attachments: [{ contentType: 'image/png', contentUrl: 'https://example.invalid/screenshot.png', name: 'screenshot.png' }],
    });
    expect(texts(replies)).toEqual([messages.notText]);
  });

  test('attachments only in the middle of a flow: told so, and the question comes back with its buttons', async () => {
    const { h } = harness();
    await h.send('my password is locked');
    const replies = await h.send({ attachments: [{ contentType: 'image/png', contentUrl: 'x' }] });
    expect(texts(replies)[0]).toBe(messages.notText);
    expect(texts(replies).join('\n')).not.toContain(messages.emptyMessage);
    expect(lastButtons(replies)).toEqual(['Yes', 'No']);
  });

  test('binary junk only', async () => {
    const { h } = harness();
    const junk = String.fromCharCode(...Array.from({ length: 200 }, (_, i) => i % 32)) + '\uFFFD\uFFFD\uDC00';
    const replies = await h.send(junk);
    expect(texts(replies)).toEqual([messages.emptyMessage]);
  });

  test('a 50 KB message is handed over whole (the engine cuts it) and answered', async () => {
    const { h, engine } = harness();
    const long = 'my mail bounces with 554 '.repeat(2100);
    expect(long.length).toBeGreaterThan(50_000);
    const replies = await h.send(long);
    expect(replies.length).toBeGreaterThan(0);
    const input = engine.inputs[0];
    expect(input?.kind === 'text' && input.text).toBe(long.trim());
  });
});

describe('rendering', () => {
  test('text, then numbered steps, then the console path; buttons are imBack with the label as value', async () => {
    const { h } = harness();
    const [reply] = await h.send('hello');
    expect(reply?.text).toBe('node-1 read: hello\n\n1. First\n2. Second\n\nConsole → Users');
    expect(reply?.textFormat).toBe('markdown');
    expect(reply?.suggestedActions?.actions).toEqual([
      { type: ActionTypes.ImBack, title: 'Yes', value: 'Yes' },
      { type: ActionTypes.ImBack, title: 'No', value: 'No' },
    ]);
  });
});

describe('escalation', () => {
  test('the sink gets the record and the requester; the ticket line follows the escalation reply', async () => {
    const sink = new RecordingSink();
    const { h } = harness({ sink });
    await h.send('my password is locked');
    let sentBeforeSink: number | null = null;
    sink.onEscalate = () => {
      sentBeforeSink = h.adapter.activeQueue.length;
    };
    const replies = await h.send('escalate');
    expect(sentBeforeSink).toBe(0);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]?.record.problem).toBe(FAKE_PROBLEM);
    expect(sink.calls[0]?.requester).toEqual({
      channelId: 'test',
      userId: h.adapter.conversation.user?.id,
      userName: h.adapter.conversation.user?.name,
      conversationId: h.adapter.conversation.conversation.id,
    });
    expect(texts(replies)).toEqual([
      messages.escalated.replace('{title}', 'Fake problem'),
      'Your ticket number is TEST-1.',
      messages.flowEnded,
    ]);
    // The flow's closing buttons stay on the last message.
    expect(lastButtons(replies)).toEqual(['One', 'Two']);
  });

  test('a failing sink is logged, the user is told, and the conversation goes on', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('ticket service down');
    const logLines: LogLine[] = [];
    const { h } = harness({ sink, logLines });
    const replies = await h.send('escalate');
    expect(h.turnErrors).toEqual([]);
    expect(texts(replies)).toContain(messages['ticketFailed']);
    expect(texts(replies).join('\n')).not.toMatch(/TEST-|ticket number/);
    expect(logLines.some((l) => l.level === 'error' && /sink failed/.test(l.msg ?? ''))).toBe(true);
    sink.failWith = null;
    expect(texts(await h.send('hello'))[0]).toContain('node-1');
  });

  test('a sink that makes no ticket adds no ticket line', async () => {
    const { h } = harness({
      sink: Object.assign(new RecordingSink(), {
        escalate: async () => ({ ticketId: null }),
      }),
    });
    const replies = await h.send('escalate');
    expect(texts(replies)).toEqual([messages.escalated.replace('{title}', 'Fake problem'), messages.flowEnded]);
  });
});

describe('state', () => {
  class CountingStorage extends MemoryStorage {
    writes = 0;
    override write(changes: StoreItems): Promise<void> {
      this.writes++;
      return super.write(changes);
    }
  }

  test('state is written once per turn', async () => {
    const storage = new CountingStorage();
    const { h } = harness({ storage });
    await h.join();
    expect(storage.writes).toBe(1);
    await h.send('one');
    await h.send('escalate');
    expect(storage.writes).toBe(3);
  });

  test('each conversation has its own state', async () => {
    const storage = new MemoryStorage();
    const a = harness({ storage }).h;
    const b = new BotHarness({ engine: new FakeEngine(messages), messages, storage, conversationId: 'conversation-2' });
    await a.send('one');
    await a.send('two');
    expect(texts(await b.send('first'))[0]).toContain('node-1');
    expect(texts(await a.send('three'))[0]).toContain('node-3');
  });

  test('a restart (new storage, adapter and bot over the same SQLite file) continues at the same step', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bot-'));
    const file = path.join(dir, 'state.sqlite');
    try {
      const before = new SqliteStorage(file);
      const first = harness({ storage: before }).h;
      await first.send('my password is locked');
      expect(texts(await first.send('Yes'))[0]).toContain('node-2');
      before.close();

      const after = new SqliteStorage(file);
      try {
        const second = harness({ storage: after }).h;
        expect(texts(await second.send('No'))[0]).toContain('node-3');
        const stored = await after.read([`test/conversations/conversation-1/`]);
        const state = Object.values(stored)[0] as Record<string, { flow: { nodeId: string } }> | undefined;
        expect(state?.[ENGINE_STATE_PROPERTY]?.flow.nodeId).toBe('node-3');
      } finally {
        after.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logging', () => {
  test('turns are logged with the user text by default', async () => {
    const logLines: LogLine[] = [];
    const { h } = harness({ logLines });
    await h.send('my secret mailbox name');
    expect(JSON.stringify(logLines)).toContain('my secret mailbox name');
  });

  test('with LOG_USER_TEXT=false no user text reaches the logs', async () => {
    const logLines: LogLine[] = [];
    const { h } = harness({ logLines, logUserText: false });
    await h.send('my secret mailbox name');
    await h.send('escalate');
    const logged = JSON.stringify(logLines);
    expect(logged).not.toContain('secret');
    expect(logged).toContain('[22 chars]');
  });
});
