/**
 * Who may use the admin routes (/admin, /api/tickets, /api/notify): whoever presents ADMIN_TOKEN, either
 * as `Authorization: Bearer <token>` on each request (scripts, curl) or once on the login page, which
 * then sets a session cookie (browsers).
 *
 * The session cookie is signed, not stored: `v1.<expiry>.<nonce>.<HMAC-SHA256>` with a key derived from
 * ADMIN_TOKEN, so it survives a restart, works across instances, and every session ends when the token
 * changes. It lasts SESSION_HOURS; "log out" remembers its nonce as revoked until it would have expired
 * (in this process). HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it),
 * Secure when the request came over https or PUBLIC_HOSTNAME says the bot sits behind https. An unsafe
 * request (PATCH, PUT, POST, DELETE) authorised by the cookie must also not come from another origin.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Next, Request, Response } from 'restify';
import { requestHost, requestScheme } from './cors';
import { tokenMatches } from './triage-routes';

export const SESSION_COOKIE = 'helpdesk_admin';
export const SESSION_HOURS = 8;
const SESSION_VERSION = 'v1';

export interface AdminAuthOptions {
  /** ADMIN_TOKEN; never empty here (without it the admin routes are not registered). */
  token: string;
  /** PUBLIC_HOSTNAME: when set the bot is served over https, so the cookie is Secure. */
  publicHostname: string;
  /** Renders the login page (401) a browser gets on a page route without a valid session. */
  loginPage: (options: { failed: boolean }) => string;
  now?: () => number;
}

export class AdminAuth {
  private readonly key: Buffer;
  private readonly revoked = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: AdminAuthOptions) {
    this.key = createHmac('sha256', options.token).update('alimail-helpdesk admin session').digest();
    this.now = options.now ?? Date.now;
  }

  tokenMatches(presented: string): boolean {
    return tokenMatches(presented, this.options.token);
  }

  /** How the request proves it is the admin: the bearer token, a valid session cookie, or not at all. */
  check(req: IncomingMessage): 'bearer' | 'session' | null {
    if (this.tokenMatches(bearerToken(req))) return 'bearer';
    const session = cookieOf(req, SESSION_COOKIE);
    if (session !== null && this.sessionValid(session)) return 'session';
    return null;
  }

  /** For the JSON API: 401 JSON without proof. */
  requireApi() {
    return (req: Request, res: Response, next: Next) => {
      if (this.allowed(req)) return next();
      res.header('WWW-Authenticate', 'Bearer realm="helpdesk-admin"');
      res.send(401, { error: { code: 'Unauthorized', message: 'Send the admin token as "Authorization: Bearer <token>", or log in at /admin.' } });
      return next(false);
    };
  }

  /** For the dashboard's pages: without proof, the login page (401), which a browser shows. */
  requirePage() {
    return (req: Request, res: Response, next: Next) => {
      if (this.allowed(req)) return next();
      sendHtml(res, 401, this.options.loginPage({ failed: false }));
      return next(false);
    };
  }

  /** A new session: the Set-Cookie header value. */
  sessionCookie(req: IncomingMessage): string {
    const expires = Math.floor(this.now() / 1000) + SESSION_HOURS * 3600;
    const payload = `${SESSION_VERSION}.${expires}.${randomBytes(16).toString('base64url')}`;
    return this.cookie(req, `${payload}.${this.sign(payload)}`, SESSION_HOURS * 3600);
  }

  /** Ends the request's session (if any): its nonce is refused from now on; the Set-Cookie that clears it. */
  logout(req: IncomingMessage): string {
    const parts = (cookieOf(req, SESSION_COOKIE) ?? '').split('.');
    if (parts.length === 4 && this.sessionValid(parts.join('.'))) this.revoked.set(parts[2] as string, Number(parts[1]));
    this.forgetExpired();
    return this.cookie(req, '', 0);
  }

  private allowed(req: Request): boolean {
    const how = this.check(req);
    if (how === 'bearer') return true;
    if (how !== 'session') return false;
    // SameSite=Strict already keeps other sites' requests from carrying the cookie; an Origin check is the second lock.
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET');
    return !unsafe || sameOrigin(req);
  }

  private sessionValid(value: string): boolean {
    const parts = value.split('.');
    if (parts.length !== 4 || parts[0] !== SESSION_VERSION) return false;
    const [version, expires, nonce, signature] = parts as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${version}.${expires}.${nonce}`));
    const presented = Buffer.from(signature);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return false;
    if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= this.now()) return false;
    return !this.revoked.has(nonce);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private cookie(req: IncomingMessage, value: string, maxAge: number): string {
    const secure = requestScheme(req) === 'https' || this.options.publicHostname !== '';
    return [`${SESSION_COOKIE}=${value}`, 'Path=/', `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
  }

  private forgetExpired(): void {
    const nowSeconds = this.now() / 1000;
    for (const [nonce, expires] of this.revoked) if (expires <= nowSeconds) this.revoked.delete(nonce);
  }
}

function bearerToken(req: IncomingMessage): string {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? (match[1] as string) : '';
}

/** One cookie's value from the Cookie header, or null. */
export function cookieOf(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** No Origin header (a same-origin form in some browsers, or not a browser) or this server's own. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === '') return true;
  try {
    return new URL(origin).host.toLowerCase() === requestHost(req);
  } catch {
    return false;
  }
}

export function sendHtml(res: Response, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    ...headers,
  });
  res.end(html);
}
