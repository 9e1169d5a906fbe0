/**
 * The built-in Direct Line 3.0 channel, without HTTP: token issue and refresh, starting and resuming a
 * conversation, reading activities from a watermark, and posting a user's activity.
 *
 * A posted activity is stored first (clients expect their own activity echoed back in the stream), then
 * handed to the bot in this process (`runTurn`, the adapter's in-process entry); the bot's replies are
 * stored after it in watermark order and pushed to the conversation's open WebSockets. Turns of one
 * conversation run one after another, as they would for one user typing.
 */
import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { ActivityPage, ConversationRecord, ConversationStore, JsonActivity, StoredActivity } from './store';
import type { ConversationStreams } from './stream';
import { TurnQueue } from '../../server/turn-queue';
import type { TokenClaims, TokenService } from './tokens';

export const DIRECT_LINE_CHANNEL_ID = 'directline';
/**
 * The serviceUrl the bot sees on in-process activities. Its replies come back through expectReplies and
 * are never posted anywhere; `.invalid` is a name guaranteed never to resolve, should anything try.
 */
export const IN_PROCESS_SERVICE_URL = 'https://directline.invalid/';

/** Whether a conversation reference (or an activity) belongs to a conversation of the built-in Direct Line. */
export function isInProcessDirectLine(ref: { channelId?: unknown; serviceUrl?: unknown }): boolean {
  return ref.channelId === DIRECT_LINE_CHANNEL_ID && ref.serviceUrl === IN_PROCESS_SERVICE_URL;
}

/** Activity types a client may post. Typing is accepted and dropped: the bot does nothing with it. */
export const POSTABLE_TYPES = ['message', 'event', 'typing'] as const;

/** What a client's activity may set; everything else (ids, routing, delivery mode) is the channel's. */
const CLIENT_FIELDS = [
  'type',
  'text',
  'textFormat',
  'locale',
  'localTimestamp',
  'localTimezone',
  'attachments',
  'attachmentLayout',
  'entities',
  'channelData',
  'value',
  'valueType',
  'name',
  'speak',
  'inputHint',
] as const;

/** Reply types never stored (they are for the adapter, not the user). */
const UNSTORED_REPLY_TYPES = new Set(['trace', 'invokeResponse', 'delay']);

/** The protocol's Conversation object. */
export interface ConversationObject {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl: string;
}

export interface TokenResponse {
  conversationId: string;
  token: string;
  expires_in: number;
}

export interface ActivitySet {
  activities: StoredActivity[];
  watermark: string;
}

/** Runs one activity through the bot and resolves to the activities the bot sent. */
export type TurnRunner = (activity: Activity) => Promise<Partial<Activity>[]>;

export interface DirectLineLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DirectLineServiceOptions {
  store: ConversationStore;
  tokens: TokenService;
  streams: ConversationStreams;
  runTurn: TurnRunner;
  bot: { id: string; name: string };
  logger: DirectLineLogger;
}

export class DirectLineError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DirectLineError';
  }
}

/** Most activities one conversation keeps; past it, posts are refused (a runaway client, not a person). */
export const MAX_ACTIVITIES_PER_CONVERSATION = 2_000;

export class DirectLineService {
  /** Turns and proactive messages of one conversation, one after another (ids keep their order). */
  private readonly turns = new TurnQueue();

  constructor(private readonly options: DirectLineServiceOptions) {}

  /** A token for a new conversation (started by the first POST /conversations that presents it). */
  generateToken(user: { id?: string; name?: string } = {}): TokenResponse {
    const conversationId = randomBytes(16).toString('base64url');
    const userId = user.id ?? `dl_${randomBytes(12).toString('base64url')}`;
    const issued = this.options.tokens.issue(conversationId, { id: userId, name: user.name });
    return { conversationId, token: issued.token, expires_in: issued.expiresIn };
  }

  refreshToken(claims: TokenClaims): TokenResponse {
    const issued = this.options.tokens.refresh(claims);
    return { conversationId: claims.conv, token: issued.token, expires_in: issued.expiresIn };
  }

  /**
   * Starts the token's conversation, or returns it when it is already started (a token belongs to one
   * conversation, so starting twice is resuming). A new conversation gets the conversationUpdate that
   * adds the bot and the user, which is when the bot says its welcome.
   */
  async open(
    claims: TokenClaims,
    token: string,
    streamBase: string,
    props: { locale?: string; watermark?: number } = {},
  ): Promise<{ created: boolean; conversation: ConversationObject }> {
    const id = claims.conv;
    const created = this.options.store.create({
      id,
      userId: claims.user,
      userName: claims.name,
      locale: props.locale,
      createdAt: new Date().toISOString(),
    });
    if (created) {
      this.options.logger.info({ conversationId: id, channelId: DIRECT_LINE_CHANNEL_ID }, 'direct line conversation started');
      const record = this.options.store.get(id) as ConversationRecord;
      await this.turns.run(id, () =>
        this.runAndStore(record, {
          type: 'conversationUpdate',
          membersAdded: [this.botAccount(), userAccount(record)],
          from: userAccount(record),
          locale: record.locale,
        }),
      );
    }
    const expiresIn = Math.max(0, claims.exp - Math.floor(Date.now() / 1000));
    return {
      created,
      conversation: {
        conversationId: id,
        token,
        expires_in: expiresIn,
        streamUrl: streamUrlOf(streamBase, id, props.watermark ?? 0, token),
      },
    };
  }

