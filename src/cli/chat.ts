/**
 * `npm run chat`: the helpdesk bot in a terminal. Same core, storage, bot and escalation sink as the
 * server; only the channel differs (a console adapter instead of the Bot Framework).
 */
import readline from 'node:readline';
import { ConversationState } from 'botbuilder';
import { loadConfig } from '../config';
import { loadHelpdeskCore } from '../core';
import { HelpdeskBot } from '../bot/helpdesk-bot';
import { ConsoleAdapter } from '../bot/console-adapter';
import { turnErrorHandler } from '../bot/turn-error';
import { createTicketService } from '../tickets/create';
import { createLogger } from '../server/logger';
import { createStorage } from '../storage';

async function main(): Promise<void> {
  // The terminal is for the conversation: logs go to stderr, and only warnings unless LOG_LEVEL asks for more.
  const config = loadConfig(undefined, { LOG_LEVEL: 'warn' });
  const logger = createLogger(config, process.stderr);
  const core = loadHelpdeskCore();
  const storage = createStorage(config);
  const tickets = createTicketService(config, logger);
  tickets.start();
  const bot = new HelpdeskBot({
    engine: core.engine,
    messages: core.catalog.messages,
    conversationState: new ConversationState(storage.storage),
    sink: tickets,
    tickets,
    logger,
    logUserText: config.logUserText,
  });

  const adapter = new ConsoleAdapter({
    output: { write: (text) => process.stdout.write(`\n${text}`) },
    conversationId: `console-${Date.now().toString(36)}`,
    botName: config.botName,
  });
  adapter.onTurnError = turnErrorHandler(core.catalog.messages, logger);
  const logic = (context: Parameters<HelpdeskBot['run']>[0]) => bot.run(context);

  await adapter.join(logic);

  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: '\n> ' });
  rl.prompt();
  // One turn at a time, in the order lines were typed (pasted text arrives as several lines at once).
  let turns = Promise.resolve();
  rl.on('line', (line) => {
    turns = turns.then(async () => {
      if (line.trim() !== '') await adapter.sendText(line, logic);
      rl.prompt();
    });
  });
  rl.on('close', () => {
    void turns.finally(async () => {
      storage.close();
      await tickets.close();
      process.stdout.write('\n');
      process.exit(0);
    });
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
