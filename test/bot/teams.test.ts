/**
 * Microsoft Teams through the real adapter: recorded-shape Teams activities (test/fixtures/teams) posted
 * to createApp's /api/messages, the replies caught where the Bot Connector would get them. Who the bot
 * answers in personal chats, channels and group chats; the welcome on install; cards and their buttons;
 * the requester on a ticket.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'restify';
import { cardButtonLabels, cardOf, type AdaptiveCard } from '../../src/bot/cards';
import { suggestedLabels } from '../../src/bot/render';
import { loadConfig } from '../../src/config';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import type { Messages } from '../../src/dialogs/messages';
import { createApp } from '../../src/server/app';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { loadRealMessages, RecordingSink } from '../support/bot-harness';
import { FakeEngine } from '../support/fake-engine';
import { CaptureChannel, closeServer, listen } from '../support/http';

const messages: Messages = loadRealMessages();
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'teams');

type Json = Record<string, unknown>;

/** A recorded Teams activity, sent to the local stand-in for the Bot Connector. */
function teams(name: string, overrides: Json = {}): Json {
  const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Json;
  return { ...recorded, serviceUrl: channel.url, ...overrides };
}

let channel: CaptureChannel;
beforeAll(async () => {
  channel = new CaptureChannel();
  await channel.start();
});
afterAll(() => channel.stop());

interface Running {
  base: string;
  server: Server;
  storage: HelpdeskStorage;
  sink: RecordingSink;
}
const running: Running[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    r.storage.close();
  }
  channel.requests.length = 0;
});

let realCore: HelpdeskCore | undefined;

/** The app as main.ts builds it (authentication off: replies go to the loopback channel). */
async function start(engine: 'fake' | 'real' = 'fake'): Promise<Running & { fake: FakeEngine }> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent' });
  const fake = new FakeEngine(messages);
  realCore ??= engine === 'real' ? loadHelpdeskCore() : undefined;
  const core =
    engine === 'real' && realCore
      ? { catalog: realCore.catalog, engine: realCore.engine }
      : { catalog: { trees: { size: 1 }, messages }, engine: fake };
  const storage = memoryStorage();
  const sink = new RecordingSink();
  const { server } = createApp(config, { core, storage, sink });
  const r = { base: await listen(server), server, storage, sink };
  running.push(r);
  return { ...r, fake };
}

