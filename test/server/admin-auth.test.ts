/**
 * Every admin route (the dashboard, /api/tickets, /api/notify) over HTTP on 127.0.0.1: no token, a wrong
 * token and a wrong cookie (garbage, forged with another token, expired, tampered, logged out) → 401; the
 * login page sets an HttpOnly, SameSite=Strict session cookie that then opens every route; a wrong token
 * on the login page → 401 page; without ADMIN_TOKEN nothing is served (404).
 */
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { AdminAuth, SESSION_COOKIE, SESSION_HOURS } from '../../src/server/admin-auth';
import { ticketRecord } from '../support/tickets';
import { useTicketApp, type TicketApp } from '../support/ticket-app';

const TOKEN = 'admin-auth-token-0123456789';
const requester = { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1' };

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

const startApp = useTicketApp(() => core);

/** The app with one open ticket. */
async function start(env: Record<string, string> = { ADMIN_TOKEN: TOKEN }): Promise<TicketApp> {
  const app = await startApp(env);
  await app.tickets.escalate(ticketRecord(), requester);
  return app;
}

// [method, path, body, how the body is sent, the status once authorised]
const ROUTES: Array<[string, string, string | undefined, string, number]> = [
  ['GET', '/admin', undefined, '', 200],
  ['GET', '/admin?days=7', undefined, '', 200],
  ['GET', '/api/tickets', undefined, '', 200],
  ['GET', '/api/tickets/MAIL-00001', undefined, '', 200],
  ['PATCH', '/api/tickets/MAIL-00001', JSON.stringify({ status: 'in-progress' }), 'application/json', 200],
  ['GET', '/api/notify/conversation', undefined, '', 200],
  ['PUT', '/api/notify/conversation', JSON.stringify({ code: 'AAAA-BBBB' }), 'application/json', 404], // no such code
  ['DELETE', '/api/notify/conversation', undefined, '', 200],
  ['POST', '/admin/notify', 'code=AAAA-BBBB', 'application/x-www-form-urlencoded', 303], // back to the dashboard
];

function request(base: string, method: string, path: string, body: string | undefined, type: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}${path}`, { method, redirect: 'manual', headers: { ...(type ? { 'content-type': type } : {}), ...headers }, body });
}

async function login(base: string, token = TOKEN): Promise<Response> {
  return fetch(`${base}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
}

