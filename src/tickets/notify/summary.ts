/**
 * The plain-text summary of a ticket that the postmaster's notifications carry: subject line and body.
 * Labels are the postmaster's working vocabulary (field names), not sentences the bot says to a user.
 */
import type { Ticket } from '../types';

/** Transcript lines kept in a notification; the whole transcript stays on the ticket. */
const TRANSCRIPT_LINES = 30;

export function ticketSubject(ticket: Ticket): string {
  return `[${ticket.id}] ${ticket.severity}: ${ticket.title}`;
}

export function ticketText(ticket: Ticket): string {
  const { record, requester } = ticket;
  const who = [requester.userName || requester.userId, requester.email, `${requester.channelId}`].filter(Boolean).join(', ');
  const lines = [
    `Ticket ${ticket.id}: ${ticket.title}`,
    `Severity: ${ticket.severity}`,
    `Problem: ${ticket.problem ?? '-'} (${ticket.category ?? '-'})`,
    `Requester: ${who}`,
    `Reason: ${record.reason}`,
    `User's words: ${record.userWords || '-'}`,
  ];
  if (record.answers.length > 0) {
    lines.push('Answers:');
    for (const a of record.answers) lines.push(`  - ${a.question} → ${a.answer}`);
  }
  if (record.stepsTried.length > 0) {
    lines.push('Steps tried:');
    for (const s of record.stepsTried) lines.push(`  - ${s}`);
  }
  if (record.transcript.length > 0) {
    lines.push('Transcript:');
    for (const t of record.transcript.slice(-TRANSCRIPT_LINES)) lines.push(`  ${t.from}: ${t.text}`);
  }
  return lines.join('\n');
}

/** A new ticket as a chat message for the postmaster's conversation (Markdown: Teams and Web Chat render it). */
export function ticketMarkdown(ticket: Ticket): string {
  const { record, requester } = ticket;
  const who = [requester.userName || requester.userId, requester.email, requester.channelId].filter(Boolean).join(', ');
  const paragraphs = [
    `**New ticket ${ticket.id}** — ${ticket.title}`,
    `Severity: ${ticket.severity} · Problem: ${ticket.problem ?? '-'} (${ticket.category ?? '-'}) · From: ${who}`,
    `User's words: ${oneLine(record.userWords) || '-'}`,
    `Reason: ${oneLine(record.reason)}`,
  ];
  if (record.stepsTried.length > 0) paragraphs.push(`Steps tried: ${record.stepsTried.map(oneLine).join('; ')}`);
  paragraphs.push(`Answer it with PATCH /api/tickets/${ticket.id} (the dashboard /admin lists it).`);
  return paragraphs.join('\n\n');
}

/** At most 300 characters, on one line: the whole text stays on the ticket. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
