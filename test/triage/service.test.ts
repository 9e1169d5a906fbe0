/**
 * The triage service over the real trees, knowledge and recognizer: what a support person reads for a
 * ticket — where it is routed, how urgent it is, what it carries, what to do first and why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadHelpdeskCore, type HelpdeskCore } from '../../src/core';
import { PROBLEM_IDS } from '../../src/dialogs/taxonomy';
import { createTriageService, type TriageService } from '../../src/triage';
import { onlyPostmasterCanFix } from '../../src/triage/next-steps';

const LONG_TICKET = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'triage', 'long-ticket.txt'), 'utf8');

let core: HelpdeskCore;
let service: TriageService;
beforeAll(() => {
  core = loadHelpdeskCore();
  service = createTriageService(core);
});

const tree = (id: string) => {
  const found = core.catalog.trees.get(id);
  if (!found) throw new Error(`no tree ${id}`);
  return found;
};

describe('the output contract', () => {
  test('every field, the five entity keys exactly, ids from the taxonomy', () => {
    const r = service.triage('my mail bounces with 554 Reject by behaviour spam', 'T-1');
    expect(Object.keys(r)).toEqual(['id', 'category', 'problem', 'confidence', 'alternatives', 'severity', 'entities', 'summary', 'nextSteps', 'escalate', 'sources']);
    expect(Object.keys(r.entities)).toEqual(['errorCodes', 'statuses', 'clients', 'domains', 'emails']);
    expect(r).toMatchObject({ id: 'T-1', category: 'send', problem: 'send-spam-rejected', escalate: false });
    expect(PROBLEM_IDS).toContain(r.problem);
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.summary).not.toContain('\n');
    expect(r.summary).toContain('[error 554]');
  });

  test('an id defaults to null; numbers pass through', () => {
    expect(service.triage('554').id).toBeNull();
    expect(service.triage('554', 42).id).toBe(42);
  });

  test('next steps are the first steps of the flow, at most five short lines, each source a knowledge section', () => {
    const r = service.triage('my mail bounces with 554 Reject by behaviour spam');
    expect(r.nextSteps[0]).toMatch(/^"554 Reject by behaviour spam" and "spamed by local spam engine" come from Alibaba Mail's own anti-spam protection/);
    expect(r.nextSteps[1]).toBe('Were you sending to many recipients at once (notifications, invitations, newsletters, alerts)? (Yes, a mailing to many people / No, normal business mail)');
    expect(r.sources).toEqual(['send.antispam']);
    for (const sample of ['Your email address is frozen or deleted. Contact the postmaster for help.', LONG_TICKET, 'too many password errors, try again in 1 hour', '我的邮箱被冻结了']) {
      const out = service.triage(sample);
      expect(out.nextSteps.length).toBeGreaterThan(0);
      expect(out.nextSteps.length).toBeLessThanOrEqual(5);
      for (const line of out.nextSteps) expect(line.length).toBeLessThanOrEqual(260);
      for (const id of out.sources) expect(core.knowledge.sections.has(id)).toBe(true);
    }
  });
});

describe('routing the way the bot does', () => {
  test('only a category: problem null, the clarifying question and its options as the next step', () => {
    const r = service.triage("I can't log in");
    expect(r).toMatchObject({ category: 'login', problem: null, severity: 'medium', escalate: false, summary: 'Login problem' });
    expect(r.nextSteps).toEqual(["What do you see when you try to log in? (The page doesn't load / Too many password errors / Account frozen or disabled / Something else)"]);
    expect(r.alternatives.every((a) => a.category === 'login')).toBe(true);
  });

  test('not about company mail: category none, out-of-scope, low, what the bot offers instead', () => {
    const r = service.triage('what is the weather in Hangzhou tomorrow?');
    expect(r).toMatchObject({ category: 'none', problem: 'out-of-scope', severity: 'low', escalate: false });
    expect(r.nextSteps).toEqual(["Is there a mail problem I can help with? (I can't log in / I can't send mail / I'm not receiving mail / Talk to a person)"]);
  });

  test('a request for a person escalates at once', () => {
    const r = service.triage('I want to talk to a real person');
    expect(r).toMatchObject({ category: 'human', problem: 'talk-to-human', escalate: true });
  });
});

describe('severity and escalation from the trees', () => {
  test('a whole domain not receiving is high, and only the postmaster can fix it: escalate', () => {
    const r = service.triage('nobody at our company receives any external mail since we changed DNS');
    expect(r).toMatchObject({ category: 'receive', problem: 'mx-misconfigured', severity: 'high', escalate: true });
  });

  test('the service expired is high; its first action is the postmaster renewing: escalate', () => {
    const r = service.triage('our company mail service has expired, AccountExpired when sending');
    expect(r).toMatchObject({ category: 'account', problem: 'service-expired', severity: 'high', escalate: true });
    expect(r.entities.statuses).toContain('accountexpired');
    expect(r.nextSteps.join('\n')).toMatch(/renew/i);
  });

  test('one mail in spam is low and not escalated', () => {
    const r = service.triage('I found the invoice from our supplier in my spam folder');
    expect(r).toMatchObject({ category: 'receive', problem: 'receive-filtered', severity: 'low', escalate: false });
  });

  test('a frozen account: high, an employee is told what to ask the postmaster, escalate', () => {
    const r = service.triage('Your email address is frozen or deleted. Contact the postmaster for help.');
    expect(r).toMatchObject({ category: 'login', problem: 'account-frozen', severity: 'high', escalate: true });
    expect(r.nextSteps).toContain('Only the postmaster (your mail admin) can unfreeze an account. Tell them:');
    expect(r.sources).toEqual(expect.arrayContaining(['frozen.message', 'frozen.enable']));
  });

  test('the postmaster writing about a frozen account gets the console steps instead', () => {
    const r = service.triage("I'm the postmaster. An employee's account is frozen and she can't log in");
    expect(r.problem).toBe('account-frozen');
    expect(r.nextSteps.join('\n')).toContain('Organizations and Users → Employee Accounts');
    expect(r.nextSteps.join('\n')).not.toContain('Tell them:');
  });

  test('a high-severity problem an employee can work on is not escalated (login page: flush DNS first)', () => {
    expect(onlyPostmasterCanFix(tree('login-page-unreachable'))).toBe(false);
    const r = service.triage("mail.abc.com won't load in my browser, it just times out");
    expect(r).toMatchObject({ problem: 'login-page-unreachable', severity: 'high', escalate: false });
  });

  test('rule 3 reads the tree: the high trees only the postmaster can fix are exactly these', () => {
    const high = [...core.catalog.trees.values()].filter((t) => t.kind === 'problem' && t.severity === 'high');
    const postmasterOnly = high.filter((t) => onlyPostmasterCanFix(t)).map((t) => t.id).sort();
    expect(postmasterOnly).toEqual(['account-frozen', 'mx-misconfigured', 'service-expired']);
  });
});

describe('entities', () => {
  test('codes, statuses, clients, domains and addresses, wherever they are', () => {
    const r = service.triage('Outlook on my iPhone shows 526 Authentication failure for li.wei@northwind-trading.com; webmail at mail.northwind-trading.com works');
    expect(r.problem).toBe('client-auth-failed');
    expect(r.entities.errorCodes).toEqual(['526']);
    expect(r.entities.clients).toEqual(expect.arrayContaining(['outlook', 'iphone', 'phone', 'webmail']));
    expect(r.entities.emails).toEqual(['li.wei@northwind-trading.com']);
    expect(r.entities.domains).toEqual(expect.arrayContaining(['mail.northwind-trading.com', 'northwind-trading.com']));
    expect(r.summary).toMatch(/\[error 526; client outlook, iphone, webmail; domain mail\.northwind-trading\.com, northwind-trading\.com\]$/);
  });

  test('an account status from the seeds', () => {
    const r = service.triage('Sending fails with AccountBlocked');
    expect(r.problem).toBe('send-blocked');
    expect(r.entities.statuses).toContain('accountblocked');
    expect(r.severity).toBe('high');
  });

  test('no roles key: the contract has five', () => {
    expect(service.triage("I'm the postmaster and Foxmail can't connect").entities).not.toHaveProperty('roles');
  });
});

describe('Chinese', () => {
  test('a password lock in Chinese', () => {
    const r = service.triage('提示密码错误次数太多，请1小时后再试');
    expect(r).toMatchObject({ category: 'login', problem: 'password-locked', severity: 'medium' });
    expect(r.nextSteps[0]).toMatch(/still running somewhere with an old password\? \(Yes, or I'm not sure \/ No, only the browser\)$/);
  });

  test('a frozen account in Chinese, with the status pulled out', () => {
    const r = service.triage('我的邮箱账号被冻结了，登录不了');
    expect(r).toMatchObject({ category: 'login', problem: 'account-frozen', severity: 'high', escalate: true });
    expect(r.entities.statuses).toContain('frozen');
  });

  test('only a category in Chinese', () => {
    expect(service.triage('我无法登录邮箱')).toMatchObject({ category: 'login', problem: null });
  });
});

describe('long and multi-problem tickets', () => {
  test('a 3,000-character ticket with a signature and quoted replies: the pasted bounce decides', () => {
    expect(LONG_TICKET.length).toBeGreaterThan(2500);
    const r = service.triage(LONG_TICKET, 'INC-7781');
    expect(r).toMatchObject({ id: 'INC-7781', category: 'send', problem: 'send-spam-rejected' });
    expect(r.entities.errorCodes).toContain('554');
    expect(r.entities.emails).toEqual(expect.arrayContaining(['procurement@contoso-buyer.com', 'li.wei@northwind-trading.com']));
    expect(r.summary).toMatch(/^Outgoing mail stopped by Alibaba Mail anti-spam .*\[error 554/);
  });

  test('two problems in one ticket: the first named leads, the second is an alternative', () => {
    const r = service.triage('Too many password errors, please try again in 1 hour. Also Foxmail on my phone says 526 Authentication failure.');
    expect(r).toMatchObject({ category: 'login', problem: 'password-locked' });
    expect(r.alternatives).toContainEqual(expect.objectContaining({ category: 'client', problem: 'client-auth-failed' }));
    expect(r.entities).toMatchObject({ errorCodes: ['526'], clients: expect.arrayContaining(['foxmail', 'phone']) });
    // The message says a phone app is involved, so the flow's question about other apps is already answered.
    expect(r.nextSteps[1]).toMatch(/^Close every mail client/);
  });

  test('one word', () => {
    expect(service.triage('554')).toMatchObject({ category: 'send', problem: 'send-spam-rejected' });
    expect(service.triage('503')).toMatchObject({ category: 'outage', problem: 'service-503' });
  });
});
