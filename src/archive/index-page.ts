/**
 * A bundle's `data/index.html`, the page an auditor opens years later with nothing but a
 * browser: at the top a summary (counts, results with a chart, why visits failed, the open
 * exceptions, what is missing most often); then one row per visit with its problems in
 * words and links to its files; and, folded under each visit, a readable view of its record
 * (the questions and answers, the signature and seal decisions, the reviewers' decisions and
 * the audit trail). Inline style and inline SVG only: no script, no external resource.
 */
import { CUSTOMER_KIND_LABELS } from '../domain/customer.ts';
import { ageInDays, TRIGGER_LABELS } from '../domain/exceptions.ts';
import type { Message } from '../domain/messages.ts';
import { questionsFor } from '../domain/questions.ts';
import {
  VISIT_CATEGORY_LABELS,
  VISIT_CHANNEL_LABELS,
  VISIT_RESULT_LABELS,
  type VisitCategory,
} from '../domain/visit.ts';
import { resultsChart } from '../report/charts.ts';
import { coverageHtml } from '../report/html.ts';
import { RESULT_ORDER, type CoverageFacts } from '../report/model.ts';
import { businessDay } from '../report/period.ts';
import type { BundleIndex, IndexVisit } from './index-files.ts';
import { describeOrigin, hrefOf } from './index-files.ts';
import type { ArchivedVisitRecord } from './record.ts';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const KIND_LABELS: Record<string, string> = {
  letter: '回访函',
  form: '回访记录表',
  envelope: '信封',
  'postal-receipt': '邮局回执',
  email: '电子邮件',
  'email-printout': '邮件打印件',
  recording: '录音',
  'e-questionnaire': '电子问卷',
  attachment: '附件',
  record: '记录',
};

const CSS = `
body{font-family:"Noto Sans SC","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.15em;margin:1.2em 0 .4em;border-bottom:2px solid #1565c0}h3{font-size:1em;margin:.8em 0 .3em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:.35em .5em;vertical-align:top;text-align:left}th{background:#eef2f7}
.en{color:#666;font-size:.85em}.orig{color:#666;font-size:.8em}.ok{color:#2e7d32}.bad{color:#c62828;font-weight:bold}
tr.invalid>td{background:#fff5f5}.id{font-family:monospace;white-space:nowrap}ul{margin:0;padding-left:1.2em}
.notice{border:2px solid #c62828;padding:.6em;color:#a00}.r-failed{color:#c62828;font-weight:bold}.r-passed{color:#2e7d32}
.summary{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}.summary>div{flex:1 1 320px}
.figures td.n{text-align:right;font-variant-numeric:tabular-nums;width:5em}.fix{color:#555;font-size:.9em}
details{margin:.3em 0}summary{cursor:pointer;color:#1565c0}details table{margin:.3em 0 .6em;font-size:.95em}.rule{color:#888;font-size:.8em;font-family:monospace}tr.short td{background:#fff5f5}
.ans-fail{background:#ffebee;font-weight:bold}
table.visits{table-layout:fixed}.p-error{color:#b71c1c}.p-warning{color:#6d4c00}.problems{margin-top:.3em}.problems li{margin-bottom:.25em}
.files{font-size:.9em;word-break:break-all}
@media print{details{display:block}details>*{display:block}summary{display:none}tr{break-inside:avoid}}
`;

const label = (labels: Record<string, string>, v: string) => `${esc(labels[v] ?? v)} <span class="en">${esc(v)}</span>`;

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** A problem in words: what is wrong, then what to do. */
function problemItem(m: Pick<Message, 'reason' | 'ruleId' | 'severity' | 'fix'>): string {
  return `<li class="${m.severity === 'error' ? 'p-error' : 'p-warning'}">${esc(m.reason)}${m.fix ? `<br><span class="fix">处理 what to do: ${esc(m.fix)}</span>` : ''} <span class="rule">${esc(m.ruleId)}</span></li>`;
}

/** The reasons a failed visit failed (from its recorded decision). */
function failedAnswersOf(
  r: ArchivedVisitRecord | undefined,
): { text: string; rule: string; actual: string; expected: string; questionId: string }[] {
  const d = r?.decision as
    | { failedAnswers?: { text: string; rule: string; actual: string; expected: string; questionId: string }[] }
    | null
    | undefined;
  return d?.failedAnswers ?? [];
}

