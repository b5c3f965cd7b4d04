import { describe, expect, it } from 'vitest';
import type { Answers } from '../src/domain/questions.ts';
import type { Attempt } from '../src/domain/attempts.ts';
import { defaultPolicy } from '../src/domain/policy-sections.ts';
import type { VisitCategory } from '../src/domain/visit.ts';
import { decideResult as decide, type ResultInput } from '../src/domain/results.ts';
import { COMPLIANT_NEW_ACCOUNT } from './answer-fixtures.ts';

const compliant: Answers = COMPLIANT_NEW_ACCOUNT;
/** Brought by marketing staff, who showed a certificate; the customer knows the name; no agency. */
const broughtCompliant: Answers = {
  ...compliant,
  'na.brought-by-staff': 'yes',
  'na.certificate-shown': 'yes',
  'na.knows-staff-name': 'yes',
  'na.agency-with-staff': 'no',
  'na.staff-beyond-authority': 'no',
};

const policy = defaultPolicy();
/** Decides under the default policy (第四十三条 for new accounts; 3 attempts, 2 days, 2 channels). */
const decideResult = (input: Omit<ResultInput, 'failing' | 'unreachable'> & { category: VisitCategory }) =>
  decide({ failing: policy.failing.byCategory[input.category], unreachable: policy.unreachable, ...input });
const newAccount = (answers: Answers) => decideResult({ category: 'new-account', channel: 'phone', answers });
const failedIds = (answers: Answers) => newAccount(answers).failedAnswers.map((f) => f.questionId);

describe('results per 第四十二条 and 第四十三条 (new accounts)', () => {
  it('passes a customer who opened in person with no mandate or staff operation (not brought by staff)', () => {
    expect(newAccount(compliant)).toEqual({
      result: 'passed',
      failedAnswers: [],
      findings: [],
      missing: [],
      reason: 'every answer meets the rules',
    });
  });
  it('passes a customer brought by staff who knows the name and has no agency with them', () => {
    expect(newAccount(broughtCompliant).result).toBe('passed');
  });
  it('fails: did not open the account in person (本人或公证代理人亲临)', () => {
    const d = newAccount({ ...compliant, 'na.opened-in-person': 'no' });
    expect(d.result).toBe('failed');
    expect(d.failedAnswers).toEqual([
      {
        questionId: 'na.opened-in-person',
        text: expect.stringContaining('亲自办理开户'),
        rule: '第十八条(一)',
        expected: '是 (yes)',
        actual: '否 (no)',
      },
    ]);
  });
  it('other adverse answers are findings, not failure: password, risk warning, certificate, beyond authority', () => {
    const d = newAccount({
      ...broughtCompliant,
      'na.password-set-personally': 'no',
      'na.risks-disclosed': 'no',
      'na.certificate-shown': 'no',
      'na.staff-beyond-authority': 'yes',
    });
    expect(d.result).toBe('passed');
    expect(d.failedAnswers).toEqual([]);
    expect(d.findings.map((f) => f.questionId)).toEqual([
      'na.password-set-personally',
      'na.risks-disclosed',
      'na.certificate-shown',
      'na.staff-beyond-authority',
    ]);
    expect(d.reason).toBe(
      'passed with 4 findings: na.password-set-personally, na.risks-disclosed, na.certificate-shown, na.staff-beyond-authority',
    );
  });
  it('a firm policy may fail on more answers (here: the password) for new accounts', () => {
    const d = decide({
      category: 'new-account',
      channel: 'phone',
      answers: { ...compliant, 'na.password-set-personally': 'no' },
      failing: [...policy.failing.byCategory['new-account'], 'na.password-set-personally'],
      unreachable: policy.unreachable,
    });
    expect(d.failedAnswers.map((f) => f.questionId)).toEqual(['na.password-set-personally']);
  });
  it('fails: staff operate the account (代理操作关系)', () => {
    expect(failedIds({ ...compliant, 'na.staff-operated-account': 'yes' })).toEqual(['na.staff-operated-account']);
  });
  it('fails: discretionary mandate (全权委托)', () => {
    expect(failedIds({ ...compliant, 'na.discretionary-mandate': 'yes' })).toEqual(['na.discretionary-mandate']);
  });
  it("fails: brought by staff but does not know the staff member's name (知晓营销人员姓名)", () => {
    expect(failedIds({ ...broughtCompliant, 'na.knows-staff-name': 'no' })).toEqual(['na.knows-staff-name']);
  });
  it('fails: agency or money-management arrangement with the staff member (代理或代客理财关系)', () => {
    expect(failedIds({ ...broughtCompliant, 'na.agency-with-staff': 'yes' })).toEqual(['na.agency-with-staff']);
  });
  it('lists every answer that fails, in question order', () => {
    const d = newAccount({
      ...broughtCompliant,
      'na.agency-with-staff': 'yes',
      'na.discretionary-mandate': 'yes',
      'na.opened-in-person': 'no',
    });
    expect(d.failedAnswers.map((f) => f.questionId)).toEqual([
      'na.opened-in-person',
      'na.discretionary-mandate',
      'na.agency-with-staff',
    ]);
    expect(d.reason).toBe(
      '3 answers fail the visit: na.opened-in-person = 否 (no), expected 是 (yes) (第十八条(一)); na.discretionary-mandate = 是 (yes), expected 否 (no) (第十八条(四)); na.agency-with-staff = 是 (yes), expected 否 (no) (第十八条(八)b)',
    );
  });
  it('conditional questions are not asked (and not needed) when the customer was not brought by staff', () => {
    // Stray answers to questions not asked do not fail the visit.
    expect(newAccount({ ...compliant, 'na.knows-staff-name': 'no' }).result).toBe('passed');
  });
  it('pending with what is missing: the conditional questions once the customer says staff brought them', () => {
    const d = newAccount({ ...compliant, 'na.brought-by-staff': 'yes' });
    expect(d.result).toBe('pending');
    expect(d.missing.map((m) => m.questionId)).toEqual([
      'na.certificate-shown',
      'na.knows-staff-name',
      'na.agency-with-staff',
      'na.staff-beyond-authority',
    ]);
  });
  it('pending when a question that decides others is unanswered, and when nothing is answered', () => {
    const { 'na.brought-by-staff': _, ...rest } = compliant;
    expect(newAccount(rest).missing.map((m) => m.questionId)).toEqual(['na.brought-by-staff']);
    expect(newAccount({}).missing).toHaveLength(6);
  });
  it('satisfaction never decides the result', () => {
    expect(newAccount({ ...compliant, satisfaction: 'dissatisfied' }).result).toBe('passed');
    const { satisfaction: _, ...noSatisfaction } = compliant;
    expect(newAccount(noSatisfaction).result).toBe('passed');
  });
  it('a failing answer fails the visit even while other answers are missing', () => {
    const d = newAccount({ 'na.staff-operated-account': 'yes' });
    expect(d.result).toBe('failed');
    expect(d.missing.length).toBeGreaterThan(0);
  });
});

