/**
 * New tickets posted into the postmaster's conversation, through the real app and adapter over HTTP on
 * 127.0.0.1: the postmaster asks the bot in a conversation ("notify me here about new tickets") and gets
 * a code; the code confirmed with the admin token registers that conversation; each new ticket is then
 * a delivery of the outbox (channel "chat") posted there — retried when the channel fails, its state on
 * the ticket — in a Bot Framework conversation (a stand-in channel) or a built-in web chat one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/server/app';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { Outbox, TicketService, TicketStore } from '../../src/tickets';
import { normaliseCode } from '../../src/tickets/postmaster-conversation';
import { eventually, getActivities, postActivity, realCoreOnce, startConversation, textOf, TEST_TOKEN_SECRET } from '../support/directline';
import { closeServer, listen } from '../support/http';

const TOKEN = 'admin-notify-token-0123456789';

/**
 * A Bot Framework channel stand-in that refuses its first `failures` posts with 403, then answers 200, and
 * remembers what it got. (A 5xx would be retried inside botbuilder's own connector client first; a 403
 * reaches the outbox at once, which is what this test is about.)
 */
class FlakyChannel {
  readonly posted: Array<{ path: string; body: Record<string, unknown>; status: number }> = [];
  url = '';
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = this.posted.length < this.failures ? 403 : 200;
      this.posted.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { id: `a${this.posted.length}` } : { error: { code: 'Forbidden', message: 'not now' } }));
    });
  });

  constructor(public failures = 0) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The texts delivered (status 200) into one conversation. */
  delivered(conversationId: string): string[] {
    return this.posted.filter((p) => p.status === 200 && p.path.includes(`/v3/conversations/${conversationId}/`)).map((p) => String(p.body.text ?? ''));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return closeServer(this.server);
  }
}

const running: Array<{ server: Server; storage: HelpdeskStorage; tickets: TicketService }> = [];
const channels: FlakyChannel[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await closeServer(r.server);
    r.storage.close();
    await r.tickets.close();
  }
  for (const c of channels.splice(0)) await c.stop();
});

async function start(): Promise<{ base: string; tickets: TicketService }> {
  const storage = memoryStorage();
  const store = new TicketStore(':memory:');
  // Short backoff so a retry happens within the test; the schedule itself is tested in notify.test.ts.
  const tickets = new TicketService(store, new Outbox(store, [], { baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 5 }));
  const env = { HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent', ADMIN_TOKEN: TOKEN, DIRECT_LINE_TOKEN_SECRET: TEST_TOKEN_SECRET };
  const { server } = createApp(loadConfig(env), { core: realCoreOnce(), storage, tickets });
  tickets.start();
  running.push({ server, storage, tickets });
  return { base: await listen(server), tickets };
}

async function channel(failures = 0): Promise<FlakyChannel> {
  const c = new FlakyChannel(failures);
  await c.start();
  channels.push(c);
  return c;
}

/** One message to /api/messages from a conversation on `serviceUrl`. */
function say(base: string, serviceUrl: string, conversationId: string, userId: string, text: string): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text, from: { id: userId, name: userId }, recipient: { id: 'bot' }, conversation: { id: conversationId }, channelId: 'test', serviceUrl }),
  });
}

function codeIn(texts: readonly string[]): string {
  const match = /\b([A-Z2-9]{4}-[A-Z2-9]{4})\b/.exec(texts.join('\n'));
  if (!match) throw new Error(`no code in ${JSON.stringify(texts)}`);
  return match[1] as string;
}

