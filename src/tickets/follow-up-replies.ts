/**
 * The bot's answers to a user's follow-up about their tickets, read from the store. Only the asking
 * user's own tickets are ever named: another user's id is answered like one that does not exist.
 */
import { fill, type Messages } from '../dialogs/messages';
import type { FollowUp } from './follow-up';
import type { TicketService } from './ticket-service';
import type { Ticket, TicketOwner } from './types';

/** The texts to send back, in order. */
export function answerFollowUp(followUp: FollowUp, owner: TicketOwner, tickets: TicketService, messages: Messages): string[] {
  switch (followUp.kind) {
    case 'status': {
      const ticket = tickets.ownTicket(owner, followUp.ticketId);
      if (!ticket) return [fill(messages.ticketNotFound, { ticketId: followUp.ticketId })];
      return statusLines(ticket, messages);
    }
    case 'list': {
      const own = tickets.ownTickets(owner);
      if (own.length === 0) return [messages.myTicketsNone];
      const lines = own.map((t) =>
        fill(messages.myTicketsLine, { ticketId: t.id, title: t.title, status: messages.ticketStatuses[t.status], created: day(t.createdAt) }),
      );
      return [[messages.myTicketsHeader, ...lines.map((l) => `- ${l}`)].join('\n')];
    }
    case 'note': {
      if (followUp.text === '') return [messages.ticketNoteEmpty];
      const ticket = tickets.addUserNote(owner, followUp.text, followUp.ticketId);
      if (!ticket) {
        return [followUp.ticketId ? fill(messages.ticketNotFound, { ticketId: followUp.ticketId }) : messages.ticketNoteNoTicket];
      }
      return [fill(messages.ticketNoteAdded, { ticketId: ticket.id })];
    }
  }
}

function statusLines(ticket: Ticket, messages: Messages): string[] {
  const lines = [
    fill(messages.ticketStatus, {
      ticketId: ticket.id,
      title: ticket.title,
      status: messages.ticketStatuses[ticket.status],
      created: day(ticket.createdAt),
      updated: day(ticket.updatedAt),
    }),
  ];
  const reply = [...ticket.events].reverse().find((e) => e.kind === 'reply');
  if (reply) lines.push(fill(messages.ticketLastReply, { reply: reply.text }));
  return lines;
}

/** "2024-05-01 10:00 UTC": the stored ISO time, readable. */
function day(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
