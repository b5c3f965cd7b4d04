/**
 * The period report as a workbook (exceljs): a summary sheet with one row per branch and
 * one for the company, then one sheet each for visitors and failed visits, so the figures
 * can be filtered, summed and passed on. Numbers are numbers, rates are percentages.
 */
import ExcelJS from 'exceljs';
import { categoryLabel, channelLabel, coverageLines, NO_COVERAGE, resultLabel, SIGNATURE_TEXT } from './labels.ts';
import { RESULT_ORDER, type PeriodReport, type ReportSection } from './model.ts';

const SUMMARY_COLUMNS: { header: string; key: string; width: number; pct?: boolean }[] = [
  { header: '营业部代码', key: 'code', width: 10 },
  { header: '营业部', key: 'name', width: 26 },
  { header: '回访数', key: 'visits', width: 8 },
  ...RESULT_ORDER.map((r) => ({ header: resultLabel(r), key: `result_${r}`, width: 10 })),
  { header: '按期完成率', key: 'onTimeRate', width: 11, pct: true },
  { header: '逾期', key: 'late', width: 7 },
  { header: '逾期完成', key: 'completedLate', width: 9 },
  { header: '逾期未完成', key: 'openPastDue', width: 10 },
  { header: '寄出信函', key: 'lettersSent', width: 9 },
  { header: '收回信函', key: 'lettersReturned', width: 9 },
  { header: '回收率', key: 'returnRate', width: 9, pct: true },
  { header: '满意', key: 'sat_satisfied', width: 7 },
  { header: '一般', key: 'sat_neutral', width: 7 },
  { header: '不满意', key: 'sat_dissatisfied', width: 8 },
  { header: '异常(开)', key: 'exOpened', width: 9 },
  { header: '异常(关)', key: 'exClosed', width: 9 },
  { header: '最久未关闭(天)', key: 'exOldest', width: 14 },
  { header: '未关闭异常', key: 'exOpen', width: 10 },
  { header: '逾期异常', key: 'exOverdue', width: 9 },
  { header: '待复核批准', key: 'awaitingApproval', width: 10 },
  { header: '被退回', key: 'returned', width: 8 },
  { header: '待复核', key: 'reviewOpen', width: 8 },
  { header: '最久待复核(天)', key: 'reviewOldest', width: 14 },
];

function summaryRow(s: ReportSection): Record<string, unknown> {
  return {
    code: s.code === 'company' ? '合计' : s.code,
    name: s.name,
    visits: s.visits,
    ...Object.fromEntries(RESULT_ORDER.map((r) => [`result_${r}`, s.byResult[r] ?? 0])),
    onTimeRate: s.onTime.rate,
    late: s.onTime.late,
    completedLate: s.onTime.completedLate,
    openPastDue: s.onTime.openPastDue,
    lettersSent: s.letters.sent,
    lettersReturned: s.letters.returned,
    returnRate: s.letters.rate,
    sat_satisfied: s.satisfaction.satisfied ?? 0,
    sat_neutral: s.satisfaction.neutral ?? 0,
    sat_dissatisfied: s.satisfaction.dissatisfied ?? 0,
    exOpened: s.exceptions.opened,
    exClosed: s.exceptions.closed,
    exOldest: s.exceptions.oldestOpenDays,
    exOpen: s.exceptions.open,
    exOverdue: s.exceptions.overdue,
    awaitingApproval: s.review.awaitingApproval,
    returned: s.review.returned,
    reviewOpen: s.review.open,
    reviewOldest: s.review.oldestDays,
  };
}

/** Exceptions, late completions and coverage, one row each, per branch. */
function addDetailSheets(wb: ExcelJS.Workbook, r: PeriodReport): void {
  addExceptionsSheet(wb, r);
  addLateSheet(wb, r);
  addCoverageSheet(wb, r);
}

const col = (header: string, key: string, width: number) => ({ header, key, width });

/** 异常: every exception of the period with its owner, cause, measures and state. */
function addExceptionsSheet(wb: ExcelJS.Workbook, r: PeriodReport): void {
  sheet(
    wb,
    '异常',
    [
      col('营业部', 'branch', 10),
      col('编号', 'exceptionId', 7),
      col('回访编号', 'visitId', 18),
      col('原因', 'triggers', 30),
      col('负责人', 'owner', 14),
      col('分析原因', 'cause', 30),
      col('处理措施', 'measures', 30),
      col('级别', 'level', 6),
      col('期限', 'dueOn', 11),
      col('状态', 'status', 8),
      col('开立', 'openedOn', 11),
      col('关闭', 'closedOn', 11),
      col('关闭人', 'closedBy', 14),
      col('天数', 'ageDays', 6),
    ],
    r.branches.flatMap((s) =>
      s.exceptions.list.map((e) => ({
        branch: s.code,
        ...e,
        triggers: e.triggers.join('；'),
        status: e.status === 'closed' ? '已关闭' : e.exceptionId === null ? '未登记' : '未关闭',
      })),
    ),
  );
}

/** 逾期完成: visits completed after their due date. */
function addLateSheet(wb: ExcelJS.Workbook, r: PeriodReport): void {
  sheet(
    wb,
    '逾期完成',
    [
      col('营业部', 'branch', 10),
      col('回访编号', 'visitId', 18),
      col('客户', 'customer', 20),
      col('客户号', 'customerId', 16),
      col('回访人员', 'visitor', 12),
      col('期限', 'dueOn', 11),
      col('完成', 'completedOn', 11),
      col('逾期天数', 'daysLate', 9),
    ],
    r.branches.flatMap((s) => s.lateVisits.map((l) => ({ branch: s.code, ...l, visitor: l.visitor ?? '' }))),
  );
}

