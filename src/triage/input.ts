/**
 * What counts as a ticket's text and id, checked the same way for the CLI and the HTTP route.
 */
import type { TriageId } from './types';

/** Longest text accepted (UTF-8 bytes); the recognizer reads only the first 20,000 characters anyway. */
export const MAX_TEXT_BYTES = 100 * 1024;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** The error messages name what is wrong, never the text itself (it may be private). */
export function checkText(value: unknown): Checked<string> {
  if (typeof value !== 'string') return { ok: false, error: value === undefined ? 'text is missing' : 'text must be a string' };
  if (value.trim() === '') return { ok: false, error: 'text is empty' };
  if (Buffer.byteLength(value, 'utf8') > MAX_TEXT_BYTES) return { ok: false, error: `text is longer than ${MAX_TEXT_BYTES / 1024} KB` };
  return { ok: true, value };
}

/** Ticket ids are strings or numbers, as a ticket system exports them; absent means null. */
export function checkId(value: unknown): Checked<TriageId> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return { ok: true, value };
  return { ok: false, error: 'id must be a string or a number' };
}

/** One JSONL input line: a JSON object `{"id", "text"}`, or (not starting with "{") the text itself. */
export type ParsedLine = { kind: 'item'; id: TriageId; text: string } | { kind: 'error'; id: TriageId; error: string };

export function parseInputLine(line: string): ParsedLine {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) {
    const text = checkText(line);
    return text.ok ? { kind: 'item', id: null, text: text.value } : { kind: 'error', id: null, error: text.error };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    return { kind: 'error', id: null, error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'error', id: null, error: 'not a JSON object' };
  const record = parsed as Record<string, unknown>;
  const id = checkId(record.id);
  if (!id.ok) return { kind: 'error', id: null, error: id.error };
  const text = checkText(record.text);
  return text.ok ? { kind: 'item', id: id.value, text: text.value } : { kind: 'error', id: id.value, error: text.error };
}
