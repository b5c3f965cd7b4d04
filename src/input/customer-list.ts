/**
 * Customer lists (客户名单): the trading system's export, or a clerk's spreadsheet, as CSV
 * (UTF-8 or GB18030/GBK) or XLSX, read into `Customer`s. A list with any problem is refused
 * whole, with every problem named by row and column, so that no visit is registered from
 * half a list. Accepted columns and formats: docs/customer-lists.md.
 */
import { maskTail, type Customer, type CustomerKind } from '../domain/customer.ts';
import { message, type Message } from '../domain/messages.ts';
import { checkSegment, quoteValue, type PathSegment } from '../domain/path-segment.ts';
import { today as businessToday } from '../env/clock.ts';
import { parseDate, parseEmail, parsePhone, parsePostcode, type Parsed } from './fields.ts';
import { ProblemLog, rowFields, type RowFields } from './row-fields.ts';
import {
  cellAsText,
  matchColumns,
  normaliseText,
  streamTable,
  type ColumnSpec,
  type TableFormat,
  type TableHead,
  type TableKind,
  type TableRow,
} from './table.ts';

export interface CustomerList {
  /** Absolute path of the list. */
  path: string;
  /** SHA-256 of the file's bytes, hex: which list a visit came from. */
  sha256: string;
  format: TableFormat;
  /** In the list's row order. */
  customers: Customer[];
}

export interface ReadCustomerListOptions {
  /** The day after which an opening date is in the future, `YYYY-MM-DD`; default today (UTC+8, `HUIFANG_NOW` honoured). */
  today?: string;
}

export type CustomerColumn =
  | 'customerId'
  | 'name'
  | 'kind'
  | 'branchCode'
  | 'branchName'
  | 'address'
  | 'postcode'
  | 'phone'
  | 'email'
  | 'openedOn'
  | 'marketingStaff'
  | 'contactPerson';

/**
 * The columns of a customer list and the header names accepted for each (matched without
 * regard to case, spaces, `_`, `-`; the first name is the one messages use).
 * 营业部代码 is required unless the 营业部 column holds `3101 上海浦东南路证券营业部`.
 */
export const CUSTOMER_COLUMNS: readonly ColumnSpec<CustomerColumn>[] = [
  { key: 'customerId', names: ['客户号', '资金账号', '客户编号', 'customer_id'], required: true },
  { key: 'name', names: ['姓名', '客户名称', '客户姓名', 'name', 'customer_name'], required: true },
  { key: 'kind', names: ['客户类型', '客户类别', 'kind', 'customer_kind'], required: true },
  { key: 'branchCode', names: ['营业部代码', '营业部编号', 'branch_code'], required: false },
  { key: 'branchName', names: ['营业部', '营业部名称', 'branch', 'branch_name'], required: true },
  { key: 'address', names: ['地址', '通讯地址', '联系地址', '邮寄地址', 'address'], required: true },
  { key: 'postcode', names: ['邮编', '邮政编码', 'postcode', 'postal_code', 'zip'], required: true },
  { key: 'phone', names: ['电话', '手机', '联系电话', '手机号码', 'phone', 'mobile'], required: true },
  { key: 'email', names: ['邮箱', '电子邮件', '电子邮箱', 'email'], required: true },
  { key: 'openedOn', names: ['开户日期', 'opened', 'opened_on', 'open_date'], required: true },
  { key: 'marketingStaff', names: ['营销人员', 'marketing_staff'], required: false },
  { key: 'contactPerson', names: ['联系人', '机构联系人', 'contact_person'], required: false },
];

/**
 * The longest value each column may hold, in characters, checked before anything else is
 * read from a row (a 5 MB name is refused at once, not after it has been laid out on a page).
 */
export const CUSTOMER_MAX_LENGTHS: Readonly<Record<CustomerColumn, number>> = {
  customerId: 40,
  name: 100,
  kind: 20,
  branchCode: 16,
  branchName: 100,
  address: 200,
  postcode: 20,
  phone: 40,
  email: 254,
  openedOn: 40,
  marketingStaff: 50,
  contactPerson: 50,
};

