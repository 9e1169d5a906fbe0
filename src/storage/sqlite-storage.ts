/**
 * A botbuilder `Storage` kept in one SQLite file, so conversation state and escalations survive a restart.
 *
 * Semantics follow botbuilder's MemoryStorage: `read` returns each stored item with its current `eTag`;
 * `write` replaces an item when the given `eTag` is `'*'`, missing, or equal to the stored one, and
 * otherwise throws an eTag conflict. Unlike MemoryStorage, one `write` call is all or nothing: when any
 * item conflicts, none of them is written.
 *
 * Group commit: the writes and deletes called during one turn of the event loop are committed together,
 * in one SQLite transaction, just after it (each call in its own savepoint, so a conflict still rejects
 * only its own call, and the calls apply in the order they were made). A commit costs far more than the
 * rows in it (the WAL frames it appends; the checkpoints that copy them into the file run on a worker
 * thread, wal-checkpointer.ts), and a busy server finishes several turns in one loop turn. A call's promise
 * resolves only once its transaction has committed, so whatever is told to the user after `await write()`
 * is in the file: the WAL runs with `synchronous = NORMAL` (sqlite-database.ts), where a commit is durable
 * against the process dying (SIGKILL, a crash) as soon as it returns, and the last commits can be lost only
 * if the whole machine loses power or the OS crashes before it syncs the WAL. A `read` of a key with a write
 * still waiting commits the waiting calls first, so every read sees every write made before it.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';
import { openDatabase } from './sqlite-database';
import { checkpointInBackground, type WalCheckpointer } from './wal-checkpointer';
import type { Storage, StoreItems } from 'botbuilder';

/** Schema migrations, applied in order; `PRAGMA user_version` holds how many have run. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS items (
     key        TEXT PRIMARY KEY NOT NULL,
     value      TEXT NOT NULL,
     etag       TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID`,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

export class StorageETagConflictError extends Error {
  constructor(readonly key: string) {
    super(`Storage: error writing "${key}" due to eTag conflict.`);
    this.name = 'StorageETagConflictError';
  }
}

interface Row {
  key: string;
  value: string;
  etag: string;
}

/** An item of a write, serialized when `write` is called; `eTag` only when it must match the stored one. */
interface RowToWrite {
  key: string;
  json: string;
  eTag?: string;
}

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string], Row>;
  private readonly selectEtag: Database.Statement<[string], { etag: string }>;
  private readonly upsert: Database.Statement<[string, string, string, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly applyWrite: (rows: readonly RowToWrite[]) => void;
  private readonly applyDelete: (keys: readonly string[]) => void;
  /** Writes and deletes waiting for the next group commit, and the keys they touch. */
  private readonly group: GroupCommit;
  private pendingKeys = new Set<string>();
  private readonly checkpointer: WalCheckpointer;

  /** Opens (and creates when needed) the database file; `':memory:'` gives a private in-memory database. */
  constructor(readonly file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    this.checkpointer = checkpointInBackground(this.db);

    this.selectOne = this.db.prepare('SELECT key, value, etag FROM items WHERE key = ?');
    this.selectEtag = this.db.prepare('SELECT etag FROM items WHERE key = ?');
    this.upsert = this.db.prepare(
      `INSERT INTO items (key, value, etag, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at`,
    );
    this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
    // Nested in the group's transaction, each of these runs in a savepoint: it undoes itself when it throws.
    this.applyWrite = this.db.transaction((rows: readonly RowToWrite[]) => {
      const now = new Date().toISOString();
      for (const { key, json, eTag } of rows) {
        if (eTag !== undefined) {
          const current = this.selectEtag.get(key);
          if (current && current.etag !== eTag) throw new StorageETagConflictError(key);
        }
        this.upsert.run(key, json, randomUUID(), now);
      }
    });
    this.applyDelete = this.db.transaction((keys: readonly string[]) => {
      for (const key of keys) this.remove.run(key);
    });
    this.group = new GroupCommit(this.db, () => (this.pendingKeys = new Set()));
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    if (this.pendingKeys.size > 0 && keys.some((key) => this.pendingKeys.has(key))) this.group.flush();
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.selectOne.get(key);
      if (row) items[key] = { ...(JSON.parse(row.value) as Record<string, unknown>), eTag: row.etag };
    }
    return items;
  }

  write(changes: StoreItems): Promise<void> {
    if (!changes) return Promise.reject(new ReferenceError('Changes are required when writing.'));
    // Serialized now, so the caller may change its objects as soon as this returns (as with MemoryStorage).
    let rows: RowToWrite[];
    try {
      rows = Object.entries(changes).map(([key, item]) => {
        const { eTag, ...value } = (item ?? {}) as { eTag?: unknown } & Record<string, unknown>;
        const row: RowToWrite = { key, json: JSON.stringify(value) };
        if (typeof eTag === 'string' && eTag !== '' && eTag !== '*') row.eTag = eTag;
        return row;
      });
    } catch (err) {
      return Promise.reject(err);
    }
    return this.enqueue(
      rows.map((r) => r.key),
      () => this.applyWrite(rows),
    );
  }

  delete(keys: string[]): Promise<void> {
    if (!keys) return Promise.reject(new ReferenceError('Keys are required when deleting.'));
    const copy = [...keys];
    return this.enqueue(copy, () => this.applyDelete(copy));
  }

  private enqueue(keys: readonly string[], apply: () => void): Promise<void> {
    const committed = this.group.add(apply);
    for (const key of keys) this.pendingKeys.add(key);
    return committed;
  }

  /** True when the database answers a trivial query (for the health check). */
  async ping(): Promise<boolean> {
    try {
      return this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Commits the waiting writes, then closes the file. */
  close(): void {
    if (!this.db.open) return;
    this.group.flush();
    this.checkpointer.stop();
    this.db.close();
  }

}
