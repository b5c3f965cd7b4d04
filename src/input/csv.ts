/**
 * CSV as Excel writes and reads it (RFC 4180): comma-separated fields, fields quoted with
 * `"` may hold commas, line breaks and doubled quotes (`""`), records end with CRLF, LF or CR.
 * Pure: text in, records out. Each record keeps the spreadsheet row a clerk sees when the
 * file is opened in Excel (a quoted line break does not start a new row; blank lines do).
 */

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
 * an extra record. Lenient where Excel is lenient: a quote inside an unquoted field, or
 * text after a closing quote, is kept as written.
 *
 * @example parseCsv('a,"b, c"\r\n1,"say ""hi"""') // [{row:1, fields:['a','b, c']}, {row:2, fields:['1','say "hi"']}]
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let fields: string[] = [];
  let row = 1;
  let i = 0;
  if (n === 0) return records;
  for (;;) {
    // One field starts at i.
    let field = '';
    if (text[i] === '"') {
      const startRow = row;
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new CsvSyntaxError(startRow);
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
    }
    // Unquoted text, or text after a closing quote (kept as written, as Excel does).
    let end = i;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c === 44 /* , */ || c === 10 /* \n */ || c === 13 /* \r */) break;
      end += 1;
    }
    field += text.slice(i, end);
    fields.push(field);
    i = end;
    if (i >= n) {
      records.push({ row, fields });
      return records;
    }
    const c = text[i];
    if (c === ',') {
      i += 1;
      continue;
    }
    // A line break ends the record.
    records.push({ row, fields });
    fields = [];
    row += 1;
    i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    if (i >= n) return records;
  }
}

/** True when a record holds nothing but empty or blank fields (a blank line, or `,,,`). */
export function isBlankRecord(fields: readonly string[]): boolean {
  return fields.every((f) => f.trim() === '');
}
