/**
 * The validator over deliberately broken trees (each test breaks one thing) and over the real dialogs/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadCatalog } from '../../src/dialogs/loader';
import { validateCatalog } from '../../src/dialogs/validator';
import { loadKnowledge } from '../../src/knowledge/knowledge-base';
import { DEFAULT_PATHS } from '../../src/core';

const knowledge = loadKnowledge(DEFAULT_PATHS.knowledge);

type RawTree = Record<string, unknown> & { nodes: Array<Record<string, unknown>> };

const goodTree = (): RawTree => ({
  id: 'password-locked',
  kind: 'problem',
  category: 'login',
  title: 'Locked out',
  severity: 'medium',
  triggers: ['too many password errors'],
  start: 'ask',
  nodes: [
    { id: 'ask', type: 'question', text: 'Is an app still running?', options: [{ label: 'Yes', next: 'wait' }, { label: 'No', next: 'escalate' }] },
    { id: 'wait', type: 'fix', text: 'Wait 1 hour.', cite: ['lock.user-fix'], recap: 'You waited.', next: 'escalate' },
    { id: 'escalate', type: 'escalate', text: 'Passing this on.', reason: 'still locked' },
  ],
});

/** Writes a dialogs folder holding the real messages and synonyms plus the given trees; returns the errors. */
function validate(trees: RawTree[], rawFiles: Record<string, string> = {}): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialogs-'));
  for (const name of ['_messages.yaml', '_synonyms.yaml']) fs.copyFileSync(path.join(DEFAULT_PATHS.dialogs, name), path.join(dir, name));
  trees.forEach((tree, i) => fs.writeFileSync(path.join(dir, `tree-${i}.yaml`), YAML.stringify(tree)));
  for (const [name, text] of Object.entries(rawFiles)) fs.writeFileSync(path.join(dir, name), text);
  const { catalog, errors } = loadCatalog(dir);
  const report = catalog ? validateCatalog(catalog, knowledge) : { errors: [], warnings: [] };
  fs.rmSync(dir, { recursive: true, force: true });
  // Coverage of the whole taxonomy is checked by the real-dialogs test; here only the broken tree matters.
  return [...errors, ...report.errors].filter((e) => !e.startsWith('dialogs: no '));
}

