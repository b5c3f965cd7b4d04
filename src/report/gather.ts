/**
 * The facts a period report is built from, gathered from the workspace: every visit's
 * verdict as `huifang validate` gives it today (same rules, same day, so the report's
 * figures are validate's), the open review queue, the exceptions and the coverage.
 *
 * Two sources are thin today and named as such: `exceptionsOf` (every failed visit is an
 * exception, opened the day its result was decided and never closed until exceptions can be
 * closed with an owner and measures) and `coverageOf` (null: nothing is planned yet, so the
 * report says coverage is not available). Each is one function to replace when its stage exists.
 */
import { SATISFACTION } from '../domain/questions.ts';
import { validateAll, type VisitValidation } from '../rules/validate.ts';
import { activeHolds, listBundles } from '../store/bundles.ts';
import { listReviewItems } from '../store/review.ts';
import { decisionOf } from '../store/rules.ts';
import { getCustomer, getVisit, listVisits } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { businessDay, inPeriod, type ReportPeriod } from './period.ts';

const businessDayOf = (t: string | undefined): string | undefined => (t ? businessDay(t) : undefined);
import type { BundleFacts, CoverageFacts, ExceptionFacts, ReportFacts, ReportVisitFacts, ReviewItemFacts } from './model.ts';

export interface GatherOptions {
  period: ReportPeriod;
  today: string;
  /** Only this branch; default every branch with visits in the period. */
  branch?: string;
  onProgress?: (done: number, total: number) => void;
}

function visitFactsOf(ws: Workspace, v: VisitValidation): ReportVisitFacts {
  const visit = getVisit(ws.db, v.visitId)!;
  const customer = getCustomer(ws.db, v.customerId);
  const formReturned = v.record.documents.some((d) => d.kind === 'form' && (d.role === 'received' || d.role === 'derived'));
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
    rework: v.problems.some((m) => m.severity === 'error' && m.ruleId.startsWith('evidence/')),
    formReturned,
    satisfaction: typeof satisfaction === 'string' ? satisfaction : null,
    failedReasons: v.decision.failedAnswers.map((f) => `「${f.text}」答「${answerWord(f.actual)}」，合规答案为「${answerWord(f.expected)}」（${f.rule}）`),
  };
}

function answerWord(a: string): string {
  return a === 'yes' ? '是' : a === 'no' ? '否' : (SATISFACTION.options.find((o) => o.value === a)?.label ?? a);
}

/** Exceptions (异常): every failed visit, opened when its result was decided; none closed yet. */
export function exceptionsOf(ws: Workspace, visits: readonly ReportVisitFacts[]): ExceptionFacts[] {
  return visits
    .filter((v) => v.result === 'failed')
    // opened the business day the failing result was decided (validate records it)
    .map((v) => ({ visitId: v.visitId, branchCode: v.branchCode, openedOn: businessDayOf(decisionOf(ws.db, v.visitId)?.decidedAt) ?? v.createdOn, closedOn: null }));
}

/** Coverage against the required ratios: null until visits are planned from the account population. */
export function coverageOf(_ws: Workspace, _period: ReportPeriod): CoverageFacts[] | null {
  return null;
}

/** The bundles built for months that overlap the period, of the branches reported on. */
function bundlesOf(ws: Workspace, period: ReportPeriod, branches: ReadonlySet<string>): BundleFacts[] {
  return listBundles(ws.db)
    .filter((b) => branches.has(b.branchCode) && `${b.period}-01` <= period.end && `${b.period}-31` >= period.start)
    .map((b) => ({ bundleId: b.bundleId, branchCode: b.branchCode, period: b.period, visits: b.visitCount, retainUntil: b.retainUntil, includesInvalid: b.includesInvalid, holds: activeHolds(ws.db, b.bundleId).map((h) => h.reason), sha256: b.sha256, path: b.path }));
}

/** Gathers the report's facts (validating the period's visits as `huifang validate` would). */
export async function gatherReportFacts(ws: Workspace, options: GatherOptions): Promise<ReportFacts> {
  const inScope = listVisits(ws.db, options.branch ? { branchCode: options.branch } : {}).filter((v) => inPeriod(options.period, v.createdOn));
  const report = await validateAll(ws, {
    visitIds: inScope.map((v) => v.visitId),
    today: options.today,
    verifyHashes: false,
    recordResults: false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const visits = report.visits.map((v) => visitFactsOf(ws, v));
  const branches = new Map<string, string>();
  for (const v of visits) branches.set(v.branchCode, v.branchName);
  if (options.branch && !branches.has(options.branch)) branches.set(options.branch, options.branch);
  const branchOf = new Map(visits.map((v) => [v.visitId, v.branchCode]));
  const reviewItems: ReviewItemFacts[] = listReviewItems(ws.db, { status: 'open' })
    .filter((i) => i.visitId !== null && branchOf.has(i.visitId))
    .map((i) => ({ visitId: i.visitId, branchCode: branchOf.get(i.visitId!) ?? null, createdAt: i.createdAt }));
  return {
    period: options.period,
    today: options.today,
    branches: [...branches].map(([code, name]) => ({ code, name })),
    visits,
    exceptions: exceptionsOf(ws, visits),
    coverage: coverageOf(ws, options.period),
    reviewItems,
    bundles: bundlesOf(ws, options.period, new Set(branches.keys())),
  };
}
