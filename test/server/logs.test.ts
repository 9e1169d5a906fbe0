/**
 * What reaches the logs: the real pino logger at its most verbose level, the real app with every secret
 * configured, driven through each route family (including failures). No secret ever appears; with
 * LOG_USER_TEXT=false, nothing the user typed appears either.
 */
import { Writable } from 'node:stream';
import type { Server } from 'restify';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/server/app';
import { createLogger } from '../../src/server/logger';
import { memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { createTriageService } from '../../src/triage';
import { RecordingSink } from '../support/bot-harness';
import { realCoreOnce, startConversation } from '../support/directline';
import { closeServer, listen } from '../support/http';

const SECRETS = {
  MicrosoftAppPassword: 'app-password-Zq81-never-logged',
  TRIAGE_TOKEN: 'triage-token-Kp55-never-logged',
  DIRECT_LINE_TOKEN_SECRET: 'direct-line-token-secret-Wm42-never-logged-0123456789',
};
const USER_TEXT = 'my mail bounces with 554, I am Zhang Xiaoming at flamingo-umbrella-77';
const USER_WORDS = ['Zhang Xiaoming', 'flamingo-umbrella-77'];

let server: Server;
let storage: HelpdeskStorage;
afterEach(async () => {
  await closeServer(server);
  storage.close();
});

async function run(env: Record<string, string>): Promise<string> {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', STORAGE: 'memory', LOG_LEVEL: 'trace', RATE_LIMIT_PER_MINUTE: '0', ...env });
  const logger = createLogger(config, destination);
  logger.info({ config }, 'configuration');
  const core = realCoreOnce();
  storage = memoryStorage();
  ({ server } = createApp(config, { core, storage, logger, sink: new RecordingSink(), triage: createTriageService(core) }));
  const base = await listen(server);
  const json = { 'content-type': 'application/json' };

  // /api/messages: without a token (401 when authentication is on), and with a made-up one.
  const activity = { type: 'message', channelId: 'test', serviceUrl: 'http://127.0.0.1/', deliveryMode: 'expectReplies', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, text: USER_TEXT };
  const unauthenticated = await fetch(`${base}/api/messages`, { method: 'POST', headers: json, body: JSON.stringify(activity) });
  await fetch(`${base}/api/messages`, { method: 'POST', headers: { ...json, authorization: `Bearer ${SECRETS.MicrosoftAppPassword}` }, body: JSON.stringify(activity) });
  // Triage with the right token, a wrong one, and a bad body.
  await fetch(`${base}/api/triage`, { method: 'POST', headers: { ...json, authorization: `Bearer ${SECRETS.TRIAGE_TOKEN}` }, body: JSON.stringify({ text: USER_TEXT }) });
  await fetch(`${base}/api/triage`, { method: 'POST', headers: { ...json, authorization: 'Bearer wrong' }, body: JSON.stringify({ text: USER_TEXT }) });
  await fetch(`${base}/api/triage`, { method: 'POST', headers: { ...json, authorization: `Bearer ${SECRETS.TRIAGE_TOKEN}` }, body: '{"text": ' });
  // Direct Line: a whole turn with the user's words (in process, so it runs with authentication on too).
  const conversation = await startConversation(base);
  const dl = { ...json, authorization: `Bearer ${conversation.token}` };
  const posted = await fetch(`${base}/v3/directline/conversations/${conversation.conversationId}/activities`, { method: 'POST', headers: dl, body: JSON.stringify({ type: 'message', text: USER_TEXT, from: { id: 'u' } }) });
  expect(posted.status).toBe(200);
  await fetch(`${base}/v3/directline/conversations/${conversation.conversationId}/activities`, { method: 'POST', headers: dl, body: JSON.stringify({ type: 'message', text: "I'm an employee" }) });
  await fetch(`${base}/v3/directline/conversations/other/activities`, { method: 'GET', headers: dl });
  return JSON.stringify({ status: unauthenticated.status, log: lines.join('') });
}

test('with MicrosoftAppId set: no Bot Framework token → 401; no secret in any log line', async () => {
  const out = JSON.parse(await run({ MicrosoftAppId: '00000000-0000-0000-0000-00000000abcd', ...SECRETS })) as { status: number; log: string };
  expect(out.status).toBe(401);
  expect(out.log).toContain('unauthorized activity');
  expect(out.log.split('\n').length).toBeGreaterThan(5);
  for (const secret of Object.values(SECRETS)) expect(out.log).not.toContain(secret);
  // User text is logged by default.
  expect(out.log).toContain('flamingo-umbrella-77');
});

test('LOG_USER_TEXT=false: nothing the user typed reaches the logs', async () => {
  const out = JSON.parse(await run({ LOG_USER_TEXT: 'false', ...SECRETS })) as { status: number; log: string };
  expect(out.status).toBe(200);
  expect(out.log).toMatch(/chars\]/);
  for (const words of [...USER_WORDS, ...Object.values(SECRETS)]) expect(out.log).not.toContain(words);
});
