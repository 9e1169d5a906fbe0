/**
 * A ticket survives the process being killed: the real server (src/main.ts) takes an escalation through
 * /api/messages, tells the ticket id, is killed with SIGKILL (no shutdown, no close), and the ticket and
 * its transcript are in DATA_DIR/tickets.sqlite when it is opened again; a new server goes on numbering.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { TicketStore, TICKETS_FILE } from '../../src/tickets';
import { postMessage } from '../support/http';

const ROOT = path.resolve(__dirname, '..', '..');

let children: ChildProcessWithoutNullStreams[] = [];
let dataDir = '';

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  children = [];
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(): Promise<{ child: ChildProcessWithoutNullStreams; base: string }> {
  // node itself with tsx's loader, not the tsx CLI: the CLI runs the server as a child of its own, which
  // a SIGKILL of the CLI would leave running. Here the pid killed is the server's.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, STORAGE: 'sqlite', LOG_LEVEL: 'info', MicrosoftAppId: '', MicrosoftAppPassword: '' },
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 20_000);
    lines.on('line', (l) => {
      if (/"msg":"listening"/.test(l)) {
        clearTimeout(timer);
        lines.close();
        child.stdout.resume();
        resolve(l);
      }
    });
  });
  const { address } = JSON.parse(line) as { address: { port: number } };
  return { child, base: `http://127.0.0.1:${address.port}` };
}

async function say(base: string, text: string, user = 'user-durable'): Promise<string[]> {
  const res = await postMessage(base, { conversationId: `conv-${user}`, userId: user, userName: 'Chen Jing', text });
  expect(res.status).toBe(200);
  return ((await res.json()) as { activities: Array<{ text?: string }> }).activities.map((a) => a.text ?? '');
}

test('write, SIGKILL, reopen: the ticket and its transcript are there, and numbering goes on', async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-durable-'));
  const first = await startServer();
  await say(first.base, 'my account is frozen and I cannot log in');
  const replies = await say(first.base, 'talk to a person');
  expect(replies).toContain('Your ticket number is MAIL-00001.');

  const killed = new Promise<NodeJS.Signals | null>((resolve) => first.child.on('exit', (_code, signal) => resolve(signal)));
  first.child.kill('SIGKILL');
  expect(await killed).toBe('SIGKILL');

  const store = new TicketStore(path.join(dataDir, TICKETS_FILE));
  try {
    const ticket = store.get('MAIL-00001');
    expect(ticket).toBeDefined();
    expect(ticket?.requester).toMatchObject({ userId: 'user-durable', userName: 'Chen Jing', channelId: 'test' });
    const said = ticket?.record.transcript.filter((l) => l.from === 'user').map((l) => l.text);
    expect(said).toEqual(['my account is frozen and I cannot log in', 'talk to a person']);
    expect(ticket?.record.transcript.some((l) => l.from === 'bot')).toBe(true);
  } finally {
    store.close();
  }

  const second = await startServer();
  expect((await say(second.base, 'my tickets')).join('\n')).toContain('MAIL-00001');
  expect(await say(second.base, 'talk to a person', 'someone-else')).toContain('Your ticket number is MAIL-00002.');
  expect((await say(second.base, 'what is the status of MAIL-00001', 'someone-else')).join('\n')).toContain("I can't find a ticket MAIL-00001 of yours");
});
