/**
 * `npm run teams:icons`: draws the default Teams icons (teams/color.png, teams/outline.png). Run it only
 * to restore them; a company's own icons can simply replace the files (teams:package checks them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { drawIcons } from '../channels/teams/icons';

const TEAMS_DIR = path.resolve(__dirname, '..', '..', 'teams');

for (const [kind, png] of Object.entries(drawIcons())) {
  const file = path.join(TEAMS_DIR, `${kind}.png`);
  fs.writeFileSync(file, png);
  console.log(`${path.relative(process.cwd(), file)}: ${png.length} bytes`);
}
