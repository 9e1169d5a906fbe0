/**
 * The built-in Direct Line's conversations and their activities, in watermark order. Each appended
 * activity gets the next sequence number of its conversation; its id is `<conversationId>|<seq>` (the
 * real service's shape) and the watermark a client holds is the last sequence number it has seen.
 *
 * Two stores: SQLite (`directline.sqlite` beside the bot's `state.sqlite`, so a page reloaded after a
 * restart still shows its history) and memory (STORAGE=memory, tests). Both are synchronous, so an
 * append and the push to open WebSockets happen in one step and can never reorder.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../storage/sqlite-database';
import { checkpointInBackground, type WalCheckpointer } from '../../storage/wal-checkpointer';

export const DIRECT_LINE_DB_FILE = 'directline.sqlite';
/** Most activities one GET returns; the client asks again from the new watermark for the rest. */
export const ACTIVITY_PAGE_SIZE = 100;

/** An activity as JSON, the way clients see it (ISO timestamps, no Date objects). */
export type JsonActivity = Record<string, unknown>;
export type StoredActivity = JsonActivity & { id: string };

export interface ConversationRecord {
  id: string;
  userId: string;
  userName?: string;
  locale?: string;
  /** ISO time it was started. */
  createdAt: string;
  /** Sequence number of its last activity (0: none yet). */
  lastSeq: number;
}

export interface ActivityPage {
  activities: StoredActivity[];
  /** The sequence number of the last activity returned, or the `after` given when none was. */
  watermark: number;
}

export interface ConversationStore {
  get(conversationId: string): ConversationRecord | undefined;
  /** Starts a conversation; false when one with this id exists already. */
  create(record: Omit<ConversationRecord, 'lastSeq'>): boolean;
  /** Appends in order; the activity is returned with its id. */
  append(conversationId: string, activity: JsonActivity): { seq: number; activity: StoredActivity };
  /** Activities after the watermark `after`, oldest first, at most `limit`. */
  list(conversationId: string, after: number, limit?: number): ActivityPage;
  close(): void;
}

export function activityId(conversationId: string, seq: number): string {
  return `${conversationId}|${String(seq).padStart(7, '0')}`;
}

export class UnknownConversationError extends Error {
  constructor(readonly conversationId: string) {
    super(`No conversation ${conversationId}.`);
    this.name = 'UnknownConversationError';
  }
}

export class MemoryConversationStore implements ConversationStore {
  private readonly conversations = new Map<string, { record: ConversationRecord; activities: StoredActivity[] }>();

  /** Keeps at most `maxConversations`, forgetting the least recently used ones first. */
  constructor(private readonly maxConversations = 10_000) {}

  get(conversationId: string): ConversationRecord | undefined {
    const entry = this.conversations.get(conversationId);
    return entry ? { ...entry.record } : undefined;
  }

  create(record: Omit<ConversationRecord, 'lastSeq'>): boolean {
    if (this.conversations.has(record.id)) return false;
    this.conversations.set(record.id, { record: { ...record, lastSeq: 0 }, activities: [] });
    while (this.conversations.size > this.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.conversations.delete(oldest);
    }
    return true;
  }

  append(conversationId: string, activity: JsonActivity): { seq: number; activity: StoredActivity } {
    const entry = this.touch(conversationId);
    const seq = entry.record.lastSeq + 1;
    const stored: StoredActivity = { ...activity, id: activityId(conversationId, seq) };
    entry.record.lastSeq = seq;
    entry.activities.push(JSON.parse(JSON.stringify(stored)) as StoredActivity);
    return { seq, activity: stored };
  }

  list(conversationId: string, after: number, limit = ACTIVITY_PAGE_SIZE): ActivityPage {
    const entry = this.touch(conversationId);
    // Sequence numbers start at 1 and have no gaps, so activity n sits at index n - 1.
    const activities = entry.activities.slice(Math.max(0, after), Math.max(0, after) + limit);
    return { activities, watermark: activities.length > 0 ? after + activities.length : after };
  }

  close(): void {
    this.conversations.clear();
  }

