/**
 * Reading one data row's fields by column key, collecting every problem with its place
 * (file, row, column as the file spells it) and rule id. Shared by the customer list and
 * the staff roster so that both report problems the same way.
 */
import { InputError, message, type Message } from '../domain/messages.ts';
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
export function rowFields<K extends string>(
  table: Pick<Table, 'path' | 'header'>,
  index: Partial<Record<K, number>>,
  rulePrefix: string,
  messages: Message[],
  row: TableRow,
  maxLengths: Partial<Record<K, number>> = {},
): RowFields<K> {
  return new FieldReader(table, index, rulePrefix, messages, row, maxLengths);
}

const NONE: ReadonlySet<never> = new Set();

class FieldReader<K extends string> implements RowFields<K> {
  readonly row: number;
  /** Fields longer than their limit: refused at once and read no further (neither empty nor a value). */
  private readonly tooLong: ReadonlySet<K> = NONE;

  constructor(
    private readonly table: Pick<Table, 'path' | 'header'>,
    private readonly index: Partial<Record<K, number>>,
    private readonly rulePrefix: string,
    private readonly messages: Message[],
    private readonly tableRow: TableRow,
    maxLengths: Partial<Record<K, number>>,
  ) {
    this.row = tableRow.row;
    // Lengths are checked first, before any other look at a value.
    const over = overLongFields(index, tableRow, maxLengths);
    if (over.length > 0) this.tooLong = new Set(over.map(([key]) => key));
    for (const [key, length, limit] of over) {
      this.problem(
        key,
        'too-long',
        `the value is ${length} characters long, more than the ${limit} allowed`,
        `shorten it to at most ${limit} characters`,
      );
    }
  }

  column(key: K): string | undefined {
    const i = this.index[key];
    return i === undefined ? undefined : this.table.header[i];
  }

  problem(key: K | undefined, rule: string, reason: string, fix: string): void {
    const col = key === undefined ? undefined : this.column(key);
    const place = { file: this.table.path, row: this.row, ...(col !== undefined ? { column: col } : {}) };
    this.messages.push(message(`${this.rulePrefix}/${rule}`, reason, place, { fix }));
  }

  cell(key: K): Cell | undefined {
    const i = this.index[key];
    return i === undefined || this.tooLong.has(key) ? undefined : this.tableRow.cells[i];
  }

  /** A formula error or unreadable cell is reported once, as `bad-cell`, and yields nothing. */
  private usable(key: K): Cell | undefined {
    const c = this.cell(key);
    if (c?.type !== 'error') return c;
    this.problem(
      key,
      'bad-cell',
      `the cell holds ${c.error}, not a value`,
      'put the value itself in the cell, or open the file in Excel and save it so formulas keep their results',
    );
    return undefined;
  }

  /** Named by the header as the file spells it (客户名称, name), which is what the clerk sees. */
  private emptyProblem(key: K, label: string): void {
    if (this.tooLong.has(key)) return;
    const name = this.column(key) ?? label;
    this.problem(key, 'empty-field', `${name} is empty`, `fill in ${name} for this row`);
  }

  requiredText(key: K, label: string): string | undefined {
    const c = this.usable(key);
    if (c === undefined) {
      if (this.cell(key) === undefined && this.column(key) !== undefined) this.emptyProblem(key, label);
      return undefined;
    }
    const text = normaliseText(cellAsText(c));
    if (text === '') {
      this.emptyProblem(key, label);
      return undefined;
    }
    return text;
  }

  optionalText(key: K): string | undefined {
    const c = this.usable(key);
    if (c === undefined) return undefined;
    const text = normaliseText(cellAsText(c));
    return text === '' ? undefined : text;
  }

  parsed<T>(key: K, parse: (cell: Cell) => Parsed<T>, requiredLabel?: string): T | undefined {
    const c = this.usable(key);
    if (c === undefined || (c.type === 'text' && c.text.trim() === '')) {
      if (requiredLabel !== undefined && this.cell(key)?.type !== 'error' && this.column(key) !== undefined)
        this.emptyProblem(key, requiredLabel);
      return undefined;
    }
    const result = parse(c);
    if (result.ok) return result.value;
    this.problem(key, result.rule, result.reason, result.fix);
    return undefined;
  }
}

/** The fields of a row longer than their limit, as `[key, length, limit]`. */
function overLongFields<K extends string>(
  index: Partial<Record<K, number>>,
  row: TableRow,
  maxLengths: Partial<Record<K, number>>,
): [K, number, number][] {
  const out: [K, number, number][] = [];
  for (const key in maxLengths) {
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

/** Most problems a refused table lists; the others are counted. */
export const MAX_LISTED_PROBLEMS = 1000;

/**
 * The problems of a table read row by row, in reading order (header first, then row by row,
 * left to right within a row), the first `MAX_LISTED_PROBLEMS` kept and the rest counted, so
 * that a file with a million bad rows is refused with a report a person can read.
 */
export class ProblemLog {
  private readonly listed: Message[] = [];
  private readonly omitted = new Map<string, number>();
  private errors = 0;

  constructor(
    private readonly table: Pick<Table, 'path' | 'header'>,
    private readonly rulePrefix: string,
  ) {}

  /** One row's problems (or the header's), in any order. */
  add(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    const sorted = messages.length === 1 ? messages : [...messages].sort(this.byPlace);
    for (const m of sorted) {
      if (m.severity === 'error') this.errors += 1;
      if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(m);
      else this.omitted.set(m.ruleId, (this.omitted.get(m.ruleId) ?? 0) + 1);
    }
  }

  /** Forgets the problems of a rule (found to follow from a problem of the header). */
  discard(ruleId: string): void {
    for (let i = this.listed.length - 1; i >= 0; i--) {
      if (this.listed[i]!.ruleId !== ruleId) continue;
      if (this.listed[i]!.severity === 'error') this.errors -= 1;
      this.listed.splice(i, 1);
    }
    this.errors -= this.omitted.get(ruleId) ?? 0;
    this.omitted.delete(ruleId);
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  /** How many problems there are, listed or not. */
  get count(): number {
    let n = this.listed.length;
    for (const v of this.omitted.values()) n += v;
    return n;
  }

  /** The problems in reading order, with one closing message for those not listed. */
  messages(): Message[] {
    const out = [...this.listed].sort(this.byPlace);
    const more = this.count - out.length;
    if (more > 0) {
      out.push(
        message(
          `${this.rulePrefix}/more-problems`,
          `${more} more problem${more === 1 ? '' : 's'} not listed (${[...this.omitted].map(([rule, n]) => `${rule} ×${n}`).join(', ')}); the first ${MAX_LISTED_PROBLEMS} are listed above`,
          { file: this.table.path },
          {
            fix: 'correct the problems listed and read the file again to see the rest; a whole column wrong often explains many rows',
          },
        ),
      );
    }
    return out;
  }

  /** The refusal of the whole table, or `undefined` when it has no error. */
  refusal(noun: string, consequence: string): InputError | undefined {
    if (!this.hasErrors) return undefined;
    const n = this.count;
    return new InputError(
      `the ${noun} ${this.table.path} has ${n} problem${n === 1 ? '' : 's'}; ${consequence}`,
      this.messages(),
    );
  }

  private readonly byPlace = (a: Message, b: Message): number =>
    (a.place.row ?? 0) - (b.place.row ?? 0) || this.columnIndex(a) - this.columnIndex(b);

  private columnIndex(m: Message): number {
    return m.place.column === undefined ? -1 : this.table.header.indexOf(m.place.column);
  }
}
