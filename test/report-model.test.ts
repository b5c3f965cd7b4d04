/**
 * The period report's model: periods as people write them, and the figures built from plain
 * facts — rates, exceptions and their age, the review queue, visitors, failed visits.
 */
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  percent,
  type CoverageFacts,
  type ExceptionFacts,
  type ReportFacts,
  type ReportVisitFacts,
} from '../src/report/model.ts';
import { parsePeriod, PeriodError } from '../src/report/period.ts';

describe('report periods', () => {
  it('reads a month, a quarter, a year and an ISO week', () => {
    expect(parsePeriod('2026-11')).toMatchObject({
      kind: 'month',
      start: '2026-11-01',
      end: '2026-11-30',
      label: '2026年11月',
    });
    expect(parsePeriod('2026-02')).toMatchObject({ end: '2026-02-28' });
    expect(parsePeriod('2026-q4')).toMatchObject({
      id: '2026-Q4',
      kind: 'quarter',
      start: '2026-10-01',
      end: '2026-12-31',
      label: '2026年第四季度',
    });
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', start: '2026-01-01', end: '2026-12-31' });
    expect(parsePeriod('2026-W48')).toMatchObject({
      kind: 'week',
      start: '2026-11-23',
      end: '2026-11-29',
      label: '2026年第48周',
    });
    expect(parsePeriod('2026-W1')).toMatchObject({
      id: '2026-W01',
      start: '2025-12-29',
      end: '2027-01-04'.replace('2027-01-04', '2026-01-04'),
    });
    expect(parsePeriod('2026-W53')).toMatchObject({ start: '2026-12-28', end: '2027-01-03' }); // 2026 has 53 ISO weeks
  });

  it('refuses what is not a period, naming the forms it takes', () => {
    for (const bad of ['2026-13', '2026-Q5', '26-11', '2025-W53', 'November', '2026-11-01']) {
      expect(() => parsePeriod(bad)).toThrow(PeriodError);
    }
    expect(() => parsePeriod('2026-13')).toThrow(
      'Expected a period as a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48, but received "2026-13"',
    );
  });
});

function visit(n: number, over: Partial<ReportVisitFacts> = {}): ReportVisitFacts {
  return {
    visitId: `HF-V${n}`,
    branchCode: '3101',
    branchName: '浦东',
    customerId: `31010000000${n}`,
    customerName: `客户${n}`,
    category: 'new-account',
    channel: 'letter',
    visitor: '周敏',
    createdOn: '2026-11-05',
    dueOn: '2026-12-05',
    result: 'passed',
    overdue: false,
    completedOn: '2026-11-20',
    completedLate: false,
    rework: false,
    approved: true,
    formReturned: true,
    satisfaction: 'satisfied',
    failedReasons: [],
    ...over,
  };
}

function exception(visitId: string, over: Partial<ExceptionFacts> = {}): ExceptionFacts {
  return {
    exceptionId: 1,
    visitId,
    branchCode: '3101',
    triggers: ['回访不通过 (failed visit)'],
    owner: '钱七 (T004)',
    cause: null,
    measures: null,
    level: 1,
    dueOn: '2026-12-20',
    status: 'open',
    openedOn: '2026-11-30',
    closedOn: null,
    closedBy: null,
    closureNote: null,
    ...over,
  };
}

function facts(visits: ReportVisitFacts[], over: Partial<ReportFacts> = {}): ReportFacts {
  return {
    period: parsePeriod('2026-11'),
    today: '2026-12-10',
    branches: [
      { code: '3101', name: '浦东' },
      { code: '1101', name: '金融街' },
    ],
    visits,
    exceptions: [],
    coverage: null,
    reviewItems: [],
    bundles: [],
    ...over,
  };
}

const pending = {
  result: 'pending',
  completedOn: null,
  formReturned: false,
  satisfaction: null,
  approved: false,
} as const;

