/**
 * Per-tree cues (`cues:` in a dialog file): regular expressions for what word order says and a bag of
 * words cannot — "how do I disable IMAP for the sales team" asks for a policy, "what does Closed mean"
 * asks what a status means. A cue only weighs a problem the triggers already found; it never adds one.
 */
import type { LoadedTree } from '../dialogs/schema';
import { compilePatterns, matchesAny } from './patterns';

export type TreeCues = ReadonlyMap<string, { for: readonly RegExp[]; against: readonly RegExp[] }>;

export function compileTreeCues(trees: readonly LoadedTree[]): TreeCues {
  return new Map(trees.filter((t) => t.cues.for.length + t.cues.against.length > 0).map((t) => [t.id, { for: compilePatterns(t.cues.for), against: compilePatterns(t.cues.against) }]));
}

/** Scales the evidence of trees whose cues match the (normalised) message. */
export function weighCues(evidence: Map<string, { score: number }>, normalizedText: string, cues: TreeCues, config: { cueBoost: number; cuePenalty: number }): void {
  for (const [treeId, e] of evidence) {
    const treeCues = cues.get(treeId);
    if (!treeCues) continue;
    if (matchesAny(treeCues.for, normalizedText)) e.score = Math.min(1, e.score * config.cueBoost);
    if (matchesAny(treeCues.against, normalizedText)) e.score *= config.cuePenalty;
  }
}
