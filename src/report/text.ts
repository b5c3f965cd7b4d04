/**
 * The period report as plain text lines (the terminal's `huifang report`).
 */
import {
  categoryRows,
  channelRows,
  coverageLines,
  coverageTitle,
  days,
  NO_COVERAGE,
  resultRows,
  satisfactionRows,
  SIGNATURE_TEXT,
} from './labels.ts';
import { percent, type ExceptionRow, type PeriodReport, type ReportSection } from './model.ts';

/** One exception in a line: number, visit, status, owner, level, due, age, cause, measures, closure. */
export function exceptionLine(e: ExceptionRow): string {
  const state =
    e.status === 'closed'
      ? `closed ${e.closedOn} by ${e.closedBy ?? '?'}${e.closureNote ? ` (${e.closureNote})` : ''}`
      : `open${e.overdue ? ', OVERDUE' : ''}`;
  return `${e.exceptionId === null ? '(not yet recorded: run huifang validate)' : `#${e.exceptionId}`} ${e.visitId} ${state}; owner ${e.owner ?? 'none'}, level ${e.level}, due ${e.dueOn ?? '—'}, opened ${e.openedOn}, ${e.ageDays} day(s); ${e.triggers.join('; ')}; cause ${e.cause ?? '—'}; measures ${e.measures ?? '—'}`;
}

function coverageText(s: ReportSection): string[] {
  if (s.coverage === null) return [`  coverage:     ${NO_COVERAGE.split('：')[0]}`];
  if (!s.coverage.length) return ['  coverage:     no account of this branch in the imported list'];
  return s.coverage.flatMap((c) => [
    `  ${coverageTitle(c)}:`,
    ...coverageLines(c).map(
      (l) =>
        `    ${l.label}: ${l.visited}/${l.denominator} (${l.reached}, required ${l.required})${l.ok ? ' ok' : ' SHORT'}${l.missing !== '—' ? `; missing ${l.missing}` : ''}`,
    ),
  ]);
}

const list = (rows: { label: string; value: number }[]): string =>
  rows.map((r) => `${r.label} ${r.value}`).join(' · ') || 'none';

function sectionLines(r: PeriodReport, s: ReportSection): string[] {
  const ex = s.exceptions;
  return [
    '',
    s.code === 'company'
      ? `全公司 company — ${r.period.label}: ${s.visits} visits`
      : `营业部 ${s.code} ${s.name} — ${r.period.label}: ${s.visits} visits`,
    `  results:      ${list(resultRows(s))}`,
    `  categories:   ${list(categoryRows(s))}`,
    `  channels:     ${list(channelRows(s))}`,
    `  on time:      ${percent(s.onTime.rate)} (${s.onTime.onTime} of ${s.onTime.due} completed or due; ${s.onTime.completedLate} completed late, ${s.onTime.openPastDue} still open past due)`,
    ...s.lateVisits.map(
      (l) =>
        `    late: ${l.visitId} ${l.customer} (${l.customerId}) due ${l.dueOn}, completed ${l.completedOn} (${l.daysLate} day(s) late)`,
    ),
    `  letters:      ${s.letters.sent} sent, ${s.letters.returned} returned (${percent(s.letters.rate)})`,
    `  satisfaction: ${list(satisfactionRows(s))}`,
    `  exceptions:   ${ex.opened} opened and ${ex.closed} closed in the period, ${ex.open} open (${ex.overdue} overdue, oldest ${days(ex.oldestOpenDays)})`,
    ...ex.list.map((e) => `    ${exceptionLine(e)}`),
    `  review:       ${s.review.awaitingApproval} visit(s) awaiting a reviewer's approval, ${s.review.returned} returned; ${s.review.open} open item(s) (oldest ${days(s.review.oldestDays)})`,
    ...coverageText(s),
    `  visitors:     ${s.visitors.map((v) => `${v.visitor} ${v.visits} (rework ${v.rework}, late ${v.late})`).join(' · ') || 'none'}`,
    ...(s.failed.length
      ? [
          `  failed visits (回访不通过, for the ${s.code === 'company' ? 'head of customer service' : 'branch head'} to sign):`,
          ...s.failed.flatMap((f) => [
            `    ${f.visitId} ${f.customer} (${f.customerId})`,
            ...f.reasons.map((x) => `      - ${x}`),
          ]),
        ]
      : ['  failed visits: none']),
    ...(s.bundles.length
      ? s.bundles.map(
          (x) =>
            `  bundle ${x.bundleId}: ${x.visits} visits, retain until ${x.retainUntil}${x.includesInvalid ? ', includes invalid visits' : ''}${x.holds.length ? `, legal hold: ${x.holds.join('; ')}` : ''}  ${x.sha256.slice(0, 16)}…`,
        )
      : ['  no bundle built yet (huifang archive)']),
    ...(s.code === 'company' ? [] : [`  ${SIGNATURE_TEXT} 营业部负责人签字：__________  日期：__________`]),
  ];
}

export function reportText(r: PeriodReport): string[] {
  const sections = [...(r.branches.length > 1 ? [r.company] : []), ...r.branches];
  return [
    `客户回访工作报告 ${r.period.label} (${r.period.start} – ${r.period.end}), as of ${r.today}`,
    ...sections.flatMap((s) => sectionLines(r, s)),
  ];
}
