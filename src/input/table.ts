/**
 * One reader for every tabular input (customer lists, staff rosters): a CSV file in UTF-8
 * or GB18030, or the first worksheet of an XLSX workbook, read into a header (row 1) and
 * data rows that keep the row number a clerk sees in Excel. Blank rows are skipped.
 * Problems with the file as a whole (missing, unreadable, wrong kind, empty) throw
 * `InputError`; problems with a row's shape come back as messages for the caller to report
 * with its own.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { InputError, message, systemErrorWords, type Message } from '../domain/messages.ts';
import { CsvSyntaxError, isBlankRecord, readCsv } from '../formats/csv.ts';
import { quoteValue } from '../domain/path-segment.ts';
import { decodeText, EncodingError } from './encoding.ts';
import { checkOfficeZip, OfficeZipError } from './zip-limits.ts';

export type TableFormat = 'csv-utf8' | 'csv-gb18030' | 'xlsx';

/** A cell as the file holds it. CSV cells are always text; XLSX cells keep their type. */
export type Cell =
  | { type: 'text'; text: string }
  | { type: 'number'; value: number; /** Excel number format, e.g. `000000` */ numFmt?: string }
  | { type: 'date'; /** `YYYY-MM-DD` (the calendar day Excel shows) */ iso: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'error'; /** e.g. `#N/A`, or why a formula has no value */ error: string };

export interface TableRow {
  /** The spreadsheet row number (header = 1). */
  row: number;
  /** One entry per header column, in header order; `undefined` for an empty cell. */
  cells: (Cell | undefined)[];
}

export interface Table {
  /** Absolute path. */
  path: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  format: TableFormat;
  /** Header cells as the file spells them (trimmed, NFC), one per column; `''` for an empty header cell. */
  header: string[];
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
}

/** Files larger than this are refused before they are read (a list of 100 000 customers is ~20 MB). */
const MAX_TABLE_BYTES = 200 * 1024 * 1024;

/** The longest column name row 1 may hold, in characters. */
export const MAX_HEADER_LENGTH = 100;

/**
 * Reads a CSV or XLSX file into a header and data rows.
 *
 * @example
 * const table = await readTable('samples/customers.csv', { noun: 'customer list', rulePrefix: 'list', rowsNoun: 'customers' });
 * table.format; // 'csv-utf8'
 */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export async function readTable(path: string, kind: TableKind): Promise<Table> {
  const abs = resolve(path);
  const fail = (rule: string, reason: string, fix: string, row?: number): never => {
    throw new InputError(`${kind.noun} ${abs}: ${reason}`, [
      message(`${kind.rulePrefix}/${rule}`, reason, row === undefined ? { file: abs } : { file: abs, row }, { fix }),
    ]);
  };

  const ext = extname(abs).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') {
    const hint =
      ext === '.xls' || ext === '.et' ? 'save it from Excel/WPS as .xlsx or as CSV' : 'give a .csv or .xlsx file';
    fail('unsupported-format', `a ${kind.noun} must be a .csv or .xlsx file, not "${ext || 'no extension'}"`, hint);
  }
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
  if (size > MAX_TABLE_BYTES) {
    fail(
      'too-large',
      `the file is ${Math.round(size / 1024 / 1024)} MB, more than the ${MAX_TABLE_BYTES / 1024 / 1024} MB a ${kind.noun} may be`,
      'split the list into smaller files',
    );
  }
  const bytes = await readFile(abs);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length === 0)
    fail('empty-file', `the ${kind.noun} is empty`, `export the ${kind.noun} again; row 1 must be the header`);

  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  let read: { format: TableFormat; header: string[]; rows: TableRow[]; messages: Message[] };
  if (ext === '.csv') {
    if (isZip)
      fail(
        'unreadable',
        'the file is named .csv but holds a zip (an .xlsx workbook?)',
        'rename it to .xlsx, or save it from Excel as CSV',
      );
    read = readCsvTable(bytes, abs, kind, fail);
  } else {
    read = await readXlsxTable(bytes, fail);
  }
  const longHeader = read.header.findIndex((h) => h.length > MAX_HEADER_LENGTH);
  if (longHeader >= 0) {
    fail(
      'too-long',
      `the header of column ${columnLetter(longHeader)} is ${read.header[longHeader]!.length} characters long, more than the ${MAX_HEADER_LENGTH} allowed (${quoteValue(read.header[longHeader]!)})`,
      'row 1 must name the columns, e.g. 客户号, 姓名',
      1,
    );
  }
  if (read.header.every((h) => h === '')) {
    fail('empty-file', `the ${kind.noun} has no header row: row 1 is empty`, `row 1 must name the columns`, 1);
  }
  if (read.rows.length === 0) {
    fail(
      'no-rows',
      `the ${kind.noun} has a header but no ${kind.rowsNoun}`,
      `add one row per ${kind.rowsNoun.replace(/s$/, '')} below the header`,
    );
  }
  return { path: abs, sha256, ...read };
}

type Fail = (rule: string, reason: string, fix: string, row?: number) => never;

