/**
 * The process entry point: starts from the environment, serves, and on SIGTERM stops cleanly
 * (server closed, database closed, exit code 0).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(__dirname, '..', '..');
// node itself with tsx's loader, not the tsx CLI: the CLI runs the server as its child and, when the child
// does not acknowledge a relayed SIGTERM within 30 ms (a busy machine), kills it — exit 143, not the server's 0.
const NODE_ARGS = ['--import', 'tsx', path.join(ROOT, 'src', 'main.ts')];

let child: ChildProcessWithoutNullStreams | null = null;
let dataDir = '';

afterEach(() => {
  if (child && child.exitCode === null && child.pid) child.kill('SIGKILL');
  child = null;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function waitForLine(proc: ChildProcessWithoutNullStreams, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: proc.stdout });
    const seen: string[] = [];
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got:\n${seen.join('\n')}`)), timeoutMs);
    lines.on('line', (line) => {
      seen.push(line);
      if (pattern.test(line)) {
        clearTimeout(timer);
        lines.close();
        resolve(line);
      }
    });
  });
}

test('listens, answers /healthz, and exits 0 on SIGTERM', async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-main-'));
  child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, STORAGE: 'sqlite', LOG_LEVEL: 'info', MicrosoftAppId: '', MicrosoftAppPassword: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await waitForLine(child, /"msg":"listening"/, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\nstderr:\n${stderr}`);
  });
  const listening = JSON.parse(line) as { address: { port: number } };
  const res = await fetch(`http://127.0.0.1:${listening.address.port}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok', storage: { kind: 'sqlite', ok: true } });
  expect(fs.existsSync(path.join(dataDir, 'state.sqlite'))).toBe(true);

  const proc = child;
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test('a bad environment stops it at once with a message naming the variable', async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-main-'));
  child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: { ...process.env, STORAGE: 'redis', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
  });
  const proc = child;
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  expect(code).toBe(1);
  expect(stderr).toContain('STORAGE');
  expect(stderr).not.toMatch(/\n\s+at /);
});
