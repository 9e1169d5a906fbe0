import { detectCommand, matchChoice, yesOrNo } from '../../src/engine/answers';

const words = {
  yes: ['yes', 'y', 'yep', 'yeah', 'sure', 'ok', 'it worked', '是的', '好的'],
  no: ['no', 'n', 'nope', 'nah', 'not really', "didn't work", 'still broken', '不行'],
};
const login = [
  { label: "The page doesn't load" },
  { label: 'Too many password errors', match: ['locked for an hour'] },
  { label: 'Account frozen or disabled' },
  { label: 'Something else' },
];
const worked = [{ label: 'Yes, it worked' }, { label: 'No, still broken' }];

describe('matchChoice', () => {
  test.each([
    ['Too many password errors', 1],
    ['too many password errors!', 1],
    ['2', 1],
    ['b', 1],
    ['(c)', 2],
    ['the second one', 1],
    ['second', 1],
    ['option 3', 2],
    ['the last one', 3],
    ['第二个', 1],
    ['locked for an hour', 1],
    ['I think the account is frozen or disabled', 2],
    ['to many pasword errors', 1],
    ['something els', 3],
  ])('%s → option %i', (text, expected) => {
    expect(matchChoice(text, login, words)).toBe(expected);
  });

  test.each([
    ['yes', 0],
    ['yep', 0],
    ['Yeah!', 0],
    ['nope', 1],
    ['no it did not', 1],
    ['not really', 1],
    ["didn't work", 1],
    ['是的', 0],
    ['不行', 1],
  ])('%s → worked option %i', (text, expected) => {
    expect(matchChoice(text, worked, words)).toBe(expected);
  });

  test('two letters are not matched fuzzily', () => {
    expect(matchChoice('no', [{ label: "I'm the postmaster" }, { label: "I'm an employee", match: ['not an admin'] }], words)).toBeNull();
  });

  test('an unrelated sentence picks nothing', () => {
    expect(matchChoice('my printer is on fire and the coffee machine too', login, words)).toBeNull();
    expect(matchChoice('', login, words)).toBeNull();
    expect(matchChoice('banana', worked, words)).toBeNull();
  });

  test('a long description is left to the recognizer', () => {
    expect(matchChoice('actually I also cannot send any mail to our customers since this morning at all', login, words)).toBeNull();
  });
});

describe('yesOrNo', () => {
  test('no outranks a yes hidden in the same reply', () => {
    expect(yesOrNo('no, still broken', words)).toBe('no');
    expect(yesOrNo('yes it worked thanks', words)).toBe('yes');
    expect(yesOrNo('maybe', words)).toBeNull();
  });
});

describe('detectCommand', () => {
  const commands = {
    restart: ['restart', 'start over'],
    back: ['back', 'go back'],
    help: ['help'],
    human: ['talk to a person', 'human'],
  };
  test.each([
    ['start over', 'restart'],
    ['Start over please', 'restart'],
    ['go back', 'back'],
    ['HELP', 'help'],
    ['I want to talk to a person', 'human'],
    ['can I talk to a person', 'human'],
  ])('%s → %s', (text, expected) => {
    expect(detectCommand(text, commands)).toBe(expected);
  });
  test('words inside a description are not commands', () => {
    expect(detectCommand('I need help with outlook', commands)).toBeNull();
    expect(detectCommand('my mail bounced back', commands)).toBeNull();
  });
});