function summaryBlock(index: BundleIndex, records: Map<string, ArchivedVisitRecord>): string {
  const byResult: Record<string, number> = {};
  for (const v of index.visits) byResult[v.result] = (byResult[v.result] ?? 0) + 1;
  const invalid = index.visits.filter((v) => !v.valid).length;
  const rows = RESULT_ORDER.filter((r) => byResult[r])
    .map(
      (r) =>
        `<tr><td>${esc(VISIT_RESULT_LABELS[r])} <span class="en">${r}</span></td><td class="n">${byResult[r]}</td></tr>`,
    )
    .join('');
  const missing = new Map<string, { reason: string; n: number }>();
  for (const v of index.visits)
    for (const m of records.get(v.visitId)?.validation ?? []) {
      if (m.severity !== 'error') continue;
      const key = m.ruleId;
      missing.set(key, { reason: m.reason.replace(/^visit \S+: /, ''), n: (missing.get(key)?.n ?? 0) + 1 });
    }
  const top = [...missing.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 8);
  return `<div class="summary">
<div><h3>回访结果 results</h3>${resultsChart('bundle-results', byResult, RESULT_ORDER, { width: 340, height: 170 })}</div>
<div><h3>数量 counts</h3><table class="figures"><tbody>
<tr><td>回访 visits</td><td class="n">${index.visits.length}</td></tr>${rows}
<tr><td>留痕齐全 evidence complete</td><td class="n">${index.visits.length - invalid}</td></tr>
<tr><td>未通过校验 failed validation</td><td class="n">${invalid}</td></tr></tbody></table></div>
<div><h3>最常见的问题 most frequent problems</h3>${top.length ? `<table><tbody>${top.map(([rule, x]) => `<tr><td>${esc(x.reason.replace(/^the visit was due on \S+ and is \d+ days? overdue/, 'the visit is overdue'))} <span class="rule">${esc(rule)}</span></td><td class="n">${x.n}</td></tr>`).join('')}</tbody></table>` : '<p class="ok">无 none</p>'}</div>
</div>`;
}

/** An exception record's status in words: open or closed, by whom and when, with owner, cause, measures, level and due date. */
function exceptionStatus(e: ArchivedVisitRecord['exception'], bagged: string): string {
  if (!e) return '<span class="bad">未登记异常 no exception record</span>';
  const state =
    e.status === 'closed'
      ? `<span class="ok">已关闭 closed</span> ${esc(businessDay(e.closedAt ?? ''))} · 关闭人 closed by 工号 ${esc(e.closedBy ?? '—')}${e.closureNote ? `<br>关闭说明 note: ${esc(e.closureNote)}` : ''}`
      : `<span class="bad">未关闭 open</span> · ${ageInDays(e.openedAt, bagged)} 天 days at bagging${bagged > e.dueOn ? ` · <span class="bad">逾期 overdue since ${esc(e.dueOn)}</span>` : ''}`;
  return `#${e.exceptionId} ${state}<br>负责人 owner: ${e.owner ? `工号 ${esc(e.owner)}` : '—'} · 级别 level ${e.level} · 期限 due ${esc(e.dueOn)} · 开立 opened ${esc(businessDay(e.openedAt))}<br>分析原因 cause: ${esc(e.cause ?? '—')}<br>处理措施 measures: ${esc(e.measures ?? '—')}`;
}

