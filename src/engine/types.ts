/**
 * The engine's contract with the outside world. Nothing here knows a channel or an SDK: the bot layer
 * turns an incoming activity into an `EngineInput`, and the `Reply` list it gets back into activities.
 */
import type { Category, Severity } from '../dialogs/schema';
import type { Entities } from '../recognizer/types';

export type Role = 'postmaster' | 'employee';

/** What the user did this turn. A button press arrives as text too (buttons send their label). */
export type EngineInput =
  | { kind: 'text'; text: string }
  /** The user joined the conversation (welcome). */
  | { kind: 'welcome' };

export type ReplyKind = 'welcome' | 'question' | 'fix' | 'info' | 'escalation' | 'resolved' | 'end' | 'prompt' | 'error';

/** A channel-neutral reply: the renderer turns it into a message with buttons, a card or plain text. */
export interface Reply {
  kind: ReplyKind;
  text: string;
  /** Numbered instructions. */
  steps?: string[];
  /** A console path (e.g. "Alibaba Mail console → Organizations and Users → Employee Accounts"). */
  path?: string;
  /** Button labels; a button sends its label back as text. */
  options?: string[];
  /** Knowledge section ids behind this reply. */
  cite?: string[];
}

export interface AnswerRecord {
  treeId: string;
  nodeId: string;
  question: string;
  answer: string;
  /** True when the answer came from the user's earlier words, not from a reply to the question. */
  prefilled?: boolean;
}

export interface TranscriptLine {
  from: 'user' | 'bot';
  text: string;
  at: string;
}

/** Everything the postmaster needs to take over, emitted when a flow ends in escalation. */
export interface EscalationRecord {
  problem: string | null;
  category: Category | null;
  severity: Severity;
  title: string;
  reason: string;
  /** The user's own description: the message that started the flow. */
  userWords: string;
  answers: AnswerRecord[];
  stepsTried: string[];
  entities: Entities;
  role: Role | null;
  transcript: TranscriptLine[];
  at: string;
}

export type EngineEvent =
  | { type: 'escalated'; record: EscalationRecord }
  | { type: 'resolved'; problem: string | null; recap: string }
  | { type: 'abandoned'; problem: string | null }
  | { type: 'unrecognized'; text: string }
  /** The user's optional 1–5 answer to "How helpful was this?" after a resolved flow. */
  | { type: 'rated'; problem: string | null; rating: number };

export interface EngineResult {
  replies: Reply[];
  state: ConversationState;
  events: EngineEvent[];
}

/** Where a flow stands: which tree, which node, and what kind of answer the engine waits for. */
export interface FlowPosition {
  treeId: string;
  nodeId: string;
  awaiting: 'option' | 'worked' | 'role' | 'escalate-offer' | 'confirm-end';
  /** How many answers had been given when this position was reached ("back" forgets later ones). */
  answerCount?: number;
}

/**
 * A conversation's state. Plain JSON (it is stored as is by the bot's storage), versioned so a stored
 * state from an older release can be recognised.
 */
export interface ConversationState {
  version: 1;
  flow: FlowPosition | null;
  /** Positions visited in this flow, for "back". */
  history: FlowPosition[];
  /** The problem the current flow is about (kept across clarify → problem hand-over). */
  problem: string | null;
  category: Category | null;
  /** The user's words that started the current flow. */
  userWords: string;
  entities: Entities;
  role: Role | null;
  answers: AnswerRecord[];
  stepsTried: string[];
  /** Consecutive replies the engine did not understand. */
  fallbacks: number;
  /** Pending "Did you mean …?" choice: tree ids in the order of the buttons. */
  choices: string[] | null;
  transcript: TranscriptLine[];
  /**
   * Set when a flow has just ended resolved and the 1–5 rating was offered: the next message may be
   * the rating. Whatever it is, the offer lasts that one message.
   */
  ratingOffer: { problem: string | null } | null;
}
