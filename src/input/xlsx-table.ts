/**
 * The first worksheet of an XLSX workbook, one row at a time (ExcelJS's streaming
 * `WorkbookReader`): a workbook of a million rows is never held whole. Its parts are checked
 * against the zip limits (src/input/zip-limits.ts) before it is parsed. Shared strings and
 * styles are held (a row refers to them); the worksheet is read as a stream.
 */
import { open } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Cell } from './cell.ts';
import { checkOfficeZipFile, OfficeZipError, type OfficeZipLimits } from './zip-limits.ts';

/**
 * For workbooks read as a stream: the worksheets may expand to 1 GB each (about 1.5 million
 * rows of an account export), the parts held whole (shared strings, styles) to 100 MB as for
 * any Office file; a ratio above 100 is what a zip bomb looks like.
 */
export const STREAMED_XLSX_LIMITS: OfficeZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 1200 * 2 ** 20,
  maxEntryBytes: 100 * 2 ** 20,
  maxRatio: 100,
  ratioFloorBytes: 2 ** 20,
  streamedParts: { pattern: /^xl\/worksheets\/sheet\d+\.xml$/, maxBytes: 1024 * 2 ** 20 },
};

/** Why a workbook cannot be read, in users' words. */
export class XlsxError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'XlsxError';
  }
}

/** One row of the first worksheet: its number and its cells (index 0 is column A). */
export interface XlsxRow {
  row: number;
  cells: (Cell | undefined)[];
}

/**
 * The rows of the workbook's first worksheet that hold anything, in order, in batches.
 *
 * @throws XlsxError when the file is an old .xls or password-protected workbook, breaks the
 *   zip limits, or cannot be parsed.
 */
export async function* xlsxRows(path: string, limits: OfficeZipLimits): AsyncGenerator<XlsxRow[]> {
  await checkWorkbookFile(path, limits);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // ExcelJS fails on a worksheet that comes before the workbook part in the zip (the order
  // varies between writers): an empty list of sheets stands in until the workbook part is read.
  (reader as unknown as ReaderModel).model = { sheets: [] };
  try {
    for await (const sheet of reader) {
      const first = (reader as unknown as ReaderModel).model?.sheets?.[0]?.id;
      const id = (sheet as unknown as { id: unknown }).id; // the sheet's id once matched to the workbook's list
      if (typeof id === 'number' && first !== undefined && id !== first) continue; // not the first sheet
      // The rows of each parsed chunk together: no promise per row.
      for await (const events of (sheet as unknown as SheetEvents).parse()) {
        const rows = events.flatMap((e) => (e.eventType === 'row' ? [xlsxRow(e.value as ExcelJS.Row)] : []));
        if (rows.length > 0) yield rows;
      }
      return;
    }
  } catch (e) {
    if (e instanceof XlsxError) throw e;
    throw new XlsxError(`the file cannot be read as an .xlsx workbook (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    (reader as unknown as { stream?: { destroy(): void } }).stream?.destroy();
  }
}

/** Refuses an old .xls (OLE) workbook at once, and a zip beyond the limits before it is parsed. */
async function checkWorkbookFile(path: string, limits: OfficeZipLimits): Promise<void> {
  const file = await open(path, 'r');
  const start = Buffer.alloc(2);
  try {
    await file.read(start, 0, 2, 0);
  } finally {
    await file.close();
  }
  if (start[0] === 0xd0 && start[1] === 0xcf)
    throw new XlsxError('the file is an old .xls workbook or a password-protected one, not an .xlsx workbook');
  try {
    await checkOfficeZipFile(path, limits); // sizes and entry count before the workbook is parsed
  } catch (e) {
    if (!(e instanceof OfficeZipError)) throw e;
    throw new XlsxError(`the file cannot be read as an .xlsx workbook: ${e.message}`);
  }
}

/** A worksheet reader's events, a parsed chunk at a time (what its row iterator is made of). */
interface SheetEvents {
  parse(): AsyncIterable<{ eventType: string; value: unknown }[]>;
}

/** What the reader knows of the workbook part once it is read: the sheets in the workbook's order. */
interface ReaderModel {
  model?: { sheets?: { id: unknown }[] };
}

function xlsxRow(row: ExcelJS.Row): XlsxRow {
  const cells: (Cell | undefined)[] = [];
  for (let col = 1; col <= row.cellCount; col++) cells.push(xlsxCell(row.getCell(col)));
  return { row: row.number, cells };
}

/** Converts an exceljs cell to a `Cell`: rich text joined, hyperlinks by their text, formulas by their saved result. */
function xlsxCell(cell: ExcelJS.Cell): Cell | undefined {
  if (cell.type === ExcelJS.ValueType.Formula) {
    // The cell's model keeps a result of 0 or NaN (an error) that `cell.value` drops.
    const { result } = cell.model as { result?: unknown };
    return xlsxValue({ formula: '', result }, cell.numFmt);
  }
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
      // The streaming reader gives a formula's error (#N/A) as NaN, and its date as the serial number.
      if (typeof v.result === 'number' && Number.isNaN(v.result)) return { type: 'error', error: 'a formula error' };
      if (typeof v.result === 'number' && isDateFormat(numFmt)) return xlsxValue(excelDate(v.result), numFmt);
      return xlsxValue(v.result, numFmt);
    }
    if ('hyperlink' in v && 'text' in v) return xlsxValue(v.text, numFmt);
    if ('error' in v) return { type: 'error', error: String(v.error) };
  }
  return { type: 'error', error: 'a value of an unknown kind' };
}

/** A number format that shows a date (`yyyy-mm-dd`, `mm-dd-yy`): letters of a date outside quotes and brackets. */
function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  return /[ymdhsb]/i.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** An Excel date serial (1900 system) as the calendar day it shows. */
function excelDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 86400 * 1000));
}
