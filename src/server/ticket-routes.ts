/**
 * The postmaster's ticket API:
 *
 *   GET   /api/tickets?status=&problem=&severity=&limit=   → {"tickets": [summary, …]} newest first
 *   GET   /api/tickets/:id                                → the ticket (record, transcript, events, deliveries)
 *   PATCH /api/tickets/:id  {"status"?, "reply"?}         → {"ticket", "replyDelivered"}
 *
 * Every route requires `Authorization: Bearer $ADMIN_TOKEN` or the dashboard's session cookie (admin-auth.ts;
 * constant-time compare, checked before the body is read; 401 otherwise). With no ADMIN_TOKEN configured the routes are not registered at all, so
 * they answer 404 like any unknown path: disabled, never open. Errors: {"error": {"code", "message"}}.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { Config } from '../config';
import type { TicketService } from '../tickets/ticket-service';
import { isTicketStatus, TICKET_STATUSES, type TicketFilter, type TicketStatus } from '../tickets/types';
import { errorBody, readJsonBody, requireJson } from './json-api';
import type { Logger } from './logger';
import type { AdminAuth } from './admin-auth';

const MAX_BODY_BYTES = 64 * 1024;
export const MAX_REPLY_CHARS = 10_000;


type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

function checkFilter(query: Record<string, unknown>): Checked<TicketFilter> {
  const filter: TicketFilter = {};
  const one = (name: string): string | undefined => {
    const v = query[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const status = one('status');
  if (status !== undefined) {
    if (!isTicketStatus(status)) return { ok: false, message: `status must be one of ${TICKET_STATUSES.join(', ')}.` };
    filter.status = status;
  }
  const problem = one('problem');
  if (problem) filter.problem = problem;
  const severity = one('severity');
  if (severity) filter.severity = severity;
  const limit = one('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) return { ok: false, message: 'limit must be a whole number from 1 to 1000.' };
    filter.limit = n;
  }
  return { ok: true, value: filter };
}

function checkUpdate(body: unknown): Checked<{ status?: TicketStatus; reply?: string }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'Send a JSON object: {"status"?, "reply"?}.' };
  const b = body as Record<string, unknown>;
  const update: { status?: TicketStatus; reply?: string } = {};
  if (b.status !== undefined) {
    if (!isTicketStatus(b.status)) return { ok: false, message: `status must be one of ${TICKET_STATUSES.join(', ')}.` };
    update.status = b.status;
  }
  if (b.reply !== undefined) {
    if (typeof b.reply !== 'string' || b.reply.trim() === '') return { ok: false, message: 'reply must be non-empty text.' };
    if (b.reply.length > MAX_REPLY_CHARS) return { ok: false, message: `reply is over ${MAX_REPLY_CHARS} characters.` };
    update.reply = b.reply.trim();
  }
  if (update.status === undefined && update.reply === undefined) return { ok: false, message: 'Nothing to change: send "status" and/or "reply".' };
  return { ok: true, value: update };
}

export function registerTicketRoutes(server: Server, config: Pick<Config, 'adminToken'>, tickets: TicketService | undefined, logger: Logger, admin: AdminAuth | undefined): void {
  if (!tickets || !admin || config.adminToken === '') return;
  const auth = admin.requireApi();

  server.get('/api/tickets', auth, restify.plugins.queryParser({ mapParams: false }), async (req: Request, res: Response) => {
    const filter = checkFilter((req.query ?? {}) as Record<string, unknown>);
    if (!filter.ok) {
      res.send(400, errorBody('BadRequest', filter.message));
      return;
    }
    res.send(200, { tickets: tickets.list(filter.value) });
  });

  server.get('/api/tickets/:id', auth, async (req: Request, res: Response) => {
    const ticket = tickets.get(String(req.params.id));
    if (!ticket) {
      res.send(404, errorBody('NotFound', `No ticket ${String(req.params.id)}.`));
      return;
    }
    res.send(200, ticket);
  });

  server.patch(
    '/api/tickets/:id',
    auth,
    ...readJsonBody(MAX_BODY_BYTES),
    requireJson('Send the change as application/json.'),
    async (req: Request, res: Response) => {
      const update = checkUpdate(req.body);
      if (!update.ok) {
        res.send(400, errorBody('BadRequest', update.message));
        return;
      }
      const result = await tickets.update(String(req.params.id), update.value);
      if (!result) {
        res.send(404, errorBody('NotFound', `No ticket ${String(req.params.id)}.`));
        return;
      }
      logger.info({ ticketId: result.ticket.id, status: update.value.status, reply: update.value.reply !== undefined, replyDelivered: result.replyDelivered }, 'ticket updated');
      res.send(200, result);
    },
  );
}
