/**
 * The real app (createApp) on 127.0.0.1:0 for the Direct Line and web chat tests: the scripted engine by
 * default, the real core when a test wants the real conversation; memory storage unless a data folder is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'restify';
import { loadConfig, type Config } from '../../src/config';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import type { Messages } from '../../src/dialogs/messages';
import { createApp } from '../../src/server/app';
import { createStorage, memoryStorage, type HelpdeskStorage } from '../../src/storage';
import { loadRealMessages, RecordingSink } from './bot-harness';
import { FakeEngine } from './fake-engine';
import { closeServer, listen } from './http';

/** Signs the built-in endpoint's tokens in tests, so a test can make its own (expired, forged) tokens. */
export const TEST_TOKEN_SECRET = 'test-direct-line-token-secret-0123456789';

export interface RunningApp {
  base: string;
  server: Server;
  storage: HelpdeskStorage;
  config: Readonly<Config>;
  close(): Promise<void>;
}

let realCore: HelpdeskCore | null = null;
/** The real trees, messages and engine, loaded once per test file. */
export function realCoreOnce(): HelpdeskCore {
  realCore ??= loadHelpdeskCore();
  return realCore;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** 'fake' (default): the scripted engine; 'real': the real trees. */
  engine?: 'fake' | 'real';
  /** A data folder: SQLite storage there (conversation state and the Direct Line store). */
  dataDir?: string;
  fetch?: typeof fetch;
  /** Wraps the storage (a slower one, say) before the app gets it. */
  wrapStorage?: (storage: HelpdeskStorage) => HelpdeskStorage;
}

export async function startApp(options: StartOptions = {}): Promise<RunningApp> {
  const env: Record<string, string> = {
    HOST: '127.0.0.1',
    PORT: '0',
    STORAGE: options.dataDir ? 'sqlite' : 'memory',
    LOG_LEVEL: 'silent',
    DIRECT_LINE_TOKEN_SECRET: TEST_TOKEN_SECRET,
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const plainStorage = options.dataDir ? createStorage(config) : memoryStorage();
  const storage = options.wrapStorage ? options.wrapStorage(plainStorage) : plainStorage;
  const messages: Messages = options.engine === 'real' ? realCoreOnce().catalog.messages : loadRealMessages();
  const core =
    options.engine === 'real'
      ? realCoreOnce()
      : { catalog: { trees: { size: 3 }, messages }, engine: new FakeEngine(messages) };
  const { server } = createApp(config, { core, storage, sink: new RecordingSink() });
  const base = await listen(server);
  return {
    base,
    server,
    storage,
    config,
    close: async () => {
      await closeServer(server);
      storage.close();
    },
  };
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-dl-'));
}

export interface Conversation {
  conversationId: string;
  token: string;
  expires_in: number;
  streamUrl: string;
}

export async function generateToken(base: string, body?: unknown): Promise<{ conversationId: string; token: string; expires_in: number }> {
  const res = await fetch(`${base}/v3/directline/tokens/generate`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`tokens/generate answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { conversationId: string; token: string; expires_in: number };
}

/** A token and its started conversation (the bot's welcome is in it by now). */
export async function startConversation(base: string): Promise<Conversation> {
  const { token } = await generateToken(base);
  const res = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 201) throw new Error(`conversations answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Conversation;
}

export interface ActivityJson {
  id: string;
  type: string;
  text?: string;
  from: { id: string; name?: string; role?: string };
  replyToId?: string;
  suggestedActions?: { actions: { title: string; value: string }[] };
  [key: string]: unknown;
}

export async function getActivities(base: string, c: { conversationId: string; token: string }, watermark?: string) {
  const query = watermark === undefined ? '' : `?watermark=${encodeURIComponent(watermark)}`;
  const res = await fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities${query}`, {
    headers: { authorization: `Bearer ${c.token}` },
  });
  return { status: res.status, body: (await res.json()) as { activities: ActivityJson[]; watermark: string } };
}

export function postActivity(base: string, c: { conversationId: string; token: string }, activity: unknown): Promise<Response> {
  return fetch(`${base}/v3/directline/conversations/${c.conversationId}/activities`, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
  });
}

/**
 * The choices an activity offers: its suggested actions, or the buttons of its Adaptive Card (replies
 * with steps are cards on Direct Line).
 */
export function buttonsOf(activity: ActivityJson | undefined): string[] {
  const suggested = (activity?.suggestedActions?.actions ?? []).map((a) => a.value);
  if (suggested.length > 0) return suggested;
  const titles: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record['type'] === 'Action.Submit' && typeof record['title'] === 'string') titles.push(record['title']);
      Object.values(record).forEach(walk);
    }
  };
  walk(activity?.['attachments']);
  return titles;
}

/** What an activity says: its text, or a card's summary. */
export function textOf(activity: ActivityJson | undefined): string {
  if (!activity) return '';
  if (typeof activity.text === 'string' && activity.text !== '') return activity.text;
  return typeof activity['summary'] === 'string' ? activity['summary'] : '';
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
