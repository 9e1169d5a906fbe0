/** Small HTTP helpers for tests: listen on 127.0.0.1:0, and a stand-in Bot Framework channel. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'restify';

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export function closeServer(server: { close(cb: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * What the bot posts its replies to (the activity's serviceUrl): accepts every request on
 * /v3/conversations/…, remembers it, and answers like the Bot Connector service does.
 */
export class CaptureChannel {
  readonly requests: CapturedRequest[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        // keep {}: a test will notice
      }
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `reply-${this.requests.length}` }));
    });
  });
  url = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Activities posted to the conversation, in order. */
  activities(): Record<string, unknown>[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v3/conversations/')).map((r) => r.body);
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return closeServer(this.server);
  }
}

/** A user's message to `/api/messages` with `deliveryMode: expectReplies`, so the replies come back in the body. */
export function messageActivity(options: { conversationId: string; text: string; userId?: string; userName?: string }): Record<string, unknown> {
  return {
    type: 'message',
    channelId: 'test',
    serviceUrl: 'http://127.0.0.1/',
    deliveryMode: 'expectReplies',
    from: { id: options.userId ?? 'user', ...(options.userName ? { name: options.userName } : {}) },
    recipient: { id: 'bot' },
    conversation: { id: options.conversationId },
    text: options.text,
  };
}

/** Posts one such message; the caller checks the status and reads `{ activities }`. */
export function postMessage(base: string, options: Parameters<typeof messageActivity>[0]): Promise<Response> {
  return fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(messageActivity(options)),
  });
}
