/**
 * The period report as plain text lines (the terminal's `huifang report`).
 */
import { categoryRows, channelRows, days, NO_COVERAGE, resultRows, satisfactionRows, SIGNATURE_TEXT } from './labels.ts';
import { percent, type PeriodReport, type ReportSection } from './model.ts';

const list = (rows: { label: string; value: number }[]): string => rows.map((r) => `${r.label} ${r.value}`).join(' · ') || 'none';

function sectionLines(r: PeriodReport, s: ReportSection): string[] {
  const ex = s.exceptions;
  return [
    '',
    s.code === 'company' ? `全公司 company — ${r.period.label}: ${s.visits} visits` : `营业部 ${s.code} ${s.name} — ${r.period.label}: ${s.visits} visits`,
    `  results:      ${list(resultRows(s))}`,
    `  categories:   ${list(categoryRows(s))}`,
    `  channels:     ${list(channelRows(s))}`,
    `  on time:      ${percent(s.onTime.rate)} (${s.onTime.onTime} of ${s.onTime.due} due or done; ${s.onTime.late} late)`,
    `  letters:      ${s.letters.sent} sent, ${s.letters.returned} returned (${percent(s.letters.rate)})`,
    `  satisfaction: ${list(satisfactionRows(s))}`,
    `  exceptions:   ${ex.opened} opened, ${ex.closed} closed, ${ex.open} open (oldest ${days(ex.oldestOpenDays)})`,
    `  review queue: ${s.review.open} open item(s) (oldest ${days(s.review.oldestDays)})`,
    `  coverage:     ${s.coverage === null ? NO_COVERAGE.split('。')[0] : s.coverage.map((c) => `${c.requirement} ${c.visited}/${c.required}`).join(' · ') || 'none required'}`,
    `  visitors:     ${s.visitors.map((v) => `${v.visitor} ${v.visits} (rework ${v.rework}, late ${v.late})`).join(' · ') || 'none'}`,
    ...(s.failed.length
      ? [`  failed visits (回访不通过, for the ${s.code === 'company' ? 'head of customer service' : 'branch head'} to sign):`, ...s.failed.flatMap((f) => [`    ${f.visitId} ${f.customer} (${f.customerId})`, ...f.reasons.map((x) => `      - ${x}`)])]
      : ['  failed visits: none']),
    ...(s.bundles.length
      ? s.bundles.map((x) => `  bundle ${x.bundleId}: ${x.visits} visits, retain until ${x.retainUntil}${x.includesInvalid ? ', includes invalid visits' : ''}${x.holds.length ? `, legal hold: ${x.holds.join('; ')}` : ''}  ${x.sha256.slice(0, 16)}…`)
      : ['  no bundle built yet (huifang archive)']),
    ...(s.code === 'company' ? [] : [`  ${SIGNATURE_TEXT} 营业部负责人签字：__________  日期：__________`]),
  ];
}

export function reportText(r: PeriodReport): string[] {
  const sections = [...(r.branches.length > 1 ? [r.company] : []), ...r.branches];
  return [`客户回访工作报告 ${r.period.label} (${r.period.start} – ${r.period.end}), as of ${r.today}`, ...sections.flatMap((s) => sectionLines(r, s))];
}
