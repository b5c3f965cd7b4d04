/**
 * The period report as a PDF, from the same model and the same charts as the HTML page,
 * without a browser: pages are laid out with pdf-lib in Noto Sans SC (embedded, subset, so
 * the text is selectable and `pdftotext` reads it), and each chart's SVG is rasterised by
 * sharp at 200 dpi and placed as an image. A4, one section a page or more.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import sharp from 'sharp';
import { barsChart, branchResultsChart, resultsChart } from './charts.ts';
import {
  categoryLabel,
  categoryRows,
  channelLabel,
  channelRows,
  coverageLines,
  coverageTitle,
  days,
  NO_COVERAGE,
  resultRows,
  satisfactionRows,
  SIGNATURE_TEXT,
} from './labels.ts';
import { percent, RESULT_ORDER, type PeriodReport, type ReportSection } from './model.ts';

const MM = 72 / 25.4;
const CLOSING = '，。、；：！？）」』》〉】,.;:!?)';
const A4: [number, number] = [210 * MM, 297 * MM];
const LEFT = 15 * MM;
const RIGHT = A4[0] - 15 * MM;
const TOP = A4[1] - 15 * MM;
const BOTTOM = 18 * MM;

const fontFile = (weight: string) =>
  createRequire(import.meta.url).resolve(`@expo-google-fonts/noto-sans-sc/${weight}/NotoSansSC_${weight}.ttf`);

/** A cursor over pages: text, tables and images flow down and onto new pages. */
class Flow {
  page!: PDFPage;
  y = 0;
  constructor(
    private readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.newPage();
  }
  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = TOP;
  }
  room(h: number): void {
    if (this.y - h < BOTTOM) this.newPage();
  }
  /** Splits text into lines no wider than `width` (character by character: Chinese has no spaces). */
  wrap(text: string, size: number, width: number, font = this.font): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const ch of paragraph) {
        // closing punctuation never starts a line: it hangs at the end of this one
        if (font.widthOfTextAtSize(line + ch, size) > width && line && !CLOSING.includes(ch))
          (lines.push(line), (line = ''));
        line += ch;
      }
      lines.push(line);
    }
    return lines;
  }
  text(
    text: string,
    options: { size?: number; bold?: boolean; colour?: [number, number, number]; gap?: number } = {},
  ): void {
    const size = options.size ?? 9.5;
    const font = options.bold ? this.bold : this.font;
    for (const line of this.wrap(text, size, RIGHT - LEFT, font)) {
      this.room(size * 1.45);
      this.y -= size * 1.45;
      this.page.drawText(line, {
        x: LEFT,
        y: this.y,
        size,
        font,
        color: rgb(...(options.colour ?? [0.13, 0.13, 0.13])),
      });
    }
    this.y -= options.gap ?? 2;
  }
  table(header: string[], rows: string[][], widths: number[]): void {
    const size = 8.5;
    const total = widths.reduce((a, b) => a + b, 0);
    const cols = widths.map((w) => (w / total) * (RIGHT - LEFT));
    const drawRow = (cells: string[], head: boolean) => {
      const wrapped = cells.map((c, i) => this.wrap(c, size, cols[i]! - 4 - 2 * size, head ? this.bold : this.font)); // room for hanging punctuation
      const h = Math.max(...wrapped.map((w) => w.length)) * size * 1.35 + 4;
      this.room(h);
      let x = LEFT;
      wrapped.forEach((lines, i) => {
        this.page.drawRectangle({
          x,
          y: this.y - h,
          width: cols[i]!,
          height: h,
          borderColor: rgb(0.7, 0.7, 0.7),
          borderWidth: 0.5,
          ...(head ? { color: rgb(0.93, 0.95, 0.97) } : {}),
        });
        lines.forEach((l, k) =>
          this.page.drawText(l, {
            x: x + 2,
            y: this.y - 2 - size * 1.35 * (k + 1) + 2,
            size,
            font: head ? this.bold : this.font,
          }),
        );
        x += cols[i]!;
      });
      this.y -= h;
    };
    drawRow(header, true);
    for (const r of rows) drawRow(r, false);
    this.y -= 4;
  }
  async images(svgs: string[], heightMm: number): Promise<void> {
    const h = heightMm * MM;
    this.room(h + 4);
    let x = LEFT;
    for (const svg of svgs) {
      const png = await sharp(Buffer.from(svg), { density: 200 }).png().toBuffer();
      const image = await this.doc.embedPng(png);
      const w = (image.width / image.height) * h;
      if (x + w > RIGHT + 1) break;
      this.page.drawImage(image, { x, y: this.y - h, width: w, height: h });
      x += w + 4 * MM;
    }
    this.y -= h + 4;
  }
}