function api(base: string, method: string, body?: unknown): Promise<Response> {
  return fetch(`${base}/api/notify/conversation`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('ask in the conversation → code → confirmed with the admin token → each new ticket is posted there, its delivery on the ticket', async () => {
  const { base, tickets } = await start();
  const messages = realCoreOnce().catalog.messages;
  const pm = await channel();

  expect((await say(base, pm.url, 'pm-conv', 'postmaster-1', 'notify me here about new tickets')).status).toBe(200);
  const told = pm.delivered('pm-conv');
  expect(told.join('\n')).toContain('/api/notify/conversation');
  const code = codeIn(told);

  // Not confirmed yet: a new ticket owes the chat channel nothing.
  await say(base, pm.url, 'user-conv-1', 'user-1', 'talk to a person');
  expect(tickets.get('MAIL-00001')?.deliveries).toEqual([]);
  expect(await (await api(base, 'GET')).json()).toEqual({ conversation: null });

  expect((await api(base, 'PUT', { code: 'ZZZZ-ZZZZ' })).status).toBe(404);
  expect((await api(base, 'PUT', { code: 42 })).status).toBe(400);
  const confirmed = await api(base, 'PUT', { code: code.toLowerCase().replace('-', ' ') }); // loosely typed, still the code
  expect(confirmed.status).toBe(200);
  expect(await confirmed.json()).toEqual({
    conversation: { channelId: 'test', conversationId: 'pm-conv', userName: 'postmaster-1', registeredAt: expect.any(String) },
    confirmationDelivered: true,
  });
  expect(pm.delivered('pm-conv').at(-1)).toBe(messages.notifyRegistered);
  expect((await api(base, 'PUT', { code })).status).toBe(404); // one code, one use

  await say(base, pm.url, 'user-conv-2', 'user-2', 'talk to a person');
  const posted = await eventually(() => pm.delivered('pm-conv').find((t) => t.includes('MAIL-00002')), 10_000, 'the ticket in the postmaster conversation');
  expect(posted).toContain('**New ticket MAIL-00002**');
  expect(posted).toContain("User's words: talk to a person");
  expect(posted).toContain('From: user-2, test');
  await eventually(() => (tickets.get('MAIL-00002')?.deliveries[0]?.state === 'delivered' ? true : undefined), 10_000, 'delivered state');
  expect(tickets.get('MAIL-00002')?.deliveries).toEqual([expect.objectContaining({ channel: 'chat', state: 'delivered', attempts: 1, lastError: null })]);

  // Unregistered: new tickets owe it nothing again.
  expect(await (await api(base, 'DELETE')).json()).toEqual({ conversation: null });
  await say(base, pm.url, 'user-conv-3', 'user-3', 'talk to a person');
  expect(tickets.get('MAIL-00003')?.deliveries).toEqual([]);
});

test('the postmaster conversation down: retried with backoff, then delivered; the failure is on the ticket meanwhile', async () => {
  const { base, tickets } = await start();
  const users = await channel();
  const pm = await channel();
  await say(base, pm.url, 'pm-conv', 'postmaster-1', 'notify me here');
  expect((await api(base, 'PUT', { code: codeIn(pm.delivered('pm-conv')) })).status).toBe(200);

  pm.failures = pm.posted.length + 2; // the next two posts fail
  await say(base, users.url, 'user-conv', 'user-1', 'talk to a person');
  await eventually(() => (tickets.get('MAIL-00001')?.deliveries[0]?.state === 'delivered' ? true : undefined), 10_000, 'delivered after retries');
  const delivery = tickets.get('MAIL-00001')?.deliveries[0];
  expect(delivery).toMatchObject({ channel: 'chat', state: 'delivered', attempts: 3 });
  expect(delivery?.lastError).toBe('chat message not delivered (HTTP 403)');
  expect(pm.delivered('pm-conv').filter((t) => t.includes('MAIL-00001'))).toHaveLength(1);
  expect(pm.posted.filter((p) => p.status === 403)).toHaveLength(2);
  // Nothing else was posted there: no apology from the adapter's turn-error handler for the failed sends.
  expect(pm.posted.filter((p) => !String(p.body.text).includes('MAIL-00001'))).toHaveLength(2); // the code and "Done"
});

test('a built-in web chat conversation can be the postmaster\'s: the ticket appears in its transcript', async () => {
  const { base, tickets } = await start();
  const users = await channel();
  const c = await startConversation(base);
  await postActivity(base, c, { type: 'message', text: 'notify me here about new tickets' });
  const code = codeIn((await getActivities(base, c)).body.activities.map(textOf));
  expect(normaliseCode(code)).toBe(code);

  // Confirmed on the dashboard's form, with the session cookie.
  const login = await fetch(`${base}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const form = await fetch(`${base}/admin/notify`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `code=${code}` });
  expect(form.status).toBe(303);
  expect(form.headers.get('location')).toBe('/admin?notify=registered');
  const dashboard = await (await fetch(`${base}/admin?notify=registered`, { headers: { cookie } })).text();
  expect(dashboard).toContain('Registered: new tickets will be posted in that conversation.');
  expect(dashboard).toContain(`<code>${c.conversationId}</code>`);

  await say(base, users.url, 'user-conv', 'user-1', 'talk to a person');
  const shown = await eventually(async () => (await getActivities(base, c)).body.activities.map(textOf).find((t) => t.includes('New ticket MAIL-00001')), 10_000, 'the ticket in web chat');
  expect(shown).toContain('Severity:');
  await eventually(() => (tickets.get('MAIL-00001')?.deliveries[0]?.state === 'delivered' ? true : undefined), 10_000, 'delivered state');
});

test('a conversation whose replies come back in the request cannot be registered', async () => {
  const { base } = await start();
  const res = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'notify me here', from: { id: 'x' }, recipient: { id: 'bot' }, conversation: { id: 'curl-1' }, channelId: 'test', serviceUrl: 'http://127.0.0.1/', deliveryMode: 'expectReplies' }),
  });
  const texts = ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map((a) => a.text);
  expect(texts).toEqual([realCoreOnce().catalog.messages.notifyUnreachable]);
});

test('a postmaster reply the user\'s channel refuses is reported undelivered (not swallowed), and waits for no answer', async () => {
  const { base, tickets } = await start();
  const user = await channel();
  await say(base, user.url, 'user-conv', 'user-1', 'talk to a person');
  user.failures = user.posted.length + 1;
  const res = await fetch(`${base}/api/tickets/MAIL-00001`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'waiting-for-user', reply: 'Which device?' }),
  });
  expect(await res.json()).toMatchObject({ replyDelivered: false });
  expect(tickets.get('MAIL-00001')?.events.at(-1)).toMatchObject({ kind: 'reply', text: 'Which device?' });
  expect(tickets.get('MAIL-00001')?.events.at(-1)?.deliveredAt).toBeUndefined();
  expect(user.posted.at(-1)?.status).toBe(403); // no apology posted after it
  await say(base, user.url, 'user-conv', 'user-1', 'my laptop');
  expect(tickets.get('MAIL-00001')?.events.some((e) => e.author === 'user')).toBe(false);
});
