/**
 * The period report (回访工作报告, 第四十条) as one plain model: per branch and for the company,
 * visits by category, channel and result; the on-time rate against the deadlines; letters sent
 * and returned; coverage against the required ratios; satisfaction; exceptions opened, closed
 * and their age; the review queue; per-visitor figures; and the failed visits the branch head
 * signs for. Pure: built from plain facts (`ReportFacts`, gathered by ./gather.ts) and read by
 * the four writers (text, HTML, PDF, XLSX), so every format tells the same figures.
 */
import { maskTail } from '../domain/customer.ts';
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
  /** Evidence is missing or wrong (an `evidence/*` error): the visitor has it to redo or complete. */
  rework: boolean;
  /** A letter whose record form came back. */
  formReturned: boolean;
  /** `satisfied` | `neutral` | `dissatisfied`, or null when not answered. */
  satisfaction: string | null;
  /** Why a failed visit failed, one sentence a reason. */
  failedReasons: string[];
}

/** An exception (异常, 第三十八条): today every failed visit is one, open until closed. */
export interface ExceptionFacts {
  visitId: string;
  branchCode: string;
  openedOn: string;
  closedOn: string | null;
}

/** Coverage of one branch against a required ratio (planning); none until planning exists. */
export interface CoverageFacts {
  branchCode: string;
  /** What is required, e.g. `存量客户 ≥10 %`. */
  requirement: string;
  required: number;
  visited: number;
  population: number;
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
  onTime: { due: number; onTime: number; late: number; rate: number | null };
  letters: { sent: number; returned: number; rate: number | null };
  /** null: coverage is not planned yet (no planning data). */
  coverage: CoverageFacts[] | null;
  satisfaction: Counts;
  exceptions: { opened: number; closed: number; open: number; oldestOpenDays: number | null; averageOpenDays: number | null };
  review: { open: number; oldestDays: number | null };
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

function visitorRows(visits: readonly ReportVisitFacts[]): VisitorRow[] {
  const rows = new Map<string, VisitorRow>();
  for (const v of visits) {
    const name = v.visitor ?? '(未记录)';
    const row = rows.get(name) ?? { visitor: name, visits: 0, rework: 0, late: 0 };
    row.visits++;
    if (v.rework) row.rework++;
    if (v.overdue) row.late++;
    rows.set(name, row);
  }
  return [...rows.values()].sort((a, b) => b.visits - a.visits || a.visitor.localeCompare(b.visitor));
}

function sectionOf(code: string, name: string, facts: ReportFacts, visits: ReportVisitFacts[], exceptions: ExceptionFacts[], review: ReviewItemFacts[]): ReportSection {
  const due = visits.filter((v) => v.dueOn <= facts.today || v.result !== 'pending');
  const late = due.filter((v) => v.overdue).length;
  const letters = visits.filter((v) => v.channel === 'letter');
  const returned = letters.filter((v) => v.formReturned).length;
  const open = exceptions.filter((e) => !e.closedOn);
  const openAges = open.map((e) => daysBetween(e.openedOn, facts.today));
  const reviewAges = review.map((r) => daysBetween(r.createdAt, facts.today));
  return {
    code,
    name,
    visits: visits.length,
    byCategory: count(visits.map((v) => v.category)),
    byChannel: count(visits.map((v) => v.channel)),
    byResult: count(visits.map((v) => v.result)),
    onTime: { due: due.length, onTime: due.length - late, late, rate: rate(due.length - late, due.length) },
    letters: { sent: letters.length, returned, rate: rate(returned, letters.length) },
    coverage: facts.coverage && facts.coverage.filter((c) => code === 'company' || c.branchCode === code),
    satisfaction: count(visits.filter((v) => v.result !== 'pending' || v.satisfaction).map((v) => v.satisfaction ?? 'unanswered')),
    exceptions: {
      opened: exceptions.length,
      closed: exceptions.length - open.length,
      open: open.length,
      oldestOpenDays: openAges.length ? Math.max(...openAges) : null,
      averageOpenDays: openAges.length ? Math.round((10 * openAges.reduce((a, b) => a + b, 0)) / openAges.length) / 10 : null,
    },
    review: { open: review.length, oldestDays: reviewAges.length ? Math.max(...reviewAges) : null },
    visitors: visitorRows(visits),
    failed: visits
      .filter((v) => v.result === 'failed')
      .map((v) => ({ visitId: v.visitId, customer: v.customerName, customerId: maskTail(v.customerId), category: v.category, channel: v.channel, visitor: v.visitor, reasons: v.failedReasons })),
    bundles: facts.bundles.filter((b) => code === 'company' || b.branchCode === code),
  };
}

/** Builds the report: one section per branch (in code order) and one for the company. */
export function buildReport(facts: ReportFacts): PeriodReport {
  const visits = facts.visits.filter((v) => inPeriod(facts.period, v.createdOn));
  const ids = new Set(visits.map((v) => v.visitId));
  const exceptions = facts.exceptions.filter((e) => ids.has(e.visitId));
  const review = facts.reviewItems.filter((r) => r.visitId === null || ids.has(r.visitId));
  const branches = [...facts.branches].sort((a, b) => a.code.localeCompare(b.code));
  const codes = new Set(branches.map((b) => b.code));
  const mine = <T extends { branchCode: string | null }>(list: T[], code: string) => list.filter((x) => x.branchCode === code);
  return {
    format: 'huifang-report/1',
    period: facts.period,
    today: facts.today,
    company: sectionOf(
      'company',
      '全公司',
      facts,
      visits.filter((v) => codes.has(v.branchCode)),
      exceptions.filter((e) => codes.has(e.branchCode)),
      review.filter((r) => r.branchCode !== null && codes.has(r.branchCode)),
    ),
    branches: branches.map((b) => sectionOf(b.code, b.name, facts, mine(visits, b.code), mine(exceptions, b.code), mine(review, b.code))),
  };
}

/** A rate as people read it: `87 %`, or `—` when there is nothing to divide. */
export function percent(r: number | null): string {
  return r === null ? '—' : `${Math.round(r * 100)} %`;
}
