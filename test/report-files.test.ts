/**
 * `huifang report` as files and on the terminal: the PDF read back with pdftotext (text
 * selectable, charts placed as images), the workbook read back with exceljs, the text
 * report's lines, and the periods and branches it refuses.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/common.ts';
import { main } from '../src/cli/main.ts';
import { NO_COVERAGE } from '../src/report/labels.ts';
import { recordVisitReview } from '../src/store/visit-reviews.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { visitIdFor } from './archive-fixture.ts';
import { makeReportFixture, REPORT_NOW, type ReportFixture } from './report-fixture.ts';
import { importTestRoster } from './roster-fixture.ts';

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
    expect(r.out).toContain(
      '      - 「营业部或证券从业人员是否曾代您操作账户？」答「是 (yes)」，合规答案为「否 (no)」（第十八条(三)）',
    );
    expect(r.out).toMatch(/营业部负责人签字：_+ {2}日期：_+/);
    // another period holds none of them
    const june = await run(['report', '--workspace', f.ws, '--period', '2026-06', '--json']);
    expect(JSON.parse(june.out).branches).toEqual([]);
  });

  it.skipIf(!has('pdftotext') || !has('pdfimages'))(
    'writes a PDF whose text can be read back and whose charts are placed',
    async () => {
      const file = join(f.dir, 'report.pdf');
      const r = await run([
        'report',
        '--workspace',
        f.ws,
        '--period',
        '2026-05',
        '--branch',
        '3101',
        '--format',
        'pdf',
        '--out',
        file,
      ]);
      expect(r.code).toBe(0);
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout;
      expect(text).toContain('客户回访工作报告');
      expect(text).toContain('上海浦东南路证券营业部 3101');
      expect(text).toContain(f.failed);
      expect(text).toContain('营业部负责人签字');
      const images = spawnSync('pdfimages', ['-list', file], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => /^\s*\d+\s+\d+\s+image/.test(l));
      expect(images.length).toBe(2); // the results and satisfaction charts of the one branch
    },
  );

  it('writes a workbook with the same figures', async () => {
    const file = join(f.dir, 'report.xlsx');
    expect(
      (await run(['report', '--workspace', f.ws, '--period', '2026-05', '--format', 'xlsx', '--out', file])).code,
    ).toBe(0);
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
    // no account list imported: the coverage sheet says so rather than showing nothing
    expect(wb.getWorksheet('覆盖率')!.getRow(2).getCell(1).value).toBe(NO_COVERAGE);
  });

  it('refuses a period it cannot read and a branch with no visits, writing nothing', async () => {
    const bad = await run([
      'report',
      '--workspace',
      f.ws,
      '--period',
      '2026-Q5',
      '--format',
      'html',
      '--out',
      join(f.dir, 'x.html'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(
      'Expected a period as a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48, but received "2026-Q5"',
    );
    const branch = await run(['report', '--workspace', f.ws, '--period', '2026-05', '--branch', '9999']);
    expect(branch.code).toBe(2);
    expect(branch.err).toContain('There are no visits of branch 9999 in the register');
    expect(spawnSync('ls', [join(f.dir, 'x.html')]).status).not.toBe(0);
  });
});

describe("huifang report on the visit's whole life: exception records, completion dates, reviewers' decisions, coverage", () => {
  let f: ReportFixture;
  const saved = process.env.HUIFANG_NOW;
  const json = async (argv: string[]) => {
    const r = await run([...argv, '--json']);
    return { code: r.code, doc: JSON.parse(r.out), err: r.err };
  };
  beforeAll(async () => {
    process.env.HUIFANG_NOW = REPORT_NOW;
    f = makeReportFixture();
    const ws = openWorkspace(f.ws);
    importTestRoster(ws);
    // the reviewer sends the e-questionnaire visit back to its visitor
    recordVisitReview(ws.register, visitIdFor(2), 'return', 'the attachment is unreadable; scan it again', '王五');
    ws.close();
    // validate records the failed visit's exception; its branch head finds the cause and closes it
    expect((await run(['validate', '--workspace', f.ws, '--record', '--user', '王五'])).code).toBe(1);
    expect(
      (
        await run([
          'exception',
          'update',
          f.failed,
          '--workspace',
          f.ws,
          '--cause',
          '经办人代客操作',
          '--measures',
          '约谈经办人并重新回访',
          '--user',
          '钱七',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await run(['exception', 'close', f.failed, '--workspace', f.ws, '--note', '已重新回访', '--user', '钱七'])).code,
    ).toBe(0);
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.HUIFANG_NOW;
    else process.env.HUIFANG_NOW = saved;
  });

  it('shows the exception record as closed, by whom, with cause and measures; opened and closed count in the period they happened', async () => {
    const q2 = (await json(['report', '--workspace', f.ws, '--period', '2026-Q2'])).doc;
    const b = q2.branches.find((s: { code: string }) => s.code === '3101');
    expect(b.exceptions).toMatchObject({ opened: 1, closed: 1, open: 0 });
    expect(b.exceptions.list).toEqual([
      expect.objectContaining({
        visitId: f.failed,
        status: 'closed',
        closedOn: '2026-06-10',
        closedBy: '钱七 (T004)',
        owner: '钱七 (T004)',
        cause: '经办人代客操作',
        measures: '约谈经办人并重新回访',
        closureNote: '已重新回访',
      }),
    ]);
    expect(b.exceptions.list[0].triggers).toContain('回访不通过 (failed visit)');
    // May: the visit is May's, the record was opened and closed in June
    const may = (await json(['report', '--workspace', f.ws, '--period', '2026-05'])).doc;
    expect(may.company.exceptions).toMatchObject({ opened: 0, closed: 0, open: 0 });
    expect(may.company.exceptions.list.map((e: { status: string }) => e.status)).toEqual(['closed']);
    const text = (await run(['report', '--workspace', f.ws, '--period', '2026-Q2', '--branch', '3101'])).out;
    expect(text).toContain(`${f.failed} closed 2026-06-10 by 钱七 (T004) (已重新回访); owner 钱七 (T004)`);
    expect(text).toContain('cause 经办人代客操作; measures 约谈经办人并重新回访');
  });

  it('counts rework as visits a reviewer returned, awaiting approval and lateness as validate gives them', async () => {
    const validate = (await json(['validate', '--workspace', f.ws])).doc;
    const report = (await json(['report', '--workspace', f.ws, '--period', '2026-05'])).doc;
    const c = report.company;
    expect(c.review.awaitingApproval).toBe(validate.summary.notReviewed);
    expect(c.review.returned).toBe(1);
    const b = report.branches.find((s: { code: string }) => s.code === '3101');
    expect(b.visitors.find((v: { visitor: string }) => v.visitor === '李四').rework).toBe(1); // the returned visit, not the letter still missing its form
    type V = { completion: { late: boolean; completedOn: string } | null; problems: { ruleId: string }[] };
    const vs: V[] = validate.visits;
    const late = vs.filter((v) => v.completion?.late).length;
    const openPastDue = vs.filter(
      (v) => !v.completion && v.problems.some((m) => m.ruleId === 'deadline/overdue'),
    ).length;
    expect(c.onTime).toMatchObject({
      completedLate: late,
      openPastDue,
      onTime: vs.filter((v) => v.completion && !v.completion.late).length,
    });
    expect(c.onTime.completedLate).toBe(validate.summary.completedLate);
    expect(c.lateVisits.length).toBe(late);
    expect(c.onTime.due).toBeGreaterThan(0);
  });

  it('says coverage is not available before an account list is imported, then shows the numbers `huifang coverage` gives', async () => {
    const before = (await run(['report', '--workspace', f.ws, '--period', '2026-Q2'])).out;
    expect(before).toContain('  coverage:     覆盖率不可用 not available');
    const accounts = [
      '客户号,姓名,客户类型,营业部代码,营业部名称,通讯地址,邮编,联系电话,电子邮件,开户日期,账户状态,融资融券,总资产,月均交易量,六个月盈亏率,VIP',
    ];
    const acct = (id: string, branch: string, opened: string, status = '正常', margin = '否') =>
      `${id},客户${id.slice(-3)},个人,${branch},${branch === '3101' ? '上海浦东南路证券营业部' : '北京金融街营业部'},某路1号,200120,13800000000,,${opened},${status},${margin},100000,10000,0,否`;
    for (let i = 1; i <= 4; i++) accounts.push(acct(`31010000000${i}`, '3101', '2026-04-20'));
    accounts.push(acct('310100000005', '1101', '2026-04-20'));
    accounts.push(acct('310100000099', '3101', '2026-05-02')); // a new account nobody visited
    for (let i = 10; i < 40; i++)
      accounts.push(
        acct(`3101000001${i}`, '3101', '2023-03-01', i % 10 === 0 ? '休眠' : '正常', i % 3 === 0 ? '是' : '否'),
      );
    const csv = join(f.dir, 'accounts.csv');
    writeFileSync(csv, accounts.join('\n'));
    expect(
      (await run(['accounts', 'import', csv, '--as-of', '2026-05-01', '--workspace', f.ws, '--user', '赵六'])).code,
    ).toBe(0);
    const coverage = (await json(['coverage', '--year', '2026', '--workspace', f.ws])).doc;
    const report = (await json(['report', '--workspace', f.ws, '--period', '2026-Q2'])).doc;
    for (const b of coverage.branches) {
      const section = report.branches.find((s: { code: string }) => s.code === b.branch);
      expect(section.coverage).toEqual([{ ...b, year: 2026, asOf: coverage.asOf }]);
    }
    const b3101 = report.branches.find((s: { code: string }) => s.code === '3101').coverage[0];
    expect(b3101.newAccounts.missing.map((m: { customerId: string }) => m.customerId)).toContain('********0099'); // opened in May, never visited
    expect(b3101.existing.eligible).toBeGreaterThan(0);
    const text = (await run(['report', '--workspace', f.ws, '--period', '2026-Q2', '--branch', '3101'])).out;
    expect(text).toContain(`    新开户 new accounts: ${b3101.newAccounts.visited}/${b3101.newAccounts.total}`);
    expect(text).toMatch(/missing .*\*{8}0099 \(due /);
    expect(text).not.toContain('310100000099');
    // the workbook and the HTML page carry the same
    const xlsx = join(f.dir, 'wired.xlsx');
    expect(
      (await run(['report', '--workspace', f.ws, '--period', '2026-Q2', '--format', 'xlsx', '--out', xlsx])).code,
    ).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ex = wb.getWorksheet('异常')!;
    const exHeader = (ex.getRow(1).values as unknown[]).slice(1);
    expect(ex.getRow(2).getCell(exHeader.indexOf('关闭人') + 1).value).toBe('钱七 (T004)');
    expect(ex.getRow(2).getCell(exHeader.indexOf('状态') + 1).value).toBe('已关闭');
    const cov = wb.getWorksheet('覆盖率')!;
    const covRows = cov
      .getSheetValues()
      .slice(2)
      .map((r) => (r as unknown[]).slice(1));
    expect(covRows).toContainEqual(
      expect.arrayContaining(['3101', 2026, '新开户 new accounts', b3101.newAccounts.total, b3101.newAccounts.visited]),
    );
    const html = join(f.dir, 'wired.html');
    expect(
      (await run(['report', '--workspace', f.ws, '--period', '2026-Q2', '--format', 'html', '--out', html])).code,
    ).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('已关闭 closed 2026-06-10<br>钱七 (T004)');
    expect(page).toContain('********0099');
    expect(page).not.toContain(NO_COVERAGE);
  });

  it.skipIf(!has('pdftotext'))('prints the closed exception and the coverage in the PDF', async () => {
    const file = join(f.dir, 'wired.pdf');
    expect(
      (
        await run([
          'report',
          '--workspace',
          f.ws,
          '--period',
          '2026-Q2',
          '--branch',
          '3101',
          '--format',
          'pdf',
          '--out',
          file,
        ])
      ).code,
    ).toBe(0);
    const text = spawnSync('pdftotext', [file, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('钱七 (T004)');
    expect(text).toContain('经办人代客操作');
    expect(text).toContain('新开户 new accounts');
  });
});
