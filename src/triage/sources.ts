/**
 * Where a batch of tickets comes from: JSON lines (or plain lines) on a stream, or a CSV export of a
 * ticket system. Each yields one entry per input line/record, in order, bad ones included, so the output
 * keeps one line per input.
 */
import readline from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { checkText, parseInputLine } from './input';
import type { TriageId } from './types';

/** Where an entry was in the input: a line of JSONL, or a CSV record (with its cells, for --out). */
export type BatchPosition = { line: number } | { record: number; cells: Record<string, string> };

export type BatchEntry = ({ kind: 'item'; id: TriageId; text: string } | { kind: 'error'; id: TriageId; error: string }) & { at: BatchPosition };

/** One entry per line; a blank line is an entry too (an error), so line N of the output answers line N. */
export async function* jsonlEntries(input: Readable): AsyncGenerator<BatchEntry> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    const parsed = parseInputLine(text);
    yield { ...parsed, at: { line } };
  }
}

export class CsvColumnError extends Error {
  constructor(what: string, name: string, headers: string[]) {
    super(`${what} "${name}" is not in the CSV header (columns: ${headers.map((h) => JSON.stringify(h)).join(', ')})`);
    this.name = 'CsvColumnError';
  }
}

export interface CsvOptions {
  /** The column holding the ticket text. */
  column: string;
  /** The column holding the ticket id; by default a column named "id" if there is one, else the record number. */
  idColumn?: string;
  /** Called once with the header, before the first entry. */
  onHeader?: (headers: string[]) => void;
}

/** A header name as given, or else its only case-insensitive match. */
function findColumn(headers: string[], name: string): string | undefined {
  if (headers.includes(name)) return name;
  const loose = headers.filter((h) => h.trim().toLowerCase() === name.trim().toLowerCase());
  return loose.length === 1 ? loose[0] : undefined;
}

/**
 * One entry per CSV record (quoted cells may span lines). A header row is required. Malformed CSV (an
 * unclosed quote) ends the run with the parser's error.
 */
export async function* csvEntries(input: Readable, options: CsvOptions): AsyncGenerator<BatchEntry> {
  let textColumn = '';
  let idColumn: string | undefined;
  let headerError: Error | null = null;
  // Called with the header row even when no record follows, so an empty export still gets its header out.
  const readHeader = (headers: string[]): string[] => {
    try {
      const text = findColumn(headers, options.column);
      if (!text) throw new CsvColumnError('text column', options.column, headers);
      textColumn = text;
      idColumn = findColumn(headers, options.idColumn ?? 'id');
      if (options.idColumn && !idColumn) throw new CsvColumnError('id column', options.idColumn, headers);
      options.onHeader?.(headers);
    } catch (err) {
      headerError = err as Error;
    }
    return headers;
  };
  const parser = parse({ columns: readHeader, bom: true, skip_empty_lines: true, relax_column_count: true });
  let failure: Error | null = null;
  pipeline(input, parser, (err) => {
    if (err) failure = err;
  });
  let index = 0;
  for await (const cells of parser as AsyncIterable<Record<string, string>>) {
    if (headerError) throw headerError;
    index++;
    const rawId = idColumn ? (cells[idColumn] ?? '').trim() : '';
    const id: TriageId = idColumn ? (rawId === '' ? null : rawId) : index;
    const text = checkText(cells[textColumn] ?? '');
    const at = { record: index, cells };
    yield text.ok ? { kind: 'item', id, text: text.value, at } : { kind: 'error', id, error: text.error, at };
  }
  if (headerError) throw headerError;
  if (failure) throw failure;
}
