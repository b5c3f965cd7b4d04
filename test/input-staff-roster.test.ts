import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/domain/messages.ts';
import { readCustomerList } from '../src/input/customer-list.ts';
import { readStaffRoster } from '../src/input/staff-roster.ts';
import { sampleStaff } from '../samples/make-samples.ts';

const dir = mkdtempSync(join(tmpdir(), 'huifang-roster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
}
async function refusal(path: string): Promise<InputError> {
  try {
    await readStaffRoster(path);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error(`${path} was accepted`);
}

describe('staff rosters', () => {
  it('read the sample roster: visitors, reviewers, handlers and the marketing staff the customer list names', async () => {
    const staff = await readStaffRoster('samples/staff.csv');
    expect(staff).toEqual(sampleStaff());
    expect(new Set(staff.map((s) => s.role))).toEqual(
      new Set(['营业部负责人', '回访专员', '复核人员', '经办人', '营销人员', '合规专员']),
    );
    const marketing = new Set(staff.filter((s) => s.isMarketing).map((s) => s.name));
    const { customers } = await readCustomerList('samples/customers.csv', { today: '2026-11-28' });
    const named = new Set(customers.flatMap((c) => (c.marketingStaff ? [c.marketingStaff] : [])));
    expect(named.size).toBeGreaterThan(0);
    for (const name of named) expect(marketing.has(name), name).toBe(true);
  });

  it('accept English headers, yes/no words in both languages, no branch column, and GBK', async () => {
    const text =
      'Staff ID,Name,Role,Is Marketing\nA1,周敏,回访专员,no\nA2,陆晓峰,营销人员,YES\nA3,郝静,复核人员,0\nA4,韩雪梅,营销人员,是\nA5,常红,经办人,False\n';
    const staff = await readStaffRoster(file('roster.csv', iconv.encode(text, 'gbk')));
    expect(staff.map((s) => [s.staffId, s.isMarketing])).toEqual([
      ['A1', false],
      ['A2', true],
      ['A3', false],
      ['A4', true],
      ['A5', false],
    ]);
    expect(staff[0]).toEqual({ staffId: 'A1', name: '周敏', role: '回访专员', isMarketing: false });
  });

  it('read XLSX rosters with TRUE/FALSE cells and numeric staff ids', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('员工');
    ws.addRow(['工号', '姓名', '岗位', '营销序列', '营业部代码']);
    ws.addRow([1001, '周敏', '回访专员', false, 3101]);
    ws.addRow([1002, '陆晓峰', '营销人员', true, 3101]);
    const path = join(dir, 'roster.xlsx');
    await wb.xlsx.writeFile(path);
    expect(await readStaffRoster(path)).toEqual([
      { staffId: '1001', name: '周敏', role: '回访专员', isMarketing: false, branchCode: '3101' },
      { staffId: '1002', name: '陆晓峰', role: '营销人员', isMarketing: true, branchCode: '3101' },
    ]);
  });

  it('refuse a bad roster whole, naming every problem at its row and column', async () => {
    const text = [
      '工号,姓名,岗位,是否营销人员,营业部代码',
      'S1,周敏,回访专员,否,3101',
      'S2,,复核人员,否,3101',
      'S1,沈佳怡,经办人,也许,3101',
      'S4,顾文斌,,,',
    ].join('\r\n');
    const path = file('bad.csv', text);
    const e = await refusal(path);
    expect(e.messages.map((m) => [m.ruleId, m.place.row, m.place.column])).toEqual([
      ['roster/empty-field', 3, '姓名'],
      ['roster/duplicate-staff', 4, '工号'],
      ['roster/bad-flag', 4, '是否营销人员'],
      ['roster/empty-field', 5, '岗位'],
      ['roster/empty-field', 5, '是否营销人员'],
    ]);
    expect(e.messages.find((m) => m.ruleId === 'roster/bad-flag')!.reason).toBe('"也许" is not 是 or 否');
    expect(e.message).toBe(`the staff roster ${path} has 5 problems; no staff member was read`);
  });

  it('name missing columns and an empty roster', async () => {
    const missing = await refusal(file('missing.csv', '工号,姓名\nS1,周敏\n'));
    expect(missing.messages.map((m) => [m.ruleId, m.reason])).toEqual([
      ['roster/missing-column', 'the required column 岗位 is missing'],
      ['roster/missing-column', 'the required column 是否营销人员 is missing'],
    ]);
    const empty = await refusal(file('empty.csv', '工号,姓名,岗位,是否营销人员\n'));
    expect(empty.messages.map((m) => m.ruleId)).toEqual(['roster/no-rows']);
  });
});
