/**
 * The bot's storage, picked from configuration: the SQLite file by default, botbuilder's MemoryStorage
 * for throwaway runs. Both are plain botbuilder `Storage`s, with a health check and a close hook.
 */
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import type { Config } from '../config';
import { SqliteStorage } from './sqlite-storage';

export const STATE_FILE = 'state.sqlite';

export interface HelpdeskStorage {
  kind: 'sqlite' | 'memory';
  storage: Storage;
  /** Answers whether the store is usable right now. */
  ping(): Promise<boolean>;
  close(): void;
}

export function createStorage(config: Pick<Config, 'storage' | 'dataDir'>): HelpdeskStorage {
  if (config.storage === 'memory') return memoryStorage();
  return sqliteStorage(path.join(config.dataDir, STATE_FILE));
}

export function sqliteStorage(file: string): HelpdeskStorage {
  const storage = new SqliteStorage(file);
  return { kind: 'sqlite', storage, ping: () => storage.ping(), close: () => storage.close() };
}

export function memoryStorage(): HelpdeskStorage {
  const storage = new MemoryStorage();
  return { kind: 'memory', storage, ping: async () => true, close: () => undefined };
}

export { SqliteStorage, StorageETagConflictError } from './sqlite-storage';
export { JsonConversationState } from './json-conversation-state';
