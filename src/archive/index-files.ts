/**
 * A bundle's index, for people and for programs: `data/index.json`, `data/index.csv`
 * (UTF-8 with a byte-order mark so that Excel shows Chinese) and `data/index.html`, a
 * self-contained page (inline style, no scripts, no external resources) that opens offline
 * and lists every visit with its result, its evidence, and relative links to its files.
 */
import { CUSTOMER_KIND_LABELS } from '../domain/customer.ts';
import { VISIT_CATEGORY_LABELS, VISIT_CHANNEL_LABELS, VISIT_RESULT_LABELS } from '../domain/visit.ts';
import type { ExtractOrigin } from './page-extract.ts';
import type { ArchivedFile, ArchivedVisitRecord } from './record.ts';
import { RECORD_FILE } from './names.ts';
import { csvField } from '../domain/csv-field.ts';

export const INDEX_JSON = 'index.json';
export const INDEX_CSV = 'index.csv';
export const INDEX_HTML = 'index.html';
export const INDEX_FORMAT = 'huifang-index/1';

/** A file as the index lists it: the visit record's entry for it, less what only the record keeps. */
export type IndexFile = Pick<ArchivedFile, 'path' | 'originalName' | 'kind' | 'role' | 'sha256' | 'size' | 'extractOf'>;

export interface IndexVisit {
  visitId: string;
  customerId: string;
  customerName: string;
  customerKind: string;
  category: string;
  channel: string;
  result: string;
  /** Passed validation when archived. */
  valid: boolean;
  /** What validation found when archived, one sentence each. */
  problems: string[];
  /** `<visit id>/record.json`, relative to data/. */
  record: string;
  files: IndexFile[];
}

export interface BundleIndex {
  format: typeof INDEX_FORMAT;
  bundle: string;
  branch: string;
  branchName: string;
  period: string;
  part: number;
  partCount: number;
  baggingDate: string;
  retainUntil: string;
  includesInvalid: boolean;
  visits: IndexVisit[];
}

/** The index entry of one visit, from its record. */
export function indexVisitOf(record: ArchivedVisitRecord): IndexVisit {
  return {
    visitId: record.visit.visitId,
    customerId: record.customer.customerId,
    customerName: record.customer.name,
    customerKind: record.customer.kind,
    category: record.visit.category,
    channel: record.visit.channel,
    result: record.visit.result,
    valid: record.valid,
    problems: record.validation.filter((m) => m.severity === 'error').map((m) => `${m.reason} [${m.ruleId}]`),
    record: `${record.visit.visitId}/${RECORD_FILE}`,
    files: record.files.map((f) => ({ path: f.path, originalName: f.originalName, kind: f.kind, role: f.role, sha256: f.sha256, size: f.size, ...(f.extractOf ? { extractOf: f.extractOf } : {}) })),
  };
}

export function indexJson(index: BundleIndex): Buffer {
  return Buffer.from(JSON.stringify(index, null, 2) + '\n', 'utf8');
}

export const CSV_COLUMNS = ['visit_id', 'customer_id', 'customer_name', 'customer_kind', 'category', 'channel', 'result', 'valid', 'problems', 'file', 'original_name', 'kind', 'role', 'sha256', 'size', 'extract_of'] as const;

/** How the index names an extract's original: `pages 3, 4 of 12 of batch.tif (SHA-256 …)`. */
export function describeOrigin(o: ExtractOrigin): string {
  return `pages ${o.pages.join(', ')} of ${o.pageCount} of ${o.originalName} (SHA-256 ${o.sha256}, ${o.size} bytes)`;
}

/** One row per file (the record included), so a spreadsheet can filter by visit or kind. */
export function indexCsv(index: BundleIndex): Buffer {
  const rows: string[][] = [[...CSV_COLUMNS]];
  for (const v of index.visits) {
    const head = [v.visitId, v.customerId, v.customerName, v.customerKind, v.category, v.channel, v.result, v.valid ? 'yes' : 'no', v.problems.join('; ')];
    rows.push([...head, v.record, 'record.json', 'record', 'record', '', '', '']);
    for (const f of v.files) rows.push([...head, f.path, f.originalName, f.kind, f.role, f.sha256, String(f.size), f.extractOf ? describeOrigin(f.extractOf) : '']);
  }
  return Buffer.from('\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n', 'utf8');
}

