/**
 * Incoming activity → the engine's input. Mentions of the bot are stripped (Teams puts "<at>Bot</at>"
 * into the text), a pressed card button becomes its label, control characters and other binary junk
 * are dropped, and anything that leaves no text becomes the empty text input, which the engine answers
 * with its own message. Also here: whether a message in a group conversation is meant for the bot.
 */
import { TurnContext, type Activity, type Entity } from 'botbuilder';
import type { EngineInput } from '../engine/types';
import { OPTION_KEY } from './cards';
import { isGroupConversation, TEAMS_CHANNEL_ID } from './channel';

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

/** The activity's mention entities that name the bot; tolerant of channels that send odd ones. */
function botMentions(activity: Partial<Activity>): Entity[] {
  const botId = activity.recipient?.id;
  if (!botId) return [];
  const entities = Array.isArray(activity.entities) ? activity.entities : [];
  return entities.filter(
    (e) => e?.type === 'mention' && typeof e['text'] === 'string' && e['text'] !== '' && e['mentioned']?.id === botId,
  );
}

/** The activity's text without mentions of the bot; tolerant of channels that send odd mention entities. */
export function textWithoutBotMention(activity: Partial<Activity>): string {
  if (typeof activity.text !== 'string') return '';
  const usable = botMentions(activity);
  if (usable.length === 0) return activity.text;
  // TurnContext removes the first mention's text; strip every occurrence (a bot may be mentioned twice).
  const copy = { ...activity, entities: usable } as Activity;
  let text = TurnContext.removeRecipientMention(copy) ?? '';
  for (const mention of usable) text = text.split(String(mention['text'])).join(' ');
  return text.replace(/[ \t]{2,}/g, ' ').trim();
}

/** The label of the card button whose press sent this activity (Web Chat and the Emulator send it as the value), or null. */
export function pressedOption(activity: Partial<Activity>): string | null {
  const value: unknown = activity.value;
  if (value === null || typeof value !== 'object') return null;
  const label = (value as Record<string, unknown>)[OPTION_KEY];
  return typeof label === 'string' && label.trim() !== '' ? label : null;
}

/**
 * Whether the bot should answer this message. In a personal chat, always. In a channel or group chat
 * (where people talk to each other), only when the bot is @mentioned, or when one of its card buttons
 * was pressed (Teams sends that without the mention).
 */
export function isAddressedToBot(activity: Partial<Activity>): boolean {
  if (!isGroupConversation(activity)) return true;
  return botMentions(activity).length > 0 || pressedOption(activity) !== null;
}

// Teams writes a few characters of a plain-text message as HTML entities (a space after a mention as &nbsp;).
const TEAMS_ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeTeamsEntities(text: string): string {
  return text.replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (whole, name: string) => TEAMS_ENTITIES[name] ?? whole);
}

/**
 * Teams adds a text/html rendering of every message as an attachment: it is the message itself, not a
 * file or a card the user sent.
 */
function isMessageRendering(activity: Partial<Activity>, contentType: string | undefined): boolean {
  return activity.channelId === TEAMS_CHANNEL_ID && contentType === 'text/html';
}

export function mapMessage(activity: Partial<Activity>): MappedInput {
  let raw = textWithoutBotMention(activity);
  if (activity.channelId === TEAMS_CHANNEL_ID) raw = decodeTeamsEntities(raw);
  const text = cleanText(raw) || cleanText(pressedOption(activity) ?? '');
  if (text !== '') return { input: { kind: 'text', text }, shape: 'text' };
  const attachments = (Array.isArray(activity.attachments) ? activity.attachments : []).filter(
    (a) => !isMessageRendering(activity, a?.contentType),
  );
  const hasPayload = attachments.length > 0 || activity.value != null;
  return { input: { kind: 'text', text: '' }, shape: hasPayload ? 'attachment' : 'empty' };
}
