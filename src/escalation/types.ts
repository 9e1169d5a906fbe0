import type { EscalationRecord } from '../engine/types';

/** Who asked for help, as the channel knows them. The optional fields are there only where the channel gives them. */
export interface Requester {
  channelId: string;
  userId: string;
  userName: string;
  conversationId: string;
  /** The user's Microsoft Entra ID (Azure AD) object id: Teams gives it, and it finds the person in the directory. */
  aadObjectId?: string;
  /** The user's email address. */
  email?: string;
  /** The Microsoft 365 tenant of the conversation (Teams). */
  tenantId?: string;
}

/**
 * Where escalated cases go. The default stores them; a ticket service (src/tickets) takes its place and
 * tells the postmaster through its outbox (webhook, mail, and a message in their registered Teams or web
 * chat conversation), so a notification owed survives a crash like the ticket itself.
 */
export interface EscalationSink {
  /** Records the case; `ticketId` is what the user is told to quote, or null when none was made. */
  escalate(record: EscalationRecord, requester: Requester, context?: EscalationContext): Promise<{ ticketId: string | null }>;
}

/** What else the bot knows about where the escalation came from. */
export interface EscalationContext {
  /** How to reach the user's conversation again (a botbuilder ConversationReference, as plain JSON). */
  conversationRef?: Record<string, unknown>;
}

/** An escalation as the default sink stores it under `escalations/<ticketId>`. */
export interface StoredEscalation {
  ticketId: string;
  record: EscalationRecord;
  requester: Requester;
  createdAt: string;
}

/**
 * The slice of a botbuilder `Storage` the default sink needs (any botbuilder Storage fits), declared
 * here so this module stays free of the SDK: `write` throws when an item's `eTag` is stale.
 */
export interface KeyValueStore {
  read(keys: string[]): Promise<Record<string, unknown>>;
  write(changes: Record<string, Record<string, unknown>>): Promise<void>;
}
