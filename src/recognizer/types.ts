import type { Category } from '../dialogs/schema';

/** Facts pulled out of a message by pattern, independent of which problem it is. */
export interface Entities {
  errorCodes: string[];
  statuses: string[];
  clients: string[];
  domains: string[];
  emails: string[];
  /** "I'm the postmaster" / "I'm just an employee". */
  roles: string[];
}

export interface Candidate {
  category: Category;
  problem: string | null;
  confidence: number;
}

/**
 * What kind of message this is, which decides how the bot proceeds:
 * - `problem`: names a problem → run its tree;
 * - `category`: names only a category ("I can't log in") → ask the category's clarifying question;
 * - `vague`: about mail, but no category ("I have an email problem") → ask what is wrong;
 * - `out-of-scope`: recognisably about something else (weather, a printer);
 * - `unknown`: nothing recognisable (junk, empty, a language we don't read).
 */
export type Intent = 'problem' | 'category' | 'vague' | 'out-of-scope' | 'unknown';

export interface Classification extends Candidate {
  intent: Intent;
  alternatives: Candidate[];
  entities: Entities;
  /** Language detected: 'en', 'zh' or 'mixed'. */
  language: string;
  /** Two candidates are too close to call: ask "Did you mean …?". */
  ambiguous: boolean;
}

export function emptyEntities(): Entities {
  return { errorCodes: [], statuses: [], clients: [], domains: [], emails: [], roles: [] };
}