/** One section of the report (the company, or a branch): each part in turn, ending with the signature. */
async function section(flow: Flow, r: PeriodReport, s: ReportSection): Promise<void> {
  await summaryAndCharts(flow, r, s);
  countsAndDeadlines(flow, s);
  exceptionsAndReview(flow, s);
  coverageVisitorsAndBundles(flow, s);
  failedAndSignature(flow, r, s);
}

/** The section's title, its figures in one row, and its charts (results, satisfaction, branches). */
async function summaryAndCharts(flow: Flow, r: PeriodReport, s: ReportSection): Promise<void> {
  const ex = s.exceptions;
  flow.text(s.code === 'company' ? '全公司 Company' : `${s.name} ${s.code}`, { size: 14, bold: true, gap: 4 });
  flow.table(
    ['回访', '通过', '不通过', '待定', '按期完成率', '信函回收率', '未关闭异常', '待复核批准'],
    [
      [
        String(s.visits),
        String(s.byResult.passed ?? 0),
        String(s.byResult.failed ?? 0),
        String(s.byResult.pending ?? 0),
        `${percent(s.onTime.rate)} (${s.onTime.onTime}/${s.onTime.due})`,
        `${percent(s.letters.rate)} (${s.letters.returned}/${s.letters.sent})`,
        String(ex.open),
        String(s.review.awaitingApproval),
      ],
    ],
    [1, 1, 1, 1, 1.6, 1.6, 1.2, 1],
  );
  const id = s.code === 'company' ? 'company' : `b${s.code}`;
  const sat = satisfactionRows(s).map((x) => ({
    label: x.label,
    value: x.value,
    colour: x.key === 'dissatisfied' ? '#c62828' : '#1565c0',
  }));
  await flow.images(
    [
      resultsChart(`${id}-results`, s.byResult, RESULT_ORDER),
      barsChart(`${id}-satisfaction`, sat.length ? sat : [{ label: '未作答', value: 0 }], { width: 360, height: 220 }),
    ],
    42,
  );
  if (s.code === 'company' && r.branches.length > 1) {
    await flow.images(
      [
        branchResultsChart(
          'company-branches',
          r.branches.map((b) => ({ label: `${b.code} ${b.name}`, byResult: b.byResult })),
          RESULT_ORDER,
        ),
      ],
      Math.min(70, 12 + 8 * r.branches.length),
    );
  }
}

/** Visits by category, channel and result; on time and late. */
function countsAndDeadlines(flow: Flow, s: ReportSection): void {
  const counts = [
    ...categoryRows(s).map((x) => ['回访项目', x.label, String(x.value)]),
    ...channelRows(s).map((x) => ['回访形式', x.label, String(x.value)]),
    ...resultRows(s).map((x) => ['回访结果', x.label, String(x.value)]),
  ];
  flow.table(['维度', '类别', '回访数'], counts, [1, 3, 1]);
  flow.table(
    ['按期完成', '逾期完成', '逾期未完成', '按期完成率'],
    [[String(s.onTime.onTime), String(s.onTime.completedLate), String(s.onTime.openPastDue), percent(s.onTime.rate)]],
    [1, 1, 1, 1],
  );
  if (s.lateVisits.length)
    flow.table(
      ['逾期完成', '客户', '期限', '完成', '逾期天数'],
      s.lateVisits.map((l) => [l.visitId, `${l.customer} ${l.customerId}`, l.dueOn, l.completedOn, String(l.daysLate)]),
      [2.3, 2, 1.2, 1.2, 1],
    );
}

/** Exceptions opened, closed and open, with each one's owner, cause and measures; the review queue. */
function exceptionsAndReview(flow: Flow, s: ReportSection): void {
  const ex = s.exceptions;
  flow.table(
    ['本期新开异常', '本期关闭', '未关闭', '逾期未关闭', '最久未关闭', '待复核批准', '被退回', '待复核项'],
    [
      [
        String(ex.opened),
        String(ex.closed),
        String(ex.open),
        String(ex.overdue),
        days(ex.oldestOpenDays),
        String(s.review.awaitingApproval),
        String(s.review.returned),
        String(s.review.open),
      ],
    ],
    [1.2, 1, 1, 1, 1.1, 1.1, 1, 1],
  );
  if (ex.list.length) {
    flow.table(
      ['异常', '负责人', '分析原因', '处理措施', '级别/期限', '状态', '天数'],
      ex.list.map((e) => [
        `${e.exceptionId === null ? '未登记' : `#${e.exceptionId}`} ${e.visitId}\n${e.triggers.join('；')}`,
        e.owner ?? '—',
        e.cause ?? '—',
        e.measures ?? '—',
        `${e.level} / ${e.dueOn ?? '—'}${e.overdue ? ' 逾期' : ''}`,
        e.status === 'closed' ? `已关闭 ${e.closedOn ?? ''} ${e.closedBy ?? ''}` : '未关闭',
        String(e.ageDays),
      ]),
      [2.3, 1.8, 2.4, 2.4, 1.2, 1.9, 0.6],
    );
  }
}

