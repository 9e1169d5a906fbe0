/**
 * Group commit for a better-sqlite3 database: the calls made during one turn of the event loop are
 * committed together, in one transaction, just after it. A commit costs far more than the few rows of a
 * call (the WAL frames it appends; checkpoints run on a worker thread, wal-checkpointer.ts), and a busy
 * server finishes several turns in one loop turn.
 *
 * Each call's `apply` must be a `db.transaction(...)` function: nested in the group's transaction it runs
 * in a savepoint, so a call that throws undoes only itself and rejects only its own promise. Calls apply
 * in the order they were made; a call's promise resolves once the group has committed.
 */
import type Database from 'better-sqlite3';

interface WaitingCall {
  apply: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private waiting: WaitingCall[] = [];
  private scheduled = false;
  private readonly commit: (group: readonly WaitingCall[]) => unknown[];

  /** `beforeCommit` runs as each group is taken, e.g. to forget which keys were waiting. */
  constructor(
    private readonly db: Database.Database,
    private readonly beforeCommit: () => void = () => {},
  ) {
    // The outcome of each call: undefined when it applied, else what it threw.
    this.commit = db.transaction((group: readonly WaitingCall[]) =>
      group.map((call) => {
        try {
          call.apply();
          return undefined;
        } catch (err) {
          return err ?? new Error('a grouped database call failed');
        }
      }),
    );
  }

  /** Queues `apply` for the next group commit; resolves once it is committed. */
  add(apply: () => void): Promise<void> {
    if (!this.db.open) return Promise.reject(new TypeError('The database connection is not open'));
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ apply, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this loop turn (the other requests that arrived with this one).
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every waiting call now (before a read that must see them, or before closing) and settles them. */
  flush(): void {
    this.scheduled = false;
    const group = this.waiting;
    if (group.length === 0) return;
    this.waiting = [];
    this.beforeCommit();
    let outcomes: unknown[];
    try {
      outcomes = this.commit(group);
    } catch (err) {
      // The commit itself failed (disk full, I/O error, the database closed): nothing of the group was written.
      for (const call of group) call.reject(err);
      return;
    }
    group.forEach((call, i) => (outcomes[i] === undefined ? call.resolve() : call.reject(outcomes[i])));
  }
}
