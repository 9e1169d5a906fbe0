/**
 * Loads what every entry point needs — trees, messages, knowledge — and builds the recognizer and the
 * engine over them. The bot, triage, the console chat and the tests all start here.
 */
import path from 'node:path';
import { loadCatalog, type Catalog } from './dialogs/loader';
import { validateCatalog } from './dialogs/validator';
import { loadKnowledge, type KnowledgeBase } from './knowledge/knowledge-base';
import { createRecognizer, type Recognizer } from './recognizer/recognizer';
import { createEngine, type Engine } from './engine/engine';

const ROOT = path.resolve(__dirname, '..');

export const DEFAULT_PATHS = Object.freeze({
  dialogs: path.join(ROOT, 'dialogs'),
  knowledge: path.join(ROOT, 'knowledge'),
  /** Only used to check that knowledge sources name real seed files; absent in a deployment. */
  seeds: path.resolve(ROOT, '..', 'shared', 'seeds'),
});

export interface HelpdeskCore {
  catalog: Catalog;
  knowledge: KnowledgeBase;
  recognizer: Recognizer;
  engine: Engine;
}

export class InvalidDialogsError extends Error {
  constructor(readonly problems: string[]) {
    super(`dialogs are invalid (run npm run validate):\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … ${problems.length - 20} more` : ''}`);
    this.name = 'InvalidDialogsError';
  }
}

/** Loads and checks the data; refuses to build a bot over broken trees. */
export function loadHelpdeskCore(options: { dialogsDir?: string; knowledgeDir?: string } = {}): HelpdeskCore {
  const { catalog, errors } = loadCatalog(options.dialogsDir ?? DEFAULT_PATHS.dialogs);
  const knowledge = loadKnowledge(options.knowledgeDir ?? DEFAULT_PATHS.knowledge);
  const problems = [...errors, ...(catalog ? validateCatalog(catalog, knowledge).errors : [])];
  if (!catalog || problems.length > 0) throw new InvalidDialogsError(problems);
  const recognizer = createRecognizer(catalog);
  const engine = createEngine({ catalog, recognizer });
  return { catalog, knowledge, recognizer, engine };
}
