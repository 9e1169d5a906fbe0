/**
 * The helpdesk dashboard and its login:
 *
 *   GET  /admin?days=N     the dashboard: open tickets and the numbers of a period (default 30 days) —
 *                          conversations, resolved by the bot, escalated, abandoned, per problem, the average
 *                          rating, the trend per day as an SVG chart, the messages the bot did not understand,
 *                          and the postmaster conversation that gets new tickets. Without a session or the
 *                          bearer token: the login page (401), which a browser shows.
 *   GET  /admin/login      the login page
 *   POST /admin/login      token=… (a form): right → the session cookie and back to /admin; wrong → 401 page
 *   POST /admin/logout     ends the session, clears the cookie
 *   POST /admin/notify     code=… registers the conversation that code was given in for new tickets;
 *                          action=stop unregisters it
 *
 * Server-rendered, no script (CSP: nothing loaded). Not served at all without ADMIN_TOKEN (404).
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { ConversationSender } from '../bot/proactive';
import type { Config } from '../config';
import type { Messages } from '../dialogs/messages';
import { formatRating, helpdeskStats, type DayStats, type HelpdeskStats } from '../tickets/metrics';
import type { RegisteredNotifyConversation } from '../tickets/ticket-store';
import type { TicketService } from '../tickets/ticket-service';
import type { TicketSummary } from '../tickets/types';
import { AdminAuth, sendHtml } from './admin-auth';
import type { Logger } from './logger';
import { confirmNotifyCode } from './notify-routes';

const DAY_MS = 86_400_000;
const MAX_FORM_BYTES = 4 * 1024;

/** The admin check for every admin route, or undefined when ADMIN_TOKEN is not set (the routes are then not served). */
export function createAdminAuth(config: Pick<Config, 'adminToken' | 'botName' | 'publicHostname'>): AdminAuth | undefined {
  if (config.adminToken === '') return undefined;
  return new AdminAuth({ token: config.adminToken, publicHostname: config.publicHostname, loginPage: ({ failed }) => loginHtml(config.botName, failed) });
}

export interface AdminRouteDeps {
  auth: AdminAuth | undefined;
  send: ConversationSender;
  messages: Messages;
  logger: Logger;
}

/** The fields of a urlencoded form body (what an HTML form posts). */
function formOf(req: Request): URLSearchParams {
  const raw: unknown = req.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  return new URLSearchParams(text);
}

function redirect(res: Response, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', ...headers });
  res.end();
}

export function registerAdminRoutes(server: Server, config: Pick<Config, 'adminToken' | 'botName'>, tickets: TicketService | undefined, deps: AdminRouteDeps): void {
  const { auth } = deps;
  if (!tickets || !auth || config.adminToken === '') return;
  const page = auth.requirePage();
  const form = restify.plugins.bodyReader({ maxBodySize: MAX_FORM_BYTES });

  server.get('/admin', page, restify.plugins.queryParser({ mapParams: false }), async (req: Request, res: Response) => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const raw = Number(query['days'] ?? 30);
    const days = Number.isInteger(raw) && raw >= 1 && raw <= 365 ? raw : 30;
    const to = new Date();
    const stats = helpdeskStats(tickets.store, new Date(to.getTime() - days * DAY_MS), to);
    const open = tickets.list({ limit: 200 }).filter((t) => t.status !== 'resolved');
    const notice = typeof query['notify'] === 'string' ? query['notify'] : '';
    const notify = { current: tickets.postmasterConversation.current(), notice };
    sendHtml(res, 200, dashboardHtml(config.botName, days, stats, open, notify));
  });

  server.get('/admin/login', async (_req: Request, res: Response) => {
    sendHtml(res, 200, loginHtml(config.botName, false));
  });

  server.post('/admin/login', form, async (req: Request, res: Response) => {
    const token = formOf(req).get('token') ?? '';
    if (!auth.tokenMatches(token.trim())) {
      deps.logger.warn({}, 'admin login refused');
      sendHtml(res, 401, loginHtml(config.botName, true));
      return;
    }
    deps.logger.info({}, 'admin logged in');
    redirect(res, '/admin', { 'set-cookie': auth.sessionCookie(req) });
  });

  server.post('/admin/logout', async (req: Request, res: Response) => {
    redirect(res, '/admin/login', { 'set-cookie': auth.logout(req) });
  });

  server.post('/admin/notify', page, form, async (req: Request, res: Response) => {
    const fields = formOf(req);
    if (fields.get('action') === 'stop') {
      tickets.postmasterConversation.clear();
      redirect(res, '/admin?notify=stopped');
      return;
    }
    const result = await confirmNotifyCode(fields.get('code') ?? '', { ...deps, tickets });
    redirect(res, `/admin?notify=${result ? 'registered' : 'unknown-code'}`);
  });
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The postmaster conversation's section: what is registered, the code form, and what the last form did. */
export interface NotifyView {
  current: RegisteredNotifyConversation | undefined;
  /** The outcome of the last form post: registered, unknown-code, stopped. */
  notice?: string;
}

