import { extractEntities } from '../../src/recognizer/entities';

describe('extractEntities', () => {
  test('error codes from bounces, not from counts or times', () => {
    expect(extractEntities('Remote server said: 554 Reject by behaviour spam').errorCodes).toEqual(['554']);
    expect(extractEntities('Outlook: 526 Authentication failure').errorCodes).toEqual(['526']);
    expect(extractEntities('error 503 when opening old mail').errorCodes).toEqual(['503']);
    expect(extractEntities('550 5.7.1 rejected').errorCodes).toEqual(['550', '5.7.1']);
    expect(extractEntities('I sent 500 emails today and waited 450 minutes').errorCodes).toEqual([]);
    expect(extractEntities('limit is 1,000 emails per day').errorCodes).toEqual([]);
    expect(extractEntities('call me at 555-1234').errorCodes).toEqual([]);
  });

  test('statuses, including the console codes', () => {
    expect(extractEntities('send fails with AccountBlocked').statuses).toContain('accountblocked');
    expect(extractEntities('status shows AccountExpired').statuses).toContain('accountexpired');
    expect(extractEntities('my account is frozen').statuses).toContain('frozen');
    expect(extractEntities('账号被冻结了').statuses).toContain('frozen');
  });

  test('clients; a named phone platform also counts as a phone', () => {
    expect(extractEntities('Outlook and Foxmail both fail').clients).toEqual(expect.arrayContaining(['outlook', 'foxmail']));
    expect(extractEntities('the Mail app on my iPhone').clients).toEqual(expect.arrayContaining(['iphone', 'phone']));
    expect(extractEntities('手机收不到邮件').clients).toContain('phone');
  });

  test('emails and domains', () => {
    const e = extractEntities('I am bob@abc.com and mail.abc.com does not load; recipient partner.co.uk bounces');
    expect(e.emails).toEqual(['bob@abc.com']);
    expect(e.domains).toEqual(expect.arrayContaining(['mail.abc.com', 'abc.com', 'partner.co.uk']));
  });

  test('who is writing', () => {
    expect(extractEntities("I'm the postmaster and want to disable IMAP").roles).toEqual(['postmaster']);
    expect(extractEntities('as admin, how do I unlock a user').roles).toEqual(['postmaster']);
    expect(extractEntities("I'm just an employee").roles).toEqual(['employee']);
    expect(extractEntities('my admin said to ask you').roles).toEqual([]);
  });
});
