/** The per-client rate limit (429 past RATE_LIMIT_PER_MINUTE) and the JSON nesting limit. */
import { nestedDeeperThan } from '../../src/server/json-depth';
import { MAX_CLIENTS, RateLimiter } from '../../src/server/rate-limit';
import { startApp, type RunningApp } from '../support/directline';

const apps: RunningApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('RateLimiter', () => {
  test('a burst of perMinute, then one more each 60/perMinute seconds; clients apart', () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(10_000);
    expect(limiter.take('b')).toBe(0);
    now += 9_999;
    expect(limiter.take('a')).toBeGreaterThan(0);
    now += 2;
    expect(limiter.take('a')).toBe(0);
    now += 10 * 60_000;
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  test('keeps at most MAX_CLIENTS buckets', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < MAX_CLIENTS + 500; i++) {
      limiter.take(`client-${i}`);
      now += 1;
    }
    expect(limiter.clients).toBeLessThanOrEqual(MAX_CLIENTS);
  });
});

describe('over HTTP', () => {
  test('past RATE_LIMIT_PER_MINUTE from one address: 429 JSON with Retry-After, on every route', async () => {
    const app = await startApp({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    apps.push(app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${app.base}/healthz`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    for (const [path, method] of [['/healthz', 'GET'], ['/api/messages', 'POST'], ['/v3/directline/tokens/generate', 'POST'], ['/', 'GET']] as const) {
      const res = await fetch(`${app.base}${path}`, { method });
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toEqual({ error: { code: 'TooManyRequests', message: expect.any(String) } });
    }
  });

  test('RATE_LIMIT_PER_MINUTE=0: no limit', async () => {
    const app = await startApp({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
    apps.push(app);
    const statuses = await Promise.all(Array.from({ length: 50 }, () => fetch(`${app.base}/healthz`).then((r) => r.status)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  test('a body nested deeper than the limit → 400 JSON', async () => {
    const app = await startApp();
    apps.push(app);
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const res = await fetch(`${app.base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'BadRequest' } });
  });
});

test('nestedDeeperThan', () => {
  expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
  expect(nestedDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
  expect(nestedDeeperThan('text', 0)).toBe(false);
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(nestedDeeperThan(deep, 64)).toBe(true);
});
