/**
 * Opening an embedded SQLite database the way every store of this project needs it: the folder created,
 * WAL journal (readers never block the writer), a busy timeout for a second process, and the schema
 * brought up to date by numbered migrations recorded in `PRAGMA user_version`.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Opens `file` (`':memory:'` for a private in-memory database) and applies the migrations it has not
 * seen yet, in one transaction. A file from a newer release is refused rather than misread.
 */
export function openDatabase(file: string, migrations: readonly string[]): Database.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    db.close();
    throw new Error(`${file} has schema version ${current}, newer than this release understands (${migrations.length}).`);
  }
  db.transaction(() => {
    for (let v = current; v < migrations.length; v++) db.exec(migrations[v] as string);
    db.pragma(`user_version = ${migrations.length}`);
  })();
  return db;
}
