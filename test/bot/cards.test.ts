/**
 * Which channels get cards, how replies and tickets render on each, and how a pressed card button
 * and the group-chat rule read an activity.
 */
import { ActivityTypes, type Activity } from 'botbuilder';
import { cardButtonLabels, cardLabels, cardOf, OPTION_KEY } from '../../src/bot/cards';
import { isGroupConversation, PLAIN_SURFACE, surfaceOf } from '../../src/bot/channel';
import { isAddressedToBot, mapMessage, pressedOption } from '../../src/bot/input';
import { renderReply, renderTicket, suggestedLabels, type RenderContext } from '../../src/bot/render';
import type { Reply } from '../../src/engine/types';
import { loadRealMessages } from '../support/bot-harness';

const messages = loadRealMessages();
const labels = cardLabels(messages);

function on(channelId: string, conversation: Partial<Activity['conversation']> = {}): RenderContext {
  const activity: Partial<Activity> = { channelId, conversation: { id: 'c', isGroup: false, name: '', conversationType: '', ...conversation } };
  return { surface: surfaceOf(activity), labels };
}

const FIX: Reply = {
  kind: 'fix',
  text: 'Unlock the account:',
  steps: ['Open the console.', 'Find the employee.'],
  path: 'Alibaba Mail console → Organizations and Users → Employee Accounts',
};
const QUESTION: Reply = { kind: 'question', text: 'Which one?', options: ['A', 'B', 'C', 'D'] };

describe('which channels get cards', () => {
  test('Teams, Web Chat, Direct Line and the Emulator render cards; the console, tests and others do not', () => {
    for (const id of ['msteams', 'webchat', 'directline', 'emulator']) expect(surfaceOf({ channelId: id }).cards).toBe(true);
    for (const id of ['console', 'test', 'slack', '']) expect(surfaceOf({ channelId: id })).toEqual(PLAIN_SURFACE);
  });

  test('Teams shows three suggested actions in a personal chat and none in a channel or group chat', () => {
    expect(on('msteams', { conversationType: 'personal' }).surface.maxSuggestedActions).toBe(3);
    expect(on('msteams', { conversationType: 'channel', isGroup: true }).surface.maxSuggestedActions).toBe(0);
    expect(on('msteams', { conversationType: 'groupChat', isGroup: true }).surface.maxSuggestedActions).toBe(0);
    expect(on('webchat').surface.maxSuggestedActions).toBe(Infinity);
  });

  test('a group conversation: Teams channel or group chat, a team in channelData, or isGroup', () => {
    expect(isGroupConversation({ conversation: { id: 'c', isGroup: true, name: '', conversationType: 'channel' } })).toBe(true);
    expect(isGroupConversation({ conversation: { id: 'c', isGroup: false, name: '', conversationType: 'groupChat' } })).toBe(true);
    expect(isGroupConversation({ channelData: { team: { id: '19:x' } } })).toBe(true);
    expect(isGroupConversation({ conversation: { id: 'c', isGroup: true, name: '', conversationType: '' } })).toBe(true);
    expect(isGroupConversation({ conversation: { id: 'c', isGroup: false, name: '', conversationType: 'personal' } })).toBe(false);
    expect(isGroupConversation({})).toBe(false);
  });
});

