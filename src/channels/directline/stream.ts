/**
 * The conversation streams (the protocol's `streamUrl`): WebSockets over the server's own port. A
 * socket gets every activity after the watermark it connected with, then each new one as it is
 * appended, always as an ActivitySet `{ activities, watermark }`. The server sends an empty message now
 * and then (the real service's keep-alive, which clients ignore) and pings to drop dead peers; what a
 * client sends (DirectLineJS sends empty strings as its own keep-alive) is ignored.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { ActivityPage, StoredActivity } from './store';

export const KEEPALIVE_MS = 15_000;
/** Largest message a client may send on the stream (it should send nothing but keep-alives). */
const MAX_CLIENT_MESSAGE_BYTES = 4 * 1024;

interface Subscriber {
  socket: WebSocket;
  /** The last sequence number this socket has been sent. */
  sent: number;
  alive: boolean;
}

export class ConversationStreams {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly timer: NodeJS.Timeout;

  constructor(keepAliveMs = KEEPALIVE_MS) {
    this.timer = setInterval(() => this.keepAlive(), keepAliveMs);
    this.timer.unref();
  }

  /**
   * Completes a WebSocket handshake already checked by the caller, sends the backlog after `watermark`
   * (read with `readAfter`, page by page) and keeps the socket subscribed to the conversation.
   */
  accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    conversationId: string,
    watermark: number,
    readAfter: (after: number) => ActivityPage,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const subscriber: Subscriber = { socket: ws, sent: watermark, alive: true };
      // Backlog and subscription in one synchronous step: nothing can be appended in between.
      for (;;) {
        const page = readAfter(subscriber.sent);
        if (page.activities.length === 0) break;
        this.send(subscriber, page.activities, page.watermark);
      }
      let set = this.subscribers.get(conversationId);
      if (!set) this.subscribers.set(conversationId, (set = new Set()));
      set.add(subscriber);

      ws.on('pong', () => (subscriber.alive = true));
      ws.on('message', () => undefined);
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        set.delete(subscriber);
        if (set.size === 0 && this.subscribers.get(conversationId) === set) this.subscribers.delete(conversationId);
      });
    });
  }

  /** Pushes a just-appended activity to every socket open on its conversation. */
  publish(conversationId: string, activity: StoredActivity, seq: number): void {
    for (const subscriber of this.subscribers.get(conversationId) ?? []) {
      if (seq > subscriber.sent) this.send(subscriber, [activity], seq);
    }
  }

  /** How many sockets are open on a conversation (tests, health). */
  openCount(conversationId?: string): number {
    if (conversationId !== undefined) return this.subscribers.get(conversationId)?.size ?? 0;
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /** Closes every socket (server shutdown: 1001 "going away", which makes clients reconnect elsewhere). */
  close(): void {
    clearInterval(this.timer);
    for (const set of this.subscribers.values()) for (const s of set) s.socket.close(1001, 'server shutting down');
    this.subscribers.clear();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private send(subscriber: Subscriber, activities: StoredActivity[], watermark: number): void {
    if (subscriber.socket.readyState !== WebSocket.OPEN) return;
    subscriber.socket.send(JSON.stringify({ activities, watermark: String(watermark) }));
    subscriber.sent = watermark;
  }

  private keepAlive(): void {
    for (const set of this.subscribers.values()) {
      for (const subscriber of set) {
        if (!subscriber.alive) {
          subscriber.socket.terminate();
          continue;
        }
        subscriber.alive = false;
        if (subscriber.socket.readyState !== WebSocket.OPEN) continue;
        subscriber.socket.ping();
        subscriber.socket.send('');
      }
    }
  }
}

/** Refuses an upgrade with a plain HTTP status before any WebSocket exists. */
export function rejectUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