  /** The entry, moved to the back of the eviction order. */
  private touch(conversationId: string) {
    const entry = this.conversations.get(conversationId);
    if (!entry) throw new UnknownConversationError(conversationId);
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, entry);
    return entry;
  }
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE conversations (
     id         TEXT PRIMARY KEY NOT NULL,
     user_id    TEXT NOT NULL,
     user_name  TEXT,
     locale     TEXT,
     created_at TEXT NOT NULL,
     last_seq   INTEGER NOT NULL DEFAULT 0,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE activities (
     conversation_id TEXT NOT NULL,
     seq             INTEGER NOT NULL,
     body            TEXT NOT NULL,
     PRIMARY KEY (conversation_id, seq)
   ) WITHOUT ROWID;`,
];

interface ConversationRow {
  id: string;
  user_id: string;
  user_name: string | null;
  locale: string | null;
  created_at: string;
  last_seq: number;
}

export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly selectConversation: Database.Statement<[string], ConversationRow>;
  private readonly insertConversation: Database.Statement<[string, string, string | null, string | null, string, string]>;
  private readonly bumpSeq: Database.Statement<[string, string]>;
  private readonly insertActivity: Database.Statement<[string, number, string]>;
  private readonly selectActivities: Database.Statement<[string, number, number], { seq: number; body: string }>;
  private readonly checkpointer: WalCheckpointer;
  private readonly appendTx: (conversationId: string, activity: JsonActivity) => { seq: number; activity: StoredActivity };

  constructor(readonly file: string) {
    this.db = openDatabase(file, MIGRATIONS);
    this.checkpointer = checkpointInBackground(this.db);
    this.selectConversation = this.db.prepare(
      'SELECT id, user_id, user_name, locale, created_at, last_seq FROM conversations WHERE id = ?',
    );
    this.insertConversation = this.db.prepare(
      `INSERT INTO conversations (id, user_id, user_name, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    );
    this.bumpSeq = this.db.prepare('UPDATE conversations SET last_seq = last_seq + 1, updated_at = ? WHERE id = ?');
    this.insertActivity = this.db.prepare('INSERT INTO activities (conversation_id, seq, body) VALUES (?, ?, ?)');
    this.selectActivities = this.db.prepare(
      'SELECT seq, body FROM activities WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.appendTx = this.db.transaction((conversationId: string, activity: JsonActivity) => {
      if (this.bumpSeq.run(new Date().toISOString(), conversationId).changes === 0) throw new UnknownConversationError(conversationId);
      const seq = (this.selectConversation.get(conversationId) as ConversationRow).last_seq;
      const stored: StoredActivity = { ...activity, id: activityId(conversationId, seq) };
      this.insertActivity.run(conversationId, seq, JSON.stringify(stored));
      return { seq, activity: stored };
    });
  }

  get(conversationId: string): ConversationRecord | undefined {
    const row = this.selectConversation.get(conversationId);
    if (!row) return undefined;
    const record: ConversationRecord = { id: row.id, userId: row.user_id, createdAt: row.created_at, lastSeq: row.last_seq };
    if (row.user_name !== null) record.userName = row.user_name;
    if (row.locale !== null) record.locale = row.locale;
    return record;
  }

  create(record: Omit<ConversationRecord, 'lastSeq'>): boolean {
    const result = this.insertConversation.run(
      record.id,
      record.userId,
      record.userName ?? null,
      record.locale ?? null,
      record.createdAt,
      new Date().toISOString(),
    );
    return result.changes > 0;
  }

  append(conversationId: string, activity: JsonActivity): { seq: number; activity: StoredActivity } {
    return this.appendTx(conversationId, activity);
  }

  list(conversationId: string, after: number, limit = ACTIVITY_PAGE_SIZE): ActivityPage {
    if (!this.selectConversation.get(conversationId)) throw new UnknownConversationError(conversationId);
    const rows = this.selectActivities.all(conversationId, after, limit);
    const activities = rows.map((r) => JSON.parse(r.body) as StoredActivity);
    const last = rows[rows.length - 1];
    return { activities, watermark: last ? last.seq : after };
  }

  close(): void {
    if (!this.db.open) return;
    this.checkpointer.stop();
    this.db.close();
  }

}

/** The store that matches the bot's own storage: a file in DATA_DIR for `sqlite`, memory for `memory`. */
export function createConversationStore(config: { storage: 'sqlite' | 'memory'; dataDir: string }): ConversationStore {
  return config.storage === 'sqlite' ? new SqliteConversationStore(path.join(config.dataDir, DIRECT_LINE_DB_FILE)) : new MemoryConversationStore();
}
