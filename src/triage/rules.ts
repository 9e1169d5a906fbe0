/**
 * Severity and escalation for a triaged ticket: both read off the trees, none hard-wired per problem.
 *
 * Severity:
 * - a problem: its tree's `severity` (written from the seeds' severity notes); a tree without one → medium;
 * - only a category, or only "mail trouble": medium — the category's worst problem would be a guess
 *   (most "I can't log in" tickets are not frozen accounts), and medium makes nobody wait nor jump the queue;
 * - out of scope: low.
 *
 * Escalate (true when any holds; only for problems — a category, vague or out-of-scope ticket is false):
 * 1. the problem is `talk-to-human`;
 * 2. the flow's first actionable node for this ticket is an escalation (see next-steps.ts for the walk);
 * 3. the problem is high severity and only the postmaster can fix it: an employee reaches no `fix`
 *    anywhere in its tree (`onlyPostmasterCanFix`).
 */
import type { LoadedTree, Severity } from '../dialogs/schema';
import { HUMAN_PROBLEM_ID } from '../dialogs/taxonomy';
import { onlyPostmasterCanFix, type FlowStart } from './next-steps';

export const DEFAULT_SEVERITY: Severity = 'medium';
export const OUT_OF_SCOPE_SEVERITY: Severity = 'low';

export function problemSeverity(tree: LoadedTree): Severity {
  return tree.severity ?? DEFAULT_SEVERITY;
}

const postmasterOnly = new WeakMap<LoadedTree, boolean>();

export function shouldEscalate(tree: LoadedTree, flow: FlowStart): boolean {
  if (tree.id === HUMAN_PROBLEM_ID) return true;
  if (flow.end === 'escalate') return true;
  if (problemSeverity(tree) !== 'high') return false;
  let only = postmasterOnly.get(tree);
  if (only === undefined) postmasterOnly.set(tree, (only = onlyPostmasterCanFix(tree)));
  return only;
}
