/**
 * The flow engine: one generic interpreter of troubleshooting trees. `step` takes the stored state and
 * what the user said, and returns channel-neutral replies, the next state and events (resolved,
 * escalated, …). It is pure — no SDK, no I/O, no clock except the injected one — so it runs the same
 * under Teams, web chat, the console and the tests.
 *
 * Order of handling each message: empty → the rating just offered (only a 1–5 answer; anything else goes
 * on) → global commands (restart, back, help, a person) → a pending "Did you mean …?" → the answer to the
 * current question → a new topic → fallback.
 */
import type { Catalog } from '../dialogs/loader';
import { fill, type Messages } from '../dialogs/messages';
import { externalTarget, type EndNode, type EscalateNode, type FixNode, type LoadedTree, type QuestionNode, type TreeNode } from '../dialogs/schema';
import { clarifyTreeId, HUMAN_PROBLEM_ID, MENU_TREE_ID, OUT_OF_SCOPE_PROBLEM_ID } from '../dialogs/taxonomy';
import type { Classification } from '../recognizer/types';
import { detectCommand, isBareYesOrNo, matchChoice, type AnswerWords, type Choice } from './answers';
import { MAX_RATING, MIN_RATING, parseRating } from './rating';
import { appendTranscript, mergeEntities, newState, reviveState } from './state';
import type { ConversationState, EngineEvent, EngineInput, EngineResult, EscalationRecord, FlowPosition, Reply } from './types';

export interface Classifier {
  classify(text: string): Classification;
}

export interface Engine {
  newState(): ConversationState;
  step(state: ConversationState | undefined | null, input: EngineInput): EngineResult;
}

export interface EngineDeps {
  catalog: Catalog;
  recognizer: Classifier;
  now?: () => Date;
}

/** A message longer than this is cut before it is read; the user is told. */
export const MAX_INPUT_CHARS = 20_000;
/** Hand-overs and info steps chained without a question; a guard against a tree that loops. */
const MAX_HOPS = 50;
/** How sure the recognizer must be before a reply that answers no question changes the topic. */
const TOPIC_SWITCH_MIN_CONFIDENCE = 0.55;
/** Fallbacks in a row after which a person is offered. */
const FALLBACKS_BEFORE_ESCALATION = 2;

export function createEngine(deps: EngineDeps): Engine {
  return {
    newState,
    step: (stored, input) => new Turn(deps, stored ? reviveState(stored) : newState()).run(input),
  };
}

/** One turn of one conversation: collects replies and events while it mutates its own copy of the state. */
class Turn {
  private readonly replies: Reply[] = [];
  private readonly events: EngineEvent[] = [];
  private readonly messages: Messages;
  private readonly words: AnswerWords;
  private readonly at: string;

  constructor(private readonly deps: EngineDeps, private readonly state: ConversationState) {
    this.messages = deps.catalog.messages;
    this.words = { yes: this.messages.yesWords, no: this.messages.noWords };
    this.at = (deps.now ?? (() => new Date()))().toISOString();
  }

  run(input: EngineInput): EngineResult {
    if (input.kind === 'welcome') {
      this.say({ kind: 'welcome', text: this.messages.welcome, options: this.messages.welcomeOptions });
    } else {
      this.onText(input.text);
    }
    return { replies: this.replies, state: this.state, events: this.events };
  }

  // ---- one message ----------------------------------------------------------------------------

  private onText(raw: string): void {
    let text = raw.trim();
    if (!text) {
      this.say({ kind: 'prompt', text: this.messages.emptyMessage });
      if (this.state.flow) this.prompt(this.state.flow);
      return;
    }
    if (text.length > MAX_INPUT_CHARS) {
      text = text.slice(0, MAX_INPUT_CHARS);
      this.say({ kind: 'info', text: this.messages.tooLong });
    }
    appendTranscript(this.state, 'user', text, this.at);

    // The rating offer lasts one message: a rating is thanked, anything else is read as a new message.
    const offer = this.state.ratingOffer;
    this.state.ratingOffer = null;
    if (offer) {
      const rating = parseRating(text, this.messages.ratingWords);
      if (rating !== null) return this.onRating(offer.problem, rating);
    }

    const command = detectCommand(text, {
      restart: this.messages.restartWords,
      back: this.messages.backWords,
      help: this.messages.helpWords,
      human: this.messages.humanWords,
    });
    if (command) return this.onCommand(command);
    if (this.state.choices && this.onChoice(text)) return;
    if (this.state.flow) {
      if (this.onAnswer(this.state.flow, text)) return;
      if (this.switchTopic(text)) return;
      return this.fallbackInFlow(text);
    }
    this.route(text);
  }