function exceptionsBlock(index: BundleIndex, records: Map<string, ArchivedVisitRecord>): string {
  const listed = index.visits.filter((v) => v.result === 'failed' || records.get(v.visitId)?.exception);
  if (!listed.length)
    return '<h2>异常 exceptions (第三十八条)</h2><p class="ok">本包无异常 — no exception in this bundle.</p>';
  const open = listed.filter((v) => records.get(v.visitId)?.exception?.status !== 'closed').length;
  const rows = listed.map((v) => {
    const r = records.get(v.visitId);
    const reasons = failedAnswersOf(r).map(
      (f) => `<li>「${esc(f.text)}」答 ${esc(f.actual)}，合规答案 ${esc(f.expected)}（${esc(f.rule)}）</li>`,
    );
    const triggers = (r?.exception?.triggers ?? []).map((t) => `<li>${esc(TRIGGER_LABELS[t] ?? t)}</li>`);
    return `<tr><td class="id"><a href="#${esc(v.visitId)}">${esc(v.visitId)}</a></td><td>${esc(v.customerName)}</td><td><ul>${[...triggers, ...reasons].join('') || '<li>—</li>'}</ul></td><td>${exceptionStatus(r?.exception ?? null, index.baggingDate)}</td></tr>`;
  });
  return `<h2>异常 exceptions (第三十八条) — ${listed.length}, 未关闭 open ${open}</h2>
<table><thead><tr><th>回访编号 visit</th><th>客户 customer</th><th>原因 why</th><th>状态 status</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function answersTable(r: ArchivedVisitRecord): string {
  const failed = new Set(failedAnswersOf(r).map((f) => f.questionId));
  const word = (a: unknown, options?: readonly { value: string; label: string }[]) =>
    a === 'yes'
      ? '是'
      : a === 'no'
        ? '否'
        : a === null || a === undefined
          ? '—'
          : (options?.find((o) => o.value === a)?.label ?? String(a));
  const rows = questionsFor(r.visit.category as VisitCategory).map((q, i) => {
    const a = r.answers[q.id];
    return `<tr${failed.has(q.id) ? ' class="ans-fail"' : ''}><td>${i + 1}</td><td>${esc(q.text)} <span class="rule">${esc(q.rule)}</span></td><td>${esc(word(a, q.type === 'choice' ? q.options : undefined))}</td></tr>`;
  });
  return `<table><thead><tr><th>#</th><th>问题 question</th><th>回答 answer</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function checksTable(r: ArchivedVisitRecord): string {
  const c = r.checks as Record<
    string,
    { present?: boolean | null; red?: boolean | null; by?: string; redBy?: string }
  > | null;
  if (!c) return '<p class="en">没有读取到回访记录表 no record form was read</p>';
  const yes = (v: boolean | null | undefined) =>
    v === true ? '有 present' : v === false ? '无 absent' : '未定 undecided';
  const row = (name: string, x?: { present?: boolean | null; red?: boolean | null; by?: string; redBy?: string }) =>
    x
      ? `<tr><td>${name}</td><td>${yes(x.present)}${x.red !== undefined ? ` · ${x.red === true ? '红色 red' : x.red === false ? '非红色 not red' : '颜色未定'}` : ''}</td><td>${esc(x.by ?? '')}</td></tr>`
      : '';
  return `<table><thead><tr><th>签章 mark</th><th>判定 decision</th><th>判定者 by</th></tr></thead><tbody>${row('客户签字 customer signature', c.customerSignature)}${row('经办人签字 handler signature', c.handlerSignature)}${row('盖章 seal', c.seal)}</tbody></table>`;
}

function recordView(r: ArchivedVisitRecord, open: boolean): string {
  const reviews = [...r.reviews, ...r.openReviews];
  const d = r.decision as { reason?: string; decidedAt?: string } | null;
  return `<details${open ? ' open' : ''}><summary>查看记录 the visit's record</summary>
<p>回访人员 visitor: ${esc(r.visit.visitor ?? '—')} · 复核人员 reviewer: ${esc(r.visit.reviewer ?? '—')} · 开始 started: ${esc(r.visit.createdOn)} · 期限 due: ${esc(r.visit.dueOn)}<br>
结果 result: ${esc(VISIT_RESULT_LABELS[r.visit.result] ?? r.visit.result)}${d?.reason ? ` — ${esc(d.reason)}` : ''}${d?.decidedAt ? ` <span class="en">(${esc(businessDay(d.decidedAt))})</span>` : ''}</p>
<h3>问答 answers</h3>${answersTable(r)}
<h3>签字与盖章 signatures and seal</h3>${checksTable(r)}
<h3>复核 review decisions</h3>${reviews.length ? `<table><thead><tr><th>项目 subject</th><th>机器 machine</th><th>结论 decision</th><th>复核人 by</th><th>时间 at</th></tr></thead><tbody>${reviews.map((x) => `<tr><td>${esc(x.subject)}</td><td>${esc(JSON.stringify(x.machineValue))}</td><td>${x.status === 'open' ? '<span class="bad">未复核 open</span>' : esc(`${x.status}: ${JSON.stringify(x.finalValue)}`)}</td><td>${esc(x.decidedBy ?? '')}</td><td>${esc(x.decidedAt ?? '')}</td></tr>`).join('')}</tbody></table>` : '<p class="en">无需复核 nothing needed review</p>'}
<h3>经过 audit trail</h3><table><thead><tr><th>时间 at</th><th>人员 who</th><th>事项 what</th></tr></thead><tbody>${r.events.map((e) => `<tr><td>${esc(e.at.replace('T', ' ').slice(0, 19))}</td><td>${esc(e.actor)}</td><td>${esc(e.action)}${typeof e.details.fileName === 'string' ? ` ${esc(e.details.fileName)}` : ''}</td></tr>`).join('')}</tbody></table>
</details>`;
}

