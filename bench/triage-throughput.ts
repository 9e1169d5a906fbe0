/**
 * `npm run bench:triage [-- --lines N]`: the triage CLI's throughput. Builds N input lines (default 10,000)
 * from the texts of test/fixtures/recognizer/labelled.jsonl, repeated — every other line a JSON object
 * with an id, the rest plain text — pipes them through the real CLI (`npm run --silent triage -- --jsonl`)
 * and prints tickets per second, start-up included and without it (a one-line run measures start-up).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadLabelled } from './labelled-set';

const ROOT = path.resolve(__dirname, '..');

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs the CLI on a file as standard input; resolves with the output line count and the wall time. */
function runCli(inputFile: string): Promise<{ lines: number; errors: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('npm', ['run', '--silent', 'triage', '--', '--jsonl', '--quiet'], { cwd: ROOT, stdio: [fs.openSync(inputFile, 'r'), 'pipe', 'inherit'] });
    let lines = 0;
    let errors = 0;
    let rest = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        lines++;
        if ('error' in (JSON.parse(line) as object)) errors++;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`triage exited with ${code}`));
      else resolve({ lines, errors, ms });
    });
  });
}

async function main(args: string[]): Promise<void> {
  const count = Number(argValue(args, '--lines') ?? 10_000);
  const texts = loadLabelled().map((item) => item.text);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triage-bench-'));
  try {
    const input = path.join(dir, 'tickets.jsonl');
    const lines = Array.from({ length: count }, (_, i) => {
      const text = texts[i % texts.length].replace(/\s*\n\s*/g, ' ');
      return i % 2 === 0 ? JSON.stringify({ id: `T-${i + 1}`, text }) : text;
    });
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    const one = path.join(dir, 'one.jsonl');
    fs.writeFileSync(one, `${lines[0]}\n`);

    const startup = await runCli(one);
    const run = await runCli(input);
    if (run.lines !== count) throw new Error(`expected ${count} output lines, got ${run.lines}`);
    const total = count / (run.ms / 1000);
    const steady = count / (Math.max(1, run.ms - startup.ms) / 1000);
    console.log(`${count} tickets (${texts.length} distinct texts, ${run.errors} errors) through npm run --silent triage -- --jsonl`);
    console.log(`wall time ${(run.ms / 1000).toFixed(1)} s, start-up ${(startup.ms / 1000).toFixed(1)} s`);
    console.log(`${total.toFixed(0)} tickets/s including start-up, ${steady.toFixed(0)} tickets/s without (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
