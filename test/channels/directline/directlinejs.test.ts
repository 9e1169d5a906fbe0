/**
 * The unmodified `botframework-directlinejs` client (what Web Chat uses) against the built-in endpoint,
 * in polling mode and in WebSocket mode, talking to the real bot over the real trees. In Node the client
 * needs XMLHttpRequest and WebSocket globals, as its README says (xhr2 and ws).
 */
import WebSocket from 'ws';
// xhr2 (untyped) is the XMLHttpRequest the client's README names for Node.
const XMLHttpRequest = require('xhr2') as unknown;
Object.assign(globalThis, { XMLHttpRequest, WebSocket });

import { ConnectionStatus, DirectLine, type Activity as DirectLineActivity } from 'botframework-directlinejs';
import type { Subscription } from 'rxjs/Subscription';
import { buttonsOf, eventually, generateToken, startApp, textOf, type ActivityJson, type RunningApp } from '../../support/directline';

let app: RunningApp;
/** What reached the server: HTTP requests (method and path) and WebSocket upgrades. */
const seen = { requests: [] as string[], upgrades: 0 };
beforeAll(async () => {
  app = await startApp({ engine: 'real' });
  app.server.on('after', (req: { method: string; path(): string }) => seen.requests.push(`${req.method} ${req.path()}`));
  app.server.server.on('upgrade', () => seen.upgrades++);
});
afterAll(async () => {
  await app.close();
});

/** A client and everything it has received. */
class Client {
  readonly received: ActivityJson[] = [];
  readonly statuses: ConnectionStatus[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(readonly directLine: DirectLine) {
    this.subscriptions.push(directLine.activity$.subscribe((a) => this.received.push(a as unknown as ActivityJson)));
    this.subscriptions.push(directLine.connectionStatus$.subscribe((s) => this.statuses.push(s)));
  }

  fromBot(): ActivityJson[] {
    return this.received.filter((a) => a.from.role === 'bot' || a.from.id === 'alimail-helpdesk');
  }

  /** The first bot activity (after `skip` of them) whose text contains `needle`. */
  waitForBot(needle: string, skip = 0): Promise<ActivityJson> {
    return eventually(() => this.fromBot().slice(skip).find((a) => textOf(a).includes(needle)), 10_000, `the bot to say "${needle}"`);
  }

  say(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.directLine
        .postActivity({ type: 'message', from: { id: 'whoever' }, text } as DirectLineActivity)
        .subscribe({ next: resolve, error: reject });
    });
  }

  end(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    this.directLine.end();
  }
}

describe.each([
  ['polling', false],
  ['WebSocket', true],
])('DirectLineJS in %s mode', (_mode, webSocket) => {
  const clients: Client[] = [];
  beforeEach(() => {
    seen.requests.length = 0;
    seen.upgrades = 0;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end();
  });

  function connect(options: { token: string; conversationId?: string }): Client {
    const client = new Client(
      new DirectLine({ ...options, domain: `${app.base}/v3/directline`, webSocket, pollingInterval: 200 }),
    );
    clients.push(client);
    return client;
  }

  test('gets the welcome, sends messages, gets the replies and their buttons; a second client resumes with history', async () => {
    const { token, conversationId } = await generateToken(app.base);
    const client = connect({ token });

    const welcome = await client.waitForBot("I'm the Alibaba Mail helpdesk bot");
    expect(buttonsOf(welcome)).toContain("I can't log in");
    expect(client.statuses).toContain(ConnectionStatus.Online);

    const id = await client.say("I can't log in");
    expect(id).toBe(`${conversationId}|0000002`);
    const question = await client.waitForBot('What do you see when you try to log in?');
    expect(buttonsOf(question)).toEqual(["The page doesn't load", 'Too many password errors', 'Account frozen or disabled', 'Something else']);
    // The client sees its own message echoed, from the token's user.
    const echo = await eventually(() => client.received.find((a) => a.id === id), 5000, 'the echo');
    expect(echo).toMatchObject({ text: "I can't log in", from: { role: 'user' } });
    expect(echo.from.id).toMatch(/^dl_/);

    await client.say('Too many password errors');
    await client.waitForBot('1 hour');

    // A reload: a new client with the same token and conversation id gets the whole history again.
    const again = connect({ token, conversationId });
    await again.waitForBot("I'm the Alibaba Mail helpdesk bot");
    await again.waitForBot('1 hour');
    await again.say('No, only the browser');
    await again.waitForBot('Did that fix it?');
    await again.say('Yes, it worked');
    const closing = await again.waitForBot("glad that's sorted");
    expect(textOf(closing)).toContain('1-hour lock');
    // The first client, still connected, sees the same conversation go on.
    await client.waitForBot("glad that's sorted");

    // Each mode really used its own transport.
    const polls = seen.requests.filter((r) => /^GET .*\/activities$/.test(r)).length;
    if (webSocket) {
      expect(seen.upgrades).toBeGreaterThanOrEqual(2);
      expect(polls).toBe(0);
    } else {
      expect(seen.upgrades).toBe(0);
      expect(polls).toBeGreaterThan(2);
    }
  });
});
