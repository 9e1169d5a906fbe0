/**
 * Channel-neutral engine replies → Bot Framework activities. Text first, then the steps as a numbered
 * list, then the console path on its own line; options become suggested actions whose buttons send
 * their label back (imBack), which is what the engine listens for.
 *
 * Where the client renders Adaptive Cards (see channel.ts), a reply with steps or a console path, an
 * escalation, and a reply with more options than the client shows as suggested actions become a card
 * (cards.ts) whose buttons send their label back too.
 */
import { ActionTypes, ActivityTypes, InputHints, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import type { Reply } from '../engine/types';
import { cardAttachment, replyCard, ticketCard, type CardLabels, type TicketFacts } from './cards';
import type { Surface } from './channel';

/** Where the replies go: what the client shows, and the card labels. Without one, replies are plain. */
export interface RenderContext {
  surface: Surface;
  labels: CardLabels;
}

/** The text a reply shows, in Markdown (Teams, Web Chat and the Emulator render it). */
export function replyText(reply: Reply): string {
  const parts: string[] = [];
  if (reply.text.trim() !== '') parts.push(reply.text.trim());
  if (reply.steps && reply.steps.length > 0) {
    parts.push(reply.steps.map((step, i) => `${i + 1}. ${step.trim()}`).join('\n'));
  }
  if (reply.path && reply.path.trim() !== '') parts.push(reply.path.trim());
  return parts.join('\n\n');
}

export function renderReply(reply: Reply, context?: RenderContext): Partial<Activity> {
  const text = replyText(reply);
  const options = reply.options ?? [];
  if (context && wantsCard(reply, context.surface)) {
    const hint = options.length > 0 ? InputHints.ExpectingInput : InputHints.AcceptingInput;
    const activity = MessageFactory.attachment(cardAttachment(replyCard(reply, context.labels, text)), undefined, undefined, hint);
    // What a notification or a chat list shows for a card.
    activity.summary = reply.text.trim() !== '' ? reply.text.trim() : text;
    return activity;
  }
  const activity: Partial<Activity> =
    options.length > 0
      ? MessageFactory.suggestedActions(options.map(imBack), text, undefined, InputHints.ExpectingInput)
      : MessageFactory.text(text, undefined, InputHints.AcceptingInput);
  activity.type = ActivityTypes.Message;
  activity.textFormat = 'markdown';
  return activity;
}

export function renderReplies(replies: readonly Reply[], context?: RenderContext): Partial<Activity>[] {
  return replies.map((reply) => renderReply(reply, context));
}

/** The ticket made from an escalation: a card where cards render, else its sentence alone. */
export function renderTicket(ticket: TicketFacts, context?: RenderContext): Partial<Activity> {
  if (!context?.surface.cards) return renderText(ticket.text);
  const activity = MessageFactory.attachment(cardAttachment(ticketCard(ticket, context.labels)), undefined, undefined, InputHints.AcceptingInput);
  activity.summary = ticket.text;
  return activity;
}

/** Steps, a console path and an escalation read better on a card; so do options the client cannot show as suggested actions. */
function wantsCard(reply: Reply, surface: Surface): boolean {
  if (!surface.cards) return false;
  const rich = reply.kind === 'escalation' || (reply.steps ?? []).length > 0 || (reply.path ?? '').trim() !== '';
  return rich || (reply.options ?? []).length > surface.maxSuggestedActions;
}

/** A plain message with no buttons (ticket lines, apologies). */
export function renderText(text: string): Partial<Activity> {
  const activity = MessageFactory.text(text, undefined, InputHints.AcceptingInput);
  activity.textFormat = 'markdown';
  return activity;
}

function imBack(label: string): CardAction {
  return { type: ActionTypes.ImBack, title: label, value: label };
}

/** The button labels of a rendered activity (what a console or a test shows as choices). */
export function suggestedLabels(activity: Partial<Activity>): string[] {
  return (activity.suggestedActions?.actions ?? []).map((a) => String(a.value ?? a.title ?? ''));
}
