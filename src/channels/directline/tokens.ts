/**
 * Direct Line tokens for the built-in endpoint: HS256 JWTs, each scoped to one conversation and one user,
 * with an expiry. They are JWTs (not opaque strings) because Web Chat and DirectLineJS read the `user`
 * claim from a Direct Line token to know which side of the transcript is the user's.
 *
 * The signing secret comes from configuration (DIRECT_LINE_TOKEN_SECRET) or is generated once and kept in
 * DATA_DIR, so tokens — and with them conversations a browser is resuming — survive a restart.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** How long a token lives: the real Direct Line service's 30 minutes. */
export const TOKEN_TTL_SECONDS = 30 * 60;
/** Clock difference tolerated on `nbf`. */
const CLOCK_SKEW_SECONDS = 60;
export const TOKEN_ISSUER = 'alimail-helpdesk/directline';
export const SIGNING_SECRET_FILE = 'directline-token-secret';
export const MIN_SECRET_BYTES = 32;

export interface TokenClaims {
  iss: string;
  /** The one conversation this token may use. */
  conv: string;
  /** The user's id: every activity the token posts is from this user. */
  user: string;
  /** The user's display name, when the token was asked for with one. */
  name?: string;
  iat: number;
  nbf: number;
  exp: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'not-yet-valid' };

export interface IssuedToken {
  token: string;
  /** Seconds until it expires, as the protocol's `expires_in`. */
  expiresIn: number;
}

export interface TokenServiceOptions {
  ttlSeconds?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

export class TokenService {
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly secret: Buffer,
    options: TokenServiceOptions = {},
  ) {
    if (secret.length < MIN_SECRET_BYTES) throw new Error(`The Direct Line token secret must be at least ${MIN_SECRET_BYTES} bytes.`);
    this.ttl = options.ttlSeconds ?? TOKEN_TTL_SECONDS;
    this.now = options.now ?? Date.now;
  }

  issue(conversationId: string, user: { id: string; name?: string }): IssuedToken {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = { iss: TOKEN_ISSUER, conv: conversationId, user: user.id, iat, nbf: iat, exp: iat + this.ttl };
    if (user.name) claims.name = user.name;
    const unsigned = `${HEADER}.${b64url(JSON.stringify(claims))}`;
    return { token: `${unsigned}.${this.sign(unsigned)}`, expiresIn: this.ttl };
  }

  /** A new token for the same conversation and user, with a fresh expiry. */
  refresh(claims: TokenClaims): IssuedToken {
    return this.issue(claims.conv, { id: claims.user, name: claims.name });
  }

  verify(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: 'malformed' };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (
      claims.iss !== TOKEN_ISSUER ||
      typeof claims.conv !== 'string' ||
      typeof claims.user !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.nbf !== 'number'
    ) {
      return { ok: false, reason: 'malformed' };
    }
    const nowSeconds = this.now() / 1000;
    if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
    if (claims.nbf > nowSeconds + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'not-yet-valid' };
    return { ok: true, claims };
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.secret).update(unsigned).digest('base64url');
  }
}

/**
 * The signing secret: the configured one, else the one kept in `dataDir` (created on first start, readable
 * only by this user), else — when nothing may be written — a fresh one for this process only.
 */
export function signingSecret(options: { configured: string; dataDir: string | null }): Buffer {
  if (options.configured !== '') return Buffer.from(options.configured, 'utf8');
  if (options.dataDir === null) return randomBytes(MIN_SECRET_BYTES);
  const file = path.join(options.dataDir, SIGNING_SECRET_FILE);
  try {
    const kept = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
    if (kept.length >= MIN_SECRET_BYTES) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const fresh = randomBytes(MIN_SECRET_BYTES);
  fs.mkdirSync(options.dataDir, { recursive: true });
  fs.writeFileSync(file, `${fresh.toString('base64url')}\n`, { mode: 0o600 });
  return fresh;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
