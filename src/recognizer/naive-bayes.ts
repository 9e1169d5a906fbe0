/**
 * A multinomial naive Bayes model over the words, word pairs and (for Chinese) characters and character
 * pairs of labelled texts: the trees' trigger phrases and the example messages of dialogs/_examples.jsonl.
 * The rule-based reading (triggers, error strings, direction, cues) knows what each problem's words are;
 * this model knows how people actually wrote about each problem, in many more words than triggers hold.
 * The recognizer lets it overrule the rules only when it is nearly certain (recognizer.ts).
 *
 * Scoring walks, per feature of the message, only the labels that saw the feature (an inverted index),
 * so a catalog of thousands of trees stays cheap: the unseen-feature share of every label is added once.
 */
import { normalizeText } from './normalize';

export interface LabelledText {
  text: string;
  label: string;
  /** How many examples this text counts as (trigger phrases are short: they count more). */
  weight: number;
}

export interface Prediction {
  label: string;
  /** Posterior probability of `label` among all labels. */
  probability: number;
  /** How many of the message's features the model has seen. */
  knownFeatures: number;
}

export interface NaiveBayes {
  predict(text: string): Prediction | null;
}

/** Words that say nothing about which problem it is. */
const STOP_WORDS = new Set('the a an to of and or in on at is are was were be been i we you it my our me us for with this that have has do does did not no can cant t s from by as but so if its im'.split(' '));
/** Long pasted tickets: the first part carries the complaint; reading all of it costs time and adds noise. */
const MAX_CHARS = 3000;

/** Features of a text: words and word pairs; Chinese runs as characters and character pairs. */
export function featuresOf(text: string): string[] {
  const out: string[] = [];
  let previous = '';
  for (const word of normalizeText(text).slice(0, MAX_CHARS).split(/[^\p{L}\p{N}']+/u)) {
    if (!word) continue;
    if (/\p{Script=Han}/u.test(word)) {
      const chars = [...word];
      chars.forEach((c, i) => {
        out.push(`c:${c}`);
        if (i + 1 < chars.length) out.push(`b:${c}${chars[i + 1]}`);
      });
      previous = '';
      continue;
    }
    const plain = word.replace(/'/g, '');
    if (!STOP_WORDS.has(plain)) out.push(`w:${plain}`);
    if (previous) out.push(`p:${previous}_${plain}`);
    previous = plain;
  }
  return out;
}

/** `alpha`: additive smoothing of feature counts (small: a feature unseen for a label is strong evidence against it). */
export function trainNaiveBayes(examples: readonly LabelledText[], alpha = 0.03): NaiveBayes {
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const examplesPer: number[] = [];
  const featureTotal: number[] = [];
  const counts = new Map<string, Map<number, number>>();
  for (const example of examples) {
    let l = labelIndex.get(example.label);
    if (l === undefined) {
      l = labels.length;
      labelIndex.set(example.label, l);
      labels.push(example.label);
      examplesPer.push(0);
      featureTotal.push(0);
    }
    examplesPer[l] = (examplesPer[l] as number) + 1;
    const tf = new Map<string, number>();
    for (const f of featuresOf(example.text)) tf.set(f, (tf.get(f) ?? 0) + 1);
    // Sublinear term frequency: a word repeated in one long ticket is not ten times the evidence.
    for (const [f, n] of tf) {
      const v = Math.log(1 + n) * example.weight;
      let perLabel = counts.get(f);
      if (!perLabel) counts.set(f, (perLabel = new Map()));
      perLabel.set(l, (perLabel.get(l) ?? 0) + v);
      featureTotal[l] = (featureTotal[l] as number) + v;
    }
  }
  const vocabulary = counts.size;
  const total = examples.length;
  const logPrior = examplesPer.map((n) => Math.log((n + 1) / (total + labels.length)));
  const logUnseen = featureTotal.map((t) => Math.log(alpha / (t + alpha * vocabulary)));
  // Per feature: the labels that saw it, and how much more than an unseen feature it says for each.
  const postings = new Map<string, { labels: Int32Array; lift: Float64Array }>();
  for (const [f, perLabel] of counts) {
    const ls = Int32Array.from(perLabel.keys());
    const lift = Float64Array.from(ls, (l) => Math.log(((perLabel.get(l) as number) + alpha) / alpha));
    postings.set(f, { labels: ls, lift });
  }
  const scores = new Float64Array(labels.length);
  return {
    predict(text) {
      if (labels.length === 0) return null;
      const seen = [...new Set(featuresOf(text))].map((f) => postings.get(f)).filter((p) => p !== undefined);
      for (let l = 0; l < labels.length; l++) scores[l] = (logPrior[l] as number) + seen.length * (logUnseen[l] as number);
      for (const { labels: ls, lift } of seen) for (let k = 0; k < ls.length; k++) scores[ls[k] as number] += lift[k] as number;
      let best = 0;
      for (let l = 1; l < labels.length; l++) if ((scores[l] as number) > (scores[best] as number)) best = l;
      let sum = 0;
      for (let l = 0; l < labels.length; l++) sum += Math.exp((scores[l] as number) - (scores[best] as number));
      return { label: labels[best] as string, probability: 1 / sum, knownFeatures: seen.length };
    },
  };
}
