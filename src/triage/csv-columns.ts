/**
 * `--csv … --out FILE`: the input CSV with triage columns added at the right. Lists become one cell:
 * values joined by "; ", next steps one per line inside the (quoted) cell.
 */
import { isTriageError, type TriageOutput } from './types';

export const TRIAGE_COLUMNS = [
  'triage_category',
  'triage_problem',
  'triage_confidence',
  'triage_severity',
  'triage_escalate',
  'triage_summary',
  'triage_next_steps',
  'triage_alternatives',
  'triage_error_codes',
  'triage_statuses',
  'triage_clients',
  'triage_domains',
  'triage_emails',
  'triage_sources',
  'triage_error',
] as const;

export type TriageColumn = (typeof TRIAGE_COLUMNS)[number];

export function triageCells(output: TriageOutput): Record<TriageColumn, string> {
  const cells = Object.fromEntries(TRIAGE_COLUMNS.map((c) => [c, ''])) as Record<TriageColumn, string>;
  if (isTriageError(output)) {
    cells.triage_error = output.error;
    return cells;
  }
  const list = (values: readonly string[]) => values.join('; ');
  cells.triage_category = output.category;
  cells.triage_problem = output.problem ?? '';
  cells.triage_confidence = String(output.confidence);
  cells.triage_severity = output.severity;
  cells.triage_escalate = output.escalate ? 'yes' : 'no';
  cells.triage_summary = output.summary;
  cells.triage_next_steps = output.nextSteps.join('\n');
  cells.triage_alternatives = list(output.alternatives.map((a) => `${a.problem ?? a.category} (${a.confidence})`));
  cells.triage_error_codes = list(output.entities.errorCodes);
  cells.triage_statuses = list(output.entities.statuses);
  cells.triage_clients = list(output.entities.clients);
  cells.triage_domains = list(output.entities.domains);
  cells.triage_emails = list(output.entities.emails);
  cells.triage_sources = list(output.sources);
  return cells;
}
