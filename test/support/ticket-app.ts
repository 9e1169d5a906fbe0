/**
 * The real app on 127.0.0.1 with in-memory conversation state and an in-memory ticket store, for the
 * ticket, admin and proactive-reply tests. Every app a test starts is closed after that test.
 */
import type { Server } from 'restify';
import { loadConfig } from '../../src/config';
import type { HelpdeskCore } from '../../src/core';
import { createApp } from '../../src/server/app';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { TicketService, TicketStore } from '../../src/tickets';
import { closeServer, listen } from './http';

export interface TicketApp {
  base: string;
  tickets: TicketService;
}

/** Call at the top of a test file; returns `start(env)` (env on top of a silent, local, in-memory config). */
export function useTicketApp(core: () => HelpdeskCore): (env: Record<string, string>) => Promise<TicketApp> {
  const running: Array<{ server: Server; storage: HelpdeskStorage; tickets: TicketService }> = [];
  afterEach(async () => {
    for (const r of running.splice(0)) {
      await closeServer(r.server);
      r.storage.close();
      await r.tickets.close();
    }
  });
  return async (env) => {
    const storage = memoryStorage();
    const tickets = new TicketService(new TicketStore(':memory:'));
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent', ...env });
    const { server } = createApp(config, { core: core(), storage, tickets });
    running.push({ server, storage, tickets });
    return { base: await listen(server), tickets };
  };
}
