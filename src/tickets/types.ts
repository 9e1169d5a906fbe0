/**
 * Tickets: an escalation once it is stored, with what happens to it afterwards (status changes, the
 * postmaster's replies, the user's notes) and the state of each notification sent about it.
 */
import type { EscalationRecord } from '../engine/types';
import type { Requester } from '../escalation/types';

export const TICKET_STATUSES = ['open', 'in-progress', 'waiting-for-user', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export function isTicketStatus(value: unknown): value is TicketStatus {
  return typeof value === 'string' && (TICKET_STATUSES as readonly string[]).includes(value);
}

/** Something that happened to a ticket after it was made, oldest first. */
export interface TicketEvent {
  at: string;
  /** `user-reply`: the user's answer in chat to the postmaster's question; `user-note`: "add to my ticket: …". */
  kind: 'created' | 'status' | 'reply' | 'user-note' | 'user-reply';
  author: 'user' | 'postmaster' | 'system';
  text: string;
  /** The new status, for a status change. */
  status?: TicketStatus;
  /** For a postmaster's reply: when it reached the user's conversation (absent: not delivered). */
  deliveredAt?: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One notification of the postmaster about a ticket, through one channel. */
export interface Delivery {
  channel: string;
  state: DeliveryState;
  attempts: number;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  /** The last failure, as a short message (never a URL or a credential). */
  lastError: string | null;
  deliveredAt: string | null;
}

export interface Ticket {
  id: string;
  status: TicketStatus;
  problem: string | null;
  category: string | null;
  severity: string;
  title: string;
  requester: Requester;
  /** Everything the engine handed over: the user's words, answers, steps tried, transcript, … */
  record: EscalationRecord;
  createdAt: string;
  updatedAt: string;
  events: TicketEvent[];
  deliveries: Delivery[];
}

/** A ticket in a list: no transcript, events or deliveries. */
export type TicketSummary = Pick<Ticket, 'id' | 'status' | 'problem' | 'category' | 'severity' | 'title' | 'createdAt' | 'updatedAt'> & {
  requester: Pick<Requester, 'channelId' | 'userId' | 'userName'>;
};

export interface TicketFilter {
  status?: TicketStatus;
  problem?: string;
  severity?: string;
  /** Only this user's tickets (channel and user id). */
  owner?: TicketOwner;
  limit?: number;
}

/** Whose ticket it is: a user is known by their channel and the channel's user id. */
export interface TicketOwner {
  channelId: string;
  userId: string;
}
