/**
 * POSTs a new ticket as JSON to a webhook. `text` is what a Teams incoming webhook and a Slack-style
 * webhook show; `ticket` carries the fields for anything that reads them.
 */
import type { Ticket } from '../types';
import { NotifyError, type Notifier } from './types';
import { ticketText } from './summary';

const TIMEOUT_MS = 10_000;

export class WebhookNotifier implements Notifier {
  readonly channel = 'webhook';

  constructor(private readonly url: string, private readonly timeoutMs = TIMEOUT_MS) {}

  async send(ticket: Ticket): Promise<void> {
    const body = {
      text: ticketText(ticket),
      ticket: {
        id: ticket.id,
        title: ticket.title,
        severity: ticket.severity,
        problem: ticket.problem,
        category: ticket.category,
        requester: ticket.requester.userName,
        createdAt: ticket.createdAt,
      },
    };
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      // fetch's own errors can carry the URL (a secret for webhooks); keep only the cause's code.
      const cause = (err as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'error';
      throw new NotifyError(`webhook unreachable (${code})`);
    }
    await res.body?.cancel().catch(() => undefined);
    if (!res.ok) throw new NotifyError(`webhook answered HTTP ${res.status}`);
  }
}