function readCsvTable(bytes: Buffer, file: string, kind: TableKind, fail: Fail) {
  let decoded;
  try {
    decoded = decodeText(bytes);
  } catch (e) {
    if (!(e instanceof EncodingError)) throw e;
    return fail(
      'bad-encoding',
      e.message,
      'save the file from Excel as "CSV UTF-8 (逗号分隔)" or "CSV (逗号分隔)"',
      e.line,
    );
  }
  let records;
  try {
    records = readCsv(decoded.text);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    return fail('bad-csv', e.message, 'close the quote ("), or double a quote that is part of the text ("")', e.row);
  }
  const headerRecord = records[0];
  const header = (headerRecord?.fields ?? []).map(cleanHeader);
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  const messages: Message[] = [];
  const rows: TableRow[] = [];
  for (const record of records.slice(1)) {
    if (isBlankRecord(record.fields)) continue;
    const used = record.fields.reduce((last, f, i) => (f.trim() !== '' ? i + 1 : last), 0);
    if (used > header.length) {
      messages.push(
        message(
          `${kind.rulePrefix}/extra-fields`,
          `the row has ${used} fields but the header names ${header.length} columns`,
          { file, row: record.row },
          {
            fix: 'a value that holds a comma must be in double quotes ("…, …"); or add the missing header',
            actual: quoteValue(record.fields.slice(header.length).join(',')),
          },
        ),
      );
    }
    rows.push({
      row: record.row,
      cells: header.map((_, i) => {
        const f = record.fields[i];
        return f === undefined || f.trim() === '' ? undefined : { type: 'text', text: f };
      }),
    });
  }
  return { format: (decoded.encoding === 'utf8' ? 'csv-utf8' : 'csv-gb18030') as TableFormat, header, rows, messages };
}

async function readXlsxTable(bytes: Buffer, fail: Fail) {
  const isOle = bytes[0] === 0xd0 && bytes[1] === 0xcf;
  if (!isOle) {
    try {
      checkOfficeZip(bytes); // sizes and entry count before the workbook is parsed
    } catch (e) {
      if (!(e instanceof OfficeZipError)) throw e;
      return fail(
        'unreadable',
        `the file cannot be read as an .xlsx workbook: ${e.message}`,
        'open it in Excel or WPS and save it again as .xlsx, or as CSV; split a very large list',
      );
    }
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return fail(
      'unreadable',
      isOle
        ? 'the file is an old .xls workbook or a password-protected one, not an .xlsx workbook'
        : `the file cannot be read as an .xlsx workbook (${e instanceof Error ? e.message : String(e)})`,
      'open it in Excel or WPS and save it again as .xlsx (without a password), or as CSV',
    );
  }
  const sheet = workbook.worksheets[0];
  if (!sheet)
    return fail('empty-file', 'the workbook has no worksheet', 'put the list on the first worksheet, header in row 1');

  const columns: number[] = [];
  const header: string[] = [];
  const headerRow = sheet.getRow(1);
  const lastColumn = headerRow.cellCount;
  for (let col = 1; col <= lastColumn; col++) {
    const cell = xlsxCell(headerRow.getCell(col));
    columns.push(col);
    header.push(cell ? cleanHeader(cellAsText(cell)) : '');
  }
  while (header.length > 0 && header[header.length - 1] === '') {
    header.pop();
    columns.pop();
  }
  const rows: TableRow[] = [];
  const messages: Message[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const cells = columns.map((col) => xlsxCell(row.getCell(col)));
    const blank = cells.every((c) => c === undefined || (c.type === 'text' && c.text.trim() === ''));
    if (blank) return;
    rows.push({
      row: rowNumber,
      cells: cells.map((c) => (c && c.type === 'text' && c.text.trim() === '' ? undefined : c)),
    });
  });
  return { format: 'xlsx' as TableFormat, header, rows, messages };
}

/** Converts an exceljs cell to a `Cell`: rich text joined, hyperlinks by their text, formulas by their saved result. */
function xlsxCell(cell: ExcelJS.Cell): Cell | undefined {
  return xlsxValue(cell.value, cell.numFmt);
}

function xlsxValue(value: unknown, numFmt: string | undefined): Cell | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return { type: 'text', text: value };
  if (typeof value === 'number') return numFmt ? { type: 'number', value, numFmt } : { type: 'number', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { type: 'error', error: 'an invalid date' };
    return { type: 'date', iso: value.toISOString().slice(0, 10) };
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return { type: 'text', text: (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('') };
    if ('formula' in v || 'sharedFormula' in v) {
      if (v.result === undefined || v.result === null)
        return { type: 'error', error: 'a formula without a saved value' };
      return xlsxValue(v.result, numFmt);
    }
    if ('hyperlink' in v && 'text' in v) return xlsxValue(v.text, numFmt);
    if ('error' in v) return { type: 'error', error: String(v.error) };
  }
  return { type: 'error', error: 'a value of an unknown kind' };
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Text for people and for keys: Unicode NFC, full-width digits and Latin letters
 * (`ｉｄ １２３`) as ASCII, the ideographic space as a space, trimmed. Other full-width
 * punctuation (（），) is Chinese typography and is kept.
 */
export function normaliseText(s: string): string {
  if (!NON_ASCII.test(s)) return s.trim();
  return s
    .normalize('NFC')
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .trim();
}

/**
 * Text for codes, numbers, e-mail addresses and dates: as `normaliseText`, and every
 * full-width ASCII sign (＋－（）＠．／) as its ASCII form.
 */
export function normaliseCode(s: string): string {
  if (!NON_ASCII.test(s)) return s.trim();
  return normaliseText(s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
}

/** A cell as text the way a clerk would type it (numbers without exponent where integral). */
export function cellAsText(cell: Cell): string {
  switch (cell.type) {
    case 'text':
      return cell.text;
    case 'number':
      return Number.isInteger(cell.value) && Math.abs(cell.value) < 1e21
        ? BigInt(cell.value).toString()
        : String(cell.value);
    case 'date':
      return cell.iso;
    case 'boolean':
      return cell.value ? 'TRUE' : 'FALSE';
    case 'error':
      return cell.error;
  }
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