const NOTICES: Readonly<Record<string, string>> = {
  registered: 'Registered: new tickets will be posted in that conversation.',
  'unknown-code': 'No such code: it may have expired (15 minutes) or been used. Ask the bot for a new one.',
  stopped: 'New tickets are no longer posted in a conversation.',
};

function notifySection(view: NotifyView): string {
  const notice = view.notice && NOTICES[view.notice] ? `<p class="notice">${esc(NOTICES[view.notice] as string)}</p>` : '';
  const current = view.current
    ? `<p>New tickets are posted in <b>${esc(view.current.channelId)}</b> conversation <code>${esc(view.current.conversationId.slice(0, 60))}</code>, asked for by ${esc(view.current.userName)}, since ${esc(view.current.registeredAt.slice(0, 16).replace('T', ' '))} UTC.</p>
<form method="post" action="/admin/notify"><input type="hidden" name="action" value="stop"><button type="submit">Stop posting there</button></form>`
    : '<p>No conversation gets new tickets yet. In Teams or web chat, say "notify me here about new tickets" to the bot, then enter the code it gives here.</p>';
  return `${notice}${current}
<form method="post" action="/admin/notify"><label>Code from the bot <input name="code" autocomplete="off" placeholder="XXXX-XXXX" size="10"></label> <button type="submit">Register that conversation</button></form>`;
}

