/**
 * `huifang report` as files and on the terminal: the PDF read back with pdftotext (text
 * selectable, charts placed as images), the workbook read back with exceljs, the text
 * report's lines, and the periods and branches it refuses.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/common.ts';
import { main } from '../src/cli/main.ts';
import { makeReportFixture, REPORT_NOW, type ReportFixture } from './report-fixture.ts';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), interactive: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('huifang report', () => {
  let f: ReportFixture;
  const saved = process.env.HUIFANG_NOW;
  beforeAll(() => {
    process.env.HUIFANG_NOW = REPORT_NOW;
    f = makeReportFixture();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.HUIFANG_NOW;
    else process.env.HUIFANG_NOW = saved;
  });

  it('prints the quarter per branch and for the company, with the failed visit to sign for', async () => {
    const r = await run(['report', '--workspace', f.ws, '--period', '2026-Q2']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('客户回访工作报告 2026年第二季度 (2026-04-01 – 2026-06-30), as of 2026-06-10');
    expect(lines).toContain('全公司 company — 2026年第二季度: 5 visits');
    expect(lines).toContain('  results:      回访通过 3 · 回访不通过 1 · 待定 1');
    expect(lines).toContain('  letters:      1 sent, 0 returned (0 %)');
    expect(r.out).toContain(`    ${f.failed} 李雷 (********0004)`);
    expect(r.out).toContain('      - 「营业部或证券从业人员是否曾代您操作账户？」答「是 (yes)」，合规答案为「否 (no)」（第十八条(三)）');
    expect(r.out).toMatch(/营业部负责人签字：_+ {2}日期：_+/);
    // another period holds none of them
    const june = await run(['report', '--workspace', f.ws, '--period', '2026-06', '--json']);
    expect(JSON.parse(june.out).branches).toEqual([]);
  });

  it.skipIf(!has('pdftotext') || !has('pdfimages'))('writes a PDF whose text can be read back and whose charts are placed', async () => {
    const file = join(f.dir, 'report.pdf');
    const r = await run(['report', '--workspace', f.ws, '--period', '2026-05', '--branch', '3101', '--format', 'pdf', '--out', file]);
    expect(r.code).toBe(0);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('客户回访工作报告');
    expect(text).toContain('上海浦东南路证券营业部 3101');
    expect(text).toContain(f.failed);
    expect(text).toContain('营业部负责人签字');
    const images = spawnSync('pdfimages', ['-list', file], { encoding: 'utf8' }).stdout.split('\n').filter((l) => /^\s*\d+\s+\d+\s+image/.test(l));
    expect(images.length).toBe(2); // the results and satisfaction charts of the one branch
  });

  it('writes a workbook with the same figures', async () => {
    const file = join(f.dir, 'report.xlsx');
    expect((await run(['report', '--workspace', f.ws, '--period', '2026-05', '--format', 'xlsx', '--out', file])).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const summary = wb.getWorksheet('汇总')!;
    const header = (summary.getRow(2).values as unknown[]).slice(1);
    const company = summary.getRow(5).values as unknown[];
    const col = (name: string) => company[header.indexOf(name) + 1];
    expect(col('营业部代码')).toBe('合计');
    expect(col('回访数')).toBe(5);
    expect(col('回访不通过')).toBe(1);
    expect(col('回收率')).toBe(0);
    const failed = wb.getWorksheet('回访不通过')!;
    expect(failed.getRow(2).getCell(2).value).toBe(f.failed);
  });

  it('refuses a period it cannot read and a branch with no visits, writing nothing', async () => {
    const bad = await run(['report', '--workspace', f.ws, '--period', '2026-Q5', '--format', 'html', '--out', join(f.dir, 'x.html')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Expected a period as a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48, but received "2026-Q5"');
    const branch = await run(['report', '--workspace', f.ws, '--period', '2026-05', '--branch', '9999']);
    expect(branch.code).toBe(2);
    expect(branch.err).toContain('There are no visits of branch 9999 in the register');
    expect(spawnSync('ls', [join(f.dir, 'x.html')]).status).not.toBe(0);
  });
});
