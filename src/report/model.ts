/**
 * The period report (回访工作报告, 第四十条) as one plain model: per branch and for the company,
 * visits by category, channel and result; the on-time rate against the deadlines; letters sent
 * and returned; coverage against the required ratios; satisfaction; exceptions opened, closed
 * and their age; the review queue; per-visitor figures; and the failed visits the branch head
 * signs for. Pure: built from plain facts (`ReportFacts`, gathered by ./gather.ts) and read by
 * the four writers (text, HTML, PDF, XLSX), so every format tells the same figures.
 */
import { maskTail } from '../domain/customer.ts';
import type { BranchCoverage, CountCoverage, RatioCoverage } from '../plan/coverage.ts';
import type { VisitCategory, VisitChannel, VisitResult } from '../domain/visit.ts';
import { daysBetween, inPeriod, type ReportPeriod } from './period.ts';

/** One visit as the report sees it (from `validate`'s verdict on it). */
export interface ReportVisitFacts {
  visitId: string;
  branchCode: string;
  branchName: string;
  customerId: string;
  customerName: string;
  category: VisitCategory;
  channel: VisitChannel;
  visitor: string | null;
  createdOn: string;
  dueOn: string;
  result: VisitResult;
  /** `validate` found the visit overdue (incomplete past its due date). */
  overdue: boolean;
  /** The visit's completion date (signed form's date, call time, return's arrival); null while not completed. */
  completedOn: string | null;
  /** Completed after its due date: flagged for good (the completion record's late flag). */
  completedLate: boolean;
  /** A reviewer (复核人员) returned the visit at least once (decision `return`): rework for the visitor. */
  rework: boolean;
  /** A reviewer approved the visit as it now stands (validate's `approved`). */
  approved: boolean;
  /** A letter whose record form came back. */
  formReturned: boolean;
  /** `satisfied` | `neutral` | `dissatisfied`, or null when not answered. */
  satisfaction: string | null;
  /** Why a failed visit failed, one sentence a reason. */
  failedReasons: string[];
}

/** An exception record (异常, 第三十八条): owned by the branch head, with cause, measures, escalation and closure. */
export interface ExceptionFacts {
  /** The record's number; null when validate finds a cause today that no run has recorded yet. */
  exceptionId: number | null;
  visitId: string;
  branchCode: string;
  /** What opened it, in words. */
  triggers: string[];
  /** The owner (branch head), by name when on the roster. */
  owner: string | null;
  cause: string | null;
  measures: string | null;
  level: number;
  dueOn: string | null;
  status: 'open' | 'closed';
  openedOn: string;
  closedOn: string | null;
  /** Who closed it (by name when on the roster). */
  closedBy: string | null;
  closureNote: string | null;
}

/** Coverage of one branch for the year (planning, 第二十条), customer ids masked. */
export interface CoverageFacts extends BranchCoverage {
  year: number;
  asOf: string;
}

/** A bundle built for the period (archive), with its retention date and legal holds. */
export interface BundleFacts {
  bundleId: string;
  branchCode: string;
  period: string;
  visits: number;
  retainUntil: string;
  includesInvalid: boolean;
  holds: string[];
  sha256: string;
  path: string;
}

export interface ReviewItemFacts {
  visitId: string | null;
  branchCode: string | null;
  createdAt: string;
}

export interface ReportFacts {
  period: ReportPeriod;
  today: string;
  /** Branches to report on (code → name); the company section sums them. */
  branches: { code: string; name: string }[];
  visits: ReportVisitFacts[];
  exceptions: ExceptionFacts[];
  coverage: CoverageFacts[] | null;
  reviewItems: ReviewItemFacts[];
  bundles: BundleFacts[];
}

export type Counts = Record<string, number>;

export interface VisitorRow {
  visitor: string;
  visits: number;
  rework: number;
  late: number;
}

export interface LateVisitRow {
  visitId: string;
  customer: string;
  customerId: string;
  visitor: string | null;
  dueOn: string;
  completedOn: string;
  daysLate: number;
}

/** An exception as the report lists it, with its age in days (open: to today; closed: to its closure). */
export interface ExceptionRow extends ExceptionFacts {
  ageDays: number;
  overdue: boolean;
}

export interface FailedVisitRow {
  visitId: string;
  customer: string;
  customerId: string;
  category: VisitCategory;
  channel: VisitChannel;
  visitor: string | null;
  reasons: string[];
}

