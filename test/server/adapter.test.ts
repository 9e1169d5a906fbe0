import type { Activity } from 'botbuilder';
import { loadConfig } from '../../src/config';
import { botFrameworkAuthentication, isAuthError, MAX_CACHED_CLIENTS } from '../../src/server/adapter';

const NO_AUTH = loadConfig({ HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'silent' });
const WITH_AUTH = loadConfig({
  HOST: '127.0.0.1',
  PORT: '0',
  STORAGE: 'memory',
  LOG_LEVEL: 'silent',
  MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
  MicrosoftAppPassword: 'not-a-real-secret',
});

function activity(serviceUrl = 'http://127.0.0.1:3978/'): Activity {
  return {
    type: 'message',
    channelId: 'test',
    serviceUrl,
    conversation: { id: 'c' },
    from: { id: 'u' },
    recipient: { id: 'b' },
    text: 'hi',
  } as Activity;
}

describe('the adapter authentication', () => {
  test('without an app id: requests pass, and each turn reuses the connector and user token clients', async () => {
    const auth = botFrameworkAuthentication(NO_AUTH);
    const first = await auth.authenticateRequest(activity(), '');
    const second = await auth.authenticateRequest(activity(), '');
    const a = await first.connectorFactory?.create('http://127.0.0.1:3978/', first.audience);
    const b = await second.connectorFactory?.create('http://127.0.0.1:3978/', second.audience);
    expect(a).toBeDefined();
    expect(b).toBe(a);
    // Another serviceUrl or audience is another client.
    expect(await second.connectorFactory?.create('http://127.0.0.1:4000/', second.audience)).not.toBe(a);
    expect(await second.connectorFactory?.create('http://127.0.0.1:3978/', 'https://other.example')).not.toBe(a);
    // The factory the in-process Direct Line asks for shares the same clients.
    expect(await auth.createConnectorFactory(first.claimsIdentity).create('http://127.0.0.1:3978/', first.audience)).toBe(a);

    const tokens = await auth.createUserTokenClient(first.claimsIdentity);
    expect(await auth.createUserTokenClient(second.claimsIdentity)).toBe(tokens);
  });

  test('the clients kept are bounded: the oldest is dropped and built again when asked for', async () => {
    const auth = botFrameworkAuthentication(NO_AUTH);
    const { connectorFactory, audience } = await auth.authenticateRequest(activity(), '');
    const first = await connectorFactory?.create('http://127.0.0.1:1/', audience);
    for (let i = 2; i <= MAX_CACHED_CLIENTS + 1; i++) await connectorFactory?.create(`http://127.0.0.1:${i}/`, audience);
    const again = await connectorFactory?.create('http://127.0.0.1:1/', audience);
    expect(again).toBeDefined();
    expect(again).not.toBe(first);
  });

  test.each([
    ['no Authorization header', ''],
    ['a token that is not a JWT', 'Bearer not-a-token'],
  ])('with an app id and password, %s is rejected as unauthorized', async (_name, header) => {
    const auth = botFrameworkAuthentication(WITH_AUTH);
    const err = await auth.authenticateRequest(activity('https://smba.trafficmanager.net/emea/'), header).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAuthError(err)).toBe(true);
  });
});
