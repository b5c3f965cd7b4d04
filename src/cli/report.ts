/**
 * `huifang report --period 2026-11|2026-Q4|2026|2026-W48 [--branch B | --all]
 * [--format text|html|pdf|xlsx] [--out FILE]` — the period report (回访工作报告, 第四十条):
 * per branch and for the company, visits by category, channel and result, the on-time rate,
 * letters returned, coverage, satisfaction, exceptions, the review queue, per-visitor
 * figures, and the failed visits for the branch head to sign. One model (src/report/model.ts),
 * four writers; `--json` prints the model. Customer ids are masked: a report is passed
 * around, the archive is not.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, message, UsageError } from '../domain/messages.ts';
import { gatherReportFacts } from '../report/gather.ts';
import { buildReport, type PeriodReport } from '../report/model.ts';
import { parsePeriod, PeriodError, type ReportPeriod } from '../report/period.ts';
import { reportText } from '../report/text.ts';
import { writeFileAtomic } from '../store/atomic.ts';
import { today } from '../env/clock.ts';
import { visitIdsOf } from '../store/visits.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';
import { startProgress } from './progress.ts';

export const REPORT_FORMATS = ['text', 'html', 'pdf', 'xlsx'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ReportArgs {
  period: string;
  branch?: string;
  all?: boolean;
  format: ReportFormat;
  out?: string;
}

function periodOf(text: string): ReportPeriod {
  try {
    return parsePeriod(text);
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(e.message);
    throw e;
  }
}

/** The report's bytes in a file format. */
async function renderFile(r: PeriodReport, format: Exclude<ReportFormat, 'text'>): Promise<Uint8Array> {
  if (format === 'html') return (await import('../report/html.ts')).reportHtml(r);
  if (format === 'pdf') return (await import('../report/pdf.ts')).reportPdf(r);
  return (await import('../report/xlsx.ts')).reportXlsx(r);
}

export const reportCommand = defineCommand<ReportArgs>({
  command: 'report',
  builder: (y) =>
    y
      .option('period', {
        type: 'string',
        demandOption: true,
        describe: 'a month 2026-11, a quarter 2026-Q4, a year 2026 or an ISO week 2026-W48',
      })
      .option('branch', { type: 'string', describe: 'one branch (营业部 code)' })
      .option('all', {
        type: 'boolean',
        describe: 'every branch with visits in the period, and the company (the default)',
      })
      .option('format', {
        type: 'string',
        choices: REPORT_FORMATS as unknown as string[],
        default: 'text',
        describe: 'text on the terminal, or a file: html, pdf, xlsx',
      })
      .option('out', { type: 'string', describe: 'the file to write (default report-<period>[-<branch>].<format>)' })
      .conflicts('branch', 'all')
      .example('$0 report --period 2026-11 --branch 3101 --format pdf', "a branch's monthly report to sign")
      .example('$0 report --period 2026-Q4 --all --format xlsx', 'the quarter, every branch and the company'),
  run: async ({ args, io, workspace }) => {
    const period = periodOf(args.period);
    if (args.out && args.format === 'text')
      throw new UsageError('--out writes a file: give --format html, pdf or xlsx');
    const ws = workspace();
    if (args.branch && visitIdsOf(ws.register, { branchCode: args.branch }).length === 0) {
      throw new InputError(
        `There are no visits of branch ${args.branch} in the register; check the branch (营业部) code.`,
        [
          message(
            'report/unknown-branch',
            `no visits of branch ${args.branch}`,
            {},
            { fix: 'give a branch code that letters or forms registered visits for' },
          ),
        ],
      );
    }
    const bar = startProgress(io, `report ${period.id}`, { unit: 'visits' });
    const facts = await gatherReportFacts(ws, {
      period,
      today: today(),
      ...(args.branch ? { branch: args.branch } : {}),
      onProgress: (d, t) => bar.tick(d, t),
    });
    const model = buildReport(facts);
    let written: string | undefined;
    if (args.format !== 'text') {
      written = resolve(args.out ?? `report-${period.id}${args.branch ? `-${args.branch}` : ''}.${args.format}`);
      mkdirSync(dirname(written), { recursive: true });
      await writeFileAtomic(written, await renderFile(model, args.format));
    }
    bar.finish(written ? `written to ${written}` : undefined);
    report(io, args.json, { ...model, ...(written ? { file: written } : {}) }, () =>
      written
        ? [`${args.format.toUpperCase()} report for ${period.label}: ${written}`, ...summaryLines(model)]
        : reportText(model),
    );
    return EXIT_OK;
  },
});

function summaryLines(r: PeriodReport): string[] {
  const c = r.branches.length > 1 ? r.company : r.branches[0];
  if (!c) return ['No visits in this period.'];
  return [
    `${c.visits} visits in ${r.branches.length} branch(es): passed ${c.byResult.passed ?? 0}, failed ${c.byResult.failed ?? 0}, pending ${c.byResult.pending ?? 0}; on time ${c.onTime.onTime}/${c.onTime.due}; ${c.exceptions.open} open exception(s) to sign for; ${c.review.awaitingApproval} visit(s) awaiting a reviewer's approval`,
  ];
}
