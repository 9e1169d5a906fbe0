/**
 * Turns of one conversation run one after another. The bot reads the conversation's state at the start of
 * a turn and writes it at the end (with its eTag); two messages of one conversation arriving together would
 * otherwise both read the same state, and the second write would fail on the eTag (or, on a store without
 * eTags, overwrite the first turn's update). Different conversations still run side by side.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier turn queued under `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The map holds only conversations with a turn under way.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Conversations with a turn running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}

/** The queue key of an activity: the same conversation id on two channels is two conversations. */
export function conversationKey(activity: { channelId: string; conversation: { id: string } }): string {
  return `${activity.channelId}/${activity.conversation.id}`;
}
