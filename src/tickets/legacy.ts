/**
 * Before tickets.sqlite, escalations were kept in the bot's Storage (state.sqlite) by StorageEscalationSink,
 * numbered MAIL-00001, … from its counter. Users may have been told those ids, so the ticket store's
 * numbering continues after that counter instead of handing the same ids out again.
 */
import { COUNTER_KEY } from '../escalation/storage-sink';
import type { KeyValueStore } from '../escalation/types';
import type { TicketStore } from './ticket-store';

export async function continueLegacyNumbering(storage: KeyValueStore, store: TicketStore): Promise<void> {
  const items = await storage.read([COUNTER_KEY]);
  const last = (items[COUNTER_KEY] as { last?: unknown } | undefined)?.last;
  if (typeof last === 'number' && Number.isFinite(last) && last > 0) store.reserveThrough(last);
}