const KIND_WORDS: Record<string, CustomerKind> = {
  个人: 'individual',
  个人客户: 'individual',
  自然人: 'individual',
  individual: 'individual',
  机构: 'institution',
  机构客户: 'institution',
  法人: 'institution',
  institution: 'institution',
};

/** `3101 上海浦东南路证券营业部`, `3101-上海…`, `3101上海…`: a branch code before the branch name. */
const CODE_AND_NAME = /^(\d{2,10})(?:\s*[-–—:：|]\s*|\s+|(?=[^0-9A-Za-z\s]))(.+)$/;

/**
 * Reads a customer list (CSV in UTF-8 or GB18030/GBK, detected from the bytes; or the
 * first worksheet of an XLSX workbook, header in row 1).
 *
 * @throws InputError listing every problem (exit code 2) when the list cannot be used:
 *   the file is missing, unreadable or empty, or any row breaks a rule (`list/bad-date`,
 *   `list/duplicate-customer`, …); each message names the file, row and column.
 * @example
 * const list = await readCustomerList('samples/customers.xlsx');
 * list.customers[0].postcode; // '200120'
 */
export async function readCustomerList(path: string, options: ReadCustomerListOptions = {}): Promise<CustomerList> {
  const read = await readCustomerTable(path, {
    kind: { noun: 'customer list', rulePrefix: 'list', rowsNoun: 'customers' },
    columns: CUSTOMER_COLUMNS,
    today: options.today ?? businessToday(),
    row: (_f, customer) => customer,
  });
  return { path: read.path, sha256: read.sha256, format: read.format, customers: read.rows };
}

/** How a table of customers with more columns than a customer list (an account export) is read. */
export interface CustomerTableOptions<K extends string, T> {
  kind: TableKind;
  /** `CUSTOMER_COLUMNS` and the table's own. */
  columns: readonly ColumnSpec<CustomerColumn | K>[];
  /** The day after which a date is in the future, `YYYY-MM-DD`. */
  today: string;
  /** The row's own fields, read from `f` beside the customer (undefined when a customer field has a problem). */
  row: (f: RowFields<CustomerColumn | K>, customer: Customer | undefined) => T | undefined;
  /** Told the file's head before any row (its SHA-256 and format). */
  onHead?: (head: TableHead) => void;
  /**
   * Takes the rows read, in batches, for as long as no problem has been found; the rows are
   * then not returned. The caller keeps them only if the whole table is read without problem.
   */
  onRows?: (rows: T[]) => void;
}

export interface CustomerTable<T> {
  path: string;
  sha256: string;
  format: TableFormat;
  /** The rows read (none when `onRows` took them). */
  rows: T[];
  /** How many rows were read. */
  count: number;
}

/** Rows handed to `onRows` at a time. */
const BATCH = 2000;

/**
 * Reads a table whose rows are customers with (optionally) more fields: the customer list
 * and the account export share its columns, its tolerance and its whole-file refusal. The
 * file is read one row at a time; each row is checked as it comes.
 *
 * @throws InputError listing every problem (the first `MAX_LISTED_PROBLEMS`, the others
 *   counted), each with the file, row and column.
 */
export async function readCustomerTable<K extends string, T>(
  path: string,
  options: CustomerTableOptions<K, T>,
): Promise<CustomerTable<T>> {
  const reader = new CustomerTableReader(options);
  await streamTable(path, options.kind, {
    head: (head) => reader.head(head),
    row: (row, shape) => reader.row(row, shape),
  });
  return reader.finish();
}

/** The state of a customer table being read: its columns, the customers seen, the problems and the rows to hand on. */
class CustomerTableReader<K extends string, T> {
  private table!: TableHead;
  private index: Partial<Record<CustomerColumn | K, number>> = {};
  private log!: ProblemLog;
  /** No 营业部代码 column: the 营业部 column must hold "code name" (decided once a row does). */
  private combinedBranch = false;
  private sawCombined = false;
  private readonly firstRowOf = new Map<string, number>();
  private batch: T[] = [];
  private readonly kept: T[] = [];
  private count = 0;

  constructor(private readonly options: CustomerTableOptions<K, T>) {}

