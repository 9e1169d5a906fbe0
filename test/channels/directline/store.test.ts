/** Both conversation stores behave the same: ids, watermarks, pages, unknown conversations. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  MemoryConversationStore,
  SqliteConversationStore,
  UnknownConversationError,
  type ConversationStore,
} from '../../../src/channels/directline/store';
import { signingSecret, SIGNING_SECRET_FILE } from '../../../src/channels/directline/tokens';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpdesk-dlstore-'));
  dirs.push(dir);
  return dir;
}

describe.each<[string, () => ConversationStore]>([
  ['memory', () => new MemoryConversationStore()],
  ['sqlite', () => new SqliteConversationStore(path.join(tempDir(), 'directline.sqlite'))],
])('%s store', (_name, make) => {
  let store: ConversationStore;
  beforeEach(() => {
    store = make();
  });
  afterEach(() => store.close());

  test('create once; append numbers activities from 1 with the service id shape', () => {
    expect(store.create({ id: 'c1', userId: 'dl_u', createdAt: '2024-05-01T00:00:00.000Z', locale: 'zh-CN' })).toBe(true);
    expect(store.create({ id: 'c1', userId: 'dl_other', createdAt: '2024-05-01T00:00:00.000Z' })).toBe(false);
    expect(store.get('c1')).toEqual({ id: 'c1', userId: 'dl_u', createdAt: '2024-05-01T00:00:00.000Z', locale: 'zh-CN', lastSeq: 0 });
    const first = store.append('c1', { type: 'message', text: 'a' });
    const second = store.append('c1', { type: 'message', text: 'b' });
    expect(first).toEqual({ seq: 1, activity: { type: 'message', text: 'a', id: 'c1|0000001' } });
    expect(second.activity.id).toBe('c1|0000002');
    expect(store.get('c1')?.lastSeq).toBe(2);
  });

  test('pages: at most `limit` after the watermark; the watermark stays when nothing follows', () => {
    store.create({ id: 'c1', userId: 'u', createdAt: 'now' });
    for (let i = 1; i <= 5; i++) store.append('c1', { type: 'message', text: `m${i}` });
    const page1 = store.list('c1', 0, 2);
    expect(page1.activities.map((a) => a['text'])).toEqual(['m1', 'm2']);
    expect(page1.watermark).toBe(2);
    const page2 = store.list('c1', page1.watermark, 2);
    expect(page2.activities.map((a) => a['text'])).toEqual(['m3', 'm4']);
    const page3 = store.list('c1', page2.watermark, 2);
    expect(page3).toEqual({ activities: [expect.objectContaining({ text: 'm5' })], watermark: 5 });
    expect(store.list('c1', 5, 2)).toEqual({ activities: [], watermark: 5 });
  });

  test('conversations do not mix; an unknown one is an error', () => {
    store.create({ id: 'c1', userId: 'u', createdAt: 'now' });
    store.create({ id: 'c2', userId: 'v', createdAt: 'now' });
    store.append('c1', { text: 'for c1' });
    expect(store.list('c2', 0).activities).toEqual([]);
    expect(() => store.append('nope', { text: 'x' })).toThrow(UnknownConversationError);
    expect(() => store.list('nope', 0)).toThrow(UnknownConversationError);
    expect(store.get('nope')).toBeUndefined();
  });

  test('a stored activity is a copy: changing the returned object changes nothing stored', () => {
    store.create({ id: 'c1', userId: 'u', createdAt: 'now' });
    const { activity } = store.append('c1', { text: 'original', channelData: { n: 1 } });
    activity['text'] = 'changed';
    expect(store.list('c1', 0).activities[0]).toMatchObject({ text: 'original', channelData: { n: 1 } });
  });
});

test('the memory store forgets the least recently used conversations past its cap', () => {
  const store = new MemoryConversationStore(2);
  store.create({ id: 'a', userId: 'u', createdAt: 'now' });
  store.create({ id: 'b', userId: 'u', createdAt: 'now' });
  store.append('a', { text: 'keeps a fresh' });
  store.create({ id: 'c', userId: 'u', createdAt: 'now' });
  expect(store.get('a')).toBeDefined();
  expect(store.get('b')).toBeUndefined();
  expect(store.get('c')).toBeDefined();
});

test('the signing secret: configured wins; else generated once, kept private in DATA_DIR; memory-only without a folder', () => {
  const dir = tempDir();
  expect(signingSecret({ configured: 'x'.repeat(40), dataDir: dir }).toString()).toBe('x'.repeat(40));
  expect(fs.existsSync(path.join(dir, SIGNING_SECRET_FILE))).toBe(false);
  const first = signingSecret({ configured: '', dataDir: dir });
  expect(first.length).toBeGreaterThanOrEqual(32);
  expect(fs.statSync(path.join(dir, SIGNING_SECRET_FILE)).mode & 0o077).toBe(0);
  expect(signingSecret({ configured: '', dataDir: dir }).equals(first)).toBe(true);
  const a = signingSecret({ configured: '', dataDir: null });
  const b = signingSecret({ configured: '', dataDir: null });
  expect(a.equals(b)).toBe(false);
});
