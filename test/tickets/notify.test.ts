/**
 * Notifications against real local endpoints: a webhook (HTTP server on 127.0.0.1) and an SMTP server
 * (smtp-server on 127.0.0.1), including the server being down, the retry, and the delivery after it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Requester } from '../../src/escalation/types';
import { EmailNotifier, Outbox, TicketService, TicketStore, WebhookNotifier } from '../../src/tickets';
import { ticketRecord } from '../support/tickets';

const requester: Requester = { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1', email: 'li.wei@example.com' };

/** A webhook receiver whose answer the test decides. */
class WebhookReceiver {
  readonly bodies: Record<string, unknown>[] = [];
  status = 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (this.status === 200) this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(this.status, { 'content-type': 'text/plain' });
      res.end(this.status === 200 ? '1' : 'nope');
    });
  });
  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    return (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Mail {
  from: string;
  to: string[];
  data: string;
}

function smtpServer(mails: Mail[]): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
}

function listenSmtp(server: SMTPServer, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
}

/** A port nothing listens on (yet): taken from the OS, then released. */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let store: TicketStore;
let outbox: Outbox | null = null;
beforeEach(() => {
  store = new TicketStore(':memory:');
});
afterEach(async () => {
  await outbox?.stop();
  outbox = null;
  store.close();
});

test('webhook: the ticket is POSTed as JSON with a text Teams and Slack show', async () => {
  const receiver = new WebhookReceiver();
  const port = await receiver.start();
  try {
    outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${port}/hook`)], { baseDelayMs: 20 });
    const service = new TicketService(store, outbox);
    service.start();
    const { ticketId } = await service.escalate(ticketRecord(), requester);
    await waitFor(() => store.get(ticketId)?.deliveries[0]?.state === 'delivered');
    expect(receiver.bodies).toHaveLength(1);
    const body = receiver.bodies[0] as { text: string; ticket: Record<string, unknown> };
    expect(body.text).toContain('Ticket MAIL-00001: Account locked');
    expect(body.text).toContain('too many password errors');
    expect(body.text).toContain('Closed every mail client');
    expect(body.ticket).toMatchObject({ id: 'MAIL-00001', severity: 'high', problem: 'password-locked', requester: 'Li Wei' });
    expect(store.get(ticketId)?.deliveries[0]).toMatchObject({ channel: 'webhook', attempts: 1, lastError: null });
  } finally {
    await receiver.stop();
  }
});

test('webhook: server down, then an error status, then up → retried with backoff and delivered', async () => {
  const port = await freePort();
  outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${port}/hook`)], { baseDelayMs: 50, maxAttempts: 10 });
  const service = new TicketService(store, outbox);
  service.start();
  const { ticketId } = await service.escalate(ticketRecord(), requester);
  await waitFor(() => (store.get(ticketId)?.deliveries[0]?.attempts ?? 0) >= 1);
  const down = store.get(ticketId)!.deliveries[0]!;
  expect(down).toMatchObject({ state: 'pending', lastError: 'webhook unreachable (ECONNREFUSED)' });
  expect(down.lastError).not.toContain('127.0.0.1');

  const receiver = new WebhookReceiver();
  receiver.status = 503;
  await receiver.start(port);
  try {
    await waitFor(() => store.get(ticketId)?.deliveries[0]?.lastError === 'webhook answered HTTP 503');
    receiver.status = 200;
    await waitFor(() => store.get(ticketId)?.deliveries[0]?.state === 'delivered');
    expect(receiver.bodies).toHaveLength(1);
    expect(store.get(ticketId)!.deliveries[0]!.attempts).toBeGreaterThanOrEqual(3);
    expect(store.get(ticketId)?.status).toBe('open');
  } finally {
    await receiver.stop();
  }
});

