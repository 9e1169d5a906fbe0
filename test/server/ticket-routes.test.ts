/**
 * /api/tickets on the real app over HTTP on 127.0.0.1: the admin token on every route (none configured →
 * 404, missing or wrong → 401), filters, status changes and replies, and a whole ticket lifecycle
 * through the bot's own endpoint (/api/messages).
 */
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import type { Requester } from '../../src/escalation/types';
import { CaptureChannel, postMessage } from '../support/http';
import { ticketRecord } from '../support/tickets';
import { useTicketApp, type TicketApp } from '../support/ticket-app';

const TOKEN = 'admin-test-token-0123456789';
const requester: Requester = { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1' };

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

const startApp = useTicketApp(() => core);
const start = (env: Record<string, string> = { ADMIN_TOKEN: TOKEN }): Promise<TicketApp> => startApp(env);

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

// Every row has three entries: jest hands a shorter row's callback a `done` in the body's place.
const ROUTES: Array<[string, string, unknown]> = [
  ['GET', '/api/tickets', undefined],
  ['GET', '/api/tickets?status=open', undefined],
  ['GET', '/api/tickets/MAIL-00001', undefined],
  ['PATCH', '/api/tickets/MAIL-00001', { status: 'resolved' }],
];

describe('auth on every route', () => {
  test.each(ROUTES)('%s %s: no token or a wrong one → 401, the right one → 200', async (method, path, body) => {
    const { base, tickets } = await start();
    await tickets.escalate(ticketRecord(), requester);
    for (const token of [null, '', 'wrong-token-0123456789', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await call(base, method, path, { token, body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    }
    // Basic, not Bearer, with the right secret is still refused.
    const basic = await fetch(`${base}${path}`, { method, headers: { authorization: `Basic ${TOKEN}` } });
    expect(basic.status).toBe(401);
    expect((await call(base, method, path, { body })).status).toBe(200);
    // Nothing was changed by the refused requests.
    if (method === 'PATCH') expect(tickets.get('MAIL-00001')?.events.filter((e) => e.kind === 'status')).toHaveLength(1);
  });

  test.each(ROUTES)('%s %s: with no ADMIN_TOKEN configured the route is disabled (404), even with a token', async (method, path, body) => {
    const { base, tickets } = await start({});
    await tickets.escalate(ticketRecord(), requester);
    expect((await call(base, method, path, { token: null, body })).status).toBe(404);
    expect((await call(base, method, path, { body })).status).toBe(404);
    expect(tickets.get('MAIL-00001')?.status).toBe('open');
  });
});

test('GET /api/tickets filters by status, problem and severity; bad filters are 400', async () => {
  const { base, tickets } = await start();
  await tickets.escalate(ticketRecord('password-locked', 'high'), requester);
  await tickets.escalate(ticketRecord('send-blocked', 'medium'), requester);
  await tickets.update('MAIL-00002', { status: 'in-progress' });
  const ids = async (query: string) => ((await call(base, 'GET', `/api/tickets${query}`)).body.tickets as Array<{ id: string }>).map((t) => t.id);
  expect(await ids('')).toEqual(['MAIL-00002', 'MAIL-00001']);
  expect(await ids('?status=in-progress')).toEqual(['MAIL-00002']);
  expect(await ids('?problem=password-locked')).toEqual(['MAIL-00001']);
  expect(await ids('?severity=medium&status=in-progress')).toEqual(['MAIL-00002']);
  expect(await ids('?severity=low')).toEqual([]);
  expect((await call(base, 'GET', '/api/tickets?status=closed')).status).toBe(400);
  expect((await call(base, 'GET', '/api/tickets?limit=0')).status).toBe(400);
});

test('GET one ticket: everything the postmaster needs; an unknown id is 404', async () => {
  const { base, tickets } = await start();
  await tickets.escalate(ticketRecord(), requester);
  const res = await call(base, 'GET', '/api/tickets/mail-1');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    id: 'MAIL-00001',
    status: 'open',
    requester: { userName: 'Li Wei' },
    record: { userWords: 'too many password errors', stepsTried: ['Closed every mail client'], transcript: expect.any(Array) },
    events: [{ kind: 'created' }],
    deliveries: [],
  });
  expect((await call(base, 'GET', '/api/tickets/MAIL-00404')).status).toBe(404);
});

test('PATCH: status and reply; bad bodies are 400; unknown ticket 404', async () => {
  const { base, tickets } = await start();
  await tickets.escalate(ticketRecord(), requester);
  const res = await call(base, 'PATCH', '/api/tickets/MAIL-00001', { body: { status: 'waiting-for-user', reply: 'Which phone?' } });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ ticket: { status: 'waiting-for-user' }, replyDelivered: null });
  expect((res.body.ticket as { events: Array<{ kind: string }> }).events.map((e) => e.kind)).toEqual(['created', 'status', 'reply']);
  for (const body of [{}, { status: 'closed' }, { reply: '' }, { reply: 42 }, [], { reply: 'x'.repeat(10_001) }]) {
    expect((await call(base, 'PATCH', '/api/tickets/MAIL-00001', { body })).status).toBe(400);
  }
  expect((await call(base, 'PATCH', '/api/tickets/MAIL-00404', { body: { status: 'resolved' } })).status).toBe(404);
});

