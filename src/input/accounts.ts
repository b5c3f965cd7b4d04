/**
 * Account exports (账户名单) for planning: the customer list's columns (read by the same
 * reader, with the same tolerance and whole-file refusal) plus the account's status, margin
 * and VIP flags and the figures the key-customer thresholds look at. And account events
 * (销户, 长期无交易, 大额转出, …) with their dates. Columns: docs/planning.md.
 */
import {
  ACCOUNT_EVENT_KINDS,
  ACCOUNT_EVENT_LABELS,
  type Account,
  type AccountEvent,
  type AccountEventKind,
  type AccountStatus,
} from '../domain/account.ts';
import type { Customer } from '../domain/customer.ts';
import { today as businessToday } from '../env/clock.ts';
import { CUSTOMER_COLUMNS, readCustomerTable, type CustomerColumn } from './customer-list.ts';
import { parseDate, parseYesNo, type Parsed } from './fields.ts';
import { ProblemLog, rowFields, type RowFields } from './row-fields.ts';
import {
  cellAsText,
  matchColumns,
  normaliseCode,
  normaliseText,
  streamTable,
  type Cell,
  type ColumnSpec,
  type TableFormat,
  type TableHead,
} from './table.ts';

type AccountColumn =
  'status' | 'margin' | 'assets' | 'monthlyTurnover' | 'sixMonthReturn' | 'indexReturn' | 'annualCommission' | 'vip';

/** The account export's own columns, beside `CUSTOMER_COLUMNS`. */
export const ACCOUNT_COLUMNS: readonly ColumnSpec<AccountColumn>[] = [
  { key: 'status', names: ['账户状态', '状态', '客户状态', 'status'], required: true },
  { key: 'margin', names: ['融资融券', '是否融资融券', '两融', '信用账户', 'margin'], required: true },
  { key: 'assets', names: ['总资产', '资产', '客户资产', 'assets'], required: false },
  { key: 'monthlyTurnover', names: ['月均交易量', '月均交易额', '月交易金额', 'monthly_turnover'], required: false },
  {
    key: 'sixMonthReturn',
    names: ['六个月盈亏率', '六个月收益率', '近六个月收益率', 'six_month_return'],
    required: false,
  },
  { key: 'indexReturn', names: ['同期指数涨跌幅', '同期上证指数涨跌幅', 'index_return'], required: false },
  { key: 'annualCommission', names: ['年佣金', '年佣金贡献', 'annual_commission'], required: false },
  { key: 'vip', names: ['VIP', '是否VIP', 'VIP客户', '重点客户标记'], required: false },
];

const STATUS_WORDS: Record<string, AccountStatus> = {
  正常: 'normal',
  normal: 'normal',
  active: 'normal',
  休眠: 'dormant',
  休眠账户: 'dormant',
  dormant: 'dormant',
  中止交易: 'suspended',
  中止: 'suspended',
  暂停交易: 'suspended',
  suspended: 'suspended',
  销户: 'closed',
  已销户: 'closed',
  closed: 'closed',
};

export interface AccountList {
  path: string;
  sha256: string;
  format: TableFormat;
  /** The accounts read (none when `onAccounts` took them). */
  accounts: Account[];
  /** How many accounts were read. */
  count: number;
}

export interface ReadAccountsOptions {
  today?: string;
  /** Told the file's head before any row. */
  onHead?: (head: TableHead) => void;
  /**
   * Takes the accounts in batches as they are read, while no problem has been found (then
   * they are not returned); the caller keeps them only if the whole file is read without problem.
   */
  onAccounts?: (accounts: Account[]) => void;
}

/**
 * Reads an account export (CSV UTF-8/GB18030 or XLSX), one row at a time.
 *
 * @throws InputError listing every problem (exit code 2), each with the file, row and
 *   column: `accounts/bad-status`, `accounts/bad-amount`, `accounts/bad-percent`, and the
 *   customer list's own (`accounts/bad-postcode`, `accounts/duplicate-customer`, …).
 * @example
 * const { accounts } = await readAccounts('accounts-2026-12.xlsx');
 */
