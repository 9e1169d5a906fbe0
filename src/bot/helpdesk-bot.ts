/**
 * The Bot Framework face of the engine. Per turn: load the conversation's engine state, map the
 * activity to an engine input, run one pure engine step, hand escalations to the sink, send the
 * rendered replies, and save the state once. In a channel or group chat it answers only messages
 * addressed to it (an @mention or a press of its card button); in a personal chat, every message.
 */
import {
  ActivityHandler,
  type Activity,
  type ConversationState as BotConversationState,
  type StatePropertyAccessor,
  TurnContext,
} from 'botbuilder';
import { fill, type Messages } from '../dialogs/messages';
import type { ConversationState, EngineEvent, EngineInput, EngineResult, EscalationRecord, Reply } from '../engine/types';
import type { EscalationSink, Requester } from '../escalation/types';
import type { Classifier } from '../engine/engine';
import { isAnswerToPostmaster, type AnswerRuleWords } from '../tickets/answer-rule';
import { matchFollowUp, type FollowUpWords } from '../tickets/follow-up';
import { PAIRING_MINUTES } from '../tickets/postmaster-conversation';
import { normalizeAnswer } from '../recognizer/normalize';
import { answerFollowUp } from '../tickets/follow-up-replies';
import type { TicketService } from '../tickets/ticket-service';
import { isInProcessDirectLine } from '../channels/directline/service';
import { cardLabels, type CardLabels, type TicketFacts } from './cards';
import { isGroupConversation, surfaceOf, TEAMS_CHANNEL_ID } from './channel';
import { isAddressedToBot, mapMessage, pressedOption, type InputShape } from './input';
import { renderReply, renderTicket, renderText, type RenderContext } from './render';

/** The part of the engine the bot drives (core's `engine` satisfies it). */
export interface TurnEngine {
  step(state: ConversationState | undefined, input: EngineInput): EngineResult;
}

/** The few logger methods the bot uses (pino's Logger satisfies it). */
export interface BotLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HelpdeskBotOptions {
  engine: TurnEngine;
  messages: Messages;
  conversationState: BotConversationState;
  sink: EscalationSink;
  /** Answers users' questions about their own tickets ("my tickets", a ticket id, "add to my ticket: …"). */
  tickets?: TicketService;
  logger?: BotLogger;
  /** False: user text never reaches the logs, only its length. */
  logUserText?: boolean;
  /**
   * The recognizer (core's): tells a new problem from the user's answer to the postmaster's question.
   * Without it every message but a command is taken as the answer while a ticket waits for one.
   */
  classifier?: Classifier;
}

/** The postmaster's reply the user moved on from (their next message was a command or a new problem). */
interface PassedReply {
  ticketId: string;
  deliveredAt: string;
}

export const ENGINE_STATE_PROPERTY = 'helpdesk';
export const PASSED_REPLY_PROPERTY = 'helpdeskPassedReply';

