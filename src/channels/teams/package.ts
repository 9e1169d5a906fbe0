/**
 * The Teams app package: a zip of manifest.json and the two icons at its root, which a Teams admin
 * uploads (Teams admin center → Manage apps → Upload) or a user sideloads. Nothing is written unless
 * the manifest passes its schema and both icons are what Teams accepts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ZipFile } from 'yazl';
import { iconProblems, type IconKind } from './icons';
import { fillManifest, validateManifest, type ManifestValues } from './manifest';

export const PACKAGE_FILE_NAME = 'alimail-helpdesk.zip';
const TEMPLATE_FILE = 'manifest.json';
/** A fixed time for the zip entries, so the same inputs give the same bytes. */
const ENTRY_TIME = new Date('2024-01-01T00:00:00Z');

export interface TeamsPackageOptions {
  /** The folder with manifest.json (the template) and the icons it names (teams/). */
  sourceDir: string;
  /** Where the zip goes. */
  outFile: string;
  values: ManifestValues;
}

export interface TeamsPackage {
  file: string;
  manifest: Record<string, unknown>;
  /** The zip's entries, in order. */
  entries: string[];
}

export class TeamsPackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Teams app package was not built:\n  ${problems.join('\n  ')}`);
    this.name = 'TeamsPackageError';
  }
}

/** What the configuration lacks for a package: each line names the variable to set. */
export function missingValues(values: ManifestValues): string[] {
  const problems: string[] = [];
  if (!values.botId) problems.push("MicrosoftAppId is not set: the manifest needs the bot's Microsoft App ID (Azure Bot → Configuration).");
  else if (!values.appId) problems.push('TEAMS_APP_ID is empty: set it to the Teams app id, or leave it unset to use MicrosoftAppId.');
  if (!values.domain) problems.push('PUBLIC_HOSTNAME is not set: the manifest needs the host name the bot is reached at (e.g. helpdesk.example.com).');
  return problems;
}

export async function buildTeamsPackage(options: TeamsPackageOptions): Promise<TeamsPackage> {
  const problems = missingValues(options.values);
  if (problems.length > 0) throw new TeamsPackageError(problems);

  const templateFile = path.join(options.sourceDir, TEMPLATE_FILE);
  let template: unknown;
  try {
    template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
  } catch (err) {
    throw new TeamsPackageError([`${templateFile}: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const { manifest, unknownPlaceholders } = fillManifest(template, options.values);
  problems.push(...unknownPlaceholders.map((name) => `${templateFile}: unknown placeholder {{${name}}}`));
  problems.push(...validateManifest(manifest).map((p) => `${templateFile}: ${p}`));

  const icons = (manifest as { icons?: Partial<Record<IconKind, unknown>> }).icons ?? {};
  const files: [string, Buffer][] = [];
  for (const kind of ['color', 'outline'] as const) {
    const name = icons[kind];
    if (typeof name !== 'string') continue; // the schema check has named it
    const file = path.join(options.sourceDir, name);
    if (!fs.existsSync(file)) {
      problems.push(`${file}: the ${kind} icon named in the manifest is missing`);
      continue;
    }
    const bytes = fs.readFileSync(file);
    problems.push(...iconProblems(kind, bytes).map((p) => `${file}: ${p}`));
    files.push([name, bytes]);
  }
  if (problems.length > 0) throw new TeamsPackageError(problems);

  const entries: [string, Buffer][] = [[TEMPLATE_FILE, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)], ...files];
  await writeZip(options.outFile, entries);
  return { file: options.outFile, manifest: manifest as Record<string, unknown>, entries: entries.map(([name]) => name) };
}

function writeZip(outFile: string, entries: readonly [string, Buffer][]): Promise<void> {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const zip = new ZipFile();
  for (const [name, bytes] of entries) zip.addBuffer(bytes, name, { mtime: ENTRY_TIME, mode: 0o100644 });
  return new Promise((resolve, reject) => {
    const out = fs.createWriteStream(outFile);
    out.on('close', () => resolve());
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
    zip.end();
  });
}
