import fs from 'node:fs';
import path from 'node:path';
import { PROBLEM_CATEGORY } from '../../src/dialogs/taxonomy';
import { DEFAULT_PATHS } from '../../src/core';

const TAXONOMY = path.resolve(DEFAULT_PATHS.seeds, '..', 'TAXONOMY.md');

describe('taxonomy', () => {
  // The ids are a contract; the copy in code must not drift from the shared document.
  (fs.existsSync(TAXONOMY) ? test : test.skip)('the problem ids and categories match ../shared/TAXONOMY.md', () => {
    const rows = fs
      .readFileSync(TAXONOMY, 'utf8')
      .split('\n')
      .map((line) => /^\|\s*([a-z]+)\s*\|\s*`([a-z0-9-]+)`\s*\|/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[2], m[1]]);
    expect(Object.fromEntries(rows)).toEqual(PROBLEM_CATEGORY);
  });
});
