/**
 * Incoming activity → the engine's input. Mentions of the bot are stripped (Teams puts "<at>Bot</at>"
 * into the text), control characters and other binary junk are dropped, and anything that leaves no
 * text becomes the empty text input, which the engine answers with its own message.
 */
import { TurnContext, type Activity } from 'botbuilder';
import type { EngineInput } from '../engine/types';

export type InputShape = 'text' | 'empty' | 'attachment';

export interface MappedInput {
  input: EngineInput;
  /** What the message was: text, nothing, or only attachments / card data. */
  shape: InputShape;
}

// C0/C1 controls except tab and newlines, the replacement character, zero-width and BOM characters,
// and UTF-16 halves without their partner (what a binary upload decoded as text leaves behind).
const JUNK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD\uFFFE\uFFFF\u200B\u2060\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text without junk characters. Length is the engine's business: it cuts long text and says so. */
export function cleanText(raw: string): string {
  return raw.replace(JUNK, '').trim();
}

/** The activity's text without mentions of the bot; tolerant of channels that send odd mention entities. */
export function textWithoutBotMention(activity: Partial<Activity>): string {
  if (typeof activity.text !== 'string') return '';
  const botId = activity.recipient?.id;
  if (!botId) return activity.text;
  const entities = Array.isArray(activity.entities) ? activity.entities : [];
  const usable = entities.filter(
    (e) => e?.type === 'mention' && typeof e['text'] === 'string' && e['text'] !== '' && e['mentioned']?.id === botId,
  );
  if (usable.length === 0) return activity.text;
  // TurnContext removes the first mention's text; strip every occurrence (a bot may be mentioned twice).
  const copy = { ...activity, entities: usable } as Activity;
  let text = TurnContext.removeRecipientMention(copy) ?? '';
  for (const mention of usable) text = text.split(String(mention['text'])).join(' ');
  return text.replace(/[ \t]{2,}/g, ' ').trim();
}

export function mapMessage(activity: Partial<Activity>): MappedInput {
  const text = cleanText(textWithoutBotMention(activity));
  if (text !== '') return { input: { kind: 'text', text }, shape: 'text' };
  const hasPayload = (Array.isArray(activity.attachments) && activity.attachments.length > 0) || activity.value != null;
  return { input: { kind: 'text', text: '' }, shape: hasPayload ? 'attachment' : 'empty' };
}
