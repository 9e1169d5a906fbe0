/**
 * The helpdesk dashboard (/admin): its auth (no token configured → 404; missing or wrong token → 401),
 * and the page rendered in a real Chromium with real numbers after logging in through the login form
 * (screenshot in test-output/browser/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { REPO_ROOT } from '../support/bot-harness';
import { ticketRecord } from '../support/tickets';
import { useTicketApp } from '../support/ticket-app';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-output', 'browser');
const TOKEN = 'admin-dashboard-token-0123456789';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env['CI']) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
const testWithBrowser = haveChromium ? test : test.skip;

declare const document: { body: { innerText: string }; querySelectorAll(selector: string): ArrayLike<unknown> };

jest.setTimeout(60_000);

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

const start = useTicketApp(() => core);

test('/admin: disabled without ADMIN_TOKEN (404); 401 without or with a wrong token; 200 HTML with it', async () => {
  const off = await start({});
  expect((await fetch(`${off.base}/admin`)).status).toBe(404);
  expect((await fetch(`${off.base}/admin`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  const on = await start({ ADMIN_TOKEN: TOKEN });
  for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
    expect((await fetch(`${on.base}/admin`, { headers })).status).toBe(401);
  }
  const ok = await fetch(`${on.base}/admin?days=7`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('content-type')).toMatch(/text\/html/);
  expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await ok.text()).toContain('helpdesk dashboard');
});

testWithBrowser('the dashboard renders in Chromium: numbers, chart, open tickets, not-understood messages (escaped)', async () => {
  const { base, tickets } = await start({ ADMIN_TOKEN: TOKEN });
  await tickets.escalate({ ...ticketRecord(), title: 'Account locked <script>alert(1)</script>' }, { channelId: 'msteams', userId: 'u1', userName: 'Li Wei', conversationId: 'c1' });
  const where = { channelId: 'test', conversationId: 'c9' };
  tickets.recordTurn(where, 'password-locked', []);
  tickets.recordTurn(where, null, [{ type: 'resolved', problem: 'password-locked', recap: '' }]);
  tickets.recordTurn(where, null, [{ type: 'rated', problem: 'password-locked', rating: 4 }]);
  tickets.recordTurn({ ...where, conversationId: 'c10' }, 'send-blocked', [{ type: 'unrecognized', text: 'blorp <b>fnord</b>' }]);
  tickets.recordTurn({ ...where, conversationId: 'c10' }, null, [{ type: 'abandoned', problem: 'send-blocked' }]);

  fs.mkdirSync(SHOTS, { recursive: true });
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      // The login page is itself a 401, which Chromium reports as a failed resource.
      if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
    });
    // A browser without a session gets the login page; a wrong token keeps it there, the right one opens the dashboard.
    expect((await page.goto(`${base}/admin`))?.status()).toBe(401);
    await page.fill('input[name="token"]', 'not-the-admin-token-0123');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type="submit"]')]);
    expect(await page.evaluate(() => document.body.innerText)).toContain('That is not the admin token.');
    await page.fill('input[name="token"]', TOKEN);
    const [res] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/admin'), page.click('button[type="submit"]')]);
    expect(res.status()).toBe(200);
    await page.waitForLoadState('load');
    const [session] = await context.cookies();
    expect(session).toMatchObject({ name: 'helpdesk_admin', httpOnly: true, sameSite: 'Strict', path: '/' });
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('MAIL-00001');
    expect(text).toContain('Account locked <script>alert(1)</script>'); // shown as text, not run
    expect(text).toContain('blorp <b>fnord</b>');
    expect(text).toMatch(/1 \(50 %\)\s*resolved by the bot/);
    expect(text).toMatch(/4\.0 \(1 rating\)\s*average rating/);
    expect(text).toContain('password-locked');
    expect(await page.evaluate(() => document.querySelectorAll('svg rect').length)).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'admin-dashboard.png'), fullPage: true });
    // Logging out ends the session: the dashboard asks for the token again.
    await Promise.all([page.waitForURL(/\/admin\/login$/), page.click('header button[type="submit"]')]);
    expect((await page.goto(`${base}/admin`))?.status()).toBe(401);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
