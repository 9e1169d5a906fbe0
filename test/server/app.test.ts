/**
 * The real restify app from createApp, over HTTP on 127.0.0.1, with a scripted engine and memory storage.
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'restify';
import { loadConfig, type Config } from '../../src/config';
import type { Messages } from '../../src/dialogs/messages';
import { createApp, MAX_BODY_BYTES } from '../../src/server/app';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { loadRealMessages, RecordingSink } from '../support/bot-harness';
import { FakeEngine } from '../support/fake-engine';
import { CaptureChannel, closeServer, listen } from '../support/http';

const messages: Messages = loadRealMessages();

const LOCAL_ENV = { HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent' };

interface Running {
  base: string;
  server: Server;
  storage: HelpdeskStorage;
  sink: RecordingSink;
}

const running: Running[] = [];

async function start(env: Record<string, string> = {}, storage: HelpdeskStorage = memoryStorage()): Promise<Running> {
  const config: Readonly<Config> = loadConfig({ ...LOCAL_ENV, ...env });
  const sink = new RecordingSink();
  const { server } = createApp(config, {
    core: { catalog: { trees: { size: 3 }, messages }, engine: new FakeEngine(messages) },
    storage,
    sink,
  });
  const base = await listen(server);
  const r = { base, server, storage, sink };
  running.push(r);
  return r;
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    r.storage.close();
  }
});

let channel: CaptureChannel;
beforeAll(async () => {
  channel = new CaptureChannel();
  await channel.start();
});
afterAll(() => channel.stop());
beforeEach(() => {
  channel.requests.length = 0;
});

let seq = 0;
function activity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    type: 'message',
    id: `activity-${seq}`,
    // A channel without cards, so replies are plain text with suggested actions (cards: test/bot/cards.test.ts).
    channelId: 'test',
    serviceUrl: channel.url,
    from: { id: 'user-1', name: 'Li Wei', role: 'user' },
    recipient: { id: 'bot-1', name: 'Helpdesk', role: 'bot' },
    conversation: { id: `conversation-${seq}` },
    timestamp: new Date().toISOString(),
    text: 'my mail bounces',
    ...overrides,
  };
}

function post(base: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function expectJsonError(res: Response, status: number): Promise<{ error: { code: string; message: string } }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\.js:\d+/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  return body;
}

describe('GET /healthz', () => {
  test('200 with trees and storage status', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', trees: 3, storage: { kind: 'memory', ok: true }, auth: false });
  });

  test('503 when storage does not answer', async () => {
    const storage = { ...memoryStorage(), ping: async () => false };
    const { base } = await start({}, storage);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'degraded', storage: { ok: false } });
  });
});

describe('POST /api/messages without authentication (local use)', () => {
  test('expectReplies: the replies come back in the 200 body', async () => {
    const { base } = await start();
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'hello there' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: { type: string; text: string; replyToId?: string }[] };
    expect(body.activities).toHaveLength(1);
    expect(body.activities[0]?.text).toContain('node-1 read: hello there');
    expect(channel.requests).toHaveLength(0);
  });

  test('normal delivery: the replies are posted to serviceUrl', async () => {
    const { base } = await start();
    const sent = activity({ text: 'hello there' });
    const res = await post(base, sent);
    expect([200, 201, 202]).toContain(res.status);
    const replies = channel.activities();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      type: 'message',
      replyToId: sent['id'],
      conversation: { id: (sent['conversation'] as { id: string }).id },
      suggestedActions: { actions: [{ type: 'imBack', value: 'Yes' }, { type: 'imBack', value: 'No' }] },
    });
    expect(String(replies[0]?.['text'])).toContain('node-1 read: hello there');
    // No credentials configured: the bot sends no token.
    expect(channel.requests[0]?.headers.authorization).toBeUndefined();
  });

  test('a conversation continues across requests (state is kept)', async () => {
    const { base } = await start();
    const conversation = { id: 'kept-conversation' };
    await post(base, activity({ conversation, deliveryMode: 'expectReplies', text: 'one' }));
    const res = await post(base, activity({ conversation, deliveryMode: 'expectReplies', text: 'two' }));
    const body = (await res.json()) as { activities: { text: string }[] };
    expect(body.activities[0]?.text).toContain('node-2');
  });

  test('conversationUpdate with the user added gets the welcome', async () => {
    const { base } = await start();
    const res = await post(
      base,
      activity({
        type: 'conversationUpdate',
        text: undefined,
        membersAdded: [{ id: 'user-1', name: 'Li Wei' }, { id: 'bot-1', name: 'Helpdesk' }],
      }),
    );
    expect(res.status).toBe(200);
    expect(channel.activities().map((a) => a['text'])).toEqual([messages.welcome]);
  });

  test('an escalation reaches the sink and the ticket line is sent', async () => {
    const { base, sink } = await start();
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'escalate' }));
    const body = (await res.json()) as { activities: { text: string }[] };
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]?.requester).toMatchObject({ channelId: 'test', userId: 'user-1', userName: 'Li Wei' });
    expect(body.activities.map((a) => a.text)).toContain('Your ticket number is TEST-1.');
  });

  test('a turn that throws: 200, the user gets the plain sorry message, no internals leak', async () => {
    const { base } = await start();
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'crash' }));
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw).not.toContain('hunter2');
    expect(raw).not.toContain('exploded');
    const body = JSON.parse(raw) as { activities: { text: string }[] };
    expect(body.activities.map((a) => a.text)).toEqual([messages.turnError]);
  });

  test('a serviceUrl off this machine is refused while authentication is off', async () => {
    const { base } = await start();
    const res = await post(base, activity({ serviceUrl: 'http://10.1.2.3:8080/' }));
    const body = await expectJsonError(res, 400);
    expect(body.error.message).toMatch(/serviceUrl/);
    expect(channel.requests).toHaveLength(0);
  });

  test('non-message activities the bot does not handle are accepted quietly', async () => {
    const { base } = await start();
    const res = await post(base, activity({ type: 'typing', text: undefined }));
    expect(res.status).toBe(200);
    expect(channel.activities()).toHaveLength(0);
  });
});

describe('bad requests are 4xx JSON, never 5xx or a stack trace', () => {
  test('malformed JSON → 400', async () => {
    const { base } = await start();
    const res = await post(base, '{"type": "message", "text": ');
    await expectJsonError(res, 400);
  });

  test('wrong content type → 415', async () => {
    const { base } = await start();
    const res = await post(base, JSON.stringify(activity()), { 'content-type': 'text/plain' });
    await expectJsonError(res, 415);
  });

  test('no body → 4xx', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    await expectJsonError(res, res.status);
  });

  test.each<[string, () => unknown]>([
    ['a JSON array', () => [1, 2, 3]],
    ['a JSON string', () => 'hello'],
    ['null', () => null],
    ['no type', () => ({ ...activity(), type: undefined })],
    ['an empty type', () => ({ ...activity(), type: '' })],
    ['no conversation', () => ({ ...activity(), conversation: undefined })],
    ['no serviceUrl', () => ({ ...activity(), serviceUrl: undefined })],
    ['a serviceUrl that is no URL', () => ({ ...activity(), serviceUrl: 'not a url' })],
    ['a non-string text', () => ({ ...activity(), text: { evil: true } })],
    ['no channelId', () => ({ ...activity(), channelId: undefined })],
  ])('%s → 400', async (_name, makeBody) => {
    const { base } = await start();
    const res = await post(base, JSON.stringify(makeBody()));
    await expectJsonError(res, 400);
  });

  test('a body over the size limit → 413', async () => {
    const { base } = await start();
    const res = await post(base, activity({ text: 'x'.repeat(MAX_BODY_BYTES + 1) }));
    await expectJsonError(res, 413);
  });

  test('a 50 KB message is within the limit and answered', async () => {
    const { base } = await start();
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'my mail bounces '.repeat(3200) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { activities: unknown[] };
    expect(body.activities.length).toBeGreaterThan(0);
  });

  test('GET /api/messages → 405, unknown path → 404, both JSON', async () => {
    const { base } = await start();
    await expectJsonError(await fetch(`${base}/api/messages`), 405);
    await expectJsonError(await fetch(`${base}/nope`), 404);
  });
});

/** An HS256 token signed with a key of our own: well-formed, but no channel issued it. */
function selfSignedJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}`;
  return `${unsigned}.${createHmac('sha256', 'k').update(unsigned).digest('base64url')}`;
}

describe('with MicrosoftAppId and password configured', () => {
  const AUTH_ENV = { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' };

  test('health reports authentication on', async () => {
    const { base } = await start(AUTH_ENV);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ auth: true });
  });

  test.each([
    ['no Authorization header', {}],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    [
      'a self-signed token from an unknown issuer',
      { authorization: `Bearer ${selfSignedJwt({ aud: AUTH_ENV.MicrosoftAppId, iss: 'https://evil.example' })}` },
    ],
  ])('%s → 401, and the bot never runs', async (_name, headers) => {
    const { base, sink } = await start(AUTH_ENV);
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'escalate' }), headers);
    const body = await expectJsonError(res, 401);
    expect(body.error.message).not.toContain('not-a-real-secret');
    expect(sink.calls).toHaveLength(0);
    expect(channel.requests).toHaveLength(0);
  });

  test('an app id without a password leaves authentication off', async () => {
    const { base } = await start({ MicrosoftAppId: AUTH_ENV.MicrosoftAppId });
    const res = await post(base, activity({ deliveryMode: 'expectReplies', text: 'hi' }));
    expect(res.status).toBe(200);
  });
});
