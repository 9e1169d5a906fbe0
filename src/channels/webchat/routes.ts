/**
 * The web chat page at `/`: Bot Framework Web Chat (the `botframework-webchat` package's own prebuilt
 * bundle, served from node_modules: no CDN, works offline) with the bot's name, avatar and colours.
 *
 *   GET  /                              the page (?title=&accent=&background=&lang=)
 *   GET  /webchat/webchat.js            Web Chat's bundle
 *   GET  /webchat/helpdesk-chat.js      our script: tokens, resume after reload, rendering; also the embed script
 *   GET  /webchat/helpdesk-chat.css, /webchat/avatar.svg
 *   GET  /webchat/config.json           the bot's name and initials (for the embed script)
 *   POST /webchat/token                 a Direct Line token: from the built-in endpoint, or — when
 *                                       DIRECT_LINE_SECRET is set — exchanged with the real service here,
 *                                       so the secret never reaches a browser
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Request, Response, Server } from 'restify';
import type { Config } from '../../config';
import { Cors } from '../../server/cors';
import type { Logger } from '../../server/logger';
import { DIRECT_LINE_PREFIX } from '../directline/routes';
import type { DirectLineService } from '../directline/service';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** The page, its script, style and avatar (plain files: tsc does not copy them, so they live outside src/). */
export const PUBLIC_DIR = path.join(ROOT, 'public', 'webchat');
/** How long a Direct Line service gets to issue a token. */
const TOKEN_EXCHANGE_TIMEOUT_MS = 10_000;
const gzip = promisify(zlib.gzip);

interface Asset {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  etag: string;
}

export interface WebChatDeps {
  directLine: DirectLineService;
  logger: Logger;
  /** Stands in for the network when exchanging the Direct Line secret (tests). */
  fetch?: typeof fetch;
}

export interface WebChatPageConfig {
  botName: string;
  /** Up to two letters for the avatar when its picture cannot be shown. */
  botInitials: string;
}

export function registerWebChat(server: Server, config: Readonly<Config>, deps: WebChatDeps): void {
  const cors = new Cors(config.allowedOrigins);
  const doFetch = deps.fetch ?? fetch;
  const pageConfig: WebChatPageConfig = { botName: config.botName, botInitials: initialsOf(config.botName) };
  const page = renderPage(fs.readFileSync(path.join(PUBLIC_DIR, 'index.html'), 'utf8'), pageConfig);
  const csp = contentSecurityPolicy(config, cors);
  const files: Record<string, { file: string; type: string }> = {
    'helpdesk-chat.js': { file: path.join(PUBLIC_DIR, 'helpdesk-chat.js'), type: 'application/javascript; charset=utf-8' },
    'helpdesk-chat.css': { file: path.join(PUBLIC_DIR, 'helpdesk-chat.css'), type: 'text/css; charset=utf-8' },
    'avatar.svg': { file: path.join(PUBLIC_DIR, 'avatar.svg'), type: 'image/svg+xml' },
    'webchat.js': { file: webChatBundlePath(), type: 'application/javascript; charset=utf-8' },
  };
  for (const { file } of Object.values(files)) if (!fs.existsSync(file)) throw new Error(`Web chat file missing: ${file}`);

  server.get('/', async (_req: Request, res: Response) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-cache');
    res.writeHead(200);
    res.end(page);
  });

  server.get('/webchat/config.json', cors.headers, async (_req: Request, res: Response) => {
    res.send(200, pageConfig);
  });

  server.get('/webchat/:file', async (req: Request, res: Response) => {
    const entry = files[String(req.params.file)];
    if (!entry) {
      res.send(404, { error: { code: 'ResourceNotFound', message: `${req.path()} does not exist` } });
      return;
    }
    const asset = await loadAsset(entry.file, entry.type);
    res.setHeader('content-type', asset.type);
    res.setHeader('etag', asset.etag);
    res.setHeader('x-content-type-options', 'nosniff');
    // Web Chat's bundle changes only with the package; our own files with each release.
    res.setHeader('cache-control', req.params.file === 'webchat.js' ? 'public, max-age=86400' : 'no-cache');
    res.setHeader('vary', 'Accept-Encoding');
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (acceptsGzip && asset.gzipped) res.setHeader('content-encoding', 'gzip');
    res.writeHead(200);
    res.end(acceptsGzip && asset.gzipped ? asset.gzipped : asset.body);
  });

  server.opts('/webchat/*', cors.preflight);

  server.post('/webchat/token', cors.headers, async (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    if (config.directLine.secret === '') {
      res.send(200, { ...deps.directLine.generateToken(), domain: DIRECT_LINE_PREFIX });
      return;
    }
    try {
      const issued = await exchangeSecret(doFetch, config.directLine.domain, config.directLine.secret);
      res.send(200, { ...issued, domain: config.directLine.domain });
    } catch (err) {
      deps.logger.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'direct line token exchange failed');
      res.send(502, { error: { code: 'BadGateway', message: 'The Direct Line service did not issue a token.' } });
    }
  });
}