  private onCommand(command: 'restart' | 'back' | 'help' | 'human'): void {
    const { flow } = this.state;
    switch (command) {
      case 'restart':
        if (flow) this.events.push({ type: 'abandoned', problem: this.state.problem });
        this.endFlow();
        this.say({ kind: 'prompt', text: this.messages.restart, options: this.messages.welcomeOptions });
        return;
      case 'help':
        if (flow) {
          this.say({ kind: 'info', text: this.messages.helpInFlow });
          this.prompt(flow);
        } else {
          this.say({ kind: 'info', text: this.messages.help, options: this.messages.welcomeOptions });
        }
        return;
      case 'back': {
        const previous = this.state.history.pop();
        if (!flow || !previous) {
          this.say({ kind: 'prompt', text: this.messages.nothingToGoBack });
          if (flow) this.prompt(flow);
          return;
        }
        this.state.answers.length = Math.min(this.state.answers.length, previous.answerCount ?? 0);
        this.state.flow = previous;
        this.say({ kind: 'info', text: this.messages.back });
        this.prompt(previous);
        return;
      }
      case 'human':
        if (!flow) return this.startFlow(HUMAN_PROBLEM_ID, this.state.userWords || this.lastUserText());
        this.say({ kind: 'info', text: this.messages.humanRequested });
        this.escalate('The user asked for a person.');
        return;
    }
  }

  // ---- routing a new description --------------------------------------------------------------

  private route(text: string): void {
    // A bare "yes" or "no" answers nothing when no question is open: ask for the problem instead.
    if (isBareYesOrNo(text, this.words)) return this.fallbackNoFlow(text);
    const result = this.deps.recognizer.classify(text);
    this.learn(result);
    switch (result.intent) {
      case 'problem': {
        const rival = result.alternatives[0];
        if (result.ambiguous && rival?.problem && result.problem) {
          this.offerChoices(text, [result.problem, rival.problem]);
          return;
        }
        return this.startFlow(result.problem ?? MENU_TREE_ID, text);
      }
      case 'category': {
        const clarify = clarifyTreeId(result.category);
        return this.startFlow(this.tree(clarify) ? clarify : MENU_TREE_ID, text);
      }
      case 'vague':
        return this.startFlow(MENU_TREE_ID, text);
      case 'out-of-scope':
        return this.startFlow(OUT_OF_SCOPE_PROBLEM_ID, text);
      case 'unknown':
        return this.fallbackNoFlow(text);
    }
  }

  /** Remember what the message told us (codes, clients, role) for later questions. */
  private learn(result: Classification): void {
    mergeEntities(this.state.entities, result.entities);
    const role = result.entities.roles[0];
    if (role === 'postmaster' || role === 'employee') this.state.role = role;
  }

  private offerChoices(text: string, treeIds: string[]): void {
    this.state.choices = treeIds;
    this.state.userWords = text;
    this.say({
      kind: 'question',
      text: this.messages.didYouMean,
      options: [...treeIds.map((id) => this.tree(id)?.title ?? id), this.messages.didYouMeanNeither],
    });
  }

  /** Answers a pending "Did you mean …?"; false when the reply is something else (then routed anew). */
  private onChoice(text: string): boolean {
    const treeIds = this.state.choices ?? [];
    this.state.choices = null;
    const choices: Choice[] = [...treeIds.map((id) => ({ label: this.tree(id)?.title ?? id })), { label: this.messages.didYouMeanNeither }];
    const index = matchChoice(text, choices, this.words);
    if (index === null) return false;
    this.startFlow(index < treeIds.length ? treeIds[index] : MENU_TREE_ID, this.state.userWords);
    return true;
  }

  /** Mid-flow, a reply that answers nothing but clearly names another problem starts that problem. */
  private switchTopic(text: string): boolean {
    const result = this.deps.recognizer.classify(text);
    if (result.confidence < TOPIC_SWITCH_MIN_CONFIDENCE || result.ambiguous) return false;
    const isNewProblem = result.intent === 'problem' && result.problem !== null && result.problem !== this.state.problem && result.problem !== OUT_OF_SCOPE_PROBLEM_ID;
    const isNewCategory = result.intent === 'category' && result.category !== this.state.category;
    if (!isNewProblem && !isNewCategory) return false;
    this.learn(result);
    const target = isNewProblem ? (result.problem as string) : this.tree(clarifyTreeId(result.category)) ? clarifyTreeId(result.category) : MENU_TREE_ID;
    if (this.state.flow) this.events.push({ type: 'abandoned', problem: this.state.problem });
    this.say({ kind: 'info', text: fill(this.messages.topicSwitch, { title: this.tree(target)?.title ?? target }) });
    this.startFlow(target, text);
    return true;
  }

