/**
 * Customers (客户) as they come from the trading system's export.
 * Pure data and the value lists the rules name; no I/O.
 */

/** 客户类型: 个人 or 机构. An institution's returned letter must carry its official seal (公章). */
export type CustomerKind = 'individual' | 'institution';
export const CUSTOMER_KINDS: readonly CustomerKind[] = ['individual', 'institution'];
export const CUSTOMER_KIND_LABELS: Record<CustomerKind, string> = {
  individual: '个人',
  institution: '机构',
};

export interface Customer {
  /** 资金账号 / 客户号 */
  customerId: string;
  /** 姓名 or institution name */
  name: string;
  kind: CustomerKind;
  /** 营业部 code, e.g. `3101` */
  branchCode: string;
  /** 营业部 name, e.g. `上海浦东南路证券营业部` */
  branchName: string;
  /** 通讯地址 */
  address: string;
  /** 邮编: six digits */
  postcode: string;
  phone: string;
  email: string;
  /** 开户日期, ISO `YYYY-MM-DD` */
  openedOn: string;
  /** 营销人员 who brought the customer, if any */
  marketingStaff?: string;
  /** 联系人 for institutions */
  contactPerson?: string;
}

/** Masks all but the last four characters, for logs (SPEC §7: logs never print full numbers). */
export function maskTail(value: string, keep = 4): string {
  if (value.length <= keep) return '*'.repeat(value.length);
  return '*'.repeat(value.length - keep) + value.slice(-keep);
}
