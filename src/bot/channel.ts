/**
 * What the conversation an activity came from is like: a group where the bot speaks only when spoken
 * to, and what its client can show (Adaptive Cards, suggested-action buttons).
 */
import type { Activity } from 'botbuilder';

/** What a channel's client shows. */
export interface Surface {
  /** Adaptive Cards render. */
  cards: boolean;
  /**
   * How many suggested-action buttons show under a message. Teams shows at most three, and none in
   * channels and group chats (a pressed one would post a message without the @mention the bot needs).
   */
  maxSuggestedActions: number;
}

/** Console, tests and unknown channels: text and buttons, no cards. */
export const PLAIN_SURFACE: Readonly<Surface> = Object.freeze({ cards: false, maxSuggestedActions: Infinity });

/** Channels whose clients render Adaptive Cards (Teams, Azure Web Chat, Direct Line clients, the Emulator). */
const CARD_CHANNELS: ReadonlySet<string> = new Set(['msteams', 'webchat', 'directline', 'emulator']);

export const TEAMS_CHANNEL_ID = 'msteams';
const TEAMS_SUGGESTED_ACTIONS = 3;

/**
 * A conversation with several people (a Teams channel or group chat): the bot answers only when
 * @mentioned there. Teams marks these with conversationType and, in a team, channelData.team.
 */
export function isGroupConversation(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  const type = conversation?.conversationType;
  if (type === 'channel' || type === 'groupChat') return true;
  if (type === 'personal') return false;
  const channelData = activity.channelData as { team?: unknown } | undefined;
  return conversation?.isGroup === true || (channelData?.team != null && typeof channelData.team === 'object');
}

export function surfaceOf(activity: Partial<Activity>): Surface {
  const channelId = activity.channelId ?? '';
  if (!CARD_CHANNELS.has(channelId)) return PLAIN_SURFACE;
  if (channelId === TEAMS_CHANNEL_ID) {
    return { cards: true, maxSuggestedActions: isGroupConversation(activity) ? 0 : TEAMS_SUGGESTED_ACTIONS };
  }
  return { cards: true, maxSuggestedActions: Infinity };
}
