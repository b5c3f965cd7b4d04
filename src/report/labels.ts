/**
 * The words the report writers share: section and row labels, in Chinese with an English
 * gloss, so the text, HTML, PDF and XLSX reports name every figure the same way.
 */
import {
  VISIT_CATEGORY_LABELS,
  VISIT_CHANNEL_LABELS,
  VISIT_RESULT_LABELS,
  type VisitCategory,
  type VisitChannel,
  type VisitResult,
} from '../domain/visit.ts';
import {
  percent,
  RESULT_ORDER,
  SATISFACTION_ORDER,
  type CoverageFacts,
  type Counts,
  type ReportSection,
} from './model.ts';

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
export function orderedRows(
  counts: Counts,
  order: readonly string[],
  label: (k: string) => string,
): { key: string; label: string; value: number }[] {
  const keys = [
    ...order.filter((k) => counts[k]),
    ...Object.keys(counts)
      .filter((k) => !order.includes(k))
      .sort(),
  ];
  return keys.map((k) => ({ key: k, label: label(k), value: counts[k]! }));
}

export const resultRows = (s: ReportSection) => orderedRows(s.byResult, RESULT_ORDER, resultLabel);
export const categoryRows = (s: ReportSection) =>
  orderedRows(s.byCategory, Object.keys(VISIT_CATEGORY_LABELS), categoryLabel);
export const channelRows = (s: ReportSection) =>
  orderedRows(s.byChannel, Object.keys(VISIT_CHANNEL_LABELS), channelLabel);
export const satisfactionRows = (s: ReportSection) =>
  orderedRows(
    s.satisfaction,
    SATISFACTION_ORDER,
    (k) => SATISFACTION_LABELS[k as keyof typeof SATISFACTION_LABELS] ?? k,
  );

/** `3 天`, or `—`. */
export const days = (n: number | null): string => (n === null ? '—' : `${n} 天`);

/** The sentence under the coverage heading while no account list has been imported. */
export const NO_COVERAGE =
  '覆盖率不可用 not available：尚未导入客户名单（huifang accounts import）。Coverage (new accounts, existing ≥10 %, margin ≥15 %, key customers, events) is shown once the account population is imported.';

/** One requirement of a branch's coverage as every writer shows it. */
export interface CoverageLine {
  label: string;
  /** Customers the requirement counts (all new accounts, eligible existing, …). */
  denominator: number;
  visited: number;
  reached: string;
  /** What the rules ask: `全部 all` or the policy's ratio and the number it needs. */
  required: string;
  ok: boolean;
  /** Still missing, masked ids with their due dates (at most `limit`, then how many more). */
  missing: string;
}

/** The five requirements of one coverage row (第十六、二十、十二/二十八、三十一条). */
export function coverageLines(c: CoverageFacts, limit = 10): CoverageLine[] {
  const missing = (m: CoverageFacts['events']['missing']): string =>
    m.length
      ? `${m
          .slice(0, limit)
          .map((x) => `${x.customerId} (${x.event ? `${x.event} ${x.occurredOn}, ` : ''}due ${x.due})`)
          .join(', ')}${m.length > limit ? ` … 另 ${m.length - limit} 户 and ${m.length - limit} more` : ''}`
      : '—';
  const count = (label: string, x: CoverageFacts['key']): CoverageLine => ({
    label,
    denominator: x.total,
    visited: x.visited,
    reached: percent(x.total ? x.visited / x.total : null),
    required: '全部 all',
    ok: x.missing.length === 0,
    missing: missing(x.missing),
  });
  const ratio = (label: string, x: CoverageFacts['existing']): CoverageLine => ({
    label,
    denominator: x.eligible,
    visited: x.visited,
    reached: percent(x.eligible ? x.ratio : null),
    required: `≥ ${Math.round(x.policyRatio * 1000) / 10} % (${x.required})`,
    ok: x.ok,
    missing: missing(x.missing),
  });
  return [
    count('新开户 new accounts', c.newAccounts),
    ratio('存量客户 existing', c.existing),
    ratio('融资融券客户 margin', c.margin),
    count('重点客户 key customers', c.key),
    count('事件回访 events', c.events),
  ];
}

/** `2026 年覆盖率（截至 2026-11-30）`: the year and day a coverage counts to. */
export const coverageTitle = (c: CoverageFacts): string => `${c.year} 年覆盖率 coverage of ${c.year}, as of ${c.asOf}`;

/** What the branch head signs under (第三十八条, 第四十条). */
export const SIGNATURE_TEXT = '以上回访不通过客户已知悉，并已安排跟进处理。';
