/**
 * Builds the HTTP app without listening (main.ts listens): the Bot Framework endpoint and a health
 * check. Errors leave as small JSON bodies; stack traces and SDK messages stay in the logs.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { Activity } from 'botbuilder';
import type { Config } from '../config';
import type { Messages } from '../dialogs/messages';
import { HelpdeskBot, errorSummary, type TurnEngine } from '../bot/helpdesk-bot';
import { turnErrorHandler } from '../bot/turn-error';
import { StorageEscalationSink } from '../escalation/storage-sink';
import type { EscalationSink } from '../escalation/types';
import { JsonConversationState, type HelpdeskStorage } from '../storage';
import { botFrameworkAuthentication, HelpdeskAdapter, isAuthError } from './adapter';
import { checkActivity, describeActivityErrors, isLoopbackUrl } from './activity';
import { silentLogger, type Logger } from './logger';
import { registerDirectLine } from '../channels/directline/routes';
import { registerWebChat } from '../channels/webchat/routes';
import { registerTriageRoutes } from './triage-routes';
import { registerTicketRoutes } from './ticket-routes';
import { createAdminAuth, registerAdminRoutes } from './admin-routes';
import { registerNotifyRoutes } from './notify-routes';
import { conversationSender, postmasterTicketDelivery, proactiveMessenger } from '../bot/proactive';
import type { Classifier } from '../engine/engine';
import type { TicketService } from '../tickets/ticket-service';
import { registerRateLimit } from './rate-limit';
import { errorBody, readJsonBody, requireJson } from './json-api';
import { rejectDeepJson } from './json-depth';
import { conversationKey, TurnQueue } from './turn-queue';
import type { TriageService } from '../triage/triage-service';

/** Largest request body accepted on /api/messages; a 50 KB message fits with room to spare. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface AppDeps {
  /** What the bot runs over: core's catalog and engine (`loadHelpdeskCore()`). */
  core: {
    catalog: { trees: { readonly size: number }; messages: Messages };
    engine: TurnEngine;
    /** Tells a new problem from the user's answer to the postmaster (the real core's recognizer). */
    recognizer?: Classifier;
  };
  storage: HelpdeskStorage;
  /** Where escalations go; by default they are kept in `storage`. */
  sink?: EscalationSink;
  logger?: Logger;
  /** Serves POST /api/triage when given (`createTriageService(core)`). */
  triage?: TriageService;
  /** The ticket desk: escalations become tickets (instead of `sink`), users follow them up, /api/tickets with ADMIN_TOKEN. */
  tickets?: TicketService;
}

export interface HelpdeskApp {
  server: Server;
  adapter: HelpdeskAdapter;
  bot: HelpdeskBot;
}

