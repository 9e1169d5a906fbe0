/**
 * The built-in Direct Line 3.0 endpoint over HTTP and WebSocket, against the real app with the scripted
 * engine: tokens, conversation scope, watermarks, the stream, bad requests, CORS, and a restart.
 */
import fs from 'node:fs';
import WebSocket from 'ws';
import { TokenService } from '../../../src/channels/directline/tokens';
import { MAX_BODY_BYTES } from '../../../src/server/app';
import { loadRealMessages } from '../../support/bot-harness';
import {
  buttonsOf,
  eventually,
  generateToken,
  getActivities,
  postActivity,
  startApp,
  startConversation,
  tempDataDir,
  TEST_TOKEN_SECRET,
  textOf,
  type ActivityJson,
  type RunningApp,
} from '../../support/directline';

const messages = loadRealMessages();
const running: RunningApp[] = [];
const dirs: string[] = [];

async function start(options: Parameters<typeof startApp>[0] = {}): Promise<RunningApp> {
  const app = await startApp(options);
  running.push(app);
  return app;
}

afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function expectJsonError(res: Response, status: number, code?: string): Promise<{ error: { code: string; message: string } }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const text = await res.text();
  expect(text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe('string');
  if (code) expect(body.error.code).toBe(code);
  return body;
}

