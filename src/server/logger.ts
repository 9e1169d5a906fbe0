/** The process logger (pino): JSON lines on stdout, secrets redacted wherever they might appear. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, at any depth of the logged object (and of a child logger's
 * bindings): the Bot Framework password, every bearer token and shared secret the configuration holds
 * (so `{ config }` logged whole shows none of them), notification URLs (a webhook URL is a credential),
 * and Authorization headers. Compared in lower case.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  ['authorization', 'password', 'appPassword', 'MicrosoftAppPassword', 'triageToken', 'adminToken', 'secret', 'tokenSecret', 'webhookUrl', 'smtpUrl'].map((k) =>
    k.toLowerCase(),
  ),
);

export const CENSOR = '[redacted]';

/** Objects nested deeper than this are logged as '[Object]'/'[Array]' (nothing of this app logs anything near it). */
export const MAX_LOG_DEPTH = 8;

/**
 * `value` with every SECRET_KEYS entry censored, copying only the objects on the way to one (a line
 * without secrets — nearly all of them — is returned as it is, with no copy). pino's own `redact` takes
 * paths, and paths with a wildcard (needed for "a secret under any key") run its path matcher over every
 * top-level value of every line: about 45 µs a line, a twentieth of a whole bot turn; this is a few.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_LOG_DEPTH) return (Array.isArray(value) ? '[Array]' : '[Object]') as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= [...(value as unknown[])])[i] = redacted;
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const redacted = SECRET_KEYS.has(key.toLowerCase()) ? (item === undefined ? item : CENSOR) : redactSecrets(item, depth + 1);
    if (redacted !== item) (copy ??= copyOf(value as object))[key] = redacted;
  }
  return (copy ?? value) as T;
}

/** A shallow copy to censor; an Error keeps its kind, message, stack and cause for pino's error serializer. */
function copyOf(value: object): Record<string, unknown> {
  if (!(value instanceof Error)) return { ...(value as Record<string, unknown>) };
  const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>, value);
  copy.name = value.name;
  copy.message = value.message;
  copy.stack = value.stack;
  if ('cause' in value) copy.cause = redactSecrets(value.cause, 1);
  return copy;
}

export function createLogger(config: Pick<Config, 'logLevel' | 'botName'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    name: config.botName,
    formatters: {
      log: (object) => redactSecrets(object),
      bindings: (bindings) => redactSecrets(bindings),
    },
    base: { pid: process.pid },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino applies formatters.bindings to the root's bindings only; a child's (at any depth: children
  // inherit this method) are censored on the way in.
  const child = logger.child as unknown as (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  Object.defineProperty(logger, 'child', {
    value: function (this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions): Logger {
      return child.call(this, redactSecrets(bindings), childOptions);
    },
  });
  return logger;
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
