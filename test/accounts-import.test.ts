/**
 * Importing large account exports as the trading system writes them: the file read as a
 * stream (CSV in UTF-8 or GB18030, XLSX), each row checked as it comes and the accounts
 * written to the register in batches inside one transaction, so that a file refused at one
 * of its last rows keeps nothing, with that row named.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PizZip from 'pizzip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/common.ts';
import { main } from '../src/cli/main.ts';
import type { Account } from '../src/domain/account.ts';
import { InputError } from '../src/domain/messages.ts';
import { readAccounts } from '../src/input/accounts.ts';
import { MAX_LISTED_PROBLEMS } from '../src/input/row-fields.ts';
import { listImports, loadAccountsById, loadPlanningAccounts } from '../src/store/planning.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { writeAccountsCsv, writeAccountsXlsx } from './accounts-file.ts';
import { generateAccounts } from './plan-population.ts';
import { newStaffedWorkspace } from './workspace-helpers.ts';
import { craftZip } from './zip-craft.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-accounts-import-'));
const saved = { now: process.env.HUIFANG_NOW, user: process.env.HUIFANG_USER };
beforeAll(() => {
  process.env.HUIFANG_NOW = '2026-11-30T04:00:00Z';
  process.env.HUIFANG_USER = '顾文斌';
});
afterAll(() => {
  for (const [key, value] of [
    ['HUIFANG_NOW', saved.now],
    ['HUIFANG_USER', saved.user],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

async function refusal(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('the file was accepted');
}

/** The generated accounts as a file holds them (−0 is written 0). */
const written = (size: number, seed: string) =>
  [...generateAccounts(size, seed)].map((a) => JSON.parse(JSON.stringify(a)) as Account);

const ROWS = 50_000;
/** 0-based account index of the bad row: spreadsheet row = index + 2 (the header is row 1). */
const BAD = ROWS - 7;

describe('a 50,000-row account CSV', () => {
  const ws = join(dir, 'ws');
  const good = join(dir, 'accounts.csv');
  const bad = join(dir, 'accounts-bad.csv');
  beforeAll(async () => {
    await newStaffedWorkspace(ws);
    await writeAccountsCsv(good, ROWS, { seed: 'large' });
    await writeAccountsCsv(bad, ROWS, {
      seed: 'large',
      edit: (i, fields) => (i === BAD ? fields.map((f, col) => (col === 10 ? '冻结' : f)) : fields),
    });
  });

  it('is refused whole when one of its last rows is bad: the row and column named, nothing kept', async () => {
    const r = await run(['accounts', 'import', bad, '--workspace', ws, '--as-of', '2026-11-30']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`row ${BAD + 2}, column 账户状态`);
    expect(r.err).toContain('accounts/bad-status');
    const w = openWorkspace(ws);
    try {
      expect(listImports(w.register)).toEqual([]);
      expect(loadPlanningAccounts(w.register, 1)).toEqual([]);
      const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(bad)).digest('hex');
      expect(w.files.has(sha)).toBe(false);
    } finally {
      w.close();
    }
  });

  it('is imported whole when every row is good, each account as written', async () => {
    const r = await run(['accounts', 'import', good, '--workspace', ws, '--as-of', '2026-11-30', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ accounts: ROWS, format: 'csv-utf8' });
    const w = openWorkspace(ws);
    try {
      const [imported] = listImports(w.register);
      expect(imported).toMatchObject({ kind: 'accounts', rowCount: ROWS });
      expect(loadPlanningAccounts(w.register, imported!.importId)).toHaveLength(ROWS);
      const generated = written(ROWS, 'large');
      const some = [0, 12_345, BAD, ROWS - 1].map((i) => generated[i]!);
      const stored = loadAccountsById(
        w.register,
        imported!.importId,
        some.map((a) => a.customerId),
      );
      for (const a of some) expect(stored.get(a.customerId)).toEqual(a);
    } finally {
      w.close();
    }
  });
});