const SILENT: BotLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class HelpdeskBot extends ActivityHandler {
  private readonly engine: TurnEngine;
  private readonly messages: Messages;
  private readonly conversationState: BotConversationState;
  private readonly stateAccessor: StatePropertyAccessor<ConversationState>;
  private readonly sink: EscalationSink;
  private readonly logger: BotLogger;
  private readonly logUserText: boolean;
  private readonly cardLabels: CardLabels;
  private readonly tickets: TicketService | undefined;
  private readonly followUpWords: FollowUpWords;
  private readonly answerWords: AnswerRuleWords;
  private readonly classifier: Classifier | undefined;
  private readonly passedReply: StatePropertyAccessor<PassedReply | null>;
  private readonly notifyHereWords: Set<string>;

  constructor(options: HelpdeskBotOptions) {
    super();
    this.engine = options.engine;
    this.messages = options.messages;
    this.conversationState = options.conversationState;
    this.stateAccessor = this.conversationState.createProperty<ConversationState>(ENGINE_STATE_PROPERTY);
    this.sink = options.sink;
    this.logger = options.logger ?? SILENT;
    this.logUserText = options.logUserText ?? true;
    this.cardLabels = cardLabels(this.messages);
    this.tickets = options.tickets;
    this.followUpWords = { myTickets: this.messages.myTicketsWords, addToTicket: this.messages.addToTicketWords };
    const m = this.messages;
    this.answerWords = {
      commands: { restart: m.restartWords, back: m.backWords, help: m.helpWords, human: m.humanWords },
      answers: { yes: m.yesWords, no: m.noWords },
    };
    this.classifier = options.classifier;
    this.passedReply = this.conversationState.createProperty<PassedReply | null>(PASSED_REPLY_PROPERTY);
    this.notifyHereWords = new Set(m.notifyHereWords.map(normalizeAnswer));

    this.onMessage(async (context, next) => {
      // In a channel or group chat, what people say to each other is none of the bot's business.
      if (isAddressedToBot(context.activity)) {
        const { input, shape } = mapMessage(context.activity);
        const handled =
          input.kind === 'text' &&
          ((await this.notifyHere(context, input.text)) || (await this.followUp(context, input.text)) || (await this.answerToPostmaster(context, input.text)));
        if (!handled) await this.runTurn(context, input, shape);
      }
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      if (shouldWelcome(context.activity)) await this.runTurn(context, { kind: 'welcome' }, 'text');
      await next();
    });
  }

  /** Saves the conversation state once, after every handler of the turn has run. */
  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }

  /**
   * A question about the user's own tickets is answered from the store before the troubleshooting
   * engine sees the message (it leaves the flow where it was). True when it was one.
   */
  private async followUp(context: TurnContext, text: string): Promise<boolean> {
    // In a Teams channel or group chat everyone would read the answer: tickets are discussed one to one.
    if (!this.tickets || isGroupConversation(context.activity)) return false;
    const followUp = matchFollowUp(text, this.followUpWords);
    if (!followUp) return false;
    const requester = requesterOf(context.activity);
    const owner = { channelId: requester.channelId, userId: requester.userId };
    const answers = answerFollowUp(followUp, owner, this.tickets, this.messages);
    this.logger.info({ conversationId: requester.conversationId, followUp: followUp.kind }, 'ticket follow-up');
    await context.sendActivities(answers.map((a) => renderText(a)));
    return true;
  }

  /**
   * "Notify me here about new tickets": the first half of registering this conversation as the postmaster's
   * (tickets/postmaster-conversation.ts). The reply is a one-time code that the postmaster confirms with the
   * admin token; nothing is registered until then. Allowed in a Teams channel too (the bot was @mentioned),
   * where a postmasters' team may want its tickets. True when it was this request.
   */
  private async notifyHere(context: TurnContext, text: string): Promise<boolean> {
    if (!this.tickets || !this.notifyHereWords.has(normalizeAnswer(text))) return false;
    const activity = context.activity;
    const conversationRef = storedReference(activity);
    const requester = requesterOf(activity);
    if (!conversationRef) {
      await context.sendActivity(renderText(this.messages.notifyUnreachable));
      return true;
    }
    const code = this.tickets.postmasterConversation.startPairing({
      conversationRef,
      channelId: requester.channelId,
      conversationId: requester.conversationId,
      userName: requester.userName || requester.userId,
    });
    // The code is half of a registration: it stays out of the logs.
    this.logger.info({ conversationId: requester.conversationId, channelId: requester.channelId }, 'postmaster conversation pairing started');
    await context.sendActivity(renderText(fill(this.messages.notifyPairing, { code, minutes: String(PAIRING_MINUTES) })));
    return true;
  }

  /**
   * While a ticket of this user's waits for their answer in this conversation (see TicketService.awaitingAnswer),
   * their next message is that answer unless it is a command or clearly a new problem (tickets/answer-rule.ts):
   * it goes onto the ticket and the user is told so. A command or a new problem is handled as usual and the
   * wait is over: the user moved on, and "add to my ticket: …" still reaches the ticket. True when taken.
   */
  private async answerToPostmaster(context: TurnContext, text: string): Promise<boolean> {
    const activity = context.activity;
    // Tickets are discussed one to one; a pressed card button answers the bot's own question.
    if (!this.tickets || isGroupConversation(activity) || pressedOption(activity) !== null) return false;
    const requester = requesterOf(activity);
    const ticket = this.tickets.awaitingAnswer({ channelId: requester.channelId, userId: requester.userId }, requester.conversationId);
    if (!ticket) return false;
    const deliveredAt = [...ticket.events].reverse().find((e) => e.kind === 'reply')?.deliveredAt ?? '';
    const passed = await this.passedReply.get(context, null);
    if (passed && passed.ticketId === ticket.id && passed.deliveredAt === deliveredAt) return false;
    if (!isAnswerToPostmaster(text, ticket.problem, this.answerWords, this.classifier)) {
      await this.passedReply.set(context, { ticketId: ticket.id, deliveredAt });
      return false;
    }
    this.tickets.addUserReply(ticket.id, text);
    this.logger.info({ conversationId: requester.conversationId, ticketId: ticket.id }, 'user answered the postmaster');
    await context.sendActivity(renderText(fill(this.messages.ticketReplyAdded, { ticketId: ticket.id })));
    return true;
  }

  private async runTurn(context: TurnContext, input: EngineInput, shape: InputShape): Promise<void> {
    const previous = await this.stateAccessor.get(context);
    const result = this.engine.step(previous, input);
    await this.stateAccessor.set(context, result.state);
    this.logTurn(context, input, shape, result);
    await this.count(context, previous, result);

    let replies = shape === 'attachment' ? explainNotText(result.replies, this.messages) : result.replies;
    if (input.kind === 'welcome' && isGroupConversation(context.activity)) replies = welcomeInGroup(replies, this.messages);
    const render: RenderContext = { surface: surfaceOf(context.activity), labels: this.cardLabels };
    const activities = replies.map((reply) => renderReply(reply, render));

    // Each escalation is recorded before anything is sent, so its ticket line follows the
    // "I've passed this on" reply, and the flow's last reply (with its buttons) stays last.
    const ticketLines: Partial<Activity>[] = [];
    for (const event of result.events) {
      if (event.type !== 'escalated') continue;
      const told = await this.escalate(context, event.record);
      if (told === null) continue;
      ticketLines.push(typeof told === 'string' ? renderText(told) : renderTicket(told, render));
    }
    if (ticketLines.length > 0) {
      const at = lastIndexOf(replies, (r) => r.kind === 'escalation');
      const insertAt = at < 0 ? activities.length : at + 1;
      activities.splice(insertAt, 0, ...ticketLines);
    }

    if (activities.length > 0) await context.sendActivities(activities);
  }

  /** Records the turn's flow start and events for the helpdesk numbers; a failure there never fails the turn. */
  private async count(context: TurnContext, previous: ConversationState | undefined, result: EngineResult): Promise<void> {
    if (!this.tickets) return;
    const flow = result.state.flow;
    const started = !previous?.flow && flow ? (result.state.problem ?? flow.treeId) : null;
    if (started === null && result.events.length === 0) return;
    const where = { channelId: context.activity.channelId ?? '', conversationId: context.activity.conversation?.id ?? '' };
    try {
      await this.tickets.recordTurn(where, started, result.events, this.logUserText);
    } catch (err) {
      this.logger.warn({ conversationId: where.conversationId, err: errorSummary(err) }, 'could not record conversation events');
    }
  }

  /** Hands the case to the sink; returns the ticket to show, a line to tell the user, or null. */
  private async escalate(context: TurnContext, record: EscalationRecord): Promise<TicketFacts | string | null> {
    const requester = requesterOf(context.activity);
    try {
      const conversationRef = storedReference(context.activity);
      const { ticketId } = await this.sink.escalate(record, requester, { conversationRef });
      this.logger.info(
        { conversationId: requester.conversationId, problem: record.problem, ticketId },
        'escalation recorded',
      );
      if (!ticketId) return null;
      return { text: fill(this.messages.ticketCreated, { ticketId }), ticketId, title: record.title, severity: record.severity };
    } catch (err) {
      this.logger.error(
        { conversationId: requester.conversationId, problem: record.problem, err: errorSummary(err) },
        'escalation sink failed',
      );
      return this.messages.ticketFailed;
    }
  }

  private logTurn(context: TurnContext, input: EngineInput, shape: InputShape, result: EngineResult): void {
    const text = input.kind === 'text' ? input.text : undefined;
    this.logger.info(
      {
        conversationId: context.activity.conversation?.id,
        channelId: context.activity.channelId,
        input: input.kind,
        shape,
        text: text === undefined ? undefined : this.logUserText ? text : `[${text.length} chars]`,
        replies: result.replies.map((r) => r.kind),
        events: result.events.map(eventSummary),
        flow: result.state.flow ? `${result.state.flow.treeId}#${result.state.flow.nodeId}` : null,
      },
      'turn',
    );
  }
}

