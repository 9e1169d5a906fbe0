import { ConversationState, MemoryStorage, TestAdapter, TurnContext, type BotState, type StoreItems } from 'botbuilder';
import { JsonConversationState } from '../../src/storage';

/** MemoryStorage that counts its writes. */
class CountingStorage extends MemoryStorage {
  writes = 0;
  override async write(changes: StoreItems): Promise<void> {
    this.writes++;
    await super.write(changes);
  }
}

function context(conversationId = 'c-1'): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'test',
    conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: 'u', name: 'u' },
    recipient: { id: 'b', name: 'b' },
    text: 'hi',
  });
}

/** One turn: read the property, let `change` alter it, save. */
async function turn(state: BotState, ctx: TurnContext, change?: (value: { n: number; list: string[] }) => void): Promise<void> {
  const property = state.createProperty<{ n: number; list: string[] }>('helpdesk');
  const value = (await property.get(ctx, { n: 0, list: [] })) as { n: number; list: string[] };
  change?.(value);
  await property.set(ctx, value);
  await state.saveChanges(ctx);
}

describe('JsonConversationState', () => {
  test('writes when the turn changed the state and not otherwise, as ConversationState does', async () => {
    const run = async (make: (s: MemoryStorage) => BotState) => {
      const storage = new CountingStorage();
      const state = make(storage);
      const log: unknown[] = [];
      await turn(state, context(), (v) => v.list.push('a')); // first turn: default value set
      log.push(storage.writes);
      await turn(state, context()); // nothing changed
      log.push(storage.writes);
      await turn(state, context(), (v) => (v.n = 2));
      log.push(storage.writes);
      await turn(state, context(), (v) => (v.n = 2)); // the same value again: no change
      log.push(storage.writes);
      const stored = await storage.read(['test/conversations/c-1/']);
      const { eTag: _eTag, ...item } = stored['test/conversations/c-1/'] as Record<string, unknown>;
      log.push(item);
      return log;
    };
    const ours = await run((s) => new JsonConversationState(s));
    expect(ours).toEqual([1, 1, 2, 2, { helpdesk: { n: 2, list: ['a'] } }]);
    expect(ours).toEqual(await run((s) => new ConversationState(s)));
  });

  test('force writes an unchanged state; clear and delete behave as in BotState', async () => {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    const ctx = context();
    await turn(state, ctx, (v) => (v.n = 1));
    expect(storage.writes).toBe(1);
    await state.saveChanges(ctx, true);
    expect(storage.writes).toBe(2);

    expect(state.get(ctx)).toMatchObject({ helpdesk: { n: 1 } });
    await state.clear(ctx);
    expect(state.get(ctx)).toEqual({});
    await state.saveChanges(ctx);
    expect(storage.writes).toBe(3);
    const stored = (await storage.read(['test/conversations/c-1/']))['test/conversations/c-1/'] as Record<string, unknown>;
    expect(stored['helpdesk']).toBeUndefined();

    await turn(state, context(), (v) => (v.n = 5));
    const again = context();
    await state.load(again);
    await state.delete(again);
    expect(state.get(again)).toBeUndefined();
    expect(await storage.read(['test/conversations/c-1/'])).toEqual({});
  });

  test('a load within the turn returns the cached state; force reads the store again', async () => {
    const storage = new CountingStorage();
    const state = new JsonConversationState(storage);
    await turn(state, context(), (v) => (v.n = 1));
    const ctx = context();
    const first = await state.load(ctx);
    expect(await state.load(ctx)).toBe(first);
    await storage.write({ 'test/conversations/c-1/': { helpdesk: { n: 9, list: [] }, eTag: '*' } });
    expect(await state.load(ctx, true)).toMatchObject({ helpdesk: { n: 9 } });
  });

  test('conversations are kept apart, under the same keys as ConversationState', async () => {
    const storage = new MemoryStorage();
    const state = new JsonConversationState(storage);
    await turn(state, context('one'), (v) => (v.n = 1));
    await turn(state, context('two'), (v) => (v.n = 2));
    const items = await storage.read([new ConversationState(storage).getStorageKey(context('one')) as string, 'test/conversations/two/']);
    expect(items['test/conversations/one/']).toMatchObject({ helpdesk: { n: 1 } });
    expect(items['test/conversations/two/']).toMatchObject({ helpdesk: { n: 2 } });
  });
});
