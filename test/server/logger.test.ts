import { Writable } from 'node:stream';
import { createLogger, redactSecrets } from '../../src/server/logger';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRET = 'S3CRET-value-never-logged';

describe('log redaction', () => {
  test.each([
    ['authorization', { authorization: `Bearer ${SECRET}` }],
    ['headers.authorization', { headers: { authorization: SECRET, accept: '*/*' } }],
    ['req.headers.authorization', { req: { headers: { Authorization: SECRET } } }],
    ['password', { password: SECRET }],
    ['*.password', { user: { password: SECRET } }],
    ['appPassword', { appPassword: SECRET }],
    ['auth.appPassword', { auth: { appPassword: SECRET } }],
    ['*.auth.appPassword', { config: { auth: { appPassword: SECRET } } }],
    ['MicrosoftAppPassword', { env: { MicrosoftAppPassword: SECRET } }],
    ['triageToken', { config: { triageToken: SECRET } }],
    ['directLine.secret and tokenSecret', { config: { directLine: { secret: SECRET, tokenSecret: `${SECRET}2` } } }],
    ['adminToken', { adminToken: SECRET }],
    ['notify URLs', { config: { notify: { webhookUrl: `https://hooks.example/${SECRET}`, smtpUrl: `smtp://u:${SECRET}@mail` } } }],
    ['inside arrays', { list: [{ ok: 1 }, { password: SECRET }] }],
    ['deep down', { a: { b: { c: { d: { e: { password: SECRET } } } } } }],
  ])('%s never reaches a line', (_name, object) => {
    const out = capture();
    createLogger({ logLevel: 'info', botName: 't' }, out.stream).info(object, 'line');
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[redacted]');
  });

  test('the rest of the line is unchanged, and the logged object itself is never modified', () => {
    const object = { conversationId: 'c', auth: { enabled: true, appId: 'id', appPassword: SECRET }, replies: ['question'] };
    const out = capture();
    createLogger({ logLevel: 'info', botName: 't' }, out.stream).info(object, 'configuration');
    const [line] = out.lines();
    expect(line).toMatchObject({ msg: 'configuration', conversationId: 'c', auth: { enabled: true, appId: 'id', appPassword: '[redacted]' }, replies: ['question'] });
    expect(object.auth.appPassword).toBe(SECRET);
  });

  test('a line without secrets is passed on as it is (no copy)', () => {
    const object = { conversationId: 'c', text: 'hello', replies: ['question'], events: [], flow: 'a#b' };
    expect(redactSecrets(object)).toBe(object);
  });

  test('errors keep their message and stack; a secret property on one is censored', () => {
    const err = Object.assign(new Error('request failed'), { config: { headers: { authorization: SECRET } } });
    const out = capture();
    createLogger({ logLevel: 'info', botName: 't' }, out.stream).error({ err }, 'failed');
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toContain(SECRET);
    expect(line?.err).toMatchObject({ message: 'request failed', config: { headers: { authorization: '[redacted]' } } });
    expect(String((line?.err as { stack?: string }).stack)).toContain('request failed');
  });

  test("a child logger's bindings are censored too", () => {
    const out = capture();
    createLogger({ logLevel: 'info', botName: 't' }, out.stream).child({ password: SECRET, who: 'x' }).info('line');
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain(SECRET);
    expect(text).toContain('"who":"x"');
  });

  test('a circular or very deep object is cut off instead of overflowing', () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const out = capture();
    createLogger({ logLevel: 'info', botName: 't' }, out.stream).info({ circular }, 'line');
    expect(JSON.stringify(out.lines())).toContain('[Object]');
  });
});
