/**
 * The built-in Direct Line 3.0 endpoint on the bot's own server, so web chat needs no Azure Bot Service:
 *
 *   POST /v3/directline/tokens/generate                     a token for a new conversation
 *   POST /v3/directline/tokens/refresh                      a fresh token for the same conversation
 *   POST /v3/directline/conversations                       start (or resume) the token's conversation
 *   GET  /v3/directline/conversations/:id?watermark=        resume: a new streamUrl
 *   GET  /v3/directline/conversations/:id/activities?watermark=
 *   POST /v3/directline/conversations/:id/activities        send an activity → { id }
 *   GET  /v3/directline/conversations/:id/stream?watermark=&t=   WebSocket (the streamUrl)
 *
 * Every call but generate needs `Authorization: Bearer <token>`, and a token only opens its own
 * conversation (403 otherwise). Errors are `{ error: { code, message } }`, like the real service's.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Request, Response, Server } from 'restify';
import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import type { Config } from '../../config';
import type { HelpdeskAdapter } from '../../server/adapter';
import { Cors, requestHost, requestScheme } from '../../server/cors';
import type { Logger } from '../../server/logger';
import { errorBody, readJsonBody } from '../../server/json-api';
import { rejectDeepJson } from '../../server/json-depth';
import { DirectLineError, DirectLineService, POSTABLE_TYPES } from './service';
import { createConversationStore } from './store';
import { ConversationStreams, rejectUpgrade } from './stream';
import { signingSecret, TokenService, type TokenClaims } from './tokens';

export const DIRECT_LINE_PREFIX = '/v3/directline';
/** Largest activity a client may post; the same room as /api/messages. */
const MAX_ACTIVITY_BYTES = 256 * 1024;
const MAX_SMALL_BODY_BYTES = 4 * 1024;
/** The bot's id in Direct Line conversations (the name comes from BOT_NAME). */
export const DIRECT_LINE_BOT_ID = 'alimail-helpdesk';

export interface DirectLineDeps {
  adapter: HelpdeskAdapter;
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
}

const UserSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_:.@-]{1,64}$/, 'letters, digits and _:.@- only, at most 64').optional(),
    name: z.string().trim().max(100).optional(),
  })
  .strict();
