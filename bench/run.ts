/**
 * `npm run bench`: every figure beside a reference measured in the same run (the machine is shared and
 * noisy), printed as a table and written to bench/results.json.
 *
 * - reference: a fixed CPU task (JSON round trip of a fixed 20 KB payload), timed before each section;
 * - recognizer: p50/p99 per message and problem accuracy, with the shipped trees and with ×10 and ×100 as
 *   many (synthetic-trees.ts); the larger scales classify a sample of the labelled set within a time budget;
 * - server: autocannon (10 connections, 5 s) on full bot turns through /api/messages and through the
 *   built-in Direct Line, on a bare restify handler that echoes the same JSON, and on the botbuilder floor
 *   (the smallest CloudAdapter + ActivityHandler bot, answering with one text: what the SDK alone costs a
 *   turn, as its samples serve it and with the app's client reuse), all in one process
 *   (bench/server-under-test.ts: the app wired as src/main.ts wires it); each target is warmed up for a
 *   second first, and the echo, /api/messages and the floor are measured twice, alternately, each keeping
 *   its better run (the machine is shared: a neighbour's burst should not decide the ratio);
 * - memory: bytes of stored state per conversation, process RSS with 10,000 stored conversations;
 * - triage: tickets per second through the CLI on 10,000 lines (bench/triage-throughput.ts).
 *
 * `-- --quick` shortens every section (for a smoke run); `-- --no-recognizer` leaves the recognizer section out;
 * `-- --minimal-app` wires the app as the server section did before 2026-11-23 (no ticket desk, logging silent).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { loadHelpdeskCore, type HelpdeskCore } from '../src/core';
import type { ConversationState } from '../src/engine/types';
import { createRecognizer } from '../src/recognizer/recognizer';
import { SqliteStorage } from '../src/storage';
import { loadLabelled, type LabelledMessage } from './labelled-set';
import { scaleCatalog } from './synthetic-trees';

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.argv.includes('--quick');
const MINIMAL_APP = process.argv.includes('--minimal-app');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

// ---- reference ---------------------------------------------------------------------------------------

const PAYLOAD = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, text: `ticket ${i} about mail`, tags: ['a', 'b', 'c'], n: i * 1.5 })) };

/** Median milliseconds of one JSON round trip of PAYLOAD (about 20 KB): the yardstick of this machine right now. */
function referenceMs(): number {
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const start = process.hrtime.bigint();
    JSON.parse(JSON.stringify(PAYLOAD));
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return quantile(times.sort((a, b) => a - b), 0.5);
}

// ---- recognizer ----------------------------------------------------------------------------------------

interface RecognizerRow {
  scale: number;
  trees: number;
  triggers: number;
  buildMs: number;
  messages: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  problemAccuracy: number;
  /** The same messages with the shipped trees only: what the synthetic trees cost in accuracy. */
  problemAccuracyAtScale1: number;
  referenceMs: number;
  p99PerReference: number;
}

function benchRecognizer(core: HelpdeskCore, items: LabelledMessage[], scale: number, budgetMs: number): RecognizerRow {
  const reference = referenceMs();
  const catalog = scaleCatalog(core.catalog, scale);
  const started = Date.now();
  const recognizer = createRecognizer(catalog);
  const buildMs = Date.now() - started;
  // A sample spread over the whole set (every split and language), for the scales that take longer.
  const step = scale >= 100 ? 10 : scale >= 10 ? 3 : 1;
  const sample = items.filter((_, i) => i % step === 0);
  for (const item of sample.slice(0, 20)) recognizer.classify(item.text);
  const times: number[] = [];
  let correct = 0;
  let correctAt1 = 0;
  const until = Date.now() + budgetMs;
  for (const item of sample) {
    if (Date.now() > until) break;
    const start = process.hrtime.bigint();
    const result = recognizer.classify(item.text);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.problem === item.problem) correct++;
    if (core.recognizer.classify(item.text).problem === item.problem) correctAt1++;
  }
  times.sort((a, b) => a - b);
  const trees = [...catalog.trees.values()];
  const p99 = quantile(times, 0.99);
  return {
    scale,
    trees: trees.length,
    triggers: trees.reduce((n, t) => n + t.triggers.length + t.errors.length, 0),
    buildMs,
    messages: times.length,
    p50Ms: round(quantile(times, 0.5)),
    p99Ms: round(p99),
    maxMs: round(times[times.length - 1] ?? NaN),
    problemAccuracy: round(correct / times.length, 4),
    problemAccuracyAtScale1: round(correctAt1 / times.length, 4),
    referenceMs: round(reference, 4),
    p99PerReference: round(p99 / reference, 0),
  };
}

