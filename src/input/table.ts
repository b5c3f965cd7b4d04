/**
 * One reader for every tabular input (customer lists, staff rosters, account exports, event
 * and mailing lists): a CSV file in UTF-8 or GB18030, or the first worksheet of an XLSX
 * workbook, read into a header (row 1) and data rows that keep the row number a clerk sees
 * in Excel. Blank rows are skipped. The file is read as a stream, one row at a time, so that
 * an account export of a million rows is never held whole (`streamTable`); `readTable`
 * collects the rows of the small tables. Problems with the file as a whole (missing,
 * unreadable, wrong kind, empty) throw `InputError`; problems with a row's shape come with
 * the row for the caller to report with its own.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InputError, message, systemErrorWords, type Message } from '../domain/messages.ts';
import { CsvSyntaxError, isBlankRecord, readCsvStream, type CsvRecord } from '../formats/csv.ts';
import { quoteValue } from '../domain/path-segment.ts';
import { cellAsText, normaliseCode, normaliseText, type Cell } from './cell.ts';
import { decodedTextStream, EncodingError, scanTextFile } from './encoding.ts';
import { STREAMED_XLSX_LIMITS, XlsxError, xlsxRows, type XlsxRow } from './xlsx-table.ts';
import { OFFICE_ZIP_LIMITS, type OfficeZipLimits } from './zip-limits.ts';

export { cellAsText, normaliseCode, normaliseText, type Cell } from './cell.ts';

export type TableFormat = 'csv-utf8' | 'csv-gb18030' | 'xlsx';

export interface TableRow {
  /** The spreadsheet row number (header = 1). */
  row: number;
  /** One entry per header column, in header order; `undefined` for an empty cell. */
  cells: (Cell | undefined)[];
}

/** What is known of a table before its rows: where it is, what it is, its header. */
export interface TableHead {
  /** Absolute path. */
  path: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Bytes. */
  size: number;
  format: TableFormat;
  /** Header cells as the file spells them (trimmed, NFC), one per column; `''` for an empty header cell. */
  header: string[];
}

export interface Table extends TableHead {
  rows: TableRow[];
  /** Row-shape problems found while reading (e.g. more fields than header columns). */
  messages: Message[];
}

/** What the table holds, for messages and rule ids: `customer list` / `list`, `staff roster` / `roster`. */
export interface TableKind {
  noun: string;
  /** Rule id prefix, e.g. `list` gives `list/empty-file`. */
  rulePrefix: string;
  /** What one data row is, plural, e.g. `customers`. */
  rowsNoun: string;
  /**
   * A table whose rows the reader never holds (an account export of the whole book): files
   * up to `MAX_LARGE_TABLE_BYTES` and workbooks up to `STREAMED_XLSX_LIMITS` are read; other
   * tables are held whole by their reader, and are limited to `MAX_TABLE_BYTES` and
   * `OFFICE_ZIP_LIMITS`.
   */
  large?: boolean;
}

/** Where the rows of a table go as it is read. */
export interface TableSink {
  /** Called once, before any row. */
  head(head: TableHead): void;
  /** Each data row in file order (blank rows skipped), with the problems of its shape (more fields than the header). */
  row(row: TableRow, shape: readonly Message[]): void;
}

/** Files larger than this are refused before they are read (a list of 100 000 customers is ~20 MB). */
export const MAX_TABLE_BYTES = 200 * 1024 * 1024;

/** Files of a `large` table larger than this are refused before they are read (a million accounts are ~150–250 MB). */
export const MAX_LARGE_TABLE_BYTES = 1024 * 1024 * 1024;

/** The longest column name row 1 may hold, in characters. */
export const MAX_HEADER_LENGTH = 100;

type Fail = (rule: string, reason: string, fix: string, row?: number) => never;

/** A table's format, header and rows, as a source yields them before the header is checked. */
interface Source {
  format: TableFormat;
  sha256: string;
  header: string[];
  /** In batches (as parsed), so that a row costs no promise of its own. */
  rows: AsyncIterable<{ row: TableRow; shape: Message[] }[]>;
  /** Closes the file (when the rows are not read to their end). */
  close(): Promise<unknown>;
}

/**
 * Reads a CSV or XLSX file one row at a time into `sink`: the head first, then each data row.
 *
 * @throws InputError when the file itself cannot be used (missing, unreadable, empty, no rows).
 * @example
 * await streamTable('accounts.csv', kind, { head: (h) => …, row: (r, shape) => … });
 */
