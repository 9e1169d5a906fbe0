/**
 * The shape of a troubleshooting tree (dialogs/<category>/<id>.yaml).
 *
 * A tree is data: the engine interprets it, the validator checks it, the recognizer reads its
 * triggers. Adding a problem means adding a file that passes this schema and `npm run validate`.
 */
import { z } from 'zod';

/** A phrase; YAML reads a bare `503` as a number, which is meant as the text "503". */
export const Phrase = z.union([z.string().min(1), z.number()]).transform(String);

/** A regular expression as text; rejected with its own error message when it does not compile. */
export const RegexSource = z.string().min(1).superRefine((source, ctx) => {
  try {
    new RegExp(source, 'u');
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a valid regular expression: ${(err as Error).message}` });
  }
});

/** Where a node or option leads: a node id of the same tree, or `@<tree-id>` to hand over to another tree. */
const Target = z.string().min(1);

const NodeBase = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'node ids are kebab-case'),
  /** Knowledge section ids (knowledge/*.md) that back what this node tells the user. */
  cite: z.array(z.string().min(1)).optional(),
};

export const OptionSchema = z.object({
  /** The button text; also matched against free-text answers. */
  label: z.string().min(1),
  /** More ways a user may say this option in free text (any language). */
  match: z.array(Phrase).optional(),
  /**
   * Entity values (error codes, statuses, clients, roles) that answer this option by themselves:
   * when the conversation already carries one of them, the question is skipped.
   */
  prefill: z.array(Phrase).optional(),
  next: Target,
}).strict();

export const QuestionNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('question'),
  text: z.string().min(1),
  options: z.array(OptionSchema).min(2),
}).strict();

/** Instructions the user carries out; the engine then asks whether they worked. */
export const FixNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('fix'),
  text: z.string().min(1),
  steps: z.array(z.string().min(1)).optional(),
  /** A console path, shown apart from the steps (e.g. on a card). */
  path: z.string().optional(),
  /** What to recap when the user says it worked. */
  recap: z.string().min(1),
  /** Where to go when it did not work. */
  next: Target,
}).strict();

/** Something to tell, then go on at once. */
export const InfoNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('info'),
  text: z.string().min(1),
  steps: z.array(z.string().min(1)).optional(),
  path: z.string().optional(),
  next: Target,
}).strict();

/** Branch on who the user is: a postmaster (mail admin) or an employee. */
export const RoleNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('role'),
  postmaster: Target,
  employee: Target,
}).strict();

/** Hand the case to the postmaster. With `offer`, ask first (an employee may decline). */
export const EscalateNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('escalate'),
  text: z.string().min(1),
  /** What the user should tell or ask the postmaster. */
  steps: z.array(z.string().min(1)).optional(),
  offer: z.boolean().optional(),
  reason: z.string().min(1),
}).strict();

/** The flow ends here without an escalation (e.g. an informational answer). */
export const EndNodeSchema = z.object({
  ...NodeBase,
  type: z.literal('end'),
  text: z.string().min(1),
  steps: z.array(z.string().min(1)).optional(),
  /** End with "Did this answer your question?" (yes → resolved, no → escalation offer). */
  confirm: z.boolean().optional(),
}).strict();

export const NodeSchema = z.discriminatedUnion('type', [
  QuestionNodeSchema,
  FixNodeSchema,
  InfoNodeSchema,
  RoleNodeSchema,
  EscalateNodeSchema,
  EndNodeSchema,
]);

export const CATEGORIES = ['login', 'client', 'send', 'receive', 'outage', 'account', 'dns', 'admin', 'human', 'none'] as const;
export const SEVERITIES = ['high', 'medium', 'low'] as const;

export const TreeSchema = z
  .object({
    /** A problem id of TAXONOMY.md, `clarify-<category>` for a category's clarifying tree, or `menu`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    kind: z.enum(['problem', 'clarify', 'menu']),
    category: z.enum(CATEGORIES).optional(),
    /** Short name, shown on "Did you mean …?" buttons and in escalation summaries. */
    title: z.string().min(1),
    severity: z.enum(SEVERITIES).optional(),
    /** One line for triage output. */
    summary: z.string().min(1).optional(),
    /** Phrases that route a message here: paraphrases, exact error strings, other languages. */
    triggers: z.array(Phrase).default([]),
    /**
     * Exact error strings, codes and statuses from the seeds that signal this problem and no other
     * ("554 Reject by behaviour spam", "AccountBlocked"). Found verbatim anywhere in a message — the
     * bounce line buried in a pasted ticket — they decide. They count as triggers too.
     */
    errors: z.array(Phrase).default([]),
    /**
     * What word order tells and word overlap cannot: regular expressions over the lower-cased message.
     * `for` makes this problem more likely ("how do I disable IMAP for the sales team" is a policy
     * question), `against` less likely. They weigh a match; they never make one.
     */
    cues: z
      .object({ for: z.array(RegexSource).default([]), against: z.array(RegexSource).default([]) })
      .strict()
      .default({}),
    start: z.string().min(1),
    nodes: z.array(NodeSchema).min(1),
  })
  .strict();

export type TreeOption = z.infer<typeof OptionSchema>;
export type TreeNode = z.infer<typeof NodeSchema>;
export type QuestionNode = z.infer<typeof QuestionNodeSchema>;
export type FixNode = z.infer<typeof FixNodeSchema>;
export type Tree = z.infer<typeof TreeSchema>;
export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];

/** A tree as loaded: its file and its nodes indexed by id. */
export interface LoadedTree extends Tree {
  file: string;
  nodeById: ReadonlyMap<string, TreeNode>;
}

/** A target that leaves the tree: `@<tree-id>`. */
export function externalTarget(target: string): string | null {
  return target.startsWith('@') ? target.slice(1) : null;
}
export type EscalateNode = z.infer<typeof EscalateNodeSchema>;
export type EndNode = z.infer<typeof EndNodeSchema>;
