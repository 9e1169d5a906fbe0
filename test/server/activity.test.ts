import { checkActivity, describeActivityErrors, InboundActivitySchema } from '../../src/server/activity';

describe('checkActivity', () => {
  const valid = { type: 'message', channelId: 'test', serviceUrl: 'http://127.0.0.1/', conversation: { id: 'c' }, from: { id: 'u' }, text: 'hi' };

  test.each<[string, unknown]>([
    ['a whole activity', valid],
    ['the least there is', { type: 'typing', channelId: 'x', serviceUrl: 'https://a.example', conversation: { id: 'c' } }],
    ['an array', [valid]],
    ['null', null],
    ['a string', 'hello'],
    ['no type', { ...valid, type: undefined }],
    ['an empty channelId', { ...valid, channelId: '' }],
    ['a serviceUrl that is no URL', { ...valid, serviceUrl: 'not a url' }],
    ['a numeric serviceUrl', { ...valid, serviceUrl: 5 }],
    ['a conversation without id', { ...valid, conversation: {} }],
    ['a conversation that is an array', { ...valid, conversation: [{ id: 'c' }] }],
    ['from null', { ...valid, from: null }],
    ['recipient with an empty id', { ...valid, recipient: { id: '' } }],
    ['a non-string text', { ...valid, text: { evil: true } }],
    ['a null text', { ...valid, text: null }],
    ['a numeric deliveryMode', { ...valid, deliveryMode: 1 }],
    ['own __proto__ keys', JSON.parse('{"type":"message","channelId":"t","serviceUrl":"http://127.0.0.1/","conversation":{"id":"c","__proto__":{"x":1}},"__proto__":{"isGroup":true}}')],
  ])('%s: the same verdict and data as the zod schema', (_name, body) => {
    const ours = checkActivity(body);
    const zods = InboundActivitySchema.safeParse(body);
    expect(ours.success).toBe(zods.success);
    if (ours.success && zods.success) expect(JSON.parse(JSON.stringify(ours.data))).toEqual(JSON.parse(JSON.stringify(zods.data)));
    if (!ours.success && !zods.success) expect(describeActivityErrors(ours.error)).toBe(describeActivityErrors(zods.error));
  });

  test('a plainly valid body is passed on without a copy; one with __proto__ keys is zod-cleaned', () => {
    const ours = checkActivity(valid);
    expect(ours.success && ours.data).toBe(valid);
    const sneaky = JSON.parse('{"type":"message","channelId":"t","serviceUrl":"http://127.0.0.1/","conversation":{"id":"c"},"__proto__":{"isGroup":true}}') as object;
    const checked = checkActivity(sneaky);
    expect(checked.success).toBe(true);
    expect(checked.success && Object.hasOwn(checked.data, '__proto__')).toBe(false);
  });
});
