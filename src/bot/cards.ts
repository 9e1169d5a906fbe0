/**
 * Adaptive Cards for the channels that render them (see channel.ts): a reply with numbered steps and a
 * console path, the escalation summary, the ticket made from it, and a reply's options as buttons.
 * Every card carries its plain text as `fallbackText`, for a client too old for the card.
 */
import { CardFactory, type Attachment } from 'botbuilder';
import type { Messages } from '../dialogs/messages';
import type { Reply } from '../engine/types';

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams (desktop, web and mobile), Web Chat and the Emulator all render 1.4; the cards use nothing newer. */
export const CARD_VERSION = '1.4';
/** The key under which a card button's data carries its label; input.ts reads it back as the user's words. */
export const OPTION_KEY = 'helpdeskOption';

export type CardElement = { type: string } & Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  fallbackText: string;
  body: CardElement[];
}

/** The words on cards that are not part of a reply (from dialogs/_messages.yaml). */
export interface CardLabels {
  consolePath: string;
  problem: string;
  severity: string;
  status: string;
  ticketOpen: string;
}

export function cardLabels(messages: Messages): CardLabels {
  return {
    consolePath: messages.cardConsolePath,
    problem: messages.cardProblem,
    severity: messages.cardSeverity,
    status: messages.cardStatus,
    ticketOpen: messages.ticketOpen,
  };
}

/** What the ticket card shows: the sentence telling the ticket id, then the case in brief. */
export interface TicketFacts {
  text: string;
  ticketId: string;
  title: string;
  severity: string;
}

/** A reply as a card: its text, numbered steps, the console path, and its options as buttons. */
export function replyCard(reply: Reply, labels: CardLabels, fallbackText: string): AdaptiveCard {
  const body: CardElement[] = [];
  if (reply.text.trim() !== '') {
    const text = textBlock(reply.text.trim());
    // The hand-over to the postmaster stands out from the troubleshooting around it.
    body.push(reply.kind === 'escalation' ? { type: 'Container', style: 'accent', bleed: true, items: [text] } : text);
  }
  (reply.steps ?? []).forEach((step, i) => body.push(numberedStep(i + 1, step.trim())));
  if (reply.path && reply.path.trim() !== '') {
    body.push({
      type: 'Container',
      style: 'emphasis',
      spacing: 'medium',
      items: [
        textBlock(labels.consolePath, { size: 'small', weight: 'bolder', isSubtle: true }),
        textBlock(reply.path.trim(), { fontType: 'monospace', spacing: 'none' }),
      ],
    });
  }
  body.push(...optionButtons(reply.options ?? []));
  return card(body, fallbackText);
}

/** The ticket made from an escalation: id sentence, problem, severity, status. */
export function ticketCard(ticket: TicketFacts, labels: CardLabels): AdaptiveCard {
  return card(
    [
      textBlock(ticket.text, { weight: 'bolder' }),
      {
        type: 'FactSet',
        facts: [
          { title: labels.problem, value: ticket.title },
          { title: labels.severity, value: ticket.severity },
          { title: labels.status, value: labels.ticketOpen },
        ],
      },
    ],
    ticket.text,
  );
}

/**
 * Options as buttons, one per row so long labels show whole and no client's limit on actions per set
 * applies. A press sends the label back: Teams posts it as the message text (messageBack, which reaches
 * the bot in a channel without an @mention); Web Chat and the Emulator send the data as the activity's
 * value, where input.ts finds it under OPTION_KEY.
 */
export function optionButtons(options: readonly string[]): CardElement[] {
  return options.map((label) => ({
    type: 'ActionSet',
    spacing: 'small',
    actions: [
      {
        type: 'Action.Submit',
        title: label,
        data: { [OPTION_KEY]: label, msteams: { type: 'messageBack', text: label, displayText: label } },
      },
    ],
  }));
}

export function cardAttachment(content: AdaptiveCard): Attachment {
  return CardFactory.adaptiveCard(content);
}

/** The card of an attachment this module built, or undefined. */
export function cardOf(attachment: Attachment | undefined): AdaptiveCard | undefined {
  if (!attachment || attachment.contentType !== CardFactory.contentTypes.adaptiveCard) return undefined;
  return attachment.content as AdaptiveCard;
}

/** The labels of a card's option buttons, in order. */
export function cardButtonLabels(content: AdaptiveCard | undefined): string[] {
  const labels: string[] = [];
  for (const element of content?.body ?? []) {
    if (element.type !== 'ActionSet' || !Array.isArray(element['actions'])) continue;
    for (const action of element['actions'] as { data?: Record<string, unknown> }[]) {
      const label = action.data?.[OPTION_KEY];
      if (typeof label === 'string') labels.push(label);
    }
  }
  return labels;
}

function card(body: CardElement[], fallbackText: string): AdaptiveCard {
  return { type: 'AdaptiveCard', $schema: CARD_SCHEMA, version: CARD_VERSION, fallbackText, body };
}

function textBlock(text: string, style: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text, wrap: true, ...style };
}

function numberedStep(n: number, step: string): CardElement {
  return {
    type: 'ColumnSet',
    spacing: 'small',
    columns: [
      // "2." alone is read by Markdown renderers (Web Chat's) as a list item and shown as "1.";
      // in bold it stays the number it is.
      { type: 'Column', width: 'auto', items: [textBlock(`**${n}.**`, { wrap: false })] },
      { type: 'Column', width: 'stretch', items: [textBlock(step)] },
    ],
  };
}
