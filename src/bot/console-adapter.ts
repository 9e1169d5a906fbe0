/**
 * A terminal channel, after the BotBuilder samples' console adapter: each line typed is one message
 * activity; replies are printed, their buttons as numbered choices. Typing a choice's number sends
 * that button's label, as pressing it would.
 */
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ChannelAccount,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import { suggestedLabels } from './render';

export interface ConsoleOutput {
  write(text: string): void;
}

export interface ConsoleAdapterOptions {
  output: ConsoleOutput;
  conversationId: string;
  userId?: string;
  userName?: string;
  botName?: string;
}

export const CONSOLE_CHANNEL_ID = 'console';

export class ConsoleAdapter extends BotAdapter {
  private readonly reference: ConversationReference;
  private readonly user: ChannelAccount;
  private readonly bot: ChannelAccount;
  private readonly output: ConsoleOutput;
  private nextId = 0;
  /** Labels of the buttons last shown, in the order they were numbered. */
  private choices: string[] = [];

  constructor(options: ConsoleAdapterOptions) {
    super();
    this.output = options.output;
    this.user = { id: options.userId ?? 'console-user', name: options.userName ?? 'You' };
    this.bot = { id: 'helpdesk-bot', name: options.botName ?? 'Helpdesk' };
    this.reference = {
      channelId: CONSOLE_CHANNEL_ID,
      serviceUrl: '',
      conversation: { id: options.conversationId, isGroup: false, conversationType: 'personal', name: '' },
      user: this.user,
      bot: this.bot,
    };
  }

  /** The button labels currently offered. */
  get currentChoices(): readonly string[] {
    return this.choices;
  }

  /** A typed line as the user's words: a bare choice number becomes that button's label. */
  resolveLine(line: string): string {
    const trimmed = line.trim();
    if (/^\d{1,2}$/.test(trimmed)) {
      const label = this.choices[Number(trimmed) - 1];
      if (label !== undefined) return label;
    }
    return trimmed;
  }

  /** Runs a turn for one typed line. */
  async sendText(line: string, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.runActivity({ type: ActivityTypes.Message, text: this.resolveLine(line) }, logic);
  }

  /** Runs the turn a channel sends when the user opens the conversation. */
  async join(logic: (context: TurnContext) => Promise<void>): Promise<void> {
    await this.runActivity(
      { type: ActivityTypes.ConversationUpdate, membersAdded: [this.user, this.bot] },
      logic,
    );
  }

  override async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === ActivityTypes.Message) {
        const labels = suggestedLabels(activity);
        this.output.write(formatForConsole(activity.text ?? '', labels));
        if (labels.length > 0) this.choices = labels;
      }
      responses.push({ id: String(++this.nextId) });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    // A terminal cannot change what it already printed.
  }

  override async deleteActivity(): Promise<void> {
    // Nor remove it.
  }

  override async continueConversation(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  private async runActivity(partial: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    this.choices = [];
    const activity = TurnContext.applyConversationReference(
      { ...partial, id: String(++this.nextId), timestamp: new Date(), localTimestamp: new Date() },
      this.reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

/** A reply as terminal lines: the Markdown text as is, then "  1) label" per button. */
export function formatForConsole(text: string, labels: readonly string[]): string {
  const lines = [text.trim()];
  labels.forEach((label, i) => lines.push(`  ${i + 1}) ${label}`));
  return `${lines.join('\n')}\n`;
}
