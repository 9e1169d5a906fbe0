/**
 * dialogs/_synonyms.yaml: words that mean the same to the recognizer, and the words that show a
 * message is about mail at all. Loaded with the trees, because it is conversation design, not code.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { Phrase, RegexSource } from './schema';

export const LexiconSchema = z
  .object({
    synonyms: z.record(z.string().min(1), z.array(Phrase)),
    domainWords: z.array(Phrase).min(1),
    vagueWords: z.array(Phrase).min(1),
    mailWords: z.array(Phrase).min(1),
    foreignWords: z.array(Phrase).min(1),
    direction: z
      .object({ incoming: z.array(RegexSource).min(1), outgoing: z.array(RegexSource).min(1) })
      .strict(),
    negations: z.array(RegexSource),
    salience: z.object({ main: z.array(RegexSource), aside: z.array(RegexSource) }).strict(),
  })
  .strict();

export type LexiconData = z.infer<typeof LexiconSchema>;

export const LEXICON_FILE = '_synonyms.yaml';

export function loadLexicon(dir: string, errors: string[]): LexiconData | null {
  const file = path.join(dir, LEXICON_FILE);
  if (!fs.existsSync(file)) {
    errors.push(`${file}: missing (the recognizer's synonyms live here)`);
    return null;
  }
  try {
    const parsed = LexiconSchema.safeParse(YAML.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    errors.push(...parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`));
  } catch (err) {
    errors.push(`${file}: YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return null;
}