  head(head: TableHead): void {
    const prefix = this.options.kind.rulePrefix;
    this.table = head;
    this.log = new ProblemLog(head, prefix);
    const { index, messages } = matchColumns(head, this.options.columns, prefix);
    this.index = index;
    // One 营业部 column holding "code name" stands in for 营业部代码.
    this.combinedBranch = index.branchCode === undefined && index.branchName !== undefined;
    if (index.branchCode === undefined && index.branchName === undefined)
      messages.push(missingBranchCode(head, prefix));
    this.log.add(messages);
    this.options.onHead?.(head);
  }

  /** Checks one row (even when a column is missing, so that one report names every problem). */
  row(row: TableRow, shape: readonly Message[]): void {
    const messages = [...shape];
    const f = rowFields(
      this.table,
      this.index,
      this.options.kind.rulePrefix,
      messages,
      row,
      CUSTOMER_MAX_LENGTHS as Partial<Record<K | CustomerColumn, number>>,
    );
    this.checkDuplicate(f);
    if (this.combinedBranch && !this.sawCombined) this.sawCombined = startsWithCode(f);
    const customer = customerFromRow(f, { combinedBranch: this.combinedBranch, today: this.options.today });
    const value = this.options.row(f, customer);
    this.log.add(messages);
    if (value === undefined || this.log.hasErrors) return;
    this.count += 1;
    if (!this.options.onRows) this.kept.push(value);
    else if (this.batch.push(value) >= BATCH) this.flush();
  }

  private checkDuplicate(f: RowFields<CustomerColumn | K>): void {
    const idCell = f.cell('customerId');
    const customerId = idCell && idCell.type !== 'error' ? normaliseText(cellAsText(idCell)) : '';
    if (customerId === '') return;
    const first = this.firstRowOf.get(customerId);
    if (first === undefined) {
      this.firstRowOf.set(customerId, f.row);
      return;
    }
    f.problem(
      'customerId',
      'duplicate-customer',
      `customer ${maskTail(customerId)} appears twice, in rows ${first} and ${f.row}`,
      `keep one row per customer; delete or correct row ${f.row} or row ${first}`,
    );
  }

  private flush(): void {
    if (this.batch.length > 0 && !this.log.hasErrors) this.options.onRows!(this.batch);
    this.batch = [];
  }

  finish(): CustomerTable<T> {
    const { kind } = this.options;
    if (this.combinedBranch && !this.sawCombined) {
      // No row writes a code before the branch: the column is missing, not every row wrong.
      this.log.discard(`${kind.rulePrefix}/bad-branch`);
      this.log.add([missingBranchCode(this.table, kind.rulePrefix)]);
    }
    if (this.options.onRows) this.flush();
    const refusal = this.log.refusal(kind.noun, `no ${kind.rowsNoun.replace(/s$/, '')} was read`);
    if (refusal) throw refusal;
    const { path, sha256, format } = this.table;
    return { path, sha256, format, rows: this.kept, count: this.count };
  }
}

function missingBranchCode(table: TableHead, prefix: string): Message {
  return message(
    `${prefix}/missing-column`,
    'the required column 营业部代码 is missing',
    { file: table.path, row: 1 },
    {
      fix: 'add a column headed one of: 营业部代码, 营业部编号, branch_code; or write the code before the name in the 营业部 column (3101 上海浦东南路证券营业部)',
      expected: '营业部代码 | 营业部编号 | branch_code',
    },
  );
}

/** Whether the row's 营业部 cell writes the branch code before the name. */
function startsWithCode(f: RowFields<CustomerColumn>): boolean {
  const c = f.cell('branchName');
  return c?.type === 'text' && CODE_AND_NAME.test(normaliseText(c.text));
}

