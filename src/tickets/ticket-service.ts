/**
 * The ticket desk: the EscalationSink the bot hands escalations to (the id comes back only after the
 * ticket is committed), what the user may ask about their own tickets, and what the postmaster does
 * with them (list, read, change status, reply). New tickets wake the outbox, which notifies the postmaster.
 */
import type { EngineEvent, EscalationRecord } from '../engine/types';
import type { EscalationContext, EscalationSink, Requester } from '../escalation/types';
import { ChatNotifier, type TicketDelivery } from './notify/chat';
import type { Outbox } from './outbox';
import { PostmasterConversation } from './postmaster-conversation';
import type { ConversationEvent, Rating, TicketStore } from './ticket-store';
import type { Ticket, TicketFilter, TicketOwner, TicketStatus, TicketSummary } from './types';

/** Delivers the postmaster's reply into the user's conversation (the bot adapter, proactively). */
export type UserMessenger = (conversationRef: Record<string, unknown>, ticket: Ticket, text: string) => Promise<void>;

export interface TicketUpdate {
  status?: TicketStatus;
  /** The postmaster's reply to the user. */
  reply?: string;
}

export interface UpdateResult {
  ticket: Ticket;
  /** Whether a reply reached the user's conversation: null when there was no reply or no way to send it. */
  replyDelivered: boolean | null;
}

/** How long a PATCH waits for the user's channel to take the reply. */
const REPLY_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class TicketService implements EscalationSink {
  private messenger: UserMessenger | null = null;
  /** The postmaster's conversation for new tickets (registered with a code and the admin token). */
  readonly postmasterConversation: PostmasterConversation;

  constructor(readonly store: TicketStore, private readonly outbox?: Outbox) {
    this.postmasterConversation = new PostmasterConversation(store);
  }

  async escalate(record: EscalationRecord, requester: Requester, context?: EscalationContext): Promise<{ ticketId: string }> {
    const ticketId = this.store.create({
      record,
      requester,
      channels: this.outbox?.channels ?? [],
      conversationRef: context?.conversationRef,
    });
    this.outbox?.kick();
    return { ticketId };
  }

  /** Set once the bot adapter exists (createApp): postmaster replies then reach the user's chat. */
  setUserMessenger(messenger: UserMessenger | null): void {
    this.messenger = messenger;
  }

  /**
   * Set once the bot adapter exists (createApp): new tickets are then also posted into the postmaster's
   * registered conversation, through the outbox like every notification (retried, state on the ticket).
   */
  enableChatNotifications(deliver: TicketDelivery): void {
    this.outbox?.addNotifier(new ChatNotifier(this.postmasterConversation, deliver));
  }

  // ---- the user, about their own tickets ----

  ownTicket(owner: TicketOwner, ticketId: string): Ticket | undefined {
    return this.store.getOwned(ticketId, owner);
  }

  ownTickets(owner: TicketOwner, limit = 10): TicketSummary[] {
    return this.store.list({ owner, limit });
  }

  /**
   * Adds the user's words to their ticket: the one named, else their latest one not resolved. A ticket
   * waiting for the user goes back to in progress. Undefined when there is no such ticket of theirs.
   */
  addUserNote(owner: TicketOwner, text: string, ticketId: string | null): Ticket | undefined {
    const target = ticketId
      ? this.store.getOwned(ticketId, owner)
      : this.store.list({ owner, limit: 50 }).find((t) => t.status !== 'resolved');
    if (!target) return undefined;
    const status: TicketStatus | undefined = target.status === 'waiting-for-user' ? 'in-progress' : undefined;
    this.store.addEvent(target.id, { kind: 'user-note', author: 'user', text, ...(status ? { status } : {}) });
    return this.store.get(target.id);
  }

  /**
   * The ticket of this user, opened from this conversation, that waits for their answer: status
   * waiting-for-user, the postmaster's latest reply delivered into the conversation, and nothing from the
   * user since. The newest such ticket, or undefined.
   */
  awaitingAnswer(owner: TicketOwner, conversationId: string): Ticket | undefined {
    for (const id of this.store.waitingForUser(owner)) {
      const ticket = this.store.get(id);
      if (!ticket || ticket.requester.conversationId !== conversationId) continue;
      const lastReply = ticket.events.map((e) => e.kind).lastIndexOf('reply');
      const reply = ticket.events[lastReply];
      if (!reply?.deliveredAt) continue;
      if (ticket.events.slice(lastReply + 1).some((e) => e.author === 'user')) continue;
      return ticket;
    }
    return undefined;
  }

  /** The user's answer to the postmaster, in chat: on the ticket, which goes back to in progress. */
  addUserReply(ticketId: string, text: string): Ticket | undefined {
    if (this.store.addEvent(ticketId, { kind: 'user-reply', author: 'user', text, status: 'in-progress' }) === null) return undefined;
    return this.store.get(ticketId);
  }

  /**
   * Counts what happened in a conversation this turn, for the helpdesk numbers: a flow started (its
   * problem or tree), the engine's events, and a rating given. `keepText` false stores no user words
   * (LOG_USER_TEXT=false). Resolves once they are committed (with the other turns' of the moment).
   */
  recordTurn(where: { channelId: string; conversationId: string }, started: string | null, events: readonly EngineEvent[], keepText = true): Promise<void> {
    const rows: ConversationEvent[] = [];
    const ratings: Rating[] = [];
    if (started !== null) rows.push({ type: 'started', problem: started, ...where });
    for (const e of events) {
      if (e.type === 'escalated') rows.push({ type: 'escalated', problem: e.record.problem, ...where });
      else if (e.type === 'unrecognized') rows.push({ type: 'unrecognized', text: keepText ? e.text : `[${e.text.length} chars]`, ...where });
      else if (e.type === 'rated') ratings.push({ problem: e.problem, rating: e.rating, ...where });
      else rows.push({ type: e.type, problem: e.problem, ...where });
    }
    return this.store.recordConversation(rows, ratings);
  }

  // ---- the postmaster ----

  list(filter: TicketFilter): TicketSummary[] {
    return this.store.list(filter);
  }

  get(ticketId: string): Ticket | undefined {
    return this.store.get(ticketId);
  }

  /** Applies a status change and/or a reply; undefined when there is no such ticket. */
  async update(ticketId: string, update: TicketUpdate): Promise<UpdateResult | undefined> {
    const ticket = this.store.get(ticketId);
    if (!ticket) return undefined;
    if (update.status && update.status !== ticket.status) {
      this.store.addEvent(ticket.id, { kind: 'status', author: 'postmaster', text: `${ticket.status} → ${update.status}`, status: update.status });
    }
    let replyDelivered: boolean | null = null;
    if (update.reply) {
      const eventId = this.store.addEvent(ticket.id, { kind: 'reply', author: 'postmaster', text: update.reply });
      const ref = this.store.conversationRef(ticket.id);
      if (this.messenger && ref && eventId !== null) {
        try {
          // The ticket as it is now: the message tells the user whether an answer is expected.
          await withTimeout(this.messenger(ref, this.store.get(ticket.id) as Ticket, update.reply), REPLY_TIMEOUT_MS);
          this.store.markEventDelivered(eventId);
          replyDelivered = true;
        } catch {
          replyDelivered = false;
        }
      }
    }
    return { ticket: this.store.get(ticket.id) as Ticket, replyDelivered };
  }

  /** Starts notifying the postmaster (and sends what a previous run left pending). */
  start(): void {
    this.outbox?.start();
  }

  /** Stops the outbox (waiting for a send under way) and closes the database. */
  async close(): Promise<void> {
    await this.outbox?.stop();
    this.store.close();
  }
}