/** Posts one activity; resolves to what the bot sent during that turn. */
async function post(app: Running, activity: Json): Promise<Json[]> {
  const before = channel.activities().length;
  const res = await fetch(`${app.base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  expect(res.status).toBe(200);
  return channel.activities().slice(before);
}

function cardIn(activity: Json | undefined): AdaptiveCard | undefined {
  const attachments = activity?.['attachments'] as Parameters<typeof cardOf>[0][] | undefined;
  return cardOf(attachments?.[0]);
}

/** Every TextBlock text of a card, in order (inside containers and columns too). */
function cardTexts(card: AdaptiveCard | undefined): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const element = node as Json;
    if (element['type'] === 'TextBlock' && typeof element['text'] === 'string') out.push(element['text']);
    for (const key of ['body', 'items', 'columns']) walk(element[key]);
  };
  walk(card);
  return out;
}

function buttons(activity: Json | undefined): string[] {
  return suggestedLabels(activity ?? {});
}

describe('who the bot answers', () => {
  test('a personal chat: every message, and the text/html copy Teams attaches is not taken for a file', async () => {
    const app = await start();
    const sent = await post(app, teams('personal-message'));
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: 'my mail bounces with 554' }]);
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent)).not.toContain(messages.notText);
  });

  test('a channel: an @mention is answered in its thread, with the mention stripped', async () => {
    const app = await start();
    const activity = teams('channel-mention');
    const sent = await post(app, activity);
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: 'Outlook keeps asking for my password' }]);
    expect(sent).toHaveLength(1);
    const conversationId = (activity['conversation'] as Json)['id'] as string;
    const reply = channel.requests.find((r) => r.method === 'POST' && r.path.includes('/activities'));
    expect(reply?.path).toBe(`/v3/conversations/${encodeURIComponent(conversationId)}/activities/${String(activity['id'])}`);
  });

  test('a channel: a message that does not mention the bot gets nothing, and the engine never sees it', async () => {
    const app = await start();
    expect(await post(app, teams('channel-no-mention'))).toEqual([]);
    expect(app.fake.inputs).toEqual([]);
  });

  test('a group chat: only the @mention is answered', async () => {
    const app = await start();
    expect(await post(app, teams('group-chat-no-mention'))).toEqual([]);
    expect(await post(app, teams('group-chat-mention'))).toHaveLength(1);
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: "I can't log in" }]);
  });

  test("a press of the bot's card button in a channel reaches the engine as the label, without a mention", async () => {
    const app = await start();
    await post(app, teams('channel-mention'));
    const sent = await post(app, teams('channel-card-press'));
    expect(app.fake.inputs[1]).toEqual({ kind: 'text', text: 'Yes' });
    expect(sent).toHaveLength(1);
  });

  test('the press arrives with its label only in the value (no text): still the label', async () => {
    const app = await start();
    await post(app, teams('channel-card-press', { text: undefined }));
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: 'Yes' }]);
  });

  test('&nbsp; after the mention (as Teams writes it) is a space', async () => {
    const app = await start();
    await post(app, teams('channel-mention', { text: '<at>Mail helpdesk</at>&nbsp;my mail &amp; calendar bounce' }));
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: 'my mail & calendar bounce' }]);
  });

  test('a bare @mention is an empty message, not an attachment', async () => {
    const app = await start();
    const sent = await post(app, teams('channel-mention', { text: '<at>Mail helpdesk</at>\n' }));
    expect(app.fake.inputs).toEqual([{ kind: 'text', text: '' }]);
    expect(sent.map((a) => a['text'])).toEqual([messages.emptyMessage]);
  });
});

describe('joining', () => {
  test('installed in a personal chat (Teams names only the bot): the welcome, its topics as card buttons', async () => {
    const app = await start();
    const sent = await post(app, teams('personal-install'));
    expect(app.fake.inputs).toEqual([{ kind: 'welcome' }]);
    expect(sent).toHaveLength(1);
    // Five topics: more than the three suggested actions Teams shows, so they go on the card.
    const card = cardIn(sent[0]);
    expect(cardTexts(card)).toEqual([messages.welcome]);
    expect(cardButtonLabels(card)).toEqual(messages.welcomeOptions);
    expect(buttons(sent[0])).toEqual([]);
  });

  test('added to a team: one welcome in the channel that says to @mention, with the topics as card buttons', async () => {
    const app = await start();
    const sent = await post(app, teams('team-install'));
    expect(sent).toHaveLength(1);
    const card = cardIn(sent[0]);
    expect(cardTexts(card)).toEqual([messages.welcomeGroup]);
    expect(cardButtonLabels(card)).toEqual(messages.welcomeOptions);
  });

  test('a new member joining the team is not greeted in the channel', async () => {
    const app = await start();
    expect(await post(app, teams('team-member-added'))).toEqual([]);
    expect(app.fake.inputs).toEqual([]);
  });
});

describe('replies on Teams', () => {
  test('steps and a console path: an Adaptive Card with numbered steps, the path under its label, and messageBack buttons', async () => {
    const app = await start();
    const [reply] = await post(app, teams('personal-message'));
    expect(reply?.['text']).toBeUndefined();
    expect(reply?.['summary']).toBe('node-1 read: my mail bounces with 554');
    const attachment = (reply?.['attachments'] as Json[])[0];
    expect(attachment?.['contentType']).toBe('application/vnd.microsoft.card.adaptive');
    const card = cardIn(reply);
    expect(card?.version).toBe('1.4');
    expect(cardTexts(card)).toEqual([
      'node-1 read: my mail bounces with 554',
      '**1.**',
      'First',
      '**2.**',
      'Second',
      messages.cardConsolePath,
      'Console → Users',
    ]);
    expect(card?.fallbackText).toBe('node-1 read: my mail bounces with 554\n\n1. First\n2. Second\n\nConsole → Users');
    const actions = card?.body.filter((e) => e.type === 'ActionSet').flatMap((e) => e['actions'] as Json[]);
    expect(actions).toEqual(
      ['Yes', 'No'].map((label) => ({
        type: 'Action.Submit',
        title: label,
        data: { helpdeskOption: label, msteams: { type: 'messageBack', text: label, displayText: label } },
      })),
    );
  });

  test('a personal chat: a reply with up to three options and nothing else stays text with suggested actions', async () => {
    const app = await start();
    const sent = await post(app, teams('personal-message', { text: 'escalate' }));
    const last = sent[sent.length - 1];
    expect(last?.['text']).toBe(messages.flowEnded);
    expect(buttons(last)).toEqual(['One', 'Two']);
    expect(last?.['attachments']).toBeUndefined();
  });

  test('a channel: no suggested actions at all; every reply with options is a card with buttons', async () => {
    const app = await start();
    await post(app, teams('channel-mention'));
    const sent = await post(app, teams('channel-mention', { text: '<at>Mail helpdesk</at> escalate' }));
    expect(sent.every((a) => buttons(a).length === 0)).toBe(true);
    const last = cardIn(sent[sent.length - 1]);
    expect(cardTexts(last)).toEqual([messages.flowEnded]);
    expect(cardButtonLabels(last)).toEqual(['One', 'Two']);
  });
});

describe('escalation from Teams', () => {
  test("the ticket carries the user's name, Entra object id and tenant; the user gets the escalation and ticket cards", async () => {
    const app = await start();
    const activity = teams('personal-message', { text: 'escalate' });
    const sent = await post(app, activity);
    expect(app.sink.calls).toHaveLength(1);
    expect(app.sink.calls[0]?.requester).toEqual({
      channelId: 'msteams',
      userId: (activity['from'] as Json)['id'],
      userName: 'Li Wei',
      aadObjectId: '6a0f2b4e-2c1d-4a57-9b1e-3f0e4c5d6a7b',
      tenantId: '4f0c7d2a-9b1e-4c3d-8e5f-6a7b8c9d0e1f',
      conversationId: (activity['conversation'] as Json)['id'],
    });

    expect(sent).toHaveLength(3);
    const [escalation, ticket] = sent;
    expect(cardTexts(cardIn(escalation))).toEqual([messages.escalated.replace('{title}', 'Fake problem')]);
    const ticketCard = cardIn(ticket);
    expect(ticket?.['summary']).toBe('Your ticket number is TEST-1.');
    expect(ticketCard?.fallbackText).toBe('Your ticket number is TEST-1.');
    expect(cardTexts(ticketCard)).toEqual(['Your ticket number is TEST-1.']);
    expect(ticketCard?.body.find((e) => e.type === 'FactSet')?.['facts']).toEqual([
      { title: messages.cardProblem, value: 'Fake problem' },
      { title: messages.cardSeverity, value: 'high' },
      { title: messages.cardStatus, value: messages.ticketOpen },
    ]);
  });
});

describe('the real dialogs on Teams', () => {
  test('a personal chat: the question with two buttons, then the fix as a card of numbered steps, then "Did that fix it?"', async () => {
    const app = await start('real');
    const core = realCore as HelpdeskCore;
    const first = await post(app, teams('personal-message', { text: 'too many password errors' }));
    const question = first[first.length - 1];
    const options = buttons(question);
    expect(options.length).toBe(2);

    const second = await post(app, teams('personal-message', { text: options[0] }));
    const fix = second.map(cardIn).find((c) => c !== undefined);
    expect(fix).toBeDefined();
    const texts = cardTexts(fix);
    expect(texts).toContain('**1.**');
    expect(texts).toContain('**2.**');
    const last = second[second.length - 1];
    expect(last?.['text']).toBe(core.catalog.messages.didItWork);
    expect(buttons(last)).toEqual([core.catalog.messages.workedYes, core.catalog.messages.workedNo]);
  });

  test('every command in the Teams manifest starts a conversation the bot understands', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'teams', 'manifest.json'), 'utf8')) as {
      bots: { commandLists: { commands: { title: string }[] }[] }[];
    };
    const titles = manifest.bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands.map((c) => c.title)));
    expect(titles.length).toBeGreaterThan(3);
    const app = await start('real');
    const core = realCore as HelpdeskCore;
    // What the bot says when it did not understand: the fallbacks, and the out-of-scope tree's answers.
    const outOfScope = core.catalog.trees.get('out-of-scope');
    const notUnderstood = [
      core.catalog.messages.fallbackNoFlow,
      core.catalog.messages.fallback,
      ...(outOfScope?.nodes ?? []).flatMap((n) => ('text' in n ? [n.text] : [])),
    ];
    expect(notUnderstood.length).toBeGreaterThan(2);
    for (const title of titles) {
      const conversation = { conversationType: 'groupChat', isGroup: true, id: `19:${encodeURIComponent(title)}@thread.v2` };
      const sent = await post(app, teams('group-chat-mention', { text: `<at>Mail helpdesk</at> ${title}`, conversation }));
      expect(sent.length).toBeGreaterThan(0);
      const said = JSON.stringify(sent);
      const misread = notUnderstood.filter((sentence) => said.includes(JSON.stringify(sentence.trim()).slice(1, -1)));
      expect({ title, misread }).toEqual({ title, misread: [] });
    }
  });
});