describe('refused and unreachable (第四十二条)', () => {
  const outcome = (o: 'refused' | 'unreachable') => ({
    outcome: o,
    reason: '客户表示不愿接受回访',
    recordedBy: 'S310101',
    recordedAt: '2026-11-20T02:00:00Z',
  });
  it('a recorded refusal decides the visit', () => {
    const d = decideResult({ category: 'new-account', channel: 'phone', answers: {}, outcome: outcome('refused') });
    expect(d).toMatchObject({
      result: 'refused',
      reason: 'the customer refused the visit: 客户表示不愿接受回访 (recorded by S310101)',
    });
  });
  const attempt = (n: number, channel: Attempt['channel'], outcome: Attempt['outcome'], at: string): Attempt => ({
    attemptId: n,
    channel,
    outcome,
    at,
    note: null,
    recordedBy: 'S310101',
  });
  const three = [
    attempt(1, 'phone', 'no-answer', '2026-11-02T02:00:00Z'),
    attempt(2, 'phone', 'wrong-number', '2026-11-03T02:00:00Z'),
    attempt(3, 'letter', 'returned-mail', '2026-11-03T06:00:00Z'),
  ];
  it('unreachable once the attempts meet the policy: 3 attempts, on 2 days, by 2 channels', () => {
    const d = decideResult({ category: 'existing', channel: 'phone', answers: {}, attempts: three });
    expect(d.result).toBe('unreachable');
    expect(d.reason).toBe(
      'the customer could not be reached: 3 unsuccessful attempts on 2 days by 2 channels; the policy asks for at least 3 on 2 days by 2 channels',
    );
  });
  it('not unreachable with too few attempts, one day only, or one channel only — even when recorded as unreachable', () => {
    expect(
      decideResult({ category: 'existing', channel: 'phone', answers: {}, attempts: three.slice(0, 2) }).result,
    ).toBe('pending');
    const oneDay = three.map((a) => ({ ...a, at: '2026-11-03T02:00:00Z' }));
    expect(decideResult({ category: 'existing', channel: 'phone', answers: {}, attempts: oneDay }).result).toBe(
      'pending',
    );
    const oneChannel = three.map((a) => ({ ...a, channel: 'phone' as const }));
    expect(decideResult({ category: 'existing', channel: 'phone', answers: {}, attempts: oneChannel }).result).toBe(
      'pending',
    );
    const recorded = decideResult({
      category: 'existing',
      channel: 'phone',
      answers: {},
      outcome: outcome('unreachable'),
      attempts: three.slice(0, 1),
    });
    expect(recorded.result).toBe('pending');
    expect(recorded.reason).toContain(
      'but the attempts do not prove it yet: 1 unsuccessful attempt on 1 day by 1 channel',
    );
  });
  it('a letter nobody answered stays pending however long ago it was sent', () => {
    expect(decideResult({ category: 'new-account', channel: 'letter', answers: {} }).result).toBe('pending');
  });
  it('a refusal logged as an attempt decides the visit', () => {
    expect(
      decideResult({
        category: 'existing',
        channel: 'phone',
        answers: {},
        attempts: [attempt(1, 'phone', 'refused', '2026-11-02T02:00:00Z')],
      }).result,
    ).toBe('refused');
  });
});

describe('other categories use the pass values of their own questions', () => {
  it('IB customers: a promised guarantee fails the visit', () => {
    const answers: Answers = {
      'ib.knows-relationship': 'yes',
      'ib.guarantee-promised': 'no',
      'ib.operated-futures-account': 'no',
    };
    expect(decideResult({ category: 'ib', channel: 'phone', answers }).result).toBe('passed');
    expect(
      decideResult({
        category: 'ib',
        channel: 'phone',
        answers: { ...answers, 'ib.guarantee-promised': 'yes' },
      }).failedAnswers.map((f) => f.questionId),
    ).toEqual(['ib.guarantee-promised']);
  });
  it('existing customers: informational questions are never needed', () => {
    const answers: Answers = {
      'ex.staff-operated-account': 'no',
      'ex.discretionary-mandate': 'no',
      'ex.risks-disclosed': 'yes',
    };
    expect(decideResult({ category: 'existing', channel: 'email', answers }).result).toBe('passed');
  });
});
