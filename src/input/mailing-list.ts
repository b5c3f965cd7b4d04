/**
 * Mailing lists (邮件清单): which tracking number each mailed letter went under, from the
 * post office's bulk-mailing list (大宗邮件清单) or typed by staff. CSV or XLSX, read with
 * the same tolerant table reader as customer lists; each row names the visit (回访编号) or
 * the customer (客户号) and the tracking number (邮件号码), whose S10 check digit must hold.
 */
import { InputError, message } from '../domain/messages.ts';
import { parseTrackingNumber } from '../domain/tracking.ts';
import { parseVisitId } from '../domain/visit-id.ts';
import { inReadingOrder, rowFields, type RowFields } from './row-fields.ts';
import { matchColumns, normaliseCode, readTable, type ColumnSpec } from './table.ts';

export interface MailingRow {
  /** The spreadsheet row, for messages. */
  row: number;
  visitId?: string;
  customerId?: string;
  trackingNumber: string;
}

type MailingColumn = 'visitId' | 'customerId' | 'trackingNumber';

export const MAILING_COLUMNS: readonly ColumnSpec<MailingColumn>[] = [
  { key: 'visitId', names: ['回访编号', '回访号', 'visit_id', 'visit'], required: false },
  { key: 'customerId', names: ['客户号', '客户编号', '资金账号', 'customer_id'], required: false },
  {
    key: 'trackingNumber',
    names: ['邮件号码', '邮件号', '挂号号码', '运单号', '条码', 'tracking_number', 'tracking'],
    required: true,
  },
];

/**
 * Reads a mailing list. Every problem is named by row and column; any problem refuses the
 * whole list (exit code 2), so that nothing is recorded from a list with a mistyped number.
 *
 * @throws InputError with `mailing/bad-tracking-number`, `mailing/bad-visit-id`,
 *   `mailing/no-recipient`, `mailing/duplicate-tracking-number`, `mailing/missing-column` …
 */
export async function readMailingList(path: string): Promise<{ path: string; rows: MailingRow[] }> {
  const table = await readTable(path, { noun: 'mailing list', rulePrefix: 'mailing', rowsNoun: 'mailed letters' });
  const { index, messages } = matchColumns(table, MAILING_COLUMNS, 'mailing');
  if (
    index.visitId === undefined &&
    index.customerId === undefined &&
    !messages.some((m) => m.ruleId === 'mailing/no-header')
  ) {
    messages.push(
      message(
        'mailing/missing-column',
        'the list names neither the visit (回访编号) nor the customer (客户号)',
        { file: table.path, row: 1 },
        { fix: 'add a column 回访编号 or 客户号' },
      ),
    );
  }
  const rows: MailingRow[] = [];
  const firstRowOf = new Map<string, number>();
  if (!messages.some((m) => m.severity === 'error')) {
    for (const row of table.rows) {
      const mailed = mailingFromRow(rowFields(table, index, 'mailing', messages, row), firstRowOf);
      if (mailed) rows.push(mailed);
    }
  }
  const problems = inReadingOrder(table, messages);
  if (problems.some((m) => m.severity === 'error')) {
    const n = problems.length;
    throw new InputError(
      `the mailing list ${table.path} has ${n} problem${n === 1 ? '' : 's'}; no tracking number was recorded`,
      problems,
    );
  }
  return { path: table.path, rows };
}

/** One row as a mailed letter, or `undefined` when it has a problem (recorded on `f`) or repeats a number. */
function mailingFromRow(f: RowFields<MailingColumn>, firstRowOf: Map<string, number>): MailingRow | undefined {
  const customerId = f.optionalText('customerId');
  const visitId = visitOf(f, customerId);
  const trackingNumber = trackingNumberOf(f);
  if (trackingNumber === undefined) return undefined;
  const first = firstRowOf.get(trackingNumber);
  if (first !== undefined) {
    f.problem(
      'trackingNumber',
      'duplicate-tracking-number',
      `${trackingNumber} appears twice, in rows ${first} and ${f.row}`,
      'one tracking number belongs to one letter',
    );
    return undefined;
  }
  firstRowOf.set(trackingNumber, f.row);
  if (visitId === undefined && customerId === undefined) return undefined;
  return {
    row: f.row,
    trackingNumber,
    ...(visitId !== undefined ? { visitId } : {}),
    ...(customerId !== undefined ? { customerId } : {}),
  };
}

/** The visit the row names (回访编号), checked; a row naming neither visit nor customer is a problem. */
function visitOf(f: RowFields<MailingColumn>, customerId: string | undefined): string | undefined {
  const typedVisit = f.optionalText('visitId');
  if (typedVisit === undefined) {
    if (customerId === undefined)
      f.problem(
        undefined,
        'no-recipient',
        'the row names neither a visit (回访编号) nor a customer (客户号)',
        'fill in one of them',
      );
    return undefined;
  }
  const v = parseVisitId(typedVisit);
  if (v.ok) return v.visitId;
  f.problem(
    'visitId',
    'bad-visit-id',
    `"${typedVisit}" is not a visit id: ${v.reason}`,
    'copy the 回访编号 printed on the letter',
  );
  return undefined;
}

/** The tracking number (邮件号码), its S10 check digit checked. */
function trackingNumberOf(f: RowFields<MailingColumn>): string | undefined {
  const typedNumber = f.requiredText('trackingNumber', '邮件号码');
  if (typedNumber === undefined) return undefined;
  const t = parseTrackingNumber(normaliseCode(typedNumber));
  if (t.ok) return t.trackingNumber;
  f.problem(
    'trackingNumber',
    'bad-tracking-number',
    t.reason,
    'copy the number from the post office receipt (挂号号码) again',
  );
  return undefined;
}