/** 覆盖率: each visiting requirement's coverage, per branch (a note when no customer list was imported). */
function addCoverageSheet(wb: ExcelJS.Workbook, r: PeriodReport): void {
  sheet(
    wb,
    '覆盖率',
    [
      col('营业部', 'branch', 10),
      col('年度', 'year', 6),
      col('截至', 'asOf', 11),
      col('要求', 'label', 22),
      col('客户数', 'denominator', 8),
      col('已访', 'visited', 8),
      col('达到', 'reached', 8),
      col('应达', 'required', 14),
      col('结论', 'ok', 8),
      col('尚未回访', 'missing', 80),
    ],
    r.branches.flatMap((s) =>
      (s.coverage ?? []).flatMap((c) =>
        coverageLines(c, 50).map((l) => ({
          branch: s.code,
          year: c.year,
          asOf: c.asOf,
          ...l,
          ok: l.ok ? '达到' : '未达到',
        })),
      ),
    ),
  );
  if (r.company.coverage === null) wb.getWorksheet('覆盖率')!.addRow([NO_COVERAGE]);
}

function sheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: { header: string; key: string; width: number; pct?: boolean }[],
  rows: Record<string, unknown>[],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  ws.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    ...(c.pct ? { style: { numFmt: '0%' } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  return ws;
}

/** The report as XLSX bytes. Dates in the workbook are pinned to the report's day (same bytes for the same report). */
export async function reportXlsx(r: PeriodReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const day = new Date(`${r.today}T00:00:00Z`);
  wb.creator = 'huifang';
  wb.created = day;
  wb.modified = day;
  wb.title = `客户回访工作报告 ${r.period.label}`;
  const sections = [...r.branches, ...(r.branches.length > 1 ? [r.company] : [])];
  addSummarySheet(wb, r, sections);
  addDimensionsSheet(wb, sections);
  addVisitorsSheet(wb, r);
  addDetailSheets(wb, r);
  addFailedSheet(wb, r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 汇总: one row per branch and one for the company, under a title row naming the period. */
function addSummarySheet(wb: ExcelJS.Workbook, r: PeriodReport, sections: ReportSection[]): void {
  const summary = sheet(wb, '汇总', SUMMARY_COLUMNS, sections.map(summaryRow));
  summary.insertRow(1, [
    `客户回访工作报告 ${r.period.label}（${r.period.start} 至 ${r.period.end}），统计日 ${r.today}`,
  ]);
  summary.views = [{ state: 'frozen', ySplit: 2 }];
}

/** 分类: visits by category and by channel, per branch. */
function addDimensionsSheet(wb: ExcelJS.Workbook, sections: ReportSection[]): void {
  const byDim = sections.flatMap((s) => [
    ...Object.entries(s.byCategory).map(([k, n]) => ({
      branch: s.code,
      dimension: '回访项目',
      value: categoryLabel(k),
      count: n,
    })),
    ...Object.entries(s.byChannel).map(([k, n]) => ({
      branch: s.code,
      dimension: '回访形式',
      value: channelLabel(k),
      count: n,
    })),
  ]);
  sheet(
    wb,
    '分类',
    [
      { header: '营业部', key: 'branch', width: 10 },
      { header: '维度', key: 'dimension', width: 10 },
      { header: '类别', key: 'value', width: 24 },
      { header: '回访数', key: 'count', width: 8 },
    ],
    byDim,
  );
}

/** 回访人员: each visitor's visits, rework and late visits, per branch. */
function addVisitorsSheet(wb: ExcelJS.Workbook, r: PeriodReport): void {
  sheet(
    wb,
    '回访人员',
    [
      { header: '营业部', key: 'branch', width: 10 },
      { header: '回访人员', key: 'visitor', width: 14 },
      { header: '回访数', key: 'visits', width: 8 },
      { header: '需补正', key: 'rework', width: 8 },
      { header: '逾期', key: 'late', width: 8 },
    ],
    r.branches.flatMap((s) => s.visitors.map((v) => ({ branch: s.code, ...v }))),
  );
}

/** 回访不通过: the customers whose visit failed, with the reasons, and the line the head of the branch signs. */
function addFailedSheet(wb: ExcelJS.Workbook, r: PeriodReport): void {
  const failed = sheet(
    wb,
    '回访不通过',
    [
      { header: '营业部', key: 'branch', width: 10 },
      { header: '回访编号', key: 'visitId', width: 18 },
      { header: '客户', key: 'customer', width: 24 },
      { header: '客户号', key: 'customerId', width: 16 },
      { header: '回访人员', key: 'visitor', width: 12 },
      { header: '原因', key: 'reasons', width: 80 },
    ],
    r.branches.flatMap((s) =>
      s.failed.map((f) => ({
        branch: s.code,
        visitId: f.visitId,
        customer: f.customer,
        customerId: f.customerId,
        visitor: f.visitor ?? '',
        reasons: f.reasons.join('\n'),
      })),
    ),
  );
  failed.getColumn('reasons').alignment = { wrapText: true, vertical: 'top' };
  failed.addRow([]);
  failed.addRow([SIGNATURE_TEXT]);
  failed.addRow(['营业部负责人签字：', '', '日期：']);
}
