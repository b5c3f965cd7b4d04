/**
 * A visit's whole life under the rules, through the commands a clerk, a reviewer and a branch
 * head type, on real files: a roster with roles; letters and phone visits; a stranger's
 * e-mail naming a visit (to review, not onto the visit); marketing staff refused; a letter
 * never answered (overdue, not unreachable until the logged attempts meet the policy); full
 * evidence without a reviewer (not complete); a reviewer refused on their own visit; a failed
 * visit opening an exception that is updated and closed; the bundle carrying all of it under
 * the workspace's policy, and `verify` checking it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from '@cantoo/pdf-lib';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { VerifyJob } from '../src/archive/verify-job.ts';
import { verdictChecks } from '../src/archive/verdict-checks.ts';
import type { ArchivedVisitRecord } from '../src/archive/record.ts';
import { listBundles } from '../src/store/bundles.ts';
import { enteredAnswersOf } from '../src/store/rules.ts';
import { documentsOf } from '../src/store/visits.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { maskTail } from '../src/domain/customer.ts';
import { wav } from './rules-fixtures.ts';
import { newWorkspace } from './workspace-helpers.ts';

const SAMPLES = join(import.meta.dirname, '..', 'samples');
const root = mkdtempSync(join(tmpdir(), 'huifang-life-'));
const ws = newWorkspace(join(root, 'ws'));
const COMPLIANT = ['1=是', '2=是', '3=否', '4=否', '5=是', '6=否', 'satisfaction=满意'];
const POLICY = JSON.stringify({ $comment: 'firm policy for the test', review: { sampleRate: 0.5 } });

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: () => any }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main([...argv, '--workspace', ws], io);
  return { code, out, err, json: () => JSON.parse(out) };
}

function write(name: string, bytes: string | Buffer): string {
  const p = join(root, name);
  writeFileSync(p, bytes);
  return p;
}

/** The sample list's header and the given data rows (1-based), as a new list. */
function list(name: string, rows: number[]): string {
  const lines = readFileSync(join(SAMPLES, 'customers.csv'), 'utf8').split('\r\n');
  return write(name, [lines[0], ...rows.map((r) => lines[r])].join('\r\n') + '\r\n');
}

/** Visits by customer id as `--json` prints it: masked to the last four digits. */
let letters: Record<string, string> = {};
let phones: Record<string, string> = {};

beforeAll(async () => {
  process.env.HUIFANG_NOW = '2026-10-25T02:00:00Z';
  delete process.env.HUIFANG_USER;
  expect((await cli('staff', 'import', join(SAMPLES, 'staff.csv'))).code).toBe(0);
  writeFileSync(join(ws, 'policy.json'), POLICY);
  const l = await cli(
    'letters',
    list('letters.csv', [1, 2, 3]),
    '--out',
    join(root, 'letters'),
    '--visitor',
    '周敏',
    '--reviewer',
    '沈佳怡',
    '--json',
  );
  expect(l.code, l.err + l.out).toBe(0);
  letters = Object.fromEntries(l.json().visits.map((v: any) => [v.customerId, v.visitId]));
  const p = await cli(
    'forms',
    list('phones.csv', [4, 6]),
    '--channel',
    'phone',
    '--out',
    join(root, 'phones'),
    '--visitor',
    'S310101',
    '--reviewer',
    'S310102',
    '--user',
    '周敏',
    '--json',
  );
  expect(p.code, p.err + p.out).toBe(0);
  phones = Object.fromEntries(p.json().visits.map((v: any, i: number) => [i === 0 ? 'ok' : 'failing', v.visitId]));
}, 120_000);
afterAll(() => delete process.env.HUIFANG_NOW);

