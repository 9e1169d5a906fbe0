/**
 * Property-based fuzzing (fast-check, fixed seed, bounded runs) of the three route families on the real
 * app with the real core: POST /api/messages, POST /api/triage and the built-in Direct Line. Malformed
 * bodies — wrong types, missing fields, huge strings, invalid UTF-8, deep nesting, control characters,
 * unknown conversation ids and tokens — get a 4xx with a JSON error, never a 5xx; the server stays up
 * and the next valid request still works.
 */
import fc from 'fast-check';
import type { Server } from 'restify';
import { loadConfig } from '../../src/config';
import { createApp, MAX_BODY_BYTES } from '../../src/server/app';
import { MAX_TRIAGE_BODY_BYTES } from '../../src/server/triage-routes';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { createTriageService } from '../../src/triage';
import { RecordingSink } from '../support/bot-harness';
import { realCoreOnce, startConversation, TEST_TOKEN_SECRET, type Conversation } from '../support/directline';
import { CaptureChannel, closeServer, listen } from '../support/http';

const SEED = 20261123;
/** Runs per property; about 1,500 requests in all. */
const RUNS = { messages: 500, triage: 400, directLine: 500, directLineIds: 100 };

let base = '';
let server: Server;
let storage: HelpdeskStorage;
let channel: CaptureChannel;
let conversation: Conversation;

beforeAll(async () => {
  channel = new CaptureChannel();
  await channel.start();
  const core = realCoreOnce();
  storage = memoryStorage();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    STORAGE: 'memory',
    LOG_LEVEL: 'silent',
    DIRECT_LINE_TOKEN_SECRET: TEST_TOKEN_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
  });
  ({ server } = createApp(config, { core, storage, sink: new RecordingSink(), triage: createTriageService(core) }));
  base = await listen(server);
  conversation = await startConversation(base);
}, 30_000);

afterAll(async () => {
  await closeServer(server);
  storage.close();
  await channel.stop();
});

type Body = string | Uint8Array | undefined;

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

async function send(path: string, body: Body, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The property every answer to fuzz must have: no 5xx; a 4xx is JSON {"error": {"code", "message"}} without internals. */
function checkAnswer(answer: Answer): void {
  if (answer.status >= 500) throw new Error(`5xx: ${answer.status} ${answer.text.slice(0, 300)}`);
  if (answer.status < 400) return;
  if (!/application\/json/.test(answer.contentType)) throw new Error(`${answer.status} is not JSON: ${answer.contentType}`);
  const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') throw new Error(`${answer.status} without an error object: ${answer.text.slice(0, 200)}`);
  if (/\n\s+at |node_modules|\.ts:\d+/.test(answer.text)) throw new Error(`internals in ${answer.text.slice(0, 300)}`);
}

// ---- generators ------------------------------------------------------------------------------------

const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  controlChars,
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff\ud800', '\ufeff', '\u202e', '<script>alert(1)</script>', '../../etc/passwd', '%00', '{{x}}', '554 Reject by behaviour spam'),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: weirdString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, [], {}, [[[]]]) },
);
/** `{"a":{"a":…}}` or `[[[…]]]` this deep, as text (the JSON a client would send). */
const deepJson = fc.tuple(fc.integer({ min: 100, max: 60_000 }), fc.boolean()).map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
/** Bytes that are not UTF-8 (lone continuation bytes, overlong forms, surrogates), maybe inside a JSON string. */
const invalidUtf8 = fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constantFrom([0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80]), fc.boolean()).map(
  ([noise, bad, wrapped]) => {
    const core = new Uint8Array([...noise, ...bad]);
    if (!wrapped) return core;
    const head = new TextEncoder().encode('{"type":"message","text":"');
    const tail = new TextEncoder().encode('"}');
    return new Uint8Array([...head, ...core, ...tail]);
  },
);

/** A body built from a valid object: one field replaced, removed, or nested deep; or no object at all. */
function bodyFrom(valid: () => Record<string, unknown>, fields: readonly string[]): fc.Arbitrary<Body> {
  const mutated = fc.tuple(fc.constantFrom(...fields), weirdValue, fc.boolean()).map(([field, value, remove]) => {
    const body = valid();
    if (remove) delete body[field];
    else body[field] = value;
    return JSON.stringify(body);
  });
  const deepField = fc.tuple(fc.constantFrom(...fields), deepJson).map(([field, deep]) => {
    const json = JSON.stringify({ ...valid(), [field]: '__DEEP__' });
    return json.replace('"__DEEP__"', deep);
  });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: deepField },
    { weight: 1, arbitrary: deepJson },
    { weight: 2, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: weirdString.filter((s) => s.length < 300_000) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"type":', 'null', '[]', '""', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"x":1}}}') },
  );
}

const validActivity = () => ({
  type: 'message',
  channelId: 'test',
  serviceUrl: channel.url,
  deliveryMode: 'expectReplies',
  from: { id: 'fuzz-user' },
  recipient: { id: 'bot' },
  conversation: { id: `fuzz-${Math.floor(Math.random() * 20)}` },
  text: 'my mail bounces',
});
const ACTIVITY_FIELDS = ['type', 'channelId', 'serviceUrl', 'deliveryMode', 'from', 'recipient', 'conversation', 'text', 'timestamp', 'value', 'attachments', 'channelData', 'entities', 'membersAdded', 'locale', 'id', 'replyToId', 'name'] as const;

