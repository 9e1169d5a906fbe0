import { toSimplified } from '../../src/recognizer/chinese-script';
import { normalizeText } from '../../src/recognizer/normalize';

describe('Traditional Chinese is read as Simplified', () => {
  test.each([
    ['帳號被凍結', '账号被冻结'],
    ['無法登入', '无法登录'],
    ['郵件伺服器連不上', '邮件服务器连不上'],
    ['密碼錯誤次數過多', '密码错误次数过多'],
    // OpenCC writes 帳 as 帐; mainland usage, and the triggers, write 账.
    ['帳戶', '账户'],
  ])('%s → %s', (traditional, simplified) => {
    expect(toSimplified(traditional)).toBe(simplified);
  });

  test('Simplified, English and mixed text pass unchanged', () => {
    for (const text of ['无法登录', '邮件发不出去，提示 554 Reject by behaviour spam', 'Outlook keeps asking for my password', '']) {
      expect(toSimplified(text)).toBe(text);
    }
  });

  test('normalizeText converts, so answers and triggers compare equal in either script', () => {
    expect(normalizeText('  Outlook 一直問我密碼 ')).toBe('outlook 一直问我密码');
  });
});
