/**
 * Structural checks of the loaded trees, beyond what the schema can say: every target exists, every
 * node is reachable, every path can end, every fact is cited, every problem of the taxonomy has its
 * tree. Each finding names the file and the node so a helpdesk author can fix it without reading code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from './loader';
import { externalTarget, type LoadedTree, type TreeNode } from './schema';
import { PROBLEM_CATEGORY, PROBLEM_IDS, categoriesNeedingClarification, clarifyTreeId, MENU_TREE_ID } from './taxonomy';
import { sourceFile, type KnowledgeBase } from '../knowledge/knowledge-base';

export interface ValidationReport {
  errors: string[];
  warnings: string[];
}

/** The targets a node leads to, in order. */
export function targetsOf(node: TreeNode): string[] {
  switch (node.type) {
    case 'question':
      return node.options.map((o) => o.next);
    case 'fix':
    case 'info':
      return [node.next];
    case 'role':
      return [node.postmaster, node.employee];
    case 'escalate':
    case 'end':
      return [];
  }
}

/** Node types that tell facts and so must cite the knowledge they come from. */
const MUST_CITE = new Set<TreeNode['type']>(['fix', 'info']);

function checkTree(tree: LoadedTree, catalog: Catalog, knowledge: KnowledgeBase, report: ValidationReport): void {
  const at = (node?: TreeNode) => (node ? `${tree.file}: node '${node.id}'` : tree.file);
  const { errors, warnings } = report;

  if (tree.kind === 'problem') {
    const category = PROBLEM_CATEGORY[tree.id];
    if (!category) errors.push(`${tree.file}: problem id '${tree.id}' is not in TAXONOMY.md`);
    else if (tree.category !== category) errors.push(`${tree.file}: category '${tree.category ?? '(none)'}' but TAXONOMY.md puts '${tree.id}' in '${category}'`);
    if (!tree.severity) errors.push(`${tree.file}: a problem tree needs a severity (high, medium or low)`);
    if (tree.triggers.length === 0) errors.push(`${tree.file}: a problem tree needs trigger phrases`);
  }
  if (tree.kind === 'clarify') {
    if (!tree.category) errors.push(`${tree.file}: a clarify tree needs a category`);
    else if (tree.id !== clarifyTreeId(tree.category)) errors.push(`${tree.file}: a clarify tree of '${tree.category}' must have id '${clarifyTreeId(tree.category)}'`);
  }

  if (!tree.nodeById.has(tree.start)) errors.push(`${tree.file}: start '${tree.start}' is not a node of this tree`);

  for (const node of tree.nodes) {
    for (const target of targetsOf(node)) {
      const external = externalTarget(target);
      if (external !== null) {
        if (!catalog.trees.has(external)) errors.push(`${at(node)}: unknown next step '${target}' (no tree with id '${external}')`);
      } else if (!tree.nodeById.has(target)) {
        errors.push(`${at(node)}: unknown next step '${target}'`);
      } else if (target === node.id) {
        errors.push(`${at(node)}: leads to itself`);
      }
    }
    if (MUST_CITE.has(node.type) && (!node.cite || node.cite.length === 0)) errors.push(`${at(node)}: missing citation (a ${node.type} step must cite a knowledge section)`);
    for (const id of node.cite ?? []) {
      if (!knowledge.sections.has(id)) errors.push(`${at(node)}: cites unknown knowledge section '${id}'`);
    }
    if (node.type === 'question') {
      const labels = node.options.map((o) => o.label.toLowerCase());
      const twice = labels.find((l, i) => labels.indexOf(l) !== i);
      if (twice) errors.push(`${at(node)}: two options are labelled '${twice}'`);
    }
  }

  // Reachability from the start.
  const reachable = new Set<string>();
  const queue = tree.nodeById.has(tree.start) ? [tree.start] : [];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (reachable.has(id)) continue;
    reachable.add(id);
    const node = tree.nodeById.get(id);
    if (!node) continue;
    for (const target of targetsOf(node)) if (externalTarget(target) === null && tree.nodeById.has(target)) queue.push(target);
  }
  for (const node of tree.nodes) if (!reachable.has(node.id)) errors.push(`${at(node)}: unreachable from start '${tree.start}'`);

  // Every node must be able to reach an exit (escalate, end, or a hand-over to another tree);
  // otherwise the user is caught in a cycle with no way out but "start over".
  const canExit = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const node of tree.nodes) {
      if (canExit.has(node.id)) continue;
      const targets = targetsOf(node);
      // An unknown target is reported above; counting it as an exit avoids a second, misleading error.
      const exits = targets.length === 0 || targets.some((t) => externalTarget(t) !== null || canExit.has(t) || !tree.nodeById.has(t));
      if (exits) {
        canExit.add(node.id);
        grew = true;
      }
    }
  }
  for (const node of tree.nodes) {
    if (reachable.has(node.id) && !canExit.has(node.id)) errors.push(`${at(node)}: cycle without exit (no path from here reaches an escalation, an end or another tree)`);
  }

  if (tree.kind === 'problem' && !tree.nodes.some((n) => n.type === 'escalate') && !tree.nodes.some((n) => targetsOf(n).some((t) => externalTarget(t) !== null))) {
    warnings.push(`${tree.file}: no escalation point: where the steps do not help, the user has nowhere to go`);
  }
}

function checkTriggers(catalog: Catalog, report: ValidationReport): void {
  // Error strings count as triggers: each may route to one place only.
  const owner = new Map<string, string>();
  for (const tree of catalog.trees.values()) {
    for (const trigger of [...tree.triggers, ...tree.errors.filter((e) => !tree.triggers.includes(e))]) {
      const key = trigger.trim().toLowerCase().replace(/\s+/g, ' ');
      const first = owner.get(key);
      if (first && first !== tree.id) report.errors.push(`${tree.file}: trigger "${trigger}" is also a trigger of '${first}' (a phrase must route to one place)`);
      else owner.set(key, tree.id);
    }
  }
}

function checkCoverage(catalog: Catalog, report: ValidationReport): void {
  for (const id of PROBLEM_IDS) if (!catalog.trees.has(id)) report.errors.push(`dialogs: no tree for problem '${id}' of TAXONOMY.md`);
  for (const category of categoriesNeedingClarification()) {
    if (!catalog.trees.has(clarifyTreeId(category))) report.errors.push(`dialogs: no clarifying tree '${clarifyTreeId(category)}' for category '${category}'`);
  }
  if (!catalog.trees.has(MENU_TREE_ID)) report.errors.push(`dialogs: no '${MENU_TREE_ID}' tree (asked when a message is about mail but names no category)`);
}

function checkKnowledge(knowledge: KnowledgeBase, seedsDir: string | null, report: ValidationReport): void {
  report.errors.push(...knowledge.problems);
  if (!seedsDir || !fs.existsSync(seedsDir)) return;
  for (const section of knowledge.sections.values()) {
    const seed = sourceFile(section);
    if (!fs.existsSync(path.join(seedsDir, seed))) report.errors.push(`${section.file}: section '${section.id}' names source '${seed}', which is not a seed document`);
  }
}

export function validateCatalog(catalog: Catalog, knowledge: KnowledgeBase, options: { seedsDir?: string | null } = {}): ValidationReport {
  const report: ValidationReport = { errors: [], warnings: [] };
  for (const tree of catalog.trees.values()) checkTree(tree, catalog, knowledge, report);
  checkTriggers(catalog, report);
  checkCoverage(catalog, report);
  checkKnowledge(knowledge, options.seedsDir ?? null, report);
  return report;
}