  /** Activities after the watermark, one page. */
  activities(conversationId: string, watermark: number): ActivitySet {
    const page = this.page(conversationId, watermark);
    return { activities: page.activities, watermark: String(page.watermark) };
  }

  page(conversationId: string, watermark: number): ActivityPage {
    return this.options.store.list(conversationId, watermark);
  }

  conversation(conversationId: string): ConversationRecord | undefined {
    return this.options.store.get(conversationId);
  }

  /** Stores the user's activity, runs the bot on it, stores the replies; resolves to the activity's id. */
  async post(claims: TokenClaims, body: JsonActivity): Promise<{ id: string }> {
    const record = this.options.store.get(claims.conv);
    if (!record) throw new DirectLineError(404, 'NotFound', 'The conversation has not been started.');
    if (record.lastSeq >= MAX_ACTIVITIES_PER_CONVERSATION) {
      throw new DirectLineError(429, 'TooManyActivities', 'This conversation is too long; start a new one.');
    }
    const fromClient = pick(body, CLIENT_FIELDS);
    if (fromClient['type'] === 'typing') return { id: `${record.id}|typing` };

    // The sender is the token's user, whatever the client says; a name the token lacks may come from the client.
    const from = userAccount(record);
    const clientName = (body['from'] as { name?: unknown } | undefined)?.name;
    if (from.name === undefined && typeof clientName === 'string' && clientName.trim() !== '') from.name = clientName.trim().slice(0, 100);

    const echoed = this.append(record.id, {
      ...fromClient,
      channelId: DIRECT_LINE_CHANNEL_ID,
      conversation: { id: record.id },
      from,
      recipient: this.botAccount(),
      timestamp: new Date().toISOString(),
      locale: fromClient['locale'] ?? record.locale,
    });
    await this.turns.run(record.id, () => this.runAndStore(record, echoed));
    return { id: echoed.id };
  }

  /**
   * A message the bot sends on its own (a postmaster's reply to a ticket, a new ticket for the
   * postmaster): stored after everything the conversation has, and pushed to its open streams, exactly
   * like a reply, so a polling or WebSocket client sees it. Waits for a turn under way to finish first.
   */
  async deliver(conversationId: string, activities: readonly Partial<Activity>[]): Promise<void> {
    const record = this.options.store.get(conversationId);
    if (!record) throw new DirectLineError(404, 'NotFound', 'No such conversation.');
    await this.turns.run(record.id, async () => {
      for (const activity of activities) this.appendFromBot(record, { type: 'message', ...activity });
    });
  }

  /** One turn: the activity goes to the bot; each reply is stored and pushed, in the order sent. */
  private async runAndStore(record: ConversationRecord, activity: JsonActivity): Promise<void> {
    const inbound = {
      ...activity,
      channelId: DIRECT_LINE_CHANNEL_ID,
      serviceUrl: IN_PROCESS_SERVICE_URL,
      conversation: { id: record.id },
      recipient: this.botAccount(),
      // The SDK wants Dates where JSON has ISO strings.
      timestamp: typeof activity['timestamp'] === 'string' ? new Date(activity['timestamp']) : new Date(),
    } as unknown as Activity;
    const replies = await this.options.runTurn(inbound);
    for (const reply of replies) {
      if (reply.type === undefined || UNSTORED_REPLY_TYPES.has(reply.type)) continue;
      this.appendFromBot(record, reply, typeof activity['id'] === 'string' ? activity['id'] : undefined);
    }
  }

  /** Stores what the bot sends as the Direct Line client will see it: addressed to the user, stamped now. */
  private appendFromBot(record: ConversationRecord, activity: Partial<Activity>, replyToId?: string): void {
    // The connector-side fields mean nothing to a Direct Line client.
    const { serviceUrl: _serviceUrl, callerId: _callerId, deliveryMode: _deliveryMode, ...rest } = activity;
    this.append(record.id, {
      ...rest,
      channelId: DIRECT_LINE_CHANNEL_ID,
      conversation: { id: record.id },
      from: this.botAccount(),
      recipient: userAccount(record),
      timestamp: new Date().toISOString(),
      ...(replyToId === undefined ? {} : { replyToId }),
    });
  }

  private append(conversationId: string, activity: JsonActivity): StoredActivity {
    // A JSON round trip: what is stored, pushed and returned is exactly what a client will parse.
    const plain = JSON.parse(JSON.stringify(activity)) as JsonActivity;
    const { seq, activity: stored } = this.options.store.append(conversationId, plain);
    this.options.streams.publish(conversationId, stored, seq);
    return stored;
  }

  private botAccount(): { id: string; name: string; role: 'bot' } {
    return { id: this.options.bot.id, name: this.options.bot.name, role: 'bot' };
  }
}

function userAccount(record: ConversationRecord): { id: string; name?: string; role: 'user' } {
  return record.userName ? { id: record.userId, name: record.userName, role: 'user' } : { id: record.userId, role: 'user' };
}

export function streamUrlOf(streamBase: string, conversationId: string, watermark: number, token: string): string {
  const query = new URLSearchParams({ watermark: String(watermark), t: token });
  return `${streamBase}/conversations/${encodeURIComponent(conversationId)}/stream?${query.toString()}`;
}

function pick(source: JsonActivity, keys: readonly string[]): JsonActivity {
  const out: JsonActivity = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
