/**
 * Where a batch's results go: JSON lines on a stream, a CSV file (the input columns plus triage columns),
 * the --report table. A CLI run writes to one or more of them.
 */
import fs from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import { TRIAGE_COLUMNS, triageCells } from './csv-columns';
import { TriageReport } from './report';
import type { TriageOutput } from './types';

export interface TriageSink {
  write(output: TriageOutput, record?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

/** Writes a chunk, waiting when the stream's buffer is full (a slow pipe must not fill memory). */
export async function writeChunk(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

export function jsonLinesSink(stream: Writable): TriageSink {
  return {
    write: (output) => writeChunk(stream, `${JSON.stringify(output)}\n`),
    close: async () => undefined,
  };
}

/**
 * The CSV with triage columns added. The header comes from the input (`setHeader`, called before the
 * first record); a column of the input that is already a triage column (a re-run) is replaced, not doubled.
 */
export function csvFileSink(file: string): TriageSink & { setHeader(headers: string[]): void } {
  const out = fs.createWriteStream(file);
  let stringifier: Stringifier | null = null;
  const open = (headers: string[]): Stringifier => {
    const triage = new Set<string>(TRIAGE_COLUMNS);
    const columns = [...headers.filter((h) => !triage.has(h)), ...TRIAGE_COLUMNS];
    const s = stringify({ header: true, columns, bom: false });
    s.pipe(out);
    return s;
  };
  return {
    setHeader(headers) {
      stringifier ??= open(headers);
    },
    async write(output, record = {}) {
      stringifier ??= open(Object.keys(record));
      await writeChunkObject(stringifier, { ...record, ...triageCells(output) });
    },
    async close() {
      (stringifier ?? open([])).end();
      await finished(out);
    },
  };
}

async function writeChunkObject(stream: Stringifier, row: Record<string, string>): Promise<void> {
  if (!stream.write(row)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

/** Counts for --report; prints the table on close. */
export function reportSink(stream: Writable): TriageSink {
  const report = new TriageReport();
  return {
    write: async (output) => report.add(output),
    close: () => writeChunk(stream, report.render()),
  };
}
