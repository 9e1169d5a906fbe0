import type { TurnContext } from 'botbuilder';
import type { Messages } from '../dialogs/messages';
import { errorSummary, type BotLogger } from './helpdesk-bot';

/**
 * The adapter's `onTurnError` for every entry point (server, console, tests): log the failure without
 * secrets or a stack, and tell the user in one plain sentence. A failure to tell them is logged, not thrown.
 */
export function turnErrorHandler(messages: Messages, logger: BotLogger) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    logger.error(
      { err: errorSummary(error), conversationId: context.activity.conversation?.id, channelId: context.activity.channelId },
      'turn failed',
    );
    try {
      await context.sendActivity(messages.turnError);
    } catch (sendError) {
      logger.error({ err: errorSummary(sendError) }, 'could not tell the user about the failed turn');
    }
  };
}
