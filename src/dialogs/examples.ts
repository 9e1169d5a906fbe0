/**
 * dialogs/_examples.jsonl: labelled example messages, one JSON object a line — the recognizer's training data
 * beside the trees' trigger phrases, as Rasa keeps NLU examples beside its stories. Each line names the
 * problem the message is about (`problem`), or only its category (`problem: null` and `category`: the
 * category's clarifying tree). The other fields (language, tags, the labelled set it came from, its split)
 * are read by `npm run bench:accuracy`. The file is optional: without it the recognizer reads triggers only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CATEGORIES, type Category } from './schema';
import { clarifyTreeId } from './taxonomy';

export const EXAMPLES_FILE = '_examples.jsonl';

export interface Example {
  text: string;
  /** The tree the message should reach: a problem, or a category's clarifying tree. */
  treeId: string;
}

const ExampleLine = z.object({ text: z.string().min(1), category: z.string().min(1), problem: z.string().min(1).nullable() }).passthrough();

export function loadExamples(dir: string, isTree: (id: string) => boolean, errors: string[]): Example[] {
  const file = path.join(dir, EXAMPLES_FILE);
  if (!fs.existsSync(file)) return [];
  const examples: Example[] = [];
  fs.readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (!line.trim()) return;
      const where = `${file}:${index + 1}`;
      let parsed;
      try {
        parsed = ExampleLine.safeParse(JSON.parse(line));
      } catch (err) {
        errors.push(`${where}: not JSON (${(err as Error).message})`);
        return;
      }
      if (!parsed.success) {
        errors.push(...parsed.error.issues.map((i) => `${where}: ${i.path.join('.')}: ${i.message}`));
        return;
      }
      const { text, category, problem } = parsed.data;
      if (!(CATEGORIES as readonly string[]).includes(category)) {
        errors.push(`${where}: category '${category}' is not in the taxonomy`);
        return;
      }
      const treeId = problem ?? clarifyTreeId(category as Category);
      // A category with a single problem has no clarifying question, so nothing a category-only message could reach.
      if (problem === null && !isTree(treeId)) return;
      if (!isTree(treeId)) errors.push(`${where}: problem '${problem}' is not a tree in dialogs/`);
      else examples.push({ text, treeId });
    });
  return examples;
}
