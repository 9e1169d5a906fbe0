/**
 * Sends the notifications owed for tickets: each pending delivery row is tried by its channel's
 * notifier; a failure is retried later with exponential backoff, up to a bounded number of attempts,
 * after which the delivery is marked failed (the ticket stays, with the error on it). Timer-driven:
 * one timer at a time, set for the next due row; `stop()` clears it and waits for a run under way.
 */
import type { TicketStore } from './ticket-store';
import type { Notifier } from './notify/types';

export interface OutboxOptions {
  /** Delay before the second attempt; doubled for each further one. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts before a delivery is given up as failed. */
  maxAttempts?: number;
  now?: () => Date;
  logger?: OutboxLogger;
}

export interface OutboxLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const OUTBOX_DEFAULTS = Object.freeze({
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  maxAttempts: 8,
});

/** Never more than this long between two looks at the table (another process may have added rows). */
const MAX_SLEEP_MS = 60_000;

export class Outbox {
  private readonly notifiers: Map<string, Notifier>;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private readonly logger: OutboxLogger | undefined;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(private readonly store: TicketStore, notifiers: readonly Notifier[], options: OutboxOptions = {}) {
    this.notifiers = new Map(notifiers.map((n) => [n.channel, n]));
    this.baseDelayMs = options.baseDelayMs ?? OUTBOX_DEFAULTS.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? OUTBOX_DEFAULTS.maxDelayMs;
    this.maxAttempts = options.maxAttempts ?? OUTBOX_DEFAULTS.maxAttempts;
    this.now = options.now ?? (() => new Date());
    this.logger = options.logger;
  }

  /** The channels new tickets owe a delivery to: every notifier that has somewhere to send. */
  get channels(): string[] {
    return [...this.notifiers.values()].filter((n) => n.isActive?.() ?? true).map((n) => n.channel);
  }

  /** Adds a notifier made after the outbox (one that needs the bot adapter); before start(). */
  addNotifier(notifier: Notifier): void {
    this.notifiers.set(notifier.channel, notifier);
  }

  /** Starts sending (including what a previous process left pending). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Looks at the table now (a new ticket was stored). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.clearTimer();
    this.running = this.runDue().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.schedule();
      }
    });
  }

  /** Resolves once nothing is being sent right now (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    await this.idle();
  }

  /** Delay after `attempts` failed attempts: base · 2^(attempts−1), capped. */
  backoff(attempts: number): number {
    return Math.min(this.baseDelayMs * 2 ** Math.max(0, attempts - 1), this.maxDelayMs);
  }

  private async runDue(): Promise<void> {
    // Bounded: each pass takes at most a batch, and every row either leaves 'pending' or moves its due time on.
    for (let pass = 0; pass < 50 && !this.stopped; pass++) {
      const due = this.store.dueDeliveries();
      if (due.length === 0) return;
      for (const delivery of due) {
        if (this.stopped) return;
        const notifier = this.notifiers.get(delivery.channel);
        const ticket = this.store.get(delivery.ticketId);
        if (!notifier || !ticket) {
          this.store.markFailed(delivery.id, notifier ? 'ticket missing' : `channel ${delivery.channel} is not configured`, null);
          continue;
        }
        try {
          await notifier.send(ticket);
          this.store.markDelivered(delivery.id);
          this.logger?.info({ ticketId: ticket.id, channel: delivery.channel, attempt: delivery.attempts + 1 }, 'notification delivered');
        } catch (err) {
          const attempts = delivery.attempts + 1;
          const message = err instanceof Error ? err.message : String(err);
          const retryAt = attempts >= this.maxAttempts ? null : new Date(this.now().getTime() + this.backoff(attempts));
          this.store.markFailed(delivery.id, message, retryAt);
          this.logger?.warn(
            { ticketId: ticket.id, channel: delivery.channel, attempt: attempts, error: message, retryAt: retryAt?.toISOString() ?? null },
            retryAt ? 'notification failed; will retry' : 'notification failed; giving up',
          );
        }
      }
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.store.nextDeliveryDue();
    const wait = next ? Math.max(0, next.getTime() - this.now().getTime()) : MAX_SLEEP_MS;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.min(wait, MAX_SLEEP_MS));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
