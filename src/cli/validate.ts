/**
 * `npm run validate [-- --fail-on-warnings] [-- --dialogs DIR --knowledge DIR]`: checks the trees and the
 * knowledge the bot would load, prints one line per finding, exits 1 on errors.
 */
import path from 'node:path';
import { loadCatalog } from '../dialogs/loader';
import { validateCatalog } from '../dialogs/validator';
import { loadKnowledge } from '../knowledge/knowledge-base';
import { DEFAULT_PATHS } from '../core';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(args: string[]): number {
  const dialogsDir = argValue(args, '--dialogs') ?? DEFAULT_PATHS.dialogs;
  const knowledgeDir = argValue(args, '--knowledge') ?? DEFAULT_PATHS.knowledge;
  const seedsDir = argValue(args, '--seeds') ?? DEFAULT_PATHS.seeds;
  const { catalog, errors } = loadCatalog(dialogsDir);
  const knowledge = loadKnowledge(knowledgeDir);
  const report = catalog ? validateCatalog(catalog, knowledge, { seedsDir }) : { errors: [], warnings: [] };
  const allErrors = [...errors, ...report.errors];
  for (const line of allErrors) console.error(`error: ${line}`);
  for (const line of report.warnings) console.error(`warning: ${line}`);
  const failOnWarnings = args.includes('--fail-on-warnings');
  const failed = allErrors.length > 0 || (failOnWarnings && report.warnings.length > 0);
  const trees = catalog?.trees.size ?? 0;
  console.log(`${failed ? 'invalid' : 'valid'}: ${trees} trees, ${knowledge.sections.size} knowledge sections in ${path.relative(process.cwd(), dialogsDir) || '.'}; ${allErrors.length} errors, ${report.warnings.length} warnings`);
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