describe('rendering', () => {
  test('without cards: text, numbered steps and the path as Markdown; options as suggested actions', () => {
    for (const context of [undefined, on('console'), on('test')]) {
      const fix = renderReply(FIX, context);
      expect(fix.text).toBe(
        'Unlock the account:\n\n1. Open the console.\n2. Find the employee.\n\nAlibaba Mail console → Organizations and Users → Employee Accounts',
      );
      expect(fix.attachments).toBeUndefined();
      expect(suggestedLabels(renderReply(QUESTION, context))).toEqual(['A', 'B', 'C', 'D']);
    }
  });

  test('with cards: the fix is a card (fallback text kept on it); a plain question stays text with suggested actions', () => {
    const context = on('webchat');
    const fix = renderReply(FIX, context);
    const card = cardOf(fix.attachments?.[0]);
    expect(card?.fallbackText).toBe(renderReply(FIX).text);
    expect(fix.summary).toBe('Unlock the account:');
    const question = renderReply(QUESTION, context);
    expect(question.attachments).toBeUndefined();
    expect(suggestedLabels(question)).toEqual(['A', 'B', 'C', 'D']);
  });

  test('Teams personal: more than three options go on a card; Teams channel: any options do', () => {
    const personal = renderReply(QUESTION, on('msteams', { conversationType: 'personal' }));
    expect(suggestedLabels(personal)).toEqual([]);
    expect(cardButtonLabels(cardOf(personal.attachments?.[0]))).toEqual(['A', 'B', 'C', 'D']);
    const two: Reply = { kind: 'question', text: 'Yes or no?', options: ['Yes', 'No'] };
    expect(suggestedLabels(renderReply(two, on('msteams', { conversationType: 'personal' })))).toEqual(['Yes', 'No']);
    const inChannel = renderReply(two, on('msteams', { conversationType: 'channel', isGroup: true }));
    expect(suggestedLabels(inChannel)).toEqual([]);
    expect(cardButtonLabels(cardOf(inChannel.attachments?.[0]))).toEqual(['Yes', 'No']);
  });

  test('an escalation is a card even without steps; an info without steps or path is not', () => {
    const context = on('emulator');
    expect(cardOf(renderReply({ kind: 'escalation', text: 'Passed on.' }, context).attachments?.[0])).toBeDefined();
    expect(renderReply({ kind: 'info', text: 'FYI.' }, context).attachments).toBeUndefined();
  });

  test('the ticket: a card where cards render, its sentence elsewhere', () => {
    const ticket = { text: 'Your ticket number is MAIL-00007.', ticketId: 'MAIL-00007', title: 'Password locked', severity: 'medium' };
    expect(renderTicket(ticket, on('test')).text).toBe(ticket.text);
    expect(renderTicket(ticket).text).toBe(ticket.text);
    const card = cardOf(renderTicket(ticket, on('msteams', { conversationType: 'personal' })).attachments?.[0]);
    expect(card?.body[1]).toEqual({
      type: 'FactSet',
      facts: [
        { title: messages.cardProblem, value: 'Password locked' },
        { title: messages.cardSeverity, value: 'medium' },
        { title: messages.cardStatus, value: messages.ticketOpen },
      ],
    });
  });
});

describe('reading a pressed button and the group rule', () => {
  const bot = { id: 'bot-1', name: 'Mail helpdesk' };
  const group = { id: 'g', isGroup: true, name: '', conversationType: 'groupChat' };

  test('Web Chat and the Emulator send an object Action.Submit as the value, with no text: the label is the input', () => {
    const press: Partial<Activity> = { type: ActivityTypes.Message, channelId: 'webchat', recipient: bot, value: { [OPTION_KEY]: 'No, still broken' } };
    expect(pressedOption(press)).toBe('No, still broken');
    expect(mapMessage(press)).toEqual({ input: { kind: 'text', text: 'No, still broken' }, shape: 'text' });
  });

  test('other card data is still "not text"', () => {
    const other: Partial<Activity> = { type: ActivityTypes.Message, channelId: 'webchat', value: { rating: 5 } };
    expect(pressedOption(other)).toBeNull();
    expect(mapMessage(other).shape).toBe('attachment');
  });

  test('HTML entities are decoded on Teams only', () => {
    const text = 'a&nbsp;b &lt;x@y.cn&gt;';
    expect(mapMessage({ channelId: 'msteams', text }).input).toEqual({ kind: 'text', text: 'a b <x@y.cn>' });
    expect(mapMessage({ channelId: 'webchat', text }).input).toEqual({ kind: 'text', text });
  });

  test('in a group: a mention of the bot or a press of its button; not a mention of someone else', () => {
    const mention = (id: string) => ({ type: 'mention', mentioned: { id, name: 'x' }, text: '<at>x</at>' });
    expect(isAddressedToBot({ conversation: group, recipient: bot, text: '<at>x</at> hi', entities: [mention('bot-1')] })).toBe(true);
    expect(isAddressedToBot({ conversation: group, recipient: bot, text: '<at>x</at> hi', entities: [mention('someone')] })).toBe(false);
    expect(isAddressedToBot({ conversation: group, recipient: bot, text: 'Yes', value: { [OPTION_KEY]: 'Yes' } })).toBe(true);
    expect(isAddressedToBot({ conversation: group, recipient: bot, text: 'hi' })).toBe(false);
    expect(isAddressedToBot({ conversation: { ...group, isGroup: false, conversationType: 'personal' }, recipient: bot, text: 'hi' })).toBe(true);
  });
});
