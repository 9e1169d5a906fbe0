/**
 * The process environment, read once and checked into one frozen, typed object. Nothing else in the
 * project reads `process.env`: the server, storage and logger receive this object.
 */
import path from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** "true"/"false" and their usual spellings; anything else is a configuration error, not a silent false. */
const Flag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** A host name as the public sees it (no scheme, port or path): it goes into the Teams manifest's validDomains. */
const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    message: 'expected a host name such as helpdesk.example.com, without https:// or a path',
  });

/** Comma-separated origins such as https://intranet.example.com (scheme, host, optional port; no path). */
const OriginList = z
  .string()
  .transform((v, ctx) => {
    const origins: string[] = [];
    for (const item of v.split(',').map((o) => o.trim()).filter((o) => o !== '')) {
      let origin = '';
      try {
        const url = new URL(item);
        const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '';
        if ((url.protocol === 'http:' || url.protocol === 'https:') && bare) origin = url.origin;
      } catch {
        // reported below
      }
      if (origin === '') {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${item}" is not an origin such as https://intranet.example.com (no path)` });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return [...new Set(origins)];
  });

export const DEFAULT_DIRECT_LINE_DOMAIN = 'https://directline.botframework.com/v3/directline';

/** Where tokens are exchanged for the Direct Line secret: https, or a loopback address (tests). */
const DirectLineDomain = z
  .string()
  .trim()
  .url()
  .refine((v) => {
    const url = new URL(v);
    return url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }, { message: 'expected an https:// URL such as https://directline.botframework.com/v3/directline' })
  .transform((v) => v.replace(/\/+$/, ''));

/** A URL whose scheme is one of `protocols`. */
function urlWithScheme(protocols: readonly string[], message: string) {
  return z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, { message });
}

/** A webhook URL: http(s) only. The whole URL is a secret (a Teams or Slack webhook's path is its key). */
const WebhookUrl = urlWithScheme(['http:', 'https:'], 'expected an http(s):// URL');

/** smtp://user:pass@host:port or smtps://…; a secret when it carries a password. */
const SmtpUrl = urlWithScheme(['smtp:', 'smtps:'], 'expected smtp://host:port or smtps://user:password@host:port');

/** "postmaster@example.com" or "Helpdesk <helpdesk@example.com>". */
const EmailAddress = z
  .string()
  .trim()
  .regex(/^[^\s@<>]+@[^\s@<>]+$|^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/, { message: 'expected an e-mail address' });

/** An unset variable and an empty one mean the same: use the default. */
const blankAsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const EnvSchema = z.object({
  PORT: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(65535).default(3978)),
  HOST: z.preprocess(blankAsUnset, z.string().trim().default('0.0.0.0')),
  DATA_DIR: z.preprocess(blankAsUnset, z.string().default('./data')),
  STORAGE: z.preprocess(blankAsUnset, z.enum(['sqlite', 'memory']).default('sqlite')),
  MicrosoftAppId: z.preprocess(blankAsUnset, z.string().trim().optional()),
  MicrosoftAppPassword: z.preprocess(blankAsUnset, z.string().optional()),
  MicrosoftAppTenantId: z.preprocess(blankAsUnset, z.string().trim().optional()),
  MicrosoftAppType: z.preprocess(
    blankAsUnset,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  ),
  LOG_LEVEL: z.preprocess(blankAsUnset, z.enum(LOG_LEVELS).default('info')),
  LOG_USER_TEXT: z.preprocess(blankAsUnset, Flag.default('true')),
  BOT_NAME: z.preprocess(blankAsUnset, z.string().trim().default('Alibaba Mail helpdesk')),
  ALLOWED_ORIGINS: z.preprocess(blankAsUnset, OriginList.default('')),
  /** A secret: never logged, never echoed in an error, never sent to a browser. */
  DIRECT_LINE_SECRET: z.preprocess(blankAsUnset, z.string().trim().optional()),
  DIRECT_LINE_DOMAIN: z.preprocess(blankAsUnset, DirectLineDomain.default(DEFAULT_DIRECT_LINE_DOMAIN)),
  /** A secret: signs the built-in Direct Line's tokens. */
  DIRECT_LINE_TOKEN_SECRET: z.preprocess(blankAsUnset, z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  /** A secret: never logged, never echoed in an error. */
  TRIAGE_TOKEN: z.preprocess(blankAsUnset, z.string().trim().optional()),
  PUBLIC_HOSTNAME: z.preprocess(blankAsUnset, Hostname.optional()),
  TEAMS_APP_ID: z.preprocess(blankAsUnset, z.string().trim().optional()),
  /** A secret: the postmaster's bearer token for /api/tickets. */
  ADMIN_TOKEN: z.preprocess(blankAsUnset, z.string().trim().min(16, { message: 'must be at least 16 characters' }).optional()),
  /** A secret (a webhook URL's path is its key). */
  NOTIFY_WEBHOOK_URL: z.preprocess(blankAsUnset, WebhookUrl.optional()),
  /** A secret when it carries a password. */
  SMTP_URL: z.preprocess(blankAsUnset, SmtpUrl.optional()),
  NOTIFY_EMAIL_TO: z.preprocess(blankAsUnset, EmailAddress.optional()),
  NOTIFY_EMAIL_FROM: z.preprocess(blankAsUnset, EmailAddress.optional()),
  /** Requests one client address may make per minute (a token bucket: bursts up to this many); 0 turns the limit off. */
  RATE_LIMIT_PER_MINUTE: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(1_000_000).default(600)),
});

