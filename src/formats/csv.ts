/**
 * CSV, one reader and one writer for the whole program (csv-parse, csv-stringify), as Excel
 * writes and reads it (RFC 4180): comma-separated fields, fields quoted with `"` may hold
 * commas, line breaks and doubled quotes (`""`), records end with CRLF, LF or CR.
 *
 * Reading keeps the spreadsheet row a clerk sees when the file is opened in Excel (a quoted
 * line break does not start a new row; blank lines do). Writing neutralises spreadsheet
 * formulas: a field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
 * written with a leading `'`, so that Excel and WPS show it as text and never run it.
 */
import type { Readable } from 'node:stream';
import { parse as parseStream } from 'csv-parse';
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

export interface CsvRecord {
  /** 1-based row as shown by a spreadsheet: the header is row 1. */
  row: number;
  fields: string[];
}

/** A quote that is opened and never closed: the rest of the file would be one field. */
export class CsvSyntaxError extends Error {
  readonly row: number;
  constructor(row: number) {
    super(`a quoted field that starts in row ${row} is never closed`);
    this.name = 'CsvSyntaxError';
    this.row = row;
  }
}

/**
 * Splits CSV text into records. Blank records (an empty line) are kept as `fields: ['']`
 * so that row numbers stay true; callers skip them. A trailing line break does not make
 * an extra record. Lenient where Excel is lenient: a quote inside an unquoted field is kept
 * as written. A leading byte-order mark is dropped.
 *
 * @example readCsv('a,"b, c"\r\n1,"say ""hi"""') // [{row:1, fields:['a','b, c']}, {row:2, fields:['1','say "hi"']}]
 */
export function readCsv(text: string): CsvRecord[] {
  let records: string[][];
  try {
    records = parse(text, READ_OPTIONS);
  } catch (e) {
    if (e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED')
      throw new CsvSyntaxError(Number(e.records ?? 0) + 1);
    throw e;
  }
  return records.map((fields, i) => ({ row: i + 1, fields }));
}

/** The options both readers share: Excel's leniency, blank lines kept so that row numbers stay true. */
const READ_OPTIONS = { bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: false } as const;

/**
 * As `readCsv`, from a stream of text (a decoded file), in batches of the records parsed so
 * far, so that a file of a million rows is never held whole and costs no promise per row.
 * Rows are numbered as `readCsv` numbers them.
 *
 * @throws CsvSyntaxError when a quoted field is never closed.
 */
export async function* readCsvStream(text: Readable): AsyncGenerator<CsvRecord[]> {
  const parser = text.pipe(parseStream(READ_OPTIONS));
  text.on('error', (e) => parser.destroy(e));
  let row = 0;
  try {
    for (;;) {
      const batch: CsvRecord[] = [];
      for (let fields = parser.read() as string[] | null; fields !== null; fields = parser.read() as string[] | null)
        batch.push({ row: ++row, fields });
      if (batch.length > 0) yield batch;
      else if (parser.readableEnded) return;
      else await readableOrEnd(parser);
    }
  } catch (e) {
    if (e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED') throw new CsvSyntaxError(row + 1);
    throw e;
  } finally {
    text.destroy();
    parser.destroy();
  }
}

/** Waits until a paused stream has more to read, has ended, or has failed (rejects). */
function readableOrEnd(stream: Readable): Promise<void> {
  if (stream.errored) return Promise.reject(stream.errored);
  return new Promise((resolve, reject) => {
    const done = (e?: Error): void => {
      stream.off('readable', ok).off('end', ok).off('error', done);
      if (e) reject(e);
      else resolve();
    };
    const ok = (): void => done();
    stream.on('readable', ok).on('end', ok).on('error', done);
  });
}

/** True when a record holds nothing but empty or blank fields (a blank line, or `,,,`). */
export function isBlankRecord(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A field as written: a leading `'` before what a spreadsheet would take for a formula. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The field as it was before `neutraliseFormula` (for reading back a file huifang wrote). */
export function restoreFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/**
 * Writes rows as CSV for Excel: UTF-8 with a byte-order mark (so that Excel reads the Chinese
 * right), CRLF line ends, fields quoted where needed, formulas neutralised.
 */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  const safe = rows.map((r) => r.map(neutraliseFormula));
  return '\uFEFF' + stringify(safe, { record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}
