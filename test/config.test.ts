import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

test('defaults', () => {
  const config = loadConfig({});
  expect(config).toEqual({
    port: 3978,
    host: '0.0.0.0',
    dataDir: path.resolve('./data'),
    storage: 'sqlite',
    auth: { enabled: false, appId: '', appPassword: '', tenantId: '', appType: 'MultiTenant' },
    logLevel: 'info',
    logUserText: true,
    botName: 'Alibaba Mail helpdesk',
    triageToken: '',
    publicHostname: '',
    teamsAppId: '',
    adminToken: '',
    notify: { webhookUrl: '', smtpUrl: '', emailTo: '', emailFrom: '' },
    allowedOrigins: [],
    directLine: { secret: '', domain: 'https://directline.botframework.com/v3/directline', tokenSecret: '' },
    rateLimitPerMinute: 600,
  });
  expect(Object.isFrozen(config)).toBe(true);
  expect(Object.isFrozen(config.auth)).toBe(true);
});

test('reads every variable', () => {
  const config = loadConfig({
    PORT: '8080',
    HOST: '127.0.0.1',
    DATA_DIR: '/tmp/helpdesk',
    STORAGE: 'memory',
    MicrosoftAppId: 'app',
    MicrosoftAppPassword: 'secret',
    MicrosoftAppTenantId: 'tenant',
    MicrosoftAppType: 'SingleTenant',
    LOG_LEVEL: 'debug',
    LOG_USER_TEXT: 'false',
    BOT_NAME: 'Mail bot',
    PUBLIC_HOSTNAME: 'Helpdesk.Example.com',
    TEAMS_APP_ID: 'teams-app',
  });
  expect(config).toMatchObject({
    port: 8080,
    host: '127.0.0.1',
    dataDir: '/tmp/helpdesk',
    storage: 'memory',
    auth: { enabled: true, appId: 'app', appPassword: 'secret', tenantId: 'tenant', appType: 'SingleTenant' },
    logLevel: 'debug',
    logUserText: false,
    botName: 'Mail bot',
    publicHostname: 'helpdesk.example.com',
    teamsAppId: 'teams-app',
  });
});

test('the Teams app id defaults to the bot id', () => {
  expect(loadConfig({ MicrosoftAppId: 'bot-app' }).teamsAppId).toBe('bot-app');
  expect(loadConfig({ MicrosoftAppId: 'bot-app', TEAMS_APP_ID: 'teams-app' }).teamsAppId).toBe('teams-app');
});

test('PUBLIC_HOSTNAME is a bare host name', () => {
  expect(loadConfig({ PUBLIC_HOSTNAME: 'bot.contoso.cn' }).publicHostname).toBe('bot.contoso.cn');
  for (const bad of ['https://bot.contoso.cn', 'bot.contoso.cn/api', 'bot.contoso.cn:3978', 'bot_contoso']) {
    expect(() => loadConfig({ PUBLIC_HOSTNAME: bad })).toThrow(/PUBLIC_HOSTNAME: expected a host name/);
  }
});

test('authentication is on only with both app id and password', () => {
  expect(loadConfig({ MicrosoftAppId: 'app' }).auth.enabled).toBe(false);
  expect(loadConfig({ MicrosoftAppPassword: 'secret' }).auth.enabled).toBe(false);
  expect(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }).auth.enabled).toBe(true);
});

test('empty variables mean the default', () => {
  expect(loadConfig({ PORT: '', STORAGE: ' ', LOG_USER_TEXT: '' })).toMatchObject({ port: 3978, storage: 'sqlite', logUserText: true });
});

