/**
 * Drives the real HelpdeskBot through botbuilder's TestAdapter, one turn at a time, and hands back the
 * activities the bot sent in that turn.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import { HelpdeskBot, type BotLogger, type TurnEngine } from '../../src/bot/helpdesk-bot';
import { turnErrorHandler } from '../../src/bot/turn-error';
import { suggestedLabels } from '../../src/bot/render';
import { MessagesSchema, type Messages } from '../../src/dialogs/messages';
import type { EscalationRecord } from '../../src/engine/types';
import type { EscalationSink, Requester } from '../../src/escalation/types';
import type { TicketService } from '../../src/tickets/ticket-service';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The real dialogs/_messages.yaml, checked by the same schema the loader uses. */
export function loadRealMessages(): Messages {
  const raw = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'dialogs', '_messages.yaml'), 'utf8')) as unknown;
  return MessagesSchema.parse(raw);
}

/** A sink that remembers every call and answers with TEST-1, TEST-2, … */
export class RecordingSink implements EscalationSink {
  readonly calls: { record: EscalationRecord; requester: Requester }[] = [];
  /** Set to make the next calls fail. */
  failWith: Error | null = null;
  /** Called inside escalate(), before it resolves: lets a test see what was sent by then. */
  onEscalate: (() => void) | null = null;

  async escalate(record: EscalationRecord, requester: Requester): Promise<{ ticketId: string | null }> {
    this.calls.push({ record, requester });
    this.onEscalate?.();
    if (this.failWith) throw this.failWith;
    return { ticketId: `TEST-${this.calls.length}` };
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

export function recordingLogger(lines: LogLine[]): BotLogger {
  return {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
}

export interface HarnessOptions {
  engine: TurnEngine;
  messages: Messages;
  storage?: Storage;
  sink?: EscalationSink;
  /** The ticket desk: it is then also the sink, unless `sink` is given. */
  tickets?: TicketService;
  logger?: BotLogger;
  logUserText?: boolean;
  conversationId?: string;
}

export class BotHarness {
  readonly adapter: TestAdapter;
  readonly bot: HelpdeskBot;
  readonly storage: Storage;
  readonly sink: EscalationSink;
  /** Errors the adapter's onTurnError saw (a test fails on them unless it expects them). */
  readonly turnErrors: Error[] = [];

  constructor(options: HarnessOptions) {
    this.storage = options.storage ?? new MemoryStorage();
    this.sink = options.sink ?? options.tickets ?? new RecordingSink();
    this.bot = new HelpdeskBot({
      engine: options.engine,
      messages: options.messages,
      conversationState: new ConversationState(this.storage),
      sink: this.sink,
      tickets: options.tickets,
      logger: options.logger,
      logUserText: options.logUserText,
    });
    this.adapter = new TestAdapter(TestAdapter.createConversation(options.conversationId ?? 'conversation-1'));
    const tellUser = turnErrorHandler(options.messages, options.logger ?? { info: () => undefined, warn: () => undefined, error: () => undefined });
    this.adapter.onTurnError = async (context, error) => {
      this.turnErrors.push(error);
      await tellUser(context, error);
    };
  }

  /** One user turn; resolves to the activities the bot sent during it. */
  async send(input: string | Partial<Activity>): Promise<Partial<Activity>[]> {
    const activity: Partial<Activity> =
      typeof input === 'string' ? { type: ActivityTypes.Message, text: input } : { type: ActivityTypes.Message, ...input };
    await this.adapter.processActivity(activity, (context) => this.bot.run(context));
    return this.adapter.activeQueue.splice(0).filter((a) => a.type === ActivityTypes.Message);
  }

  /** The conversationUpdate a channel sends when the user opens the chat (user and bot added). */
  join(): Promise<Partial<Activity>[]> {
    const { user, bot } = this.adapter.conversation;
    const members = [user, bot].filter((m): m is NonNullable<typeof m> => m !== undefined);
    return this.send({ type: ActivityTypes.ConversationUpdate, membersAdded: members });
  }
}

/** Every text the user reads in these activities. */
export function texts(activities: readonly Partial<Activity>[]): string[] {
  return activities.map((a) => a.text ?? '');
}

/** The buttons of the last activity of a turn. */
export function lastButtons(activities: readonly Partial<Activity>[]): string[] {
  const last = activities[activities.length - 1];
  return last ? suggestedLabels(last) : [];
}