  // ---- running a tree -------------------------------------------------------------------------

  private startFlow(treeId: string, userWords: string): void {
    const tree = this.tree(treeId);
    if (!tree) return this.fallbackNoFlow(userWords);
    const { role, transcript, entities } = this.state;
    Object.assign(this.state, newState(), { role, transcript, entities, userWords });
    this.enterTree(tree);
    this.walk(tree, tree.start);
  }

  private enterTree(tree: LoadedTree): void {
    if (tree.kind === 'problem') this.state.problem = tree.id;
    if (tree.category) this.state.category = tree.category;
  }

  /** Follows `target` (a node id of `startTree`, or `@tree` to hand over) until a node needs an answer or the flow ends. */
  private walk(startTree: LoadedTree, target: string, options: { prefill?: boolean } = {}): void {
    let tree = startTree;
    let next: string | null = target;
    let prefill = options.prefill ?? true;
    for (let hop = 0; hop < MAX_HOPS && next !== null; hop++) {
      const external = externalTarget(next);
      if (external !== null) {
        const handedTo = this.tree(external);
        if (!handedTo) break;
        tree = handedTo;
        this.enterTree(tree);
        next = tree.start;
      }
      const node = tree.nodeById.get(next);
      if (!node) break;
      next = this.visit(tree, node, prefill);
      prefill = true;
      if (next === null) return;
    }
    const nodeId = next ?? '';
    // Only a tree the validator would reject gets here; say so rather than go silent.
    this.say({ kind: 'escalation', text: this.messages.seedsSilent });
    this.escalate(`The flow could not continue at ${tree.id}/${nodeId}.`);
  }

  /** Shows one node. Returns the target to go on to at once, or null when the turn waits for the user. */
  private visit(tree: LoadedTree, node: TreeNode, prefill: boolean): string | null {
    switch (node.type) {
      case 'question': {
        const prefilled = prefill ? this.prefilledOption(node) : null;
        if (prefilled) {
          const option = node.options[prefilled.index];
          this.record(tree, node, option.label, true);
          this.say({ kind: 'info', text: fill(this.messages.prefilled, { value: prefilled.value, answer: option.label }) });
          return option.next;
        }
        this.waitAt(tree, node, 'option');
        return null;
      }
      case 'fix':
        this.waitAt(tree, node, 'worked');
        return null;
      case 'info':
        this.say({ kind: 'info', text: node.text, steps: node.steps, path: node.path, cite: node.cite });
        return node.next;
      case 'role':
        if (this.state.role) return this.state.role === 'postmaster' ? node.postmaster : node.employee;
        this.waitAt(tree, node, 'role');
        return null;
      case 'escalate':
        this.say({ kind: 'escalation', text: node.text, steps: node.steps, cite: node.cite });
        if (node.offer) {
          this.waitAt(tree, node, 'escalate-offer');
        } else {
          this.escalate(node.reason);
        }
        return null;
      case 'end':
        if (node.confirm) {
          this.waitAt(tree, node, 'confirm-end');
        } else {
          this.say({ kind: 'end', text: node.text, steps: node.steps, cite: node.cite });
          this.resolvedWithRating(this.state.problem, node.text);
        }
        return null;
    }
  }

  /** Moves the flow to a node that waits for an answer, and asks. */
  private waitAt(tree: LoadedTree, node: TreeNode, awaiting: FlowPosition['awaiting']): void {
    if (this.state.flow) this.state.history.push(this.state.flow);
    this.state.flow = { treeId: tree.id, nodeId: node.id, awaiting, answerCount: this.state.answers.length };
    this.state.fallbacks = 0;
    this.prompt(this.state.flow);
  }

  /** (Re)asks what the flow waits for at `position`. */
  private prompt(position: FlowPosition): void {
    const node = this.node(position);
    if (!node) return;
    const m = this.messages;
    switch (position.awaiting) {
      case 'option':
        if (node.type === 'question') this.say({ kind: 'question', text: node.text, options: node.options.map((o) => o.label), cite: node.cite });
        return;
      case 'worked':
        if (node.type === 'fix') {
          this.say({ kind: 'fix', text: node.text, steps: node.steps, path: node.path, cite: node.cite });
          this.say({ kind: 'question', text: m.didItWork, options: [m.workedYes, m.workedNo] });
        }
        return;
      case 'role':
        this.say({ kind: 'question', text: m.roleQuestion, options: [m.rolePostmaster, m.roleEmployee] });
        return;
      case 'escalate-offer':
        this.say({ kind: 'question', text: m.escalateOffer, options: [m.escalateYes, m.escalateNo] });
        return;
      case 'confirm-end':
        if (node.type === 'end') {
          this.say({ kind: 'end', text: node.text, steps: node.steps, cite: node.cite });
          this.say({ kind: 'question', text: m.didItAnswer, options: [m.answeredYes, m.answeredNo] });
        }
        return;
    }
  }

