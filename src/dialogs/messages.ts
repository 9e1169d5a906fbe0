/**
 * The bot's own sentences (dialogs/_messages.yaml): everything it says that is not part of one tree.
 * Checked at load so that a missing key fails at start-up, not in the middle of a conversation.
 */
import { z } from 'zod';
import { Phrase } from './schema';

const text = z.string().min(1);
const words = z.array(Phrase).min(1);

export const MessagesSchema = z.object({
  welcome: text,
  welcomeOptions: words,
  help: text,
  helpInFlow: text,
  restart: text,
  back: text,
  nothingToGoBack: text,
  didItWork: text,
  workedYes: text,
  workedNo: text,
  didItAnswer: text,
  answeredYes: text,
  answeredNo: text,
  resolved: text,
  resolvedInfo: text,
  ratingOffer: text,
  ratingThanks: text,
  /** Words that may surround the number of a rating ("4 stars", "I'd give it a 4"). */
  ratingWords: words,
  roleQuestion: text,
  rolePostmaster: text,
  roleEmployee: text,
  escalateOffer: text,
  escalateYes: text,
  escalateNo: text,
  escalateDeclined: text,
  escalated: text,
  ticketCreated: text,
  ticketFailed: text,
  welcomeGroup: text,
  cardConsolePath: text,
  cardProblem: text,
  cardSeverity: text,
  cardStatus: text,
  ticketOpen: text,
  turnError: text,
  humanRequested: text,
  fallback: text,
  fallbackNoFlow: text,
  fallbackEscalate: text,
  fallbackEscalateOptions: words,
  outOfScope: text,
  outOfScopeOptions: words,
  didYouMean: text,
  didYouMeanNeither: text,
  topicSwitch: text,
  prefilled: text,
  emptyMessage: text,
  tooLong: text,
  notText: text,
  seedsSilent: text,
  flowEnded: text,
  yesWords: words,
  noWords: words,
  restartWords: words,
  backWords: words,
  helpWords: words,
  postmasterWords: words,
  employeeWords: words,
  humanWords: words,
  myTicketsWords: words,
  addToTicketWords: words,
  ticketStatus: text,
  ticketLastReply: text,
  ticketNotFound: text,
  myTicketsHeader: text,
  myTicketsLine: text,
  myTicketsNone: text,
  ticketNoteAdded: text,
  ticketNoteNoTicket: text,
  ticketNoteEmpty: text,
  postmasterReply: text,
  postmasterReplyHint: text,
  postmasterReplyAnswerHere: text,
  notifyHereWords: words,
  notifyPairing: text,
  notifyUnreachable: text,
  notifyRegistered: text,
  ticketReplyAdded: text,
  /** How each ticket status reads to the user (keys: src/tickets/types.ts TICKET_STATUSES). */
  ticketStatuses: z.object({ open: text, 'in-progress': text, 'waiting-for-user': text, resolved: text }),
}).passthrough();

export type Messages = z.infer<typeof MessagesSchema>;

/** Fills `{name}` placeholders; an unknown name is left as is so a typo shows rather than vanishes. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