test('entry-point defaults apply only where the environment is silent', () => {
  expect(loadConfig({}, { LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  expect(loadConfig({ LOG_LEVEL: 'debug' }, { LOG_LEVEL: 'warn' }).logLevel).toBe('debug');
});

test('bad values are named, and secrets are never echoed', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', STORAGE: 'redis', LOG_USER_TEXT: 'maybe', MicrosoftAppType: 'Whatever', MicrosoftAppPassword: 'hunter2' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of ['PORT', 'STORAGE', 'LOG_USER_TEXT', 'MicrosoftAppType']) expect(message).toContain(name);
  expect(message).not.toContain('hunter2');
});

test('a port out of range is refused', () => {
  expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
});

test('TRIAGE_TOKEN is optional and trimmed, and never echoed in a configuration error', () => {
  expect(loadConfig({}).triageToken).toBe('');
  expect(loadConfig({ TRIAGE_TOKEN: ' s3cret-token ' }).triageToken).toBe('s3cret-token');
  expect(() => loadConfig({ TRIAGE_TOKEN: 's3cret-token', PORT: 'nope' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret-token') }));
});

test('ALLOWED_ORIGINS: a comma list of origins, normalised; anything with a path or another scheme is refused', () => {
  expect(loadConfig({ ALLOWED_ORIGINS: 'https://Intranet.Example.com, http://localhost:8080/ ,https://b.example.com:443' }).allowedOrigins).toEqual([
    'https://intranet.example.com',
    'http://localhost:8080',
    'https://b.example.com',
  ]);
  for (const bad of ['https://a.example.com/chat', '*', 'ftp://a.example.com', 'a.example.com', 'https://a.example.com?x=1']) {
    expect(() => loadConfig({ ALLOWED_ORIGINS: bad })).toThrow(/ALLOWED_ORIGINS/);
  }
});

test('Direct Line: the secret and the token secret are never echoed; the domain must be https', () => {
  const config = loadConfig({
    DIRECT_LINE_SECRET: ' dl-secret ',
    DIRECT_LINE_DOMAIN: 'https://europe.directline.botframework.com/v3/directline/',
    DIRECT_LINE_TOKEN_SECRET: 'x'.repeat(32),
  });
  expect(config.directLine).toEqual({ secret: 'dl-secret', domain: 'https://europe.directline.botframework.com/v3/directline', tokenSecret: 'x'.repeat(32) });
  expect(Object.isFrozen(config.directLine)).toBe(true);
  expect(() => loadConfig({ DIRECT_LINE_DOMAIN: 'http://directline.example.com/v3/directline' })).toThrow(/DIRECT_LINE_DOMAIN/);
  expect(loadConfig({ DIRECT_LINE_DOMAIN: 'http://127.0.0.1:9999/v3/directline' }).directLine.domain).toBe('http://127.0.0.1:9999/v3/directline');
  let message = '';
  try {
    loadConfig({ DIRECT_LINE_TOKEN_SECRET: 'too-short-secret', DIRECT_LINE_SECRET: 'dl-secret', PORT: 'x' });
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toContain('DIRECT_LINE_TOKEN_SECRET');
  expect(message).not.toContain('too-short-secret');
  expect(message).not.toContain('dl-secret');
});

test('RATE_LIMIT_PER_MINUTE: a whole number, 0 turns the limit off', () => {
  expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '120' }).rateLimitPerMinute).toBe(120);
  expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute).toBe(0);
  for (const bad of ['-1', 'many', '1.5']) expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: bad })).toThrow(/RATE_LIMIT_PER_MINUTE/);
});

test('tickets: ADMIN_TOKEN and the notification channels; secrets never echoed in an error', () => {
  const config = loadConfig({
    ADMIN_TOKEN: 'admin-token-0123456789',
    NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/services/T000/B000/XXXX',
    SMTP_URL: 'smtp://bot:smtp-pass@mail.example.com:587',
    NOTIFY_EMAIL_TO: 'postmaster@example.com',
  });
  expect(config.adminToken).toBe('admin-token-0123456789');
  expect(config.notify).toEqual({
    webhookUrl: 'https://hooks.example.com/services/T000/B000/XXXX',
    smtpUrl: 'smtp://bot:smtp-pass@mail.example.com:587',
    emailTo: 'postmaster@example.com',
    emailFrom: 'postmaster@example.com',
  });
  expect(Object.isFrozen(config.notify)).toBe(true);
  expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' })).toThrow(/NOTIFY_EMAIL_TO/);
  const errors = [
    () => loadConfig({ ADMIN_TOKEN: 'short-secret' }),
    () => loadConfig({ NOTIFY_WEBHOOK_URL: 'ftp://hook-secret.example.com/x' }),
    () => loadConfig({ SMTP_URL: 'http://user:smtp-secret@mail.example.com', NOTIFY_EMAIL_TO: 'a@example.com' }),
  ].map((f) => {
    try {
      f();
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  });
  expect(errors[0]).toMatch(/ADMIN_TOKEN/);
  expect(errors[1]).toMatch(/NOTIFY_WEBHOOK_URL/);
  expect(errors[2]).toMatch(/SMTP_URL/);
  for (const message of errors) expect(message).not.toMatch(/short-secret|hook-secret|smtp-secret/);
});