  /** Handles a reply to what the flow waits for; false when the reply does not answer it. */
  private onAnswer(position: FlowPosition, text: string): boolean {
    const tree = this.tree(position.treeId);
    const node = this.node(position);
    if (!tree || !node) {
      this.endFlow();
      return false;
    }
    const m = this.messages;
    const pick = (choices: Choice[]) => matchChoice(text, choices, this.words);
    switch (position.awaiting) {
      case 'option': {
        if (node.type !== 'question') return false;
        const index = pick(node.options);
        if (index === null) return false;
        this.record(tree, node, node.options[index].label);
        this.walk(tree, node.options[index].next);
        return true;
      }
      case 'worked': {
        if (node.type !== 'fix') return false;
        const index = pick([{ label: m.workedYes }, { label: m.workedNo }]);
        if (index === null) return false;
        this.record(tree, node, index === 0 ? m.workedYes : m.workedNo);
        this.state.stepsTried.push(`${node.recap} (${index === 0 ? 'worked' : 'did not work'})`);
        if (index === 0) this.resolve(node);
        else this.walk(tree, node.next);
        return true;
      }
      case 'role': {
        const index = pick([
          { label: m.rolePostmaster, match: m.postmasterWords },
          { label: m.roleEmployee, match: m.employeeWords },
        ]);
        if (index === null || node.type !== 'role') return false;
        this.state.role = index === 0 ? 'postmaster' : 'employee';
        this.record(tree, node, index === 0 ? m.rolePostmaster : m.roleEmployee, false, m.roleQuestion);
        this.walk(tree, index === 0 ? node.postmaster : node.employee);
        return true;
      }
      case 'escalate-offer': {
        const index = pick([{ label: m.escalateYes }, { label: m.escalateNo }]);
        if (index === null) return false;
        this.record(tree, node, index === 0 ? m.escalateYes : m.escalateNo, false, m.escalateOffer);
        if (index === 0) {
          this.escalate(reasonOf(node, tree));
        } else {
          this.say({ kind: 'end', text: m.escalateDeclined });
          this.finish({ type: 'abandoned', problem: this.state.problem });
        }
        return true;
      }
      case 'confirm-end': {
        const index = pick([{ label: m.answeredYes }, { label: m.answeredNo }]);
        if (index === null || node.type !== 'end') return false;
        this.record(tree, node, index === 0 ? m.answeredYes : m.answeredNo, false, m.didItAnswer);
        if (index === 0) {
          this.say({ kind: 'resolved', text: m.resolvedInfo });
          this.resolvedWithRating(this.state.problem, node.text);
        } else {
          // The answer did not help: offer a person, at the same node.
          this.waitAt(tree, node, 'escalate-offer');
        }
        return true;
      }
    }
  }

  /** The option whose `prefill` values the conversation already carries, when exactly one does. */
  private prefilledOption(node: QuestionNode): { index: number; value: string } | null {
    const { entities } = this.state;
    const known = new Set([...entities.errorCodes, ...entities.statuses, ...entities.clients, ...entities.roles].map((v) => v.toLowerCase()));
    if (this.state.role) known.add(this.state.role);
    const hits = node.options.flatMap((option, index) => {
      const value = option.prefill?.find((v) => known.has(v.toLowerCase()));
      return value ? [{ index, value }] : [];
    });
    return hits.length === 1 ? hits[0] : null;
  }

  private record(tree: LoadedTree, node: TreeNode, answer: string, prefilled = false, question?: string): void {
    this.state.answers.push({
      treeId: tree.id,
      nodeId: node.id,
      question: question ?? ('text' in node ? node.text : node.id),
      answer,
      ...(prefilled ? { prefilled: true } : {}),
    });
  }

  // ---- endings --------------------------------------------------------------------------------

  private resolve(node: FixNode): void {
    this.say({ kind: 'resolved', text: fill(this.messages.resolved, { recap: node.recap }) });
    this.resolvedWithRating(this.state.problem, node.recap);
  }

