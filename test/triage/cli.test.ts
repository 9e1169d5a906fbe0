/**
 * The triage CLI run for real, as support staff run it (`npm run --silent triage -- …`): standard output
 * carries nothing but results, one per input line or record, in order.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

const ROOT = path.resolve(__dirname, '..', '..');
const LONG_TICKET = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'triage', 'long-ticket.txt'), 'utf8');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function triage(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'triage', '--', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const jsonLines = (stdout: string): Array<Record<string, unknown>> =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let dir = '';
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-cli-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('--jsonl: JSON objects and plain lines in, one JSON object each out, in order; bad lines get an error and the run goes on', async () => {
  const input = [
    JSON.stringify({ id: 'T-1', text: 'my mail bounces with 554 Reject by behaviour spam' }),
    "I can't log in",
    '{"id": "T-3", "text": "unterminated',
    '',
    JSON.stringify({ id: 4, text: LONG_TICKET }),
    JSON.stringify({ id: 'T-6', text: '' }),
    JSON.stringify({ id: 'T-7', text: '我的邮箱账号被冻结了，登录不了' }),
    'what is the weather tomorrow?',
  ].join('\n');
  const run = await triage(['--jsonl'], `${input}\n`);
  expect(run.code).toBe(0);
  const out = jsonLines(run.stdout);
  expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(8);
  expect(out[0]).toMatchObject({ id: 'T-1', category: 'send', problem: 'send-spam-rejected', severity: 'medium', escalate: false, entities: { errorCodes: ['554'] } });
  expect(out[1]).toMatchObject({ id: null, category: 'login', problem: null });
  expect(out[2]).toEqual({ id: null, error: expect.stringMatching(/^not valid JSON/), line: 3 });
  expect(out[3]).toEqual({ id: null, error: 'text is empty', line: 4 });
  expect(out[4]).toMatchObject({ id: 4, category: 'send', problem: 'send-spam-rejected' });
  expect(out[5]).toEqual({ id: 'T-6', error: 'text is empty', line: 6 });
  expect(out[6]).toMatchObject({ id: 'T-7', category: 'login', problem: 'account-frozen', severity: 'high', escalate: true });
  expect(out[7]).toMatchObject({ id: null, category: 'none', problem: 'out-of-scope', severity: 'low' });
  // Warnings went to stderr, naming the lines.
  expect(run.stderr).toContain('triage: line 3: not valid JSON');
});

const TICKETS_CSV = [
  'Ticket ID,Subject,Description,Agent',
  'INC-1,Bounce,"Hi,',
  'the report did not go out, I got this:',
  '""554 Reject by behaviour spam""',
  'Thanks, Li",Kevin',
  'INC-2,Login,"Too many password errors, please try again in 1 hour",Kevin',
  '',
  'INC-3,Empty,,Mei',
  'INC-4,Chinese,我的邮箱账号被冻结了，登录不了,Mei',
  '',
].join('\r\n');

test('--csv --column: quoted multi-line cells read as one ticket each; ids from --id-column', async () => {
  const file = path.join(dir, 'tickets.csv');
  fs.writeFileSync(file, `\uFEFF${TICKETS_CSV}`);
  const run = await triage(['--csv', file, '--column', 'Description', '--id-column', 'Ticket ID']);
  expect(run.code).toBe(0);
  const out = jsonLines(run.stdout);
  expect(out).toHaveLength(4);
  expect(out[0]).toMatchObject({ id: 'INC-1', problem: 'send-spam-rejected' });
  expect(out[1]).toMatchObject({ id: 'INC-2', problem: 'password-locked' });
  expect(out[2]).toEqual({ id: 'INC-3', error: 'text is empty', record: 3 });
  expect(out[3]).toMatchObject({ id: 'INC-4', problem: 'account-frozen' });
});

test('--csv --out: the same CSV with triage columns added, multi-line cells intact; --report prints the table', async () => {
  const file = path.join(dir, 'in.csv');
  const outFile = path.join(dir, 'report.csv');
  fs.writeFileSync(file, TICKETS_CSV);
  const run = await triage(['--csv', file, '--column', 'description', '--out', outFile, '--report']);
  expect(run.code).toBe(0);
  const rows = parse(fs.readFileSync(outFile, 'utf8'), { columns: true }) as Array<Record<string, string>>;
  expect(rows).toHaveLength(4);
  expect(Object.keys(rows[0]).slice(0, 6)).toEqual(['Ticket ID', 'Subject', 'Description', 'Agent', 'triage_category', 'triage_problem']);
  expect(rows[0]).toMatchObject({
    'Ticket ID': 'INC-1',
    Description: 'Hi,\r\nthe report did not go out, I got this:\r\n"554 Reject by behaviour spam"\r\nThanks, Li',
    Agent: 'Kevin',
    triage_category: 'send',
    triage_problem: 'send-spam-rejected',
    triage_severity: 'medium',
    triage_escalate: 'no',
    triage_error_codes: '554',
    triage_sources: 'send.antispam',
    triage_error: '',
  });
  expect(rows[0].triage_next_steps.split('\n')[1]).toBe('Were you sending to many recipients at once (notifications, invitations, newsletters, alerts)? (Yes, a mailing to many people / No, normal business mail)');
  expect(rows[2]).toMatchObject({ 'Ticket ID': 'INC-3', triage_category: '', triage_error: 'text is empty' });
  expect(rows[3]).toMatchObject({ triage_problem: 'account-frozen', triage_severity: 'high', triage_escalate: 'yes', triage_statuses: 'frozen' });

  // With --out the CSV is the result; --report puts only the table on stdout.
  expect(run.stdout).toMatch(/^Triage report: 4 items, 3 triaged, 1 error\n/);
  expect(run.stdout).toMatch(/^login +2 +66\.7% +1 +1$/m);
  expect(run.stdout).toMatch(/^account-frozen +login +high +1 +33\.3% +1$/m);
  expect(run.stdout).toMatch(/^send-spam-rejected +send +medium +1 +33\.3% +0$/m);
});

test('--jsonl --report: the table instead of JSON lines, category-only tickets in their own row', async () => {
  const run = await triage(['--jsonl', '--report'], "I can't log in\n554\n554 Reject by behaviour spam\n{bad\n");
  expect(run.code).toBe(0);
  expect(run.stdout).not.toContain('{');
  expect(run.stdout).toMatch(/^Triage report: 4 items, 3 triaged, 1 error\n/);
  expect(run.stdout).toMatch(/^send +2 +66\.7% +0 +0$/m);
  expect(run.stdout).toMatch(/^\(category only\) +login +medium +1 +33\.3% +0$/m);
});

test('wrong arguments: exit 2, usage on stderr, nothing on stdout; a missing column names the ones there are', async () => {
  const usage = await triage(['--csv', 'x.csv']);
  expect(usage).toMatchObject({ code: 2, stdout: '' });
  expect(usage.stderr).toContain('--csv needs --column NAME');

  const file = path.join(dir, 'cols.csv');
  fs.writeFileSync(file, 'id,body\n1,hello\n');
  const missing = await triage(['--csv', file, '--column', 'text']);
  expect(missing).toMatchObject({ code: 1, stdout: '' });
  expect(missing.stderr).toContain('text column "text" is not in the CSV header (columns: "id", "body")');
});
