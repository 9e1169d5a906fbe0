/**
 * Tickets in an embedded SQLite file (`DATA_DIR/tickets.sqlite`). A ticket, its first event, its id and
 * one pending delivery per notification channel are written in one transaction: the id the user is told
 * exists only once all of it is on disk, and a notification owed is never lost to a crash (the outbox
 * finds the pending rows again after a restart).
 */
import type Database from 'better-sqlite3';
import type { EscalationRecord } from '../engine/types';
import type { Requester } from '../escalation/types';
import { formatTicketId } from '../escalation/storage-sink';
import { GroupCommit } from '../storage/group-commit';
import { openDatabase } from '../storage/sqlite-database';
import { checkpointInBackground, type WalCheckpointer } from '../storage/wal-checkpointer';
import type { Delivery, DeliveryState, Ticket, TicketEvent, TicketFilter, TicketOwner, TicketStatus, TicketSummary } from './types';

/** Schema migrations, applied in order by openDatabase; never edit one that has shipped, add another. */
export const TICKETS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ticket_counter (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
   INSERT INTO ticket_counter (id, last) VALUES (1, 0);
   CREATE TABLE tickets (
     id               TEXT PRIMARY KEY NOT NULL,
     seq              INTEGER NOT NULL UNIQUE,
     status           TEXT NOT NULL,
     problem          TEXT,
     category         TEXT,
     severity         TEXT NOT NULL,
     title            TEXT NOT NULL,
     channel_id       TEXT NOT NULL,
     user_id          TEXT NOT NULL,
     user_name        TEXT NOT NULL,
     requester        TEXT NOT NULL,
     record           TEXT NOT NULL,
     conversation_ref TEXT,
     created_at       TEXT NOT NULL,
     updated_at       TEXT NOT NULL
   );
   CREATE INDEX tickets_owner ON tickets (channel_id, user_id, seq);
   CREATE INDEX tickets_status ON tickets (status, seq);
   CREATE TABLE ticket_events (
     id        INTEGER PRIMARY KEY AUTOINCREMENT,
     ticket_id TEXT NOT NULL REFERENCES tickets (id),
     at        TEXT NOT NULL,
     kind      TEXT NOT NULL,
     author    TEXT NOT NULL,
     text      TEXT NOT NULL,
     status    TEXT
   );
   CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
   CREATE TABLE deliveries (
     id              INTEGER PRIMARY KEY AUTOINCREMENT,
     ticket_id       TEXT NOT NULL REFERENCES tickets (id),
     channel         TEXT NOT NULL,
     state           TEXT NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT,
     last_error      TEXT,
     delivered_at    TEXT,
     UNIQUE (ticket_id, channel)
   );
   CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);`,
  // What the helpdesk numbers are counted from: one row per flow started and per engine event.
  `CREATE TABLE conversation_events (
     id              INTEGER PRIMARY KEY AUTOINCREMENT,
     at              TEXT NOT NULL,
     type            TEXT NOT NULL,
     problem         TEXT,
     channel_id      TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     text            TEXT
   );
   CREATE INDEX conversation_events_at ON conversation_events (at);`,
  // The optional 1–5 rating given after a resolved flow.
  `CREATE TABLE ratings (
     id              INTEGER PRIMARY KEY AUTOINCREMENT,
     at              TEXT NOT NULL,
     problem         TEXT,
     rating          INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
     channel_id      TEXT NOT NULL,
     conversation_id TEXT NOT NULL
   );
   CREATE INDEX ratings_at ON ratings (at);`,
  // When a postmaster's reply reached the user's conversation (the user's next message may then be the answer).
  `ALTER TABLE ticket_events ADD COLUMN delivered_at TEXT;`,
  // The postmaster's own conversation (Teams, web chat, …) that gets new tickets, and the codes that register one.
  `CREATE TABLE notify_conversation (
     id               INTEGER PRIMARY KEY CHECK (id = 1),
     conversation_ref TEXT NOT NULL,
     channel_id       TEXT NOT NULL,
     conversation_id  TEXT NOT NULL,
     user_name        TEXT NOT NULL,
     registered_at    TEXT NOT NULL
   );
   CREATE TABLE notify_pairings (
     code_hash        TEXT PRIMARY KEY NOT NULL,
     conversation_ref TEXT NOT NULL,
     channel_id       TEXT NOT NULL,
     conversation_id  TEXT NOT NULL,
     user_name        TEXT NOT NULL,
     expires_at       TEXT NOT NULL
   );`,
];

export const TICKETS_SCHEMA_VERSION = TICKETS_MIGRATIONS.length;

/** The most tickets waiting for one user's answer that `waitingForUser` returns. */
export const WAITING_FOR_USER_LIMIT = 20;

interface TicketRow {
  id: string;
  status: TicketStatus;
  problem: string | null;
  category: string | null;
  severity: string;
  title: string;
  channel_id: string;
  user_id: string;
  user_name: string;
  requester: string;
  record: string;
  conversation_ref: string | null;
  created_at: string;
  updated_at: string;
}

interface EventRow {
  at: string;
  kind: TicketEvent['kind'];
  author: TicketEvent['author'];
  text: string;
  status: TicketStatus | null;
  delivered_at: string | null;
}

interface DeliveryRow {
  id: number;
  ticket_id: string;
  channel: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

/** A delivery the outbox should attempt now. */
export interface DueDelivery {
  id: number;
  ticketId: string;
  channel: string;
  attempts: number;
}

/** A flow started, or an engine event, in one conversation. */
export interface ConversationEvent {
  type: 'started' | 'resolved' | 'escalated' | 'abandoned' | 'unrecognized';
  problem?: string | null;
  channelId: string;
  conversationId: string;
  /** The user's words, for `unrecognized`. */
  text?: string | null;
}

export interface StoredConversationEvent extends ConversationEvent {
  at: string;
}

/** A user's 1–5 answer to "How helpful was this?" after a resolved flow. */
export interface Rating {
  problem: string | null;
  rating: number;
  channelId: string;
  conversationId: string;
}

export interface StoredRating extends Rating {
  at: string;
}

/** A conversation the postmaster registered for new tickets (or asked to register, while pairing). */
export interface NotifyConversation {
  conversationRef: Record<string, unknown>;
  channelId: string;
  conversationId: string;
  /** Who asked for it in the conversation, as the channel names them. */
  userName: string;
}

export interface RegisteredNotifyConversation extends NotifyConversation {
  registeredAt: string;
}

export interface NewTicket {
  record: EscalationRecord;
  requester: Requester;
  /** The notification channels to owe a delivery to (one pending row each). */
  channels: readonly string[];
  /** Where to reach the user later (a botbuilder ConversationReference, as plain JSON). */
  conversationRef?: Record<string, unknown>;
}

export class TicketStore {
  private readonly db: Database.Database;
  /** Prepared statements by SQL text (a fixed, small set: every query below, list's filter combinations). */
  private readonly statements = new Map<string, Database.Statement>();
  /** Conversation records waiting for their group commit (recordConversation). */
  private readonly records: GroupCommit;
  private readonly checkpointer: WalCheckpointer;
  /** One turn's conversation events and ratings, in one transaction (a savepoint inside another). */
  private readonly insertConversationRows: (at: string, events: readonly ConversationEvent[], ratings: readonly Rating[]) => void;

  /** Opens (and creates or migrates) the file; `':memory:'` for a private in-memory store. */
  constructor(readonly file: string, private readonly now: () => Date = () => new Date()) {
    this.db = openDatabase(file, TICKETS_MIGRATIONS);
    this.checkpointer = checkpointInBackground(this.db);
    // Built once: a better-sqlite3 transaction function costs a few KB to make.
    this.insertConversationRows = this.db.transaction((at: string, events: readonly ConversationEvent[], ratings: readonly Rating[]) => {
      const insertEvent = this.sql('INSERT INTO conversation_events (at, type, problem, channel_id, conversation_id, text) VALUES (?, ?, ?, ?, ?, ?)');
      const insertRating = this.sql('INSERT INTO ratings (at, problem, rating, channel_id, conversation_id) VALUES (?, ?, ?, ?, ?)');
      for (const e of events) insertEvent.run(at, e.type, e.problem ?? null, e.channelId, e.conversationId, e.text ?? null);
      for (const r of ratings) insertRating.run(at, r.problem, r.rating, r.channelId, r.conversationId);
    });
    this.records = new GroupCommit(this.db);
  }

  /** The statement for `sql`, prepared on first use: preparing costs more than running most of these. */
  private sql(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Stores a new ticket with its first event and pending deliveries; returns its id once committed. */
  create(input: NewTicket): string {
    const at = this.now().toISOString();
    const run = this.db.transaction((): string => {
      const { last } = this.sql('UPDATE ticket_counter SET last = last + 1 WHERE id = 1 RETURNING last').get() as { last: number };
      const id = formatTicketId(last);
      const { record, requester } = input;
      this.sql(
          `INSERT INTO tickets (id, seq, status, problem, category, severity, title, channel_id, user_id, user_name,
                                requester, record, conversation_ref, created_at, updated_at)
           VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id, last, record.problem, record.category, record.severity, record.title, requester.channelId, requester.userId,
          requester.userName, JSON.stringify(requester), JSON.stringify(record),
          input.conversationRef ? JSON.stringify(input.conversationRef) : null, at, at,
        );
      this.insertEvent(id, { at, kind: 'created', author: 'system', text: record.reason });
      const addDelivery = this.sql(`INSERT INTO deliveries (ticket_id, channel, state, next_attempt_at) VALUES (?, ?, 'pending', ?)`);
      for (const channel of new Set(input.channels)) addDelivery.run(id, channel, at);
      return id;
    });
    return run.immediate();
  }

  get(id: string): Ticket | undefined {
    const row = this.sql('SELECT * FROM tickets WHERE id = ?').get(normaliseId(id)) as TicketRow | undefined;
    if (!row) return undefined;
    const events = (this.sql('SELECT at, kind, author, text, status, delivered_at FROM ticket_events WHERE ticket_id = ? ORDER BY id').all(row.id) as EventRow[]).map(toEvent);
    const deliveries = (this.sql('SELECT * FROM deliveries WHERE ticket_id = ? ORDER BY id').all(row.id) as DeliveryRow[]).map(toDelivery);
    return {
      id: row.id,
      status: row.status,
      problem: row.problem,
      category: row.category,
      severity: row.severity,
      title: row.title,
      requester: JSON.parse(row.requester) as Requester,
      record: JSON.parse(row.record) as EscalationRecord,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      events,
      deliveries,
    };
  }

  /** The ticket only when `owner` asked for it; anyone else's is as good as missing. */
  getOwned(id: string, owner: TicketOwner): Ticket | undefined {
    const ticket = this.get(id);
    if (!ticket || ticket.requester.channelId !== owner.channelId || ticket.requester.userId !== owner.userId) return undefined;
    return ticket;
  }

  conversationRef(id: string): Record<string, unknown> | undefined {
    const row = this.sql('SELECT conversation_ref FROM tickets WHERE id = ?').get(normaliseId(id)) as { conversation_ref: string | null } | undefined;
    return row?.conversation_ref ? (JSON.parse(row.conversation_ref) as Record<string, unknown>) : undefined;
  }

  /** Newest first. */
  list(filter: TicketFilter = {}): TicketSummary[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.status) (where.push('status = ?'), args.push(filter.status));
    if (filter.problem) (where.push('problem = ?'), args.push(filter.problem));
    if (filter.severity) (where.push('severity = ?'), args.push(filter.severity));
    if (filter.owner) (where.push('channel_id = ? AND user_id = ?'), args.push(filter.owner.channelId, filter.owner.userId));
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
    const sql = `SELECT id, status, problem, category, severity, title, channel_id, user_id, user_name, created_at, updated_at
                 FROM tickets ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.sql(sql).all(...args, limit) as TicketRow[]).map((row) => ({
      id: row.id,
      status: row.status,
      problem: row.problem,
      category: row.category,
      severity: row.severity,
      title: row.title,
      requester: { channelId: row.channel_id, userId: row.user_id, userName: row.user_name },
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  /**
   * The ids of `owner`'s tickets waiting for their answer (status waiting-for-user), newest first, at most
   * WAITING_FOR_USER_LIMIT. Asked on every message a user sends, so it is not `list()`: the status and the
   * limit are written into the SQL, not bound. A bound LIMIT (or a bound status beside the owner) makes
   * SQLite re-plan the statement on each run (better-sqlite3 builds it with STAT4, which re-prepares a
   * statement whose plan may depend on a bound value): 15–25 µs instead of about 5.
   */
  waitingForUser(owner: TicketOwner): string[] {
    return this.sql(
      `SELECT id FROM tickets WHERE channel_id = ? AND user_id = ? AND status = 'waiting-for-user' ORDER BY seq DESC LIMIT ${WAITING_FOR_USER_LIMIT}`,
    )
      .pluck()
      .all(owner.channelId, owner.userId) as string[];
  }

  /** Adds an event (and applies its status); returns the event's row id, or null when there is no such ticket. */
  addEvent(id: string, event: Omit<TicketEvent, 'at' | 'deliveredAt'>): number | null {
    const at = this.now().toISOString();
    const run = this.db.transaction((): number | null => {
      const ticketId = normaliseId(id);
      const sets = event.status ? 'status = ?, updated_at = ?' : 'updated_at = ?';
      const args = event.status ? [event.status, at, ticketId] : [at, ticketId];
      if (this.sql(`UPDATE tickets SET ${sets} WHERE id = ?`).run(...args).changes === 0) return null;
      return this.insertEvent(ticketId, { ...event, at });
    });
    return run.immediate();
  }

  /** Records that a postmaster's reply (an event added by addEvent) reached the user's conversation. */
  markEventDelivered(eventId: number): void {
    this.sql('UPDATE ticket_events SET delivered_at = ? WHERE id = ?').run(this.now().toISOString(), eventId);
  }

  /** Makes the next id greater than `last` (ids an older store already handed out are never reused). */
  reserveThrough(last: number): void {
    this.sql('UPDATE ticket_counter SET last = MAX(last, ?) WHERE id = 1').run(Math.floor(last));
  }

  /** Pending deliveries whose time has come, oldest first. */
  dueDeliveries(limit = 20): DueDelivery[] {
    const rows = this.sql(`SELECT id, ticket_id, channel, attempts FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
      .all(this.now().toISOString(), limit) as DeliveryRow[];
    return rows.map((r) => ({ id: r.id, ticketId: r.ticket_id, channel: r.channel, attempts: r.attempts }));
  }

  /** When the next pending delivery is due, or null when none is pending. */
  nextDeliveryDue(): Date | null {
    const row = this.sql(`SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE state = 'pending'`).get() as { at: string | null };
    return row.at ? new Date(row.at) : null;
  }

  markDelivered(deliveryId: number): void {
    this.sql(`UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, next_attempt_at = NULL WHERE id = ?`)
      .run(this.now().toISOString(), deliveryId);
  }

  /** Records a failed attempt: another one at `retryAt`, or none (`null`: given up). */
  markFailed(deliveryId: number, error: string, retryAt: Date | null): void {
    this.sql(`UPDATE deliveries SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`)
      .run(retryAt ? 'pending' : 'failed', error.slice(0, 500), retryAt ? retryAt.toISOString() : null, deliveryId);
  }

  /** Records what happened in a conversation this turn (flows started, resolved, escalated, …). */
  addConversationEvents(events: readonly ConversationEvent[]): void {
    if (events.length > 0) this.insertConversationRows(this.now().toISOString(), events, []);
  }

  addRatings(ratings: readonly Rating[]): void {
    if (ratings.length > 0) this.insertConversationRows(this.now().toISOString(), [], ratings);
  }

  /**
   * A turn's conversation events and rating, committed with those of the other turns that finish in the same
   * event-loop turn, in one transaction just after it (a commit costs far more than these few rows, and a
   * busy server finishes several turns at once); resolves once they are committed, rejects when this turn's
   * rows are refused (the others are still written). Timestamped now.
   */
  recordConversation(events: readonly ConversationEvent[], ratings: readonly Rating[]): Promise<void> {
    if (events.length === 0 && ratings.length === 0) return Promise.resolve();
    const at = this.now().toISOString();
    // insertConversationRows is a transaction function: nested in the group's, each turn's rows get a savepoint.
    return this.records.add(() => this.insertConversationRows(at, events, ratings));
  }

  /** The ratings given in [from, to), oldest first. */
  ratings(from: Date, to: Date): StoredRating[] {
    this.records.flush();
    return this.sql('SELECT at, problem, rating, channel_id AS channelId, conversation_id AS conversationId FROM ratings WHERE at >= ? AND at < ? ORDER BY id')
      .all(from.toISOString(), to.toISOString()) as StoredRating[];
  }

  /** Keeps a pending registration of a conversation under the hash of its code, until `expiresAt`. */
  addNotifyPairing(codeHash: string, conversation: NotifyConversation, expiresAt: Date): void {
    const now = this.now().toISOString();
    this.db.transaction(() => {
      this.sql('DELETE FROM notify_pairings WHERE expires_at <= ?').run(now);
      this.sql('INSERT OR REPLACE INTO notify_pairings (code_hash, conversation_ref, channel_id, conversation_id, user_name, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(codeHash, JSON.stringify(conversation.conversationRef), conversation.channelId, conversation.conversationId, conversation.userName, expiresAt.toISOString());
    })();
  }

  /**
   * Registers the conversation a code names (one code, one use) as the postmaster's, replacing the one
   * before; undefined when the code is unknown or expired.
   */
  confirmNotifyPairing(codeHash: string): RegisteredNotifyConversation | undefined {
    const now = this.now().toISOString();
    return this.db.transaction((): RegisteredNotifyConversation | undefined => {
      this.sql('DELETE FROM notify_pairings WHERE expires_at <= ?').run(now);
      const row = this.sql('SELECT * FROM notify_pairings WHERE code_hash = ?').get(codeHash) as NotifyRow | undefined;
      if (!row) return undefined;
      this.sql('DELETE FROM notify_pairings WHERE code_hash = ?').run(codeHash);
      this.sql('INSERT OR REPLACE INTO notify_conversation (id, conversation_ref, channel_id, conversation_id, user_name, registered_at) VALUES (1, ?, ?, ?, ?, ?)')
        .run(row.conversation_ref, row.channel_id, row.conversation_id, row.user_name, now);
      return toNotifyConversation({ ...row, registered_at: now });
    }).immediate();
  }

  notifyConversation(): RegisteredNotifyConversation | undefined {
    const row = this.sql('SELECT * FROM notify_conversation WHERE id = 1').get() as (NotifyRow & { registered_at: string }) | undefined;
    return row ? toNotifyConversation(row) : undefined;
  }

  /** Stops sending new tickets to a conversation; false when none was registered. */
  clearNotifyConversation(): boolean {
    return this.sql('DELETE FROM notify_conversation WHERE id = 1').run().changes > 0;
  }

  /** The conversation events of [from, to), oldest first. */
  conversationEvents(from: Date, to: Date): StoredConversationEvent[] {
    this.records.flush();
    return this.sql('SELECT at, type, problem, channel_id AS channelId, conversation_id AS conversationId, text FROM conversation_events WHERE at >= ? AND at < ? ORDER BY id')
      .all(from.toISOString(), to.toISOString()) as StoredConversationEvent[];
  }

  /** How many tickets there are in each status. */
  statusCounts(): Record<string, number> {
    const rows = this.sql('SELECT status, COUNT(*) AS n FROM tickets GROUP BY status').all() as { status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  ping(): boolean {
    try {
      return this.sql('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  /** Commits the waiting conversation records, then closes the file. */
  close(): void {
    if (!this.db.open) return;
    this.records.flush();
    this.checkpointer.stop();
    this.db.close();
  }

  private insertEvent(ticketId: string, event: TicketEvent): number {
    const result = this.sql('INSERT INTO ticket_events (ticket_id, at, kind, author, text, status) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ticketId, event.at, event.kind, event.author, event.text, event.status ?? null);
    return Number(result.lastInsertRowid);
  }
}

/** "mail-42", "MAIL-00042" and "MAIL-42" all name MAIL-00042. */
export function normaliseId(id: string): string {
  const match = /^\s*mail-?0*(\d{1,9})\s*$/i.exec(id);
  return match ? formatTicketId(Number(match[1])) : id.trim();
}

function toEvent(row: EventRow): TicketEvent {
  const event: TicketEvent = { at: row.at, kind: row.kind, author: row.author, text: row.text };
  if (row.status) event.status = row.status;
  if (row.delivered_at) event.deliveredAt = row.delivered_at;
  return event;
}

interface NotifyRow {
  conversation_ref: string;
  channel_id: string;
  conversation_id: string;
  user_name: string;
}

function toNotifyConversation(row: NotifyRow & { registered_at: string }): RegisteredNotifyConversation {
  return {
    conversationRef: JSON.parse(row.conversation_ref) as Record<string, unknown>,
    channelId: row.channel_id,
    conversationId: row.conversation_id,
    userName: row.user_name,
    registeredAt: row.registered_at,
  };
}

function toDelivery(row: DeliveryRow): Delivery {
  return {
    channel: row.channel,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  };
}
