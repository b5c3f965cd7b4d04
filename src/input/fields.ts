/**
 * How one cell becomes one value: dates, postcodes, phone numbers, e-mail addresses,
 * yes/no flags. Each parser returns the value, or a problem in the user's words with the
 * rule it breaks (the caller adds the file, row and column). Pure.
 */
import { quoteValue } from '../domain/path-segment.ts';
import { cellAsText, normaliseCode, type Cell } from './table.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; rule: string; reason: string; fix: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (rule: string, reason: string, fix: string): Parsed<never> => ({ ok: false, rule, reason, fix });

/** Opening dates before this are taken for typos (China's securities market opened in 1990). */
const EARLIEST_DATE = '1980-01-01';

/**
 * A calendar date from a cell: an Excel date cell, or text `2024-03-05`, `2024/3/5`,
 * `2024.3.5`, `20240305`, `2024年3月5日` (a time after the date, `2024/3/5 0:00`, is ignored);
 * an 8-digit number cell is read as `20240305`. Impossible dates (`2024-02-30`), dates
 * before 1980 and dates after `today` are refused.
 */
export function parseDate(cell: Cell, today: string): Parsed<string> {
  let y: number, m: number, d: number;
  const shown = (): string => quoteValue(cellAsText(cell)); // only for a problem: most cells have none
  if (cell.type === 'date') {
    [y, m, d] = cell.iso.split('-').map(Number) as [number, number, number];
  } else if (
    cell.type === 'number' &&
    Number.isInteger(cell.value) &&
    cell.value >= 10000101 &&
    cell.value <= 99991231
  ) {
    const s = String(cell.value);
    [y, m, d] = [Number(s.slice(0, 4)), Number(s.slice(4, 6)), Number(s.slice(6, 8))];
  } else if (cell.type === 'number') {
    return bad(
      'bad-date',
      `${shown()} is a number, not a date`,
      'format the cell as a date in Excel, or write it as 2026-09-15',
    );
  } else {
    const text = normaliseCode(cellAsText(cell)).replace(/\s+/g, ' ');
    const match =
      /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text) ??
      /^(\d{4})(\d{2})(\d{2})$/.exec(text) ??
      /^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日$/.exec(text);
    if (!match)
      return bad(
        'bad-date',
        `${shown()} is not a date`,
        'write dates as 2026-09-15, 2026/9/15, 20260915 or 2026年9月15日',
      );
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return bad('bad-date', `${shown()} is not a date that exists`, 'check the month and day');
  }
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (iso < EARLIEST_DATE) return bad('bad-date', `${shown()} is before 1980`, 'check the year');
  if (iso > today)
    return bad('bad-date', `${shown()} is in the future (today is ${today})`, 'check the year and month');
  return ok(iso);
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * A six-digit postcode (邮编). Text must be six digits (spaces ignored). A number cell from
 * a workbook lost its leading zero when Excel stored it; it is restored when that is
 * unambiguous: the cell's number format pads it (`000000`), or the number has five digits
 * (no Chinese postcode starts with `00`, so `10010` can only be `010010`). Anything else is
 * refused, never guessed.
 */
export function parsePostcode(cell: Cell): Parsed<string> {
  const shown = (): string => quoteValue(cellAsText(cell)); // only for a problem: most cells have none
  if (cell.type === 'number') {
    const v = cell.value;
    if (Number.isInteger(v) && v >= 0) {
      const padTo = cell.numFmt && /^0+$/.test(cell.numFmt) ? cell.numFmt.length : undefined;
      if (padTo === 6 && v <= 999999) return ok(String(v).padStart(6, '0'));
      if (v >= 100000 && v <= 999999) return ok(String(v));
      if (v >= 10000 && v <= 99999) return ok(`0${v}`);
    }
    return bad(
      'bad-postcode',
      `postcode ${shown()} is not six digits`,
      'a postcode has six digits, e.g. 200120; format the column as text so leading zeros stay',
    );
  }
  const text = normaliseCode(cellAsText(cell)).replace(/\s+/g, '');
  if (/^\d{6}$/.test(text)) return ok(text);
  const lostZero = /^\d{5}$/.test(text) ? ' (if Excel dropped a leading zero, write it back: 0' + text + ')' : '';
  return bad(
    'bad-postcode',
    `postcode ${shown()} is not six digits`,
    `a postcode has six digits, e.g. 200120${lostZero}`,
  );
}

/** Characters a phone number may hold besides digits. */
const PHONE_CHARS = /^[0-9 +\-()]+$/;

/**
 * A phone number: digits, spaces, `+`, `-`, parentheses (full-width forms accepted), with
 * 7 to 20 digits. Kept as written (normalised to ASCII), e.g. `021-6888 1234`.
 */
export function parsePhone(cell: Cell): Parsed<string> {
  const text = cell.type === 'number' ? cellAsText(cell) : normaliseCode(cellAsText(cell)).replace(/\s+/g, ' ');
  const shown = (): string => quoteValue(cellAsText(cell)); // only for a problem: most cells have none
  if (!PHONE_CHARS.test(text)) {
    return bad(
      'bad-phone',
      `phone ${shown()} holds characters other than digits, spaces, +, - and parentheses`,
      'write one phone number, e.g. 138 0013 8000 or 021-6888 1234',
    );
  }
  const digits = text.replace(/\D/g, '').length;
  if (digits < 7 || digits > 20) {
    return bad('bad-phone', `phone ${shown()} has ${digits} digits`, 'a phone number has 7 to 20 digits');
  }
  return ok(text);
}

const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$/;

/** An e-mail address (`name@example.cn`): one `@`, no spaces, a domain with a dot. Full-width ＠ and ． accepted. */
export function parseEmail(cell: Cell): Parsed<string> {
  const text = normaliseCode(cellAsText(cell)).replace(/^mailto:/i, '');
  if (text.length <= 254 && EMAIL.test(text)) return ok(text);
  return bad(
    'bad-email',
    `e-mail ${quoteValue(cellAsText(cell))} is not an e-mail address`,
    'write it as name@example.cn, one address per cell',
  );
}

const TRUE_WORDS = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓']);
const FALSE_WORDS = new Set(['否', 'n', 'no', 'false', '0', '×', '✗']);

/** A yes/no flag: 是/否, yes/no, y/n, true/false, 1/0 (any case), or an Excel TRUE/FALSE cell. */
export function parseYesNo(cell: Cell): Parsed<boolean> {
  if (cell.type === 'boolean') return ok(cell.value);
  const text = normaliseCode(cellAsText(cell)).toLowerCase();
  if (TRUE_WORDS.has(text)) return ok(true);
  if (FALSE_WORDS.has(text)) return ok(false);
  return bad('bad-flag', `${quoteValue(cellAsText(cell))} is not 是 or 否`, 'write 是 or 否 (yes/no, true/false, 1/0)');
}
