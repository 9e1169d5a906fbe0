/**
 * Posts each new ticket into the postmaster's registered conversation (Teams, web chat, the Emulator),
 * proactively through the bot. Active only while a conversation is registered: until then new tickets
 * owe this channel nothing. The sending itself is the bot layer's (`deliver`: the adapter or the
 * built-in Direct Line), so this module stays free of the SDK.
 */
import type { PostmasterConversation } from '../postmaster-conversation';
import type { Ticket } from '../types';
import { NotifyError, type Notifier } from './types';

/** Sends a ticket into the conversation a stored reference names; rejects when it cannot. */
export type TicketDelivery = (conversationRef: Record<string, unknown>, ticket: Ticket) => Promise<void>;

export class ChatNotifier implements Notifier {
  readonly channel = 'chat';

  constructor(private readonly conversation: PostmasterConversation, private readonly deliver: TicketDelivery) {}

  isActive(): boolean {
    return this.conversation.current() !== undefined;
  }

  async send(ticket: Ticket): Promise<void> {
    const target = this.conversation.current();
    if (!target) throw new NotifyError('no postmaster conversation is registered');
    try {
      await this.deliver(target.conversationRef, ticket);
    } catch (err) {
      // The adapter's errors can carry a URL or a token in their details: keep a status code at most.
      const status = (err as { statusCode?: unknown }).statusCode;
      throw new NotifyError(`chat message not delivered${typeof status === 'number' ? ` (HTTP ${status})` : ''}`);
    }
  }
}
