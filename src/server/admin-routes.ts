/**
 * GET /admin — the helpdesk dashboard: open tickets and the numbers of a period (`?days=N`, default 30):
 * conversations, resolved by the bot, escalated, abandoned, per problem, the average rating, the trend per day as an SVG
 * chart, and the messages the bot did not understand. Server-rendered, no script (CSP: nothing loaded).
 * Same rule as /api/tickets: `Authorization: Bearer $ADMIN_TOKEN`, and not served without ADMIN_TOKEN.
 */
import restify, { type Request, type Response, type Server } from 'restify';
import type { Config } from '../config';
import { formatRating, helpdeskStats, type DayStats, type HelpdeskStats } from '../tickets/metrics';
import type { TicketService } from '../tickets/ticket-service';
import type { TicketSummary } from '../tickets/types';
import { requireAdmin } from './ticket-routes';

const DAY_MS = 86_400_000;
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function registerAdminRoutes(server: Server, config: Pick<Config, 'adminToken' | 'botName'>, tickets: TicketService | undefined): void {
  if (!tickets || config.adminToken === '') return;
  server.get('/admin', requireAdmin(config.adminToken), restify.plugins.queryParser({ mapParams: false }), async (req: Request, res: Response) => {
    const raw = Number((req.query as Record<string, unknown> | undefined)?.['days'] ?? 30);
    const days = Number.isInteger(raw) && raw >= 1 && raw <= 365 ? raw : 30;
    const to = new Date();
    const stats = helpdeskStats(tickets.store, new Date(to.getTime() - days * DAY_MS), to);
    const open = tickets.list({ limit: 200 }).filter((t) => t.status !== 'resolved');
    const html = dashboardHtml(config.botName, days, stats, open);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    res.end(html);
  });
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function dashboardHtml(botName: string, days: number, stats: HelpdeskStats, open: readonly TicketSummary[]): string {
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
ul{margin:0;padding-left:18px}time{color:#57606a;font-size:12px}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<header><h1>${esc(botName)} — helpdesk dashboard</h1></header>
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