export interface NotifyConfig {
  /** Where new tickets are POSTed as JSON ('' when unset). */
  webhookUrl: string;
  /** The SMTP server new tickets are mailed through ('' when unset). */
  smtpUrl: string;
  /** The postmaster's address (required with SMTP_URL). */
  emailTo: string;
  /** NOTIFY_EMAIL_FROM, else NOTIFY_EMAIL_TO. */
  emailFrom: string;
}

export interface DirectLineConfig {
  /** The Azure Bot Service Direct Line secret ('' when unset: the web chat uses the built-in endpoint). */
  secret: string;
  /** The Direct Line service the secret belongs to (a regional endpoint, for example). */
  domain: string;
  /** Signs the built-in endpoint's tokens ('' when unset: one is generated and kept in DATA_DIR). */
  tokenSecret: string;
}

export interface BotAuthConfig {
  /** True only when both an app id and a password are configured. */
  enabled: boolean;
  appId: string;
  appPassword: string;
  tenantId: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
}

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the folder that holds `state.sqlite`. */
  dataDir: string;
  storage: 'sqlite' | 'memory';
  auth: Readonly<BotAuthConfig>;
  logLevel: LogLevel;
  /** False: user text is replaced by its length in logs. */
  logUserText: boolean;
  botName: string;
  /** Origins of the sites that may embed the web chat (CORS, frame-ancestors); empty: this server's own pages only. */
  allowedOrigins: readonly string[];
  directLine: Readonly<DirectLineConfig>;
  /** Bearer token POST /api/triage requires ('' when unset: the route is open, for local use). */
  triageToken: string;
  /** The host name the bot is reached at from outside ('' when unset); the Teams package needs it. */
  publicHostname: string;
  /** The Teams app's id in its manifest: TEAMS_APP_ID, else the bot's MicrosoftAppId ('' when neither is set). */
  teamsAppId: string;
  /** Bearer token of /api/tickets ('' when unset: those routes are not served at all, 404). */
  adminToken: string;
  /** How the postmaster hears of new tickets. */
  notify: Readonly<NotifyConfig>;
  /** Requests per minute per client address on every HTTP route (429 past it); 0: no limit. */
  rateLimitPerMinute: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the environment. Throws a `ConfigError` naming each bad variable (never its value).
 * `defaults` stand in for variables the environment leaves unset (an entry point's own defaults, such
 * as the console chat's quieter log level).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: Readonly<Record<string, string>> = {},
): Readonly<Config> {
  const merged: Record<string, string | undefined> = { ...defaults };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value.trim() !== '') merged[key] = value;
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.SMTP_URL && !e.NOTIFY_EMAIL_TO) throw new ConfigError(["NOTIFY_EMAIL_TO: SMTP_URL is set, so the postmaster's address is required"]);
  const appId = e.MicrosoftAppId ?? '';
  const appPassword = e.MicrosoftAppPassword ?? '';
  const auth: BotAuthConfig = Object.freeze({
    enabled: appId !== '' && appPassword !== '',
    appId,
    appPassword,
    tenantId: e.MicrosoftAppTenantId ?? '',
    appType: e.MicrosoftAppType ?? 'MultiTenant',
  });
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    storage: e.STORAGE,
    auth,
    logLevel: e.LOG_LEVEL,
    logUserText: e.LOG_USER_TEXT,
    botName: e.BOT_NAME,
    allowedOrigins: Object.freeze([...e.ALLOWED_ORIGINS]),
    directLine: Object.freeze({
      secret: e.DIRECT_LINE_SECRET ?? '',
      domain: e.DIRECT_LINE_DOMAIN,
      tokenSecret: e.DIRECT_LINE_TOKEN_SECRET ?? '',
    }),
    triageToken: e.TRIAGE_TOKEN ?? '',
    publicHostname: e.PUBLIC_HOSTNAME ?? '',
    teamsAppId: e.TEAMS_APP_ID ?? appId,
    adminToken: e.ADMIN_TOKEN ?? '',
    notify: Object.freeze({
      webhookUrl: e.NOTIFY_WEBHOOK_URL ?? '',
      smtpUrl: e.SMTP_URL ?? '',
      emailTo: e.NOTIFY_EMAIL_TO ?? '',
      emailFrom: e.NOTIFY_EMAIL_FROM ?? e.NOTIFY_EMAIL_TO ?? '',
    }),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
  });
}
