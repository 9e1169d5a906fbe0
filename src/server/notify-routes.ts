/**
 * The postmaster's conversation for new tickets (see tickets/postmaster-conversation.ts):
 *
 *   GET    /api/notify/conversation                 → {"conversation": {channelId, conversationId, userName, registeredAt} | null}
 *   PUT    /api/notify/conversation  {"code": "…"}  → the conversation the code was handed out in, now registered;
 *                                                      {"conversation", "confirmationDelivered"} (a "Done" message is posted there)
 *   DELETE /api/notify/conversation                 → stops it: {"conversation": null}
 *
 * Same rule as /api/tickets: the admin token (bearer header or the dashboard's session cookie) on every
 * request, and nothing served without ADMIN_TOKEN. An unknown, used or expired code is a 404.
 */
import type { Request, Response, Server } from 'restify';
import type { ConversationSender } from '../bot/proactive';
import { renderText } from '../bot/render';
import type { Config } from '../config';
import type { Messages } from '../dialogs/messages';
import type { RegisteredNotifyConversation } from '../tickets/ticket-store';
import type { TicketService } from '../tickets/ticket-service';
import type { AdminAuth } from './admin-auth';
import { errorBody, readJsonBody, requireJson } from './json-api';
import type { Logger } from './logger';

const MAX_BODY_BYTES = 4 * 1024;

export interface NotifyRouteDeps {
  tickets: TicketService | undefined;
  auth: AdminAuth | undefined;
  send: ConversationSender;
  messages: Messages;
  logger: Logger;
}


/** What the API shows of a registration: never the stored reference (it holds the channel's service URL). */
export function describeNotifyConversation(c: RegisteredNotifyConversation | undefined) {
  return c ? { channelId: c.channelId, conversationId: c.conversationId, userName: c.userName, registeredAt: c.registeredAt } : null;
}

/**
 * Confirms a code and tells the conversation it now gets new tickets. Resolves to the registration, or
 * undefined for an unknown code; `delivered` says whether the "Done" message got there.
 */
export async function confirmNotifyCode(
  code: string,
  deps: Pick<NotifyRouteDeps, 'send' | 'messages' | 'logger'> & { tickets: TicketService },
): Promise<{ conversation: RegisteredNotifyConversation; delivered: boolean } | undefined> {
  const conversation = deps.tickets.postmasterConversation.confirm(code);
  if (!conversation) return undefined;
  let delivered = false;
  try {
    await deps.send(conversation.conversationRef, [renderText(deps.messages.notifyRegistered)]);
    delivered = true;
  } catch {
    deps.logger.warn({ channelId: conversation.channelId, conversationId: conversation.conversationId }, 'could not confirm in the postmaster conversation');
  }
  deps.logger.info({ channelId: conversation.channelId, conversationId: conversation.conversationId }, 'postmaster conversation registered');
  return { conversation, delivered };
}

export function registerNotifyRoutes(server: Server, config: Pick<Config, 'adminToken'>, deps: NotifyRouteDeps): void {
  const { tickets, auth } = deps;
  if (!tickets || !auth || config.adminToken === '') return;
  const admin = auth.requireApi();

  server.get('/api/notify/conversation', admin, async (_req: Request, res: Response) => {
    res.send(200, { conversation: describeNotifyConversation(tickets.postmasterConversation.current()) });
  });

  server.put(
    '/api/notify/conversation',
    admin,
    ...readJsonBody(MAX_BODY_BYTES),
    requireJson('Send {"code": "…"} as application/json.'),
    async (req: Request, res: Response) => {
      const code = (req.body as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string' || code.trim() === '') {
        res.send(400, errorBody('BadRequest', 'Send {"code": "…"}: the code the bot gave in the conversation.'));
        return;
      }
      const result = await confirmNotifyCode(code, { ...deps, tickets });
      if (!result) {
        res.send(404, errorBody('NotFound', 'No such code: it may have expired (15 minutes) or been used. Ask the bot for a new one.'));
        return;
      }
      res.send(200, { conversation: describeNotifyConversation(result.conversation), confirmationDelivered: result.delivered });
    },
  );

  server.del('/api/notify/conversation', admin, async (_req: Request, res: Response) => {
    if (tickets.postmasterConversation.clear()) deps.logger.info({}, 'postmaster conversation unregistered');
    res.send(200, { conversation: null });
  });
}