/** Parses index.csv back (for verify): rows as objects keyed by column. */
export function parseIndexCsv(bytes: Buffer): Record<string, string>[] {
  let text = bytes.toString('utf8');
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') continue;
    else if (c === '\n' || c === '\r') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, (r[i] ?? '').replace(/^'(?=[=+\-@])/, '')])));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A relative link to a path under data/ (each segment percent-encoded). */
export function hrefOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const KIND_LABELS: Record<string, string> = {
  letter: '回访函', form: '回访记录表', envelope: '信封', 'postal-receipt': '邮局回执', email: '电子邮件', 'email-printout': '邮件打印件',
  recording: '录音', 'e-questionnaire': '电子问卷', attachment: '附件', record: '记录',
};

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** The offline page an auditor opens: a summary and one row per visit. */
export function indexHtml(index: BundleIndex): Buffer {
  const label = <T extends string>(labels: Record<string, string>, v: T) => `${esc(labels[v] ?? v)} <span class="en">${esc(v)}</span>`;
  const counts = new Map<string, number>();
  for (const v of index.visits) counts.set(v.result, (counts.get(v.result) ?? 0) + 1);
  const rows = index.visits
    .map((v) => {
      const files = [
        `<li><a href="${hrefOf(v.record)}">${esc('record.json')}</a> <span class="en">记录</span></li>`,
        ...v.files.map((f) => `<li><a href="${hrefOf(f.path)}" title="${esc(f.originalName)}">${esc(f.path.split('/').pop()!)}</a> <span class="en">${esc(KIND_LABELS[f.kind] ?? f.kind)} · ${esc(f.role)} · ${size(f.size)}</span>${f.extractOf ? `<br><span class="orig">摘自原件 extract: ${esc(describeOrigin(f.extractOf))} — 原件保存于工作区 the whole original is kept in the workspace</span>` : f.originalName !== f.path.split('/').pop() ? `<br><span class="orig">原名 ${esc(f.originalName)}</span>` : ''}</li>`),
      ].join('');
      const evidence = v.valid
        ? '<span class="ok">✓ 留痕齐全 complete</span>'
        : `<span class="bad">✗ 未通过校验 failed validation</span><ul class="problems">${v.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
      return `<tr id="${esc(v.visitId)}" class="${v.valid ? '' : 'invalid'}"><td class="id">${esc(v.visitId)}</td><td>${esc(v.customerName)}<br><span class="en">${esc(v.customerId)} · ${label(CUSTOMER_KIND_LABELS, v.customerKind)}</span></td><td>${label(VISIT_CATEGORY_LABELS, v.category)}</td><td>${label(VISIT_CHANNEL_LABELS, v.channel)}</td><td class="r-${esc(v.result)}">${label(VISIT_RESULT_LABELS, v.result)}</td><td>${evidence}</td><td><ul class="files">${files}</ul></td></tr>`;
    })
    .join('\n');
  const summary = [...counts.entries()].sort().map(([r, n]) => `${esc(VISIT_RESULT_LABELS[r as keyof typeof VISIT_RESULT_LABELS] ?? r)} ${n}`).join(' · ');
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>回访档案 ${esc(index.bundle)}</title>
<style>
body{font-family:"Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #bbb;padding:.4em;vertical-align:top;text-align:left}th{background:#eee}
.en{color:#666;font-size:.85em}.orig{color:#666;font-size:.8em}.ok{color:#060}.bad{color:#a00;font-weight:bold}
tr.invalid{background:#fff3f3}.id{font-family:monospace;white-space:nowrap}ul{margin:0;padding-left:1.1em}
.notice{border:2px solid #a00;padding:.6em;color:#a00}.r-failed{color:#a00}
</style>
</head>
<body>
<h1>回访档案 Callback visit archive — ${esc(index.bundle)}</h1>
<p>营业部 Branch: ${esc(index.branch)} ${esc(index.branchName)} · 期间 Period: ${esc(index.period)}${index.partCount > 1 ? ` · 第 ${index.part} / ${index.partCount} 包 part ${index.part} of ${index.partCount}` : ''}<br>
打包日期 Bagging date: ${esc(index.baggingDate)} · 保存至 Retain until: ${esc(index.retainUntil)}<br>
回访 ${index.visits.length} visits: ${summary}</p>
${index.includesInvalid ? `<p class="notice">本包含未通过校验的回访（--include-invalid）。This bundle includes ${index.visits.filter((v) => !v.valid).length} visit(s) that failed validation, marked below.</p>` : ''}
<table>
<thead><tr><th>回访编号 Visit</th><th>客户 Customer</th><th>项目 Category</th><th>形式 Channel</th><th>结果 Result</th><th>留痕 Evidence</th><th>文件 Files</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="en">Links are relative to this page's folder (data/). Checksums: ../manifest-sha256.txt, ../manifest-sha512.txt. Verify with <code>huifang verify &lt;bundle.zip&gt;</code> or any BagIt validator.</p>
</body>
</html>
`;
  return Buffer.from(html, 'utf8');
}
