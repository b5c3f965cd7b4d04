/**
 * The words the report writers share: section and row labels, in Chinese with an English
 * gloss, so the text, HTML, PDF and XLSX reports name every figure the same way.
 */
import { VISIT_CATEGORY_LABELS, VISIT_CHANNEL_LABELS, VISIT_RESULT_LABELS, type VisitCategory, type VisitChannel, type VisitResult } from '../domain/visit.ts';
import { RESULT_ORDER, SATISFACTION_ORDER, type Counts, type ReportSection } from './model.ts';

export const SATISFACTION_LABELS: Record<(typeof SATISFACTION_ORDER)[number], string> = {
  satisfied: '满意',
  neutral: '一般',
  dissatisfied: '不满意',
  unanswered: '未作答',
};

export const categoryLabel = (c: string): string => VISIT_CATEGORY_LABELS[c as VisitCategory] ?? c;
export const channelLabel = (c: string): string => VISIT_CHANNEL_LABELS[c as VisitChannel] ?? c;
export const resultLabel = (r: string): string => VISIT_RESULT_LABELS[r as VisitResult] ?? r;

/** Rows of a count table in a stable order: known keys first (in `order`), then the rest. */
export function orderedRows(counts: Counts, order: readonly string[], label: (k: string) => string): { key: string; label: string; value: number }[] {
  const keys = [...order.filter((k) => counts[k]), ...Object.keys(counts).filter((k) => !order.includes(k)).sort()];
  return keys.map((k) => ({ key: k, label: label(k), value: counts[k]! }));
}

export const resultRows = (s: ReportSection) => orderedRows(s.byResult, RESULT_ORDER, resultLabel);
export const categoryRows = (s: ReportSection) => orderedRows(s.byCategory, Object.keys(VISIT_CATEGORY_LABELS), categoryLabel);
export const channelRows = (s: ReportSection) => orderedRows(s.byChannel, Object.keys(VISIT_CHANNEL_LABELS), channelLabel);
export const satisfactionRows = (s: ReportSection) => orderedRows(s.satisfaction, SATISFACTION_ORDER, (k) => SATISFACTION_LABELS[k as keyof typeof SATISFACTION_LABELS] ?? k);

/** `3 天`, or `—`. */
export const days = (n: number | null): string => (n === null ? '—' : `${n} 天`);

/** The sentence under the coverage heading while nothing is planned. */
export const NO_COVERAGE = '覆盖率暂无数据：回访计划（新开户、存量客户≥10 %、融资融券客户≥15 %、重点客户）尚未编制。Coverage is shown once visits are planned from the account population.';

/** What the branch head signs under (第三十八条, 第四十条). */
export const SIGNATURE_TEXT = '以上回访不通过客户已知悉，并已安排跟进处理。';
