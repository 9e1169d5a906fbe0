/**
 * Loads knowledge/*.md: seed facts rewritten as short sections. A section starts with
 * `## <id> — <title>` and carries a `Source: <seed file>, "<part>"` line; its id is what trees cite.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface KnowledgeSection {
  id: string;
  title: string;
  /** The seed file the facts come from (as named on the Source line). */
  source: string;
  text: string;
  file: string;
}

export interface KnowledgeBase {
  sections: ReadonlyMap<string, KnowledgeSection>;
  /** Problems found while reading: a section without a source, a duplicate id. */
  problems: string[];
}

const HEADING = /^##\s+([a-z0-9][a-z0-9.-]*)\s+[—–-]\s+(.+)$/i;
const SOURCE = /^Source:\s*(.+)$/i;

export function loadKnowledge(dir: string): KnowledgeBase {
  const sections = new Map<string, KnowledgeSection>();
  const problems: string[] = [];
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.md')).sort() : [];
  for (const name of files) {
    const file = path.join(dir, name);
    for (const section of parseSections(fs.readFileSync(file, 'utf8'), file)) {
      if (!section.source) problems.push(`${file}: section "${section.id}" has no "Source:" line`);
      if (sections.has(section.id)) problems.push(`${file}: section id "${section.id}" is also used in ${sections.get(section.id)?.file}`);
      else sections.set(section.id, section);
    }
  }
  return { sections, problems };
}

function parseSections(markdown: string, file: string): KnowledgeSection[] {
  const out: KnowledgeSection[] = [];
  let current: KnowledgeSection | null = null;
  const body: string[] = [];
  const flush = () => {
    if (current) out.push({ ...current, text: body.join('\n').trim() });
    body.length = 0;
  };
  for (const line of markdown.split(/\r?\n/)) {
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      current = { id: heading[1], title: heading[2].trim(), source: '', text: '', file };
      continue;
    }
    if (!current) continue;
    const source = SOURCE.exec(line);
    if (source && !current.source) current.source = source[1].trim();
    else body.push(line);
  }
  flush();
  return out;
}

/** The seed file name a Source line names (its first word, up to the comma). */
export function sourceFile(section: KnowledgeSection): string {
  return section.source.split(',')[0].trim();
}
