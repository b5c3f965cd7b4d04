/**
 * The period report as one self-contained HTML page: inline style and inline SVG charts, no
 * script and no external resource, so it opens offline; print CSS sets A4 pages, one branch
 * a page, and keeps tables and the signature block whole.
 */
import { barsChart, branchResultsChart, resultsChart, RESULT_COLOURS } from './charts.ts';
import {
  categoryRows,
  channelRows,
  channelLabel,
  categoryLabel,
  coverageLines,
  coverageTitle,
  days,
  NO_COVERAGE,
  resultRows,
  satisfactionRows,
  SIGNATURE_TEXT,
} from './labels.ts';
import { percent, RESULT_ORDER, type CoverageFacts, type PeriodReport, type ReportSection } from './model.ts';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const REPORT_CSS = `
@page{size:A4;margin:14mm 12mm}
body{font-family:"Noto Sans SC","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#222;margin:0 auto;max-width:190mm;padding:8mm 0;font-size:10.5pt;line-height:1.45}
h1{font-size:17pt;margin:0 0 2mm}h2{font-size:14pt;margin:0 0 3mm;border-bottom:2px solid #1565c0;padding-bottom:1mm}
h3{font-size:11pt;margin:4mm 0 1.5mm}.en{color:#666;font-size:.82em;font-weight:normal}
.meta{color:#444;margin:0 0 5mm}section.branch{margin-top:8mm}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:2mm;margin:2mm 0 3mm}
.figure{border:1px solid #ccc;border-radius:2mm;padding:1.5mm 2.5mm}.figure b{display:block;font-size:15pt}.figure span{font-size:8.5pt;color:#555}
.figure.alert b{color:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:2mm;align-items:flex-start;margin-bottom:2mm}.chart{border:1px solid #e0e0e0;padding:1mm}.chart p{margin:0;font-size:9pt;color:#555;text-align:center}
table{border-collapse:collapse;width:100%;margin:1mm 0 2mm;font-size:9.5pt}th,td{border:1px solid #bbb;padding:1mm 2mm;text-align:left;vertical-align:top}
th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.cols{display:grid;grid-template-columns:1fr 1fr 1fr;gap:3mm}
.none{color:#666;font-style:italic}.failed td:first-child{font-family:monospace;white-space:nowrap}
.sign{margin-top:5mm;border:1px solid #888;padding:3mm;break-inside:avoid}.sign .line{display:inline-block;min-width:40mm;border-bottom:1px solid #222;margin:0 3mm 0 1mm}.sign p{margin:1mm 0}.sign .who{margin-top:6mm;white-space:nowrap}
.failed ul{margin:0;padding-left:1.1em}tr.short td{background:#fff5f5}tr.ex-open td:nth-child(8){color:#c62828}table.exceptions .vid,table.exceptions td:nth-child(7){white-space:nowrap}
.swatch{display:inline-block;width:3mm;height:3mm;margin-right:1mm;vertical-align:middle}
@media print{body{padding:0;max-width:none;font-size:8.5pt;line-height:1.3}h2{font-size:12pt}h3{font-size:9.5pt;margin:2.5mm 0 1mm;break-after:avoid}.figure{padding:.8mm 2mm}.figure b{font-size:12pt}.figures{margin:1mm 0 2mm}section.branch{break-before:page;margin-top:0}table,.figures,.charts,.failedblock{break-inside:avoid}.chart svg{height:auto;max-height:36mm;width:auto}}
`;

function countTable(title: string, rows: { label: string; value: number; swatch?: string }[]): string {
  if (!rows.length) return `<div><h3>${title}</h3><p class="none">无 none</p></div>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${r.swatch ? `<span class="swatch" style="background:${r.swatch}"></span>` : ''}${esc(r.label)}</td><td class="n">${r.value}</td></tr>`,
    )
    .join('');
  return `<div><h3>${title}</h3><table><tbody>${body}</tbody></table></div>`;
}