/**
 * The conversation reference to keep for writing into this conversation later, as plain JSON. None for a
 * conversation whose replies came back in the HTTP response (expectReplies): it has no address, unless it
 * is one of the built-in Direct Line's, which live in this process (bot/proactive.ts).
 */
function storedReference(activity: Activity): Record<string, unknown> | undefined {
  const reachable = activity.deliveryMode !== 'expectReplies' || isInProcessDirectLine(activity);
  return reachable ? (JSON.parse(JSON.stringify(TurnContext.getConversationReference(activity))) as Record<string, unknown>) : undefined;
}

/**
 * The engine answers any message without text with its "empty message" prompt; when the user sent a
 * file or a card instead, say that only text can be read (same place, same buttons).
 */
function explainNotText(replies: readonly Reply[], messages: Messages): Reply[] {
  const i = replies.findIndex((r) => r.text === messages.emptyMessage);
  if (i < 0) return [{ kind: 'prompt', text: messages.notText }, ...replies];
  return replies.map((r, j) => (j === i ? { ...r, text: messages.notText } : r));
}

/**
 * Who a message came from, for the ticket: the channel's user id and name, and where the channel
 * gives them (Teams), the Entra ID object id, tenant and email that find the person in the directory.
 */
export function requesterOf(activity: Partial<Activity>): Requester {
  const from = activity.from as (Partial<Activity>['from'] & { email?: unknown }) | undefined;
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const requester: Requester = {
    channelId: activity.channelId ?? '',
    userId: from?.id ?? '',
    userName: from?.name ?? '',
    conversationId: activity.conversation?.id ?? '',
  };
  const aadObjectId = from?.aadObjectId;
  if (typeof aadObjectId === 'string' && aadObjectId !== '') requester.aadObjectId = aadObjectId;
  if (typeof from?.email === 'string' && from.email.includes('@')) requester.email = from.email;
  const tenantId = channelData?.tenant?.id ?? activity.conversation?.tenantId;
  if (typeof tenantId === 'string' && tenantId !== '') requester.tenantId = tenantId;
  return requester;
}