export interface ReportSection {
  /** Branch code, or `company` for the whole firm. */
  code: string;
  name: string;
  visits: number;
  byCategory: Counts;
  byChannel: Counts;
  byResult: Counts;
  /** Completed on or before the due date, against completed late plus still open past due. */
  onTime: {
    due: number;
    onTime: number;
    late: number;
    completedLate: number;
    openPastDue: number;
    rate: number | null;
  };
  lateVisits: LateVisitRow[];
  letters: { sent: number; returned: number; rate: number | null };
  /** The year's coverage per branch (the company: one summed row); null: no account list imported. */
  coverage: CoverageFacts[] | null;
  satisfaction: Counts;
  exceptions: {
    opened: number;
    closed: number;
    open: number;
    overdue: number;
    oldestOpenDays: number | null;
    averageOpenDays: number | null;
    list: ExceptionRow[];
  };
  /** Open review items; visits awaiting a reviewer's approval; visits a reviewer returned. */
  review: { open: number; oldestDays: number | null; awaitingApproval: number; returned: number };
  visitors: VisitorRow[];
  failed: FailedVisitRow[];
  bundles: BundleFacts[];
}

export interface PeriodReport {
  format: 'huifang-report/1';
  period: ReportPeriod;
  today: string;
  company: ReportSection;
  branches: ReportSection[];
}

/** The results in the order people read them, pending last. */
export const RESULT_ORDER: readonly VisitResult[] = ['passed', 'failed', 'refused', 'unreachable', 'pending'];
export const SATISFACTION_ORDER = ['satisfied', 'neutral', 'dissatisfied', 'unanswered'] as const;

const count = (values: readonly string[]): Counts => {
  const out: Counts = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
};
const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/** Late for the on-time rate: completed after the due date, or still not completed past it. */
const isLate = (v: ReportVisitFacts): boolean => (v.completedOn ? v.completedLate : v.overdue);

function visitorRows(visits: readonly ReportVisitFacts[]): VisitorRow[] {
  const rows = new Map<string, VisitorRow>();
  for (const v of visits) {
    const name = v.visitor ?? '(未记录)';
    const row = rows.get(name) ?? { visitor: name, visits: 0, rework: 0, late: 0 };
    row.visits++;
    if (v.rework) row.rework++;
    if (isLate(v)) row.late++;
    rows.set(name, row);
  }
  return [...rows.values()].sort((a, b) => b.visits - a.visits || a.visitor.localeCompare(b.visitor));
}

function onTimeOf(visits: readonly ReportVisitFacts[]): ReportSection['onTime'] {
  const onTime = visits.filter((v) => v.completedOn && !v.completedLate).length;
  const completedLate = visits.filter((v) => v.completedOn && v.completedLate).length;
  const openPastDue = visits.filter((v) => !v.completedOn && v.overdue).length;
  const due = onTime + completedLate + openPastDue;
  return { due, onTime, late: completedLate + openPastDue, completedLate, openPastDue, rate: rate(onTime, due) };
}

function exceptionsOf(
  exceptions: readonly ExceptionFacts[],
  period: ReportPeriod,
  today: string,
): ReportSection['exceptions'] {
  const list: ExceptionRow[] = exceptions.map((e) => ({
    ...e,
    ageDays: daysBetween(e.openedOn, e.closedOn ?? today),
    overdue: e.status === 'open' && e.dueOn !== null && e.dueOn < today,
  }));
  const openAges = list.filter((e) => e.status === 'open').map((e) => e.ageDays);
  return {
    opened: list.filter((e) => inPeriod(period, e.openedOn)).length,
    closed: list.filter((e) => e.closedOn && inPeriod(period, e.closedOn)).length,
    open: openAges.length,
    overdue: list.filter((e) => e.overdue).length,
    oldestOpenDays: openAges.length ? Math.max(...openAges) : null,
    averageOpenDays: openAges.length
      ? Math.round((10 * openAges.reduce((a, b) => a + b, 0)) / openAges.length) / 10
      : null,
    list,
  };
}

const sumCount = (xs: CountCoverage[]): CountCoverage => ({
  total: xs.reduce((a, x) => a + x.total, 0),
  started: xs.reduce((a, x) => a + x.started, 0),
  visited: xs.reduce((a, x) => a + x.visited, 0),
  missing: xs.flatMap((x) => x.missing),
});
function sumRatio(xs: RatioCoverage[]): RatioCoverage {
  const c = sumCount(
    xs.map((x) => ({ total: x.eligible, started: x.started, visited: x.visited, missing: x.missing })),
  );
  const required = xs.reduce((a, x) => a + x.required, 0);
  return {
    eligible: c.total,
    started: c.started,
    visited: c.visited,
    ratio: c.total ? Math.round((c.visited / c.total) * 10_000) / 10_000 : 0,
    policyRatio: xs[0]?.policyRatio ?? 0,
    required,
    short: xs.reduce((a, x) => a + x.short, 0),
    ok: xs.every((x) => x.ok),
    missing: c.missing,
  };
}

