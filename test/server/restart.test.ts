/**
 * The real process (src/main.ts) on 127.0.0.1 with SQLite state: killed with SIGKILL in the middle of a
 * flow, started again on the same data folder, the user continues at the same step and the ticket taken
 * before the kill is still there; SIGTERM lets the requests under way finish, then exits 0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { messageActivity, postMessage } from '../support/http';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * Node itself with tsx as a loader, not the tsx command: that one runs the program in a child process,
 * so a SIGKILL sent to it would leave the server running.
 */
const NODE_ARGS = ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')];

const children: ChildProcessWithoutNullStreams[] = [];
let dataDir = '';

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-restart-'));
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Server {
  child: ChildProcessWithoutNullStreams;
  base: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts src/main.ts on a free port of 127.0.0.1 over `dataDir`; resolves once it listens. */
async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, STORAGE: 'sqlite', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0', MicrosoftAppId: '', MicrosoftAppPassword: '' },
  });
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`not listening after 30 s; stderr:\n${stderr}`)), 30_000);
    lines.on('line', (l) => {
      if (!l.includes('"msg":"listening"')) return;
      clearTimeout(timer);
      resolve(l);
    });
  });
  // Keep reading stdout so the child never blocks on a full pipe.
  child.stdout.resume();
  const { port } = (JSON.parse(line) as { address: { port: number } }).address;
  return { child, base: `http://127.0.0.1:${port}`, exited };
}

interface Turn {
  texts: string[];
  buttons: string[];
}

async function say(base: string, conversationId: string, text: string): Promise<Turn> {
  const res = await postMessage(base, { conversationId, userId: 'employee-1', text });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { activities: Array<{ text?: string; suggestedActions?: { actions: Array<{ value: string }> } }> };
  const last = body.activities[body.activities.length - 1];
  return { texts: body.activities.map((a) => a.text ?? ''), buttons: (last?.suggestedActions?.actions ?? []).map((a) => a.value) };
}

/** Every *.sqlite file of the data folder, searched in every text cell for `needle`. */
function storedAnywhere(needle: string): boolean {
  for (const file of fs.readdirSync(dataDir).filter((f) => f.endsWith('.sqlite'))) {
    const db = new Database(path.join(dataDir, file), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      for (const { name } of tables) {
        const columns = db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>;
        const where = columns.map((c) => `CAST("${c.name}" AS TEXT) LIKE ?`).join(' OR ');
        if (where && db.prepare(`SELECT 1 FROM "${name}" WHERE ${where} LIMIT 1`).get(...columns.map(() => `%${needle}%`))) return true;
      }
    } finally {
      db.close();
    }
  }
  return false;
}

test('SIGKILL mid-flow: after a restart the user continues at the same step, and no ticket is lost', async () => {
  let server = await startServer();
  const first = await say(server.base, 'restart-1', 'too many password errors, please try again in 1 hour');
  expect(first.buttons).toEqual(["Yes, or I'm not sure", 'No, only the browser']);
  const second = await say(server.base, 'restart-1', 'No, only the browser');
  expect(second.buttons).toEqual(['Yes, it worked', 'No, still broken']);

  server.child.kill('SIGKILL');
  expect((await server.exited).signal).toBe('SIGKILL');

  server = await startServer();
  // The flow waits for "did that fix it?" exactly as before the kill.
  const third = await say(server.base, 'restart-1', 'No, still broken');
  expect(third.buttons).toEqual(["I'm the postmaster", "I'm an employee"]);
  await say(server.base, 'restart-1', "I'm an employee");
  const last = await say(server.base, 'restart-1', 'Yes, send it');
  const ticketId = /\b([A-Z]+-\d{3,})\b/.exec(last.texts.join('\n'))?.[1];
  expect(ticketId).toBeDefined();

  // Killed right after the ticket number was told: the ticket is on disk.
  server.child.kill('SIGKILL');
  await server.exited;
  expect(storedAnywhere(ticketId as string)).toBe(true);

  // And the next start numbers on from it.
  server = await startServer();
  await say(server.base, 'restart-2', 'talk to a person');
  const next = await say(server.base, 'restart-2', 'yes');
  const texts = [...next.texts].join('\n');
  const nextId = /\b([A-Z]+-\d{3,})\b/.exec(texts)?.[1];
  if (nextId) expect(nextId).not.toBe(ticketId);
  server.child.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
}, 90_000);

/**
 * A turn whose request is under way when the signal comes: the headers and half the body are sent, the
 * rest only when `finish` is called.
 */
function slowTurn(base: string, conversationId: string, text: string): { finish: () => void; answer: Promise<{ status: number; body: string }> } {
  const body = Buffer.from(
    JSON.stringify(messageActivity({ conversationId, userId: 'u', text })),
  );
  const url = new URL(`${base}/api/messages`);
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let data = '';
      res.setEncoding('utf8').on('data', (d: string) => (data += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
  });
  req.write(body.subarray(0, 20));
  return { finish: () => req.end(body.subarray(20)), answer };
}

test('SIGTERM: requests under way finish (bot turns, a triage batch), then the process exits 0', async () => {
  const server = await startServer();
  await say(server.base, 'warm-up', 'hello');
  const turns = Array.from({ length: 10 }, (_, i) => slowTurn(server.base, `drain-${i}`, 'my mail bounces with 554'));
  const items = Array.from({ length: 1000 }, (_, i) => ({ id: i, text: `ticket ${i}: our outbound mail bounces with 554 Reject by behaviour spam and the users cannot log in` }));
  const batch = fetch(`${server.base}/api/triage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
  // The requests have reached the server (their headers are read); now it is asked to stop.
  await new Promise((r) => setTimeout(r, 300));
  server.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  expect(server.child.exitCode).toBeNull();
  for (const turn of turns) turn.finish();

  for (const { answer } of turns) {
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect((JSON.parse(body) as { activities: unknown[] }).activities.length).toBeGreaterThan(0);
  }
  const res = await batch;
  expect(res.status).toBe(200);
  expect(((await res.json()) as { results: unknown[] }).results).toHaveLength(1000);
  expect(await server.exited).toEqual({ code: 0, signal: null });
  // Stopped: nothing listens any more.
  await expect(fetch(`${server.base}/healthz`)).rejects.toThrow();
}, 60_000);
