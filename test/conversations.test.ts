/**
 * Whole conversations as data: every test/conversations/*.yaml is played through the real HelpdeskBot
 * (real engine, recognizer and dialogs; memory storage; a recording escalation sink).
 *
 *   name: password lock, clients still running, worked
 *   problem: password-locked          # optional: else the tree id the file name starts with
 *   steps:
 *     - user: "Outlook keeps saying too many password errors"
 *       expect: ["1 hour"]            # substrings of this turn's replies, case-insensitive
 *       buttons: ["Yes, or I'm not sure", "No, only the browser"]   # the last reply's buttons, exactly
 *     - user: "Yes, it worked"
 *       end: resolved                 # or escalated
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { loadHelpdeskCore, type HelpdeskCore } from '../src/core';
import { BotHarness, lastButtons, RecordingSink, texts } from './support/bot-harness';
import { RecordingEngine } from './support/recording-engine';

const DIR = path.join(__dirname, 'conversations');

const StepSchema = z
  .object({
    user: z.string(),
    expect: z.union([z.string(), z.array(z.string())]).optional(),
    buttons: z.array(z.string()).optional(),
    end: z.enum(['resolved', 'escalated']).optional(),
    rated: z.union([z.number().int().min(1).max(5), z.literal('none')]).optional(),
  })
  .strict();

const ScriptSchema = z
  .object({
    name: z.string().min(1),
    problem: z.string().min(1).optional(),
    steps: z.array(StepSchema).min(1),
  })
  .strict();

type Script = z.infer<typeof ScriptSchema>;

const files = fs.existsSync(DIR)
  ? fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()
  : [];

let core: HelpdeskCore;
beforeAll(() => {
  core = loadHelpdeskCore();
});

test('there are conversation scripts to run', () => {
  expect(files.length).toBeGreaterThan(0);
});

function readScript(file: string): Script {
  const raw = YAML.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as unknown;
  const parsed = ScriptSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file}: not a valid conversation script:\n  ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ')}`);
  }
  return parsed.data;
}

/** The problem a script is about: its `problem:` field, or the longest tree id its file name starts with. */
function problemOf(file: string, script: Script): string | null {
  if (script.problem) return script.problem;
  const base = path.basename(file).replace(/\.ya?ml$/, '');
  const ids = [...core.catalog.trees.keys()].filter((id) => base === id || base.startsWith(`${id}-`) || base.startsWith(`${id}.`));
  return ids.sort((a, b) => b.length - a.length)[0] ?? null;
}

function quote(lines: readonly string[]): string {
  return lines.map((l) => `    | ${l.replace(/\n/g, '\n    | ')}`).join('\n');
}

const runEach = files.length > 0 ? test.each(files) : test.skip.each(['(no scripts)']);

runEach('%s', async (file) => {
  const script = readScript(file);
  const engine = new RecordingEngine(core.engine);
  const sink = new RecordingSink();
  const bot = new BotHarness({ engine, messages: core.catalog.messages, sink, conversationId: `script-${file}` });
  const transcript: string[] = [];

  const fail = (stepIndex: number, what: string, said: string[], buttons: string[]): never => {
    const step = script.steps[stepIndex];
    throw new Error(
      [
        `${file} ("${script.name}"), step ${stepIndex + 1} of ${script.steps.length}: ${what}`,
        `  user: ${JSON.stringify(step?.user)}`,
        `  bot said:`,
        said.length > 0 ? quote(said) : '    (nothing)',
        `  buttons of the last reply: ${JSON.stringify(buttons)}`,
        transcript.length > 0 ? `  conversation before this step:\n${quote(transcript)}` : '',
      ].join('\n'),
    );
  };

  for (const [i, step] of script.steps.entries()) {
    const callsBefore = sink.calls.length;
    const replies = await bot.send(step.user);
    const said = texts(replies);
    const buttons = lastButtons(replies);
    if (bot.turnErrors.length > 0) fail(i, `the turn threw: ${bot.turnErrors[0]?.message}`, said, buttons);

    const haystack = said.join('\n').toLowerCase();
    const expected = step.expect === undefined ? [] : Array.isArray(step.expect) ? step.expect : [step.expect];
    const missing = expected.filter((e) => !haystack.includes(e.toLowerCase()));
    if (missing.length > 0) fail(i, `expected the replies to contain ${missing.map((m) => JSON.stringify(m)).join(', ')}`, said, buttons);

    if (step.buttons && JSON.stringify(buttons) !== JSON.stringify(step.buttons)) {
      fail(i, `expected the buttons ${JSON.stringify(step.buttons)}`, said, buttons);
    }

    if (step.end) {
      const problem = problemOf(file, script);
      const events = engine.lastEvents;
      if (step.end === 'resolved') {
        const resolved = events.find((e) => e.type === 'resolved');
        if (!resolved) fail(i, `expected the flow to end resolved; engine events: ${JSON.stringify(events.map((e) => e.type))}`, said, buttons);
        if (problem && resolved?.type === 'resolved' && resolved.problem !== problem) {
          fail(i, `expected a resolved event for problem "${problem}", got "${resolved.problem}"`, said, buttons);
        }
      } else {
        const calls = sink.calls.slice(callsBefore);
        if (calls.length === 0) fail(i, `expected an escalation; the sink got none (engine events: ${JSON.stringify(events.map((e) => e.type))})`, said, buttons);
        if (!problem) fail(i, 'cannot tell which problem this script is about: add `problem: <tree id>` or name the file after the tree', said, buttons);
        const problems = calls.map((c) => c.record.problem);
        if (!problems.includes(problem)) fail(i, `expected an escalation of problem "${problem}", the sink got ${JSON.stringify(problems)}`, said, buttons);
      }
    }

    if (step.rated !== undefined) {
      const rated = engine.lastEvents.filter((e) => e.type === 'rated');
      const got = rated.map((e) => (e.type === 'rated' ? e.rating : null));
      const want = step.rated === 'none' ? [] : [step.rated];
      if (JSON.stringify(got) !== JSON.stringify(want)) fail(i, `expected the rating ${JSON.stringify(want)}, the engine emitted ${JSON.stringify(got)}`, said, buttons);
      const problem = problemOf(file, script);
      const wrong = rated.find((e) => e.type === 'rated' && problem && e.problem !== problem);
      if (wrong) fail(i, `expected the rating to be about "${problem}", got ${JSON.stringify(wrong)}`, said, buttons);
    }

    transcript.push(`user: ${step.user}`, ...said.map((s) => `bot: ${s}`));
  }
});
