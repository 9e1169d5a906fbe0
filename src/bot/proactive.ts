/**
 * Messages the bot sends on its own into a stored conversation: the postmaster's reply into the user's
 * conversation, and new tickets into the postmaster's. A conversation of the built-in Direct Line (web
 * chat) lives in this process: the activities are appended to its transcript and pushed to its streams.
 * Any other (Teams, the Emulator, any channel with a serviceUrl) goes through the adapter's
 * `continueConversationAsync` with the stored conversation reference.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import { fill, type Messages } from '../dialogs/messages';
import { isLoopbackUrl } from '../server/activity';
import { isInProcessDirectLine } from '../channels/directline/service';
import { ticketMarkdown } from '../tickets/notify/summary';
import type { TicketDelivery } from '../tickets/notify/chat';
import type { Ticket } from '../tickets/types';
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
  /** The built-in Direct Line, once registered: where its conversations' messages go. */
  directLine?: () => InProcessChannel | undefined;
}

/** A channel whose conversations live in this process (DirectLineService). */
export interface InProcessChannel {
  deliver(conversationId: string, activities: readonly Partial<Activity>[]): Promise<void>;
}

/** Sends activities into the conversation a stored reference names; rejects when it cannot. */
export type ConversationSender = (ref: Record<string, unknown>, activities: readonly Partial<Activity>[]) => Promise<void>;

export function conversationSender(adapter: Pick<CloudAdapter, 'continueConversationAsync'>, options: ProactiveOptions): ConversationSender {
  return async (ref, activities) => {
    const reference = ref as Partial<ConversationReference>;
    if (isInProcessDirectLine(reference)) {
      const directLine = options.directLine?.();
      const conversationId = reference.conversation?.id;
      if (!directLine || !conversationId) throw new Error('the built-in Direct Line is not available');
      await directLine.deliver(conversationId, activities);
      return;
    }
    if (!options.authEnabled && !isLoopbackUrl(String(reference.serviceUrl ?? ''))) {
      throw new Error('not a loopback serviceUrl with authentication off');
    }
    // A failure is caught inside the turn: left to the adapter, its onTurnError would swallow it (and post
    // an apology into the very conversation that could not be reached), and the caller would count it sent.
    let failure: unknown = null;
    await adapter.continueConversationAsync(options.appId, reference, async (context) => {
      try {
        await context.sendActivities([...activities]);
      } catch (err) {
        failure = err ?? new Error('send failed');
      }
    });
    if (failure !== null) throw failure;
  };
}

/**
 * What the user reads: the reply, then how to answer — when the postmaster waits for them, their next
 * message here is the answer (TicketService.awaitingAnswer); otherwise "add to my ticket: …".
 */
export function postmasterReplyText(messages: Messages, ticket: Ticket, reply: string): string {
  const said = fill(messages.postmasterReply, { ticketId: ticket.id, title: ticket.title, reply });
  const hint = ticket.status === 'waiting-for-user' ? fill(messages.postmasterReplyAnswerHere, { ticketId: ticket.id }) : messages.postmasterReplyHint;
  return `${said}\n\n${hint}`;
}

/** The postmaster's reply to a ticket, delivered into the user's own conversation, with how to answer. */
export function proactiveMessenger(send: ConversationSender, messages: Messages): UserMessenger {
  return async (ref, ticket, reply) => {
    await send(ref, [renderText(postmasterReplyText(messages, ticket, reply))]);
  };
}

/** A new ticket, posted into the postmaster's registered conversation (the outbox's chat notifier). */
export function postmasterTicketDelivery(send: ConversationSender): TicketDelivery {
  return async (ref, ticket) => {
    await send(ref, [renderText(ticketMarkdown(ticket))]);
  };
}