describe('tokens', () => {
  test('generate: a JWT for one new conversation and a dl_ user, valid 30 minutes', async () => {
    const { base } = await start();
    const answer = await generateToken(base);
    expect(answer).toEqual({ conversationId: expect.any(String), token: expect.any(String), expires_in: 1800 });
    const claims = claimsOf(answer.token);
    expect(claims).toMatchObject({ conv: answer.conversationId, user: expect.stringMatching(/^dl_/) });
    expect((claims['exp'] as number) - (claims['iat'] as number)).toBe(1800);
    const other = await generateToken(base);
    expect(other.conversationId).not.toBe(answer.conversationId);
  });

  test('generate with a user: the token carries that user, and posts are from it', async () => {
    const { base } = await start();
    const { token } = await generateToken(base, { user: { id: 'li.wei@example.com', name: 'Li Wei' } });
    expect(claimsOf(token)).toMatchObject({ user: 'li.wei@example.com', name: 'Li Wei' });
    const c = (await (await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as {
      conversationId: string;
      token: string;
    };
    await postActivity(base, c, { type: 'message', text: 'hello', from: { id: 'someone-else', name: 'Mallory' } });
    const { body } = await getActivities(base, c);
    const echo = body.activities.find((a) => a.text === 'hello');
    expect(echo?.from).toEqual({ id: 'li.wei@example.com', name: 'Li Wei', role: 'user' });
  });

  test('refresh: a new token for the same conversation and user', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const res = await fetch(`${base}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
    expect(res.status).toBe(200);
    const refreshed = (await res.json()) as { conversationId: string; token: string; expires_in: number };
    expect(refreshed.conversationId).toBe(c.conversationId);
    expect(refreshed.expires_in).toBe(1800);
    expect(claimsOf(refreshed.token)).toMatchObject({ conv: c.conversationId, user: claimsOf(c.token)['user'] });
    expect((await getActivities(base, { ...c, token: refreshed.token })).status).toBe(200);
  });

  test('an expired token is refused everywhere with 403 TokenExpired, refresh included', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const claims = claimsOf(c.token);
    const anHourAgo = Date.now() - 60 * 60 * 1000;
    const expired = new TokenService(Buffer.from(TEST_TOKEN_SECRET), { now: () => anHourAgo }).issue(c.conversationId, { id: String(claims['user']) }).token;
    const auth = { authorization: `Bearer ${expired}` };
    await expectJsonError(await fetch(`${base}/v3/directline/tokens/refresh`, { method: 'POST', headers: auth }), 403, 'TokenExpired');
    await expectJsonError(await fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, { headers: auth }), 403, 'TokenExpired');
    await expectJsonError(await postActivity(base, { ...c, token: expired }, { type: 'message', text: 'hi' }), 403, 'TokenExpired');
  });

  test('the token service: expiry, tampering, another key', () => {
    let now = Date.parse('2024-05-01T00:00:00Z');
    const tokens = new TokenService(Buffer.from(TEST_TOKEN_SECRET), { now: () => now });
    const { token, expiresIn } = tokens.issue('conv-1', { id: 'dl_user' });
    expect(tokens.verify(token)).toMatchObject({ ok: true, claims: { conv: 'conv-1', user: 'dl_user' } });
    now += (expiresIn - 1) * 1000;
    expect(tokens.verify(token).ok).toBe(true);
    now += 1000;
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });

    now = Date.parse('2024-05-01T00:00:00Z');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...claimsOf(token), conv: 'conv-2' })).toString('base64url');
    expect(tokens.verify(`${header}.${widened}.${signature}`)).toEqual({ ok: false, reason: 'signature' });
    expect(tokens.verify(`${header}.${payload}`)).toEqual({ ok: false, reason: 'malformed' });
    const otherKey = new TokenService(Buffer.from('another-secret-another-secret-another-secret'), { now: () => now });
    expect(otherKey.verify(token)).toEqual({ ok: false, reason: 'signature' });
    expect(() => new TokenService(Buffer.from('short'))).toThrow(/at least 32/);
  });
});

describe('conversations', () => {
  test('start: 201 with the Conversation object; the welcome is the first activity', async () => {
    const { base } = await start();
    const { token, conversationId } = await generateToken(base);
    const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(201);
    const c = (await res.json()) as { conversationId: string; token: string; expires_in: number; streamUrl: string };
    expect(c).toMatchObject({ conversationId, token });
    expect(c.expires_in).toBeGreaterThan(1790);
    expect(c.streamUrl).toBe(`ws://${new URL(base).host}/v3/directline/conversations/${conversationId}/stream?watermark=0&t=${token}`);

    const { body } = await getActivities(base, c);
    expect(body.watermark).toBe('1');
    expect(body.activities).toHaveLength(1);
    expect(body.activities[0]).toMatchObject({
      id: `${conversationId}|0000001`,
      type: 'message',
      text: messages.welcome,
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { id: 'alimail-helpdesk', name: 'Alibaba Mail helpdesk', role: 'bot' },
      recipient: { id: claimsOf(token)['user'], role: 'user' },
    });
    expect(buttonsOf(body.activities[0])).toEqual(messages.welcomeOptions);
  });

  test('starting again with the same token resumes (200), with no second welcome', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const again = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { conversationId: string }).conversationId).toBe(c.conversationId);
    const { body } = await getActivities(base, c);
    expect(body.activities.filter((a) => a.text === messages.welcome)).toHaveLength(1);
  });

  test('reconnect: GET /conversations/{id}?watermark= gives a streamUrl from that watermark', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const res = await fetch(`${base}/v3/directline/conversations/${c.conversationId}?watermark=1`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversationId: string; token: string; streamUrl: string };
    expect(body).toMatchObject({ conversationId: c.conversationId, token: c.token });
    expect(new URL(body.streamUrl).searchParams.get('watermark')).toBe('1');
  });

  test('a posted message is echoed, then the reply follows it in watermark order', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const res = await postActivity(base, c, { type: 'message', text: 'my mail bounces', from: { id: 'ignored' }, channelData: { clientActivityID: 'abc-1' } });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).toBe(`${c.conversationId}|0000002`);

    const { body } = await getActivities(base, c, '1');
    expect(body.watermark).toBe('3');
    const [echo, reply] = body.activities as [ActivityJson, ActivityJson];
    expect(echo).toMatchObject({ id, type: 'message', text: 'my mail bounces', from: { id: claimsOf(c.token)['user'], role: 'user' }, channelData: { clientActivityID: 'abc-1' } });
    expect(reply).toMatchObject({ id: `${c.conversationId}|0000003`, replyToId: id, from: { role: 'bot' } });
    expect(textOf(reply)).toContain('node-1 read: my mail bounces');
    expect(buttonsOf(reply)).toEqual(['Yes', 'No']);
  });

  test('watermark paging: each GET returns only what follows the watermark', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    for (const text of ['one', 'two', 'three']) await postActivity(base, c, { type: 'message', text });
    const all = (await getActivities(base, c)).body;
    expect(all.activities.map((a) => a.id.split('|')[1])).toEqual(['0000001', '0000002', '0000003', '0000004', '0000005', '0000006', '0000007']);
    expect(all.watermark).toBe('7');

    const page = (await getActivities(base, c, '3')).body;
    expect(page.activities.map(textOf)).toEqual(['two', expect.stringContaining('node-2 read: two'), 'three', expect.stringContaining('node-3 read: three')]);
    expect(page.watermark).toBe('7');

    expect((await getActivities(base, c, '7')).body).toEqual({ activities: [], watermark: '7' });
    expect((await getActivities(base, c, '')).body.activities).toHaveLength(7);
  });

  test('a typing activity is accepted and not stored', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    expect((await postActivity(base, c, { type: 'typing' })).status).toBe(200);
    expect((await getActivities(base, c)).body.watermark).toBe('1');
  });

  test('posts to one conversation run one turn at a time, in order', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    await Promise.all(['a', 'b', 'c', 'd'].map((text) => postActivity(base, c, { type: 'message', text })));
    const replies = (await getActivities(base, c)).body.activities.filter((a) => a.from.role === 'bot').slice(1);
    // Each turn saw the state the previous one saved: node-1 … node-4, none lost to a conflict.
    expect(replies.map((r) => /node-(\d)/.exec(textOf(r))?.[1]).sort()).toEqual(['1', '2', '3', '4']);
  });
});

