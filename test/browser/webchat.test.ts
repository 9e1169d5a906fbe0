/**
 * The web chat page in a real Chromium (Debian's `chromium`, driven by playwright-core; no browser
 * download): the password-lock conversation clicked through as a person would, a reload that resumes it,
 * and the two ways of embedding it in another site. Screenshots go to test-output/browser/.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../support/bot-harness';
import { closeServer } from '../support/http';
import { startApp, type RunningApp } from '../support/directline';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'test-output', 'browser');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env['CI']) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
if (!haveChromium) console.warn(`Browser tests skipped: ${CHROMIUM} not found (apt-get install chromium, or set CHROMIUM_PATH).`);
const describeWithBrowser = haveChromium ? describe : describe.skip;

// What the functions run inside the page use (this project type-checks against Node's library, not the DOM's).
declare const document: {
  body: { innerText: string };
  querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
};
declare const sessionStorage: { length: number; key(i: number): string | null; getItem(key: string): string | null };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

jest.setTimeout(60_000);

describeWithBrowser('web chat in Chromium', () => {
  let browser: Browser;
  const apps: RunningApp[] = [];
  const hosts: http.Server[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
    for (const host of hosts.splice(0)) await closeServer(host);
  });

  async function app(env: Record<string, string> = {}): Promise<RunningApp> {
    const running = await startApp({ engine: 'real', env });
    apps.push(running);
    return running;
  }

  /** A page that fails the test on any script error or console error (a CSP violation included). */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 520, height: 820 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    return { page, errors };
  }

  /** Waits until the page shows `text`; on a time-out, saves a screenshot and says what the page showed. */
  async function waitForText(page: Page, text: string, timeout = 15_000): Promise<void> {
    try {
      // Web Chat's Markdown turns ' and " into typographic quotes; compare without them.
      await page.waitForFunction(
        (t) => document.body.innerText.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').includes(t),
        text,
        { timeout },
      );
    } catch (err) {
      await page.screenshot({ path: path.join(SHOTS, 'failure.png') }).catch(() => undefined);
      const shown = await page.evaluate(() => document.body.innerText).catch(() => '(unreadable)');
      throw new Error(`"${text}" never appeared (${(err as Error).message.split('\n')[0]}); the page showed:\n${shown.slice(0, 1500)}`);
    }
  }

  /** Presses a suggested-action button (the row of buttons under the last message). */
  async function clickOption(page: Page, label: string): Promise<void> {
    await page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: label, exact: true }).click();
  }

  /** The conversations kept in the page's session storage. */
  function keptConversations(page: Page): Promise<{ conversationId?: string }[]> {
    return page.evaluate(() => {
      const kept: { conversationId?: string }[] = [];
      for (let i = 0; i < sessionStorage.length; i++) kept.push(JSON.parse(sessionStorage.getItem(sessionStorage.key(i) ?? '') ?? '{}') as { conversationId?: string });
      return kept;
    });
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.waitForTimeout(300); // let Web Chat finish scrolling
    await page.screenshot({ path: path.join(SHOTS, name) });
  }

  test("I can't log in → password lock → one-hour advice → it worked → closing message; a reload resumes", async () => {
    const { base } = await app();
    const { page, errors } = await openPage();
    await page.goto(`${base}/?title=${encodeURIComponent('Mail helpdesk')}&accent=${encodeURIComponent('#0f766e')}`);

    await waitForText(page, "I'm the Alibaba Mail helpdesk bot");
    expect(await page.title()).toBe('Mail helpdesk');
    expect(await page.locator('.ahd-title').innerText()).toBe('Mail helpdesk');
    expect(await page.locator('.ahd-header').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');
    await shoot(page, '01-welcome.png');

    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.fill("I can't log in");
    await input.press('Enter');
    await waitForText(page, 'What do you see when you try to log in?');
    await shoot(page, '02-what-do-you-see.png');

    await clickOption(page, 'Too many password errors');
    await waitForText(page, 'locked the IP address you log in from for 1 hour');
    await shoot(page, '03-one-hour-advice.png');

    await clickOption(page, 'No, only the browser');
    await waitForText(page, 'Wait 1 hour, then log in again.');
    await waitForText(page, 'Did that fix it?');
    await clickOption(page, 'Yes, it worked');
    await waitForText(page, "Great, glad that's sorted.");
    await shoot(page, '04-closing-message.png');

    const kept = await keptConversations(page);
    expect(kept).toHaveLength(1);
    const conversationId = kept[0]?.conversationId;
    expect(conversationId).toEqual(expect.any(String));

    // A reload keeps the conversation: the history comes back, and the bot still knows where it is.
    await page.reload();
    await waitForText(page, "Great, glad that's sorted.");
    await waitForText(page, "I can't log in");
    await shoot(page, '05-after-reload.png');
    const afterReload = await keptConversations(page);
    expect(afterReload[0]?.conversationId).toBe(conversationId);
    // Once: resuming does not greet again.
    const welcomes = await page.evaluate(
      () => Array.from(document.querySelectorAll('.webchat__bubble__content')).filter((b) => (b.textContent ?? '').includes('helpdesk bot. Tell me')).length,
    );
    expect(welcomes).toBe(1);

    // "New conversation" starts over with a new id and only the welcome.
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.waitForFunction(() => !document.body.innerText.includes('glad that'), undefined, { timeout: 15_000 });
    await waitForText(page, "I'm the Alibaba Mail helpdesk bot");
    const restarted = await keptConversations(page);
    expect(restarted[0]?.conversationId).not.toBe(conversationId);

    expect(errors).toEqual([]);
    await page.context().close();
  });

  /** Another site (another origin: another port) that embeds the chat both ways. */
  async function hostSite(pageHtml: (chatBase: string) => string): Promise<{ origin: string; setChatBase(base: string): void }> {
    let chatBase = '';
    const host = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(chatBase));
    });
    hosts.push(host);
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', () => resolve()));
    return { origin: `http://127.0.0.1:${(host.address() as AddressInfo).port}`, setChatBase: (b) => (chatBase = b) };
  }

  test('embedded on an allowed site: the script-tag variant and the iframe variant both chat', async () => {
    const site = await hostSite(
      (chat) => `<!doctype html><html><head><title>Intranet</title></head><body>
        <h1>Company intranet</h1>
        <div id="mail-helpdesk" style="height: 560px; width: 460px; float: left"></div>
        <script src="${chat}/webchat/helpdesk-chat.js" data-target="mail-helpdesk" data-title="Mail help (script)" data-accent="#1d4ed8" data-lang="zh-CN" async></script>
        <iframe id="frame" src="${chat}/?title=Mail%20help%20(iframe)&lang=en-US" title="Mail helpdesk" style="width: 460px; height: 560px; border: 1px solid #ccc"></iframe>
      </body></html>`,
    );
    const { base } = await app({ ALLOWED_ORIGINS: site.origin });
    site.setChatBase(base);
    const { page, errors } = await openPage();
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(site.origin);

    // Script tag: rendered into the host page, talking to the chat server across origins (CORS).
    const embedded = page.locator('#mail-helpdesk');
    await embedded.getByText('the Alibaba Mail helpdesk bot. Tell me', { exact: false }).first().waitFor({ timeout: 15_000 });
    expect(await embedded.locator('.ahd-title').innerText()).toBe('Mail help (script)');
    const input = embedded.locator('[data-id="webchat-sendbox-input"]');
    await input.fill('too many password errors');
    await input.press('Enter');
    await embedded.getByText('1 hour', { exact: false }).first().waitFor({ timeout: 15_000 });

    // Iframe: the chat server's own page, allowed to be framed by this site (frame-ancestors).
    const framed = page.frameLocator('#frame');
    await framed.getByText('the Alibaba Mail helpdesk bot. Tell me', { exact: false }).first().waitFor({ timeout: 15_000 });
    expect(await framed.locator('.ahd-title').innerText()).toBe('Mail help (iframe)');
    await shoot(page, '06-embedded.png');

    expect(errors).toEqual([]);
    await page.context().close();
  });

  test('embedded on a site not in ALLOWED_ORIGINS: the browser blocks it', async () => {
    const site = await hostSite(
      (chat) => `<!doctype html><html><body>
        <div id="mail-helpdesk" style="height: 400px"></div>
        <script src="${chat}/webchat/helpdesk-chat.js" data-target="mail-helpdesk"></script>
        <iframe id="frame" src="${chat}/" style="width: 400px; height: 400px"></iframe>
      </body></html>`,
    );
    const { base } = await app();
    site.setChatBase(base);
    const { page } = await openPage();
    await page.goto(site.origin);
    await page.locator('#mail-helpdesk .ahd-error').waitFor({ timeout: 15_000 });
    expect(await page.locator('#mail-helpdesk').innerText()).toContain('could not start');
    // The framed page is refused by its Content-Security-Policy: nothing of the chat renders in it.
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f.url().startsWith(base));
    const framedText = frame ? await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(framedText).not.toContain('helpdesk bot');
    await page.context().close();
  });
});
