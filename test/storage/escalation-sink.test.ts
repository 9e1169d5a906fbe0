import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryStorage } from 'botbuilder';
import type { EscalationRecord } from '../../src/engine/types';
import { ESCALATION_PREFIX, formatTicketId, StorageEscalationSink, type Requester } from '../../src/escalation';
import { emptyEntities } from '../../src/recognizer/types';
import { SqliteStorage } from '../../src/storage';

function record(problem: string): EscalationRecord {
  return {
    problem,
    category: 'login',
    severity: 'high',
    title: 'Account locked',
    reason: 'Still locked after waiting',
    userWords: 'too many password errors',
    answers: [],
    stepsTried: ['Closed every mail client'],
    entities: emptyEntities(),
    role: 'employee',
    transcript: [],
    at: '2024-05-01T10:00:00.000Z',
  };
}

const requester: Requester = { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1' };

test('ticket ids read MAIL-00001, MAIL-00002, …', () => {
  expect(formatTicketId(1)).toBe('MAIL-00001');
  expect(formatTicketId(42)).toBe('MAIL-00042');
  expect(formatTicketId(123456)).toBe('MAIL-123456');
});

test('stores each escalation under escalations/<id> with the requester', async () => {
  const storage = new MemoryStorage();
  const sink = new StorageEscalationSink(storage, () => new Date('2024-05-01T10:00:00Z'));
  expect(await sink.escalate(record('password-locked'), requester)).toEqual({ ticketId: 'MAIL-00001' });
  expect(await sink.escalate(record('bounce-554'), requester)).toEqual({ ticketId: 'MAIL-00002' });
  const items = await storage.read([`${ESCALATION_PREFIX}MAIL-00001`]);
  expect(items[`${ESCALATION_PREFIX}MAIL-00001`]).toMatchObject({
    ticketId: 'MAIL-00001',
    record: { problem: 'password-locked' },
    requester,
    createdAt: '2024-05-01T10:00:00.000Z',
  });
  expect((await sink.get('MAIL-00002'))?.record.problem).toBe('bounce-554');
  expect(await sink.get('MAIL-99999')).toBeUndefined();
});

test('concurrent escalations get distinct ids', async () => {
  const sink = new StorageEscalationSink(new MemoryStorage());
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sink.escalate(record(`p${i}`), requester)));
  const ids = results.map((r) => r.ticketId);
  expect(new Set(ids).size).toBe(20);
  expect(ids).toContain('MAIL-00020');
});

test('two sinks over the same storage (two processes) never hand out the same id', async () => {
  const storage = new MemoryStorage();
  const a = new StorageEscalationSink(storage);
  const b = new StorageEscalationSink(storage);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const [x, y] = await Promise.all([a.escalate(record('p'), requester), b.escalate(record('q'), requester)]);
    ids.push(x.ticketId, y.ticketId);
  }
  expect(new Set(ids).size).toBe(10);
});

test('the counter and the records survive a restart of the SQLite file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-sink-'));
  const file = path.join(dir, 'state.sqlite');
  try {
    const first = new SqliteStorage(file);
    await new StorageEscalationSink(first).escalate(record('password-locked'), requester);
    first.close();
    const second = new SqliteStorage(file);
    try {
      const sink = new StorageEscalationSink(second);
      expect(await sink.escalate(record('bounce-554'), requester)).toEqual({ ticketId: 'MAIL-00002' });
      expect((await sink.get('MAIL-00001'))?.record.problem).toBe('password-locked');
    } finally {
      second.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a lost counter does not reuse an id already stored', async () => {
  const storage = new MemoryStorage();
  const sink = new StorageEscalationSink(storage);
  await sink.escalate(record('a'), requester);
  await storage.delete(['escalations:counter']);
  expect(await sink.escalate(record('b'), requester)).toEqual({ ticketId: 'MAIL-00002' });
});
