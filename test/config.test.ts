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
  });
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
