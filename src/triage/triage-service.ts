/**
 * Triage: a ticket's text → the object support staff read (category, problem, severity, entities, a
 * one-line summary, the first steps, whether to escalate, the knowledge behind it). It routes exactly as
 * the bot does — the same recognizer, then the tree the engine would start (the problem's own, the
 * category's clarifying question, the menu, or out-of-scope) — and reads everything else off that tree.
 */
import type { Catalog } from '../dialogs/loader';
import type { Category, LoadedTree } from '../dialogs/schema';
import { clarifyTreeId, MENU_TREE_ID, OUT_OF_SCOPE_PROBLEM_ID } from '../dialogs/taxonomy';
import type { KnowledgeBase } from '../knowledge/knowledge-base';
import type { Classification, Entities } from '../recognizer/types';
import { walkFlowStart, type FlowStart } from './next-steps';
import { DEFAULT_SEVERITY, OUT_OF_SCOPE_SEVERITY, problemSeverity, shouldEscalate } from './rules';
import { summaryLine } from './summary';
import type { TriageEntities, TriageId, TriageResult } from './types';

export interface TriageCore {
  catalog: Pick<Catalog, 'trees'>;
  knowledge: Pick<KnowledgeBase, 'sections'>;
  recognizer: { classify(text: string): Classification };
}

export interface TriageService {
  triage(text: string, id?: TriageId): TriageResult;
}

export class MissingTreeError extends Error {
  constructor(treeId: string) {
    super(`dialogs have no tree '${treeId}' (run npm run validate)`);
    this.name = 'MissingTreeError';
  }
}

export function createTriageService(core: TriageCore): TriageService {
  const trees = core.catalog.trees;
  const tree = (id: string): LoadedTree => {
    const found = trees.get(id);
    if (!found) throw new MissingTreeError(id);
    return found;
  };
  // The trees every kind of message can land on must exist before the first ticket, not at the 5,000th.
  for (const id of [MENU_TREE_ID, OUT_OF_SCOPE_PROBLEM_ID]) tree(id);

  /** The tree the engine starts for this classification (engine.ts `route`). */
  const routedTree = (c: Classification): LoadedTree => {
    switch (c.intent) {
      case 'problem':
        return c.problem && trees.has(c.problem) ? tree(c.problem) : tree(MENU_TREE_ID);
      case 'category':
        return trees.get(clarifyTreeId(c.category)) ?? tree(MENU_TREE_ID);
      case 'vague':
        return tree(MENU_TREE_ID);
      case 'out-of-scope':
      case 'unknown':
        return tree(OUT_OF_SCOPE_PROBLEM_ID);
    }
  };

  return {
    triage(text: string, id: TriageId = null): TriageResult {
      const c = core.recognizer.classify(text);
      const routed = routedTree(c);
      const outOfScope = routed.id === OUT_OF_SCOPE_PROBLEM_ID;
      const isProblem = routed.kind === 'problem' && !outOfScope;
      const category: Category = outOfScope ? 'none' : c.category;
      const problem = outOfScope ? OUT_OF_SCOPE_PROBLEM_ID : isProblem ? routed.id : null;
      const flow: FlowStart = walkFlowStart(routed, c.entities);
      const entities = publicEntities(c.entities);
      return {
        id,
        category,
        problem,
        confidence: c.confidence,
        alternatives: c.alternatives.map((a) => ({ category: a.category, problem: a.problem, confidence: a.confidence })),
        severity: outOfScope ? OUT_OF_SCOPE_SEVERITY : isProblem ? problemSeverity(routed) : DEFAULT_SEVERITY,
        entities,
        summary: summaryLine(routed, entities),
        nextSteps: flow.lines,
        escalate: isProblem && shouldEscalate(routed, flow),
        sources: flow.cites.filter((s) => core.knowledge.sections.has(s)),
      };
    },
  };
}

/** The five keys of the contract, copied (the recognizer's `roles` stays inside). */
function publicEntities(e: Entities): TriageEntities {
  return { errorCodes: [...e.errorCodes], statuses: [...e.statuses], clients: [...e.clients], domains: [...e.domains], emails: [...e.emails] };
}
