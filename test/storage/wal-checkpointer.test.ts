import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/storage/sqlite-database';
import { BACKSTOP_PAGES, CHECKPOINT_INTERVAL_MS, checkpointInBackground } from '../../src/storage/wal-checkpointer';

const MIGRATIONS = ['CREATE TABLE items (n INTEGER PRIMARY KEY, value TEXT NOT NULL)'];

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-checkpoint-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the worker copies the log into the database file while the main connection only commits', async () => {
  const file = path.join(dir, 'db.sqlite');
  const db = openDatabase(file, MIGRATIONS);
  const checkpointer = checkpointInBackground(db);
  try {
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
    const before = fs.statSync(file).size;
    const insert = db.prepare('INSERT INTO items (value) VALUES (?)');
    // About 200 pages: far below the backstop, so only the worker can have put them in the file.
    for (let i = 0; i < 400; i++) insert.run('x'.repeat(2000));
    let size = before;
    for (let waited = 0; waited < 5_000 && size <= before + 100 * 4096; waited += CHECKPOINT_INTERVAL_MS) {
      await sleep(CHECKPOINT_INTERVAL_MS);
      size = fs.statSync(file).size;
    }
    expect(size).toBeGreaterThan(before + 100 * 4096);
  } finally {
    checkpointer.stop();
    db.close();
  }
});

test('stop() waits for the worker to close its connection: closing the main one then removes the log, and nothing is lost', () => {
  const file = path.join(dir, 'db.sqlite');
  const db = openDatabase(file, MIGRATIONS);
  const checkpointer = checkpointInBackground(db);
  const insert = db.prepare('INSERT INTO items (value) VALUES (?)');
  for (let i = 0; i < 50; i++) insert.run(`row ${i}`);
  checkpointer.stop();
  checkpointer.stop();
  db.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  const again = openDatabase(file, MIGRATIONS);
  expect(again.prepare('SELECT COUNT(*) FROM items').pluck().get()).toBe(50);
  again.close();
});

test('an in-memory database has no log: nothing is started and stop() does nothing', () => {
  const db = openDatabase(':memory:', MIGRATIONS);
  const checkpointer = checkpointInBackground(db);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  checkpointer.stop();
  db.close();
});
