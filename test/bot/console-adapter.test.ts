import { ConversationState, MemoryStorage } from 'botbuilder';
import { ConsoleAdapter, formatForConsole } from '../../src/bot/console-adapter';
import { HelpdeskBot } from '../../src/bot/helpdesk-bot';
import { loadRealMessages, RecordingSink } from '../support/bot-harness';
import { FakeEngine } from '../support/fake-engine';

const messages = loadRealMessages();

function setup() {
  const out: string[] = [];
  const engine = new FakeEngine(messages);
  const bot = new HelpdeskBot({
    engine,
    messages,
    conversationState: new ConversationState(new MemoryStorage()),
    sink: new RecordingSink(),
  });
  const adapter = new ConsoleAdapter({ output: { write: (t) => out.push(t) }, conversationId: 'console-test' });
  const logic = (context: Parameters<HelpdeskBot['run']>[0]) => bot.run(context);
  return { out, engine, adapter, logic };
}

test('joining prints the welcome with its buttons as numbered choices', async () => {
  const { out, adapter, logic } = setup();
  await adapter.join(logic);
  expect(out).toEqual([formatForConsole(messages.welcome, messages.welcomeOptions)]);
  expect(out[0]).toContain(`  1) ${messages.welcomeOptions[0]}`);
  expect(adapter.currentChoices).toEqual(messages.welcomeOptions);
});

test('typing a choice number sends that button label; other text is sent as typed', async () => {
  const { engine, adapter, logic } = setup();
  await adapter.join(logic);
  await adapter.sendText('2', logic);
  await adapter.sendText(' my mail bounces ', logic);
  await adapter.sendText('9', logic); // no such choice: sent as text
  expect(engine.inputs.slice(1)).toEqual([
    { kind: 'text', text: messages.welcomeOptions[1] },
    { kind: 'text', text: 'my mail bounces' },
    { kind: 'text', text: '9' },
  ]);
});

test('conversation state carries over between lines', async () => {
  const { out, adapter, logic } = setup();
  await adapter.sendText('one', logic);
  await adapter.sendText('1', logic);
  expect(out[1]).toContain('node-2 read: Yes');
});