function visitRow(v: IndexVisit, r: ArchivedVisitRecord | undefined): string {
  const files = [
    `<li><a href="${hrefOf(v.record)}">record.json</a> <span class="en">记录</span></li>`,
    ...v.files.map(
      (f) =>
        `<li><a href="${hrefOf(f.path)}" title="${esc(f.originalName)}">${esc(f.path.split('/').pop()!)}</a> <span class="en">${esc(KIND_LABELS[f.kind] ?? f.kind)} · ${esc(f.role)} · ${size(f.size)}</span>${f.extractOf ? `<br><span class="orig">摘自原件 extract: ${esc(describeOrigin(f.extractOf))} — 原件保存于工作区 the whole original is kept in the workspace</span>` : f.originalName !== f.path.split('/').pop() ? `<br><span class="orig">原名 ${esc(f.originalName)}</span>` : ''}</li>`,
    ),
  ].join('');
  const messages = r
    ? r.validation.filter((m) => m.severity !== 'info')
    : v.problems.map((p) => ({ reason: p, ruleId: '', severity: 'error' as const }));
  const problems = messages.length ? `<ul class="problems">${messages.map(problemItem).join('')}</ul>` : '';
  const evidence = v.valid
    ? `<span class="ok">✓ 留痕齐全 evidence complete</span>${problems}`
    : `<span class="bad">✗ 未通过校验 failed validation</span>${problems}`;
  return `<tr id="${esc(v.visitId)}" class="${v.valid ? '' : 'invalid'}"><td class="id">${esc(v.visitId)}</td><td>${esc(v.customerName)}<br><span class="en">${esc(v.customerId)} · ${label(CUSTOMER_KIND_LABELS, v.customerKind)}</span></td><td>${label(VISIT_CATEGORY_LABELS, v.category)}<br>${label(VISIT_CHANNEL_LABELS, v.channel)}</td><td class="r-${esc(v.result)}">${label(VISIT_RESULT_LABELS, v.result)}</td><td>${evidence}${r ? recordView(r, v.result === 'failed') : ''}</td><td><ul class="files">${files}</ul></td></tr>`;
}

/**
 * The offline page an auditor opens (see the module comment). `records` add the summary's
 * reasons and the record views; `coverage` the branch's coverage of the year (null: no account
 * list was imported; left out: no section).
 */
export function indexPage(
  index: BundleIndex,
  records: readonly ArchivedVisitRecord[] = [],
  coverage?: readonly CoverageFacts[] | null,
): Buffer {
  const byId = new Map<string, ArchivedVisitRecord>(records.map((r) => [r.visit.visitId as string, r]));
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>回访档案 ${esc(index.bundle)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>回访档案 Callback visit archive — ${esc(index.bundle)}</h1>
<p>营业部 Branch: ${esc(index.branch)} ${esc(index.branchName)} · 期间 Period: ${esc(index.period)}${index.partCount > 1 ? ` · 第 ${index.part} / ${index.partCount} 包 part ${index.part} of ${index.partCount}` : ''}<br>
打包日期 Bagging date: ${esc(index.baggingDate)} · 保存至 Retain until: ${esc(index.retainUntil)}</p>
${index.includesInvalid ? `<p class="notice">本包含未通过校验的回访（--include-invalid）。This bundle includes ${index.visits.filter((v) => !v.valid).length} visit(s) that failed validation, marked below with what is missing.</p>` : ''}
${summaryBlock(index, byId)}
${exceptionsBlock(index, byId)}
${coverage === undefined ? '' : `<h2>覆盖率 coverage of the year (第二十条)</h2>\n${coverageHtml(coverage)}`}
<h2>回访 visits — ${index.visits.length}</h2>
<table class="visits">
<colgroup><col style="width:10%"><col style="width:11%"><col style="width:9%"><col style="width:7%"><col style="width:38%"><col style="width:25%"></colgroup>
<thead><tr><th>回访编号 Visit</th><th>客户 Customer</th><th>项目 / 形式</th><th>结果 Result</th><th>留痕与问题 Evidence and problems</th><th>文件 Files</th></tr></thead>
<tbody>
${index.visits.map((v) => visitRow(v, byId.get(v.visitId))).join('\n')}
</tbody>
</table>
<p class="en">Links are relative to this page's folder (data/). Checksums: ../manifest-sha256.txt, ../manifest-sha512.txt. Verify with <code>huifang verify &lt;bundle.zip&gt;</code> or any BagIt validator.</p>
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}
