/**
 * The period report's model: periods as people write them, and the figures built from plain
 * facts — rates, exceptions and their age, the review queue, visitors, failed visits.
 */
import { describe, expect, it } from 'vitest';
import { buildReport, percent, type ReportFacts, type ReportVisitFacts } from '../src/report/model.ts';
import { parsePeriod, PeriodError } from '../src/report/period.ts';

describe('report periods', () => {
  it('reads a month, a quarter, a year and an ISO week', () => {
    expect(parsePeriod('2026-11')).toMatchObject({ kind: 'month', start: '2026-11-01', end: '2026-11-30', label: '2026年11月' });
    expect(parsePeriod('2026-02')).toMatchObject({ end: '2026-02-28' });
    expect(parsePeriod('2026-q4')).toMatchObject({ id: '2026-Q4', kind: 'quarter', start: '2026-10-01', end: '2026-12-31', label: '2026年第四季度' });
    expect(parsePeriod('2026')).toMatchObject({ kind: 'year', start: '2026-01-01', end: '2026-12-31' });
    expect(parsePeriod('2026-W48')).toMatchObject({ kind: 'week', start: '2026-11-23', end: '2026-11-29', label: '2026年第48周' });
    expect(parsePeriod('2026-W1')).toMatchObject({ id: '2026-W01', start: '2025-12-29', end: '2027-01-04'.replace('2027-01-04', '2026-01-04') });
    expect(parsePeriod('2026-W53')).toMatchObject({ start: '2026-12-28', end: '2027-01-03' }); // 2026 has 53 ISO weeks
  });

  it('refuses what is not a period, naming the forms it takes', () => {
    for (const bad of ['2026-13', '2026-Q5', '26-11', '2025-W53', 'November', '2026-11-01']) {
      expect(() => parsePeriod(bad)).toThrow(PeriodError);
    }
    expect(() => parsePeriod('2026-13')).toThrow('Expected a period as a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48, but received "2026-13"');
  });
});

function visit(n: number, over: Partial<ReportVisitFacts> = {}): ReportVisitFacts {
  return {
    visitId: `HF-V${n}`, branchCode: '3101', branchName: '浦东', customerId: `31010000000${n}`, customerName: `客户${n}`, category: 'new-account', channel: 'letter',
    visitor: '周敏', createdOn: '2026-11-05', dueOn: '2026-12-05', result: 'passed', overdue: false, rework: false, formReturned: true, satisfaction: 'satisfied', failedReasons: [], ...over,
  };
}

function facts(visits: ReportVisitFacts[], over: Partial<ReportFacts> = {}): ReportFacts {
  return {
    period: parsePeriod('2026-11'), today: '2026-12-10',
    branches: [{ code: '3101', name: '浦东' }, { code: '1101', name: '金融街' }],
    visits, exceptions: [], coverage: null, reviewItems: [], bundles: [], ...over,
  };
}

describe('report model', () => {
  it('counts a branch and the company, and rates against deadlines and letters', () => {
    const r = buildReport(facts([
      visit(1),
      visit(2, { result: 'pending', overdue: true, formReturned: false, satisfaction: null, rework: true }),
      visit(3, { result: 'pending', dueOn: '2026-12-20', formReturned: false, satisfaction: null }), // not due yet
      visit(4, { branchCode: '1101', branchName: '金融街', channel: 'phone', visitor: '郝静' }),
      visit(5, { createdOn: '2026-10-31' }), // another period
    ]));
    const b = r.branches.find((s) => s.code === '3101')!;
    expect(b.visits).toBe(3);
    expect(b.byResult).toEqual({ passed: 1, pending: 2 });
    expect(b.onTime).toEqual({ due: 2, onTime: 1, late: 1, rate: 0.5 });
    expect(b.letters).toEqual({ sent: 3, returned: 1, rate: 1 / 3 });
    expect(percent(b.letters.rate)).toBe('33 %');
    expect(b.visitors).toEqual([{ visitor: '周敏', visits: 3, rework: 1, late: 1 }]);
    expect(b.satisfaction).toEqual({ satisfied: 1 }); // visits still pending without an answer are not counted as unanswered
    expect(r.company.visits).toBe(4);
    expect(r.company.byChannel).toEqual({ letter: 3, phone: 1 });
    expect(r.branches.map((s) => s.code)).toEqual(['1101', '3101']);
    expect(r.company.coverage).toBeNull();
  });

  it('lists failed visits with masked ids and ages open exceptions and review items', () => {
    const r = buildReport(facts(
      [visit(1, { result: 'failed', failedReasons: ['「代客操作」答「是」'] }), visit(2)],
      {
        exceptions: [{ visitId: 'HF-V1', branchCode: '3101', openedOn: '2026-11-30', closedOn: null }, { visitId: 'HF-V2', branchCode: '3101', openedOn: '2026-11-20', closedOn: '2026-11-25' }],
        reviewItems: [{ visitId: 'HF-V2', branchCode: '3101', createdAt: '2026-12-07T03:00:00Z' }, { visitId: 'HF-OTHER', branchCode: '3101', createdAt: '2026-10-01T00:00:00Z' }],
      },
    ));
    const b = r.branches.find((s) => s.code === '3101')!;
    expect(b.failed).toEqual([{ visitId: 'HF-V1', customer: '客户1', customerId: '********0001', category: 'new-account', channel: 'letter', visitor: '周敏', reasons: ['「代客操作」答「是」'] }]);
    expect(b.exceptions).toEqual({ opened: 2, closed: 1, open: 1, oldestOpenDays: 10, averageOpenDays: 10 });
    expect(b.review).toEqual({ open: 1, oldestDays: 3 }); // the item of a visit outside the period is not counted
    expect(percent(null)).toBe('—');
  });
});