export async function streamTable(path: string, kind: TableKind, sink: TableSink): Promise<{ rows: number }> {
  const abs = resolve(path);
  const fail = failer(abs, kind);
  const ext = checkedExtension(abs, kind, fail);
  const size = await checkedSize(abs, kind, fail);
  const source =
    ext === '.csv'
      ? await csvSource(abs, kind, fail)
      : await xlsxSource(abs, kind.large ? STREAMED_XLSX_LIMITS : OFFICE_ZIP_LIMITS, fail);
  let rows = 0;
  try {
    checkHeader(source.header, kind, fail);
    sink.head({ path: abs, sha256: source.sha256, size, format: source.format, header: source.header });
    for await (const batch of source.rows) {
      for (const { row, shape } of batch) sink.row(row, shape);
      rows += batch.length;
    }
  } finally {
    await source.close();
  }
  if (rows === 0) {
    fail(
      'no-rows',
      `the ${kind.noun} has a header but no ${kind.rowsNoun}`,
      `add one row per ${kind.rowsNoun.replace(/s$/, '')} below the header`,
    );
  }
  return { rows };
}

/**
 * Reads a CSV or XLSX file into a header and data rows, all held (for the small tables:
 * customer lists, rosters, event and mailing lists).
 *
 * @example
 * const table = await readTable('samples/customers.csv', { noun: 'customer list', rulePrefix: 'list', rowsNoun: 'customers' });
 * table.format; // 'csv-utf8'
 */
export async function readTable(path: string, kind: TableKind): Promise<Table> {
  let head: TableHead | undefined;
  const rows: TableRow[] = [];
  const messages: Message[] = [];
  await streamTable(path, kind, {
    head: (h) => (head = h),
    row: (row, shape) => {
      rows.push(row);
      messages.push(...shape);
    },
  });
  return { ...head!, rows, messages };
}

function failer(abs: string, kind: TableKind): Fail {
  return (rule, reason, fix, row) => {
    throw new InputError(`${kind.noun} ${abs}: ${reason}`, [
      message(`${kind.rulePrefix}/${rule}`, reason, row === undefined ? { file: abs } : { file: abs, row }, { fix }),
    ]);
  };
}

function checkedExtension(abs: string, kind: TableKind, fail: Fail): '.csv' | '.xlsx' {
  const ext = extname(abs).toLowerCase();
  if (ext === '.csv' || ext === '.xlsx') return ext;
  const hint =
    ext === '.xls' || ext === '.et' ? 'save it from Excel/WPS as .xlsx or as CSV' : 'give a .csv or .xlsx file';
  return fail(
    'unsupported-format',
    `a ${kind.noun} must be a .csv or .xlsx file, not "${ext || 'no extension'}"`,
    hint,
  );
}

/** The file's size, once it is known to be a file within the size limit and not empty. */
async function checkedSize(abs: string, kind: TableKind, fail: Fail): Promise<number> {
  let size = 0;
  try {
    const s = await stat(abs);
    if (!s.isFile()) fail('not-found', `${abs} is not a file`, `give the path of the ${kind.noun} file`);
    size = s.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    fail(
      'not-found',
      `cannot open the ${kind.noun}: ${systemErrorWords(e)}`,
      'check the path and that the file can be read',
    );
  }
  const max = kind.large ? MAX_LARGE_TABLE_BYTES : MAX_TABLE_BYTES;
  if (size > max) {
    fail(
      'too-large',
      `the file is ${Math.round(size / 1024 / 1024)} MB, more than the ${max / 1024 / 1024} MB a ${kind.noun} may be`,
      'split the list into smaller files',
    );
  }
  if (size === 0)
    fail('empty-file', `the ${kind.noun} is empty`, `export the ${kind.noun} again; row 1 must be the header`);
  return size;
}

function checkHeader(header: readonly string[], kind: TableKind, fail: Fail): void {
  const longHeader = header.findIndex((h) => h.length > MAX_HEADER_LENGTH);
  if (longHeader >= 0) {
    fail(
      'too-long',
      `the header of column ${columnLetter(longHeader)} is ${header[longHeader]!.length} characters long, more than the ${MAX_HEADER_LENGTH} allowed (${quoteValue(header[longHeader]!)})`,
      'row 1 must name the columns, e.g. 客户号, 姓名',
      1,
    );
  }
  if (header.every((h) => h === '')) {
    fail('empty-file', `the ${kind.noun} has no header row: row 1 is empty`, `row 1 must name the columns`, 1);
  }
}

async function startsWithZip(abs: string): Promise<boolean> {
  const file = await open(abs, 'r');
  try {
    const start = Buffer.alloc(2);
    await file.read(start, 0, 2, 0);
    return start[0] === 0x50 && start[1] === 0x4b;
  } finally {
    await file.close();
  }
}

// ── CSV ──────────────────────────────────────────────────────────────────────

