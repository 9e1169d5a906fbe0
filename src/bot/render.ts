/**
 * Channel-neutral engine replies → Bot Framework activities. Text first, then the steps as a numbered
 * list, then the console path on its own line; options become suggested actions whose buttons send
 * their label back (imBack), which is what the engine listens for.
 */
import { ActionTypes, ActivityTypes, InputHints, MessageFactory, type Activity, type CardAction } from 'botbuilder';
import type { Reply } from '../engine/types';

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

export function renderReply(reply: Reply): Partial<Activity> {
  const text = replyText(reply);
  const options = reply.options ?? [];
  const activity: Partial<Activity> =
    options.length > 0
      ? MessageFactory.suggestedActions(options.map(imBack), text, undefined, InputHints.ExpectingInput)
      : MessageFactory.text(text, undefined, InputHints.AcceptingInput);
  activity.type = ActivityTypes.Message;
  activity.textFormat = 'markdown';
  return activity;
}

export function renderReplies(replies: readonly Reply[]): Partial<Activity>[] {
  return replies.map(renderReply);
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