/** Coverage of the visiting requirements, the visitors' work, the archive bundles. */
function coverageVisitorsAndBundles(flow: Flow, s: ReportSection): void {
  flow.text('覆盖率 coverage', { size: 11, bold: true });
  if (s.coverage === null) flow.text(NO_COVERAGE, { size: 8.5 });
  else if (!s.coverage.length) flow.text('导入的客户名单中无本营业部账户。', { size: 8.5 });
  for (const c of s.coverage ?? []) {
    flow.text(coverageTitle(c), { size: 8.5 });
    flow.table(
      ['要求', '客户数', '已访', '达到', '应达', '尚未回访'],
      coverageLines(c, 6).map((l) => [
        l.label,
        String(l.denominator),
        String(l.visited),
        `${l.reached}${l.ok ? '' : ' 未达到'}`,
        l.required,
        l.missing,
      ]),
      [2.3, 0.8, 0.7, 1, 1.3, 3.9],
    );
  }
  if (s.visitors.length)
    flow.table(
      ['回访人员', '回访数', '退回重做', '逾期'],
      s.visitors.map((v) => [v.visitor, String(v.visits), String(v.rework), String(v.late)]),
      [3, 1, 1, 1],
    );
  if (s.bundles.length)
    flow.table(
      ['档案包', '回访', '保存至', '法律保全'],
      s.bundles.map((b) => [b.bundleId, String(b.visits), b.retainUntil, b.holds.join('; ') || '—']),
      [3, 1, 1.5, 3],
    );
  else flow.text('归档：尚未归档。', { size: 8.5 });
}

/** The customers whose visit failed, and the line the head of the branch or department signs. */
function failedAndSignature(flow: Flow, r: PeriodReport, s: ReportSection): void {
  flow.text('回访不通过客户（异常，第三十八条）', { size: 11, bold: true });
  if (s.failed.length)
    flow.table(
      ['回访编号', '客户', '项目/形式', '不通过原因'],
      s.failed.map((f) => [
        f.visitId,
        `${f.customer} ${f.customerId}`,
        `${categoryLabel(f.category)} ${channelLabel(f.channel)}`,
        f.reasons.join('\n'),
      ]),
      [2.3, 2, 1.6, 4.6],
    );
  else flow.text('本期无回访不通过客户。');
  flow.room(40);
  flow.text(`${SIGNATURE_TEXT} ${r.period.label} 共 ${s.failed.length} 户。`, { gap: 8 });
  flow.text(
    `${s.code === 'company' ? '客户服务部负责人' : '营业部负责人'}签字：____________________    日期：____________`,
    { gap: 6 },
  );
}

/** The report as PDF bytes. */
export async function reportPdf(r: PeriodReport): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit as never);
  const font = await doc.embedFont(readFileSync(fontFile('400Regular')), { subset: true });
  const bold = await doc.embedFont(readFileSync(fontFile('700Bold')), { subset: true });
  doc.setTitle(`客户回访工作报告 ${r.period.label}`);
  doc.setCreator('huifang');
  doc.setProducer('huifang');
  doc.setCreationDate(new Date(`${r.today}T00:00:00Z`));
  doc.setModificationDate(new Date(`${r.today}T00:00:00Z`));
  const flow = new Flow(doc, font, bold);
  flow.text('客户回访工作报告', { size: 17, bold: true });
  flow.text(
    `期间：${r.period.label}（${r.period.start} 至 ${r.period.end}） 统计日：${r.today}  营业部：${r.branches.map((b) => `${b.code} ${b.name}`).join('、') || '无'}`,
    { size: 9, gap: 6 },
  );
  const sections = [...(r.branches.length > 1 ? [r.company] : []), ...r.branches];
  for (const [i, s] of sections.entries()) {
    if (i > 0) flow.newPage();
    await section(flow, r, s);
  }
  return doc.save({ useObjectStreams: false });
}
