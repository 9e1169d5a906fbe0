/**
 * POST /api/triage — the triage service over HTTP for support tools.
 *
 *   {"text": "…", "id"?: …}                  → the triage object
 *   {"items": [{"id", "text"}, …]}           → {"results": [the triage object, …]} in the same order
 *
 * With TRIAGE_TOKEN set, `Authorization: Bearer <token>` is required (compared in constant time, checked
 * before the body is read). Bad input is a 400 naming what is wrong: empty or non-string text, text over
 * 100 KB, an empty or too long batch; a body over MAX_TRIAGE_BODY_BYTES is the body parser's 413. Errors
 * have the shape of every other route: {"error": {"code", "message"}}.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Next, Request, Response, Server } from 'restify';
import type { Config } from '../config';
import { checkId, checkText } from '../triage/input';
import type { TriageService } from '../triage/triage-service';
import type { TriageId, TriageResult } from '../triage/types';
import type { Logger } from './logger';
import { errorBody, readJsonBody, requireJson } from './json-api';
import { rejectDeepJson } from './json-depth';

/** Room for a batch of tickets; a single text is limited to 100 KB by `checkText`. */
export const MAX_TRIAGE_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_ITEMS = 1000;
/** A batch is classified in slices this big, letting other requests (the bot's) run in between. */
const SLICE = 25;

type Checked = { ok: true; items: Array<{ id: TriageId; text: string }>; batch: boolean } | { ok: false; message: string };


/** Constant-time comparison: both sides hashed first, so neither the content nor the length leaks. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected)) && expected.length > 0;
}

function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : '';
}

function checkBody(body: unknown): Checked {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'Send a JSON object: {"text": "…"} or {"items": [{"id", "text"}, …]}.' };
  const b = body as Record<string, unknown>;
  if ('items' in b && 'text' in b) return { ok: false, message: 'Send either "text" or "items", not both.' };
  if (!('items' in b)) {
    const text = checkText(b.text);
    if (!text.ok) return { ok: false, message: text.error };
    const id = checkId(b.id);
    if (!id.ok) return { ok: false, message: id.error };
    return { ok: true, items: [{ id: id.value, text: text.value }], batch: false };
  }
  if (!Array.isArray(b.items)) return { ok: false, message: 'items must be an array of {"id", "text"}.' };
  if (b.items.length === 0) return { ok: false, message: 'items is empty.' };
  if (b.items.length > MAX_BATCH_ITEMS) return { ok: false, message: `items has ${b.items.length} entries; at most ${MAX_BATCH_ITEMS} per request.` };
  const items: Array<{ id: TriageId; text: string }> = [];
  for (const [i, item] of b.items.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { ok: false, message: `items[${i}] must be an object {"id", "text"}.` };
    const record = item as Record<string, unknown>;
    const text = checkText(record.text);
    if (!text.ok) return { ok: false, message: `items[${i}]: ${text.error}` };
    const id = checkId(record.id);
    if (!id.ok) return { ok: false, message: `items[${i}]: ${id.error}` };
    items.push({ id: id.value, text: text.value });
  }
  return { ok: true, items, batch: true };
}

export function registerTriageRoutes(server: Server, config: Pick<Config, 'triageToken'>, service: TriageService | undefined, logger: Logger): void {
  if (!service) return;
  const token = config.triageToken;

  const requireToken = (req: Request, res: Response, next: Next) => {
    if (token === '' || tokenMatches(bearerToken(req), token)) return next();
    res.header('WWW-Authenticate', 'Bearer realm="triage"');
    res.send(401, errorBody('Unauthorized', 'Send the triage token as "Authorization: Bearer <token>".'));
    return next(false);
  };

  server.post(
    '/api/triage',
    requireToken,
    ...readJsonBody(MAX_TRIAGE_BODY_BYTES),
    rejectDeepJson(),
    requireJson('Send the request as application/json.'),
    async (req: Request, res: Response) => {
      const checked = checkBody(req.body);
      if (!checked.ok) {
        res.send(400, errorBody('BadRequest', checked.message));
        return;
      }
      const started = Date.now();
      const results: TriageResult[] = [];
      for (const [i, item] of checked.items.entries()) {
        if (i > 0 && i % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        results.push(service.triage(item.text, item.id));
      }
      logger.debug({ items: results.length, ms: Date.now() - started }, 'triage');
      res.send(200, checked.batch ? { results } : results[0]);
    },
  );
}
