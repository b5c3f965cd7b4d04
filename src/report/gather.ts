/**
 * The facts a period report is built from, gathered from the workspace: every visit's
 * verdict as `huifang validate` gives it today (same rules, same day, so the report's
 * figures are validate's), the open review queue, the exceptions and the coverage.
 *
 * Exceptions are the register's records (owner, cause, measures, escalation, closure); a visit
 * whose cause validate finds today but no run has recorded yet is shown open from today.
 * Completion dates and their late flag, and the reviewers' decisions, are validate's. Coverage
 * is the year's (`huifang coverage`), as of the period's end, once an account list is imported.
 */
import { TRIGGER_LABELS } from '../domain/exceptions.ts';
import { findPerson } from '../domain/people.ts';
import { SATISFACTION } from '../domain/questions.ts';
import type { CountCoverage, RatioCoverage } from '../plan/coverage.ts';
import { periodCoverage } from '../plan/run.ts';
import { shownCustomerId } from '../plan/shown.ts';
import type { VisitValidation } from '../rules/validate.ts';
import { validateAll } from '../rules/validate-all.ts';
import { activeHolds, listBundles } from '../store/bundles.ts';
import { listExceptions, type ExceptionRecord } from '../store/exceptions.ts';
import { listReviewItems } from '../store/review.ts';
import { listStaff } from '../store/rules.ts';
import { visitReviewsOfVisits, type VisitReview } from '../store/visit-reviews.ts';
import { customersByIds, visitIdsOf, visitsByIds } from '../store/visits.ts';
import type { Customer } from '../domain/customer.ts';
import type { Visit } from '../domain/visit.ts';
import type { Workspace } from '../store/workspace.ts';
import { businessDay, inPeriod, type ReportPeriod } from './period.ts';
import type {
  BundleFacts,
  CoverageFacts,
  ExceptionFacts,
  ReportFacts,
  ReportVisitFacts,
  ReviewItemFacts,
} from './model.ts';

export interface GatherOptions {
  period: ReportPeriod;
  today: string;
  /** Only this branch; default every branch with visits in the period. */
  branch?: string;
  onProgress?: (done: number, total: number) => void;
}

/** What the report needs of each validated visit beside its verdict, read in a few queries. */
function visitFactsOfAll(ws: Workspace, validated: readonly VisitValidation[]): ReportVisitFacts[] {
  const ids = validated.map((v) => v.visitId);
  const visits = visitsByIds(ws.register, ids);
  const customers = customersByIds(
    ws.register,
    validated.map((v) => v.customerId),
  );
  const reviews = visitReviewsOfVisits(ws.register, ids);
  return validated.map((v) =>
    visitFactsOf(v, visits.get(v.visitId)!, customers.get(v.customerId), reviews.get(v.visitId) ?? []),
  );
}

function visitFactsOf(
  v: VisitValidation,
  visit: Visit,
  customer: Customer | undefined,
  reviews: readonly VisitReview[],
): ReportVisitFacts {
  const formReturned = v.record.documents.some(
    (d) => d.kind === 'form' && (d.role === 'received' || d.role === 'derived'),
  );
  const satisfaction = v.record.answers[SATISFACTION.id];
  return {
    visitId: v.visitId,
    branchCode: v.branchCode,
    branchName: customer?.branchName ?? v.branchCode,
    customerId: v.customerId,
    customerName: customer?.name ?? '',
    category: v.category,
    channel: v.channel,
    visitor: visit.visitor ?? null,
    createdOn: visit.createdOn,
    dueOn: v.dueOn,
    result: v.result,
    overdue: v.problems.some((m) => m.ruleId === 'deadline/overdue'),
    completedOn: v.completion?.completedOn ?? null,
    completedLate: v.completion?.late ?? false,
    rework: reviews.some((r) => r.decision === 'return'),
    approved: v.approved,
    formReturned,
    satisfaction: typeof satisfaction === 'string' ? satisfaction : null,
    failedReasons: v.decision.failedAnswers.map(
      (f) => `「${f.text}」答「${answerWord(f.actual)}」，合规答案为「${answerWord(f.expected)}」（${f.rule}）`,
    ),
  };
}

function answerWord(a: string): string {
  return a === 'yes' ? '是' : a === 'no' ? '否' : (SATISFACTION.options.find((o) => o.value === a)?.label ?? a);
}

/** Names a staff member by 工号 (`T004` → `钱七 (T004)`), or leaves what is recorded. */
function namer(ws: Workspace): (who: string | null) => string | null {
  const roster = listStaff(ws.register);
  return (who) => {
    if (who === null) return null;
    const p = findPerson(roster, who);
    return p && p.name !== who ? `${p.name} (${p.staffId})` : who;
  };
}

function exceptionFacts(
  r: ExceptionRecord,
  branchCode: string,
  name: (who: string | null) => string | null,
): ExceptionFacts {
  return {
    exceptionId: r.exceptionId,
    visitId: r.visitId,
    branchCode,
    triggers: r.triggers.map((t) => TRIGGER_LABELS[t]),
    owner: name(r.owner),
    cause: r.cause,
    measures: r.measures,
    level: r.level,
    dueOn: r.dueOn,
    status: r.status,
    openedOn: businessDay(r.openedAt),
    closedOn: r.closedAt ? businessDay(r.closedAt) : null,
    closedBy: name(r.closedBy),
    closureNote: r.closureNote,
  };
}