function figures(s: ReportSection): string {
  const f = (value: string | number, label: string, alert = false) =>
    `<div class="figure${alert ? ' alert' : ''}"><b>${value}</b><span>${label}</span></div>`;
  return `<div class="figures">${[
    f(s.visits, '回访 visits'),
    f(s.byResult.passed ?? 0, '回访通过 passed'),
    f(s.byResult.failed ?? 0, '回访不通过 failed', (s.byResult.failed ?? 0) > 0),
    f(s.byResult.pending ?? 0, '待定 pending'),
    f(percent(s.onTime.rate), `按期完成率 on time (${s.onTime.onTime}/${s.onTime.due})`, s.onTime.late > 0),
    f(percent(s.letters.rate), `信函回收率 letters returned (${s.letters.returned}/${s.letters.sent})`),
    f(s.exceptions.open, `未关闭异常 open exceptions`, s.exceptions.open > 0),
    f(s.review.awaitingApproval, `待复核批准 awaiting approval`, s.review.awaitingApproval > 0),
  ].join('')}</div>`;
}

function charts(s: ReportSection, id: string): string {
  const sat = satisfactionRows(s).map((r) => ({
    label: r.label,
    value: r.value,
    colour: r.key === 'dissatisfied' ? '#c62828' : r.key === 'unanswered' ? '#9e9e9e' : '#1565c0',
  }));
  return `<div class="charts">
<div class="chart">${resultsChart(`${id}-results`, s.byResult, RESULT_ORDER, { width: 236, height: 150 })}<p>回访结果 results</p></div>
<div class="chart">${barsChart(`${id}-satisfaction`, sat.length ? sat : [{ label: '未作答', value: 0 }], { width: 200, height: 150 })}<p>满意度 satisfaction</p></div>
<div class="chart">${barsChart(
    `${id}-channels`,
    channelRows(s).map((r) => ({ label: r.label, value: r.value, colour: '#00838f' })),
    { width: 200, height: 150 },
  )}<p>回访形式 channels</p></div>
</div>`;
}