test('a delivery that keeps failing is given up after maxAttempts; the ticket stays', async () => {
  const port = await freePort();
  outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${port}/hook`)], { baseDelayMs: 5, maxAttempts: 3 });
  const service = new TicketService(store, outbox);
  service.start();
  const { ticketId } = await service.escalate(ticketRecord(), requester);
  await waitFor(() => store.get(ticketId)?.deliveries[0]?.state === 'failed');
  expect(store.get(ticketId)?.deliveries[0]).toMatchObject({ state: 'failed', attempts: 3, nextAttemptAt: null });
  expect(store.get(ticketId)?.record.userWords).toBe('too many password errors');
});

test('backoff doubles from the base delay and is capped', () => {
  const o = new Outbox(store, [], { baseDelayMs: 1000, maxDelayMs: 5000 });
  expect([1, 2, 3, 4, 5].map((n) => o.backoff(n))).toEqual([1000, 2000, 4000, 5000, 5000]);
});

test('stop() clears the timer: no attempt is made after it', async () => {
  const port = await freePort();
  outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${port}/hook`)], { baseDelayMs: 30 });
  const service = new TicketService(store, outbox);
  service.start();
  const { ticketId } = await service.escalate(ticketRecord(), requester);
  await waitFor(() => (store.get(ticketId)?.deliveries[0]?.attempts ?? 0) >= 1);
  await outbox.stop();
  const attempts = store.get(ticketId)!.deliveries[0]!.attempts;
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(store.get(ticketId)!.deliveries[0]!.attempts).toBe(attempts);
});

test('pending deliveries left by a previous process are sent on start', async () => {
  const receiver = new WebhookReceiver();
  const port = await receiver.start();
  try {
    store.create({ record: ticketRecord(), requester, channels: ['webhook'] }); // stored, never sent
    outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${port}/hook`)], { baseDelayMs: 20 });
    outbox.start();
    await waitFor(() => store.get('MAIL-00001')?.deliveries[0]?.state === 'delivered');
    expect(receiver.bodies).toHaveLength(1);
  } finally {
    await receiver.stop();
  }
});

test('email: SMTP server down → retry → delivered to the postmaster with the ticket in subject and body', async () => {
  const port = await freePort();
  const mails: Mail[] = [];
  const email = new EmailNotifier({ smtpUrl: `smtp://127.0.0.1:${port}`, to: 'postmaster@example.com', from: 'helpdesk@example.com' });
  outbox = new Outbox(store, [email], { baseDelayMs: 50, maxAttempts: 10 });
  const service = new TicketService(store, outbox);
  service.start();
  const { ticketId } = await service.escalate(ticketRecord(), requester);
  await waitFor(() => (store.get(ticketId)?.deliveries[0]?.attempts ?? 0) >= 1);
  expect(store.get(ticketId)?.deliveries[0]).toMatchObject({ channel: 'email', state: 'pending', lastError: expect.stringMatching(/^email not sent \(E[A-Z]+\)$/) });

  const server = smtpServer(mails);
  await listenSmtp(server, port);
  try {
    await waitFor(() => store.get(ticketId)?.deliveries[0]?.state === 'delivered');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.from).toBe('helpdesk@example.com');
    expect(mails[0]?.to).toEqual(['postmaster@example.com']);
    expect(mails[0]?.data).toContain('Subject: [MAIL-00001] high: Account locked');
    expect(mails[0]?.data).toContain('X-Helpdesk-Ticket: MAIL-00001');
    expect(mails[0]?.data).toContain('Li Wei, li.wei@example.com, msteams');
  } finally {
    email.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('webhook and email together: each delivery has its own state', async () => {
  const receiver = new WebhookReceiver();
  const hookPort = await receiver.start();
  const mails: Mail[] = [];
  const server = smtpServer(mails);
  const smtpPort = await listenSmtp(server);
  const email = new EmailNotifier({ smtpUrl: `smtp://127.0.0.1:${smtpPort}`, to: 'postmaster@example.com', from: 'helpdesk@example.com' });
  try {
    outbox = new Outbox(store, [new WebhookNotifier(`http://127.0.0.1:${hookPort}/`), email], { baseDelayMs: 20 });
    const service = new TicketService(store, outbox);
    service.start();
    const { ticketId } = await service.escalate(ticketRecord(), requester);
    await waitFor(() => store.get(ticketId)!.deliveries.every((d) => d.state === 'delivered'));
    expect(store.get(ticketId)!.deliveries.map((d) => d.channel)).toEqual(['webhook', 'email']);
    expect(receiver.bodies).toHaveLength(1);
    expect(mails).toHaveLength(1);
  } finally {
    email.close();
    await receiver.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