describe('report model', () => {
  it('counts a branch and the company, and rates completions against their due dates', () => {
    const r = buildReport(
      facts([
        visit(1),
        visit(2, { ...pending, overdue: true, rework: true }), // still open past its due date
        visit(3, { ...pending, dueOn: '2026-12-20' }), // not due yet
        visit(4, { branchCode: '1101', branchName: '金融街', channel: 'phone', visitor: '郝静' }),
        visit(5, { createdOn: '2026-10-31' }), // another period
        visit(6, { completedOn: '2026-12-08', completedLate: true, dueOn: '2026-12-05' }), // completed, late
      ]),
    );
    const b = r.branches.find((s) => s.code === '3101')!;
    expect(b.visits).toBe(4);
    expect(b.byResult).toEqual({ passed: 2, pending: 2 });
    expect(b.onTime).toEqual({ due: 3, onTime: 1, late: 2, completedLate: 1, openPastDue: 1, rate: 1 / 3 });
    expect(b.lateVisits).toEqual([
      {
        visitId: 'HF-V6',
        customer: '客户6',
        customerId: '********0006',
        visitor: '周敏',
        dueOn: '2026-12-05',
        completedOn: '2026-12-08',
        daysLate: 3,
      },
    ]);
    expect(b.letters).toEqual({ sent: 4, returned: 2, rate: 0.5 });
    expect(percent(b.onTime.rate)).toBe('33 %');
    expect(b.visitors).toEqual([{ visitor: '周敏', visits: 4, rework: 1, late: 2 }]);
    expect(b.review).toMatchObject({ awaitingApproval: 2, returned: 1 });
    expect(b.satisfaction).toEqual({ satisfied: 2 }); // visits still pending without an answer are not counted as unanswered
    expect(r.company.visits).toBe(5);
    expect(r.company.byChannel).toEqual({ letter: 4, phone: 1 });
    expect(r.branches.map((s) => s.code)).toEqual(['1101', '3101']);
    expect(r.company.coverage).toBeNull();
  });

  it('a completion after the due date stays late even when the visit is no longer overdue', () => {
    const late = buildReport(facts([visit(1, { completedOn: '2026-12-09', completedLate: true })])).branches.find(
      (s) => s.code === '3101',
    )!;
    const onTime = buildReport(facts([visit(1, { completedOn: '2026-12-05', completedLate: false })])).branches.find(
      (s) => s.code === '3101',
    )!;
    expect(late.onTime).toMatchObject({ onTime: 0, late: 1, rate: 0 });
    expect(late.visitors[0]!.late).toBe(1);
    expect(onTime.onTime).toMatchObject({ onTime: 1, late: 0, rate: 1 });
    expect(onTime.lateVisits).toEqual([]);
  });

  it('counts rework only for visits a reviewer returned, not for evidence still missing', () => {
    const r = buildReport(facts([visit(1, { rework: true, approved: false }), visit(2, { ...pending })])).branches.find(
      (s) => s.code === '3101',
    )!;
    expect(r.visitors).toEqual([{ visitor: '周敏', visits: 2, rework: 1, late: 0 }]);
    expect(r.review).toMatchObject({ awaitingApproval: 2, returned: 1 });
  });

  it('lists failed visits with masked ids, and exceptions with owner, closure and age', () => {
    const r = buildReport(
      facts([visit(1, { result: 'failed', failedReasons: ['「代客操作」答「是」'] }), visit(2)], {
        exceptions: [
          exception('HF-V1', { dueOn: '2026-12-05' }),
          exception('HF-V2', {
            exceptionId: 2,
            openedOn: '2026-11-20',
            status: 'closed',
            closedOn: '2026-11-25',
            closedBy: '钱七 (T004)',
            cause: '客户误解',
            measures: '当面解释',
            closureNote: '已处理',
          }),
          exception('HF-V9', {
            exceptionId: 3,
            openedOn: '2026-10-02',
            status: 'closed',
            closedOn: '2026-11-03',
            closedBy: '孙八 (T005)',
          }), // a visit of October, closed in November
          exception('HF-V8', { exceptionId: 4, openedOn: '2026-09-02', status: 'closed', closedOn: '2026-10-03' }), // nothing to do with November
        ],
        reviewItems: [
          { visitId: 'HF-V2', branchCode: '3101', createdAt: '2026-12-07T03:00:00Z' },
          { visitId: 'HF-OTHER', branchCode: '3101', createdAt: '2026-10-01T00:00:00Z' },
        ],
      }),
    );
    const b = r.branches.find((s) => s.code === '3101')!;
    expect(b.failed).toEqual([
      {
        visitId: 'HF-V1',
        customer: '客户1',
        customerId: '********0001',
        category: 'new-account',
        channel: 'letter',
        visitor: '周敏',
        reasons: ['「代客操作」答「是」'],
      },
    ]);
    expect(b.exceptions).toMatchObject({
      opened: 2,
      closed: 2,
      open: 1,
      overdue: 1,
      oldestOpenDays: 10,
      averageOpenDays: 10,
    });
    expect(b.exceptions.list.map((e) => [e.exceptionId, e.status, e.closedBy, e.ageDays])).toEqual([
      [1, 'open', null, 10],
      [2, 'closed', '钱七 (T004)', 5],
      [3, 'closed', '孙八 (T005)', 32],
    ]);
    expect(b.review).toEqual({ open: 1, oldestDays: 3, awaitingApproval: 0, returned: 0 }); // the item of a visit outside the period is not counted
    expect(percent(null)).toBe('—');
  });

  it('shows coverage per branch and sums it for the company', () => {
    const row = (branch: string, visited: number, eligible: number, missing: number): CoverageFacts => ({
      year: 2026,
      asOf: '2026-11-30',
      branch,
      branchName: branch,
      newAccounts: {
        total: 4,
        started: 4,
        visited: 4 - missing,
        missing: Array.from({ length: missing }, (_, i) => ({ customerId: `********00${i}`, due: '2026-12-01' })),
      },
      existing: {
        eligible,
        started: visited,
        visited,
        ratio: Math.round((visited / eligible) * 10_000) / 10_000,
        policyRatio: 0.1,
        required: Math.ceil(eligible * 0.1),
        short: Math.max(0, Math.ceil(eligible * 0.1) - visited),
        ok: visited >= Math.ceil(eligible * 0.1),
        missing: [],
      },
      margin: {
        eligible: 0,
        started: 0,
        visited: 0,
        ratio: 0,
        policyRatio: 0.15,
        required: 0,
        short: 0,
        ok: true,
        missing: [],
      },
      key: { total: 0, started: 0, visited: 0, missing: [] },
      events: { total: 0, started: 0, visited: 0, missing: [] },
    });
    const r = buildReport(
      facts([visit(1), visit(2, { branchCode: '1101' })], {
        coverage: [row('3101', 12, 100, 1), row('1101', 3, 50, 0)],
      }),
    );
    expect(r.branches.find((s) => s.code === '3101')!.coverage).toEqual([row('3101', 12, 100, 1)]);
    const company = r.company.coverage![0]!;
    expect(company.existing).toMatchObject({
      eligible: 150,
      visited: 15,
      ratio: 0.1,
      required: 15,
      short: 2,
      ok: false,
    });
    expect(company.newAccounts).toMatchObject({ total: 8, visited: 7 });
    expect(company.newAccounts.missing).toHaveLength(1);
  });
});
