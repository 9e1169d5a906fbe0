/**
 * WAL checkpoints on a worker thread instead of in the middle of a request.
 *
 * By default SQLite checkpoints inside the commit that takes the write-ahead log past 1,000 pages: that one
 * commit copies the log into the database file and, with `synchronous = NORMAL`, waits for two fsyncs — tens
 * of milliseconds during which better-sqlite3 (synchronous) holds the event loop and no request moves. Under
 * load that was about a tenth of the bot's throughput. Here a worker thread with its own connection to the
 * same file runs a PASSIVE checkpoint every CHECKPOINT_INTERVAL_MS: it copies what the log holds while the
 * main connection goes on committing (WAL allows one writer beside a checkpointer), and the next commit after
 * a complete checkpoint starts the log over from its beginning, so the log stays small.
 *
 * Durability is unchanged: a commit is in the log when it returns, whoever checkpoints it later, and a
 * process killed at any moment leaves a log that the next open replays. The main connection keeps an
 * automatic checkpoint as a backstop (BACKSTOP_PAGES), for a worker that could not start or falls behind.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints (a checkpoint with nothing to copy costs a few microseconds). */
export const CHECKPOINT_INTERVAL_MS = 100;

/** The main connection still checkpoints when the log passes this many pages (40 MB of 4 KB pages). */
export const BACKSTOP_PAGES = 10_000;

/** How long stop() waits for the worker to close its connection (it may be in the middle of a checkpoint's fsync). */
export const STOP_TIMEOUT_MS = 5_000;

/**
 * The worker: CommonJS, evaluated as given (no TypeScript loader in a worker under tsx, ts-jest or dist alike).
 * `state[0]` becomes 1 once it has no connection any more (closed, or never opened), so stop() can wait for it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const state = new Int32Array(workerData.state);
const closed = () => {
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
};
let db;
try {
  const Database = require(workerData.driver);
  db = new Database(workerData.file, { fileMustExist: true });
} catch (err) {
  closed();
  throw err;
}
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or failing now: the next tick tries again, and the main connection's backstop still applies.
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  try {
    db.close();
  } finally {
    closed();
    parentPort.close();
  }
});
`;

export interface WalCheckpointer {
  /**
   * Stops the worker and waits (at most STOP_TIMEOUT_MS) until it has closed its connection. Call it before
   * closing the main connection, which then, as the last one, checkpoints and removes the log as usual.
   */
  stop(): void;
}

/** SQLite's own threshold, for when the worker is gone. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/**
 * Moves `db`'s checkpoints to a worker thread. Nothing to do for an in-memory database (no log) or one not
 * in WAL mode; then the returned stop() does nothing.
 */
export function checkpointInBackground(db: Database.Database): WalCheckpointer {
  const inWalFile = db.name !== ':memory:' && db.name !== '' && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
  if (!inWalFile) return { stop: () => undefined };
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const state = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: require.resolve('better-sqlite3'), file: db.name, intervalMs: CHECKPOINT_INTERVAL_MS, state: state.buffer },
  });
  // Never what keeps the process alive, and never an uncaught error: without the worker, SQLite checkpoints as it would.
  worker.unref();
  worker.on('error', () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  });
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      Atomics.wait(state, 0, 0, STOP_TIMEOUT_MS);
    },
  };
}
