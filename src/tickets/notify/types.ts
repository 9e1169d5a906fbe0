import type { Ticket } from '../types';

/**
 * One way of telling the postmaster about a new ticket. `send` resolves once the other side accepted
 * it and throws otherwise; the outbox retries. A thrown message is stored on the ticket, so it names
 * what failed (an HTTP status, an SMTP reply) and never a URL or a credential.
 */
export interface Notifier {
  /** The channel's name on the ticket's deliveries: 'webhook', 'email', 'chat'. */
  readonly channel: string;
  send(ticket: Ticket): Promise<void>;
  /** False while the channel has nowhere to send (no conversation registered yet): new tickets then owe it nothing. */
  isActive?(): boolean;
}

export class NotifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotifyError';
  }
}
