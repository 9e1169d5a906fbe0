/**
 * A softmax (multinomial logistic) regression over the words, word pairs, canonical tokens and (for Chinese)
 * characters and character pairs of labelled texts: the trees' trigger phrases and the example messages of
 * dialogs/_examples.jsonl. The rule-based reading (triggers, error strings, direction, cues) knows what each
 * problem's words are; this model learns how people actually wrote about each problem, and — being trained
 * to tell the labels apart rather than to describe each one — which words separate neighbours
 * (send-blocked vs account-frozen). Leave-one-set-out cross-validation (`npm run bench:cv`) chose it over
 * naive Bayes on the same features. The recognizer lets it overrule the rules only when it is sure
 * (recognizer.ts).
 *
 * Training is deterministic (a fixed shuffle seed), so the same data gives the same recognizer.
 */
import { normalizeText } from './normalize';

export interface LabelledText {
  text: string;
  /** The recognizer's canonical tokens of the text (synonyms, stems, typos corrected): features beside its words. */
  tokens: readonly string[];
  label: string;
  /** How many examples this text counts as (the recognizer's `modelTriggerWeight` for trigger phrases, 1 for examples). */
  weight: number;
}

export interface Prediction {
  label: string;
  /** The model's probability of `label` among the labels it knows. */
  probability: number;
  /** How many of the message's features the model has seen. */
  knownFeatures: number;
  /** The next most likely labels, most likely first (up to RUNNERS_UP). */
  runnersUp: ReadonlyArray<{ label: string; probability: number }>;
}

const RUNNERS_UP = 2;

export interface TextClassifier {
  /** The labels it was trained on: it has no opinion about any other. */
  readonly labels: ReadonlySet<string>;
  /** `tokens`: the text's canonical tokens, read as the training texts' were. */
  predict(text: string, tokens: readonly string[]): Prediction | null;
}

export interface TrainingOptions {
  /** Passes over the data. */
  epochs: number;
  /** AdaGrad's base step. */
  learningRate: number;
  /** L2 penalty per update: keeps a word seen in one example from deciding alone. */
  l2: number;
}

// Chosen by leave-one-set-out cross-validation (`npm run bench:cv`, 20 sets, 5,711 examples): learning rate
// 0.5 → 95.4 %, 0.25 → 95.7 %, 0.15 → 95.9 % (10–20 epochs alike; 0.1 needs 30); l2 0 → 95.6 %, 0.00002 → 95.7 %,
// 0.00005 → 95.9 %, 0.0001 → 95.8 %. Averaging the weights of the later epochs gained nothing.
export const TRAINING_DEFAULTS: TrainingOptions = Object.freeze({ epochs: 12, learningRate: 0.15, l2: 0.00005 });

// Local bindings: inside a vm context (jest's test environment) every global `Math` lookup goes through
// the context's global object, which made training ten times slower there.
const { abs, exp, floor, max, sqrt } = Math;

/** Words that say nothing about which problem it is. */
const STOP_WORDS = new Set('the a an to of and or in on at is are was were be been i we you it my our me us for with this that have has do does did not no can cant t s from by as but so if its im'.split(' '));
/** Long pasted tickets: the first part carries the complaint; reading all of it costs time and adds noise. */
const MAX_CHARS = 3000;

