/**
 * For `npm run bench`: the real app (real core, SQLite state in a temporary folder, no rate limit, silent)
 * and, beside it, a bare restify server that echoes the JSON it is posted — the reference the bot's turns
 * are compared with. Both on 127.0.0.1; prints {"app": port, "echo": port} once listening. Runs in its own
 * process so the load generator does not share its event loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import restify, { type Request, type Response } from 'restify';
import { loadConfig } from '../src/config';
import { loadHelpdeskCore } from '../src/core';
import { createApp } from '../src/server/app';
import { createStorage } from '../src/storage';
import { createTriageService } from '../src/triage';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-'));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, STORAGE: 'sqlite', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0' });
  const core = loadHelpdeskCore();
  const storage = createStorage(config);
  const { server } = createApp(config, { core, storage, triage: createTriageService(core) });

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
  const ports = { app: await listen(server), echo: await listen(echo) };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  const stop = () => {
    storage.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
