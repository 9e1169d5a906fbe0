/**
 * What the bag of words cannot see: per-tree cues (dialogs/*.yaml `cues:`) and negations
 * (dialogs/_synonyms.yaml `negations:`). Each case is checked with the mechanism off too, so a test
 * fails if the mechanism stops mattering, not only if the answer changes.
 */
import { loadHelpdeskCore } from '../../src/core';
import { createRecognizer } from '../../src/recognizer/recognizer';

const core = loadHelpdeskCore();
const withoutCues = createRecognizer(core.catalog, { cueBoost: 1, cuePenalty: 1 });
const problem = (text: string) => core.recognizer.classify(text).problem;

describe('cues', () => {
  test.each([
    ['Does a Closed account bounce incoming email?', 'account-status-info'],
    ['If I set a departing employee’s mailbox to Closed, will emails sent to it bounce?', 'account-status-info'],
    ['Postmaster here: how do I allow third-party clients for everyone? New accounts seem to have it off by default.', 'admin-client-policy'],
  ])('%s → %s (and not without the cue)', (text, expected) => {
    expect(problem(text)).toBe(expected);
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
  const withoutRatio = createRecognizer(core.catalog, { humanYieldRatio: 0 });
  test.each([['Stop. Connect me to support staff'], ['I want the postmaster, not a bot. How do I reach them?']])(
    '%s is not turned into a weak incidental problem',
    (text) => {
      expect(problem(text)).toBe('talk-to-human');
      expect(withoutRatio.classify(text).problem).not.toBe('talk-to-human');
    },
  );

  test('yields to a problem the message names clearly', () => {
    expect(problem('I am locked out after too many password errors, let me talk to a human')).toBe('password-locked');
  });
});
