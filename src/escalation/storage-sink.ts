/**
 * The default escalation sink: each case is kept in the bot's Storage under `escalations/<ticketId>`,
 * with ids `MAIL-00001`, `MAIL-00002`, … from a counter kept in the same storage.
 */
import type { EscalationRecord } from '../engine/types';
import type { EscalationSink, KeyValueStore, Requester, StoredEscalation } from './types';

export const ESCALATION_PREFIX = 'escalations/';
export const COUNTER_KEY = 'escalations:counter';
const TICKET_PREFIX = 'MAIL-';
/** Attempts to take a number before giving up when another writer keeps winning the counter. */
const MAX_ATTEMPTS = 10;

type CounterItem = {
  last: number;
  eTag?: string;
};

export function formatTicketId(n: number): string {
  return `${TICKET_PREFIX}${String(n).padStart(5, '0')}`;
}

export class StorageEscalationSink implements EscalationSink {
  /** Serialises this process's counter updates; the eTag check guards against other processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  escalate(record: EscalationRecord, requester: Requester): Promise<{ ticketId: string }> {
    const run = this.queue.then(() => this.store(record, requester));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async get(ticketId: string): Promise<StoredEscalation | undefined> {
    const key = ESCALATION_PREFIX + ticketId;
    const items = await this.storage.read([key]);
    const item = items[key] as (StoredEscalation & { eTag?: string }) | undefined;
    if (!item) return undefined;
    const { eTag: _eTag, ...stored } = item;
    return stored;
  }

  private async store(record: EscalationRecord, requester: Requester): Promise<{ ticketId: string }> {
    const ticketId = await this.nextTicketId();
    const stored: StoredEscalation = { ticketId, record, requester, createdAt: this.now().toISOString() };
    await this.storage.write({ [ESCALATION_PREFIX + ticketId]: { ...stored } });
    return { ticketId };
  }

  /**
   * Takes the next number by compare-and-swap on the counter's eTag, so two processes sharing the
   * storage cannot both take it. A missing counter is first created at 0: a create cannot carry an
   * eTag, but two writers creating it write the same value, and the increment is what is guarded.
   */
  private async nextTicketId(): Promise<string> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const items = await this.storage.read([COUNTER_KEY]);
      const current = items[COUNTER_KEY] as CounterItem | undefined;
      if (!current?.eTag) {
        await this.storage.write({ [COUNTER_KEY]: { last: current?.last ?? 0 } });
        continue;
      }
      const next = current.last + 1;
      try {
        await this.storage.write({ [COUNTER_KEY]: { last: next, eTag: current.eTag } });
      } catch {
        continue; // another writer took this number; read the counter again
      }
      const id = formatTicketId(next);
      // A counter lost or reset must not hand out an id already used: take the next one instead.
      const taken = await this.storage.read([ESCALATION_PREFIX + id]);
      if (!taken[ESCALATION_PREFIX + id]) return id;
    }
    throw new Error('Could not allocate an escalation ticket id: the counter kept changing.');
  }
}
