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
});

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
  });
}
