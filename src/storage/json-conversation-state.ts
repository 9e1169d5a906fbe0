/**
 * botbuilder's ConversationState with a cheaper test for "did this turn change the state?".
 *
 * BotState remembers a hash of the state it read and compares it with a hash of the state at
 * `saveChanges`, and hashes once more after writing: three passes of JSON.stringify with a replacer
 * function called for every value (botbuilder-stdlib's `stringify`, which also copes with circular
 * structures and `_replacer` hooks) and three SHA-256 digests per turn — about a tenth of a millisecond
 * for this bot's 2 KB state, as much as the SQLite write itself. This keeps the JSON text of the state
 * instead and compares text: one plain JSON.stringify when the state is read and one when it is saved.
 *
 * Otherwise it behaves as ConversationState: the same storage key, the state cached in turnState for the
 * turn, written with eTag '*' only when it changed (or when forced); `clear` forces the next save,
 * `delete` removes the stored item. BotState keeps its cache under a private key, so every method that
 * touches the cache is overridden here (with its own key). It needs state that JSON can represent —
 * which it must be anyway to be stored — so no circular references and no `_replacer` hooks (this bot
 * keeps plain engine data).
 */
import { ConversationState, type TurnContext } from 'botbuilder';

interface CachedState {
  state: Record<string, unknown>;
  /** The JSON of the state as last read or written; '' when it must be written. */
  json: string;
}

/** The change-detection text of a state: its JSON without the eTag (as botbuilder's calculateChangeHash leaves it out). */
function snapshot(state: Record<string, unknown>): string {
  const { eTag: _eTag, ...rest } = state;
  return JSON.stringify(rest);
}

export class JsonConversationState extends ConversationState {
  private readonly cacheKey = Symbol('JsonConversationState');

  override async load(context: TurnContext, force = false): Promise<any> {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    if (!force && cached?.state) return cached.state;
    const key = await this.storageKey(context);
    const items = await this.storage.read([key]);
    const state = (items[key] ?? {}) as Record<string, unknown>;
    context.turnState.set(this.cacheKey, { state, json: snapshot(state) } satisfies CachedState);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    if (!force && !cached) return;
    const entry = cached ?? { state: {}, json: '' };
    const json = snapshot(entry.state);
    if (!force && entry.json === json) return;
    const key = await this.storageKey(context);
    entry.state.eTag = '*';
    await this.storage.write({ [key]: entry.state });
    // The text compared before writing is what was written (the eTag is not part of it), so the state is not
    // serialized once more; a change made while the write was under way still counts as unsaved.
    entry.json = json;
    context.turnState.set(this.cacheKey, entry);
  }

  override async clear(context: TurnContext): Promise<void> {
    context.turnState.set(this.cacheKey, { state: {}, json: '' } satisfies CachedState);
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.cacheKey);
    const key = await this.storageKey(context);
    await this.storage.delete([key]);
  }

  override get(context: TurnContext): any | undefined {
    const cached = context.turnState.get(this.cacheKey) as CachedState | undefined;
    return typeof cached === 'object' && typeof cached.state === 'object' ? cached.state : undefined;
  }
}
