/**
 * The process: configuration → core → storage → app, then listen; on SIGTERM/SIGINT stop taking
 * requests, let the ones under way finish, and close the database.
 */
import { loadConfig } from './config';
import { loadHelpdeskCore } from './core';
import { createApp } from './server/app';
import { createLogger } from './server/logger';
import { createStorage } from './storage';
import { createTriageService } from './triage/triage-service';
import { createTicketService } from './tickets/create';
import { continueLegacyNumbering } from './tickets/legacy';

/** How long in-flight requests get to finish after a stop signal. */
const SHUTDOWN_GRACE_MS = 10_000;

function main(): void {
  const config = loadConfig();
  const logger = createLogger(config);
  const core = loadHelpdeskCore();
  const storage = createStorage(config);
  const tickets = createTicketService(config, logger);
  const { server } = createApp(config, { core, storage, logger, triage: createTriageService(core), tickets });

  if (!config.auth.enabled) {
    logger.warn(
      config.auth.appId ? 'MicrosoftAppId is set without MicrosoftAppPassword: authentication is OFF' : 'Bot Framework authentication is OFF (local use only)',
    );
  }

  // Ticket numbers continue after those the older storage-backed sink handed out; then serve.
  continueLegacyNumbering(storage.storage, tickets.store).then(
    () => {
      tickets.start();
      server.listen(config.port, config.host, () => {
        logger.info(
          { address: server.address(), trees: core.catalog.trees.size, storage: storage.kind, auth: config.auth.enabled },
          'listening',
        );
      });
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.warn('requests still running after the grace period; closing anyway');
      storage.close();
      tickets.store.close();
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      storage.close();
      // Pending notifications stay in tickets.sqlite; the next start sends them.
      void tickets.close().finally(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (err) {
  // Configuration and data errors name what is wrong; print them plainly and exit.
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
