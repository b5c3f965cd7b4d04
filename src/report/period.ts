/**
 * Report periods (第四十条: a branch head signs a monthly summary, the customer service
 * department a quarterly and a yearly one): a month `2026-11`, a quarter `2026-Q4`, a year
 * `2026`, or an ISO week `2026-W48`. A visit belongs to the period it was started in. Pure.
 */

export type PeriodKind = 'month' | 'quarter' | 'year' | 'week';

export interface ReportPeriod {
  /** As typed, normalised (`2026-Q4`, `2026-W08`). */
  id: string;
  kind: PeriodKind;
  /** First and last day, `YYYY-MM-DD`, inclusive. */
  start: string;
  end: string;
  /** In words, Chinese: `2026年11月`, `2026年第四季度`, `2026年`, `2026年第48周`. */
  label: string;
}

/** A period that cannot be read; the message says which forms are accepted. */
export class PeriodError extends Error {
  constructor(readonly typed: string) {
    super(
      `Expected a period as a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48, but received ${JSON.stringify(typed)}`,
    );
    this.name = 'PeriodError';
  }
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number): Date => new Date(Date.UTC(y, m, d));
const QUARTER_WORDS = ['一', '二', '三', '四'];

/** Monday of ISO week 1 of `year`. */
function isoWeekOne(year: number): Date {
  const jan4 = utc(year, 0, 4);
  const dow = (jan4.getUTCDay() + 6) % 7; // Monday 0
  return utc(year, 0, 4 - dow);
}

/** The number of ISO weeks in `year` (52 or 53). */
function isoWeeks(year: number): number {
  return Math.round((isoWeekOne(year + 1).getTime() - isoWeekOne(year).getTime()) / (7 * 86_400_000));
}

/** Reads a period. @throws PeriodError */
export function parsePeriod(text: string): ReportPeriod {
  const t = text.trim().toUpperCase();
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(t))) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return { id: t, kind: 'month', start: iso(utc(y, mo - 1, 1)), end: iso(utc(y, mo, 0)), label: `${y}年${mo}月` };
  }
  if ((m = /^(\d{4})-Q([1-4])$/.exec(t))) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return {
      id: t,
      kind: 'quarter',
      start: iso(utc(y, (q - 1) * 3, 1)),
      end: iso(utc(y, q * 3, 0)),
      label: `${y}年第${QUARTER_WORDS[q - 1]}季度`,
    };
  }
  if ((m = /^(\d{4})$/.exec(t))) {
    const y = Number(m[1]);
    return { id: t, kind: 'year', start: `${y}-01-01`, end: `${y}-12-31`, label: `${y}年` };
  }
  if ((m = /^(\d{4})-W(\d{1,2})$/.exec(t))) {
    const y = Number(m[1]);
    const w = Number(m[2]);
    if (w < 1 || w > isoWeeks(y)) throw new PeriodError(text);
    const monday = new Date(isoWeekOne(y).getTime() + (w - 1) * 7 * 86_400_000);
    const sunday = new Date(monday.getTime() + 6 * 86_400_000);
    return {
      id: `${y}-W${String(w).padStart(2, '0')}`,
      kind: 'week',
      start: iso(monday),
      end: iso(sunday),
      label: `${y}年第${w}周`,
    };
  }
  throw new PeriodError(text);
}

/** Whether a day `YYYY-MM-DD` falls in the period. */
export function inPeriod(period: ReportPeriod, day: string): boolean {
  const d = day.slice(0, 10);
  return d >= period.start && d <= period.end;
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD` or ISO timestamps). */
export function daysBetween(from: string, to: string): number {
  return Math.round(
    (Date.parse(`${to.slice(0, 10)}T00:00:00Z`) - Date.parse(`${from.slice(0, 10)}T00:00:00Z`)) / 86_400_000,
  );
}

/** The business day (UTC+8, as `today()` counts) of an ISO timestamp. */
export function businessDay(timestamp: string): string {
  return new Date(Date.parse(timestamp) + 8 * 3600_000).toISOString().slice(0, 10);
}
