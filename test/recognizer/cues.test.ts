/**
 * What the bag of words cannot see: per-tree cues (dialogs/*.yaml `cues:`) and negations
 * (dialogs/_synonyms.yaml `negations:`). Each case is checked with the mechanism off too, so a test
 * fails if the mechanism stops mattering, not only if the answer changes. Those comparisons are of the rules
 * alone (the example-trained model off, `modelCertainty: Infinity`), which the model could otherwise mask.
 */
import { loadHelpdeskCore } from '../../src/core';
import { createRecognizer } from '../../src/recognizer/recognizer';

const core = loadHelpdeskCore();
const RULES_ONLY = { modelCertainty: Infinity };
const rules = createRecognizer(core.catalog, RULES_ONLY);
const withoutCues = createRecognizer(core.catalog, { ...RULES_ONLY, cueBoost: 1, cuePenalty: 1 });
const problem = (text: string) => core.recognizer.classify(text).problem;

describe('cues', () => {
  test.each([
    ['Does a Closed account bounce incoming email?', 'account-status-info'],
    ['If I set a departing employee’s mailbox to Closed, will emails sent to it bounce?', 'account-status-info'],
    ['Postmaster here: how do I allow third-party clients for everyone? New accounts seem to have it off by default.', 'admin-client-policy'],
  ])('%s → %s (and not without the cue)', (text, expected) => {
    expect(problem(text)).toBe(expected);
    expect(rules.classify(text).problem).toBe(expected);
    expect(withoutCues.classify(text).problem).not.toBe(expected);
  });

  test('a report stays a report', () => {
    expect(problem('My account is frozen, I cannot log in at all')).toBe('account-frozen');
    expect(problem('My Outlook cannot connect but webmail works fine')).toBe('third-party-client-blocked');
  });

  test('both directions down is not an MX problem', () => {
    expect(problem('entire company cant send or get mail. did our plan expire??')).toBe('service-expired');
  });
});

describe('negations', () => {
  test('"checked junk, nothing there" is not evidence for the spam folder', () => {
    expect(problem("I never receive anything from my bank's notification address. Checked junk, nothing there.")).toBe('receive-sender-issue');
    expect(problem('The invoice from our supplier was in my junk folder')).toBe('receive-filtered');
  });
});

describe('a request for a person', () => {
  const withoutRatio = createRecognizer(core.catalog, { ...RULES_ONLY, humanYieldRatio: 0 });
  test.each([['Stop. Connect me to support staff'], ['I want the postmaster, not a bot. How do I reach them?']])(
    '%s is not turned into a weak incidental problem',
    (text) => {
      expect(problem(text)).toBe('talk-to-human');
      expect(rules.classify(text).problem).toBe('talk-to-human');
      expect(withoutRatio.classify(text).problem).not.toBe('talk-to-human');
    },
  );

  test('yields to a problem the message names clearly', () => {
    expect(problem('I am locked out after too many password errors, let me talk to a human')).toBe('password-locked');
  });
});

describe('what the writer says matters most', () => {
  const withoutSalience = createRecognizer(core.catalog, { ...RULES_ONLY, salienceBoost: 1, saliencePenalty: 1 });
  test.each([
    ['My Outlook keeps asking for my password (whatever, I can use webmail), but the important one: every mail I send to one customer in Spain is rejected by their server.', 'send-recipient-rejected'],
    ["My Outlook at home keeps asking for the password, but that's not urgent. More important: invoices from our supplier keep landing in my junk folder instead of my inbox.", 'receive-filtered'],
  ])('%s → %s (and not without salience)', (text, expected) => {
    expect(problem(text)).toBe(expected);
    expect(rules.classify(text).problem).toBe(expected);
    expect(withoutSalience.classify(text).problem).not.toBe(expected);
  });
});
