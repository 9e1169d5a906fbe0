import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStorage, type Storage } from 'botbuilder';
import { createStorage, SqliteStorage, StorageETagConflictError, STATE_FILE } from '../../src/storage';
import { SQLITE_SCHEMA_VERSION } from '../../src/storage/sqlite-storage';

let dir: string;
const open: SqliteStorage[] = [];

function openStorage(file = path.join(dir, STATE_FILE)): SqliteStorage {
  const storage = new SqliteStorage(file);
  open.push(storage);
  return storage;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-storage-'));
});

afterEach(() => {
  for (const storage of open.splice(0)) storage.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStorage', () => {
  test('reads what it wrote, with an eTag, and nothing for unknown keys', async () => {
    const storage = openStorage();
    await storage.write({ a: { n: 1, nested: { list: [1, 'two'] } }, b: { text: '你好 ✓' } });
    const items = await storage.read(['a', 'b', 'missing']);
    expect(Object.keys(items).sort()).toEqual(['a', 'b']);
    expect(items['a']).toMatchObject({ n: 1, nested: { list: [1, 'two'] } });
    expect(items['b']).toMatchObject({ text: '你好 ✓' });
    expect(typeof items['a'].eTag).toBe('string');
    expect(items['a'].eTag).not.toBe(items['b'].eTag);
  });

  test('a write changes the eTag; the stored value does not keep the eTag it was written with', async () => {
    const storage = openStorage();
    await storage.write({ k: { v: 1 } });
    const first = (await storage.read(['k']))['k'];
    await storage.write({ k: { v: 2, eTag: first.eTag } });
    const second = (await storage.read(['k']))['k'];
    expect(second.v).toBe(2);
    expect(second.eTag).not.toBe(first.eTag);
  });

  test('a stale eTag is a conflict and leaves the item unchanged', async () => {
    const storage = openStorage();
    await storage.write({ k: { v: 1 } });
    const stale = (await storage.read(['k']))['k'].eTag;
    await storage.write({ k: { v: 2, eTag: stale } });
    await expect(storage.write({ k: { v: 3, eTag: stale } })).rejects.toThrow(StorageETagConflictError);
    await expect(storage.write({ k: { v: 3, eTag: stale } })).rejects.toThrow(/eTag conflict/);
    expect((await storage.read(['k']))['k'].v).toBe(2);
  });

  test("'*' and a missing eTag overwrite whatever is stored", async () => {
    const storage = openStorage();
    await storage.write({ k: { v: 1 } });
    await storage.write({ k: { v: 2, eTag: '*' } });
    expect((await storage.read(['k']))['k'].v).toBe(2);
    await storage.write({ k: { v: 3 } });
    expect((await storage.read(['k']))['k'].v).toBe(3);
  });

  test('an eTag for an item that does not exist yet creates it (as MemoryStorage does)', async () => {
    const storage = openStorage();
    await storage.write({ fresh: { v: 1, eTag: 'whatever' } });
    expect((await storage.read(['fresh']))['fresh'].v).toBe(1);
  });

  test('one write is all or nothing: a conflict on one key writes none of them', async () => {
    const storage = openStorage();
    await storage.write({ k: { v: 1 } });
    const stale = (await storage.read(['k']))['k'].eTag;
    await storage.write({ k: { v: 2 } });
    await expect(storage.write({ other: { v: 9 }, k: { v: 3, eTag: stale } })).rejects.toThrow(/eTag conflict/);
    expect(await storage.read(['other'])).toEqual({});
  });

  test('delete removes items and ignores unknown keys', async () => {
    const storage = openStorage();
    await storage.write({ a: { v: 1 }, b: { v: 2 } });
    await storage.delete(['a', 'never-there']);
    const items = await storage.read(['a', 'b']);
    expect(Object.keys(items)).toEqual(['b']);
  });

  test('data survives closing and reopening the file', async () => {
    const file = path.join(dir, 'nested', 'dir', STATE_FILE);
    const first = new SqliteStorage(file);
    await first.write({ 'conv/1': { step: 'ask-clients', answers: ['yes'] } });
    const eTag = (await first.read(['conv/1']))['conv/1'].eTag;
    first.close();

    const second = openStorage(file);
    const item = (await second.read(['conv/1']))['conv/1'];
    expect(item).toMatchObject({ step: 'ask-clients', answers: ['yes'], eTag });
    // The eTag is part of what was stored, so optimistic concurrency holds across a restart too.
    await second.write({ 'conv/1': { step: 'next', eTag } });
    await expect(second.write({ 'conv/1': { step: 'lost', eTag } })).rejects.toThrow(/eTag conflict/);
  });

  test('the file is in WAL mode with a versioned schema', async () => {
    const file = path.join(dir, STATE_FILE);
    const storage = openStorage(file);
    expect(storage.schemaVersion).toBe(SQLITE_SCHEMA_VERSION);
    storage.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  test('refuses a file written by a newer schema instead of guessing', () => {
    const file = path.join(dir, STATE_FILE);
    const db = new Database(file);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStorage(file)).toThrow(/newer/);
  });

  test('ping answers true while open and false after close', async () => {
    const storage = openStorage();
    await expect(storage.ping()).resolves.toBe(true);
    storage.close();
    await expect(storage.ping()).resolves.toBe(false);
  });

  test('behaves like MemoryStorage on the same sequence of calls', async () => {
    const run = async (storage: Storage) => {
      const log: unknown[] = [];
      await storage.write({ a: { v: 1 } });
      const a = (await storage.read(['a']))['a'];
      await storage.write({ a: { v: 2, eTag: a.eTag } });
      log.push(await storage.write({ a: { v: 3, eTag: a.eTag } }).then(() => 'ok', () => 'conflict'));
      await storage.write({ a: { v: 4, eTag: '*' } });
      await storage.delete(['a']);
      log.push(Object.keys(await storage.read(['a'])));
      return log;
    };
    expect(await run(openStorage())).toEqual(await run(new MemoryStorage()));
  });
});

describe('SqliteStorage group commit', () => {
  test('the writes and deletes of one event-loop turn commit in one transaction, each call all or nothing', async () => {
    const file = path.join(dir, STATE_FILE);
    const storage = openStorage(file);
    await storage.write({ k: { v: 1 }, gone: { v: 0 } });
    const stale = (await storage.read(['k']))['k'].eTag;
    await storage.write({ k: { v: 2 } });

    const other = new Database(file, { readonly: true });
    try {
      const before = other.pragma('data_version', { simple: true }) as number;
      const results = await Promise.allSettled([
        storage.write({ a: { v: 1 } }),
        storage.write({ b: { v: 1 }, k: { v: 3, eTag: stale } }),
        storage.delete(['gone']),
        storage.write({ c: { v: 1 } }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/eTag conflict/);
      // data_version moves once for each transaction another connection commits.
      expect(other.pragma('data_version', { simple: true })).toBe(before + 1);
    } finally {
      other.close();
    }
    const items = await storage.read(['a', 'b', 'c', 'k', 'gone']);
    expect(Object.keys(items).sort()).toEqual(['a', 'c', 'k']);
    expect(items['k'].v).toBe(2);
  });

  test('calls apply in the order they were made: a later eTag check sees an earlier write of the same turn', async () => {
    const storage = openStorage();
    await storage.write({ k: { v: 1 } });
    const eTag = (await storage.read(['k']))['k'].eTag;
    const first = storage.write({ k: { v: 2, eTag } });
    const second = storage.write({ k: { v: 3, eTag } });
    const deleted = storage.write({ d: { v: 1 } }).then(() => 'written');
    const removal = storage.delete(['d']);
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow(StorageETagConflictError);
    await Promise.all([deleted, removal]);
    expect((await storage.read(['k']))['k'].v).toBe(2);
    expect(await storage.read(['d'])).toEqual({});
  });

  test('a read sees a write that is still waiting for its commit', async () => {
    const storage = openStorage();
    const writing = storage.write({ k: { v: 1 } });
    expect((await storage.read(['k']))['k'].v).toBe(1);
    await writing;
  });

  test('the value is taken when write is called: changing the object afterwards does not change what is stored', async () => {
    const storage = openStorage();
    const item = { v: 1 };
    const writing = storage.write({ k: item });
    item.v = 2;
    await writing;
    expect((await storage.read(['k']))['k'].v).toBe(1);
  });

  test('close commits what is waiting; later calls are refused', async () => {
    const file = path.join(dir, STATE_FILE);
    const storage = new SqliteStorage(file);
    const writing = storage.write({ k: { v: 1 } });
    storage.close();
    await expect(writing).resolves.toBeUndefined();
    await expect(storage.write({ k: { v: 2 } })).rejects.toThrow(/not open/);
    expect((await openStorage(file).read(['k']))['k'].v).toBe(1);
  });

  test('a value JSON cannot hold is refused at once, without failing the other calls', async () => {
    const storage = openStorage();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const ok = storage.write({ fine: { v: 1 } });
    await expect(storage.write({ bad: circular })).rejects.toThrow(/circular/i);
    await ok;
    expect(Object.keys(await storage.read(['fine', 'bad']))).toEqual(['fine']);
  });
});

describe('createStorage', () => {
  test('sqlite by default, in DATA_DIR/state.sqlite', async () => {
    const store = createStorage({ storage: 'sqlite', dataDir: dir });
    try {
      expect(store.kind).toBe('sqlite');
      await store.storage.write({ k: { v: 1 } });
      await expect(store.ping()).resolves.toBe(true);
      expect(fs.existsSync(path.join(dir, STATE_FILE))).toBe(true);
    } finally {
      store.close();
    }
  });

  test('memory when configured', async () => {
    const store = createStorage({ storage: 'memory', dataDir: dir });
    expect(store.kind).toBe('memory');
    expect(store.storage).toBeInstanceOf(MemoryStorage);
    await expect(store.ping()).resolves.toBe(true);
    store.close();
    expect(fs.existsSync(path.join(dir, STATE_FILE))).toBe(false);
  });
});