export function createApp(config: Readonly<Config>, deps: AppDeps): HelpdeskApp {
  const logger = deps.logger ?? silentLogger();
  const { catalog, engine } = deps.core;
  const messages = catalog.messages;

  const adapter = new HelpdeskAdapter(botFrameworkAuthentication(config));
  adapter.onTurnError = turnErrorHandler(messages, logger);

  const conversationState = new JsonConversationState(deps.storage.storage);
  const bot = new HelpdeskBot({
    engine,
    messages,
    conversationState,
    sink: deps.sink ?? deps.tickets ?? new StorageEscalationSink(deps.storage.storage),
    tickets: deps.tickets,
    logger,
    logUserText: config.logUserText,
    classifier: deps.core.recognizer,
  });

  const server = restify.createServer({ name: config.botName, handleUncaughtExceptions: false });
  server.pre(restify.plugins.pre.sanitizePath());
  registerRateLimit(server, config);

  // Every restify error (404, 405, 413, bad JSON, a handler's failure) leaves as { error: { code, message } };
  // a 5xx never carries its message, which may come from deep inside a library.
  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number; body?: { code?: string } }, cb: () => void) => {
    const status = err.statusCode ?? 500;
    const code = err.body?.code ?? (status >= 500 ? 'InternalError' : err.name.replace(/Error$/, ''));
    if (status >= 500) logger.error({ err: errorSummary(err), method: req.method, path: req.path() }, 'request failed');
    const body = status >= 500 ? errorBody('InternalError', 'Internal server error') : errorBody(code, err.message);
    Object.assign(err, { toJSON: () => body });
    res.header('content-type', 'application/json');
    return cb();
  });

  server.on('after', (req: Request, res: Response) => {
    logger.debug({ method: req.method, path: req.path(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });

  // One conversation's turns in arrival order, so two messages sent together never race on its state.
  const turns = new TurnQueue();

  server.get('/healthz', async (_req: Request, res: Response) => {
    const storageOk = await deps.storage.ping().catch(() => false);
    const trees = catalog.trees.size;
    const ok = storageOk && trees > 0;
    res.send(ok ? 200 : 503, {
      status: ok ? 'ok' : 'degraded',
      trees,
      storage: { kind: deps.storage.kind, ok: storageOk },
      auth: config.auth.enabled,
    });
  });

  server.post(
    '/api/messages',
    ...readJsonBody(MAX_BODY_BYTES),
    rejectDeepJson(),
    requireJson('Send the activity as application/json.'),
    async (req: Request, res: Response) => {
      const parsed = checkActivity(req.body);
      if (!parsed.success) {
        res.send(400, errorBody('BadRequest', `Not a valid activity: ${describeActivityErrors(parsed.error)}`));
        return;
      }
      const activity = parsed.data;
      const expectReplies = activity.deliveryMode === 'expectReplies';
      if (!config.auth.enabled && !expectReplies && !isLoopbackUrl(activity.serviceUrl)) {
        res.send(
          400,
          errorBody('BadRequest', 'With Bot Framework authentication off, serviceUrl must be a loopback address (or use deliveryMode "expectReplies").'),
        );
        return;
      }
      const authHeader = typeof req.headers.authorization === 'string' ? req.headers.authorization : '';
      try {
        const invokeResponse = await turns.run(conversationKey(activity), () => adapter.handle(authHeader, toActivity(activity), (context) => bot.run(context)));
        if (invokeResponse?.body !== undefined) res.send(invokeResponse.status, invokeResponse.body);
        else res.send(invokeResponse?.status ?? 200);
      } catch (err) {
        if (isAuthError(err)) {
          logger.warn({ channelId: activity.channelId, reason: errorSummary(err).message }, 'unauthorized activity');
          res.send(401, errorBody('Unauthorized', 'The request is not authorized.'));
          return;
        }
        logger.error({ err: errorSummary(err), channelId: activity.channelId }, 'activity failed');
        res.send(500, errorBody('InternalError', 'Internal server error'));
      }
    },
  );

  registerTriageRoutes(server, config, deps.triage, logger);
  const directLine = registerDirectLine(server, config, { adapter, bot, logger });
  registerWebChat(server, config, { directLine, logger });

  // Messages the bot sends on its own (postmaster replies): the built-in Direct Line's conversations in process, others via the adapter.
  const sendToConversation = conversationSender(adapter, { appId: config.auth.appId, authEnabled: config.auth.enabled, directLine: () => directLine });
  deps.tickets?.setUserMessenger(proactiveMessenger(sendToConversation, messages));
  deps.tickets?.enableChatNotifications(postmasterTicketDelivery(sendToConversation));
  // The admin routes (bearer token or the dashboard's session cookie); none at all without ADMIN_TOKEN.
  const adminAuth = createAdminAuth(config);
  registerTicketRoutes(server, config, deps.tickets, logger, adminAuth);
  registerNotifyRoutes(server, config, { tickets: deps.tickets, auth: adminAuth, send: sendToConversation, messages, logger });
  registerAdminRoutes(server, config, deps.tickets, { auth: adminAuth, send: sendToConversation, messages, logger });

  return { server, adapter, bot };
}

/** The validated body as an SDK activity, with its ISO timestamps as dates (what the SDK expects). */
function toActivity(body: Record<string, unknown>): Activity {
  const activity = { ...body } as Record<string, unknown>;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['localTimestamp', 'rawLocalTimestamp'],
    ['expiration', 'rawExpiration'],
  ] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) delete activity[field];
      else activity[field] = date;
    }
  }
  return activity as unknown as Activity;
}