describe('with Bot Framework authentication on (MicrosoftAppId and password)', () => {
  test('the built-in Direct Line still reaches the bot: in process, no Bot Framework token involved', async () => {
    const { base } = await start({ env: { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' } });
    const c = await startConversation(base);
    await postActivity(base, c, { type: 'message', text: 'with auth on' });
    const texts = (await getActivities(base, c)).body.activities.map(textOf);
    expect(texts).toEqual([messages.welcome, 'with auth on', expect.stringContaining('node-1 read: with auth on')]);
    // /api/messages itself still demands a Bot Framework token.
    const activity = { type: 'message', text: 'hi', channelId: 'directline', serviceUrl: 'https://directline.botframework.com/', conversation: { id: c.conversationId }, from: { id: 'x' } };
    const direct = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(direct.status).toBe(401);
  });
});

describe('a token opens only its own conversation', () => {
  test('token A on conversation B → 403 for reading, posting, reconnecting and streaming', async () => {
    const { base } = await start();
    const a = await startConversation(base);
    const b = await startConversation(base);
    const asA = { conversationId: b.conversationId, token: a.token };
    const read = await fetch(`${base}/v3/directline/conversations/${b.conversationId}/activities`, { headers: { authorization: `Bearer ${a.token}` } });
    await expectJsonError(read, 403, 'Forbidden');
    await expectJsonError(await postActivity(base, asA, { type: 'message', text: 'hi' }), 403, 'Forbidden');
    await expectJsonError(
      await fetch(`${base}/v3/directline/conversations/${b.conversationId}`, { headers: { authorization: `Bearer ${a.token}` } }),
      403,
      'Forbidden',
    );
    const streamStatus = await new Promise<number>((resolve) => {
      const ws = new WebSocket(b.streamUrl.replace(/t=[^&]+/, `t=${a.token}`));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(streamStatus).toBe(403);
    // B saw nothing of it.
    expect((await getActivities(base, b)).body.activities).toHaveLength(1);
  });

  test('no token → 401, a forged or foreign token → 403', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const url = `${base}/v3/directline/conversations/${c.conversationId}/activities`;
    await expectJsonError(await fetch(url), 401, 'MissingToken');
    await expectJsonError(await fetch(url, { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'MissingToken');
    await expectJsonError(await fetch(url, { headers: { authorization: 'Bearer not.a.token' } }), 403, 'InvalidToken');
    const foreign = new TokenService(Buffer.from('someone-elses-secret-someone-elses-secret')).issue(c.conversationId, { id: 'dl_x' }).token;
    await expectJsonError(await fetch(url, { headers: { authorization: `Bearer ${foreign}` } }), 403, 'InvalidToken');
    await expectJsonError(await fetch(`${base}/v3/directline/conversations`, { method: 'POST' }), 401, 'MissingToken');
  });
});

describe('bad requests are 4xx JSON', () => {
  test.each<[string, unknown]>([
    ['no type', { text: 'hi' }],
    ['an unknown type', { type: 'invoke', name: 'x' }],
    ['text that is not a string', { type: 'message', text: { evil: true } }],
    ['a JSON array', [1, 2]],
    ['a JSON string', 'just text'],
    ['malformed JSON', '{"type": "message", "text": '],
  ])('POST activities with %s → 400', async (_name, body) => {
    const { base } = await start();
    const c = await startConversation(base);
    const res = await postActivity(base, c, typeof body === 'string' ? body : body);
    await expectJsonError(res, 400);
  });

  test('POST activities as text/plain → 415; over the size limit → 413', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const plain = await fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'text/plain' },
      body: 'hello',
    });
    await expectJsonError(plain, 415);
    await expectJsonError(await postActivity(base, c, { type: 'message', text: 'x'.repeat(MAX_BODY_BYTES + 1) }), 413);
  });

  test('a bad watermark → 400; a conversation never started → 404', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    await expectJsonError((await fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities?watermark=abc`, { headers: { authorization: `Bearer ${c.token}` } })), 400);
    const unstarted = await generateToken(base);
    await expectJsonError(await postActivity(base, unstarted, { type: 'message', text: 'hi' }), 404, 'NotFound');
    const read = await fetch(`${base}/v3/directline/conversations/${unstarted.conversationId}/activities`, { headers: { authorization: `Bearer ${unstarted.token}` } });
    await expectJsonError(read, 404, 'NotFound');
  });

  test('generate with a bad user or locale → 400', async () => {
    const { base } = await start();
    const bad = await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'has spaces!' } }) });
    await expectJsonError(bad, 400, 'BadArgument');
    const { token } = await generateToken(base);
    const start2 = await fetch(`${base}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ locale: '<script>' }),
    });
    await expectJsonError(start2, 400, 'BadArgument');
  });
});

