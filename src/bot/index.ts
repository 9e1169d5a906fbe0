export { HelpdeskBot, ENGINE_STATE_PROPERTY, requesterOf, errorSummary } from './helpdesk-bot';
export type { HelpdeskBotOptions, TurnEngine, BotLogger } from './helpdesk-bot';
export { renderReply, renderReplies, renderText, replyText, suggestedLabels } from './render';
export { mapMessage, cleanText, textWithoutBotMention } from './input';
export { turnErrorHandler } from './turn-error';
