/**
 * A botbuilder `Storage` kept in one SQLite file, so conversation state and escalations survive a restart.
 *
 * Semantics follow botbuilder's MemoryStorage: `read` returns each stored item with its current `eTag`;
 * `write` replaces an item when the given `eTag` is `'*'`, missing, or equal to the stored one, and
 * otherwise throws an eTag conflict. Unlike MemoryStorage, one `write` call is one transaction: when any
 * item conflicts, none of them is written.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openDatabase } from './sqlite-database';
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

export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly selectOne: Database.Statement<[string], Row>;
  private readonly selectEtag: Database.Statement<[string], { etag: string }>;
  private readonly upsert: Database.Statement<[string, string, string, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly writeAll: (changes: StoreItems) => void;

  /** Opens (and creates when needed) the database file; `':memory:'` gives a private in-memory database. */
  constructor(readonly file: string) {
    this.db = openDatabase(file, MIGRATIONS);

    this.selectOne = this.db.prepare('SELECT key, value, etag FROM items WHERE key = ?');
    this.selectEtag = this.db.prepare('SELECT etag FROM items WHERE key = ?');
    this.upsert = this.db.prepare(
      `INSERT INTO items (key, value, etag, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, etag = excluded.etag, updated_at = excluded.updated_at`,
    );
    this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
    this.writeAll = this.db.transaction((changes: StoreItems) => {
      const now = new Date().toISOString();
      for (const [key, item] of Object.entries(changes)) {
        const { eTag, ...value } = (item ?? {}) as { eTag?: unknown } & Record<string, unknown>;
        if (typeof eTag === 'string' && eTag !== '' && eTag !== '*') {
          const current = this.selectEtag.get(key);
          if (current && current.etag !== eTag) throw new StorageETagConflictError(key);
        }
        this.upsert.run(key, JSON.stringify(value), randomUUID(), now);
      }
    });
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.selectOne.get(key);
      if (row) items[key] = { ...(JSON.parse(row.value) as Record<string, unknown>), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    this.writeAll(changes);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    const run = this.db.transaction((ks: string[]) => {
      for (const key of ks) this.remove.run(key);
    });
    run(keys);
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

  close(): void {
    if (this.db.open) this.db.close();
  }

}