/** Features of a text: words and word pairs; Chinese runs as characters and character pairs. */
export function featuresOf(text: string): string[] {
  const out: string[] = [];
  let previous = '';
  for (const word of normalizeText(text.slice(0, MAX_CHARS * 2)).slice(0, MAX_CHARS).split(/[^\p{L}\p{N}']+/u)) {
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

/** A tiny deterministic generator for the shuffle (a linear congruential one is plenty for that). */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

export function trainTextClassifier(examples: readonly LabelledText[], options: TrainingOptions = TRAINING_DEFAULTS): TextClassifier {
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const featureIndex = new Map<string, number>();
  const featureIdsOf = (text: string, tokens: readonly string[], grow: boolean): number[] => {
    const ids: number[] = [];
    for (const f of new Set([...featuresOf(text), ...tokens.map((t) => `t:${t}`)])) {
      let id = featureIndex.get(f);
      if (id === undefined && grow) featureIndex.set(f, (id = featureIndex.size));
      if (id !== undefined) ids.push(id);
    }
    return ids;
  };
  const rows = examples.map((example) => {
    let label = labelIndex.get(example.label);
    if (label === undefined) {
      labelIndex.set(example.label, (label = labels.length));
      labels.push(example.label);
    }
    return { features: featureIdsOf(example.text, example.tokens, true), label, weight: example.weight };
  });
  const K = labels.length;
  // Weights feature-major (all labels of one feature side by side), since a message touches few features.
  const weights = new Float64Array(featureIndex.size * K);
  const squaredGradients = new Float64Array(featureIndex.size * K).fill(1e-8);
  const bias = new Float64Array(K);
  const biasSquaredGradients = new Float64Array(K).fill(1e-8);
  const scores = new Float64Array(K);
  const activeLabels = new Int32Array(K);
  const activeGradients = new Float64Array(K);

  // Scores are scaled by 1/√(feature count) so that long and short texts speak with similar force.
  const scoreInto = (features: readonly number[]): number => {
    const scale = 1 / sqrt(max(1, features.length));
    for (let k = 0; k < K; k++) scores[k] = bias[k] as number;
    for (const f of features) {
      const at = f * K;
      for (let k = 0; k < K; k++) scores[k] = (scores[k] as number) + (weights[at + k] as number) * scale;
    }
    let best = 0;
    for (let k = 1; k < K; k++) if ((scores[k] as number) > (scores[best] as number)) best = k;
    return best;
  };
  /** Turns `scores` into probabilities in place; returns their normaliser relative to the best. */
  const softmax = (best: number): void => {
    const top = scores[best] as number;
    let sum = 0;
    for (let k = 0; k < K; k++) sum += scores[k] = exp((scores[k] as number) - top);
    for (let k = 0; k < K; k++) scores[k] = (scores[k] as number) / sum;
  };

  const random = seededRandom(1);
  const order = rows.map((_, i) => i);
  const { epochs, learningRate, l2 } = options;
  for (let epoch = 0; epoch < epochs && K > 1; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const r of order) {
      const row = rows[r] as (typeof rows)[number];
      softmax(scoreInto(row.features));
      const scale = 1 / sqrt(max(1, row.features.length));
      // The loss's gradient per label; labels the model already rules out learn nothing from this row
      // (skipping them is most of the speed).
      let active = 0;
      for (let k = 0; k < K; k++) {
        const g = ((scores[k] as number) - (k === row.label ? 1 : 0)) * row.weight;
        if (abs(g) < 1e-6) continue;
        activeLabels[active] = k;
        activeGradients[active++] = g;
        biasSquaredGradients[k] = (biasSquaredGradients[k] as number) + g * g;
        bias[k] = (bias[k] as number) - (learningRate * g) / sqrt(biasSquaredGradients[k] as number);
      }
      // Feature by feature, its labels side by side in memory (every (feature, label) weight is updated
      // independently, so the order of the loops does not change the result).
      for (const f of row.features) {
        const base = f * K;
        for (let a = 0; a < active; a++) {
          const at = base + (activeLabels[a] as number);
          const gradient = (activeGradients[a] as number) * scale + l2 * (weights[at] as number);
          squaredGradients[at] = (squaredGradients[at] as number) + gradient * gradient;
          weights[at] = (weights[at] as number) - (learningRate * gradient) / sqrt(squaredGradients[at] as number);
        }
      }
    }
  }

  return {
    labels: new Set(labels),
    predict(text, tokens) {
      if (K === 0) return null;
      const features = featureIdsOf(text, tokens, false);
      const best = scoreInto(features);
      softmax(best);
      const runnersUp: Array<{ label: string; probability: number }> = [];
      const taken = new Set([best]);
      for (let n = 0; n < RUNNERS_UP && taken.size < K; n++) {
        let next = -1;
        for (let k = 0; k < K; k++) if (!taken.has(k) && (next < 0 || (scores[k] as number) > (scores[next] as number))) next = k;
        taken.add(next);
        runnersUp.push({ label: labels[next] as string, probability: scores[next] as number });
      }
      return { label: labels[best] as string, probability: scores[best] as number, knownFeatures: features.length, runnersUp };
    },
  };
}
