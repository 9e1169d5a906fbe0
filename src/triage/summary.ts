/**
 * The one-line summary: the routed tree's `summary` (its title when it has none: a clarifying question,
 * the menu), then the entities a support person scans for — error codes, statuses, clients, domains.
 * Addresses stay out of the line; they are in `entities.emails`.
 */
import type { LoadedTree } from '../dialogs/schema';
import { oneLine } from './next-steps';
import type { TriageEntities } from './types';

/** At most this many values of each kind in the line. */
const PER_KIND = 3;
const MAX_SUMMARY_CHARS = 400;

const LABELS: ReadonlyArray<[keyof TriageEntities, string]> = [
  ['errorCodes', 'error'],
  ['statuses', 'status'],
  ['clients', 'client'],
  ['domains', 'domain'],
];

export function summaryLine(tree: LoadedTree, entities: TriageEntities): string {
  const parts = LABELS.filter(([key]) => entities[key].length > 0).map(([key, label]) => `${label} ${entities[key].slice(0, PER_KIND).join(', ')}`);
  const base = oneLine(tree.summary ?? tree.title, MAX_SUMMARY_CHARS);
  return parts.length > 0 ? `${base} [${parts.join('; ')}]` : base;
}
