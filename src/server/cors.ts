/**
 * CORS for the routes a browser on another site calls (the Direct Line endpoint and the web chat's token
 * route, when the chat is embedded with the script tag). Only the origins in ALLOWED_ORIGINS get CORS
 * headers; with none configured, only pages served by this server itself can use those routes from a
 * browser. Requests carry bearer tokens, never cookies, so credentials are never allowed.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'restify';

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Accept, x-ms-bot-agent, x-requested-with';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export class Cors {
  private readonly allowed: ReadonlySet<string>;

  constructor(allowedOrigins: readonly string[]) {
    this.allowed = new Set(allowedOrigins);
  }

  /** True when a page from this origin may call us: an allowed origin, or this server's own. */
  permits(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return true;
    return this.allowed.has(origin) || isSameOrigin(origin, req);
  }

  /** A handler for the front of a route's chain: CORS headers for an allowed origin. */
  readonly headers = (req: Request, res: Response, next: () => void): void => {
    res.header('Vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin === 'string' && this.allowed.has(origin)) res.header('Access-Control-Allow-Origin', origin);
    next();
  };

  /** The answer to a preflight (OPTIONS) request. */
  readonly preflight = async (req: Request, res: Response): Promise<void> => {
    res.header('Vary', 'Origin');
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !this.allowed.has(origin)) {
      res.send(403, { error: { code: 'Forbidden', message: 'This origin is not allowed (see ALLOWED_ORIGINS).' } });
      return;
    }
    res.header('Access-Control-Allow-Origin', origin);
    res.header('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.send(204);
  };

  /** The origins that may frame the web chat page, for a CSP `frame-ancestors` directive. */
  frameAncestors(): string {
    return ["'self'", ...this.allowed].join(' ');
  }
}

function isSameOrigin(origin: string, req: IncomingMessage): boolean {
  try {
    return new URL(origin).host === requestHost(req);
  } catch {
    return false;
  }
}

/** The host (and port) the client used: a proxy's X-Forwarded-Host, else Host. */
export function requestHost(req: IncomingMessage): string {
  const forwarded = firstHeader(req.headers['x-forwarded-host']);
  return (forwarded ?? firstHeader(req.headers.host) ?? '').toLowerCase();
}

/** The scheme the client used: a proxy's X-Forwarded-Proto, else whether the socket is TLS. */
export function requestScheme(req: IncomingMessage): 'http' | 'https' {
  const forwarded = firstHeader(req.headers['x-forwarded-proto'])?.toLowerCase();
  if (forwarded === 'https' || forwarded === 'http') return forwarded;
  return (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.split(',')[0]?.trim();
  return trimmed === '' ? undefined : trimmed;
}
