/**
 * Deadlines and retention from the rules; configurable, pure.
 */
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
export function addMonths(isoDate: string, months: number): string {
  const [y, m, day] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.toISOString().slice(0, 10);
}

/** The date a visit is due, from its category, the customer's opening date and the day it started. */
export function dueDate(category: VisitCategory, openedOn: string, startedOn: string, policy: DeadlinePolicy = DEFAULT_DEADLINES): string {
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
    throw new Error(`Retention of ${years} years for ${recordCategory ?? 'records'} is below the minimum of ${MINIMUM_RETENTION_YEARS} years (第三十九条); set it to ${MINIMUM_RETENTION_YEARS} or more.`);
  }
  return years;
}

/** The date until which a record must be kept: the end of the period plus the retention years. */
export function retentionDate(periodEnd: string, years: number): string {
  return addMonths(periodEnd, years * 12);
}

/** Whether a day is a business day: Monday–Friday unless a holiday, or a weekend day worked (调休). */
export function isBusinessDay(isoDate: string, calendar: { holidays: readonly string[]; workdays: readonly string[] }): boolean {
  if (calendar.workdays.includes(isoDate)) return true;
  if (calendar.holidays.includes(isoDate)) return false;
  const day = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
}

/** Adds business days: the n-th business day after the date. */
export function addBusinessDays(isoDate: string, days: number, calendar: { holidays: readonly string[]; workdays: readonly string[] }): string {
  let d = isoDate;
  let left = days;
  while (left > 0) {
    d = addDays(d, 1);
    if (isBusinessDay(d, calendar)) left -= 1;
  }
  return d;
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
export function dueDateUnder(term: PolicyTerm, calendar: { holidays: readonly string[]; workdays: readonly string[] }, openedOn: string, startedOn: string): string {
  const from = term.from === 'opening' ? openedOn : startedOn;
  if (term.unit === 'months') return addMonths(from, term.amount);
  if (term.unit === 'calendar-days') return addDays(from, term.amount);
  return addBusinessDays(from, term.amount, calendar);
}
