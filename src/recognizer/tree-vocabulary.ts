/**
 * Each tree's whole vocabulary — triggers, title, summary, and the words of its questions and steps —
 * as one weighted bag. A message whose words mostly live in one tree's bag is probably about that
 * tree even when no single trigger matches it well: the trees' own texts say more than their triggers.
 */
import type { LoadedTree, TreeNode } from '../dialogs/schema';
import { tokenize, type Lexicon } from './tokenize';

export interface TreeVocabulary {
  /** Share of the message's weight that each tree's vocabulary explains. */
  explain(tokens: readonly string[]): Map<string, number>;
}

function nodeTexts(node: TreeNode): string[] {
  const texts: string[] = [];
  if ('text' in node) texts.push(node.text);
  if ('steps' in node && node.steps) texts.push(...node.steps);
  if (node.type === 'question') for (const option of node.options) texts.push(option.label, ...(option.match ?? []));
  return texts;
}

export function buildTreeVocabulary(trees: Iterable<LoadedTree>, lexicon: Lexicon): TreeVocabulary {
  const bags = new Map<string, Set<string>>();
  for (const tree of trees) {
    const texts = [...tree.triggers, tree.title, tree.summary ?? '', ...tree.nodes.flatMap(nodeTexts)];
    bags.set(tree.id, new Set(texts.flatMap((t) => tokenize(t, lexicon))));
  }
  const owners = new Map<string, string[]>();
  for (const [treeId, bag] of bags) for (const token of bag) owners.set(token, [...(owners.get(token) ?? []), treeId]);
  const treeCount = Math.max(1, bags.size);
  const idf = new Map<string, number>();
  for (const [token, list] of owners) idf.set(token, Math.log(1 + treeCount / list.length));

  return {
    explain(tokens) {
      const out = new Map<string, number>();
      let total = 0;
      for (const token of tokens) {
        const weight = idf.get(token);
        if (weight === undefined) continue;
        total += weight;
        for (const treeId of owners.get(token) ?? []) out.set(treeId, (out.get(treeId) ?? 0) + weight);
      }
      if (total > 0) for (const [treeId, weight] of out) out.set(treeId, weight / total);
      return out;
    },
  };
}
