/**
 * Reads dialogs/ into a catalog: every `*.yaml` tree (files starting with `_` are not trees),
 * `_messages.yaml`, `_synonyms.yaml` and `_examples.jsonl`. The bot, the validator and the tests all load through here, so what the
 * validator accepts is exactly what the bot runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { ZodError } from 'zod';
import { TreeSchema, type LoadedTree, type TreeNode } from './schema';
import { MessagesSchema, type Messages } from './messages';
import { loadLexicon, type LexiconData } from './lexicon';
import { loadExamples, type Example } from './examples';

export interface Catalog {
  trees: ReadonlyMap<string, LoadedTree>;
  messages: Messages;
  lexicon: LexiconData;
  /** Labelled example messages (dialogs/_examples.jsonl), for the recognizer's model. */
  examples: readonly Example[];
}

export interface LoadResult {
  catalog: Catalog | null;
  /** One line each, naming the file (and node where there is one). */
  errors: string[];
}

export const MESSAGES_FILE = '_messages.yaml';

export function listTreeFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name) && !entry.name.startsWith('_')) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function parseYaml(file: string, errors: string[]): unknown {
  try {
    const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
    if (doc.errors.length > 0) {
      errors.push(...doc.errors.map((e) => `${file}: YAML: ${e.message.split('\n')[0]}`));
      return undefined;
    }
    return doc.toJS();
  } catch (err) {
    errors.push(`${file}: cannot read: ${(err as Error).message}`);
    return undefined;
  }
}

/** Turns a zod path like ["nodes", 3, "options", 0, "next"] into "node 'ask-clients' options[0].next". */
function describeIssues(file: string, raw: unknown, error: ZodError): string[] {
  const nodes = (raw as { nodes?: Array<{ id?: unknown }> } | undefined)?.nodes;
  return error.issues.map((issue) => {
    const [head, index, ...rest] = issue.path;
    let where = issue.path.join('.') || '(top level)';
    if (head === 'nodes' && typeof index === 'number') {
      const id = nodes?.[index]?.id;
      const name = typeof id === 'string' ? `node '${id}'` : `node #${index + 1}`;
      where = rest.length > 0 ? `${name} ${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}` : name;
    }
    return `${file}: ${where}: ${issue.message}`;
  });
}

export function loadTree(file: string, errors: string[]): LoadedTree | null {
  const raw = parseYaml(file, errors);
  if (raw === undefined) return null;
  const parsed = TreeSchema.safeParse(raw);
  if (!parsed.success) {
    errors.push(...describeIssues(file, raw, parsed.error));
    return null;
  }
  const nodeById = new Map<string, TreeNode>();
  for (const node of parsed.data.nodes) {
    if (nodeById.has(node.id)) errors.push(`${file}: node '${node.id}': duplicate node id`);
    else nodeById.set(node.id, node);
  }
  return { ...parsed.data, file, nodeById };
}

export function loadMessages(dir: string, errors: string[]): Messages | null {
  const file = path.join(dir, MESSAGES_FILE);
  if (!fs.existsSync(file)) {
    errors.push(`${file}: missing (the bot's own sentences live here)`);
    return null;
  }
  const raw = parseYaml(file, errors);
  if (raw === undefined) return null;
  const parsed = MessagesSchema.safeParse(raw);
  if (!parsed.success) {
    errors.push(...parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`));
    return null;
  }
  return parsed.data;
}

/** Loads every tree and the messages; structural checks beyond the schema are the validator's job. */
export function loadCatalog(dir: string): LoadResult {
  const errors: string[] = [];
  if (!fs.existsSync(dir)) return { catalog: null, errors: [`${dir}: dialogs folder not found`] };
  const trees = new Map<string, LoadedTree>();
  for (const file of listTreeFiles(dir)) {
    const tree = loadTree(file, errors);
    if (!tree) continue;
    const twin = trees.get(tree.id);
    if (twin) errors.push(`${file}: tree id '${tree.id}' is also used by ${twin.file}`);
    else trees.set(tree.id, tree);
  }
  const messages = loadMessages(dir, errors);
  const lexicon = loadLexicon(dir, errors);
  const examples = loadExamples(dir, (id) => trees.has(id), errors);
  return { catalog: messages && lexicon ? { trees, messages, lexicon, examples } : null, errors };
}