export async function readAccounts(path: string, options: ReadAccountsOptions = {}): Promise<AccountList> {
  const read = await readCustomerTable<AccountColumn, Account>(path, {
    kind: { noun: 'account list', rulePrefix: 'accounts', rowsNoun: 'accounts', large: true },
    columns: [...CUSTOMER_COLUMNS, ...ACCOUNT_COLUMNS],
    today: options.today ?? businessToday(),
    row: accountFromRow,
    ...(options.onHead ? { onHead: options.onHead } : {}),
    ...(options.onAccounts ? { onRows: options.onAccounts } : {}),
  });
  return { path: read.path, sha256: read.sha256, format: read.format, accounts: read.rows, count: read.count };
}

const FIGURES = ['assets', 'monthlyTurnover', 'sixMonthReturn', 'indexReturn', 'annualCommission'] as const;

/** The account's own fields beside the customer's; `undefined` when any has a problem (recorded on `f`). */
function accountFromRow(
  f: RowFields<AccountColumn | CustomerColumn>,
  customer: Customer | undefined,
): Account | undefined {
  const statusText = f.requiredText('status', '账户状态');
  const status = statusText === undefined ? undefined : STATUS_WORDS[statusText.toLowerCase()];
  if (statusText !== undefined && !status)
    f.problem(
      'status',
      'bad-status',
      `status ${JSON.stringify(statusText)} is not 正常, 休眠, 中止交易 or 销户`,
      'write 正常, 休眠, 中止交易 or 销户',
    );
  const margin = f.parsed('margin', parseYesNo, '融资融券');
  const vip = f.parsed('vip', parseYesNo) ?? false;
  const figures = {
    assets: f.parsed('assets', parseAmount),
    monthlyTurnover: f.parsed('monthlyTurnover', parseAmount),
    sixMonthReturn: f.parsed('sixMonthReturn', parsePercent),
    indexReturn: f.parsed('indexReturn', parsePercent),
    annualCommission: f.parsed('annualCommission', parseAmount),
  };
  if (!customer || !status || margin === undefined) return undefined;
  const account: Account = { ...customer, status, margin, vip };
  for (const k of FIGURES) if (figures[k] !== undefined) account[k] = figures[k];
  return account;
}

/**
 * An amount in yuan: a number cell, or text `12,345,678.90`, `¥1,000`, `1234.5万`, `1.2亿`.
 * Negative amounts are refused.
 */
export function parseAmount(cell: Cell): Parsed<number> {
  const shown = (): string => JSON.stringify(cellAsText(cell)); // only for a problem
  let value: number;
  if (cell.type === 'number') value = cell.value;
  else {
    const text = normaliseCode(cellAsText(cell)).replace(/[\s,¥￥]|元$/g, '');
    const m = /^(\d+(?:\.\d+)?)(万|亿)?$/.exec(text);
    if (!m)
      return {
        ok: false,
        rule: 'bad-amount',
        reason: `${shown()} is not an amount in yuan`,
        fix: 'write the amount in yuan, e.g. 12500000 or 1250万',
      };
    value = Number(m[1]) * (m[2] === '亿' ? 1e8 : m[2] === '万' ? 1e4 : 1);
  }
  if (!Number.isFinite(value) || value < 0)
    return {
      ok: false,
      rule: 'bad-amount',
      reason: `${shown()} is not an amount of 0 or more`,
      fix: 'write the amount in yuan, e.g. 12500000',
    };
  return { ok: true, value };
}

/**
 * A rate in percent: text `-25.3%` or `-25.3` (percent points), or a number cell; a number
 * cell formatted as a percentage in Excel (`0.00%`, value −0.253) is −25.3.
 */
export function parsePercent(cell: Cell): Parsed<number> {
  const shown = (): string => JSON.stringify(cellAsText(cell)); // only for a problem
  if (cell.type === 'number')
    return { ok: true, value: cell.numFmt?.includes('%') ? round(cell.value * 100) : cell.value };
  const text = normaliseCode(cellAsText(cell)).replace(/\s+/g, '').replace(/[−–]/g, '-').replace(/％/g, '%');
  const m = /^([+-]?\d+(?:\.\d+)?)%?$/.exec(text);
  if (!m)
    return {
      ok: false,
      rule: 'bad-percent',
      reason: `${shown()} is not a rate in percent`,
      fix: 'write the rate in percent, e.g. -25.3% or -25.3',
    };
  return { ok: true, value: Number(m[1]) };
}

