import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { attachEvidence } from '../src/rules/attach.ts';
import { checkDuties } from '../src/rules/duties.ts';
import { checkDeadline } from '../src/rules/deadlines.ts';
import { validateVisit } from '../src/rules/validate.ts';
import { importStaff } from '../src/store/rules.ts';
import { getVisit } from '../src/store/visits.ts';
import type { Workspace } from '../src/store/workspace.ts';
import { addVisit, customer, tempWorkspace, wav } from './rules-fixtures.ts';

const ROSTER = [
  { staffId: 'S310101', name: '周敏', role: '回访专员', isMarketing: false },
  { staffId: 'S310102', name: '沈佳怡', role: '复核人员', isMarketing: false },
  { staffId: 'S310104', name: '陆晓峰', role: '营销人员', isMarketing: true },
  { staffId: 'S310100', name: '陈建国', role: '营业部负责人', isMarketing: false, branchCode: '3101' },
];
const COMPLIANT = ['1=是', '2=是', '3=否', '4=否', '5=是', '6=否', 'satisfaction=满意'];

let ws: Workspace;
let dir: string;
beforeEach(() => {
  process.env.HUIFANG_NOW = '2026-11-20T02:00:00Z';
  ws = tempWorkspace('huifang-validate-');
  dir = mkdtempSync(join(tmpdir(), 'huifang-validate-in-'));
  importStaff(ws.register, ROSTER, 'test', 'roster');
});
afterEach(() => {
  ws.close();
  delete process.env.HUIFANG_NOW;
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main([...argv, '--workspace', ws.dir], io);
  return { code, out, err };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('separation of duties (第四条)', () => {
  const base = { visitId: 'HF-7K3M9-Q2T4X', reviewDecisions: [], roster: ROSTER };
  it('passes a visitor and a different reviewer, neither marketing staff', () => {
    expect(checkDuties({ ...base, visitor: 'S310101', reviewer: '沈佳怡' })).toEqual([]);
  });
  it('duties/reviewer-is-visitor, even when one is named by id and the other by name', () => {
    const [m] = checkDuties({ ...base, visitor: 'S310101', reviewer: '周敏' });
    expect(m).toMatchObject({
      ruleId: 'duties/reviewer-is-visitor',
      reason: 'the reviewer (复核人员) 周敏 (S310101) is also the visitor; a visit must be reviewed by someone else',
    });
  });
  it('duties/visitor-is-marketing', () => {
    expect(checkDuties({ ...base, visitor: '陆晓峰', reviewer: 'S310102' }).map((m) => m.ruleId)).toEqual([
      'duties/visitor-is-marketing',
    ]);
  });
  it('duties/review-by-visitor: the visitor decided review items of their own visit', () => {
    const m = checkDuties({
      ...base,
      visitor: 'S310101',
      reviewer: 'S310102',
      reviewDecisions: [{ itemId: 7, subject: 'seal', decidedBy: 's310101' }],
    });
    expect(m.map((x) => x.ruleId)).toEqual(['duties/review-by-visitor']);
    expect(m[0]!.reason).toContain('item 7 seal');
  });
  it('duties/visitor-is-customers-marketing-staff, even without a roster', () => {
    expect(
      checkDuties({ ...base, roster: [], visitor: '葛文静', reviewer: '沈佳怡', customerMarketingStaff: '葛文静' }).map(
        (m) => m.ruleId,
      ),
    ).toEqual(['duties/visitor-is-customers-marketing-staff']);
  });
});

describe('deadlines', () => {
  it('overdue when incomplete after the due date; due soon within 3 days; nothing when complete', () => {
    expect(checkDeadline('HF-7K3M9-Q2T4X', '2026-11-10', '2026-11-20', false)[0]).toMatchObject({
      ruleId: 'deadline/overdue',
      severity: 'error',
      reason: 'the visit was due on 2026-11-10 and is 10 days overdue, still incomplete',
    });
    expect(checkDeadline('HF-7K3M9-Q2T4X', '2026-11-22', '2026-11-20', false)[0]).toMatchObject({
      ruleId: 'deadline/due-soon',
      severity: 'warning',
    });
    expect(checkDeadline('HF-7K3M9-Q2T4X', '2026-12-22', '2026-11-20', false)).toEqual([]);
    expect(checkDeadline('HF-7K3M9-Q2T4X', '2026-11-10', '2026-11-20', true)).toEqual([]);
  });
});

describe('validate a phone visit end to end', () => {
  it('recording attached with its duration, answers entered: passed and ok; a tampered recording is found', async () => {
    const visit = addVisit(ws, customer(), { channel: 'phone' });
    const [rec] = await attachEvidence(ws, {
      visitId: visit.visitId,
      kind: 'recording',
      paths: [file('call.wav', wav(12.5))],
      actor: 'S310101',
    });
    expect(rec!.meta.durationSeconds).toBe(12.5);
    expect(rec!.mediaType).toBe('audio/wav');

    let v = await validateVisit(ws, visit.visitId);
    expect(v.result).toBe('pending');
    expect(v.problems.map((m) => m.ruleId)).toEqual(['result/pending', 'review/visit-not-reviewed']);

    const entered = await cli(
      'answers',
      '--visit',
      visit.visitId,
      '--set',
      ...COMPLIANT,
      '--user',
      'S310101',
      '--json',
    );
    expect(entered.code).toBe(0);
    expect(JSON.parse(entered.out)).toMatchObject({ result: 'passed' });
    // Evidence and answers hold, but no reviewer has approved the visit: not complete.
    v = await validateVisit(ws, visit.visitId);
    expect(v).toMatchObject({ result: 'passed', ok: false, approved: false });
    expect(v.problems.map((m) => [m.ruleId, m.severity])).toEqual([['review/visit-not-reviewed', 'error']]);
    expect(
      (
        await cli(
          'review',
          'visit',
          visit.visitId,
          '--approve',
          '--note',
          'recording and answers agree',
          '--user',
          'S310102',
        )
      ).code,
    ).toBe(0);
    v = await validateVisit(ws, visit.visitId);
    expect(v).toMatchObject({ result: 'passed', ok: true, problems: [], approved: true });
    expect(getVisit(ws.register, visit.visitId)!.result).toBe('passed');

    // Someone alters the stored recording: it no longer verifies.
    const stored = ws.files.pathOf(rec!.sha256);
    chmodSync(stored, 0o644);
    writeFileSync(stored, wav(3));
    v = await validateVisit(ws, visit.visitId);
    expect(v.ok).toBe(false);
    expect(v.problems.map((m) => m.ruleId)).toEqual(['evidence/phone-recording']);
  });

  it('a failed visit is an exception for the branch manager, listing the answers that failed it', async () => {
    const visit = addVisit(ws, customer(), { channel: 'phone' });
    await attachEvidence(ws, {
      visitId: visit.visitId,
      kind: 'recording',
      paths: [file('call.wav', wav(30))],
      actor: 'S310101',
    });
    await cli('answers', '--visit', visit.visitId, '--set', ...COMPLIANT, '3=是', '--user', 'S310101');
    await cli('review', 'visit', visit.visitId, '--approve', '--note', 'the recording says so', '--user', 'S310102');
    const r = await cli('validate', '--json', '--record', '--user', 'S310100');
    const json = JSON.parse(r.out);
    expect(json.visits[0]).toMatchObject({ visitId: visit.visitId, result: 'failed', ok: true });
    expect(json.visits[0].problems.map((m: { ruleId: string }) => m.ruleId)).toEqual([
      'result/failed',
      'exception/open',
    ]);
    expect(json.exceptions).toEqual([
      expect.objectContaining({
        visitId: visit.visitId,
        branchCode: '3101',
        triggers: ['failed'],
        failedAnswers: [
          expect.objectContaining({ questionId: 'na.staff-operated-account', actual: '是 (yes)', expected: '否 (no)' }),
        ],
        record: expect.objectContaining({ status: 'open', owner: 'S310100', level: 1 }),
      }),
    ]);
    const text = await cli('validate');
    expect(text.out).toContain('异常 — 1 exception for the branch head (第三十八条; huifang exception list):');
  });

  it("remarks the customer gave open an exception; the date on the form is the visit's completion", async () => {
    const visit = addVisit(ws, customer(), { channel: 'phone', dueOn: '2026-11-15' });
    await attachEvidence(ws, {
      visitId: visit.visitId,
      kind: 'recording',
      paths: [file('call.wav', wav(30))],
      actor: 'S310101',
    });
    const r = await cli(
      'answers',
      '--visit',
      visit.visitId,
      '--set',
      ...COMPLIANT,
      '--remarks',
      '希望营业部多举办投资者教育活动',
      '--completed-on',
      '2026-11-12',
      '--user',
      'S310101',
    );
    expect(r.code, r.err).toBe(0);
    const v = await validateVisit(ws, visit.visitId);
    expect(v.result).toBe('passed');
    expect(v.exception).toMatchObject({ triggers: ['remarks'], record: { status: 'open', owner: 'S310100' } });
    expect(v.completion).toMatchObject({
      completedOn: '2026-11-12',
      late: false,
      source: 'date on the form, entered by S310101',
    });
    // a later date entered after the due date makes it late, and late it stays
    await cli('answers', '--visit', visit.visitId, '--completed-on', '2026-11-18', '--user', 'S310101');
    expect((await validateVisit(ws, visit.visitId)).completion).toMatchObject({ late: true });
    await cli('answers', '--visit', visit.visitId, '--completed-on', '2026-11-12', '--user', 'S310101');
    const again = await validateVisit(ws, visit.visitId);
    expect(again.completion).toMatchObject({ completedOn: '2026-11-12', late: true });
    expect(again.problems.map((m) => m.ruleId)).toContain('deadline/completed-late');
  });

  it('a refusal recorded by command decides the result; the recording is still required', async () => {
    const visit = addVisit(ws, customer(), { channel: 'phone' });
    const r = await cli('answers', '--visit', visit.visitId, '--refused', '客户称不需要回访', '--user', 'S310101');
    expect(r.out).toContain('result: 拒绝回访 (refused)');
    const v = await validateVisit(ws, visit.visitId);
    expect(v.result).toBe('refused');
    expect(v.problems.map((m) => m.ruleId)).toEqual(['evidence/phone-recording', 'review/visit-not-reviewed']);
  });
});

describe('validate --json and exit codes', () => {
  it("--branch takes only that branch's visits, and a branch with none is refused (exit 2), naming it", async () => {
    const here = addVisit(ws, customer(), { channel: 'email' });
    addVisit(ws, customer({ customerId: '110100020001', branchCode: '1101', branchName: '北京营业部' }), {
      channel: 'email',
    });
    const r = await cli('validate', '--json', '--branch', '3101');
    expect(JSON.parse(r.out).visits.map((v: { visitId: string }) => v.visitId)).toEqual([here.visitId]);
    const none = await cli('validate', '--branch', '9999');
    expect(none.code).toBe(2);
    expect(none.err).toContain('There are no visits of branch 9999 in the register');
  });
  it('prints {ok, visits:[{visitId, result, ok, problems}]} and exits 1 when a visit has problems', async () => {
    const overdue = addVisit(ws, customer(), {
      channel: 'email',
      dueOn: '2026-11-10',
      visitor: '陆晓峰',
      reviewer: '陆晓峰',
    });
    const r = await cli('validate', '--json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out);
    expect(json.ok).toBe(false);
    const v = json.visits[0];
    expect(v).toMatchObject({ visitId: overdue.visitId, result: 'pending', ok: false });
    expect(v.problems.map((m: { ruleId: string }) => m.ruleId)).toEqual([
      'evidence/email-form',
      'evidence/email-printout',
      'evidence/email-original',
      'result/pending',
      'deadline/overdue',
      'review/visit-not-reviewed',
      'duties/visitor-is-marketing',
      'duties/reviewer-is-visitor',
      'duties/reviewer-is-marketing',
    ]);
    expect(v.problems[0]).toMatchObject({
      severity: 'error',
      place: { visitId: overdue.visitId },
      fix: expect.stringContaining('huifang answers --visit'),
    });
  });

  it('--visit with a mistyped id and --branch with an unknown branch are bad input (exit 2); --branch filters', async () => {
    addVisit(ws, customer());
    expect((await cli('validate', '--visit', 'HF-00000-00001')).code).toBe(2);
    const unknown = await cli('validate', '--branch', '9999', '--json');
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.out).error).toContain('no visits of branch 9999');
    const own = await cli('validate', '--branch', customer().branchCode, '--json');
    const visits = JSON.parse(own.out).visits as { branch: string }[];
    expect(visits.length).toBeGreaterThan(0);
    expect(visits.every((v) => v.branch === customer().branchCode)).toBe(true);
  });
});

describe('attach', () => {
  it('an e-questionnaire must be a PDF or JSON that parses; nothing is attached otherwise (exit 2)', async () => {
    const visit = addVisit(ws, customer(), { channel: 'e-questionnaire' });
    const bad = await cli(
      'attach',
      '--visit',
      visit.visitId,
      '--kind',
      'e-questionnaire',
      file('resp.json', '{"q1": "yes",'),
      '--user',
      'S310101',
    );
    expect(bad.code, bad.err).toBe(2);
    expect(bad.err).toContain('resp.json is not valid JSON');
    const ok = await cli(
      'attach',
      '--visit',
      visit.visitId,
      '--kind',
      'e-questionnaire',
      file('resp2.json', '{"answers":{"q1":"yes"}}'),
      '--json',
      '--user',
      'S310101',
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).attached[0]).toMatchObject({ kind: 'e-questionnaire', mediaType: 'application/json' });
    const v = await validateVisit(ws, visit.visitId);
    expect(v.problems.map((m) => m.ruleId)).not.toContain('evidence/e-questionnaire-response');
  });

  it('an attached .eml gets its printout; a PDF is refused as a recording', async () => {
    const visit = addVisit(ws, customer(), { channel: 'email' });
    const eml =
      'From: zhao.wenbo1@example.cn\r\nSubject: =?UTF-8?B?5Zue6K6/?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n1 是';
    const r = await cli('attach', '--visit', visit.visitId, '--kind', 'email', file('m.eml', eml), '--user', 'S310101');
    expect(r.code).toBe(0);
    const v = await validateVisit(ws, visit.visitId);
    expect(v.problems.map((m) => m.ruleId)).toEqual([
      'evidence/email-form',
      'result/pending',
      'review/visit-not-reviewed',
    ]);
    const notAudio = await cli(
      'attach',
      '--visit',
      visit.visitId,
      '--kind',
      'recording',
      file('x.pdf', '%PDF-1.4\n%%EOF\n'),
      '--user',
      'S310101',
    );
    expect(notAudio.code).toBe(2);
    expect(notAudio.err).toContain('x.pdf is a PDF file, not a recording');
  });
});