test('lifecycle through the bot endpoint: "talk to a person" → ticket told after it is stored → postmaster resolves it', async () => {
  const { base, tickets } = await start();
  const post = async (text: string) => {
    const res = await postMessage(base, { conversationId: 'lifecycle-1', userId: 'user-7', userName: 'Wang Fang', text });
    expect(res.status).toBe(200);
    return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map((a) => a.text ?? '');
  };
  const replies = await post('talk to a person');
  const told = replies.find((t) => /MAIL-\d{5}/.test(t));
  expect(told).toBe('Your ticket number is MAIL-00001.');
  const stored = tickets.get('MAIL-00001');
  expect(stored?.requester).toMatchObject({ channelId: 'test', userId: 'user-7', userName: 'Wang Fang', conversationId: 'lifecycle-1' });
  expect(stored?.record.transcript.some((l) => l.text === 'talk to a person')).toBe(true);

  expect((await post('my tickets')).join('\n')).toContain('MAIL-00001');
  await call(base, 'PATCH', '/api/tickets/MAIL-00001', { body: { status: 'resolved', reply: 'Unlocked your account.' } });
  const status = (await post('status of MAIL-00001?')).join('\n');
  expect(status).toContain(core.catalog.messages.ticketStatuses.resolved);
  expect(status).toContain('Unlocked your account.');
});

test('a postmaster reply reaches the user\'s conversation proactively; the user\'s answer goes onto the ticket', async () => {
  const channel = new CaptureChannel();
  const serviceUrl = await channel.start();
  try {
    const { base, tickets } = await start();
    const send = (text: string) =>
      fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          text,
          from: { id: 'user-9', name: 'Liu Yang' },
          recipient: { id: 'bot' },
          conversation: { id: 'proactive-1' },
          channelId: 'test',
          serviceUrl,
        }),
      });
    expect((await send('talk to a person')).status).toBe(200);
    expect(channel.activities().map((a) => a.text)).toContain('Your ticket number is MAIL-00001.');
    channel.requests.length = 0;

    const res = await call(base, 'PATCH', '/api/tickets/MAIL-00001', { body: { status: 'waiting-for-user', reply: 'Does it happen on your phone too?' } });
    expect(res.body).toMatchObject({ replyDelivered: true, ticket: { status: 'waiting-for-user' } });
    const posted = channel.requests.filter((r) => r.method === 'POST');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.path).toContain('/v3/conversations/proactive-1/activities');
    expect(String(posted[0]?.body.text)).toContain('Does it happen on your phone too?');
    expect(String(posted[0]?.body.text)).toContain('MAIL-00001');

    expect((await send('add to my ticket: yes, on my phone too')).status).toBe(200);
    const ticket = tickets.get('MAIL-00001');
    expect(ticket?.events.at(-1)).toMatchObject({ kind: 'user-note', author: 'user', text: 'yes, on my phone too' });
    expect(ticket?.status).toBe('in-progress');
  } finally {
    await channel.stop();
  }
});

test('with authentication off, a stored reference to another host is not written to', async () => {
  const { base, tickets } = await start();
  await tickets.escalate(ticketRecord(), requester, { conversationRef: { serviceUrl: 'https://smba.example.net/', conversation: { id: 'c1' }, channelId: 'msteams' } });
  const res = await call(base, 'PATCH', '/api/tickets/MAIL-00001', { body: { reply: 'hello' } });
  expect(res.body).toMatchObject({ replyDelivered: false });
  expect(tickets.get('MAIL-00001')?.events.at(-1)).toMatchObject({ kind: 'reply', text: 'hello' });
});