async function csvSource(abs: string, kind: TableKind, fail: Fail): Promise<Source> {
  if (await startsWithZip(abs))
    fail(
      'unreadable',
      'the file is named .csv but holds a zip (an .xlsx workbook?)',
      'rename it to .xlsx, or save it from Excel as CSV',
    );
  const badEncoding = (e: EncodingError): never =>
    fail('bad-encoding', e.message, 'save the file from Excel as "CSV UTF-8 (逗号分隔)" or "CSV (逗号分隔)"', e.line);
  const scanned = await scanTextFile(abs).catch((e: unknown) => {
    throw e instanceof EncodingError ? badEncoding(e) : e;
  });
  const records = csvRecords(readCsvStream(decodedTextStream(abs, scanned)), fail, badEncoding);
  const first = await records.next();
  const firstBatch = first.done ? [] : first.value;
  const header = (firstBatch[0]?.fields ?? []).map(cleanHeader);
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  return {
    format: scanned.encoding === 'utf8' ? 'csv-utf8' : 'csv-gb18030',
    sha256: scanned.sha256,
    header,
    rows: csvRows(firstBatch.slice(1), records, header, abs, kind),
    close: () => records.return(undefined),
  };
}

/** The records, with a broken quote or a bad byte sequence reported as a problem with the file. */
async function* csvRecords(
  records: AsyncGenerator<CsvRecord[]>,
  fail: Fail,
  badEncoding: (e: EncodingError) => never,
): AsyncGenerator<CsvRecord[], void> {
  try {
    yield* records;
  } catch (e) {
    if (e instanceof EncodingError) badEncoding(e);
    if (e instanceof CsvSyntaxError)
      fail('bad-csv', e.message, 'close the quote ("), or double a quote that is part of the text ("")', e.row);
    throw e;
  }
}

async function* csvRows(
  pending: CsvRecord[],
  records: AsyncGenerator<CsvRecord[], void>,
  header: readonly string[],
  file: string,
  kind: TableKind,
): AsyncGenerator<{ row: TableRow; shape: Message[] }[]> {
  yield pending.flatMap((record) => csvRow(record, header, file, kind));
  for await (const batch of records) yield batch.flatMap((record) => csvRow(record, header, file, kind));
}

/** A record as a data row with the problems of its shape; none for a blank record. */
function csvRow(
  record: CsvRecord,
  header: readonly string[],
  file: string,
  kind: TableKind,
): { row: TableRow; shape: Message[] }[] {
  if (isBlankRecord(record.fields)) return [];
  let used = 0;
  for (let i = 0; i < record.fields.length; i++) if (record.fields[i]!.trim() !== '') used = i + 1;
  const shape: Message[] = used > header.length ? [extraFields(record, header, used, file, kind)] : NO_MESSAGES;
  const cells: (Cell | undefined)[] = new Array<Cell | undefined>(header.length);
  for (let i = 0; i < header.length; i++) {
    const f = record.fields[i];
    cells[i] = f === undefined || f.trim() === '' ? undefined : { type: 'text', text: f };
  }
  return [{ row: { row: record.row, cells }, shape }];
}

const NO_MESSAGES: Message[] = [];

function extraFields(
  record: CsvRecord,
  header: readonly string[],
  used: number,
  file: string,
  kind: TableKind,
): Message {
  return message(
    `${kind.rulePrefix}/extra-fields`,
    `the row has ${used} fields but the header names ${header.length} columns`,
    { file, row: record.row },
    {
      fix: 'a value that holds a comma must be in double quotes ("…, …"); or add the missing header',
      actual: quoteValue(record.fields.slice(header.length).join(',')),
    },
  );
}

// ── XLSX ─────────────────────────────────────────────────────────────────────

async function xlsxSource(abs: string, limits: OfficeZipLimits, fail: Fail): Promise<Source> {
  const unreadable = (e: XlsxError): never =>
    fail(
      'unreadable',
      e.message,
      'open it in Excel or WPS and save it again as .xlsx (without a password), or as CSV; split a very large list',
    );
  const rows = xlsxTableRows(xlsxRows(abs, limits), unreadable);
  const first = await rows.next();
  const firstBatch = first.done ? [] : first.value;
  const headerRow = firstBatch[0]?.row === 1 ? firstBatch[0] : undefined;
  const header = (headerRow?.cells ?? []).map((c) => (c ? cleanHeader(cellAsText(c)) : ''));
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  const pending = headerRow ? firstBatch.slice(1) : firstBatch;
  return {
    format: 'xlsx',
    sha256: await sha256OfFile(abs),
    header,
    rows: xlsxData(pending, rows, header.length),
    close: () => rows.return(undefined),
  };
}

