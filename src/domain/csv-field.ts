/**
 * One field of a CSV file that huifang writes (files.csv of `letters`/`forms`, a bundle's
 * index.csv, any other): quoted when it holds a comma, quote or line break, and never read
 * as a formula by a spreadsheet. Every CSV writer calls this one function. Pure.
 */

/** What makes Excel, WPS or LibreOffice read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A value as one CSV field. A value starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'`, which spreadsheets show as text and never evaluate.
 *
 * @example csvField('=HYPERLINK("http://x","y")') // `"'=HYPERLINK(""http://x"",""y"")"`
 */
export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