describe('validator on broken trees', () => {
  test('a good tree passes', () => {
    expect(validate([goodTree()])).toEqual([]);
  });

  test('unknown next step names file and node', () => {
    const tree = goodTree();
    tree.nodes[1] = { ...tree.nodes[1], next: 'nowhere' };
    expect(validate([tree])).toEqual([expect.stringMatching(/tree-0\.yaml: node 'wait': unknown next step 'nowhere'/)]);
  });

  test('unknown hand-over to another tree', () => {
    const tree = goodTree();
    tree.nodes[1] = { ...tree.nodes[1], next: '@no-such-tree' };
    expect(validate([tree])).toEqual([expect.stringMatching(/node 'wait': unknown next step '@no-such-tree'/)]);
  });

  test('unreachable node', () => {
    const tree = goodTree();
    tree.nodes.push({ id: 'orphan', type: 'escalate', text: 'x', reason: 'y' });
    expect(validate([tree])).toEqual([expect.stringMatching(/node 'orphan': unreachable from start 'ask'/)]);
  });

  test('missing citation on a fix step', () => {
    const tree = goodTree();
    const { cite: _cite, ...uncited } = tree.nodes[1] as Record<string, unknown>;
    tree.nodes[1] = uncited;
    expect(validate([tree])).toEqual([expect.stringMatching(/node 'wait': missing citation/)]);
  });

  test('citation of a section that does not exist', () => {
    const tree = goodTree();
    tree.nodes[1] = { ...tree.nodes[1], cite: ['no.such.section'] };
    expect(validate([tree])).toEqual([expect.stringMatching(/node 'wait': cites unknown knowledge section 'no.such.section'/)]);
  });

  test('cycle without exit', () => {
    const tree = goodTree();
    tree.nodes = [
      { id: 'ask', type: 'question', text: 'Again?', options: [{ label: 'Yes', next: 'wait' }, { label: 'No', next: 'wait' }] },
      { id: 'wait', type: 'fix', text: 'Wait.', cite: ['lock.user-fix'], recap: 'waited', next: 'ask' },
    ];
    const errors = validate([tree]);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/node 'ask': cycle without exit/), expect.stringMatching(/node 'wait': cycle without exit/)]));
  });

  test('duplicate node id', () => {
    const tree = goodTree();
    tree.nodes.push({ ...tree.nodes[2] });
    expect(validate([tree])).toEqual(expect.arrayContaining([expect.stringMatching(/node 'escalate': duplicate node id/)]));
  });

  test('duplicate tree id across files', () => {
    expect(validate([goodTree(), goodTree()])).toEqual([expect.stringMatching(/tree-1\.yaml: tree id 'password-locked' is also used by .*tree-0\.yaml/)]);
  });

  test('problem id not in the taxonomy', () => {
    expect(validate([{ ...goodTree(), id: 'printer-on-fire' }])).toEqual([expect.stringMatching(/problem id 'printer-on-fire' is not in TAXONOMY.md/)]);
  });

  test('category that contradicts the taxonomy', () => {
    expect(validate([{ ...goodTree(), category: 'send' }])).toEqual([expect.stringMatching(/TAXONOMY.md puts 'password-locked' in 'login'/)]);
  });

  test('schema errors name the node and the field', () => {
    const tree = goodTree();
    tree.nodes[0] = { id: 'ask', type: 'question', text: 'Only one option?', options: [{ label: 'Yes', next: 'wait' }] };
    expect(validate([tree])).toEqual([expect.stringMatching(/node 'ask' options: Array must contain at least 2/)]);
    const typo = goodTree();
    typo.nodes[2] = { ...typo.nodes[2], raeson: 'x' };
    expect(validate([typo]).join('\n')).toMatch(/node 'escalate'.*[Uu]nrecognized key.*raeson/);
  });

  test('a trigger claimed by two trees', () => {
    const other = { ...goodTree(), id: 'account-frozen', title: 'Frozen' };
    expect(validate([goodTree(), other])).toEqual([expect.stringMatching(/trigger "too many password errors" is also a trigger of 'password-locked'/)]);
  });

  test('a cue that is not a regular expression names the file and the cue', () => {
    expect(validate([{ ...goodTree(), cues: { for: ['how do i (unlock'] } }]).join('\n')).toMatch(/tree-0\.yaml.*cues\.for\.0: not a valid regular expression/);
  });

  test('an example message naming an unknown problem or category, or not JSON, names the file and line', () => {
    const lines = [
      JSON.stringify({ text: 'locked out after too many tries', category: 'login', problem: 'password-locked' }),
      JSON.stringify({ text: 'something', category: 'login', problem: 'no-such-problem' }),
      JSON.stringify({ text: 'something', category: 'moon', problem: null }),
      '{not json',
      JSON.stringify({ text: '', category: 'login', problem: null }),
    ];
    const errors = validate([goodTree()], { '_examples.jsonl': `${lines.join('\n')}\n` });
    expect(errors).toEqual([
      expect.stringMatching(/_examples\.jsonl:2: problem 'no-such-problem' is not a tree/),
      expect.stringMatching(/_examples\.jsonl:3: category 'moon' is not in the taxonomy/),
      expect.stringMatching(/_examples\.jsonl:4: not JSON/),
      expect.stringMatching(/_examples\.jsonl:5: text:/),
    ]);
  });

  test('YAML syntax errors and duplicate keys name the file', () => {
    expect(validate([], { 'broken.yaml': 'id: x\nid: y\n' })).toEqual([expect.stringMatching(/broken\.yaml: YAML: .*unique/i)]);
  });
});

describe('the real dialogs/', () => {
  test('are valid, cover every taxonomy problem and every category that needs a clarifying question', () => {
    const { catalog, errors } = loadCatalog(DEFAULT_PATHS.dialogs);
    expect(errors).toEqual([]);
    const report = validateCatalog(catalog!, knowledge, { seedsDir: DEFAULT_PATHS.seeds });
    expect(report.errors).toEqual([]);
  });
});
