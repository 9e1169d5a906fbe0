import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Requester } from '../../src/escalation/types';
import { normaliseId, TicketService, TicketStore, TICKETS_SCHEMA_VERSION } from '../../src/tickets';
import { ticketRecord } from '../support/tickets';

const liWei: Requester = { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1', email: 'li.wei@example.com' };
const zhang: Requester = { channelId: 'msteams', userId: 'u2', userName: 'Zhang San', conversationId: 'c2' };

let store: TicketStore;
beforeEach(() => {
  let t = Date.parse('2024-05-01T10:00:00Z');
  store = new TicketStore(':memory:', () => new Date((t += 1000)));
});
afterEach(() => store.close());

test('ids are MAIL-00001, MAIL-00002, …; the ticket keeps requester, record and transcript', () => {
  expect(store.create({ record: ticketRecord(), requester: liWei, channels: [] })).toBe('MAIL-00001');
  expect(store.create({ record: ticketRecord('send-blocked', 'medium'), requester: zhang, channels: ['webhook'] })).toBe('MAIL-00002');
  const ticket = store.get('MAIL-00001');
  expect(ticket).toMatchObject({
    id: 'MAIL-00001',
    status: 'open',
    problem: 'password-locked',
    category: 'login',
    severity: 'high',
    title: 'Account locked',
    requester: liWei,
    record: { userWords: 'too many password errors', stepsTried: ['Closed every mail client'] },
    events: [{ kind: 'created', author: 'system', text: 'Still locked after waiting' }],
    deliveries: [],
  });
  expect(ticket?.record.transcript).toHaveLength(2);
  expect(store.get('MAIL-00002')?.deliveries).toEqual([
    { channel: 'webhook', state: 'pending', attempts: 0, nextAttemptAt: expect.any(String), lastError: null, deliveredAt: null },
  ]);
  expect(store.get('mail-2')?.id).toBe('MAIL-00002');
  expect(store.get('MAIL-99999')).toBeUndefined();
});

test('loose spellings of an id name the same ticket', () => {
  expect(normaliseId('mail-42')).toBe('MAIL-00042');
  expect(normaliseId(' MAIL-00042 ')).toBe('MAIL-00042');
  expect(normaliseId('MAIL42')).toBe('MAIL-00042');
  expect(normaliseId('nonsense')).toBe('nonsense');
});

test('list filters by status, problem, severity and owner, newest first', () => {
  store.create({ record: ticketRecord('password-locked', 'high'), requester: liWei, channels: [] });
  store.create({ record: ticketRecord('send-blocked', 'medium'), requester: zhang, channels: [] });
  store.create({ record: ticketRecord('send-blocked', 'high'), requester: liWei, channels: [] });
  store.addEvent('MAIL-00003', { kind: 'status', author: 'postmaster', text: 'open → resolved', status: 'resolved' });
  expect(store.list().map((t) => t.id)).toEqual(['MAIL-00003', 'MAIL-00002', 'MAIL-00001']);
  expect(store.list({ status: 'open' }).map((t) => t.id)).toEqual(['MAIL-00002', 'MAIL-00001']);
  expect(store.list({ problem: 'send-blocked' }).map((t) => t.id)).toEqual(['MAIL-00003', 'MAIL-00002']);
  expect(store.list({ severity: 'high' }).map((t) => t.id)).toEqual(['MAIL-00003', 'MAIL-00001']);
  expect(store.list({ owner: { channelId: 'msteams', userId: 'u2' } }).map((t) => t.id)).toEqual(['MAIL-00002']);
  expect(store.list({ limit: 1 })).toHaveLength(1);
});

test("waitingForUser: the owner's tickets in waiting-for-user, newest first", () => {
  for (const requester of [liWei, zhang, liWei, liWei]) store.create({ record: ticketRecord(), requester, channels: [] });
  for (const id of ['MAIL-00001', 'MAIL-00002', 'MAIL-00004']) {
    store.addEvent(id, { kind: 'status', author: 'postmaster', text: 'open → waiting-for-user', status: 'waiting-for-user' });
  }
  expect(store.waitingForUser({ channelId: 'msteams', userId: 'u1' })).toEqual(['MAIL-00004', 'MAIL-00001']);
  expect(store.waitingForUser({ channelId: 'msteams', userId: 'u2' })).toEqual(['MAIL-00002']);
  expect(store.waitingForUser({ channelId: 'webchat', userId: 'u1' })).toEqual([]);
});

test('a user reads only their own tickets', () => {
  store.create({ record: ticketRecord(), requester: liWei, channels: [] });
  expect(store.getOwned('MAIL-00001', { channelId: 'msteams', userId: 'u1' })?.id).toBe('MAIL-00001');
  expect(store.getOwned('MAIL-00001', { channelId: 'msteams', userId: 'u2' })).toBeUndefined();
  expect(store.getOwned('MAIL-00001', { channelId: 'webchat', userId: 'u1' })).toBeUndefined();
});

test('status changes and replies are events; updatedAt moves', async () => {
  const service = new TicketService(store);
  const { ticketId } = await service.escalate(ticketRecord(), liWei);
  const before = store.get(ticketId)!.updatedAt;
  const result = await service.update(ticketId, { status: 'waiting-for-user', reply: 'Which phone do you use?' });
  expect(result?.replyDelivered).toBeNull(); // no conversation reference, no messenger
  expect(result?.ticket.status).toBe('waiting-for-user');
  expect((result?.ticket.updatedAt ?? "") > before).toBe(true);
  expect(result?.ticket.events.map((e) => e.kind)).toEqual(['created', 'status', 'reply']);
  // The user's answer goes onto the ticket and puts it back with the postmaster.
  const noted = service.addUserNote({ channelId: 'msteams', userId: 'u1' }, 'An iPhone', null);
  expect(noted?.status).toBe('in-progress');
  expect(noted?.events.at(-1)).toMatchObject({ kind: 'user-note', author: 'user', text: 'An iPhone', status: 'in-progress' });
  expect(service.addUserNote({ channelId: 'msteams', userId: 'u2' }, 'sneaky', ticketId)).toBeUndefined();
  expect(await service.update('MAIL-09999', { status: 'resolved' })).toBeUndefined();
});

test('the file is created on first open with its schema version, and reopens with everything in it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-tickets-'));
  const file = path.join(dir, 'sub', 'tickets.sqlite');
  try {
    const first = new TicketStore(file);
    expect(first.schemaVersion).toBe(TICKETS_SCHEMA_VERSION);
    first.create({ record: ticketRecord(), requester: liWei, channels: ['email'] });
    first.close();
    const second = new TicketStore(file);
    try {
      expect(second.get('MAIL-00001')?.record.transcript).toHaveLength(2);
      expect(second.dueDeliveries()).toHaveLength(1);
      expect(second.create({ record: ticketRecord(), requester: zhang, channels: [] })).toBe('MAIL-00002');
    } finally {
      second.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('numbering continues after the ids the older storage-backed sink handed out', async () => {
  const { MemoryStorage } = await import('botbuilder');
  const { StorageEscalationSink } = await import('../../src/escalation');
  const { continueLegacyNumbering } = await import('../../src/tickets/legacy');
  const legacy = new MemoryStorage();
  const old = new StorageEscalationSink(legacy);
  await old.escalate(ticketRecord(), liWei);
  await old.escalate(ticketRecord(), liWei);
  await continueLegacyNumbering(legacy, store);
  expect(store.create({ record: ticketRecord(), requester: liWei, channels: [] })).toBe('MAIL-00003');
  await continueLegacyNumbering(new MemoryStorage(), store); // nothing there: no change
  expect(store.create({ record: ticketRecord(), requester: liWei, channels: [] })).toBe('MAIL-00004');
});
