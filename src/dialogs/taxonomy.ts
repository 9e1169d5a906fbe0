/**
 * The problem ids of ../shared/TAXONOMY.md and their categories. This is a contract with triage users
 * and tests, so it is fixed here rather than derived from whatever trees happen to exist; a test checks
 * that it still matches TAXONOMY.md when that file is at hand.
 */
import type { Category } from './schema';

export const PROBLEM_CATEGORY: Readonly<Record<string, Category>> = Object.freeze({
  'login-page-unreachable': 'login',
  'password-locked': 'login',
  'account-frozen': 'login',
  'third-party-client-blocked': 'client',
  'client-auth-failed': 'client',
  'send-blocked': 'send',
  'send-limit': 'send',
  'send-spam-rejected': 'send',
  'send-recipient-rejected': 'send',
  'send-policy-restricted': 'send',
  'mx-misconfigured': 'receive',
  'receive-filtered': 'receive',
  'receive-sender-issue': 'receive',
  'service-503': 'outage',
  'service-expired': 'account',
  'account-status-info': 'account',
  'spf-missing': 'dns',
  'dns-setup': 'dns',
  'admin-client-policy': 'admin',
  'talk-to-human': 'human',
  'out-of-scope': 'none',
});

export const PROBLEM_IDS: readonly string[] = Object.freeze(Object.keys(PROBLEM_CATEGORY));

/** Categories with more than one problem: a message naming only such a category needs a clarifying question. */
export function categoriesNeedingClarification(): Category[] {
  const counts = new Map<Category, number>();
  for (const category of Object.values(PROBLEM_CATEGORY)) counts.set(category, (counts.get(category) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([category]) => category);
}

export const clarifyTreeId = (category: Category): string => `clarify-${category}`;
export const MENU_TREE_ID = 'menu';
export const HUMAN_PROBLEM_ID = 'talk-to-human';
export const OUT_OF_SCOPE_PROBLEM_ID = 'out-of-scope';