export function dashboardHtml(botName: string, days: number, stats: HelpdeskStats, open: readonly TicketSummary[], notify: NotifyView = { current: undefined }): string {
  const tile = (label: string, value: string) => `<div class="tile"><div class="v">${esc(value)}</div><div class="l">${esc(label)}</div></div>`;
  const share = (n: number) => (stats.flowsStarted > 0 ? ` (${Math.round((100 * n) / stats.flowsStarted)} %)` : '');
  const periods = [7, 30, 90].map((d) => (d === days ? `<b>${d} days</b>` : `<a href="?days=${d}">${d} days</a>`)).join(' · ');
  const problems = stats.perProblem
    .map((p) => `<tr><td>${esc(p.problem)}</td><td>${p.started}</td><td>${p.resolved}</td><td>${p.escalated}</td><td>${p.abandoned}</td></tr>`)
    .join('');
  const openRows = open
    .map(
      (t) =>
        `<tr><td>${esc(t.id)}</td><td>${esc(t.status)}</td><td>${esc(t.severity)}</td><td>${esc(t.title)}</td><td>${esc(t.requester.userName || t.requester.userId)}</td><td>${esc(t.createdAt.slice(0, 16).replace('T', ' '))}</td></tr>`,
    )
    .join('');
  const unknown = stats.unrecognizedMessages.map((u) => `<li><time>${esc(u.at.slice(0, 16).replace('T', ' '))}</time> ${esc(u.text)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(botName)} — dashboard</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
header{background:#0f766e;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1100px}section{background:#fff;border-radius:8px;padding:12px 16px;margin:0 0 16px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 8px}.tiles{display:flex;flex-wrap:wrap;gap:12px}.tile{min-width:120px;padding:8px 12px;background:#f0fdfa;border-radius:6px}
.v{font-size:22px;font-weight:600}.l{color:#57606a}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2}
ul{margin:0;padding-left:18px}header form{float:right}form{margin:8px 0 0}.notice{background:#fef9c3;padding:6px 10px;border-radius:6px}time{color:#57606a;font-size:12px}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<header><form method="post" action="/admin/logout"><button type="submit">Log out</button></form><h1>${esc(botName)} — helpdesk dashboard</h1></header>
<main>
<p>Period: ${periods} (${esc(stats.from.slice(0, 10))} … ${esc(stats.to.slice(0, 10))})</p>
<section><h2>Numbers</h2><div class="tiles">
${tile('conversations', String(stats.conversations))}${tile('flows started', String(stats.flowsStarted))}
${tile('resolved by the bot', `${stats.resolved}${share(stats.resolved)}`)}${tile('escalated', `${stats.escalated}${share(stats.escalated)}`)}
${tile('abandoned', `${stats.abandoned}${share(stats.abandoned)}`)}${tile('not understood', String(stats.unrecognized))}
${tile('average rating', formatRating(stats.ratings))}${tile('open tickets', String(open.length))}
</div></section>
<section><h2>Trend per day</h2>${trendChart(stats.perDay)}</section>
<section><h2>Open tickets</h2>${open.length ? `<table><tr><th>ticket</th><th>status</th><th>severity</th><th>problem</th><th>requester</th><th>opened (UTC)</th></tr>${openRows}</table>` : '<p>None.</p>'}</section>
<section><h2>Per problem</h2>${problems ? `<table><tr><th>problem</th><th>started</th><th>resolved</th><th>escalated</th><th>abandoned</th></tr>${problems}</table>` : '<p>Nothing yet.</p>'}</section>
<section><h2>Messages the bot did not understand</h2>${unknown ? `<ul>${unknown}</ul>` : '<p>None.</p>'}</section>
<section><h2>Notifications</h2>${notifySection(notify)}</section>
</main></body></html>
`;
}

const COLOURS = { resolved: '#16a34a', escalated: '#d97706', abandoned: '#9ca3af' } as const;

/** Stacked bars per day: resolved, escalated, abandoned. */
function trendChart(perDay: readonly DayStats[]): string {
  if (perDay.length === 0) return '<p>Nothing in this period.</p>';
  const width = 760;
  const height = 180;
  const max = Math.max(1, ...perDay.map((d) => d.resolved + d.escalated + d.abandoned));
  const slot = width / perDay.length;
  const bar = Math.max(4, Math.min(40, slot * 0.7));
  const bars = perDay
    .map((d, i) => {
      let y = height - 20;
      const x = i * slot + (slot - bar) / 2;
      const parts = (['resolved', 'escalated', 'abandoned'] as const).map((k) => {
        const h = ((height - 30) * d[k]) / max;
        y -= h;
        return h > 0 ? `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[k]}"><title>${esc(d.day)} ${k}: ${d[k]}</title></rect>` : '';
      });
      return `${parts.join('')}<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - 5}" font-size="10" text-anchor="middle">${esc(d.day.slice(5))}</text>`;
    })
    .join('');
  const legend = (Object.keys(COLOURS) as (keyof typeof COLOURS)[]).map((k) => `<span style="background:${COLOURS[k]}"></span>${k}`).join('');
  return `<svg role="img" aria-label="resolved, escalated and abandoned per day" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars}</svg><div class="legend">${legend}</div>`;
}

/** The login page: one field for the admin token. */
export function loginHtml(botName: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(botName)} — log in</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2328}
header{background:#0f766e;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{padding:24px;max-width:420px}form{background:#fff;border-radius:8px;padding:16px;box-shadow:0 1px 2px #0002}
label{display:block;margin:0 0 8px}input{width:100%;box-sizing:border-box;padding:6px;margin:4px 0 12px}.error{color:#b91c1c}
</style></head><body>
<header><h1>${esc(botName)} — helpdesk dashboard</h1></header>
<main>
${failed ? '<p class="error" role="alert">That is not the admin token.</p>' : ''}
<form method="post" action="/admin/login">
<label for="token">Admin token (ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button>
</form>
</main></body></html>
`;
}