/** Asks the real Direct Line service for a token; the secret goes only into this request's header. */
async function exchangeSecret(
  doFetch: typeof fetch,
  domain: string,
  secret: string,
): Promise<{ conversationId: string; token: string; expires_in: number }> {
  const res = await doFetch(`${domain}/tokens/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    // A user id the service embeds in the token ("dl_" ids can only come from a token), so no page can pose as another user.
    body: JSON.stringify({ user: { id: `dl_${randomBytes(12).toString('base64url')}` } }),
    signal: AbortSignal.timeout(TOKEN_EXCHANGE_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`Direct Line answered ${res.status}`);
  const body = (await res.json()) as { conversationId?: unknown; token?: unknown; expires_in?: unknown };
  if (typeof body.token !== 'string' || typeof body.conversationId !== 'string') throw new Error('Direct Line answered without a token');
  return { conversationId: body.conversationId, token: body.token, expires_in: typeof body.expires_in === 'number' ? body.expires_in : 1800 };
}

const assets = new Map<string, Promise<Asset>>();

/** Reads a file once per process (and gzips it once); Web Chat's bundle is 4 MB, about 1 MB gzipped. */
function loadAsset(file: string, type: string): Promise<Asset> {
  let asset = assets.get(file);
  if (!asset) {
    asset = (async () => {
      const body = await fs.promises.readFile(file);
      const gzipped = body.length > 1024 ? await gzip(body) : null;
      const stat = await fs.promises.stat(file);
      return { body, gzipped, type, etag: `"${body.length.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"` };
    })();
    asset.catch(() => assets.delete(file));
    assets.set(file, asset);
  }
  return asset;
}

/** `dist/webchat.js` of the installed botframework-webchat (its package.json is not exported, so walk up). */
export function webChatBundlePath(): string {
  let dir = path.dirname(require.resolve('botframework-webchat'));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'botframework-webchat') {
      return path.join(dir, 'dist', 'webchat.js');
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('botframework-webchat is not installed (run npm install).');
    dir = parent;
  }
}

export function initialsOf(name: string): string {
  const words = name.split(/\s+/).filter((w) => /^\p{L}/u.test(w));
  const capitals = words.filter((w) => /^\p{Lu}/u.test(w));
  const picked = (capitals.length > 0 ? capitals : words).slice(0, 2);
  return picked.map((w) => (w[0] as string).toUpperCase()).join('') || 'HD';
}

/** The page with the bot's name in its title and its configuration in a JSON block (no inline script runs). */
export function renderPage(template: string, pageConfig: WebChatPageConfig): string {
  const json = JSON.stringify(pageConfig).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return template.replace(/\{\{title\}\}/g, escapeHtml(pageConfig.botName)).replace('{{config}}', () => json);
}

function contentSecurityPolicy(config: Readonly<Config>, cors: Cors): string {
  const connect = ["'self'"];
  if (config.directLine.secret !== '') {
    const origin = new URL(config.directLine.domain).origin;
    connect.push(origin, origin.replace(/^http/, 'ws'));
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Web Chat styles its components at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    `frame-ancestors ${cors.frameAncestors()}`,
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
