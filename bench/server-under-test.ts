/**
 * For `npm run bench`: the real app wired as src/main.ts wires it — real core, SQLite state and the ticket
 * desk (tickets.sqlite, which records every turn's flow start and events) in a temporary folder, the pino
 * logger at `info` (one line per turn, written to a file in that folder as main.ts writes to stdout), no
 * rate limit — and, beside it, a bare restify server that echoes the JSON it is posted: the reference the
 * bot's turns are compared with; and the botbuilder floor: the smallest bot the SDK makes, CloudAdapter
 * and an ActivityHandler that answers every message with one text (no engine, no state, no logs), at
 * POST /api/messages as the SDK's samples serve it (`adapter.process`), and at
 * /reusing-clients/api/messages the same with the app's authentication (src/server/adapter.ts: the turn's
 * Azure clients built once, not per turn). What a turn costs there, the SDK costs any bot. All on
 * 127.0.0.1 in this one process (the same Node, heap and tsx loader); prints {"app": port, "echo": port,
 * "floor": port} once listening. Runs in its own process so the load generator does not share its event
 * loop.
 *
 * `--minimal` wires the app as this bench did before 2026-11-23 (no ticket desk, logging silent), for
 * comparison with older figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import pino from 'pino';
import restify, { type Request, type Response } from 'restify';
import { loadConfig, type Config } from '../src/config';
import { loadHelpdeskCore } from '../src/core';
import { botFrameworkAuthentication } from '../src/server/adapter';
import { createApp } from '../src/server/app';
import { createLogger } from '../src/server/logger';
import { createStorage } from '../src/storage';
import { createTicketService } from '../src/tickets/create';
import { createTriageService } from '../src/triage';

const MINIMAL = process.argv.includes('--minimal');

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    STORAGE: 'sqlite',
    LOG_LEVEL: MINIMAL ? 'silent' : 'info',
    RATE_LIMIT_PER_MINUTE: '0',
  });
  const logger = MINIMAL ? undefined : createLogger(config, pino.destination(path.join(dataDir, 'bot.log')));
  const core = loadHelpdeskCore();
  const storage = createStorage(config);
  const tickets = MINIMAL ? undefined : createTicketService(config, logger);
  tickets?.start();
  const { server } = createApp(config, { core, storage, logger, triage: createTriageService(core), tickets });

  const echo = restify.createServer({ name: 'echo' });
  // The same body parsing as /api/messages, then the body straight back.
  echo.post(
    '/echo',
    restify.plugins.bodyReader({ maxBodySize: 256 * 1024 }),
    restify.plugins.jsonBodyParser({ bodyReader: true, mapParams: false }),
    async (req: Request, res: Response) => {
      res.send(200, req.body);
    },
  );

  const listen = (s: restify.Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  const ports = { app: await listen(server), echo: await listen(echo), floor: await listen(botbuilderFloor(config)) };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  const stop = () => {
    storage.close();
    void (tickets?.close() ?? Promise.resolve()).finally(() => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The botbuilder floor (see above), with the same body parsing as the echo. */
function botbuilderFloor(config: Readonly<Config>): restify.Server {
  class EchoBot extends ActivityHandler {
    constructor() {
      super();
      this.onMessage(async (context, next) => {
        await context.sendActivity('Got it.');
        await next();
      });
    }
  }
  const bot = new EchoBot();
  // Authentication off, as in the app under test (no MicrosoftAppId).
  const stock = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const reusing = new CloudAdapter(botFrameworkAuthentication(config));
  const floor = restify.createServer({ name: 'floor' });
  const body = [restify.plugins.bodyReader({ maxBodySize: 256 * 1024 }), restify.plugins.jsonBodyParser({ bodyReader: true, mapParams: false })];
  for (const [route, adapter] of [
    ['/api/messages', stock],
    ['/reusing-clients/api/messages', reusing],
  ] as const) {
    floor.post(route, ...body, async (req: Request, res: Response) => {
      await adapter.process(req, res, (context) => bot.run(context));
    });
  }
  return floor;
}

void main();