async function* xlsxTableRows(rows: AsyncGenerator<XlsxRow[]>, unreadable: (e: XlsxError) => never) {
  try {
    yield* rows;
  } catch (e) {
    if (e instanceof XlsxError) unreadable(e);
    throw e;
  }
}

async function* xlsxData(
  pending: XlsxRow[],
  rows: AsyncGenerator<XlsxRow[]>,
  width: number,
): AsyncGenerator<{ row: TableRow; shape: Message[] }[]> {
  yield pending.flatMap((read) => xlsxDataRow(read, width));
  for await (const batch of rows) yield batch.flatMap((read) => xlsxDataRow(read, width));
}

/** A row cut to the header's width, blank text as empty; none for a blank row. */
function xlsxDataRow(read: XlsxRow, width: number): { row: TableRow; shape: Message[] }[] {
  const cells = Array.from({ length: width }, (_, i) => read.cells[i]);
  const blank = cells.every((c) => c === undefined || (c.type === 'text' && c.text.trim() === ''));
  if (blank) return [];
  return [
    {
      row: { row: read.row, cells: cells.map((c) => (c && c.type === 'text' && c.text.trim() === '' ? undefined : c)) },
      shape: NO_MESSAGES,
    },
  ];
}

async function sha256OfFile(abs: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>)
    hash.update(chunk);
  return hash.digest('hex');
}

function cleanHeader(s: string): string {
  return normaliseText(s.replace(/^\uFEFF/, ''));
}

// ── Columns ──────────────────────────────────────────────────────────────────

/** A column a reader understands: its key, the header names accepted, whether it must be present. */
export interface ColumnSpec<K extends string = string> {
  key: K;
  /** Accepted header names; the first is the one messages show. Matched by `headerKey`. */
  names: readonly string[];
  required: boolean;
}

/**
 * How a header is matched: as `normaliseText`, lower case, without spaces, `_`, `-`, `.`,
 * `*` (a "required" marker) and a trailing note in brackets (`开户日期(YYYY-MM-DD)`).
 */
function headerKey(header: string): string {
  return normaliseCode(header)
    .replace(/[（(][^（()）]*[)）]\s*$/, '')
    .toLowerCase()
    .replace(/[\s_\-.*]/g, '');
}

export interface ColumnMatch<K extends string> {
  /** Header index of each column found. */
  index: Partial<Record<K, number>>;
  messages: Message[];
}

/**
 * Finds each spec's column in the header. A required column that is missing, and two
 * columns that mean the same thing (`电话` and `手机`), are messages on row 1.
 */
export function matchColumns<K extends string>(
  table: Pick<Table, 'path' | 'header'>,
  specs: readonly ColumnSpec<K>[],
  rulePrefix: string,
): ColumnMatch<K> {
  const index: Partial<Record<K, number>> = {};
  const messages: Message[] = [];
  for (const spec of specs) {
    const keys = new Set(spec.names.map(headerKey));
    const found = table.header.flatMap((h, i) => (h !== '' && keys.has(headerKey(h)) ? [i] : []));
    if (found.length === 0) {
      if (spec.required) {
        messages.push(
          message(
            `${rulePrefix}/missing-column`,
            `the required column ${spec.names[0]} is missing`,
            { file: table.path, row: 1 },
            {
              fix: `add a column headed one of: ${spec.names.join(', ')}`,
              expected: spec.names.join(' | '),
            },
          ),
        );
      }
      continue;
    }
    if (found.length > 1) {
      const named = found.map((i) => `${table.header[i]} (column ${columnLetter(i)})`).join(' and ');
      messages.push(
        message(
          `${rulePrefix}/duplicate-column`,
          `${named} both mean ${spec.names[0]}`,
          { file: table.path, row: 1, column: table.header[found[1]!] },
          {
            fix: 'keep one of them, or rename the other to a header huifang does not read',
          },
        ),
      );
    }
    index[spec.key] = found[0]!;
  }
  if (Object.keys(index).length === 0) {
    const shown = table.header
      .filter((h) => h !== '')
      .slice(0, 4)
      .map((h) => quoteValue(h))
      .join(', ');
    messages.unshift(
      message(
        `${rulePrefix}/no-header`,
        `row 1 names none of the columns huifang reads (it holds ${shown || 'nothing'})`,
        { file: table.path, row: 1 },
        {
          fix: 'row 1 must be the header row: delete any title rows above it',
        },
      ),
    );
  }
  return { index, messages };
}

/** `0` → `A`, `26` → `AA`: the column letter a spreadsheet shows (CSV columns counted the same way). */
function columnLetter(i: number): string {
  let s = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
