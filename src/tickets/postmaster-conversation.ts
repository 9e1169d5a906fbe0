/**
 * Which conversation gets new tickets as chat messages (Teams, web chat, the Emulator): the postmaster's.
 *
 * Chat identities cannot be trusted to say who the postmaster is (the built-in web chat lets anyone name
 * themselves, and with Bot Framework authentication off so can anyone posting to /api/messages), so a
 * conversation is registered in two halves: someone asks in the conversation ("notify me here about new
 * tickets") and gets a one-time code; the postmaster confirms that code with the admin token
 * (PUT /api/notify/conversation or the dashboard). Knowing the admin token is what makes them the
 * postmaster, being in the conversation is what the code proves. Codes last 15 minutes and are stored
 * hashed; one conversation at a time is registered, a new one replaces it.
 */
import { createHash, randomInt } from 'node:crypto';
import type { NotifyConversation, RegisteredNotifyConversation, TicketStore } from './ticket-store';

export const PAIRING_MINUTES = 15;
/** No 0/O, 1/I/L: a code read aloud or copied by hand survives. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export class PostmasterConversation {
  constructor(private readonly store: TicketStore, private readonly now: () => Date = () => new Date()) {}

  /** A code that registers `conversation` once confirmed with the admin token, e.g. "K7QM-2XHP". */
  startPairing(conversation: NotifyConversation): string {
    const raw = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    const code = `${raw.slice(0, 4)}-${raw.slice(4)}`;
    this.store.addNotifyPairing(hashCode(code), conversation, new Date(this.now().getTime() + PAIRING_MINUTES * 60_000));
    return code;
  }

  /** Registers the conversation the code names; undefined when the code is unknown, used or expired. */
  confirm(code: string): RegisteredNotifyConversation | undefined {
    const normalised = normaliseCode(code);
    return normalised ? this.store.confirmNotifyPairing(hashCode(normalised)) : undefined;
  }

  current(): RegisteredNotifyConversation | undefined {
    return this.store.notifyConversation();
  }

  clear(): boolean {
    return this.store.clearNotifyConversation();
  }
}

/** "k7qm 2xhp", "K7QM2XHP" and "K7QM-2XHP" are the same code; anything else is none. */
export function normaliseCode(code: string): string | null {
  const bare = code.toUpperCase().replace(/[\s-]/g, '');
  if (bare.length !== CODE_LENGTH || [...bare].some((c) => !CODE_ALPHABET.includes(c))) return null;
  return `${bare.slice(0, 4)}-${bare.slice(4)}`;
}

function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
