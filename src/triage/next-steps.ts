/**
 * The first steps of a flow, read off its tree the way the engine would walk it for this message:
 * from `start`, questions the message already answers (an option's `prefill` matches an entity, as in
 * the engine) are passed through, and role branches follow the writer's stated role — an employee
 * unless the text says "I'm the postmaster", because tickets come from employees. The walk stops at the
 * first question the message does not answer, at the first fix, escalation or end, or where the flow
 * hands over to another tree.
 */
import { externalTarget, type LoadedTree, type QuestionNode, type TreeNode } from '../dialogs/schema';
import type { Entities } from '../recognizer/types';

/** At most this many lines of next steps. */
export const MAX_STEP_LINES = 5;
/** A line longer than this is cut at a word boundary. */
export const MAX_LINE_CHARS = 220;
/** Guard against a tree whose info nodes chain in a loop (the validator forbids it; be safe anyway). */
const MAX_HOPS = 30;

export type WalkEnd = 'fix' | 'escalate' | 'end' | 'question' | 'handover' | 'none';

export interface FlowStart {
  lines: string[];
  /** Section ids cited by the nodes the lines come from, in order, without repeats. */
  cites: string[];
  /** What stopped the walk: the first actionable node (fix, escalate, end) or an open question. */
  end: WalkEnd;
}

export type Role = 'postmaster' | 'employee';

/** The role a message states; unstated means employee (see the module comment). */
export function roleOf(entities: Pick<Entities, 'roles'>): Role {
  return entities.roles.includes('postmaster') ? 'postmaster' : 'employee';
}

export function walkFlowStart(tree: LoadedTree, entities: Entities): FlowStart {
  const lines: string[] = [];
  const cites: string[] = [];
  const role = roleOf(entities);
  const known = new Set([...entities.errorCodes, ...entities.statuses, ...entities.clients, ...entities.roles].map((v) => v.toLowerCase()));
  // A node none of whose lines make the cut is not cited either.
  const emit = (node: TreeNode, text: string[]) => {
    if (lines.length >= MAX_STEP_LINES) return;
    lines.push(...text.filter((l) => l.trim().length > 0));
    for (const id of node.cite ?? []) if (!cites.includes(id)) cites.push(id);
  };

  let target: string | undefined = tree.start;
  const seen = new Set<string>();
  let end: WalkEnd = 'none';
  for (let hop = 0; hop < MAX_HOPS && target !== undefined; hop++) {
    if (externalTarget(target) !== null || seen.has(target)) {
      end = 'handover';
      break;
    }
    seen.add(target);
    const node = tree.nodeById.get(target);
    if (!node) break;
    target = undefined;
    switch (node.type) {
      case 'question': {
        const answered = prefilledOption(node, known);
        if (answered) {
          target = answered.next;
          break;
        }
        emit(node, [questionLine(node)]);
        end = 'question';
        break;
      }
      case 'role':
        target = role === 'postmaster' ? node.postmaster : node.employee;
        break;
      case 'info':
        // A lead-in ("What those statuses mean:") says nothing without its steps; otherwise its first sentence.
        emit(node, (node.steps && node.text.trim().endsWith(':') ? node.steps : [firstSentence(node.text)]).map((t) => oneLine(t)));
        target = node.next;
        break;
      case 'fix':
      case 'escalate':
      case 'end':
        emit(node, [node.text, ...('path' in node && node.path ? [node.path] : []), ...(node.steps ?? [])].map((t) => oneLine(t)));
        end = node.type;
        break;
    }
  }
  return { lines: lines.slice(0, MAX_STEP_LINES), cites, end };
}

/** The option whose `prefill` values the message carries, when exactly one does (the engine's rule). */
function prefilledOption(node: QuestionNode, known: ReadonlySet<string>): QuestionNode['options'][number] | null {
  const hits = node.options.filter((o) => o.prefill?.some((v) => known.has(v.toLowerCase())));
  return hits.length === 1 ? hits[0] : null;
}

/** The question and its options on one line; a long text is cut to its last sentence that asks. */
function questionLine(node: QuestionNode): string {
  const options = `(${node.options.map((o) => o.label).join(' / ')})`;
  const text = oneLine(node.text, Number.MAX_SAFE_INTEGER);
  const asked = text.length + 1 + options.length <= MAX_LINE_CHARS ? text : sentences(text).filter((s) => s.includes('?') || s.includes('？')).pop() ?? text;
  return `${oneLine(asked)} ${oneLine(options)}`;
}

/** Sentences, not split inside quotes. */
function sentences(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const first = firstSentence(rest);
    out.push(first.trim());
    rest = rest.slice(first.length).trim();
  }
  return out.filter((s) => s.length > 0);
}

/** The first sentence, not split inside quotes ("… frozen or deleted. Contact the postmaster …"). */
export function firstSentence(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === '“' || c === '”') quoted = c === '“' ? true : c === '”' ? false : !quoted;
    else if (!quoted && /[.!?。！？]/.test(c) && (i + 1 === text.length || /\s/.test(text[i + 1]) || /[。！？]/.test(c))) return text.slice(0, i + 1);
  }
  return text;
}

/** Collapses whitespace and cuts a long line at a word boundary. */
export function oneLine(text: string, max = MAX_LINE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:—-]+$/, '')}…`;
}

/**
 * True when an employee can do nothing about the problem themselves: following every answer of every
 * question and the employee branch of every role node, no `fix` is reachable in this tree — only
 * explanations and escalations. Hand-overs to other trees are not followed (they are other problems).
 */
export function onlyPostmasterCanFix(tree: LoadedTree): boolean {
  const seen = new Set<string>();
  const queue: string[] = [tree.start];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (externalTarget(id) !== null || seen.has(id)) continue;
    seen.add(id);
    const node = tree.nodeById.get(id);
    if (!node) continue;
    switch (node.type) {
      case 'fix':
        return false;
      case 'question':
        queue.push(...node.options.map((o) => o.next));
        break;
      case 'role':
        queue.push(node.employee);
        break;
      case 'info':
        queue.push(node.next);
        break;
      case 'escalate':
      case 'end':
        break;
    }
  }
  return true;
}