const round = (v: number): number => Math.round(v * 1e6) / 1e6;

type EventColumn = 'customerId' | 'kind' | 'occurredOn' | 'note';

export const EVENT_COLUMNS: readonly ColumnSpec<EventColumn>[] = [
  { key: 'customerId', names: ['客户号', '资金账号', '客户编号', 'customer_id'], required: true },
  { key: 'kind', names: ['事件', '事件类型', '触发事件', 'event', 'kind'], required: true },
  { key: 'occurredOn', names: ['事件日期', '发生日期', '日期', 'date', 'occurred_on'], required: true },
  { key: 'note', names: ['说明', '备注', 'note'], required: false },
];

/** What exports call each event (matched after lower-casing and dropping spaces). */
const EVENT_WORDS: Record<string, AccountEventKind> = {
  ...Object.fromEntries(ACCOUNT_EVENT_KINDS.map((k) => [k, k])),
  销户: 'closure',
  已销户: 'closure',
  长期无交易: 'idle',
  六个月无交易: 'idle',
  连续六个月无交易: 'idle',
  大额转出: 'large-transfer',
  较大资产转出: 'large-transfer',
  资产转出: 'large-transfer',
  对账单异议: 'statement',
  对账单退信: 'statement',
  '对账单异议/退信': 'statement',
  退信: 'statement',
  交易所重点监控: 'exchange-watch',
  重点监控: 'exchange-watch',
  重点监控账户: 'exchange-watch',
  协查: 'investigation',
  协助调查: 'investigation',
  kyc: 'kyc',
  身份重新识别: 'kyc',
  客户身份重新识别: 'kyc',
  重新识别: 'kyc',
};

export interface AccountEventList {
  path: string;
  sha256: string;
  format: TableFormat;
  events: AccountEvent[];
}

/**
 * Reads account events (CSV or XLSX), one row at a time.
 *
 * @throws InputError naming every bad row and column (`events/unknown-event`, `events/bad-date`, …).
 */
export async function readAccountEvents(path: string, options: { today?: string } = {}): Promise<AccountEventList> {
  const today = options.today ?? businessToday();
  const events: AccountEvent[] = [];
  let table: TableHead | undefined;
  let index: Partial<Record<EventColumn, number>> = {};
  let log: ProblemLog | undefined;
  await streamTable(
    path,
    { noun: 'event list', rulePrefix: 'events', rowsNoun: 'events' },
    {
      head: (head) => {
        table = head;
        log = new ProblemLog(head, 'events');
        const match = matchColumns(head, EVENT_COLUMNS, 'events');
        index = match.index;
        log.add(match.messages);
      },
      row: (row, shape) => {
        const messages = [...shape];
        const event = eventFromRow(rowFields(table!, index, 'events', messages, row), today);
        log!.add(messages);
        if (event && !log!.hasErrors) events.push(event);
      },
    },
  );
  const refusal = log!.refusal('event list', 'no event was read');
  if (refusal) throw refusal;
  return { path: table!.path, sha256: table!.sha256, format: table!.format, events };
}

function eventFromRow(f: RowFields<EventColumn>, today: string): AccountEvent | undefined {
  const customerId = f.requiredText('customerId', '客户号');
  const kindText = f.requiredText('kind', '事件');
  const kind =
    kindText === undefined ? undefined : EVENT_WORDS[normaliseText(kindText).toLowerCase().replace(/\s+/g, '')];
  if (kindText !== undefined && !kind) {
    f.problem(
      'kind',
      'unknown-event',
      `event ${JSON.stringify(kindText)} is not one huifang plans a visit for`,
      `write one of: ${Object.values(ACCOUNT_EVENT_LABELS).join(', ')}`,
    );
  }
  const occurredOn = f.parsed('occurredOn', (c) => parseDate(c, today), '事件日期');
  const note = f.optionalText('note');
  if (customerId === undefined || !kind || occurredOn === undefined) return undefined;
  return { customerId, kind, occurredOn, ...(note !== undefined ? { note } : {}) };
}