const GenerateBodySchema = z.object({ user: UserSchema.optional() }).passthrough();
const StartBodySchema = z
  .object({
    locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag such as en-US').optional(),
    user: z.object({ id: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();
const ActivityBodySchema = z
  .object({
    type: z.enum(POSTABLE_TYPES),
    text: z.string().optional(),
    locale: z.string().max(20).optional(),
    name: z.string().max(200).optional(),
    from: z.object({ id: z.string().optional(), name: z.string().optional() }).passthrough().optional(),
    attachments: z.array(z.unknown()).max(10).optional(),
    channelData: z.record(z.unknown()).optional(),
  })
  .passthrough();

/** Registers the endpoint on `server` (routes and the WebSocket upgrade) and returns the channel. */
export function registerDirectLine(server: Server, config: Readonly<Config>, deps: DirectLineDeps): DirectLineService {
  const { logger } = deps;
  const cors = new Cors(config.allowedOrigins);
  const store = createConversationStore(config);
  const tokens = new TokenService(
    signingSecret({ configured: config.directLine.tokenSecret, dataDir: config.storage === 'sqlite' ? config.dataDir : null }),
  );
  const streams = new ConversationStreams();
  const appId = config.auth.enabled ? config.auth.appId : '';
  const service = new DirectLineService({
    store,
    tokens,
    streams,
    bot: { id: DIRECT_LINE_BOT_ID, name: config.botName },
    logger,
    runTurn: (activity) => deps.adapter.runInProcess(activity, (context) => deps.bot.run(context), appId),
  });

  const send = (res: Response, status: number, body: unknown) => {
    res.header('cache-control', 'no-store');
    res.send(status, body);
  };
  const fail = (res: Response, err: unknown, what: string) => {
    if (err instanceof DirectLineError) return send(res, err.status, errorBody(err.code, err.message));
    logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, what }, 'direct line request failed');
    return send(res, 500, errorBody('InternalError', 'Internal server error'));
  };
  /** The bearer token's claims, or an error response sent. */
  const authorize = (req: Request, res: Response, conversationId?: string): { claims: TokenClaims; token: string } | null => {
    const header = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
    const result = checkBearer(tokens, header, conversationId);
    if (result instanceof DirectLineError) {
      send(res, result.status, errorBody(result.code, result.message));
      return null;
    }
    return result;
  };
  const json = (maxBodySize: number) => [...readJsonBody(maxBodySize), rejectDeepJson()];
  /** The body as an object; `{}` when there is none. Sends 400/415 and returns null otherwise. */
  const bodyOf = (req: Request, res: Response): Record<string, unknown> | null => {
    const raw: unknown = req.body;
    if (raw === undefined || raw === null || raw === '') return {};
    if (!req.is('json')) {
      send(res, 415, errorBody('UnsupportedMediaType', 'Send the body as application/json.'));
      return null;
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      send(res, 400, errorBody('BadArgument', 'The body must be a JSON object.'));
      return null;
    }
    return raw as Record<string, unknown>;
  };
  const streamBase = (req: IncomingMessage) => `${requestScheme(req) === 'https' ? 'wss' : 'ws'}://${requestHost(req)}${DIRECT_LINE_PREFIX}`;

  server.opts(`${DIRECT_LINE_PREFIX}/*`, cors.preflight);

  server.post(`${DIRECT_LINE_PREFIX}/tokens/generate`, cors.headers, ...json(MAX_SMALL_BODY_BYTES), async (req: Request, res: Response) => {
    const body = bodyOf(req, res);
    if (!body) return;
    const parsed = GenerateBodySchema.safeParse(body);
    if (!parsed.success) return send(res, 400, errorBody('BadArgument', describe(parsed.error)));
    return send(res, 200, service.generateToken(parsed.data.user));
  });

  server.post(`${DIRECT_LINE_PREFIX}/tokens/refresh`, cors.headers, async (req: Request, res: Response) => {
    const auth = authorize(req, res);
    if (!auth) return;
    return send(res, 200, service.refreshToken(auth.claims));
  });

  server.post(`${DIRECT_LINE_PREFIX}/conversations`, cors.headers, ...json(MAX_SMALL_BODY_BYTES), async (req: Request, res: Response) => {
    const auth = authorize(req, res);
    if (!auth) return;
    const body = bodyOf(req, res);
    if (!body) return;
    const parsed = StartBodySchema.safeParse(body);
    if (!parsed.success) return send(res, 400, errorBody('BadArgument', describe(parsed.error)));
    try {
      const { created, conversation } = await service.open(auth.claims, auth.token, streamBase(req), { locale: parsed.data.locale });
      return send(res, created ? 201 : 200, conversation);
    } catch (err) {
      return fail(res, err, 'start conversation');
    }
  });

  server.get(`${DIRECT_LINE_PREFIX}/conversations/:conversationId`, cors.headers, async (req: Request, res: Response) => {
    const auth = authorize(req, res, req.params.conversationId);
    if (!auth) return;
    const watermark = watermarkOf(req);
    if (watermark === null) return send(res, 400, errorBody('BadArgument', 'watermark must be a number.'));
    try {
      const { conversation } = await service.open(auth.claims, auth.token, streamBase(req), { watermark });
      return send(res, 200, conversation);
    } catch (err) {
      return fail(res, err, 'reconnect');
    }
  });

  server.get(`${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`, cors.headers, async (req: Request, res: Response) => {
    const auth = authorize(req, res, req.params.conversationId);
    if (!auth) return;
    const watermark = watermarkOf(req);
    if (watermark === null) return send(res, 400, errorBody('BadArgument', 'watermark must be a number.'));
    if (!service.conversation(auth.claims.conv)) return send(res, 404, errorBody('NotFound', 'The conversation has not been started.'));
    return send(res, 200, service.activities(auth.claims.conv, watermark));
  });

  server.post(
    `${DIRECT_LINE_PREFIX}/conversations/:conversationId/activities`,
    cors.headers,
    ...json(MAX_ACTIVITY_BYTES),
    async (req: Request, res: Response) => {
      const auth = authorize(req, res, req.params.conversationId);
      if (!auth) return;
      const body = bodyOf(req, res);
      if (!body) return;
      const parsed = ActivityBodySchema.safeParse(body);
      if (!parsed.success) return send(res, 400, errorBody('BadArgument', `Not a valid activity: ${describe(parsed.error)}`));
      try {
        return send(res, 200, await service.post(auth.claims, parsed.data));
      } catch (err) {
        return fail(res, err, 'post activity');
      }
    },
  );

  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = new RegExp(`^${DIRECT_LINE_PREFIX}/conversations/([^/]+)/stream$`).exec(url.pathname);
    if (!match) return rejectUpgrade(socket, 404, 'ResourceNotFound', `${url.pathname} does not exist`);
    if (!cors.permits(req)) return rejectUpgrade(socket, 403, 'Forbidden', 'This origin is not allowed (see ALLOWED_ORIGINS).');
    const conversationId = decodeURIComponent(match[1] as string);
    const token = url.searchParams.get('t') ?? bearerOf(typeof req.headers.authorization === 'string' ? req.headers.authorization : '');
    const auth = checkBearer(tokens, token ? `Bearer ${token}` : '', conversationId);
    if (auth instanceof DirectLineError) return rejectUpgrade(socket, auth.status, auth.code, auth.message);
    const watermark = parseWatermark(url.searchParams.get('watermark'));
    if (watermark === null) return rejectUpgrade(socket, 400, 'BadArgument', 'watermark must be a number.');
    if (!service.conversation(conversationId)) return rejectUpgrade(socket, 404, 'NotFound', 'The conversation has not been started.');
    streams.accept(req, socket, head, conversationId, watermark, (after) => service.page(conversationId, after));
  });

  // On close: end the streams (an open WebSocket would keep the server from closing), then, once the last
  // request has finished, the database.
  const closeHttp = server.close.bind(server);
  server.close = ((callback?: () => void) => {
    streams.close();
    return closeHttp(callback);
  }) as typeof server.close;
  server.server.once('close', () => store.close());

  return service;
}

function bearerOf(header: string): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}

/** The token's claims when it is valid (and, given a conversation, made for it); a DirectLineError otherwise. */
function checkBearer(tokens: TokenService, header: string, conversationId?: string): { claims: TokenClaims; token: string } | DirectLineError {
  const token = bearerOf(header);
  if (!token) return new DirectLineError(401, 'MissingToken', 'Send a Direct Line token as "Authorization: Bearer <token>".');
  const check = tokens.verify(token);
  if (!check.ok) {
    return check.reason === 'expired'
      ? new DirectLineError(403, 'TokenExpired', 'The token has expired; get a new one.')
      : new DirectLineError(403, 'InvalidToken', 'The token is not valid.');
  }
  if (conversationId !== undefined && check.claims.conv !== conversationId) {
    return new DirectLineError(403, 'Forbidden', 'The token is not valid for this conversation.');
  }
  return { claims: check.claims, token };
}

function watermarkOf(req: Request): number | null {
  return parseWatermark(new URL(req.url ?? '/', 'http://localhost').searchParams.get('watermark'));
}

/** '' or absent: from the start; a non-negative integer otherwise; null when it is neither. */
export function parseWatermark(raw: string | null): number | null {
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}
