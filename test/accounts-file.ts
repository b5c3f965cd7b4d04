/**
 * Account exports as files, written a row at a time from a generated population (never held
 * whole): for the import tests and the import benchmark.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Account } from '../src/domain/account.ts';
import { generateAccounts } from './plan-population.ts';

export const ACCOUNTS_HEADER =
  '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,账户状态,融资融券,总资产,月均交易量,六个月盈亏率,年佣金,VIP';

const STATUS = { normal: '正常', dormant: '休眠', suspended: '中止交易', closed: '销户' } as const;

/** One account as a row of `ACCOUNTS_HEADER`. */
export function accountFields(a: Account): string[] {
  return [
    a.customerId,
    a.name,
    a.kind === 'individual' ? '个人' : '机构',
    a.branchCode,
    a.branchName,
    a.address,
    a.postcode,
    a.phone,
    a.email,
    a.openedOn,
    STATUS[a.status],
    a.margin ? '是' : '否',
    String(a.assets ?? ''),
    String(a.monthlyTurnover ?? ''),
    String(a.sixMonthReturn ?? ''),
    String(a.annualCommission ?? ''),
    a.vip ? '是' : '否',
  ];
}

export interface AccountsCsvOptions {
  seed?: string;
  encoding?: 'utf8' | 'gb18030';
  /** Changes the fields of the row at a 0-based account index (to plant a bad row). */
  edit?: (index: number, fields: string[]) => string[];
}

/** Writes `size` generated accounts as CSV (CRLF, as Excel writes it) to `path`, a row at a time. */
export async function writeAccountsCsv(path: string, size: number, options: AccountsCsvOptions = {}): Promise<void> {
  const out = createWriteStream(path);
  const encode = (s: string): Buffer => (options.encoding === 'gb18030' ? iconv.encode(s, 'gb18030') : Buffer.from(s));
  let chunk = ACCOUNTS_HEADER + '\r\n';
  let i = 0;
  for (const account of generateAccounts(size, options.seed ?? 'accounts')) {
    const fields = accountFields(account);
    chunk += (options.edit ? options.edit(i, fields) : fields).join(',') + '\r\n';
    i += 1;
    if (chunk.length > 1 << 16) {
      if (!out.write(encode(chunk))) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(encode(chunk));
  await once(out, 'close');
}

/**
 * Writes `size` generated accounts as an XLSX workbook (ExcelJS's streaming writer, shared
 * strings as Excel writes them; amounts and rates as number cells), a row at a time.
 */
export async function writeAccountsXlsx(
  path: string,
  size: number,
  options: Omit<AccountsCsvOptions, 'encoding'> = {},
): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const sheet = book.addWorksheet('账户');
  sheet.addRow(ACCOUNTS_HEADER.split(',')).commit();
  let i = 0;
  for (const account of generateAccounts(size, options.seed ?? 'accounts')) {
    const fields = accountFields(account);
    const edited = options.edit ? options.edit(i, fields) : fields;
    // 总资产, 月均交易量, 六个月盈亏率 as numbers, as an export from the trading system holds them.
    sheet
      .addRow(edited.map((f, col) => (col >= 12 && col <= 14 && f !== '' && !Number.isNaN(Number(f)) ? Number(f) : f)))
      .commit();
    i += 1;
  }
  sheet.commit();
  await book.commit();
}