// ---- server --------------------------------------------------------------------------------------------

interface LoadRow {
  target: string;
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Throughput as a share of the bare echo handler's in the same run. */
  ofEcho: number;
}

interface Ports {
  app: number;
  echo: number;
  /** The botbuilder floor: /api/messages as the SDK's samples serve it, /reusing-clients/api/messages with the app's authentication. */
  floor: number;
}

async function startServerUnderTest(): Promise<{ ports: Ports; stop: () => Promise<void> }> {
  const args = ['--import', 'tsx', path.join(__dirname, 'server-under-test.ts'), ...(MINIMAL_APP ? ['--minimal'] : [])];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server under test did not start in 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`server under test exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    ports: JSON.parse(line) as Ports,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function activityBody(conversationId: string): string {
  return JSON.stringify({
    type: 'message',
    channelId: 'bench',
    serviceUrl: 'http://127.0.0.1/',
    deliveryMode: 'expectReplies',
    from: { id: 'bench-user' },
    recipient: { id: 'bot' },
    conversation: { id: conversationId },
    text: 'too many password errors, please try again in 1 hour',
  });
}

async function load(name: string, options: autocannon.Options): Promise<Omit<LoadRow, 'ofEcho'>> {
  // Warm-up: the JIT, lazily built caches and the first SQLite pages, for every target alike.
  await autocannon({ connections: 10, duration: 1, ...options });
  const result = await autocannon({ connections: 10, duration: QUICK ? 2 : 5, ...options });
  return { target: name, requestsPerSecond: round(result.requests.average, 0), p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** The better of two runs (by throughput): the one a neighbour on the shared machine disturbed less. */
function better<T extends { requestsPerSecond: number }>(a: T, b: T): T {
  return b.requestsPerSecond > a.requestsPerSecond ? b : a;
}

async function benchServer(): Promise<{ rows: LoadRow[]; referenceMs: number; app: string; ofFloor: { stock: number; reusingClients: number } }> {
  const reference = referenceMs();
  const { ports, stop } = await startServerUnderTest();
  try {
    const app = `http://127.0.0.1:${ports.app}`;
    const echoOptions: autocannon.Options = { url: `http://127.0.0.1:${ports.echo}/echo`, method: 'POST', headers: { 'content-type': 'application/json' }, body: activityBody('echo') };
    // A new conversation per request ([<id>] is autocannon's unique id): a full first turn each time.
    const messagesOptions: autocannon.Options = { url: `${app}/api/messages`, method: 'POST', headers: { 'content-type': 'application/json' }, body: activityBody('bench-[<id>]'), idReplacement: true };
    // The botbuilder floor with the same requests (body, deliveryMode, a new conversation each).
    const floorOptions = (route: string): autocannon.Options => ({ ...messagesOptions, url: `http://127.0.0.1:${ports.floor}${route}` });
    const FLOOR = 'botbuilder floor: CloudAdapter echo bot';
    const FLOOR_REUSING = '  the same, clients reused as the app';
    // Alternately, twice each: echo, bot, floor, floor reusing clients; then again.
    let echo = await load('bare restify echo', echoOptions);
    let messages = await load('bot turn, /api/messages', messagesOptions);
    let floor = await load(FLOOR, floorOptions('/api/messages'));
    let floorReusing = await load(FLOOR_REUSING, floorOptions('/reusing-clients/api/messages'));
    echo = better(echo, await load('bare restify echo', echoOptions));
    messages = better(messages, await load('bot turn, /api/messages', messagesOptions));
    floor = better(floor, await load(FLOOR, floorOptions('/api/messages')));
    floorReusing = better(floorReusing, await load(FLOOR_REUSING, floorOptions('/reusing-clients/api/messages')));

    // Direct Line: 100 started conversations, posted to in turn.
    const conversations: Array<{ conversationId: string; token: string }> = [];
    for (let i = 0; i < 100; i++) {
      const { token } = (await (await fetch(`${app}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string };
      const started = (await (await fetch(`${app}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { conversationId: string };
      conversations.push({ conversationId: started.conversationId, token });
    }
    let next = 0;
    const dlBody = JSON.stringify({ type: 'message', from: { id: 'bench' }, text: 'too many password errors, please try again in 1 hour' });
    const directLine = await load('bot turn, Direct Line', {
      url: app,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            const c = conversations[next++ % conversations.length] as { conversationId: string; token: string };
            return { ...req, path: `/v3/directline/conversations/${c.conversationId}/activities`, headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: dlBody };
          },
        },
      ],
    });
    const rows = [echo, floor, floorReusing, messages, directLine].map((r) => ({ ...r, ofEcho: round(r.requestsPerSecond / echo.requestsPerSecond, 3) }));
    const ofFloor = { stock: round(messages.requestsPerSecond / floor.requestsPerSecond, 3), reusingClients: round(messages.requestsPerSecond / floorReusing.requestsPerSecond, 3) };
    return { rows, referenceMs: round(reference, 4), app: MINIMAL_APP ? 'minimal: no ticket desk, logging silent' : 'as src/main.ts: ticket desk, info logs to a file', ofFloor };
  } finally {
    await stop();
  }
}

