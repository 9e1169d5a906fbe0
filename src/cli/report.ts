/**
 * `npm run report`: the helpdesk numbers of a period from DATA_DIR/tickets.sqlite — conversations,
 * resolved by the bot, escalated, abandoned, per problem, per day, and what the bot did not understand.
 *
 *   npm run --silent report                         the last 30 days
 *   npm run --silent report -- --days 7
 *   npm run --silent report -- --from 2024-05-01 --to 2024-06-01    [from, to), UTC days
 *   npm run --silent report -- --json               the same as one JSON object
 *
 * Exit code 0; 1 when there is no tickets database; 2 for wrong arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config';
import { TICKETS_FILE } from '../tickets/create';
import { formatStats, helpdeskStats } from '../tickets/metrics';
import { TicketStore } from '../tickets/ticket-store';

const DAY_MS = 86_400_000;

interface Args {
  from: Date;
  to: Date;
  json: boolean;
}

function parseArgs(argv: readonly string[], now: Date): Args | string {
  let days = 30;
  let from: Date | null = null;
  let to: Date | null = null;
  let json = false;
  const date = (v: string | undefined): Date | null => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? new Date(`${v}T00:00:00Z`) : null);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--days') {
      days = Number(argv[++i]);
      if (!Number.isInteger(days) || days < 1) return '--days takes a whole number of days (1 or more)';
    } else if (arg === '--from' || arg === '--to') {
      const d = date(argv[++i]);
      if (!d) return `${arg} takes a date such as 2024-05-01`;
      if (arg === '--from') from = d;
      else to = d;
    } else return `unknown argument ${arg}`;
  }
  const end = to ?? now;
  return { from: from ?? new Date(end.getTime() - days * DAY_MS), to: end, json };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2), new Date());
  if (typeof args === 'string') {
    console.error(`report: ${args}\nusage: npm run report -- [--days N | --from YYYY-MM-DD --to YYYY-MM-DD] [--json]`);
    return 2;
  }
  const config = loadConfig();
  const file = path.join(config.dataDir, TICKETS_FILE);
  if (!fs.existsSync(file)) {
    console.error(`report: no ${file} yet (it is created when the bot first starts)`);
    return 1;
  }
  const store = new TicketStore(file);
  try {
    const stats = helpdeskStats(store, args.from, args.to);
    process.stdout.write(args.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
  } finally {
    store.close();
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
