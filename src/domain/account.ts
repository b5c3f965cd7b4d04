/**
 * Accounts (账户) as the trading system exports them for planning: a customer with the
 * status, flags and figures that decide who must be visited (第十二条, 第二十条), and the
 * account events that trigger a special visit (第十三条, 第三十一条; 证券公司客户回访制度).
 * Pure data and value lists; no I/O.
 */
import type { Customer } from './customer.ts';

/** 账户状态: 正常, 休眠, 中止交易, 销户. Only `normal` accounts are sampled (第二十条). */
export type AccountStatus = 'normal' | 'dormant' | 'suspended' | 'closed';
export const ACCOUNT_STATUSES: readonly AccountStatus[] = ['normal', 'dormant', 'suspended', 'closed'];
export const ACCOUNT_STATUS_LABELS: Record<AccountStatus, string> = {
  normal: '正常',
  dormant: '休眠',
  suspended: '中止交易',
  closed: '销户',
};

export interface Account extends Customer {
  status: AccountStatus;
  /** 融资融券: takes part in margin trading. */
  margin: boolean;
  /** 总资产 (有价证券市值 + 保证金余额), yuan; `undefined` when the export does not say. */
  assets?: number;
  /** 月均交易量, yuan. */
  monthlyTurnover?: number;
  /** 六个月盈亏率, in percent (−25.5 is −25.5 %). */
  sixMonthReturn?: number;
  /** 同期指数涨跌幅, in percent, when the export gives it per account. */
  indexReturn?: number;
  /** 年佣金贡献, yuan. */
  annualCommission?: number;
  /** VIP / 核心客户 / 营业部认定的重点客户. */
  vip: boolean;
}

/** What planning and coverage look at of an account (no address or phone: the whole book fits in memory). */
export type PlanningAccount = Pick<
  Account,
  'customerId' | 'branchCode' | 'branchName' | 'openedOn' | 'status' | 'margin' | 'vip'
> &
  Partial<Pick<Account, 'assets' | 'monthlyTurnover' | 'sixMonthReturn' | 'indexReturn' | 'annualCommission'>>;

/** Events that call for a special visit, and what the export calls them. */
export type AccountEventKind =
  'closure' | 'idle' | 'large-transfer' | 'statement' | 'exchange-watch' | 'investigation' | 'kyc';
export const ACCOUNT_EVENT_KINDS: readonly AccountEventKind[] = [
  'closure',
  'idle',
  'large-transfer',
  'statement',
  'exchange-watch',
  'investigation',
  'kyc',
];
export const ACCOUNT_EVENT_LABELS: Record<AccountEventKind, string> = {
  closure: '销户',
  idle: '长期无交易',
  'large-transfer': '大额转出',
  statement: '对账单异议/退信',
  'exchange-watch': '交易所重点监控',
  investigation: '协查',
  kyc: '客户身份重新识别',
};

export interface AccountEvent {
  customerId: string;
  kind: AccountEventKind;
  /** The day the event happened, `YYYY-MM-DD`: deadlines count from it. */
  occurredOn: string;
  note?: string;
}
