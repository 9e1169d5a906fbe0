/**
 * The triage contract (issue 4): one object per ticket, the same from the CLI and from POST /api/triage.
 * Field names and ids are a contract with support staff and their tools; see README "Triage".
 */
import type { Category, Severity } from '../dialogs/schema';

/** What a ticket carries, as the recognizer extracted it; always exactly these five keys. */
export interface TriageEntities {
  errorCodes: string[];
  statuses: string[];
  clients: string[];
  domains: string[];
  emails: string[];
}

export interface TriageAlternative {
  category: Category;
  problem: string | null;
  confidence: number;
}

/** An id as the caller gave it (a ticket number or key); `null` when there was none. */
export type TriageId = string | number | null;

export interface TriageResult {
  id: TriageId;
  category: Category;
  /** A problem id of TAXONOMY.md; `null` when the text only names a category (or only says "mail"). */
  problem: string | null;
  confidence: number;
  alternatives: TriageAlternative[];
  severity: Severity;
  entities: TriageEntities;
  /** One line: the tree's summary, then the key entities. */
  summary: string;
  /** The first instructions of the problem's flow (≤ 5 lines), each backed by `sources`. */
  nextSteps: string[];
  escalate: boolean;
  /** Knowledge section ids cited on the nodes `nextSteps` come from. */
  sources: string[];
}

/** The output line for an input that could not be triaged (malformed JSON, empty text, …). */
export interface TriageError {
  id: TriageId;
  error: string;
  /** The input line (JSONL, 1-based). */
  line?: number;
  /** The data record (CSV, 1-based, the header not counted). */
  record?: number;
}

export type TriageOutput = TriageResult | TriageError;

export function isTriageError(output: TriageOutput): output is TriageError {
  return 'error' in output;
}