// ---- memory --------------------------------------------------------------------------------------------

interface MemoryRow {
  conversations: number;
  stateJsonBytes: number;
  sqliteBytesPerConversation: number;
  rssBeforeMb: number;
  rssAfterMb: number;
  memoryStorageRssAfterMb: number;
}

async function benchMemory(core: HelpdeskCore): Promise<MemoryRow> {
  const count = QUICK ? 1_000 : 10_000;
  // A typical stored conversation: the state after three real turns, as ConversationState keeps it.
  let state: ConversationState | undefined;
  for (const text of ['too many password errors, please try again in 1 hour', 'No, only the browser', 'No, still broken']) state = core.engine.step(state, { kind: 'text', text }).state;
  const item = { helpdesk: state };
  const stateJsonBytes = Buffer.byteLength(JSON.stringify(item));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-memory-'));
  const rssBefore = process.memoryUsage().rss;
  try {
    const storage = new SqliteStorage(path.join(dir, 'state.sqlite'));
    for (let i = 0; i < count; i += 500) {
      const batch: Record<string, unknown> = {};
      for (let j = i; j < Math.min(count, i + 500); j++) batch[`msteams/conversations/c-${j}/`] = { ...item };
      await storage.write(batch as Record<string, Record<string, unknown>>);
    }
    storage.close();
    const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
    const rssAfter = process.memoryUsage().rss;
    // The same conversations in botbuilder's MemoryStorage (STORAGE=memory) stay in the heap.
    const { MemoryStorage } = await import('botbuilder');
    const memory = new MemoryStorage();
    for (let j = 0; j < count; j++) await memory.write({ [`msteams/conversations/c-${j}/`]: { ...item } });
    return {
      conversations: count,
      stateJsonBytes,
      sqliteBytesPerConversation: Math.round(bytes / count),
      rssBeforeMb: round(rssBefore / 2 ** 20, 1),
      rssAfterMb: round(rssAfter / 2 ** 20, 1),
      memoryStorageRssAfterMb: round(process.memoryUsage().rss / 2 ** 20, 1),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- triage --------------------------------------------------------------------------------------------

async function benchTriage(): Promise<{ lines: number; ticketsPerSecond: number; ticketsPerSecondWithoutStartup: number; referenceMs: number }> {
  const reference = referenceMs();
  const lines = QUICK ? 1_000 : 10_000;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'triage-throughput.ts'), '--lines', String(lines)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`triage bench exited with ${code}`))));
  });
  const match = /(\d+) tickets\/s including start-up, (\d+) tickets\/s without/.exec(output);
  return { lines, ticketsPerSecond: Number(match?.[1]), ticketsPerSecondWithoutStartup: Number(match?.[2]), referenceMs: round(reference, 4) };
}