function sessionOf(res: Response): string {
  const cookie = res.headers.get('set-cookie') ?? '';
  const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(cookie);
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(cookie)}`);
  return match[1] as string;
}

/** A session cookie made by another AdminAuth: another token, or the right one at another time. */
function forged(token: string, at: number): string {
  const auth = new AdminAuth({ token, publicHostname: '', loginPage: () => '', now: () => at });
  const header = auth.sessionCookie({ headers: {}, socket: {} } as never);
  return (/=([^;]*)/.exec(header) as RegExpExecArray)[1] as string;
}

describe('every admin route', () => {
  test.each(ROUTES)('%s %s: no token, a wrong token or a wrong cookie → 401; nothing changes', async (method, path, body, type, okStatus) => {
    const { base, tickets } = await start();
    const good = sessionOf(await login(base));
    const [v, exp, nonce, sig] = good.split('.') as [string, string, string, string];
    const wrongCookies = [
      'garbage',
      '',
      forged('another-admin-token-0123456789', Date.now()),
      forged(TOKEN, Date.now() - (SESSION_HOURS + 1) * 3600_000), // expired
      `${v}.${Number(exp) + 3600}.${nonce}.${sig}`, // expiry moved on: signature no longer matches
      `${v}.${exp}.${nonce}.${sig.slice(0, -2)}xx`,
    ];
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${TOKEN}` },
      { cookie: `${SESSION_COOKIE.toUpperCase()}=${good}` }, // another cookie's name
      ...wrongCookies.map((c) => ({ cookie: `${SESSION_COOKIE}=${c}` })),
      { cookie: `other=1; ${SESSION_COOKIE}=garbage`, authorization: 'Bearer nope-nope-nope-nope' },
    ];
    for (const headers of refused) {
      const res = await request(base, method, path, body, type, headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      if (path.startsWith('/api/')) expect(await res.json()).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
      else expect(await res.text()).toContain('name="token"'); // the login page
    }
    expect(tickets.get('MAIL-00001')?.status).toBe('open');
    // The bearer token and the session cookie both open it.
    expect((await request(base, method, path, body, type, { authorization: `Bearer ${TOKEN}` })).status).toBe(okStatus);
    expect((await request(base, method, path, body, type, { cookie: `${SESSION_COOKIE}=${good}` })).status).toBe(okStatus);
  });

  test.each(ROUTES)('%s %s: with no ADMIN_TOKEN configured it is not served (404), even with a token or a cookie', async (method, path, body, type) => {
    const { base } = await start({});
    expect((await request(base, method, path, body, type, {})).status).toBe(404);
    expect((await request(base, method, path, body, type, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect((await request(base, method, path, body, type, { cookie: `${SESSION_COOKIE}=${forged(TOKEN, Date.now())}` })).status).toBe(404);
  });
});

test('GET /admin without auth is the login page (HTML, 401); the right token sets the cookie and opens the dashboard; log out ends it', async () => {
  const { base } = await start();
  const anonymous = await fetch(`${base}/admin`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toMatch(/text\/html/);
  expect(anonymous.headers.get('content-security-policy')).toContain("form-action 'self'");
  expect(await anonymous.text()).toMatch(/<form method="post" action="\/admin\/login">[\s\S]*type="password"/);
  expect((await fetch(`${base}/admin/login`)).status).toBe(200);

  const wrong = await login(base, 'not-the-token-0123456789');
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get('set-cookie')).toBeNull();
  expect(await wrong.text()).toContain('That is not the admin token.');

  const ok = await login(base);
  expect(ok.status).toBe(303);
  expect(ok.headers.get('location')).toBe('/admin');
  const setCookie = ok.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=v1\\.\\d+\\.[\\w-]+\\.[\\w-]+; Path=/; Max-Age=${SESSION_HOURS * 3600}; HttpOnly; SameSite=Strict$`));
  expect(setCookie).not.toContain(TOKEN);
  const cookie = `${SESSION_COOKIE}=${sessionOf(ok)}`;

  const dashboard = await fetch(`${base}/admin`, { headers: { cookie } });
  expect(dashboard.status).toBe(200);
  expect(await dashboard.text()).toContain('helpdesk dashboard');
  const api = await fetch(`${base}/api/tickets`, { headers: { cookie } });
  expect(((await api.json()) as { tickets: unknown[] }).tickets).toHaveLength(1);
  const patched = await fetch(`${base}/api/tickets/MAIL-00001`, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'in-progress' }) });
  expect(patched.status).toBe(200);

  const out = await fetch(`${base}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { cookie } });
  expect(out.status).toBe(303);
  expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`));
  // The old cookie is refused from now on, even if a browser kept it.
  expect((await fetch(`${base}/admin`, { headers: { cookie } })).status).toBe(401);
  expect((await fetch(`${base}/api/tickets`, { headers: { cookie } })).status).toBe(401);
});

test('a change made with the cookie from another origin is refused; from the same origin it is allowed', async () => {
  const { base, tickets } = await start();
  const cookie = `${SESSION_COOKIE}=${sessionOf(await login(base))}`;
  const patch = (origin: string) =>
    fetch(`${base}/api/tickets/MAIL-00001`, { method: 'PATCH', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved' }) });
  expect((await patch('https://evil.example.com')).status).toBe(401);
  expect(tickets.get('MAIL-00001')?.status).toBe('open');
  expect((await patch(base)).status).toBe(200);
  expect(tickets.get('MAIL-00001')?.status).toBe('resolved');
});

test('the cookie is Secure behind https: a proxy saying so, or PUBLIC_HOSTNAME configured', async () => {
  const { base } = await start();
  const viaProxy = await fetch(`${base}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
    body: `token=${TOKEN}`,
  });
  expect(viaProxy.headers.get('set-cookie')).toMatch(/; Secure$/);
  expect((await login(base)).headers.get('set-cookie')).not.toMatch(/Secure/);
  const publicHost = await start({ ADMIN_TOKEN: TOKEN, PUBLIC_HOSTNAME: 'helpdesk.example.com' });
  expect((await login(publicHost.base)).headers.get('set-cookie')).toMatch(/; Secure$/);
});
