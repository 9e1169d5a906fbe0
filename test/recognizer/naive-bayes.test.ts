/**
 * The example-trained model (src/recognizer/naive-bayes.ts) and how the recognizer lets it overrule the rules.
 */
import { loadHelpdeskCore } from '../../src/core';
import { featuresOf, trainNaiveBayes } from '../../src/recognizer/naive-bayes';
import { createRecognizer } from '../../src/recognizer/recognizer';

describe('naive Bayes model', () => {
  const model = trainNaiveBayes([
    { text: 'my mails to customers bounce back', label: 'send', weight: 1 },
    { text: 'customers never get my mails, they bounce', label: 'send', weight: 1 },
    { text: 'nothing arrives in my inbox from outside', label: 'receive', weight: 1 },
    { text: 'I do not receive mail from suppliers in my inbox', label: 'receive', weight: 1 },
    { text: '收不到外部邮件', label: 'receive', weight: 1 },
  ]);

  test('names the label whose examples share the words, with a probability', () => {
    const send = model.predict('mails to my customers bounce');
    expect(send?.label).toBe('send');
    expect(send?.probability).toBeGreaterThan(0.5);
    expect(model.predict('my inbox gets nothing from suppliers')?.label).toBe('receive');
  });

  test('reads Chinese by characters and character pairs', () => {
    expect(featuresOf('收不到邮件')).toEqual(expect.arrayContaining(['c:收', 'b:收不', 'b:邮件']));
    expect(model.predict('外部邮件收不到')?.label).toBe('receive');
  });

  test('says how much of the message it has seen', () => {
    expect(model.predict('zebra quokka')?.knownFeatures).toBe(0);
    expect(trainNaiveBayes([]).predict('anything')).toBeNull();
  });
});

describe('the model overrules the rules only when nearly certain', () => {
  const core = loadHelpdeskCore();
  // Made-up words only the model has seen, as examples of one problem.
  const made = 'zebra quokka wombat platypus';
  const catalog = { ...core.catalog, examples: [...core.catalog.examples, ...Array.from({ length: 6 }, () => ({ text: made, treeId: 'send-limit' }))] };
  const recognizer = createRecognizer(catalog);
  const rulesOnly = createRecognizer(catalog, { modelCertainty: Infinity });

  test('a message the rules cannot place but the examples can', () => {
    expect(rulesOnly.classify(made).problem).not.toBe('send-limit');
    const result = recognizer.classify(made);
    expect(result).toMatchObject({ intent: 'problem', category: 'send', problem: 'send-limit' });
    // Found by the model alone: not sure enough to switch a running flow (the engine needs 0.55).
    expect(result.confidence).toBeLessThan(0.55);
  });

  test('an error code in the message is left to the rules', () => {
    const text = `${made} 554 Reject by behaviour spam`;
    expect(recognizer.classify(text).problem).toBe(rulesOnly.classify(text).problem);
  });

  test('too few known words is no evidence', () => {
    // One word ("zebra": one feature) is below modelMinimumFeatures.
    expect(recognizer.classify('zebra').problem).toBe(rulesOnly.classify('zebra').problem);
    expect(recognizer.classify('zebra').problem).not.toBe('send-limit');
  });
});