async function expectStillWorks(): Promise<void> {
  const res = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...validActivity(), conversation: { id: `after-${Math.random()}` }, text: 'too many password errors' }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities: unknown[] };
  expect(body.activities.length).toBeGreaterThan(0);
}

// ---- properties ------------------------------------------------------------------------------------

test(`POST /api/messages: ${RUNS.messages} malformed bodies, never a 5xx`, async () => {
  await fc.assert(
    fc.asyncProperty(bodyFrom(validActivity, ACTIVITY_FIELDS), async (body) => {
      checkAnswer(await send('/api/messages', body));
    }),
    { numRuns: RUNS.messages, seed: SEED },
  );
  expect(process.memoryUsage().rss).toBeGreaterThan(0);
  await expectStillWorks();
}, 60_000);

test(`POST /api/triage: ${RUNS.triage} malformed bodies, never a 5xx`, async () => {
  const single = () => ({ id: 'T-1', text: 'my mail bounces with 554' }) as Record<string, unknown>;
  const batch = () => ({ items: [{ id: 1, text: 'cannot log in' }, { id: 2, text: '503' }] }) as Record<string, unknown>;
  const itemsMutated = fc.tuple(fc.array(weirdValue, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })).map(([items, extra]) => JSON.stringify({ items: [...items, extra] }));
  await fc.assert(
    fc.asyncProperty(fc.oneof(bodyFrom(single, ['id', 'text', 'items']), bodyFrom(batch, ['items', 'text']), itemsMutated), async (body) => {
      checkAnswer(await send('/api/triage', body));
    }),
    { numRuns: RUNS.triage, seed: SEED },
  );
  const ok = await send('/api/triage', JSON.stringify({ text: 'my mail bounces with 554 Reject by behaviour spam' }));
  expect(ok.status).toBe(200);
  expect(JSON.parse(ok.text)).toMatchObject({ problem: 'send-spam-rejected' });
}, 60_000);

test(`Direct Line: ${RUNS.directLine} malformed activities and token requests, never a 5xx`, async () => {
  const validDlActivity = () => ({ type: 'message', text: 'my mail bounces', from: { id: 'someone' }, locale: 'en-US' }) as Record<string, unknown>;
  const route = fc.constantFrom('activities', 'generate', 'start');
  await fc.assert(
    fc.asyncProperty(route, bodyFrom(validDlActivity, ['type', 'text', 'from', 'locale', 'attachments', 'channelData', 'value', 'name', 'user', 'entities']), async (which, body) => {
      const auth = { authorization: `Bearer ${conversation.token}` };
      if (which === 'activities') checkAnswer(await send(`/v3/directline/conversations/${conversation.conversationId}/activities`, body, auth));
      else if (which === 'generate') checkAnswer(await send('/v3/directline/tokens/generate', body));
      else checkAnswer(await send('/v3/directline/conversations', body, auth));
    }),
    { numRuns: RUNS.directLine, seed: SEED },
  );
  // The conversation still answers.
  const res = await send(`/v3/directline/conversations/${conversation.conversationId}/activities`, JSON.stringify({ type: 'message', text: 'too many password errors', from: { id: 'x' } }), { authorization: `Bearer ${conversation.token}` });
  expect(res.status).toBe(200);
}, 90_000);

test(`Direct Line: ${RUNS.directLineIds} unknown conversation ids, tokens and watermarks → 4xx JSON`, async () => {
  const id = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 }).map(encodeURIComponent), fc.constant(conversation.conversationId));
  const token = fc.oneof(fc.constant(conversation.token), fc.string({ maxLength: 80 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'a')), fc.constant(''));
  const watermark = fc.oneof(fc.constant(''), fc.nat().map(String), fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map(encodeURIComponent));
  await fc.assert(
    fc.asyncProperty(id, token, watermark, fc.constantFrom('GET', 'POST'), async (conv, tok, mark, method) => {
      const headers: Record<string, string> = tok === "" ? {} : { authorization: `Bearer ${tok}` };
      const path = `/v3/directline/conversations/${conv}${method === 'GET' ? `/activities?watermark=${mark}` : '/activities'}`;
      const answer = await send(path, method === 'POST' ? JSON.stringify({ type: 'message', text: 'hi' }) : undefined, headers, method);
      checkAnswer(answer);
      if (conv !== conversation.conversationId || tok !== conversation.token) expect(answer.status).toBeGreaterThanOrEqual(400);
    }),
    { numRuns: RUNS.directLineIds, seed: SEED },
  );
}, 60_000);

describe('bodies over the limit → 413 JSON', () => {
  test.each<[string, string, number, Record<string, string>]>([
    ['/api/messages', '/api/messages', MAX_BODY_BYTES, {}],
    ['/api/triage', '/api/triage', MAX_TRIAGE_BODY_BYTES, {}],
    ['Direct Line activities', 'DL', 256 * 1024, {}],
    ['Direct Line tokens/generate', '/v3/directline/tokens/generate', 4 * 1024, {}],
  ])('%s', async (_name, path, limit, headers) => {
    const target = path === 'DL' ? `/v3/directline/conversations/${conversation.conversationId}/activities` : path;
    const auth: Record<string, string> = path === "DL" ? { authorization: `Bearer ${conversation.token}` } : {};
    const answer = await send(target, JSON.stringify({ type: 'message', text: 'x'.repeat(limit + 1) }), { ...headers, ...auth });
    expect(answer.status).toBe(413);
    checkAnswer(answer);
  });
});
