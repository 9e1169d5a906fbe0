/**
 * The Teams app package: built from the real teams/ folder into a temp dir, unzipped, its manifest
 * checked against the published schema, its icons' sizes and colours checked; and what stops a build.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import yauzl from 'yauzl';
import { drawIcons, iconProblems, ICON_SIZES } from '../../../src/channels/teams/icons';
import { fillManifest, validateManifest, type ManifestValues } from '../../../src/channels/teams/manifest';
import { buildTeamsPackage, TeamsPackageError } from '../../../src/channels/teams/package';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const TEAMS_DIR = path.join(REPO_ROOT, 'teams');
const VALUES: ManifestValues = {
  botId: '0f3c4e5a-1b2c-4d3e-8f9a-0b1c2d3e4f5a',
  appId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  domain: 'helpdesk.example.com',
  version: '0.1.0',
};

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-package-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every entry of a zip file: name → bytes. */
function unzip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** A copy of teams/ to break in a test. */
function copyOfTeamsDir(): string {
  const dir = path.join(tmp, 'teams');
  fs.cpSync(TEAMS_DIR, dir, { recursive: true });
  return dir;
}

describe('the package built from teams/', () => {
  test('holds a schema-valid manifest and the two icons at its root, with the ids and domain from configuration', async () => {
    const outFile = path.join(tmp, 'out', 'alimail-helpdesk.zip');
    const built = await buildTeamsPackage({ sourceDir: TEAMS_DIR, outFile, values: VALUES });
    expect(built.file).toBe(outFile);

    const entries = await unzip(outFile);
    expect([...entries.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);

    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}') as Record<string, unknown> & {
      bots: { botId: string; scopes: string[]; commandLists: { commands: { title: string }[] }[] }[];
      developer: Record<string, string>;
    };
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest['manifestVersion']).toBe('1.17');
    expect(manifest['id']).toBe(VALUES.appId);
    expect(manifest['version']).toBe('0.1.0');
    expect(manifest.bots[0]?.botId).toBe(VALUES.botId);
    expect(manifest.bots[0]?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(manifest['validDomains']).toEqual(['helpdesk.example.com']);
    expect(manifest.developer['websiteUrl']).toBe('https://helpdesk.example.com/');
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);
    const titles = manifest.bots[0]?.commandLists[0]?.commands.map((c) => c.title);
    expect(titles).toEqual(expect.arrayContaining(["I can't log in", "I can't send mail", 'help']));

    const color = PNG.sync.read(entries.get('color.png') ?? Buffer.alloc(0));
    const outline = PNG.sync.read(entries.get('outline.png') ?? Buffer.alloc(0));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    // Outline: white where anything shows, transparent elsewhere, and both present.
    const alphas = new Set<number>();
    for (let i = 0; i < outline.data.length; i += 4) {
      const a = outline.data[i + 3] ?? 0;
      alphas.add(a);
      if (a > 0) expect([outline.data[i], outline.data[i + 1], outline.data[i + 2]]).toEqual([255, 255, 255]);
    }
    expect(alphas.has(0) && alphas.has(255)).toBe(true);
  });

  test('the same inputs give the same bytes', async () => {
    const a = path.join(tmp, 'a.zip');
    const b = path.join(tmp, 'b.zip');
    await buildTeamsPackage({ sourceDir: TEAMS_DIR, outFile: a, values: VALUES });
    await buildTeamsPackage({ sourceDir: TEAMS_DIR, outFile: b, values: VALUES });
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
  });

  test('the shipped icons are the ones drawIcons makes (npm run teams:icons restores them)', () => {
    const drawn = drawIcons();
    expect(fs.readFileSync(path.join(TEAMS_DIR, 'color.png')).equals(drawn.color)).toBe(true);
    expect(fs.readFileSync(path.join(TEAMS_DIR, 'outline.png')).equals(drawn.outline)).toBe(true);
  });
});

