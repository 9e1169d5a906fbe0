/**
 * When a ticket waits for the user's answer (the postmaster asked a question and it reached the user's
 * conversation), is their next message that answer? Yes, unless it is clearly something else:
 *
 *   - a command ("start over", "back", "help", "talk to a person"): it does what it always does;
 *   - a new problem: the recognizer names a problem other than the ticket's, surely (confidence at least
 *     NEW_PROBLEM_MIN_CONFIDENCE, not a close call), and the message does not open with yes or no (an
 *     answer such as "no, only in Outlook" mentions things the recognizer knows too).
 *
 * Ticket follow-ups ("my tickets", an id, "add to my ticket: …") and pressed card buttons never get here:
 * the bot handles them first. Everything else, however short ("yes", "my iPhone"), goes onto the ticket.
 */
import { HUMAN_PROBLEM_ID, OUT_OF_SCOPE_PROBLEM_ID } from '../dialogs/taxonomy';
import { detectCommand, yesOrNo, type AnswerWords, type Command } from '../engine/answers';
import type { Classifier } from '../engine/engine';

/** How sure the recognizer must be that a message describes another problem before it is not taken as the answer. */
export const NEW_PROBLEM_MIN_CONFIDENCE = 0.75;

export interface AnswerRuleWords {
  commands: Record<Command, readonly string[]>;
  answers: AnswerWords;
}

export function isAnswerToPostmaster(text: string, ticketProblem: string | null, words: AnswerRuleWords, classifier?: Classifier): boolean {
  if (text.trim() === '') return false;
  if (detectCommand(text, words.commands)) return false;
  if (!classifier || yesOrNo(text, words.answers) !== null) return true;
  const c = classifier.classify(text);
  const otherProblem =
    c.intent === 'problem' &&
    c.problem !== null &&
    c.problem !== ticketProblem &&
    c.problem !== OUT_OF_SCOPE_PROBLEM_ID &&
    c.problem !== HUMAN_PROBLEM_ID &&
    !c.ambiguous &&
    c.confidence >= NEW_PROBLEM_MIN_CONFIDENCE;
  return !otherProblem;
}
