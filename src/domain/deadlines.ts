/**
 * Deadlines and retention from the rules; configurable, pure.
 */
import { InputError } from './messages.ts';
import type { VisitCategory } from './visit.ts';

export interface DeadlinePolicy {
  /** 第十七条: new-account visits within one month of opening. */
  newAccountMonths: number;
  /** 第三十一条: special visits within 3 days of their trigger. */
  specialDays: number;
  /** Other categories: days from when the visit was started. */
  defaultDays: number;
}

export const DEFAULT_DEADLINES: DeadlinePolicy = {
  newAccountMonths: 1,
  specialDays: 3,
  defaultDays: 30,
};

/** Adds calendar days to an ISO date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Adds calendar months, clamping to the month's last day (01-31 + 1 month = 02-28/29). */
function addMonths(isoDate: string, months: number): string {
  const [y, m, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/** The date a visit is due, from its category, the customer's opening date and the day it started. */
export function dueDate(
  category: VisitCategory,
  openedOn: string,
  startedOn: string,
  policy: DeadlinePolicy = DEFAULT_DEADLINES,
): string {
  switch (category) {
    case 'new-account':
      return addMonths(openedOn, policy.newAccountMonths);
    case 'special':
      return addDays(startedOn, policy.specialDays);
    default:
      return addDays(startedOn, policy.defaultDays);
  }
}

/** 第三十九条: records are kept no less than three years. */
export const MINIMUM_RETENTION_YEARS = 3;

/** Retention per record category, in years; never below the minimum. */
export interface RetentionPolicy {
  defaultYears: number;
  /** e.g. `{ suitability: 20 }` */
  byRecordCategory: Record<string, number>;
}

export const DEFAULT_RETENTION: RetentionPolicy = { defaultYears: MINIMUM_RETENTION_YEARS, byRecordCategory: {} };

export function retentionYears(policy: RetentionPolicy, recordCategory?: string): number {
  const years = (recordCategory && policy.byRecordCategory[recordCategory]) || policy.defaultYears;
  if (!(years >= MINIMUM_RETENTION_YEARS)) {
    throw new InputError(
      `Retention of ${years} years for ${recordCategory ?? 'records'} is below the minimum of ${MINIMUM_RETENTION_YEARS} years (第三十九条); set it to ${MINIMUM_RETENTION_YEARS} or more.`,
    );
  }
  return years;
}

/** The date until which a record must be kept: the end of the period plus the retention years. */
export function retentionDate(periodEnd: string, years: number): string {
  return addMonths(periodEnd, years * 12);
}

/**
 * A business-day calendar: the weekdays that are not worked, the public holidays (节假日)
 * and the weekend days worked instead (调休上班), all `YYYY-MM-DD`.
 */
export interface BusinessCalendar {
  /** Days of the week not worked, 0 = Sunday … 6 = Saturday (default Saturday and Sunday). */
  weekend?: readonly number[];
  holidays: readonly string[];
  /** Weekend days that are worked (调休). */
  workdays: readonly string[];
}

/** Weekends only, no holidays. */
export const WEEKENDS_ONLY: BusinessCalendar = { weekend: [0, 6], holidays: [], workdays: [] };

/** A calendar prepared for repeated look-ups (sets instead of arrays). */
interface CalendarIndex {
  weekend: ReadonlySet<number>;
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

const indexes = new WeakMap<BusinessCalendar, CalendarIndex>();

function indexOf(calendar: BusinessCalendar): CalendarIndex {
  let index = indexes.get(calendar);
  if (!index) {
    index = {
      weekend: new Set(calendar.weekend ?? [0, 6]),
      holidays: new Set(calendar.holidays),
      workdays: new Set(calendar.workdays),
    };
    indexes.set(calendar, index);
  }
  return index;
}

/** Whether `isoDate` is worked: a 调休 workday, or a day that is neither weekend nor holiday. */
export function isBusinessDay(isoDate: string, calendar: BusinessCalendar): boolean {
  const index = indexOf(calendar);
  if (index.workdays.has(isoDate)) return true;
  if (index.holidays.has(isoDate)) return false;
  return !index.weekend.has(new Date(`${isoDate}T00:00:00Z`).getUTCDay());
}

/**
 * The date `days` business days after `isoDate` (the day itself not counted): 2 business
 * days after a Friday closure is the Tuesday. `days` = 0 gives the date itself.
 */
export function addBusinessDays(isoDate: string, days: number, calendar: BusinessCalendar): string {
  if (!Number.isInteger(days) || days < 0)
    throw new RangeError(`Expected a whole number of business days ≥ 0 but received ${days}`);
  let date = isoDate;
  for (let left = days, guard = 0; left > 0; guard++) {
    if (guard > 3660) throw new RangeError(`The calendar has no business day within ten years after ${isoDate}`);
    date = addDays(date, 1);
    if (isBusinessDay(date, calendar)) left--;
  }
  return date;
}

/** A term of the firm policy (`policy.ts`: `deadlines.byCategory`), applied. */
export interface PolicyTerm {
  amount: number;
  unit: 'months' | 'calendar-days' | 'business-days';
  from: 'opening' | 'start';
}

/**
 * The due date of a visit under the firm policy's term for its category, counted from the
 * account's opening or the visit's start, in months, calendar days or business days.
 */
export function dueDateUnder(
  term: PolicyTerm,
  calendar: BusinessCalendar,
  openedOn: string,
  startedOn: string,
): string {
  const from = term.from === 'opening' ? openedOn : startedOn;
  if (term.unit === 'months') return addMonths(from, term.amount);
  if (term.unit === 'calendar-days') return addDays(from, term.amount);
  return addBusinessDays(from, term.amount, calendar);
}
