/**
 * `npm run --silent triage -- …`: classify tickets and chat logs the way the bot would route them.
 *
 *   --jsonl                          read standard input: one JSON object {"id", "text"} or one plain line of text per line
 *   --csv FILE --column NAME         read a CSV export (header row required; FILE "-" is standard input)
 *     [--id-column NAME]             the ticket id column (default: a column named "id", else the record number)
 *     [--out FILE]                   write the CSV with triage_* columns added instead of JSON lines
 *   --report                         print counts per category and problem (a table) instead of JSON lines
 *   --quiet                          no progress or warnings on stderr
 *
 * Standard output carries only results: one JSON object per input line or record, in order (an input
 * that cannot be triaged gets {"id", "error", "line"} — "record" for CSV — and the run goes on); with --out nothing (the CSV
 * file is the result); with --report only the table. Progress and warnings go to stderr.
 * Exit codes: 0 done (even with bad lines), 1 could not run (unreadable file, malformed CSV, invalid
 * dialogs), 2 wrong arguments.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadHelpdeskCore } from '../core';
import { createTriageService, type TriageService } from '../triage/triage-service';
import { csvEntries, jsonlEntries, type BatchEntry, type BatchPosition } from '../triage/sources';
import { csvFileSink, jsonLinesSink, reportSink, type TriageSink } from '../triage/sinks';
import type { TriageOutput } from '../triage/types';

const USAGE = `usage: npm run --silent triage -- --jsonl [--report] < tickets.jsonl
       npm run --silent triage -- --csv FILE --column NAME [--id-column NAME] [--out FILE] [--report]
options: --quiet (nothing on stderr), --help`;

/** Progress lines every this many items on a terminal, and every PROGRESS_EVERY_PIPE when stderr is a file or pipe. */
const PROGRESS_EVERY_TTY = 100;
const PROGRESS_EVERY_PIPE = 1000;
/** At most this many bad-input warnings are printed one by one; the rest are counted. */
const MAX_WARNINGS = 10;

class UsageError extends Error {}

interface Options {
  input: { kind: 'jsonl' } | { kind: 'csv'; file: string; column: string; idColumn?: string };
  out?: string;
  report: boolean;
  quiet: boolean;
}

function parseOptions(argv: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      jsonl: { type: 'boolean' },
      csv: { type: 'string' },
      column: { type: 'string' },
      'id-column': { type: 'string' },
      out: { type: 'string' },
      report: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  if (values.jsonl && values.csv !== undefined) throw new UsageError('give --jsonl or --csv FILE, not both');
  if (!values.jsonl && values.csv === undefined) throw new UsageError('give --jsonl (standard input) or --csv FILE --column NAME');
  if (values.csv !== undefined && !values.column) throw new UsageError('--csv needs --column NAME (the column with the ticket text)');
  if (values.jsonl && (values.column || values['id-column'])) throw new UsageError('--column and --id-column go with --csv');
  if (values.out !== undefined && values.csv === undefined) throw new UsageError('--out writes a CSV and goes with --csv');
  return {
    input: values.csv !== undefined ? { kind: 'csv', file: values.csv, column: values.column as string, idColumn: values['id-column'] } : { kind: 'jsonl' },
    out: values.out,
    report: values.report ?? false,
    quiet: values.quiet ?? false,
  };
}

/** Progress and warnings on stderr: a self-updating line on a terminal, a line per thousand otherwise. */
class Progress {
  private count = 0;
  private errors = 0;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  private printed = false;

  constructor(private readonly quiet: boolean) {}

  tick(output: TriageOutput, at: BatchPosition): void {
    this.count++;
    if ('error' in output) {
      this.errors++;
      const where = 'line' in at ? `line ${at.line}` : `record ${at.record}`;
      if (!this.quiet && this.errors <= MAX_WARNINGS) this.print(`triage: ${where}: ${output.error}`);
    }
    if (this.quiet) return;
    if (this.tty && this.count % PROGRESS_EVERY_TTY === 0) {
      process.stderr.write(`\rtriage: ${this.status()}`);
      this.printed = true;
    } else if (!this.tty && this.count % PROGRESS_EVERY_PIPE === 0) {
      this.print(`triage: ${this.status()}`);
    }
  }

  done(): void {
    if (this.quiet) return;
    const more = this.errors > MAX_WARNINGS ? ` (${this.errors - MAX_WARNINGS} more not shown)` : '';
    // Short runs stay silent unless something went wrong; long ones (or a terminal) get a closing line.
    if (this.printed || this.count >= PROGRESS_EVERY_PIPE || this.errors > 0) this.print(`triage: done, ${this.status()}, ${this.errors} with errors${more}`);
  }

  private status(): string {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    return `${this.count} items in ${seconds.toFixed(1)} s (${Math.round(this.count / seconds)}/s)`;
  }

  private print(text: string): void {
    process.stderr.write(`${this.tty && this.printed ? '\r\x1b[K' : ''}${text}\n`);
    this.printed = false;
  }
}

function triageEntry(service: TriageService, entry: BatchEntry): TriageOutput {
  const where = 'line' in entry.at ? { line: entry.at.line } : { record: entry.at.record };
  if (entry.kind === 'error') return { id: entry.id, error: entry.error, ...where };
  try {
    return service.triage(entry.text, entry.id);
  } catch (err) {
    // A bug for one ticket must not cost the other 9,999 their answers.
    return { id: entry.id, error: `could not triage: ${(err as Error).message}`, ...where };
  }
}

async function run(options: Options): Promise<void> {
  const service = createTriageService(loadHelpdeskCore());
  const sinks: TriageSink[] = [];
  const csvOut = options.out !== undefined ? csvFileSink(options.out) : null;
  if (csvOut) sinks.push(csvOut);
  if (options.report) sinks.push(reportSink(process.stdout));
  if (!csvOut && !options.report) sinks.push(jsonLinesSink(process.stdout));

  let entries: AsyncGenerator<BatchEntry>;
  if (options.input.kind === 'jsonl') {
    entries = jsonlEntries(process.stdin);
  } else {
    const { file, column, idColumn } = options.input;
    const input = file === '-' ? process.stdin : fs.createReadStream(file);
    entries = csvEntries(input, { column, idColumn, onHeader: (headers) => csvOut?.setHeader(headers) });
  }

  const progress = new Progress(options.quiet);
  try {
    for await (const entry of entries) {
      const output = triageEntry(service, entry);
      for (const sink of sinks) await sink.write(output, 'cells' in entry.at ? entry.at.cells : undefined);
      progress.tick(output, entry.at);
    }
  } finally {
    for (const sink of sinks) await sink.close();
    progress.done();
  }
}

async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`triage: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    await run(options);
    return 0;
  } catch (err) {
    process.stderr.write(`triage: ${(err as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
