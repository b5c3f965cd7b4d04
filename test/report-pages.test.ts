/**
 * The pages people read, rendered in headless Chromium: the period report (HTML) and a
 * bundle's index.html. The charts are drawn (SVG shapes in the laid-out DOM), the figures
 * are validate's, the failed visit is named with its reason and a line to sign, and the
 * screenshots are kept under test-output/ for a person to look at.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/common.ts';
import { visitIdFor } from './archive-fixture.ts';
import { makeReportFixture, REPORT_NOW } from './report-fixture.ts';
import { importTestRoster } from './roster-fixture.ts';
import { openWorkspace } from '../src/store/workspace.ts';
import { CHROMIUM, printToPdf, renderedDom, screenshot } from './browser-helpers.ts';
import { spawnSync } from 'node:child_process';

const hasPdfinfo = spawnSync('sh', ['-c', 'command -v pdfinfo']).status === 0;

function capture(): Io & { text: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t + '\n'),
    err: (t) => (err += t + '\n'),
    interactive: false,
    text: () => out,
    errors: () => err,
  };
}

async function run(argv: string[]): Promise<{ code: number; json: any; err: string }> {
  const io = capture();
  const code = await main([...argv, '--json'], io);
  return { code, json: JSON.parse(io.text()), err: io.errors() };
}

describe.skipIf(!CHROMIUM)('report and bundle index in a browser (chromium)', () => {
  let dir: string;
  let ws: string;
  const failed = visitIdFor(4);
  const saved = process.env.HUIFANG_NOW;

  beforeAll(() => {
    process.env.HUIFANG_NOW = REPORT_NOW;
    ({ dir, ws } = makeReportFixture());
    const w = openWorkspace(ws);
    importTestRoster(w);
    w.close();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.HUIFANG_NOW;
    else process.env.HUIFANG_NOW = saved;
  });

  it('draws the report with charts and the figures validate gives, and names the failed visit to sign for', async () => {
    const validate = await run(['validate', '--workspace', ws, '--record', '--user', '王五']);
    expect(validate.json.recorded).toBe(true);
    const s = validate.json.summary;
    const file = join(dir, 'report-2026-05.html');
    const written = await run(['report', '--workspace', ws, '--period', '2026-05', '--format', 'html', '--out', file]);
    expect(written.code).toBe(0);
    expect(written.json.file).toBe(file);
    const company = written.json.company;
    expect(company.visits).toBe(s.visits);
    expect(company.byResult.passed ?? 0).toBe(s.passed);
    expect(company.byResult.failed ?? 0).toBe(s.failed);
    expect(company.byResult.pending ?? 0).toBe(s.pending);
    expect(company.exceptions.open).toBe(validate.json.exceptions.length);
    expect(company.failed.map((x: any) => x.visitId)).toEqual([failed]);

    const dom = renderedDom(file);
    const charts = dom.match(/<svg[^>]*data-chart="[^"]+"/g) ?? [];
    expect(charts.length).toBeGreaterThanOrEqual(4); // company: results, satisfaction, channels, branches; then each branch
    expect(dom).toMatch(/data-chart="company-results"[\s\S]*?<path d="M/);
    expect(dom).toContain('data-chart="company-branches"');
    // the figures as printed equal validate's
    expect(dom).toMatch(new RegExp(`<b>${s.visits}</b><span>回访 visits`));
    expect(dom).toMatch(new RegExp(`<b>${s.failed}</b><span>回访不通过 failed`));
    expect(dom).toContain(failed);
    expect(dom).toContain('「营业部或证券从业人员是否曾代您操作账户？」');
    expect(dom).toContain('签字 signature');
    expect(dom).not.toContain('310100000004'); // customer ids are masked in a report
    // the exception is validate's record, open, owned by the branch head on the roster; approval as validate counts it
    expect(company.exceptions.list).toEqual([
      expect.objectContaining({ visitId: failed, status: 'open', owner: '钱七 (T004)' }),
    ]);
    expect(dom).toContain(`待复核批准 awaiting approval</td><td class="n">${s.notReviewed}</td>`);
    expect(dom).toMatch(new RegExp(`<b>${s.notReviewed}</b><span>待复核批准 awaiting approval`));
    expect(dom).toMatch(/<tr class="ex-open"><td>#1<br>/);
    const png = screenshot(file, 'report-2026-05.png', 900, 3000);
    expect(statSync(png).size).toBeGreaterThan(20_000);
    // printed, it is A4, the company and each branch on pages of their own
    if (hasPdfinfo) {
      const info = spawnSync('pdfinfo', [printToPdf(file, 'report-2026-05.pdf')], { encoding: 'utf8' }).stdout;
      expect(info).toMatch(/Page size:\s+59[45]\.\d+ x 84[12]\.\d+ pts \(A4\)/);
      expect(Number(/Pages:\s+(\d+)/.exec(info)![1])).toBeGreaterThanOrEqual(3);
    }
  });

  it('draws the bundle index with its summary chart, the exception and each visit readable', async () => {
    // the branch head records cause and measures and closes the failed visit's exception before archiving
    expect(
      (
        await run([
          'exception',
          'update',
          failed,
          '--workspace',
          ws,
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
      (await run(['exception', 'close', failed, '--workspace', ws, '--note', '已重新回访', '--user', '钱七'])).code,
    ).toBe(0);
    const built = await run([
      'archive',
      '--workspace',
      ws,
      '--branch',
      '3101',
      '--period',
      '2026-05',
      '--out',
      join(dir, 'bundles'),
      '--include-invalid',
      '--no-stamp',
      '--user',
      '赵六',
    ]);
    expect(built.code).toBe(0);
    const extracted = await run(['archive', 'extract', built.json.bundles[0], '--out', join(dir, 'bags')]);
    const verified = await run(['verify', built.json.bundles[0]]);
    expect(verified.json.ok).toBe(true);
    const index = extracted.json.indexHtml as string;
    expect(readFileSync(index, 'utf8')).not.toMatch(/<script/i);
    const dom = renderedDom(index);
    expect(dom).toMatch(/data-chart="bundle-results"[\s\S]*?<path d="M/);
    expect(dom).toMatch(/异常 exceptions \(第三十八条\) — 1, 未关闭 open 0/);
    // the record's real status: closed, by whom, with cause and measures
    expect(dom).toMatch(/#1 <span class="ok">已关闭 closed<\/span> 2026-06-10 · 关闭人 closed by 工号 T004/);
    expect(dom).toContain('分析原因 cause: 经办人代客操作');
    expect(dom).toContain('处理措施 measures: 约谈经办人并重新回访');
    expect(dom).toMatch(new RegExp(`href="#${failed}"`));
    // the letter that never came back says what is missing and what to do
    expect(dom).toContain('the returned record form (回访记录表) is missing');
    expect(dom).toContain('处理 what to do:');
    // the failed visit's record is readable in the page: its answer that failed, highlighted
    expect(dom).toMatch(/<tr class="ans-fail"><td>\d+<\/td><td>营业部或证券从业人员是否曾代您操作账户？/);
    const png = screenshot(index, 'bundle-index-3101-2026-05.png', 1200, 2400);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  });
});