/** The section's coverage: its branch's row, or for the company one row summing the branches. */
function coverageSection(coverage: CoverageFacts[] | null, code: string): CoverageFacts[] | null {
  if (coverage === null) return null;
  if (code !== 'company') return coverage.filter((c) => c.branch === code);
  if (coverage.length <= 1) return coverage;
  const first = coverage[0]!;
  return [
    {
      year: first.year,
      asOf: first.asOf,
      branch: 'company',
      branchName: '全公司',
      newAccounts: sumCount(coverage.map((c) => c.newAccounts)),
      existing: sumRatio(coverage.map((c) => c.existing)),
      margin: sumRatio(coverage.map((c) => c.margin)),
      key: sumCount(coverage.map((c) => c.key)),
      events: sumCount(coverage.map((c) => c.events)),
    },
  ];
}

function sectionOf(
  code: string,
  name: string,
  facts: ReportFacts,
  visits: ReportVisitFacts[],
  exceptions: ExceptionFacts[],
  review: ReviewItemFacts[],
): ReportSection {
  const letters = visits.filter((v) => v.channel === 'letter');
  const returned = letters.filter((v) => v.formReturned).length;
  const reviewAges = review.map((r) => daysBetween(r.createdAt, facts.today));
  const mask = (v: ReportVisitFacts) => ({
    visitId: v.visitId,
    customer: v.customerName,
    customerId: maskTail(v.customerId),
  });
  return {
    code,
    name,
    visits: visits.length,
    byCategory: count(visits.map((v) => v.category)),
    byChannel: count(visits.map((v) => v.channel)),
    byResult: count(visits.map((v) => v.result)),
    onTime: onTimeOf(visits),
    lateVisits: visits
      .filter((v) => v.completedOn && v.completedLate)
      .map((v) => ({
        ...mask(v),
        visitor: v.visitor,
        dueOn: v.dueOn,
        completedOn: v.completedOn!,
        daysLate: daysBetween(v.dueOn, v.completedOn!),
      })),
    letters: { sent: letters.length, returned, rate: rate(returned, letters.length) },
    coverage: coverageSection(facts.coverage, code),
    satisfaction: count(
      visits.filter((v) => v.result !== 'pending' || v.satisfaction).map((v) => v.satisfaction ?? 'unanswered'),
    ),
    exceptions: exceptionsOf(exceptions, facts.period, facts.today),
    review: {
      open: review.length,
      oldestDays: reviewAges.length ? Math.max(...reviewAges) : null,
      awaitingApproval: visits.filter((v) => !v.approved).length,
      returned: visits.filter((v) => v.rework).length,
    },
    visitors: visitorRows(visits),
    failed: visits
      .filter((v) => v.result === 'failed')
      .map((v) => ({
        ...mask(v),
        category: v.category,
        channel: v.channel,
        visitor: v.visitor,
        reasons: v.failedReasons,
      })),
    bundles: facts.bundles.filter((b) => code === 'company' || b.branchCode === code),
  };
}

/**
 * Builds the report: one section per branch (in code order) and one for the company. The
 * exceptions are those of the period's visits and any opened or closed in the period.
 */
export function buildReport(facts: ReportFacts): PeriodReport {
  const visits = facts.visits.filter((v) => inPeriod(facts.period, v.createdOn));
  const ids = new Set(visits.map((v) => v.visitId));
  const exceptions = facts.exceptions.filter(
    (e) =>
      ids.has(e.visitId) ||
      inPeriod(facts.period, e.openedOn) ||
      (e.closedOn !== null && inPeriod(facts.period, e.closedOn)),
  );
  const review = facts.reviewItems.filter((r) => r.visitId === null || ids.has(r.visitId));
  const branches = [...facts.branches].sort((a, b) => a.code.localeCompare(b.code));
  const codes = new Set(branches.map((b) => b.code));
  const mine = <T extends { branchCode: string | null }>(list: T[], code: string) =>
    list.filter((x) => x.branchCode === code);
  return {
    format: 'huifang-report/1',
    period: facts.period,
    today: facts.today,
    company: sectionOf(
      'company',
      '全公司',
      { ...facts, coverage: facts.coverage && facts.coverage.filter((c) => codes.has(c.branch)) },
      visits.filter((v) => codes.has(v.branchCode)),
      exceptions.filter((e) => codes.has(e.branchCode)),
      review.filter((r) => r.branchCode !== null && codes.has(r.branchCode)),
    ),
    branches: branches.map((b) =>
      sectionOf(b.code, b.name, facts, mine(visits, b.code), mine(exceptions, b.code), mine(review, b.code)),
    ),
  };
}

/** A rate as people read it: `87 %`, or `—` when there is nothing to divide. */
export function percent(r: number | null): string {
  return r === null ? '—' : `${Math.round(r * 100)} %`;
}
