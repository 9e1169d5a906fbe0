/** The process logger (pino): JSON lines on stdout, secrets redacted wherever they might appear. */
import pino, { type Logger } from 'pino';
import type { Config } from '../config';

export type { Logger } from 'pino';

const REDACT = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'password',
  '*.password',
  'appPassword',
  '*.appPassword',
  // The configuration object keeps the password under auth: { config } logged whole must not show it.
  'auth.appPassword',
  '*.auth.appPassword',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'triageToken',
  '*.triageToken',
  'directLine.secret',
  'directLine.tokenSecret',
  '*.directLine.secret',
  '*.directLine.tokenSecret',
  'adminToken',
  '*.adminToken',
  'notify.webhookUrl',
  'notify.smtpUrl',
  '*.notify.webhookUrl',
  '*.notify.smtpUrl',
];

export function createLogger(config: Pick<Config, 'logLevel' | 'botName'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    name: config.botName,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
