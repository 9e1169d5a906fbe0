/**
 * The ticket desk as configured: `DATA_DIR/tickets.sqlite` (in memory with STORAGE=memory), a notifier
 * for each configured channel, and the outbox that sends them. Call `start()` to begin sending.
 */
import path from 'node:path';
import type { Config } from '../config';
import { EmailNotifier } from './notify/email';
import type { Notifier } from './notify/types';
import { WebhookNotifier } from './notify/webhook';
import { Outbox, type OutboxLogger, type OutboxOptions } from './outbox';
import { TicketService } from './ticket-service';
import { TicketStore } from './ticket-store';

export const TICKETS_FILE = 'tickets.sqlite';

export function createTicketService(
  config: Pick<Config, 'storage' | 'dataDir' | 'notify'>,
  logger?: OutboxLogger,
  outboxOptions: OutboxOptions = {},
): TicketService {
  const file = config.storage === 'memory' ? ':memory:' : path.join(config.dataDir, TICKETS_FILE);
  const store = new TicketStore(file);
  const notifiers: Notifier[] = [];
  if (config.notify.webhookUrl) notifiers.push(new WebhookNotifier(config.notify.webhookUrl));
  if (config.notify.smtpUrl) {
    notifiers.push(new EmailNotifier({ smtpUrl: config.notify.smtpUrl, to: config.notify.emailTo, from: config.notify.emailFrom }));
  }
  return new TicketService(store, new Outbox(store, notifiers, { logger, ...outboxOptions }));
}
