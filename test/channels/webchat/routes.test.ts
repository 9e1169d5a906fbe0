/**
 * The web chat page and its files over HTTP, and the token route in both modes: the built-in Direct Line,
 * and the real service (a stand-in on 127.0.0.1) when DIRECT_LINE_SECRET is set — whose secret must never
 * reach the browser.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { initialsOf, renderPage } from '../../../src/channels/webchat/routes';
import { closeServer } from '../../support/http';
import { getActivities, startApp, type RunningApp } from '../../support/directline';

const running: RunningApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});
async function start(env: Record<string, string> = {}): Promise<RunningApp> {
  const app = await startApp({ env });
  running.push(app);
  return app;
}

describe('the page', () => {
  test('GET / serves the page: bot name, config block, local Web Chat bundle, a strict CSP', async () => {
    const { base } = await start({ BOT_NAME: 'Mail <Help> & Co' });
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<title>Mail &#60;Help&#62; &#38; Co</title>');
    expect(html).toContain('<script src="/webchat/webchat.js"></script>');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // no CDN, nothing from elsewhere
    const config = JSON.parse(/<script type="application\/json" id="helpdesk-config">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as unknown;
    expect(config).toEqual({ botName: 'Mail <Help> & Co', botInitials: 'MC' });
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("connect-src 'self'");
  });

  test('ALLOWED_ORIGINS may frame the page', async () => {
    const { base } = await start({ ALLOWED_ORIGINS: 'https://intranet.example.com' });
    const csp = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'self' https://intranet.example.com");
  });

  test('the Web Chat bundle is served from the installed package, gzipped when asked, with an ETag', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/javascript/);
    const body = await res.text(); // fetch has already gunzipped it
    expect(body.length).toBeGreaterThan(1_000_000);
    expect(body).toContain('renderWebChat');
    const etag = res.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    expect((await fetch(`${base}/webchat/webchat.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const raw = await new Promise<{ encoding?: string; bytes: number }>((resolve, reject) => {
      http
        .get(`${base}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ encoding: r.headers['content-encoding'], bytes: zlib.gunzipSync(Buffer.concat(chunks)).length }));
        })
        .on('error', reject);
    });
    expect(raw.encoding).toBe('gzip');
    expect(raw.bytes).toBe(Buffer.byteLength(body));
  });

  test.each([
    ['helpdesk-chat.js', /application\/javascript/],
    ['helpdesk-chat.css', /text\/css/],
    ['avatar.svg', /image\/svg\+xml/],
  ])('GET /webchat/%s', async (file, type) => {
    const { base } = await start();
    const res = await fetch(`${base}/webchat/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
  });

  test('an unknown file → 404 JSON; config.json names the bot', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/webchat/../package.json`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await fetch(`${base}/webchat/secret.txt`)).status).toBe(404);
    expect(await (await fetch(`${base}/webchat/config.json`)).json()).toEqual({ botName: 'Alibaba Mail helpdesk', botInitials: 'AM' });
  });

  test('initials and the page template', () => {
    expect(initialsOf('Alibaba Mail helpdesk')).toBe('AM');
    expect(initialsOf('mail bot')).toBe('MB');
    expect(initialsOf('邮件 helpdesk')).toBe('邮H');
    expect(initialsOf('***')).toBe('HD');
    const page = renderPage('<title>{{title}}</title><script type="application/json">{{config}}</script>', {
      botName: '</script><script>alert(1)</script>',
      botInitials: 'X',
    });
    expect(page).not.toContain('<script>alert(1)');
    expect(page).toContain('\\u003c/script\\u003e');
  });
});

describe('POST /webchat/token with the built-in Direct Line', () => {
  test('a token for a new conversation on this server, usable on /v3/directline', async () => {
    const { base } = await start();
    const res = await fetch(`${base}/webchat/token`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const answer = (await res.json()) as { token: string; conversationId: string; expires_in: number; domain: string };
    expect(answer).toMatchObject({ domain: '/v3/directline', expires_in: 1800 });
    const started = await fetch(`${base}${answer.domain}/conversations`, { method: 'POST', headers: { authorization: `Bearer ${answer.token}` } });
    expect(started.status).toBe(201);
    expect((await getActivities(base, answer)).body.activities).toHaveLength(1);
  });
});

describe('POST /webchat/token with DIRECT_LINE_SECRET (the real service, stood in for on 127.0.0.1)', () => {
  const SECRET = 'dl-secret-never-in-a-browser-0123456789';
  let service: http.Server;
  let serviceDomain = '';
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const calls: { path: string; authorization?: string; body: string }[] = [];

  beforeAll(async () => {
    service = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', () => resolve()));
    serviceDomain = `http://127.0.0.1:${(service.address() as AddressInfo).port}/v3/directline`;
  });
  afterAll(() => closeServer(service));
  beforeEach(() => {
    calls.length = 0;
    answer = { status: 200, body: { conversationId: 'real-conv', token: 'real-token', expires_in: 3600 } };
  });

  test('the server exchanges the secret; the page gets the token and the service domain, never the secret', async () => {
    const { base } = await start({ DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_DOMAIN: serviceDomain });
    const res = await fetch(`${base}/webchat/token`, { method: 'POST' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ conversationId: 'real-conv', token: 'real-token', expires_in: 3600, domain: serviceDomain });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: '/v3/directline/tokens/generate', authorization: `Bearer ${SECRET}` });
    expect((JSON.parse(calls[0]?.body ?? '{}') as { user: { id: string } }).user.id).toMatch(/^dl_/);

    // Nothing a browser can fetch carries the secret.
    expect(text).not.toContain(SECRET);
    for (const path of ['/', '/webchat/helpdesk-chat.js', '/webchat/config.json']) {
      const page = await (await fetch(`${base}${path}`)).text();
      expect(page).not.toContain(SECRET);
    }
    // The page may talk to the service (CSP).
    const csp = (await fetch(`${base}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(new URL(serviceDomain).origin);
  });

  test('the service refusing → 502 JSON without its details', async () => {
    answer = { status: 403, body: { error: { code: 'BadArgument', message: 'secret revoked' } } };
    const { base } = await start({ DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_DOMAIN: serviceDomain });
    const res = await fetch(`${base}/webchat/token`, { method: 'POST' });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'BadGateway', message: 'The Direct Line service did not issue a token.' } });
    expect(text).not.toContain(SECRET);
  });

  test('a DIRECT_LINE_DOMAIN that is not https (or loopback) is a configuration error', async () => {
    await expect(start({ DIRECT_LINE_SECRET: SECRET, DIRECT_LINE_DOMAIN: 'http://directline.example.com/v3/directline' })).rejects.toThrow(/DIRECT_LINE_DOMAIN/);
  });
});
