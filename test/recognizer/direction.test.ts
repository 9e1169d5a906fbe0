/**
 * Which way the mail travels: the cues in dialogs/_synonyms.yaml, and their effect on send vs receive
 * problems that share their words.
 */
import { loadHelpdeskCore } from '../../src/core';
import { createRecognizer } from '../../src/recognizer/recognizer';
import { compileDirectionCues, readDirection } from '../../src/recognizer/direction';
import { normalizeText } from '../../src/recognizer/normalize';

const core = loadHelpdeskCore();
const cues = compileDirectionCues(core.catalog.lexicon.direction);
const direction = (text: string) => readDirection(normalizeText(text), cues);

describe('reading the direction', () => {
  test.each([
    ['Nothing from @supplier.com ever reaches us.', 'incoming'],
    ['A customer says every email they send to anyone at our company comes back', 'incoming'],
    ['I never receive anything from my bank', 'incoming'],
    ['他们的邮件一封都进不来', 'incoming'],
    ['Only their server refuses our mail', 'outgoing'],
    ['My reply to a client bounced', 'outgoing'],
    ['Emails I send to @bigbank.com bounce', 'outgoing'],
    ['我发给客户的邮件被退回', 'outgoing'],
  ])('%s → %s', (text, expected) => {
    expect(direction(text)).toBe(expected);
  });

  test.each([
    ['Only emails to @bigbank.com bounce, to everyone else they are fine'],
    ['One customer is not receiving anything from us'.replace('anything from us', 'anything from us at all')],
    ['too many password errors, please try again in 1 hour'],
  ])('neither or both: %s', (text) => {
    expect(direction(text)).not.toBe('incoming');
  });
});

describe('direction decides between problems with the same words', () => {
  test('a sender whose mail never reaches us is a receive problem, which word order alone tells', () => {
    const text = 'Could their domain be blacklisted by Alimail? Nothing from @cheapdeals-supplier.com ever reaches us.';
    // The rules alone (the example-trained model off), with and without direction: direction is what decides.
    expect(createRecognizer(core.catalog, { againstDirectionFactor: 1, modelCertainty: Infinity }).classify(text).problem).not.toBe('receive-sender-issue');
    expect(createRecognizer(core.catalog, { modelCertainty: Infinity }).classify(text).problem).toBe('receive-sender-issue');
    expect(core.recognizer.classify(text).problem).toBe('receive-sender-issue');
  });

  test("a recipient's server refusing our mail is a send problem", () => {
    expect(core.recognizer.classify("Only our Japanese distributor's server refuses our mail - their admin says everything is fine on their side. What should I check?").problem).toBe('send-recipient-rejected');
  });
});