/**
 * The exception records (异常) of the validated visits — a cause validate finds that no run has
 * recorded yet is shown open from today, without a number — and the records of other visits
 * of the branches opened or closed in the period.
 */
export function exceptionsOf(
  ws: Workspace,
  validated: readonly VisitValidation[],
  period: ReportPeriod,
  today: string,
  branch?: string,
): ExceptionFacts[] {
  const name = namer(ws);
  const out: ExceptionFacts[] = [];
  for (const v of validated) {
    if (v.exception?.record) out.push(exceptionFacts(v.exception.record, v.branchCode, name));
    else if (v.exception?.triggers.length) {
      out.push({
        exceptionId: null,
        visitId: v.visitId,
        branchCode: v.branchCode,
        triggers: v.exception.triggers.map((t) => TRIGGER_LABELS[t as keyof typeof TRIGGER_LABELS] ?? t),
        owner: null,
        cause: null,
        measures: null,
        level: 1,
        dueOn: null,
        status: 'open',
        openedOn: today,
        closedOn: null,
        closedBy: null,
        closureNote: null,
      });
    }
  }
  const seen = new Set(validated.map((v) => v.visitId));
  const others = listExceptions(ws.register).filter(
    (r) =>
      !seen.has(r.visitId) &&
      (inPeriod(period, businessDay(r.openedAt)) || (r.closedAt && inPeriod(period, businessDay(r.closedAt)))),
  );
  const visits = visitsByIds(
    ws.register,
    others.map((r) => r.visitId),
  );
  const customers = customersByIds(
    ws.register,
    [...visits.values()].map((v) => v.customerId),
  );
  for (const r of others) {
    const visit = visits.get(r.visitId);
    const code = visit && customers.get(visit.customerId)?.branchCode;
    if (code && (!branch || code === branch)) out.push(exceptionFacts(r, code, name));
  }
  return out;
}

/**
 * Coverage of the year the period ends in, as of the period's end (or today), customer ids
 * masked as `huifang coverage` shows them; null when no account list has been imported.
 */
export function coverageOf(ws: Workspace, period: ReportPeriod, branch?: string): CoverageFacts[] | null {
  const c = periodCoverage(ws, period.end.slice(0, 7), branch);
  if (!c) return null;
  const mask = <T extends CountCoverage | RatioCoverage>(x: T): T => ({
    ...x,
    missing: x.missing.map((m) => ({ ...m, customerId: shownCustomerId(m.customerId) })),
  });
  return c.branches.map((b) => ({
    ...b,
    year: c.year,
    asOf: c.asOf,
    newAccounts: mask(b.newAccounts),
    existing: mask(b.existing),
    margin: mask(b.margin),
    key: mask(b.key),
    events: mask(b.events),
  }));
}

/** The bundles built for months that overlap the period, of the branches reported on. */
function bundlesOf(ws: Workspace, period: ReportPeriod, branches: ReadonlySet<string>): BundleFacts[] {
  return listBundles(ws.register)
    .filter((b) => branches.has(b.branchCode) && `${b.period}-01` <= period.end && `${b.period}-31` >= period.start)
    .map((b) => ({
      bundleId: b.bundleId,
      branchCode: b.branchCode,
      period: b.period,
      visits: b.visitCount,
      retainUntil: b.retainUntil,
      includesInvalid: b.includesInvalid,
      holds: activeHolds(ws.register, b.bundleId).map((h) => h.reason),
      sha256: b.sha256,
      path: b.path,
    }));
}

/** Gathers the report's facts (validating the period's visits as `huifang validate` would). */
export async function gatherReportFacts(ws: Workspace, options: GatherOptions): Promise<ReportFacts> {
  const inScope = visitIdsOf(ws.register, {
    ...(options.branch ? { branchCode: options.branch } : {}),
    createdFrom: options.period.start,
    createdTo: options.period.end,
  });
  const report = await validateAll(ws, {
    visitIds: inScope,
    today: options.today,
    hashes: 'none',
    recordResults: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const visits = visitFactsOfAll(ws, report.visits);
  const coverage = coverageOf(ws, options.period, options.branch);
  const branches = new Map<string, string>();
  for (const v of visits) branches.set(v.branchCode, v.branchName);
  // a branch with accounts to visit and no visit in the period is reported too: that is what coverage is for
  for (const c of coverage ?? []) if (!branches.has(c.branch)) branches.set(c.branch, c.branchName);
  if (options.branch && !branches.has(options.branch)) branches.set(options.branch, options.branch);
  const branchOf = new Map(visits.map((v) => [v.visitId, v.branchCode]));
  const reviewItems: ReviewItemFacts[] = listReviewItems(ws.register, { status: 'open' })
    .filter((i) => i.visitId !== null && branchOf.has(i.visitId))
    .map((i) => ({ visitId: i.visitId, branchCode: branchOf.get(i.visitId!) ?? null, createdAt: i.createdAt }));
  return {
    period: options.period,
    today: options.today,
    branches: [...branches].map(([code, name]) => ({ code, name })),
    visits,
    exceptions: exceptionsOf(ws, report.visits, options.period, options.today, options.branch),
    coverage,
    reviewItems,
    bundles: bundlesOf(ws, options.period, new Set(branches.keys())),
  };
}
