/**
 * Who is who in an account population, for one year: new accounts (第十六条), existing
 * customers eligible for the sample (第二十条: on the books at the last year-end, neither
 * dormant, suspended nor closed), margin customers among them, key customers and the
 * criteria that make them so (第十二条), and the visits already made. Shared by the plan
 * and by coverage so that both count the same people.
 */
import type { PlanningAccount } from '../domain/account.ts';
import type { KeyCustomerThresholds } from '../domain/policy-planning.ts';
import type { VisitCategory, VisitResult } from '../domain/visit.ts';

/** A visit as planning sees it. */
export interface VisitSeen {
  visitId?: string;
  customerId: string;
  category: VisitCategory;
  createdOn: string;
  result?: VisitResult;
}

export interface YearBounds {
  year: number;
  /** `YYYY-01-01` */
  start: string;
  /** `YYYY-12-31` */
  end: string;
  /** The last day counted: the as-of day, or the year's end if earlier. */
  until: string;
}

export function yearBounds(year: number, asOf: string): YearBounds {
  const start = `${year}-01-01`;
  const end = `${year}-12-31`;
  return { year, start, end, until: asOf < end ? asOf : end };
}

/** Opened in the year, up to the as-of day: a new-account visit is due (第十六条). */
export function isNewAccount(a: PlanningAccount, y: YearBounds): boolean {
  return a.openedOn >= y.start && a.openedOn <= y.until;
}

/** On the books at the last year-end and neither dormant, suspended nor closed (第二十条). */
export function isEligibleExisting(a: PlanningAccount, y: YearBounds): boolean {
  return a.status === 'normal' && a.openedOn < y.start;
}

/** A key-customer criterion, as recorded beside a planned visit. */
export type KeyCriterion = 'assets' | 'monthlyTurnover' | 'returnBelowIndex' | 'annualCommission' | 'vip';

export const KEY_CRITERION_LABELS: Record<KeyCriterion, (t: KeyCustomerThresholds) => string> = {
  assets: (t) => `总资产 ≥ ¥${(t.assets ?? 0).toLocaleString('en-US')}`,
  monthlyTurnover: (t) => `月均交易量 ≥ ¥${(t.monthlyTurnover ?? 0).toLocaleString('en-US')}`,
  returnBelowIndex: (t) => `六个月盈亏率 ≤ 指数涨跌幅 − ${t.returnBelowIndex ?? 0} 个百分点`,
  annualCommission: (t) => `年佣金 ≥ ¥${(t.annualCommission ?? 0).toLocaleString('en-US')}`,
  vip: () => 'VIP/核心客户',
};

/**
 * The key-customer criteria an account meets; empty when it is not a key customer. The
 * return criterion needs the index's change: the account's own `indexReturn`, else `indexReturn`.
 */
export function keyCriteria(a: PlanningAccount, t: KeyCustomerThresholds, indexReturn?: number): KeyCriterion[] {
  const met: KeyCriterion[] = [];
  if (t.assets !== null && a.assets !== undefined && a.assets >= t.assets) met.push('assets');
  if (t.monthlyTurnover !== null && a.monthlyTurnover !== undefined && a.monthlyTurnover >= t.monthlyTurnover)
    met.push('monthlyTurnover');
  const index = a.indexReturn ?? indexReturn;
  if (
    t.returnBelowIndex !== null &&
    a.sixMonthReturn !== undefined &&
    index !== undefined &&
    a.sixMonthReturn <= index - t.returnBelowIndex + 1e-9
  )
    met.push('returnBelowIndex');
  if (t.annualCommission !== null && a.annualCommission !== undefined && a.annualCommission >= t.annualCommission)
    met.push('annualCommission');
  if (t.vip && a.vip) met.push('vip');
  return met;
}

/** The visits of a population, indexed the ways planning and coverage ask. */
export interface VisitIndex {
  /** Customers with any visit started in the year. */
  inYear: Set<string>;
  /** Customers with a visit of the category started in the year, by category. */
  byCategoryInYear: Map<VisitCategory, Map<string, VisitSeen>>;
  /** Customers with a new-account visit, whenever started. */
  newAccountEver: Map<string, VisitSeen>;
  /** Special visits per customer, by start date (matched to events on or after their date). */
  special: Map<string, VisitSeen[]>;
}

export function indexVisits(visits: readonly VisitSeen[], y: YearBounds): VisitIndex {
  const index: VisitIndex = {
    inYear: new Set(),
    byCategoryInYear: new Map(),
    newAccountEver: new Map(),
    special: new Map(),
  };
  for (const v of visits) {
    const inYear = v.createdOn >= y.start && v.createdOn <= y.end;
    if (inYear) {
      index.inYear.add(v.customerId);
      let m = index.byCategoryInYear.get(v.category);
      if (!m) index.byCategoryInYear.set(v.category, (m = new Map()));
      if (!m.has(v.customerId) || isDone(v)) m.set(v.customerId, v);
    }
    if (v.category === 'new-account' && (!index.newAccountEver.has(v.customerId) || isDone(v)))
      index.newAccountEver.set(v.customerId, v);
    if (v.category === 'special') {
      const list = index.special.get(v.customerId) ?? [];
      list.push(v);
      index.special.set(v.customerId, list);
    }
  }
  return index;
}

/** A visit is complete once it has a result (passed, failed, refused, unreachable). */
export function isDone(v: VisitSeen): boolean {
  return v.result !== undefined && v.result !== 'pending';
}

/** The special visit that answers an event: started on or after the event's date. */
export function visitForEvent(index: VisitIndex, customerId: string, occurredOn: string): VisitSeen | undefined {
  const list = index.special.get(customerId);
  if (!list) return undefined;
  const after = list.filter((v) => v.createdOn >= occurredOn);
  return after.find(isDone) ?? after[0];
}