describe('the WebSocket stream', () => {
  test('sends the backlog, then pushes the echo and each reply as ActivitySets', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const sets: { activities: ActivityJson[]; watermark: string }[] = [];
    const ws = new WebSocket(c.streamUrl);
    ws.on('message', (data) => {
      const text = String(data);
      if (text !== '') sets.push(JSON.parse(text) as { activities: ActivityJson[]; watermark: string });
    });
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    await eventually(() => (sets.length >= 1 ? true : undefined), 5000, 'the backlog');
    expect(sets[0]).toMatchObject({ watermark: '1', activities: [{ text: messages.welcome }] });

    ws.send(''); // DirectLineJS's keep-alive: ignored
    await postActivity(base, c, { type: 'message', text: 'hello stream' });
    await eventually(() => (sets.length >= 3 ? true : undefined), 5000, 'echo and reply');
    expect(sets.slice(1).map((s) => s.watermark)).toEqual(['2', '3']);
    expect(sets[1]?.activities[0]?.text).toBe('hello stream');
    expect(textOf(sets[2]?.activities[0])).toContain('node-1 read: hello stream');
    ws.close();
  });

  test('a stream opened at a watermark gets only what follows it', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    await postActivity(base, c, { type: 'message', text: 'first' });
    const received: ActivityJson[] = [];
    const ws = new WebSocket(c.streamUrl.replace('watermark=0', 'watermark=2'));
    ws.on('message', (data) => {
      if (String(data) !== '') received.push(...(JSON.parse(String(data)) as { activities: ActivityJson[] }).activities);
    });
    await eventually(() => (received.length >= 1 ? true : undefined), 5000, 'the backlog after 2');
    expect(received.map((a) => a.id.split('|')[1])).toEqual(['0000003']);
    ws.close();
  });

  test('no token, a bad watermark or an unknown path → the upgrade is refused', async () => {
    const { base } = await start();
    const c = await startConversation(base);
    const statusOf = (url: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    const wsBase = base.replace('http', 'ws');
    expect(await statusOf(c.streamUrl.replace(/&t=.*/, ''))).toBe(401);
    expect(await statusOf(c.streamUrl.replace('watermark=0', 'watermark=x'))).toBe(400);
    expect(await statusOf(`${wsBase}/somewhere/else`)).toBe(404);
  });

  test('closing the server closes open streams (it does not hang)', async () => {
    const app = await startApp();
    const c = await startConversation(app.base);
    const ws = new WebSocket(c.streamUrl);
    await new Promise((resolve) => ws.on('open', resolve));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const started = Date.now();
    await app.close();
    expect(await closed).toBe(1001);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('CORS (ALLOWED_ORIGINS)', () => {
  const ALLOWED = 'https://intranet.example.com';

  test('an allowed origin gets a preflight answer and CORS headers', async () => {
    const { base } = await start({ env: { ALLOWED_ORIGINS: `${ALLOWED}, https://other.example.com` } });
    const preflight = await fetch(`${base}/v3/directline/tokens/generate`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();

    const res = await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST', headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  test('another origin gets no CORS headers (the browser blocks it); its preflight is refused', async () => {
    const { base } = await start({ env: { ALLOWED_ORIGINS: ALLOWED } });
    const res = await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${base}/v3/directline/conversations`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    await expectJsonError(preflight, 403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('without ALLOWED_ORIGINS: same origin only; streams from other origins are refused', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/v3/directline/tokens/generate`, { method: 'POST', headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const c = await startConversation(base);
    const statusWithOrigin = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(c.streamUrl, { origin });
        ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    expect(await statusWithOrigin('https://evil.example')).toBe(403);
    expect(await statusWithOrigin(base)).toBe(101);
  });
});

describe('durability (SQLite)', () => {
  test('after a restart the token still works, the history is there, and the flow goes on', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const env = { DIRECT_LINE_TOKEN_SECRET: '' }; // the secret is generated and kept in DATA_DIR
    const first = await startApp({ dataDir, env });
    const c = await startConversation(first.base);
    await postActivity(first.base, c, { type: 'message', text: 'before restart' });
    await first.close();
    expect(fs.existsSync(`${dataDir}/directline.sqlite`)).toBe(true);
    expect(fs.statSync(`${dataDir}/directline-token-secret`).mode & 0o077).toBe(0);

    const second = await start({ dataDir, env });
    const history = (await getActivities(second.base, c)).body;
    expect(history.activities.map(textOf)).toEqual([messages.welcome, 'before restart', expect.stringContaining('node-1 read: before restart')]);
    await postActivity(second.base, c, { type: 'message', text: 'after restart' });
    const more = (await getActivities(second.base, c, history.watermark)).body;
    expect(textOf(more.activities[1])).toContain('node-2 read: after restart');
  });
});