describe('what stops a build (and writes nothing)', () => {
  async function problemsOf(options: Partial<Parameters<typeof buildTeamsPackage>[0]>): Promise<string[]> {
    const outFile = path.join(tmp, 'never.zip');
    try {
      await buildTeamsPackage({ sourceDir: TEAMS_DIR, outFile, values: VALUES, ...options });
    } catch (err) {
      expect(err).toBeInstanceOf(TeamsPackageError);
      expect(fs.existsSync(outFile)).toBe(false);
      return (err as TeamsPackageError).problems;
    }
    throw new Error('the package was built');
  }

  test('no bot id or domain in the configuration: each variable is named', async () => {
    const problems = await problemsOf({ values: { ...VALUES, botId: '', appId: '', domain: '' } });
    expect(problems.join('\n')).toMatch(/MicrosoftAppId is not set/);
    expect(problems.join('\n')).toMatch(/PUBLIC_HOSTNAME is not set/);
  });

  test('a bot id that is not a GUID fails the schema, naming the field', async () => {
    const problems = await problemsOf({ values: { ...VALUES, botId: 'my-bot' } });
    expect(problems).toEqual([expect.stringMatching(/bots\.0\.botId: must match pattern/)]);
  });

  test('a template field the schema does not know, or a name too long for Teams', async () => {
    const dir = copyOfTeamsDir();
    const file = path.join(dir, 'manifest.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    template['colour'] = 'orange';
    template['name'] = { short: 'An app name that is far too long for Teams', full: 'x' };
    fs.writeFileSync(file, JSON.stringify(template));
    const problems = await problemsOf({ sourceDir: dir });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/manifest: must NOT have additional properties \(colour\)/),
        expect.stringMatching(/name\.short: must NOT have more than 30 characters/),
      ]),
    );
  });

  test('an unknown placeholder', async () => {
    const dir = copyOfTeamsDir();
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"IT helpdesk"', '"{{company}}"'));
    expect(await problemsOf({ sourceDir: dir })).toEqual([expect.stringMatching(/unknown placeholder \{\{company\}\}/)]);
  });

  test('icons of the wrong size, a coloured outline, a missing icon', async () => {
    const dir = copyOfTeamsDir();
    const big = new PNG({ width: 256, height: 256 });
    fs.writeFileSync(path.join(dir, 'color.png'), PNG.sync.write(big));
    const red = new PNG({ width: 32, height: 32 });
    red.data.fill(0);
    red.data.set([255, 0, 0, 255], 0);
    fs.writeFileSync(path.join(dir, 'outline.png'), PNG.sync.write(red));
    const problems = await problemsOf({ sourceDir: dir });
    expect(problems).toEqual([
      expect.stringMatching(/color icon: 256×256, Teams needs 192×192/),
      expect.stringMatching(/outline icon: Teams needs white on a transparent background/),
    ]);
    fs.rmSync(path.join(dir, 'outline.png'));
    expect(await problemsOf({ sourceDir: dir })).toEqual(
      expect.arrayContaining([expect.stringMatching(/the outline icon named in the manifest is missing/)]),
    );
  });
});

describe('pieces', () => {
  test('placeholders are filled inside strings only, so a value cannot change the JSON', () => {
    const { manifest } = fillManifest({ a: '{{domain}}', list: ['x {{version}}'], n: 3 }, { ...VALUES, domain: 'a", "b' });
    expect(manifest).toEqual({ a: 'a", "b', list: ['x 0.1.0'], n: 3 });
  });

  test('a manifest without a known manifestVersion is refused plainly', () => {
    expect(validateManifest({})).toEqual(['manifestVersion: missing or not like "1.17"']);
    expect(validateManifest({ manifestVersion: '9.99' })).toEqual(['manifestVersion: no schema for 9.99 (this build checks 1.17)']);
  });

  test('a file that is not a PNG', () => {
    expect(iconProblems('color', Buffer.from('GIF89a'))).toEqual([expect.stringMatching(/^color icon: not a readable PNG/)]);
    expect(ICON_SIZES).toEqual({ color: 192, outline: 32 });
  });
});
