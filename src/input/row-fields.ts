/**
 * Reading one data row's fields by column key, collecting every problem with its place
 * (file, row, column as the file spells it) and rule id. Shared by the customer list and
 * the staff roster so that both report problems the same way.
 */
import { message, type Message } from '../domain/messages.ts';
import type { Parsed } from './fields.ts';
import { cellAsText, normaliseText, type Cell, type Table, type TableRow } from './table.ts';

export interface RowFields<K extends string> {
  readonly row: number;
  /** The cell under a column, if the column exists and the cell is not empty. */
  cell(key: K): Cell | undefined;
  /** The header as the file spells it, or `undefined` when the column is absent. */
  column(key: K): string | undefined;
  /** Records a problem with this row's field. */
  problem(key: K | undefined, rule: string, reason: string, fix: string): void;
  /** Text of a required field; an empty cell is a `<prefix>/empty-field` problem. */
  requiredText(key: K, label: string): string | undefined;
  /** Text of an optional field, `undefined` when empty. */
  optionalText(key: K): string | undefined;
  /** A parsed field; empty is a problem only when `label` (the field's name for people) is given. */
  parsed<T>(key: K, parse: (cell: Cell) => Parsed<T>, requiredLabel?: string): T | undefined;
}

/**
 * Returns a reader for `row` that pushes problems onto `messages`.
 *
 * @example
 * const f = rowFields(table, index, 'list', messages, row);
 * const postcode = f.parsed('postcode', parsePostcode, '邮编');
 */
// eslint-disable-next-line max-lines-per-function -- still to be split into named steps (docs/architecture.md)
export function rowFields<K extends string>(
  table: Pick<Table, 'path' | 'header'>,
  index: Partial<Record<K, number>>,
  rulePrefix: string,
  messages: Message[],
  row: TableRow,
  maxLengths: Partial<Record<K, number>> = {},
): RowFields<K> {
  const column = (key: K): string | undefined => {
    const i = index[key];
    return i === undefined ? undefined : table.header[i];
  };
  const problem = (key: K | undefined, rule: string, reason: string, fix: string): void => {
    const col = key === undefined ? undefined : column(key);
    messages.push(
      message(
        `${rulePrefix}/${rule}`,
        reason,
        { file: table.path, row: row.row, ...(col !== undefined ? { column: col } : {}) },
        { fix },
      ),
    );
  };
  // Lengths are checked first, before any other look at a value: an over-long cell is
  // refused at once and read no further (it counts as neither empty nor a value).
  const tooLong = overLongFields(index, row, maxLengths);
  for (const [key, length, limit] of tooLong) {
    problem(
      key,
      'too-long',
      `the value is ${length} characters long, more than the ${limit} allowed`,
      `shorten it to at most ${limit} characters`,
    );
  }
  const cell = (key: K): Cell | undefined => {
    const i = index[key];
    return i === undefined || tooLong.some(([k]) => k === key) ? undefined : row.cells[i];
  };
  /** A formula error or unreadable cell is reported once, as `bad-cell`, and yields nothing. */
  const usable = (key: K): Cell | undefined => {
    const c = cell(key);
    if (c?.type === 'error') {
      problem(
        key,
        'bad-cell',
        `the cell holds ${c.error}, not a value`,
        'put the value itself in the cell, or open the file in Excel and save it so formulas keep their results',
      );
      return undefined;
    }
    return c;
  };
  /** Named by the header as the file spells it (客户名称, name), which is what the clerk sees. */
  const emptyProblem = (key: K, label: string): void => {
    if (tooLong.some(([k]) => k === key)) return;
    const name = column(key) ?? label;
    problem(key, 'empty-field', `${name} is empty`, `fill in ${name} for this row`);
  };

  return {
    row: row.row,
    cell,
    column,
    problem,
    requiredText(key, label) {
      const c = usable(key);
      if (c === undefined) {
        if (cell(key) === undefined && column(key) !== undefined) emptyProblem(key, label);
        return undefined;
      }
      const text = normaliseText(cellAsText(c));
      if (text === '') {
        emptyProblem(key, label);
        return undefined;
      }
      return text;
    },
    optionalText(key) {
      const c = usable(key);
      if (c === undefined) return undefined;
      const text = normaliseText(cellAsText(c));
      return text === '' ? undefined : text;
    },
    parsed(key, parse, requiredLabel) {
      const c = usable(key);
      if (c === undefined || (c.type === 'text' && c.text.trim() === '')) {
        if (requiredLabel !== undefined && cell(key)?.type !== 'error' && column(key) !== undefined)
          emptyProblem(key, requiredLabel);
        return undefined;
      }
      const result = parse(c);
      if (result.ok) return result.value;
      problem(key, result.rule, result.reason, result.fix);
      return undefined;
    },
  };
}

/** The fields of a row longer than their limit, as `[key, length, limit]`. */
function overLongFields<K extends string>(
  index: Partial<Record<K, number>>,
  row: TableRow,
  maxLengths: Partial<Record<K, number>>,
): [K, number, number][] {
  const out: [K, number, number][] = [];
  for (const key of Object.keys(maxLengths) as K[]) {
    const i = index[key];
    const limit = maxLengths[key];
    const c = i === undefined ? undefined : row.cells[i];
    if (limit === undefined || c === undefined) continue;
    const length = c.type === 'text' ? c.text.length : c.type === 'error' ? c.error.length : 0;
    if (length > limit) out.push([key, length, limit]);
  }
  return out;
}

/**
 * Every problem of a table, in reading order: header problems first, then row by row,
 * and within a row from left to right, so that a clerk can work down the file.
 */
export function inReadingOrder(table: Pick<Table, 'header' | 'messages'>, messages: readonly Message[]): Message[] {
  const columnIndex = (m: Message): number =>
    m.place.column === undefined ? -1 : table.header.indexOf(m.place.column);
  return [...messages, ...table.messages].sort(
    (a, b) => (a.place.row ?? 0) - (b.place.row ?? 0) || columnIndex(a) - columnIndex(b),
  );
}
