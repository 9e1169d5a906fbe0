/**
 * The postmaster's reply to a ticket, delivered into the user's own conversation: the conversation
 * reference stored with the ticket, `continueConversationAsync`, the reply as a sentence of
 * dialogs/_messages.yaml and the hint how to answer (the user's answer then goes onto the ticket).
 */
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import { fill, type Messages } from '../dialogs/messages';
import { isLoopbackUrl } from '../server/activity';
import type { UserMessenger } from '../tickets/ticket-service';
import { renderText } from './render';

export interface ProactiveOptions {
  /** The bot's app id ('' with authentication off). */
  appId: string;
  /**
   * With authentication off, only a serviceUrl on this machine is written to (the same rule as for
   * replies to /api/messages): a stored reference never makes the server post to another host.
   */
  authEnabled: boolean;
}

export function proactiveMessenger(adapter: Pick<CloudAdapter, 'continueConversationAsync'>, messages: Messages, options: ProactiveOptions): UserMessenger {
  return async (ref, ticket, reply) => {
    const reference = ref as Partial<ConversationReference>;
    if (!options.authEnabled && !isLoopbackUrl(String(reference.serviceUrl ?? ''))) {
      throw new Error('not a loopback serviceUrl with authentication off');
    }
    const text = `${fill(messages.postmasterReply, { ticketId: ticket.id, title: ticket.title, reply })}\n\n${messages.postmasterReplyHint}`;
    await adapter.continueConversationAsync(options.appId, reference, async (context) => {
      await context.sendActivity(renderText(text));
    });
  };
}
