/**
 * POST /api/triage on the real app (createApp) over HTTP on 127.0.0.1, with the real core: the token,
 * single and batch requests, and every bad body answered with a JSON 4xx, never a 500.
 */
import type { Server } from 'restify';
import { loadConfig } from '../../src/config';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { createApp } from '../../src/server/app';
import { MAX_BATCH_ITEMS, tokenMatches } from '../../src/server/triage-routes';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { createTriageService } from '../../src/triage';
import { closeServer, listen } from '../support/http';

const LOCAL_ENV = { HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent' };
const TOKEN = 'triage-test-token-0123456789';

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

const running: Array<{ server: Server; storage: HelpdeskStorage }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    r.storage.close();
  }
});

async function start(env: Record<string, string> = {}): Promise<string> {
  const storage = memoryStorage();
  const { server } = createApp(loadConfig({ ...LOCAL_ENV, ...env }), { core, storage, triage: createTriageService(core) });
  running.push({ server, storage });
  return listen(server);
}

async function post(base: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/triage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('without TRIAGE_TOKEN the route is open', () => {
  test('one text → the triage object', async () => {
    const base = await start();
    const res = await post(base, { text: 'Sending fails: 554 Reject by behaviour spam', id: 'INC-1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: 'INC-1',
      category: 'send',
      problem: 'send-spam-rejected',
      severity: 'medium',
      escalate: false,
      entities: { errorCodes: ['554'], statuses: [], clients: [], domains: [], emails: [] },
      sources: ['send.antispam'],
    });
    expect(res.body.nextSteps).toEqual(expect.arrayContaining([expect.stringMatching(/^Were you sending to many recipients at once/)]));
  });

  test('a batch → results in the same order, ids echoed', async () => {
    const base = await start();
    const res = await post(base, {
      items: [
        { id: 1, text: "I can't log in" },
        { id: 'b', text: '我的邮箱账号被冻结了，登录不了' },
        { text: 'what is the weather tomorrow?' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      expect.objectContaining({ id: 1, category: 'login', problem: null }),
      expect.objectContaining({ id: 'b', category: 'login', problem: 'account-frozen', severity: 'high', escalate: true }),
      expect.objectContaining({ id: null, category: 'none', problem: 'out-of-scope', severity: 'low' }),
    ]);
  });
});

describe('with TRIAGE_TOKEN set', () => {
  test('no token or a wrong one → 401 with a JSON error; the right one → 200', async () => {
    const base = await start({ TRIAGE_TOKEN: TOKEN });
    const body = { text: '503' };
    const refused: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of refused) {
      const res = await post(base, body, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'Unauthorized', message: expect.stringContaining('Bearer') } });
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    }
    const ok = await post(base, body, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ category: 'outage', problem: 'service-503' });
  });

  test('the token is checked before the body: a bad body without a token is still 401', async () => {
    const base = await start({ TRIAGE_TOKEN: TOKEN });
    expect((await post(base, '{not json')).status).toBe(401);
  });

  test('token comparison', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});

describe('bad bodies → 400 (or 413/415) with a JSON error, never a 500', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['empty text', { text: '' }, /text is empty/],
    ['blank text', { text: '  \n ' }, /text is empty/],
    ['non-string text', { text: 554 }, /text must be a string/],
    ['null text', { text: null }, /text must be a string/],
    ['no text', { id: 'x' }, /text is missing/],
    ['text over 100 KB', { text: 'my mail bounces '.repeat(7000) }, /longer than 100 KB/],
    ['an array', [{ text: 'x' }], /JSON object/],
    ['a JSON string', '"just a string"', /JSON object/],
    ['text and items', { text: 'a', items: [] }, /not both/],
    ['items not an array', { items: 'x' }, /items must be an array/],
    ['empty items', { items: [] }, /items is empty/],
    ['an empty text in a batch', { items: [{ id: 1, text: 'ok 554' }, { id: 2, text: '' }] }, /items\[1\]: text is empty/],
    ['a non-object item', { items: ['554'] }, /items\[0\] must be an object/],
    ['an object id', { text: '554', id: { a: 1 } }, /id must be a string or a number/],
    ['too many items', { items: Array.from({ length: MAX_BATCH_ITEMS + 1 }, () => ({ text: '554' })) }, /at most 1000/],
  ];
  test.each(cases)('%s', async (_name, body, message) => {
    const base = await start();
    const res = await post(base, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'BadRequest', message: expect.stringMatching(message) } });
  });

  test('malformed JSON → 400', async () => {
    const base = await start();
    const res = await post(base, '{"text": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  test('not JSON → 415; a body over the limit → 413', async () => {
    const base = await start();
    expect((await post(base, 'text=554', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const huge = await post(base, { items: Array.from({ length: 20 }, () => ({ text: 'x'.repeat(90 * 1024) })) });
    expect(huge.status).toBe(413);
    expect(huge.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });
});
