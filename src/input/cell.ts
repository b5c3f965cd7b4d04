/**
 * A cell of a table as the file holds it, and the text normalisation every reader of a
 * table applies (full-width forms, NFC, trimming).
 */

/** A cell as the file holds it. CSV cells are always text; XLSX cells keep their type. */
export type Cell =
  | { type: 'text'; text: string }
  | { type: 'number'; value: number; /** Excel number format, e.g. `000000` */ numFmt?: string }
  | { type: 'date'; /** `YYYY-MM-DD` (the calendar day Excel shows) */ iso: string }
  | { type: 'boolean'; value: boolean }
  | { type: 'error'; /** e.g. `#N/A`, or why a formula has no value */ error: string };

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