describe('problems beyond what a person reads', () => {
  it(`lists the first ${MAX_LISTED_PROBLEMS} problems in reading order and counts the rest by rule`, async () => {
    const path = join(dir, 'many-bad.csv');
    // Every other row has a bad postcode; every 500th a bad date too.
    await writeAccountsCsv(path, 3000, {
      edit: (i, fields) =>
        fields.map((f, col) => (col === 6 && i % 2 === 1 ? '1234' : col === 9 && i % 500 === 499 ? '2026-02-30' : f)),
    });
    const e = await refusal(readAccounts(path, { today: '2026-11-30' }));
    expect(e.message).toContain('has 1506 problems');
    expect(e.messages).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    const rows = e.messages.slice(0, -1).map((m) => m.place.row!);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(rows[0]).toBe(3);
    const more = e.messages.at(-1)!;
    expect(more.ruleId).toBe('accounts/more-problems');
    // Listed: rows 3, 5, … 1995 (997 postcodes, and the dates of rows 501, 1001 and 1501); the rest counted.
    expect(more.reason).toContain('506 more problems');
    expect(more.reason).toContain('accounts/bad-postcode ×503');
    expect(more.reason).toContain('accounts/bad-date ×3');
  });
});

describe('GB18030 and XLSX read as a stream', () => {
  it('reads a 20,000-row GB18030 export across its read chunks, every Chinese name intact', async () => {
    const path = join(dir, 'accounts-gbk.csv');
    await writeAccountsCsv(path, 20_000, { seed: 'gbk', encoding: 'gb18030' });
    const list = await readAccounts(path, { today: '2026-11-30' });
    expect(list.format).toBe('csv-gb18030');
    expect(list.accounts).toEqual(written(20_000, 'gbk'));
  });

  it('names the line where a GB18030 export stops being GB18030, far into the file', async () => {
    const path = join(dir, 'accounts-gbk-broken.csv');
    await writeAccountsCsv(path, 20_000, { seed: 'gbk', encoding: 'gb18030' });
    const bytes = readFileSync(path);
    // Line 15001 (account 14999) gets a byte that no GB18030 sequence starts with.
    let at = 0;
    for (let line = 1; line < 15_001; line++) at = bytes.indexOf(0x0a, at) + 1;
    bytes[at + 2] = 0xff;
    writeFileSync(path, bytes);
    const e = await refusal(readAccounts(path, { today: '2026-11-30' }));
    expect(e.messages.map((m) => [m.ruleId, m.place.row])).toEqual([['accounts/bad-encoding', 15_001]]);
  });

  it('reads a 5,000-row XLSX workbook, and refuses it whole for a bad row near its end', async () => {
    const good = join(dir, 'accounts.xlsx');
    await writeAccountsXlsx(good, 5000, { seed: 'xlsx' });
    const list = await readAccounts(good, { today: '2026-11-30' });
    expect(list.format).toBe('xlsx');
    expect(list.accounts).toEqual(written(5000, 'xlsx'));

    const bad = join(dir, 'accounts-bad.xlsx');
    await writeAccountsXlsx(bad, 5000, {
      seed: 'xlsx',
      edit: (i, fields) => (i === 4990 ? fields.map((f, col) => (col === 13 ? '很多' : f)) : fields),
    });
    const e = await refusal(readAccounts(bad, { today: '2026-11-30' }));
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([
      ['accounts/bad-amount', 4992, '月均交易量'],
    ]);
  });

  it('reads a workbook whose worksheet comes before its workbook part in the zip (writers differ)', async () => {
    const original = join(dir, 'accounts-order.xlsx');
    await writeAccountsXlsx(original, 300, { seed: 'order' });
    const zip = new PizZip(readFileSync(original));
    const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
    const last = ['xl/worksheets/sheet1.xml', 'xl/workbook.xml'];
    const order = [...names.filter((n) => !last.includes(n)), ...last];
    const path = join(dir, 'accounts-reordered.xlsx');
    writeFileSync(
      path,
      craftZip(order.map((name) => ({ name, data: Buffer.from(zip.file(name)!.asUint8Array()), deflate: true }))),
    );
    const list = await readAccounts(path, { today: '2026-11-30' });
    expect(list.accounts).toEqual(written(300, 'order'));
  });

  it('refuses an XLSX workbook whose worksheet lies about its size before parsing it', async () => {
    const path = join(dir, 'accounts-lying.xlsx');
    await writeAccountsXlsx(path, 200, { seed: 'xlsx' });
    const bytes = readFileSync(path);
    // The central directory's uncompressed size of the worksheet, halved.
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    const entry = bytes.lastIndexOf(name) - 46;
    expect(bytes.readUInt32LE(entry)).toBe(0x02014b50);
    bytes.writeUInt32LE(Math.floor(bytes.readUInt32LE(entry + 24) / 2), entry + 24);
    writeFileSync(path, bytes);
    const e = await refusal(readAccounts(path, { today: '2026-11-30' }));
    expect(e.messages[0]!.ruleId).toBe('accounts/unreadable');
    expect(e.messages[0]!.reason).toContain('xl/worksheets/sheet1.xml expands to more than');
  });
});
