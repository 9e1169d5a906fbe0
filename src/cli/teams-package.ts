/**
 * `npm run teams:package [-- --out FILE]`: builds the Teams app package (manifest.json from
 * teams/manifest.json, the two icons) into dist/teams/alimail-helpdesk.zip. The bot id comes from
 * MicrosoftAppId, the app id from TEAMS_APP_ID (else the bot id), the domain from PUBLIC_HOSTNAME.
 * Exits 1, naming each problem, when the configuration or the manifest is not right.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import { buildTeamsPackage, PACKAGE_FILE_NAME, TeamsPackageError } from '../channels/teams/package';

const ROOT = path.resolve(__dirname, '..', '..');

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  try {
    const config = loadConfig();
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const outFile = path.resolve(argValue(args, '--out') ?? path.join(ROOT, 'dist', 'teams', PACKAGE_FILE_NAME));
    const built = await buildTeamsPackage({
      sourceDir: path.join(ROOT, 'teams'),
      outFile,
      values: { botId: config.auth.appId, appId: config.teamsAppId, domain: config.publicHostname, version },
    });
    console.log(`${path.relative(process.cwd(), built.file)}: ${built.entries.join(', ')} (manifest ${String(built.manifest['manifestVersion'])}, valid)`);
    return 0;
  } catch (err) {
    if (err instanceof TeamsPackageError || err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
