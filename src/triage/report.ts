/**
 * `--report`: counts of a triage run per category and per problem, as a plain-text table for a terminal.
 */
import type { Severity } from '../dialogs/schema';
import { isTriageError, type TriageOutput } from './types';

interface Row {
  count: number;
  high: number;
  escalate: number;
}

export class TriageReport {
  private total = 0;
  private errors = 0;
  private readonly categories = new Map<string, Row>();
  /** Keyed by "category/problem" so a category-only ticket ("login/—") is its own row. */
  private readonly problems = new Map<string, Row & { category: string; problem: string; severity: Severity }>();

  add(output: TriageOutput): void {
    this.total++;
    if (isTriageError(output)) {
      this.errors++;
      return;
    }
    const bump = (row: Row) => {
      row.count++;
      if (output.severity === 'high') row.high++;
      if (output.escalate) row.escalate++;
    };
    const category = this.categories.get(output.category) ?? { count: 0, high: 0, escalate: 0 };
    this.categories.set(output.category, category);
    bump(category);
    const problem = output.problem ?? '(category only)';
    const key = `${output.category}/${problem}`;
    const row = this.problems.get(key) ?? { count: 0, high: 0, escalate: 0, category: output.category, problem, severity: output.severity };
    this.problems.set(key, row);
    bump(row);
  }

  render(): string {
    const triaged = this.total - this.errors;
    const share = (n: number) => (triaged === 0 ? '' : `${((100 * n) / triaged).toFixed(1)}%`);
    const byCount = <T extends Row>(rows: Iterable<[string, T]>) => [...rows].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
    const out: string[] = [`Triage report: ${this.total} item${this.total === 1 ? '' : 's'}, ${triaged} triaged, ${this.errors} error${this.errors === 1 ? '' : 's'}`, ''];
    out.push(
      ...table(
        ['category', 'count', 'share', 'high', 'escalate'],
        byCount(this.categories).map(([name, r]) => [name, String(r.count), share(r.count), String(r.high), String(r.escalate)]),
      ),
      '',
    );
    out.push(
      ...table(
        ['problem', 'category', 'severity', 'count', 'share', 'escalate'],
        byCount(this.problems).map(([, r]) => [r.problem, r.category, r.severity, String(r.count), share(r.count), String(r.escalate)]),
      ),
    );
    return `${out.join('\n')}\n`;
  }
}

/** Left-aligned text columns, right-aligned number columns, a rule under the header. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === '' || /^[\d.]+%?$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