// ---- main ----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const core = loadHelpdeskCore();
  const items = loadLabelled();
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, Node ${process.version}; reference = median ms of one 20 KB JSON round trip\n`);

  // First, while the process holds only the shipped trees (the ×100 recognizer alone takes hundreds of MB).
  const memory = await benchMemory(core);

  const recognizer: RecognizerRow[] = [];
  for (const scale of process.argv.includes('--no-recognizer') ? [] : [1, 10, 100]) {
    const row = benchRecognizer(core, items, scale, QUICK ? 5_000 : scale === 1 ? 120_000 : 60_000);
    recognizer.push(row);
  }
  console.log('recognizer      trees  triggers  build ms  messages  p50 ms  p99 ms  max ms  p99/ref  accuracy (same msgs, ×1)');
  for (const r of recognizer) {
    console.log(
      `×${String(r.scale).padEnd(13)} ${String(r.trees).padStart(6)}  ${String(r.triggers).padStart(8)}  ${String(r.buildMs).padStart(8)}  ${String(r.messages).padStart(8)}  ${r.p50Ms.toFixed(2).padStart(6)}  ${r.p99Ms.toFixed(1).padStart(6)}  ${r.maxMs.toFixed(0).padStart(6)}  ${String(r.p99PerReference).padStart(7)}  ${(r.problemAccuracy * 100).toFixed(1)} % (${(r.problemAccuracyAtScale1 * 100).toFixed(1)} %)`,
    );
  }

  const server = await benchServer();
  console.log(`\nserver (autocannon, 10 connections)     req/s   p99 ms  non-2xx  errors  of echo   (reference ${server.referenceMs} ms)`);
  for (const r of server.rows) console.log(`${r.target.padEnd(38)} ${String(r.requestsPerSecond).padStart(6)}  ${String(r.p99Ms).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}  ${(r.ofEcho * 100).toFixed(0).padStart(5)} %`);
  console.log(`bot turn, /api/messages: ${(server.ofFloor.stock * 100).toFixed(0)} % of the botbuilder floor (${(server.ofFloor.reusingClients * 100).toFixed(0)} % of the floor reusing clients)`);

  console.log(`\nmemory: ${memory.stateJsonBytes} bytes of state JSON per conversation, ${memory.sqliteBytesPerConversation} bytes of SQLite per conversation; RSS ${memory.rssBeforeMb} MB → ${memory.rssAfterMb} MB with ${memory.conversations} conversations in SQLite, ${memory.memoryStorageRssAfterMb} MB after the same in MemoryStorage too`);

  const triage = await benchTriage();
  console.log(`\ntriage CLI: ${triage.lines} lines, ${triage.ticketsPerSecond} tickets/s (${triage.ticketsPerSecondWithoutStartup} without start-up); reference ${triage.referenceMs} ms`);

  const results = { measuredAt: new Date().toISOString(), machine: { cpus: cpus.length, model: cpus[0]?.model ?? null, node: process.version }, quick: QUICK, recognizer, server, memory, triage };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten: bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exitCode = 1;
});
