/**
 * A per-client request limit: a token bucket per client address, `perMinute` tokens deep, refilled at
 * `perMinute` a minute. A request without a token gets 429 with `Retry-After`, in the JSON error shape of
 * every other route. It applies to every HTTP route, /healthz and the web chat's files included (nothing is
 * exempt); WebSocket upgrades do not pass through restify's handlers and are not counted.
 *
 * The key is the TCP peer address, never X-Forwarded-For (which any client can write): behind a reverse
 * proxy every user shares the proxy's bucket, so raise RATE_LIMIT_PER_MINUTE there, or set it to 0 and let
 * the proxy limit. Buckets of idle clients are dropped once more than MAX_CLIENTS are kept.
 */
import type { Next, Request, Response, Server } from 'restify';

/** Buckets kept at most; past it, the full ones (clients idle for a minute or more) are dropped. */
export const MAX_CLIENTS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes a token for `client`: 0 when the request may go on, else the milliseconds until one is back. */
  take(client: string): number {
    const now = this.now();
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= MAX_CLIENTS) this.prune(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(client, bucket);
    } else {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  get clients(): number {
    return this.buckets.size;
  }

  /** Drops the buckets that have refilled (their clients would start full anyway); the oldest half if none has. */
  private prune(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(client);
    }
    if (this.buckets.size < MAX_CLIENTS) return;
    let drop = Math.ceil(this.buckets.size / 2);
    for (const client of this.buckets.keys()) {
      if (drop-- <= 0) break;
      this.buckets.delete(client);
    }
  }
}

/** Puts the limit in front of every route of `server` (none when `perMinute` is 0). */
export function registerRateLimit(server: Server, config: { rateLimitPerMinute: number }): void {
  if (config.rateLimitPerMinute <= 0) return;
  const limiter = new RateLimiter(config.rateLimitPerMinute);
  server.pre((req: Request, res: Response, next: Next) => {
    const wait = limiter.take(req.socket?.remoteAddress ?? 'unknown');
    if (wait === 0) return next();
    res.header('Retry-After', String(Math.max(1, Math.ceil(wait / 1000))));
    res.send(429, { error: { code: 'TooManyRequests', message: 'Too many requests from this address; try again shortly.' } });
    return next(false);
  });
}
