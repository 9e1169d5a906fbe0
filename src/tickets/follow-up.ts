/**
 * What a user may say about their tickets, recognised before the troubleshooting recognizer sees the
 * message: "what's the status of MAIL-00042" (a ticket id), "my tickets", "add to my ticket: …". The
 * phrases are data (dialogs/_messages.yaml: `myTicketsWords`, `addToTicketWords`); only the id's shape is here.
 */
import { normalizeAnswer } from '../recognizer/normalize';

export type FollowUp =
  | { kind: 'status'; ticketId: string }
  | { kind: 'list' }
  /** `ticketId` null: the user's latest ticket still open. */
  | { kind: 'note'; ticketId: string | null; text: string };

export interface FollowUpWords {
  myTickets: readonly string[];
  addToTicket: readonly string[];
}

/**
 * A ticket id as the bot hands it out (MAIL-00042), or typed loosely (mail-00042, MAIL-42). Lower case
 * with fewer than five digits is left alone: "mail-554" is more likely a bounce than a ticket.
 */
const TICKET_ID = /\b(?:MAIL-(\d{1,9})|[Mm][Aa][Ii][Ll]-(\d{5,9}))\b/;
/** "my tickets" is a request only in a short message; a long one is a problem description. */
const MAX_LIST_WORDS = 8;
const SEPARATORS = /^[\s:：,，.\-–—]+/;

export function findTicketId(text: string): string | null {
  const match = TICKET_ID.exec(text);
  if (!match) return null;
  return `MAIL-${String(Number(match[1] ?? match[2])).padStart(5, '0')}`;
}

/** The phrase lists as matchFollowUp compares them, prepared once per word list (they come from dialogs/_messages.yaml and never change). */
interface PreparedWords {
  /** addToTicket in lower case, longest first (so "add to my ticket" wins over "add to ticket"). */
  addToTicket: string[];
  /** myTickets normalised, with whether each is matched as whole words (Latin script) or as a substring (Chinese). */
  myTickets: Array<{ phrase: string; spaced: boolean }>;
}

const prepared = new WeakMap<FollowUpWords, PreparedWords>();

function prepare(words: FollowUpWords): PreparedWords {
  let ready = prepared.get(words);
  if (!ready) {
    ready = {
      addToTicket: [...words.addToTicket].sort((a, b) => b.length - a.length).map((p) => p.toLowerCase()),
      myTickets: words.myTickets
        .map(normalizeAnswer)
        .filter((p) => p !== '')
        .map((phrase) => ({ phrase, spaced: /^[\p{Script=Latin}\p{N}\s]+$/u.test(phrase) })),
    };
    prepared.set(words, ready);
  }
  return ready;
}

export function matchFollowUp(text: string, words: FollowUpWords): FollowUp | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const phrases = prepare(words);

  const lower = trimmed.toLowerCase().replace(/^please\s+/, '');
  for (const p of phrases.addToTicket) {
    if (!lower.startsWith(p)) continue;
    let rest = trimmed.slice(trimmed.length - lower.length + p.length).replace(SEPARATORS, '');
    const id = findTicketId(rest.slice(0, 16));
    if (id) rest = rest.replace(TICKET_ID, '').replace(SEPARATORS, '');
    return { kind: 'note', ticketId: id, text: rest.trim() };
  }

  const id = findTicketId(trimmed);
  if (id) return { kind: 'status', ticketId: id };

  const norm = normalizeAnswer(trimmed);
  if (norm.split(' ').length > MAX_LIST_WORDS) return null;
  for (const { phrase, spaced } of phrases.myTickets) {
    if (spaced ? ` ${norm} `.includes(` ${phrase} `) : norm.includes(phrase)) return { kind: 'list' };
  }
  return null;
}