describe("a visit's life under the rules", () => {
  it('letters refuse a missing reviewer, a reviewer who is the visitor, and marketing staff as visitor (exit 2)', async () => {
    const one = list('one.csv', [7]);
    expect((await cli('letters', one, '--out', join(root, 'x1'), '--visitor', '周敏')).err).toContain(
      'Name the reviewer (复核人员) with --reviewer',
    );
    const same = await cli('letters', one, '--out', join(root, 'x2'), '--visitor', '周敏', '--reviewer', 'S310101');
    expect(same.code).toBe(2);
    expect(same.err).toContain('may not review visits');
    const marketing = await cli(
      'letters',
      one,
      '--out',
      join(root, 'x3'),
      '--visitor',
      '陆晓峰',
      '--reviewer',
      '沈佳怡',
    );
    expect(marketing.code).toBe(2);
    expect(marketing.err).toContain(
      '陆晓峰 (S310104, 营销人员) is marketing staff (营销人员); marketing staff take no part in any step of a callback visit (第四条)',
    );
    expect(
      (await cli('letters', one, '--out', join(root, 'x4'), '--visitor', '张三', '--reviewer', '沈佳怡')).err,
    ).toContain('--visitor 张三: there is no such person on the staff roster');
  });

  it("a stranger's e-mail naming a visit goes to review, never onto the visit", async () => {
    const target = letters[maskTail('310100018001')]!;
    const eml = `From: someone@stranger.example\r\nTo: huifang@broker.example\r\nSubject: 回访 ${target}\r\nDate: Sun, 25 Oct 2026 09:00:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n1 是 2 是 3 否 4 否\r\n`;
    const r = await cli('ingest', write('stranger.eml', eml), '--user', '顾文斌', '--json');
    expect(r.code).toBe(1);
    expect(r.json().quarantined[0].reason).toContain(
      `names visit ${target}, but the sender someone@stranger.example is not the customer's registered e-mail address`,
    );
    const queue = (await cli('review', '--json')).json().items;
    expect(queue).toContainEqual(expect.objectContaining({ subject: 'visit', machineValue: target }));
    const w = openWorkspace(ws);
    try {
      expect(documentsOf(w.register, target).filter((d) => d.kind === 'email')).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('marketing staff entering answers are refused and nothing is recorded; so is anyone not named', async () => {
    const r = await cli('answers', '--visit', phones.ok!, '--set', ...COMPLIANT, '--user', '陆晓峰');
    expect(r.code).toBe(2);
    expect(r.err).toContain('marketing staff take no part');
    const unnamed = await cli('answers', '--visit', phones.ok!, '--set', ...COMPLIANT);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toContain('Say who you are with --user');
    const clerk = await cli('answers', '--visit', phones.ok!, '--set', ...COMPLIANT, '--user', '顾文斌');
    expect(clerk.err).toContain("may not enter customers' answers: that is for 回访专员");
    const w = openWorkspace(ws);
    try {
      expect(enteredAnswersOf(w.register, phones.ok!)).toEqual([]);
    } finally {
      w.close();
    }
  });

  it('a letter never answered is overdue, not unreachable, until the logged attempts meet the policy', async () => {
    const v = letters[maskTail('310100018014')]!; // opened 2026-09-18: due 2026-10-18
    process.env.HUIFANG_NOW = '2026-10-28T08:00:00Z';
    let r = (await cli('validate', '--visit', v, '--json')).json().visits[0];
    expect(r.result).toBe('pending');
    expect(r.problems.map((m: any) => m.ruleId)).toEqual(
      expect.arrayContaining(['result/pending', 'deadline/overdue']),
    );
    expect(r.problems.find((m: any) => m.ruleId === 'result/pending').reason).toContain(
      'an unanswered letter stays pending',
    );
    const tries: [string, string, string][] = [
      ['phone', 'no-answer', '2026-10-26T10:00+08:00'],
      ['phone', 'wrong-number', '2026-10-27T15:00+08:00'],
      ['letter', 'returned-mail', '2026-10-27T16:30+08:00'],
    ];
    const results: string[] = [];
    for (const [channel, outcome, at] of tries) {
      const a = await cli(
        'attempt',
        '--visit',
        v,
        '--channel',
        channel,
        '--outcome',
        outcome,
        '--at',
        at,
        '--user',
        '周敏',
        '--json',
      );
      expect(a.code, a.err).toBe(0);
      results.push(a.json().result);
    }
    expect(results).toEqual(['pending', 'pending', 'unreachable']);
    r = (await cli('validate', '--visit', v, '--json')).json().visits[0];
    expect(r.result).toBe('unreachable');
    expect(r.completion).toMatchObject({ completedOn: '2026-10-27', late: true });
    expect(r.problems.map((m: any) => m.ruleId)).toContain('deadline/completed-late');
    const future = await cli(
      'attempt',
      '--visit',
      v,
      '--channel',
      'phone',
      '--outcome',
      'no-answer',
      '--at',
      '2027-01-01T10:00',
      '--user',
      '周敏',
    );
    expect(future.code).toBe(2);
  });

  it('full evidence and answers but no reviewer: not complete; the phone visit gets a filled record form', async () => {
    for (const [key, answers] of [
      ['ok', COMPLIANT],
      ['failing', [...COMPLIANT, '1=否']],
    ] as const) {
      const id = phones[key]!;
      expect(
        (await cli('attach', '--visit', id, '--kind', 'recording', write(`${key}.wav`, wav(20)), '--user', '周敏'))
          .code,
      ).toBe(0);
      const sha = createHash('sha256').update(wav(20)).digest('hex');
      const a = await cli('answers', '--visit', id, '--set', ...answers, '--evidence', sha, '--user', '周敏');
      expect(a.code, a.err).toBe(0);
    }
    const r = (await cli('validate', '--visit', phones.ok!, '--json')).json().visits[0];
    expect(r).toMatchObject({ result: 'passed', ok: false, approved: false });
    expect(r.problems.map((m: any) => m.ruleId)).toEqual(['review/visit-not-reviewed']);
    const w = openWorkspace(ws);
    try {
      const form = documentsOf(w.register, phones.ok!).find((d) => d.kind === 'form' && d.role === 'derived')!;
      expect(form.meta.note).toMatch(
        /^电话回访，记录表由系统根据录入的答案填写。 7 项答案由 S310101 于 2026-10-28 08:00 \(UTC\) 根据 recording ok\.wav \(SHA-256 [0-9a-f]{12}…\) 录入$/,
      );
      const pdf = await PDFDocument.load(w.files.read(form.sha256));
      expect(pdf.getPageCount()).toBe(1);
    } finally {
      w.close();
    }
  });

  it("a reviewer may not approve their own visit (exit 2); another reviewer's approval completes it", async () => {
    // 周敏 carried out the visits and is later made a reviewer; the branch head imports the new roster.
    const roster = readFileSync(join(SAMPLES, 'staff.csv'), 'utf8').replace(
      'S310101,周敏,回访专员',
      'S310101,周敏,复核人员',
    );
    const staff2 = write('staff2.csv', roster);
    expect((await cli('staff', 'import', staff2, '--user', '顾文斌')).err).toContain('may not import the staff roster');
    expect((await cli('staff', 'import', staff2, '--user', '陈建国')).code).toBe(0);
    const own = await cli('review', 'visit', phones.ok!, '--approve', '--note', 'looks fine', '--user', '周敏');
    expect(own.code).toBe(2);
    expect(own.err).toContain(`周敏 (S310101) carried out visit ${phones.ok} and may not review it`);
    const approved = await cli(
      'review',
      'visit',
      phones.ok!,
      '--approve',
      '--note',
      'recording heard, answers agree',
      '--user',
      '沈佳怡',
    );
    expect(approved.code, approved.err).toBe(0);
    const r = (await cli('validate', '--visit', phones.ok!, '--json')).json().visits[0];
    expect(r).toMatchObject({ result: 'passed', ok: true, approved: true, problems: [] });
  });

  it('a failed visit opens an exception for the branch head, who records cause and measures, escalates and closes it', async () => {
    const id = phones.failing!;
    // A check only records nothing: it names the exception still to open.
    const check = (await cli('validate', '--visit', id, '--json')).json();
    expect(check.recorded).toBe(false);
    expect(check.exceptions[0]).toMatchObject({ visitId: id, triggers: ['failed'] });
    expect(check.exceptions[0].record).toBeUndefined();
    expect(check.visits[0].problems).toContainEqual(
      expect.objectContaining({
        ruleId: 'result/not-recorded',
        reason: expect.stringContaining('an exception (异常: failed)'),
      }),
    );
    // Recording needs a reviewer, the branch head or compliance on the roster: exit 2, nothing written.
    expect((await cli('validate', '--visit', id, '--record')).err).toContain('Say who you are with --user');
    expect((await cli('validate', '--visit', id, '--record', '--user', '张三')).err).toContain(
      '--user 张三: there is no such person on the staff roster',
    );
    const clerk = await cli('validate', '--visit', id, '--record', '--user', '顾文斌');
    expect(clerk.code).toBe(2);
    expect(clerk.err).toContain('may not record verdicts, completion dates and exceptions (validate --record)');
    expect((await cli('validate', '--visit', id, '--record', '--user', '陆晓峰')).code).toBe(2);
    expect((await cli('exception', 'list', '--json')).json().exceptions).toEqual([]);
    const recorded = await cli('validate', '--visit', id, '--record', '--user', '沈佳怡', '--json');
    expect(recorded.code).toBe(1);
    const r = recorded.json();
    expect(r.recorded).toBe(true);
    expect(r.visits[0].result).toBe('failed');
    expect(r.exceptions[0]).toMatchObject({
      visitId: id,
      triggers: ['failed'],
      record: { status: 'open', owner: 'S310100', level: 1 },
    });
    process.env.HUIFANG_NOW = '2026-10-31T08:00:00Z';
    const listed = (await cli('exception', 'list', '--json')).json();
    expect(listed.exceptions).toEqual([
      expect.objectContaining({ visitId: id, status: 'open', ageDays: 3, owner: 'S310100' }),
    ]);
    expect((await cli('exception', 'close', id, '--note', 'done', '--user', '陈建国')).err).toContain(
      'has no cause (分析原因) recorded',
    );
    expect((await cli('exception', 'update', id, '--cause', 'x', '--user', '顾文斌')).code).toBe(2);
    const updated = await cli(
      'exception',
      'update',
      id,
      '--cause',
      '客户由亲属代办开户',
      '--measures',
      '通知客户本人临柜补签并重新回访',
      '--level',
      '2',
      '--user',
      '陈建国',
      '--json',
    );
    expect(updated.code, updated.err).toBe(0);
    expect(updated.json().exception.updates.at(-1)).toMatchObject({
      by: 'S310100',
      at: '2026-10-31T08:00:00.000Z',
      changes: { level: { from: 1, to: 2 } },
    });
    const report = await cli('report', '--period', '2026-10');
    expect(report.out).toMatch(/#1 HF-\S+ open; owner \S+ \(S310100\), level 2, due \S+, opened \S+, 3 day\(s\)/);
    expect(report.out).toMatch(
      new RegExp(
        `late: ${letters[maskTail('310100018014')]} .* due 2026-10-18, completed 2026-10-27 \\(9 day\\(s\\) late\\)`,
      ),
    );
    const closed = await cli(
      'exception',
      'close',
      id,
      '--note',
      '客户已补签，重新回访通过',
      '--user',
      '陈建国',
      '--json',
    );
    expect(closed.json().exception).toMatchObject({
      status: 'closed',
      closedBy: 'S310100',
      cause: '客户由亲属代办开户',
      level: 2,
    });
    expect(
      (
        await cli(
          'review',
          'visit',
          id,
          '--approve',
          '--note',
          'failure confirmed by the recording',
          '--user',
          '沈佳怡',
        )
      ).code,
    ).toBe(0);
  });

  it('a spot check is drawn per visitor from the seed, failed visits always in it', async () => {
    const a = (
      await cli('review', 'sample', '--period', '2026-10', '--seed', 'oct-1', '--user', '沈佳怡', '--json')
    ).json().sample;
    const b = (
      await cli('review', 'sample', '--period', '2026-10', '--seed', 'oct-1', '--user', '沈佳怡', '--json')
    ).json().sample;
    expect(a.rate).toBe(0.5); // from the workspace's policy.json
    expect(a.visits).toEqual(b.visits);
    expect(a.visits).toContainEqual(expect.objectContaining({ visitId: phones.failing, reason: 'always' }));
    expect((await cli('review', 'sample', '--period', '2026-10', '--user', '周敏')).code).toBe(0); // 周敏 is a reviewer now
    expect((await cli('review', 'sample', '--period', '2026-10', '--user', '顾文斌')).code).toBe(2);
  });

  it('the bundle carries the policy hash, reviews, attempts, completion and exceptions, and verify checks it', async () => {
    const r = await cli(
      'archive',
      '--branch',
      '3101',
      '--period',
      '2026-10',
      '--out',
      join(root, 'bundles'),
      '--include-invalid',
      '--no-stamp',
      '--user',
      '顾文斌',
      '--json',
    );
    expect(r.code, r.err + r.out).toBe(0);
    const zip = r.json().bundles[0];
    const policySha = createHash('sha256').update(POLICY).digest('hex');
    const x = await cli('archive', 'extract', zip, '--out', join(root, 'bags'), '--json');
    const bag = x.json().bag;
    expect(readFileSync(join(bag, 'bag-info.txt'), 'utf8')).toContain(`Huifang-Policy-SHA256: ${policySha}`);
    const record = (id: string) => JSON.parse(readFileSync(join(bag, 'data', id, 'record.json'), 'utf8'));
    expect(record(phones.ok!)).toMatchObject({
      valid: true,
      policySha256: policySha,
      visitReviews: [expect.objectContaining({ decision: 'approve', reviewer: 'S310102' })],
    });
    expect(record(phones.ok!).files.map((f: any) => f.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/derived\/form-/), expect.stringMatching(/received\/recording-/)]),
    );
    expect(record(phones.failing!).exception).toMatchObject({
      status: 'closed',
      closedBy: 'S310100',
      measures: '通知客户本人临柜补签并重新回访',
    });
    const unreachable = record(letters[maskTail('310100018014')]!);
    expect(unreachable.attempts).toHaveLength(3);
    expect(unreachable.completion).toMatchObject({ completedOn: '2026-10-27', late: true });
    expect(unreachable.retention.countedFrom >= '2026-10-31').toBe(true);
    const w = openWorkspace(ws);
    try {
      expect(listBundles(w.register, { branchCode: '3101' })[0]!.policySha256).toBe(policySha);
    } finally {
      w.close();
    }
    const v = await cli('verify', zip, '--json');
    expect(v.code, v.out).toBe(0);
    expect(v.json().ok).toBe(true);
  });
});

describe('verify names records that claim more than their verdicts show', () => {
  const base = {
    visit: { visitId: 'HF-1', visitor: 'S1' },
    valid: true,
    policySha256: 'a'.repeat(64),
    retention: { years: 3, retainUntil: '2029-10-31', recordCategories: [], countedFrom: '2026-10-31' },
  };
  const info = { entries: [{ label: 'Huifang-Policy-SHA256', value: 'a'.repeat(64) }] };
  const run = (r: object, i = info) => {
    const job = new VerifyJob();
    verdictChecks(i as any, new Map([['HF-1', r as unknown as ArchivedVisitRecord]]), job);
    return job.messages.filter((m) => m.severity !== 'info').map((m) => m.ruleId + ': ' + m.reason);
  };
  it('passes an approved visit kept three years from its completion', () => {
    expect(
      run({
        ...base,
        visitReviews: [{ decision: 'approve', reviewer: 'S2' }],
        completion: { completedOn: '2026-10-20', late: false },
      }),
    ).toEqual([]);
  });
  it('fails a valid visit without approval, one approved by its visitor, a retention from before completion, and another policy', () => {
    expect(run({ ...base, visitReviews: [] })).toEqual([
      'huifang/review: visit HF-1 is marked valid but no reviewer (复核人员) approved it',
    ]);
    expect(run({ ...base, visitReviews: [{ decision: 'approve', reviewer: 'S1' }] })).toEqual([
      'huifang/review: visit HF-1 was approved by its own visitor S1',
    ]);
    expect(
      run({
        ...base,
        visitReviews: [{ decision: 'approve', reviewer: 'S2' }],
        completion: { completedOn: '2026-12-01', late: false },
      })[0],
    ).toContain('less than 3 years after its completion on 2026-12-01');
    expect(
      run(
        { ...base, visitReviews: [{ decision: 'approve', reviewer: 'S2' }] },
        { entries: [{ label: 'Huifang-Policy-SHA256', value: 'b'.repeat(64) }] },
      )[0],
    ).toContain('huifang/policy: the record was validated under policy aaaa');
  });
});