/** One row as a customer, or `undefined` when any of its fields has a problem (recorded on `f`). */
function customerFromRow(
  f: RowFields<CustomerColumn>,
  ctx: { combinedBranch: boolean; today: string },
): Customer | undefined {
  const customerId = checked(f, 'customerId', 'customer', f.requiredText('customerId', '客户号'));
  const name = f.requiredText('name', '姓名');
  const kind = kindOf(f);
  const { branchCode, branchName } = ctx.combinedBranch ? combinedBranchOf(f) : branchOf(f);
  const address = f.requiredText('address', '地址');
  const postcode = f.parsed('postcode', parsePostcode, '邮编');
  const phone = f.parsed('phone', (c) => maskedPhone(parsePhone(c)), '电话');
  const email = f.parsed('email', parseEmail) ?? '';
  const openedOn = f.parsed('openedOn', (c) => parseDate(c, ctx.today), '开户日期');
  const marketingStaff = f.optionalText('marketingStaff');
  const contactPerson = f.optionalText('contactPerson');
  if (
    customerId === undefined ||
    name === undefined ||
    kind === undefined ||
    branchCode === undefined ||
    branchName === undefined ||
    address === undefined ||
    postcode === undefined ||
    phone === undefined ||
    openedOn === undefined
  )
    return undefined;
  return {
    customerId,
    name,
    kind,
    branchCode,
    branchName,
    address,
    postcode,
    phone,
    email,
    openedOn,
    ...(marketingStaff !== undefined ? { marketingStaff } : {}),
    ...(contactPerson !== undefined ? { contactPerson } : {}),
  };
}

function kindOf(f: RowFields<CustomerColumn>): CustomerKind | undefined {
  const kindText = f.requiredText('kind', '客户类型');
  if (kindText === undefined) return undefined;
  const kind = KIND_WORDS[kindText.toLowerCase()];
  if (!kind)
    f.problem(
      'kind',
      'unknown-kind',
      `customer kind ${quoteValue(kindText)} is neither 个人 nor 机构`,
      'write 个人 (individual) or 机构 (institution)',
    );
  return kind;
}

type Branch = { branchCode: PathSegment | undefined; branchName: string | undefined };

/** One 营业部 column holding "3101 上海浦东南路证券营业部". */
function combinedBranchOf(f: RowFields<CustomerColumn>): Branch {
  const text = f.requiredText('branchName', '营业部');
  const m = text === undefined ? null : CODE_AND_NAME.exec(text);
  if (text !== undefined && !m) {
    f.problem(
      'branchName',
      'bad-branch',
      `branch ${quoteValue(text)} does not start with its code`,
      'write the code, a space and the name: 3101 上海浦东南路证券营业部',
    );
  }
  return m
    ? { branchCode: checked(f, 'branchName', 'branch', m[1]!), branchName: m[2]!.trim() }
    : { branchCode: undefined, branchName: undefined };
}

/** 营业部代码 and 营业部名称 in their own columns. */
function branchOf(f: RowFields<CustomerColumn>): Branch {
  const branchCode = checked(f, 'branchCode', 'branch', f.requiredText('branchCode', '营业部代码'));
  const text = f.requiredText('branchName', '营业部名称');
  // "3101 上海浦东南路证券营业部" beside a 营业部代码 of 3101: keep the name only.
  const m = text === undefined ? null : CODE_AND_NAME.exec(text);
  return { branchCode, branchName: m && m[1] === branchCode ? m[2]!.trim() : text };
}

/**
 * A value that becomes part of a path (the branch code names the letters' folder and the
 * bundle; the customer id is written into file listings): checked against its strict
 * pattern here, where it enters, and refused with the row and column named.
 */
function checked(
  f: RowFields<CustomerColumn>,
  key: CustomerColumn,
  kind: 'customer' | 'branch',
  value: string | undefined,
): PathSegment | undefined {
  if (value === undefined) return undefined;
  const check = checkSegment(kind, value);
  if (check.ok) return check.value;
  const reason =
    kind === 'customer' ? check.reason.replace(quoteValue(value), quoteValue(maskTail(value))) : check.reason;
  f.problem(key, kind === 'customer' ? 'bad-customer-id' : 'bad-branch-code', reason, check.fix);
  return undefined;
}

/** Phone problems name the number by its last four characters only (logs never print full numbers). */
function maskedPhone(p: Parsed<string>): Parsed<string> {
  if (p.ok) return p;
  return { ...p, reason: p.reason.replace(/"([^"]*)"/, (_, v: string) => `"${maskTail(v)}"`) };
}