  /** A resolved flow ends with the optional rating: its own question, so the recap stays readable. */
  private resolvedWithRating(problem: string | null, recap: string): void {
    this.finish({ type: 'resolved', problem, recap });
    const options = Array.from({ length: MAX_RATING - MIN_RATING + 1 }, (_, i) => String(MIN_RATING + i));
    this.say({ kind: 'question', text: this.messages.ratingOffer, options });
    this.state.ratingOffer = { problem };
  }

  private onRating(problem: string | null, rating: number): void {
    this.events.push({ type: 'rated', problem, rating });
    this.say({ kind: 'end', text: fill(this.messages.ratingThanks, { rating: String(rating) }) });
  }

  private escalate(reason: string): void {
    const problemTree = this.state.problem ? this.tree(this.state.problem) : undefined;
    const title = problemTree?.title ?? this.tree(this.state.flow?.treeId ?? '')?.title ?? 'Mail problem';
    const record: EscalationRecord = {
      problem: this.state.problem,
      category: this.state.category,
      severity: problemTree?.severity ?? 'medium',
      title,
      reason,
      userWords: this.state.userWords || this.lastUserText(),
      answers: [...this.state.answers],
      stepsTried: [...this.state.stepsTried],
      entities: structuredClone(this.state.entities),
      role: this.state.role,
      transcript: [],
      at: this.at,
    };
    this.say({ kind: 'escalation', text: fill(this.messages.escalated, { title }) });
    record.transcript = [...this.state.transcript];
    this.finish({ type: 'escalated', record });
  }

  private finish(event: EngineEvent): void {
    this.events.push(event);
    this.endFlow();
  }

  /** Closes the flow; who the user is stays known, the rest belongs to the finished problem. */
  private endFlow(): void {
    const { role, transcript } = this.state;
    Object.assign(this.state, newState(), { role, transcript });
  }

  // ---- not understood -------------------------------------------------------------------------

  private fallbackInFlow(text: string): void {
    const position = this.state.flow as FlowPosition;
    this.events.push({ type: 'unrecognized', text });
    // The reply may still carry a fact that answers the question ("it's on my iPhone").
    const result = this.deps.recognizer.classify(text);
    this.learn(result);
    const node = this.node(position);
    const tree = this.tree(position.treeId);
    if (position.awaiting === 'option' && node?.type === 'question' && tree) {
      const prefilled = this.prefilledOption(node);
      if (prefilled) {
        const option = node.options[prefilled.index];
        this.record(tree, node, option.label, true);
        this.say({ kind: 'info', text: fill(this.messages.prefilled, { value: prefilled.value, answer: option.label }) });
        this.walk(tree, option.next);
        return;
      }
    }
    this.state.fallbacks += 1;
    if (this.state.fallbacks >= FALLBACKS_BEFORE_ESCALATION) {
      this.say({ kind: 'prompt', text: this.messages.fallbackEscalate, options: this.messages.fallbackEscalateOptions });
      return;
    }
    this.say({ kind: 'prompt', text: this.messages.fallback });
    this.prompt(position);
  }

  private fallbackNoFlow(text: string): void {
    this.events.push({ type: 'unrecognized', text });
    this.state.fallbacks += 1;
    this.state.userWords ||= text;
    if (this.state.fallbacks >= FALLBACKS_BEFORE_ESCALATION) {
      this.say({ kind: 'prompt', text: this.messages.fallbackEscalate, options: this.messages.fallbackEscalateOptions });
    } else {
      this.say({ kind: 'prompt', text: this.messages.fallbackNoFlow, options: this.messages.welcomeOptions });
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private say(reply: Reply): void {
    const clean = Object.fromEntries(Object.entries(reply).filter(([, v]) => v !== undefined)) as unknown as Reply;
    this.replies.push(clean);
    const lines = [reply.text, ...(reply.path ? [reply.path] : []), ...(reply.steps ?? []).map((s, i) => `${i + 1}. ${s}`)];
    appendTranscript(this.state, 'bot', lines.join('\n'), this.at);
  }

  private tree(id: string): LoadedTree | undefined {
    return this.deps.catalog.trees.get(id);
  }

  private node(position: FlowPosition): TreeNode | undefined {
    return this.tree(position.treeId)?.nodeById.get(position.nodeId);
  }

  private lastUserText(): string {
    return [...this.state.transcript].reverse().find((l) => l.from === 'user')?.text ?? '';
  }
}

function reasonOf(node: TreeNode, tree: LoadedTree): string {
  if (node.type === 'escalate') return (node as EscalateNode).reason;
  if (node.type === 'end') return `The answer to "${tree.title}" did not help: ${(node as EndNode).text.slice(0, 120)}`;
  return `Escalated from ${tree.id}/${node.id}.`;
}