function visitorsTable(s: ReportSection): string {
  if (!s.visitors.length) return '<p class="none">无 none</p>';
  const rows = s.visitors
    .map(
      (v) =>
        `<tr><td>${esc(v.visitor)}</td><td class="n">${v.visits}</td><td class="n">${v.rework}</td><td class="n">${v.late}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>回访人员 visitor</th><th>回访 visits</th><th>退回重做 rework <span class="en">returned by a reviewer</span></th><th>逾期 late</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function coverageBlock(s: ReportSection): string {
  return coverageHtml(s.coverage);
}

/** The coverage tables (the report's, and a bundle index's for its branch); `null`: no account list imported. */
export function coverageHtml(coverage: readonly CoverageFacts[] | null): string {
  if (coverage === null) return `<p class="none">${esc(NO_COVERAGE)}</p>`;
  if (!coverage.length)
    return '<p class="none">导入的客户名单中无本营业部账户 no account of this branch in the imported list</p>';
  return coverage
    .map((c) => {
      const rows = coverageLines(c)
        .map(
          (l) =>
            `<tr${l.ok ? '' : ' class="short"'}><td>${esc(l.label)}</td><td class="n">${l.denominator}</td><td class="n">${l.visited}</td><td class="n">${l.reached}</td><td>${esc(l.required)}</td><td>${l.ok ? '达到 met' : '<b>未达到 short</b>'}</td><td class="en">${esc(l.missing)}</td></tr>`,
        )
        .join('');
      return `<p class="en">${esc(coverageTitle(c))}</p><table class="coverage"><thead><tr><th>要求 requirement</th><th>客户数 customers</th><th>已访 visited</th><th>达到 reached</th><th>应达 required</th><th>结论</th><th>尚未回访 still missing</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('');
}

function exceptionsTable(s: ReportSection): string {
  if (!s.exceptions.list.length) return '<p class="none">无异常 no exception</p>';
  const rows = s.exceptions.list
    .map(
      (e) =>
        `<tr class="ex-${e.status}"><td>${e.exceptionId === null ? '—' : `#${e.exceptionId}`}<br><span class="en vid">${esc(e.visitId)}</span></td><td>${esc(e.triggers.join('；'))}</td><td>${esc(e.owner ?? '—')}</td><td>${esc(e.cause ?? '—')}</td><td>${esc(e.measures ?? '—')}</td><td class="n">${e.level}</td><td>${esc(e.dueOn ?? '—')}${e.overdue ? ' <b>逾期 overdue</b>' : ''}</td><td>${e.status === 'closed' ? `已关闭 closed ${esc(e.closedOn ?? '')}<br>${esc(e.closedBy ?? '')}${e.closureNote ? `<br><span class="en">${esc(e.closureNote)}</span>` : ''}` : e.exceptionId === null ? '未登记 not recorded yet' : '未关闭 open'}</td><td class="n">${e.ageDays}</td></tr>`,
    )
    .join('');
  return `<table class="exceptions"><thead><tr><th>编号 no.</th><th>原因 opened by</th><th>负责人 owner</th><th>分析原因 cause</th><th>处理措施 measures</th><th>级别</th><th>期限 due</th><th>状态 status</th><th>天数 age</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function lateTable(s: ReportSection): string {
  if (!s.lateVisits.length) return '';
  const rows = s.lateVisits
    .map(
      (l) =>
        `<tr><td>${esc(l.visitId)}</td><td>${esc(l.customer)} <span class="en">${esc(l.customerId)}</span></td><td>${esc(l.visitor ?? '')}</td><td>${esc(l.dueOn)}</td><td>${esc(l.completedOn)}</td><td class="n">${l.daysLate}</td></tr>`,
    )
    .join('');
  return `<table class="late"><thead><tr><th>逾期完成 completed late</th><th>客户 customer</th><th>回访人员</th><th>期限 due</th><th>完成 completed</th><th>逾期天数 days late</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function failedBlock(s: ReportSection, period: PeriodReport['period']): string {
  const rows = s.failed
    .map(
      (f) =>
        `<tr><td>${esc(f.visitId)}</td><td>${esc(f.customer)}<br><span class="en">${esc(f.customerId)}</span></td><td>${esc(categoryLabel(f.category))}<br><span class="en">${esc(channelLabel(f.channel))}</span></td><td>${esc(f.visitor ?? '')}</td><td>${f.reasons.length ? `<ul>${f.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}</td></tr>`,
    )
    .join('');
  const table = s.failed.length
    ? `<table class="failed"><colgroup><col style="width:19%"><col style="width:15%"><col style="width:15%"><col style="width:9%"><col></colgroup><thead><tr><th>回访编号 visit</th><th>客户 customer</th><th>项目 / 形式</th><th>回访人员</th><th>不通过原因 reasons</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="none">本期无回访不通过客户 no failed visit in this period</p>';
  const who =
    s.code === 'company' ? '客户服务部负责人 head of customer service' : `营业部负责人 branch head (${esc(s.name)})`;
  return `${table}<div class="sign"><p>${esc(SIGNATURE_TEXT)} ${esc(period.label)} 共 ${s.failed.length} 户。</p><p class="who">${who}</p><p>签字 signature<span class="line"></span> 日期 date<span class="line"></span></p></div>`;
}

function bundlesBlock(s: ReportSection): string {
  if (!s.bundles.length) return '<p class="none">尚未归档 no bundle built yet (huifang archive)</p>';
  const rows = s.bundles
    .map(
      (b) =>
        `<tr><td>${esc(b.bundleId)}</td><td class="n">${b.visits}</td><td>${esc(b.retainUntil)}</td><td>${b.includesInvalid ? '含未通过校验的回访 includes invalid visits' : '—'}</td><td>${b.holds.length ? `法律保全 legal hold: ${esc(b.holds.join('; '))}` : '—'}</td><td class="en">${esc(b.sha256.slice(0, 16))}…</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>档案包 bundle</th><th>回访 visits</th><th>保存至 retain until</th><th>校验 validation</th><th>保全 hold</th><th>SHA-256</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function section(r: PeriodReport, s: ReportSection): string {
  const id = s.code === 'company' ? 'company' : `b${s.code}`;
  const branchChart =
    s.code === 'company' && r.branches.length > 1
      ? `<div class="chart">${branchResultsChart(
          'company-branches',
          r.branches.map((b) => ({ label: `${b.code} ${b.name}`, byResult: b.byResult })),
          RESULT_ORDER,
        )}<p>各营业部回访结果 results per branch</p></div>`
      : '';
  const ex = s.exceptions;
  return `<section class="${s.code === 'company' ? 'company' : 'branch'}" id="${id}">
<h2>${esc(s.code === 'company' ? '全公司 Company' : `${s.name} ${s.code}`)}</h2>
${figures(s)}
${charts(s, id)}
${branchChart}
<div class="cols">${countTable('回访项目 category', categoryRows(s))}${countTable('回访形式 channel', channelRows(s))}${countTable(
    '回访结果 result',
    resultRows(s).map((x) => ({ ...x, swatch: RESULT_COLOURS[x.key as keyof typeof RESULT_COLOURS] })),
  )}</div>
<h3>期限与信函 deadlines and letters</h3>
<table><tbody>
<tr><td>已完成或已到期 completed or due</td><td class="n">${s.onTime.due}</td><td>按期完成 on time</td><td class="n">${s.onTime.onTime}</td><td>逾期完成 completed late</td><td class="n">${s.onTime.completedLate}</td><td>逾期未完成 open past due</td><td class="n">${s.onTime.openPastDue}</td></tr>
<tr><td>按期完成率 on-time rate</td><td class="n">${percent(s.onTime.rate)}</td><td></td><td></td><td></td><td></td><td></td><td></td></tr>
<tr><td>寄出信函 letters sent</td><td class="n">${s.letters.sent}</td><td>收回 returned</td><td class="n">${s.letters.returned}</td><td>未收回 not back</td><td class="n">${s.letters.sent - s.letters.returned}</td><td>回收率</td><td class="n">${percent(s.letters.rate)}</td></tr>
</tbody></table>
${lateTable(s)}
<h3>异常与复核 exceptions and review</h3>
<table><tbody>
<tr><td>本期新开 opened in the period</td><td class="n">${ex.opened}</td><td>本期关闭 closed in the period</td><td class="n">${ex.closed}</td><td>未关闭 open</td><td class="n">${ex.open}</td><td>最久未关闭 oldest open</td><td class="n">${days(ex.oldestOpenDays)}</td></tr>
<tr><td>逾期未关闭 overdue</td><td class="n">${ex.overdue}</td><td>平均未关闭 average open</td><td class="n">${days(ex.averageOpenDays)}</td><td>待复核批准 awaiting approval</td><td class="n">${s.review.awaitingApproval}</td><td>被退回 returned</td><td class="n">${s.review.returned}</td></tr>
<tr><td>待复核项 review items</td><td class="n">${s.review.open}</td><td>最久等待 oldest</td><td class="n">${days(s.review.oldestDays)}</td><td></td><td></td><td></td><td></td></tr>
</tbody></table>
${exceptionsTable(s)}
<h3>覆盖率 coverage</h3>
${coverageBlock(s)}
<h3>回访人员 visitors</h3>
${visitorsTable(s)}
<h3>归档 bundles</h3>
${bundlesBlock(s)}
<div class="failedblock"><h3>回访不通过客户 failed visits (异常, 第三十八条)</h3>
${failedBlock(s, r.period)}</div>
</section>`;
}

/** The report as an HTML page (UTF-8 bytes). */
export function reportHtml(r: PeriodReport): Buffer {
  const sections = [...(r.branches.length > 1 ? [r.company] : []), ...r.branches];
  const scope = r.branches.map((b) => `${b.code} ${b.name}`).join('、') || '无 none';
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>客户回访工作报告 ${esc(r.period.label)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>客户回访工作报告 <span class="en">callback visit report</span></h1>
<p class="meta">期间 Period：${esc(r.period.label)}（${esc(r.period.start)} 至 ${esc(r.period.end)}）· 营业部 Branches：${esc(scope)} · 统计日 As of：${esc(r.today)}<br>
<span class="en">Visits are counted in the period they were started in; results and problems are those of <code>huifang validate</code> on ${esc(r.today)}. Customer ids are masked.</span></p>
${sections.map((s) => section(r, s)).join('\n')}
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}