/**
 * Whether a conversationUpdate's added members deserve the welcome. In a personal chat: when a person
 * joins, or on Teams when the bot is installed there (Teams then names only the bot). In a channel or
 * group chat: once, when the bot itself is added, never for each new member of the team.
 */
function shouldWelcome(activity: Partial<Activity>): boolean {
  const botId = activity.recipient?.id;
  const added = activity.membersAdded ?? [];
  const botAdded = added.some((m) => m.id === botId);
  if (isGroupConversation(activity)) return botAdded;
  return added.some((m) => m.id !== botId) || (botAdded && activity.channelId === TEAMS_CHANNEL_ID);
}

/** Where the bot answers only when @mentioned, the welcome says so (same buttons). */
function welcomeInGroup(replies: readonly Reply[], messages: Messages): Reply[] {
  return replies.map((r) => (r.kind === 'welcome' ? { ...r, text: messages.welcomeGroup } : r));
}

function eventSummary(event: EngineEvent): string {
  switch (event.type) {
    case 'escalated':
      return `escalated:${event.record.problem ?? '-'}`;
    case 'resolved':
    case 'abandoned':
      return `${event.type}:${event.problem ?? '-'}`;
    case 'unrecognized':
      return 'unrecognized';
    case 'rated':
      return `rated:${event.problem ?? '-'}:${event.rating}`;
  }
}

/** An error's name and message, never its stack or attached request data. */
export function errorSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: String(err) };
}

function lastIndexOf<T>(items: readonly T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i] as T)) return i;
  return -1;
}
